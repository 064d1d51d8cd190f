//! Memory system calls: mmap/mmap2 (e2k flag values: MAP_ANONYMOUS 0x10, MAP_FIXED
//! 0x100), munmap, mprotect, mremap, brk, madvise. Mappings are private copies; file
//! mappings read the file once (MAP_SHARED writes are not written back).

use super::errno::*;
use super::loader::{MAX_MAPPING, MMAP_TOP};
use super::{host, nr, Process, SysResult};
use crate::mem::{PAGE_SIZE, PROT_READ, PROT_WRITE, TASK_SIZE};

pub const MAP_ANONYMOUS: u64 = 0x10;
pub const MAP_FIXED: u64 = 0x100;
pub const MAP_FIXED_NOREPLACE: u64 = 0x40_0000;
/// Total bytes of guest mappings (guards host memory).
const MAX_TOTAL: u64 = 1 << 33;
/// Address space kept free above the program break for heap growth.
const BRK_RESERVE: u64 = 1 << 30;
/// Lowest address a hint or MAP_FIXED may use (like vm.mmap_min_addr).
const MMAP_MIN: u64 = 0x1000;

fn page_up(v: u64) -> Option<u64> {
    v.checked_add(PAGE_SIZE - 1).map(|x| x & !(PAGE_SIZE - 1))
}

impl Process {
    /// Memory calls; None when `num` is not one of them.
    pub(crate) fn dispatch_mm(&mut self, num: u32, a: &[u64; 6]) -> Option<SysResult> {
        Some(match num {
            nr::MMAP => self.sys_mmap(a[0], a[1], a[2], a[3], a[4] as i64, a[5]),
            nr::MMAP2 => match a[5].checked_mul(PAGE_SIZE) {
                Some(off) => self.sys_mmap(a[0], a[1], a[2], a[3], a[4] as i64, off),
                None => Err(EINVAL),
            },
            nr::MUNMAP => self.sys_munmap(a[0], a[1]),
            nr::MPROTECT => self.sys_mprotect(a[0], a[1], a[2]),
            nr::MREMAP => self.sys_mremap(a[0], a[1], a[2], a[3], a[4]),
            nr::BRK => Ok(self.sys_brk(a[0]) as i64),
            nr::MADVISE => self.sys_madvise(a[0], a[1], a[2]),
            144 | 150..=153 | 391 => Ok(0), // msync, mlock*, munlock*
            _ => return None,
        })
    }

    fn mapped_total(&self) -> u64 {
        self.mem.regions().map(|r| r.len()).sum()
    }

    /// Chooses an address for a new mapping of `len` bytes.
    fn pick_addr(&self, hint: u64, len: u64) -> Option<u64> {
        let hint = hint & !(PAGE_SIZE - 1);
        if hint >= MMAP_MIN
            && hint.checked_add(len).is_some_and(|e| e <= TASK_SIZE)
            && !self.mem.is_mapped_any(hint, len)
        {
            return Some(hint);
        }
        let above = self.mm.brk.saturating_add(BRK_RESERVE);
        self.mem
            .find_free(len, MMAP_TOP, above)
            .or_else(|| self.mem.find_free(len, MMAP_TOP, 0x10000))
    }

    fn sys_mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u64,
        flags: u64,
        fd: i64,
        off: u64,
    ) -> SysResult {
        if len == 0 || !off.is_multiple_of(PAGE_SIZE) {
            return Err(EINVAL);
        }
        let typ = flags & 0xf;
        if typ == 0 || typ > 3 {
            return Err(EINVAL);
        }
        let len = page_up(len).ok_or(ENOMEM)?;
        if len > MAX_MAPPING || self.mapped_total().saturating_add(len) > MAX_TOTAL {
            return Err(ENOMEM);
        }
        let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
        let at = if fixed {
            if !addr.is_multiple_of(PAGE_SIZE) {
                return Err(EINVAL);
            }
            if addr < MMAP_MIN || addr.checked_add(len).is_none_or(|v| v > TASK_SIZE) {
                return Err(if addr < MMAP_MIN { EPERM } else { ENOMEM });
            }
            if flags & MAP_FIXED == 0 && self.mem.is_mapped_any(addr, len) {
                return Err(EEXIST);
            }
            addr
        } else {
            self.pick_addr(addr, len).ok_or(ENOMEM)?
        };
        let data = if flags & MAP_ANONYMOUS == 0 {
            let e = self.fds.entry(fd)?;
            let fl = host::fcntl_int(e.host, libc::F_GETFL, 0)? as i32;
            if fl & libc::O_ACCMODE == libc::O_WRONLY {
                return Err(libc::EACCES);
            }
            // read the file part (up to its end), in chunks
            let mut v: Vec<u8> = Vec::new();
            let mut chunk = vec![0u8; 1 << 20];
            while (v.len() as u64) < len {
                let want = ((len - v.len() as u64) as usize).min(chunk.len());
                match host::pread(e.host, &mut chunk[..want], off as i64 + v.len() as i64) {
                    Ok(0) => break,
                    Ok(n) => v.extend_from_slice(&chunk[..n as usize]),
                    Err(EINTR) => continue,
                    Err(e) => return Err(if e == libc::EISDIR { libc::ENODEV } else { e }),
                }
            }
            Some(v)
        } else {
            None
        };
        let name = if data.is_some() { "[file]" } else { "[anon]" };
        self.mem.map(at, len, (prot & 7) as u8, name);
        if let Some(d) = data {
            if self.mem.poke(at, &d).is_err() {
                return Err(ENOMEM);
            }
        }
        Ok(at as i64)
    }

    fn sys_munmap(&mut self, addr: u64, len: u64) -> SysResult {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(EINVAL);
        }
        let len = page_up(len).ok_or(EINVAL)?;
        if addr.checked_add(len).is_none_or(|v| v > TASK_SIZE) {
            return Err(EINVAL);
        }
        self.mem.unmap(addr, len);
        Ok(0)
    }

    fn sys_mprotect(&mut self, addr: u64, len: u64, prot: u64) -> SysResult {
        if !addr.is_multiple_of(PAGE_SIZE) || prot & !0x6f != 0 {
            return Err(EINVAL);
        }
        let len = page_up(len).ok_or(ENOMEM)?;
        if len == 0 {
            return Ok(0);
        }
        if addr.checked_add(len).is_none_or(|v| v > TASK_SIZE) {
            return Err(ENOMEM);
        }
        self.mem
            .protect(addr, len, (prot & 7) as u8)
            .map(|_| 0)
            .map_err(|_| ENOMEM)
    }

    fn fully_mapped(&self, addr: u64, len: u64) -> bool {
        (0..len / PAGE_SIZE).all(|i| self.mem.prot_at(addr + i * PAGE_SIZE).is_some())
    }

    fn sys_mremap(
        &mut self,
        old: u64,
        old_size: u64,
        new_size: u64,
        flags: u64,
        new_addr: u64,
    ) -> SysResult {
        const MAYMOVE: u64 = 1;
        const FIXED: u64 = 2;
        if !old.is_multiple_of(PAGE_SIZE)
            || flags & !7 != 0
            || (flags & FIXED != 0 && flags & MAYMOVE == 0)
        {
            return Err(EINVAL);
        }
        let os = page_up(old_size).ok_or(EINVAL)?;
        let ns = page_up(new_size).ok_or(EINVAL)?;
        if ns == 0 || ns > MAX_MAPPING {
            return Err(if ns == 0 { EINVAL } else { ENOMEM });
        }
        if os == 0 || !self.fully_mapped(old, os) {
            return Err(EFAULT);
        }
        if flags & FIXED == 0 {
            if ns <= os {
                self.mem.unmap(old + ns, os - ns);
                return Ok(old as i64);
            }
            let grow = ns - os;
            if old.checked_add(ns).is_some_and(|e| e <= TASK_SIZE)
                && !self.mem.is_mapped_any(old + os, grow)
            {
                let p = self
                    .mem
                    .prot_at(old + os - PAGE_SIZE)
                    .unwrap_or(PROT_READ | PROT_WRITE);
                self.mem.map(old + os, grow, p, "[anon]");
                return Ok(old as i64);
            }
            if flags & MAYMOVE == 0 {
                return Err(ENOMEM);
            }
        }
        if self.mapped_total().saturating_add(ns) > MAX_TOTAL {
            return Err(ENOMEM);
        }
        // move: copy the pages with their protections
        let keep = os.min(ns);
        let mut data = Vec::with_capacity(keep as usize);
        let mut prots = Vec::new();
        for i in 0..keep / PAGE_SIZE {
            let vpn = (old >> 12) + i;
            match self.mem.page_bytes(vpn) {
                Some((b, p)) => {
                    data.extend_from_slice(b);
                    prots.push(p);
                }
                None => return Err(EFAULT),
            }
        }
        let dest = if flags & FIXED != 0 {
            if !new_addr.is_multiple_of(PAGE_SIZE)
                || new_addr.checked_add(ns).is_none_or(|v| v > TASK_SIZE)
            {
                return Err(EINVAL);
            }
            new_addr
        } else {
            self.mem.unmap(old, os);
            match self.pick_addr(0, ns) {
                Some(d) => d,
                None => {
                    // put the old pages back
                    self.restore_pages(old, &data, &prots);
                    return Err(ENOMEM);
                }
            }
        };
        if flags & FIXED != 0 {
            self.mem.unmap(old, os);
        }
        let last = prots.last().copied().unwrap_or(PROT_READ | PROT_WRITE);
        self.mem.map(dest, ns, last, "[anon]");
        self.restore_pages(dest, &data, &prots);
        Ok(dest as i64)
    }

    fn restore_pages(&mut self, at: u64, data: &[u8], prots: &[u8]) {
        if !self.mem.is_mapped_any(at, data.len() as u64) {
            self.mem
                .map(at, data.len() as u64, PROT_READ | PROT_WRITE, "[anon]");
        }
        let _ = self.mem.poke(at, data);
        for (i, p) in prots.iter().enumerate() {
            let _ = self.mem.protect(at + i as u64 * PAGE_SIZE, PAGE_SIZE, *p);
        }
    }

    /// brk: returns the (possibly unchanged) program break.
    fn sys_brk(&mut self, new: u64) -> u64 {
        let cur = self.mm.brk;
        if new < self.mm.brk_start || new > TASK_SIZE {
            return cur;
        }
        let (Some(old_top), Some(new_top)) = (page_up(cur), page_up(new)) else {
            return cur;
        };
        if new_top > old_top {
            let grow = new_top - old_top;
            if new_top - self.mm.brk_start > MAX_MAPPING
                || self.mem.is_mapped_any(old_top, grow)
                || self.mapped_total().saturating_add(grow) > MAX_TOTAL
            {
                return cur;
            }
            self.mem
                .map(old_top, grow, PROT_READ | PROT_WRITE, "[heap]");
        } else if new_top < old_top {
            self.mem.unmap(new_top, old_top - new_top);
        }
        self.mm.brk = new;
        new
    }

    fn sys_madvise(&mut self, addr: u64, len: u64, advice: u64) -> SysResult {
        const MADV_DONTNEED: u64 = 4;
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(EINVAL);
        }
        let len = page_up(len).ok_or(EINVAL)?;
        if addr.checked_add(len).is_none_or(|e| e > TASK_SIZE) {
            return Err(EINVAL);
        }
        if advice == MADV_DONTNEED {
            // private anonymous pages read back as zero (only mapped pages are touched)
            let end = addr + len;
            let spans: Vec<(u64, u64)> = self
                .mem
                .regions()
                .filter(|r| r.start < end && r.end() > addr)
                .map(|r| (r.start.max(addr), r.end().min(end)))
                .collect();
            let zero = [0u8; PAGE_SIZE as usize];
            for (s, e) in spans {
                let mut a = s;
                while a < e {
                    if self.mem.prot_at(a).is_some() {
                        let _ = self.mem.poke(a, &zero);
                    }
                    a += PAGE_SIZE;
                }
            }
        }
        Ok(0)
    }
}
