//! Coverage of the integer-side semantic helpers: every operation of the integer spec
//! files must have a `sem=` helper unless it is listed below with the reason it cannot
//! be a pure function of its operands (the interpreter implements those) or why no
//! helper exists yet. Also checks that alias rows behave like their canonical rows.

use e2k_isa::sem::SemCtx;
use e2k_isa::{AlopDef, ALOPS};
use std::collections::{BTreeMap, BTreeSet};

/// Spec files whose rows are integer-side operations.
const INT_FILES: [&str; 6] = [
    "alu-int.spec",
    "alu-packed.spec",
    "alu-qp-int.spec",
    "alu-cmp-int.spec",
    "alu-comb-int.spec",
    "alu-plog.spec",
];

const MOVT: &str =
    "copies value and tag unchanged and may target %ctprN (§9.4, §10.6): interpreter";
const DESCR: &str =
    "address/protection descriptor op (protected mode, tags and descriptor state): interpreter";
const TAGS: &str = "reads or writes register tags, not values (§9.4): interpreter";
const FLAGS: &str = "flag-producing x86-support op (FLB/FLH/FLW/FLD): no available source defines \
                     its result and qemu-e2k does not implement it";
const V6SEC: &str = "v6 security/bounds-check op: no available source defines its semantics \
                     (qemu-e2k leaves it unimplemented)";
/// Rows of the integer spec files that are floating-point operations (int→FP
/// conversions: they round and raise FP flags). Their helpers belong to the fp side
/// (sem/fp.rs, sem/qpfp.rs), so this test neither requires nor forbids one.
const FP_SIDE: [&str; 9] = [
    "istofs", "istofd", "idtofs", "idtofd", "pistofs", "qpistofs", "qpistofd", "qpidtofs",
    "qpidtofd",
];

/// Integer-side operations deliberately without a helper, with the reason.
fn expected_missing() -> BTreeMap<&'static str, &'static str> {
    let mut m = BTreeMap::new();
    for n in [
        "movts", "movtcs", "movtrs", "movtrcs", "movtd", "movtcd", "movtrd", "movtrcd", "movtq",
        "movtcq", "movtrq", "movtrcq",
    ] {
        m.insert(n, MOVT);
    }
    for n in [
        "getsap", "cudtoap", "gdtoap", "aptoap", "aptoapb", "getva", "cast", "tdtomp", "odtoap",
        "getsod", "gettd",
    ] {
        m.insert(n, DESCR);
    }
    for n in ["gettags", "gettagd", "puttagqp", "puttst"] {
        m.insert(n, TAGS);
    }
    // Ops that read or write CPU state beyond their operands (interpreter).
    let state = [
        (
            "getpl",
            "pointer-to-label of the current code context (§10.6)",
        ),
        (
            "getsp",
            "allocates on the user data stack, changes USD (§4.5)",
        ),
        ("ldrd", "memory/descriptor read"),
        ("puttc", "writes the TC trap-cellar state"),
        ("gettc", "reads the TC trap-cellar state"),
        ("invtc", "invalidates TC trap-cellar state"),
        ("rws", "writes a state register (§1.9)"),
        ("rwd", "writes a state register (§1.9)"),
        ("rrs", "reads a state register (§1.9)"),
        ("rrd", "reads a state register (§1.9)"),
        ("ibranchd", "indirect control transfer (v6)"),
        ("icalld", "indirect call (v6)"),
    ];
    for (n, why) in state {
        m.insert(n, why);
    }
    for op in [
        "adds", "subs", "umulx", "smulx", "ands", "andns", "ors", "orns", "xors", "xorns",
    ] {
        for f in ["fb", "fh", "fw"] {
            m.insert(leak(format!("{op}_{f}")), FLAGS);
        }
    }
    for op in [
        "addd", "subd", "andd", "andnd", "ord", "ornd", "xord", "xornd",
    ] {
        m.insert(leak(format!("{op}_fd")), FLAGS);
    }
    for op in ["incs", "decs", "shls", "shrs", "scls", "scrs", "sars"] {
        for f in ["fb", "fh", "fw"] {
            m.insert(leak(format!("{op}_{f}")), FLAGS);
        }
    }
    for op in ["incd", "decd", "shld", "shrd", "scld", "scrd", "sard"] {
        m.insert(leak(format!("{op}_fd")), FLAGS);
    }
    for n in [
        "vfsi", "vfbgv", "mkfsw", "modbgv", "qpchecks", "qpcheckd", "qpcheckq",
    ] {
        m.insert(n, V6SEC);
    }
    m
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn int_side(d: &AlopDef) -> bool {
    let file = d.src.rsplit('/').next().unwrap_or(d.src);
    let file = file.split(':').next().unwrap_or(file);
    INT_FILES.contains(&file) && !FP_SIDE.contains(&d.name)
}

#[test]
fn every_integer_op_has_a_helper_or_a_reason() {
    let expected = expected_missing();
    let missing: BTreeSet<&str> = ALOPS
        .iter()
        .filter(|d| int_side(d) && d.sem.is_none())
        .map(|d| d.name)
        .collect();
    let unexplained: Vec<&str> = missing
        .iter()
        .copied()
        .filter(|n| !expected.contains_key(n))
        .collect();
    assert!(
        unexplained.is_empty(),
        "integer-side ops without a helper and without a reason: {unexplained:?}"
    );
    // The list must not go stale: every entry is a spec op that still lacks a helper.
    let stale: Vec<&str> = expected
        .keys()
        .copied()
        .filter(|n| !missing.contains(n))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as missing but implemented or not in the integer spec: {stale:?}"
    );
}

#[test]
fn rows_of_one_mnemonic_agree_on_the_helper() {
    // Every row of a mnemonic shares one wrapper; a helper on one row only would be a
    // spec slip that leaves versions of the op unimplemented.
    let mut by_name: BTreeMap<&str, Vec<&AlopDef>> = BTreeMap::new();
    for d in ALOPS.iter().filter(|d| int_side(d)) {
        by_name.entry(d.name).or_default().push(d);
    }
    for (name, rows) in by_name {
        let with = rows.iter().filter(|d| d.sem.is_some()).count();
        assert!(
            with == 0 || with == rows.len(),
            "{name}: only some rows have a helper"
        );
    }
}

/// Values that exercise signs, carries, widths and selector fields.
const EDGE: [u128; 12] = [
    0,
    1,
    2,
    0x7f,
    0x80,
    0xffff_ffff,
    0x8000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX as u128,
    0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
    u128::MAX,
];

#[test]
fn aliases_behave_like_their_canonical_rows() {
    for d in ALOPS.iter().filter(|d| int_side(d) && d.alias_of.is_some()) {
        let c = d.canonical();
        let (Some(fa), Some(fc)) = (d.sem, c.sem) else {
            assert!(
                d.sem.is_none() && c.sem.is_none(),
                "{} / {}: helper on one spelling only",
                d.name,
                c.name
            );
            continue;
        };
        assert_eq!(d.sig, c.sig, "{} / {}: signatures differ", d.name, c.name);
        for &a in &EDGE {
            for &b in &EDGE {
                for &x in &EDGE[..4] {
                    let mut c1 = SemCtx::default();
                    let mut c2 = SemCtx::default();
                    assert_eq!(
                        fa(&mut c1, a, b, x ^ a, 1),
                        fc(&mut c2, a, b, x ^ a, 1),
                        "{} differs from {}",
                        d.name,
                        c.name
                    );
                }
            }
        }
    }
}
