//! Linux user-mode emulation (like `qemu-e2k` linux-user): a `Process` owns the CPU,
//! guest memory, the interpreter, the descriptor table and the signal state; its
//! `run` loop executes bundles and services system calls, faults and signals.

pub mod blocking;
pub mod errno;
pub mod fdtable;
pub mod fs;
pub mod host;
pub mod hostsig;
pub mod hwstacks;
pub mod loader;
pub mod mm;
pub mod nr;
pub mod sigframe;
pub mod signal;
pub mod strace;
pub mod syscall;

use crate::cpu::{tcache::Interp, Cpu, Step};
use crate::mem::GuestMem;
use blocking::{Blocked, Wait};
use fdtable::FdTable;
use loader::{LoadError, LoadParams};
use signal::SignalState;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Result of a system call handler: value or positive errno.
pub type SysResult = Result<i64, i32>;

/// How the guest process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Termination {
    /// exit/exit_group with this status (low 8 bits)
    Exited(i32),
    /// killed by a signal (default action); `core` for core-dumping signals
    Signaled { sig: i32, core: bool },
}

/// Everything needed to start a process.
#[derive(Debug, Clone)]
pub struct Config {
    /// ISA version forced by `-cpu` (None: from the ELF e_flags)
    pub iset: Option<u8>,
    /// ISA version for generic (e_flags machine 0) executables without `-cpu`
    pub default_iset: u8,
    /// tag tracking (`-cpu ...,tags=on|off`)
    pub tags: bool,
    pub argv: Vec<Vec<u8>>,
    pub envp: Vec<Vec<u8>>,
    /// host path of the program (for /proc/self/exe and AT_EXECFN)
    pub exe_path: PathBuf,
    /// `-L`: prefix for the interpreter and absolute guest paths
    pub ld_prefix: Option<PathBuf>,
    pub stack_size: u64,
    pub strace: bool,
    /// deterministic AT_RANDOM/getrandom (`-seed`)
    pub seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            iset: None,
            default_iset: 5,
            tags: true,
            argv: vec![b"a.out".to_vec()],
            envp: Vec::new(),
            exe_path: PathBuf::from("a.out"),
            ld_prefix: None,
            stack_size: 8 << 20,
            strace: false,
            seed: None,
        }
    }
}

/// Program break and mmap bookkeeping.
#[derive(Debug, Clone, Copy, Default)]
pub struct MmState {
    pub brk_start: u64,
    pub brk: u64,
}

/// A small deterministic generator for `-seed` (splitmix64).
#[derive(Debug, Clone, Copy)]
pub struct Rng(u64);
impl Rng {
    /// The generator continuing from `state` (see `state`).
    pub fn from_state(state: u64) -> Rng {
        Rng(state)
    }
    /// Its whole state (it moves with a migration).
    pub fn state(&self) -> u64 {
        self.0
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for c in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            c.copy_from_slice(&v[..c.len()]);
        }
    }
}

/// One emulated Linux process (single thread).
pub struct Process {
    pub cpu: Cpu,
    pub mem: GuestMem,
    pub interp: Interp,
    pub fds: FdTable,
    pub sig: SignalState,
    pub mm: MmState,
    pub pid: i32,
    pub strace: bool,
    pub(crate) exe_path: Vec<u8>,
    pub(crate) ld_prefix: Option<PathBuf>,
    pub(crate) stack_size: u64,
    pub(crate) rng: Option<Rng>,
    pub(crate) clear_child_tid: u64,
    pub(crate) started: Instant,
    /// the ISA version came from `-cpu` although the ELF asked for a newer one
    pub iset_warning: Option<String>,
    /// `-strace` text of the call in progress
    pub(crate) pending_trace: Option<String>,
    /// PR_SET_NAME
    pub(crate) comm: Vec<u8>,
    /// mask to restore after rt_sigsuspend
    pub(crate) suspend_restore: Option<u64>,
    /// a system call that waits across run-loop slices (see `blocking.rs`)
    pub blocked: Option<Blocked>,
    /// None: a waiting system call waits as long as it needs (plain runs);
    /// Some(d): it gives the run loop back after `d` (under a monitor)
    pub wait_slice: Option<Duration>,
    /// resume state of the call being made again
    pub(crate) resume: Option<Wait>,
    /// set by a handler that stopped waiting for this slice
    pub(crate) blocking: Option<Wait>,
    /// when the current call's slice ends
    pub(crate) slice_end: Option<Instant>,
}

/// The state a process is made of: what `Process::from_parts` builds a process
/// from without loading a program (a migration destination).
pub struct Parts {
    pub cpu: Cpu,
    pub mem: GuestMem,
    pub fds: FdTable,
    pub sig: SignalState,
    pub mm: MmState,
    /// host path of the program (/proc/self/exe)
    pub exe_path: Vec<u8>,
    /// PR_SET_NAME
    pub comm: Vec<u8>,
    pub ld_prefix: Option<PathBuf>,
    pub stack_size: u64,
    pub clear_child_tid: u64,
    pub suspend_restore: Option<u64>,
    /// state of the `-seed` generator
    pub rng: Option<u64>,
    pub blocked: Option<Blocked>,
    pub strace: bool,
}

impl Process {
    /// Loads `image` (an e2k ELF executable; `name` is used in messages).
    pub fn new(image: &[u8], name: &str, cfg: &Config) -> Result<Process, LoadError> {
        use std::os::unix::ffi::OsStrExt;
        let mut mem = GuestMem::new();
        let mut rng = cfg.seed.map(Rng);
        let mut random = [0u8; 16];
        match &mut rng {
            Some(r) => r.fill(&mut random),
            None => {
                let _ = host::getrandom(&mut random);
            }
        }
        let exe_abs = std::fs::canonicalize(&cfg.exe_path).unwrap_or_else(|_| cfg.exe_path.clone());
        let execfn = cfg.exe_path.as_os_str().as_bytes().to_vec();
        let params = LoadParams {
            name,
            image,
            argv: &cfg.argv,
            envp: &cfg.envp,
            execfn: &execfn,
            ld_prefix: cfg.ld_prefix.as_deref(),
            stack_size: cfg.stack_size,
            random,
        };
        let l = loader::load(&mut mem, &params)?;
        mem.smc_pages.clear(); // nothing has been decoded yet
        let mut iset_warning = None;
        let iset = match (cfg.iset, l.elf_iset) {
            (Some(c), Some(e)) if e > c => {
                iset_warning = Some(format!(
                    "{name} is built for elbrus-v{e}, running it on an elbrus-v{c} CPU"
                ));
                c
            }
            (Some(c), _) => c,
            (None, Some(e)) => e,
            (None, None) => cfg.default_iset,
        }
        .clamp(2, 7);
        let mut cpu = Cpu::new(iset);
        cpu.tags_on = cfg.tags;
        loader::init_cpu(&mut cpu, &l);
        let interp = Interp::new();
        Ok(Process {
            cpu,
            mem,
            interp,
            fds: FdTable::with_std(),
            sig: SignalState::default(),
            mm: MmState {
                brk_start: l.brk,
                brk: l.brk,
            },
            pid: host::getpid(),
            strace: cfg.strace,
            exe_path: exe_abs.as_os_str().as_bytes().to_vec(),
            ld_prefix: cfg.ld_prefix.clone(),
            stack_size: cfg.stack_size,
            rng,
            clear_child_tid: 0,
            started: Instant::now(),
            iset_warning,
            pending_trace: None,
            comm: cfg.argv.first().cloned().unwrap_or_default(),
            suspend_restore: None,
            blocked: None,
            wait_slice: None,
            resume: None,
            blocking: None,
            slice_end: None,
        })
    }

    /// A process from its parts, without loading anything: the CPU state,
    /// memory, descriptors and signal state are taken as they are; the decode
    /// cache starts empty. It runs in this host process (its pid).
    pub fn from_parts(p: Parts) -> Process {
        let mut mem = p.mem;
        mem.smc_pages.clear();
        Process {
            cpu: p.cpu,
            mem,
            interp: Interp::new(),
            fds: p.fds,
            sig: p.sig,
            mm: p.mm,
            pid: host::getpid(),
            strace: p.strace,
            exe_path: p.exe_path,
            ld_prefix: p.ld_prefix,
            stack_size: p.stack_size,
            rng: p.rng.map(Rng::from_state),
            clear_child_tid: p.clear_child_tid,
            started: Instant::now(),
            iset_warning: None,
            pending_trace: None,
            comm: p.comm,
            suspend_restore: p.suspend_restore,
            blocked: p.blocked,
            wait_slice: None,
            resume: None,
            blocking: None,
            slice_end: None,
        }
    }

    /// The `-seed` generator's state (None without `-seed`).
    pub fn rng_state(&self) -> Option<u64> {
        self.rng.map(|r| r.state())
    }

    /// Runs until the process ends.
    pub fn run(&mut self) -> Termination {
        loop {
            if let Some(t) = self.run_for(1 << 20) {
                return t;
            }
        }
    }

    /// Runs at most about `budget` bundles; Some when the process ended. A
    /// system call that waits longer than `wait_slice` ends the slice early
    /// (the next call continues it).
    pub fn run_for(&mut self, budget: u64) -> Option<Termination> {
        let log_cpu = log::log_enabled!(target: "e2kemu::cpu", log::Level::Info);
        self.interp.log_in_asm = log::log_enabled!(target: "e2kemu::in_asm", log::Level::Info);
        self.interp.log_exec = log::log_enabled!(target: "e2kemu::exec", log::Level::Info);
        if self.blocked.is_some() {
            // a waiting system call continues first
            if let Some(t) = self.resume_blocked() {
                return Some(t);
            }
            if self.blocked.is_some() {
                return None;
            }
            if let Some(t) = self.deliver_pending() {
                return Some(t);
            }
        }
        let mut left = budget;
        while left > 0 {
            let chunk = if log_cpu { 1 } else { left.min(65536) };
            if log_cpu {
                log::info!(target: "e2kemu::cpu", "{}", self.cpu_line());
            }
            let before = self.cpu.stats.bundles;
            let step = self.interp.run(&mut self.cpu, &mut self.mem, chunk);
            left = left.saturating_sub((self.cpu.stats.bundles - before).max(1));
            let t = match step {
                Step::Next => None,
                Step::Syscall { entry, wbs } => self.syscall(entry, wbs),
                Step::Fault(f) => {
                    if self.cpu.ip == signal::SIGRETURN_TRAMPOLINE {
                        if self.strace {
                            self.trace("rt_sigreturn(0) (return from the handler)");
                        }
                        self.sigreturn()
                    } else {
                        self.raise_fault(&f)
                    }
                }
            };
            if t.is_some() {
                return t;
            }
            if self.blocked.is_some() {
                // the slice went to a waiting system call
                return None;
            }
            if let Some(t) = self.deliver_pending() {
                return Some(t);
            }
        }
        None
    }

    /// Emits one `-strace` line (to the log when `-d strace`/`-D` set one up).
    pub(crate) fn trace(&self, line: &str) {
        if log::log_enabled!(target: "e2kemu::strace", log::Level::Info) {
            log::info!(target: "e2kemu::strace", "{} {line}", self.pid);
        } else {
            eprintln!("{} {line}", self.pid);
        }
    }

    /// One-line CPU state for `-d cpu`.
    fn cpu_line(&self) -> String {
        let c = &self.cpu;
        let mut s = format!(
            "ip={:#x} wbase={} wsz={} psz={} br={:#x} preds={:#x} usd={:#x}/{:#x} frames={}",
            c.ip,
            c.wbase,
            c.wsize,
            c.psize,
            c.br.to_raw(),
            c.preds,
            c.usd_base,
            c.usd_size,
            c.frames.len()
        );
        for i in 0..(c.wsize as usize).min(16) {
            if let Some(v) = c.rf.get(c.wbase + i) {
                s.push_str(&format!(" r{i}={:#x}", *v as u64));
            }
        }
        s
    }

    /// Applies `-tier`, `-jit-threshold` and `-jit-disable` to the interpreter.
    pub fn apply_tier(&mut self, t: &crate::cli::TierOptions) -> Result<(), String> {
        use crate::cli::Tier;
        #[cfg(feature = "jit")]
        {
            let mut cfg = crate::jit::JitConfig::default();
            if let Some(n) = t.jit_threshold {
                cfg.threshold = n;
            }
            if let Some(d) = &t.jit_disable {
                cfg.disabled = crate::jit::record::Disabled::parse(d)?;
            }
            if let Some(n) = t.jit_code_size {
                cfg.code_size = n;
            }
            self.interp.jit = match t.tier.unwrap_or(Tier::Jit) {
                Tier::Jit => Some(Box::new(crate::jit::JitState::new(cfg)?)),
                Tier::Interp => None,
            };
            Ok(())
        }
        #[cfg(not(feature = "jit"))]
        {
            if t.tier == Some(Tier::Jit) {
                return Err(
                    "this e2kemu was built without the JIT tier (build with --features jit)".into(),
                );
            }
            if t.jit_threshold.is_some() || t.jit_disable.is_some() || t.jit_code_size.is_some() {
                return Err(
                    "-jit-threshold, -jit-disable and -jit-code-size need the JIT tier (build with --features jit)"
                        .into(),
                );
            }
            Ok(())
        }
    }

    /// The `--stats` report.
    pub fn stats_report(&self) -> String {
        let st = &self.cpu.stats;
        let secs = self.started.elapsed().as_secs_f64();
        let mips = if secs > 0.0 {
            st.bundles as f64 / secs / 1e6
        } else {
            0.0
        };
        #[allow(unused_mut)]
        let mut s = format!(
            "e2kemu stats: bundles {} ops {} decoded {} guest MIPS {:.2} wall time {:.3} s \
             syscalls {} signals {} decode-cache invalidations {}",
            st.bundles, st.ops, st.decoded, mips, secs, st.syscalls, st.signals, st.invalidations
        );
        #[cfg(feature = "jit")]
        if let Some(j) = &self.interp.jit {
            s.push('\n');
            s.push_str(&j.report(st.bundles));
        }
        s
    }
}

/// Ends the emulator the way the guest ended (prints the qemu-style message for
/// core-dumping signals; the parent sees the same exit status or signal).
pub fn exit_like(t: Termination, stats: Option<String>) -> ! {
    if let Some(s) = stats {
        eprintln!("{s}");
    }
    match t {
        Termination::Exited(code) => std::process::exit(code & 0xff),
        Termination::Signaled { sig, core } => {
            if core {
                eprintln!(
                    "e2kemu: uncaught target signal {sig} ({}) - core dumped",
                    signal::description(sig)
                );
            }
            hostsig::die_by_signal(sig)
        }
    }
}
