//! Isolation of guest memory access in JIT-compiled code (feature `jit`).
//!
//! * Wild accesses: hot loops that the JIT compiles at first sight (threshold 0) walk
//!   through valid memory and then load from or store to an address outside the
//!   guest's mappings: just past the end of a mapping, straddling that end, address 0,
//!   a high canonical address, a non-canonical one, the top of the address space (also
//!   wrapping around it), an address computed by a sum that wraps around, and (stores)
//!   a read-only page. Every run must end in a guest SIGSEGV exactly like the reference
//!   interpreter: with a SA_SIGINFO handler the handler sees the same
//!   si_signo/si_code/si_addr (it copies them to %g20..%g22 and exits with status 42),
//!   without one the process is killed by SIGSEGV with the same CPU state (faulting
//!   bundle, iteration count, registers) and the same memory. The loops come in a
//!   simple form (one bundle, `ct` back) and a loop-mode form (rotating based
//!   registers, LSR counters, prologue store suppression).
//! * Mapping changes: a compiled loop runs again after its page was unmapped,
//!   protected (no access, read-only) or unmapped and mapped anew.
//! * Stores into code: a compiled loop patches a bundle of its own body.
//!
//! Each program runs under the interpreter and under the JIT with threshold 0 and 1,
//! with native lowering disabled and with a code space of 4 KiB (traces dropped and
//! rebuilt while the loop runs); with threshold 0 the loop must have run as JIT code.
//! The programs are built with our assembler and run in-process (`linux::Process`);
//! about 3 s in release.
#![cfg(feature = "jit")]

use e2kemu::asm::{assemble_to_executable, AsmOptions, Source};
use e2kemu::cli::{Tier, TierOptions};
use e2kemu::linux::{Config, Process, Termination};
use e2kemu::migration::cpu_state::encode_cpu;

/// A read/write page the programs map at a fixed address, and a read-only one.
const PAGE: u64 = 0x3000_0000;
const RO_PAGE: u64 = 0x3000_2000;
/// Good iterations before the wild access.
const HOT: u64 = 40;
const SIGSEGV: i32 = 11;
const SEGV_MAPERR: u64 = 1;
const SEGV_ACCERR: u64 = 2;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// pointer chase: each iteration loads the next pointer
    Load,
    /// each iteration stores through the address loaded the iteration before
    Store,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    Simple,
    LoopMode,
}

/// A system call: number and arguments (assembler expressions) in %r8..%r14.
fn syscall(nr: u64, args: &[&str]) -> String {
    let mut t = format!("    {{ sdisp %ctpr1, 3\n      addd,0 0, {nr}, %r8\n");
    for (i, a) in args.iter().take(5).enumerate() {
        t.push_str(&format!("      addd,{} 0, {a}, %r{}\n", i + 1, 9 + i));
    }
    let sixth = args.get(5).copied().unwrap_or("0");
    t.push_str(&format!(
        "    }}\n    {{ addd,0 0, {sixth}, %r14\n      call %ctpr1, wbs=4 }}\n"
    ));
    t
}

/// The start of every program: the window, the two pages, maybe the handler, then
/// clean registers.
fn prelude(handler: bool) -> String {
    let mut s = String::from(
        "    .text
    .global _start
_start:
    { setwd wsz=16, nfx=1 }
",
    );
    // mmap(addr, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
    let (page, ro) = (format!("{PAGE:#x}"), format!("{RO_PAGE:#x}"));
    s += &syscall(90, &[&page, "0x1000", "3", "0x112", "-1", "0"]);
    s += &syscall(90, &[&ro, "0x1000", "1", "0x112", "-1", "0"]);
    if handler {
        // rt_sigaction(SIGSEGV, &act, 0, 8) with act.sa_handler = handler
        s += "    { addd,0 0, handler, %r8 }\n    { std,2 %r8, [ act ] }\n";
        s += &syscall(174, &["11", "act", "0", "8"]);
    }
    // a system call leaves the registers above its arguments diagnostic (§9.8): clear
    // them (the based area of the loop-mode form lies there)
    for half in [8, 14] {
        s += "    {";
        for ch in 0..6 {
            s += &format!(" addd,{ch} 0, 0, %r{};", half + ch);
        }
        s.pop();
        s += " }\n";
    }
    s
}

/// The end of every program: the handler (copies signo/code/addr to %g20..%g22 and
/// exits with 42) and its `sigaction` structure.
fn postlude() -> String {
    let mut s = String::from(
        "handler:
    { setwd wsz=8, nfx=1 }
    { ldw,0 %r1, 0, %g20
      ldw,2 %r1, 8, %g21
      ldd,3 %r1, 16, %g22 }
",
    );
    s += &syscall(300, &["42"]);
    s + "    .data\n    .align 8\nact:\n    .quad 0, 4, 0, 0\n"
}

/// The program: map the pages, maybe install the handler, then the hot loop.
/// `ptr` is the last address the loop reads from its table and `off` the literal
/// offset of the access, so the wild access is at `ptr + off` (mod 2^64).
fn source(kind: Kind, form: Form, ptr: u64, off: u64, handler: bool) -> String {
    let mut s = prelude(handler);
    // the table the loop walks (in .data): HOT good entries, then `ptr`
    let mut data = String::from("    .data\n    .align 8\ntable:\n");
    match kind {
        Kind::Load => {
            // node i (32 bytes) holds at +off the address of node i+1 minus off...
            // the loop loads p = [p + off], so node i's word at `off` is node(i+1)
            for i in 0..HOT {
                let mut q = ["0"; 4].map(String::from);
                q[(off as usize / 8) % 4] = format!("table + {}", 32 * (i + 1));
                data += &format!("    .quad {}\n", q.join(", "));
            }
            let mut q = ["0"; 4].map(String::from);
            q[(off as usize / 8) % 4] = format!("{ptr:#x}");
            data += &format!("    .quad {}\n", q.join(", "));
        }
        Kind::Store => {
            // the addresses stored through, minus the store's offset
            for i in 0..HOT {
                data += &format!(
                    "    .quad {:#x}\n",
                    (PAGE + 0x100 + 8 * i).wrapping_sub(off)
                );
            }
            data += &format!("    .quad {ptr:#x}\n    .quad 0, 0, 0\n");
        }
    }
    match (kind, form) {
        (Kind::Load, Form::Simple) => {
            s +=
                "    { addd,0 0, table, %r1\n      addd,1 0, 0, %r2\n      disp %ctpr1, .Lloop }\n";
            s += &format!(
                ".Lloop:\n    {{ ldd,0 %r1, {off:#x}, %r1\n      addd,1 %r2, 1, %r2\n      ct %ctpr1 }}\n"
            );
        }
        (Kind::Store, Form::Simple) => {
            s += &format!(
                "    {{ addd,0 0, table, %r3\n      addd,1 0, {:#x}, %r1\n      addd,3 0, 0, %r2\n      disp %ctpr1, .Lloop }}\n",
                (PAGE + 0x800).wrapping_sub(off)
            );
            s += &format!(
                ".Lloop:\n    {{ ldd,0 %r3, 0, %r1\n      addd,1 %r3, 8, %r3\n      std,2 %r2, %r1, {off:#x}\n      addd,3 %r2, 1, %r2\n      ct %ctpr1 }}\n"
            );
        }
        (kind, Form::LoopMode) => {
            // %b[0] gets this pass's value, %b[2] holds last pass's (abn rotates by 2);
            // pcnt = 1: the first pass's store (through an unset %b[2]) is suppressed
            let lsr = (HOT + 10) | 1 << 37 | 1 << 48;
            s += "    { setbn rsz=1, rbs=8, rcur=0\n      setbp psz=1 }\n";
            s += &format!(
                "    {{ rwd,0 {lsr:#x}, %lsr\n      addd,1 0, table, %r3\n      addd,3 0, 0, %r2\n      disp %ctpr1, .Lloop\n      nop 3 }}\n"
            );
            match kind {
                Kind::Load => {
                    s += "    { addd,0 0, table, %b[2] }\n";
                    s += &format!(
                        ".Lloop:\n    {{ loop_mode\n      ldd,0 %b[2], {off:#x}, %b[0]\n      addd,1 %r2, 1, %r2\n      alc alcf=1, alct=1\n      abn abnf=1, abnt=1\n      abp abpf=1, abpt=1\n      ct %ctpr1 ? #NOT_LOOP_END }}\n"
                    );
                }
                Kind::Store => {
                    s += &format!(
                        ".Lloop:\n    {{ loop_mode\n      ldd,0 %r3, 0, %b[0]\n      addd,1 %r3, 8, %r3\n      std,2 %r2, %b[2], {off:#x}\n      addd,3 %r2, 1, %r2\n      alc alcf=1, alct=1\n      abn abnf=1, abnt=1\n      abp abpf=1, abpt=1\n      ct %ctpr1 ? #NOT_LOOP_END }}\n"
                    );
                }
            }
        }
    }
    // not reached: the loop faults first
    s += &syscall(300, &["7"]);
    s + &postlude() + &data
}

/// The end of one run.
#[derive(Debug, PartialEq)]
struct End {
    term: Termination,
    /// %g20..%g22 (the handler's copy of si_signo, si_code, si_addr)
    g: [u64; 3],
    /// %r2: the iteration counter
    r2: u64,
    /// the encoded CPU without the decoding counters
    cpu: Vec<u8>,
    page: Vec<u8>,
}

/// The interpreter's run ended in SIGSEGV with `code` at one of `addrs`: reported to the
/// program's handler (which exits 42 with si_signo/si_code/si_addr in %g20..%g22), or,
/// without one, killing the process.
fn assert_segv(want: &End, what: &str, handler: bool, code: u64, addrs: &[u64]) {
    if handler {
        assert_eq!(want.term, Termination::Exited(42), "{what}: interpreter");
        assert_eq!(want.g[0], SIGSEGV as u64, "{what}: interpreter si_signo");
        assert_eq!(want.g[1], code, "{what}: interpreter si_code");
        assert!(
            addrs.contains(&want.g[2]),
            "{what}: interpreter si_addr {:#x}, expected one of {addrs:x?}",
            want.g[2]
        );
    } else {
        assert_eq!(
            want.term,
            Termination::Signaled {
                sig: SIGSEGV,
                core: true
            },
            "{what}: interpreter"
        );
    }
}

/// Runs `src` under `tier`; also returns the bundles the JIT ran natively.
fn run(src: &str, v: u8, tier: &TierOptions) -> (End, u64) {
    let mut opts = AsmOptions::for_version(v);
    opts.entry = "_start".into();
    let elf = assemble_to_executable(&[Source::new("iso.s", src)], &opts).unwrap_or_else(|e| {
        panic!(
            "assembly failed: {}\n{src}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let cfg = Config {
        iset: Some(v),
        argv: vec![b"iso".to_vec()],
        ..Config::default()
    };
    let mut p = Process::new(&elf, "iso", &cfg).expect("load");
    p.apply_tier(tier).expect("tier");
    let mut term = None;
    for _ in 0..64 {
        if let Some(t) = p.run_for(1 << 16) {
            term = Some(t);
            break;
        }
    }
    let term = term.unwrap_or_else(|| panic!("still running after 4M bundles ({tier:?}):\n{src}"));
    let native = p.interp.jit.as_ref().map_or(0, |j| j.stats.bundles);
    let mut c = p.cpu.clone();
    c.stats.decoded = 0;
    c.stats.invalidations = 0;
    // the page's bytes whatever its protection (empty once unmapped)
    let page = p
        .mem
        .page_bytes(PAGE >> 12)
        .map(|(b, _)| b.to_vec())
        .unwrap_or_default();
    let g = [20, 21, 22].map(|i| p.cpu.g[i] as u64);
    let r2 = p.cpu.rf[p.cpu.wbase + 2] as u64;
    (
        End {
            term,
            g,
            r2,
            cpu: encode_cpu(&c),
            page,
        },
        native,
    )
}

fn tiers() -> Vec<(&'static str, TierOptions)> {
    let jit = |threshold, disable: Option<&str>, code: Option<usize>| TierOptions {
        tier: Some(Tier::Jit),
        jit_threshold: Some(threshold),
        jit_disable: disable.map(String::from),
        jit_code_size: code,
    };
    vec![
        ("jit threshold 0", jit(0, None, None)),
        ("jit threshold 1", jit(1, None, None)),
        (
            "jit threshold 0 without native lowering",
            jit(0, Some("native"), None),
        ),
        (
            "jit threshold 0 with 4 KiB of code",
            jit(0, None, Some(4096)),
        ),
    ]
}

/// Runs one scenario under the interpreter and the JIT tiers, with and without a
/// handler; checks the signal the handler saw, the termination without one, and that
/// the tiers agree on everything.
fn check(kind: Kind, form: Form, ptr: u64, off: u64, code: u64, addrs: &[u64]) {
    let interp = TierOptions {
        tier: Some(Tier::Interp),
        ..TierOptions::default()
    };
    let wild = ptr.wrapping_add(off);
    for v in [3u8, 5, 6] {
        for handler in [true, false] {
            let src = source(kind, form, ptr, off, handler);
            let (want, _) = run(&src, v, &interp);
            let what = format!(
                "{kind:?} {form:?} at {wild:#x} (= {ptr:#x} + {off:#x}), v{v}, handler {handler}"
            );
            assert_segv(&want, &what, handler, code, addrs);
            // the fault comes after the good iterations (in the handler %r2 is the
            // handler's own)
            if !handler {
                assert_eq!(want.r2, HOT + 1, "{what}: interpreter iterations");
            }
            for (name, t) in tiers() {
                let (got, native) = run(&src, v, &t);
                if got != want {
                    let show = |e: &End| {
                        format!("{:?} signo/code/addr {:?} iterations {}", e.term, e.g, e.r2)
                    };
                    panic!(
                        "{what}: {name} differs from the interpreter\n  {name}: {}\n  interp: {}{}{}\n{src}",
                        show(&got),
                        show(&want),
                        if got.cpu != want.cpu { "\n  (CPU state differs)" } else { "" },
                        if got.page != want.page { "\n  (memory differs)" } else { "" },
                    );
                }
                if name == "jit threshold 0" {
                    assert!(
                        native > 0,
                        "{what}: the hot loop did not run as JIT code under {name}"
                    );
                }
            }
        }
    }
}

/// The first address past `a`'s page (the page an access straddles into).
fn next_page(a: u64) -> u64 {
    (a | 0xfff).wrapping_add(1)
}

fn loads(form: Form) {
    let cases: &[(u64, u64)] = &[
        (PAGE + 0x1000, 0),            // just past the end of the mapping
        (PAGE + 0xffc, 0),             // straddling it
        (0, 0),                        // address 0
        (0x7fff_ffff_f000, 0),         // high canonical
        (0xffff_8000_0000_0000, 0),    // non-canonical
        (u64::MAX - 7, 0),             // the last 8 bytes of the address space
        (u64::MAX - 3, 0),             // wrapping around its end
        (u64::MAX - 7, 0x10),          // a sum that wraps around to 8
        (PAGE + 0x1000 - 0x10, 0x10),  // a sum just past the end of the mapping
        (0x0000_d000_0000_0000, 0x10), // past the user address space
    ];
    for &(ptr, off) in cases {
        let wild = ptr.wrapping_add(off);
        check(
            Kind::Load,
            form,
            ptr,
            off,
            SEGV_MAPERR,
            &[wild, next_page(wild)],
        );
    }
}

fn stores(form: Form) {
    let cases: &[(u64, u64, u64)] = &[
        (PAGE + 0x1000, 0, SEGV_MAPERR),
        (PAGE + 0xffc, 0, SEGV_MAPERR),
        (0, 0, SEGV_MAPERR),
        (0x7fff_ffff_f000, 0, SEGV_MAPERR),
        (0xffff_8000_0000_0000, 0, SEGV_MAPERR),
        (u64::MAX - 7, 0, SEGV_MAPERR),
        (u64::MAX - 3, 0, SEGV_MAPERR),
        (u64::MAX - 7, 0x10, SEGV_MAPERR),
        (RO_PAGE + 0x10, 0, SEGV_ACCERR), // a read-only page
        (RO_PAGE - 0x10, 0x18, SEGV_ACCERR),
    ];
    for &(ptr, off, code) in cases {
        let wild = ptr.wrapping_add(off);
        check(Kind::Store, form, ptr, off, code, &[wild, next_page(wild)]);
    }
}

#[test]
fn wild_loads_in_a_hot_loop_fault_like_the_interpreter() {
    loads(Form::Simple);
}

#[test]
fn wild_stores_in_a_hot_loop_fault_like_the_interpreter() {
    stores(Form::Simple);
}

#[test]
fn wild_loads_in_a_loop_mode_pipeline_fault_like_the_interpreter() {
    loads(Form::LoopMode);
}

#[test]
fn wild_stores_in_a_loop_mode_pipeline_fault_like_the_interpreter() {
    stores(Form::LoopMode);
}

/// What the program does to its page between two runs of the same hot loop.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Change {
    /// munmap: the loop's first load faults (SEGV_MAPERR)
    Unmap,
    /// mprotect PROT_NONE: the first load faults (SEGV_ACCERR)
    NoAccess,
    /// mprotect PROT_READ: the loads work, the first store faults (SEGV_ACCERR)
    ReadOnly,
    /// munmap and mmap again: no fault, the loop sees a fresh zero page
    Remap,
}

/// A hot loop reads the page and writes into its upper half; then the program
/// changes the page's mapping and runs the same (compiled) loop again.
fn remap_source(change: Change, handler: bool) -> String {
    let mut s = prelude(handler);
    let page = format!("{PAGE:#x}");
    s += "    { addd,0 0, 0, %r6\n      addd,1 0, 0, %r4 }\n";
    s += ".Lpass:\n";
    s += &format!(
        "    {{ addd,0 0, {page}, %r1\n      addd,1 0, 0, %r2\n      disp %ctpr1, .Lloop }}\n"
    );
    s += ".Lloop:
    { ldd,0 %r1, 0, %r3
      std,2 %r2, %r1, 0x800
      addd,1 %r1, 8, %r1
      addd,3 %r2, 1, %r2
      cmpbdb,4 %r2, 39, %pred0 }
    { addd,0 %r4, %r3, %r4
      ct %ctpr1 ? %pred0 }
    { cmpedb,0 %r6, 0, %pred1
      disp %ctpr2, .Lfinish }
    { ct %ctpr2 ? ~%pred1 }
";
    match change {
        Change::Unmap => s += &syscall(91, &[&page, "0x1000"]),
        Change::NoAccess => s += &syscall(125, &[&page, "0x1000", "0"]),
        Change::ReadOnly => s += &syscall(125, &[&page, "0x1000", "1"]),
        Change::Remap => {
            s += &syscall(91, &[&page, "0x1000"]);
            s += &syscall(90, &[&page, "0x1000", "3", "0x112", "-1", "0"]);
        }
    }
    s += "    { addd,0 0, 1, %r6\n      disp %ctpr2, .Lpass }\n    { ct %ctpr2 }\n";
    // after the second pass: exit with the low byte of the sum (the pass-1 stores
    // are gone after the remap, so it differs from a run that read stale memory)
    s += ".Lfinish:\n";
    s += &syscall(300, &["%r4"]);
    s + &postlude()
}

#[test]
fn mapping_changes_reach_compiled_loops() {
    let interp = TierOptions {
        tier: Some(Tier::Interp),
        ..TierOptions::default()
    };
    for change in [
        Change::Unmap,
        Change::NoAccess,
        Change::ReadOnly,
        Change::Remap,
    ] {
        for v in [3u8, 6] {
            for handler in [true, false] {
                let src = remap_source(change, handler);
                let what = format!("{change:?}, v{v}, handler {handler}");
                let (want, _) = run(&src, v, &interp);
                let (code, addrs) = match change {
                    Change::Unmap => (SEGV_MAPERR, [PAGE, PAGE + 0x800]),
                    Change::NoAccess => (SEGV_ACCERR, [PAGE, PAGE + 0x800]),
                    Change::ReadOnly => (SEGV_ACCERR, [PAGE + 0x800; 2]),
                    Change::Remap => (0, [0; 2]),
                };
                if change == Change::Remap {
                    assert!(
                        matches!(want.term, Termination::Exited(_)),
                        "{what}: interpreter {:?}",
                        want.term
                    );
                } else {
                    assert_segv(&want, &what, handler, code, &addrs);
                }
                if change != Change::Remap && !handler {
                    // the first iteration of the second pass
                    assert_eq!(want.r2, 0, "{what}: interpreter iterations");
                }
                for (name, t) in tiers() {
                    let (got, native) = run(&src, v, &t);
                    assert!(
                        got == want,
                        "{what}: {name} differs from the interpreter: {:?} {:x?} vs {:?} {:x?}{}{}\n{src}",
                        got.term,
                        got.g,
                        want.term,
                        want.g,
                        if got.cpu != want.cpu { " (CPU state differs)" } else { "" },
                        if got.page != want.page { " (memory differs)" } else { "" },
                    );
                    if name == "jit threshold 0" {
                        assert!(native > 0, "{what}: the loop did not run as JIT code");
                    }
                }
            }
        }
    }
}

/// A hot loop stores into its own code: in pass `at` it copies the bundle at `alt`
/// (`addd %r4, 7`) over the bundle at `target` (`addd %r4, 1`), which runs right
/// after the store in the same pass and in every later one. The text is made
/// writable by mprotect.
fn smc_source(passes: u64, at: u64) -> String {
    let mut s = prelude(false);
    s += "    { addd,0 0, _start, %r20 }\n    { andd,0 %r20, -4096, %r20 }\n";
    s += &syscall(125, &["%r20", "0x2000", "7"]);
    s += &format!(
        "    {{ addd,0 0, 0, %r4
      addd,1 0, 0, %r2
      addd,2 0, alt, %r10
      addd,3 0, target, %r12
      disp %ctpr1, .Lloop }}
.Lloop:
    {{ ldd,0 %r10, 0, %r11
      addd,1 %r2, 1, %r2
      cmpedb,3 %r2, {at}, %pred1 }}
    {{ std,2 %r11, %r12, 0 ? %pred1
      cmpbdb,0 %r2, {passes}, %pred0 }}
target:
    {{ addd,0 %r4, 1, %r4 }}
    {{ ct %ctpr1 ? %pred0 }}
"
    );
    s += &syscall(300, &["%r4"]);
    s += "alt:\n    { addd,0 %r4, 7, %r4 }\n";
    s + &postlude()
}

#[test]
fn stores_into_compiled_code_are_seen() {
    let interp = TierOptions {
        tier: Some(Tier::Interp),
        ..TierOptions::default()
    };
    let passes = 20;
    for at in [0, 10] {
        for v in [3u8, 6] {
            let src = smc_source(passes, at);
            let (want, _) = run(&src, v, &interp);
            // the patched bundle runs from pass `at` on
            let sum = at + 7 * (passes - at);
            assert_eq!(
                want.term,
                Termination::Exited(sum as i32 & 0xff),
                "v{v}, patch in pass {at}: interpreter\n{src}"
            );
            for (name, t) in tiers() {
                let (got, native) = run(&src, v, &t);
                assert!(
                    got == want,
                    "v{v}, patch in pass {at}: {name} differs from the interpreter: {:?} vs {:?}{}\n{src}",
                    got.term,
                    want.term,
                    if got.cpu != want.cpu {
                        " (CPU state differs)"
                    } else {
                        ""
                    },
                );
                if name == "jit threshold 0" {
                    assert!(native > 0, "v{v}, patch in pass {at}: no JIT code ran");
                }
            }
        }
    }
}
