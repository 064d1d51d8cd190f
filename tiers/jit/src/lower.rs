//! Lowering of a trace to Cranelift IR. The registers and predicates a trace names live
//! in Cranelift variables while it runs: entry loads them (after checking that none of
//! them carries a tag, so no tag work is needed inside) and every exit stores the
//! written ones back. Per bundle: read the sources, compute every operation (native
//! instructions, helper calls, guest memory through the software TLB), check that
//! nothing forces the bundle out of the trace, then commit results, CTPR preparation
//! and stores, count it, and follow the transfer (loop back to the trace head, continue
//! along the path, or return the next IP).

use crate::ir::{
    Bundle, Cond, Dst, FpOp, Kind, Native, PRef, Rotation, Src, Term, Trace, Width, Xfer,
};
use crate::{Exit, Helpers, JitCtx};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, Function, InstBuilder, MemFlagsData, Signature, Type, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use std::mem::offset_of;

/// Offsets of `JitCtx` fields.
const WIN: i32 = offset_of!(JitCtx, win) as i32;
const WTAG: i32 = offset_of!(JitCtx, wtag) as i32;
const G: i32 = offset_of!(JitCtx, g) as i32;
const GTAG: i32 = offset_of!(JitCtx, gtag) as i32;
const PREDS: i32 = offset_of!(JitCtx, preds) as i32;
const CTPR: i32 = offset_of!(JitCtx, ctpr) as i32;
const FP: i32 = offset_of!(JitCtx, fp) as i32;
const MEM: i32 = offset_of!(JitCtx, mem) as i32;
const RTLB: i32 = offset_of!(JitCtx, rtlb) as i32;
const WTLB: i32 = offset_of!(JitCtx, wtlb) as i32;
const BUDGET: i32 = offset_of!(JitCtx, budget) as i32;
const BUNDLES: i32 = offset_of!(JitCtx, bundles) as i32;
const OPS: i32 = offset_of!(JitCtx, ops) as i32;
const FP_SAVE: i32 = offset_of!(JitCtx, fp_save) as i32;
const EXIT: i32 = offset_of!(JitCtx, exit) as i32;
const EXIT_OP: i32 = offset_of!(JitCtx, exit_op) as i32;
const RCUR: i32 = offset_of!(JitCtx, rcur) as i32;
const PCUR: i32 = offset_of!(JitCtx, pcur) as i32;
const LCNT: i32 = offset_of!(JitCtx, lcnt) as i32;
const LSR: i32 = offset_of!(JitCtx, lsr_hi) as i32;
const WSIZE: i32 = offset_of!(JitCtx, wsize) as i32;
const WIN_AVAIL: i32 = offset_of!(JitCtx, win_avail) as i32;
const WDBL: i32 = offset_of!(JitCtx, wdbl) as i32;
const TAGS_ON: i32 = offset_of!(JitCtx, tags_on) as i32;
const BR_FIXED: i32 = offset_of!(JitCtx, br_fixed) as i32;
const EXIT_TRACE: i32 = offset_of!(JitCtx, exit_trace) as i32;
const PSIZE: i32 = offset_of!(JitCtx, psize) as i32;
const WFX: i32 = offset_of!(JitCtx, wfx) as i32;
const CALL_WBS: i32 = offset_of!(JitCtx, call_wbs) as i32;
const CALL_RET: i32 = offset_of!(JitCtx, call_ret) as i32;
const I64: Type = types::I64;
const PAGE: i64 = 4096;
/// `exit_op` of a give-up that is not an operation's
const NO_OP: i64 = u16::MAX as i64;

/// A register the trace keeps in a variable.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Reg {
    global: bool,
    n: u8,
}

struct Lower<'a, 'b> {
    b: FunctionBuilder<'a>,
    ptr: Type,
    ctx: Value,
    h: &'b Helpers,
    /// stack slot for helper outputs
    out: cranelift_codegen::ir::StackSlot,
    /// calling convention of the helpers (the host's C convention)
    cc: CallConv,
    /// the `JitCtx` pointers, loaded once at entry (by field offset)
    fields: Vec<(i32, Value)>,
    /// budget and operation count
    budget: Variable,
    ops: Variable,
    /// the registers named by the trace, their variables, and whether it writes them
    regs: Vec<(Reg, Variable, bool)>,
    /// registers the trace writes but never reads, with a variable telling whether the
    /// path so far wrote them: their tags are not checked at entry, and an exit clears
    /// the low-half tags of those written (as a 64-bit write does)
    write_only: Vec<(Reg, Variable)>,
    /// the predicate file word
    preds: Variable,
    preds_written: bool,
    /// shared exit: block params (next IP, exit kind, operation)
    exit: Block,
    /// rotation that varies inside the trace, with BR.rcur / BR.pcur variables
    rot: Option<Rotation>,
    rcur: Variable,
    pcur: Variable,
    /// loop counter and LSR bits 63:32 (when the trace uses them)
    lcnt: Variable,
    lsr: Variable,
    uses_loop: bool,
    /// CTPRs checked at entry (never prepared inside the trace)
    hoisted: Vec<(u8, u64)>,
    /// the trace has calls or returns
    has_xfer: bool,
    /// PFPFR kept in a variable when the trace has host-FP operations (stored to the FP
    /// environment around helper calls and at exits)
    pf: Option<Variable>,
    /// register-preserving trampolines of the helpers: (helper, trampoline)
    tramps: &'b [(usize, usize)],
    /// this trace's number and link cells
    id: u32,
    links: *const u64,
}

/// Loop state read at the start of a bundle.
#[derive(Clone, Copy)]
struct LoopNow {
    /// loop end (i8 0/1)
    le: Value,
    /// LSR.pcnt (i64)
    pcnt: Value,
}

/// What bundle `i` computed for one op before committing.
#[derive(Clone, Copy)]
struct Res {
    v: Value,
    /// whether the op runs (None: always)
    run: Option<Value>,
    /// stores: address and TLB host address (0: through the helper)
    st: Option<(Value, Value)>,
}

fn arg(v: Value) -> BlockArg {
    BlockArg::Value(v)
}

impl Lower<'_, '_> {
    fn flags() -> MemFlagsData {
        MemFlagsData::trusted()
    }

    fn field(&self, off: i32) -> Value {
        self.fields
            .iter()
            .find(|(o, _)| *o == off)
            .map(|&(_, v)| v)
            .expect("JitCtx field loaded at entry")
    }

    fn var(&self, r: Reg) -> Option<Variable> {
        self.regs
            .iter()
            .find(|(x, _, _)| *x == r)
            .map(|&(_, v, _)| v)
    }

    /// Host address of window register `%rN` (registers of a rotating based area stay
    /// in memory).
    fn win_addr(&mut self, n: Value) -> Value {
        let win = self.field(WIN);
        let off = self.b.ins().imul_imm_u(n, 16);
        self.b.ins().iadd(win, off)
    }

    /// Window index of `%b[n]` under the current rotation.
    fn based_index(&mut self, n: u8) -> Value {
        let r = self.rot.expect("based operands only with varying rotation");
        let bsize = 2 * r.rsz as i64 + 2;
        let rcur = self.b.use_var(self.rcur);
        let x = self.b.ins().imul_imm_u(rcur, 2);
        let x = self.b.ins().iadd_imm_s(x, n as i64);
        let wrapped = self.b.ins().iadd_imm_s(x, -bsize);
        let over = self
            .b
            .ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, x, bsize);
        let x = self.b.ins().select(over, wrapped, x);
        self.b.ins().iadd_imm_s(x, 2 * r.rbs as i64)
    }

    /// Host address of a register kept in memory.
    fn mem_reg_addr(&mut self, based: bool, n: u8) -> Value {
        let idx = if based {
            self.based_index(n)
        } else {
            self.b.ins().iconst(I64, n as i64)
        };
        self.win_addr(idx)
    }

    /// Shift of physical predicate `p`'s two bits in the predicate word.
    fn pred_shift(&mut self, p: PRef) -> Value {
        match p {
            PRef::Phys(n) => self.b.ins().iconst(I64, 2 * (n as i64 & 31)),
            PRef::Rot(n) => {
                let psize = self.rot.map_or(1, |r| r.psz as i64 + 1);
                let pcur = self.b.use_var(self.pcur);
                let s = self.b.ins().iadd_imm_s(pcur, n as i64);
                let w = self.b.ins().iadd_imm_s(s, -psize);
                let over = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, s, psize);
                let s = self.b.ins().select(over, w, s);
                self.b.ins().imul_imm_u(s, 2)
            }
        }
    }

    /// Value (0/1) of a predicate before the bundle.
    fn pred(&mut self, p: PRef) -> Value {
        let sh = self.pred_shift(p);
        let pv = self.b.use_var(self.preds);
        let v = self.b.ins().ushr(pv, sh);
        self.b.ins().band_imm_u(v, 1)
    }

    /// Loop end and pcnt before the bundle.
    fn loop_now(&mut self) -> LoopNow {
        let lsr = self.b.use_var(self.lsr);
        let lcnt = self.b.use_var(self.lcnt);
        // le = vlc && ecnt == 0 && lcnt < 2
        let m = self.b.ins().band_imm_u(lsr, 0x3f);
        let vlc_e0 = self.b.ins().icmp_imm_u(IntCC::Equal, m, 0x20);
        let last = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, lcnt, 2);
        let le = self.b.ins().band(vlc_e0, last);
        let p = self.b.ins().ushr_imm_u(lsr, 16);
        let pcnt = self.b.ins().band_imm_u(p, 0x1f);
        LoopNow { le, pcnt }
    }

    /// Whether an op with guard `rlp` runs (i8), None when it always does.
    fn guard(&mut self, rlp: &[Option<Term>; 4], ln: Option<LoopNow>) -> Option<Value> {
        let mut preds: Option<Value> = None;
        let mut pcnts: Option<Value> = None;
        for t in rlp.iter().flatten() {
            let v = match *t {
                Term::Pred(p, _) => {
                    let v = self.pred(p);
                    self.b.ins().icmp_imm_u(IntCC::NotEqual, v, 0)
                }
                Term::Pcnt(n, _) => {
                    let pc = ln.expect("loop state loaded").pcnt;
                    self.b
                        .ins()
                        .icmp_imm_u(IntCC::UnsignedLessThanOrEqual, pc, n as i64)
                }
                Term::LcntZero(_) => {
                    let l = self.b.use_var(self.lcnt);
                    self.b.ins().icmp_imm_u(IntCC::Equal, l, 0)
                }
            };
            let v = if t.negated() {
                self.b.ins().bxor_imm_u(v, 1)
            } else {
                v
            };
            let acc = if matches!(t, Term::Pcnt(..)) {
                &mut pcnts
            } else {
                &mut preds
            };
            *acc = Some(match *acc {
                Some(a) => self.b.ins().bor(a, v),
                None => v,
            });
        }
        match (preds, pcnts) {
            (Some(a), Some(b)) => Some(self.b.ins().band(a, b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs `f` only when `run` (i8) holds, merging its i64 result with 0.
    fn when(&mut self, run: Option<Value>, f: impl FnOnce(&mut Self) -> Value) -> Value {
        let Some(run) = run else { return f(self) };
        let yes = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, I64);
        let zero = self.b.ins().iconst(I64, 0);
        self.b.ins().brif(run, yes, &[], done, &[arg(zero)]);
        self.b.switch_to_block(yes);
        let v = f(self);
        self.b.ins().jump(done, &[arg(v)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Jumps to the shared exit.
    fn leave(&mut self, ip: u64, why: Exit, op: i64) {
        let ip = self.b.ins().iconst(I64, ip as i64);
        let why = self.b.ins().iconst(I64, why as i64);
        let op = self.b.ins().iconst(I64, op);
        self.b.ins().jump(self.exit, &[arg(ip), arg(why), arg(op)]);
    }

    /// Value of a source.
    fn src(&mut self, s: Src) -> Value {
        match s {
            Src::Win(n) | Src::Glob(n) => {
                let r = Reg {
                    global: matches!(s, Src::Glob(_)),
                    n,
                };
                match self.var(r) {
                    Some(v) => self.b.use_var(v),
                    None => {
                        let a = self.mem_reg_addr(false, n);
                        self.b.ins().load(I64, Self::flags(), a, 0)
                    }
                }
            }
            Src::Based(n) => {
                let a = self.mem_reg_addr(true, n);
                self.b.ins().load(I64, Self::flags(), a, 0)
            }
            Src::Imm(v) => self.b.ins().iconst(I64, v as i64),
            Src::Zero => self.b.ins().iconst(I64, 0),
        }
    }

    /// Calls helper `addr` with `args` (all i64/pointer) returning one i64.
    ///
    /// A `cold` call (a slow path: TLB miss, FP outside the plain case) goes through the
    /// helper's register-preserving trampoline (the result comes back in the second
    /// word of the `out` slot), so values the trace keeps in caller-saved registers
    /// survive it without spills on the fast path; hot calls use the host convention.
    fn call(&mut self, addr: usize, args: &[Value], cold: bool) -> Value {
        if let Some(&(_, t)) = self.tramps.iter().find(|&&(h, _)| cold && h == addr) {
            let mut sig = Signature::new(CallConv::PreserveAll);
            for _ in 0..=args.len() {
                sig.params.push(AbiParam::new(I64));
            }
            let sr = self.b.import_signature(sig);
            let f = self.b.ins().iconst(self.ptr, t as i64);
            let out = self.out_addr();
            let mut all = args.to_vec();
            all.push(out);
            self.b.ins().call_indirect(sr, f, &all);
            return self.b.ins().load(I64, Self::flags(), out, 8);
        }
        let mut sig = Signature::new(self.cc);
        for _ in args {
            sig.params.push(AbiParam::new(I64));
        }
        sig.returns.push(AbiParam::new(I64));
        let sr = self.b.import_signature(sig);
        let f = self.b.ins().iconst(self.ptr, addr as i64);
        let c = self.b.ins().call_indirect(sr, f, args);
        self.b.inst_results(c)[0]
    }

    fn out_addr(&mut self) -> Value {
        self.b.ins().stack_addr(self.ptr, self.out, 0)
    }

    fn native(&mut self, n: Native, a: Value, b: Value) -> Value {
        let ins = self.b.ins();
        match n {
            Native::Add => ins.iadd(a, b),
            Native::Sub => ins.isub(a, b),
            Native::And => ins.band(a, b),
            Native::AndN => ins.band_not(a, b),
            Native::Or => ins.bor(a, b),
            Native::OrN => ins.bor_not(a, b),
            Native::Xor => ins.bxor(a, b),
            Native::XorN => ins.bxor_not(a, b),
            Native::Shl => ins.ishl(a, b),
            Native::Shr => ins.ushr(a, b),
            Native::Sar => ins.sshr(a, b),
            Native::Rotl => ins.rotl(a, b),
            Native::Rotr => ins.rotr(a, b),
            Native::CmpULt | Native::CmpEq | Native::CmpULe | Native::CmpSLt | Native::CmpSLe => {
                let cc = match n {
                    Native::CmpULt => IntCC::UnsignedLessThan,
                    Native::CmpEq => IntCC::Equal,
                    Native::CmpULe => IntCC::UnsignedLessThanOrEqual,
                    Native::CmpSLt => IntCC::SignedLessThan,
                    _ => IntCC::SignedLessThanOrEqual,
                };
                let c = ins.icmp(cc, a, b);
                self.b.ins().uextend(I64, c)
            }
        }
    }

    /// Writes `v` of width `w` into register `r` (the low 64 bits the trace keeps) when
    /// `run` holds.
    fn write_reg(&mut self, r: Reg, w: Width, v: Value, run: Option<Value>) {
        let Some(var) = self.var(r) else {
            let a = self.mem_reg_addr(false, r.n);
            return self.write_mem_reg(a, w, v, run);
        };
        let old = self.b.use_var(var);
        let v = match w {
            Width::D => v,
            Width::S64 => self.b.ins().band_imm_u(v, 0xffff_ffff),
            Width::S32 => {
                let hi = self.b.ins().band_imm_s(old, !0xffff_ffffi64);
                let lo = self.b.ins().band_imm_u(v, 0xffff_ffff);
                self.b.ins().bor(hi, lo)
            }
        };
        let v = match run {
            Some(run) => self.b.ins().select(run, v, old),
            None => v,
        };
        self.b.def_var(var, v);
        if let Some(&(_, flag)) = self.write_only.iter().find(|(x, _)| *x == r) {
            let one = self.b.ins().iconst(I64, 1);
            let f = match run {
                Some(run) => {
                    let old = self.b.use_var(flag);
                    self.b.ins().select(run, one, old)
                }
                None => one,
            };
            self.b.def_var(flag, f);
        }
    }

    /// Writes a register kept in memory at host address `a`.
    fn write_mem_reg(&mut self, a: Value, w: Width, v: Value, run: Option<Value>) {
        let (yes, done) = (self.b.create_block(), self.b.create_block());
        match run {
            Some(run) => self.b.ins().brif(run, yes, &[], done, &[]),
            None => self.b.ins().jump(yes, &[]),
        };
        self.b.switch_to_block(yes);
        match w {
            Width::D => self.b.ins().store(Self::flags(), v, a, 0),
            Width::S64 => {
                let lo = self.b.ins().band_imm_u(v, 0xffff_ffff);
                self.b.ins().store(Self::flags(), lo, a, 0)
            }
            Width::S32 => self.b.ins().istore32(Self::flags(), v, a, 0),
        };
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    fn add_var(&mut self, var: Variable, k: i64) {
        let v = self.b.use_var(var);
        let v = self.b.ins().iadd_imm_s(v, k);
        self.b.def_var(var, v);
    }

    /// Copies the FP environment into (`save`) or back from the save area.
    fn fp_copy(&mut self, save: bool) {
        let fp = self.field(FP);
        for k in 0..self.h.fp_words as i32 {
            if save {
                let v = self.b.ins().load(I64, Self::flags(), fp, 8 * k);
                self.b
                    .ins()
                    .store(Self::flags(), v, self.ctx, FP_SAVE + 8 * k);
            } else {
                let v = self
                    .b
                    .ins()
                    .load(I64, Self::flags(), self.ctx, FP_SAVE + 8 * k);
                self.b.ins().store(Self::flags(), v, fp, 8 * k);
            }
        }
    }

    /// Continues in a new block when `ok` (non-zero), else gives the bundle up in a
    /// block that records operation `op` and jumps to `bail`.
    fn require(&mut self, ok: Value, bail: Block, op: i64) {
        let cont = self.b.create_block();
        let fail = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], fail, &[]);
        self.b.switch_to_block(fail);
        let opv = self.b.ins().iconst(I64, op);
        self.b.ins().jump(bail, &[arg(opv)]);
        self.b.switch_to_block(cont);
    }

    /// Calls the semantic helper of spec operation `id`; gives the bundle up when it
    /// reports an exception.
    fn helper(&mut self, id: u16, a: Value, b: Value, c: Value, bail: Block, cold: bool) -> Value {
        let fp = self.field(FP);
        self.pf_sync(true);
        let out = self.out_addr();
        let idv = self.b.ins().iconst(I64, id as i64);
        let ok = self.call(self.h.sem, &[idv, fp, a, b, c, out], cold);
        self.pf_sync(false);
        self.require(ok, bail, id as i64);
        let out = self.out_addr();
        self.b.ins().load(I64, Self::flags(), out, 0)
    }

    /// An f64 operation: on the host FPU when PFPFR selects round-to-nearest with
    /// inexact masked and the operands and result are plain (normal or zero, result
    /// away from the underflow range), setting PFPFR.PE when the result is inexact
    /// (decided exactly by an error-free transformation); else the semantic helper.
    /// The same rule as the interpreter's host shortcut, so both give identical bits
    /// and flags.
    fn fp_op(&mut self, f: FpOp, id: u16, a: Value, b: Value, c: Value, bail: Block) -> Value {
        const EXP: i64 = 0x7ff0_0000_0000_0000;
        const ABS: i64 = 0x7fff_ffff_ffff_ffff;
        const MIN_NORMAL: i64 = 0x0010_0000_0000_0000;
        const MIN_OK: i64 = 0x0020_0000_0000_0000; // 2 * f64::MIN_POSITIVE
        let tiny = 1.0e-250f64.to_bits() as i64;
        let pf_var = self
            .pf
            .expect("PFPFR variable of a trace with FP operations");
        let pf = self.b.use_var(pf_var);
        // RC (bits 13..14) nearest and PM (bit 12) set
        let env = self.b.ins().band_imm_u(pf, 0x7000);
        let mut ok = self.b.ins().icmp_imm_u(IntCC::Equal, env, 0x1000);
        // `lo <= mag < EXP` as one unsigned compare
        let in_range = |me: &mut Self, mag: Value, lo: i64| {
            let d = me.b.ins().iadd_imm_s(mag, -lo);
            me.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, d, EXP - lo)
        };
        // operands normal or zero
        let mut zero_operand: Option<Value> = None;
        for v in [a, b] {
            let mag = self.b.ins().band_imm_u(v, ABS);
            let zero = self.b.ins().icmp_imm_u(IntCC::Equal, mag, 0);
            let normal = in_range(self, mag, MIN_NORMAL);
            let plain = self.b.ins().bor(normal, zero);
            ok = self.b.ins().band(ok, plain);
            zero_operand = Some(match zero_operand {
                Some(z) => self.b.ins().bor(z, zero),
                None => zero,
            });
        }
        let zero_operand = zero_operand.expect("two operands");
        let x = self.b.ins().bitcast(types::F64, MemFlagsData::new(), a);
        let y = self.b.ins().bitcast(types::F64, MemFlagsData::new(), b);
        let (rb, exact) = match f {
            FpOp::AddD | FpOp::SubD => {
                let y = if f == FpOp::SubD {
                    self.b.ins().fneg(y)
                } else {
                    y
                };
                let s = self.b.ins().fadd(x, y);
                // TwoSum: the rounding error of x + y, exactly
                let bb = self.b.ins().fsub(s, x);
                let t = self.b.ins().fsub(s, bb);
                let e1 = self.b.ins().fsub(x, t);
                let e2 = self.b.ins().fsub(y, bb);
                let err = self.b.ins().fadd(e1, e2);
                let zero = self.b.ins().f64const(0.0);
                let exact = self.b.ins().fcmp(FloatCC::Equal, err, zero);
                // result zero, or finite and at least 2 * MIN_POSITIVE in magnitude
                let rb = self.b.ins().bitcast(I64, MemFlagsData::new(), s);
                let rmag = self.b.ins().band_imm_u(rb, ABS);
                let rzero = self.b.ins().icmp_imm_u(IntCC::Equal, rmag, 0);
                let big = in_range(self, rmag, MIN_OK);
                let rok = self.b.ins().bor(rzero, big);
                ok = self.b.ins().band(ok, rok);
                (rb, exact)
            }
            FpOp::MulD => {
                let p = self.b.ins().fmul(x, y);
                let rb = self.b.ins().bitcast(I64, MemFlagsData::new(), p);
                let pmag = self.b.ins().band_imm_u(rb, ABS);
                // a zero product is exact only from a zero operand (else underflow); a
                // nonzero one must be finite and far enough above the denormal range
                // for its error term to be representable
                let pzero = self.b.ins().icmp_imm_u(IntCC::Equal, pmag, 0);
                let zero_ok = self.b.ins().band(pzero, zero_operand);
                let big = in_range(self, pmag, tiny);
                let rok = self.b.ins().bor(zero_ok, big);
                ok = self.b.ins().band(ok, rok);
                let np = self.b.ins().fneg(p);
                let err = self.b.ins().fma(x, y, np);
                let zero = self.b.ins().f64const(0.0);
                let exact = self.b.ins().fcmp(FloatCC::Equal, err, zero);
                let exact = self.b.ins().bor(exact, pzero);
                (rb, exact)
            }
        };
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, I64);
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let inexact = self.b.ins().bxor_imm_u(exact, 1);
        let inexact = self.b.ins().uextend(I64, inexact);
        let pe = self.b.ins().imul_imm_u(inexact, 0x20);
        let npf = self.b.ins().bor(pf, pe);
        self.b.def_var(pf_var, npf);
        self.b.ins().jump(done, &[arg(rb)]);
        self.b.switch_to_block(slow);
        let v = self.helper(id, a, b, c, bail, true);
        self.b.ins().jump(done, &[arg(v)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Stores the PFPFR variable into the FP environment (`out`) or reloads it.
    fn pf_sync(&mut self, out: bool) {
        let Some(var) = self.pf else { return };
        let fp = self.field(FP);
        let off = self.h.pfpfr_off;
        if out {
            let v = self.b.use_var(var);
            self.b.ins().istore32(Self::flags(), v, fp, off);
        } else {
            let v = self.b.ins().uload32(Self::flags(), fp, off);
            self.b.def_var(var, v);
        }
    }

    /// Looks `addr` (an access of `n` bytes) up in the TLB at `tlb`: whether the entry
    /// matches and the access stays in the page, and the host address it then has.
    fn tlb_host(&mut self, tlb_field: i32, addr: Value, n: u8) -> (Value, Value) {
        let l = self.h.tlb;
        let tlb = self.field(tlb_field);
        let vpn = self.b.ins().ushr_imm_u(addr, 12);
        let slot = self.b.ins().band_imm_u(vpn, (l.slots - 1) as i64);
        let off = self.b.ins().ishl_imm_u(slot, l.entry_shift as i64);
        let e = self.b.ins().iadd(tlb, off);
        let tag = self.b.ins().load(I64, Self::flags(), e, l.vpn_off);
        let host = self.b.ins().load(I64, Self::flags(), e, l.host_off);
        let in_page = self.b.ins().band_imm_u(addr, PAGE - 1);
        let hit = self.b.ins().icmp(IntCC::Equal, tag, vpn);
        let fits =
            self.b
                .ins()
                .icmp_imm_u(IntCC::UnsignedLessThanOrEqual, in_page, PAGE - n as i64);
        let ok = self.b.ins().band(hit, fits);
        let p = self.b.ins().iadd(host, in_page);
        (ok, p)
    }

    /// Load of `n` bytes at `addr` (zero-extended): inline on a TLB hit, else the
    /// helper (which gives the bundle up on a fault).
    fn load(&mut self, addr: Value, n: u8, bail: Block) -> Value {
        let (hit, host) = self.tlb_host(RTLB, addr, n);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, I64);
        self.b.ins().brif(hit, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        let v = match n {
            8 => self.b.ins().load(I64, Self::flags(), host, 0),
            4 => self.b.ins().uload32(Self::flags(), host, 0),
            2 => self.b.ins().uload16(I64, Self::flags(), host, 0),
            _ => self.b.ins().uload8(I64, Self::flags(), host, 0),
        };
        self.b.ins().jump(done, &[arg(v)]);
        self.b.switch_to_block(slow);
        let mem = self.field(MEM);
        let out = self.out_addr();
        let len = self.b.ins().iconst(I64, n as i64);
        let ok = self.call(self.h.load, &[mem, addr, len, out], true);
        self.require(ok, bail, NO_OP);
        let out = self.out_addr();
        let v = self.b.ins().load(I64, Self::flags(), out, 0);
        self.b.ins().jump(done, &[arg(v)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Checks a store of `n` bytes at `addr` before the bundle commits: the host
    /// address on a TLB hit, else 0 after the helper checked the page is writable.
    fn store_check(&mut self, addr: Value, n: u8, bail: Block) -> Value {
        let (hit, host) = self.tlb_host(WTLB, addr, n);
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, I64);
        self.b.ins().brif(hit, done, &[arg(host)], slow, &[]);
        self.b.switch_to_block(slow);
        let mem = self.field(MEM);
        let len = self.b.ins().iconst(I64, n as i64);
        let ok = self.call(self.h.check_write, &[mem, addr, len], true);
        self.require(ok, bail, NO_OP);
        let zero = self.b.ins().iconst(I64, 0);
        self.b.ins().jump(done, &[arg(zero)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Performs a checked store; returns non-zero when it hit a page of decoded code.
    fn store(&mut self, host: Value, addr: Value, n: u8, v: Value) -> Value {
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let done = self.b.create_block();
        self.b.append_block_param(done, I64);
        self.b.ins().brif(host, fast, &[], slow, &[]);
        self.b.switch_to_block(fast);
        match n {
            8 => self.b.ins().store(Self::flags(), v, host, 0),
            4 => self.b.ins().istore32(Self::flags(), v, host, 0),
            2 => self.b.ins().istore16(Self::flags(), v, host, 0),
            _ => self.b.ins().istore8(Self::flags(), v, host, 0),
        };
        let zero = self.b.ins().iconst(I64, 0);
        self.b.ins().jump(done, &[arg(zero)]);
        self.b.switch_to_block(slow);
        let mem = self.field(MEM);
        let len = self.b.ins().iconst(I64, n as i64);
        let hit = self.call(self.h.store, &[mem, addr, len, v], true);
        self.b.ins().jump(done, &[arg(hit)]);
        self.b.switch_to_block(done);
        self.b.block_params(done)[0]
    }

    /// Emits bundle `i`; `blocks[i]` is its entry.
    fn bundle(&mut self, t: &Trace, i: usize, blocks: &[Block]) {
        let bd: &Bundle = &t.bundles[i];
        self.b.switch_to_block(blocks[i]);
        // budget: return before the bundle when it is used up (exact, so that a budget
        // of one bundle, as in single-stepping, still runs natively)
        let budget = self.b.use_var(self.budget);
        let body = self.b.create_block();
        let out_of_budget = self.b.create_block();
        self.b.ins().brif(budget, body, &[], out_of_budget, &[]);
        self.b.switch_to_block(out_of_budget);
        self.leave(bd.addr, Exit::Budget, NO_OP);
        self.b.switch_to_block(body);

        // give-up block of this bundle (param: the operation that gave up)
        let bail = self.b.create_block();
        self.b.append_block_param(bail, I64);
        // helpers may change any FP word: keep a copy to restore on a give-up (host-FP
        // operations and their slow paths change only PFPFR, kept in a variable)
        let helpers_touch_fp = bd.ops.iter().any(|o| matches!(o.kind, Kind::Helper(_)));
        if helpers_touch_fp {
            self.fp_copy(true);
        }
        let pf0 = self.pf.map(|v| self.b.use_var(v));
        let ln = bd.uses_loop().then(|| self.loop_now());
        // ---- compute
        let mut results: Vec<Res> = Vec::new();
        let mut ran: Option<Value> = None;
        let mut strmd_dec: Option<Value> = None;
        for op in &bd.ops {
            let mut run = self.guard(&op.rlp, ln);
            if let Some(r) = run {
                let r = self.b.ins().uextend(I64, r);
                ran = Some(match ran {
                    Some(x) => self.b.ins().iadd(x, r),
                    None => r,
                });
            } else {
                let one = self.b.ins().iconst(I64, 1);
                ran = Some(match ran {
                    Some(x) => self.b.ins().iadd(x, one),
                    None => one,
                });
            }
            if let (Kind::Store(_), true) = (op.kind, bd.loop_mode) {
                // loop mode: no stores in the prologue, nor once the epilogue's stores
                // are used up at the loop end
                let ln = ln.expect("loop state loaded");
                let pro = self.b.ins().icmp_imm_u(IntCC::NotEqual, ln.pcnt, 0);
                let lsr = self.b.use_var(self.lsr);
                let strmd = self.b.ins().ushr_imm_u(lsr, 21);
                let strmd = self.b.ins().band_imm_u(strmd, 0x7f);
                let s0 = self.b.ins().icmp_imm_u(IntCC::Equal, strmd, 0);
                let done = self.b.ins().band(ln.le, s0);
                let off = self.b.ins().bor(pro, done);
                let on = self.b.ins().bxor_imm_u(off, 1);
                let eff = match run {
                    Some(r) => self.b.ins().band(r, on),
                    None => on,
                };
                let dec = self.b.ins().band(eff, ln.le);
                let dec = self.b.ins().uextend(I64, dec);
                strmd_dec = Some(match strmd_dec {
                    Some(x) => self.b.ins().iadd(x, dec),
                    None => dec,
                });
                run = Some(eff);
            }
            // sources are read whether or not the op runs: registers kept in memory lie
            // inside the window the entry guard checked, so the reads are always valid
            let a = self.src(op.src[0]);
            let b = self.src(op.src[1]);
            let c = self.src(op.src[2]);
            let r = match op.kind {
                Kind::Native(n) => Res {
                    v: self.native(n, a, b),
                    run,
                    st: None,
                },
                Kind::Helper(id) => {
                    let v = self.when(run, |me| me.helper(id, a, b, c, bail, false));
                    Res { v, run, st: None }
                }
                Kind::Fp(f, id) => {
                    let v = self.when(run, |me| me.fp_op(f, id, a, b, c, bail));
                    Res { v, run, st: None }
                }
                Kind::Load(n) => {
                    let v = self.when(run, |me| {
                        let addr = me.b.ins().iadd(a, b);
                        me.load(addr, n, bail)
                    });
                    Res { v, run, st: None }
                }
                Kind::Store(n) => {
                    let addr = self.b.ins().iadd(a, b);
                    let host = self.when(run, |me| me.store_check(addr, n, bail));
                    Res {
                        v: c,
                        run,
                        st: Some((addr, host)),
                    }
                }
            };
            results.push(r);
        }
        // ---- transfer decision (predicates, loop state and CTPRs as before the bundle)
        let mut taken: Option<Value> = None;
        let mut target = 0u64;
        // setwd: the new size must not be below the parameter area and must fit the
        // registers allocated (else the interpreter faults or grows the file)
        if let Some((w, _, _)) = bd.setwd {
            let psize = self.b.ins().load(I64, Self::flags(), self.ctx, PSIZE);
            let avail = self.b.ins().load(I64, Self::flags(), self.ctx, WIN_AVAIL);
            let lo = self
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedLessThanOrEqual, psize, w as i64);
            let hi = self
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, avail, w as i64);
            let ok = self.b.ins().band(lo, hi);
            let ok = self.b.ins().uextend(I64, ok);
            self.require(ok, bail, NO_OP);
        }
        match bd.xfer {
            Xfer::None => {}
            Xfer::Return { cond } => {
                let tk = self.taken(cond, ln);
                taken = Some(tk);
                // taken: CTPR3 must be a RETURN (unless this bundle prepares it) and the
                // chain stack must allow the return
                let yes = self.b.create_block();
                let done = self.b.create_block();
                self.b.ins().brif(tk, yes, &[], done, &[]);
                self.b.switch_to_block(yes);
                if !bd.prep_return {
                    let cp = self.field(CTPR);
                    let c = self.b.ins().load(I64, Self::flags(), cp, 24);
                    let tag = self.b.ins().ushr_imm_u(c, 54);
                    let tag = self.b.ins().band_imm_u(tag, 7);
                    let ok = self.b.ins().icmp_imm_u(IntCC::Equal, tag, 2);
                    let ok = self.b.ins().uextend(I64, ok);
                    self.require(ok, bail, NO_OP);
                }
                let kind = self.b.ins().iconst(I64, Exit::Return as i64);
                let zero = self.b.ins().iconst(I64, 0);
                let ok = self.call(self.h.can_xfer, &[self.ctx, kind, zero, zero], false);
                self.require(ok, bail, NO_OP);
                self.b.ins().jump(done, &[]);
                self.b.switch_to_block(done);
            }
            Xfer::Ct {
                cond, target: t, ..
            }
            | Xfer::Call {
                cond, target: t, ..
            }
            | Xfer::Ibranch { cond, target: t } => {
                target = t;
                taken = Some(self.taken(cond, ln));
                if let Xfer::Call { wbs, .. } = bd.xfer {
                    // taken: the call must be possible with the window after the bundle
                    let tk = taken.unwrap();
                    let yes = self.b.create_block();
                    let done = self.b.create_block();
                    self.b.ins().brif(tk, yes, &[], done, &[]);
                    self.b.switch_to_block(yes);
                    let w = match bd.setwd {
                        Some((w, _, _)) => self.b.ins().iconst(I64, w as i64),
                        None => self.b.ins().load(I64, Self::flags(), self.ctx, WSIZE),
                    };
                    let kind = self.b.ins().iconst(I64, Exit::Call as i64);
                    let wbs = self.b.ins().iconst(I64, wbs as i64);
                    let ok = self.call(self.h.can_xfer, &[self.ctx, kind, wbs, w], false);
                    self.require(ok, bail, NO_OP);
                    self.b.ins().jump(done, &[]);
                    self.b.switch_to_block(done);
                }
                if let Xfer::Ct {
                    ctpr,
                    expect,
                    static_ctpr: false,
                    ..
                }
                | Xfer::Call {
                    ctpr,
                    expect,
                    static_ctpr: false,
                    ..
                } = bd.xfer
                {
                    // (CTPRs checked at entry and never prepared here need no check)
                    if !self.hoisted.contains(&(ctpr & 3, expect)) {
                        // when taken, the CTPR must hold what the trace was built for
                        let cp = self.field(CTPR);
                        let c = self
                            .b
                            .ins()
                            .load(I64, Self::flags(), cp, 8 * (ctpr as i32 & 3));
                        let same = self.b.ins().icmp_imm_u(IntCC::Equal, c, expect as i64);
                        let same = self.b.ins().uextend(I64, same);
                        let nt = self.b.ins().icmp_imm_u(IntCC::Equal, taken.unwrap(), 0);
                        let nt = self.b.ins().uextend(I64, nt);
                        let ok = self.b.ins().bor(same, nt);
                        self.require(ok, bail, NO_OP);
                    }
                }
            }
        }
        // ---- commit
        if let Some((n, v)) = bd.prep {
            let cp = self.field(CTPR);
            let v = self.b.ins().iconst(I64, v as i64);
            self.b.ins().store(Self::flags(), v, cp, 8 * (n as i32 & 3));
        }
        if bd.prep_return {
            let v = self.call(self.h.prep_return, &[self.ctx], false);
            let cp = self.field(CTPR);
            self.b.ins().store(Self::flags(), v, cp, 24);
        }
        if let Some((w, nfx, d)) = bd.setwd {
            for (off, v) in [(WSIZE, w as i64), (WFX, !nfx as i64), (WDBL, d as i64)] {
                let v = self.b.ins().iconst(I64, v);
                self.b.ins().store(Self::flags(), v, self.ctx, off);
            }
        }
        let mut smc: Option<Value> = None;
        for (op, r) in bd.ops.iter().zip(results.iter()) {
            if let (Kind::Store(n), Some((addr, host))) = (op.kind, r.st) {
                let v = r.v;
                let hit = self.when(r.run, |me| me.store(host, addr, n, v));
                smc = Some(match smc {
                    Some(s) => self.b.ins().bor(s, hit),
                    None => hit,
                });
            }
        }
        for (op, r) in bd.ops.iter().zip(results.iter()) {
            match op.dst {
                Dst::Win(n, w) => self.write_reg(Reg { global: false, n }, w, r.v, r.run),
                Dst::Glob(n, w) => self.write_reg(Reg { global: true, n }, w, r.v, r.run),
                Dst::Based(n, w) => {
                    let a = self.mem_reg_addr(true, n);
                    self.write_mem_reg(a, w, r.v, r.run)
                }
                Dst::Pred(p) => {
                    let sh = self.pred_shift(p);
                    let old = self.b.use_var(self.preds);
                    let three = self.b.ins().iconst(I64, 3);
                    let m = self.b.ins().ishl(three, sh);
                    let cleared = self.b.ins().band_not(old, m);
                    let bit = self.b.ins().band_imm_u(r.v, 1);
                    let bit = self.b.ins().ishl(bit, sh);
                    let new = self.b.ins().bor(cleared, bit);
                    let new = match r.run {
                        Some(run) => self.b.ins().select(run, new, old),
                        None => new,
                    };
                    self.b.def_var(self.preds, new);
                }
                Dst::None => {}
            }
        }
        if let Some(dec) = strmd_dec {
            let lsr = self.b.use_var(self.lsr);
            let strmd = self.b.ins().ushr_imm_u(lsr, 21);
            let strmd = self.b.ins().band_imm_u(strmd, 0x7f);
            let less = self.b.ins().isub(strmd, dec);
            let under = self.b.ins().icmp(IntCC::UnsignedLessThan, strmd, dec);
            let zero = self.b.ins().iconst(I64, 0);
            let nv = self.b.ins().select(under, zero, less);
            let nv = self.b.ins().ishl_imm_u(nv, 21);
            let kept = self.b.ins().band_imm_s(lsr, !(0x7fi64 << 21));
            let nl = self.b.ins().bor(kept, nv);
            self.b.def_var(self.lsr, nl);
        }
        // stubs: bit 0 fires on a taken transfer, bit 1 otherwise (a bundle with an
        // unconditional transfer always takes it)
        self.stubs(bd, taken);
        if let Some(n) = ran {
            let v = self.b.use_var(self.ops);
            let v = self.b.ins().iadd(v, n);
            self.b.def_var(self.ops, v);
        }
        self.add_var(self.budget, -1);
        // ---- where next
        let head = t.bundles[0].addr;
        // after a setwd the window may differ from the head's: leave (and re-enter
        // through the entry check) instead of looping natively
        let loops = !t.bundles.iter().any(|b| b.setwd.is_some());
        let follow = |addr: u64| -> Option<Block> {
            if addr == head && loops {
                Some(blocks[0])
            } else if i + 1 < t.bundles.len() && t.bundles[i + 1].addr == addr {
                Some(blocks[i + 1])
            } else {
                None
            }
        };
        // a store into decoded code ends the trace after the bundle
        let (go_taken, go_next) = (follow(target), follow(bd.next));
        let emit_go = |me: &mut Self, dest: Option<Block>, addr: u64, cell: i64| match dest {
            Some(blk) => {
                if let Some(s) = smc {
                    let leave = me.b.create_block();
                    me.b.ins().brif(s, leave, &[], blk, &[]);
                    me.b.switch_to_block(leave);
                    me.leave(addr, Exit::CodeWrite, NO_OP);
                } else {
                    me.b.ins().jump(blk, &[]);
                }
            }
            None => me.leave(addr, Exit::Path, cell),
        };
        let base = (crate::LINK_WORDS * i) as i64;
        let (cell_taken, cell_next) = (base, base + 1);
        match taken {
            None => emit_go(self, go_next, bd.next, cell_next),
            Some(tk) => {
                let tb = self.b.create_block();
                let nb = self.b.create_block();
                self.b.ins().brif(tk, tb, &[], nb, &[]);
                self.b.switch_to_block(tb);
                match bd.xfer {
                    Xfer::Call { wbs, .. } => {
                        // the exit's helper does the call (a store of this bundle into
                        // decoded code is seen by the dispatcher after it)
                        let wbs = self.b.ins().iconst(I64, wbs as i64);
                        self.b.ins().store(Self::flags(), wbs, self.ctx, CALL_WBS);
                        let ret = self.b.ins().iconst(I64, bd.next as i64);
                        self.b.ins().store(Self::flags(), ret, self.ctx, CALL_RET);
                        self.leave(target, Exit::Call, cell_taken);
                    }
                    Xfer::Return { .. } => self.leave(0, Exit::Return, base + 2),
                    _ => emit_go(self, go_taken, target, cell_taken),
                }
                self.b.switch_to_block(nb);
                emit_go(self, go_next, bd.next, cell_next);
            }
        }
        // ---- give up: nothing of this bundle happened
        self.b.switch_to_block(bail);
        let op = self.b.block_params(bail)[0];
        if helpers_touch_fp {
            self.fp_copy(false);
        }
        if let (Some(var), Some(v)) = (self.pf, pf0) {
            self.b.def_var(var, v);
        }
        let ip = self.b.ins().iconst(I64, bd.addr as i64);
        let why = self.b.ins().iconst(I64, Exit::GaveUp as i64);
        self.b.ins().jump(self.exit, &[arg(ip), arg(why), arg(op)]);
    }

    /// Whether a transfer on `cond` is taken (i64 0/1).
    fn taken(&mut self, cond: Cond, ln: Option<LoopNow>) -> Value {
        match cond {
            Cond::Always => self.b.ins().iconst(I64, 1),
            Cond::Ct { kind, p } => {
                let v = self.ct_cond(kind, p, ln);
                self.b.ins().uextend(I64, v)
            }
        }
    }

    /// SS.ctcond `kind` on predicate `p` and the loop state (i8 0/1).
    fn ct_cond(&mut self, kind: u8, p: PRef, ln: Option<LoopNow>) -> Value {
        let needs_pred = matches!(kind, 2 | 3 | 6 | 7 | 0xe | 0xf);
        let pv = if needs_pred {
            let v = self.pred(p);
            Some(self.b.ins().icmp_imm_u(IntCC::NotEqual, v, 0))
        } else {
            None
        };
        let not = |me: &mut Self, v: Value| me.b.ins().bxor_imm_u(v, 1);
        match kind {
            2 => pv.unwrap(),
            3 => not(self, pv.unwrap()),
            _ => {
                let ln = ln.expect("loop state loaded");
                let le = ln.le;
                let p = pv.unwrap_or(le);
                let in_pro = self.b.ins().icmp_imm_u(IntCC::NotEqual, ln.pcnt, 0);
                let nle = not(self, le);
                let np = not(self, p);
                let (pro, other) = match kind {
                    4 => return le,
                    5 => return nle,
                    6 => (le, self.b.ins().bor(p, le)),
                    7 => (nle, self.b.ins().band(np, nle)),
                    0xe => (le, self.b.ins().bor(np, le)),
                    _ => (nle, self.b.ins().band(p, nle)),
                };
                self.b.ins().select(in_pro, pro, other)
            }
        }
    }

    /// The bundle's alc/abn/abp stubs.
    fn stubs(&mut self, bd: &Bundle, taken: Option<Value>) {
        // Some(static) or None (decided at run time by `taken`)
        let fire = |v: u8| -> Result<bool, (bool, bool)> {
            match (bd.xfer, taken) {
                (Xfer::None, _) | (_, None) => Ok(v & 2 != 0),
                (
                    Xfer::Ct {
                        cond: Cond::Always, ..
                    }
                    | Xfer::Ibranch {
                        cond: Cond::Always, ..
                    },
                    _,
                ) => Ok(v & 1 != 0),
                _ => Err((v & 1 != 0, v & 2 != 0)),
            }
        };
        let cond = |me: &mut Self, f: Result<bool, (bool, bool)>| -> Option<Option<Value>> {
            match f {
                Ok(false) => None,
                Ok(true) => Some(None),
                Err((t, n)) => {
                    let tk = taken.expect("dynamic only with a transfer");
                    match (t, n) {
                        (false, false) => None,
                        (true, true) => Some(None),
                        (true, false) => Some(Some(me.b.ins().icmp_imm_u(IntCC::NotEqual, tk, 0))),
                        (false, true) => Some(Some(me.b.ins().icmp_imm_u(IntCC::Equal, tk, 0))),
                    }
                }
            }
        };
        if let Some(c) = cond(self, fire(bd.alc)) {
            let lcnt = self.b.use_var(self.lcnt);
            let lsr = self.b.use_var(self.lsr);
            let (nl, nh) = {
                let yes = self.b.create_block();
                let done = self.b.create_block();
                self.b.append_block_param(done, I64);
                self.b.append_block_param(done, I64);
                match c {
                    Some(c) => self.b.ins().brif(c, yes, &[], done, &[arg(lcnt), arg(lsr)]),
                    None => self.b.ins().jump(yes, &[]),
                };
                self.b.switch_to_block(yes);
                let out = self.out_addr();
                let h = self.call(self.h.alc, &[lcnt, lsr, out], false);
                let out = self.out_addr();
                let l = self.b.ins().load(I64, Self::flags(), out, 0);
                self.b.ins().jump(done, &[arg(l), arg(h)]);
                self.b.switch_to_block(done);
                (self.b.block_params(done)[0], self.b.block_params(done)[1])
            };
            self.b.def_var(self.lcnt, nl);
            self.b.def_var(self.lsr, nh);
        }
        for (v, var, size) in [
            (bd.abn, self.rcur, self.rot.map(|r| r.rsz)),
            (bd.abp, self.pcur, self.rot.map(|r| r.psz)),
        ] {
            let Some(size) = size else { continue };
            if let Some(c) = cond(self, fire(v)) {
                // cur = (cur + size) mod (size + 1), i.e. one step down
                let cur = self.b.use_var(var);
                let z = self.b.ins().icmp_imm_u(IntCC::Equal, cur, 0);
                let dec = self.b.ins().iadd_imm_s(cur, -1);
                let top = self.b.ins().iconst(I64, size as i64);
                let new = self.b.ins().select(z, top, dec);
                let new = match c {
                    Some(c) => self.b.ins().select(c, new, cur),
                    None => new,
                };
                self.b.def_var(var, new);
            }
        }
    }

    /// The shared exit: stores the written registers, predicates and counters back.
    fn emit_exit(&mut self, budget0: Value) {
        self.b.switch_to_block(self.exit);
        let [ip, why, op] = [0, 1, 2].map(|k| self.b.block_params(self.exit)[k]);
        for k in 0..self.regs.len() {
            let (r, var, written) = self.regs[k];
            if !written {
                continue;
            }
            let base = self.field(if r.global { G } else { WIN });
            let v = self.b.use_var(var);
            self.b.ins().store(Self::flags(), v, base, 16 * r.n as i32);
        }
        for k in 0..self.write_only.len() {
            let (r, flag) = self.write_only[k];
            let tb = self.field(if r.global { GTAG } else { WTAG });
            let t = self.b.ins().uload8(I64, Self::flags(), tb, r.n as i32);
            let cleared = self.b.ins().band_imm_u(t, 0xf0);
            let f = self.b.use_var(flag);
            let t = self.b.ins().select(f, cleared, t);
            self.b.ins().istore8(Self::flags(), t, tb, r.n as i32);
        }
        if self.preds_written {
            let pp = self.field(PREDS);
            let v = self.b.use_var(self.preds);
            self.b.ins().store(Self::flags(), v, pp, 0);
        }
        self.pf_sync(true);
        let mut state = vec![];
        if let Some(r) = self.rot {
            if r.dyn_regs {
                state.push((self.rcur, RCUR));
            }
            if r.dyn_preds {
                state.push((self.pcur, PCUR));
            }
        }
        if self.uses_loop {
            state.push((self.lcnt, LCNT));
            state.push((self.lsr, LSR));
        }
        for (var, off) in state {
            let v = self.b.use_var(var);
            self.b.ins().store(Self::flags(), v, self.ctx, off);
        }
        let budget = self.b.use_var(self.budget);
        let ran = self.b.ins().isub(budget0, budget);
        let before = self.b.ins().load(I64, Self::flags(), self.ctx, BUNDLES);
        let ran = self.b.ins().iadd(before, ran);
        let ops = self.b.use_var(self.ops);
        let id = self.b.ins().iconst(I64, self.id as i64);
        for (v, off) in [
            (budget, BUDGET),
            (ran, BUNDLES),
            (ops, OPS),
            (why, EXIT),
            (op, EXIT_OP),
            (id, EXIT_TRACE),
        ] {
            self.b.ins().store(Self::flags(), v, self.ctx, off);
        }
        // calls and returns: the helper moves the window and chain stack
        let ip = if self.has_xfer {
            let is_call = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, why, Exit::Call as i64);
            let is_ret = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, why, Exit::Return as i64);
            let any = self.b.ins().bor(is_call, is_ret);
            let yes = self.b.create_block();
            let done = self.b.create_block();
            self.b.append_block_param(done, I64);
            self.b.ins().brif(any, yes, &[], done, &[arg(ip)]);
            self.b.switch_to_block(yes);
            let nip = self.call(self.h.xfer, &[self.ctx, why, ip], false);
            self.b.ins().jump(done, &[arg(nip)]);
            self.b.switch_to_block(done);
            self.b.block_params(done)[0]
        } else {
            ip
        };
        // a path exit or call whose link cell names a trace continues there; a return
        // whose address is in the bundle's return cache continues in its trace
        let path = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, why, Exit::Path as i64);
        let call = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, why, Exit::Call as i64);
        let path = self.b.ins().bor(path, call);
        let look = self.b.create_block();
        let ret = self.b.create_block();
        let chain = self.b.create_block();
        self.b.append_block_param(chain, I64);
        let links = self.b.ins().iconst(I64, self.links as i64);
        let off = self.b.ins().ishl_imm_u(op, 3);
        let cell = self.b.ins().iadd(links, off);
        if self.has_xfer {
            let is_ret = self
                .b
                .ins()
                .icmp_imm_u(IntCC::Equal, why, Exit::Return as i64);
            let cache = self.b.create_block();
            let not_ret = self.b.create_block();
            self.b.ins().brif(is_ret, cache, &[], not_ret, &[]);
            self.b.switch_to_block(cache);
            let ip0 = self.b.ins().load(I64, Self::flags(), cell, 0);
            let e0 = self.b.ins().load(I64, Self::flags(), cell, 8);
            let ip1 = self.b.ins().load(I64, Self::flags(), cell, 16);
            let e1 = self.b.ins().load(I64, Self::flags(), cell, 24);
            let zero = self.b.ins().iconst(I64, 0);
            let m1 = self.b.ins().icmp(IntCC::Equal, ip1, ip);
            let e = self.b.ins().select(m1, e1, zero);
            let m0 = self.b.ins().icmp(IntCC::Equal, ip0, ip);
            let e = self.b.ins().select(m0, e0, e);
            self.b.ins().brif(e, chain, &[arg(e)], ret, &[]);
            self.b.switch_to_block(not_ret);
        }
        self.b.ins().brif(path, look, &[], ret, &[]);
        self.b.switch_to_block(look);
        let next = self.b.ins().load(I64, Self::flags(), cell, 0);
        self.b.ins().brif(next, chain, &[arg(next)], ret, &[]);
        self.b.switch_to_block(chain);
        let next = self.b.block_params(chain)[0];
        let sig = trace_signature(self.ptr);
        let sr = self.b.import_signature(sig);
        self.b.ins().return_call_indirect(sr, next, &[self.ctx]);
        self.b.switch_to_block(ret);
        self.b.ins().return_(&[ip]);
    }
}

/// The target facts lowering needs.
pub(crate) struct Target {
    pub ptr: Type,
    pub cc: CallConv,
    pub fe: cranelift_codegen::isa::TargetFrontendConfig,
}

impl Target {
    pub fn of(m: &cranelift_jit::JITModule) -> Target {
        use cranelift_module::Module;
        Target {
            ptr: m.target_config().pointer_type(),
            cc: m.isa().default_call_conv(),
            fe: m.target_config(),
        }
    }
}

/// The signature of every trace: `fn(ctx) -> next IP`, tail-call convention.
fn trace_signature(ptr: Type) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::new(ptr));
    sig.returns.push(AbiParam::new(I64));
    sig
}

/// Builds the register-preserving trampoline of helper `addr` taking `nargs` i64
/// arguments and returning one: `fn(args..., out)` in the preserve-all convention,
/// calling the helper in the host convention and storing its result at `out + 8`.
pub(crate) fn preserving_trampoline(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    target: &Target,
    addr: usize,
    nargs: usize,
) {
    func.signature = Signature::new(CallConv::PreserveAll);
    for _ in 0..=nargs {
        func.signature.params.push(AbiParam::new(I64));
    }
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let mut sig = Signature::new(target.cc);
    for _ in 0..nargs {
        sig.params.push(AbiParam::new(I64));
    }
    sig.returns.push(AbiParam::new(I64));
    let sr = b.import_signature(sig);
    let f = b.ins().iconst(target.ptr, addr as i64);
    let c = b.ins().call_indirect(sr, f, &params[..nargs]);
    let r = b.inst_results(c)[0];
    b.ins().store(MemFlagsData::trusted(), r, params[nargs], 8);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(target.fe);
}

/// Builds the trampoline `fn(ctx, trace) -> ip` (host convention) that calls a trace.
pub(crate) fn trampoline(func: &mut Function, fctx: &mut FunctionBuilderContext, target: &Target) {
    let ptr = target.ptr;
    func.signature.call_conv = target.cc;
    func.signature.params.push(AbiParam::new(ptr));
    func.signature.params.push(AbiParam::new(ptr));
    func.signature.returns.push(AbiParam::new(I64));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let (ctx, f) = (b.block_params(entry)[0], b.block_params(entry)[1]);
    let sr = b.import_signature(trace_signature(ptr));
    let c = b.ins().call_indirect(sr, f, &[ctx]);
    let r = b.inst_results(c)[0];
    b.ins().return_(&[r]);
    b.seal_all_blocks();
    b.finalize(target.fe);
}

/// The registers `t` keeps in variables, in first-use order, with whether it writes
/// them (window registers inside a rotating based area stay in memory); and the tag
/// bits of the predicate word the trace reads, and whether it writes predicates.
fn collect(t: &Trace) -> (Vec<(Reg, bool, bool)>, u64, bool) {
    let based = t
        .rot
        .filter(|r| r.dyn_regs)
        .map(|r| (2 * r.rbs as u32, 2 * r.rbs as u32 + 2 * r.rsz as u32 + 2));
    let in_memory = |n: u8| based.is_some_and(|(a, b)| (a..b).contains(&(n as u32)));
    // (register, written, read); a 32-bit write merges with the old value: a read
    let mut regs: Vec<(Reg, bool, bool)> = Vec::new();
    let mut note = |r: Reg, w: bool, rd: bool| {
        if !r.global && in_memory(r.n) {
            return;
        }
        match regs.iter_mut().find(|(x, _, _)| *x == r) {
            Some((_, ww, rr)) => {
                *ww |= w;
                *rr |= rd;
            }
            None => regs.push((r, w, rd)),
        }
    };
    let psize = t.rot.map_or(0, |r| r.psz as u32 + 1);
    let mut ptags = 0u64;
    let mut read = |p: PRef| match p {
        PRef::Phys(n) => ptags |= 2 << (2 * (n as u32 & 31)),
        PRef::Rot(_) => {
            for k in 0..psize.min(32) {
                ptags |= 2 << (2 * k);
            }
        }
    };
    let mut pwritten = false;
    for bd in &t.bundles {
        for op in &bd.ops {
            for s in op.src {
                match s {
                    Src::Win(n) => note(Reg { global: false, n }, false, true),
                    Src::Glob(n) => note(Reg { global: true, n }, false, true),
                    _ => {}
                }
            }
            match op.dst {
                Dst::Win(n, w) => note(Reg { global: false, n }, true, w == Width::S32),
                Dst::Glob(n, w) => note(Reg { global: true, n }, true, w == Width::S32),
                Dst::Pred(_) => pwritten = true,
                Dst::Based(..) | Dst::None => {}
            }
            for t in op.rlp.iter().flatten() {
                if let Term::Pred(p, _) = *t {
                    read(p);
                }
            }
        }
        if let Some(Cond::Ct { kind, p }) = bd.xfer.cond() {
            if matches!(kind, 2 | 3 | 6 | 7 | 0xe | 0xf) {
                read(p);
            }
        }
    }
    (regs, ptags, pwritten)
}

/// Builds the function for `t` into `func`.
pub(crate) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    target: &Target,
    t: &Trace,
    h: &Helpers,
    tramps: &[(usize, usize)],
    (id, links): (u32, *const u64),
) {
    let (ptr, cc, fe) = (target.ptr, target.cc, target.fe);
    func.signature = trace_signature(ptr);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let out = b.create_sized_stack_slot(cranelift_codegen::ir::StackSlotData::new(
        cranelift_codegen::ir::StackSlotKind::ExplicitSlot,
        16,
        3,
    ));
    b.switch_to_block(entry);
    let ctx = b.block_params(entry)[0];
    let fl = MemFlagsData::trusted();
    let fields: Vec<(i32, Value)> = [WIN, WTAG, G, GTAG, PREDS, CTPR, FP, MEM, RTLB, WTLB]
        .into_iter()
        .map(|off| (off, b.ins().load(ptr, fl, ctx, off)))
        .collect();
    let field = |off: i32| fields.iter().find(|(o, _)| *o == off).unwrap().1;
    let (used, ptag_mask, pwritten) = collect(t);
    let head = t.bundles[0].addr;
    let refuse = b.create_block();

    // entry facts: the window reaches every register named, WD.dbl, tag checking and
    // BR are as the trace was built for (checked here so chained entries are checked)
    let e = t.entry;
    let mut bad: Vec<Value> = Vec::new();
    for (off, want, cc) in [
        (WSIZE, e.wneed as i64, IntCC::UnsignedLessThan),
        (WIN_AVAIL, e.wneed as i64, IntCC::UnsignedLessThan),
        (WDBL, e.wdbl as i64, IntCC::NotEqual),
        (TAGS_ON, e.tags_on as i64, IntCC::NotEqual),
        (BR_FIXED, e.br_fixed as i64, IntCC::NotEqual),
    ]
    .into_iter()
    .chain(e.rcur.map(|r| (RCUR, r as i64, IntCC::NotEqual)))
    .chain(e.pcur.map(|p| (PCUR, p as i64, IntCC::NotEqual)))
    {
        let v = b.ins().load(I64, fl, ctx, off);
        bad.push(b.ins().icmp_imm_u(cc, v, want));
    }
    // CTPRs the trace transfers through but never prepares are loop-invariant: check
    // them once here instead of at every transfer
    let written: Vec<u8> = t
        .bundles
        .iter()
        .filter_map(|b| b.prep.map(|p| p.0 & 3))
        .collect();
    let mut hoisted: Vec<(u8, u64)> = Vec::new();
    for bd in &t.bundles {
        if let Xfer::Ct {
            ctpr,
            expect,
            static_ctpr: false,
            ..
        } = bd.xfer
        {
            let n = ctpr & 3;
            if !written.contains(&n) && !hoisted.iter().any(|&(m, _)| m == n) {
                hoisted.push((n, expect));
            }
        }
    }
    for &(n, expect) in &hoisted {
        let c = b.ins().load(I64, fl, field(CTPR), 8 * n as i32);
        bad.push(b.ins().icmp_imm_u(IntCC::NotEqual, c, expect as i64));
    }
    let mut any_bad = bad[0];
    for &x in &bad[1..] {
        any_bad = b.ins().bor(any_bad, x);
    }
    let go = b.create_block();
    b.ins().brif(any_bad, refuse, &[], go, &[]);
    b.switch_to_block(go);

    // entry check: no register or predicate the trace names carries a tag, so values
    // stay untagged inside it (every result it writes is untagged)
    let mut tags: Option<Value> = None;
    for &(r, _, _) in used.iter().filter(|u| u.2) {
        let base = field(if r.global { GTAG } else { WTAG });
        let tg = b.ins().uload8(I64, fl, base, r.n as i32);
        tags = Some(match tags {
            Some(x) => b.ins().bor(x, tg),
            None => tg,
        });
    }
    if let Some(r) = t.rot.filter(|r| r.dyn_regs) {
        // the whole rotating based area stays in memory and must be untagged
        let wtag = field(WTAG);
        for k in 2 * r.rbs as i32..2 * r.rbs as i32 + 2 * r.rsz as i32 + 2 {
            let tg = b.ins().uload8(I64, fl, wtag, k);
            tags = Some(match tags {
                Some(x) => b.ins().bor(x, tg),
                None => tg,
            });
        }
    }
    let pv = b.ins().load(I64, fl, field(PREDS), 0);
    if ptag_mask != 0 {
        let pt = b.ins().band_imm_u(pv, ptag_mask as i64);
        tags = Some(match tags {
            Some(x) => b.ins().bor(x, pt),
            None => pt,
        });
    }
    if let Some(tags) = tags {
        let go = b.create_block();
        b.ins().brif(tags, refuse, &[], go, &[]);
        b.switch_to_block(go);
    }
    let budget0 = b.ins().load(I64, fl, ctx, BUDGET);
    let budget = b.declare_var(I64);
    b.def_var(budget, budget0);
    let ops = b.declare_var(I64);
    let ops0 = b.ins().load(I64, fl, ctx, OPS);
    b.def_var(ops, ops0);
    let preds = b.declare_var(I64);
    b.def_var(preds, pv);
    let mut regs = Vec::with_capacity(used.len());
    let mut write_only = Vec::new();
    for &(r, written, read) in &used {
        if !read {
            let flag = b.declare_var(I64);
            let zero = b.ins().iconst(I64, 0);
            b.def_var(flag, zero);
            write_only.push((r, flag));
        }
        let base = field(if r.global { G } else { WIN });
        let v = b.ins().load(I64, fl, base, 16 * r.n as i32);
        let var = b.declare_var(I64);
        b.def_var(var, v);
        regs.push((r, var, written));
    }
    let state = [RCUR, PCUR, LCNT, LSR].map(|off| {
        let var = b.declare_var(I64);
        let v = b.ins().load(I64, fl, ctx, off);
        b.def_var(var, v);
        var
    });
    let uses_loop = t.bundles.iter().any(|bd| bd.uses_loop());
    let has_fp = t
        .bundles
        .iter()
        .flat_map(|bd| &bd.ops)
        .any(|o| matches!(o.kind, Kind::Fp(..)));
    let pf = has_fp.then(|| {
        let var = b.declare_var(I64);
        let v = b.ins().uload32(fl, field(FP), h.pfpfr_off);
        b.def_var(var, v);
        var
    });
    let exit = b.create_block();
    for _ in 0..3 {
        b.append_block_param(exit, I64);
    }
    let blocks: Vec<Block> = t.bundles.iter().map(|_| b.create_block()).collect();
    b.ins().jump(blocks[0], &[]);
    // refused entry: nothing ran in this trace
    b.switch_to_block(refuse);
    let why = b.ins().iconst(I64, Exit::NotEntered as i64);
    b.ins().store(fl, why, ctx, EXIT);
    let ip = b.ins().iconst(I64, head as i64);
    b.ins().return_(&[ip]);
    let mut l = Lower {
        b,
        ptr,
        ctx,
        h,
        out,
        cc,
        fields,
        budget,
        ops,
        regs,
        write_only,
        preds,
        preds_written: pwritten,
        exit,
        rot: t.rot,
        rcur: state[0],
        pcur: state[1],
        lcnt: state[2],
        lsr: state[3],
        uses_loop,
        hoisted,
        has_xfer: t
            .bundles
            .iter()
            .any(|b| matches!(b.xfer, Xfer::Call { .. } | Xfer::Return { .. })),
        pf,
        tramps,
        id,
        links,
    };
    for i in 0..t.bundles.len() {
        l.bundle(t, i, &blocks);
    }
    l.emit_exit(budget0);
    l.b.seal_all_blocks();
    l.b.finalize(fe);
}
