//! Disassembler: prints a decoded bundle as the statements MCST `e2k-objdump -d` prints
//! (one per line, in syllable order, objdump's spelling), and the correct statement where
//! objdump 2.35 is wrong: canonical `plog_0xNN`/`qplog_0xNN` instead of `ambiguous`, ldaa*
//! loads, aaurr*/aaurw* with their AAU register, mmurr/mmurw with the MMU register, state
//! registers objdump cannot name, settr, set_mark, flushts, srp/crp/slrp conditions, the v6
//! wait flags, the PLS operations a `%clpN` condition reads, and register-pair operations
//! printed once (the reasons are listed in `isa-spec/tests/disasm_golden.rs`).
//! [`disasm_insn`] also handles undecodable bytes and asynchronous APB instructions.
//! Nothing here panics, whatever the input.

mod alu;
mod apb;
mod control;
mod mova;
mod operand;
mod pls;

pub use apb::apb_lines;

use crate::bundle::{bundle_len, unpack_bundle, Bundle, DecodeError};
use crate::optable::OpTable;
use crate::tables::ALOPS;

/// True when ALS `ch` is the second half of a register-pair op printed from its first half.
fn is_pair_second_half(b: &Bundle, ch: usize) -> bool {
    let def = |c: usize| b.op(c).and_then(|id| ALOPS.get(id.0 as usize));
    let Some(d) = def(ch) else { return false };
    (0..ch).any(|first| {
        def(first).is_some_and(|fd| fd.name == d.name && alu::pair_second(fd, first) == Some(ch))
    })
}

/// The statements of a decoded bundle for ISA version `iset`, one per line, without
/// indentation, in objdump's order: HS, SS, ALS0..ALS5, CS0, CS1, mova, PLS2..PLS0.
/// An ALS whose operation is unknown (`op(ch) == None`) prints as `unrecognized`.
pub fn disasm_bundle(b: &Bundle, iset: u8) -> Vec<String> {
    let mut out = Vec::new();
    control::hs(b, &mut out);
    control::ss(b, &mut out);
    for ch in 0..6 {
        if !is_pair_second_half(b, ch) {
            alu::als(b, iset, ch, &mut out);
        }
    }
    control::cs0(b, &mut out);
    control::cs1(b, iset, &mut out);
    mova::mova(b, &mut out);
    pls::pls(b, &mut out);
    out
}

/// Unpacks a bundle and identifies every ALS it can; an ALS no operation of `iset`
/// matches keeps `op(ch) == None` instead of failing the whole bundle.
pub fn decode_lenient(bytes: &[u8], addr: u64, iset: u8) -> Result<Bundle, DecodeError> {
    let mut b = unpack_bundle(bytes, addr)?;
    let table = OpTable::get(iset);
    for ch in 0..6 {
        if let Some(als) = b.als(ch) {
            let op = table.identify(als, b.ales(ch), ch, b.mas(ch)).ok();
            b.set_op(ch, op);
        }
    }
    Ok(b)
}

/// One disassembled instruction: its length in bytes and its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insn {
    pub len: usize,
    pub lines: Vec<String>,
}

fn word(bytes: &[u8], i: usize) -> u32 {
    let mut w = [0u8; 4];
    for (k, x) in w.iter_mut().enumerate() {
        *x = bytes.get(i * 4 + k).copied().unwrap_or(0);
    }
    u32::from_le_bytes(w)
}

/// Raw-data lines for bytes that are no instruction.
fn raw_lines(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = bytes
        .chunks(4)
        .filter(|c| c.len() == 4)
        .map(|c| {
            format!(
                ".word 0x{:08x}",
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            )
        })
        .collect();
    let tail = &bytes[bytes.len() - bytes.len() % 4..];
    if !tail.is_empty() {
        let t: Vec<String> = tail.iter().map(|x| format!("0x{x:02x}")).collect();
        out.push(format!(".byte {}", t.join(", ")));
    }
    out
}

/// Disassembles the instruction at the start of `bytes` (which ends where the code does),
/// the way objdump does: a synchronous bundle if it unpacks, else a 16-byte APB
/// instruction if there is room, else the remaining bytes as raw data.
/// Always consumes at least one byte when `bytes` is not empty.
pub fn disasm_insn(bytes: &[u8], addr: u64, iset: u8) -> Insn {
    if bytes.len() < 8 || addr & 7 != 0 {
        return Insn {
            len: bytes.len(),
            lines: raw_lines(bytes),
        };
    }
    if let Some(len) = bundle_len(bytes) {
        if len <= bytes.len() {
            if let Ok(b) = decode_lenient(&bytes[..len], addr, iset) {
                return Insn {
                    len,
                    lines: disasm_bundle(&b, iset),
                };
            }
        }
    }
    if bytes.len() >= 16 {
        let w = [
            word(bytes, 0),
            word(bytes, 1),
            word(bytes, 2),
            word(bytes, 3),
        ];
        return Insn {
            len: 16,
            lines: apb_lines(w, iset),
        };
    }
    Insn {
        len: bytes.len(),
        lines: raw_lines(bytes),
    }
}
