//! ALU operation lookup for the encoder: merges the spec rows of one mnemonic that exist in
//! an ISA version into a single template (one row per allowed channel), the way the
//! assembler's opcode table merges them.

use crate::tables::{alops_named, AlopDef, Format, Opnd};

/// How a pair (quad) operation spreads over two channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairKind {
    /// One channel.
    Single,
    /// (0,1) and (3,4).
    Pair01,
    /// (0,2) and (3,5).
    Pair02,
    /// (2,5) only.
    Pair25,
}

/// One ALU mnemonic as available in one ISA version.
#[derive(Debug, Clone, Copy)]
pub struct AluOp {
    pub name: &'static str,
    /// The row used for parsing (the first row in spec order).
    pub main: &'static AlopDef,
    /// The row that encodes the op in each channel.
    pub rows: [Option<&'static AlopDef>; 6],
    /// Bit n: allowed in ALC n.
    pub chans: u8,
    pub version: u8,
}

impl PartialEq for AluOp {
    fn eq(&self, other: &AluOp) -> bool {
        self.main.id == other.main.id && self.version == other.version && self.chans == other.chans
    }
}

/// Result of looking a mnemonic up.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    Found(AluOp),
    /// The mnemonic exists, but not in this version.
    OtherVersion,
    /// No ALU operation of that name.
    Unknown,
}

impl AluOp {
    /// Finds the ALU operation `name` for ISA version `version`.
    pub fn lookup(name: &str, version: u8) -> Lookup {
        let mut rows: [Option<&'static AlopDef>; 6] = [None; 6];
        let mut main: Option<&'static AlopDef> = None;
        let mut any = false;
        for d in alops_named(name) {
            any = true;
            if !d.in_version(version) {
                continue;
            }
            if main.is_none() {
                main = Some(d);
            }
            for (ch, row) in rows.iter_mut().enumerate() {
                if d.allows_channel(ch) && row.is_none() {
                    *row = Some(d);
                }
            }
        }
        match main {
            Some(m) => {
                let mut chans = 0u8;
                for (ch, r) in rows.iter().enumerate() {
                    if r.is_some() {
                        chans |= 1 << ch;
                    }
                }
                Lookup::Found(AluOp {
                    name: m.name,
                    main: m,
                    rows,
                    chans,
                    version,
                })
            }
            None if any => Lookup::OtherVersion,
            None => Lookup::Unknown,
        }
    }

    pub fn fmt(&self) -> Format {
        self.main.fmt
    }

    pub fn args(&self) -> &'static [Opnd] {
        self.main.args
    }

    pub fn allows(&self, ch: usize) -> bool {
        ch < 6 && self.chans & (1 << ch) != 0
    }

    /// The row that encodes the op in channel `ch` (falls back to the main row).
    pub fn row(&self, ch: usize) -> &'static AlopDef {
        self.rows.get(ch).copied().flatten().unwrap_or(self.main)
    }

    /// Operand kind of argument `i` (S when absent).
    pub fn arg(&self, i: usize) -> Opnd {
        self.main.args.get(i).copied().unwrap_or(Opnd::S)
    }

    /// Whether (and how) the op occupies two channels.
    pub fn pair_kind(&self) -> PairKind {
        use Format::*;
        let args = self.main.args;
        let q = |i: usize| args.get(i) == Some(&Opnd::Q);
        let first = match self.fmt() {
            Alopf11 | Alopf11Mas => args.len() == 3 && q(2),
            Alopf2 | Alopf22 | Alopf12 => args.len() == 2 && q(1),
            _ => false,
        };
        if first {
            return if self.allows(1) {
                PairKind::Pair01
            } else {
                PairKind::Pair02
            };
        }
        let second = match self.fmt() {
            Alopf13Mas => args.len() >= 3 && q(2),
            Alopf10Mas | Aaurw | Aaurr | Alopf19Mas => q(0),
            _ => false,
        };
        if second {
            PairKind::Pair25
        } else {
            PairKind::Single
        }
    }

    /// For pair operations: src1 holds the same register number in both channels.
    pub fn same_src1_in_pair(&self) -> bool {
        match self.pair_kind() {
            PairKind::Single => false,
            PairKind::Pair01 | PairKind::Pair02 => {
                self.fmt() == Format::Alopf11Mas && self.arg(0) == Opnd::Q
            }
            PairKind::Pair25 => self.arg(0) == Opnd::Q,
        }
    }

    /// The channels a pair op really occupies when placed at position `pos`.
    pub fn real_channels(&self, pos: u8) -> Option<(u8, Option<u8>)> {
        match self.pair_kind() {
            PairKind::Single => Some((pos, None)),
            PairKind::Pair01 => match pos {
                0 | 1 => Some((0, Some(1))),
                3 | 4 => Some((3, Some(4))),
                _ => None,
            },
            PairKind::Pair02 => match pos {
                0 | 2 => Some((0, Some(2))),
                3 | 5 => Some((3, Some(5))),
                _ => None,
            },
            PairKind::Pair25 => match pos {
                2 | 5 => Some((2, Some(5))),
                _ => None,
            },
        }
    }

    /// Implicit delay (HS.nop) of a braceless statement of this op, if any.
    pub fn implicit_nops(&self) -> Option<u8> {
        match self.fmt() {
            Format::Alopf7 => Some(if self.name.starts_with('f') { 4 } else { 2 }),
            Format::Alopf17 | Format::Alopf8 => Some(2),
            Format::Alopf15 => Some(5),
            _ => None,
        }
    }

    /// True for the formats that take a `mas=`.
    pub fn has_mas(&self) -> bool {
        self.fmt().has_mas()
    }

    /// True for integer comparisons writing a predicate (can be named by `%cmpN`).
    pub fn is_pred_compare(&self) -> bool {
        matches!(self.fmt(), Format::Alopf7 | Format::Alopf17)
    }
}
