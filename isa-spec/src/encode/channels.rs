//! Channel assignment of the ALS statements (first feasible assignment of a depth-first
//! search in source order, trying each statement's channels in increasing order), then
//! the per-channel parts: MAS in CS1, ALES, and the CDS half-syllables of ALS conditions.

use super::builder::{err, AlsEntry, EResult, WideBuilder};
use super::operand::Pred;

/// Result of channel placement: the ALS/ALES contents per channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placed {
    pub als: [Option<u32>; 6],
    pub ales: [Option<u16>; 6],
    pub explicit_ales25: bool,
}

/// Channels a statement at position `pos` occupies.
fn occupied(a: &AlsEntry, pos: u8) -> Vec<u8> {
    match a.op.real_channels(pos) {
        Some((c0, Some(c1))) if a.n == 2 => vec![c0, c1],
        Some((c0, _)) => vec![c0],
        None => vec![pos],
    }
}

fn search(alses: &[AlsEntry], depth: usize, busy: u8, choice: &mut Vec<usize>) -> bool {
    if depth == alses.len() {
        return true;
    }
    let a = &alses[depth];
    for (pi, &pos) in a.positions.iter().enumerate() {
        let chs = occupied(a, pos);
        let mut m = 0u8;
        let mut clash = false;
        for &c in &chs {
            let bit = 1u8 << c;
            if busy & bit != 0 || m & bit != 0 {
                clash = true;
            }
            m |= bit;
        }
        if clash {
            continue;
        }
        choice.push(pi);
        if search(alses, depth + 1, busy | m, choice) {
            return true;
        }
        choice.pop();
    }
    false
}

/// CDS opcode of an RLP / MRGC condition for channel index `al` (6/7 = AM of ALC2/5).
fn cds_opc(al: usize, mrgc: bool) -> Option<u16> {
    match (al, mrgc) {
        (0..=2, false) => Some(0),
        (3..=5, false) => Some(1),
        (0..=2, true) => Some(2),
        (3..=5, true) => Some(3),
        (6, false) => Some(0),
        (7, false) => Some(1),
        _ => None,
    }
}

const AL_MASK: [u16; 8] = [1, 2, 4, 1, 2, 4, 8, 8];
const AL_NEG: [u16; 8] = [1, 2, 4, 1, 2, 4, 4, 4];

fn half(opc: u16, mask: u16, neg: u16, pred: u16) -> u16 {
    (opc << 14) | (mask << 10) | (neg << 7) | pred
}

fn h_opc(h: u16) -> u16 {
    h >> 14
}
fn h_mask(h: u16) -> u16 {
    (h >> 10) & 0xf
}
fn h_neg(h: u16) -> u16 {
    (h >> 7) & 7
}
fn h_pred(h: u16) -> u16 {
    h & 0x7f
}

/// Adds condition `p` acting on channel index `al` to the CDS half-syllables.
pub(crate) fn add_condition(cds: &mut [u16; 6], al: usize, mrgc: bool, p: &Pred) -> EResult<()> {
    let Some(opc) = cds_opc(al, mrgc) else {
        return err("condition applied to an invalid channel");
    };
    let pred = p.field() as u16;
    let mask = AL_MASK[al];
    let negb = AL_NEG[al];
    for h in cds.iter_mut() {
        if h_opc(*h) != opc || h_pred(*h) != pred {
            continue;
        }
        let m = h_mask(*h);
        // neg bit 2 is shared by mask bits 2 and 3.
        if (mask == 4 && m & 8 != 0) || (mask == 8 && m & 4 != 0) {
            let has_neg = h_neg(*h) & negb != 0;
            if p.negated != has_neg {
                continue;
            }
        }
        let mut neg = h_neg(*h);
        if p.negated {
            neg |= negb;
        }
        *h = half(opc, m | mask, neg, pred);
        return Ok(());
    }
    for h in cds.iter_mut() {
        if h_mask(*h) == 0 {
            *h = half(opc, mask, if p.negated { negb } else { 0 }, pred);
            return Ok(());
        }
    }
    err("out of free cds half-syllables")
}

impl WideBuilder {
    /// Assigns channels, then fills MAS, ALES and CDS.
    pub(crate) fn place_alses(&mut self) -> EResult<Placed> {
        let mut choice = Vec::new();
        if !search(&self.alses, 0, 0, &mut choice) {
            return err("ALSes cannot be packed into a wide command");
        }
        let mut placed = Placed::default();
        let mut met_mas = false;
        let mut mas_word = 0u32;
        for (i, a) in self.alses.iter_mut().enumerate() {
            a.chosen = a.positions[choice[i]];
        }
        let version = self.version;
        let alses = self.alses.clone();
        for a in alses.iter() {
            let chs = occupied(a, a.chosen);
            for (k, &c) in chs.iter().enumerate() {
                placed.als[c as usize] = Some(a.vals[k.min(a.n - 1)]);
            }
            if let Some(mas) = a.mas {
                if self.cs1_set {
                    return err("cannot encode MAS: CS1 syllable is busy with set-instructions");
                }
                if !met_mas {
                    mas_word = 6 << 28;
                    met_mas = true;
                }
                for &c in &chs {
                    let f = match c {
                        0 => crate::fields::CS1_MAS0,
                        2 => crate::fields::CS1_MAS2,
                        3 => crate::fields::CS1_MAS3,
                        5 => crate::fields::CS1_MAS5,
                        _ => continue,
                    };
                    mas_word = f.set(mas_word, mas as u32);
                }
            }
            {
                for &c in &chs {
                    let row = a.op.row(c as usize);
                    if !row.fmt.is_long() {
                        continue;
                    }
                    let opc2 = row.opc2.unwrap_or(1) as u16;
                    let lo = a.ales_lo.or(row.ales_opce).unwrap_or(0xc0) as u16;
                    placed.ales[c as usize] = Some((opc2 << 8) | lo);
                    if version == 4 && row.ales25v4 && (c == 2 || c == 5) {
                        placed.explicit_ales25 = true;
                    }
                }
            }
            for l in 0..4 {
                let Some(p) = a.preds[l] else { continue };
                for &c in &chs {
                    let al = if l == 3 {
                        match c {
                            2 => 6,
                            5 => 7,
                            _ => return err("incr condition on a channel without AM"),
                        }
                    } else {
                        c as usize
                    };
                    add_condition(&mut self.cds, al, l == 1, &p)?;
                }
            }
        }
        if met_mas {
            self.cs1 = mas_word;
            self.cs1_set = true;
        }
        Ok(placed)
    }
}
