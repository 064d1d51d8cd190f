//! Conversions: between formats, to and from integers, round to integral, scaling.

use super::nan::quiet;
use super::round::round;
use super::{check_denormal, flag, Class, Env, Format, Fp, Rounding};

/// Converts `x` to `fmt` like SSE `cvt*` and x87 `fld`: signalling NaNs are quieted
/// (IE), a denormal source raises DE, finite values are rounded.
pub fn convert(fmt: Format, x: Fp, env: &mut Env) -> Fp {
    if x.class == Class::Finite {
        check_denormal(env, &[x]);
    }
    store(fmt, x, env)
}

/// Converts `x` to `fmt` like x87 `fst`: as [`convert`], but a denormal source raises
/// no DE.
pub fn store(fmt: Format, x: Fp, env: &mut Env) -> Fp {
    let x = x.normalized();
    match x.class {
        Class::QNaN | Class::SNaN | Class::Unsupported => quiet(x, env),
        Class::Finite => round(fmt, x.sign, x.exp, (x.sig as u128) << 64, env),
        _ => Fp {
            denormal: false,
            ..x
        },
    }
}

/// Splits finite `x` into its integer magnitude rounded by `rm` (None when it does not
/// fit in 64 bits) and whether the rounding was inexact.
fn integer_part(x: Fp, rm: Rounding) -> (Option<u64>, bool) {
    if x.exp >= 64 {
        return (None, false);
    }
    // Bits of the significand below the binary point.
    let below = 63i32.saturating_sub(x.exp);
    let (ip, rem, half) = if below <= 0 {
        (x.sig, 0u64, 0u64)
    } else if below < 64 {
        let b = below as u32;
        (x.sig >> b, x.sig & ((1u64 << b) - 1), 1u64 << (b - 1))
    } else if below == 64 {
        (0, x.sig, 1u64 << 63)
    } else {
        // Below one half: only the sticky information survives.
        (0, 1, u64::MAX)
    };
    let up = rem != 0
        && match rm {
            Rounding::NearestEven => rem > half || (rem == half && ip & 1 == 1),
            Rounding::TowardZero => false,
            Rounding::Up => !x.sign,
            Rounding::Down => x.sign,
        };
    (ip.checked_add(up as u64), rem != 0)
}

/// Converts `x` to a signed integer of `width` bits (32 or 64) rounding by `rm`.
/// NaN, infinity and out-of-range values give the integer indefinite (the most negative
/// value) and IE; inexact results raise PE. The result is sign-extended to 64 bits.
pub fn to_int(x: Fp, width: u32, rm: Rounding, env: &mut Env) -> i64 {
    let x = x.normalized();
    let width = width.clamp(1, 64);
    let min = if width >= 64 {
        i64::MIN
    } else {
        -(1i64 << (width - 1))
    };
    match x.class {
        Class::Zero => 0,
        Class::Finite => {
            let (ip, inexact) = integer_part(x, rm);
            let limit = (min as u64).wrapping_neg() - !x.sign as u64;
            match ip {
                Some(v) if v <= limit => {
                    if inexact {
                        env.raise(flag::PE);
                    }
                    if x.sign {
                        (v as i64).wrapping_neg()
                    } else {
                        v as i64
                    }
                }
                _ => {
                    env.raise(flag::IE);
                    min
                }
            }
        }
        _ => {
            env.raise(flag::IE);
            min
        }
    }
}

/// Converts a signed integer to `fmt` (rounding when it does not fit).
pub fn from_i64(fmt: Format, v: i64, env: &mut Env) -> Fp {
    let mag = v.unsigned_abs();
    round(fmt, v < 0, 63, (mag as u128) << 64, env)
}

/// Rounds `x` to an integral value in `fmt` with `rm`; PE when inexact. Signalling NaNs
/// are quieted (IE). A denormal `x` raises DE only with `de` (x87 `frndint` does, SSE4.1
/// `roundss` does not).
pub fn round_to_integral(fmt: Format, x: Fp, rm: Rounding, de: bool, env: &mut Env) -> Fp {
    let x = x.normalized();
    if de && x.class == Class::Finite {
        check_denormal(env, &[x]);
    }
    match x.class {
        Class::QNaN | Class::SNaN | Class::Unsupported => quiet(x, env),
        Class::Finite if x.exp < 63 => {
            let (ip, inexact) = integer_part(x, rm);
            if inexact {
                env.raise(flag::PE);
            }
            match ip {
                Some(0) | None => Fp::zero(x.sign),
                Some(v) => {
                    let lz = v.leading_zeros();
                    round(fmt, x.sign, 63 - lz as i32, (v as u128) << (64 + lz), env)
                }
            }
        }
        _ => Fp {
            denormal: false,
            ..x
        },
    }
}

/// `x * 2^n` rounded to `fmt` (x87 `fscale` with an integral scale, which ignores
/// precision control: pass [`Format::EXTENDED`] for it). DE for a denormal `x`;
/// infinities and zeros are unchanged.
pub fn scale(fmt: Format, x: Fp, n: i32, env: &mut Env) -> Fp {
    let x = x.normalized();
    match x.class {
        Class::QNaN | Class::SNaN | Class::Unsupported => quiet(x, env),
        Class::Finite => {
            check_denormal(env, &[x]);
            let e = x.exp.saturating_add(n.clamp(-(1 << 20), 1 << 20));
            round(fmt, x.sign, e, (x.sig as u128) << 64, env)
        }
        _ => x,
    }
}
