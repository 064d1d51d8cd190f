//! One QMP session: greeting, capabilities negotiation, request checking with
//! QEMU's error texts, `id` echo, and dispatch (session-level commands here,
//! machine commands on the CPU thread). Bad input is answered and forgotten; it
//! never ends the session.

use super::commands::{self, Parsed, QmpError};
use super::events::Sink;
use super::hmp;
use super::hub::Hub;
use super::qmp_stream::{Item, QmpStream};
use serde_json::{json, Map, Value};
use std::io::Read;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// `{"qemu": {...}, "package": ...}` for the greeting and `query-version`.
pub fn version_info() -> Value {
    let v: Vec<u64> = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let g = |i: usize| v.get(i).copied().unwrap_or(0);
    json!({
        "qemu": {"micro": g(2), "minor": g(1), "major": g(0)},
        "package": concat!("e2kemu ", env!("CARGO_PKG_VERSION")),
    })
}

pub fn greeting() -> Value {
    json!({"QMP": {"version": version_info(), "capabilities": []}})
}

fn respond(sink: &Sink, res: Result<Value, QmpError>, id: Option<&Value>) -> bool {
    let mut m = Map::new();
    match res {
        Ok(v) => {
            m.insert("return".into(), v);
        }
        Err(e) => {
            m.insert("error".into(), e.to_value());
        }
    }
    if let Some(id) = id {
        m.insert("id".into(), id.clone());
    }
    sink.send(&Value::Object(m))
}

/// Serves a session until the peer hangs up.
pub fn serve(mut input: Box<dyn Read + Send>, sink: Arc<Sink>, hub: Arc<Hub>) {
    hub.bus.subscribe(&sink);
    if !sink.send(&greeting()) {
        return;
    }
    let mut st = QmpStream::new();
    let mut buf = vec![0u8; 16384];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        };
        for item in st.feed(&buf[..n]) {
            handle(item, &sink, &hub);
        }
        if sink.is_dead() {
            return;
        }
    }
    for item in st.finish() {
        handle(item, &sink, &hub);
    }
}

/// Handles one parsed input item.
pub fn handle(item: Item, sink: &Sink, hub: &Hub) {
    let _busy = hub.begin();
    let v = match item {
        Item::Error(e) => {
            respond(sink, Err(QmpError::generic(e)), None);
            return;
        }
        Item::Value(v) => v,
    };
    let id = v.get("id").cloned();
    match dispatch(&v, sink, hub) {
        Dispatched::Reply(r) => {
            respond(sink, r, id.as_ref());
        }
        Dispatched::Machine(reply) => {
            respond(sink, reply.result, id.as_ref());
            if let Some(w) = reply.written {
                let _ = w.try_send(());
            }
        }
    }
}

enum Dispatched {
    Reply(Result<Value, QmpError>),
    Machine(super::hub::Reply),
}

fn dispatch(req: &Value, sink: &Sink, hub: &Hub) -> Dispatched {
    use Dispatched::Reply as R;
    let (name, args) = match commands::request_parts(req) {
        Ok(p) => p,
        Err(e) => return R(Err(e)),
    };
    let args = &args;
    let negotiated = sink.negotiated.load(Ordering::SeqCst);
    if !negotiated && name != "qmp_capabilities" {
        return R(Err(QmpError::not_found(
            "Expecting capabilities negotiation with 'qmp_capabilities'",
        )));
    }
    let parsed = match commands::parse(name, args) {
        Ok(p) => p,
        Err(e) if !negotiated && e.class == "CommandNotFound" => {
            return R(Err(QmpError::not_found(
                "Expecting capabilities negotiation with 'qmp_capabilities'",
            )))
        }
        Err(e) => return R(Err(e)),
    };
    match parsed {
        Parsed::Capabilities(a) => {
            if negotiated {
                return R(Err(QmpError::not_found(
                    "Capabilities negotiation is already complete, command ignored",
                )));
            }
            if let Some(c) = a.enable.as_ref().and_then(|v| v.first()) {
                let n = match c {
                    commands::QmpCapability::Oob => "oob",
                };
                return R(Err(QmpError::generic(format!(
                    "Capability {n} not available"
                ))));
            }
            sink.negotiated.store(true, Ordering::SeqCst);
            R(Ok(json!({})))
        }
        Parsed::QueryVersion => R(Ok(version_info())),
        Parsed::QueryCommands => R(Ok(commands::query_commands())),
        Parsed::Hmp(a) => R(Ok(Value::String(hmp::run_line(&a.command_line, hub)))),
        Parsed::Machine(cmd) => Dispatched::Machine(hub.call(cmd)),
    }
}
