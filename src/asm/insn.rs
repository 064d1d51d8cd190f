//! Instruction statements: mnemonic lookup (ALU templates from the spec, control
//! operations from the spec's `ctl` list), `,C`/`,sm`, literal specifiers, and the
//! operand syntax of every ALU format (including MCST's load/store operand rules).

use super::assembler::{Assembler, LineCtx, OpenWide};
use super::expr::{self, Expr, PErr, Parser, RegAtom, Terms, Val};
use super::lexer::{Tok, Token};
use e2k_isa::encode::{
    operand::{LIT16, LIT32, LIT64},
    Aasti, AlsArgs, AlsStmt, AluOp, LitSpec, Lookup, Opnd, Pred, Value, WideBuilder,
};
use e2k_isa::tables::{Format, Opnd as Kind};

/// Operand item: the tokens of one comma-separated operand.
pub type Item = Vec<Token>;

/// Splits operand tokens at top-level commas; commas inside brackets become `+`.
pub fn split_items(toks: &[Token]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    let mut depth = 0i32;
    for t in toks {
        match t.tok {
            Tok::Punct("(") | Tok::Punct("[") => depth += 1,
            Tok::Punct(")") | Tok::Punct("]") => depth -= 1,
            Tok::Punct(",") if depth <= 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            Tok::Punct(",") => {
                cur.push(Token {
                    tok: Tok::Punct("+"),
                    pos: t.pos,
                });
                continue;
            }
            _ => {}
        }
        cur.push(t.clone());
    }
    if !cur.is_empty() || !out.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits at the first top-level `?`.
pub fn split_cond(toks: &[Token]) -> (&[Token], Option<&[Token]>) {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(") | Tok::Punct("[") => depth += 1,
            Tok::Punct(")") | Tok::Punct("]") => depth -= 1,
            Tok::Punct("?") if depth <= 0 => return (&toks[..i], Some(&toks[i + 1..])),
            _ => {}
        }
    }
    (toks, None)
}

fn fmt_spec(s: &str) -> Option<(u8, bool)> {
    Some(match s {
        "_f16s" | "_f16" => (LIT16, false),
        "_f32s" | "_f32" => (LIT32, false),
        "_f64" => (LIT64, false),
        "_lit16_ref" => (LIT16, true),
        "_lit32_ref" => (LIT32, true),
        "_lit64_ref" => (LIT64, true),
        _ => return None,
    })
}

fn lts_spec(s: &str) -> Option<(u8, u8)> {
    Some(match s {
        "_lts0lo" => (0, 0),
        "_lts0hi" => (1, 1),
        "_lts0" => (0, 1),
        "_lts1lo" => (2, 2),
        "_lts1hi" => (3, 3),
        "_lts1" => (2, 3),
        "_lts2" => (4, 4),
        "_lts3" => (6, 6),
        _ => return None,
    })
}

/// A matched specifier: format (row, reference), placement (cols), token count.
type SpecMatch = (Option<(u8, bool)>, Option<(u8, u8)>, usize);

fn ident(t: Option<&Token>) -> Option<&str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(s),
        _ => None,
    }
}

fn is_comma(t: Option<&Token>) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Punct(",")))
}

/// Removes the first `_fNN[,_ltsN]` / `_ltsN[,_fNN]` / `_litNN_ref,_ltsN` specifier.
pub fn extract_spec(toks: &[Token]) -> Result<(Vec<Token>, LitSpec), PErr> {
    let mut spec = LitSpec::default();
    for k in 0..toks.len() {
        let Some(name) = ident(toks.get(k)) else {
            continue;
        };
        let pair_ok = |k: usize| toks.get(k + 3).is_some() && !is_comma(toks.get(k + 3));
        let found: Option<SpecMatch> = if let Some(f) = fmt_spec(name) {
            if is_comma(toks.get(k + 1)) {
                ident(toks.get(k + 2))
                    .and_then(lts_spec)
                    .filter(|_| pair_ok(k))
                    .map(|l| (Some(f), Some(l), 3))
            } else if toks.get(k + 1).is_some() {
                Some((Some(f), None, 1))
            } else {
                None
            }
        } else if let Some(l) = lts_spec(name) {
            if is_comma(toks.get(k + 1)) {
                ident(toks.get(k + 2))
                    .and_then(fmt_spec)
                    .filter(|_| pair_ok(k))
                    .map(|f| (Some(f), Some(l), 3))
            } else if toks.get(k + 1).is_some() {
                Some((None, Some(l), 1))
            } else {
                None
            }
        } else {
            None
        };
        let Some((row, cols, len)) = found else {
            continue;
        };
        let pos = toks[k].pos;
        if let Some((r, reference)) = row {
            spec.min_row = r;
            spec.max_row = r;
            spec.reference = reference;
            if reference && cols.is_none() {
                return Err((pos, "_ltsX not specified for a literal reference".into()));
            }
        }
        if let Some((a, b)) = cols {
            spec.min_col = a;
            spec.max_col = b;
            if a == b && a < 4 && spec.min_row != LIT16 && row.is_some() {
                return Err((
                    pos,
                    "Invalid combination of literal format and location".into(),
                ));
            }
        }
        let mut rest = toks[..k].to_vec();
        rest.extend_from_slice(&toks[k + len..]);
        return Ok((rest, spec));
    }
    Ok((toks.to_vec(), spec))
}

/// MCST as accepts `ldL{c,d,s,f,g}s*`/`stL...` (v3+) and `apurr*`/`apurw*` spellings.
pub fn real_insn_name(name: &str, version: u8) -> String {
    let b = name.as_bytes();
    if name.starts_with("apur") && (b.len() == 5 || b.len() == 6) {
        return format!("aa{}", &name[2..]);
    }
    if version >= 3
        && (name.starts_with("ld") || name.starts_with("st"))
        && b.len() >= 5
        && b[2] == b'l'
        && matches!(b[3], b'c' | b'd' | b's' | b'f' | b'g')
        && b[4] == b's'
    {
        return format!("{}{}", &name[..2], &name[3..]);
    }
    name.to_string()
}

fn item_pos(item: &[Token], fallback: usize) -> usize {
    item.first().map(|t| t.pos).unwrap_or(fallback)
}

/// `[~]%predN` or `[~]%pcntN`.
pub fn parse_pred(item: &[Token], allow_pcnt: bool, fallback: usize) -> Result<Pred, PErr> {
    let pos = item_pos(item, fallback);
    let (negated, rest) = match item.first().map(|t| &t.tok) {
        Some(Tok::Punct("~")) => (true, &item[1..]),
        _ => (false, item),
    };
    let bad = || (pos, "predicate expected".to_string());
    let [Token {
        tok: Tok::Percent(name),
        ..
    }] = rest
    else {
        return Err(bad());
    };
    let (pcnt, digits) = if let Some(d) = name.strip_prefix("pred") {
        (false, d)
    } else if let Some(d) = name.strip_prefix("pcnt").filter(|_| allow_pcnt) {
        (true, d)
    } else {
        return Err(bad());
    };
    let num: u32 = digits.parse().map_err(|_| bad())?;
    Ok(Pred { negated, pcnt, num })
}

impl Assembler {
    /// Handles an instruction statement.
    pub fn instruction(&mut self, name: &str, toks: &[Token], end: usize, ctx: LineCtx) {
        let loc = ctx.loc(toks[0].pos);
        let braced = matches!(self.wide, Some(OpenWide { braced: true, .. }));
        let mut w = match self.wide.take() {
            Some(w) if braced => w,
            _ => OpenWide {
                b: WideBuilder::new(self.version, true, self.strict_delay)
                    .with_history(self.lit_history),
                braced: false,
            },
        };
        let r = self.statement_into(&mut w.b, name, toks, end);
        if let Err((pos, msg)) = r {
            self.error(ctx.loc(pos), msg);
            w.b.mark_failed();
        }
        if braced {
            self.wide = Some(w);
        } else {
            self.finish_wide(w, loc);
        }
    }

    fn statement_into(
        &mut self,
        b: &mut WideBuilder,
        name: &str,
        toks: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let pos = toks[0].pos;
        let lname = name.to_ascii_lowercase();
        let real = real_insn_name(&lname, self.version);
        if let Some(c) = e2k_isa::tables::CTLS.iter().find(|c| c.name == real) {
            if !(c.ver_lo..=c.ver_hi).contains(&self.version) {
                return Err((pos, format!("unknown instruction `{name}'")));
            }
            return self.control(b, &real, toks, end);
        }
        match AluOp::lookup(&real, self.version) {
            Lookup::Found(op) => self.alu(b, op, toks, end),
            _ => Err((pos, format!("unknown instruction `{name}'"))),
        }
    }

    /// Converts an expression value to an encoder value (marks the symbol used).
    pub fn value_of(&mut self, v: Val) -> Value {
        match v {
            Val::Const(c) => Value::Const(c),
            Val::Rel {
                sym, addend, kind, ..
            } => {
                self.syms.get_mut(sym).used = true;
                Value::Sym { sym, addend, kind }
            }
        }
    }

    /// Parses an operand expression (registers allowed) into its terms.
    pub fn terms_of(&mut self, item: &[Token], end: usize) -> Result<Terms, PErr> {
        let pos = item_pos(item, end);
        let e = expr::parse_all(item, end, true)?;
        let shape = {
            let mut env = self.env();
            expr::shape(&e, &mut env)
        };
        expr::terms(&shape).map_err(|m| (pos, m))
    }

    /// Evaluates an expression without registers.
    pub fn value_expr(&mut self, item: &[Token], end: usize) -> Result<Value, PErr> {
        let pos = item_pos(item, end);
        let e: Expr = expr::parse_all(item, end, false)?;
        let r = {
            let mut env = self.env();
            expr::eval(&e, &mut env)
        };
        let v = r.map_err(|m| (pos, m))?;
        Ok(self.value_of(v))
    }

    pub fn const_expr(&mut self, item: &[Token], end: usize) -> Result<i64, PErr> {
        let pos = item_pos(item, end);
        match self.value_expr(item, end)? {
            Value::Const(v) => Ok(v),
            _ => Err((pos, "constant expression expected".into())),
        }
    }

    fn atom_opnd(a: RegAtom, pos: usize) -> Result<Opnd, PErr> {
        match a {
            RegAtom::Gpr(r) => Ok(Opnd::Reg(r)),
            RegAtom::Special(s) => Ok(Opnd::Special(s)),
            RegAtom::Aasti(_) => Err((pos, "%aasti not allowed here".into())),
        }
    }

    /// A single register operand (dst/src3 positions).
    fn reg_item(&mut self, item: &[Token], end: usize, what: &str) -> Result<Opnd, PErr> {
        let pos = item_pos(item, end);
        if let [Token {
            tok: Tok::Percent(n),
            pos: p,
        }, rest @ ..] = item
        {
            let mut parser = Parser::new(rest, end, true);
            let a = parser.reg_atom(n, *p)?;
            if !parser.at_end() {
                return Err((parser.pos(), format!("junk after {what}")));
            }
            return Self::atom_opnd(a, pos);
        }
        Err((pos, format!("invalid {what}")))
    }

    /// src1 through the plain src1 rules: a register or an expression.
    fn src1_item(&mut self, item: &[Token], end: usize) -> Result<Opnd, PErr> {
        if matches!(item.first().map(|t| &t.tok), Some(Tok::Percent(_))) {
            return self.reg_item(item, end, "first argument (src1)");
        }
        let pos = item_pos(item, end);
        if item.is_empty() {
            return Err((pos, "invalid first argument (src1)".into()));
        }
        let v = self.value_expr(item, end)?;
        match v {
            Value::Const(c) if (0..=31).contains(&c) => Ok(Opnd::Value(v)),
            _ => Err((pos, "invalid first argument (src1)".into())),
        }
    }

    /// src2: one register or one literal term.
    fn src2_item(&mut self, item: &[Token], end: usize) -> Result<Opnd, PErr> {
        let pos = item_pos(item, end);
        let t = self.terms_of(item, end).map_err(|(p, m)| {
            if m == "invalid operand" {
                (pos, "invalid operand at position of SRC2".to_string())
            } else {
                (p, m)
            }
        })?;
        match (t.regs.as_slice(), t.lit) {
            ([], None) => Err((pos, "empty operand at position of SRC2".into())),
            ([r], None) => Self::atom_opnd(*r, pos),
            ([], Some(v)) => Ok(Opnd::Value(self.value_of(v))),
            _ => Err((pos, "illegal operand at position of SRC2".into())),
        }
    }

    /// The load/store operand rules (also used by all ALOPF1/11 operations): up to three
    /// operands, each a sum of up to two registers and a literal; stores are written
    /// value first unless `.ignore ld_st_style`. Returns (src1, src2, dst-or-src3).
    fn ldst_args(
        &mut self,
        op: &AluOp,
        items: &[Item],
        store: bool,
        end: usize,
    ) -> Result<(Opnd, Opnd, Opnd), PErr> {
        let mut args: Vec<(Option<RegAtom>, Option<Val>, usize)> = Vec::new();
        let mut last_terms: Vec<Terms> = Vec::new();
        let first_pos = items.first().map(|i| item_pos(i, end)).unwrap_or(end);
        if items.len() > 3 {
            let p = item_pos(&items[3], end);
            return Err((p, "unrecognized arguments".into()));
        }
        for item in items {
            let pos = item_pos(item, end);
            let t = self.terms_of(item, end)?;
            if t.regs.is_empty() && t.lit.is_none() {
                return Err((pos, "empty operand".into()));
            }
            let mut t = t;
            if t.regs.len() == 2 && t.lit.is_some() {
                if t.lit == Some(Val::Const(0)) {
                    t.lit = None;
                } else {
                    return Err((
                        pos,
                        "excessive number of terms in an instruction's operand".into(),
                    ));
                }
            }
            if let Some(l) = t.lit {
                let fit_src1 = t.const_first
                    && op.arg(0) != Kind::Q
                    && matches!(l, Val::Const(c) if (0..=31).contains(&c));
                if fit_src1 {
                    args.push((None, Some(l), pos));
                }
                if let Some(r) = t.regs.first() {
                    args.push((Some(*r), None, pos));
                }
                if !fit_src1 {
                    args.push((None, Some(l), pos));
                }
            } else {
                for r in &t.regs {
                    args.push((Some(*r), None, pos));
                }
            }
            if args.len() > 3 {
                return Err((
                    pos,
                    "excessive number of operands for an instruction".into(),
                ));
            }
            last_terms.push(t);
        }
        if items.len() < 2 {
            return Err((
                first_pos,
                "insufficient number of operands for an instruction".into(),
            ));
        }
        let check = if store && !self.ignore_ld_st {
            0
        } else {
            items.len() - 1
        };
        let ct = &last_terms[check];
        if ct.regs.len() != 1 || ct.lit.is_some() {
            return Err((
                item_pos(&items[check], end),
                format!(
                    "Register should be specified for {}",
                    if store { "SRC3" } else { "DST" }
                ),
            ));
        }
        let len = args.len();
        if store && !self.ignore_ld_st {
            let tmp = args[0];
            args[0] = args[1];
            if len == 3 {
                args[1] = args[2];
            }
            args[len - 1] = tmp;
        }
        let zero = (None, Some(Val::Const(0)), first_pos);
        if len == 2 {
            let a0 = args[0];
            let a1 = args[1];
            args = if a0.0.is_some() {
                vec![a0, zero, a1]
            } else {
                vec![zero, a0, a1]
            };
        }
        let mut out = Vec::new();
        for (r, l, pos) in args {
            out.push(match (r, l) {
                (Some(a), _) => Self::atom_opnd(a, pos)?,
                (None, Some(v)) => Opnd::Value(self.value_of(v)),
                _ => return Err((pos, "empty operand".into())),
            });
        }
        Ok((out[0], out[1], out[2]))
    }

    /// `%aadN [ %aastiM + literal ]`.
    fn aad_item(&mut self, item: &[Token], end: usize) -> Result<(u32, Aasti), PErr> {
        let pos = item_pos(item, end);
        let Some(Token {
            tok: Tok::Percent(n),
            ..
        }) = item.first()
        else {
            return Err((pos, ", %aad expected ".into()));
        };
        let Some(d) = n.strip_prefix("aad") else {
            return Err((pos, ", %aad expected ".into()));
        };
        let aad: u32 = d
            .parse()
            .map_err(|_| (pos, "%aad index expected".to_string()))?;
        let rest = &item[1..];
        if rest.is_empty() {
            return Err((pos, "Invalid argument for AASTI".into()));
        }
        let t = self
            .terms_of(rest, end)
            .map_err(|_| (pos, "Invalid argument for AASTI".to_string()))?;
        let idx = match t.regs.as_slice() {
            [RegAtom::Aasti(i)] => *i,
            _ => return Err((pos, "%aasti<idx> expected".into())),
        };
        let lit = t.lit.map(|v| self.value_of(v));
        Ok((aad, Aasti { idx, lit }))
    }

    /// Parses the operands of an ALU operation and adds it to the wide instruction.
    fn alu(
        &mut self,
        b: &mut WideBuilder,
        op: AluOp,
        toks: &[Token],
        end: usize,
    ) -> Result<(), PErr> {
        let pos0 = toks[0].pos;
        let rest = &toks[1..];
        let mut i = 0;
        let mut chan: Option<u32> = None;
        let mut sm = false;
        while is_comma(rest.get(i)) {
            match rest.get(i + 1).map(|t| &t.tok) {
                Some(Tok::Num(n)) if chan.is_none() => {
                    chan = Some((*n).min(u32::MAX as u64) as u32);
                    i += 2;
                }
                Some(Tok::Ident(s)) if !sm && (s == "sm" || s == "s") => {
                    sm = true;
                    i += 2;
                }
                _ => break,
            }
        }
        let (ops, spec) = extract_spec(&rest[i..])?;
        let (ops, cond) = split_cond(&ops);
        let mut items = split_items(ops);
        // `mas=N` items.
        let mut mas: Option<u32> = None;
        let mut kept = Vec::new();
        for it in items.drain(..) {
            if let [Token {
                tok: Tok::Ident(m),
                pos,
            }, Token {
                tok: Tok::Punct("="),
                ..
            }, rest @ ..] = it.as_slice()
            {
                if m == "mas" {
                    if !op.has_mas() {
                        return Err((*pos, "unrecognized arguments `mas='".into()));
                    }
                    let v = self.const_expr(rest, end)?;
                    if !(0..0x80).contains(&v) {
                        return Err((*pos, format!("illegal mas value `{v:#x}'")));
                    }
                    mas = Some(v as u32);
                    continue;
                }
            }
            kept.push(it);
        }
        let items = kept;
        let fmt = op.fmt();
        let n = items.len();
        let want = |k: usize| -> Result<(), PErr> {
            if n == k {
                Ok(())
            } else if n > k {
                Err((item_pos(&items[k], end), "unrecognized arguments".into()))
            } else {
                Err((
                    items.last().map(|i| item_pos(i, end)).unwrap_or(end),
                    "missing operand".into(),
                ))
            }
        };
        let mut mrgc = None;
        let mut ctcond = None;
        use Format::*;
        let args = match fmt {
            Alopf1 | Alopf1Mas | Alopf11 | Alopf11Mas | Alopf3Mas | Alopf13Mas | Alopf11Merge => {
                let store = matches!(fmt, Alopf3Mas | Alopf13Mas);
                let mut its = items.clone();
                if fmt == Alopf11Merge {
                    let Some(p) = its.pop() else {
                        return Err((end, "predicate expected".into()));
                    };
                    mrgc = Some(parse_pred(&p, true, end)?);
                }
                let (src1, src2, last) = self.ldst_args(&op, &its, store, end)?;
                AlsArgs::Three { src1, src2, last }
            }
            Alopf11Lit8 => {
                want(4)?;
                let src1 = self.src1_item(&items[0], end)?;
                let src2 = self.src2_item(&items[1], end)?;
                let lit8 = match items[2].as_slice() {
                    [Token {
                        tok: Tok::Num(v), ..
                    }] => *v,
                    _ => return Err((item_pos(&items[2], end), "`, literal8' expected".into())),
                };
                let dst = self.reg_item(&items[3], end, "third argument (dst)")?;
                AlsArgs::Lit8 {
                    src1,
                    src2,
                    lit8,
                    dst,
                }
            }
            Alopf2 | Alopf12 | Alopf22 | Alopf12Ibranchd => {
                want(2)?;
                let src2 = self.src2_item(&items[0], end)?;
                let dst = self.reg_item(&items[1], end, "third argument (dst)")?;
                if fmt == Alopf12Ibranchd {
                    ctcond = Some(self.ctcond(cond, super::ctl::Mode::Ibranch, end)?);
                }
                AlsArgs::Two { src2, dst }
            }
            Alopf12Icalld => {
                want(3)?;
                let w = match items[0].as_slice() {
                    [Token {
                        tok: Tok::Ident(k), ..
                    }, Token {
                        tok: Tok::Punct("="),
                        ..
                    }, rest @ ..]
                        if k == "wbs" =>
                    {
                        rest
                    }
                    other => other,
                };
                let wbs = self.const_expr(w, end)? as u8;
                let src2 = self.src2_item(&items[1], end)?;
                let dst = self.reg_item(&items[2], end, "third argument (dst)")?;
                ctcond = Some(self.ctcond(cond, super::ctl::Mode::Plain, end)?);
                AlsArgs::IcallD { wbs, src2, dst }
            }
            Alopf12Pshufh => {
                want(3)?;
                let src2 = self.src2_item(&items[0], end)?;
                let order = match items[1].as_slice() {
                    [Token {
                        tok: Tok::Num(v), ..
                    }] => *v as u8,
                    _ => {
                        return Err((
                            item_pos(&items[1], end),
                            "`, order' expected for PSHUFH".into(),
                        ))
                    }
                };
                let dst = self.reg_item(&items[2], end, "third argument (dst)")?;
                AlsArgs::Pshufh { src2, order, dst }
            }
            Alopf7 | Alopf17 => {
                want(3)?;
                let src1 = self.src1_item(&items[0], end)?;
                let src2 = self.src2_item(&items[1], end)?;
                let p = parse_pred(&items[2], false, end)?;
                if p.negated {
                    return Err((
                        item_pos(&items[2], end),
                        "negated predicate is irrelevant in dst2".into(),
                    ));
                }
                AlsArgs::Cmp {
                    src1,
                    src2,
                    pdst: p.num,
                }
            }
            Alopf8 => {
                want(2)?;
                let src2 = self.src2_item(&items[0], end)?;
                let p = parse_pred(&items[1], false, end)?;
                if p.negated {
                    return Err((
                        item_pos(&items[1], end),
                        "negated predicate is irrelevant in ALF8.dst2".into(),
                    ));
                }
                AlsArgs::Cctop { src2, pdst: p.num }
            }
            Merge => {
                want(4)?;
                let src1 = self.src1_item(&items[0], end)?;
                let src2 = self.src2_item(&items[1], end)?;
                let dst = self.reg_item(&items[2], end, "third argument (dst)")?;
                mrgc = Some(parse_pred(&items[3], true, end)?);
                AlsArgs::Merge { src1, src2, dst }
            }
            Alopf21 | Alopf21Merge => {
                want(if fmt == Alopf21Merge { 5 } else { 4 })?;
                let src1 = self.src1_item(&items[0], end)?;
                let src2 = self.src2_item(&items[1], end)?;
                let src3 = self.reg_item(&items[2], end, "src3")?;
                let dst = self.reg_item(&items[3], end, "third argument (dst)")?;
                if fmt == Alopf21Merge {
                    mrgc = Some(parse_pred(&items[4], true, end)?);
                }
                AlsArgs::Four {
                    src1,
                    src2,
                    src3,
                    dst,
                }
            }
            Alopf15 => {
                want(2)?;
                let src2 = self.src2_item(&items[0], end)?;
                let s = self.sreg_item(&items[1], end)?;
                AlsArgs::SregW {
                    src2,
                    regn: s.code,
                    wait: s.rw_wait,
                }
            }
            Alopf16 => {
                want(2)?;
                let s = self.sreg_item(&items[0], end)?;
                let dst = self.reg_item(&items[1], end, "third argument (dst)")?;
                AlsArgs::SregR {
                    regn: s.code,
                    dst,
                    nop4: s.rr_nop,
                }
            }
            Alopf10Mas => {
                want(2)?;
                let src3 = self.reg_item(&items[0], end, "src3")?;
                let (aad, aasti) = self.aad_item(&items[1], end)?;
                AlsArgs::Staa { src3, aad, aasti }
            }
            Alopf19Mas => {
                want(2)?;
                let (aad, aasti) = self.aad_item(&items[0], end)?;
                let dst = self.reg_item(&items[1], end, "third argument (dst)")?;
                AlsArgs::Ldaa { aad, aasti, dst }
            }
            Aaurw => {
                want(2)?;
                let src3 = self.reg_item(&items[0], end, "src3")?;
                let opce1 = self.aau_reg_item(&items[1], end)?;
                AlsArgs::AauW { src3, opce1 }
            }
            Aaurr => {
                want(2)?;
                let opce1 = self.aau_reg_item(&items[0], end)?;
                let dst = self.reg_item(&items[1], end, "third argument (dst)")?;
                AlsArgs::AauR { opce1, dst }
            }
        };
        let (mut pred, mut pcnt) = (None, None);
        if !matches!(fmt, Alopf12Ibranchd | Alopf12Icalld) {
            if let Some(c) = cond {
                let ps = split_items(c);
                if ps.is_empty() || ps.len() > 2 {
                    return Err((item_pos(c, end), "invalid predicate".into()));
                }
                for p in ps {
                    let pr = parse_pred(&p, true, end)?;
                    let slot = if pr.pcnt { &mut pcnt } else { &mut pred };
                    if slot.is_some() {
                        return Err((
                            item_pos(&p, end),
                            format!(
                                "two %{} predicates acting on the same ALS are not allowed",
                                if pr.pcnt { "pcnt" } else { "pred" }
                            ),
                        ));
                    }
                    *slot = Some(pr);
                }
            }
        }
        let st = AlsStmt {
            op,
            chan,
            sm,
            args,
            spec,
            mas,
            pred,
            pcnt,
            mrgc,
            ctcond,
        };
        b.add_als(st).map_err(|e| (pos0, e.0))
    }

    fn sreg_item(
        &mut self,
        item: &[Token],
        end: usize,
    ) -> Result<&'static e2k_isa::tables::SregDef, PErr> {
        let pos = item_pos(item, end);
        let [Token {
            tok: Tok::Percent(n),
            ..
        }] = item
        else {
            return Err((pos, "invalid CU register".into()));
        };
        let full = format!("%{n}");
        let Some(s) = e2k_isa::tables::SREGS.iter().find(|s| s.name == full) else {
            return Err((pos, format!("invalid CU register at `{full}'")));
        };
        if !(s.ver_lo..=s.ver_hi).contains(&self.version) {
            return Err((
                pos,
                format!(
                    "CU register `{full}' is not available on elbrus-v{}",
                    self.version
                ),
            ));
        }
        Ok(s)
    }

    fn aau_reg_item(&mut self, item: &[Token], end: usize) -> Result<u16, PErr> {
        let pos = item_pos(item, end);
        let [Token {
            tok: Tok::Percent(n),
            ..
        }] = item
        else {
            return Err((pos, "AAU register expected".into()));
        };
        let full = format!("%{n}");
        match e2k_isa::tables::AAUREGS.iter().find(|r| r.name == full) {
            Some(r) => Ok(r.opce1),
            None => Err((pos, format!("invalid AAU register at `{full}'"))),
        }
    }
}
