//! Addition, subtraction, multiplication and division.

use super::nan::{default_nan, propagate2};
use super::round::{round, round_fp, shr_sticky};
use super::{check_denormal, flag, Class, Env, Format, Fp, Rounding};

/// Adds two signed non-zero 128-bit significands `sa*ma*2^(ea-127)` and
/// `sb*mb*2^(eb-127)` and rounds the sum. Each `m` must be exact within 127 bits once
/// normalised; the smaller operand's low bits may be folded into a sticky bit, which
/// never reaches the rounding position.
pub(super) fn add_wide(
    fmt: Format,
    (sa, ea, ma): (bool, i32, u128),
    (sb, eb, mb): (bool, i32, u128),
    env: &mut Env,
) -> Fp {
    // Normalise (exact), then keep one bit of headroom for the carry.
    let (la, lb) = (ma.leading_zeros().min(127), mb.leading_zeros().min(127));
    let (ma, mb) = (shr_sticky(ma << la, 1), shr_sticky(mb << lb, 1));
    let (ea, eb) = (
        ea.saturating_add(1 - la as i32),
        eb.saturating_add(1 - lb as i32),
    );
    // Order by magnitude: larger exponent, then larger significand.
    let a_big = ea > eb || (ea == eb && ma >= mb);
    let ((sb_, eb_, mb_), (ss, es, ms)) = if a_big {
        ((sa, ea, ma), (sb, eb, mb))
    } else {
        ((sb, eb, mb), (sa, ea, ma))
    };
    let d = eb_.saturating_sub(es).clamp(0, 200) as u32;
    let ms = shr_sticky(ms, d);
    let m = if sb_ == ss { mb_ + ms } else { mb_ - ms };
    if m == 0 {
        return Fp::zero(env.rm == Rounding::Down);
    }
    round(fmt, sb_, eb_, m, env)
}

/// `a + b` rounded to `fmt`.
pub fn add(fmt: Format, a: Fp, b: Fp, env: &mut Env) -> Fp {
    let (a, b) = (a.normalized(), b.normalized());
    if a.is_nan() || b.is_nan() {
        return propagate2(a, b, env);
    }
    check_denormal(env, &[a, b]);
    match (a.class, b.class) {
        (Class::Inf, Class::Inf) => {
            if a.sign != b.sign {
                env.raise(flag::IE);
                default_nan()
            } else {
                a
            }
        }
        (Class::Inf, _) => a,
        (_, Class::Inf) => b,
        (Class::Zero, Class::Zero) => Fp::zero(if a.sign == b.sign {
            a.sign
        } else {
            env.rm == Rounding::Down
        }),
        (Class::Zero, _) => round_fp(fmt, b, env),
        (_, Class::Zero) => round_fp(fmt, a, env),
        _ => add_wide(
            fmt,
            (a.sign, a.exp, (a.sig as u128) << 64),
            (b.sign, b.exp, (b.sig as u128) << 64),
            env,
        ),
    }
}

/// `a - b` rounded to `fmt` (a NaN `b` keeps its sign).
pub fn sub(fmt: Format, a: Fp, b: Fp, env: &mut Env) -> Fp {
    if a.is_nan() || b.is_nan() {
        return propagate2(a, b, env);
    }
    add(fmt, a, b.negate(), env)
}

/// `a * b` rounded to `fmt`.
pub fn mul(fmt: Format, a: Fp, b: Fp, env: &mut Env) -> Fp {
    let (a, b) = (a.normalized(), b.normalized());
    if a.is_nan() || b.is_nan() {
        return propagate2(a, b, env);
    }
    check_denormal(env, &[a, b]);
    let sign = a.sign != b.sign;
    match (a.class, b.class) {
        (Class::Inf, Class::Zero) | (Class::Zero, Class::Inf) => {
            env.raise(flag::IE);
            default_nan()
        }
        (Class::Inf, _) | (_, Class::Inf) => Fp::inf(sign),
        (Class::Zero, _) | (_, Class::Zero) => Fp::zero(sign),
        _ => {
            let m = a.sig as u128 * b.sig as u128;
            round(
                fmt,
                sign,
                a.exp.saturating_add(b.exp).saturating_add(1),
                m,
                env,
            )
        }
    }
}

/// `a / b` rounded to `fmt`.
pub fn div(fmt: Format, a: Fp, b: Fp, env: &mut Env) -> Fp {
    let (a, b) = (a.normalized(), b.normalized());
    if a.is_nan() || b.is_nan() {
        return propagate2(a, b, env);
    }
    let sign = a.sign != b.sign;
    if b.class == Class::Zero && a.class == Class::Finite {
        // Division by zero takes precedence over a denormal dividend (no DE).
        env.raise(flag::ZE);
        return Fp::inf(sign);
    }
    check_denormal(env, &[a, b]);
    match (a.class, b.class) {
        (Class::Inf, Class::Inf) | (Class::Zero, Class::Zero) => {
            env.raise(flag::IE);
            default_nan()
        }
        (Class::Inf, _) => Fp::inf(sign),
        (_, Class::Inf) => Fp::zero(sign),
        (Class::Zero, _) | (_, Class::Zero) => Fp::zero(sign),
        _ => {
            let (num, adj) = if a.sig >= b.sig {
                ((a.sig as u128) << 63, 0)
            } else {
                ((a.sig as u128) << 64, -1)
            };
            let d = b.sig as u128;
            let (q1, r1) = (num / d, num % d);
            let m = if fmt.prec <= 62 {
                q1 << 64 | (r1 != 0) as u128
            } else {
                let n2 = r1 << 64;
                let (q2, r2) = (n2 / d, n2 % d);
                q1 << 64 | q2 | (r2 != 0) as u128
            };
            round(
                fmt,
                sign,
                a.exp.saturating_sub(b.exp).saturating_add(adj),
                m,
                env,
            )
        }
    }
}
