//! The wide-instruction builder: collects the statements of one wide instruction (ALU
//! operations, control syllable fields, predicate logic, array access) with the same
//! checks and override rules as MCST as, then `finish` places literals, channels and CDS
//! and packs the bytes.

use super::literals::{self, Cell, HalfOwner, LitHistory, Literal};
use super::operand::{Pred, Value};
use super::ops::AluOp;
use super::pack;
use crate::fields::*;
use crate::tables::BitField;

/// An encoding error (message in the words of MCST as where it has one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError(pub String);

impl std::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EncodeError {}

pub type EResult<T> = Result<T, EncodeError>;

pub(crate) fn err<T>(msg: impl Into<String>) -> EResult<T> {
    Err(EncodeError(msg.into()))
}

/// What a fixup patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FixKind {
    /// 32-bit absolute literal.
    Abs32,
    /// 64-bit absolute literal in an LTS pair (halves swapped).
    Abs64Lit,
    /// 32-bit PC-relative literal.
    Pc32,
    /// 64-bit PC-relative literal (halves swapped).
    Pc64Lit,
    TlsLe32,
    TlsLe64,
    GotOff32,
    GotOff64Lit,
    Got,
    GotPlt,
    TlsIe,
    TlsGdMod,
    TlsGdRel,
    Size32,
    /// CS0 displacement in 8-byte units, relative to the wide instruction.
    Disp,
    /// CS0 displacement to a PLT entry.
    Plt,
    /// `pref` displacement.
    Pref,
}

impl FixKind {
    /// Size in bytes of the patched field.
    pub fn size(self) -> u8 {
        match self {
            FixKind::Abs64Lit | FixKind::Pc64Lit | FixKind::TlsLe64 | FixKind::GotOff64Lit => 8,
            _ => 4,
        }
    }

    /// True when the addend includes the offset of the field in the wide instruction.
    pub fn pc_relative(self) -> bool {
        matches!(
            self,
            FixKind::Pc32 | FixKind::Pc64Lit | FixKind::Disp | FixKind::Plt | FixKind::Pref
        )
    }
}

/// A symbolic field of the packed bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixup {
    /// Byte offset in the packed wide instruction.
    pub offset: u32,
    pub kind: FixKind,
    pub sym: u32,
    /// Addend (for PC-relative kinds it already includes `offset`).
    pub addend: i64,
}

/// A packed wide instruction (or 16-byte `fapb` asynchronous instruction).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Packed {
    pub bytes: Vec<u8>,
    pub fixups: Vec<Fixup>,
}

/// A bit field with MCST as "default/explicit" override semantics.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FieldState {
    pub set: bool,
    pub dflt: bool,
}

/// Sets field `f` of `word`: a non-default value overrides a default one, a second
/// non-default value is an error.
pub(crate) fn set_field(
    word: &mut u32,
    st: &mut FieldState,
    f: BitField,
    value: u32,
    dflt: bool,
    name: &str,
) -> EResult<()> {
    if !st.set || (!dflt && st.dflt) {
        *word = f.set(*word, value);
        st.set = true;
        st.dflt = dflt;
        Ok(())
    } else if !dflt {
        err(format!("explicitly overriding non-default value of {name}"))
    } else {
        Ok(())
    }
}

/// SS fields that follow the override rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SsF {
    Ctcond,
    Ctop,
    Alct,
    Alcf,
    Abpt,
    Abpf,
    Abnt,
    Abnf,
    Abg,
    Crp,
    Vfdi,
    Srp,
    Bap,
    Eap,
    Ipd,
}

impl SsF {
    pub fn field(self) -> (BitField, &'static str) {
        match self {
            SsF::Ctcond => (SS_CTCOND, "ss.ctcond"),
            SsF::Ctop => (SS_CTOP, "ss.ctop"),
            SsF::Alct => (SS_ALCT, "ss.alct"),
            SsF::Alcf => (SS_ALCF, "ss.alcf"),
            SsF::Abpt => (SS_ABPT, "ss.abpt"),
            SsF::Abpf => (SS_ABPF, "ss.abpf"),
            SsF::Abnt => (SS_ABNT, "ss.abnt"),
            SsF::Abnf => (SS_ABNF, "ss.abnf"),
            SsF::Abg => (SS_ABG, "ss.abg"),
            SsF::Crp => (SS_CRP, "ss.crp"),
            SsF::Vfdi => (SS_VFDI, "ss.vfdi"),
            SsF::Srp => (SS_SRP, "ss.srp"),
            SsF::Bap => (SS_BAP, "ss.bap"),
            SsF::Eap => (SS_EAP, "ss.eap"),
            SsF::Ipd => (SS_IPD, "ss.ipd"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct SsState {
    pub started: bool,
    pub word: u32,
    pub st: [FieldState; 15],
}

/// PLS fields that follow the override rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PlsF {
    Elp0,
    Elp1,
    ClpOpc,
    ClpNeg0,
    ClpP0,
    ClpNeg1,
    ClpP1,
    ClpVdst,
    ClpPdst,
}

impl PlsF {
    pub fn field(self) -> (BitField, &'static str) {
        match self {
            PlsF::Elp0 => (PLS_ELP0, "elp0"),
            PlsF::Elp1 => (PLS_ELP1, "elp1"),
            PlsF::ClpOpc => (PLS_CLP_OPC, "clp_opc"),
            PlsF::ClpNeg0 => (PLS_CLP_NEG0, "clp_neg0"),
            PlsF::ClpP0 => (PLS_CLP_P0, "clp_p0"),
            PlsF::ClpNeg1 => (PLS_CLP_NEG1, "clp_neg1"),
            PlsF::ClpP1 => (PLS_CLP_P1, "clp_p1"),
            PlsF::ClpVdst => (PLS_CLP_VDST, "clp_vdst"),
            PlsF::ClpPdst => (PLS_CLP_PDST, "clp_pdst"),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PlsState {
    pub word: u32,
    pub st: [FieldState; 9],
    pub needed: bool,
}

/// One ALS statement after operand encoding, waiting for literal and channel placement.
#[derive(Debug, Clone)]
pub(crate) struct AlsEntry {
    pub op: AluOp,
    /// ALS value(s) with src2 still zero when a long literal is pending.
    pub vals: [u32; 2],
    /// Number of ALS syllables (2 for pair operations).
    pub n: usize,
    /// Candidate positions (channel numbers) in order.
    pub positions: Vec<u8>,
    /// Literal placed for src2 (index into the builder's literals).
    pub lit: Option<usize>,
    /// ALES[7:0] when it is an operand (src3, lit8, pshufh order).
    pub ales_lo: Option<u8>,
    pub mas: Option<u8>,
    /// RLP %pred, MRGC, RLP %pcnt, AM (incr) conditions.
    pub preds: [Option<Pred>; 4],
    pub chosen: u8,
}

/// A PC-relative CS0 target awaiting a fixup.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cs0Fix {
    pub kind: FixKind,
    pub value: Value,
}

/// Collects one wide instruction.
#[derive(Debug, Clone)]
pub struct WideBuilder {
    pub(crate) version: u8,
    /// Statements outside `{}` get implicit delays.
    pub(crate) braceless: bool,
    pub(crate) strict_delay: bool,
    pub(crate) alses: Vec<AlsEntry>,
    pub(crate) lits: Vec<Literal>,
    pub(crate) ss: SsState,
    pub(crate) cs0: Option<u32>,
    pub(crate) cs0_fix: Option<Cs0Fix>,
    pub(crate) cs1_set: bool,
    pub(crate) cs1: u32,
    /// setbn rsz/rbs/rcur, setbp psz, settr type, setwd wsz/nfx/dbl, vfrpsz, setei.
    pub(crate) setcmd: [Option<u32>; 10],
    pub(crate) setsft: bool,
    pub(crate) pls: [PlsState; 3],
    pub(crate) cds: [u16; 6],
    pub(crate) aa0f1: [[u8; 2]; 2],
    pub(crate) aa2f1: [u16; 4],
    pub(crate) busy_aa2f1: u8,
    /// Explicit HS.nop; 0xff = bare `nop`.
    pub(crate) nop: Option<u8>,
    pub(crate) lm: bool,
    pub(crate) sw: bool,
    pub(crate) aps: [Option<(u32, u32)>; 2],
    pub(crate) explicit_int_cmp: u8,
    pub(crate) explicit_alces: u8,
    pub(crate) explicit_lp: u16,
    pub(crate) clp_incoming: [[u8; 2]; 3],
    /// Set when a statement failed: the wide instruction is not packed.
    pub(crate) failed: bool,
    /// Any statement at all (an empty `{}` still packs as a nop).
    pub(crate) any: bool,
    /// Warnings (e.g. literal8 out of its meaningful range).
    pub(crate) warnings: Vec<String>,
    /// Literal slots of earlier wide instructions (see `LitHistory`).
    pub(crate) history: LitHistory,
}

/// Index of a `setcmd` slot.
pub(crate) mod slot {
    pub const RSZ: usize = 0;
    pub const RBS: usize = 1;
    pub const RCUR: usize = 2;
    pub const PSZ: usize = 3;
    pub const TYPE: usize = 4;
    pub const WSZ: usize = 5;
    pub const NFX: usize = 6;
    pub const DBL: usize = 7;
    pub const RPSZ: usize = 8;
    pub const SETEI: usize = 9;
}

impl WideBuilder {
    /// A new empty wide instruction for ISA `version`. `braceless` selects the implicit
    /// delays of statements written outside braces (unless `strict_delay` is false).
    pub fn new(version: u8, braceless: bool, strict_delay: bool) -> WideBuilder {
        WideBuilder {
            version,
            braceless,
            strict_delay,
            alses: Vec::new(),
            lits: Vec::new(),
            ss: SsState::default(),
            cs0: None,
            cs0_fix: None,
            cs1_set: false,
            cs1: 0,
            setcmd: [None; 10],
            setsft: false,
            pls: Default::default(),
            cds: [0; 6],
            aa0f1: [[0; 2]; 2],
            aa2f1: [0; 4],
            busy_aa2f1: 0,
            nop: None,
            lm: false,
            sw: false,
            aps: [None; 2],
            explicit_int_cmp: 0,
            explicit_alces: 0,
            explicit_lp: 0,
            clp_incoming: [[0; 2]; 3],
            failed: false,
            any: false,
            warnings: Vec::new(),
            history: literals::EMPTY_HISTORY,
        }
    }

    /// Continues the literal-slot history of earlier wide instructions.
    pub fn with_history(mut self, history: LitHistory) -> WideBuilder {
        self.history = history;
        self
    }

    /// Adds a literal in the next slot (a literal without legal cells takes the stale
    /// first cell of its slot).
    pub(crate) fn push_literal(&mut self, mut lit: Literal) {
        let slot = self.lits.len();
        if lit.cells.is_empty() {
            let c = self
                .history
                .get(slot)
                .copied()
                .unwrap_or(Cell { size: 0, pos: 0 });
            lit.cells.push(if c.size == 0 {
                Cell { size: 4, pos: 0 }
            } else {
                c
            });
        }
        self.lits.push(lit);
    }

    /// Finishes and returns the updated literal-slot history too.
    pub fn finish_with_history(self) -> (Result<Packed, Vec<EncodeError>>, LitHistory) {
        let mut h = self.history;
        let mut b = self;
        let r = b.finish_inner();
        for (i, l) in b.lits.iter().enumerate() {
            if i < h.len() && l.sort_count > 0 {
                h[i] = l.cells[0];
            }
        }
        (r, h)
    }

    pub fn version(&self) -> u8 {
        self.version
    }

    /// True when nothing has been added.
    pub fn is_empty(&self) -> bool {
        !self.any
    }

    /// Takes the warnings produced so far.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Marks the wide instruction as failed (a statement could not be parsed).
    pub fn mark_failed(&mut self) {
        self.failed = true;
        self.any = true;
    }

    pub(crate) fn delays(&self) -> bool {
        self.braceless && self.strict_delay
    }

    pub(crate) fn ss_set(&mut self, f: SsF, value: u32, dflt: bool) -> EResult<()> {
        let (bf, name) = f.field();
        let st = &mut self.ss.st[f as usize];
        set_field(&mut self.ss.word, st, bf, value, dflt, name)
    }

    pub(crate) fn ss_get(&self, f: SsF) -> u32 {
        f.field().0.get(self.ss.word)
    }

    pub(crate) fn ss_is_set(&self, f: SsF) -> bool {
        self.ss.st[f as usize].set
    }

    pub(crate) fn ss_is_dflt(&self, f: SsF) -> bool {
        self.ss.st[f as usize].dflt
    }

    /// Starts the SS syllable (ctcond never and ipd 3 as defaults).
    pub(crate) fn start_ss(&mut self) {
        if self.ss.started {
            return;
        }
        let _ = self.ss_set(SsF::Ctcond, 0, true);
        let _ = self.ss_set(SsF::Ipd, 3, true);
        self.ss.started = true;
    }

    pub(crate) fn pls_set(&mut self, idx: usize, f: PlsF, value: u32) -> EResult<()> {
        let (bf, name) = f.field();
        let p = &mut self.pls[idx];
        set_field(
            &mut p.word,
            &mut p.st[f as usize],
            bf,
            value,
            false,
            &format!("pls[{idx}].{name}"),
        )
    }

    /// Finishes the wide instruction: checks cross-statement rules, places literals,
    /// channels and CDS, and packs the bytes. All errors found are returned.
    pub fn finish(mut self) -> Result<Packed, Vec<EncodeError>> {
        self.finish_inner()
    }

    fn finish_inner(&mut self) -> Result<Packed, Vec<EncodeError>> {
        let mut errors = Vec::new();
        if self.failed {
            return Err(errors);
        }
        if self.aps.iter().any(|a| a.is_some()) {
            return Ok(pack::pack_apb(&self.aps));
        }
        self.verify_pls(&mut errors);
        self.verify_ctcond(&mut errors);
        if let Err(e) = self.encode_setcmds() {
            errors.push(e);
        }
        let halves: [HalfOwner; 8] = match literals::place(&mut self.lits) {
            Some(h) => h,
            None => {
                errors.push(EncodeError(
                    "literals cannot be packed into a wide command".into(),
                ));
                errors.push(EncodeError("cannot place literals".into()));
                return Err(errors);
            }
        };
        // Fill in the src2 bytes of long literals.
        for a in self.alses.iter_mut() {
            if let Some(li) = a.lit {
                if let Some(cell) = self.lits[li].chosen {
                    let b = literals::src2_byte(cell) as u32;
                    for v in a.vals.iter_mut() {
                        *v = ALS_SRC2.set(*v, b);
                    }
                }
            }
        }
        let placed = match self.place_alses() {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                return Err(errors);
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        match pack::pack(self, &placed, &halves) {
            Ok(p) => Ok(p),
            Err(e) => {
                errors.push(e);
                Err(errors)
            }
        }
    }
}
