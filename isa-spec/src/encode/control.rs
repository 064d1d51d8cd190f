//! Statements outside the ALU channels: control transfer (SS, CS0, CS1), HS flags,
//! register-window set commands, wait/flush, predicate logic (PLS), array access (AAS)
//! and the asynchronous `fapb` instruction.

use super::builder::{err, slot, Cs0Fix, EResult, FixKind, PlsF, SsF, WideBuilder};
use super::literals::Literal;
use super::operand::{Pred, SymKind, Value};
use crate::fields::*;

/// A control-transfer condition as written after `?`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtCond {
    /// No condition written.
    Default,
    Always,
    Never,
    LoopEnd,
    NotLoopEnd,
    /// `%MLOCK [|| sub]` (`explicit` = the `%MLOCK` token was written; rbranch conditions
    /// have an implied one).
    MLock {
        explicit: bool,
        sub: Option<MlockSub>,
    },
    /// `[~]%predN [|| %LOOP_END | && %NOT_LOOP_END]`.
    Pred {
        negated: bool,
        num: u32,
        combo: LoopCombo,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoopCombo {
    None,
    OrLoopEnd,
    AndNotLoopEnd,
}

/// What may follow `%MLOCK ||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlockSub {
    /// `%dt_al[0][1][3][4]` as a 4-bit mask (ALC0, ALC1, ALC3, ALC4).
    DtAl(u8),
    /// `%cmpN`, `%cmpJ || %cmpK`, `%clpN` (v3+) as the 5-bit psrc.
    Pl(u8),
}

/// Which statement a condition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondMode {
    Plain,
    Ibranch,
    Rbranch,
}

const MLOCK: u32 = 8 << 5;

/// A CS0 displacement operand: a constant (stored as is) or a symbol (fixup).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Const(i64),
    Sym(Value),
}

/// Which CS0 operation prepares a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cs0Op {
    Disp,
    Ldisp,
    Sdisp,
    Return,
    Gettsd,
}

impl Cs0Op {
    fn ctp_opc(self) -> u32 {
        match self {
            Cs0Op::Disp => 0,
            Cs0Op::Ldisp => 1,
            Cs0Op::Sdisp => 2,
            Cs0Op::Return | Cs0Op::Gettsd => 3,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Cs0Op::Disp => "disp",
            Cs0Op::Ldisp => "ldisp",
            Cs0Op::Sdisp => "sdisp",
            Cs0Op::Return => "return",
            Cs0Op::Gettsd => "gettsd",
        }
    }
    fn allows(self, ctpr: u32) -> bool {
        match self {
            Cs0Op::Ldisp => ctpr == 2,
            Cs0Op::Return => ctpr == 3,
            _ => true,
        }
    }
}

/// `done`-like CS0 operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoneOp {
    Done,
    Iret,
    Hret,
    Glaunch,
}

/// Set commands that take `name=value` parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetCmd {
    Setbn,
    Setbp,
    Settr,
    Setwd,
    Vfrpsz,
    Setei,
}

impl SetCmd {
    fn name(self) -> &'static str {
        match self {
            SetCmd::Setbn => "setbn",
            SetCmd::Setbp => "setbp",
            SetCmd::Settr => "settr",
            SetCmd::Setwd => "setwd",
            SetCmd::Vfrpsz => "vfrpsz",
            SetCmd::Setei => "setei",
        }
    }
    /// (parameter name, slot, lowest value, field mask, description).
    fn params(self, version: u8) -> Vec<(&'static str, usize, u32, u32, &'static str)> {
        match self {
            SetCmd::Setbn => vec![
                ("rsz", slot::RSZ, 0, 0x3f, "rotated register area size"),
                ("rbs", slot::RBS, 0, 0x3f, "rotated register area base"),
                (
                    "rcur",
                    slot::RCUR,
                    0,
                    0x3f,
                    "current value of rotated register area base",
                ),
            ],
            SetCmd::Setbp => vec![("psz", slot::PSZ, 0, 0x1f, "rotated predicate area size")],
            SetCmd::Settr => vec![("type", slot::TYPE, 0, 0x7fff, "current type")],
            SetCmd::Setwd => {
                let mut v = vec![
                    ("wsz", slot::WSZ, 0, 0x7f, "register window size"),
                    ("nfx", slot::NFX, 0, 1, "nfx value"),
                ];
                if version >= 3 {
                    v.push(("dbl", slot::DBL, 0, 1, "dbl value"));
                }
                v
            }
            SetCmd::Vfrpsz => vec![("rpsz", slot::RPSZ, 1, 0x1f, "register parameter size")],
            SetCmd::Setei => vec![("", slot::SETEI, 0, 0xff, "exception info register")],
        }
    }
}

/// `pass`, `andp`, ... operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassSrc {
    /// `%predN` (may be written negated, which is an error).
    Pred(Pred),
    /// `%lcntex` (0), `%spredMASK` (1..0x3f), `%rndpredN` (0x40|N).
    Special(u8),
    /// `@pN`
    Local { negated: bool, num: u32 },
}

/// Parameters of a `mova` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mova {
    /// AA2F1.opc (1 movab .. 5 movaq, 7 movaqp).
    pub opc: u8,
    pub chan: u32,
    pub area: u32,
    pub ind: u32,
    pub am: u32,
    pub be: u32,
    /// Destination register byte (`Err(special byte)` for special destinations).
    pub dst: MovaDst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovaDst {
    Reg(super::operand::Reg),
    Special(u8),
}

/// The `fapb` fields (value, or None when not written).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fapb {
    pub ct: Option<u32>,
    pub dpl: Option<u32>,
    pub si: Option<u32>,
    pub dcd: Option<u32>,
    pub fmt: Option<u32>,
    pub mrng: Option<u32>,
    pub d: Option<u32>,
    pub incr: Option<u32>,
    pub ind: Option<u32>,
    pub be: Option<u32>,
    pub am: Option<u32>,
    pub area: Option<u32>,
    pub asz: Option<u32>,
    pub abs: Option<u32>,
    pub disp: Option<u32>,
}

impl WideBuilder {
    fn touch(&mut self) {
        self.any = true;
    }

    fn fail<T>(&mut self, r: EResult<T>) -> EResult<T> {
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    /// Sets SS.ctcond from a written condition.
    pub(crate) fn set_ctcond(&mut self, c: CtCond, mode: CondMode) -> EResult<()> {
        let v = match c {
            CtCond::Default => {
                if mode == CondMode::Rbranch {
                    MLOCK
                } else {
                    1 << 5
                }
            }
            CtCond::Always => 1 << 5,
            CtCond::Never => 0,
            CtCond::LoopEnd => 4 << 5,
            CtCond::NotLoopEnd => 5 << 5,
            CtCond::MLock { explicit, sub } => {
                if explicit && mode != CondMode::Ibranch {
                    return err("%MLOCK control transfer condition is applicable only to ibranch");
                }
                let rb = if mode == CondMode::Rbranch { MLOCK } else { 0 };
                match sub {
                    None if mode == CondMode::Rbranch => {
                        return err("invalid control transfer condition after rbranch")
                    }
                    None => MLOCK,
                    Some(MlockSub::DtAl(mask)) => {
                        if mask == 0 {
                            return err("index of form `[0][1][3][4]' expected after `%dt_al'");
                        }
                        rb | ((8 << 5) + mask as u32)
                    }
                    Some(MlockSub::Pl(psrc)) => {
                        if self.version < 3 {
                            return err(if mode == CondMode::Rbranch {
                                "invalid control transfer condition after rbranch"
                            } else {
                                "invalid control transfer condition after ibranch %MLOCK ||"
                            });
                        }
                        rb | (9 << 5) | psrc as u32
                    }
                }
            }
            CtCond::Pred {
                negated,
                num,
                combo,
            } => {
                if mode == CondMode::Rbranch {
                    return err("invalid control transfer condition after rbranch");
                }
                let t = match (combo, negated) {
                    (LoopCombo::OrLoopEnd, false) => 6 << 5,
                    (LoopCombo::OrLoopEnd, true) => 0xe << 5,
                    (LoopCombo::AndNotLoopEnd, false) => 0xf << 5,
                    (LoopCombo::AndNotLoopEnd, true) => 7 << 5,
                    (LoopCombo::None, false) => 2 << 5,
                    (LoopCombo::None, true) => 3 << 5,
                };
                (t | num) & 0x1ff
            }
        };
        self.ss_set(SsF::Ctcond, v, false)
    }

    fn default_ipd_if_transfer(&mut self) {
        if self.ss_get(SsF::Ctcond) & 0x1e0 != 0 {
            let _ = self.ss_set(SsF::Ipd, 3, true);
        }
    }

    fn cs1_call(&mut self, name: &str, param: u32) -> EResult<()> {
        if self.cs1_set {
            return err(format!("Cannot encode `{name}': CS1 is busy"));
        }
        self.cs1_set = true;
        self.cs1 = (5 << 28) | param;
        Ok(())
    }

    /// `ct %ctprN [? cond]` (`wbs` = Some for `call %ctprN, wbs=W`).
    pub fn ct(&mut self, ctpr: u32, wbs: Option<u32>, cond: CtCond) -> EResult<()> {
        self.touch();
        self.start_ss();
        let r = (|| {
            if !(1..=3).contains(&ctpr) {
                return err("invalid `%ctpr' number (should be 1, 2 or 3)");
            }
            self.ss.word = SS_CTOP.set(self.ss.word, ctpr);
            if let Some(w) = wbs {
                self.cs1_call("call", w & 0xff)?;
            }
            self.set_ctcond(cond, CondMode::Plain)?;
            self.default_ipd_if_transfer();
            Ok(())
        })();
        self.fail(r)
    }

    fn cs0_target(&mut self, t: Target, kind: FixKind) -> u32 {
        match t {
            Target::Const(v) => (v as u32) & 0x0fff_ffff,
            Target::Sym(value) => {
                let kind = match value {
                    Value::Sym {
                        kind: SymKind::Plt, ..
                    } if kind == FixKind::Disp => FixKind::Plt,
                    _ => kind,
                };
                self.cs0_fix = Some(Cs0Fix { kind, value });
                0
            }
        }
    }

    /// `ibranch target [? cond]` / `rbranch target [? cond]`.
    pub fn ibranch(&mut self, target: Target, cond: CtCond, rbranch: bool) -> EResult<()> {
        self.touch();
        let r = (|| {
            self.start_ss();
            if self.ss_is_set(SsF::Ctop) {
                return err(
                    "cannot encode `ibranch', SS.ctop in the current wide command is already busy",
                );
            }
            self.ss_set(SsF::Ctop, 0, false)?;
            if self.cs0.is_some() {
                return err("cannot encode `ibranch', CS0 in current wide command is already busy");
            }
            if let Target::Sym(Value::Sym {
                kind: SymKind::Plt, ..
            }) = target
            {
                return err("invalid expression");
            }
            let disp = self.cs0_target(target, FixKind::Disp);
            let mode = if rbranch {
                CondMode::Rbranch
            } else {
                CondMode::Ibranch
            };
            self.set_ctcond(cond, mode)?;
            self.cs0 = Some(disp);
            self.default_ipd_if_transfer();
            Ok(())
        })();
        self.fail(r)
    }

    /// `done`, `iret`, `hret`, `glaunch` `[? cond]`.
    pub fn done(&mut self, op: DoneOp, cond: CtCond) -> EResult<()> {
        self.touch();
        let r = (|| {
            self.set_ctcond(cond, CondMode::Plain)?;
            self.start_ss();
            self.ss_set(SsF::Ctop, 0, false)?;
            if self.cs0.is_some() {
                return err("cannot encode `DONE', CS0 in current wide command is already busy");
            }
            let ty = match op {
                DoneOp::Done => 0,
                DoneOp::Iret => 2,
                DoneOp::Hret => 3,
                DoneOp::Glaunch => 4,
            };
            self.cs0 = Some((3 << 28) | ty);
            self.default_ipd_if_transfer();
            Ok(())
        })();
        self.fail(r)
    }

    /// `icall target, wbs=W [? cond]` / `hcall hdisp, wbs=W [? cond]` (v6).
    pub fn icall(&mut self, hcall: bool, target: Target, wbs: u32, cond: CtCond) -> EResult<()> {
        self.touch();
        let r = (|| {
            self.start_ss();
            self.ss.word = SS_CTOP.set(self.ss.word, 0);
            if self.cs0.is_some() {
                return err(
                    "cannot encode `pref', CS0 in the current wide command is already busy",
                );
            }
            let disp = match target {
                Target::Const(v) => {
                    if hcall && !(0..16).contains(&v) {
                        return err("invalid value for CS0.disp in HCALL specified");
                    }
                    let d = (v as u32) & 0x0fff_ffff;
                    if hcall {
                        (d << 1) & 0x0fff_ffff
                    } else {
                        d
                    }
                }
                Target::Sym(_) if hcall => {
                    return err("CS0.disp in HCALL should encode an immediate value")
                }
                t => self.cs0_target(t, FixKind::Disp),
            };
            self.cs0 = Some(disp);
            let name = if hcall { "hcall" } else { "icall" };
            self.cs1_call(name, ((if hcall { 2 } else { 1 }) << 7) | (wbs & 0xff))?;
            self.set_ctcond(cond, CondMode::Plain)?;
            self.default_ipd_if_transfer();
            Ok(())
        })();
        self.fail(r)
    }

    /// `disp/ldisp/sdisp %ctprN, target`, `return %ctpr3`, `gettsd %ctprN`.
    pub fn cs0_op(&mut self, op: Cs0Op, ctpr: u32, target: Option<Target>) -> EResult<()> {
        self.touch();
        let r = (|| {
            if self.cs0.is_some() {
                return err(format!(
                    "cannot encode `{}': CS0 in the current wide instruction is already busy",
                    op.name()
                ));
            }
            if !(1..=3).contains(&ctpr) {
                return err(format!("invalid %ctpr{ctpr} specified"));
            }
            if !op.allows(ctpr) {
                return err(format!("%ctpr{ctpr} is not supported by {}", op.name()));
            }
            let mut w = CS0_CTP_OPC.set(0, op.ctp_opc());
            w = CS0_CTPR.set(w, ctpr);
            let disp = match op {
                Cs0Op::Return => 0,
                Cs0Op::Gettsd => 1,
                _ => match target {
                    Some(Target::Const(v)) => {
                        if op == Cs0Op::Sdisp && !(0..32).contains(&v) {
                            return err("invalid value for CS0.disp in SDISP specified");
                        }
                        (v as u32) & 0x0fff_ffff
                    }
                    Some(t @ Target::Sym(_)) => {
                        if op == Cs0Op::Sdisp {
                            return err("CS0.disp in SDISP should encode an immediate value");
                        }
                        self.cs0_target(t, FixKind::Disp)
                    }
                    None => return err("invalid expression"),
                },
            };
            self.cs0 = Some(CS0_DISP.set(w, disp));
            Ok(())
        })();
        self.fail(r)
    }

    /// `pref %iprN, disp[, ipd=0|1]`.
    pub fn pref(&mut self, ipr: u32, target: Target, ipd: u32) -> EResult<()> {
        self.touch();
        let r = (|| {
            if self.cs0.is_some() {
                return err(
                    "cannot encode `pref', CS0 in the current wide command is already busy",
                );
            }
            if ipr > 7 {
                return err("invalid index for %ipr");
            }
            if ipd > 1 {
                return err("invalid value for ipd");
            }
            let pdisp = match target {
                Target::Const(v) => v as u32,
                t => {
                    self.cs0_target(t, FixKind::Pref);
                    0
                }
            };
            let disp = (pdisp << 4).wrapping_add(ipd << 3).wrapping_add(ipr);
            self.cs0 = Some(CS0_DISP.set(CS0_CTP_OPC.set(0, 1), disp));
            Ok(())
        })();
        self.fail(r)
    }

    /// `nop [N]`.
    pub fn nop(&mut self, n: Option<u32>) -> EResult<()> {
        self.touch();
        let r = match n {
            Some(v) if v > 7 => err("illegal nop number"),
            Some(v) => {
                self.nop = Some(v as u8);
                Ok(())
            }
            None => {
                self.nop = Some(0xff);
                Ok(())
            }
        };
        self.fail(r)
    }

    pub fn loop_mode(&mut self) {
        self.touch();
        self.lm = true;
    }

    pub fn set_mark(&mut self) {
        self.touch();
        self.sw = true;
    }

    /// `ipd N`.
    pub fn ipd(&mut self, n: u32) -> EResult<()> {
        self.touch();
        self.start_ss();
        let r = (|| {
            if n > 3 {
                return err(format!("invalid ipd value {n}; should be < 3"));
            }
            if !self.ss_is_set(SsF::Ipd) || self.ss_is_dflt(SsF::Ipd) || self.ss_get(SsF::Ipd) != n
            {
                self.ss_set(SsF::Ipd, n, false)?;
            }
            Ok(())
        })();
        self.fail(r)
    }

    /// `alc`/`abn`/`abp`: (false-flag, true-flag) values. `which`: 0 alc, 1 abn, 2 abp.
    pub fn advance(&mut self, which: u8, f: u32, t: u32) -> EResult<()> {
        self.touch();
        self.start_ss();
        let (ff, tf, names) = match which {
            0 => (SsF::Alcf, SsF::Alct, ("alcf", "alct")),
            1 => (SsF::Abnf, SsF::Abnt, ("abnf", "abnt")),
            _ => (SsF::Abpf, SsF::Abpt, ("abpf", "abpt")),
        };
        let r = (|| {
            if f > 1 {
                return err(format!(
                    "invalid {} value; should be either 0 or 1",
                    names.0
                ));
            }
            self.ss_set(ff, f, false)?;
            if t > 1 {
                return err(format!(
                    "invalid {} value; should be either 0 or 1",
                    names.1
                ));
            }
            self.ss_set(tf, t, false)
        })();
        self.fail(r)
    }

    /// `abg N`.
    pub fn abg(&mut self, n: u32) -> EResult<()> {
        self.touch();
        self.start_ss();
        let r = if n > 3 {
            err("invalid abg value: should lie in the interval from 0 to 3")
        } else {
            self.ss_set(SsF::Abg, n, false)
        };
        self.fail(r)
    }

    pub fn vfdi(&mut self) -> EResult<()> {
        self.touch();
        self.start_ss();
        let r = self.ss_set(SsF::Vfdi, 1, false);
        self.fail(r)
    }

    pub fn bap(&mut self) -> EResult<()> {
        self.touch();
        self.start_ss();
        let r = self.ss_set(SsF::Bap, 1, false);
        let _ = self.ss_set(SsF::Ipd, 3, true);
        self.fail(r)
    }

    pub fn eap(&mut self) -> EResult<()> {
        self.touch();
        self.start_ss();
        if self.ss_is_set(SsF::Eap) && !self.ss_is_dflt(SsF::Eap) && self.ss_get(SsF::Eap) == 1 {
            return Ok(());
        }
        let r = self.ss_set(SsF::Eap, 1, false);
        let _ = self.ss_set(SsF::Ipd, 3, true);
        self.fail(r)
    }

    /// `srp`, `crp`, `slrp` (`srp`, `crp` bits) with an optional recovery-point condition.
    pub fn rp(&mut self, srp: bool, crp: bool, cond: Option<Pred>) -> EResult<()> {
        self.touch();
        self.start_ss();
        let mut errs = Vec::new();
        // Field order as in MCST as: srp sets crp first, crp/slrp set crp first too.
        if let Err(e) = self.ss_set(SsF::Crp, crp as u32, false) {
            errs.push(e);
        }
        if let Err(e) = self.ss_set(SsF::Srp, srp as u32, false) {
            errs.push(e);
        }
        if let Some(p) = cond {
            if self.version == 2 {
                errs.push(super::builder::EncodeError(
                    "Recovery Point Conditions are not supported for elbrus-v2".into(),
                ));
            } else {
                self.cds[0] =
                    (2 << 14) | (8 << 10) | if p.negated { 4 << 7 } else { 0 } | p.field() as u16;
            }
        }
        if let Some(e) = errs.into_iter().next() {
            self.failed = true;
            return Err(e);
        }
        Ok(())
    }

    /// `flushts` (v3+): the whole SS word.
    pub fn flushts(&mut self) {
        self.touch();
        self.start_ss();
        self.ss.word = 0xd410_0000;
    }

    /// A set command with `name=value` parameters (`setei` takes one unnamed value).
    pub fn setcmd(&mut self, cmd: SetCmd, params: &[(String, i64)]) -> EResult<()> {
        self.touch();
        let r = (|| {
            let list = cmd.params(self.version);
            let first = list[0].1;
            if self.setcmd[first].is_some() {
                return err(format!(
                    "a wide command cannon contain more than one instance of {}",
                    cmd.name()
                ));
            }
            if params.is_empty() {
                return err(format!("no parameters for `{}'", cmd.name()));
            }
            for (name, value) in params {
                let Some(&(_, sl, lo, mask, what)) = list.iter().find(|p| p.0 == name) else {
                    return err(format!(
                        "unrecognized arguments `{name}=' for `{}'",
                        cmd.name()
                    ));
                };
                if *value < lo as i64 || *value > (lo + mask) as i64 {
                    return err(format!("invalid value for {what}"));
                }
                self.setcmd[sl] = Some(*value as u32 - lo);
            }
            Ok(())
        })();
        self.fail(r)
    }

    pub fn setsft(&mut self) {
        self.touch();
        self.setsft = true;
    }

    /// `wait name=0|1, ...`.
    pub fn wait(&mut self, params: &[(String, i64)]) -> EResult<()> {
        self.touch();
        const NAMES: [&str; 14] = [
            "all_c", "all_e", "st_c", "ld_c", "fl_c", "ma_c", "trap", "sas", "sal", "las", "lal",
            "mt", "int", "mem_mod",
        ];
        let r = (|| {
            let mut val = [-1i64; 14];
            let mut bits = 0u32;
            for (name, v) in params {
                let Some(j) = NAMES.iter().position(|n| n == name) else {
                    return err(format!("junk in WAIT command: `{name}'"));
                };
                if (self.version < 5 && j > 6) || (self.version < 6 && j > 8) {
                    return err(format!(
                        "Invalid `{name}=' WAIT parameter for elbrus-v{}",
                        self.version
                    ));
                }
                if *v != 0 && *v != 1 {
                    return err(format!("{name}={{0,1}} expected"));
                }
                val[j] = *v;
                bits |= (*v as u32) << j;
            }
            if bits == 0 {
                return err("no parameters specified for WAIT command");
            }
            for i in 7..=10 {
                let j = if i < 9 { i - 5 } else { i - 7 };
                if val[i] == 1 {
                    if val[j] == -1 {
                        bits |= 1 << j;
                    } else if val[j] == 0 {
                        return err(format!(
                            "invalid combination of `{}=0' and `{}=1' WAIT flags",
                            NAMES[j], NAMES[i]
                        ));
                    }
                }
            }
            if self.cs1_set {
                return err("Cannot encode WAIT because CS1 is busy");
            }
            self.cs1_set = true;
            self.cs1 = (3 << 28) | bits;
            Ok(())
        })();
        self.fail(r)
    }

    /// `flushr` (0), `flushc` (1), `fillr` (2), `fillc` (3).
    pub fn flush(&mut self, which: u32, name: &str) -> EResult<()> {
        self.touch();
        let r = if self.cs1_set && CS1_OPC.get(self.cs1) != 7 {
            err(format!("Cannot encode `{name}' because CS1 is busy"))
        } else {
            self.cs1 = CS1_OPC.set(self.cs1, 7) | (1 << which);
            self.cs1_set = true;
            Ok(())
        };
        self.fail(r)
    }

    fn encode_elp(&mut self, src: u8, lp: u32) -> EResult<()> {
        if lp > 3 {
            return err("only @p0, @p1, @p2 and @p3 can be used to store the result of ELP");
        }
        let idx = (lp / 2) as usize;
        let f = if lp & 1 == 0 { PlsF::Elp0 } else { PlsF::Elp1 };
        self.pls_set(idx, f, src as u32)?;
        self.pls[idx].needed = true;
        self.explicit_lp |= 1 << lp;
        Ok(())
    }

    fn encode_clp_pass(&mut self, lp: u32, pred: u32) -> EResult<()> {
        if lp < 4 {
            return err("only @p4, @p5 and @p6 can be used to pass the result of {C/M}LP to %pred");
        }
        let idx = (lp - 4) as usize;
        self.pls_set(idx, PlsF::ClpVdst, 1)?;
        self.pls_set(idx, PlsF::ClpPdst, pred)?;
        self.explicit_lp |= 1 << (7 + idx);
        Ok(())
    }

    /// `pass src, dst`.
    pub fn pass(&mut self, src: PassSrc, dst: PassSrc) -> EResult<()> {
        self.touch();
        let r = (|| match (src, dst) {
            (PassSrc::Pred(p), PassSrc::Local { negated, num }) => {
                if p.negated {
                    return err("a negated predicate can't be used as the source for pass in ELP");
                }
                if num > 6 {
                    return err(format!("invalid local predicate `@p{num}'"));
                }
                if negated {
                    return err("a negated local predicate can't be used as the destination for pass in ELP");
                }
                self.encode_elp((0x60 | p.num) as u8 & 0x7f, num)
            }
            (PassSrc::Special(s), PassSrc::Local { negated, num }) => {
                if num > 6 {
                    return err(format!("invalid local predicate `@p{num}'"));
                }
                if negated {
                    return err("a negated local predicate can't be used as the destination for pass in ELP");
                }
                self.encode_elp(s, num)
            }
            (PassSrc::Local { negated, num }, PassSrc::Pred(p)) => {
                if num > 6 {
                    return err(format!("invalid local predicate `@p{num}'"));
                }
                if negated {
                    return err(
                        "a negated local predicate can't be used as the source for pass in {C/M}LP",
                    );
                }
                if p.negated {
                    return err(
                        "a negated predicate can't be used as the destination for pass in {C/M}LP",
                    );
                }
                self.encode_clp_pass(num, p.num)
            }
            _ => err("invalid operands for `pass'"),
        })();
        self.fail(r)
    }

    /// `andp` (0), `landp` (1), `movep` (3): `[~]@pA, [~]@pB, @pD`.
    pub fn clp(&mut self, opc: u32, a: (bool, u32), b: (bool, u32), d: (bool, u32)) -> EResult<()> {
        self.touch();
        let r = (|| {
            for &(_, n) in &[a, b, d] {
                if n > 6 {
                    return err(format!("invalid local predicate `@p{n}'"));
                }
            }
            if d.0 {
                return err(
                    "a negated local predicate can't be used as the destination for {C/M}LP",
                );
            }
            if d.1 < 4 {
                return err("only @p4, @p5 and @p6 can be used to store the result of {C/M}LP");
            }
            let idx = (d.1 - 4) as usize;
            let bad = match idx {
                0 => (a.1 > 1 || b.1 > 1).then_some("@p0 and @p1"),
                1 => (a.1 > 4 || b.1 > 4).then_some("@p0, @p1, @p2, @p3 and @p4"),
                _ => (a.1 > 5 || b.1 > 5).then_some("@p0, @p1, @p2, @p3, @p4 and @p5"),
            };
            if let Some(list) = bad {
                return err(format!(
                    "only `{list}' can be used as incoming parameters for {{C/M}}LP{idx}"
                ));
            }
            self.pls_set(idx, PlsF::ClpOpc, opc)?;
            self.pls_set(idx, PlsF::ClpNeg0, a.0 as u32)?;
            self.pls_set(idx, PlsF::ClpP0, a.1)?;
            self.pls_set(idx, PlsF::ClpNeg1, b.0 as u32)?;
            self.pls_set(idx, PlsF::ClpP1, b.1)?;
            self.pls[idx].needed = true;
            self.explicit_lp |= 1 << (idx + 4);
            self.clp_incoming[idx] = [a.1 as u8, b.1 as u8];
            Ok(())
        })();
        self.fail(r)
    }

    /// `clpandp` / `clplandp`: pass src1,@p0; pass src2,@p1; andp/landp; pass @p4,dst.
    /// Only outside braces.
    pub fn clp_macro(&mut self, landp: bool, s1: Pred, s2: Pred, dst: Pred) -> EResult<()> {
        self.touch();
        if !self.braceless {
            self.failed = true;
            return err("combined predicate logic command shouldn't be used within a wide command");
        }
        if dst.negated {
            self.failed = true;
            return err("dst predicate can't be negated");
        }
        let r = (|| {
            self.encode_elp((0x60 | s1.num) as u8 & 0x7f, 0)?;
            self.encode_elp((0x60 | s2.num) as u8 & 0x7f, 1)?;
            self.clp(landp as u32, (s1.negated, 0), (s2.negated, 1), (false, 4))?;
            self.encode_clp_pass(4, dst.num)
        })();
        self.fail(r)
    }

    /// `mova*,C area=.., ind=.., am=.., be=.., dst`.
    pub fn mova(&mut self, m: Mova) -> EResult<()> {
        self.touch();
        let r = (|| {
            let chn = m.chan;
            if chn > 3 {
                return err(format!("invalid mova channel {chn} specified"));
            }
            let quad = m.opc == 5;
            if quad && chn & 1 != 0 {
                return err("movaq should be encoded in an even channel either 0 or 2");
            }
            if self.busy_aa2f1 & (1 << chn) != 0 {
                return err(format!("mova channel {chn} is already busy"));
            }
            if quad && self.busy_aa2f1 & (1 << (chn + 1)) != 0 {
                return err(format!(
                    "channel {} required for movaq is already busy",
                    chn + 1
                ));
            }
            for (name, v, max) in [
                ("area=", m.area, 31),
                ("ind=", m.ind, 31),
                ("am=", m.am, 1),
                ("be=", m.be, 1),
            ] {
                if v > max {
                    return err(format!("{v} exceeds maximal value for {name}"));
                }
            }
            let chn = chn as usize;
            let n = if quad { 2 } else { 1 };
            self.busy_aa2f1 |= if quad { 3 << chn } else { 1 << chn };
            // Parameters are ORed in unmasked (ind+8 of movaq may spill into area).
            let sh = |v: u32, f: crate::tables::BitField| (v << f.lsb) as u16;
            let common = sh(m.opc as u32, AA2F1_OPC)
                | sh(m.area, AA2F1_AREA)
                | sh(m.am, AA2F1_AM)
                | sh(m.be, AA2F1_BE);
            for i in 0..n {
                self.aa2f1[chn + i] |= common;
            }
            if quad {
                let (a, b) = if m.be != 0 { (1, 0) } else { (0, 1) };
                self.aa2f1[chn + a] |= sh(m.ind, AA2F1_IND);
                self.aa2f1[chn + b] |= sh(m.ind + 8, AA2F1_IND);
            } else {
                self.aa2f1[chn] |= sh(m.ind, AA2F1_IND);
            }
            for i in 0..n {
                let c = chn + i;
                let b = match m.dst {
                    MovaDst::Reg(r) => r.byte_plus(i as u16),
                    MovaDst::Special(s) => {
                        if quad {
                            (s & 0xfe) | i as u8
                        } else {
                            s
                        }
                    }
                };
                self.aa0f1[c / 2][c % 2] = b;
            }
            self.start_ss();
            for i in 0..n {
                self.ss.word |= 1 << (12 + chn + i);
            }
            Ok(())
        })();
        self.fail(r)
    }

    /// `fapb ...` (16-byte asynchronous instruction).
    pub fn fapb(&mut self, f: Fapb) -> EResult<()> {
        self.touch();
        let r = (|| {
            let chn = match (f.ct, f.dpl) {
                (Some(_), Some(_)) => {
                    return err("`ct' and `dpl' can't be set within the same fapb")
                }
                (Some(_), None) => 0,
                (None, Some(_)) => 1,
                (None, None) => return err("neither `ct', nor `dpl' has been specified"),
            };
            if self.aps[chn].is_some() {
                return err(format!("fapb occupying APS{chn} has already been met"));
            }
            let si = f.si.unwrap_or(0);
            if si == 0 && (f.be.is_some() || f.am.is_some() || f.area.is_some()) {
                return err(
                    "neither of `be', `am' and `area' can be specified provided that `si == 0'",
                );
            }
            if si == 1 && (f.incr.is_some() || f.ind.is_some()) {
                return err(
                    "neither of `incr', and `ind' can be specified provided that `si == 1'",
                );
            }
            let mut w = 0u32;
            let put = |w: &mut u32, v: Option<u32>, off: u32| {
                if let Some(v) = v {
                    *w |= v.wrapping_shl(off);
                }
            };
            put(&mut w, f.ct, 31);
            put(&mut w, f.dpl, 31);
            put(&mut w, f.si, 30);
            put(&mut w, f.dcd, 28);
            put(&mut w, f.fmt, 25);
            put(&mut w, f.mrng, 20);
            put(&mut w, f.d, 15);
            put(&mut w, f.incr, 12);
            put(&mut w, f.ind, 8);
            put(&mut w, f.be, 14);
            put(&mut w, f.am, 13);
            put(&mut w, f.area, 8);
            put(&mut w, f.asz, 5);
            put(&mut w, f.abs, 0);
            self.aps[chn] = Some((w, f.disp.unwrap_or(0)));
            Ok(())
        })();
        self.fail(r)
    }

    /// Checks the local predicates used by the CLPs.
    pub(crate) fn verify_pls(&self, errors: &mut Vec<super::builder::EncodeError>) {
        let mut depth = [0u32; 3];
        for i in 0..3 {
            if self.explicit_lp & (1 << (4 + i)) == 0 {
                if self.explicit_lp & (1 << (7 + i)) != 0 {
                    errors.push(super::builder::EncodeError(format!(
                        "undefined @p{} passed to a global predicate via {{C/M}}LP{i}",
                        4 + i
                    )));
                }
                continue;
            }
            for j in 0..2 {
                let inc = self.clp_incoming[i][j] as usize;
                if self.explicit_lp & (1 << inc) == 0 {
                    errors.push(super::builder::EncodeError(format!(
                        "undefined @p{inc} used as an incoming parameter for CLP{i}"
                    )));
                    if inc >= 4 {
                        return;
                    }
                }
                let c = if inc < 4 { 1 } else { depth[inc - 4] + 1 };
                if c > depth[i] {
                    depth[i] = c;
                    if c > 2 {
                        errors.push(super::builder::EncodeError(format!(
                            "maximal supported cascading of 2 exceeded for {{C/M}}LP{i}"
                        )));
                    }
                }
            }
        }
    }

    /// Checks that `%dt_al`, `%cmp` and `%clp` conditions refer to existing operations.
    pub(crate) fn verify_ctcond(&self, errors: &mut Vec<super::builder::EncodeError>) {
        if !self.ss.started || !self.ss_is_set(SsF::Ctcond) {
            return;
        }
        let c = self.ss_get(SsF::Ctcond);
        let ct = (c & 0x1e0) >> 5;
        let mut check_cmp = |n: u32| {
            if self.explicit_int_cmp & (1 << n) == 0 {
                errors.push(super::builder::EncodeError(format!(
                    "no integer comparison with an explicitly specified ALC matches %cmp{n} in ctcond"
                )));
            }
        };
        if ct == 9 {
            let ty = (c & 0x18) >> 3;
            match ty {
                0 => {
                    let mut n = (c & 6) >> 1;
                    if n >= 2 {
                        n += 1;
                    }
                    check_cmp(n);
                }
                1 => {
                    let jk = (c & 4) >> 2;
                    check_cmp(if jk != 0 { 3 } else { 0 });
                    check_cmp(if jk != 0 { 4 } else { 1 });
                }
                2 => {
                    let n = (c & 6) >> 1;
                    if self.explicit_lp & (1 << (n + 4)) == 0 {
                        errors.push(super::builder::EncodeError(format!(
                            "no explicitl {{C/M}}LP operation producing @p{} matches %clp{n} in control transfer condition",
                            n + 4
                        )));
                    }
                }
                _ => {}
            }
        }
        if ct == 8 {
            let mask = c & 0xf;
            for i in 0..4 {
                if mask & (1 << i) != 0 {
                    let j = if i < 2 { i } else { i + 1 };
                    if self.explicit_alces & (1 << j) == 0 {
                        errors.push(super::builder::EncodeError(format!(
                            "no speculative operation with an explicit ALC matches %dt_al[{j}] in control transfer condition"
                        )));
                    }
                }
            }
        }
    }

    /// Turns the collected set commands into CS1 (and the LTS0 literal of SETR0/1).
    pub(crate) fn encode_setcmds(&mut self) -> EResult<()> {
        let cmds = self.setcmd;
        let has = |s: usize| cmds[s].is_some();
        let v = |s: usize| cmds[s].unwrap_or(0);
        let setr1 = has(slot::RPSZ);
        let setr0 = has(slot::WSZ) || has(slot::TYPE);
        let setbr = has(slot::PSZ) || has(slot::RSZ);
        let mut first_err = None;
        if setr1 || setr0 || setbr {
            if self.cs1_set {
                first_err = Some(super::builder::EncodeError(
                    "cannot encode SETBR, CS1 syllable is already busy".into(),
                ));
            } else {
                let mut w = 0u32;
                if has(slot::RSZ) {
                    w = CS1_SETBN.set(w, 1);
                    w = CS1_RSZ.set(w, v(slot::RSZ));
                    w = CS1_RBS.set(w, v(slot::RBS));
                    w = CS1_RCUR.set(w, v(slot::RCUR));
                }
                if has(slot::PSZ) {
                    w = CS1_SETBP.set(w, 1);
                    w = CS1_PSZ.set(w, v(slot::PSZ));
                }
                self.cs1 = w;
            }
            if setr1 || setr0 {
                let mut lts = 0u32;
                if has(slot::TYPE) {
                    self.cs1 = CS1_SETTR.set(self.cs1, 1);
                    lts = LTS0_TYPE.set(lts, v(slot::TYPE));
                }
                if has(slot::WSZ) {
                    lts = LTS0_WSZ.set(lts, v(slot::WSZ));
                    lts = LTS0_NFX.set(lts, v(slot::NFX));
                    lts = LTS0_DBL.set(lts, v(slot::DBL));
                }
                if setr1 {
                    lts = LTS0_RPSZ.set(lts, v(slot::RPSZ));
                }
                self.push_literal(Literal::fixed(Value::Const(lts as i64), 2, 0));
            }
            if first_err.is_none() {
                let opc = if setr1 {
                    1
                } else if setr0 {
                    0
                } else {
                    4
                };
                self.cs1 = CS1_OPC.set(self.cs1, opc);
                self.cs1_set = true;
            }
        }
        if has(slot::SETEI) {
            if self.cs1_set {
                first_err.get_or_insert(super::builder::EncodeError(
                    "cannot encode SETEI, CS1 syllable is already busy".into(),
                ));
            } else {
                self.cs1 = (2 << 28) | v(slot::SETEI);
                self.cs1_set = true;
            }
        }
        if self.setsft {
            if self.cs1_set {
                first_err.get_or_insert(super::builder::EncodeError(
                    "cannot encode SETSFT, CS1 syllable is already busy".into(),
                ));
            } else {
                self.cs1 = (2 << 28) | (1 << 27);
                self.cs1_set = true;
            }
        }
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
