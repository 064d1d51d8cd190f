//! Conversions between encodings (f32, f64, x87 80-bit) and the unpacked [`Fp`].

use super::{Class, Env, Format, Fp};
use crate::sem::F80;

/// Unpacks an IEEE binary encoding with `fb` fraction bits and an exponent of `eb` bits.
#[inline]
fn unpack_ieee(bits: u64, fb: u32, eb: u32, daz: bool) -> Fp {
    let emask = (1u64 << eb) - 1;
    let bias = (emask >> 1) as i32;
    let sign = (bits >> (fb + eb)) & 1 == 1;
    let e = (bits >> fb) & emask;
    let frac = bits & ((1u64 << fb) - 1);
    let align = 63 - fb;
    if e == emask {
        if frac == 0 {
            return Fp::inf(sign);
        }
        let quiet = frac >> (fb - 1) & 1 == 1;
        return Fp {
            class: if quiet { Class::QNaN } else { Class::SNaN },
            sign,
            exp: 0,
            sig: 1 << 63 | frac << align,
            denormal: false,
        };
    }
    if e == 0 {
        if frac == 0 || daz {
            return Fp::zero(sign);
        }
        let lz = frac.leading_zeros();
        return Fp {
            class: Class::Finite,
            sign,
            // value = frac * 2^(1 - bias - fb)
            exp: 1 - bias - fb as i32 + 63 - lz as i32,
            sig: frac << lz,
            denormal: true,
        };
    }
    Fp::finite(sign, e as i32 - bias, 1 << 63 | frac << align)
}

/// Packs an [`Fp`] that is exactly representable in the IEEE format (`fb`, `eb`).
/// NaN payloads are truncated to the fraction width.
#[inline]
fn pack_ieee(x: Fp, fb: u32, eb: u32) -> u64 {
    let emask = (1u64 << eb) - 1;
    let bias = (emask >> 1) as i32;
    let sign = (x.sign as u64) << (fb + eb);
    let fmask = (1u64 << fb) - 1;
    let align = 63 - fb;
    match x.class {
        Class::Zero => sign,
        Class::Inf => sign | emask << fb,
        Class::QNaN | Class::SNaN | Class::Unsupported => {
            let mut frac = (x.sig >> align) & fmask;
            if frac == 0 {
                // A payload that does not survive the narrowing still has to stay a NaN.
                frac = 1 << (fb - 1);
            }
            sign | emask << fb | frac
        }
        Class::Finite => {
            let emin = 1 - bias;
            if x.exp >= emin {
                let e = x.exp.saturating_add(bias).clamp(1, emask as i32 - 1) as u64;
                sign | e << fb | (x.sig >> align) & fmask
            } else {
                let d = (align as i32)
                    .saturating_add(emin.saturating_sub(x.exp))
                    .min(63) as u32;
                sign | (x.sig >> d) & fmask
            }
        }
    }
}

/// Unpacks an f32; with `daz` a denormal reads as zero.
#[inline]
pub fn unpack_f32(bits: u32, daz: bool) -> Fp {
    unpack_ieee(bits as u64, 23, 8, daz)
}

/// Unpacks an f64; with `daz` a denormal reads as zero.
#[inline]
pub fn unpack_f64(bits: u64, daz: bool) -> Fp {
    unpack_ieee(bits, 52, 11, daz)
}

/// Packs a value representable in f32 (a result of rounding to [`Format::SINGLE`]).
#[inline]
pub fn pack_f32(x: Fp) -> u32 {
    pack_ieee(x, 23, 8) as u32
}

/// Packs a value representable in f64 (a result of rounding to [`Format::DOUBLE`]).
#[inline]
pub fn pack_f64(x: Fp) -> u64 {
    pack_ieee(x, 52, 11)
}

/// Unpacks an x87 80-bit value. Unnormals, pseudo-NaNs and pseudo-infinities are
/// [`Class::Unsupported`]; pseudo-denormals read as denormals with exponent 1.
#[inline]
pub fn unpack_f80(v: F80) -> Fp {
    let sign = v.se & 0x8000 != 0;
    let e = (v.se & 0x7fff) as i32;
    let m = v.mant;
    let int_bit = m >> 63 == 1;
    if e == 0x7fff {
        let class = if !int_bit {
            Class::Unsupported
        } else if m << 1 == 0 {
            return Fp::inf(sign);
        } else if m >> 62 & 1 == 1 {
            Class::QNaN
        } else {
            Class::SNaN
        };
        return Fp {
            class,
            sign,
            exp: 0,
            sig: m,
            denormal: false,
        };
    }
    if e == 0 {
        if m == 0 {
            return Fp::zero(sign);
        }
        let lz = m.leading_zeros();
        return Fp {
            class: Class::Finite,
            sign,
            exp: -16382 - lz as i32,
            sig: m << lz,
            denormal: true,
        };
    }
    if !int_bit {
        return Fp {
            class: Class::Unsupported,
            sign,
            exp: e - 16383,
            sig: m,
            denormal: false,
        };
    }
    Fp::finite(sign, e - 16383, m)
}

/// Packs a value representable in the 80-bit format.
#[inline]
pub fn pack_f80(x: Fp) -> F80 {
    let s = (x.sign as u16) << 15;
    match x.class {
        Class::Zero => F80 { mant: 0, se: s },
        Class::Inf => F80 {
            mant: 1 << 63,
            se: s | 0x7fff,
        },
        Class::QNaN | Class::SNaN | Class::Unsupported => F80 {
            mant: x.sig | 1 << 63,
            se: s | 0x7fff,
        },
        Class::Finite => {
            if x.exp >= -16382 {
                F80 {
                    mant: x.sig,
                    se: s | x.exp.saturating_add(16383).clamp(1, 0x7ffe) as u16,
                }
            } else {
                let d = (-16382i32).saturating_sub(x.exp).min(63) as u32;
                F80 {
                    mant: x.sig >> d,
                    se: s,
                }
            }
        }
    }
}

/// A raw f32/f64 encoding the generic helpers work on.
pub trait Bits: Copy {
    /// The format results of this width are rounded to.
    const FMT: Format;
    /// Width in bits (32 or 64).
    const WIDTH: u32;
    /// Unpacks, reading denormals as zero under `env.daz`.
    fn unpack(self, env: &Env) -> Fp;
    /// Packs a value rounded to [`Bits::FMT`].
    fn pack(x: Fp) -> Self;
    /// Zero-extends into 64 bits.
    fn to_u64(self) -> u64;
    /// Truncates from 64 bits.
    fn from_u64(v: u64) -> Self;
}

impl Bits for u32 {
    const FMT: Format = Format::SINGLE;
    const WIDTH: u32 = 32;
    #[inline]
    fn unpack(self, env: &Env) -> Fp {
        unpack_f32(self, env.daz)
    }
    #[inline]
    fn pack(x: Fp) -> u32 {
        pack_f32(x)
    }
    #[inline]
    fn to_u64(self) -> u64 {
        self as u64
    }
    #[inline]
    fn from_u64(v: u64) -> u32 {
        v as u32
    }
}

impl Bits for u64 {
    const FMT: Format = Format::DOUBLE;
    const WIDTH: u32 = 64;
    #[inline]
    fn unpack(self, env: &Env) -> Fp {
        unpack_f64(self, env.daz)
    }
    #[inline]
    fn pack(x: Fp) -> u64 {
        pack_f64(x)
    }
    #[inline]
    fn to_u64(self) -> u64 {
        self
    }
    #[inline]
    fn from_u64(v: u64) -> u64 {
        v
    }
}
