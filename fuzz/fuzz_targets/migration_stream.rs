//! Fuzz target: any bytes as a migration stream (and as the payload of each
//! section kind) load to a checked process state or to an error, never a panic,
//! and never allocate guest memory beyond the limit.
#![no_main]

use e2kemu::migration::{cpu_state, fd_state, load, state_save};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lim = load::Limits {
        expect_iset: None,
        max_mapped: 64 << 20,
    };
    let _ = load::load_stream(data, &lim, |_| {});
    // the section decoders on raw payloads (checksums make them hard to reach
    // through whole streams)
    let _ = cpu_state::decode_cpu(data);
    let _ = state_save::decode_layout(data, 64 << 20);
    let _ = state_save::decode_pages(data);
    let _ = state_save::decode_signals(data);
    let _ = state_save::decode_proc(data);
    let _ = fd_state::decode(data);
    let _ = load::Header::decode(data);
});
