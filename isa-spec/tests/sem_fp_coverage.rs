//! Every floating-point-side operation of the spec (the rows of alu-fp, alu-f80,
//! alu-cmp-fp, alu-comb-fp and alu-qp-fp, plus the int → FP conversions that sit in
//! integer-side files) has a semantic helper, or is listed in [`WITHOUT_HELPER`] with
//! the reason it has none.

use e2k_isa::{AlopDef, ALOPS};

/// The spec files of the floating-point side.
const FP_SPECS: [&str; 5] = [
    "alu-fp.spec",
    "alu-f80.spec",
    "alu-cmp-fp.spec",
    "alu-comb-fp.spec",
    "alu-qp-fp.spec",
];

/// FP operations in integer-side spec files (int → FP conversions round and raise FP
/// flags, so their helpers are in `sem::fp`/`sem::qpfp`).
const FP_OPS_ELSEWHERE: [&str; 9] = [
    "istofs", "istofd", "idtofs", "idtofd", "pistofs", "qpistofs", "qpistofd", "qpidtofs",
    "qpidtofd",
];

/// Operations deliberately left without a helper.
const WITHOUT_HELPER: &[(&str, &str)] = &[
    (
        "fxsqrtusx",
        "intermediate 80-bit square-root step whose row has no `sig=`: the signature \
         derived from args=DSD (ds>d) cannot carry the 80-bit intermediate it produces; \
         qemu-e2k does not implement it and no vector covers it. With a `sig=xs>x` row it \
         would take f80::fxsqrt_step-like pass-through semantics.",
    ),
    (
        "fxsqrtudx",
        "as fxsqrtusx, with an f64 operand (derived signature dd>d).",
    ),
];

fn is_fp_file(src: &str) -> bool {
    let file = src.rsplit('/').next().unwrap_or(src);
    let file = file.split(':').next().unwrap_or(file);
    FP_SPECS.contains(&file)
}

fn is_fp_side(a: &AlopDef) -> bool {
    is_fp_file(a.src) || FP_OPS_ELSEWHERE.contains(&a.name)
}

#[test]
fn every_fp_op_has_a_helper() {
    let mut missing: Vec<&str> = ALOPS
        .iter()
        .filter(|a| is_fp_side(a) && a.sem.is_none() && a.alias_of.is_none())
        .map(|a| a.name)
        .filter(|n| !WITHOUT_HELPER.iter().any(|(w, _)| w == n))
        .collect();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "fp-side ops without a semantic helper: {missing:?}"
    );
}

#[test]
fn exemption_list_is_current() {
    for (name, reason) in WITHOUT_HELPER {
        assert!(!reason.is_empty());
        let rows: Vec<_> = ALOPS.iter().filter(|a| a.name == *name).collect();
        assert!(!rows.is_empty(), "`{name}` is not in the spec");
        assert!(
            rows.iter().all(|a| is_fp_side(a)),
            "`{name}` is not an fp-side op"
        );
        assert!(
            rows.iter().all(|a| a.sem.is_none()),
            "`{name}` has a helper now: drop it from WITHOUT_HELPER"
        );
    }
}

#[test]
fn fp_ops_elsewhere_exist() {
    for name in FP_OPS_ELSEWHERE {
        assert!(
            ALOPS.iter().any(|a| a.name == name),
            "`{name}` is not in the spec"
        );
    }
}

#[test]
fn fp_side_is_not_empty() {
    let n = ALOPS.iter().filter(|a| is_fp_side(a)).count();
    assert!(
        n > 300,
        "only {n} fp-side rows found: spec file names changed?"
    );
}
