//! System calls that wait: read/write on a descriptor that is not ready, poll,
//! nanosleep, pause, rt_sigsuspend, futex and wait4. A call waits at most one
//! slice (`Process::wait_slice`) at a time, so a monitor keeps control of the
//! CPU thread while the guest sleeps. A call that is not done when its slice
//! ends leaves a `Blocked` record and no result; the run loop makes the call
//! again later (its arguments are still in the unchanged registers) with the
//! record as resume state, so the guest sees one call with its usual result.
//! The record moves with a migration: the destination continues the call the
//! same way, like a restarted system call.
//!
//! Waits poll the host descriptors together with the wake-up pipe of
//! `hostsig`, so a host signal for the guest ends them at once.

use super::errno::*;
use super::{host, hostsig, Process};
use std::time::{Duration, Instant};

/// Internal error value of a handler that stopped waiting for this slice
/// (never reaches the guest).
pub(crate) const EBLOCKED: i32 = 0x7fff_0001;

/// Longest single host wait (callers loop).
const MAX_POLL: Duration = Duration::from_secs(3600);

pub const POLLIN: i16 = 0x1;
pub const POLLOUT: i16 = 0x4;

/// What a blocked call waits for, with the state it continues from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wait {
    /// guest descriptor `fd` to become ready for `events` (POLLIN/POLLOUT)
    Fd { fd: i32, events: i16 },
    /// a relative sleep with `left_ns` nanoseconds of running time left
    Sleep { left_ns: u64 },
    /// an absolute deadline (read from the call's arguments again)
    Deadline,
    /// a signal the guest will see (pause, rt_sigsuspend, futex without timeout)
    Signal,
    /// poll(2) with `left_ns` of its timeout left (None: no timeout)
    Poll { left_ns: Option<u64> },
    /// wait4 for a child that has not changed state yet
    Child,
}

impl Wait {
    /// Stable numbers for the migration stream.
    pub fn kind(&self) -> u8 {
        match self {
            Wait::Fd { .. } => 0,
            Wait::Sleep { .. } => 1,
            Wait::Deadline => 2,
            Wait::Signal => 3,
            Wait::Poll { .. } => 4,
            Wait::Child => 5,
        }
    }
}

/// A system call that waits across run-loop slices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// trap entry and window shift of the call (as the CPU reported them)
    pub entry: u32,
    pub wbs: u8,
    pub wait: Wait,
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WaitEnd {
    /// a descriptor is ready: revents of the descriptors waited for
    Ready(Vec<i16>),
    /// the time ran out
    Expired,
    /// a signal for the guest arrived; the time that was left
    Signal(Option<Duration>),
    /// the slice is over; the time that is left
    Slice(Option<Duration>),
}

fn min_opt(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Nanoseconds of a duration for the resume state (saturating).
pub(crate) fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Process {
    /// Ends the handler's wait for this slice; the call continues later.
    pub(crate) fn block(&mut self, w: Wait) -> Result<i64, i32> {
        self.blocking = Some(w);
        Err(EBLOCKED)
    }

    /// The resume state when this call is made again (None for a new call).
    pub(crate) fn resumed(&self) -> Option<&Wait> {
        self.resume.as_ref()
    }

    /// Time left in this slice (None: unbounded).
    fn slice_left(&self) -> Option<Duration> {
        self.slice_end
            .map(|e| e.saturating_duration_since(Instant::now()))
    }

    /// Polls host descriptors and the wake-up pipe for up to `timeout` (None:
    /// no limit); returns the revents of `fds` and collects host signals.
    fn host_wait(&mut self, fds: &[(i32, i16)], timeout: Option<Duration>) -> Vec<i16> {
        let wake = hostsig::wake_fd();
        let mut list = fds.to_vec();
        if let Some(w) = wake {
            list.push((w, POLLIN));
        }
        let timeout = if hostsig::any_pending() {
            Some(Duration::ZERO)
        } else {
            // very long waits go round the caller's loop once an hour
            Some(timeout.map_or(MAX_POLL, |t| t.min(MAX_POLL)))
        };
        let rev = match host::ppoll(&list, timeout) {
            Ok(r) => r,
            Err(_) => vec![0; list.len()], // EINTR: a signal hit this thread
        };
        if wake.is_some() && rev.last().is_some_and(|&r| r != 0) {
            hostsig::drain();
        }
        self.collect_host_signals();
        rev[..fds.len()].to_vec()
    }

    /// A signal the guest will see interrupts the wait (with `restartable`,
    /// only one whose handler does not ask for SA_RESTART).
    fn interrupted(&mut self, restartable: bool) -> bool {
        self.collect_host_signals();
        self.sig.next_deliverable().is_some() && !(restartable && self.restart_after_eintr())
    }

    /// Waits until one of `fds` is ready, `left` has passed (None: no limit),
    /// a signal interrupts, or the slice ends.
    pub(crate) fn wait_for(
        &mut self,
        fds: &[(i32, i16)],
        mut left: Option<Duration>,
        restartable: bool,
    ) -> WaitEnd {
        loop {
            if left == Some(Duration::ZERO) {
                return WaitEnd::Expired;
            }
            if self.interrupted(restartable) {
                return WaitEnd::Signal(left);
            }
            let slice = self.slice_left();
            if slice == Some(Duration::ZERO) {
                return WaitEnd::Slice(left);
            }
            let t0 = Instant::now();
            let rev = self.host_wait(fds, min_opt(left, slice));
            if let Some(l) = left.as_mut() {
                *l = l.saturating_sub(t0.elapsed());
            }
            if rev.iter().any(|&r| r != 0) {
                return WaitEnd::Ready(rev);
            }
        }
    }

    /// Before a read or write on host descriptor `h` (guest `fd`): waits until
    /// the call would not block. Ok lets the call go ahead (the descriptor is
    /// ready, non-blocking, or in a state the call itself reports); Err is
    /// EINTR or EBLOCKED.
    pub(crate) fn wait_io(&mut self, fd: i64, h: i32, events: i16) -> Result<(), i32> {
        match host::ppoll(&[(h, events)], Some(Duration::ZERO)) {
            Ok(r) if r[0] == 0 => {}
            _ => return Ok(()),
        }
        if host::fcntl_int(h, libc::F_GETFL, 0).is_ok_and(|f| f & libc::O_NONBLOCK as i64 != 0) {
            return Ok(());
        }
        match self.wait_for(&[(h, events)], None, true) {
            WaitEnd::Ready(_) | WaitEnd::Expired => Ok(()),
            WaitEnd::Signal(_) => Err(EINTR),
            WaitEnd::Slice(_) => self
                .block(Wait::Fd {
                    fd: fd as i32,
                    events,
                })
                .map(|_| ()),
        }
    }

    /// A relative sleep of `total` (a resumed `Sleep` continues with what was
    /// left). Ok when it is over; Err((EINTR, time left)) or Err((EBLOCKED, _)).
    pub(crate) fn sleep_relative(&mut self, total: Duration) -> Result<(), (i32, Duration)> {
        let left = match self.resumed() {
            Some(Wait::Sleep { left_ns }) => Duration::from_nanos(*left_ns),
            _ => total,
        };
        match self.wait_for(&[], Some(left), false) {
            WaitEnd::Expired | WaitEnd::Ready(_) => Ok(()),
            WaitEnd::Signal(l) => Err((EINTR, l.unwrap_or_default())),
            WaitEnd::Slice(l) => {
                let l = l.unwrap_or_default();
                let _ = self.block(Wait::Sleep { left_ns: nanos(l) });
                Err((EBLOCKED, l))
            }
        }
    }

    /// Sleeps until `clk` reaches (sec, nsec). Ok when it did; Err is EINTR,
    /// EBLOCKED or the clock's error.
    pub(crate) fn sleep_until(&mut self, clk: i32, sec: i64, nsec: i64) -> Result<(), i32> {
        let deadline = Duration::new(sec.max(0) as u64, nsec.clamp(0, 999_999_999) as u32);
        loop {
            let (s, n) = host::clock_gettime(clk)?;
            let now = Duration::new(s.max(0) as u64, n.clamp(0, 999_999_999) as u32);
            let left = deadline.saturating_sub(now);
            match self.wait_for(&[], Some(left), false) {
                WaitEnd::Expired | WaitEnd::Ready(_) => {
                    if left.is_zero() {
                        return Ok(());
                    }
                    // check the clock again (it may have been set)
                }
                WaitEnd::Signal(_) => return Err(EINTR),
                WaitEnd::Slice(_) => return self.block(Wait::Deadline).map(|_| ()),
            }
        }
    }

    /// Waits for a signal the guest will see (pause and friends): always an
    /// error, EINTR or EBLOCKED.
    pub(crate) fn wait_signal(&mut self) -> Result<i64, i32> {
        loop {
            match self.wait_for(&[], None, false) {
                WaitEnd::Signal(_) => return Err(EINTR),
                WaitEnd::Slice(_) => return self.block(Wait::Signal),
                WaitEnd::Expired | WaitEnd::Ready(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_of_optional_limits() {
        let s = Duration::from_millis;
        assert_eq!(min_opt(Some(s(3)), Some(s(5))), Some(s(3)));
        assert_eq!(min_opt(None, Some(s(5))), Some(s(5)));
        assert_eq!(min_opt(Some(s(3)), None), Some(s(3)));
        assert_eq!(min_opt(None, None), None);
        assert_eq!(nanos(Duration::MAX), u64::MAX);
    }
}
