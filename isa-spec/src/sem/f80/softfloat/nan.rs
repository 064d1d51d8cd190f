//! NaN generation and propagation (x87 rules, which e2k uses for every format).

use super::{flag, Class, Env, Fp};

/// The default ("indefinite") NaN: negative, quiet, empty payload.
#[inline]
pub const fn default_nan() -> Fp {
    Fp {
        class: Class::QNaN,
        sign: true,
        exp: 0,
        sig: 0xc000_0000_0000_0000,
        denormal: false,
    }
}

/// The quiet version of NaN `x`; IE for a signalling NaN, the default NaN (and IE) for an
/// unsupported 80-bit encoding. Other values are returned unchanged.
#[inline]
pub fn quiet(x: Fp, env: &mut Env) -> Fp {
    match x.class {
        Class::SNaN => {
            env.raise(flag::IE);
            Fp {
                class: Class::QNaN,
                sig: x.sig | 1 << 62,
                ..x
            }
        }
        Class::Unsupported => {
            env.raise(flag::IE);
            default_nan()
        }
        _ => x,
    }
}

/// The NaN result of a two-operand operation where `a` or `b` is a NaN.
///
/// IE for a signalling NaN or an unsupported encoding (which yields the default NaN).
/// A quiet NaN wins over a signalling one; between two of the same kind the larger
/// significand wins, and on equal significands the positive one. The result is quiet.
pub fn propagate2(a: Fp, b: Fp, env: &mut Env) -> Fp {
    if a.class == Class::Unsupported || b.class == Class::Unsupported {
        env.raise(flag::IE);
        return default_nan();
    }
    let pick_a = match (a.class, b.class) {
        (Class::QNaN | Class::SNaN, Class::QNaN | Class::SNaN) => {
            if a.class != b.class {
                a.class == Class::QNaN
            } else if a.sig != b.sig {
                a.sig > b.sig
            } else {
                !a.sign || b.sign
            }
        }
        (Class::QNaN | Class::SNaN, _) => true,
        _ => false,
    };
    if a.class == Class::SNaN || b.class == Class::SNaN {
        env.raise(flag::IE);
    }
    let r = if pick_a { a } else { b };
    Fp {
        class: Class::QNaN,
        sig: r.sig | 1 << 62,
        denormal: false,
        ..r
    }
}

/// The NaN result of a three-operand operation: IE for any signalling NaN, then the
/// first NaN of `a`, `b`, `c` made quiet.
pub fn propagate3(a: Fp, b: Fp, c: Fp, env: &mut Env) -> Fp {
    let ops = [a, b, c];
    if ops.iter().any(|x| x.class == Class::Unsupported) {
        env.raise(flag::IE);
        return default_nan();
    }
    if ops.iter().any(|x| x.class == Class::SNaN) {
        env.raise(flag::IE);
    }
    let r = ops
        .into_iter()
        .find(|x| x.is_nan())
        .unwrap_or(default_nan());
    Fp {
        class: Class::QNaN,
        sig: r.sig | 1 << 62,
        denormal: false,
        ..r
    }
}
