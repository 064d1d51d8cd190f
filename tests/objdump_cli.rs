//! `e2kemu-objdump` on hand-made e2k ELF objects: objdump's layout, the ISA version taken
//! from e_flags (or -mcpu), and one-line errors without panics on bad or truncated files.

use object::elf;
use object::write::elf::{FileHeader, SectionHeader, Sym, Writer};
use object::Endianness;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// A relocatable e2k ELF64 with `.text` = `code` and symbols (name, offset, global).
fn make_elf(code: &[u8], e_flags: u32, syms: &[(&str, u64, bool)]) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, true, &mut buf);
    w.reserve_file_header();
    w.reserve_null_section_index();
    let text_name = w.add_section_name(b".text");
    let text_index = w.reserve_section_index();
    let text_off = w.reserve(code.len(), 8);
    w.reserve_null_symbol_index();
    let names: Vec<_> = syms
        .iter()
        .map(|(n, _, _)| w.add_string(n.as_bytes()))
        .collect();
    for _ in syms {
        w.reserve_symbol_index(Some(text_index));
    }
    w.reserve_symtab_section_index();
    w.reserve_symtab();
    w.reserve_strtab_section_index();
    w.reserve_strtab();
    w.reserve_shstrtab_section_index();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    w.write_file_header(&FileHeader {
        os_abi: 0,
        abi_version: 0,
        e_type: elf::ET_REL,
        e_machine: elf::EM_MCST_ELBRUS,
        e_entry: 0,
        e_flags,
    })
    .unwrap();
    w.write_align(8);
    w.write(code);
    w.write_null_symbol();
    let num_local = 1 + syms.iter().filter(|s| !s.2).count() as u32;
    // Locals first, as ELF requires.
    let mut order: Vec<usize> = (0..syms.len()).collect();
    order.sort_by_key(|&i| syms[i].2);
    for i in order {
        let (_, off, global) = syms[i];
        w.write_symbol(&Sym {
            name: Some(names[i]),
            section: Some(text_index),
            st_info: ((if global {
                elf::STB_GLOBAL
            } else {
                elf::STB_LOCAL
            }) << 4)
                | elf::STT_FUNC,
            st_other: 0,
            st_shndx: 0,
            st_value: off,
            st_size: 0,
        });
    }
    w.write_strtab();
    w.write_shstrtab();
    w.write_null_section_header();
    w.write_section_header(&SectionHeader {
        name: Some(text_name),
        sh_type: elf::SHT_PROGBITS,
        sh_flags: (elf::SHF_ALLOC | elf::SHF_EXECINSTR) as u64,
        sh_addr: 0,
        sh_offset: text_off as u64,
        sh_size: code.len() as u64,
        sh_link: 0,
        sh_info: 0,
        sh_addralign: 8,
        sh_entsize: 0,
    });
    w.write_symtab_section_header(num_local);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    buf
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("e2kemu-objdump-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &[&str], file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_e2kemu-objdump"))
        .args(args)
        .arg(file)
        .output()
        .expect("run e2kemu-objdump")
}

/// Bundles (with their objdump text) used below; addresses are fixed by their order.
const CODE: &[&str] = &[
    "0100000482c08111",                 // 0x00 addd
    "0000000000000000",                 // 0x08 empty
    "01100000200400c0",                 // 0x10 ct + ipd
    "11800000000000000000000080000000", // 0x18 setwd
    "0140000000000040",                 // 0x28 disp to itself
];

fn code() -> Vec<u8> {
    CODE.iter().flat_map(|h| hex(h)).collect()
}

fn expected(path: &Path, dbl: &str) -> String {
    format!(
        "\n{}:     file format elf64-e2k\n\n\nDisassembly of section .text:\n\n\
         0000000000000000 <_start>:\n   0:\t\n  addd,0 %dr1, 0x0, %dr2\n\n   8:\t\n\n\
         \n0000000000000010 <loop>:\n  10:\t\n  ct %ctpr1\n  ipd 3\n\n  18:\t\n  \
         setwd wsz = 0x4, nfx = 0x0{dbl}\n\n  28:\t\n  disp %ctpr1, 0x28\n\n",
        path.display()
    )
}

#[test]
fn disassembles_with_iset_from_e_flags() {
    let dir = Scratch::new("eflags");
    let elf = make_elf(
        &code(),
        6 << 24,
        &[("_start", 0, true), ("loop", 0x10, false)],
    );
    let p = dir.file("v6.o", &elf);
    let out = run(&["-d"], &p);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected(&p, ", dbl = 0x0")
    );
    // e_flags wins over -mcpu.
    let out = run(&["-d", "-z", "-mcpu=elbrus-v2"], &p);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected(&p, ", dbl = 0x0")
    );
}

#[test]
fn falls_back_to_mcpu_then_v2() {
    let dir = Scratch::new("fallback");
    let elf = make_elf(&code(), 0, &[("_start", 0, true), ("loop", 0x10, true)]);
    let p = dir.file("v0.o", &elf);
    let out = run(&["-d"], &p);
    assert!(out.status.success());
    // v2 has no setwd dbl.
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected(&p, ""));
    let out = run(&["-d", "-mcpu=elbrus-v3"], &p);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected(&p, ", dbl = 0x0")
    );
    let out = run(&["-d", "--mcpu", "elbrus-8c"], &p);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected(&p, ", dbl = 0x0")
    );
    let out = run(&["-d", "-mcpu=elbrus-v9"], &p);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn section_label_when_no_symbol_at_start() {
    let dir = Scratch::new("nosym");
    let elf = make_elf(&code()[..8], 4 << 24, &[]);
    let p = dir.file("nosym.o", &elf);
    let out = run(&["-d"], &p);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.ends_with("\n0000000000000000 <.text>:\n   0:\t\n  addd,0 %dr1, 0x0, %dr2\n\n"),
        "{text}"
    );
}

/// One line on stderr naming the file, exit status 1, nothing on stdout, no panic.
fn assert_clean_error(out: &Output, file: &Path) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "stderr: {err}");
    assert!(err.contains(&file.display().to_string()), "stderr: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_input_is_a_one_line_error() {
    let dir = Scratch::new("bad");
    let not_elf = dir.file(
        "notelf.o",
        b"this is not an ELF file at all, not even close",
    );
    assert_clean_error(&run(&["-d"], &not_elf), &not_elf);

    let missing = std::env::temp_dir().join("e2kemu-objdump-no-such-file.o");
    assert_clean_error(&run(&["-d"], &missing), &missing);

    let mut x86 = make_elf(&code(), 0, &[]);
    x86[18] = 62; // EM_X86_64
    let x86p = dir.file("x86.o", &x86);
    assert_clean_error(&run(&["-d"], &x86p), &x86p);

    // Every truncation of a valid object either disassembles or fails cleanly.
    let elf = make_elf(&code(), 6 << 24, &[("_start", 0, true)]);
    for len in (0..elf.len()).step_by(13) {
        let p = dir.file("trunc.o", &elf[..len]);
        let out = run(&["-d"], &p);
        if !out.status.success() {
            assert_clean_error(&out, &p);
        }
    }
    // A section that points past the end of the file.
    let mut bad = elf.clone();
    let shoff = u64::from_le_bytes(bad[40..48].try_into().unwrap()) as usize;
    let text_hdr = shoff + 64; // section 1 = .text
    bad[text_hdr + 24..text_hdr + 32].copy_from_slice(&0xffff_0000u64.to_le_bytes());
    let p = dir.file("badsec.o", &bad);
    assert_clean_error(&run(&["-d"], &p), &p);
}

/// `.text` made of the golden bundles of `../shared/isa/golden/v6.jsonl` up to the first
/// APB instruction (they are contiguous from address 0): the tool walks the stream bundle
/// by bundle at the golden addresses, prints what the library prints for each, and that
/// is objdump's text for the great majority of bundles.
#[test]
fn golden_stream() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/isa/golden/v6.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("golden data missing: {}: {e}", path.display()));
    let mut code = Vec::new();
    let mut golden = Vec::new(); // (addr, bytes, objdump lines)
    for line in text.lines() {
        let j: serde_json::Value = serde_json::from_str(line).unwrap();
        if j["group"] == "fapb" {
            break;
        }
        let addr = j["addr"].as_u64().unwrap();
        assert_eq!(addr, code.len() as u64, "golden bundles are contiguous");
        let bytes = hex(j["hex"].as_str().unwrap());
        code.extend_from_slice(&bytes);
        let lines: Vec<String> = match j["disasm"].as_str() {
            Some("") => Vec::new(),
            Some(d) => d.split('\n').map(str::to_string).collect(),
            None => continue,
        };
        golden.push((addr, bytes, lines));
    }
    assert!(golden.len() > 10000, "too few golden bundles");
    let dir = Scratch::new("golden");
    let p = dir.file("golden.o", &make_elf(&code, 6 << 24, &[("start", 0, true)]));
    let out = run(&["-d"], &p);
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();

    // Blocks: (address, statements).
    let mut blocks: Vec<(u64, Vec<String>)> = Vec::new();
    for l in stdout.lines() {
        if let Some(a) = l.strip_suffix(":\t") {
            blocks.push((u64::from_str_radix(a.trim(), 16).unwrap(), Vec::new()));
        } else if let Some(s) = l.strip_prefix("  ") {
            blocks
                .last_mut()
                .expect("statement before address")
                .1
                .push(s.into());
        }
    }
    assert_eq!(blocks.len(), golden.len());
    let mut same = 0;
    for ((addr, lines), (gaddr, bytes, glines)) in blocks.iter().zip(&golden) {
        assert_eq!(addr, gaddr);
        let lib = e2kemu::isa::disasm::disasm_insn(bytes, *addr, 6);
        assert_eq!(lines, &lib.lines, "bundle at {addr:#x}");
        same += usize::from(lines == glines);
    }
    // The rest differ only where objdump is wrong (see isa-spec/tests/disasm_golden.rs).
    assert!(
        same * 2 > golden.len(),
        "{same} of {} identical",
        golden.len()
    );
}
