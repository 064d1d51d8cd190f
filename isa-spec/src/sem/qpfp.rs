//! 128-bit quad-packed FP operations (v5+): 4 × f32 or 2 × f64 lanes, lane 0 in the low
//! bits; conversions between the lane layouts; v6 fused multiply-add forms. Compare and
//! combined forms live in `fcmp` and `fcomb`.

use super::f80::softfloat::Bits;
use super::fp::fma_elem;
use super::fp::vector::{self as v, bin, cvt, f2f, f2i, i2f, join, lanes, to_integral};
use super::fp::{pf_commit, pf_env};
use super::{Exc, SemCtx};

macro_rules! qbin {
    ($($name:ident = $t:ty, $n:literal, $op:ident, $what:literal;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: ", $what, ".")]
        #[inline]
        pub fn $name(ctx: &mut SemCtx, a: u128, b: u128) -> Result<u128, Exc> {
            bin::<$t, $n>(ctx, v::$op, a, b)
        }
    )*};
}

qbin! {
    qpfadds = u32, 4, ADD, "4 × f32 addition";
    qpfaddd = u64, 2, ADD, "2 × f64 addition";
    qpfsubs = u32, 4, SUB, "4 × f32 subtraction";
    qpfsubd = u64, 2, SUB, "2 × f64 subtraction";
    qpfmuls = u32, 4, MUL, "4 × f32 multiplication";
    qpfmuld = u64, 2, MUL, "2 × f64 multiplication";
    qpfmins = u32, 4, MIN, "4 × f32 x86-style minimum";
    qpfmind = u64, 2, MIN, "2 × f64 x86-style minimum";
    qpfmaxs = u32, 4, MAX, "4 × f32 x86-style maximum";
    qpfmaxd = u64, 2, MAX, "2 × f64 x86-style maximum";
    qpfhadds = u32, 4, HADD, "`{a0+a1, a2+a3, b0+b1, b2+b3}`";
    qpfhsubs = u32, 4, HSUB, "`{a0-a1, a2-a3, b0-b1, b2-b3}`";
    qpfaddsubs = u32, 4, ADDSUB, "even lanes `a-b`, odd lanes `a+b` (4 × f32)";
    qpfaddsubd = u64, 2, ADDSUB, "`{a0-b0, a1+b1}` (2 × f64)";
}

/// `qpfstoifs mode, src`: round 4 × f32 to integral values (mode from src1's low word).
#[inline]
pub fn qpfstoifs(ctx: &mut SemCtx, mode: u64, b: u128) -> Result<u128, Exc> {
    cvt::<4>(ctx, b, 32, 32, |x, env| {
        to_integral(mode & 0xffff_ffff, x as u32, env) as u64
    })
}

/// `qpfdtoifd mode, src`: round 2 × f64 to integral values.
#[inline]
pub fn qpfdtoifd(ctx: &mut SemCtx, mode: u64, b: u128) -> Result<u128, Exc> {
    cvt::<2>(ctx, b, 64, 64, |x, env| to_integral(mode, x, env))
}

macro_rules! qcvt {
    ($($(#[$m:meta])*
       $name:ident($in:ty) -> $out:ty = $n:literal, $iw:literal, $ow:literal, $f:expr;)*) => {$(
        $(#[$m])*
        #[inline]
        pub fn $name(ctx: &mut SemCtx, a: $in) -> Result<$out, Exc> {
            cvt::<$n>(ctx, a as u128, $iw, $ow, $f).map(|r| r as $out)
        }
    )*};
}

qcvt! {
    /// `qpfstois`: 4 × f32 → i32.
    qpfstois(u128) -> u128 = 4, 32, 32, f2i::<u32, 32, false>;
    /// `qpfstoistr`: 4 × f32 → i32, truncating.
    qpfstoistr(u128) -> u128 = 4, 32, 32, f2i::<u32, 32, true>;
    /// `qpfstoid`: 2 × f32 (a dreg) → 2 × i64.
    qpfstoid(u64) -> u128 = 2, 32, 64, f2i::<u32, 64, false>;
    /// `qpfstoidtr`: 2 × f32 → 2 × i64, truncating.
    qpfstoidtr(u64) -> u128 = 2, 32, 64, f2i::<u32, 64, true>;
    /// `qpfstofd`: 2 × f32 → 2 × f64.
    qpfstofd(u64) -> u128 = 2, 32, 64, f2f::<u32, u64>;
    /// `qpfdtois`: 2 × f64 → 2 × i32 (a dreg).
    qpfdtois(u128) -> u64 = 2, 64, 32, f2i::<u64, 32, false>;
    /// `qpfdtoistr`: 2 × f64 → 2 × i32, truncating.
    qpfdtoistr(u128) -> u64 = 2, 64, 32, f2i::<u64, 32, true>;
    /// `qpfdtofs`: 2 × f64 → 2 × f32.
    qpfdtofs(u128) -> u64 = 2, 64, 32, f2f::<u64, u32>;
    /// `qpfdtoid`: 2 × f64 → 2 × i64.
    qpfdtoid(u128) -> u128 = 2, 64, 64, f2i::<u64, 64, false>;
    /// `qpfdtoidtr`: 2 × f64 → 2 × i64, truncating.
    qpfdtoidtr(u128) -> u128 = 2, 64, 64, f2i::<u64, 64, true>;
    /// `qpistofs`: 4 × i32 → f32.
    qpistofs(u128) -> u128 = 4, 32, 32, i2f::<u32, 32>;
    /// `qpistofd`: 2 × i32 → 2 × f64.
    qpistofd(u64) -> u128 = 2, 32, 64, i2f::<u64, 32>;
    /// `qpidtofs`: 2 × i64 → 2 × f32.
    qpidtofs(u128) -> u64 = 2, 64, 32, i2f::<u32, 64>;
    /// `qpidtofd`: 2 × i64 → 2 × f64.
    qpidtofd(u128) -> u128 = 2, 64, 64, i2f::<u64, 64>;
}

/// v6 fused multiply-add on `N` lanes of `T`: `(±a*b) ± c`. With `ALT` the addend's
/// sign alternates: even lanes use `NC`, odd lanes the opposite (`qpfmass`/`qpfmsas`...).
#[inline]
fn fma<T: Bits, const N: usize, const NP: bool, const NC: bool, const ALT: bool>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    let mut env = pf_env(ctx);
    let (x, y, z): ([T; N], [T; N], [T; N]) = (lanes(a), lanes(b), lanes(c));
    let r: [T; N] = core::array::from_fn(|i| {
        let nc = NC != (ALT && i & 1 == 1);
        fma_elem(x[i], y[i], z[i], NP, nc, &mut env)
    });
    pf_commit(ctx, &env)?;
    Ok(join(r))
}

/// `qpfmas`/`qpfmss`/`qpfnmas`/`qpfnmss` (and the alternating `qpfmass`/`qpfmsas`):
/// 4 × f32 fused multiply-add.
#[inline]
pub fn fma_s<const NP: bool, const NC: bool, const ALT: bool>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    fma::<u32, 4, NP, NC, ALT>(ctx, a, b, c)
}

/// 2 × f64 fused multiply-add forms (`qpfmad`, ..., `qpfmasd`, `qpfmsad`).
#[inline]
pub fn fma_d<const NP: bool, const NC: bool, const ALT: bool>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    fma::<u64, 2, NP, NC, ALT>(ctx, a, b, c)
}
