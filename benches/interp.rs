//! Interpreter throughput on guest loops, in bundles per second on one core:
//! `int_loop2` — the two-bundle integer loop { addd; cmpbdb } { ct ? %pred0 }
//! (hand-encoded: depends only on the decoder and the interpreter);
//! `mem_loop`, `calls`, `fp_loop` — assembled with our assembler.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use e2kemu::asm::{assemble_snippet, AsmOptions};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};

const TEXT: u64 = 0x10000;
const DATA: u64 = 0x40000;

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

fn asm(src: &str) -> Vec<u8> {
    let opts = AsmOptions::for_version(5);
    match assemble_snippet(src, &opts, 0, &[]) {
        Ok(s) => s.bytes,
        Err(e) => panic!("bench program does not assemble: {e:?}"),
    }
}

/// Loads and stores over a 4 KiB buffer.
const MEM_LOOP: &str = "
    { setwd wsz=8, nfx=1 }
    { disp %ctpr1, 1f
      addd,0 0, 0, %r0
      addd,1 0, 0x40000, %r1 }
1:
    { ldd,0 %r1, %r0, %r2
      addd,1 %r0, 8, %r3 }
    { std,2 %r2, [ %r1 + %r0 ]
      andd,0 %r3, 0xff8, %r0
      ct %ctpr1 }
";

/// A call and return per iteration (6 bundles).
const CALLS: &str = "
    { setwd wsz=8, nfx=1 }
    { addd,0 0, 0, %r0 }
1:
    { disp %ctpr1, 2f }
    { addd,0 %r0, 0, %r8
      call %ctpr1, wbs=4 }
    { disp %ctpr2, 1b
      addd,0 %r8, 0, %r0 }
    { ct %ctpr2 }
2:
    { setwd wsz=4, nfx=1
      return %ctpr3 }
    { addd,0 %r0, 1, %r0
      ct %ctpr3 }
";

/// Double-precision multiply-add chain.
const FP_LOOP: &str = "
    { setwd wsz=8, nfx=1 }
    { disp %ctpr1, 1f
      addd,0 0, 0x3ff0000000000000, %r0
      addd,1 0, 0x3ff0000000001000, %r1 }
1:
    { faddd,0 %r0, %r1, %r2
      fmuld,1 %r1, %r1, %r3 }
    { fsubd,0 %r2, %r1, %r0
      ct %ctpr1 }
";

fn setup(code: &[u8]) -> (Cpu, GuestMem) {
    let mut mem = GuestMem::new();
    mem.map(TEXT, 0x1000, PROT_READ | PROT_EXEC, "text");
    mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE, "data");
    mem.poke(TEXT, code).unwrap();
    let mut cpu = Cpu::new(5);
    cpu.ip = TEXT;
    (cpu, mem)
}

fn bench(c: &mut Criterion) {
    const N: u64 = 1_000_000;
    let mut g = c.benchmark_group("interp");
    g.throughput(Throughput::Elements(N));
    for (name, code) in [
        ("int_loop2", int_loop2()),
        ("mem_loop", asm(MEM_LOOP)),
        ("calls", asm(CALLS)),
        ("fp_loop", asm(FP_LOOP)),
    ] {
        g.bench_function(name, |b| {
            let (mut cpu, mut mem) = setup(&code);
            let mut it = Interp::new();
            // sanity: the loop runs without faulting and makes progress
            assert_eq!(
                it.run(&mut cpu, &mut mem, 10_000),
                Step::Next,
                "{name} faulted"
            );
            assert!(cpu.stats.bundles >= 10_000, "{name} did not run");
            b.iter(|| it.run(&mut cpu, &mut mem, N))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
