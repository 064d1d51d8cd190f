//! The wide-instruction encoder (assembler back end): a structured builder for the
//! statements of one wide instruction that packs bytes exactly as MCST `as` does —
//! channel choice, literal placement, CDS/PLS layout, ALES rules per ISA version — and
//! reports symbolic fields as fixups.

mod als;
mod builder;
mod channels;
mod control;
pub mod literals;
pub mod operand;
pub mod ops;
mod pack;

pub use als::{Aasti, AlsArgs, AlsStmt};
pub use builder::{EResult, EncodeError, FixKind, Fixup, Packed, WideBuilder};
pub use control::{
    CondMode, Cs0Op, CtCond, DoneOp, Fapb, LoopCombo, MlockSub, Mova, MovaDst, PassSrc, SetCmd,
    Target,
};
pub use literals::{LitHistory, EMPTY_HISTORY};
pub use operand::{LitSpec, Opnd, Pred, Reg, RegClass, SymKind, Value};
pub use ops::{AluOp, Lookup, PairKind};
