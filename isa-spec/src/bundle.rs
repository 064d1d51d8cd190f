//! Bundle (wide instruction) unpacking: splits raw bytes into HS, SS, ALS/ALES, CS0/CS1,
//! AAS, LTS, PLS and CDS, and identifies each ALU operation for the selected ISA version.
//! Never panics: any byte sequence yields a `Bundle` or a located `DecodeError`.

use crate::fields::*;
use crate::optable::{op_key_parts, AlopId, OpTable};
use crate::tables::BitField;
use std::fmt;

/// Names of syllables, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syl {
    Hs,
    Ss,
    Als(u8),
    Ales(u8),
    Cs0,
    Cs1,
    Aas(u8),
    Lts(u8),
    Pls(u8),
    Cds(u8),
    Bundle,
}

impl fmt::Display for Syl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Syl::Hs => write!(f, "HS"),
            Syl::Ss => write!(f, "SS"),
            Syl::Als(n) => write!(f, "ALS{n}"),
            Syl::Ales(n) => write!(f, "ALES{n}"),
            Syl::Cs0 => write!(f, "CS0"),
            Syl::Cs1 => write!(f, "CS1"),
            Syl::Aas(n) => write!(f, "AAS{n}"),
            Syl::Lts(n) => write!(f, "LTS{n}"),
            Syl::Pls(n) => write!(f, "PLS{n}"),
            Syl::Cds(n) => write!(f, "CDS{n}"),
            Syl::Bundle => write!(f, "bundle"),
        }
    }
}

/// Why a bundle could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// Fewer bytes are available than HS.lng says.
    Truncated { need: usize, have: usize },
    /// The middle pointer does not match the syllables HS announces.
    BadMiddle { mid: usize, expected: usize },
    /// Tail syllables (CDS/PLS) overlap the half-syllable area.
    TailOverlap,
    /// The bundle address is not 8-byte aligned.
    Misaligned,
    /// No operation of this ISA version matches the ALS/ALES.
    UnknownOp { opc: u8, table: u8 },
    /// More than one operation matches (spec ambiguity).
    Ambiguous { opc: u8 },
    /// The operation exists but not in this channel.
    BadChannel { name: &'static str },
    /// The operation does not exist in the selected ISA version.
    NotInVersion { name: &'static str, version: u8 },
    /// An ALES2/ALES5 value other than the default on v1..v3 (cannot be stored).
    Other(&'static str),
}

/// A decode error: where (bundle address, syllable) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub pc: u64,
    pub syllable: Syl,
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad bundle at {:#x}, {}: ", self.pc, self.syllable)?;
        match &self.kind {
            DecodeErrorKind::Truncated { need, have } => {
                write!(f, "bundle needs {need} bytes, only {have} available")
            }
            DecodeErrorKind::BadMiddle { mid, expected } => write!(
                f,
                "middle pointer gives offset {mid}, syllables before it end at {expected}"
            ),
            DecodeErrorKind::TailOverlap => {
                write!(f, "PLS/CDS syllables overlap the half-syllable area")
            }
            DecodeErrorKind::Misaligned => write!(f, "bundle address not 8-byte aligned"),
            DecodeErrorKind::UnknownOp { opc, table } => {
                if *table == 0 {
                    write!(f, "unknown operation (opc {opc:#04x}, short encoding)")
                } else {
                    write!(
                        f,
                        "unknown operation (opc {opc:#04x}, ALES table {table:#04x})"
                    )
                }
            }
            DecodeErrorKind::Ambiguous { opc } => {
                write!(f, "ambiguous operation (opc {opc:#04x})")
            }
            DecodeErrorKind::BadChannel { name } => {
                write!(f, "operation `{name}` is not allowed in this channel")
            }
            DecodeErrorKind::NotInVersion { name, version } => {
                write!(f, "operation `{name}` does not exist in elbrus-v{version}")
            }
            DecodeErrorKind::Other(s) => write!(f, "{s}"),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Default ALES value: opc2 EXT, opce NONE.
pub const ALES_DEFAULT: u16 = 0x01c0;

/// MAS field of each channel in a CS1 MAS syllable (channels 1 and 4 have none).
const MAS_FIELDS: [BitField; 6] = [
    CS1_MAS0,
    BitField { lsb: 0, width: 0 },
    CS1_MAS2,
    CS1_MAS3,
    BitField { lsb: 0, width: 0 },
    CS1_MAS5,
];

/// An unpacked bundle, read through accessors that return `None` for absent syllables.
/// Which syllables are present is a handful of bits: HS itself says which of SS, ALS,
/// ALES, CS0, CS1, CDS and PLS there are; the rest are small masks and counts. Nothing
/// needs clearing between decodes (arrays of absent syllables keep stale values that
/// no accessor returns). Tail syllables (CDS, PLS, LTS) are read from the raw words at
/// the positions the decoder validated.
#[derive(Clone)]
pub struct Bundle {
    pub addr: u64,
    /// Length in bytes (8..=64).
    pub len: u8,
    pub hs: u32,
    als: [u32; 6],
    ales: [u16; 6],
    cs0: u32,
    cs1: u32,
    aas: [u16; 6],
    /// Bit n: AAS`n` present.
    aas_mask: u8,
    /// Words between the half-syllable area and PLS/CDS: the LTS (up to four, LTS0
    /// just before the PLS) and any words past them.
    lit_words: u8,
    /// True when ALES2/ALES5 was physically stored in the ALES2/5 word.
    ales25_stored: bool,
    /// Bit n: `ops[n]` identified.
    ops_mask: u8,
    ops: [AlopId; 6],
    /// Raw words of the bundle (first `len / 4` are valid; see `words()`).
    raw: [u32; 16],
}

/// `Some(v)` when bit `b` of `mask` is set.
#[inline(always)]
fn when<T>(mask: u32, b: usize, v: T) -> Option<T> {
    if b < 32 && mask >> b & 1 != 0 {
        Some(v)
    } else {
        None
    }
}

impl Bundle {
    /// A bundle with no syllables (the starting point of every decode).
    pub const EMPTY: Bundle = Bundle {
        addr: 0,
        len: 0,
        hs: 0,
        als: [0; 6],
        ales: [0; 6],
        cs0: 0,
        cs1: 0,
        aas: [0; 6],
        aas_mask: 0,
        lit_words: 0,
        ales25_stored: false,
        ops_mask: 0,
        ops: [AlopId(0); 6],
        raw: [0; 16],
    };

    /// The bundle's 32-bit words in memory order.
    pub fn words(&self) -> &[u32] {
        &self.raw[..(self.len as usize / 4).min(16)]
    }

    /// Word `i` from the end of the bundle (0: the last word).
    #[inline]
    fn word_from_end(&self, i: usize) -> Option<u32> {
        let n = self.words().len();
        self.raw.get(n.checked_sub(i + 1)?).copied()
    }

    /// SS, when present.
    #[inline]
    pub fn ss(&self) -> Option<u32> {
        when(self.hs, HS_S.lsb as usize, self.raw[1])
    }

    /// ALS of channel `ch` (0..6), when present.
    #[inline]
    pub fn als(&self, ch: usize) -> Option<u32> {
        when(self.hs, HS_AL.lsb as usize + ch, *self.als.get(ch)?)
    }

    /// ALES of channel `ch` when HS marks it used (ALES2/5 default when not stored).
    #[inline]
    pub fn ales(&self, ch: usize) -> Option<u16> {
        when(self.hs, HS_ALE.lsb as usize + ch, *self.ales.get(ch)?)
    }

    /// True when ALES2/ALES5 was physically stored in the ALES2/5 word.
    #[inline]
    pub fn ales25_stored(&self) -> bool {
        self.ales25_stored
    }

    /// CS0, when present.
    #[inline]
    pub fn cs0(&self) -> Option<u32> {
        when(self.hs, HS_C.lsb as usize, self.cs0)
    }

    /// CS1, when present.
    #[inline]
    pub fn cs1(&self) -> Option<u32> {
        when(self.hs, HS_C.lsb as usize + 1, self.cs1)
    }

    /// AAS0..AAS5 (AAS0/1 = mova destinations, AAS2..5 = mova channel 0..3 ops).
    #[inline]
    pub fn aas(&self, i: usize) -> Option<u16> {
        when(self.aas_mask as u32, i, *self.aas.get(i)?)
    }

    /// Literal syllable LTS`i` (0..4; present by position).
    #[inline]
    pub fn lts(&self, i: usize) -> Option<u32> {
        if i < (self.lit_words as usize).min(4) {
            let hs = self.hs;
            self.word_from_end(HS_CD.get(hs) as usize + HS_PL.get(hs) as usize + i)
        } else {
            None
        }
    }

    /// PLS`i` (0..3), when present.
    #[inline]
    pub fn pls(&self, i: usize) -> Option<u32> {
        if i < HS_PL.get(self.hs) as usize {
            self.word_from_end(HS_CD.get(self.hs) as usize + i)
        } else {
            None
        }
    }

    /// CDS`i` (0..3), when present.
    #[inline]
    pub fn cds(&self, i: usize) -> Option<u32> {
        if i < HS_CD.get(self.hs) as usize {
            self.word_from_end(i)
        } else {
            None
        }
    }

    /// The present CDS words, CDS0 first.
    pub fn cds_words(&self) -> impl Iterator<Item = u32> + '_ {
        (0..3).filter_map(|i| self.cds(i))
    }

    /// Identified operation of the ALS of channel `ch`, if any.
    #[inline]
    pub fn op(&self, ch: usize) -> Option<AlopId> {
        when(self.ops_mask as u32, ch, *self.ops.get(ch)?)
    }

    /// The identified operations in channel order.
    pub fn ops(&self) -> impl Iterator<Item = AlopId> + '_ {
        (0..6).filter_map(|ch| self.op(ch))
    }

    /// Sets (or clears) the identified operation of channel `ch` (0..6).
    pub fn set_op(&mut self, ch: usize, op: Option<AlopId>) {
        if ch >= 6 {
            return;
        }
        match op {
            Some(id) => {
                self.ops[ch] = id;
                self.ops_mask |= 1 << ch;
            }
            None => self.ops_mask &= !(1 << ch),
        }
    }

    /// Words between the half-syllable area and the literals that no LTS names.
    #[inline]
    pub fn gap_words(&self) -> u8 {
        self.lit_words.saturating_sub(4)
    }

    /// MAS of channel `ch` from a CS1 MAS syllable (0 when absent).
    #[inline]
    pub fn mas(&self, ch: usize) -> u8 {
        match (self.cs1(), MAS_FIELDS.get(ch)) {
            (Some(cs1), Some(f)) if CS1_OPC.get(cs1) == 6 => f.get(cs1) as u8,
            _ => 0,
        }
    }
}

impl Default for Bundle {
    fn default() -> Bundle {
        Bundle::EMPTY
    }
}

impl PartialEq for Bundle {
    /// Equal when the same syllables are present with the same values.
    fn eq(&self, o: &Bundle) -> bool {
        let all = |f: &dyn Fn(&Bundle, usize) -> Option<u32>| (0..6).all(|i| f(self, i) == f(o, i));
        self.addr == o.addr
            && self.len == o.len
            && self.hs == o.hs
            && self.words() == o.words()
            && self.ales25_stored == o.ales25_stored
            && self.lit_words == o.lit_words
            && self.cs0() == o.cs0()
            && self.cs1() == o.cs1()
            && all(&|b, i| b.als(i))
            && all(&|b, i| b.ales(i).map(u32::from))
            && all(&|b, i| b.aas(i).map(u32::from))
            && all(&|b, i| b.lts(i))
            && all(&|b, i| b.op(i).map(|o| o.0 as u32))
    }
}

impl Eq for Bundle {}

impl fmt::Debug for Bundle {
    /// The present syllables only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list<T>(n: usize, g: impl Fn(usize) -> Option<T>) -> Vec<Option<T>> {
            (0..n).map(g).collect()
        }
        f.debug_struct("Bundle")
            .field("addr", &self.addr)
            .field("len", &self.len)
            .field("hs", &self.hs)
            .field("ss", &self.ss())
            .field("als", &list(6, |i| self.als(i)))
            .field("ales", &list(6, |i| self.ales(i)))
            .field("ales25_stored", &self.ales25_stored)
            .field("cs0", &self.cs0())
            .field("cs1", &self.cs1())
            .field("aas", &list(6, |i| self.aas(i)))
            .field("lts", &list(4, |i| self.lts(i)))
            .field("pls", &list(3, |i| self.pls(i)))
            .field("cds", &list(3, |i| self.cds(i)))
            .field("ops", &list(6, |i| self.op(i)))
            .field("words", &self.words())
            .field("gap_words", &self.gap_words())
            .finish()
    }
}

fn word(bytes: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([bytes[off], bytes[off + 1], bytes[off + 2], bytes[off + 3]])
}

/// Word `i` of `raw`; every caller's index is below 16 by construction, and the mask
/// lets the compiler drop the bounds check.
#[inline(always)]
fn at(raw: &[u32; 16], i: usize) -> u32 {
    raw[i & 15]
}

/// Length in bytes of the bundle whose first bytes are `bytes` (from HS.lng), if readable.
pub fn bundle_len(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 4 {
        return None;
    }
    Some((HS_LNG.get(word(bytes, 0)) as usize + 1) * 8)
}

/// Unpacks the syllables of one bundle without identifying operations.
pub fn unpack_bundle(bytes: &[u8], addr: u64) -> Result<Bundle, DecodeError> {
    let mut b = Bundle::default();
    unpack_into(bytes, addr, &mut b)?;
    Ok(b)
}

/// The error for a half-syllable area (ALES0,1,3,4 then AAS, two per word from word `mid`)
/// that runs past the bundle's `nwords` words: names the first half-syllable cut off.
#[cold]
#[inline(never)]
fn halves_truncated(
    b: &mut Bundle,
    addr: u64,
    ales: u32,
    aas: u32,
    mid: usize,
    nwords: usize,
) -> DecodeError {
    let k = 2 * (nwords - mid); // first half-syllable with no word
    let nales = ales.count_ones() as usize;
    let nth_bit = |mut m: u32, n: usize| {
        for _ in 0..n {
            m &= m - 1;
        }
        m.trailing_zeros() as u8
    };
    let syllable = if k < nales {
        Syl::Ales(nth_bit(ales, k))
    } else {
        Syl::Aas(nth_bit(aas, k - nales))
    };
    let kind = DecodeErrorKind::Truncated {
        need: (mid + k / 2 + 1) * 4,
        have: nwords * 4,
    };
    fail(b, addr, syllable, kind)
}

/// Identification of channel `ch`'s operation beyond the direct lookup: further
/// candidates, or the error.
#[cold]
#[inline(never)]
fn identify_slow(
    table: &OpTable,
    b: &mut Bundle,
    pc: u64,
    k: u64,
    t: u32,
    ch: usize,
) -> Result<AlopId, DecodeError> {
    table
        .identify_key(k, t, ch)
        .map_err(|kind| fail(b, pc, Syl::Als(ch as u8), kind))
}

/// A decode error; leaves `b` empty.
#[cold]
#[inline(never)]
fn fail(b: &mut Bundle, pc: u64, syllable: Syl, kind: DecodeErrorKind) -> DecodeError {
    *b = Bundle::EMPTY;
    DecodeError { pc, syllable, kind }
}

/// Number of set bits of a 6-bit mask (a table: the baseline x86-64 target has no popcnt).
const POPCOUNT6: [u8; 64] = {
    let mut t = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        t[i] = (i as u32).count_ones() as u8;
        i += 1;
    }
    t
};

#[inline(always)]
fn popcount6(m: u32) -> usize {
    POPCOUNT6[(m & 63) as usize] as usize
}

/// Unpacks into `out`; on error `out` is left empty.
#[inline]
pub fn unpack_into(bytes: &[u8], addr: u64, out: &mut Bundle) -> Result<(), DecodeError> {
    unpack::<true>(bytes, addr, out)
}

/// The unpacker shared by [`unpack_into`] and [`decode_into`] (inlined into both);
/// `ALS` false leaves copying the ALS words to the caller (decode_into does it while
/// identifying them).
#[inline(always)]
fn unpack<const ALS: bool>(bytes: &[u8], addr: u64, b: &mut Bundle) -> Result<(), DecodeError> {
    if addr & 7 != 0 {
        return Err(fail(b, addr, Syl::Bundle, DecodeErrorKind::Misaligned));
    }
    let Some(head) = bytes.first_chunk::<4>() else {
        let have = bytes.len();
        return Err(fail(
            b,
            addr,
            Syl::Hs,
            DecodeErrorKind::Truncated { need: 8, have },
        ));
    };
    let hs = u32::from_le_bytes(*head);
    let len = (HS_LNG.get(hs) as usize + 1) * 8;
    if bytes.len() < len {
        let have = bytes.len();
        let need = if have < 8 { 8 } else { len };
        return Err(fail(
            b,
            addr,
            Syl::Hs,
            DecodeErrorKind::Truncated { need, have },
        ));
    }
    let nwords = len / 4;
    if let Some(all) = bytes.first_chunk::<64>() {
        // Whole-array copy (words past `nwords` are never read).
        for (w, c) in b.raw.iter_mut().zip(all.chunks_exact(4)) {
            *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
    } else {
        for (w, c) in b.raw.iter_mut().zip(bytes[..len].chunks_exact(4)) {
            *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
    }
    let raw = &b.raw;
    let has_ss = HS_S.get(hs) as usize;
    let al = HS_AL.get(hs);
    let ale = HS_ALE.get(hs);
    let c = HS_C.get(hs) as usize;
    // words before the middle: HS, SS, ALS*, CS0, [ALES2/5], CS1
    let first = 1 + has_ss + popcount6(al) + (c & 1) + (c >> 1);
    let mid = HS_MDL.get(hs) as usize + 1; // in words
    let ales25_present = mid == first + 1;
    if (mid != first && !ales25_present) || mid > nwords {
        let kind = DecodeErrorKind::BadMiddle {
            mid: mid * 4,
            expected: first * 4,
        };
        return Err(fail(b, addr, Syl::Hs, kind));
    }
    // Absent syllables are stored too (never read, and cheaper than a test).
    let mut p = 1 + has_ss; // word index
    if ALS {
        let mut bits = al;
        while bits != 0 {
            let n = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            b.als[n] = at(raw, p);
            p += 1;
        }
    } else {
        p += popcount6(al);
    }
    b.cs0 = at(raw, p);
    p += c & 1;
    let w = at(raw, p);
    let (ales2, ales5) = if ales25_present {
        p += 1;
        ((w >> 16) as u16, w as u16)
    } else {
        (ALES_DEFAULT, ALES_DEFAULT)
    };
    b.ales25_stored = ales25_present;
    b.cs1 = at(raw, p);
    // Half-syllables from word `mid`, two per word: ALES0,1,3,4 then AAS.
    let half_ales = ale & 0b011011;
    let mut aas = 0;
    if has_ss != 0 {
        let ss = raw[1];
        let aa = SS_AA.get(ss);
        if SS_TYPE.get(ss) == 0 {
            // AAS0/1 (destination pairs) go with channels 0-1 / 2-3, AAS2..5 with 0..3.
            aas = aa << 2 | (aa & 3 != 0) as u32 | ((aa & 0xc != 0) as u32) << 1;
        }
    }
    let halves = popcount6(half_ales) + popcount6(aas);
    let gap = mid + halves.div_ceil(2); // first word after the halves
    if gap > nwords {
        return Err(halves_truncated(b, addr, half_ales, aas, mid, nwords));
    }
    let half = |k: usize| -> u16 {
        let v = at(raw, mid + k / 2);
        (v >> (16 - 16 * (k & 1))) as u16
    };
    let mut k = 0;
    let mut bits = half_ales;
    while bits != 0 {
        let n = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        b.ales[n] = half(k);
        k += 1;
    }
    b.ales[2] = ales2;
    b.ales[5] = ales5;
    let mut bits = aas;
    while bits != 0 {
        let n = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        b.aas[n] = half(k);
        k += 1;
    }
    b.aas_mask = aas as u8;
    // Tail, from the last word down: CDS0.., PLS0.., then up to four LTS.
    let avail = nwords - gap;
    let cd = HS_CD.get(hs) as usize;
    let pl = HS_PL.get(hs) as usize;
    if cd + pl > avail {
        let s = if cd > avail {
            Syl::Cds(avail as u8)
        } else {
            Syl::Pls((avail - cd) as u8)
        };
        return Err(fail(b, addr, s, DecodeErrorKind::TailOverlap));
    }
    b.lit_words = (avail - cd - pl) as u8;
    b.ops_mask = 0;
    b.addr = addr;
    b.len = len as u8;
    b.hs = hs;
    Ok(())
}

/// Decodes one bundle at `addr` for ISA version `version`: unpacks it and identifies the
/// operation of every ALS. `bytes` may extend past the bundle.
pub fn decode_bundle(bytes: &[u8], addr: u64, version: u8) -> Result<Bundle, DecodeError> {
    let mut b = Bundle::default();
    decode_into(bytes, addr, version, &mut b)?;
    Ok(b)
}

/// Like [`decode_bundle`], decoding into `b` (reusable, no copies of the result); on
/// error `b` is left empty.
pub fn decode_into(
    bytes: &[u8],
    addr: u64,
    version: u8,
    b: &mut Bundle,
) -> Result<(), DecodeError> {
    unpack::<false>(bytes, addr, b)?;
    let table = OpTable::get(version);
    let hs = b.hs;
    let al = HS_AL.get(hs);
    let ale = HS_ALE.get(hs);
    // The MAS syllable, or 0 (every channel's MAS is then 0).
    let mas_word = match b.cs1() {
        Some(cs1) if CS1_OPC.get(cs1) == 6 => cs1,
        _ => 0,
    };
    let mut p = 1 + HS_S.get(hs) as usize; // word of the first ALS
    let mut bits = al;
    while bits != 0 {
        let ch = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let als = at(&b.raw, p);
        p += 1;
        b.als[ch] = als;
        let mas = if mas_word != 0 {
            MAS_FIELDS[ch].get(mas_word) as u8
        } else {
            0
        };
        // op_key(als, ales(ch), mas) without a branch on the ALES's presence
        let present = ale >> ch & 1;
        let ales = b.ales[ch] as u32 & present.wrapping_neg();
        let (k, t) = op_key_parts(als, ales, present, mas);
        b.ops[ch] = match table.lookup(k, t, ch) {
            Some(id) => id,
            None => identify_slow(table, b, addr, k, t, ch)?,
        };
    }
    b.ops_mask = al as u8;
    Ok(())
}
