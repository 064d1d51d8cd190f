//! Statements outside the ALU operations: control transfer and its conditions, CS0
//! preparations, SS flags, set commands, wait/flush, predicate logic, mova, fapb, incr,
//! and the MMU register moves.

use super::assembler::Assembler;
use super::expr::PErr;
use super::insn::{parse_pred, split_cond, split_items, Item};
use super::lexer::{Tok, Token};
use e2k_isa::encode::{
    AlsArgs, AlsStmt, AluOp, Cs0Op, CtCond, DoneOp, Fapb, LitSpec, Lookup, LoopCombo, MlockSub,
    Mova, MovaDst, Opnd, PassSrc, Pred, SetCmd, SymKind, Target, Value, WideBuilder,
};

/// Which statement a condition belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Plain,
    Ibranch,
    Rbranch,
}

fn pos_of(t: &[Token], end: usize) -> usize {
    t.first().map(|t| t.pos).unwrap_or(end)
}

fn is_cond_word(t: &Tok, word: &str) -> bool {
    match t {
        Tok::Percent(s) => s == word,
        Tok::Ident(s) => s.strip_prefix('#') == Some(word),
        _ => false,
    }
}

/// `%cmpN`, `%cmpJ || %cmpK`, `%clpN` with optional `~`.
fn pl_cond(t: &[Token], i: &mut usize) -> Option<u8> {
    let mut k = *i;
    let neg = if t.get(k).map(|x| &x.tok) == Some(&Tok::Punct("~")) {
        k += 1;
        true
    } else {
        false
    };
    let Some(Tok::Percent(name)) = t.get(k).map(|x| &x.tok) else {
        return None;
    };
    k += 1;
    if let Some(d) = name.strip_prefix("cmp") {
        let n: u8 = d.parse().ok()?;
        if t.get(k).map(|x| &x.tok) == Some(&Tok::Punct("||")) && (n == 0 || n == 3) {
            let mut k2 = k + 1;
            let negk = if t.get(k2).map(|x| &x.tok) == Some(&Tok::Punct("~")) {
                k2 += 1;
                true
            } else {
                false
            };
            let want = if n == 0 { "cmp1" } else { "cmp4" };
            if let Some(Tok::Percent(m)) = t.get(k2).map(|x| &x.tok) {
                if m == want {
                    *i = k2 + 1;
                    let jk = (n == 3) as u8;
                    return Some((1 << 3) | (jk << 2) | ((neg as u8) << 1) | negk as u8);
                }
            }
            return None;
        }
        let idx = match n {
            0 => 0,
            1 => 1,
            3 => 2,
            4 => 3,
            _ => return None,
        };
        *i = k;
        return Some((idx << 1) | neg as u8);
    }
    if let Some(d) = name.strip_prefix("clp") {
        let n: u8 = d.parse().ok()?;
        if n > 2 {
            return None;
        }
        *i = k;
        return Some((2 << 3) | (n << 1) | neg as u8);
    }
    None
}

/// Parses a transfer condition (the tokens after `?`).
pub fn parse_ctcond(cond: Option<&[Token]>, mode: Mode, end: usize) -> Result<CtCond, PErr> {
    let Some(t) = cond else {
        return Ok(CtCond::Default);
    };
    let pos = pos_of(t, end);
    let bad = || (pos, "invalid control transfer condition".to_string());
    let first = t.first().map(|x| &x.tok).ok_or_else(bad)?;
    let done = |i: usize| -> Result<(), PErr> {
        if i == t.len() {
            Ok(())
        } else {
            Err((t[i].pos, "end of line expected".into()))
        }
    };
    for (w, c) in [
        ("always", CtCond::Always),
        ("never", CtCond::Never),
        ("LOOP_END", CtCond::LoopEnd),
        ("NOT_LOOP_END", CtCond::NotLoopEnd),
    ] {
        if is_cond_word(first, w) {
            done(1)?;
            return Ok(c);
        }
    }
    let explicit = is_cond_word(first, "MLOCK");
    if explicit || mode == Mode::Rbranch {
        let mut i = if explicit { 1 } else { 0 };
        if explicit && mode != Mode::Rbranch {
            if i == t.len() {
                return Ok(CtCond::MLock {
                    explicit,
                    sub: None,
                });
            }
            if t[i].tok != Tok::Punct("||") {
                return Err(bad());
            }
            i += 1;
        }
        if let Some(Tok::Percent(n)) = t.get(i).map(|x| &x.tok) {
            if let Some(d) = n.strip_prefix("dt_al") {
                let mut mask = 0u8;
                let mut rest = d;
                for (digit, bit) in [('0', 0), ('1', 1), ('3', 2), ('4', 3)] {
                    if let Some(r) = rest.strip_prefix(digit) {
                        mask |= 1 << bit;
                        rest = r;
                    }
                }
                if !rest.is_empty() {
                    return Err(bad());
                }
                done(i + 1)?;
                return Ok(CtCond::MLock {
                    explicit,
                    sub: Some(MlockSub::DtAl(mask)),
                });
            }
        }
        let mut k = i;
        if let Some(p) = pl_cond(t, &mut k) {
            done(k)?;
            return Ok(CtCond::MLock {
                explicit,
                sub: Some(MlockSub::Pl(p)),
            });
        }
        return Err((
            pos,
            format!(
                "invalid control transfer condition after {}",
                if mode == Mode::Rbranch {
                    "rbranch"
                } else {
                    "ibranch %MLOCK ||"
                }
            ),
        ));
    }
    // [~]%predN [|| %LOOP_END | && %NOT_LOOP_END]
    let mut i = 0;
    let negated = if t[0].tok == Tok::Punct("~") {
        i = 1;
        true
    } else {
        false
    };
    let Some(Tok::Percent(n)) = t.get(i).map(|x| &x.tok) else {
        return Err(bad());
    };
    let Some(num) = n.strip_prefix("pred").and_then(|d| d.parse::<u32>().ok()) else {
        return Err(bad());
    };
    i += 1;
    let mut combo = LoopCombo::None;
    if i + 1 < t.len() {
        if t[i].tok == Tok::Punct("||") && is_cond_word(&t[i + 1].tok, "LOOP_END") {
            combo = LoopCombo::OrLoopEnd;
            i += 2;
        } else if t[i].tok == Tok::Punct("&&") && is_cond_word(&t[i + 1].tok, "NOT_LOOP_END") {
            combo = LoopCombo::AndNotLoopEnd;
            i += 2;
        }
    }
    done(i)?;
    Ok(CtCond::Pred {
        negated,
        num,
        combo,
    })
}

/// `name=value` pairs (value: constant expression).
fn params(a: &mut Assembler, items: &[Item], end: usize) -> Result<Vec<(String, i64)>, PErr> {
    let mut out = Vec::new();
    for it in items {
        let pos = pos_of(it, end);
        match it.as_slice() {
            [Token {
                tok: Tok::Ident(n), ..
            }, Token {
                tok: Tok::Punct("="),
                ..
            }, rest @ ..] => {
                let v = a.const_expr(rest, end)?;
                out.push((n.clone(), v));
            }
            [] => return Err((pos, "parameter expected".into())),
            _ => return Err((pos, "`name=value' expected".into())),
        }
    }
    Ok(out)
}

fn ctpr_num(item: &[Token], end: usize) -> Result<u32, PErr> {
    let pos = pos_of(item, end);
    match item {
        [Token {
            tok: Tok::Percent(n),
            ..
        }] if n.starts_with("ctpr") => n[4..]
            .parse::<u32>()
            .map_err(|_| (pos, "cannot see %ctpr number".to_string())),
        _ => Err((pos, "%ctpr expected ".into())),
    }
}

fn local_pred(item: &[Token], end: usize) -> Result<(bool, u32), PErr> {
    let pos = pos_of(item, end);
    let (neg, rest) = match item.first().map(|t| &t.tok) {
        Some(Tok::Punct("~")) => (true, &item[1..]),
        _ => (false, item),
    };
    match rest {
        [Token {
            tok: Tok::At(n), ..
        }] if n.starts_with('p') => n[1..]
            .parse::<u32>()
            .map(|v| (neg, v))
            .map_err(|_| (pos, "local predicate expected".to_string())),
        _ => Err((pos, "local predicate expected".into())),
    }
}

impl Assembler {
    pub fn ctcond(
        &mut self,
        cond: Option<&[Token]>,
        mode: Mode,
        end: usize,
    ) -> Result<CtCond, PErr> {
        parse_ctcond(cond, mode, end)
    }

    fn target(&mut self, item: &[Token], end: usize) -> Result<Target, PErr> {
        let it = match item {
            [Token {
                tok: Tok::Ident(d), ..
            }, Token {
                tok: Tok::Punct("="),
                ..
            }, rest @ ..]
                if d == "disp" =>
            {
                rest
            }
            other => other,
        };
        let pos = pos_of(it, end);
        if it.is_empty() {
            return Err((pos, "invalid expression".into()));
        }
        Ok(match self.value_expr(it, end)? {
            Value::Const(c) => Target::Const(c),
            v @ Value::Sym { kind, .. } => {
                if !matches!(kind, SymKind::Abs | SymKind::Plt) {
                    return Err((pos, "invalid expression".into()));
                }
                Target::Sym(v)
            }
        })
    }

    fn wbs(&mut self, item: &[Token], end: usize) -> Result<u32, PErr> {
        let it = match item {
            [Token {
                tok: Tok::Ident(d), ..
            }, Token {
                tok: Tok::Punct("="),
                ..
            }, rest @ ..]
                if d == "wbs" =>
            {
                rest
            }
            other => other,
        };
        Ok(self.const_expr(it, end)? as u32 & 0xff)
    }

    /// Handles a non-ALU statement `name` (already version-checked).
    pub fn control(
        &mut self,
        b: &mut WideBuilder,
        name: &str,
        toks: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let pos0 = toks[0].pos;
        let rest = &toks[1..];
        let e = |r: e2k_isa::encode::EResult<()>| r.map_err(|e| (pos0, e.0));
        let (ops, cond) = split_cond(rest);
        let items = split_items(ops);
        let n = items.len();
        let none = |items: &[Item]| -> Result<(), PErr> {
            match items.first() {
                Some(it) => Err((
                    pos_of(it, end),
                    format!("unrecognized arguments in `{name}'"),
                )),
                None => Ok(()),
            }
        };
        let no_cond = |c: Option<&[Token]>| -> Result<(), PErr> {
            match c {
                Some(c) => Err((pos_of(c, end), "unexpected condition".into())),
                None => Ok(()),
            }
        };
        match name {
            "ct" | "call" => {
                let Some(first) = items.first() else {
                    return Err((pos0, "`%ctpr{1,2,3}' expected".into()));
                };
                let ctpr = ctpr_num(first, end)
                    .map_err(|(p, _)| (p, "`%ctpr{1,2,3}' expected".to_string()))?;
                if !(1..=3).contains(&ctpr) {
                    return Err((
                        pos_of(first, end),
                        "invalid `%ctpr' number (should be 1, 2 or 3)".into(),
                    ));
                }
                let wbs = if name == "call" {
                    let Some(w) = items.get(1) else {
                        return Err((pos0, "wbs value expected".into()));
                    };
                    none(&items[2..])?;
                    Some(self.wbs(w, end)?)
                } else {
                    none(&items[1..])?;
                    None
                };
                let c = parse_ctcond(cond, Mode::Plain, end)?;
                e(b.ct(ctpr, wbs, c))
            }
            "disp" | "ldisp" | "sdisp" | "return" | "gettsd" => {
                no_cond(cond)?;
                let op = match name {
                    "disp" => Cs0Op::Disp,
                    "ldisp" => Cs0Op::Ldisp,
                    "sdisp" => Cs0Op::Sdisp,
                    "return" => Cs0Op::Return,
                    _ => Cs0Op::Gettsd,
                };
                let Some(first) = items.first() else {
                    return Err((pos0, "%ctpr expected ".into()));
                };
                let ctpr = ctpr_num(first, end)?;
                let target = if matches!(op, Cs0Op::Return | Cs0Op::Gettsd) {
                    none(&items[1..])?;
                    None
                } else {
                    let Some(t) = items.get(1) else {
                        return Err((pos0, "invalid expression".into()));
                    };
                    none(&items[2..])?;
                    Some(self.target(t, end)?)
                };
                e(b.cs0_op(op, ctpr, target))
            }
            "pref" => {
                no_cond(cond)?;
                let Some(first) = items.first() else {
                    return Err((pos0, "%ipr expected ".into()));
                };
                let ipr = match first.as_slice() {
                    [Token {
                        tok: Tok::Percent(p),
                        ..
                    }] if p.starts_with("ipr") => p[3..].parse::<u32>().map_err(|_| {
                        (pos_of(first, end), "cannot see index for %ipr".to_string())
                    })?,
                    _ => return Err((pos_of(first, end), "%ipr expected ".into())),
                };
                let Some(t) = items.get(1) else {
                    return Err((pos0, "invalid expression".into()));
                };
                let target = self.target(t, end)?;
                let mut ipd = 0;
                if let Some(p) = items.get(2) {
                    let ps = params(self, std::slice::from_ref(p), end)?;
                    if ps[0].0 != "ipd" {
                        return Err((pos_of(p, end), "`ipd=' expected".into()));
                    }
                    ipd = ps[0].1 as u32;
                }
                none(&items[3.min(n)..])?;
                e(b.pref(ipr, target, ipd))
            }
            "ibranch" | "rbranch" => {
                let Some(t) = items.first() else {
                    return Err((pos0, "invalid expression".into()));
                };
                none(&items[1..])?;
                let target = self.target(t, end)?;
                let rb = name == "rbranch";
                let c = parse_ctcond(cond, if rb { Mode::Rbranch } else { Mode::Ibranch }, end)?;
                e(b.ibranch(target, c, rb))
            }
            "done" | "iret" | "hret" | "glaunch" => {
                none(&items)?;
                let op = match name {
                    "done" => DoneOp::Done,
                    "iret" => DoneOp::Iret,
                    "hret" => DoneOp::Hret,
                    _ => DoneOp::Glaunch,
                };
                let c = parse_ctcond(cond, Mode::Plain, end)?;
                e(b.done(op, c))
            }
            "icall" | "hcall" => {
                if n != 2 {
                    return Err((pos0, "wbs value expected".into()));
                }
                let target = self.target(&items[0], end)?;
                let wbs = self.wbs(&items[1], end)?;
                let c = parse_ctcond(cond, Mode::Plain, end)?;
                e(b.icall(name == "hcall", target, wbs, c))
            }
            "ipd" | "abg" | "setei" => {
                no_cond(cond)?;
                if n != 1 {
                    return Err((pos0, format!("{name} value expected")));
                }
                let v = self.const_expr(&items[0], end)?;
                match name {
                    "ipd" => e(b.ipd(v.clamp(0, u32::MAX as i64) as u32)),
                    "abg" => e(b.abg(v.clamp(0, u32::MAX as i64) as u32)),
                    _ => e(b.setcmd(SetCmd::Setei, &[(String::new(), v)])),
                }
            }
            "nop" => {
                no_cond(cond)?;
                match items.as_slice() {
                    [] => e(b.nop(None)),
                    [one] => {
                        let v = self.const_expr(one, end)?;
                        e(b.nop(Some(v.clamp(0, 255) as u32)))
                    }
                    _ => Err((pos0, "unexpected symbol".into())),
                }
            }
            "loop_mode" | "set_mark" | "vfdi" | "bap" | "eap" | "flushts" | "setsft" | "flushr"
            | "flushc" | "fillr" | "fillc" => {
                no_cond(cond)?;
                none(&items)?;
                match name {
                    "loop_mode" => {
                        b.loop_mode();
                        Ok(())
                    }
                    "set_mark" => {
                        b.set_mark();
                        Ok(())
                    }
                    "vfdi" => e(b.vfdi()),
                    "bap" => e(b.bap()),
                    "eap" => e(b.eap()),
                    "flushts" => {
                        b.flushts();
                        Ok(())
                    }
                    "setsft" => {
                        b.setsft();
                        Ok(())
                    }
                    "flushr" => e(b.flush(0, name)),
                    "flushc" => e(b.flush(1, name)),
                    "fillr" => e(b.flush(2, name)),
                    _ => e(b.flush(3, name)),
                }
            }
            "alc" | "abn" | "abp" => {
                no_cond(cond)?;
                let which = match name {
                    "alc" => 0,
                    "abn" => 1,
                    _ => 2,
                };
                let (f, t) = if n == 1
                    && !matches!(items[0].get(1).map(|t| &t.tok), Some(Tok::Punct("=")))
                {
                    let v = self.const_expr(&items[0], end)? as u32;
                    ((v >> 1) & 1, v & 1)
                } else {
                    let ps = params(self, &items, end)?;
                    let fname = format!("{name}f");
                    let tname = format!("{name}t");
                    let mut f = None;
                    let mut t = None;
                    for (k, v) in ps {
                        if k == fname {
                            f = Some(v as u32);
                        } else if k == tname {
                            t = Some(v as u32);
                        } else {
                            return Err((pos0, format!("`{fname}=' expected")));
                        }
                    }
                    let (Some(f), Some(t)) = (f, t) else {
                        return Err((pos0, format!("`{fname}=' and `{tname}=' expected")));
                    };
                    (f, t)
                };
                e(b.advance(which, f, t))
            }
            "srp" | "crp" | "slrp" => {
                none(&items)?;
                let p = match cond {
                    Some(c) => Some(parse_pred(c, true, end)?),
                    None => None,
                };
                let (srp, crp) = match name {
                    "srp" => (true, false),
                    "crp" => (false, true),
                    _ => (true, true),
                };
                e(b.rp(srp, crp, p))
            }
            "setwd" | "setbn" | "setbp" | "settr" | "vfrpsz" => {
                no_cond(cond)?;
                let cmd = match name {
                    "setwd" => SetCmd::Setwd,
                    "setbn" => SetCmd::Setbn,
                    "setbp" => SetCmd::Setbp,
                    "settr" => SetCmd::Settr,
                    _ => SetCmd::Vfrpsz,
                };
                let ps = params(self, &items, end)?;
                e(b.setcmd(cmd, &ps))
            }
            "wait" => {
                no_cond(cond)?;
                let ps = params(self, &items, end)?;
                e(b.wait(&ps))
            }
            "pass" => {
                no_cond(cond)?;
                if n != 2 {
                    return Err((pos0, "`pass src, dst' expected".into()));
                }
                let src = self.pass_operand(&items[0], end)?;
                let dst = self.pass_operand(&items[1], end)?;
                e(b.pass(src, dst))
            }
            "andp" | "landp" | "movep" => {
                no_cond(cond)?;
                if n != 3 {
                    return Err((pos0, format!("`{name} @pA, @pB, @pC' expected")));
                }
                let a = local_pred(&items[0], end)?;
                let c = local_pred(&items[1], end)?;
                let d = local_pred(&items[2], end)?;
                let opc = match name {
                    "andp" => 0,
                    "landp" => 1,
                    _ => 3,
                };
                e(b.clp(opc, a, c, d))
            }
            "clpandp" | "clplandp" => {
                no_cond(cond)?;
                if n != 3 {
                    return Err((pos0, format!("`{name} src1, src2, dst' expected")));
                }
                let s1 = parse_pred(&items[0], false, end)?;
                let s2 = parse_pred(&items[1], false, end)?;
                let d = parse_pred(&items[2], false, end)?;
                e(b.clp_macro(name == "clplandp", s1, s2, d))
            }
            "movab" | "movah" | "movaw" | "movad" | "movaq" | "movaqp" => {
                no_cond(cond)?;
                let opc = match name {
                    "movab" => 1,
                    "movah" => 2,
                    "movaw" => 3,
                    "movad" => 4,
                    "movaq" => 5,
                    _ => 7,
                };
                // `movaX,C` — the channel follows the mnemonic.
                let (chan, items) = match items.first().map(|i| i.as_slice()) {
                    Some([]) => match items.get(1).map(|i| i.as_slice()) {
                        Some(
                            [Token {
                                tok: Tok::Num(c), ..
                            }, rest @ ..],
                        ) => {
                            let mut its = vec![rest.to_vec()];
                            its.retain(|i| !i.is_empty());
                            its.extend_from_slice(&items[2..]);
                            (*c as u32, its)
                        }
                        _ => return Err((pos0, "mova channel expected".into())),
                    },
                    _ => return Err((pos0, "mova channel expected".into())),
                };
                let Some((dst_item, pitems)) = items.split_last() else {
                    return Err((pos0, "invalid destination for MOVA".into()));
                };
                let ps = params(self, pitems, end)?;
                let mut m = Mova {
                    opc,
                    chan,
                    area: 0,
                    ind: 0,
                    am: 0,
                    be: 0,
                    dst: MovaDst::Special(0xdf),
                };
                let mut seen = Vec::new();
                for (k, v) in ps {
                    if seen.contains(&k) {
                        return Err((pos0, format!("`{k}=' has already been seen")));
                    }
                    let v = v as u32 & 0xff;
                    match k.as_str() {
                        "area" => m.area = v,
                        "ind" => m.ind = v,
                        "am" => m.am = v,
                        "be" => m.be = v,
                        _ => return Err((pos0, format!("unknown mova parameter `{k}'"))),
                    }
                    seen.push(k);
                }
                m.dst = match dst_item.as_slice() {
                    [Token {
                        tok: Tok::Percent(r),
                        pos,
                    }, rest @ ..] => {
                        let mut p = super::expr::Parser::new(rest, end, true);
                        match p.reg_atom(r, *pos)? {
                            super::expr::RegAtom::Gpr(g) => MovaDst::Reg(g),
                            super::expr::RegAtom::Special(s) => MovaDst::Special(s),
                            _ => return Err((*pos, "invalid destination for MOVA".into())),
                        }
                    }
                    _ => {
                        return Err((pos_of(dst_item, end), "invalid destination for MOVA".into()))
                    }
                };
                e(b.mova(m))
            }
            "fapb" => {
                no_cond(cond)?;
                let ps = params(self, &items, end)?;
                let mut f = Fapb::default();
                for (k, v) in ps {
                    let v = Some(v as u32);
                    match k.as_str() {
                        "ct" => f.ct = v,
                        "dpl" => f.dpl = v,
                        "si" => f.si = v,
                        "dcd" => f.dcd = v,
                        "fmt" => f.fmt = v,
                        "mrng" => f.mrng = v,
                        "d" => f.d = v,
                        "incr" => f.incr = v,
                        "ind" => f.ind = v,
                        "be" => f.be = v,
                        "am" => f.am = v,
                        "area" => f.area = v,
                        "asz" => f.asz = v,
                        "abs" => f.abs = v,
                        "disp" => f.disp = v,
                        _ => return Err((pos0, format!("unrecognized fapb parameter at `{k}'"))),
                    }
                }
                e(b.fapb(f))
            }
            "incr" => {
                let (chan, items) = match items.first().map(|i| i.as_slice()) {
                    Some([]) => match items.get(1).map(|i| i.as_slice()) {
                        Some(
                            [Token {
                                tok: Tok::Num(c), ..
                            }, rest @ ..],
                        ) => (Some(*c as u32), vec![rest.to_vec()]),
                        _ => return Err((pos0, "`%aaincr' expected".into())),
                    },
                    _ => (None, items.clone()),
                };
                let n = match items.as_slice() {
                    [it] => match it.as_slice() {
                        [Token {
                            tok: Tok::Percent(r),
                            pos,
                        }] => r
                            .strip_prefix("aaincr")
                            .and_then(|d| d.parse::<u32>().ok())
                            .ok_or((*pos, "`%aaincr' expected".to_string()))?,
                        _ => return Err((pos_of(it, end), "`%aaincr' expected".into())),
                    },
                    _ => return Err((pos0, "`%aaincr' expected".into())),
                };
                let p = match cond {
                    Some(c) => parse_pred(c, true, end).ok(),
                    None => None,
                };
                e(b.incr(chan, n, p))
            }
            "mmurr" | "mmurw" => self.mmu(b, name, toks, end),
            _ => Err((pos0, format!("unknown instruction `{name}'"))),
        }
    }

    fn pass_operand(&mut self, item: &[Token], end: usize) -> Result<PassSrc, PErr> {
        let pos = pos_of(item, end);
        let (neg, rest) = match item.first().map(|t| &t.tok) {
            Some(Tok::Punct("~")) => (true, &item[1..]),
            _ => (false, item),
        };
        match rest {
            [Token {
                tok: Tok::At(_), ..
            }] => {
                let (negated, num) = local_pred(item, end)?;
                Ok(PassSrc::Local { negated, num })
            }
            [Token {
                tok: Tok::Percent(n),
                ..
            }] => {
                if let Some(d) = n.strip_prefix("pred") {
                    let num = d
                        .parse::<u32>()
                        .map_err(|_| (pos, "bad predicate".to_string()))?;
                    return Ok(PassSrc::Pred(Pred {
                        negated: neg,
                        pcnt: false,
                        num,
                    }));
                }
                if neg {
                    return Err((pos, "invalid predicate".into()));
                }
                if n == "lcntex" {
                    return Ok(PassSrc::Special(0));
                }
                if let Some(d) = n.strip_prefix("spred") {
                    let mut m = 0u8;
                    for c in d.chars() {
                        match c.to_digit(10) {
                            Some(k) if k <= 5 => m |= 1 << k,
                            _ => return Err((pos, "bad %spred".into())),
                        }
                    }
                    if m != 0 {
                        return Ok(PassSrc::Special(m));
                    }
                }
                if let Some(d) = n.strip_prefix("rndpred") {
                    if self.version >= 3 {
                        if let Ok(k) = d.parse::<u8>() {
                            if (1..=15).contains(&k) {
                                return Ok(PassSrc::Special(0x40 | k));
                            }
                        }
                    }
                }
                Err((
                    pos,
                    "either of %lcntex, %spred, %pred or @p expected as the first parameter for `pass'"
                        .into(),
                ))
            }
            _ => Err((
                pos,
                "either of %lcntex, %spred, %pred or @p expected as the first parameter for `pass'"
                    .into(),
            )),
        }
    }

    /// `mmurr,C %mu_reg, dst` / `mmurw,2 src, %mu_reg`: ldd/std forms with the register's
    /// address and MAS.
    fn mmu(
        &mut self,
        b: &mut WideBuilder,
        name: &str,
        toks: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let pos0 = toks[0].pos;
        let rest = &toks[1..];
        let mut i = 0;
        let mut chan = None;
        let mut sm = false;
        while matches!(rest.get(i).map(|t| &t.tok), Some(Tok::Punct(","))) {
            match rest.get(i + 1).map(|t| &t.tok) {
                Some(Tok::Num(c)) if chan.is_none() => {
                    chan = Some(*c as u32);
                    i += 2;
                }
                Some(Tok::Ident(s)) if !sm && (s == "sm" || s == "s") => {
                    sm = true;
                    i += 2;
                }
                _ => break,
            }
        }
        let (ops, cond) = split_cond(&rest[i..]);
        let items = split_items(ops);
        if items.len() != 2 {
            return Err((pos0, format!("`{name}' expects two operands")));
        }
        let read = name == "mmurr";
        let base = if read { "ldd" } else { "std" };
        let Lookup::Found(mut op) = AluOp::lookup(base, self.version) else {
            return Err((pos0, format!("unknown instruction `{name}'")));
        };
        op.chans = if read { 0b100100 } else { 0b000100 };
        op.name = if read { "mmurr" } else { "mmurw" };
        let reg_item = if read { &items[0] } else { &items[1] };
        let rpos = pos_of(reg_item, end);
        let reg = match reg_item.as_slice() {
            [Token {
                tok: Tok::Percent(n),
                ..
            }] => {
                let full = format!("%{n}");
                let mut known = e2k_isa::tables::MUREGS
                    .iter()
                    .filter(|r| r.asm && r.name == full)
                    .peekable();
                if known.peek().is_none() {
                    return Err((rpos, format!("invalid MU register at `{full}'")));
                }
                let v = self.version;
                known.find(|r| r.ver_lo <= v).ok_or((
                    rpos,
                    format!("MU register `{full}' is not available for elbrus-v{v}"),
                ))?
            }
            _ => return Err((rpos, "MU register expected".into())),
        };
        let args = if read {
            if !reg.read {
                return Err((rpos, format!("`{}' is not readable", reg.name)));
            }
            let dst = match items[1].as_slice() {
                [Token {
                    tok: Tok::Percent(r),
                    pos,
                }, tail @ ..] => {
                    let mut p = super::expr::Parser::new(tail, end, true);
                    match p.reg_atom(r, *pos)? {
                        super::expr::RegAtom::Gpr(g) => Opnd::Reg(g),
                        super::expr::RegAtom::Special(s) => Opnd::Special(s),
                        _ => return Err((*pos, "invalid dst".into())),
                    }
                }
                _ => return Err((pos_of(&items[1], end), "invalid dst".into())),
            };
            AlsArgs::Mmurr {
                addr: reg.addr,
                mas: reg.mas,
                rch: reg.rch,
                dst,
            }
        } else {
            if reg.write_from == 0 {
                return Err((rpos, format!("`{}' is not writable", reg.name)));
            }
            if self.version < reg.write_from {
                return Err((
                    rpos,
                    format!(
                        "`{}' is not writable on `elbrus-v{}'",
                        reg.name, self.version
                    ),
                ));
            }
            let src3 = match items[0].as_slice() {
                [Token {
                    tok: Tok::Percent(r),
                    pos,
                }, tail @ ..] => {
                    let mut p = super::expr::Parser::new(tail, end, true);
                    match p.reg_atom(r, *pos)? {
                        super::expr::RegAtom::Gpr(g) => Opnd::Reg(g),
                        _ => return Err((*pos, "invalid src3".into())),
                    }
                }
                _ => return Err((pos_of(&items[0], end), "invalid src3".into())),
            };
            AlsArgs::Mmurw {
                src3,
                addr: reg.addr,
                mas: reg.mas,
            }
        };
        let mut pred = None;
        let mut pcnt = None;
        if let Some(c) = cond {
            for p in split_items(c) {
                let pr = parse_pred(&p, true, end)?;
                if pr.pcnt {
                    pcnt = Some(pr);
                } else {
                    pred = Some(pr);
                }
            }
        }
        let st = AlsStmt {
            op,
            chan,
            sm,
            args,
            spec: LitSpec::default(),
            mas: None,
            pred,
            pcnt,
            mrgc: None,
            ctcond: None,
        };
        b.add_als(st).map_err(|e| (pos0, e.0))
    }
}
