//! e2k ISA: the spec-generated operation tables, bundle decoder, encoder helpers,
//! disassembler core and the pure semantic helpers shared by every execution tier.

pub mod bundle;
pub mod disasm;
pub mod encode;
pub mod optable;
pub mod sem;
pub mod tables;

pub use bundle::{decode_bundle, Bundle, DecodeError, DecodeErrorKind, Syl};
pub use optable::{AlopId, OpTable};
pub use tables::*;

/// An ISA version (1..=7).
pub type IsaVersion = u8;

/// Lowest and highest ISA versions the emulator accepts.
pub const MIN_VERSION: IsaVersion = 1;
pub const MAX_VERSION: IsaVersion = 7;
