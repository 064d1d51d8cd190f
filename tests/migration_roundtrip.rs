//! Library-level round trip: a process saved with `migration::snapshot` loads
//! back (`load_stream` + `build_process`) with the same CPU state, memory
//! layout, page contents, signal state and descriptors.

use e2kemu::linux::{Config, Process};
use e2kemu::migration::{self, load, state_save};
use std::path::Path;

fn counter_process() -> Process {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read(root.join("tests/guests/counter.s")).unwrap();
    let image = e2kemu::cli::assemble_source(Path::new("counter.s"), &src, 5, &[]).unwrap();
    let cfg = Config {
        exe_path: root.join("tests/guests/counter.s"),
        ..Config::default()
    };
    Process::new(&image, "counter", &cfg).unwrap()
}

#[test]
fn snapshot_loads_back_identically() {
    let mut p = counter_process();
    // run into the program a little (mmap done, some stores) without syscalls
    // that print: stop before the first write
    let _ = p.run_for(40);
    p.sig.blocked = 0x1234;
    p.sig.actions[9].handler = 0x10000;
    let bytes = migration::snapshot(&p, false).unwrap();
    let l = load::load_stream(&bytes[..], &load::Limits::default(), |_| {}).unwrap();
    assert_eq!(l.bytes, bytes.len() as u64);
    assert!(!l.proc.running);
    assert_eq!(state_save::layout_of(&l.mem), state_save::layout_of(&p.mem));
    for r in state_save::layout_of(&p.mem) {
        for v in (r.start >> 12)..(r.end() >> 12) {
            assert_eq!(l.mem.page_bytes(v), p.mem.page_bytes(v), "page {v:#x}");
        }
    }
    let q = migration::incoming::build_process(l, false).unwrap();
    assert_eq!(format!("{:?}", q.cpu), format!("{:?}", p.cpu));
    assert_eq!(q.sig.blocked, 0x1234);
    assert_eq!(q.sig.actions, p.sig.actions);
    assert_eq!(q.mm.brk, p.mm.brk);
    let fds: Vec<usize> = q.fds.iter().map(|(g, _)| g).collect();
    assert_eq!(fds, p.fds.iter().map(|(g, _)| g).collect::<Vec<_>>());
    // the snapshot of the restored process is the same stream
    assert_eq!(migration::snapshot(&q, false).unwrap(), bytes);
}

#[test]
fn truncated_snapshots_never_load() {
    let p = counter_process();
    let bytes = migration::snapshot(&p, true).unwrap();
    for cut in (0..bytes.len()).step_by(997) {
        assert!(load::load_stream(&bytes[..cut], &load::Limits::default(), |_| {}).is_err());
    }
}
