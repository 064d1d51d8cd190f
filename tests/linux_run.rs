//! End-to-end tests of the `e2kemu` command on small hand-encoded e2k executables:
//! write/exit, exit status truncation, faults becoming signals, signal handlers and
//! rt_sigreturn, syscall ABI corner cases (§15), -strace, and CLI errors.

#[path = "linux_common.rs"]
mod common;

use common::*;
use std::os::unix::process::ExitStatusExt;

fn hello() -> Prog {
    let mut p = Prog::new();
    let msg = p.datum(b"Hello, e2k!\n");
    p.syscall(4, &[1, msg, 12]);
    p.exit(0);
    p
}

#[test]
fn hello_write_and_exit() {
    let o = run_prog("hello", &hello(), &["-cpu", "e8c2"], &[]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Hello, e2k!\n");
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn hello_on_every_cpu_model() {
    for cpu in ["e2s", "e8c", "e8c2", "e16c", "elbrus-v3"] {
        let o = run_prog(&format!("hello-{cpu}"), &hello(), &["-cpu", cpu], &[]);
        assert_eq!(o.stdout, b"Hello, e2k!\n", "cpu {cpu}");
        assert_eq!(o.status.code(), Some(0));
    }
}

#[test]
fn exit_status_is_the_low_byte() {
    let mut p = Prog::new();
    p.exit(0x1_0000_012a);
    let o = run_prog("exit42", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(42));
}

#[test]
fn strace_shows_calls() {
    let o = run_prog("strace", &hello(), &["-strace"], &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("write(1,0x40000,12) = 12"), "{err}");
    assert!(err.contains("exit_group(0)"), "{err}");
}

#[test]
fn fault_without_handler_kills_with_sigsegv() {
    let mut p = Prog::new();
    p.add(B::new().load(LDB, 0, 0x40, r(0), false));
    p.exit(0);
    let o = run_prog("segv", &p, &[], &[]);
    assert_eq!(o.status.signal(), Some(11), "status {:?}", o.status);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("uncaught target signal 11 (Segmentation fault)"),
        "{err}"
    );
}

#[test]
fn unknown_syscall_is_enosys() {
    let mut p = Prog::new();
    p.syscall(9999, &[]);
    p.add(B::new().sdisp(1, 3).movi(0, 300, r(8)).neg(1, r(8), r(9)));
    p.add(B::new().call(1, 4));
    let o = run_prog("enosys", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(38));
}

#[test]
fn bad_descriptor_and_bad_buffer() {
    // write(57, ...) -> -EBADF (9), then write(1, 0x100, 4) -> -EFAULT (14); exit(9+14)
    let mut p = Prog::new();
    p.syscall(4, &[57, DATA, 1]);
    p.add(B::new().neg(0, r(8), r(0)));
    p.syscall(4, &[1, 0x100, 4]);
    p.add(B::new().neg(0, r(8), r(1)));
    p.add(
        B::new()
            .sdisp(1, 3)
            .movi(0, 300, r(8))
            .alu_add(1, r(0), r(1), r(9)),
    );
    p.add(B::new().call(1, 4));
    let o = run_prog("ebadf", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(23));
}

#[test]
fn tagged_syscall_number_is_enosys() {
    // a speculative load of an unmapped address gives a diagnostic value; used as
    // the number of exit it must not exit (§15.3) but return -ENOSYS
    let mut p = Prog::new();
    p.add(
        B::new()
            .load(LDD, 0, 0x40, r(8), true)
            .sdisp(1, 3)
            .movi(1, 7, r(9)),
    );
    p.add(B::new().call(1, 4));
    p.add(B::new().sdisp(1, 3).movi(0, 300, r(8)).neg(1, r(8), r(9)));
    p.add(B::new().call(1, 4));
    let o = run_prog("tagged", &p, &["-cpu", "e8c2,tags=on"], &[]);
    assert_eq!(
        o.status.code(),
        Some(38),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn empty_callee_window_is_a_no_op() {
    // the initial window has 16 registers: call wbs=8 leaves the kernel nothing
    let mut p = Prog::new();
    p.add(B::new().sdisp(1, 3).movi(0, 1, r(8)).movi(1, 5, r(9)));
    p.add(B::new().call(1, 8));
    p.exit(3);
    let o = run_prog("emptywin", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(3));
}

#[test]
fn unknown_trap_entry_is_sigsegv() {
    let mut p = Prog::new();
    p.add(B::new().sdisp(1, 9).movi(0, 1, r(8)));
    p.add(B::new().call(1, 4));
    p.exit(0);
    let o = run_prog("entry9", &p, &[], &[]);
    assert_eq!(o.status.signal(), Some(11));
}

#[test]
fn fast_syscall_clock_gettime() {
    // entry 6, number 1 = clock_gettime(CLOCK_MONOTONIC, buf): result 0
    let mut p = Prog::new();
    let buf = p.datum(&[0u8; 16]);
    p.add(
        B::new()
            .sdisp(1, 6)
            .movi(0, 1, r(8))
            .movi(1, 1, r(9))
            .movi(2, buf, r(10)),
    );
    p.add(B::new().call(1, 4));
    p.add(B::new().load(LDD, 0, buf, r(0), false).sdisp(1, 3));
    p.add(B::new().sdisp(1, 3).movi(0, 300, r(8)).mov(1, r(8), r(9)));
    p.add(B::new().call(1, 4));
    let o = run_prog("fastclock", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(0));
}

/// rt_sigaction(SIGSEGV, {handler, SA_SIGINFO}) then a bad store: the handler gets
/// (signo, &info, &uc) and exits with si_signo + si_code (11 + 1).
#[test]
fn sigsegv_handler_gets_siginfo() {
    let mut p = Prog::new();
    let act = p.datum(&[0u8; 32]);
    p.syscall(174, &[11, act, 0, 8]);
    p.add(B::new().store(2, 0x48, r(0)));
    p.exit(99);
    // handler
    let handler = p.add(B::setwd(8));
    p.add(
        B::new()
            .alu_ld_reg(0, LDW, r(1), 0, r(3))
            .alu_ld_reg(2, LDW, r(1), 8, r(4)),
    );
    p.add(
        B::new()
            .sdisp(1, 3)
            .movi(0, 300, r(8))
            .alu_add(1, r(3), r(4), r(9)),
    );
    p.add(B::new().call(1, 4));
    let mut a = handler.to_le_bytes().to_vec();
    a.extend(4u64.to_le_bytes());
    p.data[(act - DATA) as usize..(act - DATA) as usize + 16].copy_from_slice(&a);
    let o = run_prog("segvh", &p, &[], &[]);
    assert_eq!(
        o.status.code(),
        Some(12),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A SIGUSR1 handler that returns: execution resumes after kill() with the
/// interrupted registers intact; a blocked signal stays pending until unblocked.
#[test]
fn handler_returns_through_sigreturn() {
    let mut p = Prog::new();
    let act = p.datum(&[0u8; 32]);
    let count = p.datum(&[0u8; 8]);
    let set = p.datum(&(1u64 << 9).to_le_bytes());
    p.syscall(174, &[10, act, 0, 8]);
    p.syscall(20, &[]);
    p.add(B::new().mov(0, r(8), r(0)).movi(1, 0x7e57, r(2)));
    // kill(pid, SIGUSR1)
    p.add(
        B::new()
            .sdisp(1, 3)
            .movi(0, 37, r(8))
            .mov(1, r(0), r(9))
            .movi(2, 10, r(10)),
    );
    p.add(B::new().call(1, 4));
    // block, kill again, read the count (must stay 1), unblock
    p.syscall(175, &[0, set, 0, 8]);
    p.add(
        B::new()
            .sdisp(1, 3)
            .movi(0, 37, r(8))
            .mov(1, r(0), r(9))
            .movi(2, 10, r(10)),
    );
    p.add(B::new().call(1, 4));
    p.add(B::new().load(LDD, 0, count, r(3), false));
    p.syscall(175, &[1, set, 0, 8]);
    // exit(count_after * 16 + count_before_unblock + (canary == 0x7e57 ? 0 : 100))
    p.add(
        B::new()
            .load(LDD, 0, count, r(4), false)
            .movi(1, 0x7e57, r(5)),
    );
    p.add(
        B::new()
            .alu(0, 0x13, r(2), r(5), r(5), false)
            .alu_shl(1, r(4), 4, r(4)),
    );
    p.add(B::new().alu_add(0, r(4), r(3), r(4)));
    p.add(
        B::new()
            .sdisp(1, 3)
            .movi(0, 300, r(8))
            .alu_add(1, r(4), r(5), r(9)),
    );
    p.add(B::new().call(1, 4));
    // handler: count++ ; return
    let handler = p.add(B::setwd(8));
    p.add(B::new().load(LDD, 0, count, r(1), false));
    p.add(B::new().movi(0, 1, r(2)));
    p.add(B::new().alu_add(0, r(1), r(2), r(1)));
    p.add(B::new().store(2, count, r(1)).ret());
    p.add(B::new().ct3());
    let o0 = (act - DATA) as usize;
    p.data[o0..o0 + 8].copy_from_slice(&handler.to_le_bytes());
    let o = run_prog("sigret", &p, &[], &[]);
    assert_eq!(
        o.status.code(),
        Some(2 * 16 + 1),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn access_hw_stacks_rejects_misaligned_buffer() {
    // GET_PROCEDURE_STACK_SIZE works (0), READ_PROCEDURE_STACK_EX to an odd buffer
    // is -EFAULT: exit(first * 100 + -second)
    let mut p = Prog::new();
    let off = p.datum(&0u64.to_le_bytes());
    let out = p.datum(&[0u8; 64]);
    p.syscall(254, &[5, off, out, 8, out]);
    p.add(B::new().mov(0, r(8), r(0)));
    p.syscall(254, &[7, off, out + 1, 8, 0]);
    p.add(B::new().neg(0, r(8), r(1)).movi(1, 100, r(2)));
    p.add(B::new().alu(0, 0x11, r(0), r(1), r(1), false));
    p.add(B::new().sdisp(1, 3).movi(0, 300, r(8)).mov(1, r(1), r(9)));
    p.add(B::new().call(1, 4));
    let o = run_prog("hwstacks", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(14));
}

#[test]
fn missing_program_is_a_one_line_error() {
    let o = e2kemu(&[std::ffi::OsStr::new("/nonexistent/prog")]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("e2kemu: /nonexistent/prog: "), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn non_e2k_program_is_refused() {
    let f = temp_file("notelf", b"#!/bin/sh\necho hi\n");
    let o = e2kemu(&[f.as_os_str()]);
    let _ = std::fs::remove_file(&f);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("notelf: not an ELF file"), "{err}");
    let mut p = hello();
    p.flags = 0x20; // protected mode
    let o = run_prog("pm", &p, &[], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("protected-mode"));
}

#[test]
fn cli_help_version_cpu_list() {
    let o = e2kemu(&[std::ffi::OsStr::new("-cpu"), std::ffi::OsStr::new("help")]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("e8c2"));
    let o = e2kemu(&[std::ffi::OsStr::new("-version")]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("e2kemu"));
    let o = e2kemu(&[std::ffi::OsStr::new("-d"), std::ffi::OsStr::new("help")]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("in_asm"));
    let o = e2kemu(&[std::ffi::OsStr::new("-bogus")]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn assembly_source_and_bundled_example() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello.s");
    let o = e2kemu(&[
        std::ffi::OsStr::new("-cpu"),
        std::ffi::OsStr::new("e8c"),
        src.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("Hello from e2kemu!"));
    let o = e2kemu(&[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("Hello from e2kemu!"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Run your own"));
    // an assembly error is reported with its location
    let bad = temp_file("bad.s", b"  frobnicate %r0\n");
    let o = e2kemu(&[bad.as_os_str()]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bad.s:1:"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn environment_and_argv0_options() {
    // write(1, argv[0]...) is hard without a loader in the guest; instead check
    // that E2KEMU_* variables configure the run like the options
    let f = temp_file("envopts", &hello().elf());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .env_clear()
        .env("E2KEMU_CPU", "e16c")
        .env("E2KEMU_STRACE", "1")
        .env("E2KEMU_STACK_SIZE", "1M")
        .arg(&f)
        .output()
        .unwrap();
    let log = temp_file("envopts.log", b"");
    let o2 = e2kemu(&[
        std::ffi::OsStr::new("-strace"),
        std::ffi::OsStr::new("-D"),
        log.as_os_str(),
        f.as_os_str(),
    ]);
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&f);
    let _ = std::fs::remove_file(&log);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exit_group(0)"));
    assert_eq!(o2.status.code(), Some(0));
    assert!(logged.contains("write(1,"), "{logged}");
    assert!(!String::from_utf8_lossy(&o2.stderr).contains("write(1,"));
}

/// Every system call number with garbage arguments (bad pointers, descriptors,
/// sizes) returns an error or a value; the emulator never panics. Calls that would
/// end, block or fork the process are left out.
#[test]
fn garbage_arguments_never_crash() {
    const SKIP: &[u64] = &[
        1, 2, 29, 37, 114, 119, 120, 162, 173, 179, 190, 246, 248, 269, 300, 308, 27, 66, 57, 11,
        229, 426,
    ];
    for (k, g) in [0xdead_beef_0000_0008u64, 8, u64::MAX, 0x7fff_ffff_f000]
        .iter()
        .enumerate()
    {
        let mut p = Prog::new();
        for nr in (0..440).chain([9999, 1 << 31, u32::MAX as u64]) {
            if SKIP.contains(&nr) {
                continue;
            }
            // at most two 64-bit literals per bundle
            p.add(B::new().movi(0, *g, r(9)).movi(1, *g, r(10)));
            p.add(B::new().movi(0, *g, r(11)).movi(1, *g, r(12)));
            p.add(B::new().movi(0, *g, r(13)).movi(1, *g, r(14)));
            p.add(B::new().sdisp(1, 3).movi(0, nr, r(8)));
            p.add(B::new().call(1, 4));
        }
        for nr in 0..10 {
            p.add(B::new().movi(0, *g, r(9)).movi(1, *g, r(10)));
            p.add(B::new().sdisp(1, 6).movi(0, nr, r(8)));
            p.add(B::new().call(1, 4));
        }
        p.exit(0);
        let o = run_prog(&format!("garbage{k}"), &p, &["-strace"], &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        if std::env::var_os("E2KEMU_TEST_SHOW").is_some() {
            eprintln!("{err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            o.status.code(),
            Some(0),
            "args {g:#x}: {:?} {err}",
            o.status
        );
    }
}
