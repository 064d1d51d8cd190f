//! Tier comparison on whole guest programs (benches/programs): each program is assembled
//! once, then run from a fresh process per iteration under each tier of the build (the
//! interpreter; with `--features jit` also the JIT). Throughput is in guest bundles per
//! second, so criterion's per-tier figures of one run give the JIT/interpreter ratio.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use e2kemu::asm::{assemble_to_executable, AsmOptions, Source};
use e2kemu::cli::{Tier, TierOptions};
use e2kemu::linux::{Config, Process, Termination};
use std::path::PathBuf;

const PROGRAMS: &[&str] = &["int_loop", "mem_loop", "checksum_table"];

fn tiers() -> Vec<(&'static str, Tier)> {
    let mut t = vec![("interp", Tier::Interp)];
    if cfg!(feature = "jit") {
        t.push(("jit", Tier::Jit));
    }
    t
}

fn build(name: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(format!("benches/programs/{name}.s"));
    let src = Source::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut opts = AsmOptions::for_version(5);
    opts.include_dirs = vec![root.join("tests/guests")];
    assemble_to_executable(&[src], &opts)
        .unwrap_or_else(|e| panic!("{name} does not assemble: {e:?}"))
}

/// Runs the program to its end under `tier`; returns the bundles it ran.
fn run(image: &[u8], tier: Tier) -> u64 {
    let cfg = Config {
        argv: vec![b"bench".to_vec()],
        exe_path: "/bench".into(),
        seed: Some(1),
        ..Config::default()
    };
    let mut p = Process::new(image, "bench", &cfg).expect("loads");
    p.apply_tier(&TierOptions {
        tier: Some(tier),
        ..TierOptions::default()
    })
    .expect("tier available");
    // the program prints its checksum: keep it out of criterion's report
    let t = quiet(|| p.run());
    assert!(matches!(t, Termination::Exited(0)), "program failed: {t:?}");
    p.cpu.stats.bundles
}

/// Runs `f` with this process's stdout sent to /dev/null.
fn quiet<R>(f: impl FnOnce() -> R) -> R {
    let null = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/null")
        .expect("/dev/null");
    // SAFETY: plain libc calls on descriptors this process owns; fd 1 is restored
    // before returning.
    let saved = unsafe { libc::dup(1) };
    // SAFETY: as above.
    unsafe { libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&null), 1) };
    let r = f();
    // SAFETY: as above.
    unsafe {
        libc::dup2(saved, 1);
        libc::close(saved);
    }
    r
}

fn bench(c: &mut Criterion) {
    for name in PROGRAMS {
        let image = build(name);
        let mut g = c.benchmark_group(format!("tiers/{name}"));
        g.sample_size(10);
        g.measurement_time(std::time::Duration::from_secs(8));
        let bundles = run(&image, Tier::Interp);
        g.throughput(Throughput::Elements(bundles));
        for (tn, tier) in tiers() {
            g.bench_function(tn, |b| b.iter(|| run(&image, tier)));
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
