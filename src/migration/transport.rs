//! Migration URIs and the byte channels behind them: `tcp:HOST:PORT`,
//! `unix:PATH`, `exec:COMMAND` (run by `/bin/sh -c`) and `file:PATH`, for the
//! source (connect, with QEMU's error wording) and for the destination (listen,
//! or read a command's output or a file).

use serde_json::{json, Value};
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A parsed migration URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uri {
    Tcp { host: String, port: String },
    Unix(String),
    Exec(String),
    File(String),
}

/// The text of an errno value (strerror), without Rust's "(os error N)".
pub fn strerror(errno: i32) -> String {
    io_error_text(&io::Error::from_raw_os_error(errno))
}

/// An I/O error's message without Rust's "(os error N)" suffix.
pub fn io_error_text(e: &io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(i) if s.ends_with(')') => s[..i].to_string(),
        _ => s,
    }
}

fn split_host_port(s: &str) -> Option<(String, String)> {
    let s = s.split(',').next().unwrap_or("");
    let (h, p) = if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']')?;
        let port = rest[close + 1..].strip_prefix(':')?;
        (rest[..close].to_string(), port.to_string())
    } else {
        let i = s.rfind(':')?;
        (s[..i].to_string(), s[i + 1..].to_string())
    };
    if p.is_empty() {
        return None;
    }
    Some((h, p))
}

/// Parses a URI; `outgoing` selects the error wording for unknown protocols.
pub fn parse(uri: &str, outgoing: bool) -> Result<Uri, String> {
    if let Some(rest) = uri.strip_prefix("tcp:") {
        return match split_host_port(rest) {
            Some((host, _)) if outgoing && host.is_empty() => Err(format!(
                "error parsing address '{rest}': a host is needed to connect"
            )),
            Some((host, port)) => Ok(Uri::Tcp { host, port }),
            None => Err(format!("error parsing address '{rest}'")),
        };
    }
    if let Some(p) = uri.strip_prefix("unix:") {
        if p.is_empty() {
            return Err("error parsing address '': a socket path is needed".into());
        }
        return Ok(Uri::Unix(p.to_string()));
    }
    if let Some(c) = uri.strip_prefix("exec:") {
        return Ok(Uri::Exec(c.to_string()));
    }
    if let Some(p) = uri.strip_prefix("file:") {
        if p.is_empty() {
            return Err("file: needs a path".into());
        }
        return Ok(Uri::File(p.to_string()));
    }
    if outgoing {
        Err("Parameter 'uri' expects a valid migration protocol".into())
    } else {
        Err(format!("unknown migration protocol: {uri}"))
    }
}

/// Writes to a socket with MSG_NOSIGNAL: a peer that went away gives EPIPE
/// instead of a SIGPIPE, which could otherwise kill the emulator or reach the
/// guest (guest dispositions are mirrored on the host).
pub fn send_nosignal(s: &impl AsRawFd, b: &[u8]) -> io::Result<usize> {
    loop {
        // SAFETY: `b` is a valid buffer of `b.len()` bytes for the whole call and
        // the descriptor belongs to a live socket object borrowed by `s`.
        let n = unsafe {
            libc::send(
                s.as_raw_fd(),
                b.as_ptr() as *const libc::c_void,
                b.len(),
                libc::MSG_NOSIGNAL,
            )
        };
        if n >= 0 {
            return Ok(n as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// A unix socket used only for writing, without SIGPIPE.
pub struct UnixWriter(pub UnixStream);

impl Write for UnixWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        send_nosignal(&self.0, b)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A connected socket of either family.
#[derive(Debug)]
pub enum Sock {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Sock {
    pub fn try_clone(&self) -> io::Result<Sock> {
        Ok(match self {
            Sock::Tcp(s) => Sock::Tcp(s.try_clone()?),
            Sock::Unix(s) => Sock::Unix(s.try_clone()?),
        })
    }
    pub fn shutdown(&self, how: Shutdown) {
        let _ = match self {
            Sock::Tcp(s) => s.shutdown(how),
            Sock::Unix(s) => s.shutdown(how),
        };
    }
    pub fn set_read_timeout(&self, d: Option<std::time::Duration>) {
        let _ = match self {
            Sock::Tcp(s) => s.set_read_timeout(d),
            Sock::Unix(s) => s.set_read_timeout(d),
        };
    }
}

impl Read for Sock {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        match self {
            Sock::Tcp(s) => s.read(b),
            Sock::Unix(s) => s.read(b),
        }
    }
}

impl Write for Sock {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Sock::Tcp(s) => s.write(b),
            Sock::Unix(s) => send_nosignal(s, b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The source side of a migration channel.
pub enum OutChannel {
    Socket(Sock),
    Exec(Child, ChildStdin, String),
    File(File, String),
}

impl OutChannel {
    /// What the channel is, for "Unable to write to ..." messages.
    pub fn what(&self) -> &'static str {
        match self {
            OutChannel::Socket(_) => "socket",
            OutChannel::Exec(..) => "command",
            OutChannel::File(..) => "file",
        }
    }
    pub fn writer(&mut self) -> &mut dyn Write {
        match self {
            OutChannel::Socket(s) => s,
            OutChannel::Exec(_, i, _) => i,
            OutChannel::File(f, _) => f,
        }
    }
}

/// Opens the source side (runs on the migration thread: connecting may block).
pub fn connect(uri: &Uri) -> Result<OutChannel, String> {
    match uri {
        Uri::Tcp { host, port } => {
            let addrs: Vec<_> = match (host.as_str(), port.parse::<u16>().unwrap_or(0)).to_socket_addrs()
            {
                Ok(a) if port.parse::<u16>().is_ok() => a.collect(),
                Ok(_) => {
                    return Err(format!(
                        "address resolution failed for {host}:{port}: Servname not supported for ai_socktype"
                    ))
                }
                Err(e) => {
                    let t = e.to_string();
                    let t = t
                        .strip_prefix("failed to lookup address information: ")
                        .unwrap_or(&t)
                        .to_string();
                    return Err(format!("address resolution failed for {host}:{port}: {t}"));
                }
            };
            let mut last = None;
            for a in addrs {
                match TcpStream::connect(a) {
                    Ok(s) => {
                        let _ = s.set_nodelay(true);
                        return Ok(OutChannel::Socket(Sock::Tcp(s)));
                    }
                    Err(e) => last = Some(e),
                }
            }
            let why = last.map_or("no address".to_string(), |e| io_error_text(&e));
            Err(format!("Failed to connect to '{host}:{port}': {why}"))
        }
        Uri::Unix(p) => UnixStream::connect(p)
            .map(|s| OutChannel::Socket(Sock::Unix(s)))
            .map_err(|e| format!("Failed to connect to '{p}': {}", io_error_text(&e))),
        Uri::Exec(cmd) => {
            let mut child = Command::new("/bin/sh")
                .arg("-c")
                .arg(cmd)
                .stdin(Stdio::piped())
                .spawn()
                .map_err(|e| format!("Unable to start command '{cmd}': {}", io_error_text(&e)))?;
            match child.stdin.take() {
                Some(i) => Ok(OutChannel::Exec(child, i, cmd.clone())),
                None => Err(format!("Unable to start command '{cmd}': no pipe")),
            }
        }
        Uri::File(p) => File::create(p)
            .map(|f| OutChannel::File(f, p.clone()))
            .map_err(|e| format!("Unable to open file '{p}': {}", io_error_text(&e))),
    }
}

/// The destination side before data flows.
pub enum InSource {
    Tcp(TcpListener),
    Unix(UnixListener, String),
    Exec(Child, ChildStdout),
    File(File),
}

/// A byte source for the loader plus an optional channel back to the source.
pub struct InChannel {
    pub reader: Box<dyn Read + Send>,
    /// the connection, for the final acknowledgement (sockets only)
    pub back: Option<Sock>,
    pub child: Option<Child>,
}

/// Starts listening (or starts the command / opens the file). Returns the
/// source and the `socket-address` list `query-migrate` shows.
pub fn listen(uri: &Uri) -> Result<(InSource, Value), String> {
    match uri {
        Uri::Tcp { host, port } => {
            let h = if host.is_empty() {
                "0.0.0.0"
            } else {
                host.as_str()
            };
            let portn: u16 = port
                .parse()
                .map_err(|_| format!("error parsing address '{host}:{port}'"))?;
            let l = TcpListener::bind((h, portn))
                .map_err(|e| format!("Failed to bind socket: {}", io_error_text(&e)))?;
            let local = l.local_addr().map_err(|e| io_error_text(&e))?;
            let addr = json!([{
                "type": "inet",
                "host": local.ip().to_string(),
                "port": local.port().to_string(),
            }]);
            Ok((InSource::Tcp(l), addr))
        }
        Uri::Unix(p) => {
            let _ = std::fs::remove_file(p);
            let l = UnixListener::bind(p)
                .map_err(|e| format!("Failed to bind socket to {p}: {}", io_error_text(&e)))?;
            Ok((
                InSource::Unix(l, p.clone()),
                json!([{"type": "unix", "path": p}]),
            ))
        }
        Uri::Exec(cmd) => {
            let mut child = Command::new("/bin/sh")
                .arg("-c")
                .arg(cmd)
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("Unable to start command '{cmd}': {}", io_error_text(&e)))?;
            let out = child
                .stdout
                .take()
                .ok_or_else(|| format!("Unable to start command '{cmd}': no pipe"))?;
            Ok((InSource::Exec(child, out), json!([])))
        }
        Uri::File(p) => {
            let f = File::open(p)
                .map_err(|e| format!("Unable to open file '{p}': {}", io_error_text(&e)))?;
            Ok((InSource::File(f), json!([])))
        }
    }
}

impl InSource {
    /// Waits for the source (accepts one connection).
    pub fn accept(self) -> Result<InChannel, String> {
        match self {
            InSource::Tcp(l) => {
                let (s, _) = l
                    .accept()
                    .map_err(|e| format!("accept failed: {}", io_error_text(&e)))?;
                let back = s.try_clone().ok().map(Sock::Tcp);
                Ok(InChannel {
                    reader: Box::new(io::BufReader::with_capacity(1 << 20, s)),
                    back,
                    child: None,
                })
            }
            InSource::Unix(l, path) => {
                let (s, _) = l
                    .accept()
                    .map_err(|e| format!("accept failed: {}", io_error_text(&e)))?;
                let _ = std::fs::remove_file(path);
                let back = s.try_clone().ok().map(Sock::Unix);
                Ok(InChannel {
                    reader: Box::new(io::BufReader::with_capacity(1 << 20, s)),
                    back,
                    child: None,
                })
            }
            InSource::Exec(child, out) => Ok(InChannel {
                reader: Box::new(io::BufReader::with_capacity(1 << 20, out)),
                back: None,
                child: Some(child),
            }),
            InSource::File(f) => Ok(InChannel {
                reader: Box::new(io::BufReader::with_capacity(1 << 20, f)),
                back: None,
                child: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(
            parse("tcp:127.0.0.1:4444", true),
            Ok(Uri::Tcp {
                host: "127.0.0.1".into(),
                port: "4444".into()
            })
        );
        assert_eq!(
            parse("tcp:[::1]:5", true),
            Ok(Uri::Tcp {
                host: "::1".into(),
                port: "5".into()
            })
        );
        assert_eq!(
            parse("tcp::5", false),
            Ok(Uri::Tcp {
                host: "".into(),
                port: "5".into()
            })
        );
        assert_eq!(
            parse("bogus:x", true),
            Err("Parameter 'uri' expects a valid migration protocol".into())
        );
        assert_eq!(
            parse("bogus:x", false),
            Err("unknown migration protocol: bogus:x".into())
        );
        assert_eq!(
            parse("exec:cat > /x", true),
            Ok(Uri::Exec("cat > /x".into()))
        );
    }

    #[test]
    fn refused_wording() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = connect(&Uri::Tcp {
            host: "127.0.0.1".into(),
            port: port.to_string(),
        })
        .err()
        .unwrap();
        assert_eq!(
            e,
            format!("Failed to connect to '127.0.0.1:{port}': Connection refused")
        );
        let e = connect(&Uri::Unix("/nonexistent/x.sock".into()))
            .err()
            .unwrap();
        assert_eq!(
            e,
            "Failed to connect to '/nonexistent/x.sock': No such file or directory"
        );
    }
}
