//! The in-memory result of assembling one source: sections with bytes, symbols and
//! fixups (symbolic fields still to be resolved by the object writer or the linker),
//! plus the field patching rules of every fixup kind.

use e2k_isa::encode::FixKind;

/// Section flavour (decides ELF type and flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecKind {
    Text,
    Data,
    Rodata,
    Bss,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecFlags {
    pub alloc: bool,
    pub write: bool,
    pub exec: bool,
    pub nobits: bool,
}

/// What a fixup patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    /// A field of a wide instruction.
    Enc(FixKind),
    /// A data word of 1, 2, 4 or 8 bytes (`.byte`, `.word`, `.quad`...).
    Data(u8),
}

/// A symbolic field of a section.
#[derive(Debug, Clone)]
pub struct Fixup {
    pub offset: u64,
    pub kind: RelKind,
    pub sym: u32,
    pub addend: i64,
    /// Where the statement was (for errors).
    pub loc: super::Loc,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub kind: SecKind,
    pub flags: SecFlags,
    /// Offset of the first byte (non-zero only for snippets assembled at an address).
    pub origin: u64,
    pub data: Vec<u8>,
    /// Size of a NOBITS section.
    pub bss_size: u64,
    pub align: u64,
    pub fixups: Vec<Fixup>,
}

impl Section {
    pub fn new(name: &str, kind: SecKind, flags: SecFlags) -> Section {
        Section {
            name: name.to_string(),
            kind,
            flags,
            origin: 0,
            data: Vec::new(),
            bss_size: 0,
            align: 1,
            fixups: Vec::new(),
        }
    }

    /// Current location (section offset).
    pub fn size(&self) -> u64 {
        if self.flags.nobits {
            self.origin + self.bss_size
        } else {
            self.origin + self.data.len() as u64
        }
    }

    pub fn append(&mut self, bytes: &[u8]) {
        if self.flags.nobits {
            self.bss_size += bytes.len() as u64;
        } else {
            self.data.extend_from_slice(bytes);
        }
    }
}

/// ELF symbol type requested with `.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SymType {
    #[default]
    NoType,
    Func,
    Object,
    Tls,
}

/// How a symbol is defined.
#[derive(Debug, Clone)]
pub enum SymDef {
    Undefined,
    Label {
        section: u32,
        offset: u64,
    },
    Abs(i64),
    /// `.set` to an expression that could not be evaluated yet.
    Deferred(super::expr::Expr, super::Loc),
}

#[derive(Debug, Clone)]
pub struct Symbol {
    pub name: String,
    pub def: SymDef,
    pub global: bool,
    pub weak: bool,
    pub ty: SymType,
    pub size: Option<u64>,
    /// Temporary (`.L...`, numeric local labels, `.` helpers): not written to the ELF
    /// symbol table and relocated via the section symbol.
    pub temp: bool,
    /// Referenced by an instruction or data (keeps undefined symbols in the output).
    pub used: bool,
}

/// An assembled source file.
#[derive(Debug, Clone)]
pub struct ObjFile {
    pub version: u8,
    pub e_flags: u32,
    pub sections: Vec<Section>,
    pub symbols: Vec<Symbol>,
}

/// Patches `value` into the field of `kind` at `data[off..]`.
pub fn patch(data: &mut [u8], off: usize, kind: RelKind, value: i64) {
    let put32 = |d: &mut [u8], o: usize, v: u32| {
        if let Some(s) = d.get_mut(o..o + 4) {
            s.copy_from_slice(&v.to_le_bytes());
        }
    };
    let get32 = |d: &[u8], o: usize| -> u32 {
        d.get(o..o + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .unwrap_or(0)
    };
    match kind {
        RelKind::Data(n) => {
            let n = n as usize;
            if let Some(s) = data.get_mut(off..off + n) {
                s.copy_from_slice(&value.to_le_bytes()[..n]);
            }
        }
        RelKind::Enc(k) => match k {
            FixKind::Abs64Lit | FixKind::Pc64Lit | FixKind::TlsLe64 | FixKind::GotOff64Lit => {
                // The lower-addressed word holds the high half.
                put32(data, off, (value as u64 >> 32) as u32);
                put32(data, off + 4, value as u32);
            }
            FixKind::Disp | FixKind::Plt => {
                let w = get32(data, off);
                let field = ((value >> 3) as u32) & 0x0fff_ffff;
                put32(data, off, (w & 0xf000_0000) | field);
            }
            FixKind::Pref => {
                let w = get32(data, off);
                let field = (((value >> 7) as u32) << 4) & 0x0fff_fff0;
                put32(data, off, (w & !0x0fff_fff0) | field);
            }
            _ => put32(data, off, value as u32),
        },
    }
}

/// True for fixup kinds whose value is relative to the field's address.
pub fn pc_relative(kind: RelKind) -> bool {
    matches!(
        kind,
        RelKind::Enc(FixKind::Disp | FixKind::Plt | FixKind::Pc32 | FixKind::Pc64Lit)
    )
}

/// ELF relocation type of a fixup kind.
pub fn elf_type(kind: RelKind) -> Option<u32> {
    use object::elf::*;
    Some(match kind {
        RelKind::Data(4) => R_E2K_32_ABS,
        RelKind::Data(8) => R_E2K_64_ABS,
        RelKind::Data(_) => return None,
        RelKind::Enc(k) => match k {
            FixKind::Abs32 => R_E2K_32_ABS,
            FixKind::Abs64Lit => R_E2K_64_ABS_LIT,
            FixKind::Pc32 => R_E2K_32_PC,
            FixKind::Pc64Lit => R_E2K_64_PC_LIT,
            FixKind::TlsLe32 => R_E2K_32_TLS_LE,
            FixKind::TlsLe64 => R_E2K_64_TLS_LE,
            FixKind::GotOff32 => R_E2K_GOTOFF,
            FixKind::GotOff64Lit => R_E2K_64_GOTOFF_LIT,
            FixKind::Got => R_E2K_GOT,
            FixKind::GotPlt => R_E2K_GOTPLT,
            FixKind::TlsIe => R_E2K_TLS_IE,
            FixKind::TlsGdMod => R_E2K_TLS_GDMOD,
            FixKind::TlsGdRel => R_E2K_TLS_GDREL,
            FixKind::Size32 => R_E2K_32_SIZE,
            FixKind::Disp => R_E2K_DISP,
            // No PLT in static links: a PLT call is a direct displacement.
            FixKind::Plt => R_E2K_DISP,
            FixKind::Pref => R_E2K_PREF,
        },
    })
}

/// Name of an ELF relocation type as objdump prints it.
pub fn elf_type_name(t: u32) -> &'static str {
    use object::elf::*;
    match t {
        R_E2K_32_ABS => "R_E2K_32_ABS",
        R_E2K_64_ABS => "R_E2K_64_ABS",
        R_E2K_64_ABS_LIT => "R_E2K_64_ABS_LIT",
        R_E2K_32_PC => "R_E2K_32_PC",
        R_E2K_64_PC_LIT => "R_E2K_64_PC_LIT",
        R_E2K_32_TLS_LE => "R_E2K_32_TLS_LE",
        R_E2K_64_TLS_LE => "R_E2K_64_TLS_LE",
        R_E2K_GOTOFF => "R_E2K_GOTOFF",
        R_E2K_64_GOTOFF_LIT => "R_E2K_64_GOTOFF_LIT",
        R_E2K_GOT => "R_E2K_GOT",
        R_E2K_GOTPLT => "R_E2K_GOTPLT",
        R_E2K_TLS_IE => "R_E2K_TLS_IE",
        R_E2K_TLS_GDMOD => "R_E2K_TLS_GDMOD",
        R_E2K_TLS_GDREL => "R_E2K_TLS_GDREL",
        R_E2K_32_SIZE => "R_E2K_32_SIZE",
        R_E2K_DISP => "R_E2K_DISP",
        // objdump prints the PREF howto under the DISP name.
        R_E2K_PREF => "R_E2K_DISP",
        _ => "R_E2K_UNKNOWN",
    }
}
