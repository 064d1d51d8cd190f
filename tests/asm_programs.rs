//! Every guest program of `shared/programs` assembles and links (with `-I lib`) for each
//! ISA version v3..v6 its `.expected` lists; the executable has its entry at `_start`
//! and every wide instruction of `.text` decodes.

use e2kemu::asm::{assemble_to_executable, AsmOptions, Source};
use object::{Object, ObjectSection, ObjectSymbol};
use std::path::{Path, PathBuf};

fn programs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/programs")
}

fn isets(expected: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(expected).unwrap_or_default();
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("isets") {
            let list = rest.trim_start_matches([' ', '=']).trim();
            return list
                .trim_matches(['[', ']'])
                .split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect();
        }
    }
    vec![3, 4, 5, 6]
}

#[test]
fn all_programs_assemble_and_link() {
    let root = programs_dir();
    let mut sources: Vec<PathBuf> = Vec::new();
    for area in std::fs::read_dir(&root).expect("programs dir") {
        let area = area.unwrap().path();
        if !area.is_dir() || area.ends_with("lib") {
            continue;
        }
        for f in std::fs::read_dir(&area).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "s") {
                sources.push(f);
            }
        }
    }
    sources.sort();
    assert!(
        sources.len() >= 40,
        "expected the program suite, found {}",
        sources.len()
    );
    let mut failures = Vec::new();
    let mut built = 0;
    for src in &sources {
        let vs = isets(&src.with_extension("expected"));
        for v in vs.into_iter().filter(|v| (3..=6).contains(v)) {
            let mut opts = AsmOptions::for_version(v);
            opts.include_dirs.push(root.join("lib"));
            let source = Source::from_file(src).expect("read source");
            let exe = match assemble_to_executable(&[source], &opts) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("v{v} {}: {}", src.display(), e[0]));
                    continue;
                }
            };
            built += 1;
            let file = object::File::parse(&*exe).expect("parse ELF");
            let start = file
                .symbols()
                .find(|s| s.name() == Ok("_start"))
                .map(|s| s.address());
            assert_eq!(Some(file.entry()), start, "{}: entry", src.display());
            let text = file.section_by_name(".text").expect(".text");
            let data = text.data().unwrap();
            let mut off = 0usize;
            let deliberately_bad = src.ends_with("sys/illegal_bundle.s");
            while off + 8 <= data.len() {
                match e2k_isa::decode_bundle(&data[off..], text.address() + off as u64, v) {
                    Ok(b) => off += b.len as usize,
                    Err(e) => {
                        if !deliberately_bad {
                            failures.push(format!("v{v} {}: {e}", src.display()));
                        }
                        off += 8;
                    }
                }
            }
        }
    }
    eprintln!("{built} executables built from {} sources", sources.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
