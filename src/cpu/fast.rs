//! The interpreter's fast path for common bundles: pure ALU ops on registers and
//! immediates, ordinary loads and stores, an optional `disp`, and a plain transfer
//! (ct / ibranch with an always / %pred / ~%pred condition). Anything unusual met at run
//! time (a tagged operand, an exception, a window bound) makes it give up before it has
//! changed anything, and the general executor runs the bundle instead — so the fast path
//! can never differ from the reference semantics, only skip work.

use super::predecode::{CtCond, Dst, Prep, Src, XBundle, XKind, Xfer, W};
use super::state::*;
use crate::mem::GuestMem;
use e2k_isa::sem::SemFn;

/// What one fast op does.
#[derive(Clone, Copy, Debug)]
pub enum FastKind {
    Sem(SemFn),
    Load(u8),
    Store(u8),
}

/// A fast op: up to three sources, one destination.
#[derive(Clone, Copy, Debug)]
pub struct FastOp {
    pub kind: FastKind,
    pub src: [Src; 3],
    pub tmask: [u8; 3],
    pub dst: Dst,
    pub w: W,
    pub dbl_exempt: bool,
}

/// The fast form of a bundle.
#[derive(Clone, Debug)]
pub struct FastBundle {
    pub ops: Vec<FastOp>,
    pub cond: CtCond,
    pub xfer: Xfer,
    pub prep: Option<Prep>,
    pub next: u64,
    pub nops: u32,
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
            XKind::Sem(f) => FastKind::Sem(f),
            XKind::Load(n) if n <= 8 => FastKind::Load(n),
            XKind::Store(n) if n <= 8 => FastKind::Store(n),
            _ => return None,
        };
        if matches!(op.dst, Dst::Ctpr(_)) {
            return None;
        }
        ops.push(FastOp {
            kind,
            src: [op.src[0], op.src[1], op.src[2]],
            tmask: [op.tmask[0], op.tmask[1], op.tmask[2]],
            dst: op.dst,
            w: op.rw,
            dbl_exempt: op.dbl_exempt,
        });
    }
    Some(FastBundle {
        nops: ops.len() as u32,
        ops,
        cond: x.ct_cond,
        xfer: x.xfer,
        prep: x.prep,
        next: x.addr.wrapping_add(x.len as u64),
    })
}

/// Staged result of one fast op (kept in a reusable buffer).
#[derive(Clone, Copy, Default)]
pub struct Res {
    /// 0 none, 1 window/based register, 2 global, 3 predicate, 4 store
    kind: u8,
    w: W,
    dbl_exempt: bool,
    idx: usize,
    val: u128,
    addr: u64,
    len: u8,
}

impl Cpu {
    #[inline(always)]
    fn fast_src(&self, s: Src) -> Option<(u128, u8)> {
        match s {
            Src::Imm(v) => Some((v, 0)),
            Src::Reg(n) => {
                if (n as u32) < self.wsize {
                    let i = self.wbase + n as usize;
                    Some((self.rf[i], self.rtag[i]))
                } else {
                    None
                }
            }
            Src::Greg(n) => Some((self.g[n as usize], self.gtag[n as usize])),
            Src::Breg(n) => {
                let bsize = self.br.bsize();
                if n as u32 >= bsize {
                    return None;
                }
                let r = 2 * self.br.rcur as u32 + n as u32;
                let w = 2 * self.br.rbs as u32 + if r >= bsize { r % bsize } else { r };
                if w >= self.wsize {
                    return None;
                }
                let i = self.wbase + w as usize;
                Some((self.rf[i], self.rtag[i]))
            }
            Src::None => Some((0, 0)),
        }
    }

    #[inline(always)]
    fn fast_dst(&self, d: Dst) -> Option<(u8, usize)> {
        match d {
            Dst::Reg(n) => ((n as u32) < self.wsize).then(|| (1, self.wbase + n as usize)),
            Dst::Greg(n) => Some((2, n as usize)),
            Dst::Breg(n) => {
                let bsize = self.br.bsize();
                if n as u32 >= bsize {
                    return None;
                }
                let r = 2 * self.br.rcur as u32 + n as u32;
                let w = 2 * self.br.rbs as u32 + if r >= bsize { r % bsize } else { r };
                (w < self.wsize).then(|| (1, self.wbase + w as usize))
            }
            Dst::Pred(n) => Some((3, self.pred_phys(n as u32) as usize)),
            Dst::Empty | Dst::None => Some((0, 0)),
            Dst::Ctpr(_) => None,
        }
    }

    /// Runs `f` if it can do so exactly; returns false (with nothing changed) otherwise.
    #[inline]
    pub fn exec_fast(&mut self, f: &FastBundle, mem: &mut GuestMem, res: &mut [Res; 6]) -> bool {
        let tags_on = self.tags_on;
        for (i, op) in f.ops.iter().enumerate() {
            let Some((a, ta)) = self.fast_src(op.src[0]) else {
                return false;
            };
            let Some((b, tb)) = self.fast_src(op.src[1]) else {
                return false;
            };
            let Some((c, tc)) = self.fast_src(op.src[2]) else {
                return false;
            };
            if tags_on && (ta & op.tmask[0] | tb & op.tmask[1] | tc & op.tmask[2]) != 0 {
                return false;
            }
            let r = &mut res[i];
            match op.kind {
                FastKind::Sem(sem) => {
                    let Ok(v) = sem(&mut self.fp, a, b, c, 0) else {
                        return false;
                    };
                    let Some((k, idx)) = self.fast_dst(op.dst) else {
                        return false;
                    };
                    *r = Res {
                        kind: k,
                        w: op.w,
                        dbl_exempt: op.dbl_exempt,
                        idx,
                        val: v,
                        addr: 0,
                        len: 0,
                    };
                }
                FastKind::Load(n) => {
                    let addr = (a as u64).wrapping_add(b as u64);
                    let mut buf = [0u8; 8];
                    if mem.read(addr, &mut buf[..n as usize]).is_err() {
                        return false;
                    }
                    let Some((k, idx)) = self.fast_dst(op.dst) else {
                        return false;
                    };
                    *r = Res {
                        kind: k,
                        w: W::D,
                        dbl_exempt: true,
                        idx,
                        val: u64::from_le_bytes(buf) as u128,
                        addr: 0,
                        len: 0,
                    };
                }
                FastKind::Store(n) => {
                    let addr = (a as u64).wrapping_add(b as u64);
                    if mem.check_write(addr, n as u64).is_err() {
                        return false;
                    }
                    *r = Res {
                        kind: 4,
                        w: W::Nil,
                        dbl_exempt: true,
                        idx: 0,
                        val: c,
                        addr,
                        len: n,
                    };
                }
            }
        }
        // condition (pre-bundle predicates)
        let taken = match f.xfer {
            Xfer::None => false,
            _ => match f.cond.kind {
                1 => true,
                k => {
                    let (v, d) = self.pred(f.cond.psrc as u32);
                    if d && self.pcnt() == 0 {
                        return false;
                    }
                    v ^ (k == 3)
                }
            },
        };
        // 0: jump, 1: procedure call, 2: return
        let mut how = 0u8;
        let target = match (f.xfer, taken) {
            (Xfer::Ct(n), true) | (Xfer::Call(n, _), true) => {
                let c = match f.prep {
                    Some(Prep::Disp { ctpr, target }) if ctpr == n => {
                        ctpr_make(target, CTPR_TAG_DISP, 0, 3)
                    }
                    Some(Prep::Return) if n == 3 => {
                        let Some(fr) = self.frames.last() else {
                            return false;
                        };
                        ctpr_make(fr.ret_ip, CTPR_TAG_RETURN, 0, 3)
                    }
                    _ => self.ctpr[n as usize],
                };
                match (f.xfer, ctpr_tag(c)) {
                    (Xfer::Ct(_), CTPR_TAG_DISP) => {}
                    (Xfer::Ct(3), CTPR_TAG_RETURN) if !self.frames.is_empty() => how = 2,
                    (Xfer::Call(_, wbs), CTPR_TAG_DISP) => {
                        // the checks proc_call would make, done before anything changes
                        if 2 * wbs as u32 > self.wsize
                            || self.frames.len() >= MAX_FRAMES
                            || !self.ensure_regs(self.wbase + self.wsize as usize + 2)
                        {
                            return false;
                        }
                        how = 1;
                    }
                    _ => return false,
                }
                ctpr_target(c)
            }
            (Xfer::Ibranch(t), true) => t,
            _ => f.next,
        };
        // ---- commit
        match f.prep {
            Some(Prep::Disp { ctpr, target }) => {
                self.ctpr[ctpr as usize] = ctpr_make(target, CTPR_TAG_DISP, 0, 3);
            }
            Some(Prep::Return) => {
                self.ctpr[3] = match self.frames.last() {
                    Some(fr) => ctpr_make(fr.ret_ip, CTPR_TAG_RETURN, 0, 3),
                    None => 0,
                };
            }
            _ => {}
        }
        for r in &res[..f.ops.len()] {
            match r.kind {
                1 | 2 => {
                    let (reg, tag) = if r.kind == 1 {
                        (&mut self.rf[r.idx], &mut self.rtag[r.idx])
                    } else {
                        (&mut self.g[r.idx], &mut self.gtag[r.idx])
                    };
                    match r.w {
                        W::S => {
                            if self.wdbl && !r.dbl_exempt {
                                *reg = (*reg & !(u64::MAX as u128)) | (r.val as u32 as u128);
                                *tag &= 0xf0;
                            } else {
                                *reg = (*reg & !0xffff_ffffu128) | (r.val as u32 as u128);
                                *tag &= !3;
                            }
                        }
                        W::X => {
                            let m = (1u128 << 80) - 1;
                            *reg = (*reg & !m) | (r.val & m);
                            *tag &= 0xf0;
                        }
                        W::Q => {
                            *reg = r.val;
                            *tag = 0;
                        }
                        _ => {
                            *reg = (*reg & !(u64::MAX as u128)) | (r.val as u64 as u128);
                            *tag &= 0xf0;
                        }
                    }
                }
                3 => {
                    let sh = 2 * (r.idx as u32 & 31);
                    self.preds = (self.preds & !(3 << sh)) | ((r.val as u64 & 1) << sh);
                }
                4 => {
                    let bytes = r.val.to_le_bytes();
                    // checked writable above; stores of one bundle cannot unmap memory
                    let _ = mem.write(r.addr, &bytes[..r.len as usize]);
                }
                _ => {}
            }
        }
        self.stats.ops += f.nops as u64;
        self.stats.bundles += 1;
        match how {
            1 => {
                let Xfer::Call(_, wbs) = f.xfer else {
                    return true;
                };
                // cannot fail: checked above
                let _ = self.proc_call(wbs, f.next);
                self.ip = target;
            }
            2 => {
                let _ = self.proc_return();
            }
            _ => self.ip = target,
        }
        true
    }
}
