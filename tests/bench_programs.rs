//! The guest benchmark programs (`benches/programs/*.s`) stay correct: every row
//! of the expected-output table in `benches/programs/README.md` is run through the
//! `e2kemu` binary (which assembles the source) and must print exactly that line
//! and exit 0 (about 4 s for all rows at the default sizes, 1 s for the small ones).

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[path = "../benches/program_table.rs"]
mod program_table;

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/programs")
}

fn run(row: &program_table::Row, tier: &str) -> Result<(), Failed> {
    let src = programs_dir().join(format!("{}.s", row.name));
    let out = Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .env_clear()
        .args(["-tier", tier, "-0"])
        .arg(&row.name)
        .arg(&src)
        .args(&row.arg)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start e2kemu: {e}"))?;
    let got = String::from_utf8_lossy(&out.stdout);
    if got != row.stdout || !out.status.success() {
        return Err(format!(
            "{} under {tier}: got {got:?} ({}), want {:?} (exit 0)\nstderr: {}",
            src.display(),
            out.status,
            row.stdout,
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let readme = programs_dir().join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap_or_default();
    let rows = program_table::rows(&text);
    let mut trials = Vec::new();
    if rows.is_empty() {
        let shown = readme.display().to_string();
        trials.push(Trial::test("expected-table-present", move || {
            Err(format!("no expected-output rows in {shown}").into())
        }));
    }
    let tiers: &[&'static str] = if cfg!(feature = "jit") {
        &["interp", "jit"]
    } else {
        &["interp"]
    };
    for row in rows {
        for &tier in tiers {
            let name = format!(
                "{tier}/{}/{}",
                row.name,
                row.arg.as_deref().unwrap_or("default")
            );
            let row = row.clone();
            trials.push(Trial::test(name, move || run(&row, tier)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
