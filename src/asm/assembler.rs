//! The assembler driver: feeds source lines through comment stripping, conditionals,
//! macro/`.rept` capture and statement splitting; keeps sections, symbols and the wide
//! instruction being built; emits packed bundles and data with their fixups.

use super::expr::{self, Val};
use super::lexer::{self, Tok, Token};
use super::macros::Macro;
use super::object::{Fixup, ObjFile, RelKind, SecFlags, SecKind, Section, SymDef};
use super::source::{FileSet, Source};
use super::symbols::{local_name, Env, SymTab};
use super::{AsmError, AsmOptions, Loc};
use e2k_isa::encode::{LitHistory, Packed, WideBuilder, EMPTY_HISTORY};
use std::collections::HashMap;

/// The wide instruction being collected.
pub(crate) struct OpenWide {
    pub b: WideBuilder,
    pub braced: bool,
}

/// Where a line came from; lines of macro expansions report the invocation site.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineCtx {
    pub file: u32,
    pub line: u32,
    /// Fixed column for expanded lines.
    pub fixed_col: Option<u32>,
}

impl LineCtx {
    pub fn loc(&self, byte: usize) -> Loc {
        Loc {
            file: self.file,
            line: self.line,
            col: self.fixed_col.unwrap_or(byte as u32 + 1),
        }
    }
}

#[derive(Debug, Clone)]
struct Cond {
    active: bool,
    taken: bool,
    parent: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum CaptureKind {
    Macro(String, Vec<super::macros::Param>),
    Rept(i64),
    Irp(String, Vec<String>),
    Irpc(String, String),
}

#[derive(Debug, Clone)]
pub(crate) struct Capture {
    pub kind: CaptureKind,
    pub body: Vec<String>,
    pub nest: u32,
    pub ctx: LineCtx,
}

pub(crate) struct Assembler {
    pub version: u8,
    pub e_flags: u32,
    pub files: FileSet,
    pub sections: Vec<Section>,
    pub cur: usize,
    pub prev: usize,
    pub sec_stack: Vec<(usize, usize)>,
    pub syms: SymTab,
    pub wide: Option<OpenWide>,
    pub ignore_ld_st: bool,
    pub strict_delay: bool,
    pub errors: Vec<AsmError>,
    pub warnings: Vec<AsmError>,
    pub macros: HashMap<String, Macro>,
    pub macro_counter: u32,
    conds: Vec<Cond>,
    pub capture: Option<Capture>,
    pub depth: u32,
    pub ended: bool,
    /// Literal slots of earlier wide instructions (MCST as stale-table behaviour).
    pub lit_history: LitHistory,
    /// Inside a `/* ... */` comment spanning lines.
    in_block_comment: bool,
}

fn first_word(s: &str) -> &str {
    let t = s.trim_start();
    let end = t
        .find(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .unwrap_or(t.len());
    &t[..end]
}

impl Assembler {
    pub fn new(opts: &AsmOptions) -> Assembler {
        let mut files = FileSet {
            include_dirs: opts.include_dirs.clone(),
            virtual_files: opts.virtual_files.clone(),
            ..Default::default()
        };
        files.names.clear();
        let text = Section::new(
            ".text",
            SecKind::Text,
            SecFlags {
                alloc: true,
                write: false,
                exec: true,
                nobits: false,
            },
        );
        let mut a = Assembler {
            version: opts.version,
            e_flags: opts.e_flags(),
            files,
            sections: vec![text],
            cur: 0,
            prev: 0,
            sec_stack: Vec::new(),
            syms: SymTab::default(),
            wide: None,
            ignore_ld_st: false,
            strict_delay: opts.strict_delay,
            errors: Vec::new(),
            warnings: Vec::new(),
            macros: HashMap::new(),
            macro_counter: 0,
            conds: Vec::new(),
            capture: None,
            depth: 0,
            ended: false,
            lit_history: EMPTY_HISTORY,
            in_block_comment: false,
        };
        a.sections[0].align = 8;
        a
    }

    pub fn error(&mut self, loc: Loc, msg: impl Into<String>) {
        self.errors.push(AsmError {
            file: self.files.name(loc.file).to_string(),
            line: loc.line,
            col: loc.col,
            msg: msg.into(),
        });
    }

    pub fn warning(&mut self, loc: Loc, msg: impl Into<String>) {
        self.warnings.push(AsmError {
            file: self.files.name(loc.file).to_string(),
            line: loc.line,
            col: loc.col,
            msg: msg.into(),
        });
    }

    /// Assembles a whole source file.
    pub fn feed_source(&mut self, src: &Source) {
        let fid = self.files.add_name(&src.name);
        self.feed_text(&src.text, fid, None);
    }

    fn feed_text(&mut self, text: &str, file: u32, fixed: Option<Loc>) {
        for (i, line) in text.lines().enumerate() {
            if self.ended {
                break;
            }
            let ctx = match fixed {
                Some(l) => LineCtx {
                    file: l.file,
                    line: l.line,
                    fixed_col: Some(l.col),
                },
                None => LineCtx {
                    file,
                    line: i as u32 + 1,
                    fixed_col: None,
                },
            };
            self.feed_line(line, ctx);
        }
    }

    /// Feeds lines produced by a macro, `.rept` or `.irp` expansion.
    pub fn feed_expansion(&mut self, lines: &[String], ctx: LineCtx) {
        if self.depth > 200 {
            self.error(ctx.loc(0), "macro or repetition nesting too deep");
            return;
        }
        self.depth += 1;
        let fixed = LineCtx {
            fixed_col: Some(ctx.fixed_col.unwrap_or(1)),
            ..ctx
        };
        for l in lines {
            if self.ended {
                break;
            }
            self.feed_line(l, fixed);
        }
        self.depth -= 1;
    }

    /// Includes another file.
    pub fn include(&mut self, name: &str, ctx: LineCtx, loc: Loc) {
        if self.depth > 50 {
            self.error(loc, "includes nested too deeply");
            return;
        }
        match self.files.load_include(ctx.file, name) {
            Some(src) => {
                let fid = self.files.add_name(&src.name);
                self.depth += 1;
                let fixed = ctx.fixed_col.map(|c| Loc {
                    file: ctx.file,
                    line: ctx.line,
                    col: c,
                });
                self.feed_text(&src.text, fid, fixed);
                self.depth -= 1;
            }
            None => self.error(loc, format!("can't open `{name}' for reading")),
        }
    }

    fn cond_active(&self) -> bool {
        self.conds.last().map(|c| c.active).unwrap_or(true)
    }

    pub fn cond_active_pub(&self) -> bool {
        self.cond_active()
    }

    /// Handles one physical line.
    pub fn feed_line(&mut self, raw: &str, ctx: LineCtx) {
        if let Some(cap) = self.capture.as_mut() {
            let w = first_word(raw).to_ascii_lowercase();
            let is_open = matches!(w.as_str(), ".macro" | ".rept" | ".irp" | ".irpc");
            let is_close = matches!(w.as_str(), ".endm" | ".endr");
            if is_open {
                cap.nest += 1;
            } else if is_close {
                if cap.nest == 0 {
                    let cap = self.capture.take().expect("capture");
                    self.end_capture(cap);
                    return;
                }
                cap.nest -= 1;
            }
            cap.body.push(raw.to_string());
            return;
        }
        let code = strip_comment(raw, &mut self.in_block_comment);
        if !self.cond_active() {
            let w = first_word(&code).to_ascii_lowercase();
            if w.starts_with(".if") {
                self.conds.push(Cond {
                    active: false,
                    taken: true,
                    parent: false,
                });
                return;
            }
            if !matches!(w.as_str(), ".else" | ".elseif" | ".endif") {
                return;
            }
        }
        // Split into statements at `;`, `{`, `}` outside strings.
        let b = code.as_bytes();
        let mut start = 0;
        let mut i = 0;
        let mut in_str = false;
        while i < b.len() {
            let c = b[i];
            if in_str {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == b'"' {
                    in_str = false;
                }
                i += 1;
                continue;
            }
            match c {
                b'"' => in_str = true,
                b'\'' => {
                    // Character constant: skip the next char (and an escaped one).
                    i += if b.get(i + 1) == Some(&b'\\') { 3 } else { 2 };
                    continue;
                }
                b';' | b'{' | b'}' => {
                    self.statement(&code, start, i, ctx);
                    if self.capture.is_some() || self.ended {
                        return;
                    }
                    if c == b'{' {
                        self.open_brace(ctx.loc(i));
                    } else if c == b'}' {
                        self.close_brace(ctx.loc(i));
                    }
                    start = i + 1;
                }
                _ => {}
            }
            i += 1;
        }
        self.statement(&code, start, b.len(), ctx);
    }

    fn end_capture(&mut self, cap: Capture) {
        match cap.kind {
            CaptureKind::Macro(name, params) => {
                self.macros.insert(
                    name.to_ascii_lowercase(),
                    Macro {
                        params,
                        body: cap.body,
                    },
                );
            }
            CaptureKind::Rept(n) => {
                let mut lines = Vec::new();
                for _ in 0..n.clamp(0, 100_000) {
                    lines.extend(cap.body.iter().cloned());
                }
                self.feed_expansion(&lines, cap.ctx);
            }
            CaptureKind::Irp(param, values) => {
                let mut lines = Vec::new();
                let values = if values.is_empty() {
                    vec![String::new()]
                } else {
                    values
                };
                for v in values {
                    let bind = vec![(param.clone(), v)];
                    for l in &cap.body {
                        lines.push(super::macros::substitute(l, &bind, self.macro_counter));
                    }
                }
                self.feed_expansion(&lines, cap.ctx);
            }
            CaptureKind::Irpc(param, chars) => {
                let mut lines = Vec::new();
                for ch in chars.chars() {
                    let bind = vec![(param.clone(), ch.to_string())];
                    for l in &cap.body {
                        lines.push(super::macros::substitute(l, &bind, self.macro_counter));
                    }
                }
                self.feed_expansion(&lines, cap.ctx);
            }
        }
    }

    /// Conditional directives (`.if`, `.ifdef`, `.else`, `.endif`...).
    pub fn conditional(&mut self, name: &str, value: Option<bool>, loc: Loc) {
        match name {
            ".else" | ".elseif" => {
                let Some(top) = self.conds.last_mut() else {
                    self.error(loc, format!("`{name}' without `.if'"));
                    return;
                };
                if !top.parent {
                    return;
                }
                if top.taken {
                    top.active = false;
                } else {
                    let v = if name == ".else" {
                        true
                    } else {
                        value.unwrap_or(false)
                    };
                    top.active = v;
                    top.taken = v;
                }
            }
            ".endif" => {
                if self.conds.pop().is_none() {
                    self.error(loc, "`.endif' without `.if'");
                }
            }
            _ => {
                let parent = self.cond_active();
                let v = parent && value.unwrap_or(false);
                self.conds.push(Cond {
                    active: v,
                    taken: v,
                    parent,
                });
            }
        }
    }

    /// Handles one statement `code[start..end]`.
    fn statement(&mut self, code: &str, start: usize, end: usize, ctx: LineCtx) {
        let toks = match lexer::lex(code, start, end) {
            Ok(t) => t,
            Err((pos, msg)) => {
                self.error(ctx.loc(pos), msg);
                if let Some(w) = self.wide.as_mut() {
                    w.b.mark_failed();
                }
                return;
            }
        };
        let mut k = 0;
        // Labels.
        while k + 1 < toks.len() && toks[k + 1].tok == Tok::Punct(":") {
            let loc = ctx.loc(toks[k].pos);
            match &toks[k].tok {
                Tok::Ident(name) if self.cond_active() => {
                    let name = name.clone();
                    self.define_label(&name, loc);
                }
                Tok::Num(n) if self.cond_active() => {
                    let n = *n;
                    let c = self.syms.local_counts.entry(n).or_insert(0);
                    *c += 1;
                    let name = local_name(n, *c);
                    self.define_label(&name, loc);
                }
                _ => break,
            }
            k += 2;
        }
        let toks = &toks[k..];
        if toks.is_empty() {
            return;
        }
        let loc = ctx.loc(toks[0].pos);
        if let (
            Tok::Ident(name),
            Some(Token {
                tok: Tok::Punct("="),
                ..
            }),
        ) = (&toks[0].tok, toks.get(1))
        {
            let name = name.clone();
            self.assign(&name, &toks[2..], end, loc, ctx);
            return;
        }
        match &toks[0].tok {
            Tok::Ident(name) if name.starts_with('.') => {
                let name = name.to_ascii_lowercase();
                self.directive(&name, code, toks, end, ctx);
            }
            Tok::Ident(name) => {
                if !self.cond_active() {
                    return;
                }
                let lname = name.to_ascii_lowercase();
                if self.macros.contains_key(&lname) {
                    let args_start = toks[0].pos + name.len();
                    let args = code[args_start..end].to_string();
                    self.invoke_macro(&lname, &args, ctx, loc);
                    return;
                }
                let name = name.clone();
                self.instruction(&name, toks, end, ctx);
            }
            t => {
                let msg = format!("junk at `{t}'");
                self.error(loc, msg);
            }
        }
    }

    fn invoke_macro(&mut self, name: &str, args: &str, ctx: LineCtx, loc: Loc) {
        let Some(m) = self.macros.get(name).cloned() else {
            return;
        };
        let bind = match super::macros::bind(&m, args) {
            Ok(b) => b,
            Err(e) => {
                self.error(loc, e);
                return;
            }
        };
        let counter = self.macro_counter;
        self.macro_counter += 1;
        let lines: Vec<String> = m
            .body
            .iter()
            .map(|l| super::macros::substitute(l, &bind, counter))
            .collect();
        let c = LineCtx {
            fixed_col: Some(loc.col),
            ..ctx
        };
        self.feed_expansion(&lines, c);
    }

    /// Current location in the current section.
    pub fn here(&self) -> u64 {
        self.sections[self.cur].size()
    }

    pub fn env(&mut self) -> Env<'_> {
        let off = self.sections[self.cur].size() as i64;
        Env {
            tab: &mut self.syms,
            section: self.cur as u32,
            offset: off,
            depth: 0,
        }
    }

    pub fn define_label(&mut self, name: &str, loc: Loc) {
        let id = self.syms.id(name);
        let off = self.here();
        let cur = self.cur as u32;
        let s = self.syms.get_mut(id);
        if !matches!(s.def, SymDef::Undefined) {
            let n = s.name.clone();
            self.error(loc, format!("symbol `{n}' is already defined"));
            return;
        }
        s.def = SymDef::Label {
            section: cur,
            offset: off,
        };
    }

    /// `name = expr`, `.set name, expr`, `.equ name, expr`.
    pub fn assign(&mut self, name: &str, toks: &[Token], end: usize, loc: Loc, ctx: LineCtx) {
        if !self.cond_active() {
            return;
        }
        let e = match expr::parse_all(toks, end, false) {
            Ok(e) => e,
            Err((p, m)) => {
                self.error(ctx.loc(p), m);
                return;
            }
        };
        let id = self.syms.id(name);
        if matches!(self.syms.get(id).def, SymDef::Label { .. }) {
            self.error(loc, format!("symbol `{name}' is already defined"));
            return;
        }
        let r = {
            let mut env = self.env();
            expr::eval(&e, &mut env)
        };
        let def = match r {
            Ok(Val::Const(v)) => SymDef::Abs(v),
            Ok(Val::Rel {
                at: Some((section, offset)),
                addend,
                kind: e2k_isa::encode::SymKind::Abs,
                ..
            }) => SymDef::Label {
                section,
                offset: (offset + addend) as u64,
            },
            _ => SymDef::Deferred(self.freeze_dot(&e), loc),
        };
        self.syms.get_mut(id).def = def;
    }

    /// Appends bytes to the current section.
    pub fn emit_bytes(&mut self, bytes: &[u8]) {
        let s = &mut self.sections[self.cur];
        s.append(bytes);
    }

    pub fn add_fixup(&mut self, offset: u64, kind: RelKind, sym: u32, addend: i64, loc: Loc) {
        self.syms.get_mut(sym).used = true;
        self.sections[self.cur].fixups.push(Fixup {
            offset,
            kind,
            sym,
            addend,
            loc,
        });
    }

    /// Emits a packed wide instruction.
    pub fn emit_packed(&mut self, p: &Packed, loc: Loc) {
        let start = self.here();
        if self.sections[self.cur].flags.nobits {
            self.error(loc, "instructions in a NOBITS section");
            return;
        }
        self.emit_bytes(&p.bytes);
        for f in &p.fixups {
            self.add_fixup(
                start + f.offset as u64,
                RelKind::Enc(f.kind),
                f.sym,
                f.addend,
                loc,
            );
        }
    }

    /// Finishes a wide instruction and emits it (errors reported at `loc`).
    pub fn finish_wide(&mut self, mut w: OpenWide, loc: Loc) {
        for m in w.b.take_warnings() {
            self.warning(loc, m);
        }
        let (r, h) = w.b.finish_with_history();
        self.lit_history = h;
        match r {
            Ok(p) => self.emit_packed(&p, loc),
            Err(errs) => {
                for e in errs {
                    self.error(loc, e.0);
                }
            }
        }
    }

    fn open_brace(&mut self, loc: Loc) {
        if !self.cond_active() {
            return;
        }
        if let Some(w) = self.wide.as_mut() {
            if w.braced {
                w.b.mark_failed();
                self.error(loc, "unexpected `{'");
                return;
            }
        }
        self.wide = Some(OpenWide {
            b: WideBuilder::new(self.version, false, self.strict_delay)
                .with_history(self.lit_history),
            braced: true,
        });
    }

    fn close_brace(&mut self, loc: Loc) {
        if !self.cond_active() {
            return;
        }
        match self.wide.take() {
            Some(w) if w.braced => self.finish_wide(w, loc),
            other => {
                self.wide = other;
                self.error(loc, "unexpected `}'");
            }
        }
    }

    /// Ends the assembly: reports unterminated constructs and returns the object.
    pub fn finish(mut self) -> Finished {
        let end = Loc {
            file: self.files.names.len().saturating_sub(1) as u32,
            line: 0,
            col: 1,
        };
        if let Some(w) = self.wide.take() {
            if w.braced {
                self.error(end, "missing `}' at end of input");
            }
        }
        if let Some(c) = self.capture.take() {
            let loc = c.ctx.loc(0);
            self.error(loc, "missing `.endm'/`.endr' at end of input");
        }
        if !self.conds.is_empty() {
            self.error(end, "missing `.endif' at end of input");
        }
        // Resolve `.set` expressions that referred to later symbols.
        for i in 0..self.syms.syms.len() {
            if let SymDef::Deferred(e, loc) = self.syms.syms[i].def.clone() {
                let r = {
                    let mut env = Env {
                        tab: &mut self.syms,
                        section: 0,
                        offset: 0,
                        depth: 0,
                    };
                    expr::eval(&e, &mut env)
                };
                let def = match r {
                    Ok(Val::Const(v)) => Some(SymDef::Abs(v)),
                    Ok(Val::Rel {
                        at: Some((section, offset)),
                        addend,
                        kind: e2k_isa::encode::SymKind::Abs,
                        ..
                    }) => Some(SymDef::Label {
                        section,
                        offset: (offset + addend) as u64,
                    }),
                    _ => None,
                };
                match def {
                    Some(d) => self.syms.syms[i].def = d,
                    None => {
                        let n = self.syms.syms[i].name.clone();
                        self.error(loc, format!("cannot resolve the value of `{n}'"));
                    }
                }
            }
        }
        let (errors, warnings) = (std::mem::take(&mut self.errors), self.warnings.clone());
        if !errors.is_empty() {
            return Err((errors, warnings));
        }
        Ok((
            ObjFile {
                version: self.version,
                e_flags: self.e_flags,
                sections: self.sections,
                symbols: self.syms.syms,
            },
            warnings,
        ))
    }
}

/// Result of an assembly: the object and warnings, or the errors and warnings.
pub(crate) type Finished = Result<(ObjFile, Vec<AsmError>), (Vec<AsmError>, Vec<AsmError>)>;

/// Removes comments: `!` to the end of the line and `/* ... */` (outside strings), and
/// whole lines starting with `#`. `in_block` carries an open `/*` across lines.
pub fn strip_comment(raw: &str, in_block: &mut bool) -> String {
    let mut s = String::with_capacity(raw.len());
    let mut rest = raw;
    if *in_block {
        match rest.find("*/") {
            Some(p) => {
                rest = &rest[p + 2..];
                *in_block = false;
                s.push(' ');
            }
            None => return String::new(),
        }
    }
    if s.is_empty() && rest.trim_start().starts_with('#') {
        return String::new();
    }
    let raw = rest;
    let b = raw.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    let mut from = 0;
    while i < b.len() {
        let c = b[i];
        if !in_str && c == b'/' && b.get(i + 1) == Some(&b'*') {
            s.push_str(&raw[from..i]);
            s.push(' ');
            match raw[i + 2..].find("*/") {
                Some(p) => {
                    i = i + 2 + p + 2;
                    from = i;
                    continue;
                }
                None => {
                    *in_block = true;
                    return s;
                }
            }
        }
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'\'' {
            i += if b.get(i + 1) == Some(&b'\\') { 3 } else { 2 };
            continue;
        } else if c == b'!' {
            s.push_str(&raw[from..i]);
            return s;
        }
        i += 1;
    }
    s.push_str(raw.get(from..).unwrap_or(""));
    s
}
