//! Differential test of the interpreter's fast paths: random programs (tests/diff_common.rs)
//! run once with the fast paths and once through the general executor alone, from the
//! same random state; the outcome of every bundle (or budgeted run), the whole CPU state
//! and the sandbox memory must be identical.
//!
//! * `fast_paths_match_the_general_executor`: the original shapes (straight-line
//!   bundles run one by one, simple predicate-closed loops run for 200 bundles),
//!   20 000 cases.
//! * `fast_paths_match_the_general_executor_on_structured_shapes`: loop-mode software
//!   pipelines, call/return programs and faulting memory access (`Shape`), each run for
//!   its budget in interpreter slices of 1, 5, 37 or 1000 bundles, 20 000 cases.
//!
//! In release on the 2-core development machine: 8 s for both (run in parallel),
//! 5 s + 5 s one after the other. Seeds: proptest's default random seed per run
//! (`PROPTEST_RNG_SEED` fixes it, `PROPTEST_CASES` overrides the case counts for a
//! longer soak); failing cases are shrunk and their seeds persisted in
//! tests/fastpath_diff.proptest-regressions, which is replayed first on every run
//! (by both tests).

#[path = "diff_common.rs"]
mod common;

use common::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, .. ProptestConfig::default() })]
    #[test]
    fn fast_paths_match_the_general_executor(
        v in 3u8..=6,
        picks in picks(),
        regs in regs(),
        tags in any::<bool>(),
        looped in any::<bool>(),
    ) {
        let p = program(v, &picks, looped);
        prop_assume!(p.is_some());
        let p = p.unwrap();
        let budget = looped.then_some(200);
        let fast = run(&p, &regs, tags, budget, |_| {});
        let slow = run(&p, &regs, tags, budget, |it| it.fast = false);
        prop_assert_eq!(&fast.0, &slow.0, "outcomes differ for v{}:\n{}", v, p.text);
        prop_assert!(fast.1 == slow.1, "CPU state differs for v{}:\n{}\n{}", v, p.text, state_diff(&fast.1, &slow.1));
        prop_assert!(fast.2 == slow.2, "memory differs for v{}:\n{}", v, p.text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, .. ProptestConfig::default() })]
    #[test]
    fn fast_paths_match_the_general_executor_on_structured_shapes(
        v in 3u8..=6,
        raw in raw(),
        regs in sparse_regs(),
        tags in any::<bool>(),
        slice in prop::sample::select(vec![37u64, 1, 5, 1000]),
    ) {
        let p = shaped(v, &raw);
        prop_assume!(p.is_some());
        let p = p.unwrap();
        let budget = Some(p.budget);
        let fast = run_sliced(&p, &regs, tags, budget, slice, |_| {});
        let slow = run_sliced(&p, &regs, tags, budget, slice, |it| it.fast = false);
        let what = format!("{:?} v{v} tags={tags} slice={slice}", raw.shape);
        prop_assert_eq!(&fast.0, &slow.0, "outcomes differ, {}:\n{}", what, p.text);
        prop_assert!(fast.1 == slow.1, "CPU state differs, {}:\n{}\n{}", what, p.text, state_diff(&fast.1, &slow.1));
        prop_assert!(fast.2 == slow.2, "memory differs, {}:\n{}", what, p.text);
    }
}
