//! Types of the spec-generated tables and the generated tables themselves.

/// ALU-channel operation formats (ALOPF = ALU operation format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Alopf1,
    Alopf1Mas,
    Alopf2,
    Alopf3Mas,
    Alopf7,
    Alopf8,
    Alopf10Mas,
    Alopf11,
    Alopf11Lit8,
    Alopf11Mas,
    Alopf11Merge,
    Alopf12,
    Alopf12Ibranchd,
    Alopf12Icalld,
    Alopf12Pshufh,
    Alopf13Mas,
    Alopf15,
    Alopf16,
    Alopf17,
    Alopf19Mas,
    Alopf21,
    Alopf21Merge,
    Alopf22,
    Merge,
    Aaurr,
    Aaurw,
}

impl Format {
    /// True when the format's encoding uses an ALES half-syllable.
    pub fn is_long(self) -> bool {
        use Format::*;
        !matches!(
            self,
            Alopf1 | Alopf1Mas | Alopf2 | Alopf3Mas | Alopf7 | Alopf8 | Merge
        )
    }
    /// True for formats that take an optional `mas=`.
    pub fn has_mas(self) -> bool {
        use Format::*;
        matches!(
            self,
            Alopf1Mas
                | Alopf3Mas
                | Alopf10Mas
                | Alopf11Mas
                | Alopf13Mas
                | Alopf19Mas
                | Aaurr
                | Aaurw
        )
    }
    /// Formats that store a value (src3 in ALS[7:0]) rather than writing a destination.
    pub fn is_store(self) -> bool {
        matches!(
            self,
            Format::Alopf3Mas | Format::Alopf13Mas | Format::Alopf10Mas | Format::Aaurw
        )
    }
}

/// Operand kind letters of the ARGS column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opnd {
    /// 32-bit
    S,
    /// 64-bit
    D,
    /// 128-bit register pair (two ALCs)
    Q,
    /// 128-bit packed (one ALC, v5+)
    P,
}

/// How rows of one mnemonic combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge {
    Simple,
    Alopf11,
    None,
}

/// One operation template.
#[derive(Debug)]
pub struct AlopDef {
    pub id: u16,
    pub name: &'static str,
    pub fmt: Format,
    pub opc: u8,
    /// bit n: allowed in ALC n
    pub chans: u8,
    pub args: &'static [Opnd],
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub merge: Merge,
    /// ALS[23:16] subcode (ALOPF2/12/22)
    pub opce: Option<u8>,
    /// comparison code ALS[7:5] (ALOPF7/8)
    pub cmp: Option<u8>,
    /// ALES[7:0] required value
    pub ales_opce: Option<u8>,
    /// ALES[15:8] table
    pub opc2: Option<u8>,
    /// MAS that selects this row (aaurw/aaurr: 0x3f)
    pub mas: Option<u8>,
    /// index of the canonical row when this row is an input alias
    pub alias_of: Option<u16>,
    pub ales25v4: bool,
    pub lit8max: Option<u8>,
    pub lit8warn: Option<&'static str>,
    /// semantic signature: source kinds `s d x q L P`, `>`, result kind
    pub sig: &'static str,
    /// semantic helper with the uniform calling convention, if implemented
    pub sem: Option<crate::sem::SemFn>,
    /// the same helper with 64-bit operands, for ops whose sources and result fit
    pub sem64: Option<crate::sem::Sem64Fn>,
    /// the helper's path below `sem::` (e.g. `int::addd`), empty if none
    pub sem_path: &'static str,
    /// interpreter execution class of a state-touching op (`ld:8`, `st:4`, `movt`, ...)
    pub ex: Option<&'static str>,
    /// spec location `file:line`
    pub src: &'static str,
}

impl AlopDef {
    pub fn in_version(&self, v: u8) -> bool {
        self.ver_lo <= v && v <= self.ver_hi
    }
    pub fn allows_channel(&self, ch: usize) -> bool {
        ch < 6 && self.chans & (1 << ch) != 0
    }
    /// The canonical row for aliases, else self.
    pub fn canonical(&'static self) -> &'static AlopDef {
        match self.alias_of {
            Some(i) => &ALOPS[i as usize],
            None => self,
        }
    }
}

/// A non-ALU operation (control transfer, PLS, mova, ...).
#[derive(Debug)]
pub struct CtlDef {
    pub name: &'static str,
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub unit: &'static str,
    pub syntax: &'static str,
}

#[derive(Debug)]
pub struct SregDef {
    pub name: &'static str,
    pub code: u8,
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub rw_wait: bool,
    pub rr_nop: bool,
    pub alias: bool,
    pub print: Option<&'static str>,
}

#[derive(Debug)]
pub struct AauRegDef {
    pub name: &'static str,
    pub class: u8,
    pub d: Option<u8>,
    pub ind: Option<u8>,
    pub opce1: u16,
}

#[derive(Debug)]
pub struct MuRegDef {
    pub name: &'static str,
    pub ver_lo: u8,
    pub addr: u32,
    pub mas: u8,
    pub rch: u8,
    pub read: bool,
    pub write_from: u8,
    pub asm: bool,
}

/// A bit field of a 32-bit (or 16-bit) syllable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitField {
    pub lsb: u8,
    pub width: u8,
}

impl BitField {
    #[inline(always)]
    pub const fn mask(self) -> u32 {
        if self.width >= 32 {
            u32::MAX
        } else {
            (1u32 << self.width) - 1
        }
    }
    #[inline(always)]
    pub const fn get(self, w: u32) -> u32 {
        (w >> self.lsb) & self.mask()
    }
    /// Returns `w` with the field set to `v` (extra bits of `v` are dropped).
    #[inline(always)]
    pub const fn set(self, w: u32, v: u32) -> u32 {
        (w & !(self.mask() << self.lsb)) | ((v & self.mask()) << self.lsb)
    }
    /// True when `v` fits the field.
    pub const fn fits(self, v: u64) -> bool {
        v <= self.mask() as u64
    }
}

/// The state register with number `code` available in version `v`, if any (not an alias).
pub fn sreg_by_code(code: u8, v: u8) -> Option<&'static SregDef> {
    SREGS
        .iter()
        .find(|s| s.code == code && !s.alias && s.ver_lo <= v && v <= s.ver_hi)
}

/// The state register named `name` (with `%`), any version.
pub fn sreg_by_name(name: &str) -> Option<&'static SregDef> {
    SREGS.iter().find(|s| s.name == name)
}

/// Every row of mnemonic `name` (aliases resolve to their own rows).
pub fn alops_named(name: &str) -> impl Iterator<Item = &'static AlopDef> + '_ {
    ALOPS.iter().filter(move |a| a.name == name)
}

/// Value of an opc2 table name (`EXT`, `ICMB0`, ...).
pub fn opc2_by_name(name: &str) -> Option<u8> {
    OPC2_NAMES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// Name of an opc2 value.
pub fn opc2_name(v: u8) -> Option<&'static str> {
    OPC2_NAMES.iter().find(|(_, x)| *x == v).map(|(n, _)| *n)
}

include!(concat!(env!("OUT_DIR"), "/generated.rs"));
