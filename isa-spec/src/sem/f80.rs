//! 80-bit (x87 extended) operations: fx* arithmetic, conversions, moves and square-root
//! steps. They run under FPCR (rounding, precision control, masks) and raise flags in
//! FPSR. An f32/f64 operand is first converted to 80 bits (IE for a signalling NaN, DE
//! for a denormal); the operation rounds to the FPCR precision in the 80-bit exponent
//! range; an f32/f64 destination then rounds a second time, as x87 `fst` does.

pub mod softfloat;

use self::softfloat::{self as sf, Env, Format, Fp, Rounding};
use super::{Exc, SemCtx, F80};

/// x87 status word bits set with an unmasked exception: error summary and busy.
const FPSR_ES_B: u32 = 0x80 | 0x8000;

/// The soft-float environment and the precision-controlled format of an fx operation.
#[inline]
pub(crate) fn fx_env(ctx: &SemCtx) -> (Env, Format) {
    let mut env = Env::new(Rounding::from_bits(ctx.fpcr >> 10));
    env.ue_masked = ctx.fpcr & sf::flag::UE != 0;
    (env, Format::x87(ctx.fpcr >> 8))
}

/// Accumulates raised flags into FPSR; a flag unmasked in FPCR (bits 0..5) sets ES and B
/// and makes the operation trap.
#[inline]
pub(crate) fn fx_commit(ctx: &mut SemCtx, env: &Env) -> Result<(), Exc> {
    ctx.fpsr |= env.flags;
    if env.flags & !ctx.fpcr & 0x3f != 0 {
        ctx.fpsr |= FPSR_ES_B;
        Err(Exc::FpUnmasked)
    } else {
        Ok(())
    }
}

/// A source operand of an fx operation.
pub(crate) trait ExtSrc: Copy {
    /// The operand as an 80-bit value (f32/f64 are converted, raising IE/DE).
    fn load(self, env: &mut Env) -> Fp;
}

impl ExtSrc for u32 {
    #[inline]
    fn load(self, env: &mut Env) -> Fp {
        sf::convert(Format::EXTENDED, sf::unpack_f32(self, false), env)
    }
}

impl ExtSrc for u64 {
    #[inline]
    fn load(self, env: &mut Env) -> Fp {
        sf::convert(Format::EXTENDED, sf::unpack_f64(self, false), env)
    }
}

impl ExtSrc for F80 {
    #[inline]
    fn load(self, _: &mut Env) -> Fp {
        sf::unpack_f80(self)
    }
}

/// The destination of an fx operation.
pub(crate) trait ExtDst: Sized {
    /// Stores an 80-bit result; f32/f64 destinations round again, like x87 `fst`.
    fn store(x: Fp, env: &mut Env) -> Self;
}

impl ExtDst for u32 {
    #[inline]
    fn store(x: Fp, env: &mut Env) -> u32 {
        sf::pack_f32(sf::store(Format::SINGLE, x, env))
    }
}

impl ExtDst for u64 {
    #[inline]
    fn store(x: Fp, env: &mut Env) -> u64 {
        sf::pack_f64(sf::store(Format::DOUBLE, x, env))
    }
}

impl ExtDst for F80 {
    #[inline]
    fn store(x: Fp, _: &mut Env) -> F80 {
        sf::pack_f80(x)
    }
}

type Op2 = fn(Format, Fp, Fp, &mut Env) -> Fp;

/// A two-source fx operation.
#[inline]
fn fx2<A: ExtSrc, B: ExtSrc, R: ExtDst>(ctx: &mut SemCtx, a: A, b: B, op: Op2) -> Result<R, Exc> {
    let (mut env, fmt) = fx_env(ctx);
    let (x, y) = (a.load(&mut env), b.load(&mut env));
    let r = op(fmt, x, y, &mut env);
    let out = R::store(r, &mut env);
    fx_commit(ctx, &env)?;
    Ok(out)
}

/// A one-source fx operation (`f(x)` in the FPCR environment).
#[inline]
fn fx1<A: ExtSrc, R: ExtDst>(
    ctx: &mut SemCtx,
    a: A,
    f: impl FnOnce(Format, Fp, &mut Env) -> Fp,
) -> Result<R, Exc> {
    let (mut env, fmt) = fx_env(ctx);
    let x = a.load(&mut env);
    let r = f(fmt, x, &mut env);
    let out = R::store(r, &mut env);
    fx_commit(ctx, &env)?;
    Ok(out)
}

fn rsub(f: Format, a: Fp, b: Fp, env: &mut Env) -> Fp {
    sf::sub(f, b, a, env)
}

macro_rules! fx_ops {
    ($op:path, $what:literal: $($name:ident($a:ty, $b:ty) -> $r:ty;)*) => {$(
        #[doc = concat!("`", stringify!($name), "`: ", $what, ".")]
        #[inline]
        pub fn $name(ctx: &mut SemCtx, a: $a, b: $b) -> Result<$r, Exc> {
            fx2(ctx, a, b, $op)
        }
    )*};
}

fx_ops! { sf::add, "src1 + src2":
    fxaddss(F80, u32) -> u32; fxadddd(F80, u64) -> u64; fxaddsx(F80, u32) -> F80;
    fxadddx(F80, u64) -> F80; fxaddxx(F80, F80) -> F80; fxaddxd(F80, F80) -> u64;
    fxaddxs(F80, F80) -> u32;
}
fx_ops! { sf::sub, "src1 - src2":
    fxsubss(F80, u32) -> u32; fxsubdd(F80, u64) -> u64; fxsubsx(F80, u32) -> F80;
    fxsubdx(F80, u64) -> F80; fxsubxx(F80, F80) -> F80; fxsubxd(F80, F80) -> u64;
    fxsubxs(F80, F80) -> u32;
}
fx_ops! { rsub, "src2 - src1":
    fxrsubss(F80, u32) -> u32; fxrsubdd(F80, u64) -> u64; fxrsubsx(F80, u32) -> F80;
    fxrsubdx(F80, u64) -> F80;
}
fx_ops! { sf::mul, "src1 * src2":
    fxmulss(F80, u32) -> u32; fxmuldd(F80, u64) -> u64; fxmulsx(F80, u32) -> F80;
    fxmuldx(F80, u64) -> F80; fxmulxx(F80, F80) -> F80; fxmulxd(F80, F80) -> u64;
    fxmulxs(F80, F80) -> u32;
}
fx_ops! { sf::div, "src1 / src2":
    fxdivss(F80, u32) -> u32; fxdivdd(F80, u64) -> u64; fxdivsx(F80, u32) -> F80;
    fxdivdx(F80, u64) -> F80; fxdivxx(F80, F80) -> F80; fxdivxd(F80, F80) -> u64;
    fxdivxs(F80, F80) -> u32;
}
fx_ops! { sf::div, "src1 (f32/f64) / src2 (f80)":
    fxdivtss(u32, F80) -> u32; fxdivtdd(u64, F80) -> u64; fxdivtsx(u32, F80) -> F80;
    fxdivtdx(u64, F80) -> F80;
}

/// Final square-root step `fxsqrtt*x src1, src2`: the root of the original operand
/// `src1`; the intermediate `src2` of the earlier steps is not needed.
#[inline]
fn sqrt_final<A: ExtSrc>(ctx: &mut SemCtx, a: A) -> Result<F80, Exc> {
    fx1(ctx, a, sf::sqrt)
}

/// `fxsqrttsx`: square root of f32 `src1` to 80 bits.
#[inline]
pub fn fxsqrttsx(ctx: &mut SemCtx, a: u32, _b: F80) -> Result<F80, Exc> {
    sqrt_final(ctx, a)
}

/// `fxsqrttdx`: square root of f64 `src1` to 80 bits.
#[inline]
pub fn fxsqrttdx(ctx: &mut SemCtx, a: u64, _b: F80) -> Result<F80, Exc> {
    sqrt_final(ctx, a)
}

/// `fxsqrttxx`: square root of 80-bit `src1`.
#[inline]
pub fn fxsqrttxx(ctx: &mut SemCtx, a: F80, _b: F80) -> Result<F80, Exc> {
    sqrt_final(ctx, a)
}

/// `fxsqrtisx`: initial square-root step; the intermediate is the operand in 80 bits.
#[inline]
pub fn fxsqrtisx(ctx: &mut SemCtx, a: u32) -> Result<F80, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// `fxsqrtidx`: initial square-root step of an f64 (the operand in 80 bits).
#[inline]
pub fn fxsqrtidx(ctx: &mut SemCtx, a: u64) -> Result<F80, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// `fxsqrtixx`, `fxsqrtuxx`: intermediate square-root steps pass the operand on.
#[inline]
pub fn fxsqrt_step(_: &mut SemCtx, a: F80) -> Result<F80, Exc> {
    Ok(a)
}

/// `fstofx`: f32 → f80 (exact).
#[inline]
pub fn fstofx(ctx: &mut SemCtx, a: u32) -> Result<F80, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// `fdtofx`: f64 → f80 (exact).
#[inline]
pub fn fdtofx(ctx: &mut SemCtx, a: u64) -> Result<F80, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// `fxtofs`: f80 → f32 with the FPCR rounding.
#[inline]
pub fn fxtofs(ctx: &mut SemCtx, a: F80) -> Result<u32, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// `fxtofd`: f80 → f64 with the FPCR rounding.
#[inline]
pub fn fxtofd(ctx: &mut SemCtx, a: F80) -> Result<u64, Exc> {
    fx1(ctx, a, |_, x, _| x)
}

/// f80 → signed integer of `W` bits; truncating or by FPCR.rc.
#[inline]
fn to_int<const W: u32, const TRUNC: bool>(ctx: &mut SemCtx, a: F80) -> Result<u64, Exc> {
    let (mut env, _) = fx_env(ctx);
    let rm = if TRUNC { Rounding::TowardZero } else { env.rm };
    let r = sf::to_int(sf::unpack_f80(a), W, rm, &mut env);
    fx_commit(ctx, &env)?;
    Ok(r as u64)
}

/// `fxtois`: f80 → i32 (FPCR rounding; invalid → `0x80000000`).
#[inline]
pub fn fxtois(ctx: &mut SemCtx, a: F80) -> Result<u32, Exc> {
    to_int::<32, false>(ctx, a).map(|r| r as u32)
}

/// `fxtoistr`: f80 → i32, truncating.
#[inline]
pub fn fxtoistr(ctx: &mut SemCtx, a: F80) -> Result<u32, Exc> {
    to_int::<32, true>(ctx, a).map(|r| r as u32)
}

/// `fxtoid`: f80 → i64.
#[inline]
pub fn fxtoid(ctx: &mut SemCtx, a: F80) -> Result<u64, Exc> {
    to_int::<64, false>(ctx, a)
}

/// `fxtoidtr`: f80 → i64, truncating.
#[inline]
pub fn fxtoidtr(ctx: &mut SemCtx, a: F80) -> Result<u64, Exc> {
    to_int::<64, true>(ctx, a)
}

/// `istofx`: i32 → f80 (exact).
#[inline]
pub fn istofx(ctx: &mut SemCtx, a: u32) -> Result<F80, Exc> {
    let (mut env, _) = fx_env(ctx);
    Ok(sf::pack_f80(sf::from_i64(
        Format::EXTENDED,
        a as i32 as i64,
        &mut env,
    )))
}

/// `idtofx`: i64 → f80 (exact).
#[inline]
pub fn idtofx(ctx: &mut SemCtx, a: u64) -> Result<F80, Exc> {
    let (mut env, _) = fx_env(ctx);
    Ok(sf::pack_f80(sf::from_i64(
        Format::EXTENDED,
        a as i64,
        &mut env,
    )))
}

/// `fxscalesx src1, n`: `src1 * 2^n` as a multiplication by a constructed power of two
/// (infinity above the range, denormals below it, then the smallest denormal, then 0;
/// the factor is not an operand and raises no DE).
#[inline]
pub fn fxscalesx(ctx: &mut SemCtx, a: F80, n: u32) -> Result<F80, Exc> {
    let n = n as i32;
    let factor = if n > 16383 {
        F80 {
            mant: 1 << 63,
            se: 0x7fff,
        }
    } else if n >= -16382 {
        F80 {
            mant: 1 << 63,
            se: (n + 16383) as u16,
        }
    } else if n >= -16445 {
        F80 {
            mant: 1 << (n + 16445),
            se: 0,
        }
    } else {
        F80 {
            mant: (n == -16446) as u64,
            se: 0,
        }
    };
    let f = Fp {
        denormal: false,
        ..sf::unpack_f80(factor)
    };
    fx1(ctx, a, |fmt, x, env| sf::mul(fmt, x, f, env))
}

/// `movif src1, src2`: builds an f80 from a significand and a sign/exponent word.
#[inline]
pub fn movif(_: &mut SemCtx, mant: u64, se: u32) -> Result<F80, Exc> {
    Ok(F80 {
        mant,
        se: se as u16,
    })
}

/// `movfi`: the sign/exponent word of an f80, zero-extended.
#[inline]
pub fn movfi(_: &mut SemCtx, a: F80) -> Result<u32, Exc> {
    Ok(a.se as u32)
}

/// `movx`: copy.
#[inline]
pub fn movx(_: &mut SemCtx, a: F80) -> Result<F80, Exc> {
    Ok(a)
}

/// `movxa`: absolute value (sign cleared).
#[inline]
pub fn movxa(_: &mut SemCtx, a: F80) -> Result<F80, Exc> {
    Ok(F80 {
        se: a.se & 0x7fff,
        ..a
    })
}

/// `movxc`: sign inverted.
#[inline]
pub fn movxc(_: &mut SemCtx, a: F80) -> Result<F80, Exc> {
    Ok(F80 {
        se: a.se ^ 0x8000,
        ..a
    })
}
