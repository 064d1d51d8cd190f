//! Bundle (wide instruction) unpacking: splits raw bytes into HS, SS, ALS/ALES, CS0/CS1,
//! AAS, LTS, PLS and CDS, and identifies each ALU operation for the selected ISA version.
//! Never panics: any byte sequence yields a `Bundle` or a located `DecodeError`.

use crate::fields::*;
use crate::optable::{AlopId, OpTable};
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

/// An unpacked bundle. Syllables that are absent are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bundle {
    pub addr: u64,
    /// Length in bytes (8..=64).
    pub len: u8,
    pub hs: u32,
    pub ss: Option<u32>,
    pub als: [Option<u32>; 6],
    /// ALES of channel n when HS marks it used (ALES2/5 default when not stored).
    pub ales: [Option<u16>; 6],
    /// True when ALES2/ALES5 was physically stored in the ALES2/5 word.
    pub ales25_stored: bool,
    pub cs0: Option<u32>,
    pub cs1: Option<u32>,
    /// AAS0..AAS5 (AAS0/1 = mova destinations, AAS2..5 = mova channel 0..3 ops).
    pub aas: [Option<u16>; 6],
    /// Literal syllables LTS0..LTS3 (present by position).
    pub lts: [Option<u32>; 4],
    pub pls: [Option<u32>; 3],
    pub cds: [Option<u32>; 3],
    /// Identified operation of each present ALS.
    pub ops: [Option<AlopId>; 6],
    /// Raw words of the bundle (first `len / 4` are valid; see `words()`).
    pub raw: [u32; 16],
    /// Words between the half-syllable area and the literals that no LTS names.
    pub gap_words: u8,
}

impl Bundle {
    /// A bundle with no syllables (the starting point of every decode).
    pub const EMPTY: Bundle = Bundle {
        addr: 0,
        len: 0,
        hs: 0,
        ss: None,
        als: [None; 6],
        ales: [None; 6],
        ales25_stored: false,
        cs0: None,
        cs1: None,
        aas: [None; 6],
        lts: [None; 4],
        pls: [None; 3],
        cds: [None; 3],
        ops: [None; 6],
        raw: [0; 16],
        gap_words: 0,
    };

    /// The bundle's 32-bit words in memory order.
    pub fn words(&self) -> &[u32] {
        &self.raw[..self.len as usize / 4]
    }

    /// MAS of channel `ch` from a CS1 MAS syllable (0 when absent).
    #[inline]
    pub fn mas(&self, ch: usize) -> u8 {
        match self.cs1 {
            Some(cs1) if CS1_OPC.get(cs1) == 6 => {
                let f = match ch {
                    0 => CS1_MAS0,
                    2 => CS1_MAS2,
                    3 => CS1_MAS3,
                    5 => CS1_MAS5,
                    _ => return 0,
                };
                f.get(cs1) as u8
            }
            _ => 0,
        }
    }
}

fn word(bytes: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([bytes[off], bytes[off + 1], bytes[off + 2], bytes[off + 3]])
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

/// Unpacks into `b` (every field is overwritten).
#[inline]
pub fn unpack_into(bytes: &[u8], addr: u64, out: &mut Bundle) -> Result<(), DecodeError> {
    let err = |syllable, kind| DecodeError {
        pc: addr,
        syllable,
        kind,
    };
    if addr & 7 != 0 {
        return Err(err(Syl::Bundle, DecodeErrorKind::Misaligned));
    }
    if bytes.len() < 8 {
        return Err(err(
            Syl::Hs,
            DecodeErrorKind::Truncated {
                need: 8,
                have: bytes.len(),
            },
        ));
    }
    let hs = word(bytes, 0);
    let len = (HS_LNG.get(hs) as usize + 1) * 8;
    if bytes.len() < len {
        return Err(err(
            Syl::Hs,
            DecodeErrorKind::Truncated {
                need: len,
                have: bytes.len(),
            },
        ));
    }
    let b = out;
    *b = Bundle::EMPTY;
    for (w, c) in b.raw.iter_mut().zip(bytes[..len].chunks_exact(4)) {
        *w = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    let raw = b.raw;
    let words = &raw[..len / 4];
    b.addr = addr;
    b.len = len as u8;
    b.hs = hs;
    let nwords = words.len();
    let has_ss = HS_S.get(hs) != 0;
    let al = HS_AL.get(hs);
    let ale = HS_ALE.get(hs);
    let c = HS_C.get(hs);
    let has_cs1 = c & 2 != 0;
    // words before the middle: HS, SS, ALS*, CS0, [ALES2/5], CS1
    let first =
        1 + has_ss as usize + al.count_ones() as usize + (c & 1) as usize + has_cs1 as usize;
    let mid = HS_MDL.get(hs) as usize + 1; // in words
    let ales25_present = mid == first + 1;
    if (mid != first && !ales25_present) || mid > nwords {
        return Err(err(
            Syl::Hs,
            DecodeErrorKind::BadMiddle {
                mid: mid * 4,
                expected: first * 4,
            },
        ));
    }
    let mut p = 1usize; // word index
    if has_ss {
        b.ss = Some(words[p]);
        p += 1;
    }
    let mut bits = al;
    while bits != 0 {
        let n = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        b.als[n] = Some(words[p]);
        p += 1;
    }
    if c & 1 != 0 {
        b.cs0 = Some(words[p]);
        p += 1;
    }
    let mut ales25 = (ALES_DEFAULT, ALES_DEFAULT);
    if ales25_present {
        let w = words[p];
        ales25 = ((w >> 16) as u16, w as u16);
        b.ales25_stored = true;
        p += 1;
    }
    if has_cs1 {
        b.cs1 = Some(words[p]);
    }
    // Half-syllables: ALES0,1,3,4 then AAS.
    let mut halves = 0usize;
    let half = |k: usize| -> Option<u16> {
        let v = *words.get(mid + k / 2)?;
        Some(if k.is_multiple_of(2) {
            (v >> 16) as u16
        } else {
            v as u16
        })
    };
    let mut bits = ale & 0b011011;
    while bits != 0 {
        let n = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        b.ales[n] = Some(half(halves).ok_or_else(|| {
            err(
                Syl::Ales(n as u8),
                DecodeErrorKind::Truncated {
                    need: (mid + halves / 2 + 1) * 4,
                    have: len,
                },
            )
        })?);
        halves += 1;
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
            for (j, pr) in present.iter().enumerate() {
                if *pr {
                    b.aas[j] = Some(half(halves).ok_or_else(|| {
                        err(
                            Syl::Aas(j as u8),
                            DecodeErrorKind::Truncated {
                                need: (mid + halves / 2 + 1) * 4,
                                have: len,
                            },
                        )
                    })?);
                    halves += 1;
                }
            }
        }
    }
    let gap = mid + halves.div_ceil(2); // first word after halves
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
    Ok(())
}

/// Decodes one bundle at `addr` for ISA version `version`: unpacks it and identifies the
/// operation of every ALS. `bytes` may extend past the bundle.
pub fn decode_bundle(bytes: &[u8], addr: u64, version: u8) -> Result<Bundle, DecodeError> {
    let mut b = Bundle::default();
    decode_into(bytes, addr, version, &mut b)?;
    Ok(b)
}

/// Like [`decode_bundle`], decoding into `b` (reusable, no copies of the result).
pub fn decode_into(
    bytes: &[u8],
    addr: u64,
    version: u8,
    b: &mut Bundle,
) -> Result<(), DecodeError> {
    unpack_into(bytes, addr, b)?;
    let table = OpTable::get(version);
    let mut bits = HS_AL.get(b.hs);
    while bits != 0 {
        let ch = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if let Some(als) = b.als[ch] {
            let id = table
                .identify(als, b.ales[ch], ch, b.mas(ch))
                .map_err(|kind| DecodeError {
                    pc: addr,
                    syllable: Syl::Als(ch as u8),
                    kind,
                })?;
            b.ops[ch] = Some(id);
        }
    }
    Ok(())
}
