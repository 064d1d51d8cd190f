//! `e2kemu-objdump -d FILE...`: disassembles the executable sections of e2k (Elbrus) ELF
//! files in the layout of MCST `e2k-objdump -d -z` (file header, section headers, symbol
//! labels, one `ADDR:<TAB>` line per bundle followed by its statements).

use clap::Parser;
use e2k_isa::disasm::disasm_insn;
use object::{Object, ObjectSection, ObjectSymbol, SectionKind, SymbolKind};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `e_machine` of e2k objects.
const EM_MCST_ELBRUS: u16 = 175;

#[derive(Parser)]
#[command(
    name = "e2kemu-objdump",
    version,
    about = "Disassemble e2k (Elbrus) ELF files as MCST objdump -d does"
)]
struct Args {
    /// Disassemble the executable sections.
    #[arg(short = 'd', long = "disassemble")]
    disassemble: bool,
    /// Show all-zero bundles too (always done; accepted for compatibility).
    #[arg(short = 'z', long = "disassemble-zeroes")]
    zeroes: bool,
    /// ISA when the ELF header names none: elbrus-vN or a CPU name such as elbrus-8c
    /// (`-mcpu=elbrus-v3` also works). Default elbrus-v2.
    #[arg(short = 'm', long = "mcpu", value_name = "CPU")]
    mcpu: Option<String>,
    /// ELF files (relocatable objects or executables).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// ISA version of a `-mcpu` value.
fn iset_of_cpu(cpu: &str) -> Option<u8> {
    let cpu = cpu.strip_prefix("cpu=").unwrap_or(cpu);
    let v = match cpu {
        "elbrus-2c+" | "elbrus-2cm" => 2,
        "elbrus-4c" => 3,
        "elbrus-8c" | "elbrus-1c+" => 4,
        "elbrus-8c2" => 5,
        "elbrus-12c" | "elbrus-16c" | "elbrus-2c3" => 6,
        "elbrus-48c" | "elbrus-8v7" => 7,
        _ => cpu
            .strip_prefix("elbrus-v")
            .or_else(|| cpu.strip_prefix('v'))
            .unwrap_or(cpu)
            .parse()
            .ok()?,
    };
    (1..=7).contains(&v).then_some(v)
}

/// ISA version recorded in the e2k `e_flags`: the machine code in bits 31..24
/// (1..7 = elbrus-vN; 19/20 = 8c/1c+ → v4; 21..23 = 12c/16c/2c3 → v6; 24..26 → v7),
/// or the legacy 3-bit machine field in bits 30..28.
fn iset_of_flags(e_flags: u32) -> Option<u8> {
    match e_flags >> 24 {
        m @ 1..=7 => Some(m as u8),
        19 | 20 => Some(4),
        21..=23 => Some(6),
        24..=26 => Some(7),
        m if m & 0x8f == 0 && m != 0 => Some((m >> 4) as u8),
        _ => None,
    }
}

/// Class (32/64-bit), `e_machine` and `e_flags` from the ELF file header.
fn elf_header(data: &[u8]) -> Result<(bool, u16, u32), String> {
    if data.len() < 52 || &data[..4] != b"\x7fELF" {
        return Err("file format not recognized".into());
    }
    let is64 = match data[4] {
        1 => false,
        2 => true,
        _ => return Err("file format not recognized (bad ELF class)".into()),
    };
    if data[5] != 1 {
        return Err("file format not recognized (not little-endian)".into());
    }
    let flags_at = if is64 { 48 } else { 36 };
    let rd16 = |o: usize| u16::from_le_bytes([data[o], data[o + 1]]);
    if data.len() < flags_at + 4 {
        return Err("truncated ELF header".into());
    }
    let flags = u32::from_le_bytes([
        data[flags_at],
        data[flags_at + 1],
        data[flags_at + 2],
        data[flags_at + 3],
    ]);
    Ok((is64, rd16(18), flags))
}

/// Address text as objdump prints it: `digits` hex digits, the first `skip` dropped,
/// leading zeros of the rest shown as spaces (at least one digit kept).
fn addr_text(addr: u64, digits: usize, skip: usize) -> String {
    let full = format!("{addr:0digits$x}");
    let tail = &full[skip.min(full.len())..];
    let trimmed = tail.trim_start_matches('0');
    let shown = if trimmed.is_empty() { "0" } else { trimmed };
    format!("{shown:>width$}", width = tail.len())
}

/// How many leading address digits objdump drops for a section ending at `end`.
fn skip_chars(end: u64, digits: usize, vma: u64) -> usize {
    let full = format!("{end:0digits$x}");
    let zeros = full.chars().take_while(|&c| c == '0').count();
    if zeros == full.len() && vma != 0 {
        return 0;
    }
    if zeros == 0 {
        0
    } else {
        (zeros - 1) & !3
    }
}

/// The disassembly of one file.
fn dump(path: &Path, data: &[u8], cpu_iset: Option<u8>) -> Result<String, String> {
    let (is64, machine, flags) = elf_header(data)?;
    if machine != EM_MCST_ELBRUS {
        return Err(format!(
            "not an e2k object (e_machine {machine}, expected {EM_MCST_ELBRUS})"
        ));
    }
    let iset = iset_of_flags(flags).or(cpu_iset).unwrap_or(2);
    let file = object::File::parse(data).map_err(|e| format!("bad ELF file: {e}"))?;
    let digits = if is64 { 16 } else { 8 };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{}:     file format elf{}-e2k\n",
        path.display(),
        if is64 { 64 } else { 32 }
    );
    for section in file.sections() {
        if section.kind() != SectionKind::Text {
            continue;
        }
        let name = section.name().unwrap_or("?").to_string();
        let bytes = section
            .data()
            .map_err(|e| format!("section {name}: cannot read contents: {e}"))?;
        let base = section.address();
        let _ = writeln!(out, "\nDisassembly of section {name}:");
        // Labels: (offset in section, name), one per address, globals preferred.
        let mut labels: Vec<(u64, bool, String)> = file
            .symbols()
            .filter(|s| {
                s.section_index() == Some(section.index())
                    && !matches!(s.kind(), SymbolKind::Section | SymbolKind::File)
                    && s.is_definition()
            })
            .filter_map(|s| {
                let n = s.name().ok()?;
                let off = s.address().checked_sub(base)?;
                (!n.is_empty() && off < bytes.len() as u64).then(|| (off, !s.is_global(), n.into()))
            })
            .collect();
        labels.sort();
        labels.dedup_by_key(|l| l.0);
        if labels.first().map(|l| l.0) != Some(0) {
            labels.insert(0, (0, true, name.clone()));
        }
        let skip = skip_chars(base.wrapping_add(bytes.len() as u64), digits, base);
        let mut off = 0usize;
        let mut next_label = 0;
        while off < bytes.len() {
            while next_label < labels.len() && labels[next_label].0 <= off as u64 {
                let (loff, _, lname) = &labels[next_label];
                let _ = writeln!(out, "\n{:0digits$x} <{lname}>:", base.wrapping_add(*loff));
                next_label += 1;
            }
            let stop = labels
                .get(next_label)
                .map_or(bytes.len(), |l| l.0 as usize)
                .min(bytes.len());
            let addr = base.wrapping_add(off as u64);
            let insn = disasm_insn(&bytes[off..stop], addr, iset);
            let _ = writeln!(out, "{}:\t", addr_text(addr, digits, skip));
            for l in &insn.lines {
                let _ = writeln!(out, "  {l}");
            }
            out.push('\n');
            off += insn.len.max(1);
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args = Args::parse();
    let _ = args.zeroes;
    let cpu_iset = match args.mcpu.as_deref().map(|c| (c, iset_of_cpu(c))) {
        Some((c, None)) => {
            eprintln!("e2kemu-objdump: invalid -mcpu argument `{c}`");
            return ExitCode::FAILURE;
        }
        Some((_, v)) => v,
        None => None,
    };
    if !args.disassemble {
        eprintln!("e2kemu-objdump: nothing to do: give -d to disassemble");
        return ExitCode::FAILURE;
    }
    let mut status = ExitCode::SUCCESS;
    let stdout = std::io::stdout();
    let mut stdout = stdout.lock();
    for path in &args.files {
        let result = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|data| dump(path, &data, cpu_iset));
        match result {
            Ok(text) => {
                if stdout.write_all(text.as_bytes()).is_err() {
                    return ExitCode::FAILURE;
                }
            }
            Err(e) => {
                let _ = stdout.flush();
                eprintln!("e2kemu-objdump: {}: {e}", path.display());
                status = ExitCode::FAILURE;
            }
        }
    }
    let _ = stdout.flush();
    status
}
