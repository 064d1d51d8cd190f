//! Square root.

use super::nan::{default_nan, quiet};
use super::round::round;
use super::{check_denormal, flag, Class, Env, Format, Fp};

/// `floor(sqrt(n))` for `n >= 2^126` (so the root has bit 63 set).
fn isqrt(n: u128) -> u64 {
    // A float estimate (within a few thousand), one Newton step, then exact correction.
    let est = (n as f64).sqrt();
    let mut r: u64 = if est >= 18_446_744_073_709_551_615.0 {
        u64::MAX
    } else {
        (est as u64).max(1 << 63)
    };
    let q = n / r as u128;
    r = ((r as u128 + q) / 2).min(u64::MAX as u128) as u64;
    while r as u128 * r as u128 > n {
        r -= 1;
    }
    while let Some(sq) = (r as u128 + 1).checked_mul(r as u128 + 1) {
        if sq > n {
            break;
        }
        r += 1;
    }
    r
}

/// `sqrt(a)` rounded to `fmt`; IE and the default NaN for negative non-zero `a`.
pub fn sqrt(fmt: Format, a: Fp, env: &mut Env) -> Fp {
    let a = a.normalized();
    if a.is_nan() {
        let q = quiet(a, env);
        return Fp {
            denormal: false,
            ..q
        };
    }
    match a.class {
        Class::Zero => a,
        Class::Inf if !a.sign => a,
        _ if a.sign => {
            // Invalid takes precedence over a denormal operand (no DE).
            env.raise(flag::IE);
            default_nan()
        }
        _ => {
            check_denormal(env, &[a]);
            // Make the exponent of the radicand even: a = n * 2^(2k).
            let (n, e2) = if a.exp & 1 != 0 {
                ((a.sig as u128) << 64, a.exp.saturating_sub(127))
            } else {
                ((a.sig as u128) << 63, a.exp.saturating_sub(126))
            };
            let r = isqrt(n);
            let rem = n - r as u128 * r as u128;
            // Guard bit: rem > r means sqrt(n) > r + 1/2 (never exactly equal).
            let low = if rem == 0 {
                0
            } else if rem > r as u128 {
                1 << 63 | 1
            } else {
                1
            };
            let m = (r as u128) << 64 | low;
            // sqrt = m * 2^(e2/2 - 64)
            round(fmt, false, e2 / 2 + 63, m, env)
        }
    }
}
