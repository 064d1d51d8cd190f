//! e2kemu: an emulator for the Elbrus 2000 (e2k) VLIW architecture.
//! This crate holds the assembler front end, the ELF tools, and (later) the interpreter,
//! Linux user-mode layer, monitor and migration.

pub use e2k_isa as isa;
