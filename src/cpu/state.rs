//! Architectural state of one e2k CPU in user mode: register file with windows and
//! tags, predicates, CTPRs, loop/stack/FP registers, AAU, and the chain stack.

use e2k_isa::sem::SemCtx;

/// CTPR tags (bits 56:54).
pub const CTPR_TAG_EMPTY: u64 = 0;
pub const CTPR_TAG_RETURN: u64 = 2;
pub const CTPR_TAG_DISP: u64 = 3;
pub const CTPR_TAG_SDISP: u64 = 5;

/// Builds a CTPR value: target, tag, opc, ipd.
pub fn ctpr_make(target: u64, tag: u64, opc: u64, ipd: u64) -> u64 {
    (target & 0xffff_ffff_ffff) | (tag << 54) | (opc << 57) | (ipd << 59)
}
pub fn ctpr_tag(v: u64) -> u64 {
    (v >> 54) & 7
}
pub fn ctpr_target(v: u64) -> u64 {
    v & 0xffff_ffff_ffff
}
pub fn ctpr_opc(v: u64) -> u64 {
    (v >> 57) & 3
}

/// The `alc` stub on the loop counter and LSR bits 63:32: pcnt and lcnt count down,
/// `over` records the last iteration, and after it a loop with `vlc` counts ecnt down.
/// Returns the new (lcnt, lsr_hi). Shared by the interpreter and the JIT.
pub fn loop_advance(lcnt: u64, lsr_hi: u32) -> (u64, u32) {
    let was_last = lcnt < 2;
    let pcnt = (lsr_hi >> 16) & 0x1f;
    let mut h = (lsr_hi & !(0x1f << 16)) | pcnt.saturating_sub(1) << 16;
    h = (h & !(1 << 6)) | (was_last as u32) << 6;
    if was_last && h >> 5 & 1 != 0 {
        let e = h & 0x1f;
        h = (h & !0x1f) | e.saturating_sub(1);
    }
    (lcnt.saturating_sub(1), h)
}

/// Based-register and rotating-predicate descriptor (BR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Br {
    pub rbs: u8,
    pub rsz: u8,
    pub rcur: u8,
    pub psz: u8,
    pub pcur: u8,
}

impl Br {
    /// Physical number of logical predicate `n` under rotation (psz, pcur).
    #[inline]
    pub fn pred_phys(self, n: u32) -> u32 {
        let psize = self.psz as u32 + 1;
        if n < psize {
            // pcur < psize and n < psize: one conditional subtraction is the modulo
            let s = self.pcur as u32 + n;
            if s >= psize {
                s - psize
            } else {
                s
            }
        } else {
            n
        }
    }
    pub fn to_raw(self) -> u64 {
        (self.rbs as u64 & 0x3f)
            | (self.rsz as u64 & 0x3f) << 6
            | (self.rcur as u64 & 0x3f) << 12
            | (self.psz as u64 & 0x1f) << 18
            | (self.pcur as u64 & 0x1f) << 23
    }
    pub fn from_raw(v: u64) -> Br {
        Br {
            rbs: (v & 0x3f) as u8,
            rsz: ((v >> 6) & 0x3f) as u8,
            rcur: ((v >> 12) & 0x3f) as u8,
            psz: ((v >> 18) & 0x1f) as u8,
            pcur: ((v >> 23) & 0x1f) as u8,
        }
    }
    /// Size of the based area in registers.
    #[inline]
    pub fn bsize(self) -> u32 {
        2 * self.rsz as u32 + 2
    }
}

/// One procedure-chain frame (what `call` saves and `return` restores).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChainFrame {
    /// whole predicate file (value/tag pairs)
    pub preds: u64,
    pub ret_ip: u64,
    /// window base shift, in quads (2 registers)
    pub wbs: u8,
    /// caller's parameter size, in registers
    pub wpsz: u16,
    pub wfx: bool,
    pub wdbl: bool,
    pub br: Br,
    /// caller's USD.size / 16
    pub ussz: u64,
    pub psr: u8,
    pub cuir: u32,
}

impl ChainFrame {
    pub fn cr0_lo(&self) -> u64 {
        self.preds
    }
    pub fn cr0_hi(&self) -> u64 {
        self.ret_ip & !7
    }
    pub fn cr1_lo(&self) -> u64 {
        (self.wfx as u64) << 25
            | ((self.wpsz as u64 / 2) & 0x7f) << 26
            | (self.wbs as u64 & 0x7f) << 33
            | (self.cuir as u64 & 0x1ffff) << 40
            | (self.psr as u64 & 0x7f) << 57
    }
    pub fn cr1_hi(&self) -> u64 {
        self.br.to_raw() | (self.wdbl as u64) << 35 | (self.ussz & 0xfff_ffff) << 36
    }
    pub fn from_words(w: [u64; 4]) -> ChainFrame {
        ChainFrame {
            preds: w[0],
            ret_ip: w[1] & !7,
            wfx: (w[2] >> 25) & 1 != 0,
            wpsz: (((w[2] >> 26) & 0x7f) * 2) as u16,
            wbs: ((w[2] >> 33) & 0x7f) as u8,
            cuir: ((w[2] >> 40) & 0x1ffff) as u32,
            psr: ((w[2] >> 57) & 0x7f) as u8,
            br: Br::from_raw(w[3] & 0xfff_ffff),
            wdbl: (w[3] >> 35) & 1 != 0,
            ussz: w[3] >> 36,
        }
    }
    pub fn words(&self) -> [u64; 4] {
        [self.cr0_lo(), self.cr0_hi(), self.cr1_lo(), self.cr1_hi()]
    }
}

/// The array-access unit registers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aau {
    pub aad: [u128; 32],
    pub aaind: [u32; 16],
    pub aaincr: [u32; 8],
    pub aasti: [u32; 16],
    pub aaldi: [u64; 32],
    pub aalda: [u64; 32],
    pub aafstr: u32,
    pub aaldv: u64,
    pub aaldm: u64,
    pub aasr: u32,
    pub aadr: [u64; 32],
    /// array prefetch program loaded by `bap`: per area, its left record (mova channels
    /// 0 and 1) and its right record (channels 2 and 3)
    pub areas: [[AauArea; 2]; 32],
    pub active: bool,
}

/// State of one array-prefetch area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AauArea {
    pub fmt: u8,
    pub aad: u8,
    pub incr: u8,
    pub ind: u8,
    pub disp: u32,
    pub cdi: u64,
}

/// Maximum number of window registers the procedure stack may hold (spilled + live).
pub const MAX_REGS: usize = 1 << 22;
/// Maximum chain-stack depth.
pub const MAX_FRAMES: usize = 1 << 20;

/// The CPU.
#[derive(Debug, Clone)]
pub struct Cpu {
    /// ISA version (2..=7).
    pub iset: u8,
    /// Tag tracking (on by default, as on hardware).
    pub tags_on: bool,
    /// Address of the current bundle.
    pub ip: u64,
    /// Register stack: spilled caller windows below `wbase`, current window above.
    pub rf: Vec<u128>,
    /// Tag byte per register (bits 1:0 word 0, 3:2 word 1, 5:4 and 7:6 the high half).
    pub rtag: Vec<u8>,
    /// Physical index of %r0.
    pub wbase: usize,
    /// WD.size in registers.
    pub wsize: u32,
    /// WD.psize in registers.
    pub psize: u32,
    pub wfx: bool,
    pub wdbl: bool,
    pub br: Br,
    pub g: [u128; 32],
    pub gtag: [u8; 32],
    /// 32 predicates: bit 2i value, bit 2i+1 tag (diagnostic).
    pub preds: u64,
    /// CTPR1..3 at indices 1..3 (index 0 unused).
    pub ctpr: [u64; 4],
    /// Loop counter (LSR.lcnt, full 64 bits as LSR1).
    pub lcnt: u64,
    /// LSR bits 63:32 (ecnt, vlc, over, ldmc, ldovl, pcnt, strmd, semc).
    pub lsr_hi: u32,
    pub ilcr: u64,
    pub ilcr1: u64,
    /// User data stack: current base (SP), free size below it, top.
    pub usd_base: u64,
    pub usd_size: u64,
    pub sbr: u64,
    /// Procedure stack and chain stack mappings.
    pub psp_base: u64,
    pub psp_size: u64,
    pub pcsp_base: u64,
    pub pcsp_size: u64,
    /// Chain stack frames (the top is the current function's return frame).
    pub frames: Vec<ChainFrame>,
    pub psr: u8,
    pub upsr: u32,
    pub cuir: u32,
    pub bgr: u32,
    pub fp: SemCtx,
    pub aau: Aau,
    /// Counters for --stats.
    pub stats: Stats,
}

/// Execution statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub bundles: u64,
    pub ops: u64,
    pub decoded: u64,
    pub syscalls: u64,
    pub signals: u64,
    pub invalidations: u64,
}

impl Cpu {
    /// A CPU in the state the Linux loader leaves at `_start` (Q21-compatible values).
    pub fn new(iset: u8) -> Cpu {
        let mut fp = SemCtx {
            iset,
            ..SemCtx::default()
        };
        fp.pfpfr = 0x1f80;
        fp.fpcr = 0x037f;
        fp.fpsr = 0;
        let mut aau = Aau::default();
        aau.aaincr[0] = 1;
        Cpu {
            iset,
            tags_on: true,
            ip: 0,
            rf: vec![0; 256],
            rtag: vec![0; 256],
            wbase: 0,
            wsize: 16,
            psize: 8,
            wfx: false,
            wdbl: false,
            br: Br {
                rbs: 4,
                rsz: 3,
                rcur: 0,
                psz: 0,
                pcur: 0,
            },
            g: [0; 32],
            gtag: [0; 32],
            preds: 0,
            ctpr: [0; 4],
            lcnt: 0,
            lsr_hi: 0,
            ilcr: 0,
            ilcr1: 0,
            usd_base: 0,
            usd_size: 0,
            sbr: 0,
            psp_base: 0,
            psp_size: 0,
            pcsp_base: 0,
            pcsp_size: 0,
            frames: Vec::new(),
            psr: 0x26, // NMIE | SGE | IE
            upsr: 0xa1,
            cuir: 0,
            bgr: 0,
            fp,
            aau,
            stats: Stats::default(),
        }
    }

    /// Makes sure the register stack covers the current window; false if it cannot grow.
    pub fn ensure_regs(&mut self, end: usize) -> bool {
        if end > MAX_REGS {
            return false;
        }
        if self.rf.len() < end {
            let n = end.next_power_of_two().max(256);
            self.rf.resize(n, 0);
            self.rtag.resize(n, 0);
        }
        true
    }

    // ---- LSR fields
    pub fn lsr(&self) -> u64 {
        (self.lsr_hi as u64) << 32 | (self.lcnt & 0xffff_ffff)
    }
    pub fn set_lsr(&mut self, v: u64) {
        self.lcnt = v & 0xffff_ffff;
        self.lsr_hi = (v >> 32) as u32;
    }
    pub fn ecnt(&self) -> u32 {
        self.lsr_hi & 0x1f
    }
    pub fn set_ecnt(&mut self, v: u32) {
        self.lsr_hi = (self.lsr_hi & !0x1f) | (v & 0x1f);
    }
    pub fn vlc(&self) -> bool {
        self.lsr_hi >> 5 & 1 != 0
    }
    pub fn set_over(&mut self, v: bool) {
        self.lsr_hi = (self.lsr_hi & !(1 << 6)) | (v as u32) << 6;
    }
    pub fn pcnt(&self) -> u32 {
        (self.lsr_hi >> 16) & 0x1f
    }
    pub fn set_pcnt(&mut self, v: u32) {
        self.lsr_hi = (self.lsr_hi & !(0x1f << 16)) | (v & 0x1f) << 16;
    }
    pub fn strmd(&self) -> u32 {
        (self.lsr_hi >> 21) & 0x7f
    }
    pub fn set_strmd(&mut self, v: u32) {
        self.lsr_hi = (self.lsr_hi & !(0x7f << 21)) | (v & 0x7f) << 21;
    }
    /// UPSR.ac: misaligned loads and stores trap (SIGBUS/BUS_ADRALN).
    #[inline]
    pub fn upsr_ac(&self) -> bool {
        self.upsr & 4 != 0
    }
    /// `loop_end` from the current LSR.
    pub fn loop_end(&self) -> bool {
        self.vlc() && self.ecnt() == 0 && self.lcnt < 2
    }

    // ---- predicates
    /// Physical predicate index of %predN (rotation).
    #[inline]
    pub fn pred_phys(&self, n: u32) -> u32 {
        self.br.pred_phys(n)
    }
    /// (value, diagnostic) of %predN.
    #[inline]
    pub fn pred(&self, n: u32) -> (bool, bool) {
        let p = self.pred_phys(n & 31);
        let v = self.preds >> (2 * p);
        (v & 1 != 0, v & 2 != 0)
    }
    /// Writes the raw 2-bit (value, tag) of physical predicate `p`.
    pub fn set_pred_phys(&mut self, p: u32, val: bool, diag: bool) {
        let sh = 2 * (p & 31);
        let bits = if diag { 2 } else { val as u64 };
        self.preds = (self.preds & !(3 << sh)) | bits << sh;
    }

    // ---- WD raw view
    pub fn wd_raw(&self) -> u64 {
        ((self.wbase as u64 * 8) & 0x7ff)
            | ((self.wsize as u64 * 8) & 0x7ff) << 16
            | ((self.psize as u64 * 8) & 0x7ff) << 32
            | (self.wfx as u64) << 48
    }

    /// Stack registers in their architectural 64-bit layouts.
    pub fn usd_lo(&self) -> u64 {
        (self.usd_base & 0xffff_ffff_ffff) | 3 << 59
    }
    pub fn usd_hi(&self) -> u64 {
        (self.usd_size & 0xffff_ffff) << 32
    }
    pub fn psp_ind(&self) -> u64 {
        self.wbase as u64 * 16
    }
    pub fn pcsp_ind(&self) -> u64 {
        self.frames.len() as u64 * 32
    }
}
