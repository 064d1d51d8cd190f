//! Decode throughput on the golden corpus: every accepted bundle of
//! ../shared/isa/golden/v{3,6}.jsonl, laid out contiguously like a text section, decoded
//! (unpacked + every ALU op identified) for its ISA version. Reports bundles per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

/// The corpus laid out as one contiguous text section: (bytes, [(offset, addr)]).
fn text(v: u8) -> (Vec<u8>, Vec<(usize, u64)>) {
    let mut buf = Vec::new();
    let mut at = Vec::new();
    for (b, a) in corpus(v) {
        at.push((buf.len(), a));
        buf.extend_from_slice(&b);
    }
    (buf, at)
}

fn corpus(v: u8) -> Vec<(Vec<u8>, u64)> {
    let path = format!(
        "{}/../shared/isa/golden/v{v}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter_map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).ok()?;
            if j["group"] == "fapb" {
                return None;
            }
            let h = j["hex"].as_str()?;
            let bytes = (0..h.len() / 2)
                .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            Some((bytes, j["addr"].as_u64()?))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    for v in [3u8, 6] {
        let (buf, bundles) = text(v);
        assert!(bundles.len() > 1000, "golden corpus for v{v} missing");
        let mut g = c.benchmark_group(format!("decode_v{v}"));
        g.throughput(Throughput::Elements(bundles.len() as u64));
        g.bench_function("decode_bundle", |b| {
            let mut out = e2k_isa::Bundle::default();
            b.iter(|| {
                let mut ok = 0usize;
                for &(off, addr) in &bundles {
                    let bytes = &buf[off..];
                    if e2k_isa::bundle::decode_into(black_box(bytes), addr, v, &mut out).is_ok() {
                        ok += 1;
                    }
                }
                assert_eq!(ok, bundles.len());
                ok
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
