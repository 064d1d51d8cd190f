//! The destination side: `-incoming URI` / `migrate-incoming` start a loader
//! thread that waits for the source, reads and checks the whole stream, and hands
//! the loaded state to the CPU thread, which rebuilds the process, confirms to
//! the source and starts running. Any problem is reported back to the source
//! (sockets) and ends the destination with status 1.

use super::fd_state;
use super::load::{self, Limits, Loaded};
use super::stream_format::SEC_HEADER;
use super::transport::{self, Sock, Uri};
use super::{MigEvent, MigStatus, Notify};
use crate::linux::{hostsig, MmState, Parts, Process};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// State of the incoming side.
pub struct Incoming {
    pub status: MigStatus,
    pub socket_address: Option<serde_json::Value>,
    pub uri: String,
}

/// Starts listening and spawns the loader thread; Err is the reason it can't.
pub fn start(uri: &str, lim: Limits, notify: Notify) -> Result<Incoming, String> {
    let u = transport::parse(uri, false)?;
    let (src, addr) = transport::listen(&u)?;
    let show_addr = matches!(u, Uri::Tcp { .. } | Uri::Unix(_));
    std::thread::Builder::new()
        .name("migration-in".into())
        .spawn(move || loader_thread(src, lim, notify))
        .map_err(|e| format!("cannot start the loader: {e}"))?;
    Ok(Incoming {
        status: MigStatus::Setup,
        socket_address: show_addr.then_some(addr),
        uri: uri.to_string(),
    })
}

fn loader_thread(src: transport::InSource, lim: Limits, notify: Notify) {
    let mut ch = match src.accept() {
        Ok(c) => c,
        Err(e) => {
            notify(MigEvent::InFailed(e));
            return;
        }
    };
    notify(MigEvent::InActive);
    let back = ch.back.as_ref().and_then(|b| b.try_clone().ok());
    let res = load::load_stream(&mut ch.reader, &lim, |id| {
        if id == SEC_HEADER {
            // the header was accepted (errors return before this point)
        }
    });
    match res {
        Ok(l) => {
            if let Some(mut c) = ch.child.take() {
                // the command must have finished cleanly too
                let _ = std::io::copy(&mut ch.reader, &mut std::io::sink());
                match c.wait() {
                    Ok(st) if !st.success() => {
                        notify(MigEvent::InFailed(format!(
                            "migration command failed: {st}"
                        )));
                        return;
                    }
                    _ => {}
                }
            }
            notify(MigEvent::InLoaded(Box::new(l), ch.back.take()));
        }
        Err(e) => {
            if let Some(mut b) = back {
                reject(&mut b, &e, &mut ch.reader);
            }
            if let Some(mut c) = ch.child.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
            notify(MigEvent::InFailed(e));
        }
    }
}

/// Tells the source why the stream was refused, then drains its data until it
/// hangs up (so it reads the reason rather than a reset connection).
pub fn reject(s: &mut Sock, reason: &str, rest: &mut dyn Read) {
    let line = format!("ERR {}\n", reason.replace('\n', " "));
    let _ = s.write_all(line.as_bytes());
    s.shutdown(Shutdown::Write);
    s.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut buf = vec![0u8; 1 << 16];
    while Instant::now() < deadline {
        match rest.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
}

/// Confirms a successful load to the source.
pub fn acknowledge(s: &mut Sock) {
    let _ = s.write_all(b"OK\n");
    s.shutdown(Shutdown::Write);
}

/// Rebuilds a runnable process from a loaded state (CPU thread): reopens the
/// descriptors, assembles the process from its parts and installs the host
/// side of the guest's signal handlers.
pub fn build_process(l: Loaded, strace: bool) -> Result<Process, String> {
    use std::os::unix::ffi::OsStrExt;
    let fds = fd_state::restore(&l.fds)?;
    let info = l.proc;
    let p = Process::from_parts(Parts {
        cpu: l.cpu,
        mem: l.mem,
        fds,
        sig: l.sig,
        mm: MmState {
            brk_start: info.brk_start,
            brk: info.brk,
        },
        exe_path: info.exe_path,
        comm: info.comm,
        ld_prefix: info
            .ld_prefix
            .map(|b| PathBuf::from(std::ffi::OsStr::from_bytes(&b))),
        stack_size: info.stack_size,
        clear_child_tid: info.clear_child_tid,
        suspend_restore: info.suspend_restore,
        rng: info.rng,
        blocked: info.blocked,
        strace,
    });
    for (i, a) in p.sig.actions.iter().enumerate() {
        if a.handler != 0 {
            hostsig::mirror(i as i32 + 1, a.handler);
        }
    }
    Ok(p)
}
