//! The 80-bit extended-precision value as stored in e2k registers.

/// An x87-format 80-bit float: 64-bit significand with explicit integer bit, and
/// sign+15-bit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct F80 {
    pub mant: u64,
    /// bit 15 sign, bits 14..0 biased exponent
    pub se: u16,
}

impl F80 {
    /// Unpacks from the register view: significand in bits 0..64, sign/exponent in 64..80.
    #[inline]
    pub fn from_bits(v: u128) -> F80 {
        F80 {
            mant: v as u64,
            se: (v >> 64) as u16,
        }
    }
    #[inline]
    pub fn to_bits(self) -> u128 {
        (self.mant as u128) | ((self.se as u128) << 64)
    }
}
