//! Shared helpers for the Linux-layer tests: a tiny bundle encoder for the handful
//! of operations the tests need (encodings checked against the golden bundles in
//! /work/shared/isa/golden, e.g. `addd,1 7, 0x10, %dr28` = 110000089cd4c711...),
//! an ELF writer (object crate) and a runner for the `e2kemu` binary.
#![allow(dead_code)]

use object::write::elf::{FileHeader, ProgramHeader, Writer};
use object::Endianness;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Register operand byte of %rN.
pub const fn r(n: u8) -> u8 {
    0x80 | n
}

/// One wide instruction under construction.
#[derive(Default, Clone)]
pub struct B {
    ss: Option<u32>,
    als: [Option<u32>; 6],
    ales: [Option<u16>; 6],
    cs0: Option<u32>,
    cs1: Option<u32>,
    lts: Vec<u32>,
}

const ADDD: u32 = 0x11;
const SUBD: u32 = 0x13;
pub const LDB: u32 = 0x64;
pub const LDW: u32 = 0x66;
pub const LDD: u32 = 0x67;
pub const STD: u32 = 0x27;

impl B {
    pub fn new() -> B {
        B::default()
    }

    /// A literal operand for src2 (32-bit sign-extended or 64-bit).
    fn lit(&mut self, v: u64) -> u8 {
        let i = self.lts.len() as u8;
        if v as i64 >= i32::MIN as i64 && v as i64 <= i32::MAX as i64 {
            self.lts.push(v as u32);
            0xd8 | i
        } else {
            self.lts.push(v as u32);
            self.lts.push((v >> 32) as u32);
            0xdc | i
        }
    }

    fn src2(&mut self, v: u64) -> u8 {
        if v < 16 {
            0xc0 | v as u8
        } else {
            self.lit(v)
        }
    }

    /// A raw ALS: `opc,ch[,sm] src1, src2, dst`.
    pub fn alu(mut self, ch: usize, opc: u32, src1: u8, src2: u8, dst: u8, sm: bool) -> B {
        self.als[ch] = Some(
            (sm as u32) << 31 | opc << 24 | (src1 as u32) << 16 | (src2 as u32) << 8 | dst as u32,
        );
        self
    }

    /// `addd,ch 0, v, dst`
    pub fn movi(mut self, ch: usize, v: u64, dst: u8) -> B {
        let s2 = self.src2(v);
        self.alu(ch, ADDD, 0xc0, s2, dst, false)
    }

    /// `addd,ch 0, src, dst` (register move)
    pub fn mov(self, ch: usize, src: u8, dst: u8) -> B {
        self.alu(ch, ADDD, 0xc0, src, dst, false)
    }

    /// `addd,ch a, b, dst`
    pub fn alu_add(self, ch: usize, a: u8, b: u8, dst: u8) -> B {
        self.alu(ch, ADDD, a, b, dst, false)
    }

    /// `shld,ch src, imm, dst`
    pub fn alu_shl(self, ch: usize, src: u8, imm: u8, dst: u8) -> B {
        self.alu(ch, 0x19, src, 0xc0 | (imm & 15), dst, false)
    }

    /// A load `op,ch [base + off], dst` with a register base.
    pub fn alu_ld_reg(mut self, ch: usize, op: u32, base: u8, off: u64, dst: u8) -> B {
        let s2 = self.src2(off);
        self.alu(ch, op, base, s2, dst, false)
    }

    /// `subd,ch 0, src, dst` (negate)
    pub fn neg(self, ch: usize, src: u8, dst: u8) -> B {
        self.alu(ch, SUBD, 0xc0, src, dst, false)
    }

    /// A load `op,ch[,sm] [addr], dst` from a constant address.
    pub fn load(mut self, op: u32, ch: usize, addr: u64, dst: u8, sm: bool) -> B {
        let s2 = self.src2(addr);
        self.alu(ch, op, 0xc0, s2, dst, sm)
    }

    /// `std,ch src, [addr]` (channels 2, 5).
    pub fn store(mut self, ch: usize, addr: u64, src: u8) -> B {
        let s2 = self.src2(addr);
        self.alu(ch, STD, 0xc0, s2, src, false)
    }

    /// `sdisp %ctprN, entry`
    pub fn sdisp(mut self, ctpr: u32, entry: u32) -> B {
        self.cs0 = Some(ctpr << 30 | 2 << 28 | entry);
        self
    }

    /// `disp %ctprN, target` for a bundle at `pc`.
    pub fn disp(mut self, ctpr: u32, target: u64, pc: u64) -> B {
        let d = ((target as i64 - pc as i64) / 8) as u32 & 0x0fff_ffff;
        self.cs0 = Some(ctpr << 30 | d);
        self
    }

    /// `call %ctprN, wbs=W`
    pub fn call(mut self, ctpr: u32, wbs: u32) -> B {
        self.ss = Some(0xc000_0020 | ctpr << 10);
        self.cs1 = Some(0x5000_0000 | wbs);
        self
    }

    /// `return %ctpr3`
    pub fn ret(mut self) -> B {
        self.cs0 = Some(0xf000_0000);
        self
    }

    /// `ct %ctpr3`
    pub fn ct3(mut self) -> B {
        self.ss = Some(0xc000_0c20);
        self
    }

    /// `setwd wsz=W, nfx=1` (alone in its bundle: it owns LTS0)
    pub fn setwd(wsz: u32) -> B {
        B {
            cs1: Some(0),
            lts: vec![wsz << 5 | 1 << 4],
            ..B::default()
        }
    }

    /// Packs the bundle (encoder recipe of e2k-encoding.md §1.7).
    pub fn encode(&self) -> Vec<u8> {
        let mut hs = 0u32;
        let mut w = vec![0u32];
        if let Some(s) = self.ss {
            hs |= 1 << 12;
            w.push(s);
        }
        for n in 0..6 {
            if let Some(a) = self.als[n] {
                hs |= 1 << (26 + n);
                w.push(a);
            }
        }
        if let Some(c) = self.cs0 {
            hs |= 1 << 14;
            w.push(c);
        }
        if let Some(c) = self.cs1 {
            hs |= 1 << 15;
            w.push(c);
        }
        hs |= (w.len() as u32 - 1) & 0xf;
        let mut halves = Vec::new();
        for n in [0, 1, 3, 4] {
            if let Some(h) = self.ales[n] {
                hs |= 1 << (20 + n);
                halves.push(h);
            }
        }
        for c in halves.chunks(2) {
            w.push((c[0] as u32) << 16 | c.get(1).copied().unwrap_or(0) as u32);
        }
        if (w.len() + self.lts.len()) % 2 == 1 {
            w.push(0);
        }
        w.extend(self.lts.iter().rev());
        hs |= ((w.len() as u32 / 2) - 1) << 4;
        w[0] = hs;
        w.iter().flat_map(|x| x.to_le_bytes()).collect()
    }
}

/// Where the test executables put things.
pub const CODE: u64 = 0x11000;
pub const DATA: u64 = 0x40000;

/// Assembles bundles into one code block starting at CODE; `f` gets the address of
/// each bundle as it is added, so control transfers can be computed.
pub struct Prog {
    pub code: Vec<u8>,
    pub data: Vec<u8>,
    pub flags: u32,
}

impl Prog {
    pub fn new() -> Prog {
        Prog {
            code: Vec::new(),
            data: Vec::new(),
            flags: 0x0300_0000,
        }
    }
    pub fn pc(&self) -> u64 {
        CODE + self.code.len() as u64
    }
    pub fn add(&mut self, b: B) -> u64 {
        let pc = self.pc();
        self.code.extend(b.encode());
        pc
    }
    /// Adds data, returns its address.
    pub fn datum(&mut self, bytes: &[u8]) -> u64 {
        while !self.data.len().is_multiple_of(8) {
            self.data.push(0);
        }
        let a = DATA + self.data.len() as u64;
        self.data.extend_from_slice(bytes);
        a
    }
    /// `SYSCALL nr, args...` like rt.inc: number in %r8, arguments in %r9.. (wbs=4).
    pub fn syscall(&mut self, nr: u64, args: &[u64]) {
        let mut b = B::new().sdisp(1, 3).movi(0, nr, r(8));
        for (i, a) in args.iter().enumerate().take(3) {
            b = b.movi(i + 1, *a, r(9 + i as u8));
        }
        self.add(b);
        let mut b = B::new().call(1, 4);
        for (i, a) in args.iter().enumerate().skip(3) {
            b = b.movi(i - 3, *a, r(9 + i as u8));
        }
        self.add(b);
    }
    pub fn exit(&mut self, code: u64) {
        self.syscall(300, &[code]);
    }
    /// The ELF executable.
    pub fn elf(&self) -> Vec<u8> {
        build_elf(&self.code, &self.data, self.flags, CODE)
    }
}

impl Default for Prog {
    fn default() -> Self {
        Prog::new()
    }
}

/// A static e2k ELF: text (headers + code at 0x11000, r-x) and data (rw-) segments.
pub fn build_elf(code: &[u8], data: &[u8], flags: u32, entry: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = Writer::new(Endianness::Little, true, &mut out);
    w.reserve_file_header();
    w.reserve_program_headers(2);
    w.reserve_until(0x1000);
    let code_off = w.reserve(code.len(), 1);
    w.reserve_until(0x1000 + (code.len().div_ceil(0x1000)) * 0x1000);
    let data_off = w.reserve(data.len().max(1), 0x1000);
    w.write_file_header(&FileHeader {
        os_abi: 0,
        abi_version: 0,
        e_type: object::elf::ET_EXEC,
        e_machine: 175,
        e_entry: entry,
        e_flags: flags,
    })
    .unwrap();
    w.write_align_program_headers();
    w.write_program_header(&ProgramHeader {
        p_type: object::elf::PT_LOAD,
        p_flags: object::elf::PF_R | object::elf::PF_X,
        p_offset: 0,
        p_vaddr: 0x10000,
        p_paddr: 0x10000,
        p_filesz: (code_off + code.len()) as u64,
        p_memsz: (code_off + code.len()) as u64,
        p_align: 0x1000,
    });
    w.write_program_header(&ProgramHeader {
        p_type: object::elf::PT_LOAD,
        p_flags: object::elf::PF_R | object::elf::PF_W,
        p_offset: data_off as u64,
        p_vaddr: DATA,
        p_paddr: DATA,
        p_filesz: data.len().max(1) as u64,
        p_memsz: 0x2000,
        p_align: 0x1000,
    });
    w.pad_until(code_off);
    w.write(code);
    w.pad_until(data_off);
    if data.is_empty() {
        w.write(&[0]);
    } else {
        w.write(data);
    }
    out
}

/// Writes `elf` to a fresh temporary file.
pub fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("e2kemu-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `e2kemu ARGS` with an empty environment and no stdin.
pub fn e2kemu(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_e2kemu"))
        .args(args)
        .env_clear()
        .stdin(Stdio::null())
        .output()
        .expect("cannot start e2kemu")
}

/// Builds `p` and runs it with extra e2kemu options before the program.
pub fn run_prog(name: &str, p: &Prog, opts: &[&str], guest_args: &[&str]) -> Output {
    let f = temp_file(name, &p.elf());
    let mut a: Vec<&std::ffi::OsStr> = opts.iter().map(std::ffi::OsStr::new).collect();
    a.push(f.as_os_str());
    a.extend(guest_args.iter().map(std::ffi::OsStr::new));
    let out = e2kemu(&a);
    let _ = std::fs::remove_file(&f);
    out
}
