//! 64-bit packed integer (SIMD) operations (§12): lanes of W = 8/16/32/64 bits, lane 0 in
//! the least significant bits. Lane-generic helpers take the lane width as a const
//! parameter (`sem=packed::padd::<8>` is `paddb`); the 128-bit `qp*` forms in
//! [`super::qpint`] reuse the `*_l` lane functions on each 64-bit half.

use super::{Exc, SemCtx};

// ---------------------------------------------------------------------------------------
// Lane utilities.

/// All-ones mask of a `w`-bit lane.
#[inline]
pub(crate) const fn lmask(w: u32) -> u64 {
    if w >= 64 {
        u64::MAX
    } else {
        (1u64 << w) - 1
    }
}

/// Lane `i` of `x`, zero-extended.
#[inline]
pub(crate) const fn lane(x: u64, w: u32, i: u32) -> u64 {
    if w >= 64 {
        x
    } else {
        (x >> (i * w)) & lmask(w)
    }
}

/// Sign-extends the low `w` bits of `v`.
#[inline]
pub(crate) const fn sx(v: u64, w: u32) -> i64 {
    let sh = 64 - w;
    ((v << sh) as i64) >> sh
}

/// Applies `f` to each pair of lanes (zero-extended); results are truncated to the lane.
#[inline]
pub(crate) fn map2(w: u32, a: u64, b: u64, f: impl Fn(u64, u64) -> u64) -> u64 {
    let mut r = 0;
    for i in 0..64 / w {
        r |= (f(lane(a, w, i), lane(b, w, i)) & lmask(w)) << (i * w);
    }
    r
}

/// Applies `f` to each lane.
#[inline]
pub(crate) fn map1(w: u32, a: u64, f: impl Fn(u64) -> u64) -> u64 {
    map2(w, a, 0, |x, _| f(x))
}

/// Clamps to the signed range of a `w`-bit lane (1 ≤ w ≤ 64).
#[inline]
pub(crate) fn sat_s(v: i64, w: u32) -> u64 {
    let max = i64::MAX >> (64 - w);
    v.clamp(-max - 1, max) as u64
}

/// Clamps to the unsigned range of a `w`-bit lane.
#[inline]
pub(crate) fn sat_u(v: i64, w: u32) -> u64 {
    if v < 0 {
        0
    } else {
        (v as u64).min(lmask(w))
    }
}

/// Builds a value from `n` lanes of width `w` produced by `f(i)`.
#[inline]
pub(crate) fn build(w: u32, n: u32, f: impl Fn(u32) -> u64) -> u64 {
    let mut r = 0;
    for i in 0..n {
        r |= (f(i) & lmask(w)) << (i * w);
    }
    r
}

// ---------------------------------------------------------------------------------------
// Lane functions (shared with qpint).

#[inline]
pub(crate) fn add_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| x.wrapping_add(y))
}

#[inline]
pub(crate) fn sub_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| x.wrapping_sub(y))
}

#[inline]
pub(crate) fn adds_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| sat_s(sx(x, w) + sx(y, w), w))
}

#[inline]
pub(crate) fn subs_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| sat_s(sx(x, w) - sx(y, w), w))
}

#[inline]
pub(crate) fn addus_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| sat_u(x as i64 + y as i64, w))
}

#[inline]
pub(crate) fn subus_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| sat_u(x as i64 - y as i64, w))
}

#[inline]
pub(crate) fn mins_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| if sx(x, w) < sx(y, w) { x } else { y })
}

#[inline]
pub(crate) fn maxs_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| if sx(x, w) > sx(y, w) { x } else { y })
}

#[inline]
pub(crate) fn minu_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| x.min(y))
}

#[inline]
pub(crate) fn maxu_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| x.max(y))
}

/// Lane-wise compare: all-ones where `a == b` (or signed `a > b` if `gt`), else zero.
#[inline]
pub(crate) fn pcmp_lanes(w: u32, gt: bool, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| {
        let t = if gt { sx(x, w) > sx(y, w) } else { x == y };
        if t {
            u64::MAX
        } else {
            0
        }
    })
}

#[inline]
pub(crate) fn avgu_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| (x + y + 1) >> 1)
}

/// Logical left shift of every lane by the full 64-bit count; counts ≥ w give 0.
#[inline]
pub(crate) fn sll_l(w: u32, a: u64, n: u64) -> u64 {
    if n >= w as u64 {
        0
    } else {
        map1(w, a, |x| x << n)
    }
}

/// Logical right shift of every lane; counts ≥ w give 0.
#[inline]
pub(crate) fn srl_l(w: u32, a: u64, n: u64) -> u64 {
    if n >= w as u64 {
        0
    } else {
        map1(w, a, |x| x >> n)
    }
}

/// Arithmetic right shift of every lane; counts ≥ w behave as w−1 (sign fill).
#[inline]
pub(crate) fn sra_l(w: u32, a: u64, n: u64) -> u64 {
    let n = n.min(w as u64 - 1);
    map1(w, a, |x| (sx(x, w) >> n) as u64)
}

/// Rotate right of every lane by `n mod w`.
#[inline]
pub(crate) fn src_l(w: u32, a: u64, n: u64) -> u64 {
    let n = (n % w as u64) as u32;
    if n == 0 {
        return a;
    }
    map1(w, a, |x| (x >> n) | (x << (w - n)))
}

#[inline]
pub(crate) fn sign_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| match sx(y, w) {
        s if s < 0 => x.wrapping_neg(),
        0 => 0,
        _ => x,
    })
}

#[inline]
pub(crate) fn mulhs_l(a: u64, b: u64) -> u64 {
    map2(16, a, b, |x, y| ((sx(x, 16) * sx(y, 16)) >> 16) as u64)
}

#[inline]
pub(crate) fn mulhu_l(a: u64, b: u64) -> u64 {
    map2(16, a, b, |x, y| (x * y) >> 16)
}

#[inline]
pub(crate) fn mull_l(w: u32, a: u64, b: u64) -> u64 {
    map2(w, a, b, |x, y| x.wrapping_mul(y))
}

#[inline]
pub(crate) fn mulhrs_l(a: u64, b: u64) -> u64 {
    map2(16, a, b, |x, y| {
        ((sx(x, 16) * sx(y, 16) + 0x4000) >> 15) as u64
    })
}

/// 4×(s16×s16) → 2×s32, adjacent products summed (wrapping).
#[inline]
pub(crate) fn maddh_l(a: u64, b: u64) -> u64 {
    build(32, 2, |i| {
        let p = |k| sx(lane(a, 16, k), 16) * sx(lane(b, 16, k), 16);
        p(2 * i).wrapping_add(p(2 * i + 1)) as u64
    })
}

/// s8 (src1) × u8 (src2) pairs summed and saturated to s16.
#[inline]
pub(crate) fn maddubs_l(a: u64, b: u64) -> u64 {
    build(16, 4, |i| {
        let p = |k| sx(lane(a, 8, k), 8) * lane(b, 8, k) as i64;
        sat_s(p(2 * i) + p(2 * i + 1), 16)
    })
}

/// Sum of absolute byte differences in the low 16 bits.
#[inline]
pub(crate) fn sadbw_l(a: u64, b: u64) -> u64 {
    (0..8).map(|i| lane(a, 8, i).abs_diff(lane(b, 8, i))).sum()
}

/// Four sums of |src1.byte[i+j] − ref.byte[j]|, j < 4, for i = 0..3.
#[inline]
pub(crate) fn mpsadbh_l(a: u64, r: u64) -> u64 {
    build(16, 4, |i| {
        (0..4)
            .map(|j| lane(a, 8, i + j).abs_diff(lane(r, 8, j)))
            .sum()
    })
}

/// `(u8 src1.byte[i] × s16 src2.half[i] + 0x80) >> 8` for 4 lanes.
#[inline]
pub(crate) fn mulubhh_l(a: u64, b: u64) -> u64 {
    build(16, 4, |i| {
        ((lane(a, 8, i) as i64 * sx(lane(b, 16, i), 16) + 0x80) >> 8) as u64
    })
}

/// Horizontal pairs: lanes of the low half from `a`, of the high half from `b`.
#[inline]
pub(crate) fn hop_l(w: u32, a: u64, b: u64, f: impl Fn(u64, u64) -> u64) -> u64 {
    let n = 64 / w;
    build(w, n, |i| {
        let (src, k) = if i < n / 2 {
            (a, 2 * i)
        } else {
            (b, 2 * (i - n / 2))
        };
        f(lane(src, w, k), lane(src, w, k + 1))
    })
}

/// Packs the lanes of `b` (low half) and `a` (high half) to half width with `sat`.
#[inline]
pub(crate) fn pack_l(w: u32, a: u64, b: u64, sat: impl Fn(i64) -> u64) -> u64 {
    let n = 64 / w;
    build(w / 2, 2 * n, |i| {
        let (src, k) = if i < n { (b, i) } else { (a, i - n) };
        sat(sx(lane(src, w, k), w))
    })
}

/// Interleave: even result lanes from `b`, odd from `a`, taken from half `h` (0 low, 1 high).
#[inline]
pub(crate) fn unpck_l(w: u32, h: u32, a: u64, b: u64) -> u64 {
    let n = 64 / w;
    build(w, n, |i| {
        let k = h * n / 2 + i / 2;
        lane(if i & 1 == 0 { b } else { a }, w, k)
    })
}

/// One byte of `pshufb` for control byte `c` over the 16 bytes `src1:src2` (§12).
#[inline]
pub(crate) fn shufb_byte(a: u64, b: u64, c: u8) -> u64 {
    if c & 0x80 != 0 {
        return match (c >> 4) & 7 {
            2 => 0x7f,
            4 => 0x80,
            6 => 0xff,
            _ => 0,
        };
    }
    let i = (c & 7) as u32;
    let mut x = lane(if c & 8 != 0 { a } else { b }, 8, i) as u8;
    if c & 0x10 != 0 {
        x = !x;
    }
    if c & 0x20 != 0 {
        x = x.reverse_bits();
    }
    if c & 0x40 != 0 {
        x = ((x as i8) >> 7) as u8;
    }
    x as u64
}

#[inline]
pub(crate) fn shufb_l(a: u64, b: u64, c: u64) -> u64 {
    build(8, 8, |i| shufb_byte(a, b, lane(c, 8, i) as u8))
}

/// Per byte: `c.byte < 0 ? b : a`.
#[inline]
pub(crate) fn merge_l(a: u64, b: u64, c: u64) -> u64 {
    let m = map1(8, c, |x| if x & 0x80 != 0 { 0xff } else { 0 });
    (a & !m) | (b & m)
}

/// Sign bits of the lanes of `x`, lane 0 in bit 0.
#[inline]
pub(crate) fn signs(w: u32, x: u64) -> u64 {
    let n = 64 / w;
    (0..n).fold(0, |r, i| r | ((lane(x, w, i) >> (w - 1)) << i))
}

/// Minimum u16 over `lanes` (in order) with its first index in bits 31:16.
#[inline]
pub(crate) fn hminpos(lanes: impl Iterator<Item = u64>) -> u64 {
    let (mut best, mut idx) = (u64::MAX, 0);
    for (i, v) in lanes.enumerate() {
        if v < best {
            best = v;
            idx = i as u64;
        }
    }
    (idx << 16) | (best & 0xffff)
}

// ---------------------------------------------------------------------------------------
// Operations (W = lane width in bits).

type R = Result<u64, Exc>;

#[inline]
pub fn padd<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(add_l(W, a, b))
}

#[inline]
pub fn psub<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(sub_l(W, a, b))
}

#[inline]
pub fn padds<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(adds_l(W, a, b))
}

#[inline]
pub fn psubs<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(subs_l(W, a, b))
}

#[inline]
pub fn paddus<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(addus_l(W, a, b))
}

#[inline]
pub fn psubus<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(subus_l(W, a, b))
}

#[inline]
pub fn pmins<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mins_l(W, a, b))
}

#[inline]
pub fn pmaxs<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(maxs_l(W, a, b))
}

#[inline]
pub fn pminu<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(minu_l(W, a, b))
}

#[inline]
pub fn pmaxu<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(maxu_l(W, a, b))
}

#[inline]
pub fn pcmpeq<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(pcmp_lanes(W, false, a, b))
}

#[inline]
pub fn pcmpgt<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(pcmp_lanes(W, true, a, b))
}

#[inline]
pub fn pavgu<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(avgu_l(W, a, b))
}

#[inline]
pub fn psll<const W: u32>(_: &mut SemCtx, a: u64, n: u64) -> R {
    Ok(sll_l(W, a, n))
}

#[inline]
pub fn psrl<const W: u32>(_: &mut SemCtx, a: u64, n: u64) -> R {
    Ok(srl_l(W, a, n))
}

#[inline]
pub fn psra<const W: u32>(_: &mut SemCtx, a: u64, n: u64) -> R {
    Ok(sra_l(W, a, n))
}

/// `psrcw/psrcd` (v5+): rotate each lane right by `src2 mod W`.
#[inline]
pub fn psrc<const W: u32>(_: &mut SemCtx, a: u64, n: u64) -> R {
    Ok(src_l(W, a, n))
}

#[inline]
pub fn psign<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(sign_l(W, a, b))
}

#[inline]
pub fn pandd(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(a & b)
}

/// `pandnd`: `src1 & !src2` (the e2k `andn` order, not x86's).
#[inline]
pub fn pandnd(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(a & !b)
}

#[inline]
pub fn pord(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(a | b)
}

#[inline]
pub fn pxord(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(a ^ b)
}

#[inline]
pub fn pmulhh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mulhs_l(a, b))
}

#[inline]
pub fn pmulhuh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mulhu_l(a, b))
}

/// `pmullh` (W=16) / `pmullw` (W=32): low half of each lane product.
#[inline]
pub fn pmull<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mull_l(W, a, b))
}

#[inline]
pub fn pmulhrsh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mulhrs_l(a, b))
}

#[inline]
pub fn pmaddh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(maddh_l(a, b))
}

#[inline]
pub fn pmaddubsh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(maddubs_l(a, b))
}

#[inline]
pub fn pmulubhh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mulubhh_l(a, b))
}

#[inline]
pub fn psadbw(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(sadbw_l(a, b))
}

/// `mpsadbh src1, src2`: sliding 4-byte windows of src1 against src2's low 4 bytes.
#[inline]
pub fn mpsadbh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(mpsadbh_l(a, b))
}

/// `phaddh/phaddw` (W), `phaddsh` (S = saturating).
#[inline]
pub fn phadd<const W: u32, const S: bool>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(hop_l(W, a, b, |x, y| {
        if S {
            sat_s(sx(x, W) + sx(y, W), W)
        } else {
            x.wrapping_add(y)
        }
    }))
}

/// `phsubh/phsubw` (W), `phsubsh` (S = saturating): even lane minus odd lane.
#[inline]
pub fn phsub<const W: u32, const S: bool>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(hop_l(W, a, b, |x, y| {
        if S {
            sat_s(sx(x, W) - sx(y, W), W)
        } else {
            x.wrapping_sub(y)
        }
    }))
}

/// `packsshb` (W=16) / `packsswh` (W=32): signed saturation; src2 lanes go low.
#[inline]
pub fn packss<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(pack_l(W, a, b, |v| sat_s(v, W / 2)))
}

/// `packushb` (W=16) / `packuswh` (W=32): unsigned saturation of signed lanes.
#[inline]
pub fn packus<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(pack_l(W, a, b, |v| sat_u(v, W / 2)))
}

/// `punpckl{bh,hw,wd}`: interleave the low halves.
#[inline]
pub fn punpckl<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(unpck_l(W, 0, a, b))
}

/// `punpckh{bh,hw,wd}`: interleave the high halves.
#[inline]
pub fn punpckh<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(unpck_l(W, 1, a, b))
}

/// `pmovmsk{b,ps,pd}`: sign bits, src2 lanes in the low bits, src1 lanes above them.
#[inline]
pub fn pmovmsk<const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(signs(W, b) | (signs(W, a) << (64 / W)))
}

/// `phminposuh`: min u16 over src1 lanes 0..3 then src2 lanes 0..3, index in bits 31:16.
#[inline]
pub fn phminposuh(_: &mut SemCtx, a: u64, b: u64) -> R {
    Ok(hminpos(
        (0..4)
            .map(|i| lane(a, 16, i))
            .chain((0..4).map(|i| lane(b, 16, i))),
    ))
}

/// `pshufw src1, src2, imm`: 32-bit lane i = word `imm[2i+1:2i]` of `src1:src2`.
#[inline]
pub fn pshufw(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok(build(32, 2, |i| {
        let s = (imm >> (2 * i)) & 3;
        lane(if s >= 2 { a } else { b }, 32, (s & 1) as u32)
    }))
}

/// `pshufh src, imm`: 16-bit lane i = lane `imm[2i+1:2i]` of src.
#[inline]
pub fn pshufh(_: &mut SemCtx, a: u64, imm: u8) -> R {
    Ok(build(16, 4, |i| lane(a, 16, ((imm >> (2 * i)) & 3) as u32)))
}

/// `pextrh src1, src2, imm`: 16-bit lane `imm` of `src1:src2` (src2 low); 0 for imm ≥ 8.
#[inline]
pub fn pextrh(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok(match imm {
        0..=3 => lane(b, 16, imm as u32),
        4..=7 => lane(a, 16, imm as u32 - 4),
        _ => 0,
    })
}

/// `pinsh src1, src2, imm`: src1 with lane `imm` replaced by src2's low 16 bits
/// (unchanged for imm ≥ 4).
#[inline]
pub fn pinsh(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    if imm >= 4 {
        return Ok(a);
    }
    let sh = 16 * imm as u32;
    Ok((a & !(0xffff << sh)) | ((b & 0xffff) << sh))
}

/// The 128-bit pair `src1:src2` (src1 high).
#[inline]
fn pair(a: u64, b: u64) -> u128 {
    ((a as u128) << 64) | b as u128
}

/// `psllqh`: high 64 bits of `(src1:src2) << 8*imm` (0 for imm > 15).
#[inline]
pub fn psllqh(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok((pair(a, b).checked_shl(8 * imm as u32).unwrap_or(0) >> 64) as u64)
}

/// `psllql`: low 64 bits of `(src1:src2) << 8*imm`, i.e. `src2 << 8*imm` (0 for imm > 7).
#[inline]
pub fn psllql(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok(pair(a, b).checked_shl(8 * imm as u32).unwrap_or(0) as u64)
}

/// `psrlqh`: high 64 bits of `(src1:src2) >> 8*imm`, i.e. `src1 >> 8*imm` (0 for imm > 7).
#[inline]
pub fn psrlqh(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok((pair(a, b).checked_shr(8 * imm as u32).unwrap_or(0) >> 64) as u64)
}

/// `psrlql`: low 64 bits of `(src1:src2) >> 8*imm` (0 for imm > 15).
#[inline]
pub fn psrlql(_: &mut SemCtx, a: u64, b: u64, imm: u8) -> R {
    Ok(pair(a, b).checked_shr(8 * imm as u32).unwrap_or(0) as u64)
}

/// `pshufb src1, src2, src3` (§12).
#[inline]
pub fn pshufb(_: &mut SemCtx, a: u64, b: u64, c: u64) -> R {
    Ok(shufb_l(a, b, c))
}

/// `pmerge src1, src2, src3`: per byte, `src3.byte < 0 ? src2 : src1`.
#[inline]
pub fn pmerge(_: &mut SemCtx, a: u64, b: u64, c: u64) -> R {
    Ok(merge_l(a, b, c))
}

/// `pmrgp src1, src2, pred` (v6): `pred ? src2 : src1`.
#[inline]
pub fn pmrgp(_: &mut SemCtx, a: u64, b: u64, p: bool) -> R {
    Ok(if p { b } else { a })
}
