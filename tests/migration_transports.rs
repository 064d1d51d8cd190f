//! Live migration of a running guest between two e2kemu processes over tcp,
//! unix and exec, and save/restore through file: — the destination continues
//! with exactly the output and result an unmigrated run gives.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::json;

/// Migrates the counter guest with `uri` to a destination started with
/// `incoming` (None: started after the source finished, for exec/file), and
/// checks the combined output against an unmigrated run.
fn migrate_counter(uri: &str, incoming: Option<&str>, restore: Option<&str>) {
    let reference = counter_reference();
    let mut dst = incoming.map(|inc| Emu::destination(&["-incoming", inc]));
    let mut src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    q.enable_events();
    src.wait_lines(5, 10);
    q.ok("migrate", json!({"uri": uri}));
    let info = q.wait_migration(30);
    assert_eq!(info["status"], "completed", "{info}");
    for k in ["setup-time", "total-time", "downtime"] {
        assert!(info[k].is_u64(), "{k} missing: {info}");
    }
    let ram = &info["ram"];
    for k in [
        "transferred",
        "remaining",
        "total",
        "duplicate",
        "normal",
        "normal-bytes",
        "dirty-sync-count",
        "mbps",
        "pages-per-second",
        "page-size",
    ] {
        assert!(!ram[k].is_null(), "ram.{k} missing: {info}");
    }
    assert_eq!(ram["page-size"], 4096);
    assert_eq!(ram["remaining"], 0);
    assert!(ram["normal"].as_u64().unwrap() > 256, "{info}");
    assert!(
        ram["duplicate"].as_u64().unwrap() > 0,
        "zero pages are elided: {info}"
    );
    // the source stays stopped in postmigrate
    assert_eq!(q.status(), "postmigrate");
    q.wait_event("MIGRATION", |d| d["status"] == "completed", 5);
    let stopped_at = src.stdout();
    assert!(
        !stopped_at.contains("checksum"),
        "migrated too late: {stopped_at}"
    );
    q.ok("quit", json!({}));
    assert!(src.wait(10).success());
    let mut dst = match (dst.take(), restore) {
        (Some(d), _) => d,
        (None, Some(r)) => Emu::start(&["-incoming", r]),
        (None, None) => unreachable!(),
    };
    let st = dst.wait(30);
    assert!(st.success(), "destination failed: {}", dst.stderr());
    let combined = format!("{}{}", src.stdout(), dst.stdout());
    assert_eq!(combined, reference, "source printed:\n{}", src.stdout());
}

#[test]
fn tcp() {
    let port = free_port();
    let inc = format!("tcp:127.0.0.1:{port}");
    migrate_counter(&inc, Some(&inc), None);
}

#[test]
fn unix() {
    let p = tmp("mig.sock");
    let uri = format!("unix:{}", p.display());
    migrate_counter(&uri, Some(&uri), None);
}

#[test]
fn exec() {
    let f = tmp("exec.bin");
    migrate_counter(
        &format!("exec:cat > {}", f.display()),
        None,
        Some(&format!("exec:cat {}", f.display())),
    );
}

#[test]
fn file_checkpoint() {
    let f = tmp("ckpt.bin");
    let uri = format!("file:{}", f.display());
    migrate_counter(&uri, None, Some(&uri));
}

/// `-incoming defer` + `migrate-incoming`, with the destination's own QMP
/// showing the listening address and the migration states.
#[test]
fn incoming_defer() {
    let reference = counter_reference();
    let mut dst = Emu::start(&["-incoming", "defer"]);
    let mut dq = dst.connect();
    assert_eq!(dq.status(), "inmigrate");
    dq.enable_events();
    assert_eq!(
        dq.err("migrate-incoming", json!({"uri": "bogus:x"})).1,
        "unknown migration protocol: bogus:x"
    );
    dq.ok("migrate-incoming", json!({"uri": "tcp:127.0.0.1:0"}));
    let info = dq.ok("query-migrate", json!({}));
    assert_eq!(info["status"], "setup");
    let port = info["socket-address"][0]["port"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        dq.err("migrate-incoming", json!({"uri": "tcp:127.0.0.1:0"}))
            .1,
        "The incoming migration has already been started"
    );
    let mut src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    src.wait_lines(3, 10);
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    assert_eq!(q.wait_migration(30)["status"], "completed");
    dq.wait_event("MIGRATION", |d| d["status"] == "active", 10);
    dq.wait_event("RESUME", |_| true, 10);
    dq.wait_event("MIGRATION", |d| d["status"] == "completed", 10);
    q.ok("quit", json!({}));
    src.wait(10);
    assert!(dst.wait(30).success());
    assert_eq!(format!("{}{}", src.stdout(), dst.stdout()), reference);
}

/// A paused guest migrates paused; the destination waits for `cont`.
#[test]
fn paused_guest_stays_paused() {
    let reference = counter_reference();
    let port = free_port();
    let inc = format!("tcp:127.0.0.1:{port}");
    let mut dst = Emu::destination(&["-incoming", &inc]);
    let mut src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    src.wait_lines(2, 10);
    q.ok("stop", json!({}));
    q.ok("migrate", json!({"uri": inc}));
    assert_eq!(q.wait_migration(30)["status"], "completed");
    assert_eq!(q.status(), "postmigrate");
    let mut dq = dst.connect();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while dq.status() == "inmigrate" {
        assert!(std::time::Instant::now() < end);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(dq.status(), "paused");
    let regs = dq.ok("query-e2k-registers", json!({}));
    assert_eq!(regs["iset"], 5);
    dq.ok("cont", json!({}));
    q.ok("quit", json!({}));
    src.wait(10);
    assert!(dst.wait(30).success());
    assert_eq!(format!("{}{}", src.stdout(), dst.stdout()), reference);
}

/// A migrated process migrates on: source -> B (tcp) -> C (unix).
#[test]
fn chained_migration() {
    let reference = counter_reference();
    let port = free_port();
    let b_uri = format!("tcp:127.0.0.1:{port}");
    let c_path = tmp("chain.sock");
    let c_uri = format!("unix:{}", c_path.display());
    let mut b = Emu::destination(&["-incoming", &b_uri]);
    let mut c = Emu::destination(&["-incoming", &c_uri]);
    let mut a = Emu::start(&[COUNTER]);
    let mut qa = a.connect();
    a.wait_lines(3, 10);
    qa.ok("migrate", json!({"uri": b_uri}));
    assert_eq!(qa.wait_migration(30)["status"], "completed");
    qa.ok("quit", json!({}));
    a.wait(10);
    let mut qb = b.connect();
    b.wait_lines(3, 10);
    qb.ok("migrate", json!({"uri": c_uri}));
    assert_eq!(qb.wait_migration(30)["status"], "completed");
    assert_eq!(qb.status(), "postmigrate");
    qb.ok("quit", json!({}));
    b.wait(10);
    assert!(c.wait(30).success(), "{}", c.stderr());
    assert_eq!(
        format!("{}{}{}", a.stdout(), b.stdout(), c.stdout()),
        reference
    );
}
