//! Executes one pre-decoded bundle with the wide-instruction rules: every source is read
//! from the state at the start of the bundle, results are staged, the first exception
//! (in channel order) cancels the whole bundle, then registers, stores, predicates,
//! window/rotation changes, loop stubs and the control transfer are committed in order.

use super::fault::Fault;
use super::fixedvec::FixedVec;
use super::predecode::{Cond, CtCond, Dst, Prep, Src, XBundle, XKind, XOp, Xfer, W};
use super::state::*;
use crate::mem::GuestMem;
use e2k_isa::sem::Exc;

/// What the bundle asks of the caller after it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Continue at `cpu.ip`.
    Next,
    /// A system call through an SDISP CTPR: trap entry and window base shift.
    /// The bundle has been committed; `cpu.ip` is the bundle after the call.
    Syscall { entry: u32, wbs: u8 },
    /// An exception; nothing of the bundle was committed, `cpu.ip` is the bundle.
    Fault(Fault),
}

/// Poison masks for speculative results (§9.3).
const POISON32: u128 = 0x4000_0000;
const POISON64: u128 = 0x4000_0000_4000_0000;
/// Diagnostic value of a speculative load that would fault.
pub const DV_LOAD: u64 = 0x4afa_fafa_4afa_fafa;

#[derive(Clone, Copy, Default)]
pub(super) enum PhysDst {
    Reg(usize),
    G(usize),
    Ctpr(usize),
    Pred(u32),
    #[default]
    Empty,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Pending {
    pub(super) dst: PhysDst,
    pub(super) val: u128,
    /// 0/1 = clean/diagnostic of the result width; 0x80|raw = raw tag byte
    pub(super) tag: u8,
    pub(super) w: W,
    pub(super) dbl_exempt: bool,
}

#[derive(Clone, Copy, Default)]
struct PendingStore {
    addr: u64,
    data: [u8; 16],
    len: u8,
    /// byte mask for stmqp
    mask: u16,
    /// a speculative store whose target was not writable is dropped
    spec: bool,
}

/// Per-bundle scratch, reused to avoid allocation.
#[derive(Default)]
pub struct Scratch {
    pub(super) writes: FixedVec<Pending, 24>,
    stores: FixedVec<PendingStore, 8>,
    pred_writes: FixedVec<(u32, bool, bool), 12>,
    cmp_results: [Option<bool>; 6],
    pub(super) aau_incr: FixedVec<(usize, u32), 8>,
    /// state-register writes (rws/rwd, aaurw) applied at commit
    pub(super) sr_writes: FixedVec<SrWrite, 8>,
    /// getsp: change of USD.base applied at commit
    pub(super) usd_delta: Option<i64>,
}

impl Scratch {
    /// Stages a plain store of `len` bytes.
    pub(super) fn push_store(&mut self, addr: u64, data: [u8; 16], len: u8, spec: bool) {
        self.stores.push(PendingStore {
            addr,
            data,
            len,
            mask: 0xffff,
            spec,
        });
    }
}

/// A staged write of non-register state.
#[derive(Clone, Copy, Debug, Default)]
pub(super) enum SrWrite {
    #[default]
    None,
    State(u8, u64),
    Aau {
        class: u8,
        d: u8,
        ind: u8,
        val: u128,
    },
}

impl Cpu {
    /// Physical register-stack index of window register %rN, checked against `wsize`.
    #[inline(always)]
    fn reg_idx(&self, n: u8, wsize: u32) -> Result<usize, Fault> {
        if (n as u32) < wsize {
            Ok(self.wbase + n as usize)
        } else {
            Err(Fault::WindowBounds)
        }
    }

    /// Physical index of based register %b[N].
    #[inline(always)]
    fn breg_idx(&self, n: u8, wsize: u32) -> Result<usize, Fault> {
        let bsize = self.br.bsize();
        if n as u32 >= bsize {
            return Err(Fault::WindowBounds);
        }
        let rot = (2 * self.br.rcur as u32 + n as u32) % bsize;
        let w = 2 * self.br.rbs as u32 + rot;
        if w >= wsize {
            return Err(Fault::WindowBounds);
        }
        Ok(self.wbase + w as usize)
    }

    /// Reads a source operand: (value, tag byte).
    #[inline(always)]
    fn read_src(&self, s: Src, wsize: u32) -> Result<(u128, u8), Fault> {
        Ok(match s {
            Src::Imm(v) => (v, 0),
            Src::Reg(n) => {
                let i = self.reg_idx(n, wsize)?;
                (self.rf[i], self.rtag[i])
            }
            Src::Breg(n) => {
                let i = self.breg_idx(n, wsize)?;
                (self.rf[i], self.rtag[i])
            }
            Src::Greg(n) => (self.g[n as usize], self.gtag[n as usize]),
            Src::None => (0, 0),
        })
    }

    #[inline(always)]
    fn phys_dst(&self, d: Dst, wsize: u32) -> Result<PhysDst, Fault> {
        Ok(match d {
            Dst::Reg(n) => PhysDst::Reg(self.reg_idx(n, wsize)?),
            Dst::Breg(n) => PhysDst::Reg(self.breg_idx(n, wsize)?),
            Dst::Greg(n) => PhysDst::G(n as usize),
            Dst::Ctpr(n) => PhysDst::Ctpr(n as usize),
            Dst::Pred(n) => PhysDst::Pred(self.pred_phys(n as u32)),
            Dst::Empty | Dst::None => PhysDst::Empty,
        })
    }

    /// Value of a predicate source (psrc) for RLP/MRGC: (value, diagnostic).
    fn psrc_value(&self, psrc: u8) -> Result<(bool, bool), Fault> {
        match psrc {
            0x60..=0x7f => Ok(self.pred((psrc & 31) as u32)),
            0x40..=0x5f => Ok((self.pcnt() <= (psrc & 31) as u32, false)),
            0 => Ok((self.lcnt == 0, false)),
            _ => Err(Fault::IllegalOperand("unsupported predicate source")),
        }
    }

    /// RLP result for an op: (execute, condition was diagnostic).
    #[inline(always)]
    fn rlp(&self, op: &XOp) -> Result<(bool, bool), Fault> {
        if op.rlp[0].is_none() {
            return Ok((true, false));
        }
        let mut pred_any: Option<bool> = None;
        let mut pcnt_any: Option<bool> = None;
        let mut diag = false;
        for c in op.rlp.iter().flatten() {
            let (v, d) = self.psrc_value(c.psrc)?;
            let v = v ^ c.neg;
            if (0x40..0x60).contains(&c.psrc) {
                pcnt_any = Some(pcnt_any.unwrap_or(false) | v);
            } else {
                diag |= d;
                pred_any = Some(pred_any.unwrap_or(false) | (v && !d));
            }
        }
        if pcnt_any == Some(false) {
            // prologue: the op is skipped, even under a diagnostic predicate
            return Ok((false, false));
        }
        if diag {
            return Ok((true, true));
        }
        Ok((pred_any.unwrap_or(true), false))
    }

    fn cond_value(&self, c: Cond) -> Result<(bool, bool), Fault> {
        let (v, d) = self.psrc_value(c.psrc)?;
        Ok((v ^ c.neg, d))
    }

    /// Executes bundle `x`.
    pub fn exec_bundle(&mut self, x: &XBundle, mem: &mut GuestMem, s: &mut Scratch) -> Step {
        match self.exec_inner(x, mem, s) {
            Ok(st) => st,
            Err(f) => Step::Fault(f),
        }
    }

    fn exec_inner(
        &mut self,
        x: &XBundle,
        mem: &mut GuestMem,
        s: &mut Scratch,
    ) -> Result<Step, Fault> {
        if let Some(e) = &x.illegal {
            return Err(Fault::IllegalOpcode(e.clone()));
        }
        s.writes.clear();
        s.stores.clear();
        s.pred_writes.clear();
        s.aau_incr.clear();
        s.sr_writes.clear();
        s.usd_delta = None;
        s.cmp_results = [None; 6];
        let old_wsize = self.wsize;
        let mut new_wsize = old_wsize;
        let mut dbl = self.wdbl;
        if let Some((w, _nfx, d)) = x.setwd {
            if w < self.psize {
                return Err(Fault::IllegalOpcode(format!(
                    "setwd size {w} is below the parameter size {}",
                    self.psize
                )));
            }
            new_wsize = w;
            dbl |= d;
            if !self.ensure_regs(self.wbase + w as usize) {
                return Err(Fault::StackOverflow);
            }
        }
        let le = self.loop_end();
        let pcnt = self.pcnt();
        let mut mlock = false;
        let mut strmd_dec = 0u32;

        // ---- ALU channels: compute, stage
        for op in &x.ops {
            let (run, rdiag) = self.rlp(op)?;
            if !run {
                continue;
            }
            if rdiag && !op.sm {
                return Err(Fault::IllegalOperand(
                    "diagnostic predicate guards a non-speculative operation",
                ));
            }
            self.stats.ops += 1;
            let r = self.exec_op(
                op,
                rdiag,
                old_wsize,
                new_wsize,
                mem,
                s,
                x,
                le,
                pcnt,
                &mut mlock,
                &mut strmd_dec,
            );
            if let Err(f) = r {
                if f == Fault::Div {
                    // hardware performs the stores of lower channels before the
                    // division trap (semantics reference §2.5)
                    Self::commit_stores(s, mem)?;
                }
                return Err(f);
            }
        }

        // ---- AAU mova (reads the pre-bundle AAU state)
        for m in &x.mova {
            let (val, tag) = self.mova_load(m, mem);
            let pd = self.phys_dst(m.dst, new_wsize)?;
            s.writes.push(Pending {
                dst: pd,
                val,
                tag,
                w: if m.opc == 5 || m.opc == 7 { W::Q } else { W::D },
                dbl_exempt: true,
            });
        }

        // ---- PLU
        let mut lp: [Option<(bool, bool)>; 7] = [None; 7];
        for (k, pl) in x.pls.iter().enumerate().take(x.npls as usize) {
            let Some(pl) = pl else { continue };
            for (j, e) in pl.elp.iter().enumerate() {
                if let Some(src) = e {
                    let v = match *src {
                        0x60..=0x7f => self.pred((*src & 31) as u32),
                        0 => (self.lcnt == 0, false),
                        _ => (false, false),
                    };
                    lp[2 * k + j] = Some(v);
                }
            }
        }
        let mut clp_written: u32 = 0;
        for (k, pl) in x.pls.iter().enumerate().take(x.npls as usize) {
            let Some(pl) = pl else { continue };
            if !pl.vdst && pl.clp_opc == 0 && pl.p0 == 0 && pl.p1 == 0 && !pl.neg0 && !pl.neg1 {
                continue; // an empty CLP (only ELPs used)
            }
            let max_in = [1usize, 4, 5][k];
            let get = |i: u8, neg: bool| -> Result<(bool, bool), Fault> {
                let i = i as usize;
                if i > max_in {
                    return Err(Fault::IllegalOpcode(
                        "CLP reads a local predicate it may not".into(),
                    ));
                }
                let (v, d) = lp[i].ok_or_else(|| {
                    Fault::IllegalOpcode("CLP reads an undefined local predicate".into())
                })?;
                Ok((v ^ neg, d))
            };
            let a = get(pl.p0, pl.neg0)?;
            let b = get(pl.p1, pl.neg1)?;
            let (res, lpv) = match pl.clp_opc {
                0 => {
                    let r = if a.1 || b.1 {
                        (false, true)
                    } else {
                        (a.0 && b.0, false)
                    };
                    (r, r)
                }
                1 => {
                    let r = if !a.1 && !a.0 {
                        (false, false)
                    } else if a.1 {
                        (false, true)
                    } else {
                        b
                    };
                    (r, r)
                }
                _ => {
                    // movep: dst := a ? b : dst
                    let old = self.pred(pl.pdst as u32);
                    let r = if a.1 {
                        (false, true)
                    } else if a.0 {
                        b
                    } else {
                        old
                    };
                    let l = if a.1 || b.1 {
                        (false, true)
                    } else {
                        (a.0 && b.0, false)
                    };
                    (r, l)
                }
            };
            lp[4 + k] = Some(lpv);
            if pl.vdst {
                let p = self.pred_phys(pl.pdst as u32);
                if clp_written & (1 << p) != 0 {
                    return Err(Fault::IllegalOpcode(
                        "two PLU writes to one predicate".into(),
                    ));
                }
                clp_written |= 1 << p;
                s.pred_writes.push((p, res.0, res.1));
            }
        }

        // ---- control-transfer condition (pre-bundle predicates and LSR)
        let taken = if matches!(x.xfer, Xfer::None) {
            false
        } else {
            self.ct_condition(x.ct_cond, le, pcnt, mlock, &s.cmp_results, &lp)?
        };
        if let Xfer::Privileged = x.xfer {
            if taken {
                return Err(Fault::Privileged("done/iret/hret/glaunch"));
            }
        }
        if x.setsft {
            return Err(Fault::Trap);
        }
        // call preconditions
        let mut call_target = None;
        if let (Xfer::Call(n, wbs), true) = (x.xfer, taken) {
            let c = match x.prep {
                Some(Prep::Disp { ctpr, target }) if ctpr == n => {
                    ctpr_make(target, CTPR_TAG_DISP, 0, 3)
                }
                Some(Prep::Sdisp { ctpr, entry }) if ctpr == n => {
                    ctpr_make(entry as u64, CTPR_TAG_SDISP, 0, 3)
                }
                _ => self.ctpr[n as usize],
            };
            // an ALU movtd to the same CTPR in this bundle wins (written in phase 6)
            let c = s
                .writes
                .iter()
                .rev()
                .find_map(|w| match w.dst {
                    PhysDst::Ctpr(i) if i == n as usize => {
                        Some(ctpr_make(w.val as u64, CTPR_TAG_DISP, 0, 3))
                    }
                    _ => None,
                })
                .unwrap_or(c);
            match ctpr_tag(c) {
                CTPR_TAG_DISP | CTPR_TAG_SDISP => {}
                _ => {
                    return Err(Fault::IllegalOpcode(
                        "call through an empty or RETURN CTPR".into(),
                    ))
                }
            }
            if 2 * wbs as u32 > new_wsize {
                return Err(Fault::WindowBounds);
            }
            call_target = Some(c);
        }
        let mut ct_target = None;
        if let (Xfer::Ct(n), true) = (x.xfer, taken) {
            let c = match x.prep {
                Some(Prep::Disp { ctpr, target }) if ctpr == n => {
                    ctpr_make(target, CTPR_TAG_DISP, 0, 3)
                }
                Some(Prep::Return) if n == 3 => {
                    let f = self.frames.last().ok_or(Fault::StackOverflow)?;
                    ctpr_make(f.ret_ip, CTPR_TAG_RETURN, 0, 3)
                }
                Some(Prep::Ldisp { target }) if n == 2 => ctpr_make(target, CTPR_TAG_DISP, 1, 3),
                _ => self.ctpr[n as usize],
            };
            let c = s
                .writes
                .iter()
                .rev()
                .find_map(|w| match w.dst {
                    PhysDst::Ctpr(i) if i == n as usize => {
                        Some(ctpr_make(w.val as u64, CTPR_TAG_DISP, 0, 3))
                    }
                    _ => None,
                })
                .unwrap_or(c);
            match ctpr_tag(c) {
                CTPR_TAG_DISP => {}
                CTPR_TAG_RETURN if n == 3 => {
                    if self.frames.is_empty() {
                        return Err(Fault::StackOverflow);
                    }
                }
                _ => {
                    return Err(Fault::IllegalOpcode(
                        "ct through an empty, SDISP or misplaced RETURN CTPR".into(),
                    ))
                }
            }
            ct_target = Some(c);
        }

        // ================= commit =================
        // CS0 preparations
        match x.prep {
            Some(Prep::Disp { ctpr, target }) => {
                self.ctpr[ctpr as usize] = ctpr_make(target, CTPR_TAG_DISP, 0, 3)
            }
            Some(Prep::Ldisp { target }) => self.ctpr[2] = ctpr_make(target, CTPR_TAG_DISP, 1, 3),
            Some(Prep::Sdisp { ctpr, entry }) => {
                self.ctpr[ctpr as usize] = ctpr_make(entry as u64, CTPR_TAG_SDISP, 0, 3)
            }
            Some(Prep::Return) => {
                if let Some(f) = self.frames.last() {
                    self.ctpr[3] = ctpr_make(f.ret_ip, CTPR_TAG_RETURN, 0, 3);
                } else {
                    self.ctpr[3] = 0;
                }
            }
            None => {}
        }
        if let Some((w, nfx, d)) = x.setwd {
            self.wsize = w;
            self.wfx = !nfx;
            self.wdbl = d;
        }
        // stores (memory was checked while staging)
        Self::commit_stores(s, mem)?;
        if strmd_dec > 0 {
            let v = self.strmd().saturating_sub(strmd_dec);
            self.set_strmd(v);
        }
        for w in &s.writes {
            self.commit(w, dbl);
        }
        for (p, v, d) in s.pred_writes.iter().copied() {
            self.set_pred_phys(p, v, d);
        }
        for &(i, v) in &s.aau_incr {
            self.aau.aasti[i] = v;
        }
        for w in s.sr_writes.iter().copied() {
            self.apply_sr_write(w);
        }
        if let Some(d) = s.usd_delta {
            self.usd_base = self.usd_base.wrapping_add(d as u64);
            self.usd_size = self.usd_size.wrapping_add(d as u64);
        }
        // each record advances once per bundle, however many channels name it
        let mut advanced = 0u64;
        for m in &x.mova {
            let half = Self::mova_half(m.ch);
            let bit = 1u64 << ((m.area as u32 & 31) * 2 + half as u32);
            if m.am && advanced & bit == 0 {
                advanced |= bit;
                self.mova_advance(m.area, half);
            }
        }
        if x.eap {
            self.aau.active = false;
        }
        if x.bap {
            self.aau_load_program(mem);
        }
        // setbn / setbp take effect after the bundle
        if let Some((rbs, rsz, rcur)) = x.setbn {
            self.br.rbs = rbs;
            self.br.rsz = rsz;
            self.br.rcur = rcur;
        }
        if let Some(psz) = x.setbp {
            self.br.psz = psz;
            self.br.pcur = 0;
        }
        // stubs
        let uncond = x.ct_cond.kind == 1;
        let fire = |v: u8| -> bool {
            if taken {
                v & 1 != 0
            } else {
                v & 2 != 0 && (!uncond || matches!(x.xfer, Xfer::None))
            }
        };
        if fire(x.alc) {
            self.advance_loop();
        }
        if fire(x.abn) {
            let n = self.br.rsz as u32 + 1;
            self.br.rcur = ((self.br.rcur as u32 + n - 1) % n) as u8;
        }
        if fire(x.abp) {
            let n = self.br.psz as u32 + 1;
            self.br.pcur = ((self.br.pcur as u32 + n - 1) % n) as u8;
        }
        self.stats.bundles += 1;
        let next = x.addr.wrapping_add(x.len as u64);

        // transfer
        if let Some(c) = call_target {
            let Xfer::Call(_, wbs) = x.xfer else {
                unreachable!()
            };
            if ctpr_tag(c) == CTPR_TAG_SDISP {
                self.ctpr = [0; 4];
                self.ip = next;
                return Ok(Step::Syscall {
                    entry: ctpr_target(c) as u32,
                    wbs,
                });
            }
            self.proc_call(wbs, next)?;
            self.ip = ctpr_target(c);
            return Ok(Step::Next);
        }
        if let Some(c) = ct_target {
            if ctpr_tag(c) == CTPR_TAG_RETURN {
                self.proc_return()?;
                return Ok(Step::Next);
            }
            self.ip = ctpr_target(c);
            return Ok(Step::Next);
        }
        if let (Xfer::Ibranch(t), true) = (x.xfer, taken) {
            self.ip = t;
            return Ok(Step::Next);
        }
        self.ip = next;
        Ok(Step::Next)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn exec_op(
        &mut self,
        op: &XOp,
        rdiag: bool,
        old_wsize: u32,
        new_wsize: u32,
        mem: &mut GuestMem,
        s: &mut Scratch,
        x: &XBundle,
        le: bool,
        pcnt: u32,
        mlock: &mut bool,
        strmd_dec: &mut u32,
    ) -> Result<(), Fault> {
        // sources
        let mut v = [0u128; 4];
        let mut any_tag = false;
        #[allow(clippy::needless_range_loop)]
        for i in 0..op.nsrc as usize {
            if i == op.p_src as usize {
                // merge condition from MRGC
                let (c, d) = match op.mrgc {
                    Some(c) => self.cond_value(c)?,
                    None => (false, false),
                };
                if d {
                    if !op.sm {
                        return Err(Fault::IllegalOperand("diagnostic merge condition"));
                    }
                    any_tag = true;
                }
                v[i] = c as u128;
                continue;
            }
            let (val, tag) = self.read_src(op.src[i], old_wsize)?;
            v[i] = val;
            any_tag |= tag & op.tmask[i] != 0;
        }
        let any_tag = any_tag && self.tags_on;
        let dst = self.phys_dst(op.dst, new_wsize)?;
        let poison = rdiag || any_tag;
        let pend = |val: u128, tagged: bool, w: W| Pending {
            dst,
            val,
            tag: tagged as u8,
            w,
            dbl_exempt: op.dbl_exempt,
        };
        match op.kind {
            XKind::Sem(f) => {
                // merge ops: the result tag is the selected operand's tag only
                let mut tagged = poison;
                if op.is_merge && !rdiag {
                    let sel = if v[2] != 0 { op.src[1] } else { op.src[0] };
                    let (_, t) = self.read_src(sel, old_wsize)?;
                    let m = op.sw[0].tag_mask();
                    let cond_diag = op
                        .mrgc
                        .map(|c| self.cond_value(c).map(|r| r.1))
                        .transpose()?
                        .unwrap_or(false);
                    tagged = (t & m != 0 && self.tags_on) || cond_diag;
                }
                if tagged && !op.sm {
                    return Err(Fault::IllegalOperand(
                        "diagnostic operand used by a non-speculative operation",
                    ));
                }
                let r = f(&mut self.fp, v[0], v[1], v[2], v[3]);
                let val = match r {
                    Ok(val) => val,
                    Err(Exc::DivZero) => {
                        if op.sm {
                            s.writes.push(pend(poison_val(0, op.rw), true, op.rw));
                            return Ok(());
                        }
                        return Err(Fault::Div);
                    }
                    Err(Exc::FpUnmasked) => {
                        if op.sm {
                            s.writes.push(pend(poison_val(0, op.rw), true, op.rw));
                            return Ok(());
                        }
                        // 80-bit ops keep their flags in FPSR, the others in PFPFR
                        // (semantics reference §11.2)
                        let flags = if op.def.sig.contains('x') {
                            self.fp.fpsr
                        } else {
                            self.fp.pfpfr
                        };
                        return Err(Fault::Fp(flags & 0x3f));
                    }
                    Err(Exc::IllegalOperand) => {
                        return Err(Fault::IllegalOperand("invalid operand value"))
                    }
                };
                if op.rw == W::P {
                    if let super::predecode::Dst::Pred(_) = op.dst {
                        let PhysDst::Pred(p) = dst else {
                            unreachable!()
                        };
                        s.pred_writes.push((p, val & 1 != 0, tagged));
                        s.cmp_results[op.ch as usize] = Some(val & 1 != 0);
                    }
                    return Ok(());
                }
                let val = if tagged { poison_val(val, op.rw) } else { val };
                s.writes.push(pend(val, tagged, op.rw));
            }
            XKind::Load(n) => {
                if poison && !op.sm {
                    return Err(Fault::IllegalOperand("tagged load address"));
                }
                let addr = (v[0] as u64).wrapping_add(v[1] as u64);
                let mas = op.mas;
                if mas & 7 == 3 && (op.ch == 2 || op.ch == 5) {
                    *mlock = true; // DAM check: always take the recovery path
                }
                if any_tag {
                    s.writes.push(pend(dv_val(n), true, load_w(n)));
                    return Ok(());
                }
                if ((n == 16 && self.iset == 5) || self.upsr_ac()) && addr & (n as u64 - 1) != 0 {
                    if op.sm {
                        s.writes.push(pend(dv_val(n), true, load_w(n)));
                        return Ok(());
                    }
                    return Err(Fault::Align(addr));
                }
                let mut buf = [0u8; 16];
                match mem.read(addr, &mut buf[..n as usize]) {
                    Ok(()) => {
                        if mas & 7 != 7 && mas & 8 != 0 {
                            buf[..n as usize].reverse();
                        }
                        let val = u128::from_le_bytes(buf);
                        if let Some(d2) = op.dst2 {
                            // ldq: a register pair, low half in the first channel's register
                            let pd2 = self.phys_dst(d2, new_wsize)?;
                            s.writes.push(pend(val & u64::MAX as u128, rdiag, W::D));
                            s.writes.push(Pending {
                                dst: pd2,
                                val: val >> 64,
                                tag: rdiag as u8,
                                w: W::D,
                                dbl_exempt: true,
                            });
                        } else {
                            s.writes.push(pend(val, rdiag, load_w(n)));
                        }
                    }
                    Err(e) => {
                        if op.sm {
                            s.writes.push(pend(dv_val(n), true, load_w(n)));
                        } else {
                            return Err(Fault::Data(e));
                        }
                    }
                }
            }
            XKind::Store(_) | XKind::StoreMasked => {
                let n = match op.kind {
                    XKind::Store(n) => n,
                    _ => 16,
                };
                if x.loop_mode {
                    if pcnt != 0 || (le && self.strmd() == 0) {
                        return Ok(()); // suppressed
                    }
                    if le {
                        *strmd_dec += 1;
                    }
                }
                let (addr, mask) = if matches!(op.kind, XKind::StoreMasked) {
                    (v[0] as u64, v[1] as u16)
                } else {
                    ((v[0] as u64).wrapping_add(v[1] as u64), 0xffff)
                };
                let addr_tagged = {
                    let (_, t0) = self.read_src(op.src[0], old_wsize)?;
                    let (_, t1) = self.read_src(op.src[1], old_wsize)?;
                    self.tags_on && ((t0 | t1) & op.sw[0].tag_mask().max(0x0f)) != 0
                };
                if addr_tagged {
                    if op.sm {
                        return Ok(());
                    }
                    return Err(Fault::IllegalOperand("tagged store address"));
                }
                let ac = self.upsr_ac() && mask == 0xffff;
                if ((n == 16 && self.iset == 5) || ac) && addr & (n as u64 - 1) != 0 {
                    if op.sm {
                        return Ok(());
                    }
                    return Err(Fault::Align(addr));
                }
                let mut val = v[2];
                if let Some(s2) = op.src3_2 {
                    let (hi, _) = self.read_src(s2, old_wsize)?;
                    val = (val & u64::MAX as u128) | (hi << 64);
                }
                if op.sm && poison {
                    val = poison_val(val, if n > 8 { W::Q } else { W::D });
                }
                let mut data = val.to_le_bytes();
                if op.mas & 7 != 7 && op.mas & 8 != 0 {
                    data[..n as usize].reverse();
                }
                // check writability now so that a fault cancels the whole bundle
                let ok = if mask == 0xffff {
                    mem.check_write(addr, n as u64)
                } else {
                    let mut r = Ok(());
                    for i in 0..16u64 {
                        if mask & (1 << i) != 0 {
                            r = r.and(mem.check_write(addr.wrapping_add(i), 1));
                        }
                    }
                    r
                };
                if let Err(e) = ok {
                    if op.sm {
                        return Ok(());
                    }
                    return Err(Fault::Data(e));
                }
                if op.mas & 7 == 7 {
                    return Ok(()); // special MAS (cache flush hints): no data access
                }
                s.stores.push(PendingStore {
                    addr,
                    data,
                    len: n,
                    mask,
                    spec: op.sm,
                });
            }
            XKind::Movt => {
                let (_, t) = self.read_src(op.src[0], old_wsize)?;
                match dst {
                    PhysDst::Ctpr(_) => s.writes.push(Pending {
                        dst,
                        val: v[0],
                        tag: 0,
                        w: W::D,
                        dbl_exempt: true,
                    }),
                    _ => s.writes.push(Pending {
                        dst,
                        val: v[0],
                        tag: t | 0x80,
                        w: op.rw,
                        dbl_exempt: op.dbl_exempt,
                    }),
                }
                if let Some(d2) = op.dst2 {
                    let pd2 = self.phys_dst(d2, new_wsize)?;
                    s.writes.push(Pending {
                        dst: pd2,
                        val: v[0] >> 64,
                        tag: (t >> 4) | 0x80,
                        w: W::D,
                        dbl_exempt: true,
                    });
                }
            }
            XKind::GetTag(_)
            | XKind::PutTag(_)
            | XKind::Getsp
            | XKind::Getpl
            | XKind::Rr(_)
            | XKind::Rw(_) => {
                self.exec_special(op, &v, dst, poison, rdiag, old_wsize, s)?;
            }
            XKind::Staa(n) | XKind::AauRw(n) => {
                self.exec_staa(op, n, v[0], poison, mem, s, x, le, pcnt, strmd_dec)?;
            }
            XKind::Ldaa(n) | XKind::AauRr(n) => {
                let (val, tag) = self.exec_ldaa(op, n, mem)?;
                s.writes.push(Pending {
                    dst,
                    val,
                    tag: tag | 0x80,
                    w: load_w(n),
                    dbl_exempt: true,
                });
            }
            XKind::Illegal(why) => {
                return Err(Fault::IllegalOpcode(format!("{}: {why}", op.def.name)))
            }
        }
        Ok(())
    }

    /// Writes one staged result. `tag` is 0/1 (diagnostic) or 0x80|raw tag byte.
    #[inline(always)]
    /// Performs the staged stores (their memory was checked while staging).
    fn commit_stores(s: &Scratch, mem: &mut GuestMem) -> Result<(), Fault> {
        for st in &s.stores {
            let r = if st.mask != 0xffff {
                let mut res = Ok(());
                for i in 0..16u64 {
                    if st.mask & (1 << i) != 0 {
                        res = res.and(mem.write(
                            st.addr.wrapping_add(i),
                            &st.data[i as usize..i as usize + 1],
                        ));
                    }
                }
                res
            } else {
                mem.write(st.addr, &st.data[..st.len as usize])
            };
            if let Err(e) = r {
                if !st.spec {
                    // checked before commit; only a racing unmap could get here
                    return Err(Fault::Data(e));
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self, p: &Pending, dbl: bool) {
        let (reg, tagref): (&mut u128, &mut u8) = match p.dst {
            PhysDst::Reg(i) => {
                let (r, t) = (&mut self.rf[i], &mut self.rtag[i]);
                (r, t)
            }
            PhysDst::G(i) => (&mut self.g[i], &mut self.gtag[i]),
            PhysDst::Ctpr(i) => {
                let old = self.ctpr[i];
                self.ctpr[i] = (old & !0xffff_ffff_ffff) | (p.val as u64 & 0xffff_ffff_ffff);
                self.ctpr[i] = (self.ctpr[i] & !(7 << 54)) | CTPR_TAG_DISP << 54;
                return;
            }
            PhysDst::Pred(_) | PhysDst::Empty => return,
        };
        super::regwrite::write_reg(reg, tagref, p.val, p.w, p.dbl_exempt, dbl, p.tag);
    }

    fn ct_condition(
        &self,
        c: CtCond,
        le: bool,
        pcnt: u32,
        mlock: bool,
        cmps: &[Option<bool>; 6],
        lp: &[Option<(bool, bool)>; 7],
    ) -> Result<bool, Fault> {
        let p = || -> Result<bool, Fault> {
            let (v, d) = self.pred(c.psrc as u32);
            if d && pcnt == 0 {
                return Err(Fault::IllegalOperand(
                    "diagnostic predicate in a control-transfer condition",
                ));
            }
            Ok(v)
        };
        Ok(match c.kind {
            0 => false,
            1 => true,
            2 => p()?,
            3 => !p()?,
            4 => le,
            5 => !le,
            6 => {
                if pcnt != 0 {
                    le
                } else {
                    p()? || le
                }
            }
            7 => {
                if pcnt != 0 {
                    !le
                } else {
                    !p()? && !le
                }
            }
            0xe => {
                if pcnt != 0 {
                    le
                } else {
                    !p()? || le
                }
            }
            0xf => {
                if pcnt != 0 {
                    !le
                } else {
                    p()? && !le
                }
            }
            8 => mlock,
            9 => {
                let ps = c.psrc;
                let chan = |i: u8| [0usize, 1, 3, 4][i as usize & 3];
                let v = match ps >> 3 {
                    0 => cmps[chan((ps >> 1) & 3)].unwrap_or(false) ^ (ps & 1 != 0),
                    1 => {
                        let (a, b) = if ps & 4 == 0 { (0, 1) } else { (3, 4) };
                        (cmps[a].unwrap_or(false) ^ (ps & 2 != 0))
                            || (cmps[b].unwrap_or(false) ^ (ps & 1 != 0))
                    }
                    2 => {
                        let i = ((ps >> 1) & 3) as usize;
                        lp.get(4 + i)
                            .copied()
                            .flatten()
                            .map(|l| l.0)
                            .unwrap_or(false)
                            ^ (ps & 1 != 0)
                    }
                    _ => false,
                };
                mlock || v
            }
            _ => {
                return Err(Fault::IllegalOpcode(format!(
                    "reserved control-transfer condition {}",
                    c.kind
                )))
            }
        })
    }

    /// Advances the loop counters (`alc` stub).
    fn advance_loop(&mut self) {
        (self.lcnt, self.lsr_hi) = super::state::loop_advance(self.lcnt, self.lsr_hi);
    }

    /// Procedure call: push the chain frame and shift the window by `2*wbs`.
    pub fn proc_call(&mut self, wbs: u8, ret_ip: u64) -> Result<(), Fault> {
        if self.frames.len() >= MAX_FRAMES {
            return Err(Fault::StackOverflow);
        }
        self.frames.push(ChainFrame {
            preds: self.preds,
            ret_ip,
            wbs,
            wpsz: self.psize as u16,
            wfx: self.wfx,
            wdbl: self.wdbl,
            br: self.br,
            ussz: self.usd_size / 16,
            psr: self.psr,
            cuir: self.cuir,
        });
        let shift = 2 * wbs as usize;
        self.wbase += shift;
        self.wsize -= shift as u32;
        self.psize = self.wsize;
        self.wfx = true;
        self.ctpr = [0; 4];
        if !self.ensure_regs(self.wbase + self.wsize as usize + 2) {
            return Err(Fault::StackOverflow);
        }
        Ok(())
    }

    /// Procedure return through the top chain frame.
    pub fn proc_return(&mut self) -> Result<(), Fault> {
        let f = self.frames.pop().ok_or(Fault::StackOverflow)?;
        let base = 2 * f.wbs as usize;
        let p = self.psize;
        self.wbase = self.wbase.checked_sub(base).ok_or(Fault::StackOverflow)?;
        self.wsize = base as u32 + p;
        self.psize = f.wpsz as u32;
        self.wfx = f.wfx;
        self.wdbl = f.wdbl;
        self.preds = f.preds;
        self.br = f.br;
        self.psr = f.psr;
        self.cuir = f.cuir;
        let ussz = f.ussz * 16;
        self.usd_base = self.usd_base.wrapping_add(ussz.wrapping_sub(self.usd_size));
        self.usd_size = ussz;
        self.ctpr = [0; 4];
        self.ip = f.ret_ip;
        Ok(())
    }
}

/// Poisons a result of width `w` (§9.3).
pub fn poison_val(v: u128, w: W) -> u128 {
    match w {
        W::S => v | POISON32,
        W::Q => v | POISON64 | (POISON64 << 64),
        W::X => v | POISON64 | (POISON64 << 64) & ((1u128 << 80) - 1),
        _ => v | POISON64,
    }
}

fn dv_val(n: u8) -> u128 {
    if n == 16 {
        (DV_LOAD as u128) << 64 | DV_LOAD as u128
    } else {
        DV_LOAD as u128
    }
}

fn load_w(n: u8) -> W {
    if n == 16 {
        W::Q
    } else {
        W::D
    }
}
