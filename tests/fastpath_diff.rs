//! Differential test of the interpreter's fast paths: random programs (tests/diff_common.rs)
//! run once with the fast paths and once through the general executor alone, from the
//! same random state, bundle by bundle and as budgeted loops; the outcome of every
//! bundle, the whole CPU state and the sandbox memory must be identical.

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
