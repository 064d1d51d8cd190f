//! The CPU thread under a monitor: runs the guest in short slices, and between
//! slices executes monitor commands, advances migrations and reacts to their
//! threads' events. When the guest is stopped it sleeps on the request channel.

use super::args::MonitorArgs;
use super::chardev::{self, Mode};
use super::commands::{Command, QmpError, QmpResult};
use super::hub::{Hub, Msg, Reply};
use super::regs;
use super::runstate::{self, RunState};
use crate::linux::{Process, Termination};
use crate::mem::{PAGE_SHIFT, PAGE_SIZE};
use crate::migration::load::Limits;
use crate::migration::{self, incoming, MigEvent, MigStatus, Migration, Notify};
use serde_json::{json, Value};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Bundles per guest slice: adapted so that a slice takes about a millisecond
/// of wall time (a slice that ended in a waiting system call took up to
/// `WAIT_SLICE`, and the next ones start small again).
const SLICE_MAX: u64 = 1 << 16;
const SLICE_MIN: u64 = 64;
/// Longest wait of a guest system call (a blocking read, a sleep, pause, ...)
/// before the CPU thread serves monitor requests and migrations again; the
/// call then continues where it was.
pub const WAIT_SLICE: Duration = Duration::from_millis(10);

/// Options of a destination (`-incoming`).
#[derive(Debug, Clone, Default)]
pub struct IncomingOptions {
    /// ISA version forced with `-cpu` (the stream must match it)
    pub expect_iset: Option<u8>,
    /// `-strace` for the migrated process
    pub strace: bool,
    /// execution tier of the migrated process
    pub tier: crate::cli::TierOptions,
}

struct Vm {
    proc: Option<Process>,
    state: RunState,
    hub: Arc<Hub>,
    rx: Receiver<Msg>,
    mig: Migration,
    notify: Notify,
    /// start the guest when an incoming migration completes
    autostart: bool,
    /// `-incoming defer` was given and `migrate-incoming` has not run yet
    defer_pending: bool,
    defer_given: bool,
    limits: Limits,
    strace: bool,
    tier: crate::cli::TierOptions,
    exit: Option<Termination>,
    slice: u64,
}

/// Starts the monitors of `args`; waits for the first client of `wait=on` ones.
fn start_monitors(args: &MonitorArgs, hub: &Arc<Hub>) -> Result<(), String> {
    let mut waits = Vec::new();
    for ep in &args.qmp {
        if let Some(w) = chardev::start(ep, Mode::Qmp, hub.clone())? {
            waits.push(w);
        }
    }
    for ep in &args.hmp {
        if let Some(w) = chardev::start(ep, Mode::Hmp, hub.clone())? {
            waits.push(w);
        }
    }
    for w in waits {
        let _ = w.recv();
    }
    Ok(())
}

fn new_vm(
    hub: Arc<Hub>,
    rx: Receiver<Msg>,
    args: &MonitorArgs,
    proc: Option<Process>,
    state: RunState,
) -> Vm {
    let tx = hub.sender();
    let tx = std::sync::Mutex::new(tx);
    let notify: Notify = Arc::new(move |e| {
        if let Ok(t) = tx.lock() {
            let _ = t.send(Msg::Mig(e));
        }
    });
    Vm {
        proc,
        state,
        hub,
        rx,
        mig: Migration::new(),
        notify,
        autostart: !args.start_paused,
        defer_pending: false,
        defer_given: false,
        limits: Limits::default(),
        strace: false,
        tier: Default::default(),
        exit: None,
        slice: SLICE_MIN,
    }
}

/// Runs `proc` under the monitors of `args` (`-qmp`, `-monitor`, `-S`) until the
/// guest ends or a client quits; gives the process back (for `--stats`).
pub fn run_process(mut proc: Process, args: &MonitorArgs) -> (Termination, Process) {
    proc.wait_slice = Some(WAIT_SLICE);
    let state = if args.start_paused {
        RunState::Prelaunch
    } else {
        RunState::Running
    };
    let (hub, rx) = Hub::new();
    let mut vm = new_vm(hub, rx, args, Some(proc), state);
    if let Err(e) = start_monitors(args, &vm.hub) {
        eprintln!("e2kemu: {e}");
        return (Termination::Exited(1), vm.take_proc());
    }
    let t = vm.main_loop();
    (t, vm.take_proc())
}

/// A destination: waits for an incoming migration (`-incoming URI` or
/// `-incoming defer` + `migrate-incoming`), then runs the migrated process.
/// A failed load prints the reason and ends with status 1.
pub fn run_incoming(args: &MonitorArgs, opts: &IncomingOptions) -> Termination {
    let Some(uri) = args.incoming.clone() else {
        eprintln!("e2kemu: -incoming is needed");
        return Termination::Exited(1);
    };
    let (hub, rx) = Hub::new();
    let mut vm = new_vm(hub, rx, args, None, RunState::InMigrate);
    vm.limits.expect_iset = opts.expect_iset;
    vm.strace = opts.strace;
    vm.tier = opts.tier.clone();
    vm.defer_given = uri == "defer";
    // listen first: once a monitor answers, the destination is ready
    if vm.defer_given {
        vm.defer_pending = true;
    } else if let Err(e) = vm.start_incoming(&uri) {
        eprintln!("e2kemu: {e}");
        return Termination::Exited(1);
    }
    if let Err(e) = start_monitors(args, &vm.hub) {
        eprintln!("e2kemu: {e}");
        return Termination::Exited(1);
    }
    vm.main_loop()
}

impl Vm {
    fn bus(&self) -> &super::events::EventBus {
        &self.hub.bus
    }

    fn take_proc(&mut self) -> Process {
        match self.proc.take() {
            Some(p) => p,
            None => unreachable!("run_process always has a process"),
        }
    }

    fn main_loop(&mut self) -> Termination {
        let t = self.run_loop();
        self.finish_requests();
        t
    }

    /// Before the process exits: answers what sessions still ask and lets them
    /// write their replies (bounded).
    fn finish_requests(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            while let Ok(m) = self.rx.try_recv() {
                self.handle(m);
            }
            if self.hub.idle() {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn run_loop(&mut self) -> Termination {
        loop {
            let busy = self.state.is_running() || self.mig.wants_cpu();
            let first = if busy {
                self.rx.try_recv().ok()
            } else {
                let t = if self.mig.in_progress() {
                    Duration::from_millis(2)
                } else {
                    Duration::from_millis(200)
                };
                match self.rx.recv_timeout(t) {
                    Ok(m) => Some(m),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => None,
                }
            };
            if let Some(m) = first {
                self.handle(m);
                while let Ok(m) = self.rx.try_recv() {
                    self.handle(m);
                    if self.exit.is_some() {
                        break;
                    }
                }
            }
            if let Some(t) = self.exit.take() {
                return t;
            }
            if let Some(p) = self.proc.as_mut() {
                self.mig.poll(p, &mut self.state, &self.hub.bus);
            }
            if self.state.is_running() {
                if let Some(p) = self.proc.as_mut() {
                    let t0 = Instant::now();
                    if let Some(t) = p.run_for(self.slice) {
                        return self.guest_ended(t);
                    }
                    let el = t0.elapsed();
                    if el > Duration::from_millis(4) {
                        self.slice = SLICE_MIN;
                    } else if el < Duration::from_micros(500) {
                        self.slice = (self.slice * 2).min(SLICE_MAX);
                    }
                }
            }
        }
    }

    fn guest_ended(&mut self, t: Termination) -> Termination {
        self.mig.guest_ended(&mut self.state, &self.hub.bus);
        self.state = RunState::Shutdown;
        self.hub.bus.emit(
            "SHUTDOWN",
            Some(json!({"guest": true, "reason": "guest-shutdown"})),
        );
        t
    }

    fn handle(&mut self, m: Msg) {
        match m {
            Msg::Cmd(Command::Quit, reply) => {
                let (wtx, wrx) = sync_channel(1);
                let _ = reply.send(Reply {
                    result: Ok(json!({})),
                    written: Some(wtx),
                });
                let _ = wrx.recv_timeout(Duration::from_secs(2));
                self.mig.cancel(&self.hub.bus);
                self.hub.bus.emit(
                    "SHUTDOWN",
                    Some(json!({"guest": false, "reason": "host-qmp-quit"})),
                );
                self.exit = Some(Termination::Exited(0));
            }
            Msg::Cmd(cmd, reply) => {
                let result = self.exec(cmd);
                let _ = reply.send(Reply {
                    result,
                    written: None,
                });
            }
            Msg::Mig(ev) => self.on_migration_event(ev),
        }
    }

    fn need_proc(&self) -> Result<&Process, QmpError> {
        self.proc.as_ref().ok_or_else(|| {
            QmpError::generic("No guest process yet (waiting for an incoming migration)")
        })
    }

    fn exec(&mut self, cmd: Command) -> QmpResult {
        let bus = self.hub.bus.clone();
        match cmd {
            Command::QueryStatus => Ok(json!({
                "running": self.state.is_running(),
                "singlestep": false,
                "status": self.state.name(),
            })),
            Command::Stop => {
                if self.state == RunState::InMigrate {
                    self.autostart = false;
                } else {
                    runstate::vm_stop(&mut self.state, RunState::Paused, &bus);
                }
                Ok(json!({}))
            }
            Command::Cont => {
                if self.state.needs_reset() {
                    return Err(QmpError::generic(
                        "Resetting the Virtual Machine is required",
                    ));
                }
                match self.state {
                    RunState::InMigrate => self.autostart = true,
                    RunState::FinishMigrate => {
                        return Err(QmpError::generic("Migration is not finalized yet"))
                    }
                    _ => {
                        if self.proc.is_some() {
                            runstate::vm_start(&mut self.state, &bus);
                        }
                    }
                }
                Ok(json!({}))
            }
            Command::Quit => Ok(json!({})),
            Command::QueryRegisters => Ok(regs::registers_json(self.need_proc()?)),
            Command::QueryCpusFast => Ok(regs::cpus_fast(self.need_proc()?)),
            Command::RegistersText => Ok(Value::String(regs::registers_text(self.need_proc()?))),
            Command::MemMap => Ok(Value::String(regs::mem_text(self.need_proc()?))),
            Command::ReadMem(a) => {
                let p = self.need_proc()?;
                if a.size > 1 << 16 {
                    return Err(QmpError::generic("Parameter 'size' expects at most 65536"));
                }
                let mut out = Vec::with_capacity(a.size as usize);
                let mut addr = a.addr;
                let end = a.addr.saturating_add(a.size);
                while addr < end {
                    let Some((page, _)) = p.mem.page_bytes(addr >> PAGE_SHIFT) else {
                        return Err(QmpError::generic("Cannot access memory"));
                    };
                    let off = (addr & (PAGE_SIZE - 1)) as usize;
                    let n = ((PAGE_SIZE as usize - off) as u64).min(end - addr) as usize;
                    out.extend(page[off..off + n].iter().map(|b| json!(b)));
                    addr += n as u64;
                }
                Ok(Value::Array(out))
            }
            Command::Migrate(a) => {
                let n = self.notify.clone();
                self.mig
                    .migrate(&a.uri, self.proc.as_mut(), &mut self.state, &bus, n)?;
                Ok(json!({}))
            }
            Command::MigrateCancel => {
                self.mig.cancel(&bus);
                Ok(json!({}))
            }
            Command::MigrateIncoming(u) => {
                if !self.defer_given {
                    return Err(QmpError::generic(
                        "'-incoming' was not specified on the command line",
                    ));
                }
                if !self.defer_pending {
                    return Err(QmpError::generic(
                        "The incoming migration has already been started",
                    ));
                }
                self.start_incoming(&u.uri).map_err(QmpError::generic)?;
                self.defer_pending = false;
                Ok(json!({}))
            }
            Command::QueryMigrate => Ok(self.mig.query(self.proc.as_ref())),
            Command::SetCapabilities(a) => {
                self.mig.set_capabilities(&a)?;
                Ok(json!({}))
            }
            Command::QueryCapabilities => Ok(self.mig.query_capabilities()),
            Command::SetParameters(a) => {
                self.mig.set_parameters(&a)?;
                Ok(json!({}))
            }
            Command::QueryParameters => Ok(self.mig.query_parameters()),
        }
    }

    fn start_incoming(&mut self, uri: &str) -> Result<(), String> {
        let inc = incoming::start(uri, self.limits.clone(), self.notify.clone())?;
        // the destination always announces setup
        self.hub
            .bus
            .emit("MIGRATION", Some(json!({"status": "setup"})));
        self.mig.inc = Some(inc);
        Ok(())
    }

    fn on_migration_event(&mut self, ev: MigEvent) {
        let events = self.mig.events();
        match ev {
            MigEvent::InActive => {
                if let Some(i) = &mut self.mig.inc {
                    i.status = MigStatus::Active;
                }
                migration::emit_status(self.bus(), events, MigStatus::Active);
            }
            MigEvent::InLoaded(l, back) => {
                let running = l.proc.running;
                match incoming::build_process(*l, self.strace) {
                    Ok(mut p) => {
                        p.wait_slice = Some(WAIT_SLICE);
                        if let Err(e) = p.apply_tier(&self.tier) {
                            eprintln!("e2kemu: {e}");
                        }
                        if let Some(mut b) = back {
                            incoming::acknowledge(&mut b);
                        }
                        self.proc = Some(p);
                        if let Some(i) = &mut self.mig.inc {
                            i.status = MigStatus::Completed;
                        }
                        self.state = RunState::Paused;
                        if running && self.autostart {
                            let bus = self.hub.bus.clone();
                            runstate::vm_start(&mut self.state, &bus);
                        }
                        migration::emit_status(self.bus(), events, MigStatus::Completed);
                    }
                    Err(e) => {
                        if let Some(mut b) = back {
                            incoming::reject(&mut b, &e, &mut std::io::empty());
                        }
                        self.load_failed(e);
                    }
                }
            }
            MigEvent::InFailed(e) => self.load_failed(e),
            other => {
                let bus = self.hub.bus.clone();
                self.mig
                    .on_event(&other, self.proc.as_mut(), &mut self.state, &bus);
            }
        }
    }

    fn load_failed(&mut self, e: String) {
        eprintln!("e2kemu: load of migration failed: {e}");
        if let Some(i) = &mut self.mig.inc {
            i.status = MigStatus::Failed;
        }
        migration::emit_status(self.bus(), self.mig.events(), MigStatus::Failed);
        self.exit = Some(Termination::Exited(1));
    }
}
