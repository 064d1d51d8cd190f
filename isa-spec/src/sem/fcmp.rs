//! Floating-point comparisons: to a predicate (`fcmp*sb/db`, `fxcmp*b`), to a register
//! mask (`fcmp*s/d`, `pfcmp*`, `qpfcmp*`) and to x86-EFLAGS-like codes (`f[x]cmp{od,ud}*f`).
//!
//! The comparison code `C` is the op's `cmp` field: 0 eq, 1 lt, 2 le, 3 uod, 4 neq,
//! 5 nlt, 6 nle, 7 od. `eq`, `neq`, `uod` and `od` are quiet (IE only for a signalling
//! NaN), the others signal IE for any NaN; `neq`, `nlt`, `nle` and `uod` are true for
//! unordered operands. A denormal operand raises DE.

use super::f80::softfloat::{self as sf, Bits, Class, Env, Relation};
use super::f80::{fx_commit, fx_env, ExtSrc};
use super::fp::vector::{join, lanes};
use super::fp::{pf_commit, pf_env};
use super::{Exc, SemCtx, F80};

/// Evaluates comparison code `c` (0..7) on `x`, `y`.
#[inline]
pub(crate) fn test(c: u8, x: sf::Fp, y: sf::Fp, env: &mut Env) -> bool {
    let signaling = matches!(c & 3, 1 | 2);
    let r = sf::compare(x, y, signaling, env);
    let t = match c & 3 {
        0 => r == Relation::Equal,
        1 => r == Relation::Less,
        2 => r == Relation::Less || r == Relation::Equal,
        _ => r == Relation::Unordered,
    };
    t != (c & 4 != 0)
}

/// `fcmp<c>sb`/`fcmp<c>db`: comparison to a predicate.
#[inline]
pub fn pred<T: Bits, const C: u8>(ctx: &mut SemCtx, a: T, b: T) -> Result<bool, Exc> {
    let mut env = pf_env(ctx);
    let t = test(C, a.unpack(&env), b.unpack(&env), &mut env);
    pf_commit(ctx, &env)?;
    Ok(t)
}

/// All-ones of `T` when `t`.
#[inline]
fn ones<T: Bits>(t: bool) -> T {
    T::from_u64(if t { u64::MAX } else { 0 })
}

/// `fcmp<c>s`/`fcmp<c>d` (and `pfcmp<c>d`): comparison to an all-ones/zero mask.
#[inline]
pub fn mask<T: Bits, const C: u8>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    let mut env = pf_env(ctx);
    let t = test(C, a.unpack(&env), b.unpack(&env), &mut env);
    pf_commit(ctx, &env)?;
    Ok(ones(t))
}

/// Lane-wise mask comparison of `N` lanes of `T`.
#[inline]
fn vmask<T: Bits, const N: usize, const C: u8>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
) -> Result<u128, Exc> {
    let mut env = pf_env(ctx);
    let (x, y): ([T; N], [T; N]) = (lanes(a), lanes(b));
    let r: [T; N] = core::array::from_fn(|i| {
        let t = test(C, x[i].unpack(&env), y[i].unpack(&env), &mut env);
        ones(t)
    });
    pf_commit(ctx, &env)?;
    Ok(join(r))
}

/// `pfcmp<c>s`: 2 × f32 mask comparison.
#[inline]
pub fn pfs<const C: u8>(ctx: &mut SemCtx, a: u64, b: u64) -> Result<u64, Exc> {
    vmask::<u32, 2, C>(ctx, a as u128, b as u128).map(|r| r as u64)
}

/// `qpfcmp<c>s`: 4 × f32 mask comparison.
#[inline]
pub fn qps<const C: u8>(ctx: &mut SemCtx, a: u128, b: u128) -> Result<u128, Exc> {
    vmask::<u32, 4, C>(ctx, a, b)
}

/// `qpfcmp<c>d`: 2 × f64 mask comparison.
#[inline]
pub fn qpd<const C: u8>(ctx: &mut SemCtx, a: u128, b: u128) -> Result<u128, Exc> {
    vmask::<u64, 2, C>(ctx, a, b)
}

/// The EFLAGS-like code of a relation: greater 0, less 1 (CF), equal 0x40 (ZF),
/// unordered 0x45 (ZF|PF|CF).
#[inline]
fn code(x: sf::Fp, y: sf::Fp, env: &mut Env) -> u32 {
    if x.is_nan() || y.is_nan() {
        if x.class == Class::Unsupported || y.class == Class::Unsupported {
            env.raise(sf::flag::IE);
        }
        return 0x45;
    }
    match sf::compare(x, y, false, env) {
        Relation::Greater => 0,
        Relation::Less => 1,
        Relation::Equal => 0x40,
        Relation::Unordered => 0x45,
    }
}

/// `fcmpodsf`/`fcmpudsf`/`fcmpoddf`/`fcmpuddf`: comparison to an EFLAGS-like code. NaN
/// operands give "unordered" without raising IE (the od and ud forms are alike); only an
/// unsupported 80-bit encoding raises IE.
#[inline]
pub fn flags<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<u32, Exc> {
    let mut env = pf_env(ctx);
    let r = code(a.unpack(&env), b.unpack(&env), &mut env);
    pf_commit(ctx, &env)?;
    Ok(r)
}

/// 80-bit comparison to a predicate: `src2` is converted to 80 bits first.
#[inline]
fn fx_test<B: ExtSrc, const C: u8>(ctx: &mut SemCtx, a: F80, b: B) -> Result<bool, Exc> {
    let (mut env, _) = fx_env(ctx);
    let (x, y) = (a.load(&mut env), b.load(&mut env));
    let t = test(C, x, y, &mut env);
    fx_commit(ctx, &env)?;
    Ok(t)
}

/// `fxcmp<c>sb`: f80 with f32.
#[inline]
pub fn fxs<const C: u8>(ctx: &mut SemCtx, a: F80, b: u32) -> Result<bool, Exc> {
    fx_test::<u32, C>(ctx, a, b)
}

/// `fxcmp<c>db`: f80 with f64.
#[inline]
pub fn fxd<const C: u8>(ctx: &mut SemCtx, a: F80, b: u64) -> Result<bool, Exc> {
    fx_test::<u64, C>(ctx, a, b)
}

/// `fxcmp<c>xb`: f80 with f80.
#[inline]
pub fn fxx<const C: u8>(ctx: &mut SemCtx, a: F80, b: F80) -> Result<bool, Exc> {
    fx_test::<F80, C>(ctx, a, b)
}

/// 80-bit comparison to an EFLAGS-like code (see [`flags`]).
#[inline]
fn fx_code<B: ExtSrc>(ctx: &mut SemCtx, a: F80, b: B) -> Result<u32, Exc> {
    let (mut env, _) = fx_env(ctx);
    let (x, y) = (a.load(&mut env), b.load(&mut env));
    let r = code(x, y, &mut env);
    fx_commit(ctx, &env)?;
    Ok(r)
}

/// `fxcmpodsf`/`fxcmpudsf`: f80 with f32, to a code.
#[inline]
pub fn fxflags_s(ctx: &mut SemCtx, a: F80, b: u32) -> Result<u32, Exc> {
    fx_code(ctx, a, b)
}

/// `fxcmpoddf`/`fxcmpuddf`: f80 with f64, to a code.
#[inline]
pub fn fxflags_d(ctx: &mut SemCtx, a: F80, b: u64) -> Result<u32, Exc> {
    fx_code(ctx, a, b)
}

/// `fxcmpodxf`/`fxcmpudxf`: f80 with f80, to a code.
#[inline]
pub fn fxflags_x(ctx: &mut SemCtx, a: F80, b: F80) -> Result<u32, Exc> {
    fx_code(ctx, a, b)
}
