//! Host-FPU shortcut for the common case of f32/f64 add, subtract, multiply and divide:
//! round-to-nearest-even, operands normal or zero, result normal (or an exact zero) and
//! finite. In that case IEEE 754 fixes the result, the host computes it, and the only
//! flag that can arise is inexact, which is decided exactly with an error-free
//! transformation. Everything else (NaN, infinity, denormal, overflow, underflow, other
//! rounding modes) returns None and goes through the soft-float, which stays the
//! reference; a property test compares both on random operands.

use super::vector::{ADD, DIV, HADD, HSUB, MUL, RSUB, SUB};
use crate::sem::f80::softfloat::{flag, Bits, Env, Rounding};

/// Normal or zero (not denormal, infinite or NaN).
#[inline(always)]
fn plain64(x: f64) -> bool {
    x.is_normal() || x == 0.0
}

/// Below this magnitude the error terms of products and quotients could fall into the
/// denormal range, so the shortcut is not taken.
const TINY: f64 = 1.0e-250;

/// The exact result of `op` rounded to f64, and whether it was exact; None when the
/// operands or the result leave the plain case.
#[inline(always)]
fn op64(op: u8, a: f64, b: f64) -> Option<(f64, bool)> {
    let op = match op {
        HADD => ADD,
        HSUB => SUB,
        o => o,
    };
    let (a, b) = if op == RSUB { (b, a) } else { (a, b) };
    let (r, exact) = match op {
        ADD | SUB | RSUB => {
            let b = if op == ADD { b } else { -b };
            let s = a + b;
            // TwoSum: the rounding error of a + b, exactly
            let bb = s - a;
            let err = (a - (s - bb)) + (b - bb);
            (s, err == 0.0)
        }
        MUL => {
            let p = a * b;
            if p == 0.0 {
                // exact only from a zero operand; else underflow
                return (a == 0.0 || b == 0.0).then_some((p, true));
            }
            // the product's error is exactly representable when the product is far
            // enough above the denormal range
            if p.abs() < TINY {
                return None;
            }
            (p, a.mul_add(b, -p) == 0.0)
        }
        DIV => {
            if b == 0.0 {
                return None;
            }
            let q = a / b;
            if a == 0.0 {
                return Some((q, true));
            }
            // likewise for the remainder a - q * b, which has the magnitude of a
            if a.abs() < TINY || q.abs() < TINY {
                return None;
            }
            (q, (-q).mul_add(b, a) == 0.0)
        }
        _ => return None,
    };
    // a finite result away from the underflow boundary (tininess is decided the same
    // before and after rounding there)
    (r == 0.0 || (r.is_finite() && r.abs() >= 2.0 * f64::MIN_POSITIVE)).then_some((r, exact))
}

/// `op` on two lanes of `T`, or None outside the plain case.
#[inline(always)]
pub(crate) fn binop<T: Bits>(op: u8, a: T, b: T, env: &mut Env) -> Option<T> {
    if env.rm != Rounding::NearestEven {
        return None;
    }
    if T::WIDTH == 64 {
        let (x, y) = (f64::from_bits(a.to_u64()), f64::from_bits(b.to_u64()));
        if !plain64(x) || !plain64(y) {
            return None;
        }
        let (r, exact) = op64(op, x, y)?;
        if !exact {
            env.flags |= flag::PE;
        }
        Some(T::from_u64(r.to_bits()))
    } else {
        let (x, y) = (
            f32::from_bits(a.to_u64() as u32),
            f32::from_bits(b.to_u64() as u32),
        );
        if !(x.is_normal() || x == 0.0) || !(y.is_normal() || y == 0.0) {
            return None;
        }
        // computed in f64 then rounded to f32: double rounding is innocuous for these
        // operations since 53 >= 2 * 24 + 2
        let (r64, exact64) = op64(op, x as f64, y as f64)?;
        let r = r64 as f32;
        let zero_ok = r == 0.0 && r64 == 0.0;
        if !(zero_ok || (r.is_finite() && r.abs() >= 2.0 * f32::MIN_POSITIVE)) {
            return None;
        }
        if !exact64 || r as f64 != r64 {
            env.flags |= flag::PE;
        }
        Some(T::from_u64(r.to_bits() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sem::fp::vector::elem_soft;
    use proptest::prelude::*;

    /// Operands of `w` bits: random bit patterns, and values built from a sign, an
    /// exponent near the interesting edges (tiny, huge, close to each other) and a
    /// mantissa with few or many bits set.
    fn operand(w: u32) -> impl Strategy<Value = u64> {
        let (ebits, mbits) = if w == 64 { (11u32, 52u32) } else { (8, 23) };
        let emax = (1u64 << ebits) - 1;
        let built = (
            any::<bool>(),
            prop_oneof![0..8u64, (emax - 8)..=emax, (emax / 2 - 30)..(emax / 2 + 30)],
            prop_oneof![Just(0u64), 0..16u64, any::<u64>()],
        )
            .prop_map(move |(s, e, m)| {
                ((s as u64) << (w - 1)) | (e << mbits) | (m & ((1u64 << mbits) - 1))
            });
        prop_oneof![
            any::<u64>().prop_map(move |v| v & (u64::MAX >> (64 - w))),
            built
        ]
    }

    fn same<T: Bits + PartialEq + std::fmt::Debug>(
        op: u8,
        a: T,
        b: T,
    ) -> Result<(), TestCaseError> {
        let mut hw = Env::new(Rounding::NearestEven);
        let mut sw = Env::new(Rounding::NearestEven);
        if let Some(r) = binop(op, a, b, &mut hw) {
            let s = elem_soft(op, a, b, &mut sw);
            prop_assert_eq!(r, s, "op {} on {:?}, {:?}", op, a, b);
            prop_assert_eq!(hw.flags, sw.flags, "flags of op {} on {:?}, {:?}", op, a, b);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        #[test]
        fn f64_matches_softfloat(op in prop_oneof![Just(ADD), Just(SUB), Just(RSUB), Just(MUL), Just(DIV), Just(HADD), Just(HSUB)],
                                 a in operand(64), b in operand(64)) {
            same::<u64>(op, a, b)?;
        }

        #[test]
        fn f32_matches_softfloat(op in prop_oneof![Just(ADD), Just(SUB), Just(RSUB), Just(MUL), Just(DIV)],
                                 a in operand(32), b in operand(32)) {
            same::<u32>(op, a as u32, b as u32)?;
        }
    }

    #[test]
    fn shortcut_taken_for_ordinary_operands() {
        let mut e = Env::new(Rounding::NearestEven);
        let r = binop(ADD, 1.5f64.to_bits(), 0.1f64.to_bits(), &mut e);
        assert_eq!(r, Some((1.5f64 + 0.1).to_bits()));
        assert_eq!(e.flags, flag::PE);
        let mut e = Env::new(Rounding::Down);
        assert_eq!(binop(ADD, 1.5f64.to_bits(), 0.1f64.to_bits(), &mut e), None);
    }
}
