//! Operand values handed to the encoder: registers, special destinations, literal values
//! (constants or symbol references), literal format/slot specifiers and predicates.

/// Register file of a general-purpose register operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegClass {
    /// `%b[N]`, N = 0..127
    Based,
    /// `%rN`, N = 0..63
    Window,
    /// `%gN`, N = 0..31
    Global,
}

/// A general-purpose register (any width prefix; widths are not checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reg {
    pub class: RegClass,
    pub idx: u16,
}

impl Reg {
    /// The operand byte of this register with `add` added to its index (the assembler
    /// ORs the index into the class base without range checks).
    pub fn byte_plus(self, add: u16) -> u8 {
        let idx = (self.idx + add) as u32;
        let v = match self.class {
            RegClass::Based => idx,
            RegClass::Window => 0x80 | idx,
            RegClass::Global => 0xe0 | idx,
        };
        v as u8
    }

    pub fn byte(self) -> u8 {
        self.byte_plus(0)
    }

    /// Largest valid index of the class.
    pub fn max_idx(class: RegClass) -> u16 {
        match class {
            RegClass::Based => 127,
            RegClass::Window => 63,
            RegClass::Global => 31,
        }
    }
}

/// Symbol modifier of a symbolic value (`sym@GOT`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymKind {
    /// Plain (absolute) reference.
    Abs,
    /// PC-relative (`_GLOBAL_OFFSET_TABLE_`, `@PCREL`).
    Pc,
    Got,
    GotOff,
    GotPlt,
    TlsLe,
    TlsIe,
    TlsGdMod,
    TlsGdRel,
    Size,
    Plt,
}

impl SymKind {
    /// Literal size forced by the modifier: true for 32-bit forms.
    pub fn is_32bit(self) -> bool {
        matches!(
            self,
            SymKind::Got
                | SymKind::GotPlt
                | SymKind::TlsIe
                | SymKind::TlsGdMod
                | SymKind::TlsGdRel
                | SymKind::Size
        )
    }
}

/// A value: a constant or a symbol reference plus addend. Symbols are opaque ids chosen
/// by the caller; the encoder only reports them back in fixups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    Const(i64),
    Sym {
        sym: u32,
        addend: i64,
        kind: SymKind,
    },
}

impl Value {
    pub fn as_const(&self) -> Option<i64> {
        match self {
            Value::Const(v) => Some(*v),
            _ => None,
        }
    }
}

/// Literal rows (sizes) in the assembler's numbering.
pub const LIT16: u8 = 0;
pub const LIT32: u8 = 1;
pub const LIT64: u8 = 2;

/// Half-syllable columns: col 2k = LTSk.lo, col 2k+1 = LTSk.hi.
/// `_fNN` / `_ltsN` / `_litNN_ref` specifiers of a statement (at most one pair per
/// statement, as in MCST as).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LitSpec {
    pub min_row: u8,
    pub max_row: u8,
    pub min_col: u8,
    pub max_col: u8,
    /// `_litNN_ref`: refer to a literal placed by another operation.
    pub reference: bool,
}

impl Default for LitSpec {
    fn default() -> Self {
        LitSpec {
            min_row: LIT16,
            max_row: LIT64,
            min_col: 0,
            max_col: 7,
            reference: false,
        }
    }
}

/// Which (row, col) cells can hold a literal.
pub const LIT_CELLS: [[bool; 8]; 3] = [
    [true, true, true, true, false, false, false, false],
    [true, false, true, false, true, false, true, false],
    [true, false, true, false, true, false, false, false],
];

impl LitSpec {
    pub fn is_default(&self) -> bool {
        *self == LitSpec::default()
    }

    /// True when the spec names exactly one literal size and position (required for
    /// references and AAU literals).
    pub fn is_unambiguous(&self) -> bool {
        self.min_row == self.max_row
            && (self.min_col == self.max_col
                || !LIT_CELLS[self.min_row as usize][self.max_col as usize])
    }
}

/// A predicate operand `[~]%predN` / `[~]%pcntN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pred {
    pub negated: bool,
    /// true for `%pcntN`.
    pub pcnt: bool,
    pub num: u32,
}

impl Pred {
    /// The 7-bit predicate source field: 0x60|N for %pred, 0x40|N for %pcnt (the number
    /// is not range-checked; large numbers wrap, as in MCST as).
    pub fn field(&self) -> u8 {
        let base: u32 = if self.pcnt { 0x40 } else { 0x60 };
        ((base | self.num) & 0x7f) as u8
    }
}

/// A source/destination operand of an ALU statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opnd {
    Reg(Reg),
    /// `%tst`, `%tc`, `%tcd`, `%ctprN`, `%empty` (their destination byte).
    Special(u8),
    Value(Value),
}
