//! Statements of the control syllables: HS (loop_mode, nop, set_mark), SS (ct, ipd, rp,
//! loop advances), CS0 (disp, ibranch, done, pref, ...) and CS1 (setwd, setbn, wait, call,
//! flushes, ...), plus the control-transfer condition text shared with ibranchd/icalld.

use super::operand::{conditions, CondTarget};
use crate::bundle::Bundle;
use crate::fields::*;

/// SS value of `flushts` apart from ipd (SF2 format; the assembler writes the whole SS).
const FLUSHTS_SS: u32 = 0x1410_0000;
const FLUSHTS_SS_MASK: u32 = 0x3fff_ffff;

/// CS1 operation codes (CS1.opc).
mod cs1 {
    pub const SETR0: u32 = 0;
    pub const SETR1: u32 = 1;
    pub const SETEI: u32 = 2;
    pub const WAIT: u32 = 3;
    pub const SETBR: u32 = 4;
    pub const CALL: u32 = 5;
    pub const MAS: u32 = 6;
    pub const FLUSH: u32 = 7;
    pub const BG: u32 = 8;
}

/// True when CS1 holds a CALL (call/icall/hcall).
fn cs1_is_call(b: &Bundle) -> bool {
    b.cs1().is_some_and(|c| CS1_OPC.get(c) == cs1::CALL)
}

/// Signed 28-bit CS0 displacement in bytes.
fn cs0_disp_bytes(cs0: u32) -> i64 {
    (((CS0_DISP.get(cs0) << 4) as i32) >> 1) as i64
}

/// ` ? cond` for an SS.ctcond value (empty for "always").
pub(crate) fn ctcond(c: u32) -> String {
    let ty = SS_CT_TYPE.get(c);
    let p = SS_CT_PSRC.get(c);
    if ty == 1 {
        return String::new();
    }
    let mut s = String::from(" ? ");
    if matches!(ty, 3 | 7 | 0xe) {
        s.push('~');
    }
    if matches!(ty, 2 | 3 | 6 | 7 | 0xe | 0xf) {
        s += &format!("%pred{p}");
    }
    match ty {
        4 => s += "%LOOP_END",
        6 | 0xe => s += " || %LOOP_END",
        5 => s += "%NOT_LOOP_END",
        7 | 0xf => s += " && %NOT_LOOP_END",
        8 => {
            s += "%MLOCK";
            if p & 0xf != 0 {
                s += " || %dt_al";
                for (bit, alc) in [0, 1, 3, 4].iter().enumerate() {
                    if p & (1 << bit) != 0 {
                        s += &alc.to_string();
                    }
                }
            }
        }
        9 => {
            let neg = |n: bool| if n { "~" } else { "" };
            match p >> 3 & 3 {
                0 => {
                    let alc = [0, 1, 3, 4][(p >> 1 & 3) as usize];
                    s += &format!("%MLOCK || {}%cmp{alc}", neg(p & 1 != 0));
                }
                1 => {
                    let (j, k) = if p & 4 == 0 { (0, 1) } else { (3, 4) };
                    s += &format!(
                        "%MLOCK || {}%cmp{j} || {}%cmp{k}",
                        neg(p & 2 != 0),
                        neg(p & 1 != 0)
                    );
                }
                2 => s += &format!("%MLOCK || {}%clp{}", neg(p & 1 != 0), p >> 1 & 3),
                _ => {}
            }
        }
        0xa..=0xd => s += "<reserved condition type>",
        _ => {}
    }
    s
}

/// HS statements.
pub(crate) fn hs(b: &Bundle, out: &mut Vec<String>) {
    if HS_LM.get(b.hs) != 0 {
        out.push("loop_mode".into());
    }
    let nop = HS_NOP.get(b.hs);
    if nop != 0 {
        out.push(format!("nop {nop}"));
    }
    if HS_SW.get(b.hs) != 0 {
        out.push("set_mark".into());
    }
}

/// SS statements.
pub(crate) fn ss(b: &Bundle, out: &mut Vec<String>) {
    let Some(ss) = b.ss() else { return };
    let cond = SS_CTCOND.get(ss);
    let ctop = SS_CTOP.get(ss);
    if SS_CT_TYPE.get(cond) != 0 && !cs1_is_call(b) && ctop != 0 {
        out.push(format!("ct %ctpr{ctop}{}", ctcond(cond)));
    }
    let ipd = SS_IPD.get(ss);
    if ipd != 0 {
        out.push(format!("ipd {ipd}"));
    }
    let sf1 = SS_TYPE.get(ss) == 0;
    if sf1 {
        if SS_EAP.get(ss) != 0 {
            out.push("eap".into());
        }
        if SS_BAP.get(ss) != 0 {
            out.push("bap".into());
        }
    }
    let rp = SS_SRP.get(ss) << 1 | SS_CRP.get(ss);
    if rp != 0 {
        let name = ["", "crp", "srp", "slrp"][rp as usize];
        let c = conditions(b, CondTarget::Rpc);
        if c.is_empty() {
            out.push(name.into());
        } else {
            out.push(format!("{name} ? {}", c.join(", ")));
        }
    }
    if sf1 {
        if SS_VFDI.get(ss) != 0 {
            out.push("vfdi".into());
        }
        let abg = SS_ABG.get(ss);
        if abg != 0 {
            out.push(format!("abg abgi={}, abgd={}", abg >> 1, abg & 1));
        }
        let pairs = [
            ("abn", "abnf", "abnt", SS_ABNF, SS_ABNT),
            ("abp", "abpf", "abpt", SS_ABPF, SS_ABPT),
            ("alc", "alcf", "alct", SS_ALCF, SS_ALCT),
        ];
        for (name, f, t, ff, tf) in pairs {
            let (fv, tv) = (ff.get(ss), tf.get(ss));
            if fv | tv != 0 {
                out.push(format!("{name} {f}={fv}, {t}={tv}"));
            }
        }
    } else if ss & FLUSHTS_SS_MASK == FLUSHTS_SS {
        out.push("flushts".into());
    }
}

/// CS0 statements.
pub(crate) fn cs0(b: &Bundle, out: &mut Vec<String>) {
    let Some(cs0) = b.cs0() else { return };
    let ctpr = CS0_CTPR.get(cs0);
    let opc = CS0_CTP_OPC.get(cs0);
    let param = CS0_PARAM.get(cs0);
    let target = b.addr.wrapping_add(cs0_disp_bytes(cs0) as u64);
    match (ctpr, opc) {
        (0, 0) | (0, 3) => {
            let name = match (opc, param) {
                (0, _) => "ibranch",
                (_, 2) => "iret",
                (_, 3) => "hret",
                (_, 4) => "glaunch",
                _ => "done",
            };
            let ss = b.ss().unwrap_or(0);
            if b.ss().is_none() || SS_CTOP.get(ss) != 0 {
                out.push(format!("invalid {name}"));
                return;
            }
            let cond = SS_CTCOND.get(ss);
            let hicall = b
                .cs1()
                .is_some_and(|c| CS1_OPC.get(c) == cs1::CALL && matches!(CS1_CTOPC.get(c), 1 | 2));
            if cond != 0 && !hicall {
                if opc == 0 {
                    out.push(format!("ibranch 0x{target:x}{}", ctcond(cond)));
                } else {
                    out.push(format!("{name}{}", ctcond(cond)));
                }
            }
        }
        (0, 1) => out.push(format!(
            "pref %ipr{}, disp = 0x{:x}, ipd = {}",
            CS0_IPR.get(cs0),
            CS0_PDISP.get(cs0),
            CS0_IPD.get(cs0)
        )),
        (0, 2) => out.push(format!("puttsd 0x{target:x}")),
        (_, 0) => out.push(format!("disp %ctpr{ctpr}, 0x{target:x}")),
        (2, 1) => out.push(format!("ldisp %ctpr{ctpr}, 0x{target:x}")),
        // sdisp: the system-call entry number is the low 5 bits of CS0.disp.
        (_, 2) => out.push(format!(
            "sdisp %ctpr{ctpr}, 0x{:x}",
            CS0_DISP.get(cs0) & 0x1f
        )),
        (3, 3) if param != 1 => out.push(format!("return %ctpr{ctpr}")),
        (_, 3) if param == 1 => out.push(format!("gettsd %ctpr{ctpr}")),
        (_, 3) => out.push(format!("invalid gettsd %ctpr{ctpr}")),
        _ => out.push(format!("invalid cs0 = 0x{cs0:08x}")),
    }
}

/// WAIT flag names by bit, highest first as objdump prints them.
const WAIT_FLAGS: [(&str, u32, u8); 14] = [
    ("mem_mod", 13, 6),
    ("int", 12, 6),
    ("mt", 11, 6),
    ("lal", 10, 6),
    ("las", 9, 6),
    ("sal", 8, 5),
    ("sas", 7, 5),
    ("trap", 6, 2),
    ("ma_c", 5, 1),
    ("fl_c", 4, 1),
    ("ld_c", 3, 1),
    ("st_c", 2, 1),
    ("all_e", 1, 1),
    ("all_c", 0, 1),
];

fn wait(c: u32, iset: u8) -> String {
    let flags = CS1_WAIT_FLAGS.get(c);
    let bit = |n: u32| flags >> n & 1;
    let mut parts = Vec::new();
    for (name, n, since) in WAIT_FLAGS {
        if iset < since {
            continue;
        }
        let shown = match name {
            // v6 flags: only when set (objdump of that era does not know them).
            "mem_mod" | "int" | "mt" | "lal" | "las" => bit(n) != 0,
            // sal/sas qualify ld_c/st_c and are shown with them.
            "sal" => bit(3) != 0,
            "sas" => bit(2) != 0,
            _ => true,
        };
        if shown {
            parts.push(format!("{name} = {}", bit(n)));
        }
    }
    format!("wait {}", parts.join(", "))
}

/// CS1 statements.
pub(crate) fn cs1(b: &Bundle, iset: u8, out: &mut Vec<String>) {
    let Some(c) = b.cs1() else { return };
    match CS1_OPC.get(c) {
        op @ (cs1::SETR0 | cs1::SETR1 | cs1::SETBR) => {
            if op != cs1::SETBR {
                match b.lts(0) {
                    None => {
                        if op == cs1::SETR1 {
                            out.push("<bogus vfrpsz>".into());
                        }
                        out.push("<bogus setwd>".into());
                    }
                    Some(l) => {
                        if op == cs1::SETR1 {
                            out.push(format!("vfrpsz rpsz = 0x{:x}", LTS0_RPSZ.get(l)));
                        }
                        let mut s = format!(
                            "setwd wsz = 0x{:x}, nfx = 0x{:x}",
                            LTS0_WSZ.get(l),
                            LTS0_NFX.get(l)
                        );
                        if iset >= 3 {
                            s += &format!(", dbl = 0x{:x}", LTS0_DBL.get(l));
                        }
                        out.push(s);
                        if CS1_SETTR.get(c) != 0 {
                            out.push(format!("settr type = 0x{:x}", LTS0_TYPE.get(l)));
                        }
                    }
                }
            }
            if CS1_SETBN.get(c) != 0 {
                out.push(format!(
                    "setbn rbs = 0x{:x}, rsz = 0x{:x}, rcur = 0x{:x}",
                    CS1_RBS.get(c),
                    CS1_RSZ.get(c),
                    CS1_RCUR.get(c)
                ));
            }
            if CS1_SETBP.get(c) != 0 {
                out.push(format!("setbp psz = 0x{:x}", CS1_PSZ.get(c)));
            }
        }
        cs1::SETEI => {
            if CS1_SFT.get(c) != 0 {
                out.push(if iset >= 2 { "setsft" } else { "unimp" }.into());
            } else {
                out.push(format!("setei 0x{:x}", CS1_VALUE.get(c)));
            }
        }
        cs1::WAIT => out.push(wait(c, iset)),
        cs1::CALL => {
            let ss = b.ss().unwrap_or(0);
            let ctop = SS_CTOP.get(ss);
            let wbs = CS1_WBS.get(c);
            let cond = ctcond(SS_CTCOND.get(ss));
            if ctop != 0 {
                out.push(format!("call %ctpr{ctop}, wbs = 0x{wbs:x}{cond}"));
                return;
            }
            let ctopc = CS1_CTOPC.get(c);
            match b.cs0() {
                Some(cs0) if matches!(ctopc, 1 | 2) => {
                    if CS0_CTPR.get(cs0) == 0 && CS0_CTP_OPC.get(cs0) == 0 {
                        if ctopc == 2 {
                            let hdisp = CS0_HDISP.get(cs0);
                            out.push(format!("hcall 0x{hdisp:x}, wbs = 0x{wbs:x}{cond}"));
                        } else {
                            let disp = CS0_DISP.get(cs0);
                            out.push(format!("icall 0x{disp:x}, wbs = 0x{wbs:x}{cond}"));
                        }
                    } else {
                        out.push("<bogus call>".into());
                    }
                }
                _ => out.push("<bogus call>".into()),
            }
        }
        cs1::MAS => {}
        cs1::FLUSH => {
            let f = CS1_FLUSH_FLAGS.get(c);
            let unimp = if iset < 6 { "unimp " } else { "" };
            if f & 1 != 0 {
                out.push("flushr".into());
            }
            if f & 2 != 0 {
                out.push("flushc".into());
            }
            if f & 4 != 0 {
                out.push(format!("{unimp}fillr"));
            }
            if f & 8 != 0 {
                out.push(format!("{unimp}fillc"));
            }
        }
        cs1::BG => out.push(format!(
            "vfbg umask = 0x{:x}, dmask = 0x{:x}, chkm4 = 0x{:x}",
            CS1_UMASK.get(c),
            CS1_DMASK.get(c),
            CS1_CHKM4.get(c)
        )),
        _ => out.push(format!("unimp cs1 = 0x{c:08x}")),
    }
}
