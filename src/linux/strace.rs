//! `-strace` output in qemu's format: `PID name(args) = result`, with strings, open
//! flags, mmap protections/flags and signal names decoded, and errors shown as
//! `-1 errno=N NAME (text)`.

use super::{errno, nr, signal};
use crate::mem::GuestMem;

/// Argument kinds per call: i int, x hex, p pointer, s string, f open flags, o octal,
/// r mmap prot, m mmap flags, g signal number.
fn kinds(num: u32) -> Option<&'static str> {
    Some(match num {
        nr::READ | nr::WRITE | nr::PREAD64 | nr::PWRITE64 => "ipi",
        nr::READV | nr::WRITEV => "ipi",
        nr::OPEN => "sfo",
        nr::OPENAT => "isfo",
        nr::CLOSE | nr::DUP | nr::FSYNC | nr::FDATASYNC | nr::FCHDIR => "i",
        nr::EXIT | nr::EXIT_GROUP | nr::UMASK | nr::ALARM => "i",
        nr::STAT | nr::LSTAT => "sp",
        nr::FSTAT => "ip",
        nr::NEWFSTATAT | nr::FSTATAT64 => "ispx",
        nr::STATX => "isxxp",
        nr::LSEEK => "iii",
        nr::MMAP | nr::MMAP2 => "pirmii",
        nr::MUNMAP => "pi",
        nr::MPROTECT => "pir",
        nr::MREMAP => "piixp",
        nr::MADVISE => "pii",
        nr::BRK | nr::UNAME | nr::PIPE | nr::SET_TID_ADDRESS | nr::TIME => "p",
        nr::PIPE2 => "px",
        nr::KILL | nr::TKILL => "ig",
        nr::TGKILL => "iig",
        nr::RT_SIGACTION => "gppi",
        nr::RT_SIGPROCMASK => "ippi",
        nr::SIGALTSTACK => "pp",
        nr::ACCESS | nr::MKDIR | nr::CHMOD => "so",
        nr::FACCESSAT | nr::MKDIRAT => "iso",
        nr::UNLINK | nr::RMDIR | nr::CHDIR => "s",
        nr::UNLINKAT => "isx",
        nr::RENAME | nr::SYMLINK | nr::LINK => "ss",
        nr::READLINK => "spi",
        nr::READLINKAT => "ispi",
        nr::CLOCK_GETTIME | nr::CLOCK_GETRES => "ip",
        nr::GETTIMEOFDAY | nr::NANOSLEEP => "pp",
        nr::CLOCK_NANOSLEEP => "iipp",
        nr::GETRANDOM => "pix",
        nr::IOCTL => "ixp",
        nr::FCNTL => "iix",
        nr::DUP2 => "ii",
        nr::DUP3 => "iix",
        nr::GETCWD => "pi",
        nr::FUTEX => "pxipp",
        nr::PRLIMIT64 => "iipp",
        nr::GETRLIMIT | nr::UGETRLIMIT => "ip",
        nr::ACCESS_HW_STACKS => "ippip",
        nr::WAIT4 => "ipip",
        nr::GETDENTS64 => "ipi",
        nr::GETPID
        | nr::GETTID
        | nr::GETPPID
        | nr::GETUID
        | nr::GETEUID
        | nr::GETGID
        | nr::GETEGID
        | nr::SCHED_YIELD
        | nr::FORK
        | nr::VFORK
        | nr::PAUSE => "",
        _ => return None,
    })
}

fn flags(v: u64, table: &[(u64, &str)], zero: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = v;
    for &(b, n) in table {
        if b != 0 && v & b == b {
            parts.push(n.to_string());
            rest &= !b;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

fn open_flags(v: u64) -> String {
    let acc = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"][(v & 3) as usize];
    let rest = flags(
        v & !3,
        &[
            (0o100, "O_CREAT"),
            (0o200, "O_EXCL"),
            (0o400, "O_NOCTTY"),
            (0o1000, "O_TRUNC"),
            (0o2000, "O_APPEND"),
            (0o4000, "O_NONBLOCK"),
            (0o100000, "O_LARGEFILE"),
            (0o200000, "O_DIRECTORY"),
            (0o400000, "O_NOFOLLOW"),
            (0o2000000, "O_CLOEXEC"),
        ],
        "",
    );
    if rest.is_empty() {
        acc.to_string()
    } else {
        format!("{acc}|{rest}")
    }
}

fn quoted(mem: &mut GuestMem, addr: u64) -> String {
    match mem.read_cstr(addr, 256) {
        Ok(b) => {
            let mut s = String::from("\"");
            for &c in &b {
                match c {
                    b'"' => s.push_str("\\\""),
                    b'\\' => s.push_str("\\\\"),
                    b'\n' => s.push_str("\\n"),
                    b'\t' => s.push_str("\\t"),
                    0x20..=0x7e => s.push(c as char),
                    _ => s.push_str(&format!("\\{c:03o}")),
                }
            }
            s.push('"');
            if b.len() >= 256 {
                s.push_str("...");
            }
            s
        }
        Err(_) => format!("{addr:#x}"),
    }
}

/// `name(args)` for system call `num`.
pub fn format_call(mem: &mut GuestMem, num: u32, a: &[u64; 6]) -> String {
    let Some(name) = nr::name(num) else {
        return format!("Unknown syscall {num}");
    };
    let Some(k) = kinds(num) else {
        let args: Vec<String> = a.iter().map(|v| format!("{v:#x}")).collect();
        return format!("{name}({})", args.join(","));
    };
    let args: Vec<String> = k
        .chars()
        .zip(a.iter())
        .map(|(c, &v)| match c {
            'i' => (v as i64 as i32).to_string(),
            'x' => format!("{v:#x}"),
            'p' if v == 0 => "NULL".to_string(),
            'p' => format!("{v:#x}"),
            's' => quoted(mem, v),
            'f' => open_flags(v),
            'o' => format!("{v:#o}"),
            'r' => flags(
                v,
                &[(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")],
                "PROT_NONE",
            ),
            'm' => flags(
                v,
                &[
                    (1, "MAP_SHARED"),
                    (2, "MAP_PRIVATE"),
                    (0x10, "MAP_ANONYMOUS"),
                    (0x100, "MAP_FIXED"),
                    (0x1000, "MAP_GROWSDOWN"),
                    (0x40_0000, "MAP_FIXED_NOREPLACE"),
                ],
                "0",
            ),
            'g' => signal::name(v as i32).to_string(),
            _ => format!("{v:#x}"),
        })
        .collect();
    format!("{name}({})", args.join(","))
}

/// The text after ` = ` for a result.
pub fn format_result(num: u32, v: i64) -> String {
    if (-4095..0).contains(&v) {
        let e = (-v) as i32;
        return format!("-1 errno={e} {} ({})", errno::name(e), errno::message(e));
    }
    match num {
        nr::MMAP | nr::MMAP2 | nr::BRK | nr::MREMAP => format!("{v:#x}"),
        _ => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results() {
        assert_eq!(format_result(nr::WRITE, 12), "12");
        assert_eq!(format_result(nr::MMAP, 0x1000), "0x1000");
        assert!(format_result(nr::CLOSE, -9).starts_with("-1 errno=9 EBADF (Bad file descriptor"));
        assert_eq!(open_flags(0o1101), "O_WRONLY|O_CREAT|O_TRUNC");
    }
}
