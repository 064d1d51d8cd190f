//! Combined two-stage integer operations (ALOPF21 ICMB, §10.7): `r0 = op1(src1, src2)`,
//! `dst = op2(src3, r0)`, with the op numbering of [`super::int::alu32`]
//! (0 and, 1 andn, 2 or, 3 orn, 4 xor, 5 xorn, 6 rsub, 7 merge, 8 add, 9 sub, 10 scl,
//! 11 scr, 12 shl, 13 shr, 14 sar, 15 getf). The op2 operand order (src3 first) is
//! qemu's; it lives only here, so flipping it is a one-line change (§18.4).

use super::int::{alu32, alu64};
use super::{Exc, SemCtx};

/// `OP1_OP2s src1, src2, src3` (32-bit).
#[inline]
pub fn comb_s<const OP1: u8, const OP2: u8>(
    ctx: &mut SemCtx,
    a: u32,
    b: u32,
    c: u32,
) -> Result<u32, Exc> {
    let r0 = alu32(OP1, ctx.iset, a, b, false);
    Ok(alu32(OP2, ctx.iset, c, r0, false))
}

/// `OP1_OP2d src1, src2, src3` (64-bit).
#[inline]
pub fn comb_d<const OP1: u8, const OP2: u8>(
    ctx: &mut SemCtx,
    a: u64,
    b: u64,
    c: u64,
) -> Result<u64, Exc> {
    let r0 = alu64(OP1, ctx.iset, a, b, false);
    Ok(alu64(OP2, ctx.iset, c, r0, false))
}

/// Combined 32-bit op with a `merge` stage: the MRGC predicate `p` drives every merge.
#[inline]
pub fn comb_ps<const OP1: u8, const OP2: u8>(
    ctx: &mut SemCtx,
    a: u32,
    b: u32,
    c: u32,
    p: bool,
) -> Result<u32, Exc> {
    let r0 = alu32(OP1, ctx.iset, a, b, p);
    Ok(alu32(OP2, ctx.iset, c, r0, p))
}

/// Combined 64-bit op with a `merge` stage.
#[inline]
pub fn comb_pd<const OP1: u8, const OP2: u8>(
    ctx: &mut SemCtx,
    a: u64,
    b: u64,
    c: u64,
    p: bool,
) -> Result<u64, Exc> {
    let r0 = alu64(OP1, ctx.iset, a, b, p);
    Ok(alu64(OP2, ctx.iset, c, r0, p))
}
