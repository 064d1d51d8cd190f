//! Interpreter throughput on guest loops (bundles per second, one core).
//! `int_loop2`: the two-bundle integer loop { addd; cmpbdb } { ct %ctpr1 ? %pred0 },
//! hand-encoded so that the bench depends only on the decoder and the interpreter.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ};

fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// setwd; {addd 0,0,%r0; subd 0,1,%r1; disp %ctpr1, A}; A: {addd %r0,1,%r0; cmpbdb %r0,%r1,%pred0}; B: {ct %ctpr1 ? %pred0}
fn int_loop2() -> Vec<u8> {
    let mut code = Vec::new();
    code.extend(words(&[0x0000_8011, 0, 0, 0x110])); // setwd wsz=8, nfx=1
    code.extend(words(&[0x0c00_4013, 0x11c0_c080, 0x13c0_c181, 0x4000_0002])); // 0x10010
    code.extend(words(&[0x0c00_0012, 0x1180_c180, 0x2180_8120, 0])); // A 0x10020
    code.extend(words(&[0x0000_1001, 0xc000_0440])); // B 0x10030
    code
}

fn setup(code: &[u8]) -> (Cpu, GuestMem) {
    let mut mem = GuestMem::new();
    mem.map(0x10000, 0x1000, PROT_READ | PROT_EXEC, "text");
    mem.poke(0x10000, code).unwrap();
    let mut cpu = Cpu::new(5);
    cpu.ip = 0x10000;
    (cpu, mem)
}

fn bench(c: &mut Criterion) {
    const N: u64 = 1_000_000;
    let mut g = c.benchmark_group("interp");
    g.throughput(Throughput::Elements(N));
    g.bench_function("int_loop2", |b| {
        let code = int_loop2();
        let (mut cpu, mut mem) = setup(&code);
        let mut it = Interp::new();
        // sanity: the loop runs and counts
        assert_eq!(it.run(&mut cpu, &mut mem, 1000), Step::Next);
        assert!(
            cpu.rf[cpu.wbase] > 400,
            "loop did not run: r0={}",
            cpu.rf[cpu.wbase]
        );
        b.iter(|| it.run(&mut cpu, &mut mem, N))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
