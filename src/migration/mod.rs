//! Migration of a running e2k process between e2kemu instances (and to/from
//! files): QEMU's state machine, capabilities and parameters, `query-migrate`
//! and HMP `info migrate`, on top of the stream format and precopy engine.
//!
//! Modules: `transport` (URIs and channels), `stream_format` (framing and
//! checksums), `wire` (payload encoding), `cpu_state`, `state_save`, `fd_state`
//! (what moves), `precopy` (the source), `load` and `incoming` (the destination).

pub mod cpu_state;
pub mod fd_state;
pub mod incoming;
pub mod load;
pub mod precopy;
pub mod state_save;
pub mod stream_format;
pub mod transport;
pub mod wire;

use crate::linux::Process;
use crate::monitor::commands::{MigCap, QmpError, SetCapsArgs, SetParamsArgs};
use crate::monitor::events::EventBus;
use crate::monitor::runstate::RunState;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// QEMU's MigrationStatus values used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigStatus {
    None,
    Setup,
    Active,
    Cancelling,
    Cancelled,
    Completed,
    Failed,
}

impl MigStatus {
    pub fn name(self) -> &'static str {
        match self {
            MigStatus::None => "none",
            MigStatus::Setup => "setup",
            MigStatus::Active => "active",
            MigStatus::Cancelling => "cancelling",
            MigStatus::Cancelled => "cancelled",
            MigStatus::Completed => "completed",
            MigStatus::Failed => "failed",
        }
    }
    /// A migration is in progress.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            MigStatus::Setup | MigStatus::Active | MigStatus::Cancelling
        )
    }
}

/// Messages from migration threads to the CPU thread.
pub enum MigEvent {
    Connected(u64),
    Done(u64),
    Failed(u64, String),
    Cancelled(u64),
    InActive,
    InLoaded(Box<load::Loaded>, Option<transport::Sock>),
    InFailed(String),
}

/// How migration threads post events.
pub type Notify = Arc<dyn Fn(MigEvent) + Send + Sync>;

/// Emits a MIGRATION event when the `events` capability is on.
pub fn emit_status(bus: &EventBus, events: bool, s: MigStatus) {
    if events {
        bus.emit("MIGRATION", Some(json!({"status": s.name()})));
    }
}

/// Migration parameters (QEMU's defaults).
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub max_bandwidth: u64,
    pub downtime_limit: u64,
    pub x_stream_version: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            max_bandwidth: 128 << 20,
            downtime_limit: 300,
            x_stream_version: stream_format::VERSION,
        }
    }
}

/// Largest downtime-limit QEMU accepts (ms).
pub const MAX_DOWNTIME_MS: u64 = 2_000_000;

/// Everything about migration the CPU thread keeps.
pub struct Migration {
    pub caps: Vec<(MigCap, bool)>,
    pub params: Params,
    pub out: Option<precopy::Outgoing>,
    pub inc: Option<incoming::Incoming>,
    next_id: u64,
}

impl Default for Migration {
    fn default() -> Self {
        Self::new()
    }
}

impl Migration {
    pub fn new() -> Migration {
        Migration {
            caps: MigCap::ALL.iter().map(|c| (*c, false)).collect(),
            params: Params::default(),
            out: None,
            inc: None,
            next_id: 1,
        }
    }

    pub fn cap(&self, c: MigCap) -> bool {
        self.caps.iter().any(|(k, v)| *k == c && *v)
    }

    pub fn events(&self) -> bool {
        self.cap(MigCap::Events)
    }

    /// An outgoing or incoming migration is running.
    pub fn in_progress(&self) -> bool {
        self.out.as_ref().is_some_and(|o| o.is_active())
            || self.inc.as_ref().is_some_and(|i| i.status.is_active())
    }

    /// The CPU thread has work to do even when the guest is stopped.
    pub fn wants_cpu(&self) -> bool {
        self.out.as_ref().is_some_and(|o| o.wants_cpu())
    }

    pub fn set_capabilities(&mut self, a: &SetCapsArgs) -> Result<(), QmpError> {
        if self.in_progress() {
            return Err(QmpError::generic("There's a migration process in progress"));
        }
        for cs in &a.capabilities {
            if cs.state && !cs.capability.supported() {
                return Err(QmpError::generic(format!(
                    "Capability '{}' is not supported by e2kemu",
                    cs.capability.name()
                )));
            }
        }
        for cs in &a.capabilities {
            for (k, v) in self.caps.iter_mut() {
                if *k == cs.capability {
                    *v = cs.state;
                }
            }
        }
        Ok(())
    }

    pub fn query_capabilities(&self) -> Value {
        Value::Array(
            self.caps
                .iter()
                .map(|(c, s)| json!({"capability": c.name(), "state": s}))
                .collect(),
        )
    }

    pub fn set_parameters(&mut self, a: &SetParamsArgs) -> Result<(), QmpError> {
        if let Some(d) = a.downtime_limit {
            if d > MAX_DOWNTIME_MS {
                return Err(QmpError::generic(format!(
                    "Parameter 'downtime_limit' expects an integer in the range of 0 to {MAX_DOWNTIME_MS} milliseconds"
                )));
            }
        }
        if let Some(v) = a.x_stream_version {
            if v == 0 {
                return Err(QmpError::generic(
                    "Parameter 'x-stream-version' expects a positive version",
                ));
            }
            self.params.x_stream_version = v;
        }
        if let Some(b) = a.max_bandwidth {
            self.params.max_bandwidth = b;
            if let Some(o) = &self.out {
                o.shared
                    .max_bw
                    .store(b, std::sync::atomic::Ordering::Relaxed);
            }
        }
        if let Some(d) = a.downtime_limit {
            self.params.downtime_limit = d;
        }
        Ok(())
    }

    pub fn query_parameters(&self) -> Value {
        json!({
            "max-bandwidth": self.params.max_bandwidth,
            "downtime-limit": self.params.downtime_limit,
            "x-stream-version": self.params.x_stream_version,
        })
    }

    /// `migrate`: synchronous checks, then the job starts in `setup`.
    pub fn migrate(
        &mut self,
        uri: &str,
        p: Option<&mut Process>,
        state: &mut RunState,
        bus: &EventBus,
        notify: Notify,
    ) -> Result<(), QmpError> {
        if self.in_progress() {
            return Err(QmpError::generic("There's a migration process in progress"));
        }
        if *state == RunState::InMigrate || self.inc.as_ref().is_some_and(|i| i.status.is_active())
        {
            return Err(QmpError::generic(
                "Guest is waiting for an incoming migration",
            ));
        }
        if *state == RunState::PostMigrate {
            return Err(QmpError::generic(
                "Can't migrate the vm that was paused due to previous migration",
            ));
        }
        let Some(p) = p else {
            return Err(QmpError::generic("There is no guest process to migrate"));
        };
        let blockers = fd_state::blockers(&p.fds);
        if let Some(b) = blockers.first() {
            return Err(QmpError::generic(b.clone()));
        }
        let events = self.events();
        let id = self.next_id;
        self.next_id += 1;
        let parsed = transport::parse(uri, true);
        let params = precopy::StartParams {
            max_bandwidth: self.params.max_bandwidth,
            downtime_limit: self.params.downtime_limit,
            version: self.params.x_stream_version,
        };
        emit_status(bus, events, MigStatus::Setup);
        match parsed {
            Ok(u) => {
                self.out = Some(precopy::Outgoing::start(
                    id,
                    u,
                    params,
                    state.is_running(),
                    notify,
                ));
                Ok(())
            }
            Err(e) => {
                // like QEMU: the job goes setup -> failed before the error reply
                let mut o = precopy::Outgoing::new(id, params, false);
                o.fail(e.clone(), state, events, bus);
                self.out = Some(o);
                Err(QmpError::generic(e))
            }
        }
    }

    /// `migrate_cancel` (always succeeds).
    pub fn cancel(&mut self, bus: &EventBus) {
        let events = self.events();
        if let Some(o) = &mut self.out {
            o.cancel(events, bus);
        }
    }

    /// An event from a migration thread (outgoing side).
    pub fn on_event(
        &mut self,
        ev: &MigEvent,
        p: Option<&mut Process>,
        state: &mut RunState,
        bus: &EventBus,
    ) {
        let events = self.events();
        let Some(o) = &mut self.out else {
            return;
        };
        match ev {
            MigEvent::Connected(id) if *id == o.id => {
                if let Some(p) = p {
                    o.on_connected(p, events, bus);
                }
            }
            MigEvent::Done(id) if *id == o.id => o.on_done(state, events, bus),
            MigEvent::Failed(id, e) if *id == o.id => o.fail(e.clone(), state, events, bus),
            MigEvent::Cancelled(id) if *id == o.id => o.on_cancelled(state, events, bus),
            _ => {}
        }
    }

    /// Work between guest slices.
    pub fn poll(&mut self, p: &mut Process, state: &mut RunState, bus: &EventBus) {
        let events = self.events();
        if let Some(o) = &mut self.out {
            o.poll(p, state, events, bus);
            o.cleanup(p);
        }
    }

    /// The guest ended while a migration was running.
    pub fn guest_ended(&mut self, state: &mut RunState, bus: &EventBus) {
        let events = self.events();
        if let Some(o) = &mut self.out {
            if o.is_active() {
                o.fail(
                    "The guest process exited during migration".into(),
                    state,
                    events,
                    bus,
                );
            }
        }
    }

    /// `query-migrate`.
    pub fn query(&self, p: Option<&Process>) -> Value {
        let mut m = Map::new();
        if let Some(o) = &self.out {
            m = o.info();
        } else if let Some(i) = &self.inc {
            m.insert("status".into(), json!(i.status.name()));
            if let Some(a) = &i.socket_address {
                if i.status == MigStatus::Setup {
                    m.insert("socket-address".into(), a.clone());
                }
            }
        }
        if let Some(p) = p {
            let b = fd_state::blockers(&p.fds);
            if !b.is_empty() {
                m.insert("blocked-reasons".into(), json!(b));
            }
        }
        Value::Object(m)
    }
}

/// HMP `info migrate` text from a `query-migrate` result and the capabilities.
pub fn info_migrate_text(info: &Value) -> String {
    let mut s = String::new();
    s.push_str("globals:\nstore-global-state: on\nonly-migratable: off\nsend-configuration: on\nsend-section-footer: on\ndecompress-error-check: on\nclear-bitmap-shift: 18\n");
    let g = |k: &str| info.get(k);
    if let Some(Value::Array(b)) = g("blocked-reasons") {
        s.push_str("Outgoing migration blocked:\n");
        for r in b {
            s.push_str(&format!("  {}\n", r.as_str().unwrap_or("")));
        }
    }
    if let Some(st) = g("status").and_then(|v| v.as_str()) {
        s.push_str(&format!("Migration status: {st}"));
        if st == "failed" {
            if let Some(e) = g("error-desc").and_then(|v| v.as_str()) {
                s.push_str(&format!(" ({e})"));
            }
        }
        s.push('\n');
        s.push_str(&format!(
            "total time: {} ms\n",
            g("total-time").and_then(|v| v.as_u64()).unwrap_or(0)
        ));
        if let Some(v) = g("expected-downtime").and_then(|v| v.as_u64()) {
            s.push_str(&format!("expected downtime: {v} ms\n"));
        }
        if let Some(v) = g("downtime").and_then(|v| v.as_u64()) {
            s.push_str(&format!("downtime: {v} ms\n"));
        }
        if let Some(v) = g("setup-time").and_then(|v| v.as_u64()) {
            s.push_str(&format!("setup: {v} ms\n"));
        }
    }
    if let Some(r) = g("ram") {
        let u = |k: &str| r.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        s.push_str(&format!(
            "transferred ram: {} kbytes\n",
            u("transferred") >> 10
        ));
        s.push_str(&format!(
            "throughput: {:.2} mbps\n",
            r.get("mbps").and_then(|v| v.as_f64()).unwrap_or(0.0)
        ));
        s.push_str(&format!("remaining ram: {} kbytes\n", u("remaining") >> 10));
        s.push_str(&format!("total ram: {} kbytes\n", u("total") >> 10));
        s.push_str(&format!("duplicate: {} pages\n", u("duplicate")));
        s.push_str(&format!("skipped: {} pages\n", u("skipped")));
        s.push_str(&format!("normal: {} pages\n", u("normal")));
        s.push_str(&format!(
            "normal bytes: {} kbytes\n",
            u("normal-bytes") >> 10
        ));
        s.push_str(&format!("dirty sync count: {}\n", u("dirty-sync-count")));
        s.push_str(&format!("page size: {} kbytes\n", u("page-size") >> 10));
        s.push_str(&format!(
            "multifd bytes: {} kbytes\n",
            u("multifd-bytes") >> 10
        ));
        s.push_str(&format!("pages-per-second: {}\n", u("pages-per-second")));
        if u("dirty-pages-rate") != 0 {
            s.push_str(&format!(
                "dirty pages rate: {} pages\n",
                u("dirty-pages-rate")
            ));
        }
        if u("postcopy-requests") != 0 {
            s.push_str(&format!(
                "postcopy request count: {}\n",
                u("postcopy-requests")
            ));
        }
    }
    if let Some(Value::Array(a)) = g("socket-address") {
        s.push_str("socket address: [\n");
        for x in a {
            match x["type"].as_str() {
                Some("inet") => s.push_str(&format!(
                    "\ttcp:{}:{}\n",
                    x["host"].as_str().unwrap_or(""),
                    x["port"].as_str().unwrap_or("")
                )),
                Some("unix") => {
                    s.push_str(&format!("\tunix:{}\n", x["path"].as_str().unwrap_or("")))
                }
                _ => {}
            }
        }
        s.push_str("]\n");
    }
    s
}

/// Saves a whole (stopped) process as one stream in memory: the format a
/// `file:` migration of a paused guest produces (tests and fuzz seeds use it).
pub fn snapshot(p: &Process, running: bool) -> Result<Vec<u8>, String> {
    use stream_format::*;
    let fds = fd_state::capture(&p.fds)?;
    let mut w = StreamWriter::new();
    let mut out = Vec::new();
    w.start(VERSION, &mut out);
    let h = load::Header {
        iset: p.cpu.iset,
        tags: p.cpu.tags_on,
        page_size: PAGE_SIZE as u32,
        model: format!("elbrus-v{}", p.cpu.iset),
        producer: format!("e2kemu {}", env!("CARGO_PKG_VERSION")),
    };
    w.section(SEC_HEADER, &h.encode(), &mut out);
    w.section(SEC_PASS, &1u32.to_le_bytes(), &mut out);
    let layout = state_save::layout_of(&p.mem);
    w.section(SEC_LAYOUT, &state_save::encode_layout(&layout), &mut out);
    let vpns: Vec<u64> = layout
        .iter()
        .flat_map(|r| (r.start >> 12)..(r.end() >> 12))
        .collect();
    for chunk in vpns.chunks(256) {
        let mut e = wire::Enc::new();
        state_save::encode_pages(
            chunk
                .iter()
                .filter_map(|&v| p.mem.page_bytes(v).map(|(b, _)| (v, b))),
            &mut e,
        );
        w.section(SEC_PAGES, &e.buf, &mut out);
    }
    w.section(SEC_CPU, &cpu_state::encode_cpu(&p.cpu), &mut out);
    w.section(SEC_SIGNALS, &state_save::encode_signals(&p.sig), &mut out);
    w.section(SEC_FDS, &fd_state::encode(&fds), &mut out);
    let info = state_save::ProcInfo::of(p, running);
    w.section(SEC_PROCESS, &state_save::encode_proc(&info), &mut out);
    w.end(&mut out);
    Ok(out)
}
