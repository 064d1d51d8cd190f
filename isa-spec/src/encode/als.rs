//! ALU-channel statements: operand byte encoding per format (including the two-channel
//! forms of quad operations), short/long literal selection for src2, ALES contents,
//! MAS, predicates and implicit delays.

use super::builder::{err, AlsEntry, EResult, WideBuilder};
use super::control::CtCond;
use super::literals::{self, Literal};
use super::operand::{LitSpec, Opnd, Pred, Reg, SymKind, Value, LIT16, LIT32, LIT64};
use super::ops::AluOp;
use crate::fields::*;
use crate::tables::{Format, Opnd as Kind};

/// The operands of an ALU statement, by syntax family.
#[derive(Debug, Clone, PartialEq)]
pub enum AlsArgs {
    /// ALOPF1/11 (and loads): src1, src2, dst; stores (ALOPF3/13): src1, src2, src3.
    /// Operands are already in encoding order.
    Three { src1: Opnd, src2: Opnd, last: Opnd },
    /// ALOPF11_LIT8: src1, src2, literal8, dst.
    Lit8 {
        src1: Opnd,
        src2: Opnd,
        lit8: u64,
        dst: Opnd,
    },
    /// ALOPF2/12/22/12_IBRANCHD: src2, dst.
    Two { src2: Opnd, dst: Opnd },
    /// ALOPF12_ICALLD: wbs, src2, dst.
    IcallD { wbs: u8, src2: Opnd, dst: Opnd },
    /// ALOPF12_PSHUFH: src2, order, dst.
    Pshufh { src2: Opnd, order: u8, dst: Opnd },
    /// ALOPF7/17: src1, src2, %predN.
    Cmp { src1: Opnd, src2: Opnd, pdst: u32 },
    /// ALOPF8: src2, %predN.
    Cctop { src2: Opnd, pdst: u32 },
    /// MERGE: src1, src2, dst (condition in `mrgc`).
    Merge { src1: Opnd, src2: Opnd, dst: Opnd },
    /// ALOPF21(_MERGE): src1, src2, src3, dst.
    Four {
        src1: Opnd,
        src2: Opnd,
        src3: Opnd,
        dst: Opnd,
    },
    /// ALOPF15: src2 written to state register `regn`; `wait` adds `wait all_e=1`
    /// to a braceless statement.
    SregW { src2: Opnd, regn: u8, wait: bool },
    /// ALOPF16: state register `regn` read into dst; `nop4` adds `nop 4` braceless.
    SregR { regn: u8, dst: Opnd, nop4: bool },
    /// ALOPF10 (staa*): value, %aadN, %aastiM [+ literal].
    Staa { src3: Opnd, aad: u32, aasti: Aasti },
    /// ALOPF19 (ldaa*): %aadN, %aastiM [+ literal], dst.
    Ldaa { aad: u32, aasti: Aasti, dst: Opnd },
    /// AAURW: value, AAU register (ALS[23:8] value).
    AauW { src3: Opnd, opce1: u16 },
    /// AAURR: AAU register, dst.
    AauR { opce1: u16, dst: Opnd },
    /// mmurr: MMU register address and MAS, read channel, dst.
    Mmurr {
        addr: u32,
        mas: u8,
        rch: u8,
        dst: Opnd,
    },
    /// mmurw: value, MMU register address and MAS.
    Mmurw { src3: Opnd, addr: u32, mas: u8 },
}

/// The `%aastiN [+ literal]` part of staa/ldaa (None when it could not be parsed).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aasti {
    pub idx: u8,
    pub lit: Option<Value>,
}

/// One ALU statement.
#[derive(Debug, Clone, PartialEq)]
pub struct AlsStmt {
    pub op: AluOp,
    /// Explicit channel (`op,N`).
    pub chan: Option<u32>,
    pub sm: bool,
    pub args: AlsArgs,
    /// The statement's `_fNN`/`_ltsN`/`_litNN_ref` specifiers.
    pub spec: LitSpec,
    /// `mas=N` (None when absent).
    pub mas: Option<u32>,
    /// `? %predN` (RLP).
    pub pred: Option<Pred>,
    /// `? %pcntN` (RLP).
    pub pcnt: Option<Pred>,
    /// Merge condition.
    pub mrgc: Option<Pred>,
    /// Transfer condition of ibranchd/icalld.
    pub ctcond: Option<CtCond>,
}

struct Enc<'a> {
    op: &'a AluOp,
    n: usize,
    same_src1: bool,
    vals: [u32; 2],
}

impl Enc<'_> {
    fn set(&mut self, f: crate::tables::BitField, bytes: [u8; 2]) {
        for (v, b) in self.vals.iter_mut().zip(bytes).take(self.n) {
            *v = f.set(*v, b as u32);
        }
    }

    fn quad(&self, arg: usize) -> bool {
        self.n == 2 && self.op.arg(arg) == Kind::Q
    }

    /// Register through the load/store and src2 path: quad pairs get `(N & ~1) + i`.
    fn reg_masked(&self, r: u8, arg: usize, is_src1: bool) -> [u8; 2] {
        if self.quad(arg) && !(is_src1 && self.same_src1) {
            [r & 0xfe, (r & 0xfe) + 1]
        } else {
            [r, r]
        }
    }

    /// Register through the src1/src3/dst path: quad pairs get N and N+1.
    fn reg_inc(&self, r: &Reg, arg: usize, is_src1: bool) -> [u8; 2] {
        if self.quad(arg) && !(is_src1 && self.same_src1) {
            [r.byte(), r.byte_plus(1)]
        } else {
            [r.byte(), r.byte()]
        }
    }
}

fn src1_value(o: &Opnd) -> EResult<u8> {
    match o {
        Opnd::Value(Value::Const(v)) if (0..=31).contains(v) => Ok(0xc0 | *v as u8),
        _ => err("Invalid argument in position of SRC1."),
    }
}

impl WideBuilder {
    /// Adds an ALU statement.
    pub fn add_als(&mut self, st: AlsStmt) -> EResult<()> {
        self.any = true;
        let r = self.add_als_inner(st);
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn add_als_inner(&mut self, st: AlsStmt) -> EResult<()> {
        if self.alses.len() >= 6 {
            return err("An excessive ALF instruction");
        }
        let op = st.op;
        let fmt = op.fmt();
        let pair = op.pair_kind();
        let n = if pair == super::ops::PairKind::Single {
            1
        } else {
            2
        };
        let positions: Vec<u8> = match st.chan {
            Some(c) => {
                if c >= 6 || !op.allows(c as usize) {
                    return err(format!("illegal channel number for `{}'", op.name));
                }
                vec![c as u8]
            }
            None => (0..6u8).filter(|&c| op.allows(c as usize)).collect(),
        };
        let explicit = st.chan.is_some();
        if explicit && st.sm {
            if let Some((c0, c1)) = op.real_channels(positions[0]) {
                self.explicit_alces |= 1 << c0;
                if let (Some(c1), true) = (c1, n == 2) {
                    self.explicit_alces |= 1 << c1;
                }
            }
        }
        let base = ALS_COP.set(0, op.main.opc as u32) | if st.sm { 1 << 31 } else { 0 };
        let mut e = Enc {
            op: &op,
            n,
            same_src1: op.same_src1_in_pair(),
            vals: [base, base],
        };
        let mut entry = AlsEntry {
            op,
            vals: [0; 2],
            n,
            positions,
            lit: None,
            ales_lo: None,
            mas: None,
            preds: [st.pred, st.mrgc, st.pcnt, None],
            chosen: 0,
        };
        let mut pending_lit: Option<Literal> = None;
        let mut nop: Option<u8> = None;
        let mut wait_all_e = false;
        let spec = st.spec;
        macro_rules! src2 {
            ($o:expr, $arg:expr) => {{
                let b = self.encode_src2(&e, $o, $arg, &spec, &mut pending_lit)?;
                e.set(ALS_SRC2, b);
            }};
        }
        match &st.args {
            AlsArgs::Three { src1, src2, last } => {
                match src1 {
                    Opnd::Reg(r) => {
                        let b = e.reg_masked(r.byte(), 0, true);
                        e.set(ALS_SRC1, b)
                    }
                    Opnd::Special(_) => {
                        return err("special register not allowed in position of SRC1")
                    }
                    v => {
                        let b = src1_value(v)?;
                        e.set(ALS_SRC1, [b, b])
                    }
                }
                src2!(src2, 1);
                let last_b = match last {
                    Opnd::Reg(r) => e.reg_masked(r.byte(), 2, false),
                    Opnd::Special(s) => e.reg_masked(*s, 2, false),
                    Opnd::Value(_) => {
                        return err(if fmt.is_store() {
                            "Register should be specified for SRC3"
                        } else {
                            "Register should be specified for DST"
                        })
                    }
                };
                e.set(ALS_DST, last_b);
            }
            AlsArgs::Lit8 {
                src1,
                src2,
                lit8,
                dst,
            } => {
                self.src1_reg_path(&mut e, src1)?;
                src2!(src2, 1);
                if *lit8 > 0xff {
                    return err("value of literal8 is out of range");
                }
                if let (Some(max), Some(w)) = (op.main.lit8max, op.main.lit8warn) {
                    if *lit8 > max as u64 {
                        self.warnings.push(w.to_string());
                    }
                }
                entry.ales_lo = Some(*lit8 as u8);
                self.dst(&mut e, dst, 2)?;
            }
            AlsArgs::Two { src2, dst } => {
                src2!(src2, 0);
                self.dst(&mut e, dst, 1)?;
                let opce = op.main.opce.unwrap_or(0xc0);
                e.set(ALS_SRC1, [opce, opce]);
                if fmt == Format::Alopf12Ibranchd {
                    self.ibranchd_ss(st.ctcond, true)?;
                }
                // movtd/getpl into %ctprN live in ALC0 only.
                let d = ALS_DST.get(e.vals[0]);
                if fmt == Format::Alopf2
                    && (op.main.opc == 0x61 || op.main.opc == 0x63)
                    && (0xd1..=0xd3).contains(&d)
                {
                    if entry.positions.first() != Some(&0) {
                        return err(format!(
                            "`{}' to `%ctpr{{1,2,3}}' registers may be encoded in the 0-th channel only",
                            if op.main.opc == 0x61 { "movtd" } else { "getpl" }
                        ));
                    }
                    entry.positions.truncate(1);
                }
            }
            AlsArgs::IcallD { wbs, src2, dst } => {
                src2!(src2, 0);
                self.dst(&mut e, dst, 1)?;
                e.set(ALS_SRC1, [*wbs, *wbs]);
                self.ibranchd_ss(st.ctcond, false)?;
            }
            AlsArgs::Pshufh { src2, order, dst } => {
                src2!(src2, 0);
                self.dst(&mut e, dst, 1)?;
                let opce = op.main.opce.unwrap_or(0xc0);
                e.set(ALS_SRC1, [opce, opce]);
                entry.ales_lo = Some(*order);
            }
            AlsArgs::Cmp { src1, src2, pdst } => {
                self.src1_reg_path(&mut e, src1)?;
                src2!(src2, 1);
                let cmp = if fmt == Format::Alopf7 {
                    op.main.cmp.unwrap_or(0)
                } else {
                    0
                };
                let d = ((cmp as u32) << 5) | (pdst & 0x1f);
                e.set(ALS_DST, [d as u8, d as u8]);
                if explicit {
                    self.explicit_int_cmp |= 1 << entry.positions[0];
                }
                nop = op.implicit_nops();
            }
            AlsArgs::Cctop { src2, pdst } => {
                src2!(src2, 0);
                let d = ((op.main.cmp.unwrap_or(0) as u32) << 5) | (pdst & 0x1f);
                e.set(ALS_DST, [d as u8, d as u8]);
                e.set(ALS_SRC1, [0xc0, 0xc0]);
                nop = op.implicit_nops();
            }
            AlsArgs::Merge { src1, src2, dst } => {
                self.src1_reg_path(&mut e, src1)?;
                src2!(src2, 1);
                self.dst(&mut e, dst, 2)?;
            }
            AlsArgs::Four {
                src1,
                src2,
                src3,
                dst,
            } => {
                self.src1_reg_path(&mut e, src1)?;
                src2!(src2, 1);
                match src3 {
                    Opnd::Reg(r) => entry.ales_lo = Some(r.byte()),
                    _ => return err("invalid src3"),
                }
                self.dst(&mut e, dst, 3)?;
            }
            AlsArgs::SregW { src2, regn, wait } => {
                src2!(src2, 0);
                e.set(ALS_DST, [*regn, *regn]);
                e.set(ALS_SRC1, [0xc0, 0xc0]);
                wait_all_e = *wait;
                nop = op.implicit_nops();
            }
            AlsArgs::SregR { regn, dst, nop4 } => {
                e.set(ALS_SRC1, [*regn, *regn]);
                e.set(ALS_SRC2, [0xc0, 0xc0]);
                self.dst(&mut e, dst, 0)?;
                if *nop4 {
                    nop = Some(4);
                }
            }
            AlsArgs::Staa { src3, aad, aasti } => {
                self.src3_path(&mut e, src3, 0)?;
                self.aau_addr(&mut e, *aad, aasti, &spec, &mut pending_lit)?;
            }
            AlsArgs::Ldaa { aad, aasti, dst } => {
                self.aau_addr(&mut e, *aad, aasti, &spec, &mut pending_lit)?;
                self.dst(&mut e, dst, 0)?;
            }
            AlsArgs::AauW { src3, opce1 } => {
                self.src3_path(&mut e, src3, 0)?;
                for i in 0..n {
                    e.vals[i] = ALS_OPCE1.set(e.vals[i], *opce1 as u32);
                }
                entry.mas = Some(0x3f);
            }
            AlsArgs::AauR { opce1, dst } => {
                for i in 0..n {
                    e.vals[i] = ALS_OPCE1.set(e.vals[i], *opce1 as u32);
                }
                self.dst(&mut e, dst, 0)?;
                entry.mas = Some(0x3f);
            }
            AlsArgs::Mmurr {
                addr,
                mas,
                rch,
                dst,
            } => {
                e.set(ALS_SRC1, [0xc0, 0xc0]);
                if explicit {
                    if entry.positions[0] != *rch {
                        return err(format!("`mmurr' can be encoded in ALC{rch} only"));
                    }
                } else {
                    entry.positions = vec![*rch];
                }
                src2!(&Opnd::Value(Value::Const(*addr as i64)), 1);
                self.dst(&mut e, dst, 2)?;
                entry.mas = Some(*mas);
            }
            AlsArgs::Mmurw { src3, addr, mas } => {
                self.src3_path(&mut e, src3, 2)?;
                src2!(&Opnd::Value(Value::Const(*addr as i64)), 1);
                e.set(ALS_SRC1, [0xc0, 0xc0]);
                entry.mas = Some(*mas);
            }
        }
        if let Some(m) = st.mas {
            if m >= 0x80 {
                return err(format!("illegal mas value `{m:#x}'"));
            }
            if m != 0 {
                entry.mas = Some(m as u8);
            }
        }
        if let Some(lit) = pending_lit {
            let is_aau = matches!(st.args, AlsArgs::Staa { .. } | AlsArgs::Ldaa { .. });
            if !is_aau {
                entry.lit = Some(self.lits.len());
            }
            self.push_literal(lit);
        }
        entry.vals = e.vals;
        self.alses.push(entry);
        if self.delays() {
            if wait_all_e {
                self.cs1_set = true;
                self.cs1 = (3 << 28) | 2;
            }
            if let Some(n) = nop {
                self.nop = Some(n);
            }
        }
        Ok(())
    }

    /// src1 through the plain src1 parser: a register or a 5-bit constant.
    fn src1_reg_path(&self, e: &mut Enc, o: &Opnd) -> EResult<()> {
        let b = match o {
            Opnd::Reg(r) => e.reg_inc(r, 0, true),
            Opnd::Value(Value::Const(v)) if (0..=31).contains(v) => [0xc0 | *v as u8; 2],
            _ => return err("invalid first argument (src1)"),
        };
        e.set(ALS_SRC1, b);
        Ok(())
    }

    fn src3_path(&self, e: &mut Enc, o: &Opnd, arg: usize) -> EResult<()> {
        match o {
            Opnd::Reg(r) => {
                let b = e.reg_inc(r, arg, false);
                e.set(ALS_SRC3, b);
                Ok(())
            }
            _ => err("invalid src3"),
        }
    }

    fn dst(&self, e: &mut Enc, o: &Opnd, arg: usize) -> EResult<()> {
        let b = match o {
            Opnd::Reg(r) => e.reg_inc(r, arg, false),
            Opnd::Special(s) => {
                if e.n == 2 {
                    [s & 0xfe, (s & 0xfe) | 1]
                } else {
                    [*s, *s]
                }
            }
            Opnd::Value(_) => return err("invalid third argument (dst)"),
        };
        e.set(ALS_DST, b);
        Ok(())
    }

    /// src2: a register, a 4-bit constant, a literal reference or a new long literal.
    fn encode_src2(
        &self,
        e: &Enc,
        o: &Opnd,
        arg: usize,
        spec: &LitSpec,
        pending: &mut Option<Literal>,
    ) -> EResult<[u8; 2]> {
        match o {
            Opnd::Reg(r) => Ok(e.reg_masked(r.byte(), arg, false)),
            Opnd::Special(_) => err("special register not allowed in position of SRC2"),
            Opnd::Value(v) => {
                if let Value::Const(c) = v {
                    if (0..=15).contains(c) && spec.is_default() {
                        return Ok([0xc0 | *c as u8; 2]);
                    }
                }
                if spec.reference {
                    return match literals::ref_byte(spec.min_row, spec.min_col) {
                        Some(b) if spec.is_unambiguous() => Ok([b, b]),
                        _ => err("ambiguous or invalid literal position for literal reference"),
                    };
                }
                let (mut min_row, mut max_row) = (spec.min_row, spec.max_row);
                let default_rows = min_row == LIT16 && max_row == LIT64;
                match v {
                    Value::Sym { kind, .. } => {
                        if *kind == SymKind::Plt {
                            return err("invalid operand at position of SRC2");
                        }
                        let size = if kind.is_32bit() { LIT32 } else { LIT64 };
                        if default_rows {
                            min_row = size;
                            max_row = size;
                        } else if (min_row != size || max_row != size)
                            && !(matches!(kind, SymKind::Abs | SymKind::GotOff)
                                && min_row == LIT32
                                && max_row == LIT32)
                        {
                            return err("Wrong size for symbol specified");
                        }
                    }
                    Value::Const(c) => {
                        if default_rows {
                            if e.op.arg(arg) == Kind::D && i32::try_from(*c).is_err() {
                                min_row = LIT64;
                            } else if i16::try_from(*c).is_err() {
                                min_row = LIT32;
                            }
                        }
                    }
                }
                *pending = Some(Literal::new(
                    *v,
                    min_row,
                    max_row,
                    spec.min_col,
                    spec.max_col,
                ));
                Ok([0, 0])
            }
        }
    }

    /// The `%aadN [ %aastiM + literal ]` fields of staa/ldaa.
    fn aau_addr(
        &mut self,
        e: &mut Enc,
        aad: u32,
        aasti: &Aasti,
        spec: &LitSpec,
        pending: &mut Option<Literal>,
    ) -> EResult<()> {
        if aad > 31 {
            return err("invalid %aad index specified");
        }
        let mut opce1: u32 = aad << 11;
        opce1 |= ((aasti.idx as u32) >> 1) << 8;
        opce1 |= ((aasti.idx as u32) & 1) << 7;
        if let Some(v) = aasti.lit {
            if !spec.is_unambiguous() {
                return err("Literal format or position in %aasti not specified");
            }
            if spec.min_row != LIT32 {
                return err("Wrong literal format in %aasti");
            }
            if ![0, 2, 4].contains(&spec.min_col) {
                return err("Wrong literal position in %aasti");
            }
            opce1 |= (spec.min_col as u32 >> 1) + 1;
            if !spec.reference {
                *pending = Some(Literal::fixed(v, 2, spec.min_col));
            }
        }
        for i in 0..e.n {
            e.vals[i] = ALS_OPCE1.set(e.vals[i], opce1);
        }
        Ok(())
    }

    /// ibranchd/icalld: SS.ctop = 0 and the transfer condition.
    fn ibranchd_ss(&mut self, cond: Option<CtCond>, ibranch: bool) -> EResult<()> {
        self.start_ss();
        if self.ss_is_set(super::builder::SsF::Ctop) {
            return err(
                "cannot encode the operation, SS.ctop in the current wide command is already busy",
            );
        }
        self.ss_set(super::builder::SsF::Ctop, 0, false)?;
        let mode = if ibranch {
            super::control::CondMode::Ibranch
        } else {
            super::control::CondMode::Plain
        };
        self.set_ctcond(cond.unwrap_or(CtCond::Default), mode)
    }

    /// `incr,C %aaincrN [? pred]`: modifies the previous staa/ldaa statement.
    pub fn incr(&mut self, chan: Option<u32>, n: u32, pred: Option<Pred>) -> EResult<()> {
        self.any = true;
        let Some(last) = self.alses.last_mut() else {
            self.failed = true;
            return err("unexpected `incr'");
        };
        if let Some(c) = chan {
            if last.positions.first().map(|&p| p as u32) != Some(c) {
                self.failed = true;
                return err("incorrect channel specified for `incr'");
            }
        }
        if pred.is_some() {
            last.preds[3] = pred;
        }
        for v in last.vals.iter_mut() {
            let lo = (*v >> 8) & 0xff;
            let lo = (lo | ((n << 4) | 4)) & 0xff;
            *v = (*v & !0xff00) | (lo << 8);
        }
        Ok(())
    }
}
