//! Disassemble → assemble round trip on the golden corpus: every accepted golden bundle's
//! disassembly (with `.ignore ld_st_style`, the store operand order objdump prints),
//! assembled again for the same ISA version, gives the same bytes — or, where objdump's
//! text drops an encoding choice (CDS half order, an explicit literal slot), bytes that
//! disassemble to the same text. Text that is not re-assemblable by design is excluded by
//! a reasoned list; exclusions and equivalent-but-different encodings are counted and
//! bounded.

use e2k_isa::disasm::disasm_bundle;
use e2kemu::asm::{assemble_snippet, AsmOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Why a bundle's objdump-style text cannot be fed back verbatim, if it cannot.
fn not_reassemblable(b: &e2k_isa::Bundle, lines: &[String]) -> Option<&'static str> {
    let has = |p: &str| lines.iter().any(|l| l.starts_with(p) || l.contains(p));
    if has("vfrpsz") {
        return Some("objdump prints the raw vfrpsz field (rpsz - 1), `as` takes rpsz");
    }
    if has("disp %ctpr") || has("ldisp %ctpr") || has("ibranch ") || has("icall ") {
        return Some(
            "targets print as absolute addresses; `as` takes a number as the raw displacement",
        );
    }
    if let Some(ss) = b.ss() {
        if ss & 0xc00 != 0 && (ss >> 5) & 0xf == 0 {
            return Some("objdump omits `ct %ctprN` whose condition is never");
        }
    }
    if b.ss().is_some_and(|ss| ss >> 30 == 0) && !has("ipd") {
        return Some("objdump omits `ipd 0`; `as` gives every SS its default ipd 3");
    }
    if has("abg abgi=") {
        return Some("objdump prints `abg abgi=, abgd=`; `as` takes `abg N`");
    }
    if has("movaq,") {
        return Some("objdump prints each half of a movaq pair; `as` takes one statement");
    }
    if lines.is_empty() && (0..3).any(|i| b.pls(i).is_some()) {
        return Some("objdump prints no PLS passes that feed no CLP result");
    }
    if has("%empty.hi") {
        return Some("`%empty.hi` is objdump's spelling of the discarded pair destination");
    }
    None
}

/// Statement text with the order of `? cond, cond` lists canonical: the conditions of
/// one channel are combined (ORed per kind, kinds ANDed), so their order is not meaning.
fn normalized(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|l| match l.split_once(" ? ") {
            Some((op, conds)) => {
                let mut c: Vec<&str> = conds.split(", ").collect();
                c.sort_unstable();
                format!("{op} ? {}", c.join(", "))
            }
            None => l.clone(),
        })
        .collect()
}

fn run(v: u8) -> (usize, usize, BTreeMap<String, usize>, Vec<String>) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../shared/isa/golden/v{v}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden data missing: {}: {e}", path.display()));
    let (mut ok, mut excluded, mut equivalent) = (0, 0, 0);
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    let mut bad = Vec::new();
    let opts = AsmOptions::for_version(v);
    for l in text.lines() {
        let j: serde_json::Value = serde_json::from_str(l).unwrap();
        if j["group"] == "fapb" || j.get("relocs").is_some() {
            continue;
        }
        let bytes = hex(j["hex"].as_str().unwrap());
        let addr = j["addr"].as_u64().unwrap();
        let Ok(b) = e2k_isa::decode_bundle(&bytes, addr, v) else {
            bad.push(format!("{}: does not decode", j["id"]));
            continue;
        };
        let lines = disasm_bundle(&b, v);
        if let Some(r) = not_reassemblable(&b, &lines) {
            excluded += 1;
            *why.entry(r.to_string()).or_default() += 1;
            continue;
        }
        let src = format!(".ignore ld_st_style\n{{\n{}\n}}\n", lines.join("\n"));
        match assemble_snippet(&src, &opts, addr, &[]) {
            Ok(s) if s.bytes == bytes => ok += 1,
            Ok(s)
                if e2k_isa::decode_bundle(&s.bytes, addr, v)
                    .map(|b2| normalized(&disasm_bundle(&b2, v)) == normalized(&lines))
                    .unwrap_or(false) =>
            {
                equivalent += 1
            }
            Ok(s) => bad.push(format!(
                "{}: {:?} (again: {:?}) reassembles to {} not {}",
                j["id"],
                lines,
                e2k_isa::decode_bundle(&s.bytes, addr, v).map(|b2| disasm_bundle(&b2, v)),
                s.bytes
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
                j["hex"].as_str().unwrap()
            )),
            Err(e) => bad.push(format!("{}: {:?}: {}", j["id"], lines, e[0])),
        }
    }
    why.insert("equivalent encoding (same text)".into(), equivalent);
    (ok, excluded + equivalent, why, bad)
}

#[test]
fn golden_roundtrip() {
    for v in 2..=6 {
        let (ok, excl, why, bad) = run(v);
        eprintln!("v{v}: {ok} bundles round-trip, {excl} excluded {why:?}");
        assert!(
            bad.is_empty(),
            "v{v}: {} bundles do not round-trip:\n{}",
            bad.len(),
            bad[..bad.len().min(20)].join("\n")
        );
        assert!(ok > 6000, "v{v}: only {ok} bundles checked");
        assert!(excl * 50 < ok, "v{v}: too many exclusions ({excl})");
    }
}
