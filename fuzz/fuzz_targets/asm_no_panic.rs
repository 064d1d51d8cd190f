//! Fuzz target: any text, for any ISA version, assembles or fails with located errors —
//! as a snippet and as a whole program linked to an executable — never a panic.
#![no_main]

use e2kemu::asm::{assemble_snippet, assemble_to_executable, AsmOptions, Source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let v = 2 + data[0] % 5;
    let text = String::from_utf8_lossy(&data[1..]);
    let opts = AsmOptions::for_version(v);
    if let Err(errs) = assemble_snippet(&text, &opts, 0, &[]) {
        assert!(!errs.is_empty());
    }
    let _ = assemble_to_executable(&[Source::new("fuzz.s", text.as_ref())], &opts);
});
