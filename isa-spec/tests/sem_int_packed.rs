//! Edge cases of the packed, qp and plog helpers beyond the golden vectors: every plog /
//! qplog truth table (the vectors cover 16 of 256), shift counts ≥ lane width, the
//! byte-shift and lane-index immediates at their limits, pshufb control constants, the
//! per-half rule of the qp forms and the v6 any/all predicate compares. Expected values
//! follow docs/e2k-semantics.md §12 and the assembler's lit8 warnings in the spec.

use e2k_isa::sem::{icmp, packed, plog, qpint, SemCtx};
use e2k_isa::ALOPS;

fn c() -> SemCtx {
    SemCtx::default()
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn values(n: usize) -> Vec<u64> {
    let mut r = Rng(0x5851_f42d_4c95_7f2d);
    [
        0,
        1,
        0x7f,
        0x80,
        0x8000,
        0x8000_0000,
        u64::MAX,
        0x8080_8080_8080_8080,
    ]
    .into_iter()
    .chain((0..n).map(|_| r.next()))
    .collect()
}

fn run(name: &str, a: u128, b: u128, x: u128) -> u128 {
    let d = ALOPS
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name} not in the spec"));
    (d.sem.unwrap_or_else(|| panic!("{name} has no helper")))(&mut c(), a, b, x, 0).unwrap()
}

#[test]
fn every_plog_table_is_a_bitwise_lookup() {
    // §12: result bit = table[(a << 2) | (b << 1) | c], table = the op's 8-bit code.
    let vs = values(6);
    for tt in 0..=255u8 {
        for (i, &a) in vs.iter().enumerate() {
            let b = vs[(i + 3) % vs.len()];
            let x = vs[(i + 5) % vs.len()];
            let mut want = 0u64;
            for bit in 0..64 {
                let idx = (((a >> bit) & 1) << 2) | (((b >> bit) & 1) << 1) | ((x >> bit) & 1);
                want |= (((tt >> idx) & 1) as u64) << bit;
            }
            let (a2, b2, x2) = (a.rotate_left(7), b.rotate_left(9), x.rotate_left(3));
            let want_hi = {
                let mut w = 0u64;
                for bit in 0..64 {
                    let idx =
                        (((a2 >> bit) & 1) << 2) | (((b2 >> bit) & 1) << 1) | ((x2 >> bit) & 1);
                    w |= (((tt >> idx) & 1) as u64) << bit;
                }
                w
            };
            let q = |lo: u64, hi: u64| ((hi as u128) << 64) | lo as u128;
            // Canonical spelling, numeric alias and the generic helper agree.
            let p = format!("plog_{tt:#04x}");
            assert_eq!(
                run(&p, a as u128, b as u128, x as u128),
                want as u128,
                "{p}"
            );
            assert_eq!(
                run(&format!("plog_{tt}"), a as u128, b as u128, x as u128),
                want as u128
            );
            let qn = format!("qplog_{tt:#04x}");
            assert_eq!(
                run(&qn, q(a, a2), q(b, b2), q(x, x2)),
                q(want, want_hi),
                "{qn}"
            );
        }
    }
    // Named aliases: and, xor, sel3 (= src3 ? src2 : src1), mjr (majority), or.
    let (a, b, x) = (0xf0f0u128, 0xccccu128, 0xaaaau128);
    assert_eq!(run("plog_and", a, b, x), a & b & x);
    assert_eq!(run("plog_xor", a, b, x), a ^ b ^ x);
    assert_eq!(run("plog_sel3", a, b, x), (x & b) | (!x & a & 0xffff));
    assert_eq!(run("plog_mjr", a, b, x), (a & b) | (a & x) | (b & x));
    assert_eq!(run("qplog_or", a << 64, b, x), (a << 64) | b | x);
    assert_eq!(plog::plog::<0xff>(&mut c(), 0, 0, 0), Ok(u64::MAX));
}

#[test]
fn packed_shift_counts_at_and_beyond_the_lane_width() {
    // §12: logical shifts by ≥ width give 0, arithmetic ones fill with the sign; counts
    // are the whole 64-bit src2. psrc (v5+, rotate) takes the count modulo the width.
    let cx = &mut c();
    let v = 0x8001_7ffe_8000_0001u64;
    for n in [16u64, 17, 31, 32, 63, 64, 65, 1 << 32, u64::MAX] {
        assert_eq!(packed::psll::<16>(cx, v, n), Ok(0));
        assert_eq!(packed::psrl::<16>(cx, v, n), Ok(0));
        assert_eq!(packed::psra::<16>(cx, v, n), Ok(0xffff_0000_ffff_0000));
        if n >= 32 {
            assert_eq!(packed::psll::<32>(cx, v, n), Ok(0));
            assert_eq!(packed::psra::<32>(cx, v, n), Ok(0xffff_ffff_ffff_ffff));
        }
        if n >= 64 {
            assert_eq!(packed::psrl::<64>(cx, v, n), Ok(0));
        }
    }
    assert_eq!(packed::psra::<16>(cx, v, 15), Ok(0xffff_0000_ffff_0000));
    for n in values(20) {
        assert_eq!(
            packed::psrc::<32>(cx, v, n),
            packed::psrc::<32>(cx, v, n % 32)
        );
        assert_eq!(
            packed::psrc::<64>(cx, v, n),
            Ok(v.rotate_right((n % 64) as u32))
        );
        let q = ((v as u128) << 64) | (v.rotate_left(8) as u128);
        let want = ((packed::psra::<16>(cx, v, n).unwrap() as u128) << 64)
            | packed::psra::<16>(cx, v.rotate_left(8), n).unwrap() as u128;
        assert_eq!(qpint::qpsra::<16>(cx, q, n), Ok(want));
    }
}

#[test]
fn quad_byte_shifts_at_the_immediate_limits() {
    // psllqh/psllql/psrlqh/psrlql shift the pair src1:src2 by 8*imm bits; the lit8
    // warnings ("count > 7/15 leads to a zero result") give the zero limits.
    let cx = &mut c();
    let (a, b) = (0x1122_3344_5566_7788u64, 0x99aa_bbcc_ddee_ff00u64);
    assert_eq!(packed::psllqh(cx, a, b, 0), Ok(a));
    assert_eq!(packed::psrlql(cx, a, b, 0), Ok(b));
    assert_eq!(packed::psllql(cx, a, b, 0), Ok(b));
    assert_eq!(packed::psrlqh(cx, a, b, 0), Ok(a));
    assert_eq!(packed::psllqh(cx, a, b, 8), Ok(b));
    assert_eq!(packed::psrlql(cx, a, b, 8), Ok(a));
    assert_eq!(packed::psllqh(cx, a, b, 9), Ok(b << 8));
    assert_eq!(packed::psrlql(cx, a, b, 15), Ok(a >> 56));
    for imm in [8u8, 9, 15, 16, 64, 255] {
        assert_eq!(packed::psllql(cx, a, b, imm), Ok(0));
        assert_eq!(packed::psrlqh(cx, a, b, imm), Ok(0));
    }
    for imm in [16u8, 17, 128, 255] {
        assert_eq!(packed::psllqh(cx, a, b, imm), Ok(0));
        assert_eq!(packed::psrlql(cx, a, b, imm), Ok(0));
    }
}

#[test]
fn lane_index_immediates() {
    // pextrh: lane imm of src1:src2 (src2 low), 0 beyond lane 7; pinsh leaves src1
    // unchanged for imm ≥ 4; pshufw/pshufh use two bits per lane.
    let cx = &mut c();
    let (a, b) = (0x4444_3333_2222_1111u64, 0x8888_7777_6666_5555u64);
    for i in 0..4u8 {
        assert_eq!(packed::pextrh(cx, a, b, i), Ok((b >> (16 * i)) & 0xffff));
        assert_eq!(
            packed::pextrh(cx, a, b, i + 4),
            Ok((a >> (16 * i)) & 0xffff)
        );
        let m = 0xffffu64 << (16 * i);
        assert_eq!(
            packed::pinsh(cx, a, b, i),
            Ok((a & !m) | ((b & 0xffff) << (16 * i)))
        );
    }
    for i in [8u8, 9, 15, 16, 255] {
        assert_eq!(packed::pextrh(cx, a, b, i), Ok(0));
        assert_eq!(packed::pinsh(cx, a, b, i), Ok(a));
    }
    assert_eq!(packed::pinsh(cx, a, b, 4), Ok(a));
    assert_eq!(packed::pshufh(cx, a, 0x1b), Ok(0x1111_2222_3333_4444));
    assert_eq!(packed::pshufw(cx, a, b, 0x0e), Ok(a));
    assert_eq!(packed::pshufw(cx, a, b, 0x01), Ok(0x6666_5555_8888_7777));
    assert_eq!(packed::pshufw(cx, a, b, 0x0b), Ok(0x2222_1111_4444_3333));
    // Only the low four immediate bits matter.
    assert_eq!(
        packed::pshufw(cx, a, b, 0xf4),
        packed::pshufw(cx, a, b, 0x04)
    );
}

#[test]
fn pshufb_control_bytes() {
    // §12: c & 0x80 → constant by bits 6:4 (2 → 0x7f, 4 → 0x80, 6 → 0xff, else 0);
    // otherwise byte c & 7 of src1 (c & 8) or src2, then invert (0x10), bit-reverse
    // (0x20), sign-replicate (0x40).
    let cx = &mut c();
    let (a, b) = (0x0f0e_0d0c_0b0a_0908u64, 0x0706_0504_0302_0180u64);
    let ctl = |bytes: [u8; 8]| u64::from_le_bytes(bytes);
    let r = packed::pshufb(
        cx,
        a,
        b,
        ctl([0xa0, 0xc0, 0xe0, 0x80, 0x90, 0xb0, 0xd0, 0xf0]),
    );
    assert_eq!(r, Ok(u64::from_le_bytes([0x7f, 0x80, 0xff, 0, 0, 0, 0, 0])));
    let r = packed::pshufb(cx, a, b, ctl([0, 8, 0x10, 0x20, 0x40, 0x41, 0x18, 0x7f]));
    let want = [0x80, 0x08, 0x7f, 0x01, 0xff, 0x00, 0xf7, 0x00];
    assert_eq!(r, Ok(u64::from_le_bytes(want)));
    // pmerge: per byte src3 < 0 ? src2 : src1.
    assert_eq!(packed::pmerge(cx, 0x1111, 0x2222, 0x0080), Ok(0x1122));
}

#[test]
fn qp_lane_ops_work_per_half() {
    // §12: qp* apply the 64-bit operation to each half unless noted.
    let cx = &mut c();
    let vs = values(12);
    let q = |h: u64, l: u64| ((h as u128) << 64) | l as u128;
    for (i, &a) in vs.iter().enumerate() {
        let (b, a2, b2) = (
            vs[(i + 1) % vs.len()],
            a.rotate_left(13),
            vs[(i + 7) % vs.len()],
        );
        macro_rules! per_half {
            ($qp:expr, $p:expr) => {
                assert_eq!(
                    $qp(cx, q(a2, a), q(b2, b)),
                    Ok(q($p(cx, a2, b2).unwrap(), $p(cx, a, b).unwrap()))
                );
            };
        }
        per_half!(qpint::qpadd::<8>, packed::padd::<8>);
        per_half!(qpint::qpsubus::<16>, packed::psubus::<16>);
        per_half!(qpint::qpadds::<16>, packed::padds::<16>);
        per_half!(qpint::qpmaxs::<32>, packed::pmaxs::<32>);
        per_half!(qpint::qpcmpgt::<64>, packed::pcmpgt::<64>);
        per_half!(qpint::qpmulhrsh, packed::pmulhrsh);
        per_half!(qpint::qpmaddubsh, packed::pmaddubsh);
        per_half!(qpint::qpsign::<8>, packed::psign::<8>);
        per_half!(qpint::qpsadbw, packed::psadbw);
    }
}

#[test]
fn predicate_compares_any_and_all() {
    // §12: pcmp<c><w>op is true if any lane compares true, ...ap if all do.
    let cx = &mut c();
    let a = 0x0102_0304_0506_0708u64;
    assert_eq!(icmp::pcmpop::<0, 8>(cx, a, a ^ 0xff00), Ok(true));
    assert_eq!(icmp::pcmpap::<0, 8>(cx, a, a ^ 0xff00), Ok(false));
    assert_eq!(icmp::pcmpap::<0, 16>(cx, a, a), Ok(true));
    assert_eq!(icmp::pcmpop::<0, 64>(cx, a, !a), Ok(false));
    assert_eq!(icmp::pcmpop::<1, 32>(cx, 1, 0), Ok(true));
    assert_eq!(icmp::pcmpap::<1, 32>(cx, 1, 0), Ok(false));
    assert_eq!(
        icmp::pcmpap::<1, 8>(cx, 0x0101_0101_0101_0101, 0x8080_8080_8080_8080),
        Ok(true)
    );
    let q = |h: u64, l: u64| ((h as u128) << 64) | l as u128;
    assert_eq!(icmp::qpcmpop::<0, 64>(cx, q(1, 2), q(1, 3)), Ok(true));
    assert_eq!(icmp::qpcmpap::<0, 64>(cx, q(1, 2), q(1, 3)), Ok(false));
    assert_eq!(
        icmp::qpcmpap::<1, 16>(cx, q(1 << 48, 0), q(0, u64::MAX)),
        Ok(false)
    );
}
