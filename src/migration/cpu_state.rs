//! The CPU section: every architectural register of `Cpu` (register file with
//! windows and tags, predicates, CTPRs, loop/stack/FP state, AAU, the chain
//! stack) and its decoder, which validates sizes before anything is allocated.

use super::wire::{DResult, Dec, Enc};
use crate::cpu::state::{Aau, AauArea, Br, ChainFrame, MAX_FRAMES, MAX_REGS};
use crate::cpu::Cpu;

pub fn encode_aau(e: &mut Enc, a: &Aau) {
    a.aad.iter().for_each(|v| {
        e.u128(*v);
    });
    a.aaind.iter().for_each(|v| {
        e.u32(*v);
    });
    a.aaincr.iter().for_each(|v| {
        e.u32(*v);
    });
    a.aasti.iter().for_each(|v| {
        e.u32(*v);
    });
    a.aaldi.iter().for_each(|v| {
        e.u64(*v);
    });
    a.aalda.iter().for_each(|v| {
        e.u64(*v);
    });
    e.u32(a.aafstr).u64(a.aaldv).u64(a.aaldm).u32(a.aasr);
    a.aadr.iter().for_each(|v| {
        e.u64(*v);
    });
    for ar in a.areas.iter().flatten() {
        e.u8(ar.fmt)
            .u8(ar.aad)
            .u8(ar.incr)
            .u8(ar.ind)
            .u32(ar.disp)
            .u64(ar.cdi);
    }
    e.bool(a.active);
}

pub fn decode_aau(d: &mut Dec) -> DResult<Aau> {
    let mut a = Aau::default();
    for v in a.aad.iter_mut() {
        *v = d.u128()?;
    }
    for v in a.aaind.iter_mut() {
        *v = d.u32()?;
    }
    for v in a.aaincr.iter_mut() {
        *v = d.u32()?;
    }
    for v in a.aasti.iter_mut() {
        *v = d.u32()?;
    }
    for v in a.aaldi.iter_mut() {
        *v = d.u64()?;
    }
    for v in a.aalda.iter_mut() {
        *v = d.u64()?;
    }
    a.aafstr = d.u32()?;
    a.aaldv = d.u64()?;
    a.aaldm = d.u64()?;
    a.aasr = d.u32()?;
    for v in a.aadr.iter_mut() {
        *v = d.u64()?;
    }
    for ar in a.areas.iter_mut().flatten() {
        *ar = AauArea {
            fmt: d.u8()?,
            aad: d.u8()? & 31,
            incr: d.u8()? & 7,
            ind: d.u8()? & 15,
            disp: d.u32()?,
            cdi: d.u64()?,
        };
    }
    a.active = d.bool()?;
    Ok(a)
}

fn encode_frame(e: &mut Enc, f: &ChainFrame) {
    e.u64(f.preds)
        .u64(f.ret_ip)
        .u8(f.wbs)
        .u16(f.wpsz)
        .bool(f.wfx)
        .bool(f.wdbl)
        .u64(f.br.to_raw())
        .u64(f.ussz)
        .u8(f.psr)
        .u32(f.cuir);
}

fn decode_frame(d: &mut Dec) -> DResult<ChainFrame> {
    Ok(ChainFrame {
        preds: d.u64()?,
        ret_ip: d.u64()?,
        wbs: d.u8()?,
        wpsz: d.u16()?,
        wfx: d.bool()?,
        wdbl: d.bool()?,
        br: Br::from_raw(d.u64()?),
        ussz: d.u64()?,
        psr: d.u8()?,
        cuir: d.u32()?,
    })
}
const FRAME_BYTES: usize = 8 + 8 + 1 + 2 + 1 + 1 + 8 + 8 + 1 + 4;

/// Encodes the whole CPU.
pub fn encode_cpu(c: &Cpu) -> Vec<u8> {
    let mut e = Enc::new();
    e.u8(c.iset).bool(c.tags_on).u64(c.ip);
    // the register file: its size, then every register up to the last live one
    let window_end = c.wbase + c.wsize as usize;
    let last_nonzero =
        c.rf.iter()
            .zip(c.rtag.iter())
            .rposition(|(v, t)| *v != 0 || *t != 0)
            .map_or(0, |i| i + 1);
    let used = window_end.max(last_nonzero).min(c.rf.len());
    e.u32(c.rf.len() as u32).u32(used as u32);
    for i in 0..used {
        e.u128(c.rf[i]);
    }
    for i in 0..used {
        e.u8(c.rtag.get(i).copied().unwrap_or(0));
    }
    e.u64(c.wbase as u64)
        .u32(c.wsize)
        .u32(c.psize)
        .bool(c.wfx)
        .bool(c.wdbl)
        .u64(c.br.to_raw());
    for v in &c.g {
        e.u128(*v);
    }
    e.raw(&c.gtag);
    e.u64(c.preds);
    for v in &c.ctpr {
        e.u64(*v);
    }
    e.u64(c.lcnt)
        .u32(c.lsr_hi)
        .u64(c.ilcr)
        .u64(c.ilcr1)
        .u64(c.usd_base)
        .u64(c.usd_size)
        .u64(c.sbr)
        .u64(c.psp_base)
        .u64(c.psp_size)
        .u64(c.pcsp_base)
        .u64(c.pcsp_size);
    e.u32(c.frames.len() as u32);
    for f in &c.frames {
        encode_frame(&mut e, f);
    }
    e.u8(c.psr).u32(c.upsr).u32(c.cuir).u32(c.bgr);
    e.u8(c.fp.iset)
        .u32(c.fp.pfpfr)
        .u32(c.fp.fpcr)
        .u32(c.fp.fpsr);
    encode_aau(&mut e, &c.aau);
    let s = &c.stats;
    e.u64(s.bundles)
        .u64(s.ops)
        .u64(s.decoded)
        .u64(s.syscalls)
        .u64(s.signals)
        .u64(s.invalidations);
    e.buf
}

/// Decodes and checks a CPU section.
pub fn decode_cpu(p: &[u8]) -> DResult<Cpu> {
    let mut d = Dec::new(p, "cpu");
    let iset = d.u8()?;
    if !(2..=7).contains(&iset) {
        return Err(format!("cpu section: impossible ISA version {iset}"));
    }
    let mut c = Cpu::new(iset);
    c.tags_on = d.bool()?;
    c.ip = d.u64()?;
    let len = d.u32()? as usize;
    let used = d.u32()? as usize;
    if len > MAX_REGS || used > len || used.saturating_mul(17) > d.remaining() {
        return Err(format!(
            "cpu section: bad register file size {used}/{len} (corrupted stream)"
        ));
    }
    c.rf = vec![0; len];
    c.rtag = vec![0; len];
    for i in 0..used {
        c.rf[i] = d.u128()?;
    }
    for i in 0..used {
        c.rtag[i] = d.u8()?;
    }
    c.wbase = d.u64()? as usize;
    c.wsize = d.u32()?;
    c.psize = d.u32()?;
    if c.wsize > 256 || c.psize > c.wsize || c.wbase.saturating_add(c.wsize as usize) > len {
        return Err("cpu section: window outside the register file (corrupted stream)".into());
    }
    c.wfx = d.bool()?;
    c.wdbl = d.bool()?;
    c.br = Br::from_raw(d.u64()?);
    for v in c.g.iter_mut() {
        *v = d.u128()?;
    }
    c.gtag.copy_from_slice(d.take(32)?);
    c.preds = d.u64()?;
    for v in c.ctpr.iter_mut() {
        *v = d.u64()?;
    }
    c.lcnt = d.u64()?;
    c.lsr_hi = d.u32()?;
    c.ilcr = d.u64()?;
    c.ilcr1 = d.u64()?;
    c.usd_base = d.u64()?;
    c.usd_size = d.u64()?;
    c.sbr = d.u64()?;
    c.psp_base = d.u64()?;
    c.psp_size = d.u64()?;
    c.pcsp_base = d.u64()?;
    c.pcsp_size = d.u64()?;
    let nf = d.count(FRAME_BYTES)?;
    if nf > MAX_FRAMES {
        return Err("cpu section: chain stack too deep (corrupted stream)".into());
    }
    c.frames = Vec::with_capacity(nf);
    for _ in 0..nf {
        c.frames.push(decode_frame(&mut d)?);
    }
    c.psr = d.u8()?;
    c.upsr = d.u32()?;
    c.cuir = d.u32()?;
    c.bgr = d.u32()?;
    c.fp.iset = d.u8()?;
    c.fp.pfpfr = d.u32()?;
    c.fp.fpcr = d.u32()?;
    c.fp.fpsr = d.u32()?;
    c.aau = decode_aau(&mut d)?;
    c.stats.bundles = d.u64()?;
    c.stats.ops = d.u64()?;
    c.stats.decoded = d.u64()?;
    c.stats.syscalls = d.u64()?;
    c.stats.signals = d.u64()?;
    c.stats.invalidations = d.u64()?;
    d.finish()?;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_roundtrip() {
        let mut c = Cpu::new(5);
        c.ip = 0x10000;
        c.rf[3] = 0x1234_5678_9abc_def0_1111;
        c.rtag[3] = 5;
        c.rf[200] = 7;
        c.g[5] = u128::MAX;
        c.preds = 0xdead;
        c.frames.push(ChainFrame {
            preds: 1,
            ret_ip: 0x4000,
            wbs: 4,
            wpsz: 8,
            wfx: true,
            wdbl: false,
            br: Br {
                rbs: 1,
                rsz: 2,
                rcur: 3,
                psz: 4,
                pcur: 1,
            },
            ussz: 9,
            psr: 0x26,
            cuir: 0,
        });
        c.aau.aad[7] = 99;
        c.aau.areas[2][1].disp = 5;
        c.fp.fpsr = 0x21;
        let b = encode_cpu(&c);
        let d = decode_cpu(&b).unwrap();
        assert_eq!(d.rf, c.rf);
        assert_eq!(d.rtag, c.rtag);
        assert_eq!(d.frames, c.frames);
        assert_eq!(d.aau, c.aau);
        assert_eq!(d.fp, c.fp);
        assert_eq!(format!("{:?}", d), format!("{:?}", c));
        for cut in 0..b.len() {
            assert!(decode_cpu(&b[..cut]).is_err());
        }
    }
}
