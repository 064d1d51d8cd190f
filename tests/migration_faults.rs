//! Migration failures: refused connections, unresolvable hosts, bad URIs, peers
//! that hang up or corrupt the stream at several points, version and CPU
//! mismatches, cancel during precopy, a guest that dirties memory faster than
//! the bandwidth limit, failing exec commands, a full disk, and blockers. Each
//! ends in the right state with a specific error-desc, and the source guest
//! keeps running and finishes with exactly its unmigrated output.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::json;
use std::time::{Duration, Instant};

/// Starts the counter guest with events enabled.
fn source() -> (Emu, Qmp) {
    let src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    q.enable_events();
    src.wait_lines(2, 10);
    (src, q)
}

/// The source must still be running and end with the reference output.
fn finishes_unharmed(mut src: Emu, mut q: Qmp) {
    assert_eq!(q.status(), "running");
    drop(q);
    assert!(src.wait(30).success(), "{}", src.stderr());
    assert_eq!(src.stdout(), counter_reference());
}

/// Runs `migrate uri` and returns the final query-migrate.
fn failed_migration(q: &mut Qmp, uri: &str) -> serde_json::Value {
    q.ok("migrate", json!({"uri": uri}));
    let info = q.wait_migration(30);
    assert_eq!(info["status"], "failed", "{info}");
    q.wait_event("MIGRATION", |d| d["status"] == "failed", 5);
    info
}

#[test]
fn connection_refused_async() {
    let (src, mut q) = source();
    let port = free_port();
    let info = failed_migration(&mut q, &format!("tcp:127.0.0.1:{port}"));
    let want = format!("Failed to connect to '127.0.0.1:{port}': Connection refused");
    assert_eq!(info, json!({"status": "failed", "error-desc": want}));
    q.wait_event("MIGRATION", |d| d["status"] == "setup", 1);
    let text = q.hmp("info migrate");
    assert!(
        text.contains(&format!("Migration status: failed ({want})\r\n")),
        "{text}"
    );
    assert!(text.contains("total time: 0 ms\r\n"), "{text}");
    // a unix socket that does not exist
    let info = failed_migration(&mut q, "unix:/nonexistent/e2kemu.sock");
    assert_eq!(
        info["error-desc"],
        "Failed to connect to '/nonexistent/e2kemu.sock': No such file or directory"
    );
    finishes_unharmed(src, q);
}

#[test]
fn unresolvable_host() {
    let (src, mut q) = source();
    // an empty label is refused by the resolver itself: no DNS traffic
    let info = failed_migration(&mut q, "tcp:nosuch..host.invalid:4444");
    assert_eq!(
        info["error-desc"],
        "address resolution failed for nosuch..host.invalid:4444: Name or service not known"
    );
    finishes_unharmed(src, q);
}

#[test]
fn synchronous_errors() {
    let (src, mut q) = source();
    let (class, desc) = q.err("migrate", json!({"uri": "bogus:1"}));
    assert_eq!(class, "GenericError");
    assert_eq!(desc, "Parameter 'uri' expects a valid migration protocol");
    q.wait_event("MIGRATION", |d| d["status"] == "setup", 2);
    q.wait_event("MIGRATION", |d| d["status"] == "failed", 2);
    assert_eq!(q.ok("query-migrate", json!({}))["status"], "failed");
    assert_eq!(q.err("migrate", json!({})).1, "Parameter 'uri' is missing");
    assert_eq!(
        q.err("migrate-incoming", json!({"uri": "tcp:127.0.0.1:1"}))
            .1,
        "'-incoming' was not specified on the command line"
    );
    // one migration at a time; capabilities can't change meanwhile
    let port = free_port();
    let _dst = Emu::destination(&["-incoming", &format!("tcp:127.0.0.1:{port}")]);
    q.ok("migrate-set-parameters", json!({"max-bandwidth": 50000}));
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    assert_eq!(
        q.err("migrate", json!({"uri": "tcp:127.0.0.1:1"})).1,
        "There's a migration process in progress"
    );
    assert_eq!(
        q.err(
            "migrate-set-capabilities",
            json!({"capabilities": [{"capability": "events", "state": false}]})
        )
        .1,
        "There's a migration process in progress"
    );
    q.ok("migrate_cancel", json!({}));
    assert_eq!(q.wait_migration(10)["status"], "cancelled");
    finishes_unharmed(src, q);
}

/// A peer that hangs up after 0, 12, 100, 70000 and 600000 bytes.
#[test]
fn peer_closes_mid_stream() {
    let (src, mut q) = source();
    q.ok("migrate-set-parameters", json!({"max-bandwidth": 0}));
    for cut in [0u64, 12, 100, 70_000, 600_000] {
        let dport = free_port();
        let mut dst = Emu::start(&["-incoming", &format!("tcp:127.0.0.1:{dport}")]);
        dst.connect();
        let pport = free_port();
        proxy(pport, dport, None, Some(cut));
        let info = failed_migration(&mut q, &format!("tcp:127.0.0.1:{pport}"));
        let e = info["error-desc"].as_str().unwrap();
        assert!(
            e.starts_with("Unable to write to socket: ")
                || e == "The destination closed the connection before it confirmed the migration",
            "cut at {cut}: {e}"
        );
        assert_eq!(q.status(), "running");
        assert_eq!(dst.wait(20).code(), Some(1), "cut at {cut}");
        let err = dst.stderr();
        assert!(
            err.contains("e2kemu: load of migration failed: the stream ended early"),
            "cut at {cut}: {err}"
        );
        assert_eq!(dst.stdout(), "", "the destination must not run anything");
    }
    finishes_unharmed(src, q);
}

/// One flipped bit at several offsets: the destination refuses with the
/// reason, exits 1, and the source reports that same reason.
#[test]
fn corrupted_stream() {
    let (src, mut q) = source();
    q.ok("migrate-set-parameters", json!({"max-bandwidth": 0}));
    for flip in [3u64, 9, 13, 40, 5000, 300_000] {
        let dport = free_port();
        let mut dst = Emu::start(&["-incoming", &format!("tcp:127.0.0.1:{dport}")]);
        dst.connect();
        let pport = free_port();
        proxy(pport, dport, Some(flip), None);
        let info = failed_migration(&mut q, &format!("tcp:127.0.0.1:{pport}"));
        let e = info["error-desc"].as_str().unwrap().to_string();
        assert_eq!(dst.wait(20).code(), Some(1), "flip at {flip}");
        let err = dst.stderr();
        let reason = err
            .trim_end()
            .strip_prefix("e2kemu: load of migration failed: ")
            .unwrap_or_else(|| panic!("flip at {flip}: {err}"));
        assert_eq!(
            e,
            format!("Destination rejected the migration stream: {reason}"),
            "flip at {flip}"
        );
        let expect = match flip {
            3 => "bad magic",
            9 => "unsupported migration stream version",
            _ => "corrupted stream",
        };
        assert!(reason.contains(expect), "flip at {flip}: {reason}");
        assert_eq!(dst.stdout(), "");
        assert_eq!(q.status(), "running");
    }
    finishes_unharmed(src, q);
}

#[test]
fn version_mismatch() {
    let (src, mut q) = source();
    let port = free_port();
    let mut dst = Emu::destination(&["-incoming", &format!("tcp:127.0.0.1:{port}")]);
    let ours = e2kemu::migration::stream_format::VERSION;
    let other = ours + 1;
    q.ok("migrate-set-parameters", json!({"x-stream-version": other}));
    let info = failed_migration(&mut q, &format!("tcp:127.0.0.1:{port}"));
    let reason =
        format!("unsupported migration stream version {other} (this e2kemu reads version {ours})");
    assert_eq!(
        info["error-desc"],
        format!("Destination rejected the migration stream: {reason}")
    );
    assert_eq!(dst.wait(20).code(), Some(1));
    assert_eq!(
        dst.stderr(),
        format!("e2kemu: load of migration failed: {reason}\n")
    );
    finishes_unharmed(src, q);
}

#[test]
fn cpu_mismatch() {
    let (src, mut q) = source();
    let port = free_port();
    let mut dst = Emu::destination(&[
        "-cpu",
        "e16c",
        "-incoming",
        &format!("tcp:127.0.0.1:{port}"),
    ]);
    let info = failed_migration(&mut q, &format!("tcp:127.0.0.1:{port}"));
    let reason =
        "CPU mismatch: the stream was saved on an elbrus-v5 CPU, this e2kemu runs elbrus-v6";
    assert_eq!(
        info["error-desc"],
        format!("Destination rejected the migration stream: {reason}")
    );
    assert_eq!(dst.wait(20).code(), Some(1));
    assert!(dst.stderr().contains(reason), "{}", dst.stderr());
    finishes_unharmed(src, q);
}

#[test]
fn cancel_during_precopy() {
    let (src, mut q) = source();
    let port = free_port();
    let mut dst = Emu::destination(&["-incoming", &format!("tcp:127.0.0.1:{port}")]);
    q.ok("migrate-set-parameters", json!({"max-bandwidth": 100_000}));
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    let info = q.wait_migrate_info(|i| i["status"] == "active", 10);
    assert!(info["ram"]["transferred"].is_u64(), "{info}");
    assert!(info["expected-downtime"].is_u64(), "{info}");
    std::thread::sleep(Duration::from_millis(200));
    q.ok("migrate_cancel", json!({}));
    q.wait_event("MIGRATION", |d| d["status"] == "cancelling", 5);
    q.wait_event("MIGRATION", |d| d["status"] == "cancelled", 10);
    assert_eq!(
        q.ok("query-migrate", json!({})),
        json!({"status": "cancelled"})
    );
    // cancel when nothing runs still succeeds
    q.ok("migrate_cancel", json!({}));
    assert_eq!(dst.wait(20).code(), Some(1));
    assert!(
        dst.stderr().contains("load of migration failed"),
        "{}",
        dst.stderr()
    );
    finishes_unharmed(src, q);
}

/// A guest dirtying 8 MiB as fast as it runs, with max-bandwidth 2 MB/s:
/// precopy keeps iterating (active, growing dirty-sync-count, expected
/// downtime above the limit) and never stops the guest; cancel ends it.
#[test]
fn dirty_faster_than_bandwidth() {
    let src = Emu::start(&["tests/guests/dirty.s"]);
    let mut q = src.connect();
    q.enable_events();
    let port = free_port();
    let mut dst = Emu::destination(&["-incoming", &format!("tcp:127.0.0.1:{port}")]);
    dst.connect();
    q.ok(
        "migrate-set-parameters",
        json!({"max-bandwidth": 2_000_000, "downtime-limit": 20}),
    );
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    let info = q.wait_migrate_info(
        |i| i["ram"]["dirty-sync-count"].as_u64().unwrap_or(0) >= 3,
        60,
    );
    assert_eq!(info["status"], "active", "{info}");
    assert!(
        info["expected-downtime"].as_u64().unwrap() > 20,
        "expected downtime must exceed the limit: {info}"
    );
    q.wait_event("MIGRATION_PASS", |d| d["pass"] == 3, 5);
    assert_eq!(q.status(), "running");
    assert!(q.events.iter().all(|e| e["event"] != "STOP"));
    let before = src.stdout().len();
    q.ok("migrate_cancel", json!({}));
    q.wait_event("MIGRATION", |d| d["status"] == "cancelled", 10);
    assert_eq!(q.status(), "running");
    let end = Instant::now() + Duration::from_secs(10);
    while src.stdout().len() <= before {
        assert!(Instant::now() < end, "guest stopped making progress");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(dst.wait(20).code(), Some(1));
    q.ok("quit", json!({}));
}

#[test]
fn exec_command_fails() {
    let (src, mut q) = source();
    let info = failed_migration(&mut q, "exec:exit 3");
    assert_eq!(
        info["error-desc"],
        "Unable to write to command: Broken pipe"
    );
    let info = failed_migration(&mut q, "exec:cat > /dev/null; exit 2");
    assert_eq!(
        info["error-desc"],
        "Migration command 'cat > /dev/null; exit 2' failed: exit status: 2"
    );
    finishes_unharmed(src, q);
}

#[test]
fn file_disk_full_and_unwritable() {
    let (src, mut q) = source();
    let info = failed_migration(&mut q, "file:/dev/full");
    assert_eq!(
        info["error-desc"],
        "Unable to write to file: No space left on device"
    );
    let info = failed_migration(&mut q, "file:/nonexistent/dir/x.bin");
    assert_eq!(
        info["error-desc"],
        "Unable to open file '/nonexistent/dir/x.bin': No such file or directory"
    );
    finishes_unharmed(src, q);
}

#[test]
fn pipe_blocks_migration() {
    let src = Emu::start(&["tests/guests/pipe.s"]);
    let mut q = src.connect();
    src.wait_lines(1, 10);
    let info = q.ok("query-migrate", json!({}));
    let reasons = info["blocked-reasons"].as_array().expect("blocked-reasons");
    assert_eq!(reasons.len(), 2, "{info}");
    let r0 = reasons[0].as_str().unwrap();
    assert!(
        r0.starts_with("guest fd 3 (pipe:[") && r0.ends_with("]) is a pipe and cannot be migrated"),
        "{r0}"
    );
    let (_, desc) = q.err("migrate", json!({"uri": "file:/dev/null"}));
    assert_eq!(desc, r0);
    let text = q.hmp("info migrate");
    assert!(text.contains("Outgoing migration blocked:\r\n"), "{text}");
    assert_eq!(q.status(), "running");
    q.ok("quit", json!({}));
}

/// The destination checks a saved stream before running anything: truncated,
/// corrupted, wrong-version and wrong-CPU files end with status 1 and a reason.
#[test]
fn bad_checkpoint_files() {
    let (mut src, mut q) = source();
    q.ok("stop", json!({}));
    let good = tmp("good.bin");
    q.ok(
        "migrate",
        json!({"uri": format!("file:{}", good.display())}),
    );
    assert_eq!(q.wait_migration(20)["status"], "completed");
    q.ok("quit", json!({}));
    src.wait(10);
    let data = std::fs::read(&good).unwrap();
    let run = |bytes: &[u8], extra: &[&str]| -> String {
        let f = tmp("bad.bin");
        std::fs::write(&f, bytes).unwrap();
        let uri = format!("file:{}", f.display());
        let mut args: Vec<&str> = extra.to_vec();
        args.extend(["-incoming", &uri]);
        let mut d = Emu::start(&args);
        assert_eq!(d.wait(20).code(), Some(1));
        assert_eq!(d.stdout(), "");
        let e = d.stderr();
        e.trim_end()
            .strip_prefix("e2kemu: load of migration failed: ")
            .unwrap_or_else(|| panic!("{e}"))
            .to_string()
    };
    for cut in [0, 5, 12, 20, data.len() / 2, data.len() - 1] {
        let r = run(&data[..cut], &[]);
        assert!(r.starts_with("the stream ended early"), "cut {cut}: {r}");
    }
    for flip in [0, 10, 30, data.len() / 3, data.len() - 20, data.len() - 3] {
        let mut d = data.clone();
        d[flip] ^= 0x01;
        let r = run(&d, &[]);
        assert!(
            r.contains("corrupted stream")
                || r.contains("ended early")
                || r.contains("bad magic")
                || r.contains("version")
                || r.contains("checksum mismatch"),
            "flip {flip}: {r}"
        );
    }
    let mut d = data.clone();
    d[8] = 7;
    assert_eq!(
        run(&d, &[]),
        format!(
            "unsupported migration stream version 7 (this e2kemu reads version {})",
            e2kemu::migration::stream_format::VERSION
        )
    );
    assert!(run(&data, &["-cpu", "e8c"]).starts_with("CPU mismatch"));
    // the good file restores (paused, as saved) — its output continues
    let uri = format!("file:{}", good.display());
    let d = Emu::start(&["-incoming", &uri]);
    let mut dq = d.connect();
    let end = Instant::now() + Duration::from_secs(10);
    while dq.status() == "inmigrate" {
        assert!(Instant::now() < end);
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(dq.status(), "paused");
    dq.ok("quit", json!({}));
}
