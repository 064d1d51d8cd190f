//! Operand text: register bytes, short immediates, literal references into the LTS,
//! special destinations and the RLP/MRGC conditions of a channel, in objdump's spelling.

use crate::bundle::Bundle;
use crate::fields::*;
use crate::tables::Opnd;

/// Register-name width prefix for an operand kind (`%r`, `%dr`, `%qr`, `%qpr`).
pub(crate) fn prefix(k: Opnd) -> &'static str {
    match k {
        Opnd::S => "",
        Opnd::D => "d",
        Opnd::Q => "q",
        Opnd::P => "qp",
    }
}

/// A register byte that is known to name a register (b, r or g file).
fn reg(byte: u8, k: Opnd) -> Option<String> {
    let p = prefix(k);
    match byte {
        0x00..=0x7f => Some(format!("%{p}b[{byte}]")),
        0x80..=0xbf => Some(format!("%{p}r{}", byte & 0x3f)),
        0xe0..=0xff => Some(format!("%{p}g{}", byte & 0x1f)),
        _ => None,
    }
}

/// First source operand (ALS[23:16]): register or 5-bit immediate.
pub(crate) fn src1(byte: u8, k: Opnd) -> String {
    reg(byte, k).unwrap_or_else(|| format!("0x{:x}", byte & 0x1f))
}

/// Value of a src2 literal reference, if its LTS exist.
pub(crate) fn src2_literal(b: &Bundle, byte: u8) -> Option<u64> {
    let n = (byte & 3) as usize;
    match byte {
        0xd0..=0xd7 if n <= 1 => {
            let shift = if byte & 4 != 0 { 16 } else { 0 };
            b.lts(n).map(|w| ((w >> shift) & 0xffff) as u64)
        }
        0xd8..=0xdb => b.lts(n).map(|w| w as u64),
        0xdc..=0xde => match (b.lts(n), b.lts(n + 1)) {
            (Some(lo), Some(hi)) => Some(((hi as u64) << 32) | lo as u64),
            _ => None,
        },
        _ => None,
    }
}

/// Second source operand (ALS[15:8]): register, 4-bit immediate or a literal reference.
pub(crate) fn src2(b: &Bundle, byte: u8, k: Opnd) -> String {
    if let Some(r) = reg(byte, k) {
        return r;
    }
    let n = byte & 3;
    match byte {
        0xc0..=0xcf => format!("0x{:x}", byte & 0xf),
        0xd0..=0xd7 => {
            let half = if byte & 4 != 0 { "hi" } else { "lo" };
            match src2_literal(b, byte) {
                _ if n > 1 => format!("<illegal _f16s,_lts{n}{half}>"),
                Some(v) => format!("_f16s 0x{v:x}"),
                None => format!("<nonexistent _f16s,_lts{n}{half}>"),
            }
        }
        0xd8..=0xdb => match src2_literal(b, byte) {
            Some(v) => format!("_f32s 0x{v:x}"),
            None => format!("<nonexistent _f32s,_lts{n}>"),
        },
        _ => match src2_literal(b, byte) {
            _ if n == 3 => format!("<illegal _f64,_lts{n}>"),
            Some(v) => format!("_f64 0x{v:x}"),
            None => format!("<nonexistent _f64,_lts{n}>"),
        },
    }
}

/// Third source operand (store value in ALS[7:0] or ALES[7:0] of ALOPF21).
pub(crate) fn src3(byte: u8, k: Opnd) -> String {
    reg(byte, k).unwrap_or_else(|| "<illegal operand>".to_string())
}

/// Destination operand (ALS[7:0] or a mova destination byte).
pub(crate) fn dst(byte: u8, k: Opnd) -> String {
    if let Some(r) = reg(byte, k) {
        return r;
    }
    match byte {
        0xcd => "%tst",
        0xce => "%tc",
        0xcf => "%tcd",
        0xd1 => "%ctpr1",
        0xd2 => "%ctpr2",
        0xd3 => "%ctpr3",
        0xde => "%empty.lo",
        0xdf => "%empty.hi",
        _ => "<reserved special register>",
    }
    .to_string()
}

/// A CDS predicate source (`%predN` / `%pcntN`).
fn cds_pred(psrc: u32) -> String {
    match psrc & 0x60 {
        0x40 => format!("%pcnt{}", psrc & 0x1f),
        0x60 => format!("%pred{}", psrc & 0x1f),
        _ => "<invalid predicate>".to_string(),
    }
}

/// What a CDS condition applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CondTarget {
    /// The ALS of channel 0..=5 (RLP).
    Alc(usize),
    /// The merge selector of channel 0..=5 (MRGC).
    Merge(usize),
    /// The address-increment of ALC2 (`false`) or ALC5 (`true`) (RLP AM).
    Am(bool),
    /// The recovery-point operation (srp/crp/slrp, RPC in MRGC0).
    Rpc,
}

/// The conditions of `t`, each as `[~]%predN` / `[~]%pcntN`, in objdump's order
/// (CDS0..CDS2, the lower half-syllable of each first).
pub(crate) fn conditions(b: &Bundle, t: CondTarget) -> Vec<String> {
    let (opc, mask_bit, neg_bit) = match t {
        CondTarget::Alc(ch) => ((ch / 3) as u32, (ch % 3) as u32, (ch % 3) as u32),
        CondTarget::Merge(ch) => (2 + (ch / 3) as u32, (ch % 3) as u32, (ch % 3) as u32),
        CondTarget::Am(five) => (five as u32, 3, 2),
        CondTarget::Rpc => (2, 3, 2),
    };
    let mut out = Vec::new();
    for cds in b.cds_words() {
        for half in [cds & 0xffff, cds >> 16] {
            if CDS_HALF_OPC.get(half) != opc || CDS_HALF_MASK.get(half) & (1 << mask_bit) == 0 {
                continue;
            }
            let neg = CDS_HALF_NEG.get(half) & (1 << neg_bit) != 0;
            let p = cds_pred(CDS_HALF_PRED.get(half));
            out.push(if neg { format!("~{p}") } else { p });
        }
    }
    out
}

/// ` ? c1, c2` for the RLP conditions of `t` (empty when there are none).
pub(crate) fn rlp_suffix(b: &Bundle, t: CondTarget) -> String {
    let c = conditions(b, t);
    if c.is_empty() {
        String::new()
    } else {
        format!(" ? {}", c.join(", "))
    }
}
