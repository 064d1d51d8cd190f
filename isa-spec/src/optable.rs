//! Per-version decode tables derived from the generated op list: maps an ALS (+ALES, MAS,
//! channel) to the operation template it encodes.

use crate::bundle::DecodeErrorKind;
use crate::tables::{AlopDef, Format, ALOPS};
use std::sync::OnceLock;

/// Index of an operation template in [`ALOPS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AlopId(pub u16);

impl AlopId {
    #[inline]
    pub fn def(self) -> &'static AlopDef {
        &ALOPS[self.0 as usize]
    }
}

const TABLES: usize = 32;
const SLOTS: usize = TABLES * 128 * 6;

/// A compact decode candidate: the template id and the discriminator fields, so that
/// the hot path does not touch the (large) template records.
#[derive(Clone, Copy, Debug)]
struct Cand {
    id: u16,
    fmt: Format,
    /// required ALS[23:16] (ALOPF2/12/22/PSHUFH), or 0xffff for none
    opce: u16,
    /// required ALS[7:5] (ALOPF7/8), or 0xff
    cmp: u8,
    /// required ALES[7:0], or 0xffff for none
    ales_opce: u16,
}

/// Decode table for one ISA version.
pub struct OpTable {
    pub version: u8,
    /// per slot: start << 8 | count
    index: Vec<u32>,
    cands: Vec<Cand>,
}

#[inline(always)]
fn disc_fast(c: &Cand, als: u32, ales: Option<u16>, mas: u8) -> bool {
    let src1 = ((als >> 16) & 0xff) as u16;
    let src2 = (als >> 8) & 0xff;
    let cmpopce = ((als >> 5) & 7) as u8;
    let ales_lo = match ales {
        Some(a) => a & 0xff,
        None => 0x100,
    };
    let ales_ok = c.ales_opce == 0xffff || c.ales_opce == ales_lo;
    let opce_ok = c.opce == 0xffff || c.opce == src1;
    use Format::*;
    match c.fmt {
        Alopf1 | Alopf1Mas | Alopf3Mas | Merge | Alopf21 | Alopf21Merge | Alopf11Lit8 => true,
        Alopf2 => opce_ok,
        Alopf7 => cmpopce == c.cmp,
        Alopf8 => cmpopce == c.cmp && src1 == 0xc0,
        Alopf11 | Alopf11Mas | Alopf11Merge | Alopf13Mas => ales_ok,
        Alopf17 => ales_ok && cmpopce == 0,
        Alopf12 | Alopf12Ibranchd | Alopf22 => opce_ok && ales_ok,
        Alopf12Icalld => ales_ok,
        Alopf12Pshufh => opce_ok,
        Alopf15 => src1 == 0xc0 && ales_ok,
        Alopf16 => src2 == 0xc0 && ales_ok,
        Alopf10Mas | Alopf19Mas => ales_ok,
        Aaurr | Aaurw => ales_ok && mas == 0x3f,
    }
}

fn slot(table: u8, opc: u8, ch: usize) -> usize {
    ((table as usize % TABLES) * 128 + (opc as usize & 0x7f)) * 6 + ch
}

/// True when the ALS/ALES discriminator fields select template `d`.
pub fn discriminates(d: &AlopDef, als: u32, ales: Option<u16>, mas: u8) -> bool {
    let src1 = ((als >> 16) & 0xff) as u8;
    let src2 = ((als >> 8) & 0xff) as u8;
    let cmpopce = ((als >> 5) & 7) as u8;
    let ales_lo = ales.map(|a| a as u8);
    use Format::*;
    let ales_ok = || match d.ales_opce {
        Some(v) => ales_lo == Some(v),
        None => true,
    };
    match d.fmt {
        Alopf1 | Alopf1Mas | Alopf3Mas | Merge | Alopf21 | Alopf21Merge | Alopf11Lit8 => true,
        Alopf2 => Some(src1) == d.opce,
        Alopf7 => Some(cmpopce) == d.cmp,
        Alopf8 => Some(cmpopce) == d.cmp && src1 == 0xc0,
        Alopf11 | Alopf11Mas | Alopf11Merge | Alopf13Mas => ales_ok(),
        Alopf17 => ales_ok() && cmpopce == 0,
        Alopf12 | Alopf12Ibranchd | Alopf22 => Some(src1) == d.opce.or(Some(src1)) && ales_ok(),
        Alopf12Icalld => ales_ok(),
        Alopf12Pshufh => Some(src1) == d.opce.or(Some(src1)),
        Alopf15 => src1 == 0xc0 && ales_ok(),
        Alopf16 => src2 == 0xc0 && ales_ok(),
        Alopf10Mas | Alopf19Mas => ales_ok(),
        Aaurr | Aaurw => ales_ok() && mas == 0x3f,
    }
}

fn is_aau_move(d: &AlopDef) -> bool {
    matches!(d.fmt, Format::Aaurr | Format::Aaurw)
}

fn is_aau_access(d: &AlopDef) -> bool {
    matches!(d.fmt, Format::Alopf10Mas | Format::Alopf19Mas)
}

impl OpTable {
    fn build(version: u8) -> OpTable {
        let mut lists: Vec<Vec<u16>> = vec![Vec::new(); SLOTS];
        for d in ALOPS.iter() {
            if !d.in_version(version) || d.alias_of.is_some() {
                continue;
            }
            let table = if d.fmt.is_long() {
                d.opc2.unwrap_or(1)
            } else {
                0
            };
            for ch in 0..6 {
                if d.allows_channel(ch) {
                    lists[slot(table, d.opc, ch)].push(d.id);
                }
            }
        }
        let mut index = Vec::with_capacity(SLOTS);
        let mut cands = Vec::new();
        for l in lists {
            index.push((cands.len() as u32) << 8 | l.len().min(255) as u32);
            cands.extend(l.into_iter().map(|id| {
                let d = &ALOPS[id as usize];
                Cand {
                    id,
                    fmt: d.fmt,
                    opce: d.opce.map_or(0xffff, |v| v as u16),
                    cmp: d.cmp.unwrap_or(0xff),
                    ales_opce: d.ales_opce.map_or(0xffff, |v| v as u16),
                }
            }));
        }
        OpTable {
            version,
            index,
            cands,
        }
    }

    /// The decode table of ISA version `version` (clamped to 1..=7).
    pub fn get(version: u8) -> &'static OpTable {
        static TABLES_BY_VERSION: [OnceLock<OpTable>; 8] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        let v = version.clamp(1, 7);
        TABLES_BY_VERSION[v as usize].get_or_init(|| OpTable::build(v))
    }

    /// Candidate template ids for (table, opc, channel).
    pub fn candidates(&self, table: u8, opc: u8, ch: usize) -> impl Iterator<Item = u16> + '_ {
        self.cand_slice(table, opc, ch).iter().map(|c| c.id)
    }

    #[inline]
    fn cand_slice(&self, table: u8, opc: u8, ch: usize) -> &[Cand] {
        let e = self.index[slot(table, opc, ch)];
        let (s, l) = ((e >> 8) as usize, (e & 0xff) as usize);
        &self.cands[s..s + l]
    }

    /// Identifies the operation of an ALS in channel `ch` with its ALES (if HS marks it used)
    /// and the channel's MAS.
    #[inline]
    pub fn identify(
        &self,
        als: u32,
        ales: Option<u16>,
        ch: usize,
        mas: u8,
    ) -> Result<AlopId, DecodeErrorKind> {
        let opc = ((als >> 24) & 0x7f) as u8;
        let table = match ales {
            None => 0,
            Some(a) => (a >> 8) as u8,
        };
        if (table as usize) < TABLES {
            let cs = self.cand_slice(table, opc, ch);
            if let [c] = cs {
                if disc_fast(c, als, ales, mas) {
                    return Ok(AlopId(c.id));
                }
            }
            let mut found: Option<u16> = None;
            for c in cs {
                let id = c.id;
                let d = &ALOPS[id as usize];
                if disc_fast(c, als, ales, mas) {
                    match found {
                        None => found = Some(id),
                        Some(f) if ALOPS[f as usize].name == d.name => {}
                        // MAS 0x3f turns staa/ldaa into AAU register moves.
                        Some(f) if is_aau_move(d) && is_aau_access(&ALOPS[f as usize]) => {
                            found = Some(id)
                        }
                        Some(f) if is_aau_access(d) && is_aau_move(&ALOPS[f as usize]) => {}
                        Some(_) => return Err(DecodeErrorKind::Ambiguous { opc }),
                    }
                }
            }
            if let Some(f) = found {
                return Ok(AlopId(f));
            }
        }
        // Explain the failure: another version, or another channel.
        for d in ALOPS.iter() {
            if d.alias_of.is_some() || d.opc != opc {
                continue;
            }
            let t = if d.fmt.is_long() {
                d.opc2.unwrap_or(1)
            } else {
                0
            };
            if t != table || !discriminates(d, als, ales, mas) {
                continue;
            }
            if d.allows_channel(ch) && !d.in_version(self.version) {
                return Err(DecodeErrorKind::NotInVersion {
                    name: d.name,
                    version: self.version,
                });
            }
        }
        for d in ALOPS.iter() {
            if d.alias_of.is_some() || d.opc != opc {
                continue;
            }
            let t = if d.fmt.is_long() {
                d.opc2.unwrap_or(1)
            } else {
                0
            };
            if t == table && d.in_version(self.version) && discriminates(d, als, ales, mas) {
                return Err(DecodeErrorKind::BadChannel { name: d.name });
            }
        }
        Err(DecodeErrorKind::UnknownOp { opc, table })
    }
}
