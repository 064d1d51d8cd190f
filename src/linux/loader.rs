//! ELF loader for e2k Linux executables (§16): checks the header and `e_flags`, maps
//! the PT_LOAD segments (and a PT_INTERP interpreter from the `-L` prefix), maps the
//! user stack and builds the initial SysV stack (argc, argv, envp, auxv, strings),
//! and sets the registers a program sees at `_start`.

use crate::cpu::state::{Cpu, MAX_FRAMES, MAX_REGS};
use crate::mem::{GuestMem, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, TASK_SIZE};
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader};
use object::LittleEndian as LE;
use std::path::{Path, PathBuf};

/// `e_machine` of e2k executables, and of old (pre-2008) ones.
pub const EM_MCST_ELBRUS: u16 = 175;
pub const EM_E2K_OLD: u16 = 49;

/// Top of the user data stack (SBR).
pub const STACK_TOP: u64 = 0x7fff_ffff_f000;
/// Largest user stack (`-s`).
pub const MAX_STACK: u64 = 1 << 30;
/// Reserved (never mmap'ed) ranges where PSP/PCSP point; the register stack itself
/// lives in `Cpu::rf` and the chain stack in `Cpu::frames`.
pub const PCS_BASE: u64 = 0x7ff8_0000_0000;
pub const PS_BASE: u64 = 0x7ff0_0000_0000;
/// `mmap` without a hint allocates top-down below this address.
pub const MMAP_TOP: u64 = PS_BASE;
/// Load address of position-independent main executables.
pub const ET_DYN_BASE: u64 = 0x5555_5555_0000;
/// Largest single mapping a guest may create (guest memory is host memory).
pub const MAX_MAPPING: u64 = 1 << 31;

// e_flags bits (§16.1)
const EF_X86APP: u32 = 1 << 2;
const EF_PM: u32 = 1 << 5;

/// A file that cannot be loaded: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {msg}")]
pub struct LoadError {
    pub file: String,
    pub msg: String,
}

fn err(file: &str, msg: impl Into<String>) -> LoadError {
    LoadError {
        file: file.to_string(),
        msg: msg.into(),
    }
}

/// What `load` needs besides the guest memory.
#[derive(Debug, Clone)]
pub struct LoadParams<'a> {
    /// file name used in error messages
    pub name: &'a str,
    pub image: &'a [u8],
    pub argv: &'a [Vec<u8>],
    pub envp: &'a [Vec<u8>],
    /// AT_EXECFN string (the program path as given)
    pub execfn: &'a [u8],
    /// `-L`: where the PT_INTERP interpreter is looked up
    pub ld_prefix: Option<&'a Path>,
    pub stack_size: u64,
    /// AT_RANDOM bytes
    pub random: [u8; 16],
}

/// Result of loading: where things are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// first instruction (the interpreter's entry for dynamic programs)
    pub entry: u64,
    /// the main program's entry (AT_ENTRY)
    pub prog_entry: u64,
    /// ISA version from `e_flags` (None = generic)
    pub elf_iset: Option<u8>,
    /// initial program break (page aligned, above the highest segment)
    pub brk: u64,
    /// initial stack pointer (argc)
    pub sp: u64,
    pub stack_bottom: u64,
    pub stack_top: u64,
    /// interpreter load bias (AT_BASE), 0 without PT_INTERP
    pub interp_base: u64,
    pub phdr: u64,
    pub phnum: u64,
}

/// ISA version encoded in `e_flags` (§16.1): None for generic code.
pub fn iset_from_flags(machine: u16, flags: u32) -> Result<Option<u8>, String> {
    if machine == EM_E2K_OLD {
        let m = ((flags >> 28) & 7) as u8;
        return Ok((m != 0).then_some(m));
    }
    match (flags >> 24) as u8 {
        0 => Ok(None),
        m @ 1..=7 => Ok(Some(m)),
        19 | 20 => Ok(Some(4)),
        21..=23 => Ok(Some(6)),
        m => Err(format!("unknown CPU model code {m} in e_flags {flags:#x}")),
    }
}

/// One PT_LOAD segment, validated.
#[derive(Debug, Clone, Copy)]
struct Seg {
    vaddr: u64,
    memsz: u64,
    filesz: u64,
    offset: u64,
    prot: u8,
}

/// A parsed and validated ELF image.
#[derive(Debug)]
struct Image<'a> {
    data: &'a [u8],
    dynamic: bool,
    entry: u64,
    machine: u16,
    flags: u32,
    phoff: u64,
    phnum: u64,
    segs: Vec<Seg>,
    interp: Option<Vec<u8>>,
    phdr_vaddr: Option<u64>,
}

fn parse<'a>(name: &str, data: &'a [u8]) -> Result<Image<'a>, LoadError> {
    if data.len() < 4 || &data[..4] != b"\x7fELF" {
        return Err(err(name, "not an ELF file (bad magic)"));
    }
    if data.len() < 16 {
        return Err(err(name, "truncated ELF identification"));
    }
    match data[4] {
        elf::ELFCLASS64 => {}
        elf::ELFCLASS32 => {
            return Err(err(
                name,
                "32-bit ELF (e2k32 ABI) is not supported; only 64-bit e2k executables run",
            ))
        }
        c => return Err(err(name, format!("invalid ELF class {c}"))),
    }
    match data[5] {
        elf::ELFDATA2LSB => {}
        elf::ELFDATA2MSB => return Err(err(name, "big-endian ELF is not an e2k executable")),
        d => return Err(err(name, format!("invalid ELF data encoding {d}"))),
    }
    let hdr = elf::FileHeader64::<LE>::parse(data)
        .map_err(|e| err(name, format!("bad ELF header: {e}")))?;
    let en = LE;
    let machine = hdr.e_machine(en);
    if machine != EM_MCST_ELBRUS && machine != EM_E2K_OLD {
        return Err(err(
            name,
            format!("not an e2k executable (e_machine {machine}, expected {EM_MCST_ELBRUS})"),
        ));
    }
    let dynamic = match hdr.e_type(en) {
        elf::ET_EXEC => false,
        elf::ET_DYN => true,
        elf::ET_REL => {
            return Err(err(
                name,
                "relocatable object file, not an executable (link it first)",
            ))
        }
        elf::ET_CORE => return Err(err(name, "core dump, not an executable")),
        t => return Err(err(name, format!("not an executable (e_type {t})"))),
    };
    let flags = hdr.e_flags(en);
    if flags & EF_PM != 0 {
        return Err(err(
            name,
            format!(
                "protected-mode executable (e_flags {flags:#x}: 128-bit pointers) is not supported"
            ),
        ));
    }
    if flags & EF_X86APP != 0 {
        return Err(err(
            name,
            format!(
                "x86 application for the binary translator (e_flags {flags:#x}) is not supported"
            ),
        ));
    }
    iset_from_flags(machine, flags).map_err(|m| err(name, m))?;
    let phnum = hdr.e_phnum(en) as u64;
    if phnum > 0 && hdr.e_phentsize(en) as usize != std::mem::size_of::<elf::ProgramHeader64<LE>>()
    {
        return Err(err(
            name,
            format!("bad program header entry size {}", hdr.e_phentsize(en)),
        ));
    }
    let phdrs = hdr
        .program_headers(en, data)
        .map_err(|_| err(name, "program header table lies outside the file"))?;
    let mut segs = Vec::new();
    let mut interp = None;
    let mut phdr_vaddr = None;
    let mut total = 0u64;
    for (i, ph) in phdrs.iter().enumerate() {
        match ph.p_type(en) {
            elf::PT_LOAD => {
                let (vaddr, memsz) = (ph.p_vaddr(en), ph.p_memsz(en));
                let (offset, filesz) = (ph.p_offset(en), ph.p_filesz(en));
                if memsz == 0 {
                    continue;
                }
                if filesz > memsz {
                    return Err(err(
                        name,
                        format!(
                            "segment {i}: file size {filesz:#x} exceeds memory size {memsz:#x}"
                        ),
                    ));
                }
                if filesz > 0
                    && offset
                        .checked_add(filesz)
                        .is_none_or(|v| v > data.len() as u64)
                {
                    return Err(err(name, format!("segment {i}: file data at {offset:#x}+{filesz:#x} lies beyond the end of the file ({:#x} bytes)", data.len())));
                }
                if vaddr.checked_add(memsz).is_none_or(|v| v > TASK_SIZE) {
                    return Err(err(
                        name,
                        format!(
                            "segment {i}: {vaddr:#x}+{memsz:#x} is outside the user address space"
                        ),
                    ));
                }
                total = total.saturating_add(memsz);
                if total > MAX_MAPPING {
                    return Err(err(name, "loadable segments are too large"));
                }
                let f = ph.p_flags(en);
                let mut prot = 0;
                if f & elf::PF_R != 0 {
                    prot |= PROT_READ;
                }
                if f & elf::PF_W != 0 {
                    prot |= PROT_WRITE;
                }
                if f & elf::PF_X != 0 {
                    prot |= PROT_EXEC;
                }
                segs.push(Seg {
                    vaddr,
                    memsz,
                    filesz,
                    offset,
                    prot,
                });
            }
            elf::PT_INTERP => {
                let bytes = ph
                    .data(en, data)
                    .map_err(|_| err(name, "PT_INTERP lies outside the file"))?;
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                if end == 0 {
                    return Err(err(name, "empty PT_INTERP path"));
                }
                interp = Some(bytes[..end].to_vec());
            }
            elf::PT_PHDR => phdr_vaddr = Some(ph.p_vaddr(en)),
            _ => {}
        }
    }
    if segs.is_empty() {
        return Err(err(name, "no loadable (PT_LOAD) segments"));
    }
    Ok(Image {
        data,
        dynamic,
        entry: hdr.e_entry(en),
        machine,
        flags,
        phoff: hdr.e_phoff(en),
        phnum,
        segs,
        interp,
        phdr_vaddr,
    })
}

fn page_down(a: u64) -> u64 {
    a & !(PAGE_SIZE - 1)
}
fn page_up(a: u64) -> u64 {
    a.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}

/// Where an image ended up.
struct Mapped {
    bias: u64,
    /// end of the highest segment (after bias)
    end: u64,
    /// address of the program headers in guest memory, if mapped
    phdr: Option<u64>,
}

/// Maps `img` into `mem`. `main` selects the load address of position-independent code.
fn map_image(mem: &mut GuestMem, name: &str, img: &Image, main: bool) -> Result<Mapped, LoadError> {
    let lo = img
        .segs
        .iter()
        .map(|s| page_down(s.vaddr))
        .min()
        .unwrap_or(0);
    let hi = img
        .segs
        .iter()
        .map(|s| page_up(s.vaddr + s.memsz))
        .max()
        .unwrap_or(0);
    let bias = if img.dynamic {
        let span = hi - lo;
        let preferred = if lo == 0 { ET_DYN_BASE } else { lo };
        let base = if main && !mem.is_mapped_any(preferred, span) {
            Some(preferred)
        } else {
            mem.find_free(span, MMAP_TOP, 0x10000)
        };
        let base = base.ok_or_else(|| err(name, "no room in the address space for the image"))?;
        base.wrapping_sub(lo)
    } else {
        0
    };
    if lo
        .wrapping_add(bias)
        .checked_add(hi - lo)
        .is_none_or(|v| v > TASK_SIZE)
    {
        return Err(err(name, "image does not fit in the user address space"));
    }
    for s in &img.segs {
        let start = page_down(s.vaddr + bias);
        let end = page_up(s.vaddr + bias + s.memsz);
        // pages already mapped by a previous segment get the union of the protections
        let mut a = start;
        while a < end {
            if let Some(p) = mem.prot_at(a) {
                let _ = mem.protect(a, PAGE_SIZE, p | s.prot);
                a += PAGE_SIZE;
                continue;
            }
            let mut b = a;
            while b < end && mem.prot_at(b).is_none() {
                b += PAGE_SIZE;
            }
            mem.map(a, b - a, s.prot, name);
            a = b;
        }
        // copy the file bytes; like mmap of the file, the part of the first page in
        // front of the segment comes from the file too (this maps the ELF and program
        // headers when the first segment starts at offset 0)
        if s.filesz == 0 {
            continue;
        }
        let pre = (s.vaddr % PAGE_SIZE).min(s.offset);
        let pre = if (s.offset - pre) % PAGE_SIZE == (s.vaddr - pre) % PAGE_SIZE {
            pre
        } else {
            0
        };
        let from = (s.offset - pre) as usize;
        let to = (s.offset + s.filesz) as usize;
        mem.poke(s.vaddr + bias - pre, &img.data[from..to])
            .map_err(|_| err(name, "internal error: segment not mapped"))?;
    }
    let phdr_size = img.phnum * 56;
    let phdr = match img.phdr_vaddr {
        Some(v) => Some(v + bias),
        None => img
            .segs
            .iter()
            .find(|s| s.offset <= img.phoff && img.phoff + phdr_size <= s.offset + s.filesz)
            .map(|s| s.vaddr + bias + (img.phoff - s.offset)),
    };
    let end = img
        .segs
        .iter()
        .map(|s| s.vaddr + s.memsz + bias)
        .max()
        .unwrap_or(0);
    Ok(Mapped { bias, end, phdr })
}

/// Loads the program (and its interpreter), maps and fills the stack.
pub fn load(mem: &mut GuestMem, p: &LoadParams) -> Result<Loaded, LoadError> {
    let img = parse(p.name, p.image)?;
    let elf_iset = iset_from_flags(img.machine, img.flags).map_err(|m| err(p.name, m))?;
    let main = map_image(mem, p.name, &img, true)?;
    let prog_entry = img.entry.wrapping_add(main.bias);
    let brk = page_up(main.end);

    let (entry, interp_base) = match &img.interp {
        None => (prog_entry, 0),
        Some(path) => {
            let host = interp_path(path, p.ld_prefix);
            let shown = host.display().to_string();
            let data = std::fs::read(&host).map_err(|e| {
                err(
                    p.name,
                    format!(
                        "cannot read the interpreter {shown}: {e} (use -L to give the e2k root)"
                    ),
                )
            })?;
            let iimg = parse(&shown, &data)?;
            let m = map_image(mem, &shown, &iimg, false)?;
            (iimg.entry.wrapping_add(m.bias), m.bias)
        }
    };

    let stack_size = page_up(p.stack_size.clamp(16 * PAGE_SIZE, MAX_STACK));
    let stack_bottom = STACK_TOP - stack_size;
    mem.map(stack_bottom, stack_size, PROT_READ | PROT_WRITE, "[stack]");
    let phdr_bytes = (main.phdr.is_none() && img.phnum > 0)
        .then(|| {
            let off = img.phoff as usize;
            p.image.get(off..off + img.phnum as usize * 56)
        })
        .flatten();
    let mut st = StackBuilder {
        mem,
        top: STACK_TOP,
        bottom: stack_bottom,
        name: p.name,
    };
    let sp = st.build(
        p,
        &Aux {
            phdr: main.phdr,
            phdr_bytes,
            phnum: img.phnum,
            entry: prog_entry,
            base: interp_base,
        },
    )?;
    Ok(Loaded {
        entry,
        prog_entry,
        elf_iset,
        brk,
        sp: sp.0,
        stack_bottom,
        stack_top: STACK_TOP,
        interp_base,
        phdr: sp.1,
        phnum: img.phnum,
    })
}

/// Host path of the interpreter: under the `-L` prefix when that file exists.
fn interp_path(path: &[u8], prefix: Option<&Path>) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    let p = Path::new(std::ffi::OsStr::from_bytes(path));
    if let Some(pre) = prefix {
        let rel = p.strip_prefix("/").unwrap_or(p);
        let cand = pre.join(rel);
        if cand.exists() {
            return cand;
        }
    }
    p.to_path_buf()
}

struct Aux<'a> {
    phdr: Option<u64>,
    phdr_bytes: Option<&'a [u8]>,
    phnum: u64,
    entry: u64,
    base: u64,
}

// auxiliary vector types
const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_PLATFORM: u64 = 15;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_EXECFN: u64 = 31;

/// Builds the initial stack downwards from `top`.
struct StackBuilder<'m> {
    mem: &'m mut GuestMem,
    top: u64,
    bottom: u64,
    name: &'m str,
}

impl StackBuilder<'_> {
    fn push_bytes(&mut self, p: &mut u64, b: &[u8]) -> Result<u64, LoadError> {
        let len = b.len() as u64;
        if *p < self.bottom + len + 4096 {
            return Err(err(
                self.name,
                "argument list and environment too long for the stack",
            ));
        }
        *p -= len;
        self.mem
            .poke(*p, b)
            .map_err(|_| err(self.name, "internal error: stack not mapped"))?;
        Ok(*p)
    }

    /// Returns (SP, AT_PHDR value).
    fn build(&mut self, p: &LoadParams, aux: &Aux) -> Result<(u64, u64), LoadError> {
        let mut sp = self.top - 8; // an 8-byte end marker at the very top
        let cstr = |s: &[u8]| {
            let mut v = s.to_vec();
            v.push(0);
            v
        };
        let execfn = self.push_bytes(&mut sp, &cstr(p.execfn))?;
        // strings block: argv strings then env strings, in increasing addresses
        let mut block = Vec::new();
        let mut offs = Vec::new();
        for s in p.argv.iter().chain(p.envp.iter()) {
            offs.push(block.len() as u64);
            block.extend_from_slice(s);
            block.push(0);
        }
        let base = self.push_bytes(&mut sp, &block)?;
        let platform = self.push_bytes(&mut sp, b"e2k\0")?;
        sp &= !15;
        let random = self.push_bytes(&mut sp, &p.random)?;
        let phdr = match (aux.phdr, aux.phdr_bytes) {
            (Some(a), _) => a,
            (None, Some(b)) => {
                sp &= !7;
                self.push_bytes(&mut sp, b)?
            }
            (None, None) => 0,
        };
        sp &= !15;
        let auxv: Vec<(u64, u64)> = vec![
            (AT_HWCAP, 0),
            (AT_PAGESZ, PAGE_SIZE),
            (AT_CLKTCK, 100),
            (AT_PHDR, phdr),
            (AT_PHENT, 56),
            (AT_PHNUM, aux.phnum),
            (AT_BASE, aux.base),
            (AT_FLAGS, 0),
            (AT_ENTRY, aux.entry),
            (AT_UID, super::host::getuid() as u64),
            (AT_EUID, super::host::geteuid() as u64),
            (AT_GID, super::host::getgid() as u64),
            (AT_EGID, super::host::getegid() as u64),
            (AT_SECURE, 0),
            (AT_RANDOM, random),
            (AT_EXECFN, execfn),
            (AT_PLATFORM, platform),
            (AT_NULL, 0),
        ];
        let argc = p.argv.len();
        let envc = p.envp.len();
        let mut words: Vec<u64> = Vec::with_capacity(3 + argc + envc + 2 * auxv.len());
        words.push(argc as u64);
        words.extend(offs[..argc].iter().map(|o| base + o));
        words.push(0);
        words.extend(offs[argc..].iter().map(|o| base + o));
        words.push(0);
        for (t, v) in auxv {
            words.push(t);
            words.push(v);
        }
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        let len = bytes.len() as u64;
        let target = (sp - len) & !15;
        if target < self.bottom + 4096 {
            return Err(err(
                self.name,
                "argument list and environment too long for the stack",
            ));
        }
        self.mem
            .poke(target, &bytes)
            .map_err(|_| err(self.name, "internal error: stack not mapped"))?;
        Ok((target, phdr))
    }
}

/// Sets the registers a program sees at `_start` (§16.3) and the stack registers.
pub fn init_cpu(cpu: &mut Cpu, l: &Loaded) {
    cpu.ip = l.entry;
    cpu.usd_base = l.sp;
    cpu.usd_size = l.sp - l.stack_bottom;
    cpu.sbr = l.stack_top;
    cpu.psp_base = PS_BASE;
    cpu.psp_size = (MAX_REGS * 16) as u64;
    cpu.pcsp_base = PCS_BASE;
    cpu.pcsp_size = (MAX_FRAMES * 32) as u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_machine() {
        assert_eq!(iset_from_flags(175, 0x0500_0010), Ok(Some(5)));
        assert_eq!(iset_from_flags(175, 0), Ok(None));
        assert_eq!(iset_from_flags(175, 19 << 24), Ok(Some(4)));
        assert_eq!(iset_from_flags(175, 22 << 24), Ok(Some(6)));
        assert!(iset_from_flags(175, 99 << 24).is_err());
        assert_eq!(iset_from_flags(49, 3 << 28), Ok(Some(3)));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut m = GuestMem::new();
        for data in [
            &b""[..],
            b"\x7fELF",
            b"\x7fELF\x02\x01\x01",
            &[
                0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
            ],
        ] {
            let p = LoadParams {
                name: "x",
                image: data,
                argv: &[],
                envp: &[],
                execfn: b"x",
                ld_prefix: None,
                stack_size: 1 << 20,
                random: [0; 16],
            };
            assert!(load(&mut m, &p).is_err());
        }
    }
}
