//! Relocatable ELF output: resolves the fixups an assembler can resolve itself (absolute
//! values, PC-relative fields to labels of the same section), turns the rest into
//! `R_E2K_*` relocations (local labels via their section symbol, like GAS), and writes
//! the object with the `object` crate.

use super::object::{elf_type, patch, pc_relative, ObjFile, RelKind, SecKind, SymDef, SymType};
use super::AsmError;
use e2k_isa::encode::FixKind;
use object::write::{Object, Relocation, SectionId, SymbolId, SymbolSection};
use object::{
    Architecture, BinaryFormat, Endianness, FileFlags, RelocationFlags, SectionKind, SymbolFlags,
    SymbolKind, SymbolScope,
};
use std::collections::HashMap;

/// What a relocation refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelTarget {
    Section(u32),
    Symbol(u32),
}

/// A relocation of the output object.
#[derive(Debug, Clone)]
pub struct OutReloc {
    /// Section offset (including the section origin).
    pub offset: u64,
    pub r_type: u32,
    pub target: RelTarget,
    pub addend: i64,
}

fn err(file: &str, f: &super::object::Fixup, msg: impl Into<String>) -> AsmError {
    AsmError {
        file: file.to_string(),
        line: f.loc.line,
        col: f.loc.col,
        msg: msg.into(),
    }
}

/// Resolves the fixups of section `idx`: returns its bytes (from its origin on) and the
/// relocations that remain.
pub fn resolve_section(
    obj: &ObjFile,
    idx: u32,
    file: &str,
) -> Result<(Vec<u8>, Vec<OutReloc>), Vec<AsmError>> {
    let sec = &obj.sections[idx as usize];
    let mut data = sec.data.clone();
    let mut relocs = Vec::new();
    let mut errors = Vec::new();
    for f in &sec.fixups {
        let sym = &obj.symbols[f.sym as usize];
        let at = (f.offset - sec.origin) as usize;
        let keep_symbol = matches!(f.kind, RelKind::Enc(FixKind::Size32));
        let mut reloc = |target: RelTarget, addend: i64, data: &mut Vec<u8>| {
            let Some(r_type) = elf_type(f.kind) else {
                errors.push(err(file, f, "unsupported relocation size"));
                return;
            };
            if f.kind == RelKind::Enc(FixKind::Abs64Lit) {
                // The 64-bit literal relocation also stores its addend in place.
                patch(data, at, f.kind, addend);
            }
            relocs.push(OutReloc {
                offset: f.offset,
                r_type,
                target,
                addend,
            });
        };
        match &sym.def {
            SymDef::Abs(v) if !pc_relative(f.kind) && !keep_symbol => {
                patch(&mut data, at, f.kind, v.wrapping_add(f.addend));
            }
            SymDef::Label { section, offset }
                if *section == idx && pc_relative(f.kind) && !sym.global =>
            {
                let v = (*offset as i64)
                    .wrapping_add(f.addend)
                    .wrapping_sub(f.offset as i64);
                patch(&mut data, at, f.kind, v);
            }
            SymDef::Label { section, offset } if !sym.global && !keep_symbol => {
                reloc(
                    RelTarget::Section(*section),
                    (*offset as i64).wrapping_add(f.addend),
                    &mut data,
                );
            }
            SymDef::Deferred(..) => errors.push(err(
                file,
                f,
                format!("cannot resolve the value of `{}'", sym.name),
            )),
            _ => reloc(RelTarget::Symbol(f.sym), f.addend, &mut data),
        }
    }
    if errors.is_empty() {
        Ok((data, relocs))
    } else {
        Err(errors)
    }
}

fn section_kind(k: SecKind) -> SectionKind {
    match k {
        SecKind::Text => SectionKind::Text,
        SecKind::Data => SectionKind::Data,
        SecKind::Rodata => SectionKind::ReadOnlyData,
        SecKind::Bss => SectionKind::UninitializedData,
    }
}

/// Writes a relocatable ELF object.
pub fn write_object(obj: &ObjFile, file: &str) -> Result<Vec<u8>, Vec<AsmError>> {
    let mut out = Object::new(BinaryFormat::Elf, Architecture::E2K64, Endianness::Little);
    out.flags = FileFlags::Elf {
        os_abi: 0,
        abi_version: 0,
        e_flags: obj.e_flags,
    };
    let mut errors = Vec::new();
    let mut sec_ids: Vec<SectionId> = Vec::new();
    let mut resolved = Vec::new();
    for (i, s) in obj.sections.iter().enumerate() {
        let id = out.add_section(Vec::new(), s.name.as_bytes().to_vec(), section_kind(s.kind));
        let sec = out.section_mut(id);
        sec.flags = object::SectionFlags::Elf {
            sh_flags: (if s.flags.alloc {
                object::elf::SHF_ALLOC
            } else {
                0
            } | if s.flags.write {
                object::elf::SHF_WRITE
            } else {
                0
            } | if s.flags.exec {
                object::elf::SHF_EXECINSTR
            } else {
                0
            }) as u64,
        };
        match resolve_section(obj, i as u32, file) {
            Ok((data, relocs)) => {
                if s.flags.nobits {
                    out.append_section_bss(id, s.size(), s.align.max(1));
                } else {
                    out.set_section_data(id, data, s.align.max(1));
                }
                resolved.push(relocs);
            }
            Err(e) => {
                errors.extend(e);
                resolved.push(Vec::new());
            }
        }
        sec_ids.push(id);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Symbols: everything named except temporaries; undefined ones only when used.
    let mut sym_ids: HashMap<u32, SymbolId> = HashMap::new();
    for (i, s) in obj.symbols.iter().enumerate() {
        let i = i as u32;
        let (section, value) = match &s.def {
            SymDef::Label { section, offset } => {
                (SymbolSection::Section(sec_ids[*section as usize]), *offset)
            }
            SymDef::Abs(v) => (SymbolSection::Absolute, *v as u64),
            SymDef::Undefined => {
                if !s.used && !s.global {
                    continue;
                }
                (SymbolSection::Undefined, 0)
            }
            SymDef::Deferred(..) => continue,
        };
        let needed_undef = matches!(s.def, SymDef::Undefined);
        if s.temp && !needed_undef && !s.global {
            continue;
        }
        let in_text = matches!(&s.def, SymDef::Label { section, .. }
            if obj.sections[*section as usize].kind == SecKind::Text);
        let kind = match s.ty {
            SymType::Func => SymbolKind::Text,
            SymType::Object => SymbolKind::Data,
            SymType::Tls => SymbolKind::Tls,
            SymType::NoType if in_text => SymbolKind::Text,
            SymType::NoType => match s.def {
                SymDef::Undefined => SymbolKind::Unknown,
                _ => SymbolKind::Data,
            },
        };
        let id = out.add_symbol(object::write::Symbol {
            name: s.name.as_bytes().to_vec(),
            value,
            size: s.size.unwrap_or(0),
            kind,
            scope: if s.global {
                SymbolScope::Dynamic
            } else {
                SymbolScope::Compilation
            },
            weak: s.weak,
            section,
            flags: SymbolFlags::None,
        });
        sym_ids.insert(i, id);
    }
    for (i, relocs) in resolved.iter().enumerate() {
        let origin = obj.sections[i].origin;
        for r in relocs {
            let symbol = match r.target {
                RelTarget::Section(s) => out.section_symbol(sec_ids[s as usize]),
                RelTarget::Symbol(s) => match sym_ids.get(&s) {
                    Some(id) => *id,
                    None => {
                        let sy = &obj.symbols[s as usize];
                        out.add_symbol(object::write::Symbol {
                            name: sy.name.as_bytes().to_vec(),
                            value: 0,
                            size: 0,
                            kind: SymbolKind::Unknown,
                            scope: SymbolScope::Dynamic,
                            weak: false,
                            section: SymbolSection::Undefined,
                            flags: SymbolFlags::None,
                        })
                    }
                },
            };
            let rel = Relocation {
                offset: r.offset - origin,
                symbol,
                addend: r.addend,
                flags: RelocationFlags::Elf { r_type: r.r_type },
            };
            if let Err(e) = out.add_relocation(sec_ids[i], rel) {
                errors.push(AsmError::global(file, e.to_string()));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    out.write()
        .map_err(|e| vec![AsmError::global(file, e.to_string())])
}
