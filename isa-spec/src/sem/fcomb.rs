//! Combined two-stage FP operations (FCMB, PFCMB, QPFCMB): `r0 = op1(src1, src2)`, then
//! `dst = op2(src3, r0)`, each step rounded separately and raising its own flags (not a
//! fused multiply-add). Op numbers are those of the encoding: 0 add, 1 sub (`src3 - r0`
//! as op2), 2 hadd, 3 hsub, 4 mul, 5 rsub (`r0 - src3`), 7 addsub.

use super::f80::softfloat::Bits;
use super::fp::vector::{join, lanes, vop};
use super::fp::{pf_commit, pf_env};
use super::{Exc, SemCtx};

/// The two steps on `N` lanes of `T`.
#[inline]
fn comb<T: Bits, const N: usize, const O1: u8, const O2: u8>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    let mut env = pf_env(ctx);
    let r0 = vop::<T, N>(O1, lanes(a), lanes(b), &mut env);
    let r = vop::<T, N>(O2, lanes(c), r0, &mut env);
    pf_commit(ctx, &env)?;
    Ok(join(r))
}

/// Scalar f32 chain (`fmul_adds`, ...).
#[inline]
pub fn s<const O1: u8, const O2: u8>(ctx: &mut SemCtx, a: u32, b: u32, c: u32) -> Result<u32, Exc> {
    comb::<u32, 1, O1, O2>(ctx, a as u128, b as u128, c as u128).map(|r| r as u32)
}

/// Scalar f64 chain (`fmul_addd`, `pfmul_addd`, ...).
#[inline]
pub fn d<const O1: u8, const O2: u8>(ctx: &mut SemCtx, a: u64, b: u64, c: u64) -> Result<u64, Exc> {
    comb::<u64, 1, O1, O2>(ctx, a as u128, b as u128, c as u128).map(|r| r as u64)
}

/// Packed 2 × f32 chain (`pfmul_adds`, `pfhadd_subs`, ...).
#[inline]
pub fn pfs<const O1: u8, const O2: u8>(
    ctx: &mut SemCtx,
    a: u64,
    b: u64,
    c: u64,
) -> Result<u64, Exc> {
    comb::<u32, 2, O1, O2>(ctx, a as u128, b as u128, c as u128).map(|r| r as u64)
}

/// Quad-packed 4 × f32 chain (`qpfmul_adds`, ...).
#[inline]
pub fn qps<const O1: u8, const O2: u8>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    comb::<u32, 4, O1, O2>(ctx, a, b, c)
}

/// Quad-packed 2 × f64 chain (`qpfmul_addd`, ...).
#[inline]
pub fn qpd<const O1: u8, const O2: u8>(
    ctx: &mut SemCtx,
    a: u128,
    b: u128,
    c: u128,
) -> Result<u128, Exc> {
    comb::<u64, 2, O1, O2>(ctx, a, b, c)
}
