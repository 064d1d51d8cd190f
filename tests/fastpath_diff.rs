//! Differential test of the interpreter's fast paths: random wide instructions built from
//! the spec (one or two ALU operations each, on window, based and global registers and
//! literals, including loads and stores into a sandbox page and operands outside the
//! window) run once with the fast paths and once through the general executor alone,
//! from the same random register, tag and memory state. The outcome of every bundle,
//! the whole CPU state and the sandbox memory must be identical.

use e2k_isa::tables::{Format, Opnd, ALOPS};
use e2kemu::asm::{assemble_snippet, AsmOptions};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};
use e2kemu::migration::cpu_state::{decode_cpu, encode_cpu};
use proptest::prelude::*;

const TEXT: u64 = 0x10000;
const DATA: u64 = 0x40000;

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

/// Runs `code` from the given state with the fast paths on or off; returns the outcome of
/// each bundle, the encoded CPU and the sandbox page.
fn run(
    v: u8,
    code: &[u8],
    regs: &[(u64, u8)],
    fast: bool,
    tags: bool,
    n: usize,
) -> (Vec<Step>, Vec<u8>, Vec<u8>) {
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
    it.fast = fast;
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
    cpu.preds = regs.first().map(|r| r.0).unwrap_or(0) & 0x5555_5555_5555_5555;
    for _ in 0..n {
        let s = it.run(&mut cpu, &mut mem, 1);
        let stop = s != Step::Next;
        steps.push(s);
        if stop {
            break;
        }
    }
    let mut data = vec![0u8; 0x1000];
    mem.read(DATA, &mut data).unwrap();
    (steps, encode_cpu(&cpu), data)
}

/// The fields of two encoded CPU states that differ, for the failure message.
fn state_diff(a: &[u8], b: &[u8]) -> String {
    let (Ok(a), Ok(b)) = (decode_cpu(a), decode_cpu(b)) else {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, .. ProptestConfig::default() })]
    #[test]
    fn fast_paths_match_the_general_executor(
        v in 3u8..=6,
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<[u32; 5]>(), any::<bool>()), 1..6),
        regs in prop::collection::vec((any::<u64>(), prop_oneof![9 => Just(0u8), 1 => Just(0x05u8), 1 => Just(0x01u8)]), 88),
        tags in any::<bool>(),
    ) {
        let all = rows(v);
        // bundles of one or two operations (the second only in another channel)
        let mut text = String::from("{ setwd wsz=16, nfx=1 }\n{ setbn rsz=3, rbs=4, rcur=1 }\n");
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
        let asm = assemble_snippet(&text, &AsmOptions::for_version(v), TEXT, &[]);
        // combinations the assembler refuses (literal limits, channel rules) are skipped
        prop_assume!(asm.is_ok());
        let code = asm.unwrap().bytes;
        let fast = run(v, &code, &regs, true, tags, bundles);
        let slow = run(v, &code, &regs, false, tags, bundles);
        prop_assert_eq!(&fast.0, &slow.0, "outcomes differ for v{}:\n{}", v, text);
        prop_assert!(fast.1 == slow.1, "CPU state differs for v{}:\n{}\n{}", v, text, state_diff(&fast.1, &slow.1));
        prop_assert!(fast.2 == slow.2, "memory differs for v{}:\n{}", v, text);
    }
}
