//! The emulator's own soft-float engine, shared by every floating-point helper.
//!
//! Operands are unpacked into [`Fp`] (class, sign, unbiased exponent and a normalised
//! 64-bit significand), so one implementation serves f32, f64 and the x87 80-bit format.
//! Each arithmetic result is rounded exactly once by [`round`] to a [`Format`]: a
//! significand precision plus an exponent range. x87 precision control is the 80-bit
//! exponent range with a 24/53/64-bit significand ([`Format::x87`]).
//!
//! Exceptions follow x87/SSE: the flags of [`flag`] (IE DE ZE OE UE PE, bits 0..5) are
//! ORed into [`Env::flags`]. Tininess is detected after rounding, underflow is signalled
//! for tiny inexact results (tiny results when the underflow trap is unmasked), NaNs are
//! propagated by the x87 rule (see `nan`), the default NaN is the negative quiet NaN.
//! Everything is allocation-free, panic-free and deterministic on every host.

mod arith;
mod cmp;
mod conv;
mod fma;
mod nan;
mod pack;
mod round;
mod sqrt;

pub use arith::{add, div, mul, sub};
pub use cmp::{compare, Relation};
pub use conv::{convert, from_i64, round_to_integral, scale, store, to_int};
pub use fma::fma;
pub use nan::{default_nan, propagate2, quiet};
pub use pack::{pack_f32, pack_f64, pack_f80, unpack_f32, unpack_f64, unpack_f80, Bits};
pub use round::round;
pub use sqrt::sqrt;

/// Exception flag bits, in the order shared by FPSR, PFPFR and MXCSR.
pub mod flag {
    /// Invalid operation.
    pub const IE: u32 = 0x01;
    /// Denormal operand.
    pub const DE: u32 = 0x02;
    /// Division by zero.
    pub const ZE: u32 = 0x04;
    /// Overflow.
    pub const OE: u32 = 0x08;
    /// Underflow.
    pub const UE: u32 = 0x10;
    /// Inexact result (precision).
    pub const PE: u32 = 0x20;
}

/// Rounding direction, numbered as in the RC fields of PFPFR, FPCR and MXCSR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    NearestEven,
    Down,
    Up,
    TowardZero,
}

impl Rounding {
    /// Decodes a 2-bit RC field (higher bits are ignored).
    #[inline]
    pub const fn from_bits(rc: u32) -> Rounding {
        match rc & 3 {
            0 => Rounding::NearestEven,
            1 => Rounding::Down,
            2 => Rounding::Up,
            _ => Rounding::TowardZero,
        }
    }
}

/// The control inputs of one operation and the flags it raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Env {
    pub rm: Rounding,
    /// Denormal operands read as zero (MXCSR.DAZ); only [`unpack_f32`]/[`unpack_f64`] use it.
    pub daz: bool,
    /// Tiny results are flushed to zero when underflow is masked (MXCSR.FZ).
    pub ftz: bool,
    /// The underflow exception is masked (a tiny exact result then raises no UE).
    pub ue_masked: bool,
    /// Raised exception flags ([`flag`]).
    pub flags: u32,
}

impl Env {
    /// Default environment with rounding `rm`: no DAZ/FTZ, underflow masked, no flags.
    #[inline]
    pub const fn new(rm: Rounding) -> Env {
        Env {
            rm,
            daz: false,
            ftz: false,
            ue_masked: true,
            flags: 0,
        }
    }

    #[inline]
    pub fn raise(&mut self, f: u32) {
        self.flags |= f;
    }
}

/// Significand precision and exponent range a result is rounded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Significand bits including the integer bit (1..=64).
    pub prec: u32,
    /// Smallest normal exponent (unbiased).
    pub emin: i32,
    /// Largest finite exponent (unbiased).
    pub emax: i32,
}

impl Format {
    pub const SINGLE: Format = Format {
        prec: 24,
        emin: -126,
        emax: 127,
    };
    pub const DOUBLE: Format = Format {
        prec: 53,
        emin: -1022,
        emax: 1023,
    };
    pub const EXTENDED: Format = Format {
        prec: 64,
        emin: -16382,
        emax: 16383,
    };

    /// The x87 format under precision control `pc` (FPCR bits 9:8): 0 → 24 bits,
    /// 2 → 53 bits, 3 → 64 bits; the reserved value 1 is treated as 64 bits.
    #[inline]
    pub const fn x87(pc: u32) -> Format {
        let prec = match pc & 3 {
            0 => 24,
            2 => 53,
            _ => 64,
        };
        Format {
            prec,
            emin: -16382,
            emax: 16383,
        }
    }
}

/// Kind of an unpacked value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Zero,
    /// Finite non-zero (normal or denormal encoding).
    Finite,
    Inf,
    QNaN,
    SNaN,
    /// An 80-bit encoding x87 rejects: unnormal, pseudo-NaN, pseudo-infinity.
    Unsupported,
}

/// An unpacked floating-point value.
///
/// For [`Class::Finite`] the value is `sig * 2^(exp - 63)` with bit 63 of `sig` set. NaNs
/// keep their payload x87-style: bit 63 set, bit 62 the quiet bit, the fraction below
/// (an f32/f64 fraction is left-aligned under bit 62).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fp {
    pub class: Class,
    pub sign: bool,
    pub exp: i32,
    pub sig: u64,
    /// The operand was encoded as a denormal (or pseudo-denormal): DE when it is used.
    pub denormal: bool,
}

impl Fp {
    #[inline]
    pub const fn zero(sign: bool) -> Fp {
        Fp {
            class: Class::Zero,
            sign,
            exp: 0,
            sig: 0,
            denormal: false,
        }
    }

    #[inline]
    pub const fn inf(sign: bool) -> Fp {
        Fp {
            class: Class::Inf,
            sign,
            exp: 0,
            sig: 1 << 63,
            denormal: false,
        }
    }

    /// A finite value `sig * 2^(exp - 63)`; `sig` must have bit 63 set.
    #[inline]
    pub const fn finite(sign: bool, exp: i32, sig: u64) -> Fp {
        Fp {
            class: Class::Finite,
            sign,
            exp,
            sig,
            denormal: false,
        }
    }

    /// Any kind of NaN, including unsupported 80-bit encodings.
    #[inline]
    pub const fn is_nan(&self) -> bool {
        matches!(self.class, Class::QNaN | Class::SNaN | Class::Unsupported)
    }

    #[inline]
    pub const fn negate(self) -> Fp {
        Fp {
            sign: !self.sign,
            ..self
        }
    }

    /// Restores the invariant of a finite value (bit 63 of `sig` set); a zero
    /// significand makes it a zero. Every operation applies it to its operands, so
    /// hand-built values cannot break them.
    #[inline]
    pub fn normalized(self) -> Fp {
        if self.class != Class::Finite || self.sig >> 63 == 1 {
            return self;
        }
        if self.sig == 0 {
            return Fp::zero(self.sign);
        }
        let lz = self.sig.leading_zeros();
        Fp {
            sig: self.sig << lz,
            exp: self.exp.saturating_sub(lz as i32),
            ..self
        }
    }

    #[inline]
    pub const fn abs(self) -> Fp {
        Fp {
            sign: false,
            ..self
        }
    }
}

/// Raises DE when one of `ops` is a denormal operand (callers handle NaNs first).
#[inline]
fn check_denormal(env: &mut Env, ops: &[Fp]) {
    if ops.iter().any(|x| x.denormal) {
        env.raise(flag::DE);
    }
}
