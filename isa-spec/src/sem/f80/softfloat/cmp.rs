//! Comparison.

use super::{check_denormal, flag, Class, Env, Fp};

/// Outcome of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Less,
    Equal,
    Greater,
    Unordered,
}

/// Compares `a` with `b`. A NaN operand gives `Unordered` and IE when it is signalling,
/// unsupported, or `signaling` is set (the ordered predicates); otherwise DE is raised
/// for a denormal operand. Zeros compare equal regardless of sign.
pub fn compare(a: Fp, b: Fp, signaling: bool, env: &mut Env) -> Relation {
    let (a, b) = (a.normalized(), b.normalized());
    if a.is_nan() || b.is_nan() {
        let loud = |x: &Fp| matches!(x.class, Class::SNaN | Class::Unsupported);
        if signaling || loud(&a) || loud(&b) {
            env.raise(flag::IE);
        }
        return Relation::Unordered;
    }
    check_denormal(env, &[a, b]);
    let (az, bz) = (a.class == Class::Zero, b.class == Class::Zero);
    if az && bz {
        return Relation::Equal;
    }
    if a.sign != b.sign {
        return if a.sign {
            Relation::Less
        } else {
            Relation::Greater
        };
    }
    // Same sign: compare magnitudes (zero < finite < infinity).
    let rank = |x: &Fp| match x.class {
        Class::Zero => 0,
        Class::Inf => 2,
        _ => 1,
    };
    let mag = rank(&a).cmp(&rank(&b)).then_with(|| {
        if a.class == Class::Finite {
            a.exp.cmp(&b.exp).then(a.sig.cmp(&b.sig))
        } else {
            core::cmp::Ordering::Equal
        }
    });
    let mag = if a.sign { mag.reverse() } else { mag };
    match mag {
        core::cmp::Ordering::Less => Relation::Less,
        core::cmp::Ordering::Equal => Relation::Equal,
        core::cmp::Ordering::Greater => Relation::Greater,
    }
}
