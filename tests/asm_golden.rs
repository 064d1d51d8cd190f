//! Golden test of the assembler: every accepted bundle of `shared/isa/golden/v{2..6}.jsonl`
//! must assemble (at its address, with `.Ltgt`/`.Lback` placed as in the corpus) to
//! exactly its bytes and relocations. One trial per ISA version; set `GOLDEN_VERBOSE=N`
//! to print the first N mismatches.

use e2kemu::asm::{object::elf_type_name, AsmOptions, SnippetSession};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::path::PathBuf;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/isa/golden")
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Splits objdump's `sym+0x...` into name and addend.
fn split_sym(s: &str) -> (String, i64) {
    match s.rfind("+0x") {
        Some(i) => (
            s[..i].to_string(),
            u64::from_str_radix(&s[i + 3..], 16).unwrap_or(0) as i64,
        ),
        None => match s.rfind("-0x") {
            Some(i) => (
                s[..i].to_string(),
                -(u64::from_str_radix(&s[i + 3..], 16).unwrap_or(0) as i64),
            ),
            None => (s.to_string(), 0),
        },
    }
}

fn target_label(cases: &[Value]) -> Option<u64> {
    for c in cases {
        if c["src"].as_str() == Some("{\n  disp %ctpr1, .Ltgt\n}") {
            let d = c["disasm"].as_str()?;
            let v = d.rsplit("0x").next()?;
            return u64::from_str_radix(v.trim(), 16).ok();
        }
    }
    None
}

fn run_version(v: u8) -> Result<(), Failed> {
    let path = golden_dir().join(format!("v{v}.jsonl"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let cases: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    if cases.is_empty() {
        return Err("no golden data".into());
    }
    let tgt = target_label(&cases).ok_or("cannot find .Ltgt")?;
    let verbose: usize = std::env::var("GOLDEN_VERBOSE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let only = std::env::var("GOLDEN_GROUP").ok();
    let opts = AsmOptions::for_version(v);
    let mut session = SnippetSession::default();
    let mut pass = 0;
    let mut fail = 0;
    let mut shown = 0;
    let mut by_group: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for c in &cases {
        let group = c["group"].as_str().unwrap_or("").to_string();
        if let Some(g) = &only {
            if &group != g {
                continue;
            }
        }
        let src = c["src"].as_str().unwrap_or("");
        let addr = c["addr"].as_u64().unwrap_or(0);
        let want = c["hex"].as_str().unwrap_or("");
        let r = session.assemble(src, &opts, addr, &[(".Ltgt", tgt), (".Lback", 0)]);
        let mut problem = None;
        match r {
            Ok(s) => {
                let got = hex(&s.bytes);
                if got != want {
                    problem = Some(format!("bytes\n   got  {got}\n   want {want}"));
                } else if let Some(rel) = c.get("relocs").and_then(|r| r.as_array()) {
                    let mut w: Vec<(u64, String, String, i64)> = rel
                        .iter()
                        .map(|r| {
                            let (n, a) = split_sym(r["sym"].as_str().unwrap_or(""));
                            (
                                r["off"].as_u64().unwrap_or(0),
                                r["type"].as_str().unwrap_or("").to_string(),
                                n,
                                a,
                            )
                        })
                        .collect();
                    let mut g: Vec<(u64, String, String, i64)> = s
                        .relocs
                        .iter()
                        .map(|r| {
                            (
                                r.offset,
                                elf_type_name(r.r_type).to_string(),
                                r.sym.clone(),
                                r.addend,
                            )
                        })
                        .collect();
                    w.sort();
                    g.sort();
                    if w != g {
                        problem = Some(format!("relocs\n   got  {g:?}\n   want {w:?}"));
                    }
                } else if !s.relocs.is_empty() {
                    problem = Some(format!("unexpected relocs {:?}", s.relocs));
                }
            }
            Err(e) => {
                problem = Some(format!(
                    "rejected: {}",
                    e.iter()
                        .map(|e| e.msg.clone())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        let entry = by_group.entry(group.clone()).or_default();
        match problem {
            None => {
                pass += 1;
                entry.0 += 1;
            }
            Some(p) => {
                fail += 1;
                entry.1 += 1;
                if shown < verbose {
                    shown += 1;
                    eprintln!(
                        "FAIL {} [{group}] {src:?}\n   {p}",
                        c["id"].as_str().unwrap_or("")
                    );
                }
            }
        }
    }
    eprintln!("v{v}: {pass} passed, {fail} failed");
    if fail > 0 {
        for (g, (p, f)) in &by_group {
            if *f > 0 {
                eprintln!("   {g}: {p} ok, {f} failing");
            }
        }
        return Err(format!("v{v}: {fail} of {} golden bundles differ", pass + fail).into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let trials = (2..=6u8)
        .map(|v| Trial::test(format!("golden_v{v}"), move || run_version(v)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
