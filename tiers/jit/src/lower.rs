//! Lowering of a trace to Cranelift IR: per bundle, read the sources, compute every
//! operation (native instructions or helper calls), check that nothing forces the
//! bundle out of the trace, then commit results, CTPR preparation and stores, count it,
//! and follow the transfer (loop back to the trace head, continue along the path, or
//! return the next IP).

use crate::ir::{Bundle, Cond, Dst, Kind, Native, Src, Trace, Width, Xfer};
use crate::{Helpers, JitCtx, Options};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, Function, InstBuilder, MemFlagsData, Signature, Type, Value,
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
const BUDGET: i32 = offset_of!(JitCtx, budget) as i32;
const BUNDLES: i32 = offset_of!(JitCtx, bundles) as i32;
const OPS: i32 = offset_of!(JitCtx, ops) as i32;
const FP_SAVE: i32 = offset_of!(JitCtx, fp_save) as i32;
const I64: Type = types::I64;

struct Lower<'a, 'b> {
    b: FunctionBuilder<'a>,
    ptr: Type,
    ctx: Value,
    h: &'b Helpers,
    opts: Options,
    /// stack slot for helper outputs
    out: cranelift_codegen::ir::StackSlot,
    /// calling convention of the helpers (the host's C convention)
    cc: CallConv,
    /// the `JitCtx` pointers, loaded once at entry (by field offset)
    fields: Vec<(i32, Value)>,
    /// budget and counters, kept in variables and stored back at every return
    budget: Variable,
    bundles: Variable,
    ops: Variable,
}

impl Lower<'_, '_> {
    fn flags() -> MemFlagsData {
        MemFlagsData::trusted()
    }

    fn field(&mut self, off: i32) -> Value {
        match self.fields.iter().find(|(o, _)| *o == off) {
            Some(&(_, v)) => v,
            None => self.b.ins().load(self.ptr, Self::flags(), self.ctx, off),
        }
    }

    /// Stores the counters back and returns `ip`.
    fn ret(&mut self, ip: u64) {
        for (var, off) in [
            (self.budget, BUDGET),
            (self.bundles, BUNDLES),
            (self.ops, OPS),
        ] {
            let v = self.b.use_var(var);
            self.b.ins().store(Self::flags(), v, self.ctx, off);
        }
        let v = self.b.ins().iconst(I64, ip as i64);
        self.b.ins().return_(&[v]);
    }

    /// Value and tag of a source.
    fn src(&mut self, s: Src) -> (Value, Option<Value>) {
        match s {
            Src::Win(n) | Src::Glob(n) => {
                let (vb, tb) = if matches!(s, Src::Win(_)) {
                    (WIN, WTAG)
                } else {
                    (G, GTAG)
                };
                let base = self.field(vb);
                let v = self.b.ins().load(I64, Self::flags(), base, 16 * n as i32);
                let tbase = self.field(tb);
                let t = self
                    .b
                    .ins()
                    .uload8(types::I32, Self::flags(), tbase, n as i32);
                (v, Some(t))
            }
            Src::Imm(v) => (self.b.ins().iconst(I64, v as i64), None),
            Src::Zero => (self.b.ins().iconst(I64, 0), None),
        }
    }

    /// Calls helper `addr` with `args` (all i64/pointer) returning one i64.
    fn call(&mut self, addr: usize, args: &[Value]) -> Value {
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

    /// Writes `v` of width `w` into register `n` of the window or the globals.
    fn write_reg(&mut self, global: bool, n: u8, w: Width, v: Value) {
        let (vb, tb) = if global { (G, GTAG) } else { (WIN, WTAG) };
        let base = self.field(vb);
        let tbase = self.field(tb);
        let t = self
            .b
            .ins()
            .uload8(types::I32, Self::flags(), tbase, n as i32);
        let (t, v) = match w {
            Width::D => (self.b.ins().band_imm_u(t, 0xf0), v),
            Width::S64 => {
                let lo = self.b.ins().band_imm_u(v, 0xffff_ffff);
                (self.b.ins().band_imm_u(t, 0xf0), lo)
            }
            Width::S32 => {
                let t = self.b.ins().band_imm_u(t, 0xfc);
                let v32 = self.b.ins().ireduce(types::I32, v);
                self.b.ins().store(Self::flags(), v32, base, 16 * n as i32);
                self.b.ins().istore8(Self::flags(), t, tbase, n as i32);
                return;
            }
        };
        self.b.ins().store(Self::flags(), v, base, 16 * n as i32);
        self.b.ins().istore8(Self::flags(), t, tbase, n as i32);
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

    /// Branches to `bail` unless `ok` (an i64 that is non-zero for success).
    fn require(&mut self, ok: Value, bail: Block) {
        let cont = self.b.create_block();
        self.b.ins().brif(ok, cont, &[], bail, &[]);
        self.b.switch_to_block(cont);
    }

    /// Emits bundle `i`; `blocks[i]` is its entry, `bails[i]` its give-up block.
    fn bundle(&mut self, t: &Trace, i: usize, blocks: &[Block], bails: &[Block]) {
        let bd: &Bundle = &t.bundles[i];
        let bail = bails[i];
        self.b.switch_to_block(blocks[i]);
        // budget: return before the bundle when it is used up
        let budget = self.b.use_var(self.budget);
        let body = self.b.create_block();
        let out_of_budget = self.b.create_block();
        self.b.ins().brif(budget, body, &[], out_of_budget, &[]);
        self.b.switch_to_block(out_of_budget);
        self.ret(bd.addr);
        self.b.switch_to_block(body);

        let helpers_touch_fp = bd.ops.iter().any(|o| matches!(o.kind, Kind::Helper(_)));
        if helpers_touch_fp {
            self.fp_copy(true);
        }
        // ---- compute
        let mut results: Vec<(Value, Option<Value>)> = Vec::new();
        for op in &bd.ops {
            let (a, ta) = self.src(op.src[0]);
            let (b, tb) = self.src(op.src[1]);
            let (c, tc) = self.src(op.src[2]);
            if self.opts.tags {
                let mut any: Option<Value> = None;
                for (t, m) in [(ta, op.tmask[0]), (tb, op.tmask[1]), (tc, op.tmask[2])] {
                    if let (Some(t), m) = (t, m) {
                        if m == 0 {
                            continue;
                        }
                        let x = self.b.ins().band_imm_u(t, m as i64);
                        any = Some(match any {
                            Some(y) => self.b.ins().bor(x, y),
                            None => x,
                        });
                    }
                }
                if let Some(any) = any {
                    let cont = self.b.create_block();
                    self.b.ins().brif(any, bail, &[], cont, &[]);
                    self.b.switch_to_block(cont);
                }
            }
            let r = match op.kind {
                Kind::Native(n) => (self.native(n, a, b), None),
                Kind::Helper(id) => {
                    let fp = self.field(FP);
                    let out = self.out_addr();
                    let idv = self.b.ins().iconst(I64, id as i64);
                    let ok = self.call(self.h.sem, &[idv, fp, a, b, c, out]);
                    self.require(ok, bail);
                    let out = self.out_addr();
                    (self.b.ins().load(I64, Self::flags(), out, 0), None)
                }
                Kind::Load(n) => {
                    let addr = self.b.ins().iadd(a, b);
                    let mem = self.field(MEM);
                    let out = self.out_addr();
                    let len = self.b.ins().iconst(I64, n as i64);
                    let ok = self.call(self.h.load, &[mem, addr, len, out]);
                    self.require(ok, bail);
                    let out = self.out_addr();
                    (self.b.ins().load(I64, Self::flags(), out, 0), None)
                }
                Kind::Store(n) => {
                    let addr = self.b.ins().iadd(a, b);
                    let mem = self.field(MEM);
                    let len = self.b.ins().iconst(I64, n as i64);
                    let ok = self.call(self.h.check_write, &[mem, addr, len]);
                    self.require(ok, bail);
                    (c, Some(addr))
                }
            };
            results.push(r);
        }
        // ---- transfer decision (predicates and CTPRs as before the bundle)
        let mut taken: Option<Value> = None;
        let mut target = 0u64;
        match bd.xfer {
            Xfer::None => {}
            Xfer::Ct {
                cond, target: t, ..
            }
            | Xfer::Ibranch { cond, target: t } => {
                target = t;
                taken = Some(match cond {
                    Cond::Always => self.b.ins().iconst(I64, 1),
                    Cond::Pred { phys, invert } => {
                        let pp = self.field(PREDS);
                        let p = self.b.ins().load(I64, Self::flags(), pp, 0);
                        let sh = self.b.ins().ushr_imm_u(p, 2 * phys as i64);
                        // a diagnostic predicate leaves the trace
                        let d = self.b.ins().band_imm_u(sh, 2);
                        let cont = self.b.create_block();
                        self.b.ins().brif(d, bail, &[], cont, &[]);
                        self.b.switch_to_block(cont);
                        let v = self.b.ins().band_imm_u(sh, 1);
                        if invert {
                            self.b.ins().bxor_imm_u(v, 1)
                        } else {
                            v
                        }
                    }
                });
                if let Xfer::Ct {
                    ctpr,
                    expect,
                    static_ctpr: false,
                    ..
                } = bd.xfer
                {
                    // when taken, the CTPR must hold what the trace was built for
                    let cp = self.field(CTPR);
                    let c = self
                        .b
                        .ins()
                        .load(I64, Self::flags(), cp, 8 * (ctpr as i32 & 3));
                    let differs = self.b.ins().icmp_imm_u(IntCC::NotEqual, c, expect as i64);
                    let differs = self.b.ins().uextend(I64, differs);
                    let bad = self.b.ins().band(differs, taken.unwrap_or(differs));
                    let cont = self.b.create_block();
                    self.b.ins().brif(bad, bail, &[], cont, &[]);
                    self.b.switch_to_block(cont);
                }
            }
        }
        // ---- commit
        if let Some((n, v)) = bd.prep {
            let cp = self.field(CTPR);
            let v = self.b.ins().iconst(I64, v as i64);
            self.b.ins().store(Self::flags(), v, cp, 8 * (n as i32 & 3));
        }
        let mut smc: Option<Value> = None;
        for (op, &(v, addr)) in bd.ops.iter().zip(results.iter()) {
            match (op.kind, op.dst) {
                (Kind::Store(n), _) => {
                    let mem = self.field(MEM);
                    let len = self.b.ins().iconst(I64, n as i64);
                    let hit = self.call(self.h.store, &[mem, addr.unwrap_or(v), len, v]);
                    smc = Some(match smc {
                        Some(s) => self.b.ins().bor(s, hit),
                        None => hit,
                    });
                }
                (_, Dst::Win(n, w)) => self.write_reg(false, n, w, v),
                (_, Dst::Glob(n, w)) => self.write_reg(true, n, w, v),
                (_, Dst::Pred(p)) => {
                    let pp = self.field(PREDS);
                    let old = self.b.ins().load(I64, Self::flags(), pp, 0);
                    let cleared = self.b.ins().band_imm_s(old, !(3i64 << (2 * p as i64)));
                    let bit = self.b.ins().band_imm_u(v, 1);
                    let bit = self.b.ins().ishl_imm_u(bit, 2 * p as i64);
                    let new = self.b.ins().bor(cleared, bit);
                    self.b.ins().store(Self::flags(), new, pp, 0);
                }
                (_, Dst::None) => {}
            }
        }
        self.add_var(self.bundles, 1);
        if !bd.ops.is_empty() {
            self.add_var(self.ops, bd.ops.len() as i64);
        }
        self.add_var(self.budget, -1);
        // ---- where next
        let head = t.bundles[0].addr;
        let follow = |addr: u64| -> Option<Block> {
            if addr == head {
                Some(blocks[0])
            } else if i + 1 < t.bundles.len() && t.bundles[i + 1].addr == addr {
                Some(blocks[i + 1])
            } else {
                None
            }
        };
        // a store into decoded code ends the trace after the bundle
        let (go_taken, go_next) = (follow(target), follow(bd.next));
        let emit_go = |me: &mut Self, dest: Option<Block>, addr: u64| match dest {
            Some(blk) => {
                if let Some(s) = smc {
                    let leave = me.b.create_block();
                    me.b.ins().brif(s, leave, &[], blk, &[]);
                    me.b.switch_to_block(leave);
                    me.ret(addr);
                } else {
                    me.b.ins().jump(blk, &[]);
                }
            }
            None => me.ret(addr),
        };
        match taken {
            None => emit_go(self, go_next, bd.next),
            Some(tk) => {
                let tb = self.b.create_block();
                let nb = self.b.create_block();
                self.b.ins().brif(tk, tb, &[], nb, &[]);
                self.b.switch_to_block(tb);
                emit_go(self, go_taken, target);
                self.b.switch_to_block(nb);
                emit_go(self, go_next, bd.next);
            }
        }
        // ---- give up: nothing of this bundle happened
        self.b.switch_to_block(bail);
        if helpers_touch_fp {
            self.fp_copy(false);
        }
        self.ret(bd.addr);
    }
}

/// The target facts lowering needs.
pub(crate) struct Target {
    pub ptr: Type,
    pub cc: CallConv,
    pub fe: cranelift_codegen::isa::TargetFrontendConfig,
}

/// Builds the function for `t` into `func`.
pub(crate) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    target: &Target,
    t: &Trace,
    h: &Helpers,
    opts: Options,
) {
    let (ptr, cc, fe) = (target.ptr, target.cc, target.fe);
    func.signature.call_conv = cc;
    func.signature.params.push(AbiParam::new(ptr));
    func.signature.returns.push(AbiParam::new(I64));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let out = b.create_sized_stack_slot(cranelift_codegen::ir::StackSlotData::new(
        cranelift_codegen::ir::StackSlotKind::ExplicitSlot,
        8,
        3,
    ));
    b.switch_to_block(entry);
    let ctx = b.block_params(entry)[0];
    let fields: Vec<(i32, Value)> = [WIN, WTAG, G, GTAG, PREDS, CTPR, FP, MEM]
        .into_iter()
        .map(|off| (off, b.ins().load(ptr, MemFlagsData::trusted(), ctx, off)))
        .collect();
    let counters = [BUDGET, BUNDLES, OPS].map(|off| {
        let var = b.declare_var(I64);
        let v = b.ins().load(I64, MemFlagsData::trusted(), ctx, off);
        b.def_var(var, v);
        var
    });
    let blocks: Vec<Block> = t.bundles.iter().map(|_| b.create_block()).collect();
    let bails: Vec<Block> = t.bundles.iter().map(|_| b.create_block()).collect();
    b.ins().jump(blocks[0], &[]);
    let mut l = Lower {
        b,
        ptr,
        ctx,
        h,
        opts,
        out,
        cc,
        fields,
        budget: counters[0],
        bundles: counters[1],
        ops: counters[2],
    };
    for i in 0..t.bundles.len() {
        l.bundle(t, i, &blocks, &bails);
    }
    l.b.seal_all_blocks();
    l.b.finalize(fe);
}
