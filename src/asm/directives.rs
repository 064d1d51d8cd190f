//! Assembler directives: sections, symbols, data, alignment, `.set`, macros and
//! repetitions, conditionals, `.include`, and MCST's `.ignore`/`.accept`.

use super::assembler::{Assembler, Capture, CaptureKind, LineCtx};
use super::expr::{self, Val};
use super::lexer::{Tok, Token};
use super::object::{RelKind, SecFlags, SecKind, Section, SymDef, SymType};
use super::Loc;

/// Splits tokens at top-level commas.
pub fn split_top(toks: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("(") | Tok::Punct("[") => depth += 1,
            Tok::Punct(")") | Tok::Punct("]") => depth -= 1,
            Tok::Punct(",") if depth <= 0 => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < toks.len() || !out.is_empty() {
        out.push(&toks[start..]);
    }
    out
}

fn default_section(name: &str) -> (SecKind, SecFlags) {
    let f = |alloc, write, exec, nobits| SecFlags {
        alloc,
        write,
        exec,
        nobits,
    };
    if name == ".text" || name.starts_with(".text.") {
        (SecKind::Text, f(true, false, true, false))
    } else if name == ".bss" || name.starts_with(".bss.") || name.starts_with(".tbss") {
        (SecKind::Bss, f(true, true, false, true))
    } else if name == ".rodata" || name.starts_with(".rodata") {
        (SecKind::Rodata, f(true, false, false, false))
    } else {
        // .data, .tdata and any other named section.
        (SecKind::Data, f(true, true, false, false))
    }
}

impl Assembler {
    /// Switches to (and creates) section `name`.
    pub fn switch_section(&mut self, name: &str, flags: Option<&str>, nobits: Option<bool>) {
        let idx = match self.sections.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                let (kind, mut fl) = default_section(name);
                if let Some(f) = flags {
                    fl.alloc = f.contains('a');
                    fl.write = f.contains('w');
                    fl.exec = f.contains('x');
                }
                if let Some(nb) = nobits {
                    fl.nobits = nb;
                }
                let kind = if fl.exec {
                    SecKind::Text
                } else if fl.nobits {
                    SecKind::Bss
                } else if fl.write {
                    SecKind::Data
                } else if kind == SecKind::Text {
                    SecKind::Rodata
                } else {
                    kind
                };
                let mut s = Section::new(name, kind, fl);
                if kind == SecKind::Text {
                    s.align = 8;
                }
                self.sections.push(s);
                self.sections.len() - 1
            }
        };
        if idx != self.cur {
            self.prev = self.cur;
            self.cur = idx;
        }
    }

    fn eval_const(&mut self, toks: &[Token], end: usize, ctx: LineCtx) -> Option<i64> {
        let e = match expr::parse_all(toks, end, false) {
            Ok(e) => e,
            Err((p, m)) => {
                self.error(ctx.loc(p), m);
                return None;
            }
        };
        let r = {
            let mut env = self.env();
            expr::eval(&e, &mut env)
        };
        match r {
            Ok(Val::Const(v)) => Some(v),
            Ok(_) => {
                let p = toks.first().map(|t| t.pos).unwrap_or(end);
                self.error(ctx.loc(p), "expression must be absolute");
                None
            }
            Err(m) => {
                let p = toks.first().map(|t| t.pos).unwrap_or(end);
                self.error(ctx.loc(p), m);
                None
            }
        }
    }

    fn data_values(&mut self, size: u8, args: &[Token], end: usize, ctx: LineCtx) {
        if args.is_empty() {
            return;
        }
        for g in split_top(args) {
            let p = g.first().map(|t| t.pos).unwrap_or(end);
            let loc = ctx.loc(p);
            let e = match expr::parse_all(g, end, false) {
                Ok(e) => e,
                Err((p, m)) => {
                    self.error(ctx.loc(p), m);
                    continue;
                }
            };
            let r = {
                let mut env = self.env();
                expr::eval(&e, &mut env)
            };
            let off = self.here();
            match r {
                Ok(Val::Const(v)) => {
                    let bytes = v.to_le_bytes();
                    self.emit_bytes(&bytes[..size as usize]);
                }
                Ok(Val::Rel { sym, addend, .. }) => {
                    self.emit_bytes(&vec![0u8; size as usize]);
                    self.add_fixup(off, RelKind::Data(size), sym, addend, loc);
                }
                Err(m) if m.contains("symbol") => {
                    // Refers to symbols defined later (e.g. `.word 2f - 1f`): evaluate
                    // at the end of the assembly through a helper symbol.
                    let e = self.freeze_dot(&e);
                    self.syms.dot_count += 1;
                    let name = format!(".L.expr\u{2}{}", self.syms.dot_count);
                    let id = self.syms.id(&name);
                    self.syms.get_mut(id).def = SymDef::Deferred(e, loc);
                    self.emit_bytes(&vec![0u8; size as usize]);
                    self.add_fixup(off, RelKind::Data(size), id, 0, loc);
                }
                Err(m) => self.error(loc, m),
            }
        }
    }

    /// Makes an expression evaluable later: `.` becomes a label at the current location
    /// and `1b`/`1f` references are bound to the label instances they mean now.
    pub fn freeze_dot(&mut self, e: &expr::Expr) -> expr::Expr {
        use expr::Expr;
        match e {
            Expr::Dot => {
                self.syms.dot_count += 1;
                let name = format!(".L.dot\u{2}{}", self.syms.dot_count);
                let id = self.syms.id(&name);
                self.syms.get_mut(id).def = SymDef::Label {
                    section: self.cur as u32,
                    offset: self.here(),
                };
                Expr::Sym {
                    name,
                    kind: None,
                    pos: 0,
                }
            }
            Expr::Sym { name, kind, pos } => Expr::Sym {
                name: self.syms.resolve_name(name),
                kind: *kind,
                pos: *pos,
            },
            Expr::Neg(x) => Expr::Neg(Box::new(self.freeze_dot(x))),
            Expr::Not(x) => Expr::Not(Box::new(self.freeze_dot(x))),
            Expr::LNot(x) => Expr::LNot(Box::new(self.freeze_dot(x))),
            Expr::Bin(op, a, b) => {
                let a = self.freeze_dot(a);
                let b = self.freeze_dot(b);
                Expr::Bin(*op, Box::new(a), Box::new(b))
            }
            other => other.clone(),
        }
    }

    fn float_values(&mut self, double: bool, code: &str, args: &[Token], end: usize, ctx: LineCtx) {
        let start = args.first().map(|t| t.pos).unwrap_or(end);
        for piece in super::macros::split_commas(&code[start..end]) {
            let t = piece.trim();
            let t2 = t
                .trim_start_matches("0f")
                .trim_start_matches("0d")
                .trim_start_matches("0r");
            match t2.parse::<f64>() {
                Ok(v) => {
                    if double {
                        self.emit_bytes(&v.to_le_bytes());
                    } else {
                        self.emit_bytes(&(v as f32).to_le_bytes());
                    }
                }
                Err(_) => self.error(ctx.loc(start), format!("bad floating-point constant `{t}'")),
            }
        }
    }

    fn align_to(&mut self, align: u64, fill: u8) {
        if align <= 1 {
            return;
        }
        let s = &mut self.sections[self.cur];
        if s.align < align {
            s.align = align;
        }
        let here = s.size();
        let pad = (align - here % align) % align;
        let bytes = vec![fill; pad as usize];
        self.emit_bytes(&bytes);
    }

    fn names(&mut self, args: &[Token], ctx: LineCtx) -> Vec<(String, Loc)> {
        let mut out = Vec::new();
        for g in split_top(args) {
            match g {
                [Token {
                    tok: Tok::Ident(n),
                    pos,
                }] => out.push((n.clone(), ctx.loc(*pos))),
                [] => {}
                _ => {
                    let p = g[0].pos;
                    self.error(ctx.loc(p), "symbol name expected");
                }
            }
        }
        out
    }

    /// Handles a directive statement (`toks[0]` is the directive).
    pub fn directive(&mut self, name: &str, code: &str, toks: &[Token], end: usize, ctx: LineCtx) {
        let loc = ctx.loc(toks[0].pos);
        let args = &toks[1..];
        let rest_start = args.first().map(|t| t.pos).unwrap_or(end);
        let rest = code[rest_start..end].trim();
        // Conditionals are processed even in skipped regions.
        match name {
            ".if" | ".ifne" | ".ifeq" | ".ifgt" | ".ifge" | ".iflt" | ".ifle" | ".elseif" => {
                let v = if self.cond_eval_needed(name) {
                    self.eval_const(args, end, ctx)
                } else {
                    None
                };
                let b = v.map(|v| match name {
                    ".ifeq" => v == 0,
                    ".ifgt" => v > 0,
                    ".ifge" => v >= 0,
                    ".iflt" => v < 0,
                    ".ifle" => v <= 0,
                    _ => v != 0,
                });
                self.conditional(name, b, loc);
                return;
            }
            ".ifdef" | ".ifndef" => {
                let defined = match args.first().map(|t| &t.tok) {
                    Some(Tok::Ident(n)) => {
                        let n = self.syms.resolve_name(n);
                        self.syms
                            .by_name
                            .get(&n)
                            .map(|&i| !matches!(self.syms.get(i).def, SymDef::Undefined))
                            .unwrap_or(false)
                    }
                    _ => false,
                };
                let v = if name == ".ifdef" { defined } else { !defined };
                self.conditional(".if", Some(v), loc);
                return;
            }
            ".ifc" | ".ifnc" => {
                let parts = super::macros::split_commas(rest);
                let eq = parts.len() == 2 && parts[0] == parts[1];
                let v = if name == ".ifc" { eq } else { !eq };
                self.conditional(".if", Some(v), loc);
                return;
            }
            ".ifb" | ".ifnb" => {
                let v = if name == ".ifb" {
                    rest.is_empty()
                } else {
                    !rest.is_empty()
                };
                self.conditional(".if", Some(v), loc);
                return;
            }
            ".else" | ".endif" => {
                self.conditional(name, None, loc);
                return;
            }
            _ => {}
        }
        if !self.cond_active_pub() {
            return;
        }
        match name {
            ".text" | ".data" | ".bss" | ".rodata" => self.switch_section(name, None, None),
            ".section" | ".pushsection" => {
                let parts = super::macros::split_commas(rest);
                let Some(sname) = parts.first().filter(|s| !s.is_empty()) else {
                    self.error(loc, "section name expected");
                    return;
                };
                let sname = sname.trim_matches('"').to_string();
                let flags = parts.get(1).map(|f| f.trim_matches('"').to_string());
                let nobits = parts
                    .iter()
                    .skip(1)
                    .find(|p| p.contains("nobits") || p.contains("progbits"))
                    .map(|p| p.contains("nobits"));
                if name == ".pushsection" {
                    self.sec_stack.push((self.cur, self.prev));
                }
                self.switch_section(&sname, flags.as_deref(), nobits);
            }
            ".popsection" => match self.sec_stack.pop() {
                Some((c, p)) => {
                    self.cur = c;
                    self.prev = p;
                }
                None => self.error(loc, ".popsection without corresponding .pushsection"),
            },
            ".previous" => std::mem::swap(&mut self.cur, &mut self.prev),
            ".global" | ".globl" | ".weak" | ".local" | ".hidden" | ".protected" | ".internal" => {
                for (n, _) in self.names(args, ctx) {
                    let id = self.syms.id(&n);
                    let s = self.syms.get_mut(id);
                    match name {
                        ".global" | ".globl" => s.global = true,
                        ".weak" => {
                            s.global = true;
                            s.weak = true;
                        }
                        ".local" => s.global = false,
                        _ => {}
                    }
                    s.temp = false;
                }
            }
            ".type" => {
                let parts = split_top(args);
                let (Some(n), Some(t)) = (parts.first(), parts.get(1)) else {
                    self.error(loc, "expected `symbol, type'");
                    return;
                };
                let Some(Tok::Ident(n)) = n.first().map(|t| &t.tok) else {
                    self.error(loc, "symbol name expected");
                    return;
                };
                let ty = t
                    .iter()
                    .find_map(|t| match &t.tok {
                        Tok::Ident(s) | Tok::At(s) | Tok::Percent(s) => Some(s.clone()),
                        _ => None,
                    })
                    .unwrap_or_default();
                let ty = ty.trim_start_matches('#');
                let st = match ty {
                    "function" => SymType::Func,
                    "object" => SymType::Object,
                    "tls_object" => SymType::Tls,
                    "notype" => SymType::NoType,
                    _ => {
                        self.error(loc, format!("unrecognized symbol type `{ty}'"));
                        return;
                    }
                };
                let id = self.syms.id(n);
                self.syms.get_mut(id).ty = st;
            }
            ".size" => {
                let parts = split_top(args);
                let (Some(n), Some(e)) = (parts.first(), parts.get(1)) else {
                    self.error(loc, "expected `symbol, size'");
                    return;
                };
                let Some(Tok::Ident(n)) = n.first().map(|t| &t.tok) else {
                    self.error(loc, "symbol name expected");
                    return;
                };
                let n = n.clone();
                if let Some(v) = self.eval_const(e, end, ctx) {
                    let id = self.syms.id(&n);
                    self.syms.get_mut(id).size = Some(v as u64);
                }
            }
            ".align" | ".balign" | ".p2align" => {
                let parts = split_top(args);
                let Some(a) = parts.first().filter(|p| !p.is_empty()) else {
                    self.error(loc, "alignment expected");
                    return;
                };
                let Some(v) = self.eval_const(a, end, ctx) else {
                    return;
                };
                let fill = match parts.get(1).filter(|p| !p.is_empty()) {
                    Some(f) => self.eval_const(f, end, ctx).unwrap_or(0) as u8,
                    None => 0,
                };
                let align = if name == ".p2align" {
                    if !(0..=24).contains(&v) {
                        self.error(loc, "alignment too large");
                        return;
                    }
                    1u64 << v
                } else {
                    if v > 1 << 24 {
                        self.error(loc, "alignment too large");
                        return;
                    }
                    if v < 0 || (v as u64 & (v as u64).wrapping_sub(1)) != 0 {
                        self.error(loc, "alignment not a power of 2");
                        return;
                    }
                    v as u64
                };
                self.align_to(align, fill);
            }
            ".byte" => self.data_values(1, args, end, ctx),
            ".short" | ".hword" | ".half" | ".2byte" | ".uahalf" | ".value" => {
                self.data_values(2, args, end, ctx)
            }
            ".word" | ".long" | ".int" | ".4byte" | ".uaword" => {
                self.data_values(4, args, end, ctx)
            }
            ".quad" | ".dword" | ".8byte" | ".uadword" => self.data_values(8, args, end, ctx),
            ".float" | ".single" => self.float_values(false, code, args, end, ctx),
            ".double" => self.float_values(true, code, args, end, ctx),
            ".ascii" | ".asciz" | ".string" => {
                for g in split_top(args) {
                    match g {
                        [Token {
                            tok: Tok::Str(s), ..
                        }] => {
                            let mut b = s.clone();
                            if name != ".ascii" {
                                b.push(0);
                            }
                            self.emit_bytes(&b);
                        }
                        [] => {}
                        _ => {
                            let p = g[0].pos;
                            self.error(ctx.loc(p), "string expected");
                        }
                    }
                }
            }
            ".skip" | ".space" | ".zero" => {
                let parts = split_top(args);
                let Some(n) = parts.first().filter(|p| !p.is_empty()) else {
                    self.error(loc, "size expected");
                    return;
                };
                let Some(n) = self.eval_const(n, end, ctx) else {
                    return;
                };
                let fill = match parts.get(1) {
                    Some(f) if name != ".zero" => self.eval_const(f, end, ctx).unwrap_or(0) as u8,
                    _ => 0,
                };
                if !(0..=1 << 28).contains(&n) {
                    self.error(loc, "bad size");
                    return;
                }
                self.emit_bytes(&vec![fill; n as usize]);
            }
            ".fill" => {
                let parts = split_top(args);
                let mut vals = [0i64, 1, 0];
                for (i, p) in parts.iter().take(3).enumerate() {
                    if let Some(v) = self.eval_const(p, end, ctx) {
                        vals[i] = v;
                    }
                }
                let (rep, size, value) = (vals[0], vals[1].clamp(0, 8), vals[2]);
                if !(0..=1 << 28).contains(&rep) || rep * size > 1 << 28 {
                    self.error(loc, "bad repeat count");
                    return;
                }
                let one = value.to_le_bytes();
                for _ in 0..rep {
                    self.emit_bytes(&one[..size as usize]);
                }
            }
            ".set" | ".equ" | ".equiv" | ".eqv" => {
                let parts = split_top(args);
                let (Some(n), Some(_)) = (parts.first(), parts.get(1)) else {
                    self.error(loc, "expected `symbol, expression'");
                    return;
                };
                let Some(Tok::Ident(n)) = n.first().map(|t| &t.tok) else {
                    self.error(loc, "symbol name expected");
                    return;
                };
                let n = n.clone();
                let expr_start = parts[0].len() + 1;
                self.assign(&n, &args[expr_start..], end, loc, ctx);
            }
            ".macro" => match super::macros::parse_header(rest) {
                Ok((mname, params)) => {
                    self.capture = Some(Capture {
                        kind: CaptureKind::Macro(mname, params),
                        body: Vec::new(),
                        nest: 0,
                        ctx,
                    });
                }
                Err(e) => self.error(loc, e),
            },
            ".rept" => {
                let n = self.eval_const(args, end, ctx).unwrap_or(0);
                self.capture = Some(Capture {
                    kind: CaptureKind::Rept(n),
                    body: Vec::new(),
                    nest: 0,
                    ctx,
                });
            }
            ".irp" | ".irpc" => {
                let parts = super::macros::split_commas(rest);
                let (param, values) = match parts.split_first() {
                    Some((p, v)) => (p.clone(), v.to_vec()),
                    None => {
                        self.error(loc, "missing parameter name");
                        return;
                    }
                };
                // `.irp p a b c` with blanks instead of commas.
                let (param, values) = match param.split_once(char::is_whitespace) {
                    Some((p, v)) if values.is_empty() => (
                        p.to_string(),
                        v.split_whitespace().map(|s| s.to_string()).collect(),
                    ),
                    _ => (param, values),
                };
                let kind = if name == ".irp" {
                    CaptureKind::Irp(param, values)
                } else {
                    CaptureKind::Irpc(param, values.join(""))
                };
                self.capture = Some(Capture {
                    kind,
                    body: Vec::new(),
                    nest: 0,
                    ctx,
                });
            }
            ".endm" | ".endr" => self.error(loc, format!("unexpected `{name}'")),
            ".exitm" => {}
            ".purgem" => {
                for (n, _) in self.names(args, ctx) {
                    self.macros.remove(&n.to_ascii_lowercase());
                }
            }
            ".include" => match args.first().map(|t| &t.tok) {
                Some(Tok::Str(s)) => {
                    let f = String::from_utf8_lossy(s).into_owned();
                    self.include(&f, ctx, loc);
                }
                _ => self.error(loc, "missing file name for `.include'"),
            },
            ".ignore" | ".accept" => {
                let on = name == ".ignore";
                match rest {
                    "ld_st_style" => self.ignore_ld_st = on,
                    "strict_delay" => self.strict_delay = !on,
                    _ => {}
                }
            }
            ".end" => self.ended = true,
            ".org" => {
                let parts = split_top(args);
                let Some(t) = parts.first().filter(|p| !p.is_empty()) else {
                    self.error(loc, "expected a location");
                    return;
                };
                let e = match expr::parse_all(t, end, false) {
                    Ok(e) => e,
                    Err((p, m)) => {
                        self.error(ctx.loc(p), m);
                        return;
                    }
                };
                let r = {
                    let mut env = self.env();
                    expr::eval(&e, &mut env)
                };
                let target = match r {
                    Ok(Val::Const(v)) => v,
                    Ok(Val::Rel {
                        at: Some((s, o)),
                        addend,
                        ..
                    }) if s as usize == self.cur => o + addend,
                    _ => {
                        self.error(loc, "`.org' needs a location in the current section");
                        return;
                    }
                };
                let fill = match parts.get(1) {
                    Some(f) => self.eval_const(f, end, ctx).unwrap_or(0) as u8,
                    None => 0,
                };
                let here = self.here() as i64;
                if target < here || target - here > 1 << 28 {
                    self.error(loc, "attempt to move .org backwards");
                    return;
                }
                self.emit_bytes(&vec![fill; (target - here) as usize]);
            }
            ".incbin" => match args.first().map(|t| &t.tok) {
                Some(Tok::Str(s)) => {
                    let f = String::from_utf8_lossy(s).into_owned();
                    match self.files.load_bytes(ctx.file, &f) {
                        Some(b) => self.emit_bytes(&b),
                        None => self.error(loc, format!("file not found: {f}")),
                    }
                }
                _ => self.error(loc, "missing file name for `.incbin'"),
            },
            ".err" | ".error" => {
                let msg = match args.first().map(|t| &t.tok) {
                    Some(Tok::Str(s)) => String::from_utf8_lossy(s).into_owned(),
                    _ => ".err encountered".into(),
                };
                self.error(loc, msg);
            }
            ".warning" => {
                let msg = match args.first().map(|t| &t.tok) {
                    Some(Tok::Str(s)) => String::from_utf8_lossy(s).into_owned(),
                    _ => ".warning encountered".into(),
                };
                self.warning(loc, msg);
            }
            ".comm" | ".lcomm" => {
                let parts = split_top(args);
                let (Some(n), Some(sz)) = (parts.first(), parts.get(1)) else {
                    self.error(loc, "expected `symbol, size'");
                    return;
                };
                let Some(Tok::Ident(n)) = n.first().map(|t| &t.tok) else {
                    self.error(loc, "symbol name expected");
                    return;
                };
                let n = n.clone();
                let Some(size) = self.eval_const(sz, end, ctx) else {
                    return;
                };
                let align = match parts.get(2) {
                    Some(a) => self.eval_const(a, end, ctx).unwrap_or(8),
                    None => 8,
                };
                let (c, p) = (self.cur, self.prev);
                self.switch_section(".bss", None, None);
                self.align_to(align.max(1) as u64, 0);
                self.define_label(&n, loc);
                let id = self.syms.id(&n);
                {
                    let s = self.syms.get_mut(id);
                    s.size = Some(size as u64);
                    s.ty = SymType::Object;
                    if name == ".comm" {
                        s.global = true;
                    }
                }
                self.emit_bytes(&vec![0u8; size.clamp(0, 1 << 28) as usize]);
                self.cur = c;
                self.prev = p;
            }
            ".file" | ".ident" | ".loc" | ".version" | ".ias_line" | ".nops" | ".cfi_startproc"
            | ".cfi_endproc" | ".cfi_sections" | ".addrsig" | ".label" => {}
            n if n.starts_with(".cfi_") => {}
            _ => self.error(loc, format!("unknown pseudo-op: `{name}'")),
        }
    }

    fn cond_eval_needed(&self, name: &str) -> bool {
        // Only evaluate conditions whose result matters.
        if name == ".elseif" {
            return true;
        }
        self.cond_active_pub()
    }
}
