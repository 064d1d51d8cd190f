//! Deliberate differences from the recorded qemu-e2k behaviour, each with its reason.
//! Rules live beside their owners' ops: exceptions_int.rs (integer side) and
//! exceptions_fp.rs (floating-point side). A rule must be narrow (one op family, one
//! condition) and explain why the architecturally right result differs from the vector.

use super::Vector;
use e2k_isa::sem::Exc;

#[path = "exceptions_fp.rs"]
mod fp;
#[path = "exceptions_int.rs"]
mod int;

/// True when vector `v` may be answered by `got`/`flags` for a documented reason.
pub fn allowed(v: &Vector, got: &Result<u128, Exc>, flags: u32) -> bool {
    int::allowed(v, got, flags) || fp::allowed(v, got, flags)
}
