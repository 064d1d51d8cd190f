//! Property test: a random single-operation wide instruction built from any spec row
//! (random ISA version, channel and registers) assembles, and `decode_bundle` identifies
//! the same operation in that channel with the same operand registers.

use e2k_isa::tables::{Format, Opnd, ALOPS};
use e2kemu::asm::{assemble_snippet, AsmOptions};
use proptest::prelude::*;

/// (version, ALOPS index, channel) of every single-channel row of a testable format.
fn cases() -> Vec<(u8, usize, usize)> {
    use Format::*;
    let mut out = Vec::new();
    for v in 2..=6u8 {
        for (i, d) in ALOPS.iter().enumerate() {
            if d.alias_of.is_some() || !d.in_version(v) || d.args.contains(&Opnd::Q) {
                continue;
            }
            if !matches!(
                d.fmt,
                Alopf1
                    | Alopf11
                    | Alopf1Mas
                    | Alopf11Mas
                    | Alopf3Mas
                    | Alopf13Mas
                    | Alopf2
                    | Alopf12
                    | Alopf7
                    | Alopf17
                    | Alopf8
                    | Alopf21
                    | Merge
                    | Alopf21Merge
                    | Alopf11Merge
            ) {
                continue;
            }
            for ch in 0..6 {
                if d.allows_channel(ch) {
                    out.push((v, i, ch));
                }
            }
        }
    }
    out
}

fn reg(sel: u32) -> (String, u8) {
    let n = sel >> 2;
    match sel & 3 {
        0 | 1 => {
            let i = n % 64;
            (format!("%r{i}"), 0x80 | i as u8)
        }
        2 => {
            let i = n % 128;
            (format!("%b[{i}]"), i as u8)
        }
        _ => {
            let i = n % 32;
            (format!("%g{i}"), 0xe0 | i as u8)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, .. ProptestConfig::default() })]
    #[test]
    fn single_op_roundtrip(pick in any::<prop::sample::Index>(), r in any::<[u32; 5]>()) {
        use Format::*;
        let all = cases();
        let (v, idx, ch) = all[pick.index(all.len())];
        let d = &ALOPS[idx];
        let (s1, b1) = reg(r[0]);
        let (s2, b2) = reg(r[1]);
        let (s3, b3) = reg(r[2]);
        let (sd, bd) = reg(r[3]);
        let p = r[4] % 32;
        let (ops, want_src1, want_src2, want_dst): (String, Option<u8>, Option<u8>, Option<u8>) = match d.fmt {
            Alopf1 | Alopf11 | Alopf1Mas | Alopf11Mas => (format!("{s1}, {s2}, {sd}"), Some(b1), Some(b2), Some(bd)),
            Alopf11Merge | Merge => (format!("{s1}, {s2}, {sd}, %pred{p}"), Some(b1), Some(b2), Some(bd)),
            Alopf3Mas | Alopf13Mas => (format!("{s3}, {s1}, {s2}"), Some(b1), Some(b2), Some(b3)),
            Alopf2 | Alopf12 => (format!("{s2}, {sd}"), None, Some(b2), Some(bd)),
            Alopf7 | Alopf17 => (format!("{s1}, {s2}, %pred{p}"), Some(b1), Some(b2), None),
            Alopf8 => (format!("{s2}, %pred{p}"), None, Some(b2), None),
            Alopf21 => (format!("{s1}, {s2}, {s3}, {sd}"), Some(b1), Some(b2), Some(bd)),
            Alopf21Merge => (format!("{s1}, {s2}, {s3}, {sd}, %pred{p}"), Some(b1), Some(b2), Some(bd)),
            _ => unreachable!(),
        };
        let src = format!("{{\n  {},{ch} {ops}\n}}", d.name);
        let out = assemble_snippet(&src, &AsmOptions::for_version(v), 0, &[]);
        prop_assert!(out.is_ok(), "v{v} {src}: {:?}", out.err());
        let bytes = out.unwrap().bytes;
        let b = e2k_isa::decode_bundle(&bytes, 0, v);
        prop_assert!(b.is_ok(), "v{v} {src}: {:?}", b.err());
        let b = b.unwrap();
        let id = b.op(ch);
        prop_assert!(id.is_some(), "v{v} {src}: no op in ALS{ch}");
        prop_assert_eq!(id.unwrap().def().name, d.name, "v{} {}", v, src);
        let als = b.als(ch).unwrap();
        if let Some(x) = want_src1 {
            prop_assert_eq!(((als >> 16) & 0xff) as u8, x, "src1 of {}", src);
        }
        if let Some(x) = want_src2 {
            prop_assert_eq!(((als >> 8) & 0xff) as u8, x, "src2 of {}", src);
        }
        if let Some(x) = want_dst {
            prop_assert_eq!((als & 0xff) as u8, x, "dst/src3 of {}", src);
        }
        if matches!(d.fmt, Alopf7 | Alopf17 | Alopf8) {
            prop_assert_eq!(als & 0x1f, p, "pdst of {}", src);
        }
    }
}
