//! The JIT tier's interpreter side (feature `jit`): compiles hot trace heads found by the
//! interpreter loop, keeps the compiled traces and the pages they were built from, runs
//! a trace with the CPU state handed over through raw pointers, and provides the
//! `extern "C"` helpers native code calls (semantic helpers, guest memory).

pub mod record;

use crate::cpu::state::Cpu;
use crate::mem::{GuestMem, JIT_TLB, PAGE_SHIFT};
use e2k_isa::sem::SemCtx;
use e2k_isa::tables::ALOPS;
use e2kemu_jit as j;
use record::Disabled;
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Default executions of a trace head before it is compiled. Chosen by measurement on
/// benches/programs at their default sizes: at 50, loops that run only briefly (table
/// set-up, initialisation) were compiled too and compilation took up to 14% of a run;
/// at 1000 it stays within 1.5-6% while over 99% of the bundles still run natively.
pub const DEFAULT_THRESHOLD: u32 = 1000;

/// JIT settings from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JitConfig {
    /// `-jit-threshold N`
    pub threshold: u32,
    /// `-jit-disable CLASS,...`
    pub disabled: Disabled,
    /// `-jit-code-size BYTES`: native code the module may hold; compiling beyond it
    /// (or dropped code above half of it) drops every trace and frees their code
    pub code_size: usize,
}

impl Default for JitConfig {
    fn default() -> Self {
        JitConfig {
            threshold: DEFAULT_THRESHOLD,
            disabled: Disabled::default(),
            code_size: DEFAULT_CODE_SIZE,
        }
    }
}

/// Counters for `--stats`.
#[derive(Debug, Clone, Default)]
pub struct JitStats {
    pub traces: u64,
    pub trace_bundles: u64,
    pub compile_ns: u64,
    pub failed: u64,
    pub entries: u64,
    /// bundles and operations run in native code
    pub bundles: u64,
    pub ops: u64,
    pub dropped: u64,
    /// operations compiled as helper calls, by name
    pub helper_ops: BTreeMap<&'static str, u64>,
    pub native_ops: u64,
    /// trace returns by reason: left the recorded path, budget used up, bundle given
    /// back to the interpreter, store into decoded code, entry refused (tags)
    pub exit_path: u64,
    pub exit_budget: u64,
    pub exit_gave_up: u64,
    pub exit_code_write: u64,
    /// calls and returns the traces ended with (done by the helpers)
    pub exit_call: u64,
    pub exit_return: u64,
    pub not_entered: u64,
    /// bundles given back at run time, by the operation that could not finish natively
    /// (memory faults, CTPR mismatches and the like under "-")
    pub gave_up_ops: BTreeMap<&'static str, u64>,
    /// bundles that ended trace recording, by why (the op or bundle feature)
    pub record_stops: BTreeMap<&'static str, u64>,
    /// exits linked to the trace they lead to (chained without the dispatcher)
    pub links: u64,
    /// code module rebuilds and the dropped code they freed
    pub rebuilds: u64,
    pub code_bytes_freed: u64,
}

struct Compiled {
    code: j::Compiled,
    head: u64,
    /// link cells of the trace's exits (see `j::Jit::compile`); boxed so their address
    /// stays fixed
    links: Box<[u64]>,
    /// cells of other traces that chain to this one: (trace id, cell)
    /// (a return-cache entry's cell clears both its words)
    incoming: Vec<(u32, u32)>,
}

/// Default `-jit-code-size`.
pub const DEFAULT_CODE_SIZE: usize = 64 << 20;

/// All JIT state of one interpreter.
pub struct JitState {
    jit: j::Jit,
    helpers: j::Helpers,
    pub cfg: JitConfig,
    /// traces by id - `base` - 1; ids at or below `base` belong to dropped modules
    traces: Vec<Option<Compiled>>,
    base: u32,
    /// trace ids by the pages their bundles lie in
    by_page: HashMap<u64, Vec<u32>>,
    /// code bytes of dropped traces still held by the module
    dead_bytes: usize,
    /// the last path exit: (trace, cell, target address), linked when the trace at
    /// that address is entered next
    last_exit: Option<(u32, u32, u64)>,
    pub stats: JitStats,
}

/// `sem(op, fp, a, b, c, out) -> ok`
extern "C" fn helper_sem(id: u64, fp: *mut SemCtx, a: u64, b: u64, c: u64, out: *mut u64) -> u64 {
    let Some(f) = ALOPS.get(id as usize).and_then(|d| d.sem64) else {
        return 0;
    };
    // SAFETY: `fp` is `JitCtx::fp`, the CPU's FP environment, valid and not otherwise
    // referenced while the trace runs; `out` is the trace's 8-byte stack slot.
    let (v, ok) = f(unsafe { &mut *fp }, a, b, c);
    // SAFETY: as above.
    unsafe { *out = v };
    ok as u64
}

/// `load(mem, addr, len, out) -> ok`
extern "C" fn helper_load(mem: *mut GuestMem, addr: u64, len: u64, out: *mut u64) -> u64 {
    // SAFETY: `mem` is `JitCtx::mem`, the process's guest memory, valid and not otherwise
    // referenced while the trace runs.
    let mem = unsafe { &mut *mem };
    match mem.read_uint(addr, len) {
        Some(Ok(v)) => {
            // SAFETY: `out` is the trace's 8-byte stack slot.
            unsafe { *out = v };
            1
        }
        _ => 0,
    }
}

/// `check_write(mem, addr, len) -> ok`
extern "C" fn helper_check_write(mem: *mut GuestMem, addr: u64, len: u64) -> u64 {
    // SAFETY: see `helper_load`.
    let mem = unsafe { &mut *mem };
    mem.check_write(addr, len).is_ok() as u64
}

/// `store(mem, addr, len, value) -> code changed`
extern "C" fn helper_store(mem: *mut GuestMem, addr: u64, len: u64, v: u64) -> u64 {
    // SAFETY: see `helper_load`.
    let mem = unsafe { &mut *mem };
    // checked writable before the bundle committed; a store cannot unmap memory
    let _ = mem.write_uint(addr, len, v);
    !mem.smc_pages.is_empty() as u64
}

/// `alc(lcnt, lsr_hi, out) -> lsr_hi`
extern "C" fn helper_alc(lcnt: u64, lsr_hi: u64, out: *mut u64) -> u64 {
    let (l, h) = crate::cpu::state::loop_advance(lcnt, lsr_hi as u32);
    // SAFETY: `out` is the trace's 8-byte stack slot.
    unsafe { *out = l };
    h as u64
}

/// The CPU a trace runs on.
///
/// # Safety
/// `ctx` must be the `JitCtx` of a running trace (its `cpu` set by `JitState::enter`);
/// the trace does not touch the CPU while the helper runs.
unsafe fn cpu_of<'a>(ctx: *mut j::JitCtx) -> (&'a mut j::JitCtx, &'a mut Cpu) {
    // SAFETY: per the caller, `ctx` is valid and `ctx.cpu` points to the CPU borrowed
    // by `enter` for the whole run; the raw pointers in `ctx` into that CPU are not
    // used while these references live.
    unsafe {
        let ctx = &mut *ctx;
        let cpu = &mut *(ctx.cpu as *mut Cpu);
        (ctx, cpu)
    }
}

/// Points the window, WD and BR fields of `ctx` at the CPU's current state.
fn refresh(ctx: &mut j::JitCtx, cpu: &mut Cpu) {
    let len = cpu.rf.len().min(cpu.rtag.len());
    // wrapping: with wbase beyond the file (never, in practice) `win_avail` is 0 and no
    // trace touches a register
    ctx.win = cpu.rf.as_mut_ptr().wrapping_add(cpu.wbase) as *mut u8;
    ctx.wtag = cpu.rtag.as_mut_ptr().wrapping_add(cpu.wbase);
    ctx.win_avail = len.saturating_sub(cpu.wbase) as u64;
    ctx.wsize = cpu.wsize as u64;
    ctx.psize = cpu.psize as u64;
    ctx.wdbl = cpu.wdbl as u64;
    ctx.wfx = cpu.wfx as u64;
    ctx.br_fixed = crate::cpu::state::Br {
        rcur: 0,
        pcur: 0,
        ..cpu.br
    }
    .to_raw();
    ctx.rcur = cpu.br.rcur as u64;
    ctx.pcur = cpu.br.pcur as u64;
    ctx.lcnt = cpu.lcnt;
    ctx.lsr_hi = cpu.lsr_hi as u64;
}

/// Copies what a trace keeps in `ctx` back into the CPU.
fn write_back(ctx: &j::JitCtx, cpu: &mut Cpu) {
    cpu.wsize = ctx.wsize as u32;
    cpu.wdbl = ctx.wdbl != 0;
    cpu.wfx = ctx.wfx != 0;
    cpu.br.rcur = ctx.rcur as u8;
    cpu.br.pcur = ctx.pcur as u8;
    cpu.lcnt = ctx.lcnt;
    cpu.lsr_hi = ctx.lsr_hi as u32;
}

/// `can_xfer(ctx, kind, wbs, wsize) -> ok`: a call (`Exit::Call`) with `wbs` from a
/// window of `wsize` registers, or a return, can be done without a fault.
extern "C" fn helper_can_xfer(ctx: *mut j::JitCtx, kind: u64, wbs: u64, wsize: u64) -> u64 {
    // SAFETY: called by a running trace with its own context.
    let (_, cpu) = unsafe { cpu_of(ctx) };
    let ok = if kind == j::Exit::Call as u64 {
        2 * wbs <= wsize
            && cpu.frames.len() < crate::cpu::state::MAX_FRAMES
            && cpu.wbase + wsize as usize + 2 <= crate::cpu::state::MAX_REGS
    } else {
        cpu.frames
            .last()
            .is_some_and(|f| cpu.wbase >= 2 * f.wbs as usize)
    };
    ok as u64
}

/// `xfer(ctx, kind, target) -> ip`: does the call or return the trace ended with and
/// refreshes `ctx` for whatever runs next.
extern "C" fn helper_xfer(ctx: *mut j::JitCtx, kind: u64, target: u64) -> u64 {
    // SAFETY: called by a running trace with its own context, after it stored its
    // registers and predicates back.
    let (ctx, cpu) = unsafe { cpu_of(ctx) };
    write_back(ctx, cpu);
    // both were checked possible by `can_xfer` before the bundle committed
    let ip = if kind == j::Exit::Call as u64 {
        let r = cpu.proc_call(ctx.call_wbs as u8, ctx.call_ret);
        debug_assert!(r.is_ok(), "call checked by can_xfer");
        target
    } else {
        let r = cpu.proc_return();
        debug_assert!(r.is_ok(), "return checked by can_xfer");
        cpu.ip
    };
    refresh(ctx, cpu);
    ip
}

/// `prep_return(ctx) -> CTPR3`
extern "C" fn helper_prep_return(ctx: *mut j::JitCtx) -> u64 {
    use crate::cpu::state::{ctpr_make, CTPR_TAG_RETURN};
    // SAFETY: called by a running trace with its own context.
    let (_, cpu) = unsafe { cpu_of(ctx) };
    cpu.frames
        .last()
        .map_or(0, |f| ctpr_make(f.ret_ip, CTPR_TAG_RETURN, 0, 3))
}

impl JitState {
    pub fn new(cfg: JitConfig) -> Result<JitState, String> {
        let fp_words = std::mem::size_of::<SemCtx>().div_ceil(8) as u8;
        let helpers = j::Helpers {
            sem: helper_sem as *const () as usize,
            load: helper_load as *const () as usize,
            check_write: helper_check_write as *const () as usize,
            store: helper_store as *const () as usize,
            alc: helper_alc as *const () as usize,
            can_xfer: helper_can_xfer as *const () as usize,
            xfer: helper_xfer as *const () as usize,
            prep_return: helper_prep_return as *const () as usize,
            fp_words,
            pfpfr_off: std::mem::offset_of!(SemCtx, pfpfr) as i32,
            tlb: j::TlbLayout {
                slots: JIT_TLB.slots,
                entry_shift: JIT_TLB.entry_shift,
                vpn_off: JIT_TLB.vpn_off,
                host_off: JIT_TLB.host_off,
            },
        };
        Ok(JitState {
            jit: j::Jit::new(helpers).map_err(|e| e.to_string())?,
            helpers,
            cfg,
            traces: Vec::new(),
            base: 0,
            by_page: HashMap::new(),
            dead_bytes: 0,
            last_exit: None,
            stats: JitStats::default(),
        })
    }

    fn get(&self, id: u32) -> Option<&Compiled> {
        let k = id.checked_sub(self.base + 1)? as usize;
        self.traces.get(k)?.as_ref()
    }

    fn get_mut(&mut self, id: u32) -> Option<&mut Compiled> {
        let k = id.checked_sub(self.base + 1)? as usize;
        self.traces.get_mut(k)?.as_mut()
    }

    /// Compiles a recorded trace; its id (> 0), or 0 when it cannot be compiled.
    pub fn compile(&mut self, t: &j::Trace) -> u32 {
        if self.jit.code_bytes >= self.cfg.code_size {
            self.flush();
        }
        let started = Instant::now();
        let id = self.base + self.traces.len() as u32 + 1;
        self.jit.listing = log::log_enabled!(target: "e2kemu::out_asm", log::Level::Info);
        let links = vec![0u64; j::LINK_WORDS * t.bundles.len()].into_boxed_slice();
        let r = self.jit.compile(t, id, links.as_ptr());
        self.stats.compile_ns += started.elapsed().as_nanos() as u64;
        let code = match r {
            Ok(c) => c,
            Err(e) => {
                log::info!(target: "e2kemu::jit", "{e}");
                self.stats.failed += 1;
                return 0;
            }
        };
        self.stats.traces += 1;
        self.stats.trace_bundles += t.bundles.len() as u64;
        for b in &t.bundles {
            for op in &b.ops {
                match op.kind {
                    j::Kind::Helper(id) => {
                        *self
                            .stats
                            .helper_ops
                            .entry(ALOPS[id as usize].name)
                            .or_default() += 1
                    }
                    j::Kind::Native(_) | j::Kind::Fp(..) => self.stats.native_ops += 1,
                    _ => {}
                }
            }
        }
        self.traces.push(Some(Compiled {
            code,
            head: t.bundles[0].addr,
            links,
            incoming: Vec::new(),
        }));
        let mut pages: Vec<u64> = t
            .bundles
            .iter()
            .flat_map(|b| [b.addr >> PAGE_SHIFT, (b.next - 1) >> PAGE_SHIFT])
            .collect();
        pages.sort_unstable();
        pages.dedup();
        for p in pages {
            self.by_page.entry(p).or_default().push(id);
        }
        log::info!(target: "e2kemu::jit", "trace {id} at {:#x}: {} bundles, {} bytes",
            t.bundles[0].addr, t.bundles.len(), code.size);
        if let Some(l) = self.jit.last_listing.take() {
            log::info!(target: "e2kemu::out_asm", "trace {id}:\n{l}");
        }
        id
    }

    /// Drops the traces built from page `vpn` (and the links into them); returns their
    /// ids. Rebuilds the code module when dropped code has piled up.
    pub fn drop_page(&mut self, vpn: u64) -> Vec<u32> {
        let ids = self.by_page.remove(&vpn).unwrap_or_default();
        for &id in &ids {
            let Some(k) = id.checked_sub(self.base + 1) else {
                continue;
            };
            let Some(t) = self.traces.get_mut(k as usize).and_then(|t| t.take()) else {
                continue;
            };
            self.stats.dropped += 1;
            self.dead_bytes += t.code.size;
            log::info!(target: "e2kemu::jit", "trace {id} dropped (page {vpn:#x} written)");
            for (from, cell) in t.incoming {
                if let Some(f) = self.get_mut(from) {
                    let c = cell as usize;
                    if c % j::LINK_WORDS >= 2 {
                        // a return-cache entry: address and entry
                        f.links[c] = 0;
                        f.links[c + 1] = 0;
                    } else {
                        f.links[c] = 0;
                    }
                }
            }
        }
        if self.dead_bytes > self.cfg.code_size / 2 {
            self.flush();
        }
        ids
    }

    /// Drops every trace and frees their code (a new code module replaces the old).
    pub fn flush(&mut self) {
        self.stats.dropped += self.traces.iter().filter(|t| t.is_some()).count() as u64;
        self.base += self.traces.len() as u32;
        self.traces.clear();
        self.by_page.clear();
        self.last_exit = None;
        self.dead_bytes = 0;
        match j::Jit::new(self.helpers) {
            Ok(fresh) => {
                let old = std::mem::replace(&mut self.jit, fresh);
                self.stats.code_bytes_freed += old.code_bytes as u64;
                self.stats.rebuilds += 1;
                // SAFETY: no trace of the old module can run again: every trace and
                // every link cell naming its code was dropped above, and slots still
                // holding old ids find nothing under them (ids below `base`).
                unsafe { old.free_memory() };
            }
            Err(e) => log::warn!(target: "e2kemu::jit", "{e}; keeping the old code module"),
        }
    }

    /// Drops every trace and the statistics but keeps the code module (dropped code is
    /// freed by a later rebuild): for running unrelated guests one after another with
    /// one JIT (the fuzz target does), without paying for a new module each time.
    pub fn reset(&mut self) {
        self.dead_bytes += self
            .traces
            .iter()
            .flatten()
            .map(|t| t.code.size)
            .sum::<usize>();
        self.base += self.traces.len() as u32;
        self.traces.clear();
        self.by_page.clear();
        self.last_exit = None;
        if self.dead_bytes > self.cfg.code_size / 2 {
            self.flush();
        }
        self.stats = JitStats::default();
    }

    /// Whether trace `id` exists.
    pub fn alive(&self, id: u32) -> bool {
        self.get(id).is_some()
    }

    /// Runs trace `id` (and the traces it chains to) for at most `budget` bundles if
    /// the CPU is in the state it was built for; returns the bundles run (0 when it did
    /// not enter).
    pub fn enter(&mut self, id: u32, cpu: &mut Cpu, mem: &mut GuestMem, budget: u64) -> u64 {
        if cpu.upsr_ac() || cpu.wbase > cpu.rf.len().min(cpu.rtag.len()) {
            return 0;
        }
        // the previous path exit led here: chain it to this trace from now on
        if let Some((from, cell, target)) = self.last_exit.take() {
            let here = self.get(id).map(|t| (t.head, t.code.entry_addr()));
            if let Some((_, entry)) = here.filter(|&(head, _)| head == target) {
                let c = cell as usize;
                let linked = match self.get_mut(from) {
                    // a return cache: the first free entry takes (address, entry)
                    Some(f) if c % j::LINK_WORDS == 2 && c + 3 < f.links.len() => {
                        let free = [c, c + 2].into_iter().find(|&k| f.links[k + 1] == 0);
                        free.map(|k| {
                            f.links[k] = target;
                            f.links[k + 1] = entry;
                            k as u32
                        })
                    }
                    Some(f) if f.links.get(c) == Some(&0) => {
                        f.links[c] = entry;
                        Some(cell)
                    }
                    _ => None,
                };
                if let Some(cell) = linked {
                    if let Some(t) = self.get_mut(id) {
                        t.incoming.push((from, cell));
                    }
                    self.stats.links += 1;
                    log::info!(target: "e2kemu::jit", "trace {from} exit {cell} linked to trace {id}");
                }
            }
        }
        let Some(t) = self.get(id) else {
            return 0;
        };
        let (rtlb, wtlb) = mem.jit_tlbs();
        let win_avail = (cpu.rf.len().min(cpu.rtag.len()) - cpu.wbase) as u64;
        let mut ctx = j::JitCtx {
            // SAFETY (of the pointer arithmetic): wbase <= len was checked above; traces
            // check that the registers they name lie below `win_avail`.
            win: unsafe { cpu.rf.as_mut_ptr().add(cpu.wbase) } as *mut u8,
            // SAFETY: as above, for the tag bytes.
            wtag: unsafe { cpu.rtag.as_mut_ptr().add(cpu.wbase) },
            g: cpu.g.as_mut_ptr() as *mut u8,
            gtag: cpu.gtag.as_mut_ptr(),
            preds: &mut cpu.preds,
            ctpr: cpu.ctpr.as_mut_ptr(),
            fp: &mut cpu.fp as *mut SemCtx as *mut u8,
            mem: mem as *mut GuestMem as *mut u8,
            rtlb,
            wtlb,
            budget,
            bundles: 0,
            ops: 0,
            fp_save: [0; 4],
            rcur: cpu.br.rcur as u64,
            pcur: cpu.br.pcur as u64,
            lcnt: cpu.lcnt,
            lsr_hi: cpu.lsr_hi as u64,
            wsize: cpu.wsize as u64,
            win_avail,
            wdbl: cpu.wdbl as u64,
            tags_on: cpu.tags_on as u64,
            br_fixed: crate::cpu::state::Br {
                rcur: 0,
                pcur: 0,
                ..cpu.br
            }
            .to_raw(),
            cpu: cpu as *mut Cpu as *mut u8,
            psize: cpu.psize as u64,
            wfx: cpu.wfx as u64,
            call_wbs: 0,
            call_ret: 0,
            exit: 0,
            exit_op: 0,
            exit_trace: 0,
        };
        // SAFETY: every pointer in `ctx` was just derived from `cpu` and `mem`, which are
        // borrowed mutably for the whole call and not used otherwise until it returns;
        // traces check their registers against `wsize`/`win_avail` before touching them,
        // the globals are 32 registers, `ctpr` 4 words, `fp` the whole `SemCtx`; guest
        // memory is reached only through the bounds-checked helpers and through TLB
        // entries, which hold host addresses of whole guest pages that stay allocated
        // while no mapping changes (nothing inside a trace can change one); link cells
        // hold 0 or the entry of a live trace of this module (cleared when it drops);
        // `cpu` is used only by the call/return helpers, while the trace waits for them
        // and after it stored everything it keeps in registers back.
        let next = unsafe { self.jit.run(&t.code, &mut ctx) };
        let s = &mut self.stats;
        match j::Exit::from_u64(ctx.exit) {
            j::Exit::NotEntered if ctx.bundles == 0 => {
                s.not_entered += 1;
                return 0;
            }
            j::Exit::NotEntered => s.not_entered += 1,
            j::Exit::Path => {
                s.exit_path += 1;
                self.last_exit = Some((ctx.exit_trace as u32, ctx.exit_op as u32, next));
            }
            j::Exit::Call => {
                s.exit_call += 1;
                self.last_exit = Some((ctx.exit_trace as u32, ctx.exit_op as u32, next));
            }
            j::Exit::Return => {
                s.exit_return += 1;
                self.last_exit = Some((ctx.exit_trace as u32, ctx.exit_op as u32, next));
            }
            j::Exit::Budget => s.exit_budget += 1,
            j::Exit::CodeWrite => s.exit_code_write += 1,
            j::Exit::GaveUp => {
                s.exit_gave_up += 1;
                let name = ALOPS.get(ctx.exit_op as usize).map_or("-", |d| d.name);
                *s.gave_up_ops.entry(name).or_default() += 1;
            }
        }
        cpu.ip = next;
        write_back(&ctx, cpu);
        cpu.stats.ops += ctx.ops;
        self.stats.entries += 1;
        self.stats.bundles += ctx.bundles;
        self.stats.ops += ctx.ops;
        ctx.bundles
    }

    /// The `--stats` lines of the JIT tier.
    pub fn report(&self, total_bundles: u64) -> String {
        let s = &self.stats;
        let mut out = format!(
            "e2kemu jit: traces {} ({} bundles, {} native ops, {} dropped, {} failed) compile time {:.3} ms code {} bytes\n\
             e2kemu jit: bundles in native code {} of {} ({:.1}%), trace entries {}",
            s.traces,
            s.trace_bundles,
            s.native_ops,
            s.dropped,
            s.failed,
            s.compile_ns as f64 / 1e6,
            self.jit.code_bytes,
            s.bundles,
            total_bundles,
            if total_bundles > 0 {
                100.0 * s.bundles as f64 / total_bundles as f64
            } else {
                0.0
            },
            s.entries,
        );
        out.push_str(&format!(
            "\ne2kemu jit: exits to the dispatcher: left path {}, call {}, return {}, budget {}, gave up {}, code write {}; entries refused {}; exits linked to traces {}; code rebuilds {} ({} bytes freed)",
            s.exit_path, s.exit_call, s.exit_return, s.exit_budget, s.exit_gave_up, s.exit_code_write, s.not_entered,
            s.links, s.rebuilds, s.code_bytes_freed
        ));
        for (what, m) in [
            ("bundles given back by op", &s.gave_up_ops),
            ("traces stopped at", &s.record_stops),
        ] {
            if !m.is_empty() {
                let list: Vec<String> = m.iter().map(|(n, c)| format!("{n} {c}")).collect();
                out.push_str(&format!("\ne2kemu jit: {what}: {}", list.join(", ")));
            }
        }
        if !s.helper_ops.is_empty() {
            let list: Vec<String> = s
                .helper_ops
                .iter()
                .map(|(n, c)| format!("{n} {c}"))
                .collect();
            out.push_str(&format!(
                "\ne2kemu jit: helper-call ops {}",
                list.join(", ")
            ));
        }
        out
    }
}
