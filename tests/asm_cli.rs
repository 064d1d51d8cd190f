//! The `e2kemu-as` command line: objects with `-c`, linked executables, MCST-style
//! options, diagnostics on stderr with exit status 1 and no output file on error.

use std::path::PathBuf;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_e2kemu-as"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("e2kemu-as-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn object_and_executable() {
    let src = tmp("ok.s");
    std::fs::write(
        &src,
        "  .text\n  .global _start\n_start:\n  { setwd wsz=8, nfx=1 }\n  { sdisp %ctpr1, 3; addd,0 0, 1, %r8 }\n  { call %ctpr1, wbs=4 }\n",
    )
    .unwrap();
    let obj = tmp("ok.o");
    let st = bin()
        .args(["-mcpu=elbrus-v4", "-c", "-o"])
        .arg(&obj)
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&obj).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 175);
    assert_eq!(u16::from_le_bytes([bytes[16], bytes[17]]), 1); // ET_REL
    let exe = tmp("ok.exe");
    let st = bin()
        .args(["-mcpu=elbrus-v6", "-no_strict_delay", "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&exe).unwrap();
    assert_eq!(u16::from_le_bytes([bytes[16], bytes[17]]), 2); // ET_EXEC
}

#[test]
fn errors_go_to_stderr_and_no_output_is_written() {
    let src = tmp("bad.s");
    std::fs::write(&src, "  nop\n  frob %r1\n  adds,9 %r1, %r2, %r3\n").unwrap();
    for c in [true, false] {
        let out = tmp(if c { "bad.o" } else { "bad.exe" });
        let _ = std::fs::remove_file(&out);
        let mut cmd = bin();
        if c {
            cmd.arg("-c");
        }
        let o = cmd.arg("-o").arg(&out).arg(&src).output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        let name = src.display().to_string();
        assert!(
            err.contains(&format!("{name}:2:3: unknown instruction `frob'")),
            "{err}"
        );
        assert!(
            err.contains(&format!("{name}:3:3: illegal channel number")),
            "{err}"
        );
        assert!(!out.exists(), "output written despite errors");
    }
}

#[test]
fn rejects_unknown_cpu_and_missing_input() {
    let src = tmp("x.s");
    std::fs::write(&src, "nop\n").unwrap();
    let o = bin()
        .args(["-mcpu=elbrus-48c", "-c"])
        .arg(&src)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let o = bin().args(["-c", "/nonexistent/file.s"]).output().unwrap();
    assert!(!o.status.success());
}

#[test]
fn include_dirs() {
    let dir = tmp("inc");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("defs.inc"), "  .set VAL, 5\n").unwrap();
    let src = tmp("uses_inc.s");
    std::fs::write(&src, "  .include \"defs.inc\"\n  .data\n  .byte VAL\n").unwrap();
    let out = tmp("uses_inc.o");
    let st = bin()
        .arg("-I")
        .arg(&dir)
        .arg("-c")
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .unwrap();
    assert!(st.success());
}
