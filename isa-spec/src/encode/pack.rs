//! Syllable layout of a wide instruction as MCST as writes it: HS, SS, ALS0..5, CS0,
//! the ALES2/5 word (v4+, when needed), CS1, the half-syllable area (ALES, AAS),
//! padding, LTS, PLS and CDS, plus the fixups of symbolic literals and CS0 targets.

use super::builder::{err, EResult, FixKind, Fixup, Packed, WideBuilder};
use super::channels::Placed;
use super::literals::{lts_count, HalfOwner};
use super::operand::{SymKind, Value};
use crate::fields::*;

const ALES_DEFAULT: u16 = 0x01c0;

fn lit_fix_kind(kind: SymKind, size: u8) -> FixKind {
    let wide = size == 4;
    match kind {
        SymKind::Abs | SymKind::Plt => {
            if wide {
                FixKind::Abs64Lit
            } else {
                FixKind::Abs32
            }
        }
        SymKind::Pc => {
            if wide {
                FixKind::Pc64Lit
            } else {
                FixKind::Pc32
            }
        }
        SymKind::TlsLe => {
            if wide {
                FixKind::TlsLe64
            } else {
                FixKind::TlsLe32
            }
        }
        SymKind::GotOff => {
            if wide {
                FixKind::GotOff64Lit
            } else {
                FixKind::GotOff32
            }
        }
        SymKind::Got => FixKind::Got,
        SymKind::GotPlt => FixKind::GotPlt,
        SymKind::TlsIe => FixKind::TlsIe,
        SymKind::TlsGdMod => FixKind::TlsGdMod,
        SymKind::TlsGdRel => FixKind::TlsGdRel,
        SymKind::Size => FixKind::Size32,
    }
}

fn fixup(kind: FixKind, offset: usize, v: &Value) -> Option<Fixup> {
    match *v {
        Value::Sym { sym, addend, .. } => Some(Fixup {
            offset: offset as u32,
            kind,
            sym,
            addend: if kind.pc_relative() {
                addend.wrapping_add(offset as i64)
            } else {
                addend
            },
        }),
        Value::Const(_) => None,
    }
}

/// Packs an asynchronous (`fapb`) instruction: two 8-byte APS/APLS records.
pub(crate) fn pack_apb(aps: &[Option<(u32, u32)>; 2]) -> Packed {
    let mut bytes = Vec::with_capacity(16);
    for a in aps {
        let (w0, w1) = a.unwrap_or((0, 0));
        bytes.extend_from_slice(&w0.to_le_bytes());
        bytes.extend_from_slice(&w1.to_le_bytes());
    }
    Packed {
        bytes,
        fixups: Vec::new(),
    }
}

/// Lays out the syllables of a finished wide instruction.
pub(crate) fn pack(b: &WideBuilder, placed: &Placed, halves: &[HalfOwner; 8]) -> EResult<Packed> {
    let mut words: Vec<u32> = vec![0];
    let mut fixups = Vec::new();
    let mut hs = 0u32;
    if b.lm {
        hs = HS_LM.set(hs, 1);
    }
    if b.sw {
        hs = HS_SW.set(hs, 1);
    }
    if b.ss.started {
        hs = HS_S.set(hs, 1);
        words.push(b.ss.word);
    }
    let mut al = 0u32;
    for (ch, a) in placed.als.iter().enumerate() {
        if let Some(v) = a {
            al |= 1 << ch;
            words.push(*v);
        }
    }
    hs = HS_AL.set(hs, al);
    let mut c = 0u32;
    if let Some(cs0) = b.cs0 {
        c |= 1;
        if let Some(f) = b.cs0_fix {
            if let Some(fx) = fixup(f.kind, words.len() * 4, &f.value) {
                fixups.push(fx);
            }
        }
        words.push(cs0);
    }
    if b.version >= 4 {
        let a2 = placed.ales[2];
        let a5 = placed.ales[5];
        if a2.is_some_and(|v| v != ALES_DEFAULT)
            || a5.is_some_and(|v| v != ALES_DEFAULT)
            || placed.explicit_ales25
        {
            let hi = a2.unwrap_or(ALES_DEFAULT) as u32;
            let lo = a5.unwrap_or(ALES_DEFAULT) as u32;
            words.push((hi << 16) | lo);
        }
    }
    if b.cs1_set {
        c |= 2;
        words.push(b.cs1);
    }
    hs = HS_C.set(hs, c);
    hs = HS_MDL.set(hs, (words.len() - 1) as u32);

    // Half-syllable area.
    let mut hsyl: Vec<u16> = Vec::new();
    let mut ale = 0u32;
    for (ch, a) in placed.ales.iter().enumerate() {
        if let Some(v) = a {
            ale |= 1 << ch;
            if ch == 2 || ch == 5 {
                if b.version < 4 && *v != ALES_DEFAULT {
                    return err(format!(
                        "ALES{ch} cannot hold a non-default value before elbrus-v4"
                    ));
                }
                continue;
            }
            hsyl.push(*v);
        }
    }
    hs = HS_ALE.set(hs, ale);
    for i in 0..2 {
        if b.busy_aa2f1 & (3 << (2 * i)) != 0 {
            hsyl.push(((b.aa0f1[i][0] as u16) << 8) | b.aa0f1[i][1] as u16);
        }
    }
    for i in 0..4 {
        if b.busy_aa2f1 & (1 << i) != 0 {
            hsyl.push(b.aa2f1[i]);
        }
    }
    for pair in hsyl.chunks(2) {
        let hi = pair[0] as u32;
        let lo = pair.get(1).copied().unwrap_or(0) as u32;
        words.push((hi << 16) | lo);
    }

    let lts = lts_count(halves);
    let cds = (0..6)
        .rev()
        .find(|&i| (b.cds[i] >> 10) & 0xf != 0)
        .map(|i| 1 + i / 2)
        .unwrap_or(0);
    let mut needed = [b.pls[0].needed, b.pls[1].needed, b.pls[2].needed];
    if needed[2] {
        needed[1] = true;
    }
    if needed[1] {
        needed[0] = true;
    }
    let pls = needed.iter().filter(|&&x| x).count();
    if (words.len() + lts + pls + cds) % 2 == 1 {
        words.push(0);
    }
    // Literals: LTS(n-1) first.
    for k in (0..lts).rev() {
        let off = words.len() * 4;
        let mut w = 0u32;
        for (col, shift) in [(2 * k + 1, 16), (2 * k, 0)] {
            if let Some((li, piece)) = halves[col] {
                let lit = &b.lits[li];
                let v = lit.chunk(piece) as u32;
                w |= v << shift;
                let size = lit.chosen.map(|c| c.size).unwrap_or(2);
                if let Value::Sym { kind, .. } = lit.value {
                    // 32-bit: relocation on the LTS word (lo half = start of the word);
                    // 64-bit: on the lower-addressed word of the pair (piece 2).
                    let at = (size == 2 && piece == 0) || (size == 4 && piece == 2);
                    if at && shift == 0 {
                        if let Some(fx) = fixup(lit_fix_kind(kind, size), off, &lit.value) {
                            fixups.push(fx);
                        }
                    }
                }
            }
        }
        words.push(w);
    }
    for i in (0..3).rev() {
        if needed[i] {
            words.push(b.pls[i].word);
        }
    }
    for k in (0..cds).rev() {
        words.push(((b.cds[2 * k] as u32) << 16) | b.cds[2 * k + 1] as u32);
    }
    if words.len() > 16 {
        return err(format!(
            "wide instruction requires {} syllables which exceeds the maximal supported size of 16 ones",
            words.len()
        ));
    }
    hs = HS_PL.set(hs, pls as u32);
    hs = HS_CD.set(hs, cds as u32);
    hs = HS_LNG.set(hs, (words.len() / 2 - 1) as u32);
    match b.nop {
        Some(0xff) if hs != 0 => hs = HS_NOP.set(hs, 1),
        Some(0xff) => {}
        Some(n) => hs = HS_NOP.set(hs, n as u32),
        None => {}
    }
    words[0] = hs;
    let mut bytes = Vec::with_capacity(words.len() * 4);
    for w in &words {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    Ok(Packed { bytes, fixups })
}
