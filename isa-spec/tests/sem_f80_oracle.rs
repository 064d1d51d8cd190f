//! Property test of the soft-float engine (`e2k_isa::sem::f80::softfloat`) against the
//! host x87 FPU: thousands of random and edge-case operands per operation, under every
//! precision control (24/53/64 bits) and rounding mode, all exceptions masked. Results
//! (80-bit encodings bit for bit, integers, relations) and all six flags must match.

#![cfg(target_arch = "x86_64")]

use e2k_isa::sem::f80::softfloat::{self as sf, Env, Format, Fp, Relation, Rounding};
use e2k_isa::sem::F80;

/// The host x87 unit, one operation per call. Every function loads its operands, runs one
/// instruction under control word `cw` (exceptions masked), stores the result and reads
/// the status word; it restores the caller's control word and clears the flags.
mod x87 {
    use core::arch::asm;

    /// An 80-bit value laid out as x87 `tbyte` memory operands are.
    #[repr(C)]
    #[derive(Clone, Copy, Default)]
    pub struct T80 {
        pub mant: u64,
        pub se: u16,
    }

    /// Binary arithmetic: `st(1) op st(0)` with `a` in st(1) and `b` in st(0).
    macro_rules! binop {
        ($name:ident, $insn:literal) => {
            pub fn $name(a: T80, b: T80, cw: u16) -> (T80, u16) {
                let mut r = T80::default();
                let mut sw = 0u16;
                let mut saved = 0u16;
                // SAFETY: only reads the two 10-byte operands and writes the 10-byte result
                // and the two status/control words through valid references; the x87
                // stack is empty on entry and exit (all st registers are declared
                // clobbered) and the caller's control word is restored.
                unsafe {
                    asm!(
                        "fnstcw [{saved}]",
                        "fnclex",
                        "fldcw [{cw}]",
                        "fld tbyte ptr [{a}]",
                        "fld tbyte ptr [{b}]",
                        $insn,
                        "fstp tbyte ptr [{r}]",
                        "fnstsw [{sw}]",
                        "fnclex",
                        "fldcw [{saved}]",
                        saved = in(reg) &mut saved,
                        cw = in(reg) &cw,
                        a = in(reg) &a,
                        b = in(reg) &b,
                        r = in(reg) &mut r,
                        sw = in(reg) &mut sw,
                        out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                        out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    );
                }
                (r, sw & 0x3f)
            }
        };
    }

    binop!(add, "faddp st(1), st");
    binop!(sub, "fsubp st(1), st");
    binop!(mul, "fmulp st(1), st");
    binop!(div, "fdivp st(1), st");

    /// Unary operation on st(0) with an 80-bit result.
    macro_rules! unop {
        ($name:ident, $insn:literal) => {
            pub fn $name(a: T80, cw: u16) -> (T80, u16) {
                let mut r = T80::default();
                let mut sw = 0u16;
                let mut saved = 0u16;
                // SAFETY: as in `binop!`: valid references only, empty x87 stack on entry
                // and exit, control word restored.
                unsafe {
                    asm!(
                        "fnstcw [{saved}]",
                        "fnclex",
                        "fldcw [{cw}]",
                        "fld tbyte ptr [{a}]",
                        $insn,
                        "fstp tbyte ptr [{r}]",
                        "fnstsw [{sw}]",
                        "fnclex",
                        "fldcw [{saved}]",
                        saved = in(reg) &mut saved,
                        cw = in(reg) &cw,
                        a = in(reg) &a,
                        r = in(reg) &mut r,
                        sw = in(reg) &mut sw,
                        out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                        out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    );
                }
                (r, sw & 0x3f)
            }
        };
    }

    unop!(sqrt, "fsqrt");
    unop!(rndint, "frndint");

    /// Loads from one memory format and stores to another (`$ld` loads `a`, `$st` stores
    /// to `r`); both operand types are plain integers of the right width.
    macro_rules! movop {
        ($name:ident, $ta:ty, $tr:ty, $ld:literal, $st:literal) => {
            pub fn $name(a: $ta, cw: u16) -> ($tr, u16) {
                let mut r: $tr = Default::default();
                let mut sw = 0u16;
                let mut saved = 0u16;
                // SAFETY: as in `binop!`; `a` and `r` are valid for the widths the load
                // and store instructions access.
                unsafe {
                    asm!(
                        "fnstcw [{saved}]",
                        "fnclex",
                        "fldcw [{cw}]",
                        $ld,
                        $st,
                        "fnstsw [{sw}]",
                        "fnclex",
                        "fldcw [{saved}]",
                        saved = in(reg) &mut saved,
                        cw = in(reg) &cw,
                        a = in(reg) &a,
                        r = in(reg) &mut r,
                        sw = in(reg) &mut sw,
                        out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                        out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    );
                }
                (r, sw & 0x3f)
            }
        };
    }

    movop!(
        to_f32,
        T80,
        u32,
        "fld tbyte ptr [{a}]",
        "fstp dword ptr [{r}]"
    );
    movop!(
        to_f64,
        T80,
        u64,
        "fld tbyte ptr [{a}]",
        "fstp qword ptr [{r}]"
    );
    movop!(
        from_f32,
        u32,
        T80,
        "fld dword ptr [{a}]",
        "fstp tbyte ptr [{r}]"
    );
    movop!(
        from_f64,
        u64,
        T80,
        "fld qword ptr [{a}]",
        "fstp tbyte ptr [{r}]"
    );
    movop!(
        to_i64,
        T80,
        u64,
        "fld tbyte ptr [{a}]",
        "fistp qword ptr [{r}]"
    );
    movop!(
        to_i32,
        T80,
        u32,
        "fld tbyte ptr [{a}]",
        "fistp dword ptr [{r}]"
    );
    movop!(
        to_i64_trunc,
        T80,
        u64,
        "fld tbyte ptr [{a}]",
        "fisttp qword ptr [{r}]"
    );
    movop!(
        to_i32_trunc,
        T80,
        u32,
        "fld tbyte ptr [{a}]",
        "fisttp dword ptr [{r}]"
    );
    movop!(
        from_i64,
        u64,
        T80,
        "fild qword ptr [{a}]",
        "fstp tbyte ptr [{r}]"
    );

    /// `fscale`: `a * 2^n`.
    pub fn scale(a: T80, n: i32, cw: u16) -> (T80, u16) {
        let mut r = T80::default();
        let mut sw = 0u16;
        let mut saved = 0u16;
        // SAFETY: as in `binop!`; `n` is a valid 4-byte integer operand; both stack
        // entries are popped before the end.
        unsafe {
            asm!(
                "fnstcw [{saved}]",
                "fnclex",
                "fldcw [{cw}]",
                "fild dword ptr [{n}]",
                "fld tbyte ptr [{a}]",
                "fscale",
                "fstp tbyte ptr [{r}]",
                "fstp st(0)",
                "fnstsw [{sw}]",
                "fnclex",
                "fldcw [{saved}]",
                saved = in(reg) &mut saved,
                cw = in(reg) &cw,
                n = in(reg) &n,
                a = in(reg) &a,
                r = in(reg) &mut r,
                sw = in(reg) &mut sw,
                out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
            );
        }
        (r, sw & 0x3f)
    }

    /// `fucomip` (quiet) or `fcomip` (signalling) of `a` with `b`: (CF, ZF, PF), flags.
    pub fn compare(a: T80, b: T80, signaling: bool, cw: u16) -> ((u8, u8, u8), u16) {
        let (mut cf, mut zf, mut pf) = (0u8, 0u8, 0u8);
        let mut sw = 0u16;
        let mut saved = 0u16;
        macro_rules! cmp {
            ($insn:literal) => {
                // SAFETY: as in `binop!`; the compare pops one entry, the final `fstp`
                // the other.
                unsafe {
                    asm!(
                        "fnstcw [{saved}]",
                        "fnclex",
                        "fldcw [{cw}]",
                        "fld tbyte ptr [{b}]",
                        "fld tbyte ptr [{a}]",
                        $insn,
                        "setb {cf}",
                        "sete {zf}",
                        "setp {pf}",
                        "fstp st(0)",
                        "fnstsw [{sw}]",
                        "fnclex",
                        "fldcw [{saved}]",
                        saved = in(reg) &mut saved,
                        cw = in(reg) &cw,
                        a = in(reg) &a,
                        b = in(reg) &b,
                        sw = in(reg) &mut sw,
                        cf = out(reg_byte) cf,
                        zf = out(reg_byte) zf,
                        pf = out(reg_byte) pf,
                        out("st(0)") _, out("st(1)") _, out("st(2)") _, out("st(3)") _,
                        out("st(4)") _, out("st(5)") _, out("st(6)") _, out("st(7)") _,
                    );
                }
            };
        }
        if signaling {
            cmp!("fcomip st, st(1)");
        } else {
            cmp!("fucomip st, st(1)");
        }
        ((cf, zf, pf), sw & 0x3f)
    }
}

use x87::T80;

fn t80(x: F80) -> T80 {
    T80 {
        mant: x.mant,
        se: x.se,
    }
}

fn f80(x: T80) -> F80 {
    F80 {
        mant: x.mant,
        se: x.se,
    }
}

/// x87 control word: all exceptions masked, precision `pc`, rounding `rc`.
fn cw(pc: u32, rc: u32) -> u16 {
    (0x7f | pc << 8 | rc << 10) as u16
}

/// A deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bit(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// Edge-case encodings: zeros, infinities, NaNs, unsupported encodings, extremes.
const EDGES: &[(u16, u64)] = &[
    (0x0000, 0),
    (0x3fff, 1 << 63),
    (0x3fff, 0xc000_0000_0000_0000),
    (0x7ffe, u64::MAX),
    (0x0001, 1 << 63),
    (0x0000, 1),
    (0x0000, 0x7fff_ffff_ffff_ffff),
    (0x0000, 0x8000_0000_0000_0000),
    (0x0000, 0x8000_0000_0000_0001),
    (0x7fff, 1 << 63),
    (0x7fff, 0xc000_0000_0000_0000),
    (0x7fff, 0xc000_0000_0000_0001),
    (0x7fff, 0x8000_0000_0000_0001),
    (0x7fff, 0xa000_0000_0000_0000),
    (0x7fff, 0x0000_0000_0000_0001),
    (0x7fff, 0x4000_0000_0000_0000),
    (0x7fff, 0),
    (0x3fff, 0x4000_0000_0000_0000),
    (0x0001, 0x4000_0000_0000_0000),
    (0x403e, 1 << 63),
    (0x401e, 1 << 63),
    (0x3ffe, 1 << 63),
    (0x3fff, 0x8000_0000_0000_0400),
    (0x3fff, 0x8000_0000_0000_0800),
    (0x3fff, 0x8000_0100_0000_0000),
];

/// A random significand with structure around the rounding positions of every precision.
fn mantissa(r: &mut Rng) -> u64 {
    let m = r.next();
    match r.below(8) {
        0 => m | 0xffff_ffff_ffff_0000,
        1 => {
            // Tie, tie+ulp or tie-ulp below a 24-, 53- or 64-bit rounding point.
            let shift = [40u32, 11, 1][r.below(3) as usize];
            let base = m & !((1u64 << shift) - 1);
            let half = 1u64 << (shift - 1);
            base | [half, half + 1, half - 1, 0, 1][r.below(5) as usize]
        }
        2 => 1 << r.below(64),
        _ => m,
    }
}

/// A random operand: mostly finite values of every scale, plus edge encodings.
fn operand(r: &mut Rng) -> F80 {
    let sign = if r.bit() { 0x8000 } else { 0 };
    let (se, mant) = match r.below(20) {
        0..=2 => EDGES[r.below(EDGES.len() as u64) as usize],
        3 => (0, mantissa(r) >> 1 >> r.below(64)),
        4 => (0, mantissa(r) | 1 << 63),
        5 => (1 + r.below(0x7ffe) as u16, mantissa(r) >> 1),
        6 => (0x7fff, mantissa(r)),
        7 | 8 => (0x7fbf + r.below(0x40) as u16, mantissa(r) | 1 << 63),
        9 | 10 => (1 + r.below(0x60) as u16, mantissa(r) | 1 << 63),
        11 => (1 + r.below(0x7ffe) as u16, mantissa(r) | 1 << 63),
        _ => (0x3fff - 80 + r.below(160) as u16, mantissa(r) | 1 << 63),
    };
    F80 {
        mant,
        se: se | sign,
    }
}

/// A second operand, often close to the first (cancellation, ties, equal values).
fn partner(r: &mut Rng, a: F80) -> F80 {
    match r.below(6) {
        0 => {
            let d = r.below(130) as i64 - 65;
            let e = ((a.se & 0x7fff) as i64 + d).clamp(0, 0x7ffe) as u16;
            F80 {
                mant: mantissa(r) | 1 << 63,
                se: e | (r.bit() as u16) << 15,
            }
        }
        1 => F80 {
            mant: a.mant ^ (1 << r.below(64)),
            se: a.se ^ (r.bit() as u16) << 15,
        },
        2 => F80 {
            mant: a.mant,
            se: a.se ^ 0x8000,
        },
        _ => operand(r),
    }
}

/// Every (precision, rounding) configuration.
fn configs() -> impl Iterator<Item = (u32, u32)> {
    [0u32, 2, 3]
        .into_iter()
        .flat_map(|pc| (0u32..4).map(move |rc| (pc, rc)))
}

/// Runs `cases` operand draws in each configuration through `check`, which returns a
/// description of a mismatch; fails with the first few.
fn run(
    name: &str,
    seed: u64,
    cases: usize,
    mut check: impl FnMut(&mut Rng, u32, u32) -> Option<String>,
) {
    let mut r = Rng(seed | 1);
    let mut bad = Vec::new();
    let mut total = 0;
    for (pc, rc) in configs() {
        for _ in 0..cases {
            total += 1;
            if let Some(m) = check(&mut r, pc, rc) {
                bad.push(format!("pc={pc} rc={rc}: {m}"));
            }
        }
    }
    eprintln!("{name}: {total} cases, {} mismatches", bad.len());
    assert!(
        bad.is_empty(),
        "{name}: {} of {total} differ from x87:\n{}",
        bad.len(),
        bad[..bad.len().min(12)].join("\n")
    );
}

fn show(x: F80) -> String {
    format!("{:04x}:{:016x}", x.se, x.mant)
}

const CASES: usize = 20_000;

type SfBin = fn(Format, Fp, Fp, &mut Env) -> Fp;
type HwBin = fn(T80, T80, u16) -> (T80, u16);

fn binary(name: &str, seed: u64, sfop: SfBin, hw: HwBin) {
    run(name, seed, CASES, |r, pc, rc| {
        let a = operand(r);
        let b = partner(r, a);
        let (want, wf) = hw(t80(a), t80(b), cw(pc, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sfop(
            Format::x87(pc),
            sf::unpack_f80(a),
            sf::unpack_f80(b),
            &mut env,
        ));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{} op {} = {} flags {:#x}, x87 {} flags {:#x}",
                show(a),
                show(b),
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

#[test]
fn add() {
    binary("add", 1, sf::add, x87::add);
}

#[test]
fn sub() {
    binary("sub", 2, sf::sub, x87::sub);
}

#[test]
fn mul() {
    binary("mul", 3, sf::mul, x87::mul);
}

#[test]
fn div() {
    binary("div", 4, sf::div, x87::div);
}

#[test]
fn sqrt() {
    run("sqrt", 5, CASES, |r, pc, rc| {
        let a = operand(r);
        let (want, wf) = x87::sqrt(t80(a), cw(pc, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sf::sqrt(Format::x87(pc), sf::unpack_f80(a), &mut env));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "sqrt {} = {} flags {:#x}, x87 {} flags {:#x}",
                show(a),
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

#[test]
fn round_to_integral() {
    run("frndint", 6, CASES, |r, pc, rc| {
        let a = operand(r);
        let (want, wf) = x87::rndint(t80(a), cw(pc, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let x = sf::unpack_f80(a);
        let got = sf::pack_f80(sf::round_to_integral(
            Format::EXTENDED,
            x,
            Rounding::from_bits(rc),
            true,
            &mut env,
        ));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "rndint {} = {} flags {:#x}, x87 {} flags {:#x}",
                show(a),
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

#[test]
fn compare() {
    for signaling in [false, true] {
        run(
            if signaling { "fcomi" } else { "fucomi" },
            7 + signaling as u64,
            CASES,
            |r, pc, rc| {
                let a = operand(r);
                let b = if r.below(4) == 0 { a } else { partner(r, a) };
                let ((cf, zf, pf), wf) = x87::compare(t80(a), t80(b), signaling, cw(pc, rc));
                let want = match (cf, zf, pf) {
                    (0, 0, 0) => Relation::Greater,
                    (1, 0, 0) => Relation::Less,
                    (0, 1, 0) => Relation::Equal,
                    _ => Relation::Unordered,
                };
                let mut env = Env::new(Rounding::from_bits(rc));
                let got = sf::compare(sf::unpack_f80(a), sf::unpack_f80(b), signaling, &mut env);
                (got != want || env.flags != wf as u32).then(|| {
                    format!(
                        "cmp {} {} = {got:?} flags {:#x}, x87 {want:?} flags {:#x}",
                        show(a),
                        show(b),
                        env.flags,
                        wf
                    )
                })
            },
        );
    }
}

#[test]
fn narrow() {
    run("fst m32", 9, CASES, |r, _pc, rc| {
        let a = operand(r);
        let (want, wf) = x87::to_f32(t80(a), cw(3, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f32(sf::store(Format::SINGLE, sf::unpack_f80(a), &mut env));
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{} -> {got:#x} flags {:#x}, x87 {want:#x} flags {:#x}",
                show(a),
                env.flags,
                wf
            )
        })
    });
    run("fst m64", 10, CASES, |r, _pc, rc| {
        let a = operand(r);
        let (want, wf) = x87::to_f64(t80(a), cw(3, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f64(sf::store(Format::DOUBLE, sf::unpack_f80(a), &mut env));
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{} -> {got:#x} flags {:#x}, x87 {want:#x} flags {:#x}",
                show(a),
                env.flags,
                wf
            )
        })
    });
}

/// Random f32/f64 encodings with every class represented.
fn ieee_bits(r: &mut Rng, width: u32) -> u64 {
    let v = r.next();
    let (eb, fb) = if width == 32 { (8, 23) } else { (11, 52) };
    let e = match r.below(6) {
        0 => 0,
        1 => (1 << eb) - 1,
        _ => r.below(1 << eb),
    };
    let sign = v >> 63;
    (sign << (width - 1) | e << fb | (v & ((1 << fb) - 1))) & (u64::MAX >> (64 - width))
}

#[test]
fn widen() {
    run("fld m32", 11, CASES, |r, _pc, rc| {
        let a = ieee_bits(r, 32) as u32;
        let (want, wf) = x87::from_f32(a, cw(3, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sf::convert(
            Format::EXTENDED,
            sf::unpack_f32(a, false),
            &mut env,
        ));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{a:#x} -> {} flags {:#x}, x87 {} flags {:#x}",
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
    run("fld m64", 12, CASES, |r, _pc, rc| {
        let a = ieee_bits(r, 64);
        let (want, wf) = x87::from_f64(a, cw(3, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sf::convert(
            Format::EXTENDED,
            sf::unpack_f64(a, false),
            &mut env,
        ));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{a:#x} -> {} flags {:#x}, x87 {} flags {:#x}",
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

/// An operand biased towards the integer conversion range.
fn int_operand(r: &mut Rng) -> F80 {
    if r.below(3) == 0 {
        operand(r)
    } else {
        F80 {
            mant: mantissa(r) | 1 << 63,
            se: (0x3ffd + r.below(68) as u16) | (r.bit() as u16) << 15,
        }
    }
}

#[test]
fn to_int() {
    type Hw = fn(T80, u16) -> (u64, u16);
    let hw64: Hw = x87::to_i64;
    let hw64t: Hw = x87::to_i64_trunc;
    let hw32: Hw = |a, c| {
        let (v, f) = x87::to_i32(a, c);
        (v as u64, f)
    };
    let hw32t: Hw = |a, c| {
        let (v, f) = x87::to_i32_trunc(a, c);
        (v as u64, f)
    };
    for (name, seed, width, trunc, hw) in [
        ("fistp m64", 13, 64, false, hw64),
        ("fisttp m64", 14, 64, true, hw64t),
        ("fistp m32", 15, 32, false, hw32),
        ("fisttp m32", 16, 32, true, hw32t),
    ] {
        run(name, seed, CASES, |r, _pc, rc| {
            let a = int_operand(r);
            let (want, wf) = hw(t80(a), cw(3, rc));
            let mut env = Env::new(Rounding::from_bits(rc));
            let rm = if trunc {
                Rounding::TowardZero
            } else {
                Rounding::from_bits(rc)
            };
            let mut got = sf::to_int(sf::unpack_f80(a), width, rm, &mut env) as u64;
            if width == 32 {
                got &= 0xffff_ffff;
            }
            (got != want || env.flags != wf as u32).then(|| {
                format!(
                    "{} -> {got:#x} flags {:#x}, x87 {want:#x} flags {:#x}",
                    show(a),
                    env.flags,
                    wf
                )
            })
        });
    }
}

#[test]
fn from_int() {
    run("fild m64", 17, CASES, |r, _pc, rc| {
        let v = r.next() >> r.below(64);
        let v = if r.bit() { v.wrapping_neg() } else { v };
        let (want, wf) = x87::from_i64(v, cw(3, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sf::from_i64(Format::EXTENDED, v as i64, &mut env));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{v:#x} -> {} flags {:#x}, x87 {} flags {:#x}",
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

#[test]
fn scale() {
    run("fscale", 18, CASES, |r, pc, rc| {
        let a = operand(r);
        let n = match r.below(3) {
            0 => r.below(130) as i32 - 65,
            1 => r.below(70000) as i32 - 35000,
            _ => r.below(33000) as i32 - 16500,
        };
        let (want, wf) = x87::scale(t80(a), n, cw(pc, rc));
        let mut env = Env::new(Rounding::from_bits(rc));
        let got = sf::pack_f80(sf::scale(Format::EXTENDED, sf::unpack_f80(a), n, &mut env));
        let want = f80(want);
        (got != want || env.flags != wf as u32).then(|| {
            format!(
                "{} * 2^{n} = {} flags {:#x}, x87 {} flags {:#x}",
                show(a),
                show(got),
                env.flags,
                show(want),
                wf
            )
        })
    });
}

/// Sanity check of the harness itself: the x87 operand order of `fsubp`/`fdivp`.
#[test]
fn harness_operand_order() {
    let three = T80 {
        mant: 0xc000_0000_0000_0000,
        se: 0x4000,
    };
    let one = T80 {
        mant: 1 << 63,
        se: 0x3fff,
    };
    let (d, _) = x87::sub(three, one, cw(3, 0));
    assert_eq!((d.se, d.mant), (0x4000, 1 << 63), "3 - 1 = 2");
    let (q, _) = x87::div(one, three, cw(3, 0));
    assert_eq!(q.se, 0x3ffd, "1 / 3 < 1/2");
}
