//! A small static linker: merges the sections of assembled objects into text, rodata
//! and data/bss segments at page-aligned addresses, resolves every fixup with final
//! addresses, and writes an ELF64 e2k executable (entry `_start`, symbols kept).

use super::object::{patch, ObjFile, RelKind, SecKind, SymDef, SymType};
use super::{AsmError, AsmOptions};
use e2k_isa::encode::FixKind;
use object::elf;
use object::write::elf::{FileHeader, ProgramHeader, SectionHeader, Sym, Writer};
use object::write::StringId;
use object::Endianness;
use std::collections::HashMap;

/// Load address of the first segment (ELF header included).
pub const BASE: u64 = 0x10000;
const PAGE: u64 = 0x1000;

fn align_up(v: u64, a: u64) -> u64 {
    let a = a.max(1);
    v.div_ceil(a) * a
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Group {
    Text,
    Rodata,
    Data,
    Bss,
}

fn group(k: SecKind) -> Group {
    match k {
        SecKind::Text => Group::Text,
        SecKind::Rodata => Group::Rodata,
        SecKind::Data => Group::Data,
        SecKind::Bss => Group::Bss,
    }
}

struct Out {
    name: &'static str,
    group: Group,
    addr: u64,
    data: Vec<u8>,
    size: u64,
    align: u64,
}

/// Links objects into an executable image.
pub fn link(objs: &[(String, ObjFile)], opts: &AsmOptions) -> Result<Vec<u8>, Vec<AsmError>> {
    let mut errors = Vec::new();
    let groups = [Group::Text, Group::Rodata, Group::Data, Group::Bss];
    let names = [".text", ".rodata", ".data", ".bss"];
    let mut outs: Vec<Out> = groups
        .iter()
        .zip(names)
        .map(|(g, n)| Out {
            name: n,
            group: *g,
            addr: 0,
            data: Vec::new(),
            size: 0,
            align: 1,
        })
        .collect();
    // Place every input section inside its output section.
    let mut place: HashMap<(usize, usize), (usize, u64)> = HashMap::new();
    for (oi, (_, o)) in objs.iter().enumerate() {
        for (si, s) in o.sections.iter().enumerate() {
            let g = group(s.kind);
            let out_i = groups.iter().position(|x| *x == g).unwrap_or(0);
            let out = &mut outs[out_i];
            let off = align_up(out.size, s.align);
            out.align = out.align.max(s.align);
            if g != Group::Bss {
                out.data.resize(off as usize, 0);
                out.data.extend_from_slice(&s.data);
            }
            out.size = off + (s.size() - s.origin);
            place.insert((oi, si), (out_i, off));
        }
    }
    // Addresses (as GNU ld lays out a static executable): one read/execute segment with
    // the headers, .text and .rodata; one read/write segment with .data and .bss.
    let data_seg = outs[2].size + outs[3].size > 0;
    let nseg = 1 + data_seg as u64;
    let hdr = 64 + 56 * nseg;
    outs[0].addr = align_up(BASE + hdr, outs[0].align.max(8));
    outs[1].addr = align_up(outs[0].addr + outs[0].size, outs[1].align);
    let next = align_up(outs[1].addr + outs[1].size, PAGE);
    outs[2].addr = align_up(next, outs[2].align);
    outs[3].addr = align_up(outs[2].addr + outs[2].size, outs[3].align.max(8));

    // Symbol addresses.
    let out_addr: Vec<u64> = outs.iter().map(|o| o.addr).collect();
    let addr_of_label = |oi: usize, section: u32, offset: u64| -> u64 {
        let s = &objs[oi].1.sections[section as usize];
        let (out_i, off) = place[&(oi, section as usize)];
        out_addr[out_i] + off + (offset - s.origin)
    };
    let mut globals: HashMap<&str, u64> = HashMap::new();
    for (oi, (file, o)) in objs.iter().enumerate() {
        for s in &o.symbols {
            if !s.global {
                continue;
            }
            let v = match &s.def {
                SymDef::Label { section, offset } => addr_of_label(oi, *section, *offset),
                SymDef::Abs(v) => *v as u64,
                _ => continue,
            };
            if globals.insert(&s.name, v).is_some() && !s.weak {
                errors.push(AsmError::global(
                    file,
                    format!("multiple definition of `{}'", s.name),
                ));
            }
        }
    }
    // Apply fixups.
    for (oi, (file, o)) in objs.iter().enumerate() {
        for (si, s) in o.sections.iter().enumerate() {
            let (out_i, base_off) = place[&(oi, si)];
            for f in &s.fixups {
                let sym = &o.symbols[f.sym as usize];
                let sv = match &sym.def {
                    SymDef::Label { section, offset } => Some(addr_of_label(oi, *section, *offset)),
                    SymDef::Abs(v) => Some(*v as u64),
                    _ => globals.get(sym.name.as_str()).copied(),
                };
                let Some(sv) = sv.or(if sym.weak { Some(0) } else { None }) else {
                    errors.push(AsmError {
                        file: file.clone(),
                        line: f.loc.line,
                        col: f.loc.col,
                        msg: format!("undefined reference to `{}'", sym.name),
                    });
                    continue;
                };
                let field = base_off + (f.offset - s.origin);
                let p = out_addr[out_i] + field;
                let sa = (sv as i64).wrapping_add(f.addend);
                let value = match f.kind {
                    RelKind::Data(_) => sa,
                    RelKind::Enc(k) => match k {
                        FixKind::Abs32 | FixKind::Abs64Lit | FixKind::Pref => sa,
                        FixKind::Disp | FixKind::Plt | FixKind::Pc32 | FixKind::Pc64Lit => {
                            sa.wrapping_sub(p as i64)
                        }
                        other => {
                            errors.push(AsmError {
                                file: file.clone(),
                                line: f.loc.line,
                                col: f.loc.col,
                                msg: format!(
                                    "relocation {other:?} is not supported in a static link"
                                ),
                            });
                            continue;
                        }
                    },
                };
                if out_i == 3 {
                    continue;
                }
                patch(&mut outs[out_i].data, field as usize, f.kind, value);
            }
        }
    }
    let entry = globals.get(opts.entry.as_str()).copied().or_else(|| {
        // A local `_start` of a single object is accepted too.
        objs.iter().enumerate().find_map(|(oi, (_, o))| {
            o.symbols.iter().find_map(|s| match &s.def {
                SymDef::Label { section, offset } if s.name == opts.entry => {
                    Some(addr_of_label(oi, *section, *offset))
                }
                _ => None,
            })
        })
    });
    let Some(entry) = entry else {
        errors.push(AsmError::global(
            objs.first().map(|o| o.0.as_str()).unwrap_or("<link>"),
            format!("undefined entry symbol `{}'", opts.entry),
        ));
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    // Symbols for the symbol table.
    let mut syms: Vec<(String, u64, u64, usize, bool, SymType)> = Vec::new();
    for (oi, (_, o)) in objs.iter().enumerate() {
        for s in &o.symbols {
            if s.temp && !s.global {
                continue;
            }
            if let SymDef::Label { section, offset } = &s.def {
                let out_i = place[&(oi, *section as usize)].0;
                syms.push((
                    s.name.clone(),
                    addr_of_label(oi, *section, *offset),
                    s.size.unwrap_or(0),
                    out_i,
                    s.global,
                    s.ty,
                ));
            }
        }
    }
    syms.sort_by_key(|s| s.4);
    write_exec(&outs, entry, opts, &syms).map_err(|e| vec![AsmError::global("<link>", e)])
}

fn write_exec(
    outs: &[Out],
    entry: u64,
    opts: &AsmOptions,
    syms: &[(String, u64, u64, usize, bool, SymType)],
) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let mut w = Writer::new(Endianness::Little, true, &mut buf);
    let data = outs[2].size + outs[3].size > 0;
    let nseg = 1 + data as u32;
    w.reserve_file_header();
    w.reserve_program_headers(nseg);
    // File offsets mirror addresses: offset = addr - BASE.
    for (i, o) in outs[..3].iter().enumerate() {
        if o.size > 0 || (i == 2 && data) {
            w.reserve_until((o.addr - BASE) as usize);
            w.reserve(o.data.len(), 1);
        }
    }
    w.reserve_null_section_index();
    let mut sec_idx = Vec::new();
    let mut sec_names: Vec<StringId> = Vec::new();
    for o in outs {
        sec_idx.push(w.reserve_section_index());
        sec_names.push(w.add_section_name(o.name.as_bytes()));
    }
    w.reserve_symtab_section_index();
    w.reserve_strtab_section_index();
    w.reserve_shstrtab_section_index();
    w.reserve_null_symbol_index();
    let mut sym_names = Vec::new();
    for s in syms {
        sym_names.push(w.add_string(s.0.as_bytes()));
        w.reserve_symbol_index(Some(sec_idx[s.3]));
    }
    w.reserve_symtab();
    w.reserve_strtab();
    w.reserve_shstrtab();
    w.reserve_section_headers();

    w.write_file_header(&FileHeader {
        os_abi: 0,
        abi_version: 0,
        e_type: elf::ET_EXEC,
        e_machine: elf::EM_MCST_ELBRUS,
        e_entry: entry,
        e_flags: opts.e_flags(),
    })
    .map_err(|e| e.to_string())?;
    w.write_align_program_headers();
    let text_end = (outs[1].addr + outs[1].size).max(outs[0].addr + outs[0].size);
    w.write_program_header(&ProgramHeader {
        p_type: elf::PT_LOAD,
        p_flags: elf::PF_R | elf::PF_X,
        p_offset: 0,
        p_vaddr: BASE,
        p_paddr: BASE,
        p_filesz: text_end - BASE,
        p_memsz: text_end - BASE,
        p_align: PAGE,
    });
    if data {
        let d = &outs[2];
        let b = &outs[3];
        let end = (b.addr + b.size).max(d.addr + d.size);
        w.write_program_header(&ProgramHeader {
            p_type: elf::PT_LOAD,
            p_flags: elf::PF_R | elf::PF_W,
            p_offset: d.addr - BASE,
            p_vaddr: d.addr,
            p_paddr: d.addr,
            p_filesz: d.size,
            p_memsz: end - d.addr,
            p_align: PAGE,
        });
    }
    for (i, o) in outs[..3].iter().enumerate() {
        if o.size > 0 || (i == 2 && data) {
            let pad = ((o.addr - BASE) as usize).saturating_sub(w.len());
            w.write(&vec![0u8; pad]);
            w.write(&o.data);
        }
    }
    w.write_null_symbol();
    for (i, s) in syms.iter().enumerate() {
        let st_type = match s.5 {
            SymType::Func => elf::STT_FUNC,
            SymType::Object => elf::STT_OBJECT,
            SymType::Tls => elf::STT_TLS,
            SymType::NoType if s.3 == 0 => elf::STT_FUNC,
            SymType::NoType => elf::STT_NOTYPE,
        };
        let bind = if s.4 { elf::STB_GLOBAL } else { elf::STB_LOCAL };
        w.write_symbol(&Sym {
            name: Some(sym_names[i]),
            section: Some(sec_idx[s.3]),
            st_info: (bind << 4) | st_type,
            st_other: 0,
            st_shndx: 0,
            st_value: s.1,
            st_size: s.2,
        });
    }
    w.write_strtab();
    w.write_shstrtab();
    w.write_null_section_header();
    for (i, o) in outs.iter().enumerate() {
        let (sh_type, flags) = match o.group {
            Group::Text => (elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_EXECINSTR),
            Group::Rodata => (elf::SHT_PROGBITS, elf::SHF_ALLOC),
            Group::Data => (elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_WRITE),
            Group::Bss => (elf::SHT_NOBITS, elf::SHF_ALLOC | elf::SHF_WRITE),
        };
        w.write_section_header(&SectionHeader {
            name: Some(sec_names[i]),
            sh_type,
            sh_flags: flags as u64,
            sh_addr: o.addr,
            sh_offset: o.addr - BASE,
            sh_size: o.size,
            sh_link: 0,
            sh_info: 0,
            sh_addralign: o.align.max(1),
            sh_entsize: 0,
        });
    }
    let num_local = 1 + syms.iter().filter(|s| !s.4).count() as u32;
    w.write_symtab_section_header(num_local);
    w.write_strtab_section_header();
    w.write_shstrtab_section_header();
    Ok(buf)
}
