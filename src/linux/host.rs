//! Thin wrappers over the host system calls the Linux layer needs. Every `unsafe`
//! block of the user-mode layer that talks to the host kernel lives here; callers get
//! `Result<_, i32>` with a positive host errno (Linux generic numbering, which is
//! also the e2k numbering).

use std::ffi::CString;

/// Host result: value or positive errno.
pub type HResult<T> = Result<T, i32>;

fn errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn check(r: i64) -> HResult<i64> {
    if r < 0 {
        Err(errno())
    } else {
        Ok(r)
    }
}

/// Converts a guest path to a C string (a path with a NUL inside cannot exist).
pub fn cpath(p: &[u8]) -> HResult<CString> {
    CString::new(p).map_err(|_| libc::EINVAL)
}

pub fn read(fd: i32, buf: &mut [u8]) -> HResult<i64> {
    // SAFETY: the pointer and length describe a live, writable Rust buffer.
    check(unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } as i64)
}

pub fn write(fd: i32, buf: &[u8]) -> HResult<i64> {
    // SAFETY: the pointer and length describe a live Rust buffer.
    check(unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) } as i64)
}

pub fn pread(fd: i32, buf: &mut [u8], off: i64) -> HResult<i64> {
    // SAFETY: the pointer and length describe a live, writable Rust buffer.
    check(unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), off) } as i64)
}

pub fn pwrite(fd: i32, buf: &[u8], off: i64) -> HResult<i64> {
    // SAFETY: the pointer and length describe a live Rust buffer.
    check(unsafe { libc::pwrite(fd, buf.as_ptr().cast(), buf.len(), off) } as i64)
}

pub fn openat(dirfd: i32, path: &CString, flags: i32, mode: u32) -> HResult<i32> {
    // SAFETY: `path` is a valid NUL-terminated string.
    check(unsafe { libc::openat(dirfd, path.as_ptr(), flags, mode) } as i64).map(|v| v as i32)
}

pub fn close(fd: i32) -> HResult<()> {
    // SAFETY: closing a descriptor has no memory-safety implications.
    check(unsafe { libc::close(fd) } as i64).map(|_| ())
}

pub fn lseek(fd: i32, off: i64, whence: i32) -> HResult<i64> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::lseek(fd, off, whence) })
}

pub fn fstat(fd: i32) -> HResult<libc::stat> {
    // SAFETY: `st` is a properly sized, writable stat buffer; zeroed is a valid value.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        check(libc::fstat(fd, &mut st) as i64).map(|_| st)
    }
}

pub fn fstatat(dirfd: i32, path: &CString, flags: i32) -> HResult<libc::stat> {
    // SAFETY: valid C string and a writable, properly sized stat buffer.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        check(libc::fstatat(dirfd, path.as_ptr(), &mut st, flags) as i64).map(|_| st)
    }
}

pub fn dup(fd: i32) -> HResult<i32> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) } as i64).map(|v| v as i32)
}

pub fn fcntl_int(fd: i32, cmd: i32, arg: i64) -> HResult<i64> {
    // SAFETY: only integer-argument fcntl commands are passed here.
    check(unsafe { libc::fcntl(fd, cmd, arg as libc::c_long) } as i64)
}

/// fcntl with a pointer argument (struct flock), `buf` must be large enough.
pub fn fcntl_ptr(fd: i32, cmd: i32, buf: &mut [u8]) -> HResult<i64> {
    // SAFETY: callers pass a buffer of the size the command expects (struct flock).
    check(unsafe { libc::fcntl(fd, cmd, buf.as_mut_ptr()) } as i64)
}

/// ioctl with a pointer to `buf`, which must be at least as large as the request needs.
pub fn ioctl_ptr(fd: i32, req: u64, buf: &mut [u8]) -> HResult<i64> {
    // SAFETY: only requests whose argument size is known and matches `buf` are passed.
    check(unsafe { libc::ioctl(fd, req as _, buf.as_mut_ptr()) } as i64)
}

pub fn pipe2(flags: i32) -> HResult<[i32; 2]> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a writable array of two ints.
    check(unsafe { libc::pipe2(fds.as_mut_ptr(), flags) } as i64).map(|_| fds)
}

pub fn getcwd() -> HResult<Vec<u8>> {
    std::env::current_dir()
        .map(|p| {
            use std::os::unix::ffi::OsStrExt;
            p.as_os_str().as_bytes().to_vec()
        })
        .map_err(|e| e.raw_os_error().unwrap_or(libc::ENOENT))
}

pub fn chdir(path: &CString) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::chdir(path.as_ptr()) } as i64).map(|_| ())
}

pub fn fchdir(fd: i32) -> HResult<()> {
    // SAFETY: plain system call on an integer.
    check(unsafe { libc::fchdir(fd) } as i64).map(|_| ())
}

pub fn faccessat(dirfd: i32, path: &CString, mode: i32) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::faccessat(dirfd, path.as_ptr(), mode, 0) } as i64).map(|_| ())
}

pub fn readlinkat(dirfd: i32, path: &CString) -> HResult<Vec<u8>> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: valid C string; `buf` is writable for its full length.
    let n =
        check(
            unsafe { libc::readlinkat(dirfd, path.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) }
                as i64,
        )?;
    buf.truncate(n as usize);
    Ok(buf)
}

pub fn unlinkat(dirfd: i32, path: &CString, flags: i32) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::unlinkat(dirfd, path.as_ptr(), flags) } as i64).map(|_| ())
}

pub fn mkdirat(dirfd: i32, path: &CString, mode: u32) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::mkdirat(dirfd, path.as_ptr(), mode) } as i64).map(|_| ())
}

pub fn renameat(od: i32, old: &CString, nd: i32, new: &CString) -> HResult<()> {
    // SAFETY: valid C strings.
    check(unsafe { libc::renameat(od, old.as_ptr(), nd, new.as_ptr()) } as i64).map(|_| ())
}

pub fn fchmodat(dirfd: i32, path: &CString, mode: u32) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::fchmodat(dirfd, path.as_ptr(), mode, 0) } as i64).map(|_| ())
}

pub fn fchmod(fd: i32, mode: u32) -> HResult<()> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::fchmod(fd, mode) } as i64).map(|_| ())
}

pub fn symlinkat(target: &CString, dirfd: i32, path: &CString) -> HResult<()> {
    // SAFETY: valid C strings.
    check(unsafe { libc::symlinkat(target.as_ptr(), dirfd, path.as_ptr()) } as i64).map(|_| ())
}

pub fn linkat(od: i32, old: &CString, nd: i32, new: &CString, flags: i32) -> HResult<()> {
    // SAFETY: valid C strings.
    check(unsafe { libc::linkat(od, old.as_ptr(), nd, new.as_ptr(), flags) } as i64).map(|_| ())
}

pub fn ftruncate(fd: i32, len: i64) -> HResult<()> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::ftruncate(fd, len) } as i64).map(|_| ())
}

pub fn truncate(path: &CString, len: i64) -> HResult<()> {
    // SAFETY: valid C string.
    check(unsafe { libc::truncate(path.as_ptr(), len) } as i64).map(|_| ())
}

pub fn fsync(fd: i32, data_only: bool) -> HResult<()> {
    // SAFETY: plain system call on an integer.
    let r = unsafe {
        if data_only {
            libc::fdatasync(fd)
        } else {
            libc::fsync(fd)
        }
    };
    check(r as i64).map(|_| ())
}

/// getdents64 into `buf` (the linux_dirent64 layout is the same on every architecture).
pub fn getdents64(fd: i32, buf: &mut [u8]) -> HResult<i64> {
    // SAFETY: `buf` is writable for its full length.
    check(unsafe { libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) })
}

pub fn clock_gettime(clk: i32) -> HResult<(i64, i64)> {
    // SAFETY: `ts` is a writable timespec.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        check(libc::clock_gettime(clk, &mut ts) as i64).map(|_| (ts.tv_sec, ts.tv_nsec))
    }
}

pub fn clock_getres(clk: i32) -> HResult<(i64, i64)> {
    // SAFETY: `ts` is a writable timespec.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        check(libc::clock_getres(clk, &mut ts) as i64).map(|_| (ts.tv_sec, ts.tv_nsec))
    }
}

/// clock_nanosleep; on EINTR returns Err((EINTR, remaining)).
pub fn clock_nanosleep(clk: i32, flags: i32, sec: i64, nsec: i64) -> Result<(), (i32, i64, i64)> {
    let req = libc::timespec {
        tv_sec: sec,
        tv_nsec: nsec,
    };
    // SAFETY: `req` and `rem` are valid timespec structures.
    unsafe {
        let mut rem: libc::timespec = std::mem::zeroed();
        let r = libc::clock_nanosleep(clk, flags, &req, &mut rem);
        if r == 0 {
            Ok(())
        } else {
            Err((r, rem.tv_sec, rem.tv_nsec))
        }
    }
}

pub fn getrandom(buf: &mut [u8]) -> HResult<i64> {
    // SAFETY: `buf` is writable for its full length.
    check(unsafe { libc::getrandom(buf.as_mut_ptr().cast(), buf.len(), 0) } as i64)
}

/// Host uname fields: (nodename, release, version, domainname).
pub fn uname() -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    fn field(f: &[libc::c_char]) -> Vec<u8> {
        f.iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect()
    }
    // SAFETY: `u` is a writable utsname; zeroed is a valid value.
    unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return (
                b"localhost".to_vec(),
                b"6.0.0".to_vec(),
                b"#1".to_vec(),
                b"(none)".to_vec(),
            );
        }
        (
            field(&u.nodename),
            field(&u.release),
            field(&u.version),
            field(&u.domainname),
        )
    }
}

pub fn getpid() -> i32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getpid() }
}
pub fn getppid() -> i32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getppid() }
}
pub fn getuid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getuid() }
}
pub fn geteuid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::geteuid() }
}
pub fn getgid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getgid() }
}
pub fn getegid() -> u32 {
    // SAFETY: no arguments, cannot fail.
    unsafe { libc::getegid() }
}
pub fn umask(m: u32) -> u32 {
    // SAFETY: plain system call on an integer.
    unsafe { libc::umask(m) }
}
pub fn getpgid(pid: i32) -> HResult<i64> {
    // SAFETY: plain system call on an integer.
    check(unsafe { libc::getpgid(pid) } as i64)
}
pub fn setpgid(pid: i32, pg: i32) -> HResult<i64> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::setpgid(pid, pg) } as i64)
}
pub fn getsid(pid: i32) -> HResult<i64> {
    // SAFETY: plain system call on an integer.
    check(unsafe { libc::getsid(pid) } as i64)
}
pub fn setsid() -> HResult<i64> {
    // SAFETY: no arguments.
    check(unsafe { libc::setsid() } as i64)
}

/// kill(2) on the host (other processes only; signals to self are emulated).
pub fn kill(pid: i32, sig: i32) -> HResult<()> {
    // SAFETY: plain system call on integers.
    check(unsafe { libc::kill(pid, sig) } as i64).map(|_| ())
}

/// rt_sigqueueinfo(2) (or rt_tgsigqueueinfo with a thread) on the host: `info`
/// is a raw 128-byte siginfo_t (the same layout on every 64-bit Linux).
pub fn rt_sigqueueinfo(pid: i32, tid: Option<i32>, sig: i32, info: &[u8; 128]) -> HResult<()> {
    // SAFETY: `info` is a readable 128-byte buffer, the size the kernel copies.
    let r = unsafe {
        match tid {
            None => libc::syscall(libc::SYS_rt_sigqueueinfo, pid, sig, info.as_ptr()),
            Some(t) => libc::syscall(libc::SYS_rt_tgsigqueueinfo, pid, t, sig, info.as_ptr()),
        }
    };
    check(r).map(|_| ())
}

pub fn sched_yield() {
    // SAFETY: no arguments.
    unsafe {
        libc::sched_yield();
    }
}

/// getrlimit for a Linux resource number: (cur, max).
pub fn getrlimit(res: u32) -> HResult<(u64, u64)> {
    // SAFETY: `r` is a writable rlimit.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        check(libc::getrlimit(res as _, &mut r) as i64).map(|_| (r.rlim_cur, r.rlim_max))
    }
}

pub fn setrlimit(res: u32, cur: u64, max: u64) -> HResult<()> {
    let r = libc::rlimit {
        rlim_cur: cur,
        rlim_max: max,
    };
    // SAFETY: `r` is a valid rlimit.
    check(unsafe { libc::setrlimit(res as _, &r) } as i64).map(|_| ())
}

/// Raw bytes of `struct sysinfo` (identical layout for every 64-bit Linux).
pub fn sysinfo() -> HResult<Vec<u8>> {
    // SAFETY: `s` is a writable sysinfo; we copy out its bytes afterwards.
    unsafe {
        let mut s: libc::sysinfo = std::mem::zeroed();
        check(libc::sysinfo(&mut s) as i64)?;
        let p = (&s as *const libc::sysinfo).cast::<u8>();
        Ok(std::slice::from_raw_parts(p, std::mem::size_of::<libc::sysinfo>()).to_vec())
    }
}

/// times(2): (ret, utime, stime, cutime, cstime).
pub fn times() -> HResult<[i64; 5]> {
    // SAFETY: `t` is a writable tms.
    unsafe {
        let mut t: libc::tms = std::mem::zeroed();
        let r = libc::times(&mut t);
        if r == (-1i64) as libc::clock_t {
            return Err(errno());
        }
        Ok([r, t.tms_utime, t.tms_stime, t.tms_cutime, t.tms_cstime])
    }
}

/// Raw bytes of `struct rusage` (the 64-bit generic layout).
pub fn getrusage(who: i32) -> HResult<Vec<u8>> {
    // SAFETY: `u` is a writable rusage; we copy out its bytes afterwards.
    unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        check(libc::getrusage(who, &mut u) as i64)?;
        let p = (&u as *const libc::rusage).cast::<u8>();
        Ok(std::slice::from_raw_parts(p, std::mem::size_of::<libc::rusage>()).to_vec())
    }
}

/// poll(2) on host descriptors: `fds` is (fd, events) pairs; returns revents.
pub fn poll(fds: &[(i32, i16)], timeout_ms: i32) -> HResult<(i64, Vec<i16>)> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    // SAFETY: `p` is a writable array of `p.len()` pollfd structures.
    let r = check(unsafe { libc::poll(p.as_mut_ptr(), p.len() as _, timeout_ms) } as i64)?;
    Ok((r, p.iter().map(|x| x.revents).collect()))
}

/// ppoll(2) on host descriptors with a timeout (None: wait without limit) and
/// no signal mask change: returns the revents of `fds`.
pub fn ppoll(fds: &[(i32, i16)], timeout: Option<std::time::Duration>) -> HResult<Vec<i16>> {
    let mut p: Vec<libc::pollfd> = fds
        .iter()
        .map(|&(fd, events)| libc::pollfd {
            fd,
            events,
            revents: 0,
        })
        .collect();
    let ts = timeout.map(|d| libc::timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as libc::time_t,
        tv_nsec: d.subsec_nanos() as libc::c_long,
    });
    let tp = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `p` is a writable array of `p.len()` pollfd structures, `tp` is
    // null or points at a live timespec, and a null sigmask leaves it unchanged.
    check(unsafe { libc::ppoll(p.as_mut_ptr(), p.len() as _, tp, std::ptr::null()) } as i64)?;
    Ok(p.iter().map(|x| x.revents).collect())
}

/// alarm(2).
pub fn alarm(secs: u32) -> u32 {
    // SAFETY: plain system call on an integer.
    unsafe { libc::alarm(secs) }
}

/// wait4(2): (pid, status).
pub fn wait4(pid: i32, options: i32) -> HResult<(i64, i32)> {
    let mut status = 0i32;
    // SAFETY: `status` is writable; no rusage is requested.
    let r = check(unsafe { libc::wait4(pid, &mut status, options, std::ptr::null_mut()) } as i64)?;
    Ok((r, status))
}

/// fork(2). The emulator is single-threaded, so the child is a complete copy.
pub fn fork() -> HResult<i64> {
    // SAFETY: the process has a single thread; the child continues the emulator loop.
    check(unsafe { libc::fork() } as i64)
}

/// setitimer(2) with raw `struct itimerval` values (four longs on every 64-bit Linux).
pub fn setitimer(which: i32, new: [i64; 4]) -> HResult<[i64; 4]> {
    let tv = |s: i64, us: i64| libc::timeval {
        tv_sec: s,
        tv_usec: us,
    };
    let n = libc::itimerval {
        it_interval: tv(new[0], new[1]),
        it_value: tv(new[2], new[3]),
    };
    // SAFETY: `n` and `o` are valid itimerval structures.
    unsafe {
        let mut o: libc::itimerval = std::mem::zeroed();
        check(libc::setitimer(which as _, &n, &mut o) as i64)?;
        Ok([
            o.it_interval.tv_sec,
            o.it_interval.tv_usec,
            o.it_value.tv_sec,
            o.it_value.tv_usec,
        ])
    }
}

/// getitimer(2).
pub fn getitimer(which: i32) -> HResult<[i64; 4]> {
    // SAFETY: `o` is a writable itimerval.
    unsafe {
        let mut o: libc::itimerval = std::mem::zeroed();
        check(libc::getitimer(which as _, &mut o) as i64)?;
        Ok([
            o.it_interval.tv_sec,
            o.it_interval.tv_usec,
            o.it_value.tv_sec,
            o.it_value.tv_usec,
        ])
    }
}
