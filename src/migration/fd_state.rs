//! The guest descriptor table across a migration: standard streams continue on the
//! destination's own stdin/stdout/stderr, regular files, directories and devices
//! are reopened by path with their flags and offset, and anything else (pipes,
//! sockets, deleted files, anonymous inodes) blocks the migration with a reason.

use super::wire::{DResult, Dec, Enc};
use crate::linux::fdtable::FdTable;
use crate::linux::host;
use std::fs::Metadata;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::os::unix::io::IntoRawFd;

/// How one guest descriptor moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdKind {
    /// the emulator's own standard stream `n`
    Std(u8),
    /// reopened by absolute path with open flags and offset
    Path {
        path: Vec<u8>,
        flags: i32,
        offset: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdDesc {
    pub guest: u32,
    pub cloexec: bool,
    pub kind: FdKind,
}

fn meta(fd: i32) -> Option<Metadata> {
    std::fs::metadata(format!("/proc/self/fd/{fd}")).ok()
}

fn link(fd: i32) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    std::fs::read_link(format!("/proc/self/fd/{fd}"))
        .map(|p| p.as_os_str().as_bytes().to_vec())
        .unwrap_or_default()
}

/// Which standard stream of the emulator `m` is the same file as.
fn same_as_std(m: &Metadata) -> Option<u8> {
    (0..3u8).find(|&s| meta(s as i32).is_some_and(|sm| sm.dev() == m.dev() && sm.ino() == m.ino()))
}

/// Classifies one guest descriptor; Err is the reason it cannot move.
fn classify(guest: usize, host_fd: i32) -> Result<FdKind, String> {
    if (0..3).contains(&host_fd) {
        return Ok(FdKind::Std(host_fd as u8));
    }
    let m = meta(host_fd).ok_or_else(|| format!("guest fd {guest} cannot be inspected"))?;
    let ft = m.file_type();
    let target = link(host_fd);
    let shown = String::from_utf8_lossy(&target).into_owned();
    if let Some(s) = same_as_std(&m) {
        if !ft.is_file() && !ft.is_dir() {
            return Ok(FdKind::Std(s));
        }
    }
    let what = if ft.is_fifo() {
        Some("a pipe")
    } else if ft.is_socket() {
        Some("a socket")
    } else if !target.starts_with(b"/") {
        Some("not a file with a path")
    } else if target.ends_with(b" (deleted)") {
        Some("a deleted file")
    } else {
        None
    };
    if let Some(w) = what {
        return Err(format!(
            "guest fd {guest} ({shown}) is {w} and cannot be migrated"
        ));
    }
    let flags = host::fcntl_int(host_fd, libc::F_GETFL, 0)
        .map_err(|_| format!("guest fd {guest} ({shown}) cannot be inspected"))?
        as i32;
    let offset = if ft.is_file() || ft.is_dir() {
        host::lseek(host_fd, 0, libc::SEEK_CUR).unwrap_or(0)
    } else {
        0
    };
    let keep =
        libc::O_ACCMODE | libc::O_APPEND | libc::O_NONBLOCK | libc::O_DIRECTORY | libc::O_SYNC;
    Ok(FdKind::Path {
        path: target,
        flags: flags & keep,
        offset,
    })
}

/// Reasons why the descriptor table cannot be migrated (empty: it can).
pub fn blockers(fds: &FdTable) -> Vec<String> {
    fds.iter()
        .filter_map(|(g, e)| classify(g, e.host).err())
        .collect()
}

/// Describes every guest descriptor; Err is the first blocker.
pub fn capture(fds: &FdTable) -> Result<Vec<FdDesc>, String> {
    fds.iter()
        .map(|(g, e)| {
            Ok(FdDesc {
                guest: g as u32,
                cloexec: e.cloexec,
                kind: classify(g, e.host)?,
            })
        })
        .collect()
}

pub fn encode(v: &[FdDesc]) -> Vec<u8> {
    let mut e = Enc::new();
    e.u32(v.len() as u32);
    for d in v {
        e.u32(d.guest).bool(d.cloexec);
        match &d.kind {
            FdKind::Std(n) => {
                e.u8(0).u8(*n);
            }
            FdKind::Path {
                path,
                flags,
                offset,
            } => {
                e.u8(1).bytes(path).u32(*flags as u32).i64(*offset);
            }
        }
    }
    e.buf
}

pub fn decode(p: &[u8]) -> DResult<Vec<FdDesc>> {
    let mut d = Dec::new(p, "file descriptors");
    let n = d.count(7)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let guest = d.u32()?;
        if guest as usize >= crate::linux::fdtable::MAX_FDS {
            return Err(format!("file descriptors section: bad descriptor {guest}"));
        }
        let cloexec = d.bool()?;
        let kind = match d.u8()? {
            0 => {
                let n = d.u8()?;
                if n > 2 {
                    return Err(format!("file descriptors section: bad standard stream {n}"));
                }
                FdKind::Std(n)
            }
            1 => FdKind::Path {
                path: d.bytes()?.to_vec(),
                flags: d.u32()? as i32,
                offset: d.i64()?,
            },
            k => return Err(format!("file descriptors section: bad kind {k}")),
        };
        v.push(FdDesc {
            guest,
            cloexec,
            kind,
        });
    }
    d.finish()?;
    Ok(v)
}

/// Rebuilds a descriptor table on the destination; Err names the descriptor
/// that could not be reopened.
pub fn restore(v: &[FdDesc]) -> Result<FdTable, String> {
    use std::os::unix::ffi::OsStrExt;
    let mut t = FdTable::with_std();
    // drop the standard streams the guest had closed
    for s in 0..3i64 {
        if !v.iter().any(|d| d.guest as i64 == s) {
            let _ = t.close(s);
        }
    }
    for d in v {
        match &d.kind {
            FdKind::Std(n) if d.guest == *n as u32 => {
                if t.host(d.guest as i64).is_err() {
                    return Err(format!(
                        "guest fd {} needs this emulator's standard stream {n}, which is closed",
                        d.guest
                    ));
                }
                if d.cloexec {
                    let _ = t.set_cloexec(d.guest as i64, true);
                }
            }
            FdKind::Std(n) => {
                let h = host::dup(*n as i32).map_err(|e| {
                    format!(
                        "guest fd {}: cannot duplicate standard stream {n}: {}",
                        d.guest,
                        super::transport::strerror(e)
                    )
                })?;
                t.install_at(d.guest as usize, h, d.cloexec)
                    .map_err(|_| format!("guest fd {}: cannot install", d.guest))?;
            }
            FdKind::Path {
                path,
                flags,
                offset,
            } => {
                let p = std::path::Path::new(std::ffi::OsStr::from_bytes(path));
                let acc = flags & libc::O_ACCMODE;
                let mut o = std::fs::OpenOptions::new();
                o.read(acc == libc::O_RDONLY || acc == libc::O_RDWR)
                    .write(acc == libc::O_WRONLY || acc == libc::O_RDWR)
                    .custom_flags(flags & !libc::O_ACCMODE);
                let f = o.open(p).map_err(|e| {
                    format!(
                        "cannot reopen guest fd {} ({}): {}",
                        d.guest,
                        p.display(),
                        super::transport::io_error_text(&e)
                    )
                })?;
                let h = f.into_raw_fd();
                if *offset != 0 {
                    host::lseek(h, *offset, libc::SEEK_SET).map_err(|e| {
                        format!(
                            "cannot seek guest fd {} ({}) to {offset}: {}",
                            d.guest,
                            p.display(),
                            super::transport::strerror(e)
                        )
                    })?;
                }
                t.install_at(d.guest as usize, h, d.cloexec)
                    .map_err(|_| format!("guest fd {}: cannot install", d.guest))?;
            }
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_roundtrip() {
        let v = vec![
            FdDesc {
                guest: 1,
                cloexec: false,
                kind: FdKind::Std(1),
            },
            FdDesc {
                guest: 7,
                cloexec: true,
                kind: FdKind::Path {
                    path: b"/etc/hostname".to_vec(),
                    flags: 0,
                    offset: 3,
                },
            },
        ];
        assert_eq!(decode(&encode(&v)).unwrap(), v);
    }

    #[test]
    fn sockets_block() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        use std::os::fd::AsRawFd;
        let e = classify(5, a.as_raw_fd()).unwrap_err();
        assert!(e.contains("guest fd 5") && e.contains("is a socket"), "{e}");
    }
}
