//! Operations that touch CPU state beyond their operands: tags (gettag/puttag),
//! the data stack (getsp), state registers (rrs/rrd/rws/rwd), and the array-access
//! unit (staa/ldaa, aaurw/aaurr, mova, the array-prefetch program).

use super::exec::{Pending, PhysDst, Scratch, SrWrite};
use super::fault::Fault;
use super::predecode::{Mova, XBundle, XKind, XOp, W};
use super::state::*;
use crate::mem::GuestMem;

impl Cpu {
    /// Reads state register `code` (rrs/rrd). Unknown or unreadable → None.
    pub fn read_sr(&self, code: u8) -> Option<u64> {
        let top = self.frames.last().copied().unwrap_or_default();
        Some(match code {
            0x00 => self.psr as u64,
            0x01 => self.wd_raw(),
            0x04 if self.iset >= 3 => 0,
            0x06 => 0,
            0x07 => (self.psp_size & 0xffff_ffff) << 32 | (self.psp_ind() & 0xffff_ffff),
            0x09 => (self.psp_base & 0xffff_ffff_ffff) | 3 << 59,
            0x0b => 0,
            0x0d => (self.pcsp_size & 0xffff_ffff) << 32 | (self.pcsp_ind() & 0xffff_ffff),
            0x0f => (self.pcsp_base & 0xffff_ffff_ffff) | 3 << 59,
            0x13 => 0,
            0x15..=0x17 => self.ctpr[(code - 0x14) as usize],
            0x19..=0x1b if self.iset >= 6 => 0,
            0x1e => self.sbr,
            0x21 | 0x25 | 0x26..=0x2a | 0x2f..=0x3f | 0x40..=0x4f => {
                if code == 0x25 {
                    self.cuir as u64
                } else {
                    0
                }
            }
            0x2c => self.usd_hi(),
            0x2d => self.usd_lo(),
            0x51 => top.cr0_hi(),
            0x53 => top.cr0_lo(),
            0x55 => top.cr1_hi(),
            0x57 => top.cr1_lo(),
            0x80 => self.upsr as u64,
            0x81 => self.ip,
            0x82 => self.ip,
            0x83 => self.lsr(),
            0x84 => self.fp.pfpfr as u64,
            0x85 => self.fp.fpcr as u64,
            0x86 => self.fp.fpsr as u64,
            0x87 => self.ilcr,
            0x88 => self.br.to_raw(),
            0x89 => self.bgr as u64,
            0x8a => 0x3a207,
            0x90 | 0x92 => self.stats.bundles,
            0x91 if self.iset >= 3 => 0x1234_5678_9abc_def1 ^ self.stats.bundles,
            0x70..=0x72 | 0x78 => 0,
            0x9c | 0x9d | 0xa0 | 0xa1 | 0xa2 => 0,
            0xc0 if self.iset >= 3 => 0,
            0xc3 if self.iset >= 5 => self.lcnt,
            0xc7 if self.iset >= 5 => self.ilcr1,
            _ => return None,
        })
    }

    /// Checks that state register `code` may be written from user mode.
    fn sr_writable(&self, code: u8) -> Result<(), Fault> {
        match code {
            0x80 | 0x83 | 0x84 | 0x85 | 0x86 | 0x87 => Ok(()),
            0xc3 | 0xc7 if self.iset >= 5 => Ok(()),
            0x25 | 0x81 | 0x8a => Err(Fault::IllegalOpcode(format!(
                "state register {code:#x} is not writable"
            ))),
            _ if self.read_sr(code).is_some() => {
                Err(Fault::Privileged("write to a privileged state register"))
            }
            _ => Err(Fault::IllegalOpcode(format!(
                "unknown state register {code:#x}"
            ))),
        }
    }

    pub(super) fn apply_sr_write(&mut self, w: SrWrite) {
        match w {
            SrWrite::State(code, v) => match code {
                0x80 => self.upsr = v as u32,
                0x83 => {
                    self.set_lsr(v);
                    self.ilcr = v;
                }
                0x84 => self.fp.pfpfr = v as u32,
                0x85 => self.fp.fpcr = v as u32,
                0x86 => self.fp.fpsr = v as u32,
                0x87 => self.ilcr = v,
                0xc3 => self.lcnt = v,
                0xc7 => self.ilcr1 = v,
                _ => {}
            },
            SrWrite::None => {}
            SrWrite::Aau { class, d, ind, val } => {
                let a = &mut self.aau;
                let (d, ind) = (d as usize & 31, ind as usize & 15);
                match class {
                    0x00 => a.aad[d] = (a.aad[d] & !(u64::MAX as u128)) | (val as u64 as u128),
                    0x01 => a.aasti[ind] = val as u32,
                    0x02 if ind != 0 => a.aaind[ind] = val as u32,
                    0x03 if ind & 7 != 0 => a.aaincr[ind & 7] = val as u32,
                    0x04 => a.aaldi[d] = val as u64,
                    0x05 => a.aalda[d] = val as u64,
                    0x08 => a.aafstr = val as u32,
                    0x09 => a.aaldv = val as u64,
                    0x0a => a.aaldm = val as u64,
                    0x10 => a.aadr[d] = val as u64,
                    0x1b => a.aasr = val as u32,
                    _ => {}
                }
            }
        }
    }

    fn aau_read(&self, class: u8, d: u8, ind: u8) -> u128 {
        let a = &self.aau;
        let (d, ind) = (d as usize & 31, ind as usize & 15);
        match class {
            0x00 => a.aad[d],
            0x01 => a.aasti[ind] as u128,
            0x02 => a.aaind[ind] as u128,
            0x03 => a.aaincr[ind & 7] as u128,
            0x04 => a.aaldi[d] as u128,
            0x05 => a.aalda[d] as u128,
            0x08 => a.aafstr as u128,
            0x09 => a.aaldv as u128,
            0x0a => a.aaldm as u128,
            0x10 => a.aadr[d] as u128,
            0x1b => a.aasr as u128,
            _ => 0,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn exec_special(
        &mut self,
        op: &XOp,
        v: &[u128; 4],
        dst: PhysDst,
        poison: bool,
        rdiag: bool,
        wsize: u32,
        s: &mut Scratch,
    ) -> Result<(), Fault> {
        let push = |s: &mut Scratch, val: u128, tag: u8, w: W| {
            s.writes.push(Pending {
                dst,
                val,
                tag,
                w,
                dbl_exempt: false,
            })
        };
        match op.kind {
            XKind::GetTag(_) => {
                let raw = self.raw_tag(op, 0, wsize)?;
                let m = op.sw[0].tag_mask();
                push(s, (raw & m) as u128, 0, W::S);
            }
            XKind::PutTag(n) => {
                let m: u8 = if n == 4 {
                    3
                } else if n == 8 {
                    0xf
                } else {
                    0xff
                };
                let t = v[1] as u8 & m;
                let tag = if v[1] == 0 {
                    0
                } else if poison {
                    if n == 4 {
                        1
                    } else if n == 8 {
                        5
                    } else {
                        0x55
                    }
                } else {
                    t
                };
                let w = if n == 4 {
                    W::S
                } else if n == 8 {
                    W::D
                } else {
                    W::Q
                };
                push(s, v[0], 0x80 | tag, w);
            }
            XKind::Getsp => {
                if poison && !op.sm {
                    return Err(Fault::IllegalOperand("diagnostic getsp operand"));
                }
                let delta = (v[0] as u64 as i64) & !15;
                if delta < 0 && (self.usd_size as i64) < -delta {
                    return Err(Fault::StackOverflow);
                }
                let prev = s.usd_delta.unwrap_or(0);
                s.usd_delta = Some(prev + delta);
                let nb = self.usd_base.wrapping_add((prev + delta) as u64);
                push(s, nb as u128, 0, W::D);
            }
            XKind::Getpl => {
                if poison && !op.sm {
                    return Err(Fault::IllegalOperand("diagnostic getpl operand"));
                }
                push(s, v[0] & 0xffff_ffff_ffff, 0, W::D);
            }
            XKind::Rr(code) => {
                let val = self.read_sr(code).ok_or_else(|| {
                    Fault::IllegalOpcode(format!("unknown state register {code:#x}"))
                })?;
                push(s, val as u128, 0, op.rw);
            }
            XKind::Rw(code) => {
                if rdiag {
                    return Err(Fault::IllegalOperand(
                        "state register write under a diagnostic predicate",
                    ));
                }
                if poison {
                    return Err(Fault::IllegalOperand(
                        "diagnostic value written to a state register",
                    ));
                }
                self.sr_writable(code)?;
                let val = if op.sw[0] == W::S {
                    v[0] as u32 as u64
                } else {
                    v[0] as u64
                };
                s.sr_writes.push(SrWrite::State(code, val));
            }
            _ => {}
        }
        Ok(())
    }

    fn raw_tag(&self, op: &XOp, i: usize, _wsize: u32) -> Result<u8, Fault> {
        use super::predecode::Src;
        Ok(match op.src[i] {
            Src::Reg(n) => {
                if n as u32 >= self.wsize {
                    return Err(Fault::WindowBounds);
                }
                self.rtag[self.wbase + n as usize]
            }
            Src::Breg(n) => {
                let bsize = self.br.bsize();
                if n as u32 >= bsize {
                    return Err(Fault::WindowBounds);
                }
                let w = 2 * self.br.rbs as u32 + (2 * self.br.rcur as u32 + n as u32) % bsize;
                self.rtag[self.wbase + w as usize]
            }
            Src::Greg(n) => self.gtag[n as usize],
            _ => 0,
        })
    }

    fn aau_addr(&self, op: &XOp) -> u64 {
        let d = ((op.als >> 19) & 31) as usize;
        let ind = ((op.als >> 15) & 15) as usize;
        let base = self.aau.aad[d] as u64 & 0xffff_ffff_ffff;
        base.wrapping_add(self.aau.aasti[ind] as u64)
            .wrapping_add(op.aau_lit as u64)
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn exec_staa(
        &mut self,
        op: &XOp,
        n: u8,
        val: u128,
        poison: bool,
        mem: &mut GuestMem,
        s: &mut Scratch,
        x: &XBundle,
        le: bool,
        pcnt: u32,
        strmd_dec: &mut u32,
    ) -> Result<(), Fault> {
        if let XKind::AauRw(_) = op.kind {
            if poison && !op.sm {
                return Err(Fault::IllegalOperand(
                    "diagnostic value written to an AAU register",
                ));
            }
            let class = ((op.als >> 10) & 31) as u8;
            let ind = ((op.als >> 15) & 15) as u8;
            let d = ((op.als >> 19) & 31) as u8;
            if n >= 4 {
                s.sr_writes.push(SrWrite::Aau { class, d, ind, val });
            }
            return Ok(());
        }
        if x.loop_mode {
            if pcnt != 0 || (le && self.strmd() == 0) {
                return Ok(());
            }
            if le {
                *strmd_dec += 1;
            }
        }
        let addr = self.aau_addr(op);
        let mut data = val.to_le_bytes();
        if op.mas & 7 != 7 && op.mas & 8 != 0 {
            data[..n as usize].reverse();
        }
        match mem.check_write(addr, n as u64) {
            Ok(()) => s.push_store(addr, data, n, op.sm),
            Err(e) => {
                if !op.sm {
                    return Err(Fault::Data(e));
                }
            }
        }
        self.aau_post_incr(op, n, s)
    }

    fn aau_post_incr(&mut self, op: &XOp, n: u8, s: &mut Scratch) -> Result<(), Fault> {
        if op.als & (1 << 10) == 0 {
            return Ok(());
        }
        if let Some(c) = op.am {
            let (v, d) = {
                let (v, d) = match c.psrc {
                    0x60..=0x7f => self.pred((c.psrc & 31) as u32),
                    0x40..=0x5f => (self.pcnt() <= (c.psrc & 31) as u32, false),
                    _ => (false, false),
                };
                (v ^ c.neg, d)
            };
            if d && !op.sm {
                return Err(Fault::IllegalOperand("diagnostic AAU increment condition"));
            }
            if !v {
                return Ok(());
            }
        }
        let ind = ((op.als >> 15) & 15) as usize;
        let incr = ((op.als >> 12) & 7) as usize;
        let sh = match n {
            1 => 0,
            2 => 1,
            4 => 2,
            8 => 3,
            _ => 4,
        };
        let cur = s
            .aau_incr
            .iter()
            .rev()
            .find(|(i, _)| *i == ind)
            .map(|(_, v)| *v)
            .unwrap_or(self.aau.aasti[ind]);
        s.aau_incr
            .push((ind, cur.wrapping_add(self.aau.aaincr[incr] << sh)));
        Ok(())
    }

    pub(super) fn exec_ldaa(
        &mut self,
        op: &XOp,
        n: u8,
        mem: &mut GuestMem,
    ) -> Result<(u128, u8), Fault> {
        if let XKind::AauRr(_) = op.kind {
            let class = ((op.als >> 10) & 31) as u8;
            let ind = ((op.als >> 15) & 15) as u8;
            let d = ((op.als >> 19) & 31) as u8;
            return Ok((self.aau_read(class, d, ind), 0));
        }
        let addr = self.aau_addr(op);
        let mut buf = [0u8; 16];
        match mem.read(addr, &mut buf[..n as usize]) {
            Ok(()) => Ok((u128::from_le_bytes(buf), 0)),
            Err(e) => {
                if op.sm {
                    Ok((super::exec::DV_LOAD as u128, 0x5))
                } else {
                    Err(Fault::Data(e))
                }
            }
        }
    }

    /// mova: load one element of an array-prefetch area (invalid → diagnostic value).
    pub(super) fn mova_load(&self, m: &Mova, mem: &mut GuestMem) -> (u128, u8) {
        const DV: u64 = 0xeaed_0f70_eaed_0f70;
        let size: u8 = match m.opc {
            1 => 1,
            2 => 2,
            3 => 4,
            4 => 8,
            5 | 7 => 16,
            _ => 0,
        };
        let a = self.aau.areas[m.area as usize & 31][Self::mova_half(m.ch)];
        let need_fmt = match size {
            1 => 1,
            2 => 2,
            4 => 3,
            8 => 4,
            _ => 5,
        };
        let bad = |q: bool| -> (u128, u8) {
            if q {
                ((DV as u128) << 64 | DV as u128, 0x55)
            } else {
                (DV as u128, 0x5)
            }
        };
        if size == 0 || a.fmt == 0 || a.fmt < need_fmt || !self.aau.active {
            return bad(size == 16);
        }
        let base = self.aau.aad[a.aad as usize & 31] as u64 & 0xffff_ffff_ffff;
        let addr = base
            .wrapping_add(a.cdi)
            .wrapping_add(a.disp as u64)
            .wrapping_add(m.ind as u64);
        if self.iset < 5 && !addr.is_multiple_of(size as u64) {
            return bad(size == 16);
        }
        let mut buf = [0u8; 16];
        match mem.read(addr, &mut buf[..size as usize]) {
            Ok(()) => {
                if m.be {
                    buf[..size as usize].reverse();
                }
                (u128::from_le_bytes(buf), 0x80)
            }
            Err(_) => bad(size == 16),
        }
    }

    /// Which record of an area a mova channel uses: left for channels 0/1, right for 2/3.
    pub(super) fn mova_half(ch: u8) -> usize {
        (ch >= 2) as usize
    }

    /// Advances record `half` of `area` by one element step.
    pub(super) fn mova_advance(&mut self, area: u8, half: usize) {
        let a = &mut self.aau.areas[area as usize & 31][half & 1];
        if a.fmt == 0 {
            return;
        }
        let step = (1u64 << (a.fmt - 1)) * self.aau.aaincr[a.incr as usize & 7] as u64;
        a.cdi = a.cdi.wrapping_add(step);
    }

    /// `bap`: loads the array-prefetch program that CTPR2 (ldisp) points to.
    pub(super) fn aau_load_program(&mut self, mem: &mut GuestMem) {
        let c = self.ctpr[2];
        if ctpr_opc(c) != 1 {
            return;
        }
        let mut addr = ctpr_target(c);
        // up to 32 entries of two 8-byte fapb records (left, right); the program ends
        // after the entry whose left record has ct set
        'entries: for k in 0..32usize {
            let mut ct = false;
            for half in 0..2 {
                let at = addr + 8 * half as u64;
                let (Ok(aps), Ok(disp)) = (mem.read_u32(at), mem.read_u32(at + 4)) else {
                    break 'entries;
                };
                let fmt = ((aps >> 25) & 7) as u8;
                let ind = ((aps >> 8) & 15) as u8;
                self.aau.areas[k][half] = AauArea {
                    fmt,
                    aad: ((aps >> 15) & 31) as u8,
                    incr: ((aps >> 12) & 7) as u8,
                    ind,
                    disp,
                    cdi: self.aau.aaind[ind as usize] as u64,
                };
                if half == 0 {
                    ct = aps >> 31 != 0;
                }
            }
            addr += 16;
            if ct {
                break;
            }
        }
        self.aau.active = true;
    }
}
