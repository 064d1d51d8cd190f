//! The monitor: QEMU-compatible QMP and HMP servers for a running e2k process.
//!
//! `MonitorArgs::extract` takes `-qmp`, `-monitor`, `-S` and `-incoming` off the
//! command line; `run_process` runs a loaded process under the monitors and
//! `run_incoming` starts a destination that waits for a migration stream.
//!
//! Modules: `qmp_stream` (input framing and JSON parsing), `json_out` (output),
//! `qmp_server` (sessions), `commands` (typed commands and errors), `hmp` and
//! `readline` (its line editor),
//! `events`, `runstate`, `regs`, `chardev` (endpoints), `hub` (the channel to
//! the CPU thread) and `vm` (the CPU thread's loop).

pub mod args;
pub mod chardev;
pub mod commands;
pub mod events;
pub mod hmp;
pub mod hub;
pub mod json_out;
pub mod qmp_server;
pub mod qmp_stream;
pub mod readline;
pub mod regs;
pub mod runstate;
pub mod vm;

pub use args::MonitorArgs;
pub use commands::MigCap;
pub use vm::{run_incoming, run_process, IncomingOptions};
