//! The JIT's host-FP lowering of faddd/fsubd/fmuld against the interpreter: a guest
//! loop runs the three operations on a table of operand pairs under a random PFPFR
//! (rounding mode, exception masks, DAZ/FTZ), storing each result and the flags each
//! iteration raised; the output of `-tier interp` must equal that of the JIT compiling
//! at first sight (threshold 0 and 1), and so must the exit status (an unmasked flag
//! ends the program with SIGFPE). Operands lean to the edges: zeros, denormals, the
//! underflow and overflow boundaries, infinities and NaNs. 48 cases of 24 pairs per
//! run, proptest's random seed (failures are persisted by proptest).
#![cfg(feature = "jit")]

use proptest::prelude::*;
use std::process::Command;

const PAIRS: usize = 24;

/// An f64 bit pattern near the interesting edges, or any bits.
fn operand() -> impl Strategy<Value = u64> {
    let built = (
        any::<bool>(),
        prop_oneof![
            0..4u64,
            2044..=2047u64,
            1000..1050u64,
            1..60u64,
            1990..2046u64,
            0..2048u64
        ],
        prop_oneof![Just(0u64), 0..16u64, any::<u64>()],
    )
        .prop_map(|(s, e, m)| ((s as u64) << 63) | (e << 52) | (m & ((1u64 << 52) - 1)));
    prop_oneof![4 => built, 1 => any::<u64>()]
}

/// A PFPFR value: rounding control, masks (mostly all set), DAZ, FTZ; flags clear.
fn mode() -> impl Strategy<Value = u64> {
    (
        0..4u64,
        prop_oneof![4 => Just(0x3fu64), 1 => 0..64u64],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(rc, masks, daz, ftz)| {
            (rc << 13) | (masks << 7) | ((daz as u64) << 6) | ((ftz as u64) << 15)
        })
}

fn program(mode: u64, pairs: &[(u64, u64)]) -> String {
    let mut s = format!(
        "    .include \"lib.inc\"
    .text
    .global _start
_start:
    {{ setwd wsz=16, nfx=1 }}
    {{ disp %ctpr2, 1f
      addd,0 0, ops, %r1
      addd,1 0, out, %r2 }}
    {{ addd,2 0, ops + {end}, %r3
      addd,3 0, {mode:#x}, %r7 }}
1:
    {{ rws,0 %r7, %pfpfr }}
    {{ nop 5 }}
    {{ ldd,0 %r1, 0, %r4
      ldd,2 %r1, 8, %r5
      addd,1 %r1, 16, %r1 }}
    {{ faddd,0 %r4, %r5, %r6
      fsubd,1 %r4, %r5, %r8
      fmuld,3 %r4, %r5, %r9
      cmpbdb,4 %r1, %r3, %pred0 }}
    {{ std,2 %r6, [ %r2 + 0 ]
      std,5 %r8, [ %r2 + 8 ] }}
    {{ nop 7 }}
    {{ std,2 %r9, [ %r2 + 16 ]
      rrs,0 %pfpfr, %r10 }}
    {{ std,2 %r10, [ %r2 + 24 ]
      addd,0 %r2, 32, %r2
      ct %ctpr2 ? %pred0 }}
    SYSCALL NR_write, 1, out, {outlen}
    EXIT 0
    .data
    .align 16
ops:
",
        end = 16 * pairs.len(),
        outlen = 32 * pairs.len(),
    );
    for (a, b) in pairs {
        s.push_str(&format!("    .dword {a:#x}, {b:#x}\n"));
    }
    s.push_str(&format!("out:\n    .skip {}\n", 32 * pairs.len()));
    s
}

fn run(src: &std::path::Path, tier: &[&str]) -> (Option<i32>, Vec<u8>, String) {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .args(tier)
        .args(["-I", &format!("{root}/tests/guests")])
        .arg(src)
        .output()
        .expect("e2kemu runs");
    (
        o.status.code(),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn host_fp_matches_the_interpreter(
        mode in mode(),
        pairs in proptest::collection::vec((operand(), operand()), PAIRS),
    ) {
        let dir = std::env::temp_dir().join(format!("e2kemu-jitfp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("fp.s");
        std::fs::write(&src, program(mode, &pairs)).unwrap();
        let want = run(&src, &["-tier", "interp"]);
        // the program ran: it exits 0, or an unmasked flag killed it with SIGFPE
        prop_assert!(want.0 == Some(0) || want.0.is_none(), "interpreter: {:?} {}", want.0, want.2);
        prop_assert!(want.0.is_none() || want.1.len() == 32 * PAIRS, "short output");
        for t in ["0", "1"] {
            let got = run(&src, &["-tier", "jit", "-jit-threshold", t]);
            prop_assert_eq!(got.0, want.0, "exit status, threshold {}: {}", t, got.2);
            prop_assert_eq!(&got.1, &want.1, "results/flags differ, threshold {}", t);
        }
    }
}

/// The plain case really runs as host FP: with `-jit-disable fp` the same program
/// gives the same bytes, and `--stats` counts the operations as native only without it.
#[test]
fn fp_lowering_is_native_and_can_be_disabled() {
    let dir = std::env::temp_dir().join(format!("e2kemu-jitfp1-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("fp.s");
    let pairs: Vec<(u64, u64)> = (1..=PAIRS as u64)
        .map(|i| ((i as f64 * 1.25).to_bits(), (3.0 / i as f64).to_bits()))
        .collect();
    std::fs::write(&src, program(0x1f80, &pairs)).unwrap();
    let with = run(&src, &["-tier", "jit", "-jit-threshold", "0", "--stats"]);
    let without = run(
        &src,
        &[
            "-tier",
            "jit",
            "-jit-threshold",
            "0",
            "-jit-disable",
            "fp",
            "--stats",
        ],
    );
    assert_eq!(with.0, Some(0), "{}", with.2);
    assert_eq!(with.1, without.1);
    let helper_line = |e: &str| {
        e.lines()
            .find(|l| l.contains("helper-call ops"))
            .unwrap_or("")
            .to_string()
    };
    assert!(!helper_line(&with.2).contains("faddd"), "{}", with.2);
    assert!(helper_line(&without.2).contains("faddd"), "{}", without.2);
}
