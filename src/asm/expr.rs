//! Expressions: parsing (GAS operator precedence, symbols with `@RELOC` suffixes, `.`,
//! and — in instruction operands — register atoms) and evaluation against the symbol
//! table at the time of the statement, as a one-pass assembler sees it.

use super::lexer::{Tok, Token};
use e2k_isa::encode::{Reg, RegClass, SymKind};

/// A register-like atom inside an instruction operand expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegAtom {
    Gpr(Reg),
    /// `%tst`, `%tc`, `%tcd`, `%ctprN`, `%empty`: destination byte.
    Special(u8),
    /// `%aastiN`
    Aasti(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Mul,
    Div,
    Mod,
    Shl,
    Shr,
    Or,
    OrNot,
    Xor,
    And,
    Add,
    Sub,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LAnd,
    LOr,
}

impl BinOp {
    fn rank(self) -> u8 {
        use BinOp::*;
        match self {
            Mul | Div | Mod | Shl | Shr => 9,
            Or | OrNot | Xor | And => 8,
            Add | Sub => 7,
            Eq | Ne | Lt | Le | Gt | Ge => 5,
            LAnd => 3,
            LOr => 2,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(i64),
    Sym {
        name: String,
        kind: Option<SymKind>,
        pos: usize,
    },
    Dot,
    Reg(RegAtom),
    Neg(Box<Expr>),
    Not(Box<Expr>),
    LNot(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

/// Parse error with the byte position in the line.
pub type PErr = (usize, String);

/// Recursive-descent parser over a token slice.
pub struct Parser<'a> {
    pub toks: &'a [Token],
    pub i: usize,
    /// Byte position used for errors at the end of input.
    pub end_pos: usize,
    pub allow_regs: bool,
    depth: u32,
}

impl<'a> Parser<'a> {
    pub fn new(toks: &'a [Token], end_pos: usize, allow_regs: bool) -> Self {
        Parser {
            toks,
            i: 0,
            end_pos,
            allow_regs,
            depth: 0,
        }
    }

    pub fn peek(&self) -> Option<&'a Tok> {
        self.toks.get(self.i).map(|t| &t.tok)
    }

    pub fn pos(&self) -> usize {
        self.toks.get(self.i).map(|t| t.pos).unwrap_or(self.end_pos)
    }

    pub fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }

    pub fn eat_punct(&mut self, p: &str) -> bool {
        if let Some(Tok::Punct(q)) = self.peek() {
            if *q == p {
                self.i += 1;
                return true;
            }
        }
        false
    }

    fn binop(&self) -> Option<BinOp> {
        use BinOp::*;
        let Some(Tok::Punct(p)) = self.peek() else {
            return None;
        };
        Some(match *p {
            "*" => Mul,
            "/" => Div,
            "%" => Mod,
            "<<" => Shl,
            ">>" => Shr,
            "|" => Or,
            "!" => OrNot,
            "^" => Xor,
            "&" => And,
            "+" => Add,
            "-" => Sub,
            "==" => Eq,
            "!=" | "<>" => Ne,
            "<" => Lt,
            "<=" => Le,
            ">" => Gt,
            ">=" => Ge,
            "&&" => LAnd,
            "||" => LOr,
            _ => return None,
        })
    }

    /// Parses a full expression.
    pub fn expr(&mut self) -> Result<Expr, PErr> {
        self.expr_rank(0)
    }

    fn expr_rank(&mut self, min: u8) -> Result<Expr, PErr> {
        let mut left = self.unary()?;
        while let Some(op) = self.binop() {
            let r = op.rank();
            if r <= min {
                break;
            }
            self.i += 1;
            let right = self.expr_rank(r)?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, PErr> {
        self.depth += 1;
        let r = if self.depth > 200 {
            Err((self.pos(), "expression nested too deeply".to_string()))
        } else {
            self.unary_inner()
        };
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, PErr> {
        if self.eat_punct("-") {
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        if self.eat_punct("+") {
            return self.unary();
        }
        if self.eat_punct("~") {
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.eat_punct("!") {
            return Ok(Expr::LNot(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, PErr> {
        let pos = self.pos();
        let Some(t) = self.peek() else {
            return Err((pos, "missing operand".into()));
        };
        match t {
            Tok::Num(v) => {
                self.i += 1;
                Ok(Expr::Num(*v as i64))
            }
            Tok::Punct("(") => {
                self.i += 1;
                let e = self.expr()?;
                if !self.eat_punct(")") {
                    return Err((self.pos(), "missing `)'".into()));
                }
                Ok(e)
            }
            Tok::Punct("[") if self.allow_regs => {
                self.i += 1;
                let e = self.expr()?;
                if !self.eat_punct("]") {
                    return Err((self.pos(), "missing `]'".into()));
                }
                Ok(e)
            }
            Tok::Ident(name) => {
                self.i += 1;
                if name == "." {
                    return Ok(Expr::Dot);
                }
                let mut kind = None;
                if let Some(Tok::At(r)) = self.peek() {
                    kind = Some(
                        reloc_suffix(r)
                            .ok_or((self.pos(), format!("unknown relocation `@{r}'")))?,
                    );
                    self.i += 1;
                } else if name == "_GLOBAL_OFFSET_TABLE_" {
                    kind = Some(SymKind::Pc);
                }
                Ok(Expr::Sym {
                    name: name.clone(),
                    kind,
                    pos,
                })
            }
            Tok::Percent(name) if self.allow_regs => {
                self.i += 1;
                let a = self.reg_atom(name, pos)?;
                Ok(Expr::Reg(a))
            }
            other => Err((pos, format!("bad expression at `{other}'"))),
        }
    }

    /// Parses the rest of a register after its `%name` token.
    pub fn reg_atom(&mut self, name: &str, pos: usize) -> Result<RegAtom, PErr> {
        if let Some(s) = special_dst(name) {
            return Ok(RegAtom::Special(s));
        }
        let rest = name
            .strip_prefix("qp")
            .or_else(|| name.strip_prefix('d'))
            .or_else(|| name.strip_prefix('x'))
            .or_else(|| name.strip_prefix('q'))
            .unwrap_or(name);
        let (class, digits) = if rest == "b" || rest == "r" {
            // Based: %b[N] (or %r[N]).
            if !self.eat_punct("[") {
                return Err((pos, format!("bad register `%{name}'")));
            }
            let p = self.pos();
            let Some(Tok::Num(v)) = self.peek() else {
                return Err((p, "register index expected".into()));
            };
            let v = *v;
            self.i += 1;
            if !self.eat_punct("]") {
                return Err((self.pos(), "`]' expected".into()));
            }
            if v > 127 {
                return Err((pos, "Illegal register index".into()));
            }
            return Ok(RegAtom::Gpr(Reg {
                class: RegClass::Based,
                idx: v as u16,
            }));
        } else if let Some(d) = rest.strip_prefix("aasti") {
            let v: u32 = d
                .parse()
                .map_err(|_| (pos, format!("bad register `%{name}'")))?;
            if v >= 16 {
                return Err((pos, "Illegal register index".into()));
            }
            return Ok(RegAtom::Aasti(v as u8));
        } else if let Some(d) = rest.strip_prefix('g') {
            (RegClass::Global, d)
        } else if let Some(d) = rest.strip_prefix('r') {
            (RegClass::Window, d)
        } else {
            return Err((pos, format!("bad register `%{name}'")));
        };
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err((pos, format!("bad register `%{name}'")));
        }
        let v: u64 = digits.parse().unwrap_or(u64::MAX);
        if v > Reg::max_idx(class) as u64 {
            return Err((pos, "Illegal register index".into()));
        }
        Ok(RegAtom::Gpr(Reg {
            class,
            idx: v as u16,
        }))
    }
}

/// Destination byte of a special register name.
pub fn special_dst(name: &str) -> Option<u8> {
    Some(match name {
        "tst" => 0xcd,
        "tc" => 0xce,
        "tcd" => 0xcf,
        "ctpr1" => 0xd1,
        "ctpr2" => 0xd2,
        "ctpr3" => 0xd3,
        "empty" => 0xdf,
        _ => return None,
    })
}

/// The symbol kind selected by `@SUFFIX`.
pub fn reloc_suffix(s: &str) -> Option<SymKind> {
    Some(match s.to_ascii_uppercase().as_str() {
        "GOTOFF" => SymKind::GotOff,
        "GOT" => SymKind::Got,
        "GOTPLT" => SymKind::GotPlt,
        "TLS_LE" => SymKind::TlsLe,
        "TLS_IE" => SymKind::TlsIe,
        "TLS_GDMOD" => SymKind::TlsGdMod,
        "TLS_GDREL" => SymKind::TlsGdRel,
        "PLT" => SymKind::Plt,
        "SIZE" => SymKind::Size,
        "ABS" => SymKind::Abs,
        "PCREL" => SymKind::Pc,
        _ => return None,
    })
}

/// What a symbol name means at the time it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymState {
    /// An absolute value (`.set` constant) of symbol `sym`.
    Const { value: i64, sym: u32 },
    /// A label (or equate to one) in `section` at `offset`.
    Label { sym: u32, section: u32, offset: i64 },
    /// Not (yet) defined.
    Undefined { sym: u32 },
}

/// Symbol lookups needed to evaluate expressions.
pub trait SymEnv {
    fn lookup(&mut self, name: &str) -> SymState;
    /// Current location: (section, offset, symbol id for `.`).
    fn dot(&mut self) -> (u32, i64, u32);
}

/// Value of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val {
    Const(i64),
    /// A symbol plus addend; `at` = (section, offset) when the symbol is a defined label.
    Rel {
        sym: u32,
        at: Option<(u32, i64)>,
        addend: i64,
        kind: SymKind,
    },
}

fn sym_val(env: &mut dyn SymEnv, name: &str, kind: Option<SymKind>) -> Val {
    let kind_or_abs = kind.unwrap_or(SymKind::Abs);
    match env.lookup(name) {
        SymState::Const { value, .. } if kind.is_none() => Val::Const(value),
        SymState::Const { sym, .. } | SymState::Undefined { sym } => Val::Rel {
            sym,
            at: None,
            addend: 0,
            kind: kind_or_abs,
        },
        SymState::Label {
            sym,
            section,
            offset,
        } => Val::Rel {
            sym,
            at: Some((section, offset)),
            addend: 0,
            kind: kind_or_abs,
        },
    }
}

fn const_op(op: BinOp, a: i64, b: i64) -> Result<i64, String> {
    use BinOp::*;
    let t = |c: bool| if c { -1 } else { 0 };
    Ok(match op {
        Mul => a.wrapping_mul(b),
        Div => {
            if b == 0 {
                return Err("division by zero".into());
            }
            a.wrapping_div(b)
        }
        Mod => {
            if b == 0 {
                return Err("division by zero".into());
            }
            a.wrapping_rem(b)
        }
        Shl => {
            if (0..64).contains(&b) {
                a.wrapping_shl(b as u32)
            } else {
                0
            }
        }
        Shr => {
            if (0..64).contains(&b) {
                ((a as u64) >> b) as i64
            } else {
                0
            }
        }
        Or => a | b,
        OrNot => a | !b,
        Xor => a ^ b,
        And => a & b,
        Add => a.wrapping_add(b),
        Sub => a.wrapping_sub(b),
        Eq => t(a == b),
        Ne => t(a != b),
        Lt => t(a < b),
        Le => t(a <= b),
        Gt => t(a > b),
        Ge => t(a >= b),
        LAnd => (a != 0 && b != 0) as i64,
        LOr => (a != 0 || b != 0) as i64,
    })
}

/// Evaluates an expression (registers are errors here).
pub fn eval(e: &Expr, env: &mut dyn SymEnv) -> Result<Val, String> {
    match e {
        Expr::Num(v) => Ok(Val::Const(*v)),
        Expr::Sym { name, kind, .. } => Ok(sym_val(env, name, *kind)),
        Expr::Dot => {
            let (section, offset, sym) = env.dot();
            Ok(Val::Rel {
                sym,
                at: Some((section, offset)),
                addend: 0,
                kind: SymKind::Abs,
            })
        }
        Expr::Reg(_) => Err("register not allowed here".into()),
        Expr::Neg(x) => match eval(x, env)? {
            Val::Const(v) => Ok(Val::Const(v.wrapping_neg())),
            _ => Err("invalid use of a symbol".into()),
        },
        Expr::Not(x) => match eval(x, env)? {
            Val::Const(v) => Ok(Val::Const(!v)),
            _ => Err("invalid use of a symbol".into()),
        },
        Expr::LNot(x) => match eval(x, env)? {
            Val::Const(v) => Ok(Val::Const((v == 0) as i64)),
            _ => Err("invalid use of a symbol".into()),
        },
        Expr::Bin(op, a, b) => {
            let va = eval(a, env)?;
            let vb = eval(b, env)?;
            match (va, vb) {
                (Val::Const(x), Val::Const(y)) => Ok(Val::Const(const_op(*op, x, y)?)),
                (
                    Val::Rel {
                        sym,
                        at,
                        addend,
                        kind,
                    },
                    Val::Const(y),
                ) if matches!(op, BinOp::Add | BinOp::Sub) => Ok(Val::Rel {
                    sym,
                    at,
                    addend: if *op == BinOp::Add {
                        addend.wrapping_add(y)
                    } else {
                        addend.wrapping_sub(y)
                    },
                    kind,
                }),
                (
                    Val::Const(x),
                    Val::Rel {
                        sym,
                        at,
                        addend,
                        kind,
                    },
                ) if *op == BinOp::Add => Ok(Val::Rel {
                    sym,
                    at,
                    addend: addend.wrapping_add(x),
                    kind,
                }),
                (
                    Val::Rel {
                        at: Some((s1, o1)),
                        addend: a1,
                        kind: SymKind::Abs,
                        ..
                    },
                    Val::Rel {
                        at: Some((s2, o2)),
                        addend: a2,
                        kind: SymKind::Abs,
                        ..
                    },
                ) if *op == BinOp::Sub && s1 == s2 => Ok(Val::Const(
                    (o1.wrapping_add(a1)).wrapping_sub(o2.wrapping_add(a2)),
                )),
                _ => Err("invalid expression: unsupported operation on symbols".into()),
            }
        }
    }
}

/// The term structure MCST as sees in an operand: constants folded, `a + b` kept as a
/// sum when it involves registers or symbols.
#[derive(Debug, Clone)]
pub enum Shape {
    Const(i64),
    Reg(RegAtom),
    Sym(Val),
    Add(Box<Shape>, Box<Shape>, i64),
    Other(String),
}

fn has_reg(e: &Expr) -> bool {
    match e {
        Expr::Reg(_) => true,
        Expr::Neg(x) | Expr::Not(x) | Expr::LNot(x) => has_reg(x),
        Expr::Bin(_, a, b) => has_reg(a) || has_reg(b),
        _ => false,
    }
}

/// Builds the operand shape of an expression.
pub fn shape(e: &Expr, env: &mut dyn SymEnv) -> Shape {
    match e {
        Expr::Reg(r) => Shape::Reg(*r),
        Expr::Bin(BinOp::Add, a, b) => {
            let l = shape(a, env);
            let r = shape(b, env);
            match (l, r) {
                (Shape::Const(x), Shape::Const(y)) => Shape::Const(x.wrapping_add(y)),
                (Shape::Add(x, y, k), Shape::Const(c)) => Shape::Add(x, y, k.wrapping_add(c)),
                (Shape::Const(c), Shape::Add(x, y, k)) => Shape::Add(x, y, k.wrapping_add(c)),
                (Shape::Sym(v), Shape::Const(c)) | (Shape::Const(c), Shape::Sym(v)) => match v {
                    Val::Rel {
                        sym,
                        at,
                        addend,
                        kind,
                    } => Shape::Sym(Val::Rel {
                        sym,
                        at,
                        addend: addend.wrapping_add(c),
                        kind,
                    }),
                    Val::Const(x) => Shape::Const(x.wrapping_add(c)),
                },
                (l @ Shape::Other(_), _) => l,
                (_, r @ Shape::Other(_)) => r,
                (l, r) => Shape::Add(Box::new(l), Box::new(r), 0),
            }
        }
        e if has_reg(e) => Shape::Other("invalid operand".into()),
        e => match eval(e, env) {
            Ok(Val::Const(v)) => Shape::Const(v),
            Ok(v) => Shape::Sym(v),
            Err(m) => Shape::Other(m),
        },
    }
}

/// An operand flattened into at most two registers and one literal term.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    pub const_first: bool,
    pub regs: Vec<RegAtom>,
    pub lit: Option<Val>,
}

/// Flattens a shape (fails on more than two registers, two symbols or other terms).
pub fn terms(s: &Shape) -> Result<Terms, String> {
    let mut t = Terms {
        const_first: matches!(s, Shape::Add(l, _, _) if matches!(**l, Shape::Const(_))),
        ..Default::default()
    };
    fn add_const(t: &mut Terms, c: i64) {
        t.lit = Some(match t.lit {
            None => Val::Const(c),
            Some(Val::Const(x)) => Val::Const(x.wrapping_add(c)),
            Some(Val::Rel {
                sym,
                at,
                addend,
                kind,
            }) => Val::Rel {
                sym,
                at,
                addend: addend.wrapping_add(c),
                kind,
            },
        });
    }
    fn walk(t: &mut Terms, s: &Shape) -> Result<(), String> {
        match s {
            Shape::Add(a, b, k) => {
                walk(t, a)?;
                walk(t, b)?;
                if *k != 0 {
                    add_const(t, *k);
                }
            }
            Shape::Const(c) => add_const(t, *c),
            Shape::Sym(v) => match (t.lit, v) {
                (Some(Val::Rel { .. }), _) => return Err("invalid operand".into()),
                (
                    prev,
                    Val::Rel {
                        sym,
                        at,
                        addend,
                        kind,
                    },
                ) => {
                    let base = match prev {
                        Some(Val::Const(c)) => c,
                        _ => 0,
                    };
                    t.lit = Some(Val::Rel {
                        sym: *sym,
                        at: *at,
                        addend: addend.wrapping_add(base),
                        kind: *kind,
                    });
                }
                (_, Val::Const(c)) => add_const(t, *c),
            },
            Shape::Reg(r) => {
                if t.regs.len() >= 2 {
                    return Err("invalid operand".into());
                }
                t.regs.push(*r);
            }
            Shape::Other(m) => return Err(m.clone()),
        }
        Ok(())
    }
    walk(&mut t, s)?;
    Ok(t)
}

/// Converts a token slice into an expression (whole slice must be consumed).
pub fn parse_all(toks: &[Token], end_pos: usize, allow_regs: bool) -> Result<Expr, PErr> {
    let mut p = Parser::new(toks, end_pos, allow_regs);
    let e = p.expr()?;
    if !p.at_end() {
        let pos = p.pos();
        return Err((pos, format!("junk at `{}'", toks[p.i].tok)));
    }
    Ok(e)
}
