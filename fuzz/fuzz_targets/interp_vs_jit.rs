//! Fuzz target: arbitrary bytes as a text section (ISA version from the first byte), run
//! with a fuel limit by the reference interpreter and by the JIT tier (threshold 0) from
//! the same state; outcomes, CPU state (with bundle count) and the data page must agree.
#![no_main]

use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Step};
use e2kemu::jit::{JitConfig, JitState};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ, PROT_WRITE};
use e2kemu::migration::cpu_state::encode_cpu;
use libfuzzer_sys::fuzz_target;

const TEXT: u64 = 0x10000;
const DATA: u64 = 0x40000;
const FUEL: u64 = 2000;

thread_local! {
    static JIT: std::cell::RefCell<Option<Box<JitState>>> = const { std::cell::RefCell::new(None) };
}

fn run(v: u8, code: &[u8], jit: bool) -> (Vec<Step>, Vec<u8>, Vec<u8>) {
    let mut mem = GuestMem::new();
    mem.map(TEXT, 0x2000, PROT_READ | PROT_EXEC, "text");
    mem.map(DATA, 0x1000, PROT_READ | PROT_WRITE, "data");
    mem.poke(TEXT, code).unwrap();
    let mut cpu = Cpu::new(v);
    cpu.ip = TEXT;
    for k in 0..32 {
        cpu.g[k] = (DATA + 8 * k as u64) as u128;
    }
    let mut it = Interp::new();
    if jit {
        // one JIT for all runs (a new code module per run would dominate the time);
        // reset drops every trace of the previous run
        let mut j = JIT.with(|j| j.borrow_mut().take()).unwrap_or_else(|| {
            let cfg = JitConfig {
                threshold: 0,
                ..JitConfig::default()
            };
            Box::new(JitState::new(cfg).expect("JIT available"))
        });
        j.reset();
        it.jit = Some(j);
    } else {
        it.fast = false;
    }
    let mut steps = Vec::new();
    let mut left = FUEL;
    while left > 0 {
        let before = cpu.stats.bundles;
        let s = it.run(&mut cpu, &mut mem, left.min(61));
        left = left.saturating_sub((cpu.stats.bundles - before).max(1));
        let stop = s != Step::Next;
        steps.push(s);
        if stop {
            break;
        }
    }
    if let Some(j) = it.jit.take() {
        JIT.with(|c| *c.borrow_mut() = Some(j));
    }
    cpu.stats.decoded = 0;
    cpu.stats.invalidations = 0;
    let mut st = cpu.stats.bundles.to_le_bytes().to_vec();
    st.extend(encode_cpu(&cpu));
    let mut data = vec![0u8; 0x1000];
    mem.read(DATA, &mut data).unwrap();
    (steps, st, data)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 9 || data.len() > 0x2000 {
        return;
    }
    let v = 2 + data[0] % 5;
    let code = &data[1..];
    let a = run(v, code, false);
    let b = run(v, code, true);
    assert_eq!(a.0, b.0, "outcomes differ");
    assert!(a.1 == b.1, "CPU state differs");
    assert!(a.2 == b.2, "memory differs");
});
