//! ALU-channel statements: one line per ALS (plus `incr` for AAU accesses), operands laid
//! out by the op's format and `args` from the spec tables, MAS, MRGC and RLP conditions,
//! AAU register moves, MMU register moves (mmurr/mmurw) and state-register names.

use super::operand::{self, conditions, rlp_suffix, CondTarget};
use crate::bundle::Bundle;
use crate::fields::*;
use crate::optable::AlopId;
use crate::tables::{sreg_by_code, AlopDef, Format, MuRegDef, Opnd, AAUREGS, ALOPS, MUREGS};

/// Operand kind `i` of an op (missing trailing kinds are 32-bit, as the assembler's
/// three-letter rows of four-operand formats imply).
fn arg(d: &AlopDef, i: usize) -> Opnd {
    d.args.get(i).copied().unwrap_or(Opnd::S)
}

/// Index in `args` of the operand that decides whether the op occupies a channel pair.
fn value_arg(d: &AlopDef) -> usize {
    use Format::*;
    match d.fmt {
        Alopf10Mas | Alopf19Mas | Aaurr | Aaurw => 0,
        Alopf2 | Alopf12 | Alopf12Pshufh | Alopf12Ibranchd | Alopf12Icalld | Alopf22 => 1,
        Alopf21 | Alopf21Merge => 3,
        _ => 2,
    }
}

/// For a 128-bit register-pair op placed in `ch`, the channel of its second half.
pub(crate) fn pair_second(d: &AlopDef, ch: usize) -> Option<usize> {
    use Format::*;
    if d.args.get(value_arg(d)) != Some(&Opnd::Q) {
        return None;
    }
    match d.fmt {
        Alopf3Mas | Alopf13Mas | Alopf10Mas | Alopf19Mas | Aaurr | Aaurw => (ch == 2).then_some(5),
        Alopf1 | Alopf1Mas | Alopf11 | Alopf11Mas | Alopf2 | Alopf12 | Alopf22 => {
            if ch != 0 && ch != 3 {
                None
            } else if d.allows_channel(1) {
                Some(ch + 1)
            } else {
                Some(ch + 2)
            }
        }
        _ => None,
    }
}

/// Name of state register `code` for version `iset`: objdump's name when it has one
/// (the spec records it as in objdump's table, where `__e3s(X)`-style version markers
/// stand for `X`), else the register's own name.
fn sreg_name(code: u8, iset: u8) -> String {
    let unwrap = |p: &'static str| -> &'static str {
        match (p.find('('), p.strip_suffix(')')) {
            (Some(i), Some(inner)) if p.starts_with("__") => inner[i + 1..].trim_matches('"'),
            _ => p,
        }
    };
    match sreg_by_code(code, iset) {
        Some(s) => match s.print.map(unwrap) {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => s.name.to_string(),
        },
        None => format!("<unknown state register 0x{code:02x}>"),
    }
}

/// `%aadD [ %aastiI[ + _f32s,_ltsK 0xV] ]` of an staa/ldaa ALS.
fn aau_address(b: &Bundle, als: u32) -> String {
    let d = ALS_AAD.get(als);
    let ind = ALS_AASTI.get(als);
    let mut s = format!("%aad{d} [ %aasti{ind}");
    let lt = ALS_AALTS.get(als) as usize;
    if lt != 0 {
        match b.lts(lt - 1) {
            Some(v) => s += &format!(" + _f32s,_lts{} 0x{v:x}", lt - 1),
            None => s += " + <non-existent literal>",
        }
    }
    s + " ]"
}

/// `incr,C %aaincrN [? cond]` when an staa/ldaa ALS advances its index.
fn aau_incr(b: &Bundle, als: u32, ch: usize) -> Option<String> {
    if ALS_AAAM.get(als) == 0 {
        return None;
    }
    Some(format!(
        "incr,{ch} %aaincr{}{}",
        ALS_AAINCR.get(als),
        rlp_suffix(b, CondTarget::Am(ch == 5))
    ))
}

/// The AAU register an aaurw/aaurr ALS names.
fn aau_reg(als: u32) -> Option<&'static str> {
    let opce1 = ALS_OPCE1.get(als) as u16;
    AAUREGS.iter().find(|r| r.opce1 == opce1).map(|r| r.name)
}

/// The staa/ldaa row encoded like the AAU register move `d` (for moves naming no register).
fn aau_access_row(d: &AlopDef, iset: u8, ch: usize) -> Option<&'static AlopDef> {
    let want = if d.fmt == Format::Aaurw {
        Format::Alopf10Mas
    } else {
        Format::Alopf19Mas
    };
    ALOPS.iter().find(|a| {
        a.fmt == want
            && a.opc == d.opc
            && a.opc2 == d.opc2
            && a.alias_of.is_none()
            && a.in_version(iset)
            && a.allows_channel(ch)
    })
}

/// Value of a src2 operand byte that is a short immediate or a literal reference.
fn src2_value(b: &Bundle, byte: u8) -> Option<u64> {
    match byte {
        0xc0..=0xcf => Some((byte & 0xf) as u64),
        _ => operand::src2_literal(b, byte),
    }
}

/// The MMU register an `ldd`/`std` with a special MAS addresses (mmurr/mmurw), if any.
fn mmu_reg(b: &Bundle, d: &AlopDef, iset: u8, ch: usize, als: u32) -> Option<&'static MuRegDef> {
    let write = match (d.fmt, d.name) {
        (Format::Alopf1Mas, "ldd") => false,
        (Format::Alopf3Mas, "std") => true,
        _ => return None,
    };
    let mas = b.mas(ch);
    if mas & 7 != 7 || ALS_SRC1.get(als) != 0xc0 {
        return None;
    }
    let addr = src2_value(b, ALS_SRC2.get(als) as u8)?;
    MUREGS
        .iter()
        .filter(|r| {
            r.mas == mas
                && r.addr as u64 == addr
                && r.ver_lo <= iset
                && if write {
                    ch == 2 && r.write_from != 0 && r.write_from <= iset
                } else {
                    r.rch as usize == ch && r.read
                }
        })
        .max_by_key(|r| (r.asm, r.ver_lo))
}

/// `, c1 c2` for the merge conditions of channel `ch`.
fn mrgc_suffix(b: &Bundle, ch: usize) -> String {
    let c = conditions(b, CondTarget::Merge(ch));
    if c.is_empty() {
        String::new()
    } else {
        format!(", {}", c.join(" "))
    }
}

/// The statement(s) of the ALS in channel `ch`.
pub(crate) fn als(b: &Bundle, iset: u8, ch: usize, out: &mut Vec<String>) {
    let Some(als) = b.als(ch) else { return };
    let sm = if ALS_SM.get(als) != 0 { ",sm" } else { "" };
    let Some(AlopId(id)) = b.op(ch) else {
        let mut s = format!("unrecognized,{ch}{sm} als = 0x{als:08x}");
        if let Some(a) = b.ales(ch) {
            s += &format!(", ales = 0x{a:04x}");
        }
        out.push(s);
        return;
    };
    let Some(mut d) = ALOPS.get(id as usize) else {
        out.push(format!("unrecognized,{ch}{sm} als = 0x{als:08x}"));
        return;
    };
    let src1 = ALS_SRC1.get(als) as u8;
    let src2 = ALS_SRC2.get(als) as u8;
    let dst = ALS_DST.get(als) as u8;
    let ales_lo = b.ales(ch).map_or(0, |a| (a & 0xff) as u8);
    let s2 = |k| operand::src2(b, src2, k);
    let mut show_mas = d.fmt.has_mas();

    if let Some(r) = mmu_reg(b, d, iset, ch, als) {
        let body = if d.fmt == Format::Alopf1Mas {
            format!(
                "mmurr,{ch}{sm} {}, {}",
                r.name,
                operand::dst(dst, arg(d, 2))
            )
        } else {
            format!(
                "mmurw,{ch}{sm} {}, {}",
                operand::src3(dst, arg(d, 2)),
                r.name
            )
        };
        out.push(body + &rlp_suffix(b, CondTarget::Alc(ch)));
        return;
    }

    let mut aau_name = None;
    if matches!(d.fmt, Format::Aaurr | Format::Aaurw) {
        match aau_reg(als) {
            Some(r) => {
                aau_name = Some(r);
                show_mas = false;
            }
            None => match aau_access_row(d, iset, ch) {
                Some(row) => d = row,
                None => show_mas = true,
            },
        }
    }

    use Format::*;
    let ops = match d.fmt {
        Alopf1 | Alopf1Mas | Merge | Alopf11 | Alopf11Mas | Alopf11Merge => format!(
            "{}, {}, {}",
            operand::src1(src1, arg(d, 0)),
            s2(arg(d, 1)),
            operand::dst(dst, arg(d, 2))
        ),
        Alopf11Lit8 => format!(
            "{}, {}, 0x{ales_lo:x}, {}",
            operand::src1(src1, arg(d, 0)),
            s2(arg(d, 1)),
            operand::dst(dst, arg(d, 2))
        ),
        Alopf21 | Alopf21Merge => format!(
            "{}, {}, {}, {}",
            operand::src1(src1, arg(d, 0)),
            s2(arg(d, 1)),
            operand::src3(ales_lo, arg(d, 2)),
            operand::dst(dst, arg(d, 3))
        ),
        Alopf2 | Alopf12 | Alopf22 => {
            format!("{}, {}", s2(arg(d, 0)), operand::dst(dst, arg(d, 1)))
        }
        Alopf12Pshufh => format!(
            "{}, 0x{ales_lo:x}, {}",
            s2(arg(d, 0)),
            operand::dst(dst, arg(d, 1))
        ),
        Alopf12Ibranchd => format!(
            "{}, {}{}",
            s2(arg(d, 0)),
            operand::dst(dst, arg(d, 1)),
            super::control::ctcond(SS_CTCOND.get(b.ss().unwrap_or(0)))
        ),
        Alopf12Icalld => format!(
            "wbs = 0x{src1:x}, {}, {}{}",
            s2(arg(d, 0)),
            operand::dst(dst, arg(d, 1)),
            super::control::ctcond(SS_CTCOND.get(b.ss().unwrap_or(0)))
        ),
        Alopf3Mas | Alopf13Mas => format!(
            "{}, {}, {}",
            operand::src1(src1, arg(d, 0)),
            s2(arg(d, 1)),
            operand::src3(dst, arg(d, 2))
        ),
        Alopf15 => format!("{}, {}", s2(arg(d, 0)), sreg_name(dst, iset)),
        Alopf16 => format!(
            "{}, {}",
            sreg_name(src1, iset),
            operand::dst(dst, arg(d, 0))
        ),
        Alopf7 | Alopf17 => format!(
            "{}, {}, %pred{}",
            operand::src1(src1, arg(d, 0)),
            s2(arg(d, 1)),
            ALS_PDST.get(als)
        ),
        Alopf8 => format!("{}, %pred{}", s2(arg(d, 0)), ALS_PDST.get(als)),
        Alopf10Mas => format!("{}, {}", operand::src3(dst, arg(d, 0)), aau_address(b, als)),
        Alopf19Mas => format!("{}, {}", aau_address(b, als), operand::dst(dst, arg(d, 0))),
        Aaurw => format!(
            "{}, {}",
            operand::src3(dst, arg(d, 0)),
            aau_name.unwrap_or("<unknown AAU register>")
        ),
        Aaurr => format!(
            "{}, {}",
            aau_name.unwrap_or("<unknown AAU register>"),
            operand::dst(dst, arg(d, 0))
        ),
    };
    let mut s = format!("{},{ch}{sm} {ops}", d.name);
    if show_mas && matches!(ch, 0 | 2 | 3 | 5) {
        let mas = b.mas(ch);
        if mas != 0 {
            s += &format!(", mas = 0x{mas:x}");
        }
    }
    if matches!(d.fmt, Merge | Alopf11Merge | Alopf21Merge) {
        s += &mrgc_suffix(b, ch);
    }
    if !matches!(d.fmt, Alopf12Ibranchd | Alopf12Icalld) {
        s += &rlp_suffix(b, CondTarget::Alc(ch));
    }
    out.push(s);
    if matches!(d.fmt, Alopf10Mas | Alopf19Mas) {
        out.extend(aau_incr(b, als, ch));
    }
}
