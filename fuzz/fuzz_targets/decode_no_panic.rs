//! Fuzz target: any bytes at any address, for every ISA version, decode to a bundle or a
//! located error (never a panic); a decoded bundle pre-decodes for the interpreter too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let version = 1 + data[0] % 7;
    let addr = (data[1] as u64) << 3;
    let bytes = &data[2..];
    if let Ok(b) = e2k_isa::decode_bundle(bytes, addr, version) {
        let _ = e2kemu::cpu::predecode::predecode(&b, version);
    }
    let _ = e2k_isa::bundle::unpack_bundle(bytes, addr | (data[0] as u64 & 7));
});
