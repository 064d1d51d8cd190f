//! Assembler behaviour beyond the golden bundles: error locations and multi-error
//! reporting, directives, macros and repetitions, local labels, sections, implicit
//! delays, object-file contents and robustness against garbage input.

use e2kemu::asm::{
    assemble, assemble_snippet, assemble_to_executable, assemble_to_object, AsmOptions, ObjFile,
    Source,
};
use object::{Object, ObjectSection, ObjectSymbol};

fn opts(v: u8) -> AsmOptions {
    AsmOptions::for_version(v)
}

fn text_of(src: &str, v: u8) -> Vec<u8> {
    match assemble_snippet(src, &opts(v), 0, &[]) {
        Ok(s) => s.bytes,
        Err(e) => panic!(
            "{}",
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn errors_of(src: &str) -> Vec<String> {
    match assemble(&Source::new("t.s", src), &opts(6)) {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

fn obj(src: &str) -> ObjFile {
    assemble(&Source::new("t.s", src), &opts(6))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .0
}

fn section<'a>(o: &'a ObjFile, name: &str) -> &'a [u8] {
    &o.sections.iter().find(|s| s.name == name).expect(name).data
}

/// Section contents of the written object (fixups resolved).
fn resolved_section(src: &str, name: &str) -> Vec<u8> {
    let (bytes, _) = assemble_to_object(&Source::new("t.s", src), &opts(6)).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    let data = file.section_by_name(name).unwrap().data().unwrap().to_vec();
    data
}

#[test]
fn error_has_file_line_col() {
    let e = errors_of("    .text\n\n  {\n    frobnicate,0 %r1, %r2, %r3\n  }\n");
    assert_eq!(
        e,
        vec!["t.s:4:5: unknown instruction `frobnicate'".to_string()]
    );
}

#[test]
fn operand_errors_point_at_the_operand() {
    let e = errors_of("  adds,0 %r1, %r2, %r3\n  adds,0 32, %r1, %r2\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("t.s:2:"), "{e:?}");
    assert!(e[0].contains("SRC1"), "{e:?}");
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let src = "\
  adds,0 %r1, %r2, %r3
  nosuch %r1
  adds,7 %r1, %r2, %r3
  {
    adds,0 %r1, %r2, %r3
    adds,0 %r1, %r2, %r4
  }
  .byte 1, 2
  setwd wsz=0x80
  udivs,0 %r1, %r2, %r3
";
    let e = errors_of(src);
    assert_eq!(e.len(), 5, "{e:#?}");
    assert!(e[0].starts_with("t.s:2:3: unknown instruction"), "{e:?}");
    assert!(e[1].starts_with("t.s:3:3: illegal channel number"), "{e:?}");
    assert!(e[2].starts_with("t.s:7:3: ALSes cannot be packed"), "{e:?}");
    assert!(
        e[3].starts_with("t.s:9:3: invalid value for register window size"),
        "{e:?}"
    );
    assert!(
        e[4].starts_with("t.s:10:3: illegal channel number"),
        "{e:?}"
    );
}

#[test]
fn errors_inside_macros_report_the_invocation() {
    let src = "  .macro M x\n  adds,0 \\x, %r1, %r2\n  .endm\n\n  M 99\n";
    let e = errors_of(src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("t.s:5:3: "), "{e:?}");
}

#[test]
fn errors_in_included_files_name_that_file() {
    let mut o = opts(6);
    o.virtual_files
        .insert("inc.s".into(), "  nop\n  badop\n".into());
    let e = assemble(&Source::new("main.s", "  .include \"inc.s\"\n"), &o).unwrap_err();
    assert_eq!(e[0].to_string(), "inc.s:2:3: unknown instruction `badop'");
}

#[test]
fn unterminated_constructs_are_errors() {
    assert!(!errors_of("  {\n  nop\n").is_empty());
    assert!(!errors_of("  .macro X\n  nop\n").is_empty());
    assert!(!errors_of("  .if 1\n  nop\n").is_empty());
    assert!(!errors_of("  }\n").is_empty());
}

#[test]
fn undefined_symbol_is_a_link_error_not_an_assembly_error() {
    assert!(errors_of("  disp %ctpr1, nowhere\n").is_empty());
    let r = assemble_to_executable(
        &[Source::new("t.s", "_start:\n  disp %ctpr1, nowhere\n")],
        &opts(6),
    );
    let e = r.unwrap_err();
    assert!(
        e[0].msg.contains("undefined reference to `nowhere'"),
        "{e:?}"
    );
}

#[test]
fn data_directives() {
    let o = obj("\
  .data
  .byte 1, 0xff, -1
  .short 0x1234
  .hword 2
  .word 0x11223344
  .long 5
  .quad 0x0102030405060708
  .ascii \"ab\\n\"
  .asciz \"c\"
  .string \"d\"
  .skip 2, 0xaa
  .zero 1
  .fill 2, 2, 0x0102
  .float 1.5
  .double -2.0
");
    let d = section(&o, ".data");
    let mut want: Vec<u8> = vec![
        1, 0xff, 0xff, 0x34, 0x12, 2, 0, 0x44, 0x33, 0x22, 0x11, 5, 0, 0, 0,
    ];
    want.extend_from_slice(&0x0102030405060708u64.to_le_bytes());
    want.extend_from_slice(b"ab\nc\0d\0");
    want.extend_from_slice(&[0xaa, 0xaa, 0, 2, 1, 2, 1]);
    want.extend_from_slice(&1.5f32.to_le_bytes());
    want.extend_from_slice(&(-2.0f64).to_le_bytes());
    assert_eq!(d, &want[..]);
}

#[test]
fn alignment_and_sections() {
    let o = obj("\
  .data
  .byte 1
  .align 8
  .byte 2
  .p2align 2
  .byte 3
  .section .rodata
  .byte 9
  .pushsection .data
  .byte 4
  .popsection
  .byte 10
  .bss
  .skip 16
");
    assert_eq!(
        section(&o, ".data"),
        &[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 3, 4]
    );
    assert_eq!(section(&o, ".rodata"), &[9, 10]);
    let bss = o.sections.iter().find(|s| s.name == ".bss").unwrap();
    assert_eq!(bss.size(), 16);
}

#[test]
fn set_equ_and_expressions() {
    let d = resolved_section(
        "\
  .set A, 3
  .equ B, A * 4 + 1
  C = (B << 2) | 1
  .data
  .byte A, B, C, B - A, -A & 0xff, 7 % 4, 1 == 1
  .word D
  .set D, 0x100
",
        ".data",
    );
    assert_eq!(d, &[3, 13, 53, 10, 0xfd, 3, 0xff, 0, 1, 0, 0]);
}

#[test]
fn macros_rept_irp_and_conditionals() {
    let o = obj("\
  .macro PUT a, b=7, rest:vararg
  .byte \\a, \\b
  .irp x, \\rest
  .byte \\x
  .endr
  .endm
  .macro LBL
L\\@: .byte \\@
  .endm
  .data
  PUT 1
  PUT 2, 3, 4, 5
  .rept 2
  .byte 0xee
  .endr
  .irpc c, 89
  .byte \\c
  .endr
  .if 1 == 2
  .byte 0x11
  .elseif 2 == 2
  .byte 0x22
  .else
  .byte 0x33
  .endif
  .ifdef A
  .byte 0x44
  .endif
  .ifndef A
  .byte 0x55
  .endif
  LBL
  LBL
");
    assert_eq!(
        section(&o, ".data"),
        &[1, 7, 2, 3, 4, 5, 0xee, 0xee, 8, 9, 0x22, 0x55, 2, 3]
    );
}

#[test]
fn numeric_local_labels() {
    // Each `disp` refers back (1b) or forward (1f) to the nearest instance.
    let b = text_of(
        "\
1:
  { disp %ctpr1, 1f }
  { disp %ctpr1, 1b }
1:
  { disp %ctpr2, 1b }
",
        6,
    );
    let w = |i: usize| u32::from_le_bytes(b[i * 8 + 4..i * 8 + 8].try_into().unwrap());
    assert_eq!(w(0) & 0x0fff_ffff, 2); // +16 bytes
    assert_eq!(w(1) & 0x0fff_ffff, 0x0fff_ffff); // -8 bytes
    assert_eq!(w(2) & 0x0fff_ffff, 0);
}

#[test]
fn statements_and_braces_on_one_line() {
    let a = text_of("{ adds,0 %r1, %r2, %r3; adds,1 %r1, %r2, %r4 }", 3);
    let b = text_of("{\n adds,0 %r1, %r2, %r3\n adds,1 %r1, %r2, %r4\n}", 3);
    assert_eq!(a, b);
    // Braceless statements separated by `;` are separate wide instructions.
    let c = text_of("adds,0 %r1, %r2, %r3; adds,1 %r1, %r2, %r4", 3);
    assert_eq!(c.len(), 16);
}

#[test]
fn implicit_delays_and_strict_delay_control() {
    let with = text_of("  cmpesb,0 %r1, %r2, %pred1", 3);
    assert_eq!(
        (u32::from_le_bytes(with[..4].try_into().unwrap()) >> 7) & 7,
        2
    );
    let without = text_of(
        ".ignore strict_delay\n  cmpesb,0 %r1, %r2, %pred1\n.accept strict_delay",
        3,
    );
    assert_eq!(
        (u32::from_le_bytes(without[..4].try_into().unwrap()) >> 7) & 7,
        0
    );
    let mut o = opts(3);
    o.strict_delay = false;
    let cli = assemble_snippet("  fcmpeqsb,0 %r1, %r2, %pred1", &o, 0, &[]).unwrap();
    assert_eq!(
        (u32::from_le_bytes(cli.bytes[..4].try_into().unwrap()) >> 7) & 7,
        0
    );
}

#[test]
fn comments() {
    let a = text_of(
        "# full-line comment\n  adds,0 %r1, %r2, %r3 ! trailing\n! another\n  .ascii \"!#\"\n",
        3,
    );
    assert_eq!(&a[8..], b"!#");
}

#[test]
fn object_file_contents() {
    let src = "\
  .text
  .global f
  .type f, @function
f:
  { disp %ctpr2, extfn }
  { addd,0 0, extvar + 0x20, %dr1 }
  { addd,0 0, .Lx, %dr1 }
.Lx:
  .size f, . - f
  .data
  .quad f
";
    let mut o = opts(6);
    o.set_cpu("elbrus-16c");
    let (bytes, _) = assemble_to_object(&Source::new("t.s", src), &o).unwrap();
    let file = object::File::parse(&*bytes).unwrap();
    assert_eq!(file.architecture(), object::Architecture::E2K64);
    let object::FileFlags::Elf { e_flags, .. } = file.flags() else {
        panic!("not ELF")
    };
    assert_eq!(e_flags, (22 << 24) | object::elf::EF_E2K_INCOMPAT);
    let text = file.section_by_name(".text").unwrap();
    let relocs: Vec<(u64, u32, i64)> = text
        .relocations()
        .map(|(off, r)| {
            let object::RelocationFlags::Elf { r_type } = r.flags() else {
                panic!()
            };
            (off, r_type, r.addend())
        })
        .collect();
    use object::elf::*;
    assert_eq!(
        relocs,
        vec![
            (4, R_E2K_DISP, 4),
            (8 + 8, R_E2K_64_ABS_LIT, 0x20),
            (24 + 8, R_E2K_64_ABS_LIT, 40)
        ]
    );
    let f = file.symbols().find(|s| s.name() == Ok("f")).unwrap();
    assert!(f.is_global());
    assert_eq!(f.size(), 40);
    let data = file.section_by_name(".data").unwrap();
    let r: Vec<_> = data.relocations().collect();
    assert_eq!(r.len(), 1);
}

#[test]
fn executable_layout() {
    let src = "\
  .text
  .global _start
_start:
  { addd,0 0, msg, %dr1 }
  { disp %ctpr1, _start }
  .section .rodata
msg: .ascii \"hi\"
  .data
ptr: .quad msg
  .bss
buf: .skip 32
";
    let exe = assemble_to_executable(&[Source::new("t.s", src)], &opts(4)).unwrap();
    let file = object::File::parse(&*exe).unwrap();
    assert_eq!(file.kind(), object::ObjectKind::Executable);
    let sym = |n: &str| {
        file.symbols()
            .find(|s| s.name() == Ok(n))
            .unwrap()
            .address()
    };
    assert_eq!(file.entry(), sym("_start"));
    let text = file
        .section_by_name(".text")
        .unwrap()
        .data()
        .unwrap()
        .to_vec();
    // 64-bit literal: LTS1 (lower address) holds the high half.
    let lit = (u64::from(u32::from_le_bytes(text[8..12].try_into().unwrap())) << 32)
        | u64::from(u32::from_le_bytes(text[12..16].try_into().unwrap()));
    assert_eq!(lit, sym("msg"));
    // disp back to _start from the second bundle: -2 in 8-byte units.
    let cs0 = u32::from_le_bytes(text[20..24].try_into().unwrap());
    assert_eq!(cs0 & 0x0fff_ffff, 0x0fff_fffe);
    let data = file
        .section_by_name(".data")
        .unwrap()
        .data()
        .unwrap()
        .to_vec();
    assert_eq!(
        u64::from_le_bytes(data[..8].try_into().unwrap()),
        sym("msg")
    );
    assert_eq!(sym("buf") % 8, 0);
    for seg in file.segments() {
        use object::ObjectSegment;
        assert_eq!(seg.address() % 4096, 0);
    }
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "{{{{",
        "}}}",
        "adds,",
        "adds,0",
        "adds,0 ,,,",
        "? ? ?",
        "%",
        "%r",
        "%b[",
        "%b[1",
        "ct %ctpr",
        "ibranch ? ",
        "disp %ctpr1,",
        "pass",
        "andp @p",
        "movab,",
        "fapb ,",
        ".macro",
        ".endm",
        ".rept -5",
        ".align 3",
        ".byte \"x",
        "'",
        "\"",
        "\\",
        "1:",
        "1f",
        ".set",
        "x =",
        "mova,9 %r1",
        "setwd wsz=",
        "wait all_c=",
        "nop 99999999999999999999",
        "adds,0 _f32s,_lts9 1, %r1, %r2",
        "adds,0 %r1, _lit32_ref 5, %r2",
        "staaw,2 %r1, %aad",
        "ldaab,2 %aad1 [ %aasti1 + 5 ], %r1",
        "((((((((((((((((((((((((((((((1",
        ".irp",
        ".if",
        ".else",
        ".endif",
        ".include",
        ".section",
        ".type x, @bogus",
    ];
    for s in samples {
        let _ = assemble(&Source::new("g.s", s), &opts(6));
        let _ = assemble(&Source::new("g.s", format!("{{\n{s}\n}}")), &opts(3));
    }
    // Pseudo-random byte soup.
    let mut x: u64 = 0x1234_5678_9abc_def0;
    let alphabet = b"adds,0 %r1[]{}()?~@p5_f32s_lts0.byte\"!#;:=+-*/<>&|^\\0123456789xbgq \n";
    for _ in 0..300 {
        let mut s = String::new();
        for _ in 0..80 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push(alphabet[(x % alphabet.len() as u64) as usize] as char);
        }
        let _ = assemble(&Source::new("r.s", s.as_str()), &opts(5));
    }
}

#[test]
fn c_style_comments() {
    let a = text_of(
        "/* a\n  still comment { } ; */ adds,0 %r1, %r2, %r3 /* x */ ! y\n  .ascii \"/*\"\n",
        3,
    );
    assert_eq!(a.len(), 10);
    assert_eq!(&a[8..], b"/*");
}

#[test]
fn forward_differences_in_data_and_org() {
    let d = resolved_section(
        "\
  .data
tab:
  .word 2f - 1f, end - tab
1: .byte 1
  .byte 2
2: .byte 3
  .org tab + 16, 0xff
end:
",
        ".data",
    );
    assert_eq!(
        d,
        &[2, 0, 0, 0, 16, 0, 0, 0, 1, 2, 3, 0xff, 0xff, 0xff, 0xff, 0xff]
    );
}
