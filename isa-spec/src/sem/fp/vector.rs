//! Lane-wise engine for packed FP: the 64-bit `pf*` ops (2 × f32), the 128-bit `qpf*` ops
//! (4 × f32 or 2 × f64) and the steps of the combined FCMB/PFCMB/QPFCMB ops. Lane 0 is
//! the least significant; flags of all lanes accumulate.

use super::{pf_commit, pf_env};
use crate::sem::f80::softfloat::{self as sf, Bits, Class, Env, Fp, Rounding};
use crate::sem::{Exc, SemCtx};

/// Element operations, numbered as in the FCOMB op fields.
pub const ADD: u8 = 0;
pub const SUB: u8 = 1;
pub const HADD: u8 = 2;
pub const HSUB: u8 = 3;
pub const MUL: u8 = 4;
pub const RSUB: u8 = 5;
pub const ADDSUB: u8 = 7;
/// Further element operations of the plain packed ops.
pub const MIN: u8 = 16;
pub const MAX: u8 = 17;
pub const DIV: u8 = 18;

/// Splits `v` into `N` lanes of `T`.
#[inline]
pub(crate) fn lanes<T: Bits, const N: usize>(v: u128) -> [T; N] {
    core::array::from_fn(|i| T::from_u64(v.checked_shr(i as u32 * T::WIDTH).unwrap_or(0) as u64))
}

/// Joins `N` lanes of `T` (lane 0 lowest).
#[inline]
pub(crate) fn join<T: Bits, const N: usize>(l: [T; N]) -> u128 {
    l.iter().enumerate().fold(0u128, |acc, (i, x)| {
        acc | (x.to_u64() as u128)
            .checked_shl(i as u32 * T::WIDTH)
            .unwrap_or(0)
    })
}

/// x86-style minimum/maximum: `a < b ? a : b` (max: `b < a ? a : b`) with a signalling
/// compare, so NaNs and equal zeros yield `b`, returned unchanged (zero under DAZ).
#[inline]
fn min_max<T: Bits>(a: T, b: T, max: bool, env: &mut Env) -> T {
    let (x, y) = (a.unpack(env), b.unpack(env));
    let pick_a = if max {
        sf::compare(y, x, true, env) == sf::Relation::Less
    } else {
        sf::compare(x, y, true, env) == sf::Relation::Less
    };
    let (bits, v) = if pick_a { (a, x) } else { (b, y) };
    if v.class == Class::Zero {
        T::pack(v)
    } else {
        bits
    }
}

/// One element operation on two lanes.
#[inline]
pub(crate) fn elem<T: Bits>(op: u8, a: T, b: T, env: &mut Env) -> T {
    if op == MIN || op == MAX {
        return min_max(a, b, op == MAX, env);
    }
    if let Some(r) = super::hostfast::binop(op, a, b, env) {
        return r;
    }
    elem_soft(op, a, b, env)
}

/// One element operation on two lanes, in soft-float (the reference).
#[inline]
pub(crate) fn elem_soft<T: Bits>(op: u8, a: T, b: T, env: &mut Env) -> T {
    let (x, y) = (a.unpack(env), b.unpack(env));
    let f = T::FMT;
    T::pack(match op {
        SUB | HSUB => sf::sub(f, x, y, env),
        RSUB => sf::sub(f, y, x, env),
        MUL => sf::mul(f, x, y, env),
        DIV => sf::div(f, x, y, env),
        _ => sf::add(f, x, y, env),
    })
}

/// A vector operation: lane-wise, horizontal (`hadd`/`hsub`: pairs of `a` fill the low
/// half, pairs of `b` the high half) or alternating (`addsub`: even lanes subtract).
#[inline]
pub(crate) fn vop<T: Bits, const N: usize>(op: u8, a: [T; N], b: [T; N], env: &mut Env) -> [T; N] {
    match op {
        HADD | HSUB if N >= 2 => {
            let h = N / 2;
            core::array::from_fn(|i| {
                let (src, j) = if i < h {
                    (&a, 2 * i)
                } else {
                    (&b, 2 * (i - h))
                };
                elem(op, src[j], src[(j + 1) % N], env)
            })
        }
        ADDSUB => {
            core::array::from_fn(|i| elem(if i & 1 == 0 { SUB } else { ADD }, a[i], b[i], env))
        }
        _ => core::array::from_fn(|i| elem(op, a[i], b[i], env)),
    }
}

/// A two-source vector operation as a complete helper.
#[inline]
pub(crate) fn bin<T: Bits, const N: usize>(
    ctx: &mut SemCtx,
    op: u8,
    a: u128,
    b: u128,
) -> Result<u128, Exc> {
    let mut env = pf_env(ctx);
    let r = vop::<T, N>(op, lanes(a), lanes(b), &mut env);
    pf_commit(ctx, &env)?;
    Ok(join(r))
}

/// Applies the raw-bits lane conversion `f` to `N` lanes of `iw` bits, producing lanes of
/// `ow` bits.
#[inline]
pub(crate) fn cvt<const N: usize>(
    ctx: &mut SemCtx,
    v: u128,
    iw: u32,
    ow: u32,
    f: impl Fn(u64, &mut Env) -> u64,
) -> Result<u128, Exc> {
    let mut env = pf_env(ctx);
    let (im, om) = (mask(iw), mask(ow));
    let mut r = 0u128;
    for i in 0..N as u32 {
        let x = v.checked_shr(i * iw).unwrap_or(0) as u64 & im;
        r |= ((f(x, &mut env) & om) as u128)
            .checked_shl(i * ow)
            .unwrap_or(0);
    }
    pf_commit(ctx, &env)?;
    Ok(r)
}

#[inline]
fn mask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

/// Lane conversion FP `T` → signed integer of `W` bits, rounding by PFPFR or truncating.
#[inline]
pub(crate) fn f2i<T: Bits, const W: u32, const TRUNC: bool>(x: u64, env: &mut Env) -> u64 {
    let v = T::from_u64(x).unpack(env);
    let rm = if TRUNC { Rounding::TowardZero } else { env.rm };
    sf::to_int(v, W, rm, env) as u64
}

/// Lane conversion signed integer of `W` bits → FP `T`.
#[inline]
pub(crate) fn i2f<T: Bits, const W: u32>(x: u64, env: &mut Env) -> u64 {
    let s = if W >= 64 {
        x as i64
    } else {
        ((x << (64 - W)) as i64) >> (64 - W)
    };
    T::pack(sf::from_i64(T::FMT, s, env)).to_u64()
}

/// Lane conversion between FP formats `A` → `B`.
#[inline]
pub(crate) fn f2f<A: Bits, B: Bits>(x: u64, env: &mut Env) -> u64 {
    let v = A::from_u64(x).unpack(env);
    B::pack(sf::convert(B::FMT, v, env)).to_u64()
}

/// Round to integral of `x` with the mode operand of `fstoifs`-style ops: bit 2 selects
/// the PFPFR mode, otherwise bits 1:0 give it; bit 3 suppresses the inexact flag.
#[inline]
pub(crate) fn to_integral<T: Bits>(mode: u64, x: T, env: &mut Env) -> T {
    let rm = if mode & 4 != 0 {
        env.rm
    } else {
        Rounding::from_bits(mode as u32)
    };
    let before = env.flags;
    let r: Fp = sf::round_to_integral(T::FMT, x.unpack(env), rm, false, env);
    if mode & 8 != 0 {
        env.flags = before | (env.flags & !sf::flag::PE);
    }
    T::pack(r)
}

macro_rules! pf2 {
    ($($(#[$m:meta])* $name:ident => $op:expr;)*) => {$(
        $(#[$m])*
        pub fn $name(ctx: &mut SemCtx, a: u64, b: u64) -> Result<u64, Exc> {
            bin::<u32, 2>(ctx, $op, a as u128, b as u128).map(|r| r as u64)
        }
    )*};
}

pf2! {
    /// `pfadds`: 2 × f32 addition.
    pfadds => ADD;
    /// `pfsubs`: 2 × f32 subtraction.
    pfsubs => SUB;
    /// `pfmuls`: 2 × f32 multiplication.
    pfmuls => MUL;
    /// `pfmins`: 2 × f32 x86-style minimum.
    pfmins => MIN;
    /// `pfmaxs`: 2 × f32 x86-style maximum.
    pfmaxs => MAX;
    /// `pfhadds`: `{a0+a1, b0+b1}`.
    pfhadds => HADD;
    /// `pfhsubs`: `{a0-a1, b0-b1}`.
    pfhsubs => HSUB;
    /// `pfaddsubs`: `{a0-b0, a1+b1}`.
    pfaddsubs => ADDSUB;
}

/// `pfstoifs mode, src`: round both f32 lanes to integral values (mode from src1 lane 0).
pub fn pfstoifs(ctx: &mut SemCtx, mode: u64, b: u64) -> Result<u64, Exc> {
    cvt::<2>(ctx, b as u128, 32, 32, |x, env| {
        to_integral(mode & 0xffff_ffff, x as u32, env) as u64
    })
    .map(|r| r as u64)
}

/// `pfstois`: 2 × f32 → i32 with the PFPFR rounding.
pub fn pfstois(ctx: &mut SemCtx, a: u64) -> Result<u64, Exc> {
    cvt::<2>(ctx, a as u128, 32, 32, f2i::<u32, 32, false>).map(|r| r as u64)
}

/// `pfstoistr`: 2 × f32 → i32, truncating.
pub fn pfstoistr(ctx: &mut SemCtx, a: u64) -> Result<u64, Exc> {
    cvt::<2>(ctx, a as u128, 32, 32, f2i::<u32, 32, true>).map(|r| r as u64)
}

/// `pistofs`: 2 × i32 → f32.
pub fn pistofs(ctx: &mut SemCtx, a: u64) -> Result<u64, Exc> {
    cvt::<2>(ctx, a as u128, 32, 32, i2f::<u32, 32>).map(|r| r as u64)
}
