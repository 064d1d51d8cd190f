//! e2k Linux system call numbers (facts from the e2k kernel ABI, `syscall_nr.h`:
//! classic i386-like numbering plus e2k additions) and their names for `-strace`.

/// Number of entries in the e2k system call table.
pub const NR_SYSCALLS: u32 = 431;

pub const EXIT: u32 = 1;
pub const READ: u32 = 3;
pub const WRITE: u32 = 4;
pub const OPEN: u32 = 5;
pub const CLOSE: u32 = 6;
pub const UNLINK: u32 = 10;
pub const CHDIR: u32 = 12;
pub const LSEEK: u32 = 19;
pub const GETPID: u32 = 20;
pub const ACCESS: u32 = 33;
pub const KILL: u32 = 37;
pub const MKDIR: u32 = 39;
pub const RMDIR: u32 = 40;
pub const DUP: u32 = 41;
pub const PIPE: u32 = 42;
pub const BRK: u32 = 45;
pub const GETGID: u32 = 47;
pub const GETEUID: u32 = 49;
pub const GETEGID: u32 = 50;
pub const IOCTL: u32 = 54;
pub const FCNTL: u32 = 55;
pub const DUP2: u32 = 63;
pub const GETPPID: u32 = 64;
pub const GETUID: u32 = 24;
pub const GETRLIMIT: u32 = 76;
pub const GETTIMEOFDAY: u32 = 78;
pub const READLINK: u32 = 85;
pub const MMAP: u32 = 90;
pub const MUNMAP: u32 = 91;
pub const STAT: u32 = 106;
pub const LSTAT: u32 = 107;
pub const FSTAT: u32 = 108;
pub const UNAME: u32 = 122;
pub const MPROTECT: u32 = 125;
pub const READV: u32 = 145;
pub const WRITEV: u32 = 146;
pub const SCHED_YIELD: u32 = 158;
pub const NANOSLEEP: u32 = 162;
pub const MREMAP: u32 = 163;
pub const RT_SIGRETURN: u32 = 173;
pub const RT_SIGACTION: u32 = 174;
pub const RT_SIGPROCMASK: u32 = 175;
pub const RT_SIGPENDING: u32 = 176;
pub const RT_SIGSUSPEND: u32 = 179;
pub const PREAD64: u32 = 180;
pub const PWRITE64: u32 = 181;
pub const GETCWD: u32 = 183;
pub const SIGALTSTACK: u32 = 186;
pub const UGETRLIMIT: u32 = 191;
pub const GETTID: u32 = 244;
pub const TKILL: u32 = 246;
pub const FUTEX: u32 = 248;
pub const PIPE2: u32 = 251;
pub const SET_BACKTRACE: u32 = 252;
pub const GET_BACKTRACE: u32 = 253;
pub const ACCESS_HW_STACKS: u32 = 254;
pub const SET_TID_ADDRESS: u32 = 259;
pub const CLOCK_GETTIME: u32 = 267;
pub const CLOCK_GETRES: u32 = 268;
pub const CLOCK_NANOSLEEP: u32 = 269;
pub const EXIT_GROUP: u32 = 300;
pub const TGKILL: u32 = 308;
pub const OPENAT: u32 = 335;
pub const MKDIRAT: u32 = 336;
pub const UNLINKAT: u32 = 339;
pub const READLINKAT: u32 = 343;
pub const FACCESSAT: u32 = 345;
pub const DUP3: u32 = 358;
pub const PRLIMIT64: u32 = 375;
pub const GETRANDOM: u32 = 385;
pub const STATX: u32 = 402;
pub const NEWFSTATAT: u32 = 224;
pub const SIGRETURN: u32 = 119;
pub const UMASK: u32 = 60;
pub const GETPGRP: u32 = 65;
pub const GETPGID: u32 = 132;
pub const GETSID: u32 = 147;
pub const SETPGID: u32 = 57;
pub const SETSID: u32 = 66;
pub const SYSINFO: u32 = 116;
pub const TIMES: u32 = 43;
pub const TIME: u32 = 13;
pub const RENAME: u32 = 38;
pub const RENAMEAT: u32 = 340;
pub const FSYNC: u32 = 118;
pub const FDATASYNC: u32 = 148;
pub const MADVISE: u32 = 219;
pub const FTRUNCATE: u32 = 93;
pub const TRUNCATE: u32 = 92;
pub const GETDENTS64: u32 = 220;
pub const SET_ROBUST_LIST: u32 = 366;
pub const GET_ROBUST_LIST: u32 = 365;
pub const RT_SIGTIMEDWAIT: u32 = 177;
pub const RT_SIGQUEUEINFO: u32 = 178;
pub const GETRESUID: u32 = 165;
pub const GETRESGID: u32 = 171;
pub const GETCPU: u32 = 327;
pub const SCHED_GETAFFINITY: u32 = 250;
pub const GETRUSAGE: u32 = 77;
pub const E2K_LONGJMP2: u32 = 230;
pub const FCHDIR: u32 = 133;
pub const FCHMOD: u32 = 94;
pub const CHMOD: u32 = 15;
pub const SYMLINK: u32 = 83;
pub const LINK: u32 = 9;
pub const POLL: u32 = 168;
pub const PPOLL: u32 = 368;
pub const PSELECT6: u32 = 367;
pub const SELECT: u32 = 82;
pub const LLSEEK: u32 = 140;
pub const MMAP2: u32 = 192;
pub const FSTATAT64: u32 = 361;
pub const STAT64: u32 = 195;
pub const LSTAT64: u32 = 196;
pub const FSTAT64: u32 = 197;
pub const SIGPROCMASK: u32 = 126;
pub const RT_TGSIGQUEUEINFO: u32 = 334;
pub const SETITIMER: u32 = 104;
pub const GETITIMER: u32 = 105;
pub const ALARM: u32 = 27;
pub const PAUSE: u32 = 29;
pub const PRCTL: u32 = 172;
pub const PERSONALITY: u32 = 136;
pub const MEMBARRIER: u32 = 390;
pub const CLONE: u32 = 120;
pub const CLONE3: u32 = 426;
pub const FORK: u32 = 2;
pub const VFORK: u32 = 190;
pub const EXECVE: u32 = 11;
pub const WAIT4: u32 = 114;
pub const E2K_SYSWORK: u32 = 228;

/// Fast system calls (trap entry 6).
pub const FAST_GETTIMEOFDAY: u32 = 0;
pub const FAST_CLOCK_GETTIME: u32 = 1;
pub const FAST_GETCPU: u32 = 2;
pub const FAST_SIGGETMASK: u32 = 3;
pub const FAST_GETCONTEXT: u32 = 4;
pub const FAST_SET_RETURN: u32 = 5;

/// System call names indexed by number ("" for unassigned numbers).
pub const NAMES: [&str; NR_SYSCALLS as usize] = [
    "restart_syscall",
    "exit",
    "fork",
    "read",
    "write",
    "open",
    "close",
    "waitpid",
    "creat",
    "link",
    "unlink",
    "execve",
    "chdir",
    "time",
    "mknod",
    "chmod",
    "lchown",
    "break",
    "oldstat",
    "lseek",
    "getpid",
    "mount",
    "umount",
    "setuid",
    "getuid",
    "stime",
    "ptrace",
    "alarm",
    "oldfstat",
    "pause",
    "utime",
    "stty",
    "gtty",
    "access",
    "nice",
    "ftime",
    "sync",
    "kill",
    "rename",
    "mkdir",
    "rmdir",
    "dup",
    "pipe",
    "times",
    "prof",
    "brk",
    "setgid",
    "getgid",
    "signal",
    "geteuid",
    "getegid",
    "acct",
    "umount2",
    "lock",
    "ioctl",
    "fcntl",
    "mpx",
    "setpgid",
    "ulimit",
    "oldolduname",
    "umask",
    "chroot",
    "ustat",
    "dup2",
    "getppid",
    "getpgrp",
    "setsid",
    "sigaction",
    "sgetmask",
    "ssetmask",
    "setreuid",
    "setregid",
    "sigsuspend",
    "sigpending",
    "sethostname",
    "setrlimit",
    "getrlimit",
    "getrusage",
    "gettimeofday",
    "settimeofday",
    "getgroups",
    "setgroups",
    "select",
    "symlink",
    "oldlstat",
    "readlink",
    "uselib",
    "swapon",
    "reboot",
    "readdir",
    "mmap",
    "munmap",
    "truncate",
    "ftruncate",
    "fchmod",
    "fchown",
    "getpriority",
    "setpriority",
    "profil",
    "statfs",
    "fstatfs",
    "ioperm",
    "socketcall",
    "syslog",
    "setitimer",
    "getitimer",
    "stat",
    "lstat",
    "fstat",
    "olduname",
    "iopl",
    "vhangup",
    "idle",
    "vm86old",
    "wait4",
    "swapoff",
    "sysinfo",
    "ipc",
    "fsync",
    "sigreturn",
    "clone",
    "setdomainname",
    "uname",
    "modify_ldt",
    "adjtimex",
    "mprotect",
    "sigprocmask",
    "create_module",
    "init_module",
    "delete_module",
    "get_kernel_syms",
    "quotactl",
    "getpgid",
    "fchdir",
    "bdflush",
    "sysfs",
    "personality",
    "afs_syscall",
    "setfsuid",
    "setfsgid",
    "_llseek",
    "getdents",
    "_newselect",
    "flock",
    "msync",
    "readv",
    "writev",
    "getsid",
    "fdatasync",
    "_sysctl",
    "mlock",
    "munlock",
    "mlockall",
    "munlockall",
    "sched_setparam",
    "sched_getparam",
    "sched_setscheduler",
    "sched_getscheduler",
    "sched_yield",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_rr_get_interval",
    "nanosleep",
    "mremap",
    "setresuid",
    "getresuid",
    "vm86",
    "query_module",
    "poll",
    "nfsservctl",
    "setresgid",
    "getresgid",
    "prctl",
    "rt_sigreturn",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigpending",
    "rt_sigtimedwait",
    "rt_sigqueueinfo",
    "rt_sigsuspend",
    "pread64",
    "pwrite64",
    "chown",
    "getcwd",
    "capget",
    "capset",
    "sigaltstack",
    "sendfile",
    "getpmsg",
    "putpmsg",
    "vfork",
    "ugetrlimit",
    "mmap2",
    "truncate64",
    "ftruncate64",
    "stat64",
    "lstat64",
    "fstat64",
    "lchown32",
    "getuid32",
    "getgid32",
    "geteuid32",
    "getegid32",
    "setreuid32",
    "setregid32",
    "getgroups32",
    "setgroups32",
    "fchown32",
    "setresuid32",
    "getresuid32",
    "setresgid32",
    "getresgid32",
    "chown32",
    "setuid32",
    "setgid32",
    "setfsuid32",
    "setfsgid32",
    "pivot_root",
    "mincore",
    "madvise",
    "getdents64",
    "fcntl64",
    "core",
    "macctl",
    "newfstatat",
    "emergency",
    "e2k_sigsetjmp",
    "e2k_longjmp",
    "e2k_syswork",
    "clone2",
    "e2k_longjmp2",
    "soft_debug",
    "setxattr",
    "lsetxattr",
    "fsetxattr",
    "getxattr",
    "lgetxattr",
    "fgetxattr",
    "listxattr",
    "llistxattr",
    "flistxattr",
    "removexattr",
    "lremovexattr",
    "fremovexattr",
    "gettid",
    "readahead",
    "tkill",
    "sendfile64",
    "futex",
    "sched_setaffinity",
    "sched_getaffinity",
    "pipe2",
    "set_backtrace",
    "get_backtrace",
    "access_hw_stacks",
    "el_posix",
    "",
    "",
    "",
    "set_tid_address",
    "el_binary",
    "timer_create",
    "timer_settime",
    "timer_gettime",
    "timer_getoverrun",
    "timer_delete",
    "clock_settime",
    "clock_gettime",
    "clock_getres",
    "clock_nanosleep",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "sched_setattr",
    "sched_getattr",
    "ioprio_set",
    "ioprio_get",
    "inotify_init",
    "inotify_add_watch",
    "inotify_rm_watch",
    "io_setup",
    "io_destroy",
    "io_getevents",
    "io_submit",
    "io_cancel",
    "fadvise64",
    "exit_group",
    "lookup_dcookie",
    "epoll_create",
    "epoll_ctl",
    "epoll_wait",
    "remap_file_pages",
    "statfs64",
    "fstatfs64",
    "tgkill",
    "utimes",
    "fadvise64_64",
    "vserver",
    "mbind",
    "get_mempolicy",
    "set_mempolicy",
    "mq_open",
    "mq_unlink",
    "mq_timedsend",
    "mq_timedreceive",
    "mq_notify",
    "mq_getsetattr",
    "kexec_load",
    "waitid",
    "add_key",
    "request_key",
    "keyctl",
    "mcst_rt",
    "getcpu",
    "move_pages",
    "splice",
    "vmsplice",
    "tee",
    "migrate_pages",
    "utimensat",
    "rt_tgsigqueueinfo",
    "openat",
    "mkdirat",
    "mknodat",
    "fchownat",
    "unlinkat",
    "renameat",
    "linkat",
    "symlinkat",
    "readlinkat",
    "fchmodat",
    "faccessat",
    "epoll_pwait",
    "signalfd4",
    "eventfd2",
    "recvmmsg",
    "cnt_point",
    "timerfd_create",
    "timerfd_settime",
    "timerfd_gettime",
    "preadv",
    "pwritev",
    "fallocate",
    "sync_file_range",
    "dup3",
    "inotify_init1",
    "epoll_create1",
    "fstatat64",
    "futimesat",
    "perf_event_open",
    "unshare",
    "get_robust_list",
    "set_robust_list",
    "pselect6",
    "ppoll",
    "setcontext",
    "makecontext",
    "swapcontext",
    "freecontext",
    "fanotify_init",
    "fanotify_mark",
    "prlimit64",
    "clock_adjtime",
    "syncfs",
    "sendmmsg",
    "setns",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "finit_module",
    "renameat2",
    "getrandom",
    "memfd_create",
    "bpf",
    "execveat",
    "userfaultfd",
    "membarrier",
    "mlock2",
    "seccomp",
    "shutdown",
    "copy_file_range",
    "preadv2",
    "pwritev2",
    "pkey_mprotect",
    "pkey_alloc",
    "pkey_free",
    "name_to_handle_at",
    "open_by_handle_at",
    "statx",
    "socket",
    "connect",
    "accept",
    "sendto",
    "recvfrom",
    "sendmsg",
    "recvmsg",
    "bind",
    "listen",
    "getsockname",
    "getpeername",
    "socketpair",
    "setsockopt",
    "getsockopt",
    "",
    "",
    "",
    "newuselib",
    "rt_sigaction_ex",
    "get_mem",
    "free_mem",
    "clean_descriptors",
    "unuselib",
    "clone3",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
];

/// Name of system call `nr` (None if unassigned).
pub fn name(nr: u32) -> Option<&'static str> {
    NAMES.get(nr as usize).copied().filter(|s| !s.is_empty())
}
