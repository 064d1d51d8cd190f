//! Property test of the scalar f32/f64 helpers (`e2k_isa::sem::fp`, `fcmp`) against the
//! host SSE unit with MXCSR set from PFPFR (same layout): every rounding mode with and
//! without DAZ/FTZ, all exceptions masked. The vectors only cover round-to-nearest, so
//! this is where the directed modes, flush-to-zero and denormals-are-zero are checked.
//!
//! Where e2k deliberately differs from SSE the comparison is narrowed: with two or more
//! NaN operands only the flags are compared (e2k propagates NaNs by the x87 rule, SSE
//! returns the first operand).

#![cfg(target_arch = "x86_64")]

use e2k_isa::sem::{fcmp, fp, Exc, SemCtx};

/// The host SSE unit. Each function runs one instruction with MXCSR = `m` and returns the
/// result bits and the raised flags; the caller's MXCSR is restored.
mod sse {
    use core::arch::asm;

    macro_rules! op2 {
        ($name:ident, $t:ty, $insn:literal) => {
            pub fn $name(a: $t, b: $t, m: u32) -> ($t, u32) {
                let r: u64;
                let mut saved = 0u32;
                let mut out = 0u32;
                // SAFETY: only xmm scratch registers and the two MXCSR words are touched;
                // the caller's MXCSR is restored before the block ends.
                unsafe {
                    asm!(
                        "stmxcsr [{saved}]",
                        "ldmxcsr [{m}]",
                        "movq {x}, {a}",
                        "movq {y}, {b}",
                        concat!($insn, " {x}, {y}"),
                        "movq {r}, {x}",
                        "stmxcsr [{out}]",
                        "ldmxcsr [{saved}]",
                        saved = in(reg) &mut saved,
                        m = in(reg) &m,
                        out = in(reg) &mut out,
                        a = in(reg) a as u64,
                        b = in(reg) b as u64,
                        r = out(reg) r,
                        x = out(xmm_reg) _,
                        y = out(xmm_reg) _,
                    );
                }
                (r as $t, out & 0x3f)
            }
        };
    }

    op2!(addss, u32, "addss");
    op2!(subss, u32, "subss");
    op2!(mulss, u32, "mulss");
    op2!(divss, u32, "divss");
    op2!(minss, u32, "minss");
    op2!(maxss, u32, "maxss");
    op2!(sqrtss, u32, "sqrtss");
    op2!(addsd, u64, "addsd");
    op2!(subsd, u64, "subsd");
    op2!(mulsd, u64, "mulsd");
    op2!(divsd, u64, "divsd");
    op2!(minsd, u64, "minsd");
    op2!(maxsd, u64, "maxsd");
    op2!(sqrtsd, u64, "sqrtsd");

    /// Conversions with a general-register destination or source.
    macro_rules! cvt {
        ($name:ident, $ti:ty, $to:ty, $pre:literal, $insn:literal, $post:literal) => {
            pub fn $name(a: $ti, m: u32) -> ($to, u32) {
                let r: $to;
                let mut saved = 0u32;
                let mut out = 0u32;
                // SAFETY: as in `op2!`.
                unsafe {
                    asm!(
                        "stmxcsr [{saved}]",
                        "ldmxcsr [{m}]",
                        "xorps {x}, {x}",
                        $pre,
                        $insn,
                        $post,
                        "stmxcsr [{out}]",
                        "ldmxcsr [{saved}]",
                        saved = in(reg) &mut saved,
                        m = in(reg) &m,
                        out = in(reg) &mut out,
                        a = in(reg) a,
                        r = out(reg) r,
                        x = out(xmm_reg) _,
                    );
                }
                (r, out & 0x3f)
            }
        };
    }

    cvt!(
        cvtss2sd,
        u32,
        u64,
        "movd {x}, {a:e}",
        "cvtss2sd {x}, {x}",
        "movq {r}, {x}"
    );
    cvt!(
        cvtsd2ss,
        u64,
        u32,
        "movq {x}, {a}",
        "cvtsd2ss {x}, {x}",
        "movd {r:e}, {x}"
    );
    cvt!(
        cvtss2si32,
        u32,
        u32,
        "movd {x}, {a:e}",
        "cvtss2si {r:e}, {x}",
        ""
    );
    cvt!(
        cvttss2si32,
        u32,
        u32,
        "movd {x}, {a:e}",
        "cvttss2si {r:e}, {x}",
        ""
    );
    cvt!(
        cvtss2si64,
        u32,
        u64,
        "movd {x}, {a:e}",
        "cvtss2si {r}, {x}",
        ""
    );
    cvt!(
        cvttss2si64,
        u32,
        u64,
        "movd {x}, {a:e}",
        "cvttss2si {r}, {x}",
        ""
    );
    cvt!(
        cvtsd2si32,
        u64,
        u32,
        "movq {x}, {a}",
        "cvtsd2si {r:e}, {x}",
        ""
    );
    cvt!(
        cvttsd2si32,
        u64,
        u32,
        "movq {x}, {a}",
        "cvttsd2si {r:e}, {x}",
        ""
    );
    cvt!(
        cvtsd2si64,
        u64,
        u64,
        "movq {x}, {a}",
        "cvtsd2si {r}, {x}",
        ""
    );
    cvt!(
        cvttsd2si64,
        u64,
        u64,
        "movq {x}, {a}",
        "cvttsd2si {r}, {x}",
        ""
    );
    cvt!(
        cvtsi2ss32,
        u32,
        u32,
        "",
        "cvtsi2ss {x}, {a:e}",
        "movd {r:e}, {x}"
    );
    cvt!(
        cvtsi2ss64,
        u64,
        u32,
        "",
        "cvtsi2ss {x}, {a}",
        "movd {r:e}, {x}"
    );
    cvt!(
        cvtsi2sd32,
        u32,
        u64,
        "",
        "cvtsi2sd {x}, {a:e}",
        "movq {r}, {x}"
    );
    cvt!(
        cvtsi2sd64,
        u64,
        u64,
        "",
        "cvtsi2sd {x}, {a}",
        "movq {r}, {x}"
    );

    /// `roundss`/`roundsd` with immediate `I` (the e2k `fstoifs` mode operand layout).
    pub fn round<const I: i32, const D: bool>(a: u64, m: u32) -> (u64, u32) {
        let r: u64;
        let mut saved = 0u32;
        let mut out = 0u32;
        // SAFETY: as in `op2!`.
        unsafe {
            if D {
                asm!(
                    "stmxcsr [{saved}]", "ldmxcsr [{m}]", "movq {x}, {a}",
                    "roundsd {x}, {x}, {i}", "movq {r}, {x}", "stmxcsr [{out}]",
                    "ldmxcsr [{saved}]",
                    saved = in(reg) &mut saved, m = in(reg) &m, out = in(reg) &mut out,
                    a = in(reg) a, r = out(reg) r, x = out(xmm_reg) _, i = const I,
                );
            } else {
                asm!(
                    "stmxcsr [{saved}]", "ldmxcsr [{m}]", "movq {x}, {a}",
                    "roundss {x}, {x}, {i}", "movq {r}, {x}", "stmxcsr [{out}]",
                    "ldmxcsr [{saved}]",
                    saved = in(reg) &mut saved, m = in(reg) &m, out = in(reg) &mut out,
                    a = in(reg) a, r = out(reg) r, x = out(xmm_reg) _, i = const I,
                );
            }
        }
        (if D { r } else { r & 0xffff_ffff }, out & 0x3f)
    }

    /// `cmpss`/`cmpsd` with predicate `C` (the e2k cmp code layout): all-ones or zero.
    pub fn cmp<const C: i32, const D: bool>(a: u64, b: u64, m: u32) -> (u64, u32) {
        let r: u64;
        let mut saved = 0u32;
        let mut out = 0u32;
        // SAFETY: as in `op2!`.
        unsafe {
            if D {
                asm!(
                    "stmxcsr [{saved}]", "ldmxcsr [{m}]", "movq {x}, {a}", "movq {y}, {b}",
                    "cmpsd {x}, {y}, {c}", "movq {r}, {x}", "stmxcsr [{out}]",
                    "ldmxcsr [{saved}]",
                    saved = in(reg) &mut saved, m = in(reg) &m, out = in(reg) &mut out,
                    a = in(reg) a, b = in(reg) b, r = out(reg) r,
                    x = out(xmm_reg) _, y = out(xmm_reg) _, c = const C,
                );
            } else {
                asm!(
                    "stmxcsr [{saved}]", "ldmxcsr [{m}]", "movq {x}, {a}", "movq {y}, {b}",
                    "cmpss {x}, {y}, {c}", "movq {r}, {x}", "stmxcsr [{out}]",
                    "ldmxcsr [{saved}]",
                    saved = in(reg) &mut saved, m = in(reg) &m, out = in(reg) &mut out,
                    a = in(reg) a, b = in(reg) b, r = out(reg) r,
                    x = out(xmm_reg) _, y = out(xmm_reg) _, c = const C,
                );
            }
        }
        (if D { r } else { r & 0xffff_ffff }, out & 0x3f)
    }

    /// `vfmadd231`/`vfmsub231`/`vfnmadd231`/`vfnmsub231` (`x = ±(y*z) ± x`), scalar.
    #[target_feature(enable = "fma")]
    pub fn fma<const K: u8, const D: bool>(a: u64, b: u64, c: u64, m: u32) -> (u64, u32) {
        let r: u64;
        let mut saved = 0u32;
        let mut out = 0u32;
        macro_rules! go {
            ($insn:literal) => {
                // SAFETY: as in `op2!`; FMA is enabled for this function and the caller
                // checks the host supports it.
                unsafe {
                    asm!(
                        "stmxcsr [{saved}]", "ldmxcsr [{m}]", "movq {x}, {c}",
                        "movq {y}, {a}", "movq {z}, {b}", concat!($insn, " {x}, {y}, {z}"),
                        "movq {r}, {x}", "stmxcsr [{out}]", "ldmxcsr [{saved}]",
                        saved = in(reg) &mut saved, m = in(reg) &m, out = in(reg) &mut out,
                        a = in(reg) a, b = in(reg) b, c = in(reg) c, r = out(reg) r,
                        x = out(xmm_reg) _, y = out(xmm_reg) _, z = out(xmm_reg) _,
                    )
                }
            };
        }
        match (K, D) {
            (0, false) => go!("vfmadd231ss"),
            (1, false) => go!("vfmsub231ss"),
            (2, false) => go!("vfnmadd231ss"),
            (3, false) => go!("vfnmsub231ss"),
            (0, true) => go!("vfmadd231sd"),
            (1, true) => go!("vfmsub231sd"),
            (2, true) => go!("vfnmadd231sd"),
            _ => go!("vfnmsub231sd"),
        }
        (if D { r } else { r & 0xffff_ffff }, out & 0x3f)
    }
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
}

/// A random IEEE encoding of `width` bits with every class and the interesting scales
/// (denormals, near overflow, near 1, ties at the rounding point) well represented.
fn ieee(r: &mut Rng, width: u32) -> u64 {
    let (eb, fb) = if width == 32 { (8u32, 23u32) } else { (11, 52) };
    let emax = (1u64 << eb) - 1;
    let bias = emax >> 1;
    let v = r.next();
    let e = match r.below(10) {
        0 => 0,
        1 => emax,
        2 => 1 + r.below(4),
        3 => emax - 1 - r.below(4),
        4 => r.below(emax + 1),
        _ => bias - (fb as u64 + 8) + r.below(2 * fb as u64 + 16),
    };
    let mut frac = v & ((1 << fb) - 1);
    match r.below(6) {
        0 => frac &= !0xff,
        1 => frac |= 0xff,
        2 => frac = 1 << r.below(fb as u64),
        _ => {}
    }
    let sign = r.next() & 1;
    sign << (width - 1) | e << fb | frac
}

/// A second operand, often close to the first.
fn near(r: &mut Rng, a: u64, width: u32) -> u64 {
    match r.below(4) {
        0 => a ^ (1 << r.below(width as u64 - 1)),
        1 => a ^ 1 << (width - 1),
        _ => ieee(r, width),
    }
}

fn is_nan(x: u64, width: u32) -> bool {
    if width == 32 {
        x & 0x7fff_ffff > 0x7f80_0000
    } else {
        x & 0x7fff_ffff_ffff_ffff > 0x7ff0_0000_0000_0000
    }
}

/// PFPFR/MXCSR values: all masked, every rounding mode, with and without DAZ and FTZ.
fn configs() -> impl Iterator<Item = u32> {
    (0u32..16).map(|k| 0x1f80 | (k & 3) << 13 | (k >> 2 & 1) << 6 | (k >> 3 & 1) << 15)
}

const CASES: usize = 4000;

/// Runs `check` over the configurations; it returns a mismatch description.
fn run(name: &str, seed: u64, mut check: impl FnMut(&mut Rng, u32) -> Option<String>) {
    let mut r = Rng(seed);
    let mut bad = Vec::new();
    let mut total = 0;
    for m in configs() {
        for _ in 0..CASES {
            total += 1;
            if let Some(s) = check(&mut r, m) {
                bad.push(format!("mxcsr={m:#06x}: {s}"));
            }
        }
    }
    eprintln!("{name}: {total} cases, {} mismatches", bad.len());
    assert!(
        bad.is_empty(),
        "{name}: {} of {total} differ from SSE:\n{}",
        bad.len(),
        bad[..bad.len().min(12)].join("\n")
    );
}

fn ctx(m: u32) -> SemCtx {
    SemCtx {
        pfpfr: m,
        ..SemCtx::default()
    }
}

/// Compares one helper outcome with the SSE outcome.
fn verdict(
    what: String,
    got: Result<u64, Exc>,
    gf: u32,
    want: u64,
    wf: u32,
    value_matters: bool,
) -> Option<String> {
    match got {
        Ok(g) if (g == want || !value_matters) && gf == wf => None,
        g => Some(format!(
            "{what}: got {g:x?} flags {gf:#x}, sse {want:#x} flags {wf:#x}"
        )),
    }
}

macro_rules! bin_test {
    ($test:ident, $t:ty, $w:literal, $($helper:path => $hw:path),*) => {
        #[test]
        fn $test() {
            let mut seed = 1;
            $(
                seed += 1;
                run(stringify!($helper), seed, |r, m| {
                    let a = ieee(r, $w);
                    let b = near(r, a, $w);
                    let (want, wf) = $hw(a as $t, b as $t, m);
                    let mut c = ctx(m);
                    let got = $helper(&mut c, a as $t, b as $t).map(|v| v as u64);
                    let both_nan = is_nan(a, $w) && is_nan(b, $w);
                    let what = format!("{a:#x}, {b:#x}");
                    verdict(what, got, c.pfpfr & 0x3f, want as u64, wf, !both_nan)
                });
            )*
        }
    };
}

bin_test!(binary_f32, u32, 32,
    fp::add::<u32> => sse::addss, fp::sub::<u32> => sse::subss,
    fp::mul::<u32> => sse::mulss, fp::div::<u32> => sse::divss,
    fp::min::<u32> => sse::minss, fp::max::<u32> => sse::maxss);
bin_test!(binary_f64, u64, 64,
    fp::add::<u64> => sse::addsd, fp::sub::<u64> => sse::subsd,
    fp::mul::<u64> => sse::mulsd, fp::div::<u64> => sse::divsd,
    fp::min::<u64> => sse::minsd, fp::max::<u64> => sse::maxsd);

#[test]
fn sqrt() {
    run("fsqrts", 20, |r, m| {
        let a = ieee(r, 32) as u32;
        let (want, wf) = sse::sqrtss(0, a, m);
        let mut c = ctx(m);
        let got = fp::sqrt::<u32>(&mut c, a).map(|v| v as u64);
        verdict(
            format!("{a:#x}"),
            got,
            c.pfpfr & 0x3f,
            want as u64,
            wf,
            true,
        )
    });
    run("fsqrttd", 21, |r, m| {
        let a = ieee(r, 64);
        let (want, wf) = sse::sqrtsd(0, a, m);
        let mut c = ctx(m);
        let got = fp::fsqrttd(&mut c, a, 0);
        verdict(format!("{a:#x}"), got, c.pfpfr & 0x3f, want, wf, true)
    });
}

macro_rules! cvt_test {
    ($test:ident, $($helper:path => $hw:path, $ti:ty, $w:literal, $src:expr);*) => {
        #[test]
        fn $test() {
            let mut seed = 30;
            $(
                seed += 1;
                run(stringify!($helper), seed, |r, m| {
                    let a: $ti = $src(r) as $ti;
                    let (want, wf) = $hw(a, m);
                    let mut c = ctx(m);
                    let got = $helper(&mut c, a).map(|v| v as u64);
                    verdict(format!("{a:#x}"), got, c.pfpfr & 0x3f, want as u64, wf, true)
                });
            )*
        }
    };
}

fn f32_or_int(r: &mut Rng) -> u64 {
    // Values around the integer ranges as well as general encodings.
    if r.below(2) == 0 {
        let e = 126 + r.below(40);
        (r.next() & 1) << 31 | e << 23 | r.next() & 0x7f_ffff
    } else {
        ieee(r, 32)
    }
}

fn f64_or_int(r: &mut Rng) -> u64 {
    if r.below(2) == 0 {
        let e = 1022 + r.below(70);
        (r.next() & 1) << 63 | e << 52 | r.next() & ((1 << 52) - 1)
    } else {
        ieee(r, 64)
    }
}

fn int(r: &mut Rng) -> u64 {
    let v = r.next() >> r.below(64);
    if r.below(2) == 0 {
        v.wrapping_neg()
    } else {
        v
    }
}

cvt_test!(conversions,
    fp::fstofd => sse::cvtss2sd, u32, 32, |r: &mut Rng| ieee(r, 32);
    fp::fdtofs => sse::cvtsd2ss, u64, 64, |r: &mut Rng| ieee(r, 64);
    fp::fstois => sse::cvtss2si32, u32, 32, f32_or_int;
    fp::fstoistr => sse::cvttss2si32, u32, 32, f32_or_int;
    fp::fstoid => sse::cvtss2si64, u32, 32, f32_or_int;
    fp::fstoidtr => sse::cvttss2si64, u32, 32, f32_or_int;
    fp::fdtois => sse::cvtsd2si32, u64, 64, f64_or_int;
    fp::fdtoistr => sse::cvttsd2si32, u64, 64, f64_or_int;
    fp::fdtoid => sse::cvtsd2si64, u64, 64, f64_or_int;
    fp::fdtoidtr => sse::cvttsd2si64, u64, 64, f64_or_int;
    fp::istofs => sse::cvtsi2ss32, u32, 32, int;
    fp::idtofs => sse::cvtsi2ss64, u64, 64, int;
    fp::istofd => sse::cvtsi2sd32, u32, 32, int;
    fp::idtofd => sse::cvtsi2sd64, u64, 64, int);

/// `fstoifs`/`fdtoifd` with every mode operand against `roundss`/`roundsd imm`.
#[test]
fn round_to_integral() {
    macro_rules! modes {
        ($($i:literal)*) => {$(
            run(concat!("fstoifs mode ", $i), 40 + $i, |r, m| {
                let a = f32_or_int(r);
                let (want, wf) = sse::round::<$i, false>(a, m);
                let mut c = ctx(m);
                let got = fp::to_integral_op::<u32>(&mut c, $i, a as u32).map(|v| v as u64);
                verdict(format!("{a:#x}"), got, c.pfpfr & 0x3f, want, wf, true)
            });
            run(concat!("fdtoifd mode ", $i), 60 + $i, |r, m| {
                let a = f64_or_int(r);
                let (want, wf) = sse::round::<$i, true>(a, m);
                let mut c = ctx(m);
                let got = fp::to_integral_op::<u64>(&mut c, $i, a);
                verdict(format!("{a:#x}"), got, c.pfpfr & 0x3f, want, wf, true)
            });
        )*};
    }
    modes!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
}

/// Mask compares `fcmp<c>s`/`fcmp<c>d` against `cmpss`/`cmpsd` with the same predicate.
#[test]
fn compare() {
    macro_rules! preds {
        ($($c:literal)*) => {$(
            run(concat!("fcmp s code ", $c), 80 + $c, |r, m| {
                let a = ieee(r, 32);
                let b = near(r, a, 32);
                let (want, wf) = sse::cmp::<$c, false>(a, b, m);
                let mut c = ctx(m);
                let got = fcmp::mask::<u32, $c>(&mut c, a as u32, b as u32).map(|v| v as u64);
                verdict(format!("{a:#x}, {b:#x}"), got, c.pfpfr & 0x3f, want, wf, true)
            });
            run(concat!("fcmp d code ", $c), 90 + $c, |r, m| {
                let a = ieee(r, 64);
                let b = near(r, a, 64);
                let (want, wf) = sse::cmp::<$c, true>(a, b, m);
                let mut c = ctx(m);
                let got = fcmp::mask::<u64, $c>(&mut c, a, b);
                verdict(format!("{a:#x}, {b:#x}"), got, c.pfpfr & 0x3f, want, wf, true)
            });
        )*};
    }
    preds!(0 1 2 3 4 5 6 7);
}

/// v6 fused multiply-add against FMA3. Cases with two or more NaN operands compare flags
/// only; `inf * 0 + qNaN` is skipped: e2k (like the vectors) returns the NaN without IE.
#[test]
fn fused_multiply_add() {
    if !std::arch::is_x86_feature_detected!("fma") {
        eprintln!("host without FMA: skipped");
        return;
    }
    macro_rules! kinds {
        ($($k:literal, $np:literal, $nc:literal);*) => {$(
            run(concat!("fma s kind ", $k), 100 + $k, |r, m| {
                let a = ieee(r, 32);
                let b = near(r, a, 32);
                let cc = near(r, a, 32);
                // SAFETY: the host supports FMA (checked above).
                let (want, wf) = unsafe { sse::fma::<$k, false>(a, b, cc, m) };
                let mut c = ctx(m);
                let got = fp::fma::<u32, $np, $nc>(&mut c, a as u32, b as u32, cc as u32)
                    .map(|v| v as u64);
                let nans = [a, b, cc].iter().filter(|&&x| is_nan(x, 32)).count();
                let inf_zero =
                    |x: u64, y: u64| x & 0x7fff_ffff == 0x7f80_0000 && y & 0x7fff_ffff == 0;
                if nans > 0 && (inf_zero(a, b) || inf_zero(b, a)) {
                    return None;
                }
                verdict(format!("{a:#x}, {b:#x}, {cc:#x}"), got, c.pfpfr & 0x3f, want, wf, nans < 2)
            });
            run(concat!("fma d kind ", $k), 110 + $k, |r, m| {
                let a = ieee(r, 64);
                let b = near(r, a, 64);
                let cc = near(r, a, 64);
                // SAFETY: the host supports FMA (checked above).
                let (want, wf) = unsafe { sse::fma::<$k, true>(a, b, cc, m) };
                let mut c = ctx(m);
                let got = fp::fma::<u64, $np, $nc>(&mut c, a, b, cc);
                let nans = [a, b, cc].iter().filter(|&&x| is_nan(x, 64)).count();
                let inf_zero = |x: u64, y: u64| {
                    x & !(1 << 63) == 0x7ff0_0000_0000_0000 && y & !(1 << 63) == 0
                };
                if nans > 0 && (inf_zero(a, b) || inf_zero(b, a)) {
                    return None;
                }
                verdict(format!("{a:#x}, {b:#x}, {cc:#x}"), got, c.pfpfr & 0x3f, want, wf, nans < 2)
            });
        )*};
    }
    kinds!(0, false, false; 1, false, true; 2, true, false; 3, true, true);
}
