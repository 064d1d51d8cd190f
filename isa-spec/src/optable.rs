//! Per-version decode tables derived from the generated op list: maps an ALS (+ALES, MAS,
//! channel) to the operation template it encodes. Built once per version at first use as
//! a direct two-level index: a slot per (ALES table, opcode, channel) picks a small bit
//! window of the operation's key, whose value picks a leaf: usually a single candidate,
//! so identifying an operation is two table loads and one mask check.

use crate::bundle::DecodeErrorKind;
use crate::tables::{AlopDef, Format, ALOPS};
use std::collections::HashMap;
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

/// ALES tables (ALES[15:8]) that hold operations; higher values never decode.
const TABLES: usize = 32;
/// Slot of (table, opc, channel): table << 10 | opc << 3 | channel.
const SLOTS: usize = TABLES << 10;

// Layout of an operation key (see [`op_key`]): everything a template may require.
const K_ALES_LO: u32 = 32; // ALES[7:0]
const K_ALES_PRESENT: u32 = 40; // 1 when HS marks the ALES used
const K_MAS: u32 = 41; // the channel's MAS
/// Bits a key can have set; the window search never looks above them.
const K_BITS: u32 = 49;
/// A bit no key has: the sentinel candidate requires it, so it never matches.
const K_NEVER: u64 = 1 << 63;

/// The operation key of an ALS (see the `K_` layout): the ALS itself, the low byte of
/// its ALES and whether the ALES is present, and the channel's MAS. Every discriminator
/// of a template is a bit pattern of it. Returns the key and the ALES table.
#[inline(always)]
pub(crate) fn op_key(als: u32, ales: Option<u16>, mas: u8) -> (u64, u32) {
    match ales {
        Some(a) => op_key_parts(als, a as u32, 1, mas),
        None => op_key_parts(als, 0, 0, mas),
    }
}

/// [`op_key`] of an ALES given as its value (0 when absent) and presence (0 or 1).
#[inline(always)]
pub(crate) fn op_key_parts(als: u32, ales: u32, present: u32, mas: u8) -> (u64, u32) {
    let k = als as u64
        | ((ales & 0xff) as u64) << K_ALES_LO
        | (present as u64) << K_ALES_PRESENT
        | (mas as u64) << K_MAS;
    (k, ales >> 8 & 0xff)
}

/// One candidate: the template matches a key `k` when `k & mask == value`.
#[derive(Clone, Copy, Debug)]
struct Cand {
    mask: u64,
    value: u64,
    id: u16,
    /// What to try when this one does not match: 0 nothing; [`MORE_MULTI`] | start |
    /// count << 24: the run `extra[start..start + count]` under the full rules;
    /// otherwise `extra[more - 1]`, the next candidate of a priority chain.
    more: u32,
}

impl Cand {
    #[inline(always)]
    fn matches(&self, k: u64) -> bool {
        k & self.mask == self.value
    }
}

/// A key pattern under construction: the bits a template fixes and their values.
#[derive(Default)]
struct Pattern {
    mask: u64,
    value: u64,
}

impl Pattern {
    fn need(&mut self, shift: u32, width: u32, v: u64) {
        let m = ((1u64 << width) - 1) << shift;
        self.mask |= m;
        self.value = (self.value & !m) | (v << shift);
    }
    /// The template's ALES[7:0] value, if it requires one (and so a present ALES).
    fn ales(&mut self, d: &AlopDef) {
        if let Some(v) = d.ales_opce {
            self.need(K_ALES_LO, 8, v as u64);
            self.need(K_ALES_PRESENT, 1, 1);
        }
    }
    /// `field == v`, or never when the spec gives no value.
    fn need_or_never(&mut self, shift: u32, width: u32, v: Option<u8>) {
        match v {
            Some(v) => self.need(shift, width, v as u64),
            None => self.need(63, 1, 1),
        }
    }
}

/// The key pattern template `d` requires: `discriminates(d, ..)` as a mask test.
fn pattern(d: &AlopDef) -> (u64, u64) {
    const SRC1: u32 = 16;
    const SRC2: u32 = 8;
    const CMP: u32 = 5;
    let mut p = Pattern::default();
    use Format::*;
    match d.fmt {
        Alopf1 | Alopf1Mas | Alopf3Mas | Merge | Alopf21 | Alopf21Merge | Alopf11Lit8 => {}
        Alopf2 => p.need_or_never(SRC1, 8, d.opce),
        Alopf7 => p.need_or_never(CMP, 3, d.cmp),
        Alopf8 => {
            p.need_or_never(CMP, 3, d.cmp);
            p.need(SRC1, 8, 0xc0);
        }
        Alopf11 | Alopf11Mas | Alopf11Merge | Alopf13Mas | Alopf12Icalld | Alopf10Mas
        | Alopf19Mas => p.ales(d),
        Alopf17 => {
            p.ales(d);
            p.need(CMP, 3, 0);
        }
        Alopf12 | Alopf12Ibranchd | Alopf22 | Alopf12Pshufh => {
            if let Some(v) = d.opce {
                p.need(SRC1, 8, v as u64);
            }
            if d.fmt != Alopf12Pshufh {
                p.ales(d);
            }
        }
        Alopf15 => {
            p.need(SRC1, 8, 0xc0);
            p.ales(d);
        }
        Alopf16 => {
            p.need(SRC2, 8, 0xc0);
            p.ales(d);
        }
        Aaurr | Aaurw => {
            p.ales(d);
            p.need(K_MAS, 8, 0x3f);
        }
    }
    (p.mask, p.value)
}

/// The slot of (ALES table < [`TABLES`], ALS opcode, channel < 8).
#[inline(always)]
fn slot(table: u32, opc: u32, ch: usize) -> usize {
    (table as usize & (TABLES - 1)) << 10 | (opc as usize & 0x7f) << 3 | (ch & 7)
}

/// The ALES table template `d` is found in (0: short encoding).
fn table_of(d: &AlopDef) -> u8 {
    if d.fmt.is_long() {
        d.opc2.unwrap_or(1)
    } else {
        0
    }
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

/// See [`Cand::more`].
const MORE_MULTI: u32 = 1 << 31;

/// Decode table for one ISA version.
pub struct OpTable {
    pub version: u8,
    /// Per slot: the bit window of the key that picks a leaf:
    /// leaf base (bits 0..32) | window shift (32..40) | window mask (48..64).
    slots: Box<[u64; SLOTS]>,
    /// Per window value of every slot: the first (usually only) candidate.
    leaves: Vec<Cand>,
    /// Further candidates of chains and runs (see [`Cand::more`]).
    extra: Vec<Cand>,
}

/// Which of `cs` can match a key whose bits under `win` equal `bucket << shift`.
fn bucket_members(
    cs: &[Cand],
    win: u64,
    shift: u32,
    bucket: u64,
) -> impl Iterator<Item = usize> + '_ {
    let k = bucket << shift;
    (0..cs.len()).filter(move |&i| (k ^ cs[i].value) & cs[i].mask & win == 0)
}

/// The bit window (shift, width) of the key that leaves the smallest share of keys in
/// buckets with more than one candidate (the narrowest such window on ties).
fn best_window(cs: &[Cand]) -> (u32, u32) {
    if cs.len() < 2 {
        return (0, 0);
    }
    let care = cs.iter().fold(0u64, |a, c| a | c.mask) & ((1u64 << K_BITS) - 1);
    // (crowded buckets scaled to 256 buckets, shift, width)
    let mut best = (u64::MAX, 0, 0);
    for width in 1..=8u32 {
        for shift in 0..=(K_BITS - width) {
            if care >> shift & 1 == 0 {
                continue;
            }
            let win = ((1u64 << width) - 1) << shift;
            let crowded = (0..1u64 << width)
                .filter(|&b| bucket_members(cs, win, shift, b).nth(1).is_some())
                .count() as u64;
            let share = crowded << (8 - width);
            if share < best.0 {
                best = (share, shift, width);
            }
        }
        if best.0 == 0 {
            break;
        }
    }
    (best.1, best.2)
}

/// Result of the identification rules for a set of matching templates.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    None,
    Op(u16),
    Ambiguous,
}

/// The identification rules: among the matching templates (spec order), the first wins;
/// later rows of the same mnemonic are not ambiguities, and an AAU register move
/// (MAS 0x3f) wins over the staa/ldaa access it is also an encoding of.
fn rules(matching: impl Iterator<Item = u16>) -> Outcome {
    let mut found: Option<u16> = None;
    for id in matching {
        let d = &ALOPS[id as usize];
        match found {
            None => found = Some(id),
            Some(f) if ALOPS[f as usize].name == d.name => {}
            Some(f) if is_aau_move(d) && is_aau_access(&ALOPS[f as usize]) => found = Some(id),
            Some(f) if is_aau_access(d) && is_aau_move(&ALOPS[f as usize]) => {}
            Some(_) => return Outcome::Ambiguous,
        }
    }
    found.map_or(Outcome::None, Outcome::Op)
}

/// A priority order of `ids` (spec order) that gives the same result as [`rules`] for
/// every subset of them that may match: then "the first matching in this order" is the
/// whole decision. None when some subset is ambiguous (or the bucket is too large).
fn priority_order(ids: &[u16]) -> Option<Vec<usize>> {
    let n = ids.len();
    if n > 8 {
        return None;
    }
    let outcome = |set: u32| rules((0..n).filter(|i| set >> i & 1 != 0).map(|i| ids[i]));
    let mut order = Vec::new();
    let mut left = (1u32 << n) - 1;
    while left != 0 {
        let Outcome::Op(id) = outcome(left) else {
            return None;
        };
        let i = (0..n).find(|&i| left >> i & 1 != 0 && ids[i] == id)?;
        order.push(i);
        left &= !(1 << i);
    }
    let first_in_order = |set: u32| {
        order
            .iter()
            .find(|&&i| set >> i & 1 != 0)
            .map_or(Outcome::None, |&i| Outcome::Op(ids[i]))
    };
    (0..1u32 << n)
        .all(|set| outcome(set) == first_in_order(set))
        .then_some(order)
}

impl OpTable {
    fn build(version: u8) -> OpTable {
        let mut lists: Vec<Vec<u16>> = vec![Vec::new(); SLOTS];
        for d in ALOPS.iter() {
            if !d.in_version(version) || d.alias_of.is_some() {
                continue;
            }
            for ch in 0..6 {
                if d.allows_channel(ch) {
                    lists[slot(table_of(d) as u32, d.opc as u32, ch)].push(d.id);
                }
            }
        }
        let sentinel = Cand {
            mask: K_NEVER,
            value: K_NEVER,
            id: 0,
            more: 0,
        };
        let mut slots = vec![0u64; SLOTS];
        let mut leaves = vec![sentinel]; // slots without operations: width 0 over leaf 0
        let mut extra = Vec::new();
        for (slot, l) in lists.iter().enumerate() {
            if l.is_empty() {
                continue;
            }
            let cs: Vec<Cand> = l
                .iter()
                .map(|&id| {
                    let (mask, value) = pattern(&ALOPS[id as usize]);
                    Cand {
                        mask,
                        value,
                        id,
                        more: 0,
                    }
                })
                .collect();
            let (shift, width) = best_window(&cs);
            let win = ((1u64 << width) - 1) << shift;
            slots[slot] = leaves.len() as u64 | (shift as u64) << 32 | ((1u64 << width) - 1) << 48;
            // Buckets with the same members share their leaf.
            let mut made: HashMap<Vec<usize>, Cand> = HashMap::new();
            for b in 0..1u64 << width {
                let m: Vec<usize> = bucket_members(&cs, win, shift, b).collect();
                let leaf = *made.entry(m.clone()).or_insert_with(|| {
                    let ids: Vec<u16> = m.iter().map(|&i| cs[i].id).collect();
                    match (&m[..], priority_order(&ids)) {
                        ([], _) => sentinel,
                        (_, Some(order)) => {
                            // A chain of candidates, tried in order.
                            let mut next = 0;
                            for &i in order[1..].iter().rev() {
                                extra.push(Cand {
                                    more: next,
                                    ..cs[m[i]]
                                });
                                next = extra.len() as u32;
                            }
                            Cand {
                                more: next,
                                ..cs[m[order[0]]]
                            }
                        }
                        (_, None) => {
                            let start = extra.len() as u32;
                            assert!(start < 1 << 24 && m.len() < 128, "decode table overflow");
                            extra.extend(m.iter().map(|&i| cs[i]));
                            Cand {
                                more: MORE_MULTI | start | (m.len() as u32) << 24,
                                ..sentinel
                            }
                        }
                    }
                });
                leaves.push(leaf);
            }
        }
        OpTable {
            version,
            slots: slots.into_boxed_slice().try_into().expect("SLOTS entries"),
            leaves,
            extra,
        }
    }

    /// The decode table of ISA version `version` (clamped to 1..=7).
    #[inline]
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
        let v = version.clamp(1, 7) as usize;
        TABLES_BY_VERSION[v].get_or_init(|| OpTable::build(v as u8))
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
        let (k, table) = op_key(als, ales, mas);
        self.identify_key(k, table, ch)
    }

    /// The common case of [`Self::identify_key`]: the operation when the key's leaf
    /// candidate matches, else None (then `identify_key` decides).
    #[inline(always)]
    pub(crate) fn lookup(&self, k: u64, table: u32, ch: usize) -> Option<AlopId> {
        if (table as usize) < TABLES && ch < 6 {
            let s = self.slots[slot(table, (k >> 24) as u32, ch)];
            let bucket = (k >> (s >> 32 & 0xff)) & (s >> 48);
            let c = self.leaves.get((s as u32 as u64 + bucket) as usize)?;
            if c.matches(k) {
                return Some(AlopId(c.id));
            }
        }
        None
    }

    /// [`Self::identify`] of the key and ALES table [`op_key`] gives.
    #[inline]
    pub(crate) fn identify_key(
        &self,
        k: u64,
        table: u32,
        ch: usize,
    ) -> Result<AlopId, DecodeErrorKind> {
        if (table as usize) < TABLES && ch < 6 {
            let s = self.slots[slot(table, (k >> 24) as u32, ch)];
            let bucket = (k >> (s >> 32 & 0xff)) & (s >> 48);
            let c = &self.leaves[(s as u32 as u64 + bucket) as usize];
            if c.matches(k) {
                return Ok(AlopId(c.id));
            }
            if c.more != 0 {
                return self.more(c.more, k, table, ch);
            }
        }
        Err(self.explain(k, table, ch))
    }

    /// The rest of a leaf whose first candidate does not match (see [`Cand::more`]).
    #[cold]
    #[inline(never)]
    fn more(
        &self,
        mut more: u32,
        k: u64,
        table: u32,
        ch: usize,
    ) -> Result<AlopId, DecodeErrorKind> {
        if more & MORE_MULTI != 0 {
            let start = (more & 0xff_ffff) as usize;
            let n = (more >> 24 & 0x7f) as usize;
            let run = self.extra.get(start..start + n).unwrap_or_default();
            return match rules(run.iter().filter(|c| c.matches(k)).map(|c| c.id)) {
                Outcome::Op(id) => Ok(AlopId(id)),
                Outcome::Ambiguous => Err(DecodeErrorKind::Ambiguous {
                    opc: ((k >> 24) & 0x7f) as u8,
                }),
                Outcome::None => Err(self.explain(k, table, ch)),
            };
        }
        while let Some(c) = more.checked_sub(1).and_then(|i| self.extra.get(i as usize)) {
            if c.matches(k) {
                return Ok(AlopId(c.id));
            }
            more = c.more;
        }
        Err(self.explain(k, table, ch))
    }

    /// Why no operation of this version matches the key: another version, another
    /// channel, or none.
    #[cold]
    #[inline(never)]
    fn explain(&self, k: u64, table: u32, ch: usize) -> DecodeErrorKind {
        let als = k as u32;
        let ales = (k >> K_ALES_PRESENT & 1 != 0)
            .then_some((table << 8) as u16 | (k >> K_ALES_LO) as u8 as u16);
        let mas = (k >> K_MAS) as u8;
        let opc = ((als >> 24) & 0x7f) as u8;
        let table = table as u8;
        let candidate = |d: &&AlopDef| {
            d.alias_of.is_none()
                && d.opc == opc
                && table_of(d) == table
                && discriminates(d, als, ales, mas)
        };
        if let Some(d) = ALOPS
            .iter()
            .filter(candidate)
            .find(|d| d.allows_channel(ch) && !d.in_version(self.version))
        {
            return DecodeErrorKind::NotInVersion {
                name: d.name,
                version: self.version,
            };
        }
        if let Some(d) = ALOPS
            .iter()
            .filter(candidate)
            .find(|d| d.in_version(self.version))
        {
            return DecodeErrorKind::BadChannel { name: d.name };
        }
        DecodeErrorKind::UnknownOp { opc, table }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key pattern of every template accepts exactly the keys `discriminates` accepts
    /// (checked on every value of each discriminating field).
    #[test]
    fn pattern_agrees_with_discriminates() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for d in ALOPS.iter() {
            let (mask, value) = pattern(d);
            for _ in 0..4000 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut als = x as u32;
                // bias the discriminating fields towards the values templates ask for
                if x >> 40 & 3 == 0 {
                    als = als & !0x00ff_0000 | 0x00c0_0000;
                }
                if x >> 42 & 3 == 0 {
                    als = als & !0x0000_ff00 | 0x0000_c000;
                }
                if x >> 44 & 3 == 0 {
                    if let Some(v) = d.opce {
                        als = als & !0x00ff_0000 | (v as u32) << 16;
                    }
                }
                if x >> 46 & 1 == 0 {
                    als &= !0xe0;
                }
                let ales = match x >> 47 & 3 {
                    0 => None,
                    1 => Some((x >> 48) as u16 & 0xff00 | d.ales_opce.unwrap_or(0) as u16),
                    _ => Some((x >> 48) as u16),
                };
                let mas = if x >> 50 & 1 == 0 {
                    0x3f
                } else {
                    (x >> 51) as u8
                };
                let (k, _) = op_key(als, ales, mas);
                assert_eq!(
                    k & mask == value,
                    discriminates(d, als, ales, mas),
                    "{} als={als:#x} ales={ales:?} mas={mas:#x}",
                    d.name
                );
            }
        }
    }
}
