//! The guest benchmark programs (benches/programs) print the checksums their README
//! lists, under the interpreter and, in the JIT build, under the JIT tier.

use std::process::Command;

const PROGRAMS: &[(&str, &str)] = &[
    ("int_loop", "5af442c20a000"),
    ("mem_loop", "2d7f416a5da47000"),
    ("checksum_table", "a01b07ce"),
];

fn run(name: &str, tier: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .args(["-tier", tier, "-I", &format!("{root}/tests/guests")])
        .arg(format!("{root}/benches/programs/{name}.s"))
        .output()
        .expect("e2kemu runs");
    assert_eq!(o.status.code(), Some(0), "{name} under {tier}: {o:?}");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn tiers() -> &'static [&'static str] {
    if cfg!(feature = "jit") {
        &["interp", "jit"]
    } else {
        &["interp"]
    }
}

#[test]
fn benchmark_programs_print_their_checksums() {
    for (name, sum) in PROGRAMS {
        for tier in tiers() {
            assert_eq!(
                run(name, tier),
                format!("checksum {sum}\n"),
                "{name} under {tier}"
            );
        }
    }
}
