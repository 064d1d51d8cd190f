//! Shared generator and runner of the differential tests (included with `#[path]` by
//! fastpath_diff.rs and jit_diff.rs).
//!
//! Two families of random programs:
//! * the original shapes (`program`): random wide instructions built from the spec (one
//!   or two ALU operations each, on window, based and global registers and literals,
//!   including loads and stores into a sandbox page and operands outside the window),
//!   optionally closed into a loop on a random predicate;
//! * structured shapes (`shaped`, see `Shape`): software-pipelined loops in loop mode
//!   (LSR counters, rotating based registers and predicates, RLP-predicated and
//!   speculative operations, loop-mode store suppression, every loop-end condition),
//!   call/return programs (nested and recursive procedures, conditional calls and
//!   returns, window changes) and faulting memory access (speculative loads of
//!   unmapped memory and their consumers, loads and stores that leave the mapped
//!   memory or hit a read-only page after some iterations, wild and wrapping
//!   addresses). These programs end in `setsft` (a SIGTRAP stop) or a fault, or run
//!   out of their bundle budget.
//!
//! Every program is run from a random register, tag and memory state by an
//! interpreter configured by the caller; the caller compares outcomes, the whole CPU
//! state and the sandbox page.
#![allow(dead_code)]

use e2k_isa::tables::{Format, Opnd, ALOPS};
use e2kemu::asm::{assemble_snippet, AsmOptions};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};
use e2kemu::migration::cpu_state::{decode_cpu, encode_cpu};
use proptest::prelude::*;

/// Code (read/execute, 16 KiB).
pub const TEXT: u64 = 0x10000;
/// The sandbox page (read/write); the page after it is unmapped.
pub const DATA: u64 = 0x40000;
/// A read-only page just below the sandbox (the page below it is unmapped).
pub const RO: u64 = 0x3f000;

/// (ALOPS index, channel) of the rows of version `v` the generator uses.
fn rows(v: u8) -> Vec<(usize, usize)> {
    use Format::*;
    let mut out = Vec::new();
    for (i, d) in ALOPS.iter().enumerate() {
        if d.alias_of.is_some() || !d.in_version(v) || d.args.contains(&Opnd::Q) {
            continue;
        }
        let pure = d.sem.is_some();
        let mem =
            d.ex.is_some_and(|e| e.starts_with("ld:") || e.starts_with("st:"));
        if !(pure || mem) {
            continue;
        }
        if !matches!(
            d.fmt,
            Alopf1 | Alopf11 | Alopf1Mas | Alopf3Mas | Alopf2 | Alopf12 | Alopf7 | Alopf8 | Alopf21
        ) {
            continue;
        }
        for ch in 0..6 {
            if d.allows_channel(ch) {
                out.push((i, ch));
            }
        }
    }
    out
}

/// A register operand: mostly inside the window / based area, sometimes outside.
fn reg(sel: u32) -> String {
    let n = sel >> 3;
    match sel & 7 {
        0..=2 => format!(
            "%r{}",
            if n.is_multiple_of(16) {
                32 + n % 32
            } else {
                n % 32
            }
        ),
        3 | 4 => format!(
            "%b[{}]",
            if n.is_multiple_of(16) {
                8 + n % 8
            } else {
                n % 8
            }
        ),
        _ => format!("%g{}", n % 32),
    }
}

/// A second source: a register, a short literal or a long literal.
fn src2(sel: u32) -> String {
    match (sel >> 29) & 3 {
        0 => format!("{}", sel % 32),
        1 => format!("{:#x}", sel & 0xffff),
        _ => reg(sel),
    }
}

/// Assembly text of one operation of row `idx` in channel `ch`.
fn op_text(idx: usize, ch: usize, r: [u32; 5]) -> String {
    use Format::*;
    let d = &ALOPS[idx];
    let p = r[4] % 8;
    let ops = match d.fmt {
        Alopf1 | Alopf11 | Alopf1Mas => format!("{}, {}, {}", reg(r[0]), src2(r[1]), reg(r[3])),
        Alopf3Mas => format!("{}, {}, {}", reg(r[2]), reg(r[0]), src2(r[1])),
        Alopf2 | Alopf12 => format!("{}, {}", src2(r[1]), reg(r[3])),
        Alopf7 => format!("{}, {}, %pred{p}", reg(r[0]), src2(r[1])),
        Alopf8 => format!("{}, %pred{p}", src2(r[1])),
        Alopf21 => format!("{}, {}, {}, {}", reg(r[0]), reg(r[1]), reg(r[2]), reg(r[3])),
        _ => unreachable!(),
    };
    format!("{},{ch} {ops}", d.name)
}

/// A random program: assembly text, bytes and bundle count.
pub struct Program {
    pub v: u8,
    pub text: String,
    pub code: Vec<u8>,
    pub bundles: usize,
    /// bundles to run (structured shapes)
    pub budget: u64,
}

/// The strategy's raw material for one program.
pub type Picks = Vec<(prop::sample::Index, [u32; 5], bool)>;

/// Strategy for the picks of 1..6 bundles.
pub fn picks() -> impl Strategy<Value = Picks> {
    prop::collection::vec(
        (
            any::<prop::sample::Index>(),
            any::<[u32; 5]>(),
            any::<bool>(),
        ),
        1..6,
    )
}

/// Strategy for the random register state (64 window registers, 24 globals, tags).
pub fn regs() -> impl Strategy<Value = Vec<(u64, u8)>> {
    prop::collection::vec(
        (
            any::<u64>(),
            prop_oneof![9 => Just(0u8), 1 => Just(0x05u8), 1 => Just(0x01u8)],
        ),
        88,
    )
}

/// Like `regs`, with small values in part of the registers and few diagnostic ones
/// (structured programs run longer before a non-speculative operation meets one);
/// in half of the states none at all.
pub fn sparse_regs() -> impl Strategy<Value = Vec<(u64, u8)>> {
    (
        any::<bool>(),
        prop::collection::vec(
            (
                prop_oneof![3 => any::<u64>(), 1 => 0u64..64],
                prop_oneof![40 => Just(0u8), 1 => Just(0x05u8), 1 => Just(0x01u8)],
            ),
            88,
        ),
    )
        .prop_map(|(clean, mut v)| {
            if clean {
                v.iter_mut().for_each(|r| r.1 = 0);
            }
            v
        })
}

/// Builds the program; with `looped` the bundles are a loop body closed by
/// `ct ? %pred7` (the predicates are random and ops may write them). None when the
/// assembler refuses a combination (literal limits, channel rules).
pub fn program(v: u8, picks: &Picks, looped: bool) -> Option<Program> {
    let all = rows(v);
    let mut text = String::from("{ setwd wsz=16, nfx=1 }\n{ setbn rsz=3, rbs=4, rcur=1 }\n");
    if looped {
        text.push_str("{ disp %ctpr1, 1f }\n1:\n");
    }
    let mut bundles = 0;
    let mut i = 0;
    while i < picks.len() {
        let (idx, ch) = all[picks[i].0.index(all.len())];
        let mut body = op_text(idx, ch, picks[i].1);
        if picks[i].2 && i + 1 < picks.len() {
            let (idx2, ch2) = all[picks[i + 1].0.index(all.len())];
            if ch2 != ch {
                body.push_str("\n  ");
                body.push_str(&op_text(idx2, ch2, picks[i + 1].1));
                i += 1;
            }
        }
        text.push_str(&format!("{{\n  {body}\n}}\n"));
        bundles += 1;
        i += 1;
    }
    if looped {
        text.push_str("{ ct %ctpr1 ? %pred7 }\n{ nop }\n");
    }
    let code = assemble_snippet(&text, &AsmOptions::for_version(v), TEXT, &[])
        .ok()?
        .bytes;
    Some(Program {
        v,
        text,
        code,
        bundles,
        budget: 0,
    })
}

// ====================================================================== structured shapes

/// The structured program shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// software-pipelined loops in loop mode
    Pipelined,
    /// a loop calling procedures (nested, recursive)
    Calls,
    /// speculative and faulting memory access in loops
    Faulting,
}

pub const SHAPES: [Shape; 3] = [Shape::Pipelined, Shape::Calls, Shape::Faulting];

/// Raw material of one operation: a row pick, operand selectors, flags.
pub type OpPick = (prop::sample::Index, [u32; 5], u32);

/// The strategy's raw material for one structured program: the shape, parameters
/// ("knobs", each read modulo its range: shrinking towards 0 gives the simplest
/// choice) and the operations.
#[derive(Debug, Clone)]
pub struct Raw {
    pub shape: Shape,
    pub knobs: Vec<u32>,
    pub ops: Vec<OpPick>,
}

/// Strategy for structured programs of a random shape.
pub fn raw() -> impl Strategy<Value = Raw> {
    raw_of(prop::sample::select(SHAPES.to_vec()))
}

/// Strategy for structured programs of the shapes `shape` gives.
pub fn raw_of(shape: impl Strategy<Value = Shape>) -> impl Strategy<Value = Raw> {
    (
        shape,
        prop::collection::vec(any::<u32>(), 40),
        prop::collection::vec(
            (
                any::<prop::sample::Index>(),
                any::<[u32; 5]>(),
                any::<u32>(),
            ),
            0..40,
        ),
    )
        .prop_map(|(shape, knobs, ops)| Raw { shape, knobs, ops })
}

/// Sequential reader of the knobs.
struct Knobs<'a> {
    k: &'a [u32],
    i: usize,
}

impl Knobs<'_> {
    /// A choice in 0..n (0 when n is 0).
    fn pick(&mut self, n: u32) -> u32 {
        let v = self.k.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        if n == 0 {
            0
        } else {
            v % n
        }
    }
    /// True with probability num/den (false for a knob shrunk to 0).
    fn chance(&mut self, num: u32, den: u32) -> bool {
        self.pick(den) >= den - num
    }
    fn of<T: Copy>(&mut self, menu: &[T]) -> T {
        menu[self.pick(menu.len() as u32) as usize]
    }
}

/// Sequential reader of the operation picks.
struct Ops<'a> {
    ops: &'a [OpPick],
    i: usize,
}

impl Ops<'_> {
    fn next(&mut self) -> Option<OpPick> {
        let o = self.ops.get(self.i).copied();
        self.i += 1;
        o
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mem {
    No,
    Load,
    Store,
}

/// One wide instruction under construction.
#[derive(Debug, Clone, Default)]
struct Wi {
    label: Option<String>,
    /// control syllables and markers (`disp`, `ct`, stubs, `setwd`, ...)
    ctl: Vec<String>,
    /// ALU operations: (text, essential); the repair step drops non-essential ones
    ops: Vec<(String, bool)>,
    used: u8,
    ld: u8,
    st: u8,
    /// RLP entries: (predicate source, upper cluster)
    conds: Vec<(String, bool)>,
}

impl Wi {
    fn new() -> Wi {
        Wi::default()
    }
    fn at(label: &str) -> Wi {
        Wi {
            label: Some(label.to_string()),
            ..Wi::default()
        }
    }
    fn c(mut self, s: impl Into<String>) -> Wi {
        self.ctl.push(s.into());
        self
    }
    fn full(&self) -> bool {
        self.used == 0x3f
    }
    /// Whether channel `ch` can take an operation of class `m` (mirrored load/store
    /// channels are refused by the hardware, §2.6).
    fn can(&self, ch: usize, m: Mem) -> bool {
        if self.used & (1 << ch) != 0 {
            return false;
        }
        match m {
            Mem::No => true,
            Mem::Load => !((ch == 3 && self.st & 4 != 0) || (ch == 0 && self.st & 0x20 != 0)),
            Mem::Store => !((ch == 2 && self.ld & 8 != 0) || (ch == 5 && self.ld & 1 != 0)),
        }
    }
    /// Adds `text` in channel `ch` under the RLP sources `conds` if it fits.
    fn put(&mut self, ch: usize, text: String, m: Mem, conds: &[String], essential: bool) -> bool {
        if !self.can(ch, m) {
            return false;
        }
        let upper = ch > 2;
        let new: Vec<(String, bool)> = conds
            .iter()
            .map(|c| (c.clone(), upper))
            .filter(|c| !self.conds.contains(c))
            .collect();
        if self.conds.len() + new.len() > 4 {
            return false;
        }
        self.conds.extend(new);
        self.used |= 1 << ch;
        match m {
            Mem::Load => self.ld |= 1 << ch,
            Mem::Store => self.st |= 1 << ch,
            Mem::No => {}
        }
        self.ops.push((text, essential));
        true
    }
    /// Adds an essential operation in the first free channel of `chans`.
    fn must(&mut self, chans: &[usize], f: impl Fn(usize) -> String) -> bool {
        for &ch in chans {
            if self.can(ch, Mem::No) {
                return self.put(ch, f(ch), Mem::No, &[], true);
            }
        }
        false
    }
}

/// What a line of the rendered text is: (bundle, Some(op index)) for an operation,
/// (bundle, None) for the bundle's other lines, None for labels.
type LineMap = Vec<Option<(usize, Option<usize>)>>;

/// Renders the program and its line map.
fn render(items: &[Wi]) -> (String, LineMap) {
    let mut text = String::new();
    let mut lines = Vec::new();
    for (bi, w) in items.iter().enumerate() {
        if let Some(l) = &w.label {
            text.push_str(&format!("{l}:\n"));
            lines.push(None);
        }
        text.push_str("{\n");
        lines.push(Some((bi, None)));
        for c in &w.ctl {
            text.push_str(&format!("  {c}\n"));
            lines.push(Some((bi, None)));
        }
        for (oi, (o, _)) in w.ops.iter().enumerate() {
            text.push_str(&format!("  {o}\n"));
            lines.push(Some((bi, Some(oi))));
        }
        if w.ctl.is_empty() && w.ops.is_empty() {
            text.push_str("  nop\n");
            lines.push(Some((bi, None)));
        }
        text.push_str("}\n");
        lines.push(Some((bi, None)));
    }
    (text, lines)
}

/// Assembles the bundles, dropping non-essential operations the assembler refuses
/// (literal space, RLP/ALES limits); None when an essential part is refused.
fn assemble_items(v: u8, items: &mut [Wi]) -> Option<(String, Vec<u8>)> {
    let opts = AsmOptions::for_version(v);
    for _ in 0..16 {
        let (text, lines) = render(items);
        let errs = match assemble_snippet(&text, &opts, TEXT, &[]) {
            Ok(s) => return Some((text, s.bytes)),
            Err(e) => e,
        };
        let line = errs.first()?.line as usize;
        let (bi, oi) = (*lines.get(line.checked_sub(1)?)?)?;
        let w = &mut items[bi];
        let victim = match oi {
            Some(i) if !w.ops[i].1 => i,
            _ => w.ops.iter().rposition(|o| !o.1)?,
        };
        w.ops.remove(victim);
    }
    None
}

/// The ALU rows structured programs use: all pure rows, and the integer core (the
/// operations a JIT lowers natively first) picked more often.
struct Rows {
    all: Vec<(usize, usize)>,
    core: Vec<(usize, usize)>,
}

impl Rows {
    fn new(v: u8) -> Rows {
        let all = alu_rows(v);
        let core = all
            .iter()
            .copied()
            .filter(|&(i, _)| {
                let p = ALOPS[i].sem_path;
                p.starts_with("int::") || p.starts_with("icmp::cmp")
            })
            .collect();
        Rows { all, core }
    }
}

/// Pure ALU rows (with merges) of version `v`: (ALOPS index, channel).
fn alu_rows(v: u8) -> Vec<(usize, usize)> {
    use Format::*;
    let mut out = Vec::new();
    for (i, d) in ALOPS.iter().enumerate() {
        if d.alias_of.is_some() || !d.in_version(v) || d.args.contains(&Opnd::Q) {
            continue;
        }
        if d.sem.is_none() || d.ex.is_some() {
            continue;
        }
        if !matches!(
            d.fmt,
            Alopf1 | Alopf11 | Alopf2 | Alopf12 | Alopf7 | Alopf8 | Alopf21 | Merge
        ) {
            continue;
        }
        for ch in 0..6 {
            if d.allows_channel(ch) {
                out.push((i, ch));
            }
        }
    }
    out
}

/// The registers the operations of a program part may name.
#[derive(Debug, Clone)]
struct Pool {
    /// window registers %r0..
    wregs: u32,
    /// based registers %b[0..bsize)
    bsize: u32,
    /// window registers that must not be written (bit n = %rn)
    keep: u64,
    /// globals that must not be written
    gkeep: u32,
    /// predicates compares write: %pred0..preds-1
    preds: u32,
    /// predicate sources conditions may use (`pred3`, `pcnt1`)
    cond_srcs: Vec<String>,
}

impl Pool {
    fn src(&self, sel: u32) -> String {
        let n = sel >> 4;
        match sel & 15 {
            // rarely a register beyond the window (window bounds fault)
            0 if n.is_multiple_of(97) => format!("%r{}", (self.wregs + n % 4).min(63)),
            0..=6 => format!("%r{}", n % self.wregs),
            7..=11 if self.bsize > 0 => format!("%b[{}]", n % self.bsize),
            7..=11 => format!("%r{}", n % self.wregs),
            _ => format!("%g{}", n % 32),
        }
    }
    fn src2(&self, sel: u32) -> String {
        match (sel >> 29) & 3 {
            0 => format!("{}", sel % 32),
            1 => format!("{:#x}", sel & 0xffff),
            _ => self.src(sel),
        }
    }
    fn win_dst(&self, n: u32) -> Option<String> {
        (0..self.wregs)
            .map(|k| (n + k) % self.wregs)
            .find(|r| self.keep & (1 << r) == 0)
            .map(|r| format!("%r{r}"))
    }
    fn dst(&self, sel: u32) -> String {
        let n = sel >> 4;
        match sel & 7 {
            0..=2 if self.bsize > 0 => format!("%b[{}]", n % self.bsize),
            0..=5 => self.win_dst(n).unwrap_or_else(|| "%empty".into()),
            6 if n.is_multiple_of(5) => "%empty".into(),
            _ => {
                let g = (0..32)
                    .map(|k| (n + k) % 32)
                    .find(|g| self.gkeep & (1 << g) == 0);
                g.map_or_else(|| "%empty".into(), |g| format!("%g{g}"))
            }
        }
    }
    /// An RLP condition from `sel` (text and the sources it uses), or none.
    fn cond(&self, sel: u32) -> (String, Vec<String>) {
        if self.cond_srcs.is_empty() || sel & 3 != 0 {
            return (String::new(), vec![]);
        }
        let a = &self.cond_srcs[(sel >> 2) as usize % self.cond_srcs.len()];
        let inv = if a.starts_with("pred") && sel & 0x1000 != 0 {
            "~"
        } else {
            ""
        };
        // sometimes a predicate and a %pcnt together
        let b = &self.cond_srcs[(sel >> 6) as usize % self.cond_srcs.len()];
        if sel & 0x2000 != 0 && a.starts_with("pred") && b.starts_with("pcnt") {
            return (format!(" ? {inv}%{a}, %{b}"), vec![a.clone(), b.clone()]);
        }
        (format!(" ? {inv}%{a}"), vec![a.clone()])
    }
}

/// Text of a pure ALU operation of row `idx` in channel `ch`.
fn pool_op(pool: &Pool, idx: usize, ch: usize, r: [u32; 5], sm: bool) -> String {
    use Format::*;
    let d = &ALOPS[idx];
    let p = r[4] % pool.preds.max(1);
    let ops = match d.fmt {
        Alopf1 | Alopf11 => format!(
            "{}, {}, {}",
            pool.src(r[0]),
            pool.src2(r[1]),
            pool.dst(r[3])
        ),
        Alopf2 | Alopf12 => format!("{}, {}", pool.src2(r[1]), pool.dst(r[3])),
        Alopf7 => format!("{}, {}, %pred{p}", pool.src(r[0]), pool.src2(r[1])),
        Alopf8 => format!("{}, %pred{p}", pool.src2(r[1])),
        Alopf21 => format!(
            "{}, {}, {}, {}",
            pool.src(r[0]),
            pool.src(r[1]),
            pool.src(r[2]),
            pool.dst(r[3])
        ),
        Merge => {
            // the condition: a predicate the program may read (rotating ones too)
            let q = pool
                .cond_srcs
                .iter()
                .filter(|c| c.starts_with("pred"))
                .nth((r[4] >> 8) as usize % 4)
                .cloned()
                .unwrap_or_else(|| format!("pred{p}"));
            let inv = if r[4] & 0x10000 != 0 { "~" } else { "" };
            format!(
                "{}, {}, {}, {inv}%{q}",
                pool.src(r[0]),
                pool.src2(r[1]),
                pool.dst(r[3])
            )
        }
        _ => unreachable!(),
    };
    format!("{},{ch}{} {ops}", d.name, if sm { ",sm" } else { "" })
}

const LD: [&str; 4] = ["ldb", "ldh", "ldw", "ldd"];
const ST: [&str; 4] = ["stb", "sth", "stw", "std"];
const LD_CH: [usize; 4] = [0, 2, 3, 5];
const ST_CH: [usize; 2] = [2, 5];

/// How `fill` makes memory operations.
#[derive(Debug, Clone, Default)]
struct MemMenu {
    /// load base registers with the offsets allowed from them
    load_bases: Vec<(String, u32)>,
    /// store base registers with the offsets allowed from them
    store_bases: Vec<(String, u32)>,
    /// load destinations preferred (else any pool destination)
    load_dsts: Vec<String>,
}

/// Adds up to `n` random operations (from the picks) to `w`: ALU operations of
/// `alu`, and loads/stores when `mem` says how; `sm_den`: one in that many is
/// speculative.
fn fill(
    w: &mut Wi,
    n: usize,
    ops: &mut Ops,
    pool: &Pool,
    alu: &Rows,
    mem: Option<&MemMenu>,
    sm_den: u32,
) {
    for _ in 0..n {
        if w.full() {
            return;
        }
        let Some((ix, r, f)) = ops.next() else {
            return;
        };
        let sm = sm_den > 0 && (f >> 4) % sm_den == 0;
        let (cond, srcs) = pool.cond(f >> 8);
        let kind = f & 15;
        match (kind, mem) {
            (10..=12, Some(m)) if !m.load_bases.is_empty() => {
                let (base, range) = &m.load_bases[r[0] as usize % m.load_bases.len()];
                let size = (r[1] & 3) as usize;
                let align = if r[2] >> 31 != 0 { !0 } else { !7 };
                let off = (r[2] % range.max(&1)) & align;
                let dst = if !m.load_dsts.is_empty() && r[3] & 1 == 0 {
                    m.load_dsts[(r[3] >> 1) as usize % m.load_dsts.len()].clone()
                } else {
                    pool.dst(r[3] >> 1)
                };
                for k in 0..4 {
                    let ch = LD_CH[(ix.index(4) + k) % 4];
                    let sm = if sm { ",sm" } else { "" };
                    let t = format!("{},{ch}{sm} {base}, {off:#x}, {dst}{cond}", LD[size]);
                    if w.put(ch, t, Mem::Load, &srcs, false) {
                        break;
                    }
                }
            }
            (13..=14, Some(m)) if !m.store_bases.is_empty() => {
                let (base, range) = &m.store_bases[r[0] as usize % m.store_bases.len()];
                let size = (r[1] & 3) as usize;
                let align = if r[2] >> 31 != 0 { !0 } else { !7 };
                let off = (r[2] % range.max(&1)) & align;
                let val = pool.src(r[3]);
                for k in 0..2 {
                    let ch = ST_CH[(ix.index(2) + k) % 2];
                    let sm = if sm { ",sm" } else { "" };
                    let t = format!("{},{ch}{sm} {val}, {base}, {off:#x}{cond}", ST[size]);
                    if w.put(ch, t, Mem::Store, &srcs, false) {
                        break;
                    }
                }
            }
            _ => {
                // a row in a free channel: try the picked one, then a few neighbours
                let list = if kind < 6 && !alu.core.is_empty() {
                    &alu.core
                } else {
                    &alu.all
                };
                for k in 0..8 {
                    let (idx, ch) = list[(ix.index(list.len()) + k * 7) % list.len()];
                    if w.can(ch, Mem::No) {
                        let t = format!("{}{cond}", pool_op(pool, idx, ch, r, sm));
                        w.put(ch, t, Mem::No, &srcs, false);
                        break;
                    }
                }
            }
        }
    }
}

/// Builds the structured program of `raw` for version `v`; None when the assembler
/// refuses an essential part.
pub fn shaped(v: u8, raw: &Raw) -> Option<Program> {
    let mut k = Knobs {
        k: &raw.knobs,
        i: 0,
    };
    let mut ops = Ops {
        ops: &raw.ops,
        i: 0,
    };
    let alu = Rows::new(v);
    let (mut items, budget) = match raw.shape {
        Shape::Pipelined => gen_pipelined(&mut k, &mut ops, &alu),
        Shape::Calls => gen_calls(&mut k, &mut ops, &alu),
        Shape::Faulting => gen_faulting(&mut k, &mut ops, &alu),
    };
    let (text, code) = assemble_items(v, &mut items)?;
    Some(Program {
        v,
        text,
        bundles: items.len(),
        code,
        budget,
    })
}

/// The two bundles every program starts with (the runner sets the random state after
/// them): `setwd` and `setbn`.
fn prologue(wsz: u32, dbl: bool, rsz: u32, rbs: u32, rcur: u32) -> Vec<Wi> {
    vec![
        Wi::new().c(format!(
            "setwd wsz={wsz}, nfx=1{}",
            if dbl { ", dbl=1" } else { "" }
        )),
        Wi::new().c(format!("setbn rsz={rsz}, rbs={rbs}, rcur={rcur}")),
    ]
}

/// `%lsr` value: lcnt, ecnt, vlc, pcnt, strmd.
fn lsr(lcnt: u32, ecnt: u32, vlc: bool, pcnt: u32, strmd: u32) -> u64 {
    lcnt as u64
        | (ecnt as u64) << 32
        | (vlc as u64) << 37
        | (pcnt as u64) << 48
        | (strmd as u64) << 53
}

/// Stub text `name nameX=1[, nameY=1]` for mode 0 none, 1 both, 2 taken, 3 not taken.
fn stub(name: &str, mode: u32) -> Option<String> {
    match mode {
        1 => Some(format!("{name} {name}f=1, {name}t=1")),
        2 => Some(format!("{name} {name}f=0, {name}t=1")),
        3 => Some(format!("{name} {name}f=1, {name}t=0")),
        _ => None,
    }
}

/// Software-pipelined loop in loop mode: `setbp`, `rwd %lsr`, a body of 1..4 bundles
/// loading into based registers, computing on based and window registers under
/// rotating predicates and `%pcnt`, storing (suppressed in the prologue and at the
/// end), with `alc`/`abn`/`abp` stubs and one of the loop-end conditions; optionally
/// repeated by an outer loop that sets the rotation up again.
fn gen_pipelined(k: &mut Knobs, ops: &mut Ops, alu: &Rows) -> (Vec<Wi>, u64) {
    // window (quads) and based area: %r0..%r3 are reserved, the based area above them
    let wsz = k.of(&[16, 12, 24, 32, 8]);
    let wregs = 2 * wsz;
    let rsz = k.pick(8.min(wsz - 2));
    let rbs = 2 + k.pick(wsz - rsz - 2);
    let rcur = k.pick(rsz + 1);
    let dbl = k.chance(1, 6);
    let mut items = prologue(wsz, dbl, rsz, rbs, rcur);
    let psz = k.of(&[3, 1, 0, 7, 2, 5, 15]);
    let lcnt = k.pick(41);
    let ecnt = k.pick(5);
    let pcnt = k.pick(5);
    let strmd = k.pick(4);
    let vlc = !k.chance(1, 20);
    let outer = 1 + k.pick(3);
    let stride_a = k.of(&[8u32, 16, 4, 24, 1]);
    let stride_s = k.of(&[8u32, 16, 4, 1]);
    let off_a = k.pick(0x40) * 8;
    // the stores go to their own area, or where the loads read
    let off_s = if k.chance(1, 3) {
        off_a + k.pick(8) * 8
    } else {
        0x400 + k.pick(0x40) * 8
    };
    let nb = 1 + k.pick(4) as usize;
    // 0, 1 NOT_LOOP_END, 2 ibranch, 3 pred && NOT_LOOP_END, 4 exit on LOOP_END,
    // 5 exit on pred || LOOP_END
    let variant = k.pick(6);
    let alc = if k.chance(1, 16) {
        3
    } else if k.chance(1, 6) {
        2
    } else {
        1
    };
    let alc_early = nb > 1 && k.chance(1, 5);
    let abn = k.of(&[1, 0, 2, 3, 1]);
    let abp = k.of(&[1, 0, 2, 3, 1]);
    let abn_at = (k.pick(nb as u32 + 2) as usize).min(nb - 1);
    let lm = k.pick(4); // 0, 1 all bundles loop_mode, 2 none, 3 some
    let preds = (psz + 1).min(8);
    // the random operations use the rotating predicates, sometimes fixed ones too
    let pool_preds = if k.chance(1, 3) { 8 } else { preds };
    let mut cond_srcs: Vec<String> = (0..pool_preds).map(|p| format!("pred{p}")).collect();
    cond_srcs.extend((0..3).map(|p| format!("pcnt{p}")));
    let pool = Pool {
        wregs,
        bsize: 2 * rsz + 2,
        keep: 0xf,
        gkeep: 0,
        preds: pool_preds,
        cond_srcs,
    };
    let bsz = 2 * rsz + 2;
    let mem = MemMenu {
        load_bases: vec![("%r0".into(), 0x80)],
        store_bases: vec![("%r1".into(), 0x80)],
        load_dsts: (0..bsz.min(4)).map(|b| format!("%b[{b}]")).collect(),
    };
    // outer loop counter and set-up
    if outer > 1 {
        let mut w = Wi::new();
        w.must(&[0], |ch| format!("addd,{ch} 0, {outer}, %r2"));
        items.push(w);
    }
    let mut w = Wi::at(".Louter").c(format!("setbp psz={psz}"));
    if outer > 1 && k.chance(1, 2) {
        w = w.c(format!("setbn rsz={rsz}, rbs={rbs}, rcur={rcur}"));
    }
    if matches!(variant, 4 | 5) {
        w = w.c("disp %ctpr2, .Lexit");
    }
    w.must(&[0], |ch| {
        format!("addd,{ch} 0, {:#x}, %r0", DATA + off_a as u64)
    });
    w.must(&[1], |ch| {
        format!("addd,{ch} 0, {:#x}, %r1", DATA + off_s as u64)
    });
    // some predicates start false (like a real prologue)
    for p in 0..k.pick(3).min(preds) {
        w.must(&[3, 4], |ch| format!("cmpedb,{ch} 0, 1, %pred{p}"));
    }
    items.push(w);
    let mut w = Wi::new().c("disp %ctpr1, .Lloop").c("nop 3");
    w.must(&[0], |ch| {
        format!("rwd,{ch} {:#x}, %lsr", lsr(lcnt, ecnt, vlc, pcnt, strmd))
    });
    items.push(w);
    // the body
    let exit_form = matches!(variant, 4 | 5);
    let mut body: Vec<Wi> = Vec::new();
    // the pipeline stages (like a compiler's): stage 0 loads into %b[0], %b[1] and
    // computes %pred0 (in range); stage s (s passes later, the registers rotated by
    // 2s) computes or stores under %pred s
    let stages = 1 + k.pick(3.min(rsz + 1)).min(preds - 1);
    let end_a = DATA + off_a as u64 + stride_a as u64 * lcnt as u64;
    // speculative operations (as compilers make pipelined loads and ALU ops): none,
    // some, or many
    let sm_den = k.of(&[0, 3, 8]);
    let spec = if sm_den != 0 && k.chance(1, 2) {
        ",sm"
    } else {
        ""
    };
    for b in 0..nb {
        let mut w = if b == 0 { Wi::at(".Lloop") } else { Wi::new() };
        if lm < 2 || (lm == 3 && b % 2 == 0) {
            w = w.c("loop_mode");
        }
        let last = b == nb - 1;
        if last {
            w.must(&[1, 4, 0, 3], |ch| {
                format!("addd,{ch} %r0, {stride_a}, %r0")
            });
            w.must(&[4, 1, 3, 0], |ch| {
                format!("addd,{ch} %r1, {stride_s}, %r1")
            });
        }
        if b == 0 {
            if k.chance(3, 4) {
                let ch = k.of(&LD_CH);
                let t = format!("ldd,{ch}{spec} %r0, 0x0, %b[0]");
                w.put(ch, t, Mem::Load, &[], false);
                if bsz > 1 && k.chance(1, 2) {
                    let ch = k.of(&LD_CH);
                    let t = format!("ldw,{ch}{spec} %r0, 0x8, %b[1]");
                    w.put(ch, t, Mem::Load, &[], false);
                }
            }
            if k.chance(1, 2) {
                let ch = k.of(&[0, 1, 3, 4]);
                let t = format!("cmpbdb,{ch} %r0, {end_a:#x}, %pred0");
                w.put(ch, t, Mem::No, &[], false);
            }
        }
        for st in 1..stages {
            if k.pick(nb as u32) as usize != b {
                continue;
            }
            let src = 2 * st % bsz;
            let acc = 4 + k.pick(wregs - 4);
            let (cond, srcs) = if k.chance(3, 4) {
                (format!(" ? %pred{st}"), vec![format!("pred{st}")])
            } else {
                (String::new(), vec![])
            };
            if k.chance(1, 3) {
                let ch = k.of(&ST_CH);
                let t = format!("std,{ch} %b[{src}], %r1, 0x0{cond}");
                w.put(ch, t, Mem::Store, &srcs, false);
            } else {
                let ch = k.of(&[0, 1, 3, 4, 2, 5]);
                let op = k.of(&["addd", "muld", "xord", "subd", "shld"]);
                let t = format!("{op},{ch}{spec} %r{acc}, %b[{src}], %r{acc}{cond}");
                w.put(ch, t, Mem::No, &srcs, false);
            }
        }
        let n = 1 + k.pick(6) as usize;
        fill(&mut w, n, ops, &pool, alu, Some(&mem), sm_den);
        // stubs
        let has_ct = last;
        let mut stubs = Vec::new();
        if alc_early && b == 0 {
            stubs.extend(stub("alc", 3));
        } else if !alc_early && has_ct {
            stubs.extend(stub("alc", alc));
        }
        if b == abn_at || (has_ct && abn_at >= nb) {
            let m = if has_ct { abn } else { abn.min(1) * 3 };
            stubs.extend(stub("abn", m));
            let m = if has_ct { abp } else { abp.min(1) * 3 };
            stubs.extend(stub("abp", m));
        }
        if has_ct {
            let p = k.pick(preds);
            let inv = if k.chance(1, 2) { "~" } else { "" };
            w = w.c(match variant {
                2 => "ibranch .Lloop ? #NOT_LOOP_END".to_string(),
                3 => format!("ct %ctpr1 ? {inv}%pred{p} && #NOT_LOOP_END"),
                4 => "ct %ctpr2 ? #LOOP_END".to_string(),
                5 => format!("ct %ctpr2 ? {inv}%pred{p} || #LOOP_END"),
                _ => "ct %ctpr1 ? #NOT_LOOP_END".to_string(),
            });
        }
        for s in stubs {
            w = w.c(s);
        }
        body.push(w);
    }
    items.extend(body);
    if exit_form {
        // the back edge after the exit test
        let mut w = Wi::new().c("ct %ctpr1");
        if k.chance(1, 2) {
            fill(&mut w, 2, ops, &pool, alu, None, 3);
        }
        items.push(w);
    }
    // the epilogue: read the rotated registers, then the outer loop
    let mut w = Wi::at(".Lexit");
    fill(&mut w, 2, ops, &pool, alu, None, 0);
    items.push(w);
    if outer > 1 {
        let mut w = Wi::new().c("disp %ctpr3, .Louter");
        w.must(&[0], |ch| format!("subd,{ch} %r2, 1, %r2"));
        w.must(&[1], |ch| format!("cmpbdb,{ch} 1, %r2, %pred30"));
        items.push(w);
        items.push(Wi::new().c("ct %ctpr3 ? %pred30"));
    }
    items.push(Wi::new().c("setsft"));
    (items, 900)
}

/// A loop calling procedures: the caller loop (counted in a register or by LSR)
/// prepares arguments and calls `f0` (sometimes conditionally); each procedure sets
/// its window, computes on it, may call the next one (depth <= 3) or itself
/// (recursion with a depth argument), may return early, and returns through
/// `return %ctpr3` / `ct %ctpr3`.
fn gen_calls(k: &mut Knobs, ops: &mut Ops, alu: &Rows) -> (Vec<Wi>, u64) {
    let wsz = k.of(&[12, 8, 16, 10]);
    let rsz = k.pick(4);
    let rbs = 1 + k.pick(wsz - rsz - 1);
    let rcur = k.pick(rsz + 1);
    let mut items = prologue(wsz, false, rsz, rbs, rcur);
    let iters = 1 + k.pick(6);
    let by_lsr = k.chance(1, 3);
    let cond_call = k.chance(1, 5);
    // the procedures: count, which one is recursive
    let nf = 1 + k.pick(3) as usize;
    let recursive = k.chance(1, 3);
    let wbs = 1 + k.pick(wsz - 1);
    let main_pool = Pool {
        wregs: 2 * wsz,
        bsize: 2 * rsz + 2,
        keep: 0b11,
        gkeep: 0,
        preds: 8,
        cond_srcs: (0..8).map(|p| format!("pred{p}")).collect(),
    };
    let rotate = k.chance(1, 3);
    let mut w = Wi::new();
    if rotate {
        w = w.c(format!("setbp psz={}", k.pick(8)));
    }
    if by_lsr {
        w.must(&[0], |ch| {
            format!("rwd,{ch} {:#x}, %lsr", lsr(iters, 0, true, 0, 0))
        });
    } else {
        w.must(&[0], |ch| format!("addd,{ch} 0, {iters}, %r0"));
    }
    fill(&mut w, 2, ops, &main_pool, alu, None, 6);
    items.push(w);
    // loop head
    let mut w = Wi::at(".Lhead").c("disp %ctpr1, .Lf0");
    if rotate {
        // no transfer in this bundle: the f stubs act (BR is saved by every call)
        w = w.c("abn abnf=1, abnt=0").c("abp abpf=1, abpt=0");
    }
    fill(
        &mut w,
        1 + k.pick(3) as usize,
        ops,
        &main_pool,
        alu,
        None,
        6,
    );
    items.push(w);
    // arguments (the callee's %r0 is the depth for a recursive f0)
    let arg = 2 * wbs;
    let mut w = Wi::new();
    let mut pool = main_pool.clone();
    // based registers alias window registers: keep them away from the argument
    pool.bsize = 0;
    if nf == 1 && recursive {
        let d = k.pick(4);
        w.must(&[0, 1], |ch| format!("addd,{ch} 0, {d}, %r{arg}"));
        pool.keep |= 1 << arg;
    }
    fill(&mut w, 1 + k.pick(3) as usize, ops, &pool, alu, None, 6);
    items.push(w);
    let p = k.pick(8);
    items.push(Wi::new().c(if cond_call {
        format!("call %ctpr1, wbs={wbs} ? %pred{p}")
    } else {
        format!("call %ctpr1, wbs={wbs}")
    }));
    // after the call: use the results, count, loop
    let mut w = Wi::new().c("disp %ctpr2, .Lhead");
    if by_lsr {
        fill(&mut w, 2, ops, &main_pool, alu, None, 6);
        items.push(w);
        items.push(
            Wi::new()
                .c("alc alcf=1, alct=1")
                .c("ct %ctpr2 ? #NOT_LOOP_END"),
        );
    } else {
        w.must(&[0], |ch| format!("subd,{ch} %r0, 1, %r0"));
        w.must(&[1], |ch| format!("cmpbdb,{ch} 1, %r0, %pred30"));
        fill(&mut w, 2, ops, &main_pool, alu, None, 6);
        items.push(w);
        items.push(Wi::new().c("ct %ctpr2 ? %pred30"));
    }
    let mut w = Wi::new();
    fill(&mut w, 2, ops, &main_pool, alu, None, 0);
    items.push(w);
    items.push(Wi::new().c("setsft"));
    // the procedures: f(i) receives psize = caller window - 2 wbs
    let mut psize = 2 * wsz - 2 * wbs;
    let mut caller_bs = (rbs, rsz);
    for i in 0..nf {
        let last = i + 1 == nf;
        let rec = last && recursive;
        // window: at least the parameter area (rarely less: SIGILL)
        let mut fw = psize.div_ceil(2) + k.pick(4);
        if k.chance(1, 40) && psize >= 4 {
            fw = psize / 2 - 1;
        }
        let fw = fw.clamp(2, 32);
        let fregs = 2 * fw;
        // based registers: set up anew, or inherited if they fit
        let own_bn = k.chance(1, 3);
        let (bs, bn) = if own_bn {
            let rsz = k.pick(3.min(fw - 1));
            let rbs = 1 + k.pick(fw - rsz - 1);
            (
                Some(format!(
                    "setbn rsz={rsz}, rbs={rbs}, rcur={}",
                    k.pick(rsz + 1)
                )),
                (rbs, rsz),
            )
        } else {
            (None, caller_bs)
        };
        let bsize = if 2 * bn.0 + 2 * bn.1 + 2 <= fregs {
            2 * bn.1 + 2
        } else {
            0
        };
        let nested = !last || rec;
        let kw = 1 + k.pick(fw - 1);
        let pool = Pool {
            wregs: fregs,
            bsize: if rec { 0 } else { bsize },
            keep: if rec { 1 } else { 0 },
            gkeep: 0,
            preds: 8,
            cond_srcs: (0..8).map(|p| format!("pred{p}")).collect(),
        };
        let mut w = Wi::at(&format!(".Lf{i}")).c(format!(
            "setwd wsz={fw}, nfx=1{}",
            if k.chance(1, 5) { ", dbl=1" } else { "" }
        ));
        if let Some(s) = bs {
            w = w.c(s);
        }
        if !nested || rec || k.chance(1, 2) {
            w = w.c("return %ctpr3");
        }
        let early = rec || k.chance(1, 4);
        items.push(w);
        let mut w = Wi::new();
        if rec {
            w.must(&[0], |ch| format!("cmpbdb,{ch} %r0, 1, %pred29"));
        } else if early {
            w.must(&[0], |ch| format!("cmpbdb,{ch} %r0, %r1, %pred29"));
        }
        fill(&mut w, 1 + k.pick(4) as usize, ops, &pool, alu, None, 6);
        items.push(w);
        if early {
            if !rec {
                items.push(Wi::new().c("return %ctpr3"));
            }
            items.push(Wi::new().c("ct %ctpr3 ? %pred29"));
        }
        if k.chance(1, 2) {
            // a hot loop of the procedure's own, counted in %r1: it runs at a
            // different window base in every activation
            let n = 1 + k.pick(8);
            let mut w = Wi::new().c(format!("disp %ctpr2, .Lf{i}l"));
            w.must(&[1, 0], |ch| format!("addd,{ch} 0, {n}, %r1"));
            items.push(w);
            let mut lp = pool.clone();
            lp.keep |= 2;
            let mut w = Wi::at(&format!(".Lf{i}l"));
            w.must(&[0, 1, 3, 4], |ch| format!("subd,{ch} %r1, 1, %r1"));
            w.must(&[3, 4, 0, 1], |ch| format!("cmpbdb,{ch} 1, %r1, %pred28"));
            fill(&mut w, 1 + k.pick(4) as usize, ops, &lp, alu, None, 6);
            items.push(w);
            items.push(Wi::new().c("ct %ctpr2 ? %pred28"));
        }
        if nested {
            let target = if rec {
                format!(".Lf{i}")
            } else {
                format!(".Lf{}", i + 1)
            };
            let mut w = Wi::new().c(format!("disp %ctpr1, {target}"));
            let narg = 2 * kw;
            let mut p2 = pool.clone();
            p2.bsize = 0;
            if rec {
                w.must(&[0, 1], |ch| format!("subd,{ch} %r0, 1, %r{narg}"));
                p2.keep |= 1 << narg;
            } else if !last && i + 2 == nf && recursive {
                let d = k.pick(4);
                w.must(&[0, 1], |ch| format!("addd,{ch} 0, {d}, %r{narg}"));
                p2.keep |= 1 << narg;
            }
            fill(&mut w, k.pick(3) as usize, ops, &p2, alu, None, 6);
            items.push(w);
            items.push(Wi::new().c(format!("call %ctpr1, wbs={kw}")));
            let mut w = Wi::new();
            fill(&mut w, 1 + k.pick(3) as usize, ops, &pool, alu, None, 6);
            items.push(w);
            psize = fregs - narg;
        }
        let mut w = Wi::new().c("return %ctpr3");
        fill(&mut w, k.pick(3) as usize, ops, &pool, alu, None, 6);
        items.push(w);
        items.push(Wi::new().c("ct %ctpr3"));
        caller_bs = bn;
    }
    (items, 1500)
}

/// Memory access that goes wrong after some iterations: a loop over an address
/// register that starts inside a mapping and steps out of it (past the sandbox, or
/// down through the read-only page), or that switches to a wild address (zero, just
/// past a mapping, high canonical, non-canonical, the top of the address space, a
/// sum that wraps around) when a counter reaches a chosen value; or loads that cross
/// from the read-only page into the sandbox (valid accesses straddling two
/// mappings). Loads and stores, speculative or not, with the loaded values (diagnostic after a speculative miss)
/// consumed by speculative and non-speculative operations, tag ops, compares and
/// stores into the sandbox.
fn gen_faulting(k: &mut Knobs, ops: &mut Ops, alu: &Rows) -> (Vec<Wi>, u64) {
    const WILD: [u64; 12] = [
        0,
        DATA + 0x1000,
        DATA + 0xffc,
        0x7fff_ffff_f000,
        0xffff_8000_0000_0000,
        u64::MAX - 7,
        u64::MAX - 3,
        RO,
        TEXT,
        0x0000_d000_0000_0000,
        RO - 8,
        8,
    ];
    let mut items = prologue(16, k.chance(1, 6), 3, 4, k.pick(4));
    // %r0 address, %r1 counter, %r2 loaded value, %r3 sandbox store address,
    // %r4 wild address; based registers %r8..%r15
    let variant = k.pick(5);
    let size = k.pick(4) as usize;
    let spec = k.chance(1, 2);
    let store = variant == 2 || (variant == 3 && k.chance(1, 2));
    let iters = 2 + k.pick(14);
    let at = 1 + k.pick(iters - 1);
    let stride: i64 = k.of(&[8, 16, 4, 24, 1, 12]);
    let down = variant != 4 && k.chance(1, 3);
    let stride = if down { -stride } else { stride };
    let wild = k.of(&WILD);
    // a base that makes the sum wrap around: base + off = wild
    let wrap = variant == 3 && k.chance(1, 3);
    let (wild_base, off) = if wrap {
        (wild.wrapping_sub(DATA + 0x10), DATA + 0x10)
    } else {
        (wild, 0)
    };
    // where the stream starts so that it leaves its mapping at iteration `at`
    let edge: i64 = if down {
        RO as i64 - 1
    } else {
        (DATA + 0x1000) as i64
    };
    let start = (edge - stride * at as i64 + k.pick(stride.unsigned_abs() as u32) as i64) as u64;
    let start = if variant == 3 {
        (DATA + 0x100).wrapping_sub(off)
    } else if variant == 4 {
        // loads that walk from the read-only page into the sandbox (adjacent
        // mappings: accesses across the boundary are valid)
        DATA - stride.unsigned_abs() * at as u64 + k.pick(8) as u64
    } else if variant == 2 && down {
        // stores walk down from the sandbox into the read-only page
        DATA + (stride.unsigned_abs() * at as u64) % 0x200 + 0x8
    } else {
        start
    };
    let by_lsr = k.chance(1, 3);
    let pool = Pool {
        wregs: 32,
        bsize: 8,
        keep: 0x1f,
        gkeep: 0,
        preds: 8,
        cond_srcs: (0..8).map(|p| format!("pred{p}")).collect(),
    };
    let mut w = Wi::new().c("disp %ctpr1, .Lloop");
    w.must(&[0], |ch| format!("addd,{ch} 0, {start:#x}, %r0"));
    w.must(&[1], |ch| format!("addd,{ch} 0, {iters}, %r1"));
    w.must(&[3], |ch| format!("addd,{ch} 0, {:#x}, %r3", DATA + 0x800));
    items.push(w);
    let mut w = Wi::new();
    if by_lsr {
        w.must(&[0], |ch| {
            format!("rwd,{ch} {:#x}, %lsr", lsr(iters, 0, true, 0, 0))
        });
    }
    w.must(&[1], |ch| format!("addd,{ch} 0, {wild_base:#x}, %r4"));
    w.must(&[3], |ch| format!("addd,{ch} 0, 0, %r2"));
    items.push(w);
    // first body bundle: the access, the address step, the counter
    let mut w = Wi::at(".Lloop");
    let sm = if spec { ",sm" } else { "" };
    if store {
        let ch = k.of(&[2, 5]);
        let val = k.of(&["%r2", "%r5", "%b[0]", "%g3"]);
        w.put(
            ch,
            format!("{},{ch}{sm} {val}, %r0, {off:#x}", ST[size]),
            Mem::Store,
            &[],
            true,
        );
    } else {
        let ch = k.of(&LD_CH);
        w.put(
            ch,
            format!("{},{ch}{sm} %r0, {off:#x}, %r2", LD[size]),
            Mem::Load,
            &[],
            true,
        );
    }
    if !(variant == 3 && wrap) {
        w.must(&[1, 4, 3, 0], |ch| format!("addd,{ch} %r0, {stride}, %r0"));
    }
    w.must(&[0, 1, 3, 4], |ch| format!("subd,{ch} %r1, 1, %r1"));
    if by_lsr {
        w = w.c("alc alcf=1, alct=1");
    } else {
        w.must(&[3, 4, 0, 1], |ch| format!("cmpbdb,{ch} 1, %r1, %pred30"));
    }
    if variant == 3 {
        // the switch to the wild address happens in the next bundle
        let c = iters - at;
        w.must(&[4, 3, 1, 0], |ch| format!("cmpedb,{ch} %r1, {c}, %pred29"));
    }
    let mem = MemMenu {
        load_bases: vec![("%r3".into(), 0x100)],
        store_bases: vec![("%r3".into(), 0x100)],
        load_dsts: vec![],
    };
    fill(&mut w, k.pick(3) as usize, ops, &pool, alu, Some(&mem), 2);
    items.push(w);
    // second bundle: consumers of the loaded value, the back edge
    let mut w = Wi::new();
    if variant == 3 {
        w.must(&[1, 0, 3, 4], |ch| {
            format!("addd,{ch} 0, %r4, %r0 ? %pred29")
        });
    }
    let consumers = k.pick(4);
    for c in 0..consumers {
        let sm = if k.chance(2, 3) { ",sm" } else { "" };
        match k.pick(6) {
            0 => w.must(&[0, 1, 3, 4], |ch| format!("addd,{ch}{sm} %r2, 1, %b[{c}]")),
            1 => w.must(&[2, 5], |ch| format!("gettagd,{ch} %r2, %r{}", 5 + c)),
            2 => w.must(&[2, 5], |ch| format!("puttagd,{ch} %r2, 0, %r{}", 5 + c)),
            3 => w.must(&[0, 1, 3, 4], |ch| {
                format!("cmpedb,{ch}{sm} %r2, 0, %pred{c}")
            }),
            4 => w.put(
                5,
                format!("std,5{sm} %r2, %r3, {:#x}", 8 * c),
                Mem::Store,
                &[],
                true,
            ),
            _ => w.must(&[0, 1, 3, 4], |ch| {
                format!("xord,{ch}{sm} %r2, %r5, %r{}", 5 + c)
            }),
        };
    }
    fill(&mut w, k.pick(3) as usize, ops, &pool, alu, Some(&mem), 2);
    w = w.c(if by_lsr {
        "ct %ctpr1 ? #NOT_LOOP_END"
    } else {
        "ct %ctpr1 ? %pred30"
    });
    items.push(w);
    // after the loop: maybe branch on a (possibly diagnostic) predicate, then stop
    let mut w = Wi::new();
    fill(&mut w, 2, ops, &pool, alu, None, 2);
    if k.chance(1, 3) {
        w = w.c("disp %ctpr2, .Lend");
        items.push(w);
        items.push(Wi::new().c(format!("ct %ctpr2 ? %pred{}", k.pick(2))));
    } else {
        items.push(w);
    }
    items.push(Wi::at(".Lend").c("setsft"));
    (items, 400)
}

// ====================================================================== the runner

/// Runs `p` from the given state with an interpreter set up by `setup`: the prologue,
/// then the rest either bundle by bundle (`budget` None; stops at the first non-`Next`
/// outcome) or in one run of `budget` bundles. Returns the outcomes, the encoded CPU and
/// the sandbox page.
pub fn run(
    p: &Program,
    regs: &[(u64, u8)],
    tags: bool,
    budget: Option<u64>,
    setup: impl FnOnce(&mut Interp),
) -> (Vec<Step>, Vec<u8>, Vec<u8>) {
    let r = run_sliced(p, regs, tags, budget, 37, setup);
    (r.0, r.1, r.2)
}

/// `run` with budgeted runs split into interpreter runs of at most `slice` bundles
/// (a trace is then entered, and runs out of budget, at many different points);
/// also returns the interpreter (for its JIT counters).
pub fn run_sliced(
    p: &Program,
    regs: &[(u64, u8)],
    tags: bool,
    budget: Option<u64>,
    slice: u64,
    setup: impl FnOnce(&mut Interp),
) -> (Vec<Step>, Vec<u8>, Vec<u8>, Interp) {
    let (v, code, n) = (p.v, &p.code, p.bundles + 2);
    let mut mem = GuestMem::new();
    mem.map(TEXT, 0x4000, PROT_READ | PROT_EXEC, "text");
    mem.map(RO, 0x1000, PROT_READ, "rodata");
    mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE, "data");
    mem.poke(TEXT, code).unwrap();
    let page: Vec<u8> = (0..0x1000u32)
        .map(|i| (i.wrapping_mul(0x9e37) >> 5) as u8)
        .collect();
    mem.poke(DATA, &page).unwrap();
    let ro: Vec<u8> = (0..0x1000u32)
        .map(|i| (i.wrapping_mul(0x3b9) >> 3) as u8)
        .collect();
    mem.poke(RO, &ro).unwrap();
    let mut cpu = Cpu::new(v);
    cpu.tags_on = tags;
    cpu.ip = TEXT;
    let mut it = Interp::new();
    setup(&mut it);
    // the prologue (setwd, setbn) first, then the random state
    let mut steps = Vec::new();
    for _ in 0..2 {
        steps.push(it.run(&mut cpu, &mut mem, 1));
    }
    for (i, &(val, tag)) in regs.iter().enumerate() {
        if i < 64 {
            cpu.ensure_regs(cpu.wbase + 64);
            let k = cpu.wbase + i;
            cpu.rf[k] = val as u128;
            cpu.rtag[k] = tag;
        } else if i < 88 {
            cpu.g[i - 64] = val as u128;
            cpu.gtag[i - 64] = tag;
        }
    }
    // a few globals address the sandbox
    for k in 24..32 {
        cpu.g[k] = (DATA + 8 * (k as u64 - 24)) as u128;
        cpu.gtag[k] = 0;
    }
    // random predicate values, but %pred7 (the loop condition) starts true
    cpu.preds = (regs.first().map(|r| r.0).unwrap_or(0) & 0x5555_5555_5555_5555) | 1 << 14;
    match budget {
        None => {
            for _ in 0..n {
                let s = it.run(&mut cpu, &mut mem, 1);
                let stop = s != Step::Next;
                steps.push(s);
                if stop {
                    break;
                }
            }
        }
        Some(b) => {
            // run in slices so a trace is entered from the interpreter loop repeatedly
            let mut left = b;
            while left > 0 {
                let before = cpu.stats.bundles;
                let s = it.run(&mut cpu, &mut mem, left.min(slice.max(1)));
                left = left.saturating_sub((cpu.stats.bundles - before).max(1));
                let stop = s != Step::Next;
                steps.push(s);
                if stop {
                    break;
                }
            }
            steps.push(Step::Next);
            // decoding counters are not architectural (the JIT decodes ahead)
            cpu.stats.decoded = 0;
            cpu.stats.invalidations = 0;
            // bundle count too: both sides must have run the same number
            let mut c = cpu.stats.bundles.to_le_bytes().to_vec();
            c.extend(encode_cpu(&cpu));
            let mut data = vec![0u8; 0x1000];
            mem.read(DATA, &mut data).unwrap();
            return (steps, c, data, it);
        }
    }
    cpu.stats.decoded = 0;
    cpu.stats.invalidations = 0;
    let mut data = vec![0u8; 0x1000];
    mem.read(DATA, &mut data).unwrap();
    (steps, encode_cpu(&cpu), data, it)
}

/// The fields of two encoded CPU states that differ, for the failure message.
pub fn state_diff(a: &[u8], b: &[u8]) -> String {
    let strip = |x: &[u8]| -> Vec<u8> {
        // states from budgeted runs start with the bundle count
        if decode_cpu(x).is_err() && x.len() > 8 {
            x[8..].to_vec()
        } else {
            x.to_vec()
        }
    };
    let count = |x: &[u8]| -> Option<u64> {
        (decode_cpu(x).is_err() && x.len() > 8)
            .then(|| u64::from_le_bytes(x[..8].try_into().unwrap()))
    };
    let mut out = String::new();
    if count(a) != count(b) {
        out.push_str(&format!(
            "bundles: fast {:?}, ref {:?}\n",
            count(a),
            count(b)
        ));
    }
    let (Ok(a), Ok(b)) = (decode_cpu(&strip(a)), decode_cpu(&strip(b))) else {
        return out + "undecodable state";
    };
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    out + &a
        .lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .take(12)
        .map(|(x, y)| format!("fast: {}\nref:  {}\n", x.trim(), y.trim()))
        .collect::<String>()
}
