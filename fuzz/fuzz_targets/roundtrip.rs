//! Fuzz target: decode → disassemble → assemble → decode → disassemble on arbitrary
//! bytes never panics in any stage (that the round trip preserves the statements is
//! checked on the golden corpus by tests/disasm_roundtrip.rs).
#![no_main]

use e2k_isa::disasm::disasm_bundle;
use e2kemu::asm::{assemble_snippet, AsmOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 {
        return;
    }
    let v = 2 + data[0] % 5;
    let Ok(b) = e2k_isa::decode_bundle(&data[1..], 0, v) else {
        return;
    };
    let lines = disasm_bundle(&b, v);
    let src = format!(".ignore ld_st_style\n{{\n{}\n}}\n", lines.join("\n"));
    let opts = AsmOptions::for_version(v);
    if let Ok(s) = assemble_snippet(&src, &opts, 0, &[]) {
        if let Ok(b2) = e2k_isa::decode_bundle(&s.bytes, 0, v) {
            let _ = disasm_bundle(&b2, v);
        }
    }
});
