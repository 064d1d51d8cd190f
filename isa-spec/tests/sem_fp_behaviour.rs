//! Behaviour of the floating-point helpers beyond what the golden vectors exercise:
//! control registers (rounding, precision control, DAZ/FTZ, unmasked exceptions), the
//! double rounding of fx ops, and robustness of every fp-side helper (and of the
//! soft-float API) for arbitrary inputs and control states.

use e2k_isa::sem::{f80, fcomb, fp, Exc, SemCtx, F80};
use e2k_isa::ALOPS;

const ONE_F32: u32 = 0x3f80_0000;
const SNAN_F32: u32 = 0x7fa0_0000;

fn x(se: u16, mant: u64) -> F80 {
    F80 { mant, se }
}

#[test]
fn pfpfr_rounding_mode_applies() {
    // 1 + 2^-30 rounds to 1 except upwards.
    let tiny = 0x3080_0000; // 2^-30
    for (rc, want) in [
        (0u32, ONE_F32),
        (1, ONE_F32),
        (2, ONE_F32 + 1),
        (3, ONE_F32),
    ] {
        let mut c = SemCtx {
            pfpfr: 0x1f80 | rc << 13,
            ..SemCtx::default()
        };
        assert_eq!(fp::add::<u32>(&mut c, ONE_F32, tiny), Ok(want), "rc={rc}");
        assert_eq!(c.pfpfr & 0x3f, 0x20);
    }
}

#[test]
fn unmasked_pfpfr_exception_traps_and_keeps_flags() {
    // Invalid unmasked (IM, bit 7, clear).
    let mut c = SemCtx {
        pfpfr: 0x1f80 & !(1 << 7),
        ..SemCtx::default()
    };
    assert_eq!(
        fp::add::<u32>(&mut c, SNAN_F32, ONE_F32),
        Err(Exc::FpUnmasked)
    );
    assert_eq!(c.pfpfr & 0x3f, 0x01);
    // A masked flag does not trap: 3 + 1/3 is inexact.
    assert!(fp::add::<u32>(&mut c, 0x4040_0000, 0x3eaa_aaab).is_ok());
    assert_eq!(c.pfpfr & 0x3f, 0x21);
    // Precision unmasked (PM, bit 12): an inexact packed lane traps.
    let mut c = SemCtx {
        pfpfr: 0x1f80 & !(1 << 12),
        ..SemCtx::default()
    };
    assert_eq!(
        fp::pfadds(&mut c, ONE_F32 as u64, 0x3080_0000),
        Err(Exc::FpUnmasked)
    );
    assert_eq!(c.pfpfr & 0x3f, 0x20);
}

#[test]
fn unmasked_fpcr_exception_sets_es_and_b() {
    let mut c = SemCtx {
        fpcr: 0x037f & !0x20,
        ..SemCtx::default()
    };
    let third = x(0x3ffd, 0xaaaa_aaaa_aaaa_aaab);
    assert_eq!(
        f80::fxaddxx(&mut c, x(0x3fff, 1 << 63), third),
        Err(Exc::FpUnmasked)
    );
    assert_eq!(c.fpsr & 0x3f, 0x20);
    assert_eq!(c.fpsr & 0x8080, 0x8080);
}

#[test]
fn fpcr_precision_control_applies() {
    let one = x(0x3fff, 1 << 63);
    let eps = x(0x3fff - 30, 1 << 63); // 2^-30
    for (pc, want_mant, flags) in [
        (0u32, 1u64 << 63, 0x20),
        (2, 1 << 63 | 1 << 33, 0),
        (3, 1 << 63 | 1 << 33, 0),
    ] {
        let mut c = SemCtx {
            fpcr: 0x007f | pc << 8,
            ..SemCtx::default()
        };
        let r = f80::fxaddxx(&mut c, one, eps).unwrap();
        assert_eq!((r.se, r.mant), (0x3fff, want_mant), "pc={pc}");
        assert_eq!(c.fpsr & 0x3f, flags, "pc={pc}");
    }
}

#[test]
fn fx_results_to_f32_round_twice() {
    // 1 + 2^-53 + 2^24: rounded to 80 bits it is a tie for f32, which then rounds to
    // even; a single rounding would go up (see suspicious.jsonl).
    let mut c = SemCtx::default();
    let r = f80::fxaddss(&mut c, x(0x3fff, 0x8000_0000_0000_0400), 0x4b80_0000);
    assert_eq!(r, Ok(0x4b80_0000));
    assert_eq!(c.fpsr & 0x3f, 0x20);
}

#[test]
fn daz_and_ftz() {
    // DAZ: a denormal operand reads as zero, without DE.
    let mut c = SemCtx {
        pfpfr: 0x1f80 | 1 << 6,
        ..SemCtx::default()
    };
    assert_eq!(fp::add::<u32>(&mut c, 1, 0), Ok(0));
    assert_eq!(c.pfpfr & 0x3f, 0);
    // FTZ: a tiny result becomes zero with UE and PE.
    let mut c = SemCtx {
        pfpfr: 0x1f80 | 1 << 15,
        ..SemCtx::default()
    };
    assert_eq!(fp::mul::<u32>(&mut c, 0x0080_0001, 0x3f00_0000), Ok(0));
    assert_eq!(c.pfpfr & 0x3f, 0x30);
}

#[test]
fn combined_ops_accumulate_both_steps() {
    // max * 2 overflows (OE PE), then + 1 keeps infinity.
    let mut c = SemCtx::default();
    let r = fcomb::s::<4, 0>(&mut c, 0x7f7f_ffff, 0x4000_0000, ONE_F32);
    assert_eq!(r, Ok(0x7f80_0000));
    assert_eq!(c.pfpfr & 0x3f, 0x28);
    // sub as op2 is src3 - r0, rsub is r0 - src3.
    let mut c = SemCtx::default();
    assert_eq!(
        fcomb::s::<0, 1>(&mut c, ONE_F32, ONE_F32, 0x4040_0000),
        Ok(ONE_F32)
    );
    assert_eq!(
        fcomb::s::<0, 5>(&mut c, ONE_F32, ONE_F32, 0x4040_0000),
        Ok(0xbf80_0000)
    );
}

// --- robustness ---

/// A deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Random bits biased towards FP edge encodings in every lane width.
fn operand(r: &mut Rng) -> u128 {
    let pick = |r: &mut Rng| -> u64 {
        match r.next() % 8 {
            0 => 0,
            1 => 0x7ff0_0000_0000_0000 | r.next() >> 40,
            2 => 0x7f80_0000_7fc0_0001,
            3 => r.next() >> (r.next() % 64),
            4 => 0x8000_0000_0000_0001,
            _ => r.next(),
        }
    };
    let lo = pick(r);
    let hi = match r.next() % 6 {
        0 => 0x7fff,
        1 => 0,
        2 => 0xffff,
        3 => r.next() & 0xffff,
        _ => pick(r),
    };
    (hi as u128) << 64 | lo as u128
}

#[test]
fn every_fp_helper_is_total() {
    let specs = [
        "alu-fp.spec",
        "alu-f80.spec",
        "alu-cmp-fp.spec",
        "alu-comb-fp.spec",
        "alu-qp-fp.spec",
    ];
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let mut calls = 0;
    for def in ALOPS
        .iter()
        .filter(|a| specs.iter().any(|s| a.src.contains(s)))
    {
        let Some(sem) = def.sem else { continue };
        for _ in 0..300 {
            let mut c = SemCtx {
                iset: 6,
                pfpfr: r.next() as u32 & 0xffff,
                fpcr: r.next() as u32 & 0x0f7f,
                fpsr: 0,
            };
            let _ = sem(&mut c, operand(&mut r), operand(&mut r), operand(&mut r), 0);
            calls += 1;
        }
    }
    assert!(calls > 100_000);
}

/// The soft-float API itself is total: hand-built values (any class, exponent and
/// significand) and formats never panic or hang.
#[test]
fn softfloat_api_is_total() {
    use e2k_isa::sem::f80::softfloat::{self as sf, Class, Env, Format, Fp, Rounding};
    let mut r = Rng(0x1234_5678_9abc_def1);
    let classes = [
        Class::Zero,
        Class::Finite,
        Class::Inf,
        Class::QNaN,
        Class::SNaN,
        Class::Unsupported,
    ];
    let fp = |r: &mut Rng| Fp {
        class: classes[(r.next() % 6) as usize],
        sign: r.next() & 1 == 1,
        exp: match r.next() % 3 {
            0 => r.next() as i32,
            1 => (r.next() % 40000) as i32 - 20000,
            _ => (r.next() % 300) as i32 - 150,
        },
        sig: r.next() >> (r.next() % 65).min(63),
        denormal: r.next() & 1 == 1,
    };
    for _ in 0..200_000 {
        let fmt = match r.next() % 4 {
            0 => Format {
                prec: (r.next() % 80) as u32,
                emin: (r.next() % 40000) as i32 - 30000,
                emax: (r.next() % 40000) as i32 - 10000,
            },
            1 => Format::SINGLE,
            2 => Format::DOUBLE,
            _ => Format::x87(r.next() as u32),
        };
        let mut env = Env::new(Rounding::from_bits(r.next() as u32));
        env.ftz = r.next() & 1 == 1;
        env.ue_masked = r.next() & 1 == 1;
        let (a, b, c) = (fp(&mut r), fp(&mut r), fp(&mut r));
        let rm = Rounding::from_bits(r.next() as u32);
        let _ = sf::add(fmt, a, b, &mut env);
        let _ = sf::sub(fmt, a, b, &mut env);
        let _ = sf::mul(fmt, a, b, &mut env);
        let _ = sf::div(fmt, a, b, &mut env);
        let _ = sf::sqrt(fmt, a, &mut env);
        let _ = sf::fma(fmt, a, b, c, r.next() & 1 == 1, r.next() & 1 == 1, &mut env);
        let _ = sf::compare(a, b, r.next() & 1 == 1, &mut env);
        let _ = sf::convert(fmt, a, &mut env);
        let _ = sf::to_int(a, (r.next() % 70) as u32, rm, &mut env);
        let _ = sf::round_to_integral(fmt, a, rm, true, &mut env);
        let _ = sf::scale(fmt, a, r.next() as i32, &mut env);
        let _ = sf::round(
            fmt,
            a.sign,
            a.exp,
            (r.next() as u128) << (r.next() % 64),
            &mut env,
        );
        let _ = (sf::pack_f32(a), sf::pack_f64(a), sf::pack_f80(a));
    }
}
