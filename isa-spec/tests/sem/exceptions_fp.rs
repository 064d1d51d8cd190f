//! Reasoned exceptions for the fp-side semantic vectors (see exceptions.rs).
//!
//! The vectors record qemu-e2k (Q21), whose softfloat differs from the architecture in
//! three narrow ways that the helpers deliberately do not copy, plus one decoding slip:
//!
//! 1. **DE is never raised by Q21.** Its softfloat reports a denormal operand only when
//!    flushing inputs, which e2k never enables. The architecture maps "denormal
//!    operand" to DE (e2k-semantics.md §11.2), as x87 and SSE do; the helpers raise it.
//!    Rule: the result is identical, our flags are the vector's plus DE, and an operand
//!    holds a denormal (for a combined op: an operand or the first step's result, which
//!    is the second step's operand).
//! 2. **Quiet compares signal on quiet NaNs in Q21.** Its `float*_eq`/`_unordered` are the
//!    signalling comparisons, so `eq`, `neq`, `uod` and `od` raise IE for a quiet NaN.
//!    §11.5 makes these four predicates quiet (IE only for a signalling NaN), as SSE
//!    `cmpss` does. Rule: a quiet-predicate compare, identical result, the vector's flags
//!    are ours plus IE, and an operand holds a quiet NaN.
//! 3. **`fxcmp{od,ud}*f` and unsupported 80-bit encodings.** Q21 tests for NaN patterns
//!    before comparing, so an unnormal/pseudo-NaN/pseudo-infinity next to a NaN pattern
//!    gives "unordered" without IE. x87 treats those encodings as invalid operands and the
//!    helper raises IE whenever one takes part. Rule: such an op, result 0x45, our flags
//!    are the vector's plus IE, an 80-bit operand is an unsupported encoding.
//! 4. **`fxsqrtuxx` reads the wrong operand field in Q21.** It decodes this ALOPF1 op as
//!    ALOPF2 and copies the src2 field, which the one-operand assembler form leaves at a
//!    zero register: every vector records +0 without flags. The helper passes src1 on as
//!    the intermediate square-root step (§11.4). Rule: `fxsqrtuxx`, vector result 0,
//!    no flags on either side.

use super::super::Vector;
use e2k_isa::sem::{Exc, SemCtx};
use e2k_isa::ALOPS;

const IE: u32 = 0x01;
const DE: u32 = 0x02;

/// True when vector `v` may be answered by `got`/`flags` for a documented reason.
pub fn allowed(v: &Vector, got: &Result<u128, Exc>, flags: u32) -> bool {
    let Some(def) = ALOPS
        .iter()
        .find(|a| a.name == v.op && a.in_version(v.iset))
    else {
        return false;
    };
    let (ins, out) = def.sig.split_once('>').unwrap_or(("", ""));
    let Ok(g) = got else {
        return false;
    };
    if v.op == "fxsqrtuxx" {
        // Rule 4.
        return v.result == Some(0) && v.flags == Some(0) && flags == 0;
    }
    let Some(want_flags) = v.flags else {
        return false;
    };
    let same = match (v.pred, v.result) {
        (Some(p), _) => *g == p as u128,
        (None, Some(r)) => *g == r & width_mask(out),
        _ => false,
    };
    if !same {
        return false;
    }
    let mut ops = operands(v, ins);
    ops.extend(intermediate(v, ins));
    let mut f = flags;
    // Rule 1.
    if f & DE != 0 && want_flags & DE == 0 && ops.iter().any(|o| o.denormal()) {
        f &= !DE;
    }
    // Rule 2.
    if is_quiet_compare(&v.op)
        && want_flags & IE != 0
        && f & IE == 0
        && ops.iter().any(|o| o.quiet_nan())
    {
        f |= IE;
    }
    // Rule 3.
    if is_flags_compare_x(&v.op)
        && *g == 0x45
        && f & IE != 0
        && want_flags & IE == 0
        && ops.iter().any(|o| o.unsupported_f80())
    {
        f &= !IE;
    }
    f == want_flags
}

fn width_mask(out: &str) -> u128 {
    match out.chars().next() {
        Some('s') => 0xffff_ffff,
        Some('d') => u64::MAX as u128,
        Some('x') => (1u128 << 80) - 1,
        _ => u128::MAX,
    }
}

/// `fcmp{eq,neq,uod,od}…`, `pfcmp…`, `qpfcmp…`, `fxcmp…b` with a quiet predicate.
fn is_quiet_compare(op: &str) -> bool {
    let Some(pos) = op.find("cmp") else {
        return false;
    };
    let prefix = &op[..pos];
    if !matches!(prefix, "f" | "pf" | "qpf" | "fx") {
        return false;
    }
    let rest = &op[pos + 3..];
    ["eq", "neq", "uod", "od"].iter().any(|p| {
        rest.strip_prefix(p)
            .is_some_and(|t| matches!(t, "s" | "d" | "sb" | "db" | "xb"))
    })
}

/// `fxcmp{od,ud}{s,d,x}f`.
fn is_flags_compare_x(op: &str) -> bool {
    op.len() == 9 && op.starts_with("fxcmp") && op.ends_with('f')
}

/// One operand as the FP encodings it may hold (packed operands: every lane layout).
struct Operand {
    kind: char,
    bits: u128,
}

impl Operand {
    /// f32 lanes (`s`: one; `d`: two; `q`: four) and f64 lanes (`d`: one; `q`: two).
    fn f32s(&self) -> Vec<u32> {
        let n = match self.kind {
            's' => 1,
            'd' => 2,
            'q' => 4,
            _ => 0,
        };
        (0..n).map(|i| (self.bits >> (32 * i)) as u32).collect()
    }
    fn f64s(&self) -> Vec<u64> {
        let n = match self.kind {
            'd' => 1,
            'q' => 2,
            _ => 0,
        };
        (0..n).map(|i| (self.bits >> (64 * i)) as u64).collect()
    }
    fn f80(&self) -> Option<(u16, u64)> {
        (self.kind == 'x').then_some(((self.bits >> 64) as u16, self.bits as u64))
    }

    fn denormal(&self) -> bool {
        self.f32s()
            .iter()
            .any(|&x| x & 0x7f80_0000 == 0 && x & 0x7f_ffff != 0)
            || self
                .f64s()
                .iter()
                .any(|&x| x >> 52 & 0x7ff == 0 && x << 12 != 0)
            || self.f80().is_some_and(|(se, m)| se & 0x7fff == 0 && m != 0)
    }

    fn quiet_nan(&self) -> bool {
        self.f32s().iter().any(|&x| x & 0x7fc0_0000 == 0x7fc0_0000)
            || self
                .f64s()
                .iter()
                .any(|&x| x & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000)
            || self
                .f80()
                .is_some_and(|(se, m)| se & 0x7fff == 0x7fff && m >> 62 == 3)
    }

    fn unsupported_f80(&self) -> bool {
        self.f80()
            .is_some_and(|(se, m)| se & 0x7fff != 0 && m >> 63 == 0)
    }
}

fn operands(v: &Vector, ins: &str) -> Vec<Operand> {
    ins.chars()
        .zip(v.args.iter())
        .map(|(kind, &bits)| Operand { kind, bits })
        .collect()
}

/// The first step's result of a combined FP op (`pfmul_adds` → `pfmuls(src1, src2)`),
/// computed with the elementary op's own helper.
fn intermediate(v: &Vector, ins: &str) -> Option<Operand> {
    let (prefix, rest) = ["qpf", "pf", "f"]
        .iter()
        .find_map(|p| v.op.strip_prefix(p).map(|r| (*p, r)))?;
    let (op1, op2) = rest.split_once('_')?;
    let name = format!("{prefix}{op1}{}", op2.chars().last()?);
    let def = ALOPS
        .iter()
        .find(|a| a.name == name && a.in_version(v.iset))?;
    let mut ctx = SemCtx {
        iset: v.iset,
        ..SemCtx::default()
    };
    let a = |i: usize| v.args.get(i).copied().unwrap_or(0);
    let r = (def.sem?)(&mut ctx, a(0), a(1), 0, 0).ok()?;
    Some(Operand {
        kind: ins.chars().next()?,
        bits: r,
    })
}
