//! 128-bit integer "qp" operations (v5+, §12). Lane-wise ops apply the 64-bit lane
//! functions of [`super::packed`] to each half; horizontal ops and packs work across the
//! whole register (low result half from src1 / src2 as for the 64-bit forms).

use super::packed::{self as p, lane, sx};
use super::{Exc, SemCtx};

type R = Result<u128, Exc>;

#[inline]
fn lo(x: u128) -> u64 {
    x as u64
}

#[inline]
fn hi(x: u128) -> u64 {
    (x >> 64) as u64
}

#[inline]
fn join(h: u64, l: u64) -> u128 {
    ((h as u128) << 64) | l as u128
}

/// Applies a 64-bit function to each half of the two operands.
#[inline]
fn halves(a: u128, b: u128, f: impl Fn(u64, u64) -> u64) -> u128 {
    join(f(hi(a), hi(b)), f(lo(a), lo(b)))
}

/// Lane `i` (width `w`) of a 128-bit value.
#[inline]
fn qlane(x: u128, w: u32, i: u32) -> u64 {
    let per = 64 / w;
    lane(if i < per { lo(x) } else { hi(x) }, w, i % per)
}

/// Builds a 128-bit value from `n` lanes of width `w`.
#[inline]
fn qbuild(w: u32, n: u32, f: impl Fn(u32) -> u64) -> u128 {
    let half = n / 2;
    join(p::build(w, half, |i| f(i + half)), p::build(w, half, &f))
}

#[inline]
pub fn qpand(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(a & b)
}

/// `qpandn`: `src1 & !src2`.
#[inline]
pub fn qpandn(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(a & !b)
}

#[inline]
pub fn qpor(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(a | b)
}

#[inline]
pub fn qpxor(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(a ^ b)
}

#[inline]
pub fn qpadd<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::add_l(W, x, y)))
}

#[inline]
pub fn qpsub<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::sub_l(W, x, y)))
}

#[inline]
pub fn qpadds<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::adds_l(W, x, y)))
}

#[inline]
pub fn qpsubs<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::subs_l(W, x, y)))
}

#[inline]
pub fn qpaddus<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::addus_l(W, x, y)))
}

#[inline]
pub fn qpsubus<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::subus_l(W, x, y)))
}

#[inline]
pub fn qpmins<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::mins_l(W, x, y)))
}

#[inline]
pub fn qpmaxs<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::maxs_l(W, x, y)))
}

#[inline]
pub fn qpminu<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::minu_l(W, x, y)))
}

#[inline]
pub fn qpmaxu<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::maxu_l(W, x, y)))
}

#[inline]
pub fn qpcmpeq<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::pcmp_lanes(W, false, x, y)))
}

#[inline]
pub fn qpcmpgt<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::pcmp_lanes(W, true, x, y)))
}

#[inline]
pub fn qpavgu<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::avgu_l(W, x, y)))
}

#[inline]
pub fn qpsign<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::sign_l(W, x, y)))
}

/// `qpsll{h,w,d} src1, count`: every lane shifted by the 64-bit count (≥ W → 0).
#[inline]
pub fn qpsll<const W: u32>(_: &mut SemCtx, a: u128, n: u64) -> R {
    Ok(halves(a, 0, |x, _| p::sll_l(W, x, n)))
}

#[inline]
pub fn qpsrl<const W: u32>(_: &mut SemCtx, a: u128, n: u64) -> R {
    Ok(halves(a, 0, |x, _| p::srl_l(W, x, n)))
}

/// `qpsra{h,w,d}`: counts ≥ W fill with the sign.
#[inline]
pub fn qpsra<const W: u32>(_: &mut SemCtx, a: u128, n: u64) -> R {
    Ok(halves(a, 0, |x, _| p::sra_l(W, x, n)))
}

/// `qpsrc{w,d}`: rotate every lane right by `count mod W`.
#[inline]
pub fn qpsrc<const W: u32>(_: &mut SemCtx, a: u128, n: u64) -> R {
    Ok(halves(a, 0, |x, _| p::src_l(W, x, n)))
}

#[inline]
pub fn qpmulhh(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::mulhs_l))
}

#[inline]
pub fn qpmulhuh(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::mulhu_l))
}

#[inline]
pub fn qpmulhrsh(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::mulhrs_l))
}

/// `qpmullh` (W=16) / `qpmullw` (W=32).
#[inline]
pub fn qpmull<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, |x, y| p::mull_l(W, x, y)))
}

#[inline]
pub fn qpmaddh(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::maddh_l))
}

#[inline]
pub fn qpmaddubsh(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::maddubs_l))
}

#[inline]
pub fn qpsadbw(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(halves(a, b, p::sadbw_l))
}

/// `qpmulubhh src1(64), src2(128)`: 8 lanes of `(u8 src1.byte[i] × s16 src2.half[i] + 0x80) >> 8`.
#[inline]
pub fn qpmulubhh(_: &mut SemCtx, a: u64, b: u128) -> R {
    Ok(join(
        p::mulubhh_l(a >> 32, hi(b)),
        p::mulubhh_l(a & 0xffff_ffff, lo(b)),
    ))
}

/// `qpmpsadbh src1(128), src2(32)`: [`p::mpsadbh_l`] on each half against src2's 4 bytes.
#[inline]
pub fn qpmpsadbh(_: &mut SemCtx, a: u128, r: u32) -> R {
    Ok(halves(a, 0, |x, _| p::mpsadbh_l(x, r as u64)))
}

/// `qphminposuh`: min u16 over src1's 8 lanes then src2's 8 lanes, index in bits 31:16.
#[inline]
pub fn qphminposuh(_: &mut SemCtx, a: u128, b: u128) -> Result<u64, Exc> {
    Ok(p::hminpos(
        (0..8)
            .map(|i| qlane(a, 16, i))
            .chain((0..8).map(|i| qlane(b, 16, i))),
    ))
}

/// Horizontal pairs over the whole register: low half from src1, high half from src2.
#[inline]
fn qhop(w: u32, a: u128, b: u128, f: impl Fn(u64, u64) -> u64) -> u128 {
    let n = 128 / w;
    qbuild(w, n, |i| {
        let (src, k) = if i < n / 2 {
            (a, 2 * i)
        } else {
            (b, 2 * (i - n / 2))
        };
        f(qlane(src, w, k), qlane(src, w, k + 1))
    })
}

/// `qphaddh/qphaddw` (W), `qphaddsh` (S).
#[inline]
pub fn qphadd<const W: u32, const S: bool>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(qhop(W, a, b, |x, y| {
        if S {
            p::sat_s(sx(x, W) + sx(y, W), W)
        } else {
            x.wrapping_add(y)
        }
    }))
}

/// `qphsubh/qphsubw` (W), `qphsubsh` (S).
#[inline]
pub fn qphsub<const W: u32, const S: bool>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(qhop(W, a, b, |x, y| {
        if S {
            p::sat_s(sx(x, W) - sx(y, W), W)
        } else {
            x.wrapping_sub(y)
        }
    }))
}

/// Packs src2's lanes into the low half and src1's into the high half.
#[inline]
fn qpack(w: u32, a: u128, b: u128, sat: impl Fn(i64) -> u64) -> u128 {
    let n = 128 / w;
    qbuild(w / 2, 2 * n, |i| {
        let (src, k) = if i < n { (b, i) } else { (a, i - n) };
        sat(sx(qlane(src, w, k), w))
    })
}

/// `qpacksshb` (W=16) / `qpacksswh` (W=32).
#[inline]
pub fn qpackss<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(qpack(W, a, b, |v| p::sat_s(v, W / 2)))
}

/// `qpackushb` (W=16) / `qpackuswh` (W=32).
#[inline]
pub fn qpackus<const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> R {
    Ok(qpack(W, a, b, |v| p::sat_u(v, W / 2)))
}

/// `qpsgn2mskb`: the 16 byte sign bits.
#[inline]
pub fn qpsgn2mskb(_: &mut SemCtx, a: u128) -> Result<u32, Exc> {
    Ok((p::signs(8, lo(a)) | (p::signs(8, hi(a)) << 8)) as u32)
}

/// `qpmsk2sgnb src1, mask`: byte i of src1 with its sign bit replaced by mask bit i.
#[inline]
pub fn qpmsk2sgnb(_: &mut SemCtx, a: u128, m: u32) -> R {
    Ok(qbuild(8, 16, |i| {
        (qlane(a, 8, i) & 0x7f) | ((((m >> i) & 1) as u64) << 7)
    }))
}

/// `qppackdl src1, src2`: src1 in the high half, src2 in the low half.
#[inline]
pub fn qppackdl(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(join(a, b))
}

/// `qpswitchw`: swap the 32-bit words inside each 64-bit half.
#[inline]
pub fn qpswitchw(_: &mut SemCtx, a: u128) -> R {
    Ok(halves(a, 0, |x, _| x.rotate_left(32)))
}

/// `qpswitchd`: swap the 64-bit halves.
#[inline]
pub fn qpswitchd(_: &mut SemCtx, a: u128) -> R {
    Ok(a.rotate_left(64))
}

/// `qpmrgp src1, src2, pred` (v6): `pred ? src2 : src1`.
#[inline]
pub fn qpmrgp(_: &mut SemCtx, a: u128, b: u128, pr: bool) -> R {
    Ok(if pr { b } else { a })
}

/// `qpcext_0xNN src2` (v6): low half = src2, high half = byte `B` replicated.
#[inline]
pub fn qpcext<const B: u8>(_: &mut SemCtx, a: u64) -> R {
    Ok(join(u64::from_ne_bytes([B; 8]), a))
}

/// `qppermb src1, src2, src3`: per byte, control c: byte `c & 15` of src2 (or of src1 if
/// `c & 0x10`), then bit 5 inverts, bit 6 reverses the bits, bit 7 replicates the sign.
#[inline]
pub fn qppermb(_: &mut SemCtx, a: u128, b: u128, c: u128) -> R {
    Ok(qbuild(8, 16, |i| {
        let k = qlane(c, 8, i) as u8;
        let mut x = qlane(if k & 0x10 != 0 { a } else { b }, 8, (k & 15) as u32) as u8;
        if k & 0x20 != 0 {
            x = !x;
        }
        if k & 0x40 != 0 {
            x = x.reverse_bits();
        }
        if k & 0x80 != 0 {
            x = ((x as i8) >> 7) as u8;
        }
        x as u64
    }))
}

/// `qpshufb`: `pshufb` per 64-bit half, where the low result half selects from the 16
/// bytes of src2 and the high half from the 16 bytes of src1 (qemu-e2k's reading; the
/// semantics document gives no detail).
#[inline]
pub fn qpshufb(_: &mut SemCtx, a: u128, b: u128, c: u128) -> R {
    Ok(join(
        p::shufb_l(hi(a), lo(a), hi(c)),
        p::shufb_l(hi(b), lo(b), lo(c)),
    ))
}

/// `qpmerge`: per byte, `src3.byte < 0 ? src2 : src1`.
#[inline]
pub fn qpmerge(_: &mut SemCtx, a: u128, b: u128, c: u128) -> R {
    Ok(join(
        p::merge_l(hi(a), hi(b), hi(c)),
        p::merge_l(lo(a), lo(b), lo(c)),
    ))
}
