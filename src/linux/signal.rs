//! Guest signals (§17): dispositions (e2k `struct sigaction`), masks, pending set,
//! the alternate stack, delivery of faults and `kill`-raised signals at bundle
//! boundaries, the signal frame on the user stack, and `rt_sigreturn`.
//!
//! The frame itself and `rt_sigreturn` are in `sigframe.rs`.

use super::errno::*;
use super::{hostsig, Process, SysResult, Termination};
use crate::cpu::fault::{sig as s, Fault};
use crate::cpu::state::Aau;
use crate::mem::FaultKind;

pub const NSIG: usize = 64;
pub const SIGKILL: i32 = 9;
pub const SIGSTOP: i32 = 19;
pub const SIG_DFL: u64 = 0;
pub const SIG_IGN: u64 = 1;

pub const SA_SIGINFO: u64 = 4;
pub const SA_ONSTACK: u64 = 0x0800_0000;
pub const SA_RESTART: u64 = 0x1000_0000;
pub const SA_NODEFER: u64 = 0x4000_0000;
pub const SA_RESETHAND: u64 = 0x8000_0000;

pub const SS_ONSTACK: i32 = 1;
pub const SS_DISABLE: i32 = 2;
pub const SS_AUTODISARM: i32 = 1 << 31;
pub const MINSIGSTKSZ: u64 = 4096;

/// si_code values for signals sent by processes.
pub const SI_USER: i32 = 0;
pub const SI_QUEUE: i32 = -1;
pub const SI_TKILL: i32 = -6;

/// The kernel's first real-time signal: from here on, signals queue.
pub const SIGRTMIN: i32 = 32;
/// Most signals queued at once (the kernel's RLIMIT_SIGPENDING, smaller).
pub const MAX_QUEUED: usize = 4096;

/// The handler returns to this address (unmapped kernel range); fetching it means
/// "perform rt_sigreturn" (§17.1 step 5).
pub const SIGRETURN_TRAMPOLINE: u64 = 0xe200_0000_0000 + 0x15800;

/// Bit of signal `sig` in a mask.
pub fn bit(sig: i32) -> u64 {
    1u64 << ((sig - 1) & 63)
}
pub(crate) const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));

/// An e2k `struct sigaction` (§17.1): handler, flags, restorer, mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigAction {
    pub handler: u64,
    pub flags: u64,
    pub restorer: u64,
    pub mask: u64,
}

/// What the handler finds in its `siginfo_t`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SigInfo {
    pub signo: i32,
    pub code: i32,
    /// si_errno
    pub errno: i32,
    /// fault address (si_addr) for fault signals
    pub addr: u64,
    /// exception number (si_trapno) for faults
    pub trapno: i32,
    /// sender for kill-type signals
    pub pid: i32,
    pub uid: u32,
    /// si_value (a `union sigval`) of queued signals
    pub value: u64,
    /// raised by an exception (cannot be blocked or ignored)
    pub sync: bool,
    /// IP of the faulting bundle (TIR)
    pub ip: u64,
}

/// Default action of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    Term,
    Core,
    Ignore,
    Stop,
    Cont,
}

pub fn default_action(sig: i32) -> DefaultAction {
    match sig {
        3..=8 | 11 | 24 | 25 | 31 => DefaultAction::Core,
        17 | 23 | 28 => DefaultAction::Ignore,
        18 => DefaultAction::Cont,
        19..=22 => DefaultAction::Stop,
        _ => DefaultAction::Term,
    }
}

/// Signal names for messages and `-strace`.
pub fn name(sig: i32) -> &'static str {
    const N: [&str; 32] = [
        "SIG0",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    N.get(sig as usize).copied().unwrap_or("SIGRT")
}

/// Description like strsignal(3).
pub fn description(sig: i32) -> &'static str {
    match sig {
        1 => "Hangup",
        2 => "Interrupt",
        3 => "Quit",
        4 => "Illegal instruction",
        5 => "Trace/breakpoint trap",
        6 => "Aborted",
        7 => "Bus error",
        8 => "Floating point exception",
        9 => "Killed",
        10 => "User defined signal 1",
        11 => "Segmentation fault",
        12 => "User defined signal 2",
        13 => "Broken pipe",
        14 => "Alarm clock",
        15 => "Terminated",
        24 => "CPU time limit exceeded",
        25 => "File size limit exceeded",
        31 => "Bad system call",
        _ => "Real-time or other signal",
    }
}

/// e2k exception number behind a fault (§14.1), reported as si_trapno.
pub fn trapno(f: &Fault) -> i32 {
    match f {
        Fault::IllegalOpcode(_) => 0,
        Fault::Privileged(_) => 1,
        Fault::IllegalOperand(_) => 15,
        Fault::WindowBounds => 9,
        Fault::Data(_) => 29,
        Fault::Fetch(m) if m.kind == FaultKind::Protection => 21,
        Fault::Fetch(_) => 20,
        Fault::Align(_) => 19,
        Fault::Div => 34,
        Fault::Fp(_) => 35,
        Fault::Trap => 26,
        Fault::StackOverflow => 11,
    }
}

/// The alternate signal stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AltStack {
    pub sp: u64,
    pub size: u64,
    pub flags: i32,
}

impl Default for AltStack {
    fn default() -> Self {
        AltStack {
            sp: 0,
            size: 0,
            flags: SS_DISABLE,
        }
    }
}

/// Host-side copy of the state `rt_sigreturn` restores that the frame does not hold.
#[derive(Debug, Clone)]
pub(crate) struct SigRecord {
    pub frame: u64,
    /// chain depth and window base right after the interrupted frame was pushed
    pub depth: usize,
    pub wbase: usize,
    pub siginfo: bool,
    pub usd_base: u64,
    pub usd_size: u64,
    pub g: [u128; 32],
    pub gtag: [u8; 32],
    pub lcnt: u64,
    pub lsr_hi: u32,
    pub ilcr: u64,
    pub ilcr1: u64,
    pub upsr: u32,
    pub bgr: u32,
    pub aau: Box<Aau>,
}

/// All signal state of the (single-threaded) process.
///
/// Pending signals follow the kernel's queue rules: every pending signal has
/// its `siginfo` in `queue` (oldest first); a standard signal that is already
/// pending is not queued again, real-time signals queue one entry per send.
#[derive(Debug, Clone)]
pub struct SignalState {
    pub actions: [SigAction; NSIG],
    pub blocked: u64,
    pending: u64,
    queue: Vec<SigInfo>,
    pub altstack: AltStack,
    pub(crate) records: Vec<SigRecord>,
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            actions: [SigAction::default(); NSIG],
            blocked: 0,
            pending: 0,
            queue: Vec::new(),
            altstack: AltStack::default(),
            records: Vec::new(),
        }
    }
}

impl SignalState {
    /// Makes a signal pending with its info. A standard signal that is already
    /// pending is dropped (the first one's info stays); a real-time signal is
    /// queued again. When the queue is full a signal sent by `kill` is still
    /// marked pending (its info is lost, as in the kernel) while other real-time
    /// sends fail: false (EAGAIN for `rt_sigqueueinfo`).
    pub fn raise(&mut self, info: SigInfo) -> bool {
        if !(1..=NSIG as i32).contains(&info.signo) {
            return false;
        }
        let b = bit(info.signo);
        if info.signo < SIGRTMIN && self.pending & b != 0 {
            return true;
        }
        if self.queue.len() >= MAX_QUEUED {
            if info.signo >= SIGRTMIN && info.code != SI_USER {
                return false;
            }
        } else {
            self.queue.push(info);
        }
        self.pending |= b;
        true
    }

    /// Pending signals (bit `sig-1`).
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// The queued siginfo of every pending signal, oldest first.
    pub fn queued(&self) -> &[SigInfo] {
        &self.queue
    }

    /// Takes the oldest pending instance of `sig`; the signal stays pending while
    /// more instances are queued. A signal pending without queued info (queue
    /// overflow) comes with zeroed SI_USER info, as from the kernel.
    pub fn take(&mut self, sig: i32) -> Option<SigInfo> {
        if !(1..=NSIG as i32).contains(&sig) || self.pending & bit(sig) == 0 {
            return None;
        }
        let info = match self.queue.iter().position(|i| i.signo == sig) {
            Some(k) => self.queue.remove(k),
            None => SigInfo {
                signo: sig,
                code: SI_USER,
                ..SigInfo::default()
            },
        };
        if !self.queue.iter().any(|i| i.signo == sig) {
            self.pending &= !bit(sig);
        }
        Some(info)
    }

    /// Drops every pending instance of `sig` (it became ignored).
    pub fn discard(&mut self, sig: i32) {
        self.queue.retain(|i| i.signo != sig);
        self.pending &= !bit(sig);
    }

    /// Sets the pending state saved by a migration source, checking that it is
    /// one this state could have reached (every queued info belongs to a pending
    /// signal, a standard signal is queued at most once, the queue fits).
    pub fn restore_pending(&mut self, pending: u64, queue: Vec<SigInfo>) -> Result<(), String> {
        if queue.len() > MAX_QUEUED {
            return Err(format!(
                "{} queued signals exceed the limit of {MAX_QUEUED}",
                queue.len()
            ));
        }
        let mut seen = 0u64;
        for i in &queue {
            if !(1..=NSIG as i32).contains(&i.signo) || pending & bit(i.signo) == 0 {
                return Err(format!("queued signal {} is not pending", i.signo));
            }
            if i.signo < SIGRTMIN && seen & bit(i.signo) != 0 {
                return Err(format!("standard signal {} is queued twice", i.signo));
            }
            seen |= bit(i.signo);
        }
        self.pending = pending;
        self.queue = queue;
        Ok(())
    }

    /// Lowest pending unblocked signal.
    pub fn next_deliverable(&self) -> Option<i32> {
        let ready = self.pending & !(self.blocked & !UNBLOCKABLE);
        (ready != 0).then(|| ready.trailing_zeros() as i32 + 1)
    }

    pub(crate) fn on_altstack(&self, sp: u64) -> bool {
        self.altstack.flags & SS_DISABLE == 0
            && sp > self.altstack.sp
            && sp <= self.altstack.sp.wrapping_add(self.altstack.size)
    }
}

pub(crate) fn fatal(sig: i32) -> Termination {
    Termination::Signaled {
        sig,
        core: default_action(sig) == DefaultAction::Core,
    }
}

impl Process {
    // ------------------------------------------------------------ syscalls

    /// rt_sigaction(sig, act, oact, sigsetsize)
    pub(crate) fn sys_rt_sigaction(
        &mut self,
        sig: i64,
        act: u64,
        oact: u64,
        size: u64,
    ) -> SysResult {
        if size != 8 {
            return Err(EINVAL);
        }
        if !(1..=NSIG as i64).contains(&sig) {
            return Err(EINVAL);
        }
        let sig = sig as i32;
        let new = if act != 0 {
            if sig == SIGKILL || sig == SIGSTOP {
                return Err(EINVAL);
            }
            let mut w = [0u64; 4];
            for (i, v) in w.iter_mut().enumerate() {
                *v = self.mem.read_u64(act + 8 * i as u64).map_err(|_| EFAULT)?;
            }
            Some(SigAction {
                handler: w[0],
                flags: w[1],
                restorer: w[2],
                mask: w[3] & !UNBLOCKABLE,
            })
        } else {
            None
        };
        let old = self.sig.actions[(sig - 1) as usize];
        if oact != 0 {
            let bytes: Vec<u8> = [old.handler, old.flags, old.restorer, old.mask]
                .iter()
                .flat_map(|w| w.to_le_bytes())
                .collect();
            self.mem.write(oact, &bytes).map_err(|_| EFAULT)?;
        }
        if let Some(a) = new {
            self.sig.actions[(sig - 1) as usize] = a;
            hostsig::mirror(sig, a.handler);
            if a.handler == SIG_IGN
                || (a.handler == SIG_DFL && default_action(sig) == DefaultAction::Ignore)
            {
                self.sig.discard(sig);
            }
        }
        Ok(0)
    }

    /// rt_sigprocmask(how, set, oset, sigsetsize)
    pub(crate) fn sys_rt_sigprocmask(
        &mut self,
        how: i64,
        set: u64,
        oset: u64,
        size: u64,
    ) -> SysResult {
        if size != 8 {
            return Err(EINVAL);
        }
        let new = if set != 0 {
            let m = self.mem.read_u64(set).map_err(|_| EFAULT)?;
            Some(match how {
                0 => self.sig.blocked | m,
                1 => self.sig.blocked & !m,
                2 => m,
                _ => return Err(EINVAL),
            })
        } else {
            None
        };
        if oset != 0 {
            self.mem
                .write_u64(oset, self.sig.blocked)
                .map_err(|_| EFAULT)?;
        }
        if let Some(m) = new {
            self.sig.blocked = m & !UNBLOCKABLE;
        }
        Ok(0)
    }

    /// rt_sigpending(set, sigsetsize)
    pub(crate) fn sys_rt_sigpending(&mut self, set: u64, size: u64) -> SysResult {
        if size > 8 {
            return Err(EINVAL);
        }
        self.collect_host_signals();
        let v = self.sig.pending() & self.sig.blocked;
        self.mem
            .write(set, &v.to_le_bytes()[..size as usize])
            .map_err(|_| EFAULT)?;
        Ok(0)
    }

    /// sigaltstack(ss, oss)
    pub(crate) fn sys_sigaltstack(&mut self, ss: u64, oss: u64) -> SysResult {
        let on = self.sig.on_altstack(self.cpu.usd_base);
        let cur = self.sig.altstack;
        let new = if ss != 0 {
            let sp = self.mem.read_u64(ss).map_err(|_| EFAULT)?;
            let flags = self.mem.read_u32(ss + 8).map_err(|_| EFAULT)? as i32;
            let size = self.mem.read_u64(ss + 16).map_err(|_| EFAULT)?;
            if on {
                return Err(EPERM);
            }
            let f = flags & !SS_AUTODISARM;
            if f != 0 && f != SS_DISABLE && f != SS_ONSTACK {
                return Err(EINVAL);
            }
            Some(if f == SS_DISABLE {
                AltStack::default()
            } else {
                if size < MINSIGSTKSZ {
                    return Err(ENOMEM);
                }
                AltStack { sp, size, flags: 0 }
            })
        } else {
            None
        };
        if oss != 0 {
            let flags = if on { SS_ONSTACK } else { cur.flags };
            let mut b = [0u8; 24];
            b[..8].copy_from_slice(&cur.sp.to_le_bytes());
            b[8..12].copy_from_slice(&flags.to_le_bytes());
            b[16..].copy_from_slice(&cur.size.to_le_bytes());
            self.mem.write(oss, &b).map_err(|_| EFAULT)?;
        }
        if let Some(a) = new {
            self.sig.altstack = a;
        }
        Ok(0)
    }

    /// kill(pid, sig): signals to this process are emulated, others go to the host.
    pub(crate) fn sys_kill(&mut self, pid: i64, sig: i64, code: i32) -> SysResult {
        if !(0..=NSIG as i64).contains(&sig) {
            return Err(EINVAL);
        }
        let pid = pid as i32;
        let me = self.pid;
        if pid == me || pid == 0 || pid == -1 || pid == -me {
            // this process (for a group or "everyone" only this process is emulated;
            // other processes are left alone)
            let info = SigInfo {
                signo: sig as i32,
                code,
                pid: me,
                uid: super::host::getuid(),
                ..SigInfo::default()
            };
            if sig != 0 && !self.sig.raise(info) {
                return Err(EAGAIN);
            }
            return Ok(0);
        }
        super::host::kill(pid, sig as i32).map(|_| 0)
    }

    /// tgkill/tkill: only this process's single thread exists.
    pub(crate) fn sys_tgkill(&mut self, tgid: i64, tid: i64, sig: i64) -> SysResult {
        if tid <= 0 || tgid == 0 || tgid < -1 {
            return Err(EINVAL);
        }
        if tid as i32 != self.pid || (tgid != -1 && tgid as i32 != self.pid) {
            return Err(ESRCH);
        }
        self.sys_kill(self.pid as i64, sig, SI_TKILL)
    }

    /// rt_sigqueueinfo(tgid, sig, info) and rt_tgsigqueueinfo(tgid, tid, sig,
    /// info): a signal with the caller's own `siginfo_t` (si_code, si_errno,
    /// si_pid, si_uid, si_value). Like the kernel, only negative si_codes other
    /// than SI_TKILL may be sent to another process.
    pub(crate) fn sys_rt_sigqueueinfo(
        &mut self,
        tgid: i64,
        tid: Option<i64>,
        sig: i64,
        uinfo: u64,
    ) -> SysResult {
        if !(0..=NSIG as i64).contains(&sig) {
            return Err(EINVAL);
        }
        if tgid <= 0 || tid.is_some_and(|t| t <= 0) {
            return Err(EINVAL);
        }
        let mut raw = [0u8; 128];
        self.mem.read(uinfo, &mut raw).map_err(|_| EFAULT)?;
        let i32_at = |o: usize| i32::from_le_bytes([raw[o], raw[o + 1], raw[o + 2], raw[o + 3]]);
        let u64_at = |o: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&raw[o..o + 8]);
            u64::from_le_bytes(b)
        };
        let code = i32_at(8);
        let me = self.pid as i64;
        let to_self = tgid == me && tid.is_none_or(|t| t == me);
        if (code >= 0 || code == SI_TKILL) && !to_self {
            return Err(EPERM);
        }
        if !to_self {
            if tgid != me {
                // another process: the host delivers it with the same siginfo
                raw[..4].copy_from_slice(&(sig as i32).to_le_bytes());
                return super::host::rt_sigqueueinfo(
                    tgid as i32,
                    tid.map(|t| t as i32),
                    sig as i32,
                    &raw,
                )
                .map(|_| 0);
            }
            return Err(ESRCH);
        }
        if sig == 0 {
            return Ok(0);
        }
        let info = SigInfo {
            signo: sig as i32,
            code,
            errno: i32_at(4),
            addr: u64_at(16),
            pid: i32_at(16),
            uid: i32_at(20) as u32,
            value: u64_at(24),
            ..SigInfo::default()
        };
        if self.sig.raise(info) {
            Ok(0)
        } else {
            Err(EAGAIN)
        }
    }

    // ------------------------------------------------------------ delivery

    /// Moves signals that arrived on the host into the guest pending set.
    pub(crate) fn collect_host_signals(&mut self) {
        let mut m = hostsig::take();
        while m != 0 {
            let sig = m.trailing_zeros() as i32 + 1;
            m &= m - 1;
            self.sig.raise(SigInfo {
                signo: sig,
                code: SI_USER,
                ..SigInfo::default()
            });
        }
    }

    /// Delivers every pending unblocked signal (nested frames, the last set up runs
    /// first, as on Linux). Returns the termination a default action caused.
    pub(crate) fn deliver_pending(&mut self) -> Option<Termination> {
        self.collect_host_signals();
        while let Some(sig) = self.sig.next_deliverable() {
            let Some(info) = self.sig.take(sig) else {
                break;
            };
            if let Some(t) = self.deliver(sig, info) {
                return Some(t);
            }
        }
        if let Some(old) = self.suspend_restore.take() {
            self.sig.blocked = old;
        }
        None
    }

    /// A bundle raised `f` at `cpu.ip`: deliver the synchronous signal.
    pub(crate) fn raise_fault(&mut self, f: &Fault) -> Option<Termination> {
        let (signo, code, addr) = f.to_signal(self.cpu.ip);
        log::info!(target: "e2kemu::int", "exception at {:#x}: {} -> {}", self.cpu.ip, f.describe(), name(signo));
        let info = SigInfo {
            signo,
            code,
            addr,
            trapno: trapno(f),
            sync: true,
            ip: self.cpu.ip,
            ..SigInfo::default()
        };
        self.deliver(signo, info)
    }

    /// Delivers `sig` now: runs the default action or sets up the handler frame.
    pub(crate) fn deliver(&mut self, sig: i32, info: SigInfo) -> Option<Termination> {
        let idx = (sig - 1) as usize;
        let mut act = self.sig.actions[idx];
        if info.sync && (act.handler == SIG_IGN || self.sig.blocked & bit(sig) != 0) {
            // a fault that cannot be handled kills the process (force_sig)
            act = SigAction::default();
        }
        if self.strace {
            self.trace(&format!(
                "--- {} {{si_signo={}, si_code={}, si_addr={:#x}}} ---",
                name(sig),
                name(sig),
                info.code,
                info.addr
            ));
        }
        match act.handler {
            SIG_IGN => return None,
            SIG_DFL => {
                return match default_action(sig) {
                    DefaultAction::Ignore | DefaultAction::Cont => None,
                    DefaultAction::Stop => {
                        hostsig::stop_self();
                        None
                    }
                    DefaultAction::Term | DefaultAction::Core => Some(fatal(sig)),
                }
            }
            _ => {}
        }
        log::info!(target: "e2kemu::int", "delivering {} to handler {:#x}", name(sig), act.handler);
        match self.setup_frame(sig, &info, &act) {
            Ok(()) => {
                self.cpu.stats.signals += 1;
                let mut b = self.sig.blocked | act.mask;
                if act.flags & SA_NODEFER == 0 {
                    b |= bit(sig);
                }
                self.sig.blocked = b & !UNBLOCKABLE;
                if act.flags & SA_RESETHAND != 0 {
                    self.sig.actions[idx] = SigAction::default();
                    hostsig::mirror(sig, SIG_DFL);
                }
                None
            }
            Err(()) => Some(fatal(s::SIGSEGV)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(code: i32, value: u64) -> SigInfo {
        SigInfo {
            signo: 40,
            code,
            value,
            ..SigInfo::default()
        }
    }

    #[test]
    fn queue_rules() {
        let mut s = SignalState::default();
        // standard signals: the first info stays
        assert!(s.raise(SigInfo {
            signo: USR1,
            pid: 1,
            ..SigInfo::default()
        }));
        assert!(s.raise(SigInfo {
            signo: USR1,
            pid: 2,
            ..SigInfo::default()
        }));
        assert_eq!(s.queued().len(), 1);
        assert_eq!(s.take(USR1).unwrap().pid, 1);
        assert_eq!(s.take(USR1), None);
        // real-time signals queue up to the limit
        for v in 0..MAX_QUEUED as u64 {
            assert!(s.raise(rt(SI_QUEUE, v)));
        }
        assert!(
            !s.raise(rt(SI_QUEUE, 9999)),
            "a full queue refuses sigqueue"
        );
        assert!(s.raise(rt(SI_USER, 9999)), "kill still marks it pending");
        for v in 0..MAX_QUEUED as u64 {
            assert_eq!(s.take(40).unwrap().value, v);
        }
        // the overflowed kill() instance was never queued
        assert_eq!(s.pending(), 0);
        // pending without queued info: zeroed SI_USER info (restored streams)
        s.restore_pending(bit(12), vec![]).unwrap();
        assert_eq!(
            s.take(12),
            Some(SigInfo {
                signo: 12,
                code: SI_USER,
                ..SigInfo::default()
            })
        );
        // discard drops every instance
        s.raise(rt(SI_QUEUE, 1));
        s.raise(rt(SI_QUEUE, 2));
        s.discard(40);
        assert_eq!((s.pending(), s.queued().len()), (0, 0));
        assert!(!s.raise(SigInfo::default()), "signal 0 is not a signal");
    }

    const USR1: i32 = 10;
}
