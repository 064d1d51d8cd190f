//! Signal frames (§17.1-17.3): delivery works like a procedure call made for the
//! interrupted code. Its whole window is pushed as a caller frame whose return IP is
//! the resume point, the kernel `rt_sigframe` (siginfo, ucontext with sigcontext and
//! extra context, saved mask) is written on the user or alternate stack, a frame
//! returning to a fake trampoline address in the kernel range is pushed, and the
//! handler is entered with `r0..r2` = (signo, &info, &uc). When the handler returns,
//! the fetch at the trampoline address faults and the run loop performs
//! `rt_sigreturn`, which unwinds to the interrupted frame and resumes at the
//! (possibly rewritten) `uc_mcontext.cr0_hi`.

use super::signal::*;
use super::{Process, Termination};
use crate::cpu::fault::sig as s;
use crate::mem::TASK_SIZE;

/// Size of the kernel `rt_sigframe` (§17.2): info, ucontext, saved_set.
pub const FRAME_SIZE: u64 = 1928;
const UC: u64 = 128;
const MC: u64 = UC + 40;
const UC_SIGMASK: u64 = UC + 1616;
const UC_EXTRA: u64 = UC + 1744;
const SAVED_SET: u64 = 1920;

impl Process {
    /// §17.1: freeze the interrupted context as a caller frame, write the frame on
    /// the user (or alternate) stack, push the trampoline frame and enter the handler.
    pub(crate) fn setup_frame(
        &mut self,
        sig: i32,
        info: &SigInfo,
        act: &SigAction,
    ) -> Result<(), ()> {
        let depth_now = self.cpu.frames.len();
        self.sig.records.retain(|r| r.depth <= depth_now);
        let c = &self.cpu;
        let resume = c.ip;
        let old_mask = self.suspend_restore.take().unwrap_or(self.sig.blocked);
        let (usd_base, usd_size, usd_lo, usd_hi) = (c.usd_base, c.usd_size, c.usd_lo(), c.usd_hi());
        let sregs: Vec<u64> = [0x09u8, 0x07, 0x0f, 0x0d]
            .iter()
            .map(|&r| c.read_sr(r).unwrap_or(0))
            .collect();
        let (sbr, upsr, ctpr, fp) = (c.sbr, c.upsr, c.ctpr, c.fp);
        let preds = c.preds;

        // where the frame goes
        let use_alt = act.flags & SA_ONSTACK != 0
            && self.sig.altstack.flags & SS_DISABLE == 0
            && !self.sig.on_altstack(usd_base);
        let top = if use_alt {
            self.sig.altstack.sp.wrapping_add(self.sig.altstack.size)
        } else {
            usd_base
        };
        let frame = top.wrapping_sub(FRAME_SIZE) & !15;
        let (h_base, h_size) = if use_alt {
            (frame, frame.wrapping_sub(self.sig.altstack.sp))
        } else {
            let used = usd_base.wrapping_sub(frame);
            if used > usd_size {
                return Err(());
            }
            (frame, usd_size - used)
        };
        if frame >= TASK_SIZE || self.mem.check_write(frame, FRAME_SIZE).is_err() {
            return Err(());
        }

        // 1. the interrupted window becomes a caller frame
        let wbs = (self.cpu.wsize / 2) as u8;
        self.cpu.proc_call(wbs, resume).map_err(|_| ())?;
        let cf = *self.cpu.frames.last().ok_or(())?;
        let record = SigRecord {
            frame,
            depth: self.cpu.frames.len(),
            wbase: self.cpu.wbase,
            siginfo: act.flags & SA_SIGINFO != 0,
            usd_base,
            usd_size,
            g: self.cpu.g,
            gtag: self.cpu.gtag,
            lcnt: self.cpu.lcnt,
            lsr_hi: self.cpu.lsr_hi,
            ilcr: self.cpu.ilcr,
            ilcr1: self.cpu.ilcr1,
            upsr,
            bgr: self.cpu.bgr,
            aau: Box::new(self.cpu.aau.clone()),
        };

        // 2. the frame
        let mut b = vec![0u8; FRAME_SIZE as usize];
        let put = |b: &mut Vec<u8>, off: u64, v: &[u8]| {
            b[off as usize..off as usize + v.len()].copy_from_slice(v);
        };
        put(&mut b, 0, &info.signo.to_le_bytes());
        put(&mut b, 4, &info.errno.to_le_bytes());
        put(&mut b, 8, &info.code.to_le_bytes());
        if info.code > 0 && matches!(info.signo, 4 | 5 | 7 | 8 | 11) {
            put(&mut b, 16, &info.addr.to_le_bytes());
            put(&mut b, 24, &info.trapno.to_le_bytes());
        } else {
            // _kill / _rt: sender and (for queued signals) si_value
            put(&mut b, 16, &info.pid.to_le_bytes());
            put(&mut b, 20, &info.uid.to_le_bytes());
            put(&mut b, 24, &info.value.to_le_bytes());
        }
        let alt = self.sig.altstack;
        put(&mut b, UC + 16, &alt.sp.to_le_bytes());
        let alt_flags = if self.sig.on_altstack(usd_base) {
            SS_ONSTACK
        } else {
            alt.flags
        };
        put(&mut b, UC + 24, &alt_flags.to_le_bytes());
        put(&mut b, UC + 32, &alt.size.to_le_bytes());
        let mc = [
            preds,
            resume,
            cf.cr1_lo(),
            cf.cr1_hi(),
            sbr,
            usd_lo,
            usd_hi,
            sregs[0],
            sregs[1],
            sregs[2],
            sregs[3],
        ];
        for (i, v) in mc.iter().enumerate() {
            put(&mut b, MC + 8 * i as u64, &v.to_le_bytes());
        }
        if info.sync {
            // one trap-info register: the exception bit and the faulting IP
            put(&mut b, MC + 112, &info.ip.to_le_bytes());
            if info.trapno < 64 {
                put(&mut b, MC + 264, &(1u64 << info.trapno).to_le_bytes());
            }
        }
        put(&mut b, MC + 1568, &(upsr as u64).to_le_bytes());
        put(&mut b, UC_SIGMASK, &old_mask.to_le_bytes());
        put(&mut b, UC_EXTRA, &44i32.to_le_bytes());
        put(&mut b, UC_EXTRA + 4, &(-1i32).to_le_bytes());
        put(&mut b, UC_EXTRA + 12, &fp.fpcr.to_le_bytes());
        put(&mut b, UC_EXTRA + 16, &fp.fpsr.to_le_bytes());
        put(&mut b, UC_EXTRA + 20, &fp.pfpfr.to_le_bytes());
        for i in 0..3 {
            put(
                &mut b,
                UC_EXTRA + 24 + 8 * i as u64,
                &ctpr[i + 1].to_le_bytes(),
            );
        }
        put(&mut b, SAVED_SET, &old_mask.to_le_bytes());
        self.mem.write(frame, &b).map_err(|_| ())?;
        self.sig.records.push(record);

        // 3. the trampoline frame and the handler window (8 registers, psize 0)
        self.cpu.usd_base = h_base;
        self.cpu.usd_size = h_size;
        self.cpu.wsize = 8;
        self.cpu.psize = 0;
        self.cpu
            .proc_call(0, SIGRETURN_TRAMPOLINE)
            .map_err(|_| ())?;
        self.cpu.psize = 0;
        let args = [sig as u64, frame, frame + UC];
        let wb = self.cpu.wbase;
        for i in 0..8 {
            self.cpu.rf[wb + i] = args.get(i).copied().unwrap_or(0) as u128;
            self.cpu.rtag[wb + i] = 0;
        }
        self.cpu.ip = act.handler;
        Ok(())
    }

    /// rt_sigreturn (§17.3), from the trampoline or as system call 173/119.
    /// On a corrupt frame the process gets SIGSEGV.
    pub(crate) fn sigreturn(&mut self) -> Option<Termination> {
        let depth_now = self.cpu.frames.len();
        self.sig.records.retain(|r| r.depth <= depth_now);
        let Some(rec) = self.sig.records.pop() else {
            log::info!(target: "e2kemu::int", "rt_sigreturn without a signal frame");
            return Some(fatal(s::SIGSEGV));
        };
        let f = rec.frame;
        let rd = |m: &mut crate::mem::GuestMem, off: u64| m.read_u64(f + off);
        let read = (|| -> Result<_, crate::mem::MemFault> {
            let mask = rd(
                &mut self.mem,
                if rec.siginfo { UC_SIGMASK } else { SAVED_SET },
            )?;
            let cr0_lo = rd(&mut self.mem, MC)?;
            let cr0_hi = rd(&mut self.mem, MC + 8)?;
            let fpcr = self.mem.read_u32(f + UC_EXTRA + 12)?;
            let fpsr = self.mem.read_u32(f + UC_EXTRA + 16)?;
            let pfpfr = self.mem.read_u32(f + UC_EXTRA + 20)?;
            let mut ctpr = [0u64; 4];
            for (i, c) in ctpr.iter_mut().enumerate().skip(1) {
                *c = rd(&mut self.mem, UC_EXTRA + 24 + 8 * (i as u64 - 1))?;
            }
            let ss = (
                rd(&mut self.mem, UC + 16)?,
                self.mem.read_u32(f + UC + 24)? as i32,
                rd(&mut self.mem, UC + 32)?,
            );
            Ok((mask, cr0_lo, cr0_hi, (fpcr, fpsr, pfpfr), ctpr, ss))
        })();
        let Ok((mask, cr0_lo, cr0_hi, fpregs, ctpr, ss)) = read else {
            return Some(fatal(s::SIGSEGV));
        };
        // unwind to the interrupted frame and return through it
        let c = &mut self.cpu;
        if rec.depth == 0 || rec.depth > c.frames.len() {
            return Some(fatal(s::SIGSEGV));
        }
        c.frames.truncate(rec.depth);
        c.wbase = rec.wbase;
        c.wsize = 0;
        c.psize = 0;
        if c.proc_return().is_err() {
            return Some(fatal(s::SIGSEGV));
        }
        c.ip = cr0_hi;
        c.preds = cr0_lo;
        c.ctpr = ctpr;
        c.fp.fpcr = fpregs.0;
        c.fp.fpsr = fpregs.1;
        c.fp.pfpfr = fpregs.2;
        c.g = rec.g;
        c.gtag = rec.gtag;
        c.lcnt = rec.lcnt;
        c.lsr_hi = rec.lsr_hi;
        c.ilcr = rec.ilcr;
        c.ilcr1 = rec.ilcr1;
        c.upsr = rec.upsr;
        c.bgr = rec.bgr;
        c.aau = *rec.aau;
        c.usd_base = rec.usd_base;
        c.usd_size = rec.usd_size;
        self.sig.blocked = mask & !UNBLOCKABLE;
        // restore the alternate stack setting like sigaltstack would (errors ignored)
        if !self.sig.on_altstack(self.cpu.usd_base) {
            let f = ss.1 & !SS_AUTODISARM;
            if f == SS_DISABLE {
                self.sig.altstack = AltStack::default();
            } else if (f == 0 || f == SS_ONSTACK) && ss.2 >= MINSIGSTKSZ {
                self.sig.altstack = AltStack {
                    sp: ss.0,
                    size: ss.2,
                    flags: 0,
                };
            }
        }
        None
    }
}
