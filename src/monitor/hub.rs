//! The link between monitor sessions (their own threads) and the CPU thread: a
//! channel of requests, each answered on its own reply channel, plus the event
//! bus. Migration threads post their events through the same channel. Sessions
//! count the requests they are handling, so the emulator does not exit (when
//! the guest ends) before their replies are on the wire.

use super::commands::{Command, QmpError, QmpResult};
use super::events::EventBus;
use crate::migration::MigEvent;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

/// The answer to a request. `written` (for `quit`) is signalled by the session
/// once the reply is on the wire, so the process does not exit before that.
pub struct Reply {
    pub result: QmpResult,
    pub written: Option<SyncSender<()>>,
}

/// A message to the CPU thread.
pub enum Msg {
    Cmd(Command, Sender<Reply>),
    Mig(MigEvent),
}

/// Shared by every session.
pub struct Hub {
    pub bus: Arc<EventBus>,
    tx: Mutex<Sender<Msg>>,
    /// requests sessions are handling (from receipt until the reply is written)
    inflight: AtomicUsize,
}

/// A request a session is handling; dropped once its reply is written.
pub struct InFlight<'a>(&'a Hub);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Hub {
    pub fn new() -> (Arc<Hub>, Receiver<Msg>) {
        let (tx, rx) = channel();
        (
            Arc::new(Hub {
                bus: EventBus::new(),
                tx: Mutex::new(tx),
                inflight: AtomicUsize::new(0),
            }),
            rx,
        )
    }

    pub fn sender(&self) -> Sender<Msg> {
        match self.tx.lock() {
            Ok(t) => t.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    /// Marks a request as being handled until the guard is dropped.
    pub fn begin(&self) -> InFlight<'_> {
        self.inflight.fetch_add(1, Ordering::SeqCst);
        InFlight(self)
    }

    /// True when no session is handling a request.
    pub fn idle(&self) -> bool {
        self.inflight.load(Ordering::SeqCst) == 0
    }

    /// Runs a command on the CPU thread and waits for its reply.
    pub fn call(&self, cmd: Command) -> Reply {
        let (rtx, rrx) = channel();
        if self.sender().send(Msg::Cmd(cmd, rtx)).is_err() {
            return Reply {
                result: Err(QmpError::generic("the emulator is shutting down")),
                written: None,
            };
        }
        rrx.recv().unwrap_or(Reply {
            result: Err(QmpError::generic("the emulator is shutting down")),
            written: None,
        })
    }

    /// Like `call`, returning only the result (and acknowledging at once).
    pub fn call_value(&self, cmd: Command) -> QmpResult {
        let r = self.call(cmd);
        if let Some(w) = r.written {
            let _ = w.try_send(());
        }
        r.result
    }
}
