//! Scalar integer operations.

use super::{Exc, SemCtx};

pub fn adds(_: &mut SemCtx, a: u32, b: u32) -> Result<u32, Exc> {
    Ok(a.wrapping_add(b))
}

pub fn addd(_: &mut SemCtx, a: u64, b: u64) -> Result<u64, Exc> {
    Ok(a.wrapping_add(b))
}
