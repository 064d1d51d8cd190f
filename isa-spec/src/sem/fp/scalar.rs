//! Scalar f32/f64 operations: arithmetic, min/max, square root and its steps, reciprocal
//! approximations, scaling, fused multiply-add (v6) and conversions.

use super::vector::{self as v, f2f, f2i, i2f, to_integral};
use super::{pf_commit, pf_env};
use crate::sem::f80::softfloat::{self as sf, Bits, Env, Fp};
use crate::sem::{Exc, SemCtx};

/// Runs `f` in the PFPFR environment and commits its flags.
#[inline]
fn with_env<R>(ctx: &mut SemCtx, f: impl FnOnce(&mut Env) -> R) -> Result<R, Exc> {
    let mut env = pf_env(ctx);
    let r = f(&mut env);
    pf_commit(ctx, &env)?;
    Ok(r)
}

/// `fadds`/`faddd` (and `pfaddd`): `a + b`.
#[inline]
pub fn add<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::ADD, a, b, e))
}

/// `fsubs`/`fsubd`: `a - b`.
#[inline]
pub fn sub<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::SUB, a, b, e))
}

/// `fmuls`/`fmuld`: `a * b`.
#[inline]
pub fn mul<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::MUL, a, b, e))
}

/// `fdivs`/`fdivd`: `a / b`.
#[inline]
pub fn div<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::DIV, a, b, e))
}

/// `fmins`/`fmind`: `a < b ? a : b` (src2 for NaNs and equal zeros).
#[inline]
pub fn min<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::MIN, a, b, e))
}

/// `fmaxs`/`fmaxd`: `b < a ? a : b` (src2 for NaNs and equal zeros).
#[inline]
pub fn max<T: Bits>(ctx: &mut SemCtx, a: T, b: T) -> Result<T, Exc> {
    with_env(ctx, |e| v::elem(v::MAX, a, b, e))
}

/// `fsqrts` (and `pfsqrts`): IEEE square root.
#[inline]
pub fn sqrt<T: Bits>(ctx: &mut SemCtx, a: T) -> Result<T, Exc> {
    with_env(ctx, |e| T::pack(sf::sqrt(T::FMT, a.unpack(e), e)))
}

/// `fsqrtid`: first step of the two-step double square root. The intermediate is the
/// operand itself; `fsqrttd` computes the whole root.
#[inline]
pub fn fsqrtid(_: &mut SemCtx, a: u64) -> Result<u64, Exc> {
    Ok(a)
}

/// `fsqrttd src1, src2` (and `pfsqrttd`): final step, `sqrt(src1)`; the intermediate
/// `src2` is not needed by an exact implementation.
#[inline]
pub fn fsqrttd(ctx: &mut SemCtx, a: u64, _b: u64) -> Result<u64, Exc> {
    sqrt(ctx, a)
}

/// `frcps`: reciprocal, computed exactly rounded (`1 / a`).
#[inline]
pub fn frcps(ctx: &mut SemCtx, a: u32) -> Result<u32, Exc> {
    with_env(ctx, |e| v::elem(v::DIV, 0x3f80_0000u32, a, e))
}

/// `frsqrts`: reciprocal square root as `1 / sqrt(a)` (two roundings).
#[inline]
pub fn frsqrts(ctx: &mut SemCtx, a: u32) -> Result<u32, Exc> {
    with_env(ctx, |e| {
        let r = sf::sqrt(sf::Format::SINGLE, a.unpack(e), e);
        sf::pack_f32(sf::div(
            sf::Format::SINGLE,
            sf::unpack_f32(0x3f80_0000, false),
            r,
            e,
        ))
    })
}

/// The power of two `2^n` as the scale factor of `fscale*`: infinity above the finite
/// range, a denormal below the normal range, the smallest denormal one step below that,
/// and zero further down.
#[inline]
pub(crate) fn pow2<T: Bits>(n: i32) -> T {
    let f = T::FMT;
    let fb = f.prec as i32 - 1;
    let bits = if n > f.emax {
        ((2 * f.emax + 1) as u64) << fb
    } else if n >= f.emin {
        ((n + f.emax) as u64) << fb
    } else if n >= f.emin - fb {
        1u64 << (n - (f.emin - fb))
    } else {
        (n == f.emin - fb - 1) as u64
    };
    T::from_u64(bits)
}

/// `fscales`/`fscaled src1, n`: `src1 * 2^n` as a multiplication by [`pow2`] (the
/// constructed factor is not an operand: it raises no DE and ignores DAZ).
#[inline]
pub fn scale<T: Bits>(ctx: &mut SemCtx, a: T, n: u32) -> Result<T, Exc> {
    with_env(ctx, |e| {
        let f = Fp {
            denormal: false,
            ..pow2::<T>(n as i32).unpack(&Env::new(e.rm))
        };
        T::pack(sf::mul(T::FMT, a.unpack(e), f, e))
    })
}

/// v6 fused multiply-add family: `(±a*b) ± c` with one rounding. `NP` negates the
/// product (`fnma*`/`fnms*`), `NC` the addend (`fms*`/`fnms*`).
#[inline]
pub fn fma<T: Bits, const NP: bool, const NC: bool>(
    ctx: &mut SemCtx,
    a: T,
    b: T,
    c: T,
) -> Result<T, Exc> {
    with_env(ctx, |e| fma_elem::<T>(a, b, c, NP, NC, e))
}

/// One fused multiply-add lane.
#[inline]
pub(crate) fn fma_elem<T: Bits>(a: T, b: T, c: T, np: bool, nc: bool, e: &mut Env) -> T {
    let (x, y, z): (Fp, Fp, Fp) = (a.unpack(e), b.unpack(e), c.unpack(e));
    T::pack(sf::fma(T::FMT, x, y, z, np, nc, e))
}

/// `fstoifs`/`fdtoifd mode, src`: round `src` to an integral value (see
/// [`to_integral`] for the mode operand).
#[inline]
pub fn to_integral_op<T: Bits>(ctx: &mut SemCtx, mode: T, x: T) -> Result<T, Exc> {
    with_env(ctx, |e| to_integral(mode.to_u64(), x, e))
}

macro_rules! conv {
    ($($(#[$m:meta])* $name:ident($in:ty) -> $out:ty = $f:expr;)*) => {$(
        $(#[$m])*
        #[inline]
        pub fn $name(ctx: &mut SemCtx, a: $in) -> Result<$out, Exc> {
            with_env(ctx, |e| $f(a as u64, e) as $out)
        }
    )*};
}

conv! {
    /// `fstois`: f32 → i32 (PFPFR rounding; invalid → `0x80000000`).
    fstois(u32) -> u32 = f2i::<u32, 32, false>;
    /// `fstoistr`: f32 → i32, truncating.
    fstoistr(u32) -> u32 = f2i::<u32, 32, true>;
    /// `fstoid`: f32 → i64.
    fstoid(u32) -> u64 = f2i::<u32, 64, false>;
    /// `fstoidtr`: f32 → i64, truncating.
    fstoidtr(u32) -> u64 = f2i::<u32, 64, true>;
    /// `fdtois` (and `pfdtois`): f64 → i32.
    fdtois(u64) -> u32 = f2i::<u64, 32, false>;
    /// `fdtoistr` (and `pfdtoistr`): f64 → i32, truncating.
    fdtoistr(u64) -> u32 = f2i::<u64, 32, true>;
    /// `fdtoid`: f64 → i64.
    fdtoid(u64) -> u64 = f2i::<u64, 64, false>;
    /// `fdtoidtr`: f64 → i64, truncating.
    fdtoidtr(u64) -> u64 = f2i::<u64, 64, true>;
    /// `fstofd` (and `pfstofd`): f32 → f64.
    fstofd(u32) -> u64 = f2f::<u32, u64>;
    /// `fdtofs` (and `pfdtofs`): f64 → f32.
    fdtofs(u64) -> u32 = f2f::<u64, u32>;
    /// `istofs`: i32 → f32.
    istofs(u32) -> u32 = i2f::<u32, 32>;
    /// `istofd`: i32 → f64.
    istofd(u32) -> u64 = i2f::<u64, 32>;
    /// `idtofs`: i64 → f32.
    idtofs(u64) -> u32 = i2f::<u32, 64>;
    /// `idtofd`: i64 → f64.
    idtofd(u64) -> u64 = i2f::<u64, 64>;
}
