//! Monitor endpoints: `stdio`, `unix:PATH,server=on[,wait=off]` and
//! `tcp:HOST:PORT,server=on[,wait=off]`. A server socket serves one client at a
//! time, like a QEMU socket chardev; with `wait=on` (the default) the guest
//! does not start before the first client connected.

use super::hub::Hub;
use super::{events::Sink, hmp, qmp_server};
use crate::migration::transport::UnixWriter;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::Duration;

/// Where a monitor listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Stdio,
    Unix {
        path: String,
        wait: bool,
    },
    Tcp {
        host: String,
        port: String,
        wait: bool,
    },
}

/// Which protocol a monitor speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Qmp,
    Hmp,
}

fn onoff(v: &str) -> Option<bool> {
    match v {
        "on" | "yes" | "true" => Some(true),
        "off" | "no" | "false" => Some(false),
        _ => None,
    }
}

/// Parses a `-qmp`/`-monitor` argument (`opt` names the option in errors).
pub fn parse(s: &str, opt: &str) -> Result<Endpoint, String> {
    if s == "stdio" {
        return Ok(Endpoint::Stdio);
    }
    let mut parts = s.split(',');
    let target = parts.next().unwrap_or("");
    let (mut server, mut wait) = (false, true);
    for p in parts {
        let (k, v) = p.split_once('=').unwrap_or((p, "on"));
        let val = onoff(v).ok_or_else(|| format!("-{opt} {s}: bad value '{v}' for '{k}'"))?;
        match k {
            "server" => server = val,
            "wait" => wait = val,
            "nowait" => wait = !val,
            _ => return Err(format!("-{opt} {s}: unknown option '{k}'")),
        }
    }
    let ep = if let Some(path) = target.strip_prefix("unix:") {
        if path.is_empty() {
            return Err(format!("-{opt} {s}: a socket path is needed"));
        }
        Endpoint::Unix {
            path: path.to_string(),
            wait,
        }
    } else if let Some(hp) = target.strip_prefix("tcp:") {
        let i = hp
            .rfind(':')
            .ok_or_else(|| format!("-{opt} {s}: expected tcp:HOST:PORT"))?;
        let port = &hp[i + 1..];
        if port.parse::<u16>().is_err() {
            return Err(format!("-{opt} {s}: bad port '{port}'"));
        }
        Endpoint::Tcp {
            host: hp[..i].trim_matches(|c| c == '[' || c == ']').to_string(),
            port: port.to_string(),
            wait,
        }
    } else {
        return Err(format!(
            "-{opt} {s}: unsupported monitor backend (use stdio, unix:PATH,server=on or tcp:HOST:PORT,server=on)"
        ));
    };
    if !server {
        return Err(format!(
            "-{opt} {s}: only server sockets are supported (add ',server=on')"
        ));
    }
    Ok(ep)
}

/// Serves one client. `echo`: HMP echoes typing (not on a terminal, whose
/// line discipline echoes already).
fn serve(
    mode: Mode,
    input: Box<dyn Read + Send>,
    output: Box<dyn Write + Send>,
    hub: &Arc<Hub>,
    echo: bool,
) {
    let sink = Sink::new(output);
    match mode {
        Mode::Qmp => qmp_server::serve(input, sink, hub.clone()),
        Mode::Hmp => hmp::serve(input, sink, hub.clone(), echo),
    }
}

/// Starts a monitor. With `wait=on`, the returned receiver fires once the first
/// client is connected.
pub fn start(ep: &Endpoint, mode: Mode, hub: Arc<Hub>) -> Result<Option<Receiver<()>>, String> {
    let (ctx, crx) = channel::<()>();
    match ep {
        Endpoint::Stdio => {
            std::thread::Builder::new()
                .name("monitor-stdio".into())
                .spawn(move || {
                    use std::io::IsTerminal;
                    let echo = !std::io::stdin().is_terminal();
                    serve(
                        mode,
                        Box::new(std::io::stdin()),
                        Box::new(std::io::stdout()),
                        &hub,
                        echo,
                    )
                })
                .map_err(|e| e.to_string())?;
            Ok(None)
        }
        Endpoint::Unix { path, wait } => {
            let _ = std::fs::remove_file(path);
            let l = UnixListener::bind(path).map_err(|e| {
                format!(
                    "Failed to bind socket to {path}: {}",
                    crate::migration::transport::io_error_text(&e)
                )
            })?;
            let wait = *wait;
            std::thread::Builder::new()
                .name("monitor-unix".into())
                .spawn(move || {
                    for s in l.incoming().flatten() {
                        let _ = ctx.send(());
                        let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                        match s.try_clone() {
                            Ok(w) => serve(mode, Box::new(s), Box::new(UnixWriter(w)), &hub, true),
                            Err(_) => continue,
                        }
                    }
                })
                .map_err(|e| e.to_string())?;
            Ok(wait.then_some(crx))
        }
        Endpoint::Tcp { host, port, wait } => {
            let h = if host.is_empty() {
                "0.0.0.0"
            } else {
                host.as_str()
            };
            let p: u16 = port.parse().unwrap_or(0);
            let l = TcpListener::bind((h, p)).map_err(|e| {
                format!(
                    "Failed to bind socket to {host}:{port}: {}",
                    crate::migration::transport::io_error_text(&e)
                )
            })?;
            let wait = *wait;
            std::thread::Builder::new()
                .name("monitor-tcp".into())
                .spawn(move || {
                    for s in l.incoming().flatten() {
                        let _ = ctx.send(());
                        let _ = s.set_nodelay(true);
                        let _ = s.set_write_timeout(Some(Duration::from_secs(5)));
                        match s.try_clone() {
                            Ok(w) => serve(mode, Box::new(s), Box::new(w), &hub, true),
                            Err(_) => continue,
                        }
                    }
                })
                .map_err(|e| e.to_string())?;
            Ok(wait.then_some(crx))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            parse("unix:/tmp/x,server=on,wait=off", "qmp"),
            Ok(Endpoint::Unix {
                path: "/tmp/x".into(),
                wait: false
            })
        );
        assert_eq!(
            parse("tcp:127.0.0.1:4444,server,nowait", "qmp"),
            Ok(Endpoint::Tcp {
                host: "127.0.0.1".into(),
                port: "4444".into(),
                wait: false
            })
        );
        assert!(parse("unix:/tmp/x", "qmp").is_err());
        assert!(parse("pty", "qmp").is_err());
    }
}
