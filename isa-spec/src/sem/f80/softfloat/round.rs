//! Rounding of an exact (or sticky) 128-bit significand to a [`Format`], with overflow,
//! tininess/underflow, flush-to-zero and inexact handling.

use super::{flag, Env, Format, Fp, Rounding};

/// Shifts `m` right by `d` bits, ORing every bit shifted out into bit 0 (sticky).
#[inline]
pub(super) fn shr_sticky(m: u128, d: u32) -> u128 {
    if d == 0 {
        m
    } else if d >= 128 {
        (m != 0) as u128
    } else {
        (m >> d) | ((m & ((1u128 << d) - 1)) != 0) as u128
    }
}

/// Whether the kept part `kept` with discarded bits `rem` (of width `shift`) rounds up.
#[inline]
fn round_up(rm: Rounding, sign: bool, kept: u128, rem: u128, shift: u32) -> bool {
    if rem == 0 {
        return false;
    }
    match rm {
        Rounding::NearestEven => {
            let half = 1u128 << (shift - 1);
            rem > half || (rem == half && kept & 1 == 1)
        }
        Rounding::TowardZero => false,
        Rounding::Up => !sign,
        Rounding::Down => sign,
    }
}

/// The overflowed result: infinity or the largest finite value, by rounding direction.
fn overflow(fmt: Format, prec: u32, sign: bool, rm: Rounding) -> Fp {
    let to_inf = match rm {
        Rounding::NearestEven => true,
        Rounding::TowardZero => false,
        Rounding::Up => !sign,
        Rounding::Down => sign,
    };
    if to_inf {
        Fp::inf(sign)
    } else {
        Fp::finite(sign, fmt.emax, u64::MAX << (64 - prec))
    }
}

/// Rounds `sign * m * 2^(exp - 127)` to `fmt` under `env`, raising OE/UE/PE.
///
/// `m` may carry a sticky bit in bit 0. A zero `m` gives a zero of sign `sign`. The result
/// is exactly representable in `fmt` (denormals are returned normalised, with `exp` below
/// `fmt.emin`).
pub fn round(fmt: Format, sign: bool, exp: i32, m: u128, env: &mut Env) -> Fp {
    if m == 0 {
        return Fp::zero(sign);
    }
    let lz = m.leading_zeros();
    let mut m = m << lz;
    let mut exp = exp.saturating_sub(lz as i32);
    let prec = fmt.prec.clamp(1, 64);
    let shift = 128 - prec;
    let mut tiny = false;
    if exp < fmt.emin {
        // Tiny after rounding: still below 2^emin once rounded with an unbounded exponent.
        let carries = {
            let kept = m >> shift;
            let up = round_up(env.rm, sign, kept, m & ((1u128 << shift) - 1), shift);
            up && kept + 1 == 1u128 << prec
        };
        tiny = !(exp == fmt.emin.saturating_sub(1) && carries);
        if tiny && env.ftz && env.ue_masked {
            env.raise(flag::UE | flag::PE);
            return Fp::zero(sign);
        }
        let d = fmt.emin.saturating_sub(exp).min(200) as u32;
        m = shr_sticky(m, d);
        exp = fmt.emin;
    }
    let mut kept = m >> shift;
    let rem = m & ((1u128 << shift) - 1);
    if round_up(env.rm, sign, kept, rem, shift) {
        kept += 1;
        if kept == 1u128 << prec {
            kept >>= 1;
            exp += 1;
        }
    }
    let inexact = rem != 0;
    if exp > fmt.emax {
        env.raise(flag::OE | flag::PE);
        return overflow(fmt, prec, sign, env.rm);
    }
    if tiny && (inexact || !env.ue_masked) {
        env.raise(flag::UE);
    }
    if inexact {
        env.raise(flag::PE);
    }
    if kept == 0 {
        return Fp::zero(sign);
    }
    let sig = (kept as u64) << (64 - prec);
    let lz = sig.leading_zeros();
    Fp::finite(sign, exp.saturating_sub(lz as i32), sig << lz)
}

/// Rounds a finite or zero value to `fmt` (for operands passed through unchanged).
#[inline]
pub(super) fn round_fp(fmt: Format, x: Fp, env: &mut Env) -> Fp {
    match x.class {
        super::Class::Finite => round(fmt, x.sign, x.exp, (x.sig as u128) << 64, env),
        _ => Fp {
            denormal: false,
            ..x
        },
    }
}
