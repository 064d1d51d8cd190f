//! Fuzz target: any byte stream, cut into pieces at fuzzer-chosen points, goes
//! through the QMP input parser; every value is checked as a command (typed
//! arguments, QEMU error texts) and re-encoded as QMP output. Nothing panics.
#![no_main]

use e2kemu::monitor::{
    commands, json_out,
    qmp_stream::{Item, QmpStream},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let step = 1 + data[0] as usize % 64;
    let mut s = QmpStream::new();
    let mut items = Vec::new();
    for piece in data[1..].chunks(step) {
        items.extend(s.feed(piece));
    }
    items.extend(s.finish());
    for it in items {
        match it {
            Item::Value(v) => {
                let _ = json_out::to_line(&v);
                if let Ok((name, args)) = commands::request_parts(&v) {
                    let _ = commands::parse(name, &args);
                }
            }
            Item::Error(e) => assert!(!e.is_empty()),
        }
    }
});
