//! The `-tier` option end to end: a looping guest program gives the same output and exit
//! status under both tiers; with the JIT built in, `--stats` shows that its loop ran as
//! native code; without it, `-tier jit` is refused with a clear message.

use std::process::Command;

const LOOP: &str = "
    .text
    .global _start
_start:
    { setwd wsz=8, nfx=1 }
    { disp %ctpr1, 1f
      addd,0 0, 0, %r0
      addd,1 0, 3000000, %r1
      addd,2 0, 0, %r2 }
1:
    { addd,0 %r0, 1, %r0
      xord,1 %r2, %r0, %r2
      cmpbdb,3 %r0, %r1, %pred0 }
    { ct %ctpr1 ? %pred0 }
    { sdisp %ctpr1, 0x3
      addd,0 0, 1, %r0
      andd,1 %r2, 0x7f, %r1 }
    { call %ctpr1, wbs=0 }
";

fn run(args: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("e2kemu-tier-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("loop.s");
    std::fs::write(&src, LOOP).unwrap();
    Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .args(args)
        .arg(&src)
        .output()
        .expect("e2kemu runs")
}

/// xor of 1..=n, masked as the program does.
fn expected_status() -> i32 {
    ((1..=3_000_000u64).fold(0, |a, i| a ^ i) & 0x7f) as i32
}

#[test]
fn interpreter_tier_runs_the_loop() {
    let o = run(&["-tier", "interp"]);
    assert_eq!(o.status.code(), Some(expected_status()), "{o:?}");
}

#[cfg(feature = "jit")]
#[test]
fn jit_tier_runs_the_loop_natively() {
    let o = run(&["-tier", "jit", "-jit-threshold", "10", "--stats"]);
    assert_eq!(o.status.code(), Some(expected_status()), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("bundles in native code"))
        .unwrap_or_else(|| panic!("no JIT stats in: {err}"));
    let native: u64 = line
        .split("native code ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("native bundle count");
    assert!(native > 5_000_000, "loop did not run natively: {line}");
    // with native lowering off, every op goes through its helper: same result
    let o = run(&["-tier", "jit", "-jit-disable", "native"]);
    assert_eq!(o.status.code(), Some(expected_status()), "{o:?}");
}

#[cfg(not(feature = "jit"))]
#[test]
fn jit_tier_is_refused_without_the_feature() {
    let o = run(&["-tier", "jit"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--features jit"));
}

/// A benchmark program with several hot loops, run with room for barely one trace:
/// the JIT keeps dropping its code module and recompiling, and the output stays right.
#[cfg(feature = "jit")]
#[test]
fn jit_code_size_limit_rebuilds_the_code_module() {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .args([
            "-tier",
            "jit",
            "-jit-threshold",
            "0",
            "-jit-code-size",
            "2048",
        ])
        .args(["--stats", "-0", "checksum_table"])
        .arg(format!("{root}/benches/programs/checksum_table.s"))
        .arg("20")
        .output()
        .expect("e2kemu runs");
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "checksum_table passes=20 crc32=0000000098a1549f\n"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let rebuilds: u64 = err
        .split("code rebuilds ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no rebuild count in: {err}"));
    assert!(rebuilds > 0, "the code module was never rebuilt: {err}");
}

#[cfg(feature = "jit")]
#[test]
fn jit_code_size_must_be_positive() {
    let o = run(&["-jit-code-size", "0"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("-jit-code-size: '0' is not a positive number"),
        "{o:?}"
    );
}
