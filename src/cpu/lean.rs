//! The lean form of fast bundles whose operands are all window registers, globals or
//! immediates (no based registers): each op's sources are pre-resolved to (area, offset)
//! and the op runs a compute function monomorphized for its source areas and kind, so
//! reading an operand needs no branching on its kind. Same give-up rules as the fast
//! path: nothing changes unless the whole bundle completes.

use super::fast::{FastBundle, FastKind, FastOp};
use super::predecode::{Dst, Src, W};
use super::state::Cpu;
use crate::mem::GuestMem;

/// Source areas.
pub const AREA_WIN: u8 = 0;
pub const AREA_GLOBAL: u8 = 1;
pub const AREA_IMM: u8 = 2;
pub const AREA_NONE: u8 = 3;

/// Computes one lean op: its value and, for stores, the address; None when the op needs
/// the general executor.
pub type LeanFn = fn(&mut Cpu, &LeanOp, &[u128], &mut GuestMem, &mut (u128, u64)) -> bool;

/// Where a lean op's result goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LeanDst {
    /// window register (offset from the window base), 64-bit result
    WinD(u8),
    /// window register, other widths
    Win(u8),
    Global(u8),
    /// predicate (logical number; rotated at commit)
    Pred(u8),
    /// store, or a result that is discarded
    #[default]
    Nothing,
}

/// The pre-resolved operands of one op, and its compute function monomorphized for
/// their areas and the op kind.
#[derive(Clone, Copy, Debug)]
pub struct LeanOp {
    /// source areas (`AREA_*`) and offsets within them
    pub area: [u8; 3],
    pub off: [u8; 3],
    /// the spec operation (index into `ALOPS`)
    pub id: u16,
    /// tag bits each source reads
    pub tmask: [u8; 3],
    pub dst: LeanDst,
    pub kind: FastKind,
    /// result width, and whether a 32-bit result ignores WD.dbl
    pub w: W,
    pub dbl_exempt: bool,
    pub run: LeanFn,
}

/// Pre-resolves the operands of `ops`, with their immediates pooled in `imms`; None if an
/// operand is a based register.
pub fn resolve(ops: &[FastOp], imms: &mut Vec<u128>) -> Option<Vec<LeanOp>> {
    imms.clear();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let mut area = [AREA_NONE; 3];
        let mut offs = [0u8; 3];
        for k in 0..3 {
            let (a, off) = match op.src[k] {
                Src::Reg(n) => (AREA_WIN, n),
                Src::Greg(n) => (AREA_GLOBAL, n & 31),
                Src::None => (AREA_NONE, 0),
                Src::Imm(v) => {
                    imms.push(v);
                    (AREA_IMM, (imms.len() - 1) as u8)
                }
                Src::Breg(_) => return None,
            };
            (area[k], offs[k]) = (a, off);
        }
        let dst = match op.dst {
            Dst::Reg(n) if matches!(op.kind, FastKind::Load(_)) || op.w == W::D => LeanDst::WinD(n),
            Dst::Reg(n) => LeanDst::Win(n),
            Dst::Greg(n) => LeanDst::Global(n & 31),
            Dst::Pred(n) => LeanDst::Pred(n),
            Dst::Empty | Dst::None => LeanDst::Nothing,
            Dst::Breg(_) | Dst::Ctpr(_) => return None,
        };
        let kind = match op.kind {
            FastKind::Sem64(_) => KIND_SEM64,
            FastKind::Sem(_) => KIND_SEM,
            FastKind::Load(_) => KIND_LOAD,
            FastKind::Store(_) => KIND_STORE,
        };
        out.push(LeanOp {
            area,
            off: offs,
            id: op.id,
            tmask: op.tmask,
            dst,
            kind: op.kind,
            w: if matches!(op.kind, FastKind::Load(_)) {
                W::D
            } else {
                op.w
            },
            dbl_exempt: op.dbl_exempt,
            run: pick(area, kind),
        });
    }
    Some(out)
}

const KIND_SEM64: u8 = 0;
const KIND_SEM: u8 = 1;
const KIND_LOAD: u8 = 2;
const KIND_STORE: u8 = 3;

/// Reads a source of area `A` (value, tag).
#[inline(always)]
fn src<const A: u8>(cpu: &Cpu, off: u8, imms: &[u128]) -> Option<(u128, u8)> {
    Some(match A {
        AREA_WIN => {
            let i = cpu.wbase + off as usize;
            (*cpu.rf.get(i)?, *cpu.rtag.get(i)?)
        }
        AREA_GLOBAL => (cpu.g[off as usize & 31], cpu.gtag[off as usize & 31]),
        AREA_IMM => (*imms.get(off as usize)?, 0),
        _ => (0, 0),
    })
}

/// One op with sources in areas `A`, `B`, `C` and kind `K`.
fn lean_op<const A: u8, const B: u8, const C: u8, const K: u8>(
    cpu: &mut Cpu,
    l: &LeanOp,
    imms: &[u128],
    mem: &mut GuestMem,
    out: &mut (u128, u64),
) -> bool {
    match lean_val::<A, B, C, K>(cpu, l, imms, mem) {
        Some(r) => {
            *out = r;
            true
        }
        None => false,
    }
}

#[inline(always)]
fn lean_val<const A: u8, const B: u8, const C: u8, const K: u8>(
    cpu: &mut Cpu,
    l: &LeanOp,
    imms: &[u128],
    mem: &mut GuestMem,
) -> Option<(u128, u64)> {
    let (a, ta) = src::<A>(cpu, l.off[0], imms)?;
    let (b, tb) = src::<B>(cpu, l.off[1], imms)?;
    let (c, tc) = src::<C>(cpu, l.off[2], imms)?;
    if (ta & l.tmask[0] | tb & l.tmask[1] | tc & l.tmask[2]) != 0 && cpu.tags_on {
        return None;
    }
    match (K, l.kind) {
        (KIND_SEM64, FastKind::Sem64(sem)) => {
            match sem(&mut cpu.fp, a as u64, b as u64, c as u64) {
                (v, true) => Some((v as u128, 0)),
                (_, false) => None,
            }
        }
        (KIND_SEM, FastKind::Sem(sem)) => Some((sem(&mut cpu.fp, a, b, c, 0).ok()?, 0)),
        (KIND_LOAD, FastKind::Load(n)) => {
            let addr = (a as u64).wrapping_add(b as u64);
            if addr & (n as u64 - 1) != 0 && cpu.upsr_ac() {
                return None;
            }
            let v = mem.read_uint(addr, n as u64)?.ok()?;
            Some((v as u128, 0))
        }
        (KIND_STORE, FastKind::Store(n)) => {
            let addr = (a as u64).wrapping_add(b as u64);
            if addr & (n as u64 - 1) != 0 && cpu.upsr_ac() {
                return None;
            }
            mem.check_write(addr, n as u64).ok()?;
            Some((c, addr))
        }
        _ => None,
    }
}

/// The compute function for source areas `area` and op kind `k`.
fn pick(area: [u8; 3], k: u8) -> LeanFn {
    fn by_kind<const A: u8, const B: u8, const C: u8>(k: u8) -> LeanFn {
        match k {
            KIND_SEM64 => lean_op::<A, B, C, KIND_SEM64>,
            KIND_SEM => lean_op::<A, B, C, KIND_SEM>,
            KIND_LOAD => lean_op::<A, B, C, KIND_LOAD>,
            _ => lean_op::<A, B, C, KIND_STORE>,
        }
    }
    fn by_c<const A: u8, const B: u8>(c: u8, k: u8) -> LeanFn {
        match c {
            AREA_WIN => by_kind::<A, B, AREA_WIN>(k),
            AREA_GLOBAL => by_kind::<A, B, AREA_GLOBAL>(k),
            AREA_IMM => by_kind::<A, B, AREA_IMM>(k),
            _ => by_kind::<A, B, AREA_NONE>(k),
        }
    }
    fn by_b<const A: u8>(b: u8, c: u8, k: u8) -> LeanFn {
        match b {
            AREA_WIN => by_c::<A, AREA_WIN>(c, k),
            AREA_GLOBAL => by_c::<A, AREA_GLOBAL>(c, k),
            AREA_IMM => by_c::<A, AREA_IMM>(c, k),
            _ => by_c::<A, AREA_NONE>(c, k),
        }
    }
    match area[0] {
        AREA_WIN => by_b::<AREA_WIN>(area[1], area[2], k),
        AREA_GLOBAL => by_b::<AREA_GLOBAL>(area[1], area[2], k),
        AREA_IMM => by_b::<AREA_IMM>(area[1], area[2], k),
        _ => by_b::<AREA_NONE>(area[1], area[2], k),
    }
}

/// Computes the ops of a lean bundle into `res` (value, store address); false when the
/// bundle needs the general executor. Changes nothing but FP sticky flags (which the
/// general executor would set the same way).
#[inline(always)]
pub fn compute<const N: usize>(
    cpu: &mut Cpu,
    f: &FastBundle,
    mem: &mut GuestMem,
    res: &mut [(u128, u64); N],
) -> bool {
    let Ok(lean) = <&[LeanOp; N]>::try_from(f.lean.as_slice()) else {
        return false;
    };
    // unrolled by hand: each op gets its own code and branch history
    macro_rules! op {
        ($($i:literal)*) => {$(
            if $i < N {
                if !(lean[$i].run)(cpu, &lean[$i], &f.imms, mem, &mut res[$i]) {
                    return false;
                }
            }
        )*};
    }
    op!(0 1 2 3 4 5);
    true
}

/// Writes one result computed by `compute_one`.
#[inline(always)]
fn commit_one(cpu: &mut Cpu, l: &LeanOp, val: u128, addr: u64, mem: &mut GuestMem) {
    let (reg, tag) = match l.dst {
        LeanDst::WinD(n) => {
            let i = cpu.wbase + n as usize;
            let (reg, tag) = (&mut cpu.rf[i], &mut cpu.rtag[i]);
            super::regwrite::write_reg(reg, tag, val, W::D, false, false, 0);
            return;
        }
        LeanDst::Win(n) => {
            let i = cpu.wbase + n as usize;
            (&mut cpu.rf[i], &mut cpu.rtag[i])
        }
        LeanDst::Global(n) => (&mut cpu.g[n as usize & 31], &mut cpu.gtag[n as usize & 31]),
        LeanDst::Pred(n) => {
            let sh = 2 * (cpu.pred_phys(n as u32) & 31);
            cpu.preds = (cpu.preds & !(3 << sh)) | ((val as u64 & 1) << sh);
            return;
        }
        LeanDst::Nothing => {
            if let FastKind::Store(n) = l.kind {
                // checked writable before anything changed; stores of one bundle cannot
                // unmap memory
                let _ = mem.write_uint(addr, n as u64, val as u64);
            }
            return;
        }
    };
    super::regwrite::write_reg(reg, tag, val, l.w, l.dbl_exempt, cpu.wdbl, 0);
}

/// Writes the results computed by `compute`.
#[inline(always)]
pub fn commit<const N: usize>(
    cpu: &mut Cpu,
    f: &FastBundle,
    mem: &mut GuestMem,
    res: &[(u128, u64); N],
) {
    let Ok(lean) = <&[LeanOp; N]>::try_from(f.lean.as_slice()) else {
        return;
    };
    macro_rules! op {
        ($($i:literal)*) => {$(
            if $i < N {
                commit_one(cpu, &lean[$i], res[$i].0, res[$i].1, mem);
            }
        )*};
    }
    op!(0 1 2 3 4 5);
}
