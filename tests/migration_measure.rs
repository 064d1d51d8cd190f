//! Measures a live migration of a guest with 256 MiB of written memory over
//! loopback TCP (no bandwidth limit): prints downtime, total time and
//! throughput, and checks the guest keeps running on the destination.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::json;

#[test]
fn migrate_256_mib_over_loopback() {
    let port = free_port();
    let inc = format!("tcp:127.0.0.1:{port}");
    let dst = Emu::destination(&["-incoming", &inc]);
    let src = Emu::start(&["tests/guests/big.s"]);
    let mut q = src.connect();
    src.wait_lines(2, 30);
    q.ok(
        "migrate-set-parameters",
        json!({"max-bandwidth": 0, "downtime-limit": 300}),
    );
    q.ok("migrate", json!({"uri": inc}));
    let info = q.wait_migration(120);
    assert_eq!(info["status"], "completed", "{info}");
    let ram = &info["ram"];
    let total = ram["total"].as_u64().unwrap();
    let transferred = ram["transferred"].as_u64().unwrap();
    assert!(total >= 256 << 20, "{info}");
    assert!(ram["normal"].as_u64().unwrap() >= 65536, "{info}");
    let secs = info["total-time"].as_u64().unwrap() as f64 / 1000.0;
    println!(
        "256 MiB migration: total-time {} ms, setup {} ms, downtime {} ms, transferred {} MiB, \
         {:.0} MiB/s over the whole migration, mbps {} (QEMU's figure), passes {}, downtime-bytes {} KiB",
        info["total-time"],
        info["setup-time"],
        info["downtime"],
        transferred >> 20,
        transferred as f64 / (1 << 20) as f64 / secs,
        ram["mbps"],
        ram["dirty-sync-count"],
        ram["downtime-bytes"].as_u64().unwrap() >> 10,
    );
    assert!(info["downtime"].as_u64().unwrap() < 2000, "{info}");
    // the destination runs on: its output keeps growing
    let mut dq = dst.connect();
    let before = dst.stdout().len();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while dst.stdout().len() == before {
        assert!(std::time::Instant::now() < end, "destination does not run");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(dq.status(), "running");
    dq.ok("quit", json!({}));
    q.ok("quit", json!({}));
}
