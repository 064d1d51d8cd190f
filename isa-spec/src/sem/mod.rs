//! Pure semantic helpers, one per operation (or one generic per family), shared by the
//! interpreter and the JIT. The spec's `sem=` key names the helper of each operation; the
//! generated wrappers adapt it to the uniform [`SemFn`] calling convention.

mod f80type;

// Integer-side helpers.
pub mod icmp;
pub mod icomb;
pub mod int;
pub mod packed;
pub mod plog;
pub mod qpint;

// Floating-point-side helpers.
pub mod f80;
pub mod fcmp;
pub mod fcomb;
pub mod fp;
pub mod qpfp;

pub use f80type::F80;

/// FP environment and version context an operation may read or update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemCtx {
    /// ISA version of the executing CPU.
    pub iset: u8,
    /// PFPFR: control and sticky flags for 32/64-bit and packed FP (MXCSR layout:
    /// flags IE=0x01 DE=0x02 ZE=0x04 OE=0x08 UE=0x10 PE=0x20, masks bits 7..12,
    /// rounding control bits 13..14, FTZ bit 15, DAZ bit 6).
    pub pfpfr: u32,
    /// FPCR: x87-style control word for 80-bit operations (precision bits 8..9, rounding 10..11).
    pub fpcr: u32,
    /// FPSR: x87-style status word (flags in bits 0..5).
    pub fpsr: u32,
}

impl Default for SemCtx {
    fn default() -> Self {
        SemCtx {
            iset: 6,
            pfpfr: 0x1f80,
            fpcr: 0x037f,
            fpsr: 0,
        }
    }
}

/// An exception raised by an operation (becomes a guest signal in user mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exc {
    /// Integer division by zero or overflow (SIGFPE, FPE_INTDIV).
    DivZero,
    /// Unmasked floating-point exception (SIGFPE).
    FpUnmasked,
    /// Invalid operand combination or value the hardware rejects (SIGILL, ILL_ILLOPN).
    IllegalOperand,
}

/// The uniform calling convention of generated semantic wrappers: up to four sources as
/// 128-bit values (32/64-bit values in the low bits, F80 as `F80::to_bits`), result likewise.
pub type SemFn = fn(&mut SemCtx, u128, u128, u128, u128) -> Result<u128, Exc>;

/// The narrow convention of ops whose (at most three) sources and result are 32/64-bit
/// values or predicates: the same helper, with operands and result passed in registers;
/// `(_, false)` when the helper raised an exception (the caller then runs the general
/// executor, which reports it).
pub type Sem64Fn = fn(&mut SemCtx, u64, u64, u64) -> (u64, bool);
