//! Monitor options on the e2kemu command line (`-qmp`, `-monitor`, `-S`,
//! `-incoming`): taken out of the option list before the CLI parses the rest.
//! Options come before PROGRAM; everything from PROGRAM on belongs to the guest.

use super::chardev::{self, Endpoint};
use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

/// Help text for the monitor options (for the CLI's usage).
pub const USAGE: &str = "\
Monitor and migration options (QEMU-compatible):
-qmp unix:PATH,server=on[,wait=off]   QMP monitor on a unix socket (repeatable)
-qmp tcp:HOST:PORT,server=on[,wait=off]  QMP monitor on a TCP socket
-qmp stdio                            QMP monitor on stdin/stdout
-monitor ENDPOINT                     human monitor (HMP), same endpoint forms
-S                                    do not start the guest before 'cont'
-incoming URI | -incoming defer       receive a migrated process instead of
                                      running PROGRAM (tcp:HOST:PORT, unix:PATH,
                                      exec:COMMAND, file:PATH)
";

/// The monitor-related part of the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonitorArgs {
    /// `-qmp` endpoints
    pub qmp: Vec<Endpoint>,
    /// `-monitor` endpoints (HMP)
    pub hmp: Vec<Endpoint>,
    /// `-S`: do not start the guest until `cont`
    pub start_paused: bool,
    /// `-incoming URI` or `-incoming defer`
    pub incoming: Option<String>,
}

impl MonitorArgs {
    /// Removes the monitor options (and their values) from `args`.
    pub fn extract(args: &mut Vec<OsString>) -> Result<MonitorArgs, String> {
        let mut m = MonitorArgs::default();
        let mut i = 0;
        while i < args.len() {
            let b = args[i].as_bytes().to_vec();
            if b == b"--" || b.len() < 2 || b[0] != b'-' {
                break;
            }
            let body = if b.starts_with(b"--") {
                &b[2..]
            } else {
                &b[1..]
            };
            let (name, inline) = match body.iter().position(|&c| c == b'=') {
                Some(p) => (
                    String::from_utf8_lossy(&body[..p]).into_owned(),
                    Some(String::from_utf8_lossy(&body[p + 1..]).into_owned()),
                ),
                None => (String::from_utf8_lossy(body).into_owned(), None),
            };
            match name.as_str() {
                "qmp" | "monitor" | "incoming" => {
                    let value = match inline {
                        Some(v) => {
                            args.remove(i);
                            v
                        }
                        None => {
                            if i + 1 >= args.len() {
                                return Err(format!("option '-{name}' needs an argument"));
                            }
                            let v = args.remove(i + 1);
                            args.remove(i);
                            v.to_str()
                                .ok_or_else(|| format!("-{name}: argument is not valid UTF-8"))?
                                .to_string()
                        }
                    };
                    match name.as_str() {
                        "qmp" => m.qmp.push(chardev::parse(&value, &name)?),
                        "monitor" => m.hmp.push(chardev::parse(&value, &name)?),
                        _ => {
                            if value.is_empty() {
                                return Err("-incoming: a URI or 'defer' is needed".into());
                            }
                            m.incoming = Some(value)
                        }
                    }
                }
                "S" => {
                    args.remove(i);
                    m.start_paused = true;
                }
                n if crate::cli::WITH_VALUE.contains(&n) && inline.is_none() => i += 2,
                _ => i += 1,
            }
        }
        Ok(m)
    }

    /// True when any monitor option was given (the emulator then runs under
    /// `monitor::run_process` / `monitor::run_incoming`).
    pub fn is_active(&self) -> bool {
        !self.qmp.is_empty() || !self.hmp.is_empty() || self.start_paused || self.incoming.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn extracts_only_monitor_options() {
        let mut a = v(&[
            "-cpu",
            "e8c2",
            "-qmp",
            "unix:/tmp/q.sock,server=on,wait=off",
            "-S",
            "--monitor=stdio",
            "-strace",
            "prog",
            "-qmp",
            "x",
        ]);
        let m = MonitorArgs::extract(&mut a).unwrap();
        assert_eq!(a, v(&["-cpu", "e8c2", "-strace", "prog", "-qmp", "x"]));
        assert!(m.start_paused);
        assert_eq!(m.qmp.len(), 1);
        assert_eq!(m.hmp, vec![Endpoint::Stdio]);
        // a value of another option is not PROGRAM
        let mut a = v(&["-d", "-qmp", "-incoming", "defer"]);
        let m = MonitorArgs::extract(&mut a).unwrap();
        assert_eq!(m.incoming.as_deref(), Some("defer"));
        assert_eq!(a, v(&["-d", "-qmp"]));
        assert!(MonitorArgs::extract(&mut v(&["-qmp"])).is_err());
        assert!(MonitorArgs::extract(&mut v(&["-qmp", "unix:/x"])).is_err());
    }
}
