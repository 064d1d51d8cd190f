//! Process state other than the CPU and descriptors: the memory layout (every
//! mapping with its per-page protections), page batches (zero pages elided),
//! signal state (with every pending signal's queued siginfo) and the process
//! bookkeeping (brk, names, sigsuspend mask, `-seed` generator, a system call
//! that is waiting). Each piece has an encoder for the source and a validating
//! decoder.

use super::wire::{DResult, Dec, Enc};
use crate::linux::blocking::{Blocked, Wait};
use crate::linux::signal::{AltStack, SigAction, SigInfo, SignalState, MAX_QUEUED, NSIG};
use crate::linux::Process;
use crate::mem::{GuestMem, PAGE_SHIFT, PAGE_SIZE, TASK_SIZE};

/// One mapping as described in a LAYOUT section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionDesc {
    pub start: u64,
    pub npages: u64,
    pub name: String,
    /// protection of each page (PROT_* bits)
    pub prot: Vec<u8>,
}

impl RegionDesc {
    pub fn end(&self) -> u64 {
        self.start + self.npages * PAGE_SIZE
    }
}

/// The current layout of guest memory.
pub fn layout_of(mem: &GuestMem) -> Vec<RegionDesc> {
    mem.regions()
        .map(|r| {
            let npages = r.len() / PAGE_SIZE;
            let prot = (0..npages)
                .map(|i| {
                    mem.page_bytes((r.start >> PAGE_SHIFT) + i)
                        .map_or(0, |(_, p)| p)
                })
                .collect();
            RegionDesc {
                start: r.start,
                npages,
                name: r.name.clone(),
                prot,
            }
        })
        .filter(|r| r.npages > 0)
        .collect()
}

/// Mapped bytes in total.
pub fn mapped_bytes(mem: &GuestMem) -> u64 {
    mem.regions().map(|r| r.len()).sum()
}

pub fn encode_layout(v: &[RegionDesc]) -> Vec<u8> {
    let mut e = Enc::new();
    e.u32(v.len() as u32);
    for r in v {
        e.u64(r.start).u64(r.npages).str(&r.name);
        // protections run-length encoded
        let mut runs: Vec<(u64, u8)> = Vec::new();
        for &p in &r.prot {
            match runs.last_mut() {
                Some((n, q)) if *q == p => *n += 1,
                _ => runs.push((1, p)),
            }
        }
        e.u32(runs.len() as u32);
        for (n, p) in runs {
            e.u64(n).u8(p);
        }
    }
    e.buf
}

/// Decodes a layout; regions must be page aligned, inside user space, sorted,
/// non-overlapping and at most `max_bytes` in total.
pub fn decode_layout(p: &[u8], max_bytes: u64) -> DResult<Vec<RegionDesc>> {
    let mut d = Dec::new(p, "layout");
    let n = d.count(24)?;
    let mut v: Vec<RegionDesc> = Vec::with_capacity(n);
    let mut total = 0u64;
    for _ in 0..n {
        let start = d.u64()?;
        let npages = d.u64()?;
        let name = d.string()?;
        let bad = |what: &str| Err(format!("layout section: {what} (corrupted stream)"));
        if start % PAGE_SIZE != 0 || npages == 0 {
            return bad("unaligned or empty mapping");
        }
        let len = match npages.checked_mul(PAGE_SIZE) {
            Some(l) if start.checked_add(l).is_some_and(|e| e <= TASK_SIZE) => l,
            _ => return bad("mapping outside user space"),
        };
        if v.last().is_some_and(|last| last.end() > start) {
            return bad("overlapping or unsorted mappings");
        }
        total = total.saturating_add(len);
        if total > max_bytes {
            return Err(format!(
                "layout section: {total} bytes of guest memory exceed the limit of {max_bytes}"
            ));
        }
        let nruns = d.count(9)?;
        let mut prot = Vec::with_capacity(npages as usize);
        for _ in 0..nruns {
            let cnt = d.u64()?;
            let p = d.u8()?;
            if p > 7 || cnt > npages - prot.len() as u64 {
                return bad("bad protection run");
            }
            prot.resize(prot.len() + cnt as usize, p);
        }
        if prot.len() as u64 != npages {
            return bad("protections do not cover the mapping");
        }
        v.push(RegionDesc {
            start,
            npages,
            name,
            prot,
        });
    }
    d.finish()?;
    Ok(v)
}

/// Bit set in a page record's vpn when the page is all zero (no data follows).
pub const ZERO_PAGE: u64 = 1 << 63;

/// Encodes a batch of pages: (vpn, contents); zero pages are elided.
pub fn encode_pages<'a>(pages: impl Iterator<Item = (u64, &'a [u8])>, out: &mut Enc) -> (u64, u64) {
    let at = out.buf.len();
    out.u32(0);
    let (mut n, mut zero) = (0u32, 0u64);
    for (vpn, data) in pages {
        if is_zero(data) {
            out.u64(vpn | ZERO_PAGE);
            zero += 1;
        } else {
            out.u64(vpn).raw(data);
        }
        n += 1;
    }
    out.buf[at..at + 4].copy_from_slice(&n.to_le_bytes());
    (n as u64 - zero, zero)
}

/// True when every byte is zero (64-byte blocks OR-folded, which vectorizes).
pub fn is_zero(d: &[u8]) -> bool {
    d.chunks(64).all(|c| c.iter().fold(0u8, |a, &b| a | b) == 0)
}

/// One received page: its number and contents (None: all zero).
pub type PageRecord<'a> = (u64, Option<&'a [u8]>);

/// Decodes a page batch: (vpn, Some(data)) or (vpn, None) for a zero page.
pub fn decode_pages(p: &[u8]) -> DResult<Vec<PageRecord<'_>>> {
    let mut d = Dec::new(p, "ram pages");
    let n = d.count(8)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let raw = d.u64()?;
        let vpn = raw & !ZERO_PAGE;
        if vpn >= TASK_SIZE >> PAGE_SHIFT {
            return Err(format!(
                "ram pages section: page number {vpn:#x} outside user space (corrupted stream)"
            ));
        }
        if raw & ZERO_PAGE != 0 {
            v.push((vpn, None));
        } else {
            v.push((vpn, Some(d.take(PAGE_SIZE as usize)?)));
        }
    }
    d.finish()?;
    Ok(v)
}

/// Makes `mem`'s layout equal to `layout`, keeping the contents of pages that
/// stay mapped (protections are set afterwards, so pages stay writable here).
pub fn apply_layout(mem: &mut GuestMem, layout: &[RegionDesc]) {
    use crate::mem::{PROT_READ, PROT_WRITE};
    let covered = |vpn: u64| {
        let a = vpn << PAGE_SHIFT;
        let i = layout.partition_point(|r| r.end() <= a);
        layout.get(i).is_some_and(|r| r.start <= a)
    };
    let same: Vec<(u64, u64, String)> = layout
        .iter()
        .map(|r| (r.start, r.npages * PAGE_SIZE, r.name.clone()))
        .collect();
    let old: Vec<(u64, u64, String)> = mem
        .regions()
        .map(|r| (r.start, r.len(), r.name.clone()))
        .collect();
    // regions that change: save the pages that stay, then unmap
    let mut saved: Vec<(u64, Vec<u8>)> = Vec::new();
    for o in &old {
        if same.contains(o) {
            continue;
        }
        for i in 0..o.1 / PAGE_SIZE {
            let vpn = (o.0 >> PAGE_SHIFT) + i;
            if covered(vpn) {
                if let Some((b, _)) = mem.page_bytes(vpn) {
                    if !is_zero(b) {
                        saved.push((vpn, b.to_vec()));
                    }
                }
            }
        }
        mem.unmap(o.0, o.1);
    }
    for r in layout {
        let key = (r.start, r.npages * PAGE_SIZE, r.name.clone());
        if !old.contains(&key) {
            mem.map(
                r.start,
                r.npages * PAGE_SIZE,
                PROT_READ | PROT_WRITE,
                &r.name,
            );
        }
    }
    for (vpn, b) in saved {
        let _ = mem.poke(vpn << PAGE_SHIFT, &b);
    }
}

/// Sets every page's protection from the layout (the last step of loading).
pub fn apply_protections(mem: &mut GuestMem, layout: &[RegionDesc]) {
    for r in layout {
        let mut i = 0usize;
        while i < r.prot.len() {
            let p = r.prot[i];
            let mut j = i;
            while j < r.prot.len() && r.prot[j] == p {
                j += 1;
            }
            let _ = mem.protect(
                r.start + i as u64 * PAGE_SIZE,
                (j - i) as u64 * PAGE_SIZE,
                p,
            );
            i = j;
        }
    }
}

/// Writes one received page (unknown pages are dropped: they were unmapped or
/// will be sent again).
pub fn store_page(mem: &mut GuestMem, vpn: u64, data: Option<&[u8]>) {
    match data {
        Some(d) => {
            let _ = mem.poke(vpn << PAGE_SHIFT, d);
        }
        None => {
            let nonzero = mem.page_bytes(vpn).is_some_and(|(b, _)| !is_zero(b));
            if nonzero {
                let _ = mem.poke(vpn << PAGE_SHIFT, &[0u8; PAGE_SIZE as usize]);
            }
        }
    }
}

// ---------------------------------------------------------------- signals

pub fn encode_signals(s: &SignalState) -> Vec<u8> {
    let mut e = Enc::new();
    for a in &s.actions {
        e.u64(a.handler).u64(a.flags).u64(a.restorer).u64(a.mask);
    }
    e.u64(s.blocked).u64(s.pending());
    e.u64(s.altstack.sp)
        .u64(s.altstack.size)
        .u32(s.altstack.flags as u32);
    e.u32(s.records.len() as u32);
    for r in &s.records {
        e.u64(r.frame)
            .u64(r.depth as u64)
            .u64(r.wbase as u64)
            .bool(r.siginfo)
            .u64(r.usd_base)
            .u64(r.usd_size);
        for g in &r.g {
            e.u128(*g);
        }
        e.raw(&r.gtag);
        e.u64(r.lcnt)
            .u32(r.lsr_hi)
            .u64(r.ilcr)
            .u64(r.ilcr1)
            .u32(r.upsr)
            .u32(r.bgr);
        super::cpu_state::encode_aau(&mut e, &r.aau);
    }
    // the pending signals' siginfo, oldest first
    e.u32(s.queued().len() as u32);
    for i in s.queued() {
        e.u32(i.signo as u32)
            .u32(i.code as u32)
            .u32(i.errno as u32)
            .u64(i.addr)
            .u32(i.trapno as u32)
            .u32(i.pid as u32)
            .u32(i.uid)
            .u64(i.value)
            .bool(i.sync)
            .u64(i.ip);
    }
    e.buf
}

pub fn decode_signals(p: &[u8]) -> DResult<SignalState> {
    use crate::linux::signal::SigRecord;
    let mut d = Dec::new(p, "signals");
    let mut s = SignalState::default();
    for i in 0..NSIG {
        s.actions[i] = SigAction {
            handler: d.u64()?,
            flags: d.u64()?,
            restorer: d.u64()?,
            mask: d.u64()?,
        };
    }
    s.blocked = d.u64()?;
    let pending = d.u64()?;
    s.altstack = AltStack {
        sp: d.u64()?,
        size: d.u64()?,
        flags: d.u32()? as i32,
    };
    let n = d.count(64)?;
    if n > 4096 {
        return Err("signals section: too many nested handlers (corrupted stream)".into());
    }
    for _ in 0..n {
        let frame = d.u64()?;
        let depth = d.u64()? as usize;
        let wbase = d.u64()? as usize;
        let siginfo = d.bool()?;
        let usd_base = d.u64()?;
        let usd_size = d.u64()?;
        let mut g = [0u128; 32];
        for v in g.iter_mut() {
            *v = d.u128()?;
        }
        let mut gtag = [0u8; 32];
        gtag.copy_from_slice(d.take(32)?);
        let lcnt = d.u64()?;
        let lsr_hi = d.u32()?;
        let ilcr = d.u64()?;
        let ilcr1 = d.u64()?;
        let upsr = d.u32()?;
        let bgr = d.u32()?;
        let aau = Box::new(super::cpu_state::decode_aau(&mut d)?);
        s.records.push(SigRecord {
            frame,
            depth,
            wbase,
            siginfo,
            usd_base,
            usd_size,
            g,
            gtag,
            lcnt,
            lsr_hi,
            ilcr,
            ilcr1,
            upsr,
            bgr,
            aau,
        });
    }
    let n = d.count(45)?;
    if n > MAX_QUEUED {
        return Err("signals section: too many queued signals (corrupted stream)".into());
    }
    let mut queue = Vec::with_capacity(n);
    for _ in 0..n {
        queue.push(SigInfo {
            signo: d.u32()? as i32,
            code: d.u32()? as i32,
            errno: d.u32()? as i32,
            addr: d.u64()?,
            trapno: d.u32()? as i32,
            pid: d.u32()? as i32,
            uid: d.u32()?,
            value: d.u64()?,
            sync: d.bool()?,
            ip: d.u64()?,
        });
    }
    d.finish()?;
    s.restore_pending(pending, queue)
        .map_err(|e| format!("signals section: {e} (corrupted stream)"))?;
    Ok(s)
}

// ---------------------------------------------------------------- process

/// Process bookkeeping that moves with the guest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcInfo {
    pub brk_start: u64,
    pub brk: u64,
    pub exe_path: Vec<u8>,
    pub comm: Vec<u8>,
    pub clear_child_tid: u64,
    pub stack_size: u64,
    pub ld_prefix: Option<Vec<u8>>,
    pub suspend_restore: Option<u64>,
    /// the guest was running when the migration started (the destination
    /// continues it; otherwise it stays paused)
    pub running: bool,
    /// state of the `-seed` generator
    pub rng: Option<u64>,
    /// a system call the guest is waiting in (the destination continues it)
    pub blocked: Option<Blocked>,
}

impl ProcInfo {
    /// The bookkeeping of `p` (`running`: see the field).
    pub fn of(p: &Process, running: bool) -> ProcInfo {
        use std::os::unix::ffi::OsStrExt;
        ProcInfo {
            brk_start: p.mm.brk_start,
            brk: p.mm.brk,
            exe_path: p.exe_path.clone(),
            comm: p.comm.clone(),
            clear_child_tid: p.clear_child_tid,
            stack_size: p.stack_size,
            ld_prefix: p
                .ld_prefix
                .as_ref()
                .map(|l| l.as_os_str().as_bytes().to_vec()),
            suspend_restore: p.suspend_restore,
            running,
            rng: p.rng_state(),
            blocked: p.blocked.clone(),
        }
    }
}

fn encode_blocked(e: &mut Enc, b: &Option<Blocked>) {
    let Some(b) = b else {
        e.u8(0);
        return;
    };
    e.u8(1).u32(b.entry).u8(b.wbs).u8(b.wait.kind());
    match &b.wait {
        Wait::Fd { fd, events } => {
            e.u32(*fd as u32).u16(*events as u16);
        }
        Wait::Sleep { left_ns } => {
            e.u64(*left_ns);
        }
        Wait::Poll { left_ns } => {
            e.opt_u64(*left_ns);
        }
        Wait::Deadline | Wait::Signal | Wait::Child => {}
    }
}

fn decode_blocked(d: &mut Dec) -> DResult<Option<Blocked>> {
    if !d.bool()? {
        return Ok(None);
    }
    let entry = d.u32()?;
    let wbs = d.u8()?;
    if !matches!(entry, 3 | 4) {
        return Err(format!(
            "process section: a waiting system call through trap entry {entry} (corrupted stream)"
        ));
    }
    let wait = match d.u8()? {
        0 => Wait::Fd {
            fd: d.u32()? as i32,
            events: d.u16()? as i16,
        },
        1 => Wait::Sleep { left_ns: d.u64()? },
        2 => Wait::Deadline,
        3 => Wait::Signal,
        4 => Wait::Poll {
            left_ns: d.opt_u64()?,
        },
        5 => Wait::Child,
        k => {
            return Err(format!(
                "process section: unknown kind {k} of a waiting system call (corrupted stream)"
            ))
        }
    };
    Ok(Some(Blocked { entry, wbs, wait }))
}

pub fn encode_proc(p: &ProcInfo) -> Vec<u8> {
    let mut e = Enc::new();
    e.u64(p.brk_start)
        .u64(p.brk)
        .bytes(&p.exe_path)
        .bytes(&p.comm)
        .u64(p.clear_child_tid)
        .u64(p.stack_size);
    match &p.ld_prefix {
        Some(l) => {
            e.u8(1).bytes(l);
        }
        None => {
            e.u8(0);
        }
    }
    e.opt_u64(p.suspend_restore).bool(p.running).opt_u64(p.rng);
    encode_blocked(&mut e, &p.blocked);
    e.buf
}

pub fn decode_proc(p: &[u8]) -> DResult<ProcInfo> {
    let mut d = Dec::new(p, "process");
    let mut i = ProcInfo {
        brk_start: d.u64()?,
        brk: d.u64()?,
        exe_path: d.bytes()?.to_vec(),
        comm: d.bytes()?.to_vec(),
        clear_child_tid: d.u64()?,
        stack_size: d.u64()?,
        ..ProcInfo::default()
    };
    i.ld_prefix = if d.bool()? {
        Some(d.bytes()?.to_vec())
    } else {
        None
    };
    i.suspend_restore = d.opt_u64()?;
    i.running = d.bool()?;
    i.rng = d.opt_u64()?;
    i.blocked = decode_blocked(&mut d)?;
    d.finish()?;
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::{PROT_EXEC, PROT_READ, PROT_WRITE};

    #[test]
    fn layout_roundtrip_and_apply() {
        let mut src = GuestMem::new();
        src.map(0x10000, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, "[heap]");
        src.protect(0x11000, PAGE_SIZE, PROT_READ | PROT_EXEC)
            .unwrap();
        src.map(0x40000, PAGE_SIZE, PROT_READ, "[anon]");
        let l = layout_of(&src);
        let enc = encode_layout(&l);
        let back = decode_layout(&enc, 1 << 30).unwrap();
        assert_eq!(back, l);
        assert!(decode_layout(&enc, PAGE_SIZE).is_err());

        let mut dst = GuestMem::new();
        dst.map(0x10000, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, "[heap]");
        dst.poke(0x10008, &[7]).unwrap();
        dst.poke(0x16000, &[9]).unwrap();
        apply_layout(&mut dst, &back);
        apply_protections(&mut dst, &back);
        assert_eq!(layout_of(&dst), l);
        // the page that stayed mapped kept its contents
        assert_eq!(dst.page_bytes(0x10).unwrap().0[8], 7);
    }

    #[test]
    fn pages_zero_elided() {
        let z = [0u8; 4096];
        let mut nz = [0u8; 4096];
        nz[100] = 1;
        let mut e = Enc::new();
        let (normal, zero) = encode_pages([(5u64, &z[..]), (6, &nz[..])].into_iter(), &mut e);
        assert_eq!((normal, zero), (1, 1));
        assert_eq!(e.buf.len(), 4 + 8 + 8 + 4096);
        let v = decode_pages(&e.buf).unwrap();
        assert_eq!(v[0], (5, None));
        assert_eq!(v[1].1.unwrap()[100], 1);
    }

    #[test]
    fn signals_roundtrip() {
        use crate::linux::signal::{SI_QUEUE, SI_TKILL, SI_USER};
        let mut s = SignalState::default();
        s.actions[9].handler = 0x1234;
        s.blocked = 0x55;
        let usr1 = SigInfo {
            signo: 10,
            code: SI_USER,
            pid: 77,
            uid: 1000,
            ..SigInfo::default()
        };
        assert!(s.raise(usr1));
        // a standard signal that is pending keeps its first info
        assert!(s.raise(SigInfo {
            signo: 10,
            code: SI_TKILL,
            ..SigInfo::default()
        }));
        // real-time signals queue, each with its own info
        for v in [0x1122_3344_5566u64, 7] {
            assert!(s.raise(SigInfo {
                signo: 40,
                code: SI_QUEUE,
                errno: 5,
                pid: 4242,
                uid: 77,
                value: v,
                ..SigInfo::default()
            }));
        }
        let d = decode_signals(&encode_signals(&s)).unwrap();
        assert_eq!(d.actions, s.actions);
        assert_eq!(d.blocked, s.blocked);
        assert_eq!(d.pending(), s.pending());
        assert_eq!(d.queued(), s.queued());
        let mut d = d;
        assert_eq!(d.take(10), Some(usr1));
        assert_eq!(d.take(10), None);
        assert_eq!(d.take(40).unwrap().value, 0x1122_3344_5566);
        assert_eq!(d.pending(), crate::linux::signal::bit(40));
        assert_eq!(d.take(40).unwrap().value, 7);
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn inconsistent_signal_queues_are_refused() {
        let mut s = SignalState::default();
        s.raise(SigInfo {
            signo: 12,
            ..SigInfo::default()
        });
        let good = encode_signals(&s);
        // the pending mask (after 64 actions, the blocked mask) no longer has SIGUSR2
        let at = NSIG * 32 + 8;
        let mut bad = good.clone();
        bad[at..at + 8].copy_from_slice(&0u64.to_le_bytes());
        let e = decode_signals(&bad).unwrap_err();
        assert!(e.contains("queued signal 12 is not pending"), "{e}");
        // a standard signal queued twice
        let mut twice = SignalState::default();
        twice
            .restore_pending(crate::linux::signal::bit(12), vec![])
            .unwrap();
        assert!(twice
            .restore_pending(
                crate::linux::signal::bit(12),
                vec![
                    SigInfo {
                        signo: 12,
                        ..SigInfo::default()
                    };
                    2
                ]
            )
            .is_err());
    }

    #[test]
    fn proc_info_with_a_waiting_call() {
        for wait in [
            Wait::Fd { fd: 0, events: 1 },
            Wait::Sleep { left_ns: 123 },
            Wait::Deadline,
            Wait::Signal,
            Wait::Poll { left_ns: None },
            Wait::Poll { left_ns: Some(9) },
            Wait::Child,
        ] {
            let i = ProcInfo {
                exe_path: b"/x".to_vec(),
                rng: Some(5),
                blocked: Some(Blocked {
                    entry: 3,
                    wbs: 4,
                    wait,
                }),
                ..ProcInfo::default()
            };
            assert_eq!(decode_proc(&encode_proc(&i)).unwrap(), i);
        }
        let mut bad = encode_proc(&ProcInfo {
            blocked: Some(Blocked {
                entry: 3,
                wbs: 4,
                wait: Wait::Child,
            }),
            ..ProcInfo::default()
        });
        let n = bad.len();
        bad[n - 1] = 9;
        assert!(decode_proc(&bad).unwrap_err().contains("unknown kind 9"));
    }
}
