//! Three-input bitwise truth-table operations `plog_0xTT` (64-bit) and `qplog_0xTT`
//! (128-bit), v5+ (§12): result bit = `TT[(a << 2) | (b << 1) | c]` for the bits a, b, c
//! of src1, src2, src3 at that position. The named aliases (`and`, `xor`, `sel3`, `mjr`,
//! `or`) are tables 0x80, 0x96, 0xd8, 0xe8 and 0xfe.

use super::{Exc, SemCtx};

/// Evaluates truth table `tt` bitwise over any unsigned width.
macro_rules! lut {
    ($tt:expr, $a:expr, $b:expr, $c:expr) => {{
        let (a, b, c) = ($a, $b, $c);
        let mut r = 0;
        for i in 0..8u8 {
            if ($tt >> i) & 1 != 0 {
                let x = if i & 4 != 0 { a } else { !a };
                let y = if i & 2 != 0 { b } else { !b };
                let z = if i & 1 != 0 { c } else { !c };
                r |= x & y & z;
            }
        }
        r
    }};
}

/// `plog_0xTT src1, src2, src3` (64-bit).
#[inline]
pub fn plog<const TT: u8>(_: &mut SemCtx, a: u64, b: u64, c: u64) -> Result<u64, Exc> {
    Ok(lut!(TT, a, b, c))
}

/// `qplog_0xTT src1, src2, src3` (128-bit).
#[inline]
pub fn qplog<const TT: u8>(_: &mut SemCtx, a: u128, b: u128, c: u128) -> Result<u128, Exc> {
    Ok(lut!(TT, a, b, c))
}
