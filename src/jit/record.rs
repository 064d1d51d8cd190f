//! Building a JIT trace from the interpreter's pre-decoded bundles: starting at a hot
//! head, follow the likely path (fall through conditional transfers unless they close
//! the loop back to the head; follow unconditional ones) while every bundle has a lean
//! fast form, and translate each into the JIT's trace description. The facts the trace
//! relies on (window size, WD.dbl, predicate rotation, tag checking, CTPR contents) are
//! recorded as a guard that entry checks.

use crate::cpu::fast::{FastBundle, FastKind};
use crate::cpu::lean::{LeanDst, AREA_GLOBAL, AREA_IMM, AREA_WIN};
use crate::cpu::predecode::{Prep, XBundle, Xfer, W};
use crate::cpu::state::{ctpr_make, ctpr_tag, ctpr_target, Br, Cpu, CTPR_TAG_DISP};
use e2k_isa::tables::ALOPS;
use e2kemu_jit as j;
use std::rc::Rc;

/// Longest trace, in bundles.
pub const MAX_BUNDLES: usize = 48;

/// Native lowering that can be switched off per class (`-jit-disable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Disabled {
    /// add/sub/logic
    pub alu: bool,
    /// shifts and rotates
    pub shift: bool,
    /// integer compares
    pub cmp: bool,
}

impl Disabled {
    /// Parses `-jit-disable CLASS,...` (`alu`, `shift`, `cmp`, `native` = all).
    pub fn parse(s: &str) -> Result<Disabled, String> {
        let mut d = Disabled::default();
        for c in s.split(',').filter(|c| !c.is_empty()) {
            match c {
                "alu" => d.alu = true,
                "shift" => d.shift = true,
                "cmp" => d.cmp = true,
                "native" => {
                    d.alu = true;
                    d.shift = true;
                    d.cmp = true;
                }
                _ => {
                    return Err(format!(
                        "unknown -jit-disable class '{c}' (classes: alu, shift, cmp, native)"
                    ))
                }
            }
        }
        Ok(d)
    }
}

/// The CPU state a trace is built against.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub wdbl: bool,
    pub br: Br,
    pub ctpr: [u64; 4],
    pub tags_on: bool,
}

impl View {
    pub fn of(cpu: &Cpu) -> View {
        View {
            wdbl: cpu.wdbl,
            br: cpu.br,
            ctpr: cpu.ctpr,
            tags_on: cpu.tags_on,
        }
    }
}

/// What entry must find true for the trace to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guard {
    /// one more than the highest window register named
    pub wneed: u32,
    pub wdbl: bool,
    /// BR as recorded (predicate rotation resolved against it)
    pub br: u64,
    pub tags_on: bool,
}

/// The native form of spec operation `id`, if it has one and its class is enabled.
pub fn native_of(id: u16, off: Disabled) -> Option<j::Native> {
    use j::Native::*;
    let path = ALOPS.get(id as usize)?.sem_path;
    // 64-bit forms; the 32-bit bitwise/add/sub forms give the same low word
    let (alu, shift, cmp) = (!off.alu, !off.shift, !off.cmp);
    let n = match path {
        "int::addd" | "int::adds" | "int::op_d::<8>" | "int::op_s::<8>" if alu => Add,
        "int::op_d::<9>" | "int::op_s::<9>" if alu => Sub,
        "int::op_d::<0>" | "int::op_s::<0>" if alu => And,
        "int::op_d::<1>" | "int::op_s::<1>" if alu => AndN,
        "int::op_d::<2>" | "int::op_s::<2>" if alu => Or,
        "int::op_d::<3>" | "int::op_s::<3>" if alu => OrN,
        "int::op_d::<4>" | "int::op_s::<4>" if alu => Xor,
        "int::op_d::<5>" | "int::op_s::<5>" if alu => XorN,
        "int::op_d::<10>" if shift => Rotl,
        "int::op_d::<11>" if shift => Rotr,
        "int::op_d::<12>" if shift => Shl,
        "int::op_d::<13>" if shift => Shr,
        "int::op_d::<14>" if shift => Sar,
        "icmp::cmpd::<1>" if cmp => CmpULt,
        "icmp::cmpd::<2>" if cmp => CmpEq,
        "icmp::cmpd::<3>" if cmp => CmpULe,
        "icmp::cmpd::<6>" if cmp => CmpSLt,
        "icmp::cmpd::<7>" if cmp => CmpSLe,
        _ => return None,
    };
    Some(n)
}

/// Translates one bundle; None when it cannot be part of a trace.
fn bundle(
    x: &XBundle,
    f: &FastBundle,
    cpu: &View,
    off: Disabled,
    wneed: &mut u32,
) -> Option<j::Bundle> {
    if f.lean.len() != f.ops.len() {
        return None;
    }
    let mut ops = Vec::with_capacity(f.lean.len());
    for l in &f.lean {
        let mut src = [j::Src::Zero; 3];
        for (k, s) in src.iter_mut().enumerate() {
            let off = l.off[k];
            *s = match l.area[k] {
                AREA_WIN => {
                    *wneed = (*wneed).max(off as u32 + 1);
                    j::Src::Win(off)
                }
                AREA_GLOBAL => j::Src::Glob(off & 31),
                AREA_IMM => j::Src::Imm(*f.imms.get(off as usize)? as u64),
                _ => j::Src::Zero,
            };
        }
        let width = |w: W| -> Option<j::Width> {
            match w {
                W::D => Some(j::Width::D),
                W::S if cpu.wdbl && !l.dbl_exempt => Some(j::Width::S64),
                W::S => Some(j::Width::S32),
                _ => None,
            }
        };
        let dst = match l.dst {
            LeanDst::WinD(n) => {
                *wneed = (*wneed).max(n as u32 + 1);
                j::Dst::Win(n, j::Width::D)
            }
            LeanDst::Win(n) => {
                *wneed = (*wneed).max(n as u32 + 1);
                j::Dst::Win(n, width(l.w)?)
            }
            LeanDst::Global(n) => j::Dst::Glob(n & 31, width(l.w)?),
            LeanDst::Pred(n) => j::Dst::Pred(cpu.br.pred_phys(n as u32) as u8),
            LeanDst::Nothing => j::Dst::None,
        };
        let kind = match l.kind {
            FastKind::Sem64(_) => match native_of(l.id, off) {
                Some(n) => j::Kind::Native(n),
                None => j::Kind::Helper(l.id),
            },
            FastKind::Load(n) => j::Kind::Load(n),
            FastKind::Store(n) => j::Kind::Store(n),
            FastKind::Sem(_) => return None,
        };
        ops.push(j::Op {
            kind,
            src,
            tmask: l.tmask,
            dst,
        });
    }
    let prep = match f.prep {
        None => None,
        Some(Prep::Disp { ctpr, target }) => Some((ctpr, ctpr_make(target, CTPR_TAG_DISP, 0, 3))),
        Some(_) => return None,
    };
    let cond = match f.cond.kind {
        1 => j::Cond::Always,
        2 | 3 => j::Cond::Pred {
            phys: cpu.br.pred_phys(f.cond.psrc as u32) as u8,
            invert: f.cond.kind == 3,
        },
        _ => j::Cond::Always,
    };
    let xfer = match f.xfer {
        Xfer::None => j::Xfer::None,
        Xfer::Ct(n) => {
            let (expect, static_ctpr) = match prep {
                Some((p, v)) if p == n => (v, true),
                _ => (cpu.ctpr[n as usize & 3], false),
            };
            if ctpr_tag(expect) != CTPR_TAG_DISP {
                return None;
            }
            j::Xfer::Ct {
                cond,
                ctpr: n,
                expect,
                static_ctpr,
                target: ctpr_target(expect),
            }
        }
        Xfer::Ibranch(t) => j::Xfer::Ibranch { cond, target: t },
        _ => return None,
    };
    if !matches!(f.xfer, Xfer::None) && !matches!(f.cond.kind, 1..=3) {
        return None;
    }
    Some(j::Bundle {
        addr: x.addr,
        next: f.next,
        ops,
        prep,
        xfer,
    })
}

/// Records the trace starting at `head`; `fetch` gives the decoded bundle at an address.
pub fn record(
    head: u64,
    cpu: &View,
    off: Disabled,
    mut fetch: impl FnMut(u64) -> Option<Rc<XBundle>>,
) -> Option<(j::Trace, Guard)> {
    let mut out: Vec<j::Bundle> = Vec::new();
    let mut wneed = 0u32;
    let mut addr = head;
    while out.len() < MAX_BUNDLES {
        let Some(x) = fetch(addr) else { break };
        let Some(f) = x.fast.as_ref() else { break };
        let Some(b) = bundle(&x, f, cpu, off, &mut wneed) else {
            break;
        };
        let succ = match b.xfer {
            j::Xfer::None => b.next,
            j::Xfer::Ct { cond, target, .. } | j::Xfer::Ibranch { cond, target } => {
                if cond == j::Cond::Always || target == head {
                    target
                } else {
                    b.next
                }
            }
        };
        out.push(b);
        if succ == head || out.iter().any(|b| b.addr == succ) {
            break;
        }
        addr = succ;
    }
    if out.is_empty() {
        return None;
    }
    Some((
        j::Trace { bundles: out },
        Guard {
            wneed,
            wdbl: cpu.wdbl,
            br: cpu.br.to_raw(),
            tags_on: cpu.tags_on,
        },
    ))
}
