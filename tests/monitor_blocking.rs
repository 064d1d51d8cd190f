//! The monitor while the guest waits in a system call: QMP answers
//! query-status, stop, cont and quit while the guest blocks in read(2) on an
//! empty stdin pipe, sleeps in nanosleep or waits in pause(2); a stopped guest
//! runs no code (data that arrives meanwhile is read after `cont`) and its
//! sleep does not advance; the results are those of a run without a monitor.
//! Waits are bounded generously; no assertion is about speed.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const READLINE: &str = "tests/guests/readline.s";
const SLEEP: &str = "tests/guests/sleep.s";
const PAUSE: &str = "tests/guests/pause.s";

#[test]
fn qmp_answers_while_guest_blocks_in_read() {
    let (reference, st) = plain_run(&[READLINE], b"hello\n");
    assert!(st.success());
    assert_eq!(reference, "ready\nread -> 6\ngot: hello\n");
    let mut e = Emu::start_piped(&[READLINE]);
    let mut q = e.connect();
    wait_output(&e, |s| s == "ready\n", 20);
    // the guest sits in read(0): every command is answered
    assert_eq!(q.status(), "running");
    assert_eq!(q.hmp("info status"), "VM status: running\r\n");
    q.ok("stop", json!({}));
    q.wait_event("STOP", |_| true, 10);
    assert_eq!(q.status(), "paused");
    // data that arrives while the guest is stopped waits for `cont`
    e.feed(b"hello\n");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(e.stdout(), "ready\n", "a stopped guest ran");
    assert_eq!(q.hmp("info status"), "VM status: paused\r\n");
    assert!(q.ok("query-e2k-registers", json!({})).is_object());
    q.ok("cont", json!({}));
    q.wait_event("RESUME", |_| true, 10);
    assert!(e.wait(20).success(), "{}", e.stderr());
    assert_eq!(e.stdout(), reference);
}

#[test]
fn stop_and_cont_while_blocked_then_input() {
    let mut e = Emu::start_piped(&[READLINE]);
    let mut q = e.connect();
    wait_output(&e, |s| s == "ready\n", 20);
    for _ in 0..5 {
        q.ok("stop", json!({}));
        assert_eq!(q.status(), "paused");
        q.ok("cont", json!({}));
        assert_eq!(q.status(), "running");
    }
    e.feed(b"hello\n");
    assert!(e.wait(20).success(), "{}", e.stderr());
    assert_eq!(e.stdout(), "ready\nread -> 6\ngot: hello\n");
}

#[test]
fn quit_while_blocked_in_read() {
    let mut e = Emu::start_piped(&[READLINE]);
    let mut q = e.connect();
    wait_output(&e, |s| s == "ready\n", 20);
    q.send_raw(br#"{"execute": "quit"}"#);
    let st = e.wait(20);
    assert_eq!(st.code(), Some(0), "{}", e.stderr());
    assert_eq!(e.stdout(), "ready\n");
}

#[test]
fn stopped_time_does_not_count_as_sleep() {
    let (reference, st) = plain_run(&[SLEEP], b"");
    assert!(st.success());
    assert_eq!(reference, "before\nnanosleep -> 0\nafter\n");
    let t0 = Instant::now();
    let mut e = Emu::start(&[SLEEP]);
    let mut q = e.connect();
    wait_output(&e, |s| s == "before\n", 20);
    assert_eq!(q.status(), "running");
    q.ok("stop", json!({}));
    let stopped = Instant::now();
    assert_eq!(q.status(), "paused");
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(e.stdout(), "before\n");
    let resumed = Instant::now();
    q.ok("cont", json!({}));
    assert!(e.wait(30).success(), "{}", e.stderr());
    let total = t0.elapsed();
    assert_eq!(e.stdout(), reference);
    // the guest slept 2.5 s of running time; the pause came on top of it
    let paused = resumed - stopped;
    assert!(
        total >= Duration::from_millis(2500) + paused,
        "slept only {total:?} with {paused:?} stopped"
    );
}

#[test]
fn pause_is_woken_by_a_host_signal_under_the_monitor() {
    let mut e = Emu::start(&[PAUSE]);
    let mut q = e.connect();
    wait_output(&e, |s| s == "ready\n", 20);
    assert_eq!(q.status(), "running");
    q.ok("stop", json!({}));
    q.ok("cont", json!({}));
    // SAFETY: sending SIGUSR1 to the child process we started.
    let r = unsafe { libc::kill(e.child.id() as i32, libc::SIGUSR1) };
    assert_eq!(r, 0);
    assert!(e.wait(20).success(), "{}", e.stderr());
    assert_eq!(e.stdout(), "ready\nhandler\npause -> -4\n");
}
