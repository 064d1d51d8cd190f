//! Integer compares that write a predicate (§10.5): `cmp<c>{s,d}b`, `cmpand<c>{s,d}b`,
//! `cctop<c>` (ALOPF7/8), and the v6 packed compares `pcmp*{op,ap}` / `qpcmp*{op,ap}`
//! (ALOPF17, §12). Condition codes C: 0 o, 1 b, 2 e, 3 be, 4 s, 5 p, 6 l, 7 le.

use super::packed::pcmp_lanes;
use super::{Exc, SemCtx};

/// Even parity of the low byte (x86 PF).
#[inline]
fn parity(x: u64) -> bool {
    (x & 0xff).count_ones() & 1 == 0
}

/// `cmp<C>` on `w`-bit values held zero-extended in u64.
#[inline]
fn cmp(c: u8, w: u32, a: u64, b: u64) -> bool {
    let sh = 64 - w;
    let (sa, sb) = (((a << sh) as i64) >> sh, ((b << sh) as i64) >> sh);
    let d = a.wrapping_sub(b);
    let sd = ((d << sh) as i64) >> sh;
    match c & 7 {
        // Signed overflow: the exact difference differs from its w-bit wrap.
        0 => sa as i128 - sb as i128 != sd as i128,
        1 => a < b,
        2 => a == b,
        3 => a <= b,
        4 => sd < 0,
        5 => parity(d),
        6 => sa < sb,
        _ => sa <= sb,
    }
}

/// `cmpand<C>` on `t = a & b` (`e`: t == 0, `s`: t < 0, `p`: even parity, `le`: t <= 0).
#[inline]
fn cmpand(c: u8, w: u32, a: u64, b: u64) -> bool {
    let sh = 64 - w;
    let t = a & b;
    let st = ((t << sh) as i64) >> sh;
    match c & 7 {
        2 => st == 0,
        4 => st < 0,
        5 => parity(t),
        7 => st <= 0,
        // Not encodable (no spec row); answer like `e`.
        _ => st == 0,
    }
}

/// `cmp<C>sb` (32-bit).
#[inline]
pub fn cmps<const C: u8>(_: &mut SemCtx, a: u32, b: u32) -> Result<bool, Exc> {
    Ok(cmp(C, 32, a as u64, b as u64))
}

/// `cmp<C>db` (64-bit).
#[inline]
pub fn cmpd<const C: u8>(_: &mut SemCtx, a: u64, b: u64) -> Result<bool, Exc> {
    Ok(cmp(C, 64, a, b))
}

/// `cmpand<C>sb` (32-bit).
#[inline]
pub fn cmpands<const C: u8>(_: &mut SemCtx, a: u32, b: u32) -> Result<bool, Exc> {
    Ok(cmpand(C, 32, a as u64, b as u64))
}

/// `cmpand<C>db` (64-bit).
#[inline]
pub fn cmpandd<const C: u8>(_: &mut SemCtx, a: u64, b: u64) -> Result<bool, Exc> {
    Ok(cmpand(C, 64, a, b))
}

/// `cctop<C> src2` (ALOPF8): true if any flag of the condition's mask is set in the
/// x86-EFLAGS-style value that `fcmp*sf`-class ops produce (§10.5, after later qemu-e2k's
/// `gen_cctop*`; no vectors): `o` OF, `b` CF, `e` ZF, `be` CF|ZF, `s` SF, `p` PF,
/// `l` SF|OF, `le` ZF|SF|OF.
#[inline]
pub fn cctop<const C: u8>(_: &mut SemCtx, f: u32) -> Result<bool, Exc> {
    const CF: u32 = 0x1;
    const PF: u32 = 0x4;
    const ZF: u32 = 0x40;
    const SF: u32 = 0x80;
    const OF: u32 = 0x800;
    let mask = match C & 7 {
        0 => OF,
        1 => CF,
        2 => ZF,
        3 => CF | ZF,
        4 => SF,
        5 => PF,
        6 => SF | OF,
        _ => ZF | SF | OF,
    };
    Ok(f & mask != 0)
}

/// `pcmp{eq,gt}<W>op` (v6): true if the lane compare holds in any lane. `GT` = 0 for
/// `eq`, 1 for signed `gt`; `W` = lane width in bits.
#[inline]
pub fn pcmpop<const GT: u8, const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> Result<bool, Exc> {
    Ok(pcmp_lanes(W, GT != 0, a, b) != 0)
}

/// `pcmp{eq,gt}<W>ap` (v6): true if the lane compare holds in all lanes.
#[inline]
pub fn pcmpap<const GT: u8, const W: u32>(_: &mut SemCtx, a: u64, b: u64) -> Result<bool, Exc> {
    Ok(pcmp_lanes(W, GT != 0, a, b) == u64::MAX)
}

/// `qpcmp{eq,gt}<W>op` (v6): any lane of the 128-bit compare.
#[inline]
pub fn qpcmpop<const GT: u8, const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> Result<bool, Exc> {
    let lo = pcmp_lanes(W, GT != 0, a as u64, b as u64);
    let hi = pcmp_lanes(W, GT != 0, (a >> 64) as u64, (b >> 64) as u64);
    Ok(lo | hi != 0)
}

/// `qpcmp{eq,gt}<W>ap` (v6): all lanes of the 128-bit compare.
#[inline]
pub fn qpcmpap<const GT: u8, const W: u32>(_: &mut SemCtx, a: u128, b: u128) -> Result<bool, Exc> {
    let lo = pcmp_lanes(W, GT != 0, a as u64, b as u64);
    let hi = pcmp_lanes(W, GT != 0, (a >> 64) as u64, (b >> 64) as u64);
    Ok(lo & hi == u64::MAX)
}
