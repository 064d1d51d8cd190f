//! Register dumps of the e2k CPU: the `query-e2k-registers` object, the
//! `query-cpus-fast` entry and the HMP `info registers` text.

use crate::cpu::Cpu;
use crate::linux::Process;
use serde_json::{json, Value};

fn window(c: &Cpu) -> Vec<(u64, u8)> {
    (0..c.wsize as usize)
        .map(|i| {
            let j = c.wbase + i;
            (
                c.rf.get(j).copied().unwrap_or(0) as u64,
                c.rtag.get(j).copied().unwrap_or(0),
            )
        })
        .collect()
}

/// `query-e2k-registers`.
pub fn registers_json(p: &Process) -> Value {
    let c = &p.cpu;
    let r: Vec<Value> = window(c).iter().map(|(v, _)| json!(v)).collect();
    let rtags: Vec<Value> = window(c).iter().map(|(_, t)| json!(t)).collect();
    let g: Vec<Value> = c.g.iter().map(|v| json!(*v as u64)).collect();
    json!({
        "cpu-index": 0,
        "iset": c.iset,
        "ip": c.ip,
        "wd": {"base": c.wbase, "size": c.wsize, "psize": c.psize, "fx": c.wfx, "raw": c.wd_raw()},
        "br": {"rbs": c.br.rbs, "rsz": c.br.rsz, "rcur": c.br.rcur, "psz": c.br.psz, "pcur": c.br.pcur},
        "r": r,
        "r-tags": rtags,
        "g": g,
        "g-tags": c.gtag.to_vec(),
        "preds": c.preds,
        "ctpr": [c.ctpr[1], c.ctpr[2], c.ctpr[3]],
        "lsr": c.lsr(),
        "ilcr": c.ilcr,
        "usd": {"lo": c.usd_lo(), "hi": c.usd_hi(), "base": c.usd_base, "size": c.usd_size},
        "sbr": c.sbr,
        "psp": {"base": c.psp_base, "size": c.psp_size, "ind": c.psp_ind()},
        "pcsp": {"base": c.pcsp_base, "size": c.pcsp_size, "ind": c.pcsp_ind(), "depth": c.frames.len()},
        "psr": c.psr,
        "upsr": c.upsr,
        "cuir": c.cuir,
        "bgr": c.bgr,
        "fpcr": c.fp.fpcr,
        "fpsr": c.fp.fpsr,
        "pfpfr": c.fp.pfpfr,
        "bundles": c.stats.bundles,
    })
}

/// `query-cpus-fast`: one CPU.
pub fn cpus_fast(p: &Process) -> Value {
    json!([{
        "thread-id": p.pid,
        "props": {"core-id": 0, "thread-id": 0, "socket-id": 0},
        "qom-path": "/machine/unattached/device[0]",
        "cpu-index": 0,
        "target": "e2k",
    }])
}

/// HMP `info registers`.
pub fn registers_text(p: &Process) -> String {
    let c = &p.cpu;
    let mut s = format!(
        "ip=0x{:016x} iset=elbrus-v{} tags={}\n",
        c.ip,
        c.iset,
        if c.tags_on { "on" } else { "off" }
    );
    s.push_str(&format!(
        "wd: base={} size={} psize={} fx={}  br: rbs={} rsz={} rcur={} psz={} pcur={}\n",
        c.wbase, c.wsize, c.psize, c.wfx as u8, c.br.rbs, c.br.rsz, c.br.rcur, c.br.psz, c.br.pcur
    ));
    for (i, (v, t)) in window(c).iter().enumerate() {
        s.push_str(&format!("r{i:<2}=0x{v:016x}<{t:x}>"));
        s.push(if i % 4 == 3 { '\n' } else { ' ' });
    }
    if !c.wsize.is_multiple_of(4) {
        s.push('\n');
    }
    for i in 0..32 {
        s.push_str(&format!(
            "g{i:<2}=0x{:016x}<{:x}>",
            c.g[i] as u64, c.gtag[i]
        ));
        s.push(if i % 4 == 3 { '\n' } else { ' ' });
    }
    s.push_str(&format!(
        "preds=0x{:016x} ctpr1=0x{:016x} ctpr2=0x{:016x} ctpr3=0x{:016x}\n",
        c.preds, c.ctpr[1], c.ctpr[2], c.ctpr[3]
    ));
    s.push_str(&format!(
        "lsr=0x{:016x} ilcr=0x{:016x} upsr=0x{:08x} psr=0x{:02x} cuir=0x{:x} bgr=0x{:x}\n",
        c.lsr(),
        c.ilcr,
        c.upsr,
        c.psr,
        c.cuir,
        c.bgr
    ));
    s.push_str(&format!(
        "usd.lo=0x{:016x} usd.hi=0x{:016x} sbr=0x{:016x}\n",
        c.usd_lo(),
        c.usd_hi(),
        c.sbr
    ));
    s.push_str(&format!(
        "psp: base=0x{:x} size=0x{:x} ind=0x{:x}  pcsp: base=0x{:x} size=0x{:x} ind=0x{:x} depth={}\n",
        c.psp_base,
        c.psp_size,
        c.psp_ind(),
        c.pcsp_base,
        c.pcsp_size,
        c.pcsp_ind(),
        c.frames.len()
    ));
    s.push_str(&format!(
        "fpcr=0x{:04x} fpsr=0x{:04x} pfpfr=0x{:08x}\n",
        c.fp.fpcr, c.fp.fpsr, c.fp.pfpfr
    ));
    s
}

/// HMP `info mem`: every mapping with its protections.
pub fn mem_text(p: &Process) -> String {
    let mut s = String::new();
    for r in crate::migration::state_save::layout_of(&p.mem) {
        let mut i = 0usize;
        while i < r.prot.len() {
            let pr = r.prot[i];
            let mut j = i;
            while j < r.prot.len() && r.prot[j] == pr {
                j += 1;
            }
            let a = r.start + i as u64 * 4096;
            let e = r.start + j as u64 * 4096;
            s.push_str(&format!(
                "{a:016x}-{e:016x} {:016x} {}{}{} {}\n",
                e - a,
                if pr & 1 != 0 { 'r' } else { '-' },
                if pr & 2 != 0 { 'w' } else { '-' },
                if pr & 4 != 0 { 'x' } else { '-' },
                r.name
            ));
            i = j;
        }
    }
    s
}
