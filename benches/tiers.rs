//! Bundles per second of the guest benchmark programs (`benches/programs/*.s`)
//! under each execution tier. Every program is assembled by our assembler into a
//! static executable and run in-process as a Linux process at the default size its
//! README row gives; a calibration run checks its output against the README and
//! counts its bundles (the throughput unit). The tiers are the parameters of one
//! benchmark group (`tiers/<tier>/<program>`): the interpreter and, in a build with
//! `--features jit`, the JIT, so one run gives the JIT/interpreter ratio.

use criterion::{
    criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use e2kemu::asm::{assemble_to_executable, AsmOptions, Source};
use e2kemu::cli::{Tier, TierOptions};
use e2kemu::linux::{Config, Process, Termination};
use std::fs::File;
use std::io::{Read, Seek};
use std::os::fd::{FromRawFd, IntoRawFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "program_table.rs"]
mod program_table;

/// The tiers of this build, with their names in the report.
fn tiers() -> Vec<(&'static str, Tier)> {
    let mut t = vec![("interp", Tier::Interp)];
    if cfg!(feature = "jit") {
        t.push(("jit", Tier::Jit));
    }
    t
}

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

/// The static executable of `benches/programs/NAME.s`.
fn build(name: &str) -> Vec<u8> {
    let path = programs_dir().join(format!("{name}.s"));
    let src = Source::from_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut opts = AsmOptions::for_version(e2kemu::cli::DEFAULT_ISET);
    opts.include_dirs = vec![programs_dir()];
    assemble_to_executable(&[src], &opts).unwrap_or_else(|errs| {
        let v: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        panic!("{name}.s does not assemble:\n{}", v.join("\n"))
    })
}

/// A process of `image` with argv `NAME [ARG]` whose guest stdout is `out`.
fn start(image: &[u8], row: &program_table::Row, out: File, tier: Tier) -> Process {
    let mut argv = vec![row.name.as_bytes().to_vec()];
    argv.extend(row.arg.iter().map(|a| a.as_bytes().to_vec()));
    let cfg = Config {
        argv,
        exe_path: PathBuf::from(&row.name),
        seed: Some(0),
        ..Config::default()
    };
    let mut p = Process::new(image, &row.name, &cfg).expect("the program loads");
    p.fds
        .install_at(1, out.into_raw_fd(), false)
        .expect("guest stdout");
    p.apply_tier(&TierOptions {
        tier: Some(tier),
        ..TierOptions::default()
    })
    .expect("tier available in this build");
    p
}

/// An anonymous in-memory file (guest stdout of the calibration run).
fn memfd() -> File {
    // SAFETY: memfd_create takes a NUL-terminated name and returns a new descriptor
    // (or -1), which the File then owns.
    let fd = unsafe { libc::memfd_create(c"e2kemu-bench-stdout".as_ptr(), libc::MFD_CLOEXEC) };
    assert!(fd >= 0, "memfd_create: {}", std::io::Error::last_os_error());
    unsafe { File::from_raw_fd(fd) }
}

fn dev_null() -> File {
    File::options()
        .write(true)
        .open("/dev/null")
        .expect("/dev/null")
}

/// Runs `row` once under `tier`, checks its stdout and exit, and returns the
/// number of bundles it ran.
fn calibrate((tn, tier): (&str, Tier), image: &[u8], row: &program_table::Row) -> u64 {
    let mut out = memfd();
    let mut p = start(image, row, out.try_clone().expect("dup"), tier);
    let t = p.run();
    let bundles = p.cpu.stats.bundles;
    drop(p);
    let mut got = String::new();
    out.rewind().expect("rewind");
    out.read_to_string(&mut got).expect("read stdout");
    assert_eq!(t, Termination::Exited(0), "{} under {}", row.name, tn);
    assert_eq!(got, row.stdout, "{} under {}: wrong output", row.name, tn);
    bundles
}

fn bench(c: &mut Criterion) {
    let readme = include_str!("programs/README.md");
    let rows: Vec<_> = program_table::rows(readme)
        .into_iter()
        .filter(|r| r.arg.is_none())
        .collect();
    assert!(
        !rows.is_empty(),
        "no default-size rows in benches/programs/README.md"
    );
    let mut g = c.benchmark_group("tiers");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for row in &rows {
        let image = build(&row.name);
        for (tn, tier) in tiers() {
            let bundles = calibrate((tn, tier), &image, row);
            g.throughput(Throughput::Elements(bundles));
            g.bench_with_input(BenchmarkId::new(tn, &row.name), row, |b, row| {
                b.iter_batched(
                    || start(&image, row, dev_null(), tier),
                    |mut p| {
                        let t = p.run();
                        (t, p) // the process is dropped outside the measurement
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
