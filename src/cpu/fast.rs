//! The interpreter's fast path for common bundles: pure ALU ops on registers and
//! immediates, ordinary loads and stores, an optional `disp`, and a plain transfer
//! (ct / ibranch / call / return with an always / %pred / ~%pred condition). Anything
//! unusual met at run time (a tagged operand, an exception, a window bound) makes it give
//! up before it has changed anything, and the general executor runs the bundle instead —
//! so the fast path can never differ from the reference semantics, only skip work.
//!
//! Each fast bundle carries a function monomorphized for its op count and transfer kind
//! (`run`), so the per-bundle loop is unrolled and unused steps vanish; ops whose operands
//! fit in 64 bits call the narrow form of their semantic helper.

use super::predecode::{CtCond, Dst, Prep, Src, XBundle, XKind, Xfer, W};
use super::state::*;
use crate::mem::GuestMem;
use e2k_isa::sem::{Sem64Fn, SemFn};

/// What one fast op does.
#[derive(Clone, Copy, Debug)]
pub enum FastKind {
    Sem(SemFn),
    Sem64(Sem64Fn),
    Load(u8),
    Store(u8),
}

/// A fast op: up to three sources, one destination.
#[derive(Clone, Copy, Debug)]
pub struct FastOp {
    pub kind: FastKind,
    /// the spec operation (index into `ALOPS`)
    pub id: u16,
    pub src: [Src; 3],
    pub tmask: [u8; 3],
    pub dst: Dst,
    pub w: W,
    pub dbl_exempt: bool,
}

/// Runs a fast bundle and returns the next IP; `GIVE_UP` (nothing changed) when the
/// general executor must run it.
pub type FastRun = fn(&mut Cpu, &FastBundle, &mut GuestMem) -> u64;

/// What a `FastRun` returns when it cannot run the bundle exactly (never a valid IP:
/// guest addresses have 48 bits).
pub const GIVE_UP: u64 = u64::MAX;

/// The fast form of a bundle.
#[derive(Clone, Debug)]
pub struct FastBundle {
    pub ops: Vec<FastOp>,
    pub cond: CtCond,
    pub xfer: Xfer,
    pub prep: Option<Prep>,
    pub next: u64,
    pub nops: u32,
    /// one more than the highest window register (`%rN`) any op names; 0 if none
    pub wneed: u32,
    /// pre-resolved operands when no op names a based register (else empty)
    pub lean: Vec<super::lean::LeanOp>,
    /// the immediates `lean` refers to (index 0 is a zero for absent sources)
    pub imms: Vec<u128>,
    /// the executor monomorphized for this bundle's shape
    pub run: FastRun,
}

/// The executor for `n` ops, with or without a control transfer, lean or not, with or
/// without a CTPR preparation.
fn runner(n: usize, xfer: bool, lean: bool, prep: bool) -> FastRun {
    macro_rules! pick {
        ($($n:literal)*) => {
            match (n, xfer, lean, prep) {
                $(($n, false, false, false) => exec_shape::<$n, false, false, false>,
                  ($n, true, false, false) => exec_shape::<$n, true, false, false>,
                  ($n, false, true, false) => exec_shape::<$n, false, true, false>,
                  ($n, true, true, false) => exec_shape::<$n, true, true, false>,
                  ($n, false, false, true) => exec_shape::<$n, false, false, true>,
                  ($n, true, false, true) => exec_shape::<$n, true, false, true>,
                  ($n, false, true, true) => exec_shape::<$n, false, true, true>,
                  ($n, true, true, true) => exec_shape::<$n, true, true, true>,)*
                _ => unreachable!("at most six ALU channels"),
            }
        };
    }
    pick!(0 1 2 3 4 5 6)
}

/// Builds the fast form of `x`, or None when the bundle needs the general executor.
pub fn build(x: &XBundle) -> Option<FastBundle> {
    if x.illegal.is_some()
        || x.setwd.is_some()
        || x.setbn.is_some()
        || x.setbp.is_some()
        || x.npls != 0
        || !x.mova.is_empty()
        || x.bap
        || x.eap
        || x.setsft
        || x.alc != 0
        || x.abn != 0
        || x.abp != 0
        || x.writes_ctpr
        || x.loop_mode
    {
        return None;
    }
    match x.prep {
        None | Some(Prep::Disp { .. }) | Some(Prep::Return) => {}
        _ => return None,
    }
    match x.xfer {
        Xfer::None | Xfer::Ct(_) | Xfer::Ibranch(_) | Xfer::Call(..) => {}
        _ => return None,
    }
    if !matches!(x.xfer, Xfer::None) && !matches!(x.ct_cond.kind, 1..=3) {
        return None;
    }
    let mut ops = Vec::with_capacity(x.ops.len());
    let mut wneed = 0u32;
    for op in &x.ops {
        if op.rlp[0].is_some()
            || op.mrgc.is_some()
            || op.dst2.is_some()
            || op.src3_2.is_some()
            || op.is_merge
            || op.sm
            || op.p_src != 0xff
            || op.nsrc > 3
            || op.mas != 0
        {
            return None;
        }
        let kind = match op.kind {
            XKind::Sem(f) => match op.def.sem64 {
                Some(g) => FastKind::Sem64(g),
                None => FastKind::Sem(f),
            },
            XKind::Load(n) if matches!(n, 1 | 2 | 4 | 8) => FastKind::Load(n),
            XKind::Store(n) if matches!(n, 1 | 2 | 4 | 8) => FastKind::Store(n),
            _ => return None,
        };
        if matches!(op.dst, Dst::Ctpr(_)) {
            return None;
        }
        for s in &op.src[..3] {
            if let Src::Reg(n) = *s {
                wneed = wneed.max(n as u32 + 1);
            }
        }
        if let Dst::Reg(n) = op.dst {
            wneed = wneed.max(n as u32 + 1);
        }
        ops.push(FastOp {
            kind,
            id: op.def.id,
            src: [op.src[0], op.src[1], op.src[2]],
            tmask: [op.tmask[0], op.tmask[1], op.tmask[2]],
            dst: op.dst,
            w: op.rw,
            dbl_exempt: op.dbl_exempt,
        });
    }
    let has_xfer = !matches!(x.xfer, Xfer::None);
    let mut imms = Vec::new();
    let lean = super::lean::resolve(&ops, &mut imms);
    Some(FastBundle {
        nops: ops.len() as u32,
        run: runner(ops.len(), has_xfer, lean.is_some(), x.prep.is_some()),
        ops,
        lean: lean.unwrap_or_default(),
        imms,
        cond: x.ct_cond,
        xfer: x.xfer,
        prep: x.prep,
        next: x.addr.wrapping_add(x.len as u64),
        wneed,
    })
}

/// Where a staged result goes.
#[derive(Clone, Copy, Default)]
enum To {
    #[default]
    Nothing,
    /// register file index (window or based register)
    Reg(usize),
    Greg(usize),
    /// physical predicate
    Pred(u32),
    /// store of `len` bytes at `addr`
    Store(u64, u8),
}

/// Staged result of one fast op.
#[derive(Clone, Copy, Default)]
struct Res {
    to: To,
    val: u128,
}

impl Cpu {
    /// Reads a source; the window bound of `%rN` was checked for the whole bundle.
    #[inline(always)]
    fn fast_src(&self, s: Src) -> Option<(u128, u8)> {
        match s {
            Src::Imm(v) => Some((v, 0)),
            Src::Reg(n) => {
                let i = self.wbase + n as usize;
                Some((self.rf[i], self.rtag[i]))
            }
            Src::Greg(n) => Some((self.g[n as usize & 31], self.gtag[n as usize & 31])),
            Src::Breg(n) => {
                let i = self.fast_breg(n)?;
                Some((self.rf[i], self.rtag[i]))
            }
            Src::None => Some((0, 0)),
        }
    }

    /// Register file index of `%b[n]`, or None when it lies outside the window.
    #[inline(always)]
    fn fast_breg(&self, n: u8) -> Option<usize> {
        let bsize = self.br.bsize();
        if n as u32 >= bsize {
            return None;
        }
        let r = 2 * self.br.rcur as u32 + n as u32;
        let w = 2 * self.br.rbs as u32 + if r >= bsize { r - bsize } else { r };
        (w < self.wsize).then_some(self.wbase + w as usize)
    }

    #[inline(always)]
    fn fast_dst(&self, d: Dst) -> Option<To> {
        match d {
            Dst::Reg(n) => Some(To::Reg(self.wbase + n as usize)),
            Dst::Greg(n) => Some(To::Greg(n as usize & 31)),
            Dst::Breg(n) => Some(To::Reg(self.fast_breg(n)?)),
            Dst::Pred(n) => Some(To::Pred(self.pred_phys(n as u32))),
            Dst::Empty | Dst::None => Some(To::Nothing),
            Dst::Ctpr(_) => None,
        }
    }

    /// Computes one op into `r`; false when the op needs the general executor.
    #[inline(always)]
    fn fast_op(&mut self, op: &FastOp, mem: &mut GuestMem, r: &mut Res) -> bool {
        let Some((a, ta)) = self.fast_src(op.src[0]) else {
            return false;
        };
        let Some((b, tb)) = self.fast_src(op.src[1]) else {
            return false;
        };
        let Some((c, tc)) = self.fast_src(op.src[2]) else {
            return false;
        };
        if self.tags_on && (ta & op.tmask[0] | tb & op.tmask[1] | tc & op.tmask[2]) != 0 {
            return false;
        }
        let val = match op.kind {
            FastKind::Sem64(sem) => match sem(&mut self.fp, a as u64, b as u64, c as u64) {
                (v, true) => v as u128,
                (_, false) => return false,
            },
            FastKind::Sem(sem) => match sem(&mut self.fp, a, b, c, 0) {
                Ok(v) => v,
                Err(_) => return false,
            },
            FastKind::Load(n) => {
                let addr = (a as u64).wrapping_add(b as u64);
                if addr & (n as u64 - 1) != 0 && self.upsr_ac() {
                    return false;
                }
                let mut buf = [0u8; 8];
                if mem.read(addr, &mut buf[..n as usize]).is_err() {
                    return false;
                }
                u64::from_le_bytes(buf) as u128
            }
            FastKind::Store(n) => {
                let addr = (a as u64).wrapping_add(b as u64);
                if addr & (n as u64 - 1) != 0 && self.upsr_ac() {
                    return false;
                }
                if mem.check_write(addr, n as u64).is_err() {
                    return false;
                }
                *r = Res {
                    to: To::Store(addr, n),
                    val: c,
                };
                return true;
            }
        };
        let Some(to) = self.fast_dst(op.dst) else {
            return false;
        };
        *r = Res { to, val };
        true
    }

    /// Writes a staged result.
    #[inline(always)]
    fn fast_commit(&mut self, op: &FastOp, r: &Res, mem: &mut GuestMem) {
        let (reg, tag) = match r.to {
            To::Nothing => return,
            To::Reg(i) => (&mut self.rf[i], &mut self.rtag[i]),
            To::Greg(i) => (&mut self.g[i], &mut self.gtag[i]),
            To::Pred(p) => {
                let sh = 2 * (p & 31);
                self.preds = (self.preds & !(3 << sh)) | ((r.val as u64 & 1) << sh);
                return;
            }
            To::Store(addr, n) => {
                let bytes = r.val.to_le_bytes();
                // checked writable before anything changed; stores of one bundle cannot
                // unmap memory
                let _ = mem.write(addr, &bytes[..n as usize]);
                return;
            }
        };
        let w = if matches!(op.kind, FastKind::Load(_)) {
            W::D
        } else {
            op.w
        };
        super::regwrite::write_reg(reg, tag, r.val, w, op.dbl_exempt, self.wdbl, 0);
    }
}

/// Runs a bundle of `N` fast ops, with a transfer when `XFER`, if it can do so exactly,
/// and returns the next IP; returns `GIVE_UP` (with nothing changed) otherwise.
fn exec_shape<const N: usize, const XFER: bool, const LEAN: bool, const PREP: bool>(
    cpu: &mut Cpu,
    f: &FastBundle,
    mem: &mut GuestMem,
) -> u64 {
    // FP operations update the sticky flags as they compute; giving up later in the
    // bundle must leave them as they were
    let fp = cpu.fp;
    let next = exec_inner::<N, XFER, LEAN, PREP>(cpu, f, mem);
    if N > 0 && next == GIVE_UP {
        cpu.fp = fp;
    }
    next
}

#[inline(always)]
fn exec_inner<const N: usize, const XFER: bool, const LEAN: bool, const PREP: bool>(
    cpu: &mut Cpu,
    f: &FastBundle,
    mem: &mut GuestMem,
) -> u64 {
    let ops: &[FastOp; N] = match f.ops.as_slice().try_into() {
        Ok(o) => o,
        Err(_) => return GIVE_UP,
    };
    if f.wneed > cpu.wsize {
        return GIVE_UP;
    }
    let mut lres = [(0u128, 0u64); N];
    if LEAN && !super::lean::compute(cpu, f, mem, &mut lres) {
        return GIVE_UP;
    }
    let mut res = [Res::default(); N];
    // unrolled by hand (each op gets its own code and its own branch history)
    macro_rules! compute {
        ($($i:literal)*) => {$(
            if !LEAN && $i < N && !cpu.fast_op(&ops[$i], mem, &mut res[$i]) {
                return GIVE_UP;
            }
        )*};
    }
    compute!(0 1 2 3 4 5);
    // 0: jump, 1: procedure call, 2: return
    let mut how = 0u8;
    let mut target = f.next;
    if XFER {
        // condition (pre-bundle predicates)
        let taken = match f.cond.kind {
            1 => true,
            k => {
                let (v, d) = cpu.pred(f.cond.psrc as u32);
                if d && cpu.pcnt() == 0 {
                    return GIVE_UP;
                }
                v ^ (k == 3)
            }
        };
        if taken {
            target = match f.xfer {
                Xfer::Ct(n) | Xfer::Call(n, _) => {
                    let prep = if PREP { f.prep } else { None };
                    let c = match prep {
                        Some(Prep::Disp { ctpr, target }) if ctpr == n => {
                            ctpr_make(target, CTPR_TAG_DISP, 0, 3)
                        }
                        Some(Prep::Return) if n == 3 => {
                            let Some(fr) = cpu.frames.last() else {
                                return GIVE_UP;
                            };
                            ctpr_make(fr.ret_ip, CTPR_TAG_RETURN, 0, 3)
                        }
                        _ => cpu.ctpr[n as usize & 3],
                    };
                    match (f.xfer, ctpr_tag(c)) {
                        (Xfer::Ct(_), CTPR_TAG_DISP) => {}
                        (Xfer::Ct(3), CTPR_TAG_RETURN) if !cpu.frames.is_empty() => how = 2,
                        (Xfer::Call(_, wbs), CTPR_TAG_DISP) => {
                            if !call_possible(cpu, wbs) {
                                return GIVE_UP;
                            }
                            how = 1;
                        }
                        _ => return GIVE_UP,
                    }
                    ctpr_target(c)
                }
                Xfer::Ibranch(t) => t,
                _ => return GIVE_UP,
            };
        }
    }
    // ---- commit
    let prep = if PREP { f.prep } else { None };
    match prep {
        Some(Prep::Disp { ctpr, target }) => {
            cpu.ctpr[ctpr as usize & 3] = ctpr_make(target, CTPR_TAG_DISP, 0, 3);
        }
        Some(Prep::Return) => {
            cpu.ctpr[3] = match cpu.frames.last() {
                Some(fr) => ctpr_make(fr.ret_ip, CTPR_TAG_RETURN, 0, 3),
                None => 0,
            };
        }
        _ => {}
    }
    macro_rules! commit {
        ($($i:literal)*) => {$(
            if $i < N {
                cpu.fast_commit(&ops[$i], &res[$i], mem);
            }
        )*};
    }
    if LEAN {
        super::lean::commit(cpu, f, mem, &lres);
    } else {
        commit!(0 1 2 3 4 5);
    }
    // `stats.bundles` is counted by the caller
    cpu.stats.ops += N as u64;
    match how {
        0 => {
            cpu.ip = target;
            target
        }
        _ => call_or_return(cpu, f, how == 1, target),
    }
}

/// The checks `proc_call` makes, done before anything changes.
#[cold]
#[inline(never)]
fn call_possible(cpu: &mut Cpu, wbs: u8) -> bool {
    2 * wbs as u32 <= cpu.wsize
        && cpu.frames.len() < MAX_FRAMES
        && cpu.ensure_regs(cpu.wbase + cpu.wsize as usize + 2)
}

/// Performs a checked procedure call or return (kept out of the hot executors).
#[inline(never)]
fn call_or_return(cpu: &mut Cpu, f: &FastBundle, call: bool, target: u64) -> u64 {
    if call {
        if let Xfer::Call(_, wbs) = f.xfer {
            // cannot fail: checked by `call_possible`
            let _ = cpu.proc_call(wbs, f.next);
        }
        cpu.ip = target;
    } else {
        let _ = cpu.proc_return();
    }
    cpu.ip
}
