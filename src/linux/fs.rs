//! File and descriptor system calls: read/write (and vectored/positional forms),
//! open/close, stat family (e2k `struct stat` layout), descriptor control, pipes,
//! directories and paths. Guest descriptors go through the `FdTable`; guest buffers
//! through `GuestMem` (EFAULT), never host pointers.

use super::blocking::{nanos, Wait, WaitEnd, POLLIN, POLLOUT};
use super::errno::*;
use super::{host, nr, Process, SysResult};
use std::ffi::CString;
use std::time::Duration;

/// Largest single read/write transfer (like the kernel's MAX_RW_COUNT, smaller).
const MAX_IO: u64 = 1 << 26;
const AT_FDCWD: i64 = -100;
const AT_SYMLINK_NOFOLLOW: i64 = 0x100;
const AT_REMOVEDIR: i64 = 0x200;
const AT_EMPTY_PATH: i64 = 0x1000;

/// Guest (generic Linux) open flags and the host's.
const OPEN_FLAGS: [(i64, i32); 17] = [
    (0o1, libc::O_WRONLY),
    (0o2, libc::O_RDWR),
    (0o100, libc::O_CREAT),
    (0o200, libc::O_EXCL),
    (0o400, libc::O_NOCTTY),
    (0o1000, libc::O_TRUNC),
    (0o2000, libc::O_APPEND),
    (0o4000, libc::O_NONBLOCK),
    (0o10000, libc::O_DSYNC),
    (0o20000, libc::O_ASYNC),
    (0o40000, libc::O_DIRECT),
    (0o200000, libc::O_DIRECTORY),
    (0o400000, libc::O_NOFOLLOW),
    (0o1000000, libc::O_NOATIME),
    (0o2000000, libc::O_CLOEXEC),
    (0o4000000, libc::O_SYNC & !libc::O_DSYNC),
    (0o10000000, libc::O_PATH),
];
const GUEST_O_LARGEFILE: i64 = 0o100000;
pub const GUEST_O_CLOEXEC: i64 = 0o2000000;
const GUEST_O_NONBLOCK: i64 = 0o4000;

pub fn open_flags_to_host(g: i64) -> i32 {
    OPEN_FLAGS
        .iter()
        .filter(|(gb, _)| g & gb != 0)
        .fold(0, |h, (_, hb)| h | hb)
}

pub fn open_flags_to_guest(h: i32) -> i64 {
    OPEN_FLAGS
        .iter()
        .filter(|(_, hb)| *hb != 0 && h & hb == *hb)
        .fold(GUEST_O_LARGEFILE, |g, (gb, _)| g | gb)
}

/// e2k `struct stat` (112 bytes, uapi asm/stat.h).
#[allow(clippy::unnecessary_cast)] // field types differ between host architectures
pub fn stat_bytes(st: &libc::stat) -> [u8; 112] {
    fn enc(dev: u64) -> u32 {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
        let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
        ((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12)) as u32
    }
    let mut b = [0u8; 112];
    let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    put(0, &enc(st.st_dev).to_le_bytes());
    put(8, &(st.st_ino as u64).to_le_bytes());
    put(16, &(st.st_mode as u32).to_le_bytes());
    put(20, &(st.st_nlink as u32).to_le_bytes());
    put(24, &st.st_uid.to_le_bytes());
    put(28, &st.st_gid.to_le_bytes());
    put(32, &enc(st.st_rdev).to_le_bytes());
    put(40, &(st.st_size as i64).to_le_bytes());
    put(48, &(st.st_blksize as i64).to_le_bytes());
    put(56, &(st.st_blocks as i64).to_le_bytes());
    put(64, &(st.st_atime as i64).to_le_bytes());
    put(72, &(st.st_atime_nsec as u64).to_le_bytes());
    put(80, &(st.st_mtime as i64).to_le_bytes());
    put(88, &(st.st_mtime_nsec as u64).to_le_bytes());
    put(96, &(st.st_ctime as i64).to_le_bytes());
    put(104, &(st.st_ctime_nsec as u64).to_le_bytes());
    b
}

/// `struct statx` (256 bytes, the same on every architecture) from a host stat.
#[allow(clippy::unnecessary_cast)] // field types differ between host architectures
pub fn statx_bytes(st: &libc::stat) -> [u8; 256] {
    let mut b = [0u8; 256];
    let mut put = |off: usize, v: &[u8]| b[off..off + v.len()].copy_from_slice(v);
    let major = |d: u64| (((d >> 8) & 0xfff) | ((d >> 32) & !0xfff)) as u32;
    let minor = |d: u64| ((d & 0xff) | ((d >> 12) & !0xff)) as u32;
    put(0, &0x7ffu32.to_le_bytes()); // STATX_BASIC_STATS
    put(4, &(st.st_blksize as u32).to_le_bytes());
    put(16, &(st.st_nlink as u32).to_le_bytes());
    put(20, &st.st_uid.to_le_bytes());
    put(24, &st.st_gid.to_le_bytes());
    put(28, &(st.st_mode as u16).to_le_bytes());
    put(32, &(st.st_ino as u64).to_le_bytes());
    put(40, &(st.st_size as u64).to_le_bytes());
    put(48, &(st.st_blocks as u64).to_le_bytes());
    for (off, s, ns) in [
        (64, st.st_atime, st.st_atime_nsec),
        (96, st.st_ctime, st.st_ctime_nsec),
        (112, st.st_mtime, st.st_mtime_nsec),
    ] {
        put(off, &(s as i64).to_le_bytes());
        put(off + 8, &(ns as u32).to_le_bytes());
    }
    put(128, &major(st.st_rdev).to_le_bytes());
    put(132, &minor(st.st_rdev).to_le_bytes());
    put(136, &major(st.st_dev).to_le_bytes());
    put(140, &minor(st.st_dev).to_le_bytes());
    b
}

impl Process {
    /// File-related calls; None when `num` is not one of them.
    pub(crate) fn dispatch_fs(&mut self, num: u32, a: &[u64; 6]) -> Option<SysResult> {
        let i = |k: usize| a[k] as i64;
        Some(match num {
            nr::READ => self.sys_read(i(0), a[1], a[2], None),
            nr::WRITE => self.sys_write(i(0), a[1], a[2], None),
            nr::PREAD64 => self.sys_read(i(0), a[1], a[2], Some(i(3))),
            nr::PWRITE64 => self.sys_write(i(0), a[1], a[2], Some(i(3))),
            nr::READV => self.sys_readv(i(0), a[1], i(2)),
            nr::WRITEV => self.sys_writev(i(0), a[1], i(2)),
            nr::OPEN => self.sys_openat(AT_FDCWD, a[0], i(1), i(2)),
            8 => self.sys_openat(AT_FDCWD, a[0], 0o1101, i(1)), // creat
            nr::OPENAT => self.sys_openat(i(0), a[1], i(2), i(3)),
            nr::CLOSE => self.fds.close(i(0)).map(|_| 0),
            nr::LSEEK => {
                let h = self.fds.host(i(0));
                h.and_then(|h| host::lseek(h, i(1), i(2) as i32))
            }
            nr::STAT | 195 => self.sys_stat(AT_FDCWD, a[0], a[1], 0),
            nr::LSTAT | 196 => self.sys_stat(AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW),
            nr::FSTAT | 197 => self.sys_fstat(i(0), a[1]),
            nr::NEWFSTATAT | nr::FSTATAT64 => self.sys_stat(i(0), a[1], a[2], i(3)),
            nr::STATX => self.sys_statx(i(0), a[1], i(2), a[4]),
            nr::IOCTL => self.sys_ioctl(i(0), a[1], a[2]),
            nr::FCNTL | 221 => self.sys_fcntl(i(0), i(1), a[2]),
            nr::DUP => {
                let h = self.fds.host(i(0));
                h.and_then(host::dup)
                    .and_then(|n| self.fds.alloc(n, 0, false))
                    .map(|g| g as i64)
            }
            nr::DUP2 => self.sys_dup3(i(0), i(1), 0, true),
            nr::DUP3 => self.sys_dup3(i(0), i(1), i(2), false),
            nr::PIPE => self.sys_pipe2(a[0], 0),
            nr::PIPE2 => self.sys_pipe2(a[0], i(1)),
            nr::GETCWD => self.sys_getcwd(a[0], a[1]),
            nr::CHDIR => self.get_path(a[0]).and_then(|p| {
                let p = self.host_path(p);
                host::chdir(&host::cpath(&p)?).map(|_| 0)
            }),
            nr::FCHDIR => self.fds.host(i(0)).and_then(|h| host::fchdir(h).map(|_| 0)),
            nr::ACCESS => self.sys_faccessat(AT_FDCWD, a[0], i(1)),
            nr::FACCESSAT => self.sys_faccessat(i(0), a[1], i(2)),
            nr::READLINK => self.sys_readlinkat(AT_FDCWD, a[0], a[1], a[2]),
            nr::READLINKAT => self.sys_readlinkat(i(0), a[1], a[2], a[3]),
            nr::UNLINK => self.with_path(AT_FDCWD, a[0], |d, p| host::unlinkat(d, p, 0)),
            nr::RMDIR => self.with_path(AT_FDCWD, a[0], |d, p| {
                host::unlinkat(d, p, libc::AT_REMOVEDIR)
            }),
            nr::UNLINKAT => {
                let fl = if i(2) & AT_REMOVEDIR != 0 {
                    libc::AT_REMOVEDIR
                } else {
                    0
                };
                self.with_path(i(0), a[1], |d, p| host::unlinkat(d, p, fl))
            }
            nr::MKDIR => {
                let m = a[1] as u32;
                self.with_path(AT_FDCWD, a[0], |d, p| host::mkdirat(d, p, m))
            }
            nr::MKDIRAT => {
                let m = a[2] as u32;
                self.with_path(i(0), a[1], |d, p| host::mkdirat(d, p, m))
            }
            nr::CHMOD => {
                let m = a[1] as u32;
                self.with_path(AT_FDCWD, a[0], |d, p| host::fchmodat(d, p, m))
            }
            344 => {
                let m = a[2] as u32;
                self.with_path(i(0), a[1], |d, p| host::fchmodat(d, p, m))
            }
            nr::FCHMOD => self
                .fds
                .host(i(0))
                .and_then(|h| host::fchmod(h, a[1] as u32).map(|_| 0)),
            nr::RENAME => self.sys_renameat(AT_FDCWD, a[0], AT_FDCWD, a[1]),
            nr::RENAMEAT => self.sys_renameat(i(0), a[1], i(2), a[3]),
            nr::SYMLINK => self.sys_symlinkat(a[0], AT_FDCWD, a[1]),
            342 => self.sys_symlinkat(a[0], i(1), a[2]),
            nr::LINK => self.sys_linkat(AT_FDCWD, a[0], AT_FDCWD, a[1], 0),
            341 => self.sys_linkat(i(0), a[1], i(2), a[3], i(4)),
            nr::FTRUNCATE => self
                .fds
                .host(i(0))
                .and_then(|h| host::ftruncate(h, i(1)).map(|_| 0)),
            nr::TRUNCATE => self.get_path(a[0]).and_then(|p| {
                let p = self.host_path(p);
                host::truncate(&host::cpath(&p)?, i(1)).map(|_| 0)
            }),
            nr::FSYNC => self
                .fds
                .host(i(0))
                .and_then(|h| host::fsync(h, false).map(|_| 0)),
            nr::FDATASYNC => self
                .fds
                .host(i(0))
                .and_then(|h| host::fsync(h, true).map(|_| 0)),
            nr::GETDENTS64 => self.sys_getdents64(i(0), a[1], a[2]),
            nr::POLL => self.sys_poll(a[0], a[1], i(2)),
            _ => return None,
        })
    }

    /// Applies the `-L` prefix to an absolute guest path when the file exists there.
    pub(crate) fn host_path(&self, p: Vec<u8>) -> Vec<u8> {
        if p == b"/proc/self/exe" {
            return self.exe_path.clone();
        }
        if let (Some(pre), Some(b'/')) = (&self.ld_prefix, p.first()) {
            use std::os::unix::ffi::{OsStrExt, OsStringExt};
            let mut cand = pre.clone().into_os_string().into_vec();
            cand.extend_from_slice(&p);
            if std::path::Path::new(std::ffi::OsStr::from_bytes(&cand)).exists() {
                return cand;
            }
        }
        p
    }

    /// Host directory descriptor for `dirfd` (absolute paths ignore it).
    fn dirfd(&self, dirfd: i64, path: &[u8]) -> Result<i32, i32> {
        if path.first() == Some(&b'/') || dirfd == AT_FDCWD {
            Ok(libc::AT_FDCWD)
        } else {
            self.fds.host(dirfd)
        }
    }

    /// Reads a path, resolves dirfd and calls `f(host_dirfd, path)`.
    fn with_path(
        &mut self,
        dirfd: i64,
        addr: u64,
        f: impl FnOnce(i32, &CString) -> Result<(), i32>,
    ) -> SysResult {
        let p = self.get_path(addr)?;
        let d = self.dirfd(dirfd, &p)?;
        let p = self.host_path(p);
        f(d, &host::cpath(&p)?).map(|_| 0)
    }

    fn sys_read(&mut self, fd: i64, buf: u64, count: u64, off: Option<i64>) -> SysResult {
        let h = self.fds.host(fd)?;
        let count = count.min(MAX_IO);
        self.mem.check_write(buf, count).map_err(|_| EFAULT)?;
        if off.is_none() && count > 0 {
            self.wait_io(fd, h, POLLIN)?;
        }
        let mut v = vec![0u8; count as usize];
        let n = loop {
            let r = match off {
                None => host::read(h, &mut v),
                Some(o) => host::pread(h, &mut v, o),
            };
            match r {
                Err(EINTR) if self.restart_after_eintr() => continue,
                r => break r?,
            }
        };
        self.put(buf, &v[..n as usize])?;
        Ok(n)
    }

    fn sys_write(&mut self, fd: i64, buf: u64, count: u64, off: Option<i64>) -> SysResult {
        let h = self.fds.host(fd)?;
        let v = self.get(buf, count.min(MAX_IO) as usize)?;
        if off.is_none() && !v.is_empty() {
            self.wait_io(fd, h, POLLOUT)?;
        }
        loop {
            let r = match off {
                None => host::write(h, &v),
                Some(o) => host::pwrite(h, &v, o),
            };
            match r {
                Err(EINTR) if self.restart_after_eintr() => continue,
                Err(e) if e == libc::EPIPE => {
                    self.sig.raise(super::signal::SigInfo {
                        signo: 13,
                        pid: self.pid,
                        ..Default::default()
                    });
                    return Err(e);
                }
                r => return r,
            }
        }
    }

    /// Reads an iovec array: (base, len) pairs.
    fn iovecs(&mut self, iov: u64, cnt: i64) -> Result<Vec<(u64, u64)>, i32> {
        if !(0..=1024).contains(&cnt) {
            return Err(EINVAL);
        }
        let b = self.get(iov, cnt as usize * 16)?;
        let mut v = Vec::new();
        let mut total = 0u64;
        for c in b.chunks(16) {
            let base = u64::from_le_bytes(c[..8].try_into().unwrap_or_default());
            let len = u64::from_le_bytes(c[8..].try_into().unwrap_or_default());
            if len > i64::MAX as u64 {
                return Err(EINVAL);
            }
            total = total.saturating_add(len);
            v.push((base, len));
        }
        if total > i64::MAX as u64 {
            return Err(EINVAL);
        }
        Ok(v)
    }

    fn sys_readv(&mut self, fd: i64, iov: u64, cnt: i64) -> SysResult {
        let h = self.fds.host(fd)?;
        let vec = self.iovecs(iov, cnt)?;
        let total: u64 = vec.iter().map(|v| v.1).sum::<u64>().min(MAX_IO);
        for &(b, l) in &vec {
            self.mem.check_write(b, l.min(MAX_IO)).map_err(|_| EFAULT)?;
        }
        if total > 0 {
            self.wait_io(fd, h, POLLIN)?;
        }
        let mut buf = vec![0u8; total as usize];
        let n = host::read(h, &mut buf)? as usize;
        let mut done = 0usize;
        for (b, l) in vec {
            if done >= n {
                break;
            }
            let k = (l as usize).min(n - done);
            self.put(b, &buf[done..done + k])?;
            done += k;
        }
        Ok(n as i64)
    }

    fn sys_writev(&mut self, fd: i64, iov: u64, cnt: i64) -> SysResult {
        let h = self.fds.host(fd)?;
        let vec = self.iovecs(iov, cnt)?;
        let mut buf = Vec::new();
        for (b, l) in vec {
            let l = l.min(MAX_IO - buf.len() as u64);
            buf.extend(self.get(b, l as usize)?);
            if buf.len() as u64 >= MAX_IO {
                break;
            }
        }
        if !buf.is_empty() {
            self.wait_io(fd, h, POLLOUT)?;
        }
        host::write(h, &buf)
    }

    fn sys_openat(&mut self, dirfd: i64, path: u64, flags: i64, mode: i64) -> SysResult {
        let p = self.get_path(path)?;
        let d = self.dirfd(dirfd, &p)?;
        let p = self.host_path(p);
        let hflags = open_flags_to_host(flags) | libc::O_CLOEXEC;
        let h = loop {
            match host::openat(d, &host::cpath(&p)?, hflags, mode as u32 & 0o7777) {
                Err(EINTR) if self.restart_after_eintr() => continue,
                r => break r?,
            }
        };
        self.fds
            .alloc(h, 0, flags & GUEST_O_CLOEXEC != 0)
            .map(|g| g as i64)
    }

    fn sys_stat(&mut self, dirfd: i64, path: u64, buf: u64, flags: i64) -> SysResult {
        let st = self.stat_common(dirfd, path, flags)?;
        self.put(buf, &stat_bytes(&st))
    }

    fn stat_common(&mut self, dirfd: i64, path: u64, flags: i64) -> Result<libc::stat, i32> {
        let p = self.get_path(path)?;
        if p.is_empty() {
            if flags & AT_EMPTY_PATH != 0 {
                let h = if dirfd == AT_FDCWD {
                    libc::AT_FDCWD
                } else {
                    self.fds.host(dirfd)?
                };
                return if h == libc::AT_FDCWD {
                    host::fstatat(h, &host::cpath(b".")?, 0)
                } else {
                    host::fstat(h)
                };
            }
            return Err(ENOENT);
        }
        let d = self.dirfd(dirfd, &p)?;
        let p = self.host_path(p);
        let hf = if flags & AT_SYMLINK_NOFOLLOW != 0 {
            libc::AT_SYMLINK_NOFOLLOW
        } else {
            0
        };
        host::fstatat(d, &host::cpath(&p)?, hf)
    }

    fn sys_fstat(&mut self, fd: i64, buf: u64) -> SysResult {
        let h = self.fds.host(fd)?;
        let st = host::fstat(h)?;
        self.put(buf, &stat_bytes(&st))
    }

    fn sys_statx(&mut self, dirfd: i64, path: u64, flags: i64, buf: u64) -> SysResult {
        let st = self.stat_common(dirfd, path, flags)?;
        self.put(buf, &statx_bytes(&st))
    }

    fn sys_ioctl(&mut self, fd: i64, req: u64, arg: u64) -> SysResult {
        const TCGETS: u64 = 0x5401;
        const TCSETS: u64 = 0x5402;
        const TCSETSF: u64 = 0x5404;
        const TIOCGPGRP: u64 = 0x540f;
        const TIOCSPGRP: u64 = 0x5410;
        const TIOCGWINSZ: u64 = 0x5413;
        const TIOCSWINSZ: u64 = 0x5414;
        const FIONREAD: u64 = 0x541b;
        const FIONBIO: u64 = 0x5421;
        const FIONCLEX: u64 = 0x5450;
        const FIOCLEX: u64 = 0x5451;
        let h = self.fds.host(fd)?;
        // (size of the argument, copied in, copied out)
        let (size, din, dout) = match req {
            TCGETS => (36, false, true),
            TCSETS..=TCSETSF => (36, true, false),
            TIOCGWINSZ => (8, false, true),
            TIOCSWINSZ => (8, true, false),
            TIOCGPGRP | FIONREAD => (4, false, true),
            TIOCSPGRP | FIONBIO => (4, true, false),
            FIOCLEX | FIONCLEX => {
                self.fds.set_cloexec(fd, req == FIOCLEX)?;
                return Ok(0);
            }
            _ => {
                log::info!(target: "e2kemu::unimp", "unsupported ioctl {req:#x} on fd {fd}");
                return Err(ENOTTY);
            }
        };
        let mut buf = if din {
            self.get(arg, size)?
        } else {
            self.mem.check_write(arg, size as u64).map_err(|_| EFAULT)?;
            vec![0u8; size]
        };
        let r = host::ioctl_ptr(h, req, &mut buf)?;
        if dout {
            self.put(arg, &buf)?;
        }
        Ok(r)
    }

    fn sys_fcntl(&mut self, fd: i64, cmd: i64, arg: u64) -> SysResult {
        const F_DUPFD: i64 = 0;
        const F_GETFD: i64 = 1;
        const F_SETFD: i64 = 2;
        const F_GETFL: i64 = 3;
        const F_SETFL: i64 = 4;
        const F_GETLK: i64 = 5;
        const F_SETLKW: i64 = 7;
        const F_DUPFD_CLOEXEC: i64 = 1030;
        let e = self.fds.entry(fd)?;
        match cmd {
            F_DUPFD | F_DUPFD_CLOEXEC => {
                let n = host::dup(e.host)?;
                self.fds
                    .alloc(n, arg as usize, cmd == F_DUPFD_CLOEXEC)
                    .map(|g| g as i64)
            }
            F_GETFD => Ok(e.cloexec as i64),
            F_SETFD => self.fds.set_cloexec(fd, arg & 1 != 0).map(|_| 0),
            F_GETFL => {
                host::fcntl_int(e.host, libc::F_GETFL, 0).map(|f| open_flags_to_guest(f as i32))
            }
            F_SETFL => {
                let f = open_flags_to_host(
                    arg as i64 & (GUEST_O_NONBLOCK | 0o2000 | 0o20000 | 0o40000 | 0o1000000),
                );
                host::fcntl_int(e.host, libc::F_SETFL, f as i64)
            }
            F_GETLK..=F_SETLKW => {
                // struct flock has the same 32-byte layout on every 64-bit Linux
                let mut b = self.get(arg, 32)?;
                let r = host::fcntl_ptr(e.host, cmd as i32, &mut b)?;
                if cmd == F_GETLK {
                    self.put(arg, &b)?;
                }
                Ok(r)
            }
            _ => {
                log::info!(target: "e2kemu::unimp", "unsupported fcntl command {cmd}");
                Err(EINVAL)
            }
        }
    }

    fn sys_dup3(&mut self, old: i64, new: i64, flags: i64, dup2: bool) -> SysResult {
        let h = self.fds.host(old)?;
        if old == new {
            return if dup2 { Ok(new) } else { Err(EINVAL) };
        }
        if flags & !GUEST_O_CLOEXEC != 0 || !(0..super::fdtable::MAX_FDS as i64).contains(&new) {
            return Err(if new < 0 { EBADF } else { EINVAL });
        }
        let n = host::dup(h)?;
        self.fds
            .install_at(new as usize, n, flags & GUEST_O_CLOEXEC != 0)
            .map(|_| new)
    }

    fn sys_pipe2(&mut self, fds: u64, flags: i64) -> SysResult {
        if flags & !(GUEST_O_CLOEXEC | GUEST_O_NONBLOCK | 0o40000) != 0 {
            return Err(EINVAL);
        }
        self.mem.check_write(fds, 8).map_err(|_| EFAULT)?;
        let hf = open_flags_to_host(flags & !GUEST_O_CLOEXEC) | libc::O_CLOEXEC;
        let [r, w] = host::pipe2(hf)?;
        let ce = flags & GUEST_O_CLOEXEC != 0;
        let gr = self.fds.alloc(r, 0, ce);
        let gw = self.fds.alloc(w, 0, ce);
        let (gr, gw) = match (gr, gw) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                if let Ok(a) = a {
                    let _ = self.fds.close(a as i64);
                }
                if let Ok(b) = b {
                    let _ = self.fds.close(b as i64);
                }
                return Err(EMFILE);
            }
        };
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&gr.to_le_bytes());
        b[4..].copy_from_slice(&gw.to_le_bytes());
        self.put(fds, &b)
    }

    fn sys_getcwd(&mut self, buf: u64, size: u64) -> SysResult {
        let mut p = host::getcwd()?;
        p.push(0);
        if (p.len() as u64) > size {
            return Err(ERANGE);
        }
        self.put(buf, &p)?;
        Ok(p.len() as i64)
    }

    fn sys_faccessat(&mut self, dirfd: i64, path: u64, mode: i64) -> SysResult {
        if mode & !7 != 0 {
            return Err(EINVAL);
        }
        self.with_path(dirfd, path, |d, p| host::faccessat(d, p, mode as i32))
    }

    fn sys_readlinkat(&mut self, dirfd: i64, path: u64, buf: u64, size: u64) -> SysResult {
        if (size as i64) <= 0 {
            return Err(EINVAL);
        }
        let p = self.get_path(path)?;
        let target = if p == b"/proc/self/exe" || p == format!("/proc/{}/exe", self.pid).as_bytes()
        {
            self.exe_path.clone()
        } else {
            let d = self.dirfd(dirfd, &p)?;
            let p = self.host_path(p);
            host::readlinkat(d, &host::cpath(&p)?)?
        };
        let n = target.len().min(size as usize);
        self.put(buf, &target[..n])?;
        Ok(n as i64)
    }

    fn sys_renameat(&mut self, od: i64, old: u64, nd: i64, new: u64) -> SysResult {
        let o = self.get_path(old)?;
        let n = self.get_path(new)?;
        let (hod, hnd) = (self.dirfd(od, &o)?, self.dirfd(nd, &n)?);
        let (o, n) = (self.host_path(o), self.host_path(n));
        host::renameat(hod, &host::cpath(&o)?, hnd, &host::cpath(&n)?).map(|_| 0)
    }

    fn sys_symlinkat(&mut self, target: u64, dirfd: i64, path: u64) -> SysResult {
        let t = self.get_path(target)?;
        let t = host::cpath(&t)?;
        self.with_path(dirfd, path, |d, p| host::symlinkat(&t, d, p))
    }

    fn sys_linkat(&mut self, od: i64, old: u64, nd: i64, new: u64, flags: i64) -> SysResult {
        let o = self.get_path(old)?;
        let n = self.get_path(new)?;
        let (hod, hnd) = (self.dirfd(od, &o)?, self.dirfd(nd, &n)?);
        let (o, n) = (self.host_path(o), self.host_path(n));
        let hf = if flags & 0x400 != 0 {
            libc::AT_SYMLINK_FOLLOW
        } else {
            0
        };
        host::linkat(hod, &host::cpath(&o)?, hnd, &host::cpath(&n)?, hf).map(|_| 0)
    }

    fn sys_getdents64(&mut self, fd: i64, buf: u64, count: u64) -> SysResult {
        let h = self.fds.host(fd)?;
        let count = count.min(1 << 20);
        self.mem.check_write(buf, count).map_err(|_| EFAULT)?;
        let mut v = vec![0u8; count as usize];
        let n = host::getdents64(h, &mut v)?;
        self.put(buf, &v[..n as usize])?;
        Ok(n)
    }

    fn sys_poll(&mut self, fds: u64, n: u64, timeout: i64) -> SysResult {
        if n > super::fdtable::MAX_FDS as u64 {
            return Err(EINVAL);
        }
        let raw = self.get(fds, n as usize * 8)?;
        let mut list = Vec::new();
        for c in raw.chunks(8) {
            let g = i32::from_le_bytes(c[..4].try_into().unwrap_or_default());
            let ev = i16::from_le_bytes(c[4..6].try_into().unwrap_or_default());
            // a negative or unknown descriptor is ignored / reported as POLLNVAL
            let h = if g < 0 {
                -1
            } else {
                self.fds.host(g as i64).unwrap_or(-2)
            };
            list.push((h, ev));
        }
        let host_list: Vec<(i32, i16)> = list.iter().map(|&(h, e)| (h.max(-1), e)).collect();
        let nval = list.iter().any(|&(h, _)| h == -2);
        // the timeout left (a resumed call continues with what was left)
        let mut left = match self.resumed() {
            Some(Wait::Poll { left_ns }) => left_ns.map(Duration::from_nanos),
            _ => (timeout >= 0).then(|| Duration::from_millis(timeout as u64)),
        };
        let (r, rev) = loop {
            let (r, rev) = host::poll(&host_list, 0)?;
            if r > 0 || nval || left == Some(Duration::ZERO) {
                break (r, rev);
            }
            match self.wait_for(&host_list, left, false) {
                WaitEnd::Ready(_) => {}
                WaitEnd::Expired => left = Some(Duration::ZERO),
                WaitEnd::Signal(_) => return Err(EINTR),
                WaitEnd::Slice(l) => {
                    return self.block(Wait::Poll {
                        left_ns: l.map(nanos),
                    })
                }
            }
        };
        let mut out = raw.clone();
        let mut extra = 0;
        for (k, c) in out.chunks_mut(8).enumerate() {
            let re = if list[k].0 == -2 {
                extra += 1;
                0x20 // POLLNVAL
            } else {
                rev[k]
            };
            c[6..8].copy_from_slice(&re.to_le_bytes());
        }
        self.put(fds, &out)?;
        Ok(r + extra)
    }

    /// After a host EINTR: restart the call when every signal about to be delivered
    /// asked for SA_RESTART (or none is deliverable).
    pub(crate) fn restart_after_eintr(&mut self) -> bool {
        self.collect_host_signals();
        let ready = self.sig.pending() & !self.sig.blocked;
        (0..64).filter(|i| ready & (1 << i) != 0).all(|i| {
            let a = self.sig.actions[i];
            a.handler == super::signal::SIG_IGN
                || (a.handler > 1 && a.flags & super::signal::SA_RESTART != 0)
        })
    }
}
