//! Every case of `shared/isa/golden/rejected-v{2..6}.jsonl` must be rejected by the
//! assembler (the message need not match MCST's). One trial per ISA version.

use e2kemu::asm::{assemble_snippet, AsmOptions};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;
use std::path::PathBuf;

fn run_version(v: u8) -> Result<(), Failed> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../shared/isa/golden/rejected-v{v}.jsonl"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let opts = AsmOptions::for_version(v);
    let verbose: usize = std::env::var("GOLDEN_VERBOSE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (mut ok, mut bad, mut shown) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let c: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let src = c["src"].as_str().unwrap_or("");
        match assemble_snippet(src, &opts, 0, &[(".Ltgt", 0x1000), (".Lback", 0)]) {
            Err(_) => ok += 1,
            Ok(_) => {
                bad += 1;
                if shown < verbose {
                    shown += 1;
                    eprintln!(
                        "ACCEPTED {} [{}] {src:?}: MCST says {}",
                        c["id"].as_str().unwrap_or(""),
                        c["group"].as_str().unwrap_or(""),
                        c["errors"]
                    );
                }
            }
        }
    }
    eprintln!("rejected-v{v}: {ok} rejected, {bad} wrongly accepted");
    if ok + bad == 0 {
        return Err("no data".into());
    }
    if bad > 0 {
        return Err(format!("{bad} cases accepted").into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let trials = (2..=6u8)
        .map(|v| Trial::test(format!("rejected_v{v}"), move || run_version(v)))
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
