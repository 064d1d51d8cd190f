//! Differential test of the JIT tier (feature `jit`): random programs (tests/diff_common.rs)
//! run under the reference interpreter (general executor only) and under the JIT with
//! trace threshold 0 or 1 and native lowering on or off, from the same random state,
//! bundle by bundle and as budgeted loops; outcomes, the whole CPU state (with the
//! bundle count) and the sandbox memory must be identical.
#![cfg(feature = "jit")]

#[path = "diff_common.rs"]
mod common;

use common::*;
use e2kemu::jit::record::Disabled;
use e2kemu::jit::{JitConfig, JitState};
use proptest::prelude::*;

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
        let cfg = JitConfig {
            threshold,
            disabled: if native { Disabled::default() } else { Disabled::parse("native").unwrap() },
            ..JitConfig::default()
        };
        let jit = run(&p, &regs, tags, budget, |it| {
            it.jit = Some(Box::new(JitState::new(cfg).expect("JIT available on this host")));
        });
        prop_assert_eq!(&jit.0, &reference.0, "outcomes differ for v{}:\n{}", v, p.text);
        prop_assert!(jit.1 == reference.1, "CPU state differs for v{}:\n{}\n{}", v, p.text, state_diff(&jit.1, &reference.1));
        prop_assert!(jit.2 == reference.2, "memory differs for v{}:\n{}", v, p.text);
    }
}
