//! Scalar and packed 32/64-bit floating-point operations, controlled by PFPFR.
//!
//! Implementation choice: every helper runs on the crate's own soft-float
//! ([`super::f80::softfloat`]), not on host SSE. It is bit-exact with the e2k rules that
//! SSE does not follow (x87-style NaN propagation: quiet over signalling, then the larger
//! payload), needs no MXCSR save/restore around each operation, is deterministic and
//! portable to any host, and is a plain allocation-free function the interpreter and the
//! JIT can both call. The architectural details follow SSE where e2k is x86-like:
//! DE for denormal operands, DAZ (PFPFR bit 6) and FTZ (bit 15), integer indefinite on
//! invalid conversions, `min`/`max` returning src2 for NaNs and equal zeros.

mod hostfast;
mod scalar;
pub(crate) mod vector;

pub use scalar::*;
pub use vector::{
    pfadds, pfaddsubs, pfhadds, pfhsubs, pfmaxs, pfmins, pfmuls, pfstoifs, pfstois, pfstoistr,
    pfsubs, pistofs,
};

use super::f80::softfloat::{Env, Rounding};
use super::{Exc, SemCtx};

/// PFPFR bit: denormal operands read as zero.
const PFPFR_DAZ: u32 = 1 << 6;
/// PFPFR bit: tiny results flush to zero.
const PFPFR_FTZ: u32 = 1 << 15;
/// PFPFR underflow mask.
const PFPFR_UM: u32 = 1 << 11;

/// The soft-float environment of a PFPFR-controlled operation.
#[inline]
pub(crate) fn pf_env(ctx: &SemCtx) -> Env {
    Env {
        rm: Rounding::from_bits(ctx.pfpfr >> 13),
        daz: ctx.pfpfr & PFPFR_DAZ != 0,
        ftz: ctx.pfpfr & PFPFR_FTZ != 0,
        ue_masked: ctx.pfpfr & PFPFR_UM != 0,
        flags: 0,
    }
}

/// Accumulates the raised flags into PFPFR; a flag whose mask bit (7..12) is clear makes
/// the operation trap (the bundle reports SIGFPE and writes no result).
#[inline]
pub(crate) fn pf_commit(ctx: &mut SemCtx, env: &Env) -> Result<(), Exc> {
    ctx.pfpfr |= env.flags;
    if env.flags & !(ctx.pfpfr >> 7) & 0x3f != 0 {
        Err(Exc::FpUnmasked)
    } else {
        Ok(())
    }
}
