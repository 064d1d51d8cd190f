//! Building a JIT trace from the interpreter's pre-decoded bundles: starting at a hot
//! head, follow the likely path (fall through conditional transfers unless they close
//! the loop back to the head; follow unconditional ones) while every bundle is one the
//! JIT can run (64-bit operations with spec helpers, loads/stores, predicate guards,
//! loop mode, rotation stubs), and translate each into the JIT's trace description.
//! Rotation that does not change inside the trace is resolved here. The facts the
//! trace relies on (window size, WD.dbl, BR, tag checking, CTPR contents) are recorded
//! as a guard that entry checks.

use crate::cpu::predecode::{Dst, Prep, Src, XBundle, XKind, Xfer, W};
use crate::cpu::state::{
    ctpr_make, ctpr_tag, ctpr_target, Br, Cpu, CTPR_TAG_DISP, CTPR_TAG_RETURN,
};
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
    /// f64 add/subtract/multiply
    pub fp: bool,
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
                "fp" => d.fp = true,
                "native" => {
                    d.alu = true;
                    d.shift = true;
                    d.cmp = true;
                    d.fp = true;
                }
                _ => {
                    return Err(format!(
                        "unknown -jit-disable class '{c}' (classes: alu, shift, cmp, fp, native)"
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

/// A predicate reference as the trace keeps it: logical numbers inside the rotating
/// area stay logical (resolved later, statically or at run time).
fn pref(n: u8, br: &Br) -> j::PRef {
    let n = n & 31;
    if (n as u32) <= br.psz as u32 {
        j::PRef::Rot(n)
    } else {
        j::PRef::Phys(n)
    }
}

/// The host-FP form of spec operation `id`, if it has one and FP lowering is enabled.
pub fn fp_of(id: u16, off: Disabled) -> Option<j::FpOp> {
    if off.fp {
        return None;
    }
    Some(match ALOPS.get(id as usize)?.sem_path {
        "fp::add::<u64>" => j::FpOp::AddD,
        "fp::sub::<u64>" => j::FpOp::SubD,
        "fp::mul::<u64>" => j::FpOp::MulD,
        _ => return None,
    })
}

/// Translates one bundle; Err(why) when it cannot be part of a trace.
fn bundle(x: &XBundle, cpu: &View, off: Disabled) -> Result<j::Bundle, &'static str> {
    if x.illegal.is_some() {
        return Err("illegal bundle");
    }
    if x.setbn.is_some() || x.setbp.is_some() {
        return Err("setbn/setbp");
    }
    // a setwd with d=1 makes this bundle's 32-bit results 64-bit already
    let wdbl = cpu.wdbl || x.setwd.is_some_and(|s| s.2);
    if x.npls != 0 {
        return Err("pls");
    }
    if !x.mova.is_empty() || x.bap || x.eap {
        return Err("aau");
    }
    if x.setsft || x.writes_ctpr || x.abg != 0 {
        return Err("setsft/ctpr write/abg");
    }
    let mut ops = Vec::with_capacity(x.ops.len());
    for op in &x.ops {
        if op.mrgc.is_some()
            || op.dst2.is_some()
            || op.src3_2.is_some()
            || op.is_merge
            || op.p_src != 0xff
            || op.nsrc > 3
            || op.mas != 0
            || op.no_tag_check
        {
            return Err(op.def.name);
        }
        if op.sm {
            return Err("speculative op");
        }
        let kind = match op.kind {
            XKind::Sem(_) if op.def.sem64.is_some() => match native_of(op.def.id, off) {
                Some(n) => j::Kind::Native(n),
                None => match fp_of(op.def.id, off) {
                    Some(f) => j::Kind::Fp(f, op.def.id),
                    None => j::Kind::Helper(op.def.id),
                },
            },
            XKind::Load(n) if matches!(n, 1 | 2 | 4 | 8) => j::Kind::Load(n),
            XKind::Store(n) if matches!(n, 1 | 2 | 4 | 8) => j::Kind::Store(n),
            _ => return Err(op.def.name),
        };
        let mut src = [j::Src::Zero; 3];
        for (k, s) in src.iter_mut().enumerate() {
            *s = match op.src[k] {
                Src::Reg(n) => j::Src::Win(n),
                Src::Greg(n) => j::Src::Glob(n & 31),
                Src::Breg(n) => j::Src::Based(n),
                Src::Imm(v) => j::Src::Imm(v as u64),
                Src::None => j::Src::Zero,
            };
        }
        let width = || {
            if matches!(kind, j::Kind::Load(_)) {
                return Ok(j::Width::D);
            }
            match op.rw {
                W::D => Ok(j::Width::D),
                W::S if wdbl && !op.dbl_exempt => Ok(j::Width::S64),
                W::S => Ok(j::Width::S32),
                _ => Err("result width"),
            }
        };
        let dst = match op.dst {
            Dst::Reg(n) => j::Dst::Win(n, width()?),
            Dst::Greg(n) => j::Dst::Glob(n & 31, width()?),
            Dst::Breg(n) => j::Dst::Based(n, width()?),
            Dst::Pred(n) => j::Dst::Pred(pref(n, &cpu.br)),
            Dst::Empty | Dst::None => j::Dst::None,
            Dst::Ctpr(_) => return Err("ctpr write"),
        };
        if matches!(kind, j::Kind::Store(_)) != matches!(dst, j::Dst::None) {
            return Err("result kind");
        }
        let mut rlp = [None; 4];
        for (t, c) in rlp.iter_mut().zip(op.rlp.iter()) {
            *t = match c {
                None => None,
                Some(c) => Some(match c.psrc {
                    0x60..=0x7f => j::Term::Pred(pref(c.psrc & 31, &cpu.br), c.neg),
                    0x40..=0x5f => j::Term::Pcnt(c.psrc & 31, c.neg),
                    0 => j::Term::LcntZero(c.neg),
                    _ => return Err("predicate source"),
                }),
            };
        }
        ops.push(j::Op {
            kind,
            src,
            dst,
            rlp,
        });
    }
    let prep = match x.prep {
        None | Some(Prep::Return) => None,
        Some(Prep::Disp { ctpr, target }) => Some((ctpr, ctpr_make(target, CTPR_TAG_DISP, 0, 3))),
        Some(_) => return Err("ctpr preparation other than disp/return"),
    };
    let prep_return = matches!(x.prep, Some(Prep::Return));
    let cond = match x.ct_cond.kind {
        1 => j::Cond::Always,
        k @ (2..=7 | 0xe | 0xf) => j::Cond::Ct {
            kind: k,
            p: pref(x.ct_cond.psrc, &cpu.br),
        },
        _ if matches!(x.xfer, Xfer::None) => j::Cond::Always,
        _ => return Err("transfer condition"),
    };
    // the CTPR a transfer goes through: this bundle's `disp`, or the value the path
    // leaves there (checked when the transfer is taken)
    let ctpr_of = |n: u8| match prep {
        Some((p, v)) if p == n => (v, true),
        _ => (cpu.ctpr[n as usize & 3], false),
    };
    let xfer = match x.xfer {
        Xfer::None => j::Xfer::None,
        Xfer::Ct(3) if prep_return || ctpr_tag(cpu.ctpr[3]) == CTPR_TAG_RETURN => {
            j::Xfer::Return { cond }
        }
        Xfer::Ct(n) => {
            let (expect, static_ctpr) = ctpr_of(n);
            if ctpr_tag(expect) != CTPR_TAG_DISP {
                return Err("ct through a CTPR not prepared by disp");
            }
            j::Xfer::Ct {
                cond,
                ctpr: n,
                expect,
                static_ctpr,
                target: ctpr_target(expect),
            }
        }
        Xfer::Call(n, wbs) => {
            let (expect, static_ctpr) = ctpr_of(n);
            if ctpr_tag(expect) != CTPR_TAG_DISP {
                return Err("call through a CTPR not prepared by disp (system call)");
            }
            j::Xfer::Call {
                cond,
                ctpr: n,
                expect,
                static_ctpr,
                target: ctpr_target(expect),
                wbs,
            }
        }
        Xfer::Ibranch(t) => j::Xfer::Ibranch { cond, target: t },
        _ => return Err("transfer kind"),
    };
    Ok(j::Bundle {
        addr: x.addr,
        next: x.addr.wrapping_add(x.len as u64),
        ops,
        prep,
        prep_return,
        setwd: x.setwd,
        xfer,
        loop_mode: x.loop_mode,
        alc: x.alc,
        abn: x.abn,
        abp: x.abp,
    })
}

/// Resolves rotation that does not vary inside the trace against BR `br`: based
/// registers become window registers, logical predicates physical ones.
fn fix_rotation(t: &mut j::Trace, br: Br) {
    let (dyn_regs, dyn_preds) = (
        t.bundles.iter().any(|b| b.abn != 0),
        t.bundles.iter().any(|b| b.abp != 0),
    );
    let breg = |n: u8| -> u8 {
        let bsize = br.bsize();
        let r = (2 * br.rcur as u32 + n as u32) % bsize.max(1);
        (2 * br.rbs as u32 + r) as u8
    };
    let p = |r: &mut j::PRef| {
        if let j::PRef::Rot(n) = *r {
            if !dyn_preds {
                *r = j::PRef::Phys(br.pred_phys(n as u32) as u8);
            }
        }
    };
    for b in &mut t.bundles {
        for op in &mut b.ops {
            for s in &mut op.src {
                if let (j::Src::Based(n), false) = (*s, dyn_regs) {
                    *s = j::Src::Win(breg(n));
                }
            }
            match &mut op.dst {
                j::Dst::Based(n, w) if !dyn_regs => op.dst = j::Dst::Win(breg(*n), *w),
                j::Dst::Pred(r) => p(r),
                _ => {}
            }
            for t in op.rlp.iter_mut().flatten() {
                if let j::Term::Pred(r, _) = t {
                    p(r);
                }
            }
        }
        match &mut b.xfer {
            j::Xfer::Ct {
                cond: j::Cond::Ct { p: r, .. },
                ..
            }
            | j::Xfer::Ibranch {
                cond: j::Cond::Ct { p: r, .. },
                ..
            }
            | j::Xfer::Call {
                cond: j::Cond::Ct { p: r, .. },
                ..
            }
            | j::Xfer::Return {
                cond: j::Cond::Ct { p: r, .. },
            } => p(r),
            _ => {}
        }
    }
    t.rot = (dyn_regs || dyn_preds).then_some(j::Rotation {
        rbs: br.rbs,
        rsz: br.rsz,
        psz: br.psz,
        dyn_regs,
        dyn_preds,
    });
}

/// Whether a based-register operand `n` is outside the based area.
fn based_out_of_area(t: &j::Trace, br: Br) -> bool {
    let bsize = br.bsize();
    t.bundles.iter().flat_map(|b| &b.ops).any(|op| {
        op.src
            .iter()
            .any(|s| matches!(*s, j::Src::Based(n) if n as u32 >= bsize))
            || matches!(op.dst, j::Dst::Based(n, _) if n as u32 >= bsize)
    })
}

/// One more than the highest window register the trace names while the window is the
/// one at entry (the based area counts whole when its rotation varies); once a `setwd`
/// fixes the size, registers must lie below it: Err(i) names the first bundle that
/// names one beyond (the trace must end before it).
fn window_need(t: &j::Trace) -> Result<u32, usize> {
    let mut need = 0u32;
    // the window size once a setwd set it (None: the size at entry)
    let mut known: Option<u32> = None;
    for (i, b) in t.bundles.iter().enumerate() {
        let after = b.setwd.map(|s| s.0).or(known);
        for op in &b.ops {
            // sources read the size before the bundle, results land in the one after
            let regs = op
                .src
                .iter()
                .filter_map(|s| match *s {
                    j::Src::Win(n) => Some((n as u32, known)),
                    _ => None,
                })
                .chain(match op.dst {
                    j::Dst::Win(n, _) => Some((n as u32, after)),
                    _ => None,
                });
            for (n, size) in regs {
                match size {
                    None => need = need.max(n + 1),
                    Some(w) if n < w => {}
                    Some(_) => return Err(i),
                }
            }
        }
        known = after;
    }
    if let Some(r) = t.rot {
        if r.dyn_regs {
            if t.bundles.iter().any(|b| b.setwd.is_some()) {
                return Err(0);
            }
            need = need.max(2 * r.rbs as u32 + 2 * r.rsz as u32 + 2);
        }
    }
    Ok(need)
}

/// Records the trace starting at `head`; `fetch` gives the decoded bundle at an address.
/// `stopped` learns why recording stopped early at a bundle it could not translate.
pub fn record(
    head: u64,
    cpu: &View,
    off: Disabled,
    mut fetch: impl FnMut(u64) -> Option<Rc<XBundle>>,
    stopped: &mut dyn FnMut(&'static str),
) -> Option<j::Trace> {
    let mut out: Vec<j::Bundle> = Vec::new();
    let mut addr = head;
    // the state as the path goes on: CTPRs prepared and WD.dbl set along it
    let mut view = *cpu;
    while out.len() < MAX_BUNDLES {
        let Some(x) = fetch(addr) else { break };
        let b = match bundle(&x, &view, off) {
            Ok(b) => b,
            Err(why) => {
                stopped(why);
                break;
            }
        };
        if let Some((n, v)) = b.prep {
            view.ctpr[n as usize & 3] = v;
        }
        if b.prep_return {
            view.ctpr[3] = ctpr_make(0, CTPR_TAG_RETURN, 0, 3);
        }
        if let Some((_, _, d)) = b.setwd {
            view.wdbl = d;
        }
        let succ = match b.xfer {
            j::Xfer::None => b.next,
            j::Xfer::Ct { cond, target, .. } | j::Xfer::Ibranch { cond, target } => {
                if cond == j::Cond::Always || target == head {
                    target
                } else {
                    b.next
                }
            }
            // calls and returns end the trace when taken
            j::Xfer::Call { cond, .. } | j::Xfer::Return { cond } => {
                if cond == j::Cond::Always {
                    out.push(b);
                    break;
                }
                b.next
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
    let br = cpu.br;
    let mut t = j::Trace {
        bundles: out,
        rot: None,
        entry: j::Entry {
            wneed: 0,
            wdbl: cpu.wdbl,
            tags_on: cpu.tags_on,
            br_fixed: Br {
                rcur: 0,
                pcur: 0,
                ..br
            }
            .to_raw(),
            rcur: Some(br.rcur),
            pcur: Some(br.pcur),
        },
    };
    if based_out_of_area(&t, cpu.br) {
        stopped("based register outside the based area");
        return None;
    }
    fix_rotation(&mut t, cpu.br);
    t.entry.wneed = loop {
        match window_need(&t) {
            Ok(n) => break n,
            Err(0) => {
                stopped("register beyond the window set by setwd");
                return None;
            }
            Err(i) => {
                stopped("register beyond the window set by setwd");
                t.bundles.truncate(i);
            }
        }
    };
    if let Some(r) = t.rot {
        if r.dyn_regs {
            t.entry.rcur = None;
        }
        if r.dyn_preds {
            t.entry.pcur = None;
        }
    }
    Some(t)
}
