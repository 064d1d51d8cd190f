//! Fused multiply-add with one rounding (for f32/f64 operands).

use super::arith::add_wide;
use super::nan::{default_nan, propagate3};
use super::round::round_fp;
use super::{check_denormal, flag, Class, Env, Format, Fp, Rounding};

/// `(±a*b) ± c` rounded once to `fmt`: `neg_prod` negates the product, `neg_c` the addend.
///
/// NaN operands are propagated unchanged in sign (first NaN of a, b, c); `inf * 0` is
/// invalid unless `c` is a NaN. The product is kept exactly, which holds for operands of
/// at most 63 significant bits (f32/f64).
pub fn fma(fmt: Format, a: Fp, b: Fp, c: Fp, neg_prod: bool, neg_c: bool, env: &mut Env) -> Fp {
    let (a, b, c) = (a.normalized(), b.normalized(), c.normalized());
    if a.is_nan() || b.is_nan() || c.is_nan() {
        return propagate3(a, b, c, env);
    }
    check_denormal(env, &[a, b, c]);
    let ps = (a.sign != b.sign) != neg_prod;
    let c = if neg_c { c.negate() } else { c };
    let p_inf = a.class == Class::Inf || b.class == Class::Inf;
    let p_zero = a.class == Class::Zero || b.class == Class::Zero;
    if p_inf && p_zero {
        env.raise(flag::IE);
        return default_nan();
    }
    if p_inf {
        if c.class == Class::Inf && c.sign != ps {
            env.raise(flag::IE);
            return default_nan();
        }
        return Fp::inf(ps);
    }
    if c.class == Class::Inf {
        return c;
    }
    if p_zero {
        if c.class == Class::Zero {
            let s = if ps == c.sign {
                ps
            } else {
                env.rm == Rounding::Down
            };
            return Fp::zero(s);
        }
        return round_fp(fmt, c, env);
    }
    let pm = a.sig as u128 * b.sig as u128;
    let pe = a.exp.saturating_add(b.exp).saturating_add(1);
    if c.class == Class::Zero {
        return super::round::round(fmt, ps, pe, pm, env);
    }
    // Exact in the top 127 bits: the product has at most 126 significant bits here.
    add_wide(
        fmt,
        (ps, pe, pm),
        (c.sign, c.exp, (c.sig as u128) << 64),
        env,
    )
}
