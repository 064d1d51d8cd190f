//! ELF loader tests (in process): the initial stack (argc, argv, envp, auxv), stack
//! registers, ISA selection from e_flags, and precise errors for bad ELF files.

#[path = "linux_common.rs"]
mod common;

use common::*;
use e2kemu::linux::{Config, Process, Termination};

fn cfg(argv: &[&str], env: &[&str]) -> Config {
    Config {
        argv: argv.iter().map(|s| s.as_bytes().to_vec()).collect(),
        envp: env.iter().map(|s| s.as_bytes().to_vec()).collect(),
        exe_path: "/tmp/prog".into(),
        seed: Some(7),
        ..Config::default()
    }
}

fn hello_elf(flags: u32) -> Vec<u8> {
    let mut p = Prog::new();
    p.flags = flags;
    p.exit(5);
    p.elf()
}

fn cstr(p: &mut Process, a: u64) -> String {
    String::from_utf8(p.mem.read_cstr(a, 4096).unwrap()).unwrap()
}

#[test]
fn initial_stack_layout() {
    let c = cfg(
        &["prog", "alpha", "", "gamma delta"],
        &["E2K_A=1", "E2K_B=two words"],
    );
    let mut p = Process::new(&hello_elf(0x0500_0000), "prog", &c).unwrap();
    let sp = p.cpu.usd_base;
    assert_eq!(sp % 16, 0);
    assert_eq!(p.cpu.ip, CODE);
    assert_eq!(p.cpu.iset, 5);
    assert!(p.cpu.sbr > sp);
    assert_eq!(p.cpu.usd_size % 16, 0);
    assert!(p.cpu.usd_size >= (8u64 << 20) - 4096 * 4);
    let rd = |p: &mut Process, a: u64| p.mem.read_u64(a).unwrap();
    assert_eq!(rd(&mut p, sp), 4);
    let want = ["prog", "alpha", "", "gamma delta"];
    for (i, w) in want.iter().enumerate() {
        let a = rd(&mut p, sp + 8 + 8 * i as u64);
        assert_eq!(cstr(&mut p, a), *w);
    }
    assert_eq!(rd(&mut p, sp + 40), 0);
    let envs = ["E2K_A=1", "E2K_B=two words"];
    for (i, w) in envs.iter().enumerate() {
        let a = rd(&mut p, sp + 48 + 8 * i as u64);
        assert_eq!(cstr(&mut p, a), *w);
    }
    assert_eq!(rd(&mut p, sp + 64), 0);
    let mut aux = std::collections::HashMap::new();
    let mut a = sp + 72;
    loop {
        let (t, v) = (rd(&mut p, a), rd(&mut p, a + 8));
        if t == 0 {
            break;
        }
        aux.insert(t, v);
        a += 16;
    }
    assert_eq!(aux[&6], 4096); // AT_PAGESZ
    assert_eq!(aux[&4], 56); // AT_PHENT
    assert_eq!(aux[&5], 2); // AT_PHNUM
    assert_eq!(aux[&9], CODE); // AT_ENTRY
    assert_eq!(aux[&7], 0); // AT_BASE (static)
    assert_eq!(aux[&17], 100); // AT_CLKTCK
    assert_eq!(aux[&23], 0); // AT_SECURE
    let phdr = aux[&3];
    assert_eq!(p.mem.read_u32(phdr).unwrap(), 1); // PT_LOAD
    assert_eq!(rd(&mut p, phdr + 16), 0x10000); // its p_vaddr
    let rnd = aux[&25];
    let mut r = [0u8; 16];
    p.mem.read(rnd, &mut r).unwrap();
    assert_ne!(r, [0u8; 16]);
    assert_eq!(cstr(&mut p, aux[&31]), "/tmp/prog"); // AT_EXECFN
    assert_eq!(cstr(&mut p, aux[&15]), "e2k"); // AT_PLATFORM
    for k in [11, 12, 13, 14, 16] {
        assert!(aux.contains_key(&k), "AT {k} missing");
    }
}

#[test]
fn iset_from_e_flags_and_cpu_option() {
    let p = Process::new(&hello_elf(0x0300_0000), "x", &cfg(&["x"], &[])).unwrap();
    assert_eq!(p.cpu.iset, 3);
    let p = Process::new(&hello_elf(0), "x", &cfg(&["x"], &[])).unwrap();
    assert_eq!(p.cpu.iset, 5, "generic code runs on the default model");
    let p = Process::new(&hello_elf(0x0500_0010), "x", &cfg(&["x"], &[])).unwrap();
    assert_eq!(p.cpu.iset, 5);
    let mut c = cfg(&["x"], &[]);
    c.iset = Some(6);
    let p = Process::new(&hello_elf(0x0300_0000), "x", &c).unwrap();
    assert_eq!(p.cpu.iset, 6);
    assert!(p.iset_warning.is_none());
    c.iset = Some(3);
    let p = Process::new(&hello_elf(0x0600_0000), "x", &c).unwrap();
    assert!(p.iset_warning.is_some());
}

#[test]
fn runs_in_process() {
    let mut p = Process::new(&hello_elf(0x0300_0000), "x", &cfg(&["x"], &[])).unwrap();
    assert_eq!(p.run(), Termination::Exited(5));
    assert_eq!(p.cpu.stats.syscalls, 1);
}

fn load_err(bytes: &[u8]) -> String {
    match Process::new(bytes, "bad.elf", &cfg(&["x"], &[])) {
        Ok(_) => panic!("loaded a bad ELF"),
        Err(e) => {
            let s = e.to_string();
            assert!(s.starts_with("bad.elf: "), "{s}");
            assert_eq!(s.lines().count(), 1);
            s
        }
    }
}

#[test]
fn bad_elf_files_are_precise_errors() {
    let good = hello_elf(0);
    assert!(load_err(b"").contains("not an ELF file"));
    assert!(load_err(b"MZ\x90\x00").contains("not an ELF file"));
    assert!(load_err(&good[..10]).contains("truncated"));
    assert!(load_err(&good[..40]).contains("bad ELF header"));

    let mut b = good.clone();
    b[4] = 1;
    assert!(load_err(&b).contains("32-bit"));
    let mut b = good.clone();
    b[5] = 2;
    assert!(load_err(&b).contains("big-endian"));
    let mut b = good.clone();
    b[18] = 62; // x86-64
    assert!(load_err(&b).contains("not an e2k executable (e_machine 62"));
    let mut b = good.clone();
    b[16] = 1; // ET_REL
    assert!(load_err(&b).contains("relocatable"));
    assert!(load_err(&hello_elf(0x20)).contains("protected-mode"));
    assert!(load_err(&hello_elf(0x04)).contains("x86 application"));
    assert!(load_err(&hello_elf(99 << 24)).contains("unknown CPU model code 99"));

    // program headers beyond the end of the file
    let mut b = good.clone();
    b[32..40].copy_from_slice(&0x10_0000u64.to_le_bytes());
    assert!(load_err(&b).contains("program header table"));
    // segment data beyond the end of the file
    let mut b = good.clone();
    let ph = 64 + 56 + 32; // second phdr's p_filesz and p_memsz
    b[ph..ph + 8].copy_from_slice(&0x100_0000u64.to_le_bytes());
    b[ph + 8..ph + 16].copy_from_slice(&0x100_0000u64.to_le_bytes());
    assert!(load_err(&b).contains("beyond the end of the file"));
    // file size larger than memory size
    let mut b = good.clone();
    let ph = 64 + 56 + 32; // second phdr's p_filesz, then p_memsz
    b[ph..ph + 8].copy_from_slice(&0x10u64.to_le_bytes());
    b[ph + 8..ph + 16].copy_from_slice(&0x8u64.to_le_bytes());
    assert!(load_err(&b).contains("exceeds memory size"));
    // no loadable segment
    let mut b = good.clone();
    b[64..68].copy_from_slice(&6u32.to_le_bytes());
    b[120..124].copy_from_slice(&6u32.to_le_bytes());
    assert!(load_err(&b).contains("no loadable"));
    // segment outside the user address space
    let mut b = good;
    let ph = 64 + 56 + 16; // second phdr's p_vaddr
    b[ph..ph + 8].copy_from_slice(&0xffff_0000_0000_0000u64.to_le_bytes());
    assert!(load_err(&b).contains("outside the user address space"));
}

#[test]
fn truncations_never_panic() {
    let good = hello_elf(0);
    for n in 0..good.len().min(0x1100) {
        let _ = Process::new(&good[..n], "t", &cfg(&["x"], &[]));
    }
}

#[test]
fn missing_interpreter_names_it() {
    // a PT_INTERP pointing to a file that does not exist
    let mut b = hello_elf(0);
    let path = b"/nonexistent/ld-e2k.so\0";
    let off = 0x200usize;
    b[off..off + path.len()].copy_from_slice(path);
    // second program header -> PT_INTERP at file offset 0x200
    let p2 = 64 + 56;
    b[p2..p2 + 4].copy_from_slice(&3u32.to_le_bytes());
    b[p2 + 8..p2 + 16].copy_from_slice(&(off as u64).to_le_bytes());
    b[p2 + 32..p2 + 40].copy_from_slice(&(path.len() as u64).to_le_bytes());
    b[p2 + 40..p2 + 48].copy_from_slice(&(path.len() as u64).to_le_bytes());
    let e = load_err(&b);
    assert!(e.contains("/nonexistent/ld-e2k.so"), "{e}");
}

/// A minimal ELF with one r-x PT_LOAD (code at file offset 0x1000) and optionally a
/// PT_INTERP; `dyn_` makes it ET_DYN linked at 0.
fn custom_elf(code: &[u8], dyn_: bool, interp: Option<&[u8]>) -> Vec<u8> {
    use object::write::elf::{FileHeader, ProgramHeader, Writer};
    let base = if dyn_ { 0 } else { 0x10000 };
    let mut out = Vec::new();
    let mut w = Writer::new(object::Endianness::Little, true, &mut out);
    w.reserve_file_header();
    w.reserve_program_headers(if interp.is_some() { 2 } else { 1 });
    let interp_off = interp.map(|p| w.reserve(p.len() + 1, 1));
    w.reserve_until(0x1000);
    let code_off = w.reserve(code.len(), 1);
    w.write_file_header(&FileHeader {
        os_abi: 0,
        abi_version: 0,
        e_type: if dyn_ {
            object::elf::ET_DYN
        } else {
            object::elf::ET_EXEC
        },
        e_machine: 175,
        e_entry: base + 0x1000,
        e_flags: 0x0500_0000,
    })
    .unwrap();
    w.write_align_program_headers();
    if let (Some(p), Some(off)) = (interp, interp_off) {
        w.write_program_header(&ProgramHeader {
            p_type: object::elf::PT_INTERP,
            p_flags: object::elf::PF_R,
            p_offset: off as u64,
            p_vaddr: base + off as u64,
            p_paddr: 0,
            p_filesz: p.len() as u64 + 1,
            p_memsz: p.len() as u64 + 1,
            p_align: 1,
        });
    }
    w.write_program_header(&ProgramHeader {
        p_type: object::elf::PT_LOAD,
        p_flags: object::elf::PF_R | object::elf::PF_X,
        p_offset: 0,
        p_vaddr: base,
        p_paddr: base,
        p_filesz: (code_off + code.len()) as u64,
        p_memsz: (code_off + code.len()) as u64,
        p_align: 0x1000,
    });
    if let Some(p) = interp {
        w.write(p);
        w.write(&[0]);
    }
    w.pad_until(code_off);
    w.write(code);
    out
}

#[test]
fn interpreter_from_the_prefix() {
    // the "interpreter" is position independent: exit_group(7)
    let mut ip = Prog::new();
    ip.exit(7);
    let interp = custom_elf(&ip.code, true, None);
    let root = std::env::temp_dir().join(format!("e2kemu-interp-{}", std::process::id()));
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::write(root.join("lib/ld-test.so"), &interp).unwrap();
    // the main program would exit(5)
    let mut mp = Prog::new();
    mp.exit(5);
    let main = custom_elf(&mp.code, false, Some(b"/lib/ld-test.so"));
    let mut c = cfg(&["m"], &[]);
    c.ld_prefix = Some(root.clone());
    let mut p = Process::new(&main, "m", &c).unwrap();
    let sp = p.cpu.usd_base;
    let mut aux = std::collections::HashMap::new();
    let mut a = sp + 8 * 4; // argc, argv[0], NULL, envp NULL
    loop {
        let (t, v) = (p.mem.read_u64(a).unwrap(), p.mem.read_u64(a + 8).unwrap());
        if t == 0 {
            break;
        }
        aux.insert(t, v);
        a += 16;
    }
    let base = aux[&7];
    assert_ne!(base, 0, "AT_BASE");
    assert_eq!(p.cpu.ip, base + 0x1000, "starts in the interpreter");
    assert_eq!(aux[&9], 0x11000, "AT_ENTRY is the program's entry");
    assert_eq!(p.run(), Termination::Exited(7));
    // without the prefix the interpreter is not found
    let e = Process::new(&main, "m", &cfg(&["m"], &[]))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("/lib/ld-test.so"), "{e}");
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn position_independent_main_program() {
    let mut mp = Prog::new();
    mp.exit(9);
    let elf = custom_elf(&mp.code, true, None);
    let mut p = Process::new(&elf, "pie", &cfg(&["pie"], &[])).unwrap();
    assert!(p.cpu.ip > 0x10000 && p.cpu.ip.is_multiple_of(4096));
    assert_eq!(p.run(), Termination::Exited(9));
}
