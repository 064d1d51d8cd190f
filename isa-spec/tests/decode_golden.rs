//! Every accepted golden bundle of ../shared/isa/golden decodes for its ISA version, and
//! the mnemonics it names are the ones identified (modulo aliases and non-ALU ops).

use e2k_isa::{decode_bundle, ALOPS};
use std::path::PathBuf;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/isa/golden")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn check(v: u8) {
    let path = shared().join(format!("v{v}.jsonl"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden data missing: {}: {e}", path.display()));
    let mut n = 0;
    let mut bad = Vec::new();
    for line in text.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        let bytes = hex(j["hex"].as_str().unwrap());
        let addr = j["addr"].as_u64().unwrap();
        let id = j["id"].as_str().unwrap();
        if j["group"] == "fapb" {
            continue; // 16-byte asynchronous APB instructions are not bundles
        }
        n += 1;
        match decode_bundle(&bytes, addr, v) {
            Err(e) => bad.push(format!("{id}: {e}  src={}", j["src"])),
            Ok(b) => {
                let names: Vec<&str> = b.ops().map(|o| o.def().name).collect();
                for op in j["ops"].as_array().unwrap() {
                    let op = op.as_str().unwrap();
                    let alu = ALOPS.iter().any(|a| a.name == op);
                    if !alu {
                        continue;
                    }
                    let canon = ALOPS
                        .iter()
                        .find(|a| a.name == op)
                        .map(|a| a.canonical().name)
                        .unwrap();
                    // staa*/ldaa* written with mas=0x3f are encoded exactly as the AAU
                    // register moves aaurw*/aaurr*; the decoder names the move.
                    let aau_alias = (op.starts_with("staa") || op.starts_with("ldaa"))
                        && names.iter().any(|n| n.starts_with("aaur"));
                    if !names.contains(&canon) && !names.contains(&op) && !aau_alias {
                        bad.push(format!(
                            "{id}: expected {op} got {names:?} src={}",
                            j["src"]
                        ));
                    }
                }
            }
        }
    }
    assert!(n > 1000, "too few golden bundles read for v{v}");
    if !bad.is_empty() {
        panic!(
            "v{v}: {} of {n} bundles failed:\n{}",
            bad.len(),
            bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
        );
    }
}

#[test]
fn golden_v2() {
    check(2)
}
#[test]
fn golden_v3() {
    check(3)
}
#[test]
fn golden_v4() {
    check(4)
}
#[test]
fn golden_v5() {
    check(5)
}
#[test]
fn golden_v6() {
    check(6)
}
