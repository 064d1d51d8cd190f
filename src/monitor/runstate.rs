//! Run states of the emulated machine with QEMU's names (`query-status`,
//! `info status`), and the stop/resume transitions that emit STOP and RESUME.

use super::events::EventBus;

/// QEMU's RunState values that an e2kemu process can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// started with -S, never run yet
    Prelaunch,
    Running,
    Paused,
    /// waiting for (or receiving) an incoming migration
    InMigrate,
    /// after a successful outgoing migration
    PostMigrate,
    /// stopped for the final stop-and-copy phase
    FinishMigrate,
    /// the guest ended
    Shutdown,
    /// the emulator hit an internal error (the guest can't continue)
    InternalError,
    /// stopped by a debugger-style request (kept for completeness)
    Debug,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Prelaunch => "prelaunch",
            RunState::Running => "running",
            RunState::Paused => "paused",
            RunState::InMigrate => "inmigrate",
            RunState::PostMigrate => "postmigrate",
            RunState::FinishMigrate => "finish-migrate",
            RunState::Shutdown => "shutdown",
            RunState::InternalError => "internal-error",
            RunState::Debug => "debug",
        }
    }

    pub fn is_running(self) -> bool {
        self == RunState::Running
    }

    /// States from which `cont` must refuse ("reset needed" in QEMU).
    pub fn needs_reset(self) -> bool {
        matches!(self, RunState::Shutdown | RunState::InternalError)
    }
}

/// Stops a running guest: the state becomes `to` and STOP is emitted. A guest
/// that is not running only changes state when `force` is set (no event).
pub fn vm_stop(state: &mut RunState, to: RunState, bus: &EventBus) -> bool {
    if state.is_running() {
        *state = to;
        bus.emit("STOP", None);
        true
    } else {
        false
    }
}

/// Starts the guest: the state becomes running and RESUME is emitted.
pub fn vm_start(state: &mut RunState, bus: &EventBus) {
    if !state.is_running() {
        *state = RunState::Running;
        bus.emit("RESUME", None);
    }
}
