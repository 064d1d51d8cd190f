//! Shared helpers for the monitor and migration tests (included with `#[path]`):
//! starting `e2kemu` processes that are killed when dropped, a small blocking
//! QMP client over unix sockets, temporary paths, free loopback ports and the
//! reference output of the counter guest. Every wait is bounded.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The emulator under test (E2KEMU_BIN overrides, e.g. for a locally wired build).
pub fn bin() -> PathBuf {
    std::env::var_os("E2KEMU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_e2kemu")))
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const COUNTER: &str = "tests/guests/counter.s";

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A fresh path in a per-test-process temporary directory.
pub fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("e2kemu-mig-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&d);
    d.join(format!("{}-{name}", SEQ.fetch_add(1, Ordering::SeqCst)))
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A running e2kemu; killed on drop. Its stdout and stderr go to files.
pub struct Emu {
    pub child: Child,
    pub out: PathBuf,
    pub err: PathBuf,
    pub qmp: PathBuf,
}

impl Emu {
    /// Starts e2kemu with a QMP unix socket, then `args` (stdin is /dev/null).
    pub fn start(args: &[&str]) -> Emu {
        Emu::start_opts(args, false)
    }

    /// Like `start`, with stdin a pipe the test writes with `feed`.
    pub fn start_piped(args: &[&str]) -> Emu {
        Emu::start_opts(args, true)
    }

    fn start_opts(args: &[&str], piped: bool) -> Emu {
        let qmp = tmp("qmp.sock");
        let out = tmp("stdout");
        let err = tmp("stderr");
        let spec = format!("unix:{},server=on,wait=off", qmp.display());
        let mut cmd = Command::new(bin());
        cmd.current_dir(root())
            .arg("-qmp")
            .arg(&spec)
            .args(args)
            .stdin(if piped { Stdio::piped() } else { Stdio::null() })
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        let child = cmd.spawn().expect("start e2kemu");
        Emu {
            child,
            out,
            err,
            qmp,
        }
    }

    /// Starts a destination and waits until it listens (its monitor answers
    /// only after the incoming socket is bound).
    pub fn destination(args: &[&str]) -> Emu {
        let e = Emu::start(args);
        drop(e.connect());
        e
    }

    pub fn connect(&self) -> Qmp {
        Qmp::connect(&self.qmp)
    }

    /// Writes to the guest's stdin (`start_piped` only).
    pub fn feed(&mut self, data: &[u8]) {
        let w = self.child.stdin.as_mut().expect("stdin is a pipe");
        w.write_all(data).unwrap();
        w.flush().unwrap();
    }

    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits for the process to end (panics after `secs`).
    pub fn wait(&mut self, secs: u64) -> ExitStatus {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!(
                    "e2kemu did not exit within {secs} s; stderr: {}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until stdout has at least `lines` lines.
    pub fn wait_lines(&self, lines: usize, secs: u64) {
        let end = Instant::now() + Duration::from_secs(secs);
        while self.stdout().lines().count() < lines {
            assert!(
                Instant::now() < end,
                "guest printed only {:?}",
                self.stdout()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A blocking QMP client: replies are returned, events are collected.
pub struct Qmp {
    pub sock: UnixStream,
    reader: BufReader<UnixStream>,
    pub greeting: Value,
    pub events: Vec<Value>,
    pub raw_lines: Vec<String>,
}

impl Qmp {
    /// Connects (retrying while the server starts) and reads the greeting.
    pub fn connect_raw(path: &Path) -> Qmp {
        let end = Instant::now() + Duration::from_secs(10);
        let sock = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) => {
                    assert!(Instant::now() < end, "cannot connect to {path:?}: {e}");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        };
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut q = Qmp {
            reader: BufReader::new(sock.try_clone().unwrap()),
            sock,
            greeting: Value::Null,
            events: Vec::new(),
            raw_lines: Vec::new(),
        };
        q.greeting = q.read_msg();
        q
    }

    /// Connects and negotiates capabilities.
    pub fn connect(path: &Path) -> Qmp {
        let mut q = Qmp::connect_raw(path);
        let r = q.cmd("qmp_capabilities", json!({}));
        assert_eq!(r, json!({"return": {}}));
        q
    }

    /// Reads one line; asserts QEMU framing (compact JSON ending in CRLF).
    pub fn read_msg(&mut self) -> Value {
        let mut line = String::new();
        let n = self.reader.read_line(&mut line).expect("QMP read");
        assert!(n > 0, "QMP connection closed");
        assert!(line.ends_with("\r\n"), "not CRLF-terminated: {line:?}");
        self.raw_lines.push(line.clone());
        serde_json::from_str(line.trim_end()).expect("reply is JSON")
    }

    pub fn send_raw(&mut self, b: &[u8]) {
        self.sock.write_all(b).unwrap();
    }

    /// Next non-event message.
    pub fn reply(&mut self) -> Value {
        loop {
            let v = self.read_msg();
            if v.get("event").is_some() {
                self.events.push(v);
                continue;
            }
            return v;
        }
    }

    /// Executes a command and returns the whole reply object.
    pub fn cmd(&mut self, name: &str, args: Value) -> Value {
        let msg = json!({"execute": name, "arguments": args});
        self.send_raw(msg.to_string().as_bytes());
        self.reply()
    }

    /// Executes a command that must succeed; returns its `return` value.
    pub fn ok(&mut self, name: &str, args: Value) -> Value {
        let r = self.cmd(name, args);
        match r.get("return") {
            Some(v) => v.clone(),
            None => panic!("{name} failed: {r}"),
        }
    }

    /// Executes a command that must fail; returns (class, desc).
    pub fn err(&mut self, name: &str, args: Value) -> (String, String) {
        let r = self.cmd(name, args);
        let e = r
            .get("error")
            .unwrap_or_else(|| panic!("{name} succeeded: {r}"));
        (
            e["class"].as_str().unwrap().to_string(),
            e["desc"].as_str().unwrap().to_string(),
        )
    }

    pub fn hmp(&mut self, line: &str) -> String {
        self.ok("human-monitor-command", json!({"command-line": line}))
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn status(&mut self) -> String {
        self.ok("query-status", json!({}))["status"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits for an event (already received ones count); returns its data.
    pub fn wait_event(&mut self, name: &str, pred: impl Fn(&Value) -> bool, secs: u64) -> Value {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(i) = self
                .events
                .iter()
                .position(|e| e["event"] == name && pred(&e["data"]))
            {
                let e = self.events.remove(i);
                return e["data"].clone();
            }
            assert!(
                Instant::now() < end,
                "no {name} event; got {:?}",
                self.events
            );
            self.sock
                .set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut line = String::new();
            let r = self.reader.read_line(&mut line);
            self.sock
                .set_read_timeout(Some(Duration::from_secs(20)))
                .unwrap();
            if let Ok(n) = r {
                if n > 0 {
                    let v: Value = serde_json::from_str(line.trim_end()).unwrap();
                    self.events.push(v);
                }
            }
        }
    }

    /// Polls query-migrate until the status is not setup/active/cancelling.
    pub fn wait_migration(&mut self, secs: u64) -> Value {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.ok("query-migrate", json!({}));
            let st = r["status"].as_str().unwrap_or("none");
            if !matches!(st, "setup" | "active" | "cancelling") {
                return r;
            }
            assert!(Instant::now() < end, "migration still {st}: {r}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Polls query-migrate until `pred` holds.
    pub fn wait_migrate_info(&mut self, pred: impl Fn(&Value) -> bool, secs: u64) -> Value {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let r = self.ok("query-migrate", json!({}));
            if pred(&r) {
                return r;
            }
            assert!(Instant::now() < end, "condition not reached: {r}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Enables the `events` migration capability.
    pub fn enable_events(&mut self) {
        self.ok(
            "migrate-set-capabilities",
            json!({"capabilities": [{"capability": "events", "state": true}]}),
        );
    }
}

/// stdout and exit status of a plain run (no monitor) of `args` with `input`
/// on stdin.
pub fn plain_run(args: &[&str], input: &[u8]) -> (String, ExitStatus) {
    let mut child = Command::new(bin())
        .current_dir(root())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run e2kemu");
    let mut w = child.stdin.take().unwrap();
    w.write_all(input).unwrap();
    drop(w);
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status,
    )
}

/// Waits until `pred` holds for the emulator's stdout (panics after `secs`).
pub fn wait_output(e: &Emu, pred: impl Fn(&str) -> bool, secs: u64) -> String {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let s = e.stdout();
        if pred(&s) {
            return s;
        }
        assert!(Instant::now() < end, "guest printed only {s:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Output of an unmigrated run of the counter guest.
pub fn counter_reference() -> &'static str {
    static REF: OnceLock<String> = OnceLock::new();
    REF.get_or_init(|| {
        let out = Command::new(bin())
            .current_dir(root())
            .arg(COUNTER)
            .stdin(Stdio::null())
            .output()
            .expect("run counter");
        assert!(out.status.success(), "counter failed: {out:?}");
        let s = String::from_utf8(out.stdout).unwrap();
        assert!(s.contains("checksum "), "{s}");
        s
    })
}

/// A loopback TCP proxy between a source and a destination: flips one bit of
/// the source's byte at offset `flip` (if any), or closes both sides after
/// `cut` bytes (if any). Replies flow back untouched.
pub fn proxy(listen_port: u16, dest_port: u16, flip: Option<u64>, cut: Option<u64>) {
    let l = std::net::TcpListener::bind(("127.0.0.1", listen_port)).unwrap();
    std::thread::spawn(move || {
        let Ok((src, _)) = l.accept() else { return };
        let Ok(dst) = std::net::TcpStream::connect(("127.0.0.1", dest_port)) else {
            return;
        };
        let (mut s_in, mut d_out) = (src.try_clone().unwrap(), dst.try_clone().unwrap());
        let (mut d_in, mut s_out) = (dst, src);
        let back = std::thread::spawn(move || {
            let _ = std::io::copy(&mut d_in, &mut s_out);
            let _ = s_out.shutdown(std::net::Shutdown::Write);
        });
        let mut off = 0u64;
        let mut buf = vec![0u8; 65536];
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut dest_gone = false;
        while Instant::now() < deadline {
            let n = match s_in.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &mut buf[..n];
            if let Some(c) = cut {
                if off + n as u64 >= c {
                    let keep = (c - off) as usize;
                    let _ = d_out.write_all(&chunk[..keep]);
                    let _ = d_out.shutdown(std::net::Shutdown::Both);
                    let _ = s_in.shutdown(std::net::Shutdown::Both);
                    return;
                }
            }
            if let Some(f) = flip {
                if f >= off && f < off + n as u64 {
                    chunk[(f - off) as usize] ^= 0x10;
                }
            }
            if !dest_gone && d_out.write_all(chunk).is_err() {
                dest_gone = true;
            }
            off += n as u64;
        }
        let _ = d_out.shutdown(std::net::Shutdown::Write);
        let _ = back.join();
    });
}
