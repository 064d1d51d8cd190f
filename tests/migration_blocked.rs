//! Migration of a guest that waits in a system call or has signals pending:
//! a guest migrated in the middle of nanosleep sleeps the rest on the
//! destination, one blocked in read(2) on stdin continues the read there, and
//! pending signals keep their whole siginfo (si_code, si_errno, si_pid, si_uid,
//! si_value) and queue order. The combined output is always that of an
//! unmigrated run.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

const READLINE: &str = "tests/guests/readline.s";
const SLEEP: &str = "tests/guests/sleep.s";
const SIGINFO: &str = "tests/guests/siginfo.s";

#[test]
fn guest_migrated_mid_sleep_over_tcp_sleeps_the_rest() {
    let (reference, st) = plain_run(&[SLEEP], b"");
    assert!(st.success());
    let port = free_port();
    let inc = format!("tcp:127.0.0.1:{port}");
    let mut dst = Emu::destination(&["-incoming", &inc]);
    let t0 = Instant::now();
    let mut src = Emu::start(&[SLEEP]);
    let mut q = src.connect();
    q.enable_events();
    wait_output(&src, |s| s == "before\n", 20);
    q.ok("migrate", json!({"uri": inc}));
    let info = q.wait_migration(30);
    assert_eq!(info["status"], "completed", "{info}");
    assert_eq!(q.status(), "postmigrate");
    // the source stopped inside the sleep
    assert_eq!(src.stdout(), "before\n");
    q.ok("quit", json!({}));
    assert!(src.wait(10).success());
    let st = dst.wait(30);
    assert!(st.success(), "destination failed: {}", dst.stderr());
    assert_eq!(dst.stdout(), "nanosleep -> 0\nafter\n");
    assert_eq!(format!("{}{}", src.stdout(), dst.stdout()), reference);
    // the sleep was not cut short by the move
    assert!(t0.elapsed() >= Duration::from_millis(2500));
}

#[test]
fn guest_blocked_in_read_continues_the_read_after_restore() {
    let (reference, st) = plain_run(&[READLINE], b"hello\n");
    assert!(st.success());
    let mut src = Emu::start_piped(&[READLINE]);
    let mut q = src.connect();
    wait_output(&src, |s| s == "ready\n", 20);
    let file = tmp("blocked-read.bin");
    q.ok(
        "migrate",
        json!({"uri": format!("file:{}", file.display())}),
    );
    assert_eq!(q.wait_migration(30)["status"], "completed");
    q.ok("quit", json!({}));
    assert!(src.wait(10).success());
    assert_eq!(src.stdout(), "ready\n");
    // the destination has its own stdin; the read continues there
    let mut dst = Emu::start_piped(&["-incoming", &format!("file:{}", file.display())]);
    let mut dq = dst.connect();
    let end = Instant::now() + Duration::from_secs(20);
    while dq.status() != "running" {
        assert!(Instant::now() < end, "destination did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(dst.stdout(), "");
    dst.feed(b"hello\n");
    assert!(dst.wait(20).success(), "{}", dst.stderr());
    assert_eq!(format!("{}{}", src.stdout(), dst.stdout()), reference);
}

#[test]
fn pending_siginfo_survives_migration() {
    let (reference, st) = plain_run(&[SIGINFO], b"\n");
    assert!(st.success());
    // the kernel's rules: SIGUSR1 once (not queued twice), both real-time
    // instances in order, each siginfo as sent
    let handled: Vec<&str> = reference
        .lines()
        .filter(|l| l.starts_with("sig "))
        .collect();
    assert_eq!(
        handled,
        [
            "sig 40 code -1 errno 5 pid 4242 uid 77 value 1122334455",
            "sig 40 code -1 errno 0 pid 4243 uid 78 value 66",
            "sig 12 code -6 errno 0 pid self uid self value 0",
            "sig 10 code 0 errno 0 pid self uid self value 0",
        ],
        "{reference}"
    );
    let mut src = Emu::start_piped(&[SIGINFO]);
    let mut q = src.connect();
    wait_output(&src, |s| s.ends_with("queued\n"), 20);
    let file = tmp("siginfo.bin");
    q.ok("stop", json!({}));
    q.ok(
        "migrate",
        json!({"uri": format!("file:{}", file.display())}),
    );
    assert_eq!(q.wait_migration(30)["status"], "completed");
    q.ok("quit", json!({}));
    assert!(src.wait(10).success());
    // restored paused (as saved); it continues after `cont` and a line of input
    let mut dst = Emu::start_piped(&["-incoming", &format!("file:{}", file.display())]);
    let mut dq = dst.connect();
    let end = Instant::now() + Duration::from_secs(20);
    while dq.status() != "paused" {
        assert!(Instant::now() < end, "destination did not load");
        std::thread::sleep(Duration::from_millis(20));
    }
    dq.ok("cont", json!({}));
    dst.feed(b"\n");
    assert!(dst.wait(20).success(), "{}", dst.stderr());
    assert_eq!(format!("{}{}", src.stdout(), dst.stdout()), reference);
}
