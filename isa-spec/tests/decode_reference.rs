//! The fast decoder (presence-mask `Bundle`, two-level operation index) against a plain
//! reference model: a straightforward unpacker with one `Option` per syllable and an
//! identifier that scans the spec's op list. Both must give the same bundle or the same
//! `DecodeError` on the golden corpus, on mutated golden bundles and on random bytes,
//! and `OpTable::identify` must agree with the reference on random ALS/ALES/MAS keys.

use e2k_isa::bundle::{
    decode_bundle, decode_into, unpack_bundle, DecodeError, DecodeErrorKind, Syl,
};
use e2k_isa::disasm::decode_lenient;
use e2k_isa::fields::*;
use e2k_isa::optable::discriminates;
use e2k_isa::{AlopDef, AlopId, Bundle, Format, OpTable, ALOPS};
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A bundle as the reference model unpacks it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct RefBundle {
    len: u8,
    hs: u32,
    ss: Option<u32>,
    als: [Option<u32>; 6],
    ales: [Option<u16>; 6],
    ales25_stored: bool,
    cs0: Option<u32>,
    cs1: Option<u32>,
    aas: [Option<u16>; 6],
    lts: [Option<u32>; 4],
    pls: [Option<u32>; 3],
    cds: [Option<u32>; 3],
    ops: [Option<AlopId>; 6],
    words: Vec<u32>,
    gap_words: u8,
}

/// The fast decoder's bundle in the reference model's shape.
fn view(b: &Bundle) -> RefBundle {
    RefBundle {
        len: b.len,
        hs: b.hs,
        ss: b.ss(),
        als: std::array::from_fn(|i| b.als(i)),
        ales: std::array::from_fn(|i| b.ales(i)),
        ales25_stored: b.ales25_stored(),
        cs0: b.cs0(),
        cs1: b.cs1(),
        aas: std::array::from_fn(|i| b.aas(i)),
        lts: std::array::from_fn(|i| b.lts(i)),
        pls: std::array::from_fn(|i| b.pls(i)),
        cds: std::array::from_fn(|i| b.cds(i)),
        ops: std::array::from_fn(|i| b.op(i)),
        words: b.words().to_vec(),
        gap_words: b.gap_words(),
    }
}

fn word(bytes: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([bytes[off], bytes[off + 1], bytes[off + 2], bytes[off + 3]])
}

/// Reference unpacker: every syllable in the order the format lays them out.
fn ref_unpack(bytes: &[u8], addr: u64) -> Result<RefBundle, DecodeError> {
    let err = |syllable, kind| DecodeError {
        pc: addr,
        syllable,
        kind,
    };
    if addr & 7 != 0 {
        return Err(err(Syl::Bundle, DecodeErrorKind::Misaligned));
    }
    if bytes.len() < 8 {
        let have = bytes.len();
        return Err(err(Syl::Hs, DecodeErrorKind::Truncated { need: 8, have }));
    }
    let hs = word(bytes, 0);
    let len = (HS_LNG.get(hs) as usize + 1) * 8;
    if bytes.len() < len {
        let have = bytes.len();
        return Err(err(Syl::Hs, DecodeErrorKind::Truncated { need: len, have }));
    }
    let words: Vec<u32> = (0..len / 4).map(|i| word(bytes, 4 * i)).collect();
    let mut b = RefBundle {
        len: len as u8,
        hs,
        words: words.clone(),
        ..Default::default()
    };
    let nwords = words.len();
    let has_ss = HS_S.get(hs) != 0;
    let al = HS_AL.get(hs);
    let ale = HS_ALE.get(hs);
    let c = HS_C.get(hs);
    let first =
        1 + has_ss as usize + al.count_ones() as usize + (c & 1) as usize + (c >> 1) as usize;
    let mid = HS_MDL.get(hs) as usize + 1;
    let ales25_present = mid == first + 1;
    if (mid != first && !ales25_present) || mid > nwords {
        let kind = DecodeErrorKind::BadMiddle {
            mid: mid * 4,
            expected: first * 4,
        };
        return Err(err(Syl::Hs, kind));
    }
    let mut p = 1;
    if has_ss {
        b.ss = Some(words[p]);
        p += 1;
    }
    for n in 0..6 {
        if al & (1 << n) != 0 {
            b.als[n] = Some(words[p]);
            p += 1;
        }
    }
    if c & 1 != 0 {
        b.cs0 = Some(words[p]);
        p += 1;
    }
    let mut ales25 = (0x01c0, 0x01c0);
    if ales25_present {
        ales25 = ((words[p] >> 16) as u16, words[p] as u16);
        b.ales25_stored = true;
        p += 1;
    }
    if c & 2 != 0 {
        b.cs1 = Some(words[p]);
    }
    let mut halves = 0usize;
    let half = |k: usize| -> Option<u16> {
        let v = *words.get(mid + k / 2)?;
        Some(if k.is_multiple_of(2) {
            (v >> 16) as u16
        } else {
            v as u16
        })
    };
    for n in [0, 1, 3, 4] {
        if ale & (1 << n) != 0 {
            let need = (mid + halves / 2 + 1) * 4;
            let kind = DecodeErrorKind::Truncated { need, have: len };
            b.ales[n] = Some(half(halves).ok_or_else(|| err(Syl::Ales(n as u8), kind))?);
            halves += 1;
        }
    }
    if ale & (1 << 2) != 0 {
        b.ales[2] = Some(ales25.0);
    }
    if ale & (1 << 5) != 0 {
        b.ales[5] = Some(ales25.1);
    }
    if let Some(ss) = b.ss {
        let aa = SS_AA.get(ss);
        if aa != 0 && SS_TYPE.get(ss) == 0 {
            let mut present = [false; 6];
            for i in 0..4 {
                if aa & (1 << i) != 0 {
                    present[i >> 1] = true;
                    present[i + 2] = true;
                }
            }
            for (j, &pr) in present.iter().enumerate() {
                if pr {
                    let need = (mid + halves / 2 + 1) * 4;
                    let kind = DecodeErrorKind::Truncated { need, have: len };
                    b.aas[j] = Some(half(halves).ok_or_else(|| err(Syl::Aas(j as u8), kind))?);
                    halves += 1;
                }
            }
        }
    }
    let gap = mid + halves.div_ceil(2);
    let mut q = nwords as isize - 1;
    for i in 0..HS_CD.get(hs) as usize {
        if q < gap as isize {
            return Err(err(Syl::Cds(i as u8), DecodeErrorKind::TailOverlap));
        }
        b.cds[i] = Some(words[q as usize]);
        q -= 1;
    }
    for i in 0..HS_PL.get(hs) as usize {
        if q < gap as isize {
            return Err(err(Syl::Pls(i as u8), DecodeErrorKind::TailOverlap));
        }
        b.pls[i] = Some(words[q as usize]);
        q -= 1;
    }
    let mut i = 0;
    while i < 4 && q >= gap as isize {
        b.lts[i] = Some(words[q as usize]);
        q -= 1;
        i += 1;
    }
    b.gap_words = (q + 1 - gap as isize).max(0) as u8;
    Ok(b)
}

fn ref_mas(b: &RefBundle, ch: usize) -> u8 {
    match b.cs1 {
        Some(cs1) if CS1_OPC.get(cs1) == 6 => match ch {
            0 => CS1_MAS0.get(cs1) as u8,
            2 => CS1_MAS2.get(cs1) as u8,
            3 => CS1_MAS3.get(cs1) as u8,
            5 => CS1_MAS5.get(cs1) as u8,
            _ => 0,
        },
        _ => 0,
    }
}

fn table_of(d: &AlopDef) -> u8 {
    if d.fmt.is_long() {
        d.opc2.unwrap_or(1)
    } else {
        0
    }
}

fn is_aau_move(d: &AlopDef) -> bool {
    matches!(d.fmt, Format::Aaurr | Format::Aaurw)
}

fn is_aau_access(d: &AlopDef) -> bool {
    matches!(d.fmt, Format::Alopf10Mas | Format::Alopf19Mas)
}

/// The templates of each ALS opcode, in spec order (only to keep the scans short).
fn with_opc(opc: u8) -> &'static [&'static AlopDef] {
    static BY_OPC: OnceLock<Vec<Vec<&'static AlopDef>>> = OnceLock::new();
    let t = BY_OPC.get_or_init(|| {
        let mut t = vec![Vec::new(); 128];
        for d in ALOPS.iter() {
            t[d.opc as usize & 0x7f].push(d);
        }
        t
    });
    &t[opc as usize & 0x7f]
}

/// Reference identifier: scans every template of the version in spec order.
fn ref_identify(
    v: u8,
    als: u32,
    ales: Option<u16>,
    ch: usize,
    mas: u8,
) -> Result<AlopId, DecodeErrorKind> {
    let v = v.clamp(1, 7);
    let opc = ((als >> 24) & 0x7f) as u8;
    let table = ales.map_or(0, |a| (a >> 8) as u8);
    let mut found: Option<&AlopDef> = None;
    for &d in with_opc(opc) {
        let cand = d.in_version(v)
            && d.alias_of.is_none()
            && d.opc == opc
            && table_of(d) == table
            && d.allows_channel(ch);
        if !cand || !discriminates(d, als, ales, mas) {
            continue;
        }
        match found {
            None => found = Some(d),
            Some(f) if f.name == d.name => {}
            Some(f) if is_aau_move(d) && is_aau_access(f) => found = Some(d),
            Some(f) if is_aau_access(d) && is_aau_move(f) => {}
            Some(_) => return Err(DecodeErrorKind::Ambiguous { opc }),
        }
    }
    if let Some(f) = found {
        return Ok(AlopId(f.id));
    }
    let matching = |d: &&AlopDef| {
        d.alias_of.is_none()
            && d.opc == opc
            && table_of(d) == table
            && discriminates(d, als, ales, mas)
    };
    if let Some(d) = with_opc(opc)
        .iter()
        .copied()
        .filter(matching)
        .find(|d| d.allows_channel(ch) && !d.in_version(v))
    {
        return Err(DecodeErrorKind::NotInVersion {
            name: d.name,
            version: v,
        });
    }
    if let Some(d) = with_opc(opc)
        .iter()
        .copied()
        .filter(matching)
        .find(|d| d.in_version(v))
    {
        return Err(DecodeErrorKind::BadChannel { name: d.name });
    }
    Err(DecodeErrorKind::UnknownOp { opc, table })
}

fn ref_decode(bytes: &[u8], addr: u64, v: u8) -> Result<RefBundle, DecodeError> {
    let mut b = ref_unpack(bytes, addr)?;
    for ch in 0..6 {
        if let Some(als) = b.als[ch] {
            let id = ref_identify(v, als, b.ales[ch], ch, ref_mas(&b, ch)).map_err(|kind| {
                DecodeError {
                    pc: addr,
                    syllable: Syl::Als(ch as u8),
                    kind,
                }
            })?;
            b.ops[ch] = Some(id);
        }
    }
    Ok(b)
}

fn ref_lenient(bytes: &[u8], addr: u64, v: u8) -> Result<RefBundle, DecodeError> {
    let mut b = ref_unpack(bytes, addr)?;
    for ch in 0..6 {
        if let Some(als) = b.als[ch] {
            b.ops[ch] = ref_identify(v, als, b.ales[ch], ch, ref_mas(&b, ch)).ok();
        }
    }
    Ok(b)
}

thread_local! {
    /// A bundle every check decodes into again, holding whatever the previous one left.
    static REUSED: RefCell<Bundle> = RefCell::new(Bundle::default());
}

/// Same result from the fast decoder and the reference for these bytes, every version;
/// decoding into a used bundle gives the same as into a fresh one (or, on error, an
/// empty bundle).
fn same(bytes: &[u8], addr: u64) {
    let unpacked = unpack_bundle(bytes, addr).map(|b| view(&b));
    assert_eq!(
        unpacked,
        ref_unpack(bytes, addr),
        "unpack {bytes:02x?} at {addr:#x}"
    );
    if unpacked.is_err() {
        return;
    }
    for v in 1..=7 {
        let fast = decode_bundle(bytes, addr, v).map(|b| view(&b));
        assert_eq!(fast, ref_decode(bytes, addr, v), "v{v}: {bytes:02x?}");
        REUSED.with_borrow_mut(|b| {
            let again = decode_into(bytes, addr, v, b).map(|()| view(b));
            assert_eq!(again, fast, "reused v{v}: {bytes:02x?}");
            if again.is_err() {
                assert_eq!(*b, Bundle::EMPTY);
            }
        });
        let fast = decode_lenient(bytes, addr, v).map(|b| view(&b));
        assert_eq!(
            fast,
            ref_lenient(bytes, addr, v),
            "lenient v{v}: {bytes:02x?}"
        );
    }
}

/// xorshift64: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn golden() -> Vec<(Vec<u8>, u64)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/isa/golden");
    let mut out = Vec::new();
    for v in 2..=6 {
        let path = dir.join(format!("v{v}.jsonl"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("golden data missing: {}: {e}", path.display()));
        for line in text.lines() {
            let j: serde_json::Value = serde_json::from_str(line).unwrap();
            let (Some(h), Some(addr)) = (j["hex"].as_str(), j["addr"].as_u64()) else {
                continue;
            };
            let bytes = (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            out.push((bytes, addr));
        }
    }
    assert!(out.len() > 10_000, "too few golden bundles");
    out
}

#[test]
fn golden_bundles_match_reference() {
    for (bytes, addr) in golden() {
        same(&bytes, addr);
        // followed by other bytes, as in a text section
        let mut longer = bytes.clone();
        longer.extend_from_slice(&[0xa5; 64]);
        same(&longer, addr);
    }
}

#[test]
fn mutated_bundles_match_reference() {
    let corpus = golden();
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..60_000 {
        let (bytes, addr) = &corpus[r.below(corpus.len() as u64) as usize];
        let mut b = bytes.clone();
        for _ in 0..1 + r.below(3) {
            let i = r.below(b.len() as u64) as usize;
            b[i] ^= 1 << r.below(8);
        }
        match r.below(4) {
            0 => b.truncate(r.below(b.len() as u64 + 1) as usize),
            1 => b.extend((0..r.below(64)).map(|_| r.next() as u8)),
            _ => {}
        }
        let addr = if r.below(16) == 0 {
            addr | r.below(8)
        } else {
            *addr
        };
        same(&b, addr);
    }
}

#[test]
fn random_bytes_match_reference() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..60_000 {
        let n = r.below(72) as usize;
        let mut b: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
        if n >= 4 && r.below(2) == 0 {
            // a header whose middle pointer is consistent, so that decoding gets further
            let mut hs = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let c = HS_C.get(hs);
            let first = 1
                + HS_S.get(hs)
                + HS_AL.get(hs).count_ones()
                + (c & 1)
                + (c >> 1)
                + (r.below(4) == 0) as u32;
            hs = HS_MDL.set(hs, first - 1);
            if r.below(2) == 0 {
                hs = HS_CD.set(HS_PL.set(hs, 0), 0);
            }
            b[..4].copy_from_slice(&hs.to_le_bytes());
        }
        same(&b, (r.below(64)) << 3);
    }
}

#[test]
fn identify_matches_reference() {
    let mut r = Rng(0xdead_beef_cafe_f00d);
    for v in 1..=7u8 {
        let t = OpTable::get(v);
        for _ in 0..60_000 {
            // a real template's encoding with random operands, or random bits
            let d = &ALOPS[r.below(ALOPS.len() as u64) as usize];
            let mut als = r.next() as u32;
            if r.below(4) != 0 {
                als = als & !0x7f00_0000 | (d.opc as u32) << 24;
                if let (Some(o), true) = (d.opce, r.below(2) == 0) {
                    als = als & !0x00ff_0000 | (o as u32) << 16;
                }
                match r.below(4) {
                    0 => als = als & !0x00ff_0000 | 0x00c0_0000,
                    1 => als = als & !0x0000_ff00 | 0x0000_c000,
                    2 => als = als & !0xe0 | (d.cmp.unwrap_or(0) as u32) << 5,
                    _ => {}
                }
            }
            let ales = match r.below(4) {
                0 => None,
                1 => Some(r.next() as u16),
                _ => {
                    let hi = if r.below(8) == 0 {
                        r.below(40) as u16
                    } else {
                        table_of(d) as u16
                    };
                    let lo = d
                        .ales_opce
                        .filter(|_| r.below(4) != 0)
                        .unwrap_or(r.next() as u8);
                    Some(hi << 8 | lo as u16)
                }
            };
            let nch = if r.below(16) == 0 { 9 } else { 6 };
            let ch = r.below(nch) as usize;
            let mas = match r.below(4) {
                0 => 0x3f,
                1 => r.next() as u8,
                _ => 0,
            };
            assert_eq!(
                t.identify(als, ales, ch, mas),
                ref_identify(v, als, ales, ch, mas),
                "v{v} als={als:#010x} ales={ales:04x?} ch={ch} mas={mas:#x}"
            );
        }
    }
}
