//! System call entry (§15): trap entries, the callee window (number in `r0`, arguments
//! in `r1..r6`, result back in `r0`), the dispatcher for the 64-bit Linux table, the
//! fast system calls of entry 6, and the process/time/info calls. File calls are in
//! `fs.rs`, memory calls in `mm.rs`, `access_hw_stacks` in `hwstacks.rs`.

use super::blocking::{Blocked, Wait, WaitEnd, EBLOCKED};
use super::errno::*;
use super::nr;
use super::{host, hostsig, signal, strace, Process, SysResult, Termination};
use crate::cpu::fault::Fault;
use crate::mem::{FaultKind, MemFault};
use std::time::{Duration, Instant};

/// Base of the unmapped fake kernel area: `sdisp` entry k jumps to `+0x800*k` (§15.2).
pub const FAKE_KERNEL: u64 = 0xe200_0000_0000;

/// What a system call asks of the run loop.
pub(crate) enum Outcome {
    Ret(i64),
    /// the call replaced the CPU state (rt_sigreturn); no result register write
    NoResult,
    Exit(Termination),
}

impl From<SysResult> for Outcome {
    fn from(r: SysResult) -> Self {
        match r {
            Ok(v) => Outcome::Ret(v),
            Err(e) => Outcome::Ret(-(e as i64)),
        }
    }
}

/// The callee window of a system call.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub base: usize,
    pub size: usize,
}

impl Process {
    /// Reads callee register `i` of window `w` (0 outside the window).
    pub(crate) fn reg(&self, w: Window, i: usize) -> u64 {
        if i < w.size {
            self.cpu.rf.get(w.base + i).map(|v| *v as u64).unwrap_or(0)
        } else {
            0
        }
    }

    /// A `call` through an SDISP CTPR completed with `wbs`: run the system call.
    pub(crate) fn syscall(&mut self, entry: u32, wbs: u8) -> Option<Termination> {
        self.syscall_at(entry, wbs, None)
    }

    /// Makes the blocked system call again with its resume state (the run loop
    /// does this for a call that waits across slices, and so does a migration
    /// destination).
    pub(crate) fn resume_blocked(&mut self) -> Option<Termination> {
        let b = self.blocked.take()?;
        self.syscall_at(b.entry, b.wbs, Some(b.wait))
    }

    fn syscall_at(&mut self, entry: u32, wbs: u8, resume: Option<Wait>) -> Option<Termination> {
        let again = resume.is_some();
        if !again {
            self.cpu.stats.syscalls += 1;
        }
        let shift = 2 * wbs as usize;
        let w = Window {
            base: self.cpu.wbase + shift,
            size: (self.cpu.wsize as usize).saturating_sub(shift),
        };
        match entry {
            3 | 4 | 6 => {}
            _ => {
                // no such trap entry: the call jumps into the unmapped kernel area
                let target = FAKE_KERNEL.wrapping_add(0x800u64.wrapping_mul(entry as u64));
                let ret = self.cpu.ip;
                if let Err(f) = self.cpu.proc_call(wbs, ret) {
                    return self.raise_fault(&f);
                }
                self.cpu.ip = target;
                let f = Fault::Fetch(MemFault {
                    addr: target,
                    kind: FaultKind::Unmapped,
                    write: false,
                });
                return self.raise_fault(&f);
            }
        }
        if w.size == 0 {
            // empty callee window: nothing to execute, the call just returns (§15.3)
            return None;
        }
        if w.base + w.size > self.cpu.rf.len() && !self.cpu.ensure_regs(w.base + w.size) {
            return self.raise_fault(&Fault::StackOverflow);
        }
        let tagged = self.cpu.tags_on && self.cpu.rtag[w.base] & 3 != 0;
        let num = self.reg(w, 0) as u32;
        let args = [1, 2, 3, 4, 5, 6].map(|i| self.reg(w, i));
        let out = if tagged {
            // a diagnostic number does nothing (§15.3)
            Outcome::Ret(-(ENOSYS as i64))
        } else if entry == 6 {
            self.fast_syscall(num, &args).into()
        } else {
            if !again {
                self.trace_call(num, &args);
            }
            self.resume = resume;
            self.slice_end = self.wait_slice.map(|d| Instant::now() + d);
            let o = self.dispatch(num, &args, w);
            self.resume = None;
            if let Some(wait) = self.blocking.take() {
                // not done in this slice: no result yet, the call continues later
                self.blocked = Some(Blocked { entry, wbs, wait });
                return None;
            }
            self.trace_result(num, &o);
            o
        };
        match out {
            Outcome::Ret(v) => {
                let v = if v == -(EBLOCKED as i64) {
                    -(EINTR as i64)
                } else {
                    v
                };
                self.set_result(w, v);
                None
            }
            Outcome::NoResult => None,
            Outcome::Exit(t) => Some(t),
        }
    }

    /// Result into callee `r0` (tag 0); the rest of the window gets diagnostic tags.
    fn set_result(&mut self, w: Window, v: i64) {
        let c = &mut self.cpu;
        if let Some(r) = c.rf.get_mut(w.base) {
            *r = (*r & !(u64::MAX as u128)) | v as u64 as u128;
            c.rtag[w.base] = 0;
        }
        if c.tags_on {
            for i in 1..w.size.min(10) {
                if let Some(t) = c.rtag.get_mut(w.base + i) {
                    *t = (*t & 0xf0) | 0x5;
                }
            }
        }
    }

    fn trace_call(&mut self, num: u32, a: &[u64; 6]) {
        if self.strace {
            let s = strace::format_call(&mut self.mem, num, a);
            if matches!(
                num,
                nr::EXIT | nr::EXIT_GROUP | nr::RT_SIGRETURN | nr::SIGRETURN
            ) {
                self.trace(&s);
            } else {
                self.pending_trace = Some(s);
            }
        }
    }

    fn trace_result(&mut self, num: u32, o: &Outcome) {
        if let (Some(s), Outcome::Ret(v)) = (self.pending_trace.take(), o) {
            self.trace(&format!("{s} = {}", strace::format_result(num, *v)));
        }
    }

    /// The 64-bit Linux system call table (entries 3 and 4).
    fn dispatch(&mut self, num: u32, a: &[u64; 6], w: Window) -> Outcome {
        let i = |k: usize| a[k] as i64;
        let r: SysResult = match num {
            nr::EXIT | nr::EXIT_GROUP => {
                return Outcome::Exit(Termination::Exited((a[0] & 0xff) as i32))
            }
            nr::RT_SIGRETURN | nr::SIGRETURN => {
                return match self.sigreturn() {
                    None => Outcome::NoResult,
                    Some(t) => Outcome::Exit(t),
                }
            }
            // processes and identity
            nr::GETPID | nr::GETTID => Ok(self.pid as i64),
            nr::GETPPID => Ok(host::getppid() as i64),
            nr::GETUID | 199 => Ok(host::getuid() as i64),
            nr::GETEUID | 201 => Ok(host::geteuid() as i64),
            nr::GETGID | 200 => Ok(host::getgid() as i64),
            nr::GETEGID | 202 => Ok(host::getegid() as i64),
            nr::GETRESUID => {
                self.put_ids(&a[..3], [host::getuid(), host::geteuid(), host::geteuid()])
            }
            nr::GETRESGID => {
                self.put_ids(&a[..3], [host::getgid(), host::getegid(), host::getegid()])
            }
            nr::GETPGRP => host::getpgid(0),
            nr::GETPGID => host::getpgid(i(0) as i32),
            nr::SETPGID => host::setpgid(i(0) as i32, i(1) as i32),
            nr::GETSID => host::getsid(i(0) as i32),
            nr::SETSID => host::setsid(),
            nr::SET_TID_ADDRESS => {
                self.clear_child_tid = a[0];
                Ok(self.pid as i64)
            }
            nr::UMASK => Ok(host::umask(a[0] as u32 & 0o777) as i64),
            nr::UNAME => self.sys_uname(a[0]),
            nr::PERSONALITY => Ok(0),
            nr::PRCTL => self.sys_prctl(a),
            nr::SCHED_YIELD => {
                host::sched_yield();
                Ok(0)
            }
            nr::SCHED_GETAFFINITY => self.sys_sched_getaffinity(a[1], a[2]),
            nr::GETCPU => self.sys_getcpu(a[0], a[1]),
            nr::GETRANDOM => self.sys_getrandom(a[0], a[1]),
            nr::SYSINFO => host::sysinfo().and_then(|b| self.put(a[0], &b)),
            nr::TIMES => self.sys_times(a[0]),
            nr::GETRUSAGE => host::getrusage(i(0) as i32).and_then(|b| self.put(a[1], &b)),
            nr::GETRLIMIT | nr::UGETRLIMIT => self.sys_prlimit(0, a[0], 0, a[1]),
            75 => self.sys_prlimit(0, a[0], a[1], 0),
            nr::PRLIMIT64 => self.sys_prlimit(i(0), a[1], a[2], a[3]),
            nr::SET_ROBUST_LIST => Ok(0),
            nr::MEMBARRIER => Ok(0),
            nr::FUTEX => self.sys_futex(a),
            nr::FORK | nr::VFORK => self.sys_fork(),
            nr::CLONE => self.sys_clone(a[0]),
            nr::WAIT4 => self.sys_wait4(i(0), a[1], i(2), a[3]),
            // time
            nr::CLOCK_GETTIME => self.sys_clock_gettime(i(0), a[1]),
            nr::CLOCK_GETRES => self.sys_clock_getres(i(0), a[1]),
            nr::GETTIMEOFDAY => self.sys_gettimeofday(a[0], a[1]),
            nr::TIME => self.sys_time(a[0]),
            nr::NANOSLEEP => self.sys_nanosleep(0, 0, a[0], a[1]),
            nr::CLOCK_NANOSLEEP => self.sys_nanosleep(i(0), i(1), a[2], a[3]),
            nr::ALARM => Ok(host::alarm(a[0] as u32) as i64),
            104 => self.sys_setitimer(i(0), a[1], a[2]),
            105 => self.sys_getitimer(i(0), a[1]),
            nr::PAUSE => self.sys_pause(),
            // signals
            nr::RT_SIGACTION => self.sys_rt_sigaction(i(0), a[1], a[2], a[3]),
            nr::RT_SIGPROCMASK => self.sys_rt_sigprocmask(i(0), a[1], a[2], a[3]),
            nr::RT_SIGPENDING => self.sys_rt_sigpending(a[0], a[1]),
            nr::RT_SIGSUSPEND => self.sys_rt_sigsuspend(a[0], a[1]),
            nr::SIGALTSTACK => self.sys_sigaltstack(a[0], a[1]),
            nr::KILL => self.sys_kill(i(0), i(1), signal::SI_USER),
            nr::TKILL => self.sys_tgkill(-1, i(0), i(1)),
            nr::TGKILL => self.sys_tgkill(i(0), i(1), i(2)),
            nr::RT_SIGQUEUEINFO => self.sys_rt_sigqueueinfo(i(0), None, i(1), a[2]),
            nr::RT_TGSIGQUEUEINFO => self.sys_rt_sigqueueinfo(i(0), Some(i(1)), i(2), a[3]),
            // e2k specific
            nr::ACCESS_HW_STACKS => self.sys_access_hw_stacks(a, w),
            nr::SET_BACKTRACE | nr::GET_BACKTRACE | nr::E2K_SYSWORK | nr::E2K_LONGJMP2 => {
                self.unimplemented(num, a)
            }
            _ => match self.dispatch_fs(num, a) {
                Some(r) => r,
                None => match self.dispatch_mm(num, a) {
                    Some(r) => r,
                    None => self.unimplemented(num, a),
                },
            },
        };
        r.into()
    }

    pub(crate) fn unimplemented(&mut self, num: u32, a: &[u64; 6]) -> SysResult {
        log::info!(target: "e2kemu::unimp", "unsupported system call {} ({}) args {:#x?}",
            num, nr::name(num).unwrap_or("unknown"), a);
        Err(ENOSYS)
    }

    /// Fast system calls (entry 6, §15.5): number in r0, arguments r1, r2.
    fn fast_syscall(&mut self, num: u32, a: &[u64; 6]) -> SysResult {
        match num {
            nr::FAST_GETTIMEOFDAY => self.sys_gettimeofday(a[0], a[1]),
            nr::FAST_CLOCK_GETTIME => self.sys_clock_gettime(a[0] as i64, a[1]),
            nr::FAST_GETCPU => self.sys_getcpu(a[0], a[1]),
            nr::FAST_SIGGETMASK => {
                if a[1] != 8 {
                    return Err(EINVAL);
                }
                let m = self.sig.blocked;
                self.put_u64(a[0], m).map(|_| 0)
            }
            nr::FAST_SET_RETURN => {
                // replace the return IP of the caller's frame
                match self.cpu.frames.last_mut() {
                    Some(f) => {
                        f.ret_ip = a[0] & !7;
                        Ok(0)
                    }
                    None => Err(EINVAL),
                }
            }
            _ => {
                log::info!(target: "e2kemu::unimp", "unsupported fast system call {num}");
                Err(ENOSYS)
            }
        }
    }

    // ------------------------------------------------------------ guest memory helpers

    /// Copies `len` guest bytes (EFAULT on an inaccessible range).
    pub(crate) fn get(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, i32> {
        let mut v = vec![0u8; len];
        self.mem.read(addr, &mut v).map_err(|_| EFAULT)?;
        Ok(v)
    }

    /// Writes guest bytes; returns 0.
    pub(crate) fn put(&mut self, addr: u64, b: &[u8]) -> SysResult {
        self.mem.write(addr, b).map_err(|_| EFAULT)?;
        Ok(0)
    }

    pub(crate) fn put_u64(&mut self, addr: u64, v: u64) -> Result<(), i32> {
        self.mem.write_u64(addr, v).map_err(|_| EFAULT)
    }

    pub(crate) fn get_u64(&mut self, addr: u64) -> Result<u64, i32> {
        self.mem.read_u64(addr).map_err(|_| EFAULT)
    }

    /// A NUL-terminated guest path (ENAMETOOLONG beyond PATH_MAX).
    pub(crate) fn get_path(&mut self, addr: u64) -> Result<Vec<u8>, i32> {
        let p = self.mem.read_cstr(addr, 4097).map_err(|_| EFAULT)?;
        if p.len() >= 4096 {
            return Err(ENAMETOOLONG);
        }
        Ok(p)
    }

    fn get_timespec(&mut self, addr: u64) -> Result<(i64, i64), i32> {
        let s = self.get_u64(addr)? as i64;
        let n = self.get_u64(addr + 8)? as i64;
        Ok((s, n))
    }

    fn put_pair(&mut self, addr: u64, a: i64, b: i64) -> SysResult {
        let mut buf = [0u8; 16];
        buf[..8].copy_from_slice(&a.to_le_bytes());
        buf[8..].copy_from_slice(&b.to_le_bytes());
        self.put(addr, &buf)
    }

    fn put_ids(&mut self, addrs: &[u64], ids: [u32; 3]) -> SysResult {
        for (a, id) in addrs.iter().zip(ids) {
            self.mem.write_u32(*a, id).map_err(|_| EFAULT)?;
        }
        Ok(0)
    }

    // ------------------------------------------------------------ process, info

    fn sys_uname(&mut self, buf: u64) -> SysResult {
        let (node, release, version, domain) = host::uname();
        let mut b = vec![0u8; 65 * 6];
        let fields: [&[u8]; 6] = [b"Linux", &node, &release, &version, b"e2k", &domain];
        for (i, f) in fields.iter().enumerate() {
            let n = f.len().min(64);
            b[65 * i..65 * i + n].copy_from_slice(&f[..n]);
        }
        self.put(buf, &b)
    }

    fn sys_prctl(&mut self, a: &[u64; 6]) -> SysResult {
        const PR_SET_NAME: u64 = 15;
        const PR_GET_NAME: u64 = 16;
        match a[0] {
            PR_SET_NAME => {
                let n = self.mem.read_cstr(a[1], 16).map_err(|_| EFAULT)?;
                self.comm = n;
                Ok(0)
            }
            PR_GET_NAME => {
                let mut b = [0u8; 16];
                let n = self.comm.len().min(15);
                b[..n].copy_from_slice(&self.comm[..n]);
                self.put(a[1], &b)
            }
            _ => Err(EINVAL),
        }
    }

    fn sys_sched_getaffinity(&mut self, len: u64, mask: u64) -> SysResult {
        if len < 8 || !len.is_multiple_of(8) {
            return Err(EINVAL);
        }
        self.put_u64(mask, 1)?;
        Ok(8)
    }

    fn sys_getcpu(&mut self, cpu: u64, node: u64) -> SysResult {
        for a in [cpu, node] {
            if a != 0 {
                self.mem.write_u32(a, 0).map_err(|_| EFAULT)?;
            }
        }
        Ok(0)
    }

    fn sys_getrandom(&mut self, buf: u64, len: u64) -> SysResult {
        let len = len.min(1 << 25) as usize;
        self.mem.check_write(buf, len as u64).map_err(|_| EFAULT)?;
        let mut v = vec![0u8; len];
        match &mut self.rng {
            Some(r) => r.fill(&mut v),
            None => {
                host::getrandom(&mut v)?;
            }
        }
        self.put(buf, &v)?;
        Ok(len as i64)
    }

    fn sys_times(&mut self, buf: u64) -> SysResult {
        let t = host::times()?;
        if buf != 0 {
            let b: Vec<u8> = t[1..].iter().flat_map(|v| v.to_le_bytes()).collect();
            self.put(buf, &b)?;
        }
        Ok(t[0])
    }

    /// prlimit64/getrlimit/setrlimit. The stack limit is the emulated stack size; new
    /// limits are accepted but only RLIMIT_NOFILE-like ones reach the host.
    fn sys_prlimit(&mut self, pid: i64, res: u64, new: u64, old: u64) -> SysResult {
        const RLIMIT_STACK: u64 = 3;
        const RLIMIT_NOFILE: u64 = 7;
        if pid != 0 && pid != self.pid as i64 {
            return Err(ESRCH);
        }
        if res >= 16 {
            return Err(EINVAL);
        }
        let (mut cur, max) = host::getrlimit(res as u32)?;
        if res == RLIMIT_STACK {
            cur = self.stack_size;
        }
        if old != 0 {
            self.put_pair(old, cur as i64, max as i64)?;
        }
        if new != 0 {
            let (c, m) = self.get_timespec(new)?;
            if (c as u64) > (m as u64) {
                return Err(EINVAL);
            }
            if res == RLIMIT_NOFILE {
                host::setrlimit(res as u32, c as u64, m as u64)?;
            }
        }
        Ok(0)
    }

    /// futex for a single-threaded process.
    fn sys_futex(&mut self, a: &[u64; 6]) -> SysResult {
        const WAIT: u64 = 0;
        const WAKE: u64 = 1;
        const REQUEUE: u64 = 3;
        const CMP_REQUEUE: u64 = 4;
        const WAKE_OP: u64 = 5;
        const WAIT_BITSET: u64 = 9;
        const WAKE_BITSET: u64 = 10;
        let op = a[1] & 0x7f;
        match op {
            WAIT | WAIT_BITSET => {
                let v = self.mem.read_u32(a[0]).map_err(|_| EFAULT)?;
                if v != a[2] as u32 {
                    return Err(EAGAIN);
                }
                if a[3] == 0 {
                    // nobody else can wake us: only a signal ends the wait
                    return self.wait_signal();
                }
                let (s, n) = self.get_timespec(a[3])?;
                if !(0..1_000_000_000).contains(&n) || s < 0 {
                    return Err(EINVAL);
                }
                if op == WAIT_BITSET {
                    // an absolute timeout, CLOCK_REALTIME with FUTEX_CLOCK_REALTIME
                    let clk = if a[1] & 256 != 0 {
                        libc::CLOCK_REALTIME
                    } else {
                        libc::CLOCK_MONOTONIC
                    };
                    return match self.sleep_until(clk, s, n) {
                        Ok(()) => Err(ETIMEDOUT),
                        Err(e) => Err(e),
                    };
                }
                match self.sleep_relative(Duration::new(s as u64, n as u32)) {
                    Ok(()) => Err(ETIMEDOUT),
                    Err((e, _)) => Err(e),
                }
            }
            WAKE | WAKE_BITSET | REQUEUE | CMP_REQUEUE | WAKE_OP => Ok(0),
            _ => self.unimplemented(nr::FUTEX, a),
        }
    }

    fn sys_pause(&mut self) -> SysResult {
        self.wait_signal()
    }

    fn sys_rt_sigsuspend(&mut self, set: u64, size: u64) -> SysResult {
        if size != 8 {
            return Err(EINVAL);
        }
        let m = self.get_u64(set)?;
        if self.resumed() != Some(&Wait::Signal) {
            // the handler runs with the temporary mask; rt_sigreturn restores
            // the old one (a resumed call has set them up already)
            self.suspend_restore = Some(self.sig.blocked);
            self.sig.blocked = m & !(signal::bit(signal::SIGKILL) | signal::bit(signal::SIGSTOP));
        }
        self.wait_signal()
    }

    fn sys_clone(&mut self, flags: u64) -> SysResult {
        const CLONE_VM: u64 = 0x100;
        const CLONE_THREAD: u64 = 0x10000;
        if flags & (CLONE_VM | CLONE_THREAD) != 0 {
            log::info!(target: "e2kemu::unimp", "clone with flags {flags:#x} (threads) is not supported");
            return Err(ENOSYS);
        }
        self.sys_fork()
    }

    /// fork: the whole emulator forks; the child continues with result 0.
    fn sys_fork(&mut self) -> SysResult {
        let r = host::fork()?;
        if r == 0 {
            self.pid = host::getpid();
            hostsig::after_fork();
        }
        Ok(r)
    }

    fn sys_wait4(&mut self, pid: i64, status: u64, options: i64, rusage: u64) -> SysResult {
        const WNOHANG: i64 = 1;
        let (r, st) = if self.wait_slice.is_none() || options & WNOHANG != 0 {
            host::wait4(pid as i32, options as i32)?
        } else {
            // under a monitor: look every few milliseconds, slice by slice
            loop {
                let (r, st) = host::wait4(pid as i32, (options | WNOHANG) as i32)?;
                if r != 0 {
                    break (r, st);
                }
                match self.wait_for(&[], Some(Duration::from_millis(5)), false) {
                    WaitEnd::Signal(_) => return Err(EINTR),
                    WaitEnd::Slice(_) => return self.block(Wait::Child),
                    WaitEnd::Expired | WaitEnd::Ready(_) => {}
                }
            }
        };
        if status != 0 && r > 0 {
            self.mem.write_u32(status, st as u32).map_err(|_| EFAULT)?;
        }
        if rusage != 0 {
            let b = vec![0u8; 144];
            self.put(rusage, &b)?;
        }
        Ok(r)
    }

    // ------------------------------------------------------------ time

    fn sys_clock_gettime(&mut self, clk: i64, ts: u64) -> SysResult {
        let (s, n) = host::clock_gettime(clk as i32)?;
        self.put_pair(ts, s, n)
    }

    fn sys_clock_getres(&mut self, clk: i64, ts: u64) -> SysResult {
        let (s, n) = host::clock_getres(clk as i32)?;
        if ts != 0 {
            self.put_pair(ts, s, n)?;
        }
        Ok(0)
    }

    fn sys_gettimeofday(&mut self, tv: u64, tz: u64) -> SysResult {
        let (s, n) = host::clock_gettime(libc::CLOCK_REALTIME)?;
        if tv != 0 {
            self.put_pair(tv, s, n / 1000)?;
        }
        if tz != 0 {
            self.put(tz, &[0u8; 8])?;
        }
        Ok(0)
    }

    fn sys_time(&mut self, tloc: u64) -> SysResult {
        let (s, _) = host::clock_gettime(libc::CLOCK_REALTIME)?;
        if tloc != 0 {
            self.put_u64(tloc, s as u64)?;
        }
        Ok(s)
    }

    fn put_itimer(&mut self, addr: u64, v: [i64; 4]) -> SysResult {
        let b: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
        self.put(addr, &b)
    }

    fn sys_setitimer(&mut self, which: i64, new: u64, old: u64) -> SysResult {
        if !(0..=2).contains(&which) {
            return Err(EINVAL);
        }
        let mut v = [0i64; 4];
        if new != 0 {
            for (k, x) in v.iter_mut().enumerate() {
                *x = self.get_u64(new + 8 * k as u64)? as i64;
            }
        }
        let o = host::setitimer(which as i32, v)?;
        if old != 0 {
            self.put_itimer(old, o)?;
        }
        Ok(0)
    }

    fn sys_getitimer(&mut self, which: i64, cur: u64) -> SysResult {
        if !(0..=2).contains(&which) {
            return Err(EINVAL);
        }
        let v = host::getitimer(which as i32)?;
        self.put_itimer(cur, v)
    }

    /// nanosleep/clock_nanosleep: the sleep is measured in running time (a
    /// stopped guest does not sleep; what is left continues after `cont` or on
    /// a migration destination). A signal ends it with EINTR and the time left.
    fn sys_nanosleep(&mut self, clk: i64, flags: i64, req: u64, rem: u64) -> SysResult {
        let (s, n) = self.get_timespec(req)?;
        if !(0..1_000_000_000).contains(&n) || s < 0 {
            return Err(EINVAL);
        }
        let clk = clk as i32;
        let abs = flags & libc::TIMER_ABSTIME as i64 != 0;
        let sleepable = matches!(
            clk,
            libc::CLOCK_REALTIME | libc::CLOCK_MONOTONIC | libc::CLOCK_BOOTTIME | libc::CLOCK_TAI
        );
        if !sleepable {
            // CPU-time and other clocks: the host decides (and sleeps)
            return match host::clock_nanosleep(clk, flags as i32, s, n) {
                Ok(()) => Ok(0),
                Err((e, rs, rn)) => {
                    if e == EINTR && rem != 0 && !abs {
                        self.put_pair(rem, rs, rn)?;
                    }
                    Err(e)
                }
            };
        }
        if abs {
            return self.sleep_until(clk, s, n).map(|_| 0);
        }
        match self.sleep_relative(Duration::new(s as u64, n as u32)) {
            Ok(()) => Ok(0),
            Err((e, left)) => {
                if e == EINTR && rem != 0 {
                    self.put_pair(rem, left.as_secs() as i64, left.subsec_nanos() as i64)?;
                }
                Err(e)
            }
        }
    }
}
