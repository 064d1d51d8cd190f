//! e2kemu: an emulator for the Elbrus 2000 (e2k) VLIW architecture.
//! This crate holds the interpreter (`cpu`), guest memory (`mem`), the Linux user-mode
//! layer, the assembler front end and the ELF tools.

pub mod asm;
pub mod cli;
pub mod cpu;
#[cfg(feature = "jit")]
pub mod jit;
pub mod linux;
pub mod mem;
pub mod migration;
pub mod monitor;

pub use e2k_isa as isa;
