//! Shared generator and runner of the differential tests (included with `#[path]` by
//! fastpath_diff.rs and jit_diff.rs): random wide instructions built from the spec (one
//! or two ALU operations each, on window, based and global registers and literals,
//! including loads and stores into a sandbox page and operands outside the window),
//! optionally closed into a loop on a random predicate, run from a random register, tag
//! and memory state by an interpreter configured by the caller.
#![allow(dead_code)]

use e2k_isa::tables::{Format, Opnd, ALOPS};
use e2kemu::asm::{assemble_snippet, AsmOptions};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};
use e2kemu::migration::cpu_state::{decode_cpu, encode_cpu};
use proptest::prelude::*;

pub const TEXT: u64 = 0x10000;
pub const DATA: u64 = 0x40000;

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
    })
}

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
    let (v, code, n) = (p.v, &p.code, p.bundles + 2);
    let mut mem = GuestMem::new();
    mem.map(TEXT, 0x2000, PROT_READ | PROT_EXEC, "text");
    mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE, "data");
    mem.poke(TEXT, code).unwrap();
    let page: Vec<u8> = (0..0x1000u32)
        .map(|i| (i.wrapping_mul(0x9e37) >> 5) as u8)
        .collect();
    mem.poke(DATA, &page).unwrap();
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
                let s = it.run(&mut cpu, &mut mem, left.min(37));
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
            return (steps, c, data);
        }
    }
    cpu.stats.decoded = 0;
    cpu.stats.invalidations = 0;
    let mut data = vec![0u8; 0x1000];
    mem.read(DATA, &mut data).unwrap();
    (steps, encode_cpu(&cpu), data)
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
    let (Ok(a), Ok(b)) = (decode_cpu(&strip(a)), decode_cpu(&strip(b))) else {
        return "undecodable state".into();
    };
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .take(12)
        .map(|(x, y)| format!("fast: {}\nref:  {}\n", x.trim(), y.trim()))
        .collect()
}
