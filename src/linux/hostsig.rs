//! Host signals: asynchronous signals (SIGINT, SIGTERM, SIGALRM, ...) mirror the
//! guest's disposition on the host: a guest handler becomes a host handler that
//! records the signal for delivery at the next bundle boundary, SIG_IGN/SIG_DFL are
//! installed as such. Also the emulator's own death by a guest's fatal signal.

use std::sync::atomic::{AtomicU64, Ordering};

static PENDING: AtomicU64 = AtomicU64::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    if (1..=64).contains(&sig) {
        PENDING.fetch_or(1u64 << (sig - 1), Ordering::SeqCst);
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
        _ => on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t,
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

/// Waits until a forwarded host signal arrives (pause(2) semantics for the guest).
pub fn wait_for_signal() {
    if any_pending() {
        return;
    }
    // SAFETY: pause has no arguments; it returns when a signal handler ran.
    unsafe {
        libc::pause();
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
