//! Writing an operation result into a register and its tag byte: the one place that
//! knows how each result width (32/64/80/128-bit, WD.dbl) lands in a 128-bit register,
//! shared by the general executor and the fast paths.

use super::predecode::W;

/// Writes `val` of width `w` into `reg` and sets the tag bits of the written part from
/// `tag`: bit 7 set = raw tag bits (movt/puttag), else bit 0 = diagnostic result.
/// `wdbl` is WD.dbl (32-bit results clear the high half unless `dbl_exempt`).
#[inline(always)]
pub fn write_reg(
    reg: &mut u128,
    tagref: &mut u8,
    val: u128,
    w: W,
    dbl_exempt: bool,
    wdbl: bool,
    tag: u8,
) {
    let raw = tag & 0x80 != 0;
    let diag = tag & 1 != 0 && !raw;
    match w {
        W::S => {
            let t = if raw { tag & 3 } else { diag as u8 };
            if wdbl && !dbl_exempt {
                *reg = (*reg & !(u64::MAX as u128)) | (val as u32 as u128);
                *tagref = (*tagref & 0xf0) | if t != 0 { 5 } else { 0 };
            } else {
                *reg = (*reg & !0xffff_ffffu128) | (val as u32 as u128);
                *tagref = (*tagref & !3) | t;
            }
        }
        W::D | W::Nil | W::L | W::P => {
            *reg = (*reg & !(u64::MAX as u128)) | (val as u64 as u128);
            let t = if raw {
                tag & 0xf
            } else if diag {
                5
            } else {
                0
            };
            *tagref = (*tagref & 0xf0) | t;
        }
        W::X => {
            let mask: u128 = (1u128 << 80) - 1;
            *reg = (*reg & !mask) | (val & mask);
            let t = if raw {
                tag & 0xf
            } else if diag {
                5
            } else {
                0
            };
            *tagref = (*tagref & 0xf0) | t;
        }
        W::Q => {
            *reg = val;
            *tagref = if raw {
                tag & 0x7f
            } else if diag {
                0x55
            } else {
                0
            };
        }
    }
}
