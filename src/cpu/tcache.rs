//! The interpreter loop and its decoded-bundle cache: bundles are fetched, decoded and
//! pre-decoded once per address, looked up through a direct-mapped array on the hot
//! path, and dropped when their page is written (self-modifying code) or unmapped.

use super::exec::{Scratch, Step};
use super::fault::Fault;
use super::predecode::{predecode, XBundle};
use super::state::Cpu;
use crate::mem::{GuestMem, PAGE_SHIFT};
use std::collections::HashMap;
use std::rc::Rc;

const DIRECT: usize = 1 << 14;

/// One entry of the direct-mapped cache: the address and fast executor are kept beside
/// the bundle so the hot loop finds what to run with a single load.
#[derive(Clone, Default)]
struct Slot {
    addr: u64,
    /// the bundle's fast executor (Some only when `b` has a fast form)
    run: Option<super::fast::FastRun>,
    b: Option<Rc<XBundle>>,
    /// times control arrived here as a trace head (JIT tier)
    #[cfg(feature = "jit")]
    heat: u32,
    /// compiled trace starting here (JIT tier; 0 none)
    #[cfg(feature = "jit")]
    trace: u32,
}

impl Slot {
    fn of(b: &Rc<XBundle>) -> Slot {
        Slot {
            addr: b.addr,
            run: b.fast.as_ref().map(|f| f.run),
            b: Some(b.clone()),
            #[cfg(feature = "jit")]
            heat: 0,
            #[cfg(feature = "jit")]
            trace: 0,
        }
    }
}

/// Decoded bundles by address.
pub struct Interp {
    map: HashMap<u64, Rc<XBundle>>,
    by_page: HashMap<u64, Vec<u64>>,
    direct: Vec<Slot>,
    scratch: Scratch,
    /// log each decoded bundle (`-d in_asm`)
    pub log_in_asm: bool,
    /// log each executed bundle (`-d exec`)
    pub log_exec: bool,
    /// run bundles with a fast form through it (off: every bundle takes the general
    /// executor, the reference the fast paths are tested against)
    pub fast: bool,
    /// the JIT tier, when enabled
    #[cfg(feature = "jit")]
    pub jit: Option<Box<crate::jit::JitState>>,
}

impl Default for Interp {
    fn default() -> Self {
        Self::new()
    }
}

impl Interp {
    pub fn new() -> Interp {
        Interp {
            map: HashMap::new(),
            by_page: HashMap::new(),
            direct: vec![Slot::default(); DIRECT],
            scratch: Scratch::default(),
            log_in_asm: false,
            log_exec: false,
            fast: true,
            #[cfg(feature = "jit")]
            jit: None,
        }
    }

    /// Drops every decoded bundle (e.g. after a state restore).
    pub fn flush(&mut self) {
        self.map.clear();
        self.by_page.clear();
        self.direct.iter_mut().for_each(|d| *d = Slot::default());
        #[cfg(feature = "jit")]
        if let Some(j) = self.jit.as_deref_mut() {
            j.flush();
        }
    }

    fn invalidate_page(&mut self, vpn: u64, cpu: &mut Cpu) {
        #[cfg(feature = "jit")]
        if let Some(j) = self.jit.as_deref_mut() {
            // slots still naming a dropped trace notice it when they try to enter
            j.drop_page(vpn);
        }
        if let Some(addrs) = self.by_page.remove(&vpn) {
            for a in addrs {
                if self.map.remove(&a).is_some() {
                    cpu.stats.invalidations += 1;
                }
                let slot = ((a >> 3) as usize) & (DIRECT - 1);
                if self.direct[slot].b.as_ref().is_some_and(|b| b.addr == a) {
                    self.direct[slot] = Slot::default();
                }
            }
        }
    }

    fn lookup(&mut self, cpu: &mut Cpu, mem: &mut GuestMem) -> Result<Rc<XBundle>, Fault> {
        let ip = cpu.ip;
        let slot = ((ip >> 3) as usize) & (DIRECT - 1);
        if let Some(b) = &self.direct[slot].b {
            if b.addr == ip {
                return Ok(b.clone());
            }
        }
        if let Some(b) = self.map.get(&ip) {
            self.direct[slot] = Slot::of(b);
            return Ok(b.clone());
        }
        let b = Rc::new(self.translate(cpu, mem)?);
        self.map.insert(ip, b.clone());
        let first = ip >> PAGE_SHIFT;
        let last = (ip + b.len as u64 - 1) >> PAGE_SHIFT;
        for p in first..=last {
            self.by_page.entry(p).or_default().push(ip);
            mem.mark_code(p << PAGE_SHIFT);
        }
        self.direct[slot] = Slot::of(&b);
        Ok(b)
    }

    fn translate(&mut self, cpu: &mut Cpu, mem: &mut GuestMem) -> Result<XBundle, Fault> {
        let ip = cpu.ip;
        if ip & 7 != 0 {
            return Err(Fault::IllegalOpcode(format!(
                "control transfer to a misaligned address {ip:#x}"
            )));
        }
        let mut head = [0u8; 8];
        mem.fetch(ip, &mut head).map_err(Fault::Fetch)?;
        let len = e2k_isa::bundle::bundle_len(&head).unwrap_or(8);
        let mut bytes = [0u8; 64];
        mem.fetch(ip, &mut bytes[..len]).map_err(Fault::Fetch)?;
        cpu.stats.decoded += 1;
        let x = match e2k_isa::decode_bundle(&bytes[..len], ip, cpu.iset) {
            Ok(b) => predecode(&b, cpu.iset),
            Err(e) => {
                log::debug!(target: "e2kemu::unimp", "{e}");
                XBundle::illegal(ip, len as u8, e.to_string())
            }
        };
        if self.log_in_asm {
            log::info!(target: "e2kemu::in_asm", "{ip:#x}: {} bytes{}", len,
                x.illegal.as_deref().map(|e| format!(" ({e})")).unwrap_or_default());
        }
        Ok(x)
    }

    /// Executes one bundle.
    pub fn step(&mut self, cpu: &mut Cpu, mem: &mut GuestMem) -> Step {
        // Hot path: a cached bundle with a fast form, no logging, no reference counting.
        if !self.log_exec && self.fast {
            let slot = ((cpu.ip >> 3) as usize) & (DIRECT - 1);
            if let Some(b) = &self.direct[slot].b {
                if b.addr == cpu.ip {
                    if let Some(f) = &b.fast {
                        if (f.run)(cpu, f, mem) != super::fast::GIVE_UP {
                            cpu.stats.bundles += 1;
                            if !mem.smc_pages.is_empty() {
                                self.drop_written_pages(cpu, mem);
                            }
                            return Step::Next;
                        }
                    }
                }
            }
        }
        let b = match self.lookup(cpu, mem) {
            Ok(b) => b,
            Err(f) => return Step::Fault(f),
        };
        if self.log_exec {
            log::info!(target: "e2kemu::exec", "bundle {:#x}", b.addr);
        }
        if let Some(f) = b.fast.as_ref().filter(|_| self.fast) {
            if (f.run)(cpu, f, mem) != super::fast::GIVE_UP {
                cpu.stats.bundles += 1;
                if !mem.smc_pages.is_empty() {
                    let pages = std::mem::take(&mut mem.smc_pages);
                    for p in pages {
                        self.invalidate_page(p, cpu);
                    }
                }
                return Step::Next;
            }
        }
        let r = cpu.exec_bundle(&b, mem, &mut self.scratch);
        if !mem.smc_pages.is_empty() {
            let pages = std::mem::take(&mut mem.smc_pages);
            for p in pages {
                self.invalidate_page(p, cpu);
            }
        }
        r
    }

    /// JIT tier at the bundle in direct slot `slot` (address `ip`): runs its trace if it
    /// has one (Some(bundles run), > 0), else counts a trace-head arrival (`head`) and
    /// compiles a trace when the count reaches the threshold.
    #[cfg(feature = "jit")]
    fn jit_step(
        &mut self,
        slot: usize,
        ip: u64,
        head: bool,
        cpu: &mut Cpu,
        mem: &mut GuestMem,
        left: u64,
    ) -> Option<u64> {
        let jit = self.jit.as_deref_mut()?;
        let eager = jit.cfg.threshold == 0;
        let e = &mut self.direct[slot];
        if e.addr != ip || e.b.is_none() {
            // threshold 0 compiles at first sight: decode the bundle into its slot now
            if !(eager && head) {
                return None;
            }
            let b = self.bundle_at(ip, cpu, mem)?;
            self.direct[slot] = Slot::of(&b);
        }
        let jit = self.jit.as_deref_mut()?;
        let e = &mut self.direct[slot];
        if e.trace != 0 {
            let n = jit.enter(e.trace, cpu, mem, left);
            if n > 0 {
                return Some(n);
            }
            if !jit.alive(e.trace) {
                e.trace = 0;
                e.heat = 0;
            }
            return None;
        }
        if !head || e.heat == u32::MAX {
            return None;
        }
        e.heat += 1;
        if e.heat <= jit.cfg.threshold {
            return None;
        }
        // hot: record and compile (a head that cannot start a trace is not tried again
        // until its slot is refilled)
        let off = jit.cfg.disabled;
        let view = crate::jit::record::View::of(cpu);
        let mut stops: Vec<&'static str> = Vec::new();
        let rec = crate::jit::record::record(
            ip,
            &view,
            off,
            |a| self.bundle_at(a, cpu, mem),
            &mut |why| stops.push(why),
        );
        let jit = self.jit.as_deref_mut()?;
        for why in stops {
            *jit.stats.record_stops.entry(why).or_default() += 1;
        }
        let id = match rec {
            Some(t) => jit.compile(&t),
            None => 0,
        };
        let e = &mut self.direct[slot];
        if id == 0 || e.addr != ip {
            e.heat = u32::MAX;
            return None;
        }
        e.trace = id;
        let n = jit.enter(id, cpu, mem, left);
        (n > 0).then_some(n)
    }

    /// The decoded bundle at `addr` (decoding it if needed), without running it.
    #[cfg(feature = "jit")]
    fn bundle_at(&mut self, addr: u64, cpu: &mut Cpu, mem: &mut GuestMem) -> Option<Rc<XBundle>> {
        if let Some(b) = self.map.get(&addr) {
            return Some(b.clone());
        }
        let ip = cpu.ip;
        cpu.ip = addr;
        let r = self.lookup(cpu, mem);
        cpu.ip = ip;
        r.ok()
    }

    #[cold]
    fn drop_written_pages(&mut self, cpu: &mut Cpu, mem: &mut GuestMem) {
        let pages = std::mem::take(&mut mem.smc_pages);
        for p in pages {
            self.invalidate_page(p, cpu);
        }
    }

    /// Runs until a bundle asks for something (syscall, fault) or `budget` bundles ran.
    pub fn run(&mut self, cpu: &mut Cpu, mem: &mut GuestMem, budget: u64) -> Step {
        let mut left = budget;
        while left > 0 {
            // inner loop: cached bundles with a fast form
            if !self.log_exec && self.fast {
                let start = left;
                // the IP is carried in a register between bundles (equal to cpu.ip)
                let mut ip = cpu.ip;
                #[cfg(feature = "jit")]
                let mut prev = u64::MAX;
                while left > 0 {
                    let slot = ((ip >> 3) as usize) & (DIRECT - 1);
                    #[cfg(feature = "jit")]
                    if self.jit.is_some() {
                        match self.jit_step(slot, ip, ip <= prev, cpu, mem, left) {
                            Some(n) => {
                                left -= n;
                                prev = ip;
                                ip = cpu.ip;
                                if !mem.smc_pages.is_empty() {
                                    self.drop_written_pages(cpu, mem);
                                }
                                continue;
                            }
                            None => prev = ip,
                        }
                    }
                    let e = &self.direct[slot];
                    let (Some(run), Some(b)) = (e.run, &e.b) else {
                        break;
                    };
                    if e.addr != ip {
                        break;
                    }
                    let Some(f) = &b.fast else { break };
                    ip = run(cpu, f, mem);
                    if ip == super::fast::GIVE_UP {
                        break;
                    }
                    left -= 1;
                    if !mem.smc_pages.is_empty() {
                        self.drop_written_pages(cpu, mem);
                    }
                }
                // fast bundles are counted here, once, before anything reads the count
                cpu.stats.bundles += start - left;
                if left == 0 {
                    break;
                }
            }
            left -= 1;
            match self.step(cpu, mem) {
                Step::Next => continue,
                other => return other,
            }
        }
        Step::Next
    }
}

impl XBundle {
    /// A bundle that raises SIGILL when executed.
    pub fn illegal(addr: u64, len: u8, why: String) -> XBundle {
        let mut x = predecode(&e2k_isa::Bundle::default(), 0);
        x.addr = addr;
        x.len = len;
        x.illegal = Some(why);
        x.fast = None;
        x
    }
}
