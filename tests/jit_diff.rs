//! Differential test of the JIT tier (feature `jit`): random programs (tests/diff_common.rs)
//! run under the reference interpreter (general executor only) and under the JIT with
//! trace threshold 0 or 1 and native lowering on or off, from the same random state;
//! outcomes, the whole CPU state (with the bundle count) and the sandbox memory must be
//! identical.
//!
//! * `jit_matches_the_interpreter`: the original shapes (straight-line bundles run one
//!   by one, simple predicate-closed loops run for 300 bundles), 10 000 cases.
//! * `jit_matches_the_interpreter_on_structured_shapes`: loop-mode software pipelines,
//!   call/return programs and faulting memory access (`Shape`), each run for its
//!   budget in interpreter slices of 1, 5, 37 or 1000 bundles (so traces are entered,
//!   and run out of budget, at every point), with the default code space or one of
//!   4 or 16 KiB (traces dropped and rebuilt mid-run), 10 000 cases.
//!
//! In release on the 2-core development machine: 27 s for both (run in parallel),
//! 17 s + 25 s one after the other. The structured test prints (with `--nocapture`)
//! how much of each shape ran as JIT code and why trace recording stopped. Seeds:
//! proptest's default random seed per run (`PROPTEST_RNG_SEED` fixes it,
//! `PROPTEST_CASES` overrides the case counts for a longer soak); failing cases are
//! shrunk and their seeds persisted in tests/jit_diff.proptest-regressions, which is
//! replayed first on every run (by both tests).
#![cfg(feature = "jit")]

#[path = "diff_common.rs"]
mod common;

use common::*;
use e2kemu::cpu::tcache::Interp;
use e2kemu::jit::record::Disabled;
use e2kemu::jit::{JitConfig, JitState};
use proptest::prelude::*;
use proptest::test_runner::{contextualize_config, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, .. ProptestConfig::default() })]
    #[test]
    fn jit_matches_the_interpreter(
        v in 3u8..=6,
        picks in picks(),
        regs in regs(),
        tags in any::<bool>(),
        looped in any::<bool>(),
        threshold in 0u32..=1,
        native in any::<bool>(),
    ) {
        let p = program(v, &picks, looped);
        prop_assume!(p.is_some());
        let p = p.unwrap();
        let budget = looped.then_some(300);
        let reference = run(&p, &regs, tags, budget, |it| it.fast = false);
        let jit = run(&p, &regs, tags, budget, |it| {
            it.jit = Some(Box::new(JitState::new(config(threshold, native)).expect("JIT available on this host")));
        });
        prop_assert_eq!(&jit.0, &reference.0, "outcomes differ for v{}:\n{}", v, p.text);
        prop_assert!(jit.1 == reference.1, "CPU state differs for v{}:\n{}\n{}", v, p.text, state_diff(&jit.1, &reference.1));
        prop_assert!(jit.2 == reference.2, "memory differs for v{}:\n{}", v, p.text);
    }
}

fn config(threshold: u32, native: bool) -> JitConfig {
    config_with_code(threshold, native, 0)
}

/// `code`: the code space in bytes (0: the default).
fn config_with_code(threshold: u32, native: bool, code: usize) -> JitConfig {
    let mut c = JitConfig {
        threshold,
        ..JitConfig::default()
    };
    if !native {
        c.disabled = Disabled::parse("native").unwrap();
    }
    if code != 0 {
        c.code_size = code;
    }
    c
}

/// Per shape: cases, bundles run, bundles run in JIT traces, traces compiled.
type Counts = BTreeMap<String, [u64; 4]>;

#[test]
fn jit_matches_the_interpreter_on_structured_shapes() {
    let mut cfg = contextualize_config(ProptestConfig {
        cases: 10_000,
        ..ProptestConfig::default()
    });
    cfg.source_file = Some(file!());
    cfg.test_name = Some(concat!(
        module_path!(),
        "::jit_matches_the_interpreter_on_structured_shapes"
    ));
    let mut runner = TestRunner::new(cfg);
    let counts = RefCell::new(Counts::new());
    // why trace recording stopped, and entries refused: what keeps the rest out of
    // native code
    let stops = RefCell::new(BTreeMap::<&'static str, u64>::new());
    let strategy = (
        3u8..=6,
        raw(),
        sparse_regs(),
        any::<bool>(),
        0u32..=1,
        any::<bool>(),
        prop::sample::select(vec![37u64, 1, 5, 1000]),
        prop::sample::select(vec![0usize, 0, 4096, 1 << 14]),
    );
    let r = runner.run(
        &strategy,
        |(v, raw, regs, tags, threshold, native, slice, code)| {
            let p = shaped(v, &raw);
            prop_assume!(p.is_some());
            let p = p.unwrap();
            let budget = Some(p.budget);
            let reference = run_sliced(&p, &regs, tags, budget, slice, |it| it.fast = false);
            let jit = run_sliced(&p, &regs, tags, budget, slice, |it: &mut Interp| {
                it.jit = Some(Box::new(
                    JitState::new(config_with_code(threshold, native, code))
                        .expect("JIT available on this host"),
                ));
            });
            let what = format!(
                "{:?} v{v} tags={tags} threshold={threshold} native={native} slice={slice} code={code}",
                raw.shape
            );
            prop_assert_eq!(
                &jit.0,
                &reference.0,
                "outcomes differ, {}:\n{}",
                what,
                p.text
            );
            prop_assert!(
                jit.1 == reference.1,
                "CPU state differs, {}:\n{}\n{}",
                what,
                p.text,
                state_diff(&jit.1, &reference.1)
            );
            prop_assert!(
                jit.2 == reference.2,
                "memory differs, {}:\n{}",
                what,
                p.text
            );
            let s = &jit.3.jit.as_ref().expect("JIT state").stats;
            let mut c = counts.borrow_mut();
            let e = c.entry(format!("{:?}", raw.shape)).or_default();
            e[0] += 1;
            e[1] += u64::from_le_bytes(reference.1[..8].try_into().unwrap());
            e[2] += s.bundles;
            e[3] += s.traces;
            let mut st = stops.borrow_mut();
            for (why, n) in &s.record_stops {
                *st.entry(why).or_default() += n;
            }
            *st.entry("(entry refused)").or_default() += s.not_entered;
            Ok(())
        },
    );
    // how much of the structured programs ran as JIT traces (shown with --nocapture)
    for (shape, [n, b, nat, t]) in counts.borrow().iter() {
        eprintln!(
            "{shape}: {n} cases, {b} bundles, {nat} in JIT traces ({:.1}%), {t} traces",
            100.0 * *nat as f64 / (*b).max(1) as f64
        );
    }
    let mut st: Vec<_> = stops.borrow().iter().map(|(w, n)| (*n, *w)).collect();
    st.sort_unstable_by(|a, b| b.cmp(a));
    let top: Vec<String> = st
        .iter()
        .take(12)
        .map(|(n, w)| format!("{w} {n}"))
        .collect();
    eprintln!("trace recording stopped at: {}", top.join(", "));
    if let Err(e) = r {
        panic!("{e}\n{runner}");
    }
}
