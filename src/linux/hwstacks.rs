//! `access_hw_stacks` (§15.6): the procedure stack (spilled registers) and the chain
//! stack (return frames) as the kernel presents them, materialised on demand from
//! `Cpu::rf` and `Cpu::frames`. Measured as at the syscall: the syscall's own `call`
//! has spilled the caller's window below `2*wbs` and pushed its chain frame.
//!
//! PS layout (§4.4): 16 bytes per register, 32-byte groups for registers 2k, 2k+1:
//! v1..v4 `lo(2k) lo(2k+1) ext(2k) ext(2k+1)`, v5+ `lo(2k) hi(2k) lo(2k+1) hi(2k+1)`.
//! PCS: 32 bytes per frame; slot 0 is the (empty) frame below `_start`.

use super::errno::*;
use super::syscall::Window;
use super::{Process, SysResult};
use crate::cpu::state::ChainFrame;
use crate::mem::TASK_SIZE;

const READ_CHAIN_STACK: u64 = 0;
const READ_PROCEDURE_STACK: u64 = 1;
const WRITE_PROCEDURE_STACK: u64 = 2;
const GET_CHAIN_STACK_OFFSET: u64 = 3;
const GET_CHAIN_STACK_SIZE: u64 = 4;
const GET_PROCEDURE_STACK_SIZE: u64 = 5;
const READ_CHAIN_STACK_EX: u64 = 6;
const READ_PROCEDURE_STACK_EX: u64 = 7;
const WRITE_PROCEDURE_STACK_EX: u64 = 8;
const WRITE_CHAIN_STACK_EX: u64 = 9;

/// Largest copy in one call.
const MAX_COPY: u64 = 1 << 26;

impl Process {
    /// Number of spilled registers at the syscall (PSP.ind / 16).
    fn ps_regs(&self, w: Window) -> usize {
        w.base
    }

    /// Chain frames at the syscall: the process's frames plus the syscall's own.
    fn pcs_frames(&self, w: Window) -> Vec<ChainFrame> {
        let c = &self.cpu;
        let mut v = c.frames.clone();
        v.push(ChainFrame {
            preds: c.preds,
            ret_ip: c.ip,
            wbs: ((w.base - c.wbase) / 2) as u8,
            wpsz: c.psize as u16,
            wfx: c.wfx,
            wdbl: c.wdbl,
            br: c.br,
            ussz: c.usd_size / 16,
            psr: c.psr,
            cuir: c.cuir,
        });
        v
    }

    /// Bytes [off, off+len) of the procedure stack image.
    fn ps_read(&self, off: u64, len: u64) -> Vec<u8> {
        let v5 = self.cpu.iset >= 5;
        (off..off + len)
            .map(|b| {
                let group = (b / 32) as usize;
                let w = (b % 32) / 8;
                let (reg, hi) = if v5 {
                    (2 * group + (w / 2) as usize, w % 2 == 1)
                } else {
                    (2 * group + (w % 2) as usize, w >= 2)
                };
                let v = self.cpu.rf.get(reg).copied().unwrap_or(0);
                let word = if hi {
                    let h = (v >> 64) as u64;
                    if v5 {
                        h
                    } else {
                        h & 0xffff
                    }
                } else {
                    v as u64
                };
                (word >> (8 * (b % 8))) as u8
            })
            .collect()
    }

    /// Writes `data` at `off` of the procedure stack image (tags become 0).
    fn ps_write(&mut self, off: u64, data: &[u8]) {
        let v5 = self.cpu.iset >= 5;
        for (i, &byte) in data.iter().enumerate() {
            let b = off + i as u64;
            let group = (b / 32) as usize;
            let w = (b % 32) / 8;
            let (reg, hi) = if v5 {
                (2 * group + (w / 2) as usize, w % 2 == 1)
            } else {
                (2 * group + (w % 2) as usize, w >= 2)
            };
            if hi && !v5 && b % 8 >= 2 {
                continue; // beyond the 16-bit extension
            }
            let sh = 8 * (b % 8) + if hi { 64 } else { 0 };
            if let Some(r) = self.cpu.rf.get_mut(reg) {
                *r = (*r & !(0xffu128 << sh)) | (byte as u128) << sh;
                self.cpu.rtag[reg] &= if hi { 0x0f } else { 0xf0 };
            }
        }
    }

    fn pcs_bytes(&self, w: Window) -> Vec<u8> {
        let mut out = vec![0u8; 32];
        for f in self.pcs_frames(w) {
            let words = if f.ret_ip >= TASK_SIZE {
                [0; 4] // kernel frames (the signal trampoline) are hidden
            } else {
                f.words()
            };
            out.extend(words.iter().flat_map(|x| x.to_le_bytes()));
        }
        out
    }

    pub(crate) fn sys_access_hw_stacks(&mut self, a: &[u64; 6], w: Window) -> SysResult {
        let (mode, frame_ptr, buf, size, size_out) = (a[0], a[1], a[2], a[3], a[4]);
        let ps_size = self.ps_regs(w) as u64 * 16;
        let pcs_size = (self.cpu.frames.len() as u64 + 2) * 32;
        let copy_mode = matches!(mode, 0..=2 | 6..=9);
        if copy_mode && buf % 8 != 0 {
            return Err(EFAULT);
        }
        let out = |p: &mut Process, v: u64| -> SysResult {
            if size_out != 0 {
                p.put_u64(size_out, v)?;
            }
            Ok(0)
        };
        match mode {
            GET_CHAIN_STACK_SIZE => out(self, pcs_size),
            GET_PROCEDURE_STACK_SIZE => out(self, ps_size),
            GET_CHAIN_STACK_OFFSET => {
                let f = self.get_u64(frame_ptr)?;
                let base = self.cpu.pcsp_base;
                if f < base || f > base + pcs_size {
                    return Err(ESRCH);
                }
                out(self, f - base)
            }
            READ_CHAIN_STACK | READ_PROCEDURE_STACK | WRITE_PROCEDURE_STACK => {
                let f = self.get_u64(frame_ptr)?;
                let (base, used) = if mode == READ_CHAIN_STACK {
                    (self.cpu.pcsp_base, pcs_size)
                } else {
                    (self.cpu.psp_base, ps_size)
                };
                if f < base || f - base > used {
                    return Err(EINVAL);
                }
                let len = f - base;
                if size < len {
                    return Err(ENOMEM);
                }
                if len > MAX_COPY {
                    return Err(ENOMEM);
                }
                match mode {
                    READ_CHAIN_STACK => {
                        let img = self.pcs_bytes(w);
                        self.put(buf, &img[..len as usize])?;
                    }
                    READ_PROCEDURE_STACK => {
                        let img = self.ps_read(0, len);
                        self.put(buf, &img)?;
                    }
                    _ => {
                        let d = self.get(buf, len as usize)?;
                        self.ps_write(0, &d);
                    }
                }
                out(self, len)
            }
            READ_CHAIN_STACK_EX
            | WRITE_CHAIN_STACK_EX
            | READ_PROCEDURE_STACK_EX
            | WRITE_PROCEDURE_STACK_EX => {
                let off = self.get_u64(frame_ptr)?;
                let chain = matches!(mode, READ_CHAIN_STACK_EX | WRITE_CHAIN_STACK_EX);
                let limit = if chain { pcs_size } else { ps_size };
                if off.checked_add(size).is_none_or(|e| e > limit) || size > MAX_COPY {
                    return Err(EFAULT);
                }
                match mode {
                    READ_CHAIN_STACK_EX => {
                        let img = self.pcs_bytes(w);
                        self.put(buf, &img[off as usize..(off + size) as usize])?;
                    }
                    READ_PROCEDURE_STACK_EX => {
                        let img = self.ps_read(off, size);
                        self.put(buf, &img)?;
                    }
                    WRITE_PROCEDURE_STACK_EX => {
                        let d = self.get(buf, size as usize)?;
                        self.ps_write(off, &d);
                    }
                    _ => {
                        let d = self.get(buf, size as usize)?;
                        self.pcs_write(w, off, &d);
                    }
                }
                Ok(0)
            }
            _ => Err(ENOSYS),
        }
    }

    /// Writes chain-stack bytes back into the frames (the syscall's own frame can
    /// redirect where the call returns).
    fn pcs_write(&mut self, w: Window, off: u64, data: &[u8]) {
        let mut img = self.pcs_bytes(w);
        img[off as usize..off as usize + data.len()].copy_from_slice(data);
        let n = self.cpu.frames.len();
        for slot in 1..=n + 1 {
            let first = slot as u64 * 32;
            if first + 32 <= off || first >= off + data.len() as u64 {
                continue;
            }
            let mut words = [0u64; 4];
            for (k, wd) in words.iter_mut().enumerate() {
                let s = (first as usize) + 8 * k;
                *wd = u64::from_le_bytes(img[s..s + 8].try_into().unwrap_or_default());
            }
            let f = ChainFrame::from_words(words);
            if slot <= n {
                self.cpu.frames[slot - 1] = f;
            } else {
                // the system call returns through this frame
                self.cpu.ip = f.ret_ip;
                self.cpu.preds = f.preds;
            }
        }
    }
}
