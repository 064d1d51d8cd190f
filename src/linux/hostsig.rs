//! Host signals: asynchronous signals (SIGINT, SIGTERM, SIGALRM, ...) mirror the
//! guest's disposition on the host: a guest handler becomes a host handler that
//! records the signal for delivery at the next bundle boundary, SIG_IGN/SIG_DFL are
//! installed as such. The handler also writes a byte to a wake-up pipe, so a
//! guest waiting in a system call (`poll` on its descriptor plus the pipe) wakes
//! up whichever emulator thread the signal hit. Also the emulator's own death by
//! a guest's fatal signal.

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

static PENDING: AtomicU64 = AtomicU64::new(0);
/// The wake-up pipe (read and write ends; -1 until created).
static WAKE_R: AtomicI32 = AtomicI32::new(-1);
static WAKE_W: AtomicI32 = AtomicI32::new(-1);

extern "C" fn on_signal(sig: libc::c_int) {
    if (1..=64).contains(&sig) {
        PENDING.fetch_or(1u64 << (sig - 1), Ordering::SeqCst);
    }
    let w = WAKE_W.load(Ordering::SeqCst);
    if w >= 0 {
        // SAFETY: write(2) and errno access are async-signal-safe; errno is
        // restored so the interrupted code sees its own value. A full pipe
        // (EAGAIN) already holds a wake-up byte.
        unsafe {
            let e = *libc::__errno_location();
            let b = 1u8;
            libc::write(w, (&b as *const u8).cast(), 1);
            *libc::__errno_location() = e;
        }
    }
}

/// Signals that arrived since the last call (bit `sig-1`).
pub fn take() -> u64 {
    PENDING.swap(0, Ordering::SeqCst)
}

/// True when a forwarded host signal is waiting.
pub fn any_pending() -> bool {
    PENDING.load(Ordering::SeqCst) != 0
}

fn new_pipe() -> Option<(i32, i32)> {
    let mut fds = [0i32; 2];
    // SAFETY: `fds` is a writable array of two ints.
    let r = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    (r == 0).then_some((fds[0], fds[1]))
}

/// Creates the wake-up pipe if it does not exist yet.
fn ensure_wake_pipe() {
    if WAKE_R.load(Ordering::SeqCst) >= 0 {
        return;
    }
    if let Some((r, w)) = new_pipe() {
        if WAKE_R
            .compare_exchange(-1, r, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            WAKE_W.store(w, Ordering::SeqCst);
        } else {
            // SAFETY: closing the two descriptors we just created.
            unsafe {
                libc::close(r);
                libc::close(w);
            }
        }
    }
}

/// The read end of the wake-up pipe: readable once a forwarded signal arrived
/// (None when no pipe could be made; waits are then bounded by their slices).
pub fn wake_fd() -> Option<i32> {
    ensure_wake_pipe();
    let r = WAKE_R.load(Ordering::SeqCst);
    (r >= 0).then_some(r)
}

/// Empties the wake-up pipe (the signals themselves are in `take`).
pub fn drain() {
    let r = WAKE_R.load(Ordering::SeqCst);
    if r < 0 {
        return;
    }
    let mut buf = [0u8; 64];
    // SAFETY: reading into a local buffer from our own non-blocking pipe.
    while unsafe { libc::read(r, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
}

/// In a forked child: a wake-up pipe of its own (a shared one would let parent
/// and child steal each other's wake-ups).
pub fn after_fork() {
    let (old_r, old_w) = (WAKE_R.load(Ordering::SeqCst), WAKE_W.load(Ordering::SeqCst));
    if old_r < 0 {
        return;
    }
    match new_pipe() {
        Some((r, w)) => {
            WAKE_W.store(w, Ordering::SeqCst);
            WAKE_R.store(r, Ordering::SeqCst);
        }
        None => {
            WAKE_W.store(-1, Ordering::SeqCst);
            WAKE_R.store(-1, Ordering::SeqCst);
        }
    }
    // SAFETY: closing the inherited copies of the parent's pipe.
    unsafe {
        libc::close(old_r);
        libc::close(old_w);
    }
}

/// Synchronous signals are the emulator's own business and never forwarded.
fn forwardable(sig: i32) -> bool {
    (1..=64).contains(&sig) && !matches!(sig, 4 | 5 | 7 | 8 | 9 | 11 | 19)
}

/// Mirrors a guest disposition (0 = SIG_DFL, 1 = SIG_IGN, else a handler).
pub fn mirror(sig: i32, handler: u64) {
    if !forwardable(sig) {
        return;
    }
    let h: libc::sighandler_t = match handler {
        0 => libc::SIG_DFL,
        1 => libc::SIG_IGN,
        _ => {
            ensure_wake_pipe();
            on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t
        }
    };
    // SAFETY: `act` is fully initialised; the handler only touches an atomic, which is
    // async-signal-safe. Failures (e.g. for signals the C library reserves) are ignored.
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = h;
        act.sa_flags = 0; // no SA_RESTART: blocking host calls return EINTR
        libc::sigemptyset(&mut act.sa_mask);
        libc::sigaction(sig, &act, std::ptr::null_mut());
    }
}

/// Default action "stop" of a guest signal: stop the emulator itself.
pub fn stop_self() {
    // SAFETY: raising a signal at ourselves.
    unsafe {
        libc::raise(libc::SIGSTOP);
    }
}

/// Ends the emulator the way the guest died: by signal `sig` with the default
/// action, so the parent sees WIFSIGNALED; no host core file is written. Falls back
/// to exit status 128+sig.
pub fn die_by_signal(sig: i32) -> ! {
    // SAFETY: we only change our own limits, dispositions and mask, then raise.
    unsafe {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        libc::setrlimit(libc::RLIMIT_CORE, &zero);
        if (1..=64).contains(&sig) {
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(sig);
        }
    }
    std::process::exit(128 + (sig & 0x7f))
}
