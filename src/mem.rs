//! Guest memory: a sparse 47-bit address space made of mappings with per-page
//! protections, a small software TLB for the hot path, code-page tracking for
//! self-modifying code, and dirty-page tracking. Every access is bounds-checked
//! against the guest's own mappings: a guest can never reach host memory.

use std::collections::{BTreeMap, HashSet};

pub const PAGE_SIZE: u64 = 4096;
pub const PAGE_SHIFT: u32 = 12;
/// First address above user space (`TASK_SIZE` of the e2k kernel).
pub const TASK_SIZE: u64 = 0x0000_d000_0000_0000;

pub const PROT_READ: u8 = 1;
pub const PROT_WRITE: u8 = 2;
pub const PROT_EXEC: u8 = 4;
/// Internal: page is mapped (a mapped page may still have PROT_NONE).
const MAPPED: u8 = 0x80;

/// Why an access failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// No mapping at the address (SEGV_MAPERR).
    Unmapped,
    /// Mapped, but the access is not permitted (SEGV_ACCERR).
    Protection,
}

/// A failed guest memory access: first faulting address and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemFault {
    pub addr: u64,
    pub kind: FaultKind,
    pub write: bool,
}

/// One contiguous mapping (page aligned).
#[derive(Debug, Clone)]
pub struct Region {
    pub start: u64,
    pub data: Vec<u8>,
    /// per page: PROT_* | MAPPED
    pub prot: Vec<u8>,
    /// short description for `info mem` / migration (e.g. "[stack]", file name)
    pub name: String,
}

impl Region {
    pub fn len(&self) -> u64 {
        self.data.len() as u64
    }
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    pub fn end(&self) -> u64 {
        self.start + self.len()
    }
}

/// One software-TLB entry. The JIT reads `vpn` and `host` directly (see [`JIT_TLB`]).
#[derive(Clone, Copy)]
#[repr(C)]
struct TlbEntry {
    vpn: u64,
    /// host address of the page's first byte (valid until the TLB is flushed: region
    /// buffers are only reallocated by map/unmap/protect, which flush)
    host: usize,
    region: u32,
    off: usize,
}

const TLB_SIZE: usize = 256;
const TLB_EMPTY: TlbEntry = TlbEntry {
    vpn: u64::MAX,
    host: 0,
    region: 0,
    off: 0,
};

/// Layout of the software TLB for native code: `slots` entries of `1 << entry_shift`
/// bytes, indexed by `vpn & (slots - 1)`; an entry matches when its `vpn` word (at
/// `vpn_off`) equals the page number, and then `host` (at `host_off`) is the host
/// address of the page's first byte.
#[derive(Debug, Clone, Copy)]
pub struct JitTlb {
    pub slots: u64,
    pub entry_shift: u32,
    pub vpn_off: i32,
    pub host_off: i32,
}

pub const JIT_TLB: JitTlb = JitTlb {
    slots: TLB_SIZE as u64,
    entry_shift: std::mem::size_of::<TlbEntry>().trailing_zeros(),
    vpn_off: std::mem::offset_of!(TlbEntry, vpn) as i32,
    host_off: std::mem::offset_of!(TlbEntry, host) as i32,
};
const _: () = assert!(std::mem::size_of::<TlbEntry>().is_power_of_two());

/// The guest address space.
pub struct GuestMem {
    regions: Vec<Option<Region>>,
    by_start: BTreeMap<u64, u32>,
    rtlb: Box<[TlbEntry; TLB_SIZE]>,
    wtlb: Box<[TlbEntry; TLB_SIZE]>,
    xtlb: Box<[TlbEntry; TLB_SIZE]>,
    /// pages that hold decoded bundles; writes to them are reported
    code_pages: HashSet<u64>,
    /// pages written since code tracking noticed (for the decode cache to drop)
    pub smc_pages: Vec<u64>,
    /// dirty tracking for migration: Some(set) while logging
    dirty: Option<HashSet<u64>>,
}

impl Default for GuestMem {
    fn default() -> Self {
        Self::new()
    }
}

impl GuestMem {
    pub fn new() -> Self {
        GuestMem {
            regions: Vec::new(),
            by_start: BTreeMap::new(),
            rtlb: Box::new([TLB_EMPTY; TLB_SIZE]),
            wtlb: Box::new([TLB_EMPTY; TLB_SIZE]),
            xtlb: Box::new([TLB_EMPTY; TLB_SIZE]),
            code_pages: HashSet::new(),
            smc_pages: Vec::new(),
            dirty: None,
        }
    }

    /// The read and write TLBs for native code (layout [`JIT_TLB`]). Entries stay valid
    /// while no mapping changes; a write-TLB hit means the page is writable, not code,
    /// and already recorded as dirty when dirty logging is on.
    pub fn jit_tlbs(&mut self) -> (*const u8, *const u8) {
        (
            self.rtlb.as_ptr() as *const u8,
            self.wtlb.as_ptr() as *const u8,
        )
    }

    fn flush_tlb(&mut self) {
        self.rtlb.fill(TLB_EMPTY);
        self.wtlb.fill(TLB_EMPTY);
        self.xtlb.fill(TLB_EMPTY);
    }

    /// All mappings in address order.
    pub fn regions(&self) -> impl Iterator<Item = &Region> {
        self.by_start
            .values()
            .filter_map(move |&i| self.regions[i as usize].as_ref())
    }

    fn region_at(&self, addr: u64) -> Option<u32> {
        let (_, &id) = self.by_start.range(..=addr).next_back()?;
        let r = self.regions[id as usize].as_ref()?;
        (addr < r.end()).then_some(id)
    }

    /// True when any byte of [start, start+len) is mapped.
    pub fn is_mapped_any(&self, start: u64, len: u64) -> bool {
        let end = start.saturating_add(len);
        let mut a = start & !(PAGE_SIZE - 1);
        while a < end {
            if let Some(id) = self.region_at(a) {
                let r = self.regions[id as usize].as_ref().unwrap();
                if r.prot[((a - r.start) >> PAGE_SHIFT) as usize] & MAPPED != 0 {
                    return true;
                }
            }
            a += PAGE_SIZE;
        }
        false
    }

    /// Maps [start, start+len) (page aligned) with `prot`, zero-filled, replacing
    /// whatever was mapped there.
    pub fn map(&mut self, start: u64, len: u64, prot: u8, name: &str) {
        debug_assert!(start.is_multiple_of(PAGE_SIZE) && len.is_multiple_of(PAGE_SIZE));
        self.unmap(start, len);
        let pages = (len / PAGE_SIZE) as usize;
        let r = Region {
            start,
            data: vec![0u8; len as usize],
            prot: vec![prot | MAPPED; pages],
            name: name.to_string(),
        };
        let id = self.regions.len() as u32;
        self.regions.push(Some(r));
        self.by_start.insert(start, id);
        if let Some(d) = &mut self.dirty {
            for p in 0..pages as u64 {
                d.insert((start >> PAGE_SHIFT) + p);
            }
        }
        self.flush_tlb();
    }

    /// Unmaps every page of [start, start+len); regions are split as needed.
    pub fn unmap(&mut self, start: u64, len: u64) {
        let end = start.saturating_add(len);
        let ids: Vec<u32> = self
            .by_start
            .range(..end)
            .map(|(_, &i)| i)
            .filter(|&i| {
                self.regions[i as usize]
                    .as_ref()
                    .is_some_and(|r| r.end() > start)
            })
            .collect();
        for id in ids {
            let r = self.regions[id as usize].take().unwrap();
            self.by_start.remove(&r.start);
            // keep the parts outside [start, end)
            if r.start < start {
                let n = (start - r.start) as usize;
                self.insert_region(Region {
                    start: r.start,
                    data: r.data[..n].to_vec(),
                    prot: r.prot[..n / PAGE_SIZE as usize].to_vec(),
                    name: r.name.clone(),
                });
            }
            if r.end() > end {
                let off = (end - r.start) as usize;
                self.insert_region(Region {
                    start: end,
                    data: r.data[off..].to_vec(),
                    prot: r.prot[off / PAGE_SIZE as usize..].to_vec(),
                    name: r.name.clone(),
                });
            }
        }
        let first = start >> PAGE_SHIFT;
        let last = end.div_ceil(PAGE_SIZE);
        self.code_pages.retain(|p| *p < first || *p >= last);
        for p in first..last.min(first + (1 << 20)) {
            self.smc_pages.push(p);
        }
        self.flush_tlb();
    }

    fn insert_region(&mut self, r: Region) {
        let id = self.regions.len() as u32;
        self.by_start.insert(r.start, id);
        self.regions.push(Some(r));
    }

    /// Changes the protection of every mapped page in [start, start+len).
    /// Fails (ENOMEM for mprotect) with the first unmapped address if part of the range
    /// is unmapped.
    pub fn protect(&mut self, start: u64, len: u64, prot: u8) -> Result<(), u64> {
        let end = start.saturating_add(len);
        let mut a = start;
        while a < end {
            let id = self.region_at(a).ok_or(a)?;
            let r = self.regions[id as usize].as_mut().unwrap();
            let i = ((a - r.start) >> PAGE_SHIFT) as usize;
            if r.prot[i] & MAPPED == 0 {
                return Err(a);
            }
            r.prot[i] = prot | MAPPED;
            // decoded (and compiled) code of the page goes: the next fetch checks the
            // new protection
            let vpn = a >> PAGE_SHIFT;
            if self.code_pages.remove(&vpn) {
                self.smc_pages.push(vpn);
            }
            a += PAGE_SIZE;
        }
        self.flush_tlb();
        Ok(())
    }

    /// Protection of the page holding `addr` (None if unmapped).
    pub fn prot_at(&self, addr: u64) -> Option<u8> {
        let id = self.region_at(addr)?;
        let r = self.regions[id as usize].as_ref()?;
        let p = r.prot[((addr - r.start) >> PAGE_SHIFT) as usize];
        (p & MAPPED != 0).then_some(p & 7)
    }

    /// Finds a free, page-aligned range of `len` bytes below `below`, searching downwards.
    pub fn find_free(&self, len: u64, below: u64, above: u64) -> Option<u64> {
        let mut top = below & !(PAGE_SIZE - 1);
        for r in self.regions().collect::<Vec<_>>().iter().rev() {
            if r.start >= top {
                continue;
            }
            if r.end() <= top && top - r.end() >= len {
                return Some(top - len);
            }
            top = top.min(r.start);
        }
        (top >= above + len).then(|| top - len)
    }

    #[inline]
    fn lookup(&mut self, addr: u64, need: u8) -> Result<(u32, usize), MemFault> {
        let vpn = addr >> PAGE_SHIFT;
        let slot = (vpn as usize) & (TLB_SIZE - 1);
        let tlb = match need {
            PROT_WRITE => &self.wtlb,
            PROT_EXEC => &self.xtlb,
            _ => &self.rtlb,
        };
        let e = tlb[slot];
        if e.vpn == vpn {
            return Ok((e.region, e.off + (addr & (PAGE_SIZE - 1)) as usize));
        }
        self.fill(addr, need)
    }

    #[cold]
    fn fill(&mut self, addr: u64, need: u8) -> Result<(u32, usize), MemFault> {
        let fault = |kind| MemFault {
            addr,
            kind,
            write: need == PROT_WRITE,
        };
        if addr >= TASK_SIZE {
            return Err(fault(FaultKind::Unmapped));
        }
        let id = self
            .region_at(addr)
            .ok_or_else(|| fault(FaultKind::Unmapped))?;
        let r = self.regions[id as usize].as_ref().unwrap();
        let page_off = ((addr - r.start) & !(PAGE_SIZE - 1)) as usize;
        let p = r.prot[page_off >> PAGE_SHIFT];
        if p & MAPPED == 0 {
            return Err(fault(FaultKind::Unmapped));
        }
        if p & need != need {
            return Err(fault(FaultKind::Protection));
        }
        let vpn = addr >> PAGE_SHIFT;
        if need == PROT_WRITE {
            if self.code_pages.contains(&vpn) {
                // Self-modifying code: let the executor drop decoded bundles of this page.
                self.code_pages.remove(&vpn);
                self.smc_pages.push(vpn);
            }
            if let Some(d) = &mut self.dirty {
                d.insert(vpn);
            }
        }
        let host = self.regions[id as usize]
            .as_mut()
            .map_or(0, |r| r.data.as_mut_ptr() as usize + page_off);
        let e = TlbEntry {
            vpn,
            host,
            region: id,
            off: page_off,
        };
        let slot = (vpn as usize) & (TLB_SIZE - 1);
        match need {
            PROT_WRITE => self.wtlb[slot] = e,
            PROT_EXEC => self.xtlb[slot] = e,
            _ => self.rtlb[slot] = e,
        }
        Ok((id, page_off + (addr & (PAGE_SIZE - 1)) as usize))
    }

    /// Reads `buf.len()` bytes at `addr` (may cross pages).
    pub fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), MemFault> {
        self.access(addr, buf.len(), PROT_READ, |d, i, n| {
            buf[i..i + n].copy_from_slice(d)
        })
    }

    /// Fetches instruction bytes (needs PROT_EXEC).
    pub fn fetch(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), MemFault> {
        self.access(addr, buf.len(), PROT_EXEC, |d, i, n| {
            buf[i..i + n].copy_from_slice(d)
        })
    }

    fn access(
        &mut self,
        addr: u64,
        len: usize,
        need: u8,
        mut f: impl FnMut(&[u8], usize, usize),
    ) -> Result<(), MemFault> {
        let mut done = 0usize;
        while done < len {
            let a = addr.wrapping_add(done as u64);
            let in_page = (PAGE_SIZE - (a & (PAGE_SIZE - 1))) as usize;
            let n = in_page.min(len - done);
            let (id, off) = self.lookup(a, need)?;
            let r = self.regions[id as usize].as_ref().unwrap();
            f(&r.data[off..off + n], done, n);
            done += n;
        }
        Ok(())
    }

    /// Writes `data` at `addr` (may cross pages). Checks every page before writing
    /// anything, so a faulting write leaves memory unchanged.
    pub fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        let len = data.len() as u64;
        if len == 0 {
            return Ok(());
        }
        let first = addr & !(PAGE_SIZE - 1);
        let last = addr.wrapping_add(len - 1) & !(PAGE_SIZE - 1);
        if last != first {
            let mut p = first;
            loop {
                self.lookup(p.max(addr), PROT_WRITE)?;
                if p == last {
                    break;
                }
                p = p.wrapping_add(PAGE_SIZE);
            }
        }
        let mut done = 0usize;
        while done < data.len() {
            let a = addr.wrapping_add(done as u64);
            let in_page = (PAGE_SIZE - (a & (PAGE_SIZE - 1))) as usize;
            let n = in_page.min(data.len() - done);
            let (id, off) = self.lookup(a, PROT_WRITE)?;
            let r = self.regions[id as usize].as_mut().unwrap();
            r.data[off..off + n].copy_from_slice(&data[done..done + n]);
            done += n;
        }
        Ok(())
    }

    /// Checks that [addr, addr+len) is writable without writing.
    pub fn check_write(&mut self, addr: u64, len: u64) -> Result<(), MemFault> {
        if (addr & (PAGE_SIZE - 1)) + len <= PAGE_SIZE {
            return self.lookup(addr, PROT_WRITE).map(|_| ());
        }
        if len == 0 {
            return Ok(());
        }
        let mut p = addr;
        let end = addr.wrapping_add(len - 1);
        loop {
            self.lookup(p, PROT_WRITE)?;
            let next = (p & !(PAGE_SIZE - 1)).wrapping_add(PAGE_SIZE);
            if next > end || next == 0 {
                break;
            }
            p = next;
        }
        Ok(())
    }

    /// Reads a little-endian value of `N` bytes.
    #[inline]
    pub fn read_le<const N: usize>(&mut self, addr: u64) -> Result<[u8; N], MemFault> {
        let mut b = [0u8; N];
        if (addr & (PAGE_SIZE - 1)) as usize + N <= PAGE_SIZE as usize {
            let (id, off) = self.lookup(addr, PROT_READ)?;
            // The region exists and off+N lies within the page checked by lookup.
            let r = self.regions[id as usize].as_ref().unwrap();
            b.copy_from_slice(&r.data[off..off + N]);
            Ok(b)
        } else {
            self.read(addr, &mut b)?;
            Ok(b)
        }
    }

    /// Writes a little-endian value of `N` bytes.
    #[inline]
    pub fn write_le<const N: usize>(&mut self, addr: u64, v: [u8; N]) -> Result<(), MemFault> {
        if (addr & (PAGE_SIZE - 1)) as usize + N <= PAGE_SIZE as usize {
            // lookup for writing records dirty and self-modified pages (TLB misses do)
            let (id, off) = self.lookup(addr, PROT_WRITE)?;
            // The region exists and off+N lies within the page checked by lookup.
            let r = self.regions[id as usize].as_mut().unwrap();
            r.data[off..off + N].copy_from_slice(&v);
            Ok(())
        } else {
            self.write(addr, &v)
        }
    }

    /// Reads a little-endian unsigned value of 1, 2, 4 or 8 bytes (None for other sizes).
    #[inline]
    pub fn read_uint(&mut self, addr: u64, len: u64) -> Option<Result<u64, MemFault>> {
        Some(match len {
            8 => self.read_le::<8>(addr).map(u64::from_le_bytes),
            4 => self
                .read_le::<4>(addr)
                .map(|b| u32::from_le_bytes(b) as u64),
            2 => self
                .read_le::<2>(addr)
                .map(|b| u16::from_le_bytes(b) as u64),
            1 => self.read_le::<1>(addr).map(|b| b[0] as u64),
            _ => return None,
        })
    }

    /// Writes the low 1, 2, 4 or 8 bytes of `v` little-endian (None for other sizes).
    #[inline]
    pub fn write_uint(&mut self, addr: u64, len: u64, v: u64) -> Option<Result<(), MemFault>> {
        Some(match len {
            8 => self.write_le(addr, v.to_le_bytes()),
            4 => self.write_le(addr, (v as u32).to_le_bytes()),
            2 => self.write_le(addr, (v as u16).to_le_bytes()),
            1 => self.write_le(addr, [v as u8]),
            _ => return None,
        })
    }

    pub fn read_u64(&mut self, addr: u64) -> Result<u64, MemFault> {
        self.read_le::<8>(addr).map(u64::from_le_bytes)
    }

    pub fn read_u32(&mut self, addr: u64) -> Result<u32, MemFault> {
        self.read_le::<4>(addr).map(u32::from_le_bytes)
    }

    pub fn write_u64(&mut self, addr: u64, v: u64) -> Result<(), MemFault> {
        self.write(addr, &v.to_le_bytes())
    }

    pub fn write_u32(&mut self, addr: u64, v: u32) -> Result<(), MemFault> {
        self.write(addr, &v.to_le_bytes())
    }

    /// Reads a NUL-terminated string of at most `max` bytes.
    pub fn read_cstr(&mut self, addr: u64, max: usize) -> Result<Vec<u8>, MemFault> {
        let mut out = Vec::new();
        let mut a = addr;
        while out.len() < max {
            let b = self.read_le::<1>(a)?[0];
            if b == 0 {
                return Ok(out);
            }
            out.push(b);
            a = a.wrapping_add(1);
        }
        Ok(out)
    }

    /// Records that the page holding `addr` contains decoded code.
    pub fn mark_code(&mut self, addr: u64) {
        let vpn = addr >> PAGE_SHIFT;
        if self.code_pages.insert(vpn) {
            // drop a cached writable translation so the next write is seen
            let slot = (vpn as usize) & (TLB_SIZE - 1);
            if self.wtlb[slot].vpn == vpn {
                self.wtlb[slot] = TLB_EMPTY;
            }
        }
    }

    /// Starts (or restarts) dirty-page logging; returns the pages dirtied since the
    /// previous call (empty on the first).
    pub fn take_dirty(&mut self) -> Vec<u64> {
        let old = self.dirty.replace(HashSet::new());
        self.wtlb.fill(TLB_EMPTY);
        let mut v: Vec<u64> = old.map(|s| s.into_iter().collect()).unwrap_or_default();
        v.sort_unstable();
        v
    }

    /// Stops dirty logging.
    pub fn stop_dirty_log(&mut self) {
        self.dirty = None;
    }

    /// Raw page contents for migration/inspection (no permission checks).
    pub fn page_bytes(&self, vpn: u64) -> Option<(&[u8], u8)> {
        let addr = vpn << PAGE_SHIFT;
        let id = self.region_at(addr)?;
        let r = self.regions[id as usize].as_ref()?;
        let off = (addr - r.start) as usize;
        let p = r.prot[off >> PAGE_SHIFT];
        (p & MAPPED != 0).then(|| (&r.data[off..off + PAGE_SIZE as usize], p & 7))
    }

    /// Writes raw bytes without permission checks (loader, migration restore).
    pub fn poke(&mut self, addr: u64, data: &[u8]) -> Result<(), MemFault> {
        let mut done = 0usize;
        while done < data.len() {
            let a = addr + done as u64;
            let id = self.region_at(a).ok_or(MemFault {
                addr: a,
                kind: FaultKind::Unmapped,
                write: true,
            })?;
            let r = self.regions[id as usize].as_mut().unwrap();
            let off = (a - r.start) as usize;
            let n = (r.data.len() - off).min(data.len() - done);
            r.data[off..off + n].copy_from_slice(&data[done..done + n]);
            if n > 0 {
                // pages changed behind the guest's back still count as written:
                // dirty for migration, and dropped from the decoded-bundle cache
                let (first, last) = (a >> PAGE_SHIFT, (a + n as u64 - 1) >> PAGE_SHIFT);
                for vpn in first..=last {
                    if let Some(d) = &mut self.dirty {
                        d.insert(vpn);
                    }
                    if self.code_pages.remove(&vpn) {
                        self.smc_pages.push(vpn);
                    }
                }
            }
            done += n;
        }
        self.flush_tlb();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_read_write_unmap() {
        let mut m = GuestMem::new();
        m.map(0x10000, 3 * PAGE_SIZE, PROT_READ | PROT_WRITE, "t");
        m.write_u64(0x10ffc, 0x1122334455667788).unwrap();
        assert_eq!(m.read_u64(0x10ffc).unwrap(), 0x1122334455667788);
        m.unmap(0x11000, PAGE_SIZE);
        let e = m.read_u64(0x10ffc).unwrap_err();
        assert_eq!(e.kind, FaultKind::Unmapped);
        assert_eq!(e.addr, 0x11000);
        assert_eq!(m.read_u32(0x10ffc).unwrap(), 0x55667788);
        assert_eq!(m.read_u32(0x12000).unwrap(), 0);
        m.protect(0x12000, PAGE_SIZE, PROT_READ).unwrap();
        let e = m.write_u32(0x12000, 1).unwrap_err();
        assert_eq!(e.kind, FaultKind::Protection);
        // a faulting multi-page write changes nothing
        assert!(m.write(0x10ff0, &[0xaa; 32]).is_err());
        assert_eq!(m.read_u32(0x10ff0).unwrap(), 0);
        assert!(m.read_u64(TASK_SIZE + 8).is_err());
        assert!(m.read_u64(u64::MAX - 3).is_err());
    }

    #[test]
    fn poke_marks_pages_dirty() {
        let mut m = GuestMem::new();
        m.map(0x10000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, "t");
        let _ = m.take_dirty(); // logging on, nothing dirty yet
        m.poke(0x10ff8, &[1; 16]).unwrap();
        assert_eq!(m.take_dirty(), vec![0x10, 0x11]);
    }

    #[test]
    fn find_free_goes_down() {
        let mut m = GuestMem::new();
        m.map(0x7000_0000, PAGE_SIZE, PROT_READ, "a");
        let a = m.find_free(2 * PAGE_SIZE, 0x7000_1000, 0x1000).unwrap();
        assert_eq!(a, 0x7000_0000 - 2 * PAGE_SIZE);
    }
}
