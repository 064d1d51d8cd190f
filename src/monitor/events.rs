//! Events and the sinks of connected QMP sessions: an event is written, with its
//! `{"seconds", "microseconds"}` timestamp, to every session that finished
//! capabilities negotiation. Writes happen under a per-session lock, so events
//! and replies never interleave within a line.

use super::json_out;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

/// The output side of one QMP session.
pub struct Sink {
    out: Mutex<Box<dyn Write + Send>>,
    /// capabilities negotiation is complete: events may be sent
    pub negotiated: AtomicBool,
    dead: AtomicBool,
}

impl Sink {
    pub fn new(out: Box<dyn Write + Send>) -> Arc<Sink> {
        Arc::new(Sink {
            out: Mutex::new(out),
            negotiated: AtomicBool::new(false),
            dead: AtomicBool::new(false),
        })
    }

    /// Writes one message line; false once the peer is gone.
    pub fn send(&self, msg: &Value) -> bool {
        self.send_raw(json_out::to_line(msg).as_bytes())
    }

    /// Writes raw bytes (HMP text, prompts).
    pub fn send_raw(&self, bytes: &[u8]) -> bool {
        if self.dead.load(Ordering::Relaxed) {
            return false;
        }
        let mut o = match self.out.lock() {
            Ok(o) => o,
            Err(p) => p.into_inner(),
        };
        let ok = o.write_all(bytes).and_then(|_| o.flush()).is_ok();
        if !ok {
            self.dead.store(true, Ordering::Relaxed);
        }
        ok
    }

    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Relaxed)
    }
}

/// QEMU's event timestamp (gettimeofday).
pub fn timestamp() -> Value {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => json!({"seconds": d.as_secs(), "microseconds": d.subsec_micros()}),
        Err(_) => json!({"seconds": -1, "microseconds": -1}),
    }
}

/// Builds the wire object of an event.
pub fn event_message(name: &str, data: Option<Value>) -> Value {
    let mut m = Map::new();
    m.insert("timestamp".into(), timestamp());
    m.insert("event".into(), Value::String(name.into()));
    if let Some(d) = data {
        m.insert("data".into(), d);
    }
    Value::Object(m)
}

/// All QMP sessions that may receive events.
#[derive(Default)]
pub struct EventBus {
    sinks: Mutex<Vec<Weak<Sink>>>,
}

impl EventBus {
    pub fn new() -> Arc<EventBus> {
        Arc::new(EventBus::default())
    }

    pub fn subscribe(&self, s: &Arc<Sink>) {
        if let Ok(mut v) = self.sinks.lock() {
            v.push(Arc::downgrade(s));
        }
    }

    /// Sends an event to every negotiated session.
    pub fn emit(&self, name: &str, data: Option<Value>) {
        let msg = event_message(name, data);
        log::debug!(target: "e2kemu::monitor", "event {}", json_out::to_json(&msg));
        let sinks: Vec<Arc<Sink>> = match self.sinks.lock() {
            Ok(mut v) => {
                v.retain(|w| w.upgrade().is_some_and(|s| !s.is_dead()));
                v.iter().filter_map(|w| w.upgrade()).collect()
            }
            Err(_) => return,
        };
        for s in sinks {
            if s.negotiated.load(Ordering::SeqCst) {
                s.send(&msg);
            }
        }
    }
}
