//! e2kemu's JIT tier back end: compiles a [`Trace`] of e2k wide instructions into native
//! code with Cranelift. The compiled function works on the machine state through a
//! [`JitCtx`] of raw pointers the interpreter fills in, reaches guest memory and the
//! semantic helpers only through the [`Helpers`] it was given, and returns the address of
//! the bundle to run next. A bundle either runs completely or not at all: anything the
//! native code cannot finish exactly (a tagged operand, a failing helper, an unexpected
//! CTPR, a diagnostic predicate) leaves the trace *before* the bundle commits, with the
//! FP state as it was, and the interpreter runs that bundle itself.

pub mod ir;
mod lower;

pub use ir::*;

use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};

/// The state a trace works on, filled in by the interpreter before each entry.
#[repr(C)]
#[derive(Debug)]
pub struct JitCtx {
    /// first register of the current window (16 bytes per register, low half first)
    pub win: *mut u8,
    /// tag bytes of the window's registers
    pub wtag: *mut u8,
    /// the 32 global registers and their tags
    pub g: *mut u8,
    pub gtag: *mut u8,
    /// predicate file (2 bits per predicate: value, tag)
    pub preds: *mut u64,
    /// the four CTPRs
    pub ctpr: *mut u64,
    /// FP environment (opaque; saved and restored as `fp_words` 64-bit words)
    pub fp: *mut u8,
    /// guest memory (opaque; handed to the memory helpers)
    pub mem: *mut u8,
    /// the guest memory's read and write TLBs (layout [`TlbLayout`]); a hit gives the
    /// host address of a guest page the access may use directly
    pub rtlb: *const u8,
    pub wtlb: *const u8,
    /// bundles the trace may still run before returning
    pub budget: u64,
    /// bundles and operations the trace ran (added to the interpreter's counts)
    pub bundles: u64,
    pub ops: u64,
    /// saved FP words of the current bundle
    pub fp_save: [u64; 4],
    /// BR.rcur and BR.pcur (read and written by traces whose rotation varies)
    pub rcur: u64,
    pub pcur: u64,
    /// the loop counter and LSR bits 63:32 (read and written by traces that use them)
    pub lcnt: u64,
    pub lsr_hi: u64,
    /// the facts a trace's entry check compares with what it was built for: window
    /// size, registers available from the window base, WD.dbl, tag checking (0/1),
    /// and BR without rcur/pcur (those are `rcur`/`pcur` above)
    pub wsize: u64,
    pub win_avail: u64,
    pub wdbl: u64,
    pub tags_on: u64,
    pub br_fixed: u64,
    /// the CPU (opaque; handed to the `call`/`return` helpers)
    pub cpu: *mut u8,
    /// WD.psize (in), WD.fx (in and out; `wsize` and `wdbl` above are out too: `setwd`
    /// and the call/return helpers change them)
    pub psize: u64,
    pub wfx: u64,
    /// `wbs` and return address of the call a trace hands to the `call` helper
    pub call_wbs: u64,
    pub call_ret: u64,
    /// why the trace returned ([`Exit`] as a number); for a give-up, the spec
    /// operation that gave up (`u16::MAX` when it was not an operation); for a path
    /// exit, the link cell of the exit (see [`Jit::compile`]) and the trace's id
    pub exit: u64,
    pub exit_op: u64,
    pub exit_trace: u64,
}

/// Why a trace returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// control left the recorded path (a side exit or the end of the trace)
    Path = 0,
    /// the bundle budget ran out
    Budget = 1,
    /// a bundle could not be finished natively and was handed back before it ran
    GaveUp = 2,
    /// a store hit a page holding decoded code
    CodeWrite = 3,
    /// the state at entry did not allow the trace to run (tagged register or predicate)
    NotEntered = 4,
    /// a call was done (by the `call` helper) and control goes on at its target
    Call = 5,
    /// a return was done (by the `return` helper) and control goes on at its address
    Return = 6,
}

impl Exit {
    pub fn from_u64(v: u64) -> Exit {
        match v {
            1 => Exit::Budget,
            2 => Exit::GaveUp,
            3 => Exit::CodeWrite,
            4 => Exit::NotEntered,
            5 => Exit::Call,
            6 => Exit::Return,
            _ => Exit::Path,
        }
    }
}

/// Layout of the guest memory's software TLB: `slots` entries of `1 << entry_shift`
/// bytes indexed by `vpn & (slots - 1)` (4 KiB pages); an entry whose `u64` at
/// `vpn_off` equals the page number holds at `host_off` the host address of the page.
#[derive(Debug, Clone, Copy)]
pub struct TlbLayout {
    pub slots: u64,
    pub entry_shift: u32,
    pub vpn_off: i32,
    pub host_off: i32,
}

/// Interpreter functions the native code calls (`extern "C"`, addresses fixed for the
/// life of the process). Each returns 1 on success.
#[derive(Debug, Clone, Copy)]
pub struct Helpers {
    /// `sem(op, fp, a, b, c, out) -> ok`: the semantic helper of spec operation `op`
    pub sem: usize,
    /// `load(mem, addr, len, out) -> ok`
    pub load: usize,
    /// `check_write(mem, addr, len) -> ok`
    pub check_write: usize,
    /// `store(mem, addr, len, value) -> code changed` (1 when the store hit a page
    /// holding decoded code; the trace then returns after the bundle)
    pub store: usize,
    /// `alc(lcnt, lsr_hi, out) -> lsr_hi`: advances the loop counters (`alc` stub),
    /// the new loop counter in `*out`
    pub alc: usize,
    /// `can_xfer(ctx, kind, wbs) -> ok`: whether a call with `wbs` (kind 5) or a
    /// return (kind 6) can be done now without a fault
    pub can_xfer: usize,
    /// `xfer(ctx, kind, target) -> ip`: does the call (to `target`, with
    /// `ctx.call_wbs`/`call_ret`) or the return, and refreshes every `JitCtx` field
    /// the window, BR, WD or predicates feed
    pub xfer: usize,
    /// `prep_return(ctx) -> value`: CTPR3 as `return` prepares it
    pub prep_return: usize,
    /// 64-bit words of the FP environment behind `JitCtx::fp` (at most 4)
    pub fp_words: u8,
    /// layout of `JitCtx::rtlb`/`wtlb`
    pub tlb: TlbLayout,
    /// byte offset of the 32-bit PFPFR (MXCSR layout) in the FP environment
    pub pfpfr_off: i32,
}

/// A compiled trace: `fn(*mut JitCtx) -> next IP` in Cranelift's tail-call
/// convention, entered through [`Jit::run`] or chained to from another trace.
#[derive(Debug, Clone, Copy)]
pub struct Compiled {
    entry: *const u8,
    /// native code size in bytes
    pub size: usize,
}

impl Compiled {
    /// The code address, the value a link cell holds to chain to this trace.
    pub fn entry_addr(&self) -> u64 {
        self.entry as u64
    }
}

/// Compiles the function built in `ctx` into `module` and returns its code address.
fn define(
    module: &mut JITModule,
    ctx: &mut cranelift_codegen::Context,
) -> Result<*const u8, CompileError> {
    let err = |e: &dyn std::fmt::Display| CompileError(e.to_string());
    let id = module
        .declare_anonymous_function(&ctx.func.signature)
        .map_err(|e| err(&e))?;
    module.define_function(id, ctx).map_err(|e| err(&e))?;
    module.clear_context(ctx);
    module.finalize_definitions().map_err(|e| err(&e))?;
    Ok(module.get_finalized_function(id))
}

/// Words of link cells per bundle (see [`Jit::compile`]).
pub const LINK_WORDS: usize = 6;

/// The entry facts a trace checks natively (so that chained entries are checked too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// one more than the highest window register named (`wsize` and `win_avail` must
    /// reach it)
    pub wneed: u32,
    pub wdbl: bool,
    pub tags_on: bool,
    /// BR without rcur/pcur
    pub br_fixed: u64,
    /// rcur / pcur the trace was built for, when they do not vary inside it
    pub rcur: Option<u8>,
    pub pcur: Option<u8>,
}

/// The compiler: one Cranelift JIT module holding every trace compiled so far.
pub struct Jit {
    module: JITModule,
    /// `fn(ctx, trace) -> ip` in the host convention, calling a tail-convention trace
    trampoline: *const u8,
    /// register-preserving trampolines of the helpers: (helper, trampoline)
    tramps: Vec<(usize, usize)>,
    helpers: Helpers,
    ctx: cranelift_codegen::Context,
    fctx: cranelift_frontend::FunctionBuilderContext,
    /// native code bytes emitted so far
    pub code_bytes: usize,
    /// keep a listing (Cranelift IR and host code) of each compiled trace
    pub listing: bool,
    /// the listing of the last trace compiled with `listing` on
    pub last_listing: Option<String>,
}

/// Why a trace could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError(pub String);

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "JIT compilation failed: {}", self.0)
    }
}

impl std::error::Error for CompileError {}

impl Jit {
    /// A compiler for the host CPU.
    pub fn new(helpers: Helpers) -> Result<Jit, CompileError> {
        let err = |e: &dyn std::fmt::Display| CompileError(e.to_string());
        if helpers.fp_words > 4 {
            return Err(CompileError("FP environment larger than 4 words".into()));
        }
        if !helpers.tlb.slots.is_power_of_two() {
            return Err(CompileError("TLB size is not a power of two".into()));
        }
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(|e| err(&e))?;
        flags.set("is_pic", "false").map_err(|e| err(&e))?;
        // Cranelift's tail calls (trace chaining) need frame pointers
        flags
            .set("preserve_frame_pointers", "true")
            .map_err(|e| err(&e))?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| err(&e))?;
        // the IR is built by our lowering only; its verification costs a third of the
        // compile time (debug builds keep it)
        if !cfg!(debug_assertions) {
            flags.set("enable_verifier", "false").map_err(|e| err(&e))?;
        }
        let isa = cranelift_native::builder()
            .map_err(|e| err(&e))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| err(&e))?;
        let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
        let mut ctx = module.make_context();
        let mut fctx = cranelift_frontend::FunctionBuilderContext::new();
        lower::trampoline(&mut ctx.func, &mut fctx, &lower::Target::of(&module));
        let trampoline = define(&mut module, &mut ctx)?;
        let mut tramps = Vec::new();
        for (addr, nargs) in [
            (helpers.sem, 6),
            (helpers.load, 4),
            (helpers.check_write, 3),
            (helpers.store, 4),
        ] {
            lower::preserving_trampoline(
                &mut ctx.func,
                &mut fctx,
                &lower::Target::of(&module),
                addr,
                nargs,
            );
            tramps.push((addr, define(&mut module, &mut ctx)? as usize));
        }
        Ok(Jit {
            trampoline,
            tramps,
            module,
            helpers,
            ctx,
            fctx,
            code_bytes: 0,
            listing: false,
            last_listing: None,
        })
    }

    /// Frees the code of every trace this `Jit` compiled.
    ///
    /// # Safety
    /// No code of this `Jit` may run afterwards: no `Compiled` of it may be run and no
    /// link cell may still hold one of its entries.
    pub unsafe fn free_memory(self) {
        // SAFETY: the caller guarantees that none of the module's code runs again.
        unsafe { self.module.free_memory() }
    }

    /// Runs trace `c` and the traces it chains to.
    ///
    /// # Safety
    /// `c` must come from this `Jit`. Every pointer in `ctx` must be valid for the
    /// accesses the traces make: `win`/`wtag` for `win_avail` registers, `g`/`gtag` for
    /// 32 registers, `preds`, `ctpr` (4 words), `fp` (`fp_words` words), `mem` as the
    /// helpers expect, `rtlb`/`wtlb` TLBs whose matching entries point to live guest
    /// pages, the link cells of every trace hold 0 or the entry of a live trace of this
    /// `Jit`; and no other reference to that state may be used while the traces run.
    pub unsafe fn run(&self, c: &Compiled, ctx: *mut JitCtx) -> u64 {
        // SAFETY: `trampoline` is the finalized code of `lower::trampoline`: host calling
        // convention, (pointer, pointer) -> i64; it calls `c.entry`, a trace compiled by
        // this module with the tail convention and one pointer argument. The module owns
        // both and lives as long as `self`.
        let f: extern "C" fn(*mut JitCtx, *const u8) -> u64 =
            unsafe { std::mem::transmute(self.trampoline) };
        f(ctx, c.entry)
    }

    /// Compiles `t`, trace number `id`. `links` points to `LINK_WORDS *
    /// t.bundles.len()` words (zeroed, owned by the caller, valid as long as the code
    /// may run); for bundle `i` at `LINK_WORDS * i`: the cell of its taken transfer, the
    /// cell of its other successor, then a two-entry cache of its return (return
    /// address, entry; twice). A path exit or call through a cell holding a trace's
    /// entry address, or a return to an address the cache holds, jumps straight into
    /// that trace (which checks its own entry facts).
    pub fn compile(
        &mut self,
        t: &Trace,
        id: u32,
        links: *const u64,
    ) -> Result<Compiled, CompileError> {
        let err = |e: &dyn std::fmt::Display| CompileError(e.to_string());
        if t.bundles.is_empty() {
            return Err(CompileError("empty trace".into()));
        }
        self.module.clear_context(&mut self.ctx);
        let target = lower::Target::of(&self.module);
        lower::build(
            &mut self.ctx.func,
            &mut self.fctx,
            &target,
            t,
            &self.helpers,
            &self.tramps,
            (id, links),
        );
        let ir = self.listing.then(|| self.ctx.func.display().to_string());
        self.ctx.set_disasm(self.listing);
        let id = self
            .module
            .declare_anonymous_function(&self.ctx.func.signature)
            .map_err(|e| err(&e))?;
        self.module
            .define_function(id, &mut self.ctx)
            .map_err(|e| err(&e))?;
        let size = self
            .ctx
            .compiled_code()
            .map(|c| c.code_buffer().len())
            .unwrap_or(0);
        self.last_listing = ir.map(|ir| {
            let host = self
                .ctx
                .compiled_code()
                .and_then(|c| c.vcode.clone())
                .unwrap_or_default();
            format!("{ir}\n{host}")
        });
        self.module.clear_context(&mut self.ctx);
        self.module.finalize_definitions().map_err(|e| err(&e))?;
        self.code_bytes += size;
        Ok(Compiled {
            entry: self.module.get_finalized_function(id),
            size,
        })
    }
}
