//! The trace description the JIT compiles: a straight path of wide instructions (bundles)
//! whose operations read and write 64-bit register values, with the control transfer each
//! bundle makes and the path the trace expects it to take. The interpreter side builds
//! it from its pre-decoded bundles; everything here is plain data.

/// Where a source operand comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// window register `%rN` (index from the window base)
    Win(u8),
    /// global register `%gN`
    Glob(u8),
    /// based register `%b[N]` under the rotation current when the bundle runs (only in
    /// traces whose rotation varies, [`Trace::rot`]; otherwise resolved to `Win`)
    Based(u8),
    /// immediate or literal (tag 0)
    Imm(u64),
    /// absent source (reads as 0, tag 0)
    Zero,
}

/// How a result lands in its 128-bit register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// 64-bit: low half replaced, tags of the low half cleared
    D,
    /// 32-bit: low word replaced, its tag cleared (WD.dbl = 0 or a dbl-exempt op)
    S32,
    /// 32-bit zero-extended into the low half, its tags cleared (WD.dbl = 1)
    S64,
}

/// Where a result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dst {
    Win(u8, Width),
    Glob(u8, Width),
    Based(u8, Width),
    Pred(PRef),
    /// no register result (stores, `%empty`)
    None,
}

/// Operations lowered to native instructions (64-bit two-source forms; the predicate
/// forms produce 0/1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Native {
    Add,
    Sub,
    And,
    AndN,
    Or,
    OrN,
    Xor,
    XorN,
    Shl,
    Shr,
    Sar,
    Rotl,
    Rotr,
    CmpULt,
    CmpEq,
    CmpULe,
    CmpSLt,
    CmpSLe,
}

/// f64 operations lowered to host FP instructions in the plain case (round to nearest,
/// inexact masked, operands and result normal or zero), the semantic helper otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FpOp {
    AddD,
    SubD,
    MulD,
}

/// What an operation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Native(Native),
    /// host FP in the plain case, else the helper of spec operation `id`
    Fp(FpOp, u16),
    /// call the interpreter's semantic helper of this spec operation (ALOPS index)
    Helper(u16),
    /// load of 1, 2, 4 or 8 bytes from `src0 + src1`, zero-extended
    Load(u8),
    /// store of 1, 2, 4 or 8 bytes of `src2` at `src0 + src1`
    Store(u8),
}

/// One operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Op {
    pub kind: Kind,
    pub src: [Src; 3],
    pub dst: Dst,
    /// predicate guard: terms ORed within their kind (predicate/lcnt terms, pcnt
    /// terms), kinds ANDed; the op runs when every present kind holds
    pub rlp: [Option<Term>; 4],
}

/// A predicate: physical (rotation resolved when the trace was built), or logical
/// `%predN` with N within the rotating area, rotated when the bundle runs (only in
/// traces whose predicate rotation varies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PRef {
    Phys(u8),
    Rot(u8),
}

/// One term of an operation's predicate guard (RLP), evaluated before the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// a predicate's value
    Pred(PRef, bool),
    /// `%pcntN`: LSR.pcnt <= N
    Pcnt(u8, bool),
    /// `%lcnt == 0` (loop counter exhausted)
    LcntZero(bool),
}

impl Term {
    pub fn negated(self) -> bool {
        match self {
            Term::Pred(_, n) | Term::Pcnt(_, n) | Term::LcntZero(n) => n,
        }
    }
}

/// A transfer condition on the predicates and loop state as they were before the
/// bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cond {
    Always,
    /// SS.ctcond kinds 2..=7, 0xe, 0xf (predicate and/or loop end, as the ISA defines
    /// them) on predicate `p`
    Ct {
        kind: u8,
        p: PRef,
    },
}

/// The control transfer of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Xfer {
    None,
    /// `ct %ctprN`: taken to `target` when CTPR N holds `expect` (otherwise the bundle
    /// leaves the trace before it runs); `static_ctpr` when the bundle's own `disp`
    /// prepared that CTPR
    Ct {
        cond: Cond,
        ctpr: u8,
        expect: u64,
        static_ctpr: bool,
        target: u64,
    },
    /// `ibranch` to a fixed target
    Ibranch {
        cond: Cond,
        target: u64,
    },
    /// `call %ctprN, wbs`: when taken, CTPR N must hold `expect` (a `disp` to
    /// `target`); the trace ends there and the call (window shift, chain frame) is done
    /// by the interpreter's `call` helper before control goes on at `target`
    Call {
        cond: Cond,
        ctpr: u8,
        expect: u64,
        static_ctpr: bool,
        target: u64,
        wbs: u8,
    },
    /// `ct %ctpr3` through a RETURN CTPR: when taken the trace ends and the
    /// interpreter's `return` helper pops the chain frame and gives the return address
    Return {
        cond: Cond,
    },
}

impl Xfer {
    /// The transfer's condition (None without a transfer).
    pub fn cond(&self) -> Option<Cond> {
        match *self {
            Xfer::None => None,
            Xfer::Ct { cond, .. }
            | Xfer::Ibranch { cond, .. }
            | Xfer::Call { cond, .. }
            | Xfer::Return { cond } => Some(cond),
        }
    }
}

/// One bundle of a trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub addr: u64,
    /// address of the following bundle in memory
    pub next: u64,
    pub ops: Vec<Op>,
    /// CTPR written by the bundle's `disp`: (number, value)
    pub prep: Option<(u8, u64)>,
    /// the bundle's `return` preparation (CTPR3 := the return address of the top chain
    /// frame, from the `prep_return` helper)
    pub prep_return: bool,
    /// `setwd wsz, nfx, dbl`: window size (registers), no-fixed flag, WD.dbl
    pub setwd: Option<(u32, bool, bool)>,
    pub xfer: Xfer,
    /// loop mode (stores suppressed in the prologue and after the epilogue)
    pub loop_mode: bool,
    /// SS stubs: bit 0 fires when the transfer is taken, bit 1 when it is not
    pub alc: u8,
    pub abn: u8,
    pub abp: u8,
}

impl Bundle {
    /// Whether the bundle reads or changes the loop state (LSR, loop counter).
    pub fn uses_loop(&self) -> bool {
        self.loop_mode
            || self.alc != 0
            || self
                .ops
                .iter()
                .any(|o| o.rlp.iter().flatten().any(|t| !matches!(t, Term::Pred(..))))
            || matches!(self.xfer.cond(), Some(Cond::Ct { kind, .. }) if kind >= 4)
    }
}

/// Rotation facts of a trace whose rotation varies while it runs (`abn`/`abp`): the
/// fixed parts of BR; the current `rcur`/`pcur` are in [`crate::JitCtx`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    /// based area: first register `2 * rbs`, `2 * rsz + 2` registers
    pub rbs: u8,
    pub rsz: u8,
    /// rotating predicates 0..=psz
    pub psz: u8,
    /// whether based-register / predicate rotation varies inside the trace
    pub dyn_regs: bool,
    pub dyn_preds: bool,
}

/// A trace: bundles in the order the path visits them; control that reaches the first
/// bundle's address again loops inside the trace, anything off the path leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    pub bundles: Vec<Bundle>,
    /// what entry checks
    pub entry: crate::Entry,
    /// Some when the trace rotates registers or predicates
    pub rot: Option<Rotation>,
}
