//! Guest exceptions raised while executing a bundle, and the Linux signal each maps to.

use crate::mem::{FaultKind, MemFault};

/// An exception raised by a bundle. The bundle has no architectural effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// illegal_opcode (SIGILL/ILL_ILLOPC), with the reason for logs
    IllegalOpcode(String),
    /// diag_operand / illegal_operand / diag_cond / diag_ct_cond (SIGILL/ILL_ILLOPN)
    IllegalOperand(&'static str),
    /// priv_action (SIGILL/ILL_PRVOPC)
    Privileged(&'static str),
    /// window_bounds (SIGSEGV/SEGV_BNDERR)
    WindowBounds,
    /// data access fault (SIGSEGV MAPERR/ACCERR at the data address)
    Data(MemFault),
    /// instruction fetch fault at the target address
    Fetch(MemFault),
    /// misaligned access where alignment is enforced (SIGBUS/BUS_ADRALN)
    Align(u64),
    /// integer division (SIGFPE/FPE_INTDIV)
    Div,
    /// unmasked FP exception (SIGFPE, code from the flags)
    Fp(u32),
    /// software trap (setsft: SIGTRAP/TRAP_BRKPT)
    Trap,
    /// hardware stack cannot grow (SIGSEGV)
    StackOverflow,
}

/// Linux signal numbers and si_codes used by e2kemu.
pub mod sig {
    pub const SIGILL: i32 = 4;
    pub const SIGTRAP: i32 = 5;
    pub const SIGBUS: i32 = 7;
    pub const SIGFPE: i32 = 8;
    pub const SIGSEGV: i32 = 11;
    pub const ILL_ILLOPC: i32 = 1;
    pub const ILL_ILLOPN: i32 = 2;
    pub const ILL_PRVOPC: i32 = 5;
    pub const SEGV_MAPERR: i32 = 1;
    pub const SEGV_ACCERR: i32 = 2;
    pub const SEGV_BNDERR: i32 = 3;
    pub const BUS_ADRALN: i32 = 1;
    pub const FPE_INTDIV: i32 = 1;
    pub const FPE_FLTDIV: i32 = 3;
    pub const FPE_FLTOVF: i32 = 4;
    pub const FPE_FLTUND: i32 = 5;
    pub const FPE_FLTRES: i32 = 6;
    pub const FPE_FLTINV: i32 = 7;
    pub const FPE_FLTSUB: i32 = 8;
    pub const TRAP_BRKPT: i32 = 1;
}

impl Fault {
    /// (signal, si_code, si_addr) for a fault raised by the bundle at `ip`.
    pub fn to_signal(&self, ip: u64) -> (i32, i32, u64) {
        use sig::*;
        match self {
            Fault::IllegalOpcode(_) => (SIGILL, ILL_ILLOPC, ip),
            Fault::IllegalOperand(_) => (SIGILL, ILL_ILLOPN, ip),
            Fault::Privileged(_) => (SIGILL, ILL_PRVOPC, ip),
            Fault::WindowBounds => (SIGSEGV, SEGV_BNDERR, ip),
            Fault::Data(m) | Fault::Fetch(m) => (
                SIGSEGV,
                if m.kind == FaultKind::Unmapped {
                    SEGV_MAPERR
                } else {
                    SEGV_ACCERR
                },
                m.addr,
            ),
            Fault::Align(a) => (SIGBUS, BUS_ADRALN, *a),
            Fault::Div => (SIGFPE, FPE_INTDIV, ip),
            Fault::Fp(f) => {
                // the kernel's priority (semantics reference §11.2)
                let code = if f & 0x20 != 0 {
                    FPE_FLTRES
                } else if f & 0x10 != 0 {
                    FPE_FLTUND
                } else if f & 8 != 0 {
                    FPE_FLTOVF
                } else if f & 4 != 0 {
                    FPE_FLTDIV
                } else if f & 2 != 0 {
                    FPE_FLTUND
                } else {
                    FPE_FLTINV
                };
                (SIGFPE, code, ip)
            }
            Fault::Trap => (SIGTRAP, TRAP_BRKPT, ip),
            Fault::StackOverflow => (SIGSEGV, SEGV_MAPERR, ip),
        }
    }

    /// Short text for logs and the unhandled-signal message.
    pub fn describe(&self) -> String {
        match self {
            Fault::IllegalOpcode(s) => format!("illegal operation: {s}"),
            Fault::IllegalOperand(s) => format!("illegal operand: {s}"),
            Fault::Privileged(s) => format!("privileged action: {s}"),
            Fault::WindowBounds => "register window bounds".into(),
            Fault::Data(m) => format!(
                "data access at {:#x}: {}",
                m.addr,
                if m.kind == FaultKind::Unmapped {
                    "unmapped"
                } else {
                    "protection"
                }
            ),
            Fault::Fetch(m) => format!("instruction fetch at {:#x}", m.addr),
            Fault::Align(a) => format!("misaligned access at {a:#x}"),
            Fault::Div => "integer division by zero".into(),
            Fault::Fp(f) => format!("floating-point exception (flags {f:#x})"),
            Fault::Trap => "software trap".into(),
            Fault::StackOverflow => "hardware stack overflow".into(),
        }
    }
}
