//! Loading a migration stream into a complete process state (destination side,
//! also the fuzz target's entry point): sections are checked in order, pages go
//! straight into a guest memory built from the layouts, and nothing is returned
//! unless the END section's whole-stream checksum matched.

use super::fd_state::{self, FdDesc};
use super::state_save::{self, ProcInfo, RegionDesc};
use super::stream_format::*;
use super::wire::{Dec, Enc};
use crate::cpu::Cpu;
use crate::linux::signal::SignalState;
use crate::mem::GuestMem;
use std::io::Read;

/// The header: what the stream was made by and for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub iset: u8,
    pub tags: bool,
    pub page_size: u32,
    pub model: String,
    pub producer: String,
}

impl Header {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Enc::new();
        e.u8(self.iset)
            .bool(self.tags)
            .u32(self.page_size)
            .str(&self.model)
            .str(&self.producer);
        e.buf
    }

    pub fn decode(p: &[u8]) -> Result<Header, String> {
        let mut d = Dec::new(p, "header");
        let h = Header {
            iset: d.u8()?,
            tags: d.bool()?,
            page_size: d.u32()?,
            model: d.string()?,
            producer: d.string()?,
        };
        d.finish()?;
        Ok(h)
    }
}

/// What the destination insists on.
#[derive(Debug, Clone)]
pub struct Limits {
    /// the CPU ISA version given by `-cpu` on the destination
    pub expect_iset: Option<u8>,
    /// largest amount of guest memory accepted
    pub max_mapped: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            expect_iset: None,
            max_mapped: 1 << 34,
        }
    }
}

/// A fully loaded and checked process state.
pub struct Loaded {
    pub header: Header,
    pub cpu: Cpu,
    pub mem: GuestMem,
    pub sig: SignalState,
    pub fds: Vec<FdDesc>,
    pub proc: ProcInfo,
    pub layout: Vec<RegionDesc>,
    pub bytes: u64,
}

/// Checks a header against this emulator and the destination's options.
pub fn check_header(h: &Header, lim: &Limits) -> Result<(), String> {
    if h.page_size as usize != PAGE_SIZE {
        return Err(format!(
            "page size mismatch: the stream has {}-byte pages, e2kemu uses {PAGE_SIZE}",
            h.page_size
        ));
    }
    if !(2..=7).contains(&h.iset) {
        return Err(format!("header names an impossible ISA version {}", h.iset));
    }
    if let Some(want) = lim.expect_iset {
        if want != h.iset {
            return Err(format!(
                "CPU mismatch: the stream was saved on an elbrus-v{} CPU, this e2kemu runs elbrus-v{want}",
                h.iset
            ));
        }
    }
    Ok(())
}

/// Reads a whole stream. `on_header` is called once the header is accepted (the
/// destination tells the source early when it refuses).
pub fn load_stream<R: Read>(
    src: R,
    lim: &Limits,
    mut progress: impl FnMut(u8),
) -> Result<Loaded, String> {
    let mut r = StreamReader::new(src);
    r.read_start()?;
    let mut header: Option<Header> = None;
    let mut mem = GuestMem::new();
    let mut layout: Option<Vec<RegionDesc>> = None;
    let mut cpu = None;
    let mut sig = None;
    let mut fds = None;
    let mut proc = None;
    loop {
        let (id, p) = r.next_section()?;
        progress(id);
        if header.is_none() && id != SEC_HEADER {
            return Err(format!(
                "the stream does not start with a header (found the {} section)",
                section_name(id)
            ));
        }
        let dup = |name: &str| Err(format!("duplicate {name} section (corrupted stream)"));
        match id {
            SEC_HEADER => {
                if header.is_some() {
                    return dup("header");
                }
                let h = Header::decode(&p)?;
                check_header(&h, lim)?;
                header = Some(h);
            }
            SEC_PASS => {
                Dec::new(&p, "pass").u32()?;
            }
            SEC_LAYOUT => {
                let l = state_save::decode_layout(&p, lim.max_mapped)?;
                state_save::apply_layout(&mut mem, &l);
                layout = Some(l);
            }
            SEC_PAGES => {
                if layout.is_none() {
                    return Err("ram pages arrived before any layout (corrupted stream)".into());
                }
                for (vpn, data) in state_save::decode_pages(&p)? {
                    state_save::store_page(&mut mem, vpn, data);
                }
            }
            SEC_CPU => {
                if cpu.is_some() {
                    return dup("cpu");
                }
                let c = super::cpu_state::decode_cpu(&p)?;
                let hi = header.as_ref().map_or(0, |h| h.iset);
                if c.iset != hi {
                    return Err(format!(
                        "cpu section is for elbrus-v{} but the header says elbrus-v{hi}",
                        c.iset
                    ));
                }
                cpu = Some(c);
            }
            SEC_SIGNALS => {
                if sig.is_some() {
                    return dup("signals");
                }
                sig = Some(state_save::decode_signals(&p)?);
            }
            SEC_FDS => {
                if fds.is_some() {
                    return dup("file descriptors");
                }
                fds = Some(fd_state::decode(&p)?);
            }
            SEC_PROCESS => {
                if proc.is_some() {
                    return dup("process");
                }
                proc = Some(state_save::decode_proc(&p)?);
            }
            SEC_END => break,
            other => {
                return Err(format!(
                    "unknown section id {other} at byte {} (corrupted stream or a newer e2kemu)",
                    r.offset
                ))
            }
        }
    }
    let missing = |what: &str| format!("the stream ended without its {what} section");
    let layout = layout.ok_or_else(|| missing("layout"))?;
    state_save::apply_protections(&mut mem, &layout);
    mem.smc_pages.clear();
    Ok(Loaded {
        header: header.ok_or_else(|| missing("header"))?,
        cpu: cpu.ok_or_else(|| missing("cpu"))?,
        mem,
        sig: sig.ok_or_else(|| missing("signals"))?,
        fds: fds.ok_or_else(|| missing("file descriptors"))?,
        proc: proc.ok_or_else(|| missing("process"))?,
        layout,
        bytes: r.offset,
    })
}
