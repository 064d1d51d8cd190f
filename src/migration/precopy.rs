//! Outgoing live migration (precopy). The CPU thread copies pages into chunks
//! between guest time slices and hands them to a writer thread through a small
//! bounded queue; the writer owns the channel, applies `max-bandwidth`, and
//! reads the destination's verdict. Pages written meanwhile are found through
//! dirty logging and sent again in later passes until what is left fits in
//! `downtime-limit`; then the guest stops for the final copy of the dirty pages
//! and the CPU, signal, descriptor and process state.

use super::fd_state;
use super::load::Header;
use super::state_save::{self, ProcInfo};
use super::stream_format::*;
use super::transport::{self, OutChannel, Sock, Uri};
use super::wire::Enc;
use super::{MigEvent, MigStatus, Notify};
use crate::linux::Process;
use crate::mem::{PAGE_SHIFT, PAGE_SIZE};
use crate::monitor::events::EventBus;
use crate::monitor::runstate::{self, RunState};
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Pages per PAGES section (1 MiB of data at most).
const PAGES_PER_CHUNK: usize = 256;
/// Chunks queued between the CPU thread and the writer (up to 32 MiB: the
/// writer keeps streaming from this queue while the CPU thread runs a guest
/// slice, which may be a wait of up to `monitor::vm::WAIT_SLICE` in a system
/// call).
const QUEUE: usize = 32;

/// What the CPU thread hands to the writer.
pub enum Chunk {
    Data(Vec<u8>),
    /// the final phase is not rate limited
    Unlimited,
    /// everything is queued: flush, then wait for the destination's verdict
    Finish,
}

/// The destination's answer on the return path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reply {
    Ok,
    Rejected(String),
    Closed,
}

/// State shared between the CPU thread and the writer thread.
pub struct Shared {
    pub written: AtomicU64,
    pub cancel: AtomicBool,
    pub max_bw: AtomicU64,
    sock: Mutex<Option<Sock>>,
    child: Mutex<Option<u32>>,
    reply: Mutex<Option<Reply>>,
    reply_cv: Condvar,
}

impl Shared {
    fn new(max_bw: u64) -> Arc<Shared> {
        Arc::new(Shared {
            written: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            max_bw: AtomicU64::new(max_bw),
            sock: Mutex::new(None),
            child: Mutex::new(None),
            reply: Mutex::new(None),
            reply_cv: Condvar::new(),
        })
    }

    fn set_reply(&self, r: Reply) {
        if let Ok(mut g) = self.reply.lock() {
            if g.is_none() {
                *g = Some(r);
            }
        }
        self.reply_cv.notify_all();
    }

    /// Waits up to `d` for the destination's verdict.
    fn wait_reply(&self, d: Option<Duration>) -> Option<Reply> {
        let deadline = d.map(|d| Instant::now() + d);
        let mut g = self.reply.lock().ok()?;
        loop {
            if let Some(r) = g.clone() {
                return Some(r);
            }
            match deadline {
                Some(t) => {
                    let now = Instant::now();
                    if now >= t {
                        return None;
                    }
                    g = self.reply_cv.wait_timeout(g, t - now).ok()?.0;
                }
                None => g = self.reply_cv.wait(g).ok()?,
            }
        }
    }

    fn rejection(&self) -> Option<String> {
        match self.reply.lock().ok()?.clone() {
            Some(Reply::Rejected(r)) => Some(r),
            _ => None,
        }
    }

    /// Unblocks the writer (cancel): shuts the socket, stops the command.
    pub fn abort(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        if let Ok(g) = self.sock.lock() {
            if let Some(s) = g.as_ref() {
                s.shutdown(Shutdown::Both);
            }
        }
        if let Ok(g) = self.child.lock() {
            if let Some(pid) = *g {
                // SAFETY: sending SIGTERM to our own child process by its pid.
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGTERM);
                }
            }
        }
        self.reply_cv.notify_all();
    }
}

fn rejected_text(r: &str) -> String {
    format!("Destination rejected the migration stream: {r}")
}

/// Keeps the writer under `max-bandwidth` bytes per second (0: unlimited).
struct Limiter {
    start: Instant,
    bytes: u64,
    bw: u64,
    off: bool,
}

impl Limiter {
    fn wait(&mut self, n: usize, sh: &Shared) {
        if self.off {
            return;
        }
        let bw = sh.max_bw.load(Ordering::Relaxed);
        if bw != self.bw || self.start.elapsed() > Duration::from_secs(2) {
            self.bw = bw;
            self.start = Instant::now();
            self.bytes = 0;
        }
        if bw == 0 {
            return;
        }
        self.bytes += n as u64;
        let ideal = Duration::from_secs_f64(self.bytes as f64 / bw as f64);
        loop {
            let el = self.start.elapsed();
            if el >= ideal || sh.cancel.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep((ideal - el).min(Duration::from_millis(20)));
        }
    }
}

/// Blocks SIGPIPE in the calling thread (a closed pipe or socket becomes EPIPE).
fn block_sigpipe() {
    // SAFETY: manipulating this thread's signal mask with a fully initialised set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

fn return_path(mut s: Sock, sh: Arc<Shared>) {
    let mut line = Vec::new();
    let mut b = [0u8; 256];
    loop {
        match s.read(&mut b) {
            Ok(0) | Err(_) => {
                sh.set_reply(Reply::Closed);
                return;
            }
            Ok(n) => {
                line.extend_from_slice(&b[..n]);
                if let Some(i) = line.iter().position(|&c| c == b'\n') {
                    let text = String::from_utf8_lossy(&line[..i]).into_owned();
                    let r = if text == "OK" {
                        Reply::Ok
                    } else {
                        Reply::Rejected(text.strip_prefix("ERR ").unwrap_or(&text).to_string())
                    };
                    sh.set_reply(r);
                    return;
                }
                if line.len() > 65536 {
                    sh.set_reply(Reply::Rejected("garbled reply from the destination".into()));
                    return;
                }
            }
        }
    }
}

fn writer_thread(id: u64, uri: Uri, rx: Receiver<Chunk>, sh: Arc<Shared>, notify: Notify) {
    block_sigpipe();
    let cancelled = |sh: &Shared| sh.cancel.load(Ordering::SeqCst);
    let mut ch = match transport::connect(&uri) {
        Ok(c) => c,
        Err(e) => {
            notify(if cancelled(&sh) {
                MigEvent::Cancelled(id)
            } else {
                MigEvent::Failed(id, e)
            });
            return;
        }
    };
    match &ch {
        OutChannel::Socket(s) => {
            if let (Ok(a), Ok(b)) = (s.try_clone(), s.try_clone()) {
                if let Ok(mut g) = sh.sock.lock() {
                    *g = Some(a);
                }
                let sh2 = sh.clone();
                std::thread::spawn(move || return_path(b, sh2));
            }
        }
        OutChannel::Exec(c, _, _) => {
            if let Ok(mut g) = sh.child.lock() {
                *g = Some(c.id());
            }
        }
        OutChannel::File(..) => {}
    }
    if cancelled(&sh) {
        notify(MigEvent::Cancelled(id));
        return;
    }
    notify(MigEvent::Connected(id));
    let fail = |e: String, ch: &OutChannel| {
        if cancelled(&sh) {
            return MigEvent::Cancelled(id);
        }
        // a destination that refused the stream says why before it hangs up
        if matches!(ch, OutChannel::Socket(_)) {
            if let Some(Reply::Rejected(r)) = sh.wait_reply(Some(Duration::from_secs(2))) {
                return MigEvent::Failed(id, rejected_text(&r));
            }
        }
        MigEvent::Failed(id, e)
    };
    let mut lim = Limiter {
        start: Instant::now(),
        bytes: 0,
        bw: u64::MAX,
        off: false,
    };
    loop {
        let c = match rx.recv() {
            Ok(c) => c,
            Err(_) => {
                stop_child(&mut ch);
                notify(MigEvent::Cancelled(id));
                return;
            }
        };
        match c {
            Chunk::Data(buf) => {
                if let Some(r) = sh.rejection() {
                    notify(MigEvent::Failed(id, rejected_text(&r)));
                    return;
                }
                for piece in buf.chunks(64 << 10) {
                    lim.wait(piece.len(), &sh);
                    if cancelled(&sh) {
                        stop_child(&mut ch);
                        notify(MigEvent::Cancelled(id));
                        return;
                    }
                    if let Err(e) = ch.writer().write_all(piece) {
                        let msg = format!(
                            "Unable to write to {}: {}",
                            ch.what(),
                            transport::io_error_text(&e)
                        );
                        let ev = fail(msg, &ch);
                        stop_child(&mut ch);
                        notify(ev);
                        return;
                    }
                    sh.written.fetch_add(piece.len() as u64, Ordering::Relaxed);
                }
            }
            Chunk::Unlimited => lim.off = true,
            Chunk::Finish => {
                let ev = finish(id, ch, &sh);
                notify(ev);
                return;
            }
        }
    }
}

fn stop_child(ch: &mut OutChannel) {
    if let OutChannel::Exec(c, _, _) = ch {
        let _ = c.kill();
        let _ = c.wait();
    }
}

/// Flushes and waits for the outcome: the destination's acknowledgement
/// (sockets), the command's exit status (exec) or the data reaching the file.
fn finish(id: u64, ch: OutChannel, sh: &Shared) -> MigEvent {
    match ch {
        OutChannel::Socket(mut s) => {
            let _ = s.flush();
            // end of stream: a destination still waiting for bytes sees EOF
            s.shutdown(Shutdown::Write);
            match sh.wait_reply(None) {
                _ if sh.cancel.load(Ordering::SeqCst) => MigEvent::Cancelled(id),
                Some(Reply::Ok) => MigEvent::Done(id),
                Some(Reply::Rejected(r)) => MigEvent::Failed(id, rejected_text(&r)),
                _ => MigEvent::Failed(
                    id,
                    "The destination closed the connection before it confirmed the migration"
                        .into(),
                ),
            }
        }
        OutChannel::Exec(mut child, stdin, cmd) => {
            drop(stdin);
            match child.wait() {
                _ if sh.cancel.load(Ordering::SeqCst) => MigEvent::Cancelled(id),
                Ok(st) if st.success() => MigEvent::Done(id),
                Ok(st) => MigEvent::Failed(id, format!("Migration command '{cmd}' failed: {st}")),
                Err(e) => MigEvent::Failed(
                    id,
                    format!(
                        "Migration command '{cmd}' failed: {}",
                        transport::io_error_text(&e)
                    ),
                ),
            }
        }
        OutChannel::File(f, path) => match f.sync_data() {
            Ok(()) => MigEvent::Done(id),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => MigEvent::Done(id),
            Err(e) => MigEvent::Failed(
                id,
                format!(
                    "Unable to write to file '{path}': {}",
                    transport::io_error_text(&e)
                ),
            ),
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    Iterating,
    /// guest stopped; the final data is being queued
    Final,
    /// everything queued; waiting for the writer's outcome
    Flushing,
    Ended,
}

/// Parameters a migration starts with.
#[derive(Debug, Clone, Copy)]
pub struct StartParams {
    pub max_bandwidth: u64,
    pub downtime_limit: u64,
    pub version: u32,
}

/// One outgoing migration, driven by the CPU thread.
pub struct Outgoing {
    pub id: u64,
    pub status: MigStatus,
    pub error: Option<String>,
    pub shared: Arc<Shared>,
    phase: Phase,
    tx: Option<SyncSender<Chunk>>,
    sw: StreamWriter,
    /// queued chunk that did not fit into the queue yet
    held: Option<Chunk>,
    /// chunks to send before anything else (header, pass, layout)
    front: Vec<Chunk>,
    started: Instant,
    active_at: Option<Instant>,
    setup_ms: u64,
    total_ms: Option<u64>,
    stop_at: Option<Instant>,
    downtime_ms: Option<u64>,
    was_running: bool,
    params: StartParams,
    pass: u32,
    todo: Vec<u64>,
    pos: usize,
    final_state: Vec<(u8, Vec<u8>)>,
    queued_bytes: u64,
    pass_start: Instant,
    pass_start_written: u64,
    bandwidth: f64,
    expected_downtime_ms: u64,
    total_bytes: u64,
    normal: u64,
    duplicate: u64,
    syncs: u64,
    remaining_pages: u64,
    downtime_bytes: u64,
}

impl Outgoing {
    /// Starts the writer thread (it connects) and returns the job in `setup`.
    pub fn start(
        id: u64,
        uri: Uri,
        params: StartParams,
        was_running: bool,
        notify: Notify,
    ) -> Outgoing {
        let mut o = Outgoing::new(id, params, was_running);
        let (tx, rx) = sync_channel::<Chunk>(QUEUE);
        let sh = o.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("migration".into())
            .spawn(move || writer_thread(id, uri, rx, sh, notify));
        if spawned.is_ok() {
            o.tx = Some(tx);
        }
        o
    }

    /// A job in `setup` with no writer (yet).
    pub fn new(id: u64, params: StartParams, was_running: bool) -> Outgoing {
        Outgoing {
            id,
            status: MigStatus::Setup,
            error: None,
            shared: Shared::new(params.max_bandwidth),
            phase: Phase::Connecting,
            tx: None,
            sw: StreamWriter::new(),
            held: None,
            front: Vec::new(),
            started: Instant::now(),
            active_at: None,
            setup_ms: 0,
            total_ms: None,
            stop_at: None,
            downtime_ms: None,
            was_running,
            params,
            pass: 0,
            todo: Vec::new(),
            pos: 0,
            final_state: Vec::new(),
            queued_bytes: 0,
            pass_start: Instant::now(),
            pass_start_written: 0,
            bandwidth: 0.0,
            expected_downtime_ms: 0,
            total_bytes: 0,
            normal: 0,
            duplicate: 0,
            syncs: 0,
            remaining_pages: 0,
            downtime_bytes: 0,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }

    /// True while the CPU thread has data to queue.
    pub fn wants_cpu(&self) -> bool {
        matches!(self.phase, Phase::Iterating | Phase::Final)
    }

    fn section(&mut self, id: u8, payload: &[u8]) -> Chunk {
        let mut out = Vec::with_capacity(payload.len() + 9);
        self.sw.section(id, payload, &mut out);
        self.queued_bytes += out.len() as u64;
        Chunk::Data(out)
    }

    /// The writer connected: the header and pass 1 are queued.
    pub fn on_connected(&mut self, p: &mut Process, events: bool, bus: &EventBus) {
        if self.phase != Phase::Connecting || self.status != MigStatus::Setup {
            return;
        }
        let mut start = Vec::new();
        self.sw.start(self.params.version, &mut start);
        self.queued_bytes += start.len() as u64;
        self.front.push(Chunk::Data(start));
        let h = Header {
            iset: p.cpu.iset,
            tags: p.cpu.tags_on,
            page_size: PAGE_SIZE as u32,
            model: format!("elbrus-v{}", p.cpu.iset),
            producer: format!("e2kemu {}", env!("CARGO_PKG_VERSION")),
        };
        let c = self.section(SEC_HEADER, &h.encode());
        self.front.push(c);
        self.setup_ms = self.started.elapsed().as_millis() as u64;
        self.active_at = Some(Instant::now());
        // pass 1: every mapped page; dirty logging starts now
        let _ = p.mem.take_dirty();
        let all: Vec<u64> = p
            .mem
            .regions()
            .flat_map(|r| (r.start >> PAGE_SHIFT)..(r.end() >> PAGE_SHIFT))
            .collect();
        self.begin_pass(p, all, events, bus);
        self.phase = Phase::Iterating;
        self.status = MigStatus::Active;
        super::emit_status(bus, events, MigStatus::Active);
    }

    fn begin_pass(&mut self, p: &mut Process, pages: Vec<u64>, events: bool, bus: &EventBus) {
        self.pass += 1;
        self.syncs += 1;
        if events {
            bus.emit("MIGRATION_PASS", Some(json!({"pass": self.syncs})));
        }
        let c = self.section(SEC_PASS, &self.pass.to_le_bytes());
        self.front.push(c);
        let layout = state_save::layout_of(&p.mem);
        self.total_bytes = layout.iter().map(|r| r.npages * PAGE_SIZE).sum();
        let c = self.section(SEC_LAYOUT, &state_save::encode_layout(&layout));
        self.front.push(c);
        self.todo = pages;
        self.pos = 0;
        self.remaining_pages = self.todo.len() as u64;
        self.pass_start = Instant::now();
        self.pass_start_written = self.shared.written.load(Ordering::Relaxed);
    }

    /// Builds the next page chunk of the current pass (None when the pass is done).
    fn next_pages(&mut self, p: &Process) -> Option<Chunk> {
        if self.pos >= self.todo.len() {
            return None;
        }
        let end = (self.pos + PAGES_PER_CHUNK).min(self.todo.len());
        let vpns = &self.todo[self.pos..end];
        let mut e = Enc::new();
        let pages = vpns
            .iter()
            .filter_map(|&v| p.mem.page_bytes(v).map(|(b, _)| (v, b)));
        let (n, z) = state_save::encode_pages(pages, &mut e);
        self.normal += n;
        self.duplicate += z;
        self.pos = end;
        self.remaining_pages = (self.todo.len() - self.pos) as u64;
        Some(self.section(SEC_PAGES, &e.buf))
    }

    /// Queues as much as fits; returns false when nothing could be queued.
    fn push(&mut self, c: Chunk) -> bool {
        let Some(tx) = &self.tx else {
            return false;
        };
        match tx.try_send(c) {
            Ok(()) => true,
            Err(TrySendError::Full(c)) => {
                self.held = Some(c);
                false
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }

    fn flush_front(&mut self) -> bool {
        if let Some(c) = self.held.take() {
            if !self.push(c) {
                return false;
            }
        }
        while !self.front.is_empty() {
            let c = self.front.remove(0);
            if !self.push(c) {
                return false;
            }
        }
        true
    }

    /// Work between guest slices: queue pages, end passes, start the final phase.
    pub fn poll(&mut self, p: &mut Process, state: &mut RunState, events: bool, bus: &EventBus) {
        match self.phase {
            Phase::Iterating => {
                for _ in 0..QUEUE * 2 {
                    if !self.flush_front() {
                        return;
                    }
                    match self.next_pages(p) {
                        Some(c) => {
                            if !self.push(c) {
                                return;
                            }
                        }
                        None => break,
                    }
                }
                if self.pos < self.todo.len() || self.held.is_some() || !self.front.is_empty() {
                    return;
                }
                // the pass is queued; end it once the writer has caught up
                let written = self.shared.written.load(Ordering::Relaxed);
                if written < self.queued_bytes {
                    return;
                }
                let ms = self.pass_start.elapsed().as_secs_f64() * 1000.0;
                let sent = (written - self.pass_start_written) as f64;
                if ms > 0.5 && sent > 0.0 {
                    self.bandwidth = sent / ms;
                } else if self.bandwidth == 0.0 {
                    let bw = self.shared.max_bw.load(Ordering::Relaxed);
                    self.bandwidth = if bw == 0 { 1e9 } else { bw as f64 / 1000.0 };
                }
                let dirty = p.mem.take_dirty();
                let pending = dirty.len() as u64 * PAGE_SIZE;
                self.expected_downtime_ms = (pending as f64 / self.bandwidth.max(1.0)) as u64;
                let threshold = self.bandwidth * self.params.downtime_limit as f64;
                if (pending as f64) <= threshold {
                    self.todo = dirty;
                    self.enter_final(p, state, events, bus);
                } else {
                    self.begin_pass(p, dirty, events, bus);
                }
            }
            Phase::Final => {
                loop {
                    if !self.flush_front() {
                        return;
                    }
                    match self.next_pages(p) {
                        Some(c) => {
                            self.downtime_bytes += match &c {
                                Chunk::Data(d) => d.len() as u64,
                                _ => 0,
                            };
                            if !self.push(c) {
                                return;
                            }
                        }
                        None => break,
                    }
                }
                if self.final_state.is_empty() {
                    return;
                }
                for (id, payload) in std::mem::take(&mut self.final_state) {
                    let c = self.section(id, &payload);
                    self.front.push(c);
                }
                let mut end = Vec::new();
                self.sw.end(&mut end);
                self.queued_bytes += end.len() as u64;
                self.front.push(Chunk::Data(end));
                self.front.push(Chunk::Finish);
                self.phase = Phase::Flushing;
                self.flush_front();
            }
            Phase::Flushing => {
                self.flush_front();
            }
            Phase::Connecting | Phase::Ended => {}
        }
    }

    /// Stop-and-copy: stops the guest, takes the last dirty pages and the state.
    fn enter_final(&mut self, p: &mut Process, state: &mut RunState, events: bool, bus: &EventBus) {
        self.stop_at = Some(Instant::now());
        // like QEMU: what counts is whether the guest runs when it is stopped
        self.was_running = state.is_running();
        if !runstate::vm_stop(state, RunState::FinishMigrate, bus) {
            *state = RunState::FinishMigrate;
        }
        let mut dirty = std::mem::take(&mut self.todo);
        dirty.extend(p.mem.take_dirty());
        dirty.sort_unstable();
        dirty.dedup();
        p.mem.stop_dirty_log();
        self.pass += 1;
        self.syncs += 1;
        if events {
            bus.emit("MIGRATION_PASS", Some(json!({"pass": self.syncs})));
        }
        let fds = match fd_state::capture(&p.fds) {
            Ok(f) => f,
            Err(e) => {
                self.fail(e, state, events, bus);
                return;
            }
        };
        let c = self.section(SEC_PASS, &self.pass.to_le_bytes());
        self.front.push(c);
        let layout = state_save::layout_of(&p.mem);
        self.total_bytes = layout.iter().map(|r| r.npages * PAGE_SIZE).sum();
        let c = self.section(SEC_LAYOUT, &state_save::encode_layout(&layout));
        self.front.push(c);
        self.front.insert(0, Chunk::Unlimited);
        self.todo = dirty;
        self.pos = 0;
        self.remaining_pages = self.todo.len() as u64;
        let info = ProcInfo::of(p, self.was_running);
        self.final_state = vec![
            (SEC_CPU, super::cpu_state::encode_cpu(&p.cpu)),
            (SEC_SIGNALS, state_save::encode_signals(&p.sig)),
            (SEC_FDS, fd_state::encode(&fds)),
            (SEC_PROCESS, state_save::encode_proc(&info)),
        ];
        self.phase = Phase::Final;
    }

    /// The writer finished successfully.
    pub fn on_done(&mut self, state: &mut RunState, events: bool, bus: &EventBus) {
        if self.phase != Phase::Flushing {
            return;
        }
        self.phase = Phase::Ended;
        self.tx = None;
        self.downtime_ms = self.stop_at.map(|t| t.elapsed().as_millis() as u64);
        self.total_ms = Some(self.started.elapsed().as_millis() as u64);
        self.remaining_pages = 0;
        *state = RunState::PostMigrate;
        self.status = MigStatus::Completed;
        super::emit_status(bus, events, MigStatus::Completed);
    }

    /// Records a failure (the first error is kept) and resumes the guest.
    pub fn fail(&mut self, err: String, state: &mut RunState, events: bool, bus: &EventBus) {
        if !self.status.is_active() {
            return;
        }
        if self.status == MigStatus::Cancelling {
            self.on_cancelled(state, events, bus);
            return;
        }
        if self.error.is_none() {
            self.error = Some(err);
        }
        self.shared.abort();
        self.end_job(state, bus);
        self.status = MigStatus::Failed;
        super::emit_status(bus, events, MigStatus::Failed);
    }

    fn end_job(&mut self, state: &mut RunState, bus: &EventBus) {
        self.phase = Phase::Ended;
        self.tx = None;
        self.held = None;
        self.front.clear();
        self.total_ms = Some(self.started.elapsed().as_millis() as u64);
        if *state == RunState::FinishMigrate {
            if self.was_running {
                runstate::vm_start(state, bus);
            } else {
                *state = RunState::PostMigrate;
            }
        }
    }

    /// `migrate_cancel`.
    pub fn cancel(&mut self, events: bool, bus: &EventBus) {
        if !matches!(self.status, MigStatus::Setup | MigStatus::Active) {
            return;
        }
        self.status = MigStatus::Cancelling;
        super::emit_status(bus, events, MigStatus::Cancelling);
        self.shared.abort();
        self.tx = None;
        self.held = None;
        self.front.clear();
    }

    /// The writer stopped after a cancel.
    pub fn on_cancelled(&mut self, state: &mut RunState, events: bool, bus: &EventBus) {
        if !self.status.is_active() {
            return;
        }
        self.end_job(state, bus);
        self.status = MigStatus::Cancelled;
        super::emit_status(bus, events, MigStatus::Cancelled);
    }

    /// Stops dirty logging once the job ended (the CPU thread calls this).
    pub fn cleanup(&self, p: &mut Process) {
        if !self.status.is_active() {
            p.mem.stop_dirty_log();
        }
    }

    /// `query-migrate` members for this job.
    pub fn info(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("status".into(), json!(self.status.name()));
        match self.status {
            MigStatus::Setup | MigStatus::None => {}
            MigStatus::Active | MigStatus::Cancelling | MigStatus::Completed => {
                let total = self
                    .total_ms
                    .unwrap_or_else(|| self.started.elapsed().as_millis() as u64);
                m.insert("setup-time".into(), json!(self.setup_ms));
                m.insert("total-time".into(), json!(total));
                if self.status == MigStatus::Completed {
                    m.insert("downtime".into(), json!(self.downtime_ms.unwrap_or(0)));
                } else {
                    m.insert(
                        "expected-downtime".into(),
                        json!(if self.syncs > 1 {
                            self.expected_downtime_ms
                        } else {
                            self.params.downtime_limit
                        }),
                    );
                }
                m.insert("ram".into(), self.ram_info());
            }
            MigStatus::Failed => {
                if let Some(e) = &self.error {
                    m.insert("error-desc".into(), json!(e));
                }
            }
            MigStatus::Cancelled => {}
        }
        m
    }

    fn ram_info(&self) -> Value {
        let written = self.shared.written.load(Ordering::Relaxed);
        let secs = self
            .active_at
            .map(|t| {
                let end = match (self.total_ms, self.status) {
                    (Some(_), MigStatus::Completed) => self
                        .stop_at
                        .map(|s| s + Duration::from_millis(self.downtime_ms.unwrap_or(0)))
                        .unwrap_or_else(Instant::now),
                    _ => Instant::now(),
                };
                end.saturating_duration_since(t).as_secs_f64()
            })
            .unwrap_or(0.0);
        let mbps = if secs > 0.0 {
            written as f64 * 8.0 / 1e6 / secs
        } else {
            0.0
        };
        let pps = if secs > 0.0 {
            ((self.normal + self.duplicate) as f64 / secs) as u64
        } else {
            0
        };
        json!({
            "transferred": written,
            "remaining": self.remaining_pages * PAGE_SIZE,
            "total": self.total_bytes,
            "duplicate": self.duplicate,
            "skipped": 0,
            "normal": self.normal,
            "normal-bytes": self.normal * PAGE_SIZE,
            "dirty-pages-rate": 0,
            "mbps": (mbps * 1000.0).round() / 1000.0,
            "dirty-sync-count": self.syncs,
            "postcopy-requests": 0,
            "page-size": PAGE_SIZE,
            "multifd-bytes": 0,
            "pages-per-second": pps,
            "precopy-bytes": written.saturating_sub(self.downtime_bytes),
            "downtime-bytes": self.downtime_bytes,
            "postcopy-bytes": 0,
            "dirty-sync-missed-zero-copy": 0,
        })
    }
}
