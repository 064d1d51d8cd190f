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
    /// Raw words of the bundle (for tools that need padding/gap words).
    pub words: Vec<u32>,
    /// Words between the half-syllable area and the literals that no LTS names.
    pub gap_words: u8,
}

impl Bundle {
    /// MAS of channel `ch` from a CS1 MAS syllable (0 when absent).
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
    let words: Vec<u32> = (0..len / 4).map(|i| word(bytes, i * 4)).collect();
    let mut b = Bundle {
        addr,
        len: len as u8,
        hs,
        ..Default::default()
    };
    let mut p = 1usize; // word index
    if HS_S.get(hs) != 0 {
        b.ss = Some(words[p]);
        p += 1;
    }
    let al = HS_AL.get(hs);
    let ale = HS_ALE.get(hs);
    for n in 0..6 {
        if al & (1 << n) != 0 {
            if p >= words.len() {
                return Err(err(
                    Syl::Als(n as u8),
                    DecodeErrorKind::BadMiddle {
                        mid: len,
                        expected: p * 4 + 4,
                    },
                ));
            }
            b.als[n] = Some(words[p]);
            p += 1;
        }
    }
    let c = HS_C.get(hs);
    if c & 1 != 0 {
        if p >= words.len() {
            return Err(err(
                Syl::Cs0,
                DecodeErrorKind::BadMiddle {
                    mid: len,
                    expected: p * 4 + 4,
                },
            ));
        }
        b.cs0 = Some(words[p]);
        p += 1;
    }
    let has_cs1 = c & 2 != 0;
    let mid = HS_MDL.get(hs) as usize + 1; // in words
    let ales25_present = if has_cs1 { mid == p + 2 } else { mid == p + 1 };
    let mut ales25 = (ALES_DEFAULT, ALES_DEFAULT);
    if ales25_present {
        if p >= words.len() {
            return Err(err(
                Syl::Ales(2),
                DecodeErrorKind::BadMiddle {
                    mid: mid * 4,
                    expected: p * 4,
                },
            ));
        }
        let w = words[p];
        ales25 = ((w >> 16) as u16, w as u16);
        b.ales25_stored = true;
        p += 1;
    }
    if has_cs1 {
        if p >= words.len() {
            return Err(err(
                Syl::Cs1,
                DecodeErrorKind::BadMiddle {
                    mid: mid * 4,
                    expected: p * 4 + 4,
                },
            ));
        }
        b.cs1 = Some(words[p]);
        p += 1;
    }
    if p != mid {
        return Err(err(
            Syl::Hs,
            DecodeErrorKind::BadMiddle {
                mid: mid * 4,
                expected: p * 4,
            },
        ));
    }
    // Half-syllables.
    let mut halves = 0usize;
    let nwords = words.len();
    let half = |k: usize| -> Option<u16> {
        let w = mid + k / 2;
        if w >= nwords {
            return None;
        }
        let v = words[w];
        Some(if k % 2 == 0 {
            (v >> 16) as u16
        } else {
            v as u16
        })
    };
    for n in [0usize, 1, 3, 4] {
        if ale & (1 << n) != 0 {
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
    }
    if ale & (1 << 2) != 0 {
        b.ales[2] = Some(ales25.0);
    }
    if ale & (1 << 5) != 0 {
        b.ales[5] = Some(ales25.1);
    }
    if let Some(ss) = b.ss {
        if SS_TYPE.get(ss) == 0 {
            let aa = SS_AA.get(ss);
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
    b.words = words;
    Ok(b)
}

/// Decodes one bundle at `addr` for ISA version `version`: unpacks it and identifies the
/// operation of every ALS. `bytes` may extend past the bundle.
pub fn decode_bundle(bytes: &[u8], addr: u64, version: u8) -> Result<Bundle, DecodeError> {
    let mut b = unpack_bundle(bytes, addr)?;
    let table = OpTable::get(version);
    for ch in 0..6 {
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
    Ok(b)
}
