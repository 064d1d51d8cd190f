//! Bad-spec fixtures: every file in tests/bad-spec/ must be rejected by the spec checker
//! with the message and line its `# expect LINE: message` header names, in the
//! `FILE:LINE: message` form the build prints.

#[path = "../gen/specparse.rs"]
#[allow(dead_code)]
mod specparse;

use std::path::PathBuf;

#[test]
fn bad_spec_fixtures_are_rejected_with_located_errors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad-spec");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/bad-spec exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "spec"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the bad-spec fixtures, found {}",
        files.len()
    );
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let name = format!("bad-spec/{}", f.file_name().unwrap().to_string_lossy());
        let header = text.lines().next().unwrap();
        let rest = header
            .strip_prefix("# expect ")
            .unwrap_or_else(|| panic!("{name}: first line must be `# expect LINE: message`"));
        let (line, msg) = rest.split_once(": ").unwrap();
        let line: usize = line.parse().unwrap();
        let mut spec = specparse::Spec::default();
        let mut errs = specparse::parse_file(&mut spec, &name, &text);
        if errs.is_empty() {
            errs = specparse::validate(&spec);
        }
        let shown: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        let want = format!("{name}:{line}: {msg}");
        assert!(
            shown.iter().any(|e| e.starts_with(&want)),
            "{name}: expected an error starting with `{want}`, got {shown:?}"
        );
    }
}

#[test]
fn the_real_spec_is_valid() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec");
    let spec = specparse::load_dir(&dir, "isa-spec/spec/").unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert!(spec.alops.len() > 2600);
}
