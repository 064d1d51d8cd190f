//! Pre-decoding: turns a decoded `Bundle` into an `XBundle`, the executor's compact
//! form (operands resolved, literals read, conditions gathered, control fields
//! unpacked). Everything that does not depend on run-time state is checked here once.

use e2k_isa::fields::*;
use e2k_isa::sem::SemFn;
use e2k_isa::{AlopDef, Bundle, Format};

/// A source operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    None,
    /// window register %rN
    Reg(u8),
    /// based register %b[N]
    Breg(u8),
    /// global %gN
    Greg(u8),
    /// immediate or literal (tag 0)
    Imm(u128),
}

/// A destination operand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dst {
    /// `%empty`: result discarded (tag checks still apply)
    Empty,
    Reg(u8),
    Breg(u8),
    Greg(u8),
    Ctpr(u8),
    Pred(u8),
    /// stores and ops without a register result
    None,
}

/// How the executor runs an operation.
#[derive(Debug, Clone, Copy)]
pub enum XKind {
    /// A pure semantic helper.
    Sem(SemFn),
    Load(u8),
    Store(u8),
    /// `stmqp`: masked 128-bit store
    StoreMasked,
    /// Move to/from with tag kept: movts/movtd/movtq and their c/r/rc forms
    Movt,
    GetTag(u8),
    PutTag(u8),
    Getsp,
    Getpl,
    Rr(u8),
    Rw(u8),
    Staa(u8),
    Ldaa(u8),
    AauRw(u8),
    AauRr(u8),
    /// recognised but not available in user mode / not implemented: raise SIGILL
    Illegal(&'static str),
}

/// Width class of an operand or result (from the semantic signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum W {
    S,
    D,
    X,
    Q,
    /// 8-bit immediate from ALES (lit8/pshufh order)
    L,
    /// predicate (MRGC condition as input, compare result as output)
    P,
    /// no result
    #[default]
    Nil,
}

impl W {
    fn from_sig(c: char) -> W {
        match c {
            's' => W::S,
            'd' => W::D,
            'x' => W::X,
            'q' => W::Q,
            'L' => W::L,
            'P' => W::P,
            _ => W::Nil,
        }
    }
    /// Tag bits an operand of this width reads.
    pub fn tag_mask(self) -> u8 {
        match self {
            W::S => 0x03,
            W::D | W::X => 0x0f,
            W::Q => 0xff,
            _ => 0,
        }
    }
}

/// A predicate condition term: psrc (7 bits) and negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cond {
    pub psrc: u8,
    pub neg: bool,
}

/// One ALU-channel operation ready to execute.
#[derive(Debug, Clone)]
pub struct XOp {
    pub ch: u8,
    pub def: &'static AlopDef,
    pub kind: XKind,
    pub sm: bool,
    pub src: [Src; 4],
    pub sw: [W; 4],
    pub nsrc: u8,
    pub dst: Dst,
    pub rw: W,
    /// second register of a pair result/value (quad ops), or None
    pub dst2: Option<Dst>,
    pub src3_2: Option<Src>,
    /// RLP terms guarding this op (ORed per kind, kinds ANDed)
    pub rlp: [Option<Cond>; 4],
    /// MRGC condition (merge ops)
    pub mrgc: Option<Cond>,
    /// condition for the AAU increment (AM, ALC2/5)
    pub am: Option<Cond>,
    pub mas: u8,
    /// raw ALS (for AAU fields)
    pub als: u32,
    pub ales: u16,
    /// literal for staa/ldaa (from LTS)
    pub aau_lit: u32,
    /// 32-bit result not affected by WD.dbl (movts family)
    pub dbl_exempt: bool,
    /// no tag check and tag copied (movt*, puttag, gettag)
    pub no_tag_check: bool,
    /// a merge: the result tag is the selected operand's
    pub is_merge: bool,
    /// tag bits each source reads
    pub tmask: [u8; 4],
    /// index of the predicate (MRGC) source, or 0xff
    pub p_src: u8,
}

/// CT condition (SS.ctcond).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CtCond {
    pub kind: u8,
    pub psrc: u8,
}

/// A PLS syllable, unpacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pls {
    pub elp: [Option<u8>; 2],
    pub clp_opc: u8,
    pub p0: u8,
    pub neg0: bool,
    pub p1: u8,
    pub neg1: bool,
    pub vdst: bool,
    pub pdst: u8,
}

/// A mova channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mova {
    pub ch: u8,
    pub opc: u8,
    pub area: u8,
    pub ind: u8,
    pub am: bool,
    pub be: bool,
    pub dst: Dst,
}

/// Control part of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Xfer {
    #[default]
    None,
    /// ct %ctprN
    Ct(u8),
    /// call %ctprN, wbs
    Call(u8, u8),
    /// ibranch target
    Ibranch(u64),
    /// done/iret/... (privileged)
    Privileged,
}

/// The executor's form of one bundle.
#[derive(Debug, Clone)]
pub struct XBundle {
    pub addr: u64,
    pub len: u8,
    pub ops: Vec<XOp>,
    pub loop_mode: bool,
    /// SS stub bits
    pub alc: u8,
    pub abn: u8,
    pub abp: u8,
    pub abg: u8,
    pub ct_cond: CtCond,
    pub xfer: Xfer,
    /// CS0 preparation: (ctpr, value kind, target or entry)
    pub prep: Option<Prep>,
    pub setwd: Option<(u32, bool, bool)>,
    pub setbn: Option<(u8, u8, u8)>,
    pub setbp: Option<u8>,
    pub setsft: bool,
    pub pls: [Option<Pls>; 3],
    /// number of leading PLS slots worth scanning (0 when the bundle has no PLS)
    pub npls: u8,
    /// an ALU op of this bundle writes a %ctpr
    pub writes_ctpr: bool,
    pub mova: Vec<Mova>,
    pub bap: bool,
    pub eap: bool,
    pub flush: u8,
    /// A static rule the bundle breaks: executing it raises SIGILL.
    pub illegal: Option<String>,
    /// The fast-path form, when the bundle qualifies.
    pub fast: Option<super::fast::FastBundle>,
}

/// CS0 preparation of a CTPR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prep {
    Disp { ctpr: u8, target: u64 },
    Ldisp { target: u64 },
    Sdisp { ctpr: u8, entry: u32 },
    Return,
}

fn sext(v: u64, bits: u32) -> u64 {
    let sh = 64 - bits;
    (((v << sh) as i64) >> sh) as u64
}

/// Resolves a src1 byte.
fn src1(b: u8) -> Result<Src, String> {
    Ok(match b {
        0x00..=0x7f => Src::Breg(b),
        0x80..=0xbf => Src::Reg(b & 0x3f),
        0xc0..=0xdf => Src::Imm((b & 0x1f) as u128),
        0xe0..=0xff => Src::Greg(b & 0x1f),
    })
}

/// Resolves a src2 byte (literal references read the bundle's LTS).
fn src2(b: u8, bun: &Bundle) -> Result<Src, String> {
    Ok(match b {
        0x00..=0x7f => Src::Breg(b),
        0x80..=0xbf => Src::Reg(b & 0x3f),
        0xc0..=0xcf => Src::Imm((b & 0xf) as u128),
        0xd0..=0xdf => {
            let lts = |i: usize| -> Result<u32, String> {
                bun.lts(i)
                    .ok_or_else(|| format!("operand references missing LTS{i}"))
            };
            let lo = b & 3;
            match b {
                0xd0 | 0xd1 | 0xd4 | 0xd5 => {
                    let w = lts(lo as usize)?;
                    let h = if b & 4 != 0 { w >> 16 } else { w & 0xffff };
                    Src::Imm(sext(h as u64, 16) as u128)
                }
                0xd8..=0xdb => Src::Imm(sext(lts(lo as usize)? as u64, 32) as u128),
                0xdc..=0xde => {
                    let l = lts(lo as usize)? as u64;
                    let h = lts(lo as usize + 1)? as u64;
                    Src::Imm((h << 32 | l) as u128)
                }
                _ => return Err(format!("invalid literal reference {b:#04x}")),
            }
        }
        0xe0..=0xff => Src::Greg(b & 0x1f),
    })
}

/// Resolves a src3 byte (register only).
fn src3(b: u8) -> Result<Src, String> {
    Ok(match b {
        0x00..=0x7f => Src::Breg(b),
        0x80..=0xbf => Src::Reg(b & 0x3f),
        0xe0..=0xff => Src::Greg(b & 0x1f),
        _ => return Err(format!("invalid src3 operand {b:#04x}")),
    })
}

fn dst(b: u8) -> Result<Dst, String> {
    Ok(match b {
        0x00..=0x7f => Dst::Breg(b),
        0x80..=0xbf => Dst::Reg(b & 0x3f),
        0xe0..=0xff => Dst::Greg(b & 0x1f),
        0xd1..=0xd3 => Dst::Ctpr(b - 0xd0),
        0xde | 0xdf => Dst::Empty,
        _ => return Err(format!("invalid destination operand {b:#04x}")),
    })
}

fn kind_of(d: &'static AlopDef) -> XKind {
    if let Some(f) = d.sem {
        return XKind::Sem(f);
    }
    let ex = d.ex.unwrap_or("");
    let (cls, arg) = ex.split_once(':').unwrap_or((ex, "0"));
    let n: u8 = arg.parse().unwrap_or(0);
    match cls {
        "ld" => XKind::Load(n),
        "st" => XKind::Store(n),
        // register-pair forms: 16 bytes, halves in the two channels' registers
        "ldq" => XKind::Load(16),
        "stq" => XKind::Store(16),
        "stm" => XKind::StoreMasked,
        "staa" => XKind::Staa(n),
        "ldaa" => XKind::Ldaa(n),
        "aaurw" => XKind::AauRw(n),
        "aaurr" => XKind::AauRr(n),
        "puttag" => XKind::PutTag(n),
        "gettag" => XKind::GetTag(n),
        "movt" => XKind::Movt,
        "getsp" => XKind::Getsp,
        "getpl" => XKind::Getpl,
        "rr" => XKind::Rr(n),
        "rw" => XKind::Rw(n),
        "segld" | "segst" => {
            XKind::Illegal("segment-relative access is not available in 64-bit user mode")
        }
        "" => XKind::Illegal("operation not implemented"),
        _ => XKind::Illegal("unknown execution class"),
    }
}

fn cds_conds(b: &Bundle) -> Vec<(u8, u8, u8, u8)> {
    // (opc, mask, neg, psrc) of every non-empty CDS half
    let mut v = Vec::new();
    for w in b.cds_words() {
        for h in [(w >> 16) as u16, w as u16] {
            let h = h as u32;
            let mask = CDS_HALF_MASK.get(h) as u8;
            if mask == 0 {
                continue;
            }
            v.push((
                CDS_HALF_OPC.get(h) as u8,
                mask,
                CDS_HALF_NEG.get(h) as u8,
                CDS_HALF_PRED.get(h) as u8,
            ));
        }
    }
    v
}

/// Builds the executor's form of bundle `b` (already decoded for `iset`).
pub fn predecode(b: &Bundle, iset: u8) -> XBundle {
    let mut x = XBundle {
        addr: b.addr,
        len: b.len,
        ops: Vec::with_capacity(6),
        loop_mode: HS_LM.get(b.hs) != 0,
        alc: 0,
        abn: 0,
        abp: 0,
        abg: 0,
        ct_cond: CtCond { kind: 0, psrc: 0 },
        xfer: Xfer::None,
        prep: None,
        setwd: None,
        setbn: None,
        setbp: None,
        setsft: false,
        pls: [None; 3],
        npls: 0,
        writes_ctpr: false,
        mova: Vec::new(),
        bap: false,
        eap: false,
        flush: 0,
        illegal: None,
        fast: None,
    };
    if let Err(e) = fill(&mut x, b, iset) {
        x.illegal = Some(e);
    }
    x.fast = super::fast::build(&x);
    x
}

fn fill(x: &mut XBundle, b: &Bundle, iset: u8) -> Result<(), String> {
    let conds = cds_conds(b);
    // ---- ALU channels
    let mut skip = [false; 6];
    for ch in 0..6 {
        let (Some(als), Some(id)) = (b.als(ch), b.op(ch)) else {
            continue;
        };
        if skip[ch] {
            continue;
        }
        let d = id.def();
        let ales = b.ales(ch).unwrap_or(0x01c0);
        let sig = d.sig;
        let (ins, out) = sig.split_once('>').unwrap_or((sig, ""));
        let mut op = XOp {
            ch: ch as u8,
            def: d,
            kind: kind_of(d),
            sm: ALS_SM.get(als) != 0,
            src: [Src::None; 4],
            sw: [W::Nil; 4],
            nsrc: 0,
            dst: Dst::None,
            rw: W::from_sig(out.chars().next().unwrap_or(' ')),
            dst2: None,
            src3_2: None,
            rlp: [None; 4],
            mrgc: None,
            am: None,
            mas: b.mas(ch),
            als,
            ales,
            aau_lit: 0,
            dbl_exempt: matches!(d.name, "movts" | "movtcs" | "movtrs" | "movtrcs"),
            no_tag_check: false,
            is_merge: false,
            tmask: [0; 4],
            p_src: 0xff,
        };
        for (i, c) in ins.chars().enumerate().take(4) {
            op.sw[i] = W::from_sig(c);
            op.tmask[i] = op.sw[i].tag_mask();
            if op.sw[i] == W::P {
                op.p_src = i as u8;
            }
        }
        let s1 = ALS_SRC1.get(als) as u8;
        let s2 = ALS_SRC2.get(als) as u8;
        let dd = ALS_DST.get(als) as u8;
        let a3 = (ales & 0xff) as u8;
        use Format::*;
        let mut srcs: Vec<Src> = Vec::new();
        match d.fmt {
            Alopf1 | Alopf1Mas | Alopf11 | Alopf11Mas | Merge | Alopf11Merge => {
                srcs.push(src1(s1)?);
                srcs.push(src2(s2, b)?);
                op.dst = dst(dd)?;
            }
            Alopf11Lit8 => {
                srcs.push(src1(s1)?);
                srcs.push(src2(s2, b)?);
                srcs.push(Src::Imm(a3 as u128));
                op.dst = dst(dd)?;
            }
            Alopf2 | Alopf12 | Alopf22 | Alopf12Ibranchd | Alopf12Icalld => {
                srcs.push(src2(s2, b)?);
                op.dst = dst(dd)?;
            }
            Alopf12Pshufh => {
                srcs.push(src2(s2, b)?);
                srcs.push(Src::Imm(a3 as u128));
                op.dst = dst(dd)?;
            }
            Alopf21 | Alopf21Merge => {
                srcs.push(src1(s1)?);
                srcs.push(src2(s2, b)?);
                srcs.push(src3(a3)?);
                op.dst = dst(dd)?;
            }
            Alopf3Mas | Alopf13Mas => {
                srcs.push(src1(s1)?);
                srcs.push(src2(s2, b)?);
                srcs.push(src3(dd)?);
            }
            Alopf7 | Alopf17 => {
                srcs.push(src1(s1)?);
                srcs.push(src2(s2, b)?);
                op.dst = Dst::Pred(ALS_PDST.get(als) as u8);
            }
            Alopf8 => {
                srcs.push(src2(s2, b)?);
                op.dst = Dst::Pred(ALS_PDST.get(als) as u8);
            }
            Alopf15 => {
                srcs.push(src2(s2, b)?);
                op.kind = XKind::Rw(dd);
            }
            Alopf16 => {
                op.kind = XKind::Rr(s1);
                op.dst = dst(dd)?;
            }
            Alopf10Mas | Aaurw => {
                srcs.push(src3(dd)?);
                let lt = (als >> 8) & 3;
                if lt != 0 {
                    op.aau_lit = b
                        .lts((lt - 1) as usize)
                        .ok_or_else(|| format!("staa references missing LTS{}", lt - 1))?;
                }
            }
            Alopf19Mas | Aaurr => {
                op.dst = dst(dd)?;
                let lt = (als >> 8) & 3;
                if lt != 0 {
                    op.aau_lit = b
                        .lts((lt - 1) as usize)
                        .ok_or_else(|| format!("ldaa references missing LTS{}", lt - 1))?;
                }
            }
        }
        // merge ops take the MRGC condition as their last (predicate) input
        if ins.ends_with('P') {
            srcs.push(Src::None);
        }
        op.nsrc = srcs.len() as u8;
        for (i, s) in srcs.into_iter().enumerate().take(4) {
            op.src[i] = s;
        }
        // quad pair ops: the partner channel carries register N+1
        if d.args.contains(&e2k_isa::Opnd::Q) {
            let partner = match (d.fmt.is_store(), ch) {
                (true, 2) => Some(5),
                (false, 0) if d.allows_channel(1) => Some(1),
                (false, 0) => Some(2),
                (false, 3) if d.allows_channel(4) => Some(4),
                (false, 3) => Some(5),
                (false, 2) => Some(5),
                _ => None,
            };
            if let Some(p) = partner {
                if let (Some(pa), Some(pid)) = (b.als(p), b.op(p)) {
                    if pid.def().name == d.name {
                        skip[p] = true;
                        if d.fmt.is_store() {
                            op.src3_2 = Some(src3(ALS_DST.get(pa) as u8)?);
                        } else {
                            op.dst2 = Some(dst(ALS_DST.get(pa) as u8)?);
                        }
                    }
                }
            }
        }
        // conditions from CDS
        let cluster = (ch / 3) as u8;
        let bit = 1u8 << (ch % 3);
        let mut nr = 0;
        for &(opc, mask, neg, psrc) in &conds {
            let is_rlp = opc < 2;
            if (opc & 1) != cluster {
                continue;
            }
            if mask & bit != 0 {
                let c = Cond {
                    psrc,
                    neg: neg & bit != 0,
                };
                if is_rlp {
                    if nr < 4 {
                        op.rlp[nr] = Some(c);
                        nr += 1;
                    }
                } else {
                    op.mrgc = Some(c);
                }
            }
            if is_rlp && mask & 8 != 0 && ch % 3 == 2 {
                op.am = Some(Cond {
                    psrc,
                    neg: neg & 4 != 0,
                });
            }
        }
        if let Dst::Ctpr(_) = op.dst {
            if !matches!(d.name, "movtd" | "movtcd" | "movtrd" | "movtrcd" | "getpl") {
                return Err(format!("`{}` cannot write a %ctpr", d.name));
            }
            if op.rlp.iter().any(|c| c.is_some()) {
                return Err("a %ctpr write may not be conditional".into());
            }
        }
        op.is_merge = d.name.starts_with("merge") && op.nsrc == 3;
        if matches!(op.dst, Dst::Ctpr(_)) {
            x.writes_ctpr = true;
        }
        if matches!(op.kind, XKind::Movt | XKind::PutTag(_) | XKind::GetTag(_)) {
            op.no_tag_check = true;
        }
        x.ops.push(op);
    }
    // mirrored channel rule: store ch2 + load ch3, store ch5 + load ch0
    let is_store = |c: usize| {
        x.ops
            .iter()
            .any(|o| o.ch as usize == c && o.def.fmt.is_store())
    };
    let is_load = |c: usize| {
        x.ops
            .iter()
            .any(|o| o.ch as usize == c && matches!(o.kind, XKind::Load(_)))
    };
    if (is_store(2) && is_load(3)) || (is_store(5) && is_load(0)) {
        return Err("a store and a load on mirrored channels".into());
    }

    // ---- SS
    let mut ctop = 0u8;
    if let Some(ss) = b.ss() {
        let cond = SS_CTCOND.get(ss);
        x.ct_cond = CtCond {
            kind: (cond >> 5) as u8,
            psrc: (cond & 31) as u8,
        };
        ctop = SS_CTOP.get(ss) as u8;
        if SS_TYPE.get(ss) == 0 {
            x.alc = (SS_ALCF.get(ss) << 1 | SS_ALCT.get(ss)) as u8;
            x.abp = (SS_ABPF.get(ss) << 1 | SS_ABPT.get(ss)) as u8;
            x.abn = (SS_ABNF.get(ss) << 1 | SS_ABNT.get(ss)) as u8;
            x.abg = SS_ABG.get(ss) as u8;
            x.bap = SS_BAP.get(ss) != 0;
            x.eap = SS_EAP.get(ss) != 0;
            if SS_VFDI.get(ss) != 0 {
                // vector FP denormal check: no architectural effect modelled
            }
        }
    }
    // ---- CS1
    let mut call_wbs = None;
    if let Some(cs1) = b.cs1() {
        match CS1_OPC.get(cs1) {
            0 | 1 | 4 => {
                let opc = CS1_OPC.get(cs1);
                if opc != 4 {
                    let lts0 = b.lts(0).ok_or("setwd without LTS0")?;
                    let wsz = LTS0_WSZ.get(lts0);
                    if wsz > 112 {
                        return Err(format!("setwd wsz={wsz} is larger than 112"));
                    }
                    let dbl = iset >= 3 && LTS0_DBL.get(lts0) != 0;
                    x.setwd = Some((2 * wsz, LTS0_NFX.get(lts0) != 0, dbl));
                }
                if CS1_SETBN.get(cs1) != 0 {
                    x.setbn = Some((
                        CS1_RBS.get(cs1) as u8,
                        CS1_RSZ.get(cs1) as u8,
                        CS1_RCUR.get(cs1) as u8,
                    ));
                }
                if CS1_SETBP.get(cs1) != 0 {
                    x.setbp = Some(CS1_PSZ.get(cs1) as u8);
                }
            }
            2 => {
                if cs1 & (1 << 27) != 0 {
                    x.setsft = true;
                }
                // setei: privileged interrupt enable; ignored in user mode
            }
            3 => {} // wait: no effect in an in-order emulator
            5 => {
                let ctopc = CS1_CTOPC.get(cs1);
                if ctopc != 0 {
                    return Err("icall/hcall are not available in user mode".into());
                }
                call_wbs = Some(CS1_WBS.get(cs1) as u8);
            }
            6 => {} // MAS, read per channel
            7 => x.flush = CS1_FLUSH_FLAGS.get(cs1) as u8,
            o => return Err(format!("CS1 operation {o} is not implemented")),
        }
    }
    // ---- CS0
    if let Some(cs0) = b.cs0() {
        let ctpr = CS0_CTPR.get(cs0) as u8;
        let opc = CS0_CTP_OPC.get(cs0);
        let disp = sext(CS0_DISP.get(cs0) as u64, 28);
        let target = b.addr.wrapping_add(disp.wrapping_mul(8));
        match (ctpr, opc) {
            (0, 0) => {
                if ctop != 0 || call_wbs.is_some() || x.ct_cond.kind == 0 {
                    return Err("ibranch needs SS with a condition and no call".into());
                }
                x.xfer = Xfer::Ibranch(target);
            }
            (0, 1) => {} // pref: prefetch hint
            (0, 3) => x.xfer = Xfer::Privileged,
            (1..=3, 0) => {
                x.prep = Some(Prep::Disp {
                    ctpr,
                    target: target & 0xffff_ffff_ffff,
                })
            }
            (2, 1) => {
                x.prep = Some(Prep::Ldisp {
                    target: target & 0xffff_ffff_ffff,
                })
            }
            (1..=3, 2) => {
                x.prep = Some(Prep::Sdisp {
                    ctpr,
                    entry: (cs0 & 0xfff_ffff),
                })
            }
            (3, 3) if cs0 & 7 == 0 => x.prep = Some(Prep::Return),
            _ => return Err(format!("CS0 {cs0:#010x} is not a user-mode operation")),
        }
    }
    if ctop != 0 {
        x.xfer = match call_wbs {
            Some(w) => Xfer::Call(ctop, w),
            None => Xfer::Ct(ctop),
        };
        if x.ct_cond.kind == 0 {
            x.xfer = Xfer::None;
        }
    } else if call_wbs.is_some() {
        return Err("call without a CTPR".into());
    }
    // ---- PLS
    for i in 0..3 {
        let Some(w) = b.pls(i) else { continue };
        let mut pl = Pls {
            clp_opc: PLS_CLP_OPC.get(w) as u8,
            p0: PLS_CLP_P0.get(w) as u8,
            neg0: PLS_CLP_NEG0.get(w) != 0,
            p1: PLS_CLP_P1.get(w) as u8,
            neg1: PLS_CLP_NEG1.get(w) != 0,
            vdst: PLS_CLP_VDST.get(w) != 0,
            pdst: PLS_CLP_PDST.get(w) as u8,
            elp: [None; 2],
        };
        if i < 2 {
            pl.elp = [Some(PLS_ELP0.get(w) as u8), Some(PLS_ELP1.get(w) as u8)];
        }
        if pl.clp_opc == 2 {
            return Err("reserved CLP opcode".into());
        }
        x.pls[i] = Some(pl);
        x.npls = i as u8 + 1;
    }
    // ---- AAS (mova)
    if let Some(ss) = b.ss() {
        if SS_TYPE.get(ss) == 0 {
            let aa = SS_AA.get(ss);
            for c in 0..4u8 {
                if aa & (1 << c) == 0 {
                    continue;
                }
                let op = b.aas(c as usize + 2).unwrap_or(0) as u32;
                let dpair = b.aas((c >> 1) as usize).unwrap_or(0);
                let db = if c & 1 == 0 { dpair >> 8 } else { dpair & 0xff } as u8;
                x.mova.push(Mova {
                    ch: c,
                    opc: AA2F1_OPC.get(op) as u8,
                    area: AA2F1_AREA.get(op) as u8,
                    ind: AA2F1_IND.get(op) as u8,
                    am: AA2F1_AM.get(op) != 0,
                    be: AA2F1_BE.get(op) != 0,
                    dst: dst(db)?,
                });
            }
        }
    }
    Ok(())
}
