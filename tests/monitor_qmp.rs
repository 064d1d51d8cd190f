//! The QMP and HMP servers against a real e2kemu process: framing (greeting,
//! CRLF lines, QEMU separators, streaming input without newlines), negotiation,
//! id echo, QEMU's error texts, run states and events, several monitors at
//! once, HMP commands, and bad input that disturbs neither session nor guest.

#[path = "migration_common.rs"]
mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::time::Duration;

#[test]
fn greeting_negotiation_and_framing() {
    let src = Emu::start(&["-S", COUNTER]);
    let mut q = Qmp::connect_raw(&src.qmp);
    let g = q.greeting.clone();
    assert!(g["QMP"]["version"]["qemu"]["major"].is_u64(), "{g}");
    assert!(g["QMP"]["version"]["package"].is_string(), "{g}");
    assert_eq!(g["QMP"]["capabilities"], json!([]));
    assert!(
        q.raw_lines[0].starts_with("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": "),
        "{}",
        q.raw_lines[0]
    );
    // before negotiation
    assert_eq!(
        q.err("query-status", json!({})),
        (
            "CommandNotFound".to_string(),
            "Expecting capabilities negotiation with 'qmp_capabilities'".to_string()
        )
    );
    assert_eq!(
        q.err("no-such-command", json!({})).1,
        "Expecting capabilities negotiation with 'qmp_capabilities'"
    );
    assert_eq!(
        q.err("qmp_capabilities", json!({"enable": ["oob"]})).1,
        "Capability oob not available"
    );
    assert_eq!(q.ok("qmp_capabilities", json!({})), json!({}));
    assert_eq!(
        q.err("qmp_capabilities", json!({})),
        (
            "CommandNotFound".to_string(),
            "Capabilities negotiation is already complete, command ignored".to_string()
        )
    );
    // two requests back to back, no newline, ids of every JSON type echoed
    q.send_raw(br#"{"execute":"query-status","id":7}{"execute":"query-version","id":"s"}"#);
    let a = q.reply();
    let b = q.reply();
    assert_eq!(a["id"], 7);
    assert_eq!(a["return"]["status"], "prelaunch");
    assert_eq!(b["id"], "s");
    for id in [
        json!([1, "x"]),
        json!({"k": null}),
        json!(1.5),
        json!(false),
    ] {
        let r = q.cmd_with_id("query-status", id.clone());
        assert_eq!(r["id"], id);
    }
    // byte by byte
    for b in br#" {"execute": "query-status", "id": "slow"} "# {
        q.send_raw(&[*b]);
    }
    assert_eq!(q.reply()["id"], "slow");
    // QEMU's separators
    let line = q.raw_lines.last().unwrap();
    assert!(
        line.contains("\"running\": false, \"singlestep\": false"),
        "{line}"
    );
    let cmds = q.ok("query-commands", json!({}));
    for n in [
        "migrate",
        "query-migrate",
        "human-monitor-command",
        "query-e2k-registers",
    ] {
        assert!(
            cmds.as_array().unwrap().iter().any(|c| c["name"] == n),
            "{n}"
        );
    }
    assert_eq!(q.ok("query-version", json!({})), g["QMP"]["version"]);
}

impl Qmp {
    fn cmd_with_id(&mut self, name: &str, id: Value) -> Value {
        let msg = json!({"execute": name, "id": id});
        self.send_raw(msg.to_string().as_bytes());
        self.reply()
    }
}

#[test]
fn qemu_error_texts() {
    let src = Emu::start(&["-S", COUNTER]);
    let mut q = src.connect();
    let cases: &[(&[u8], &str, &str)] = &[
        (b"{\"execute\": }", "GenericError", "JSON parse error, expecting value"),
        (b"\x1b", "GenericError", "JSON parse error, stray '\u{1b}'"),
        (b"[1, 2]", "GenericError", "QMP input must be a JSON object"),
        (b"{\"id\": 3}", "GenericError", "QMP input lacks member 'execute'"),
        (
            b"{\"execute\": \"stop\", \"extra\": 1}",
            "GenericError",
            "QMP input member 'extra' is unexpected",
        ),
        (
            b"{\"execute\": 5}",
            "GenericError",
            "QMP input member 'execute' must be a string",
        ),
        (
            b"{\"execute\": \"stop\", \"arguments\": []}",
            "GenericError",
            "QMP input member 'arguments' must be an object",
        ),
        (
            b"{\"execute\": \"foo\"}",
            "CommandNotFound",
            "The command foo has not been found",
        ),
        (
            b"{\"execute\": \"migrate\"}",
            "GenericError",
            "Parameter 'uri' is missing",
        ),
        (
            b"{\"execute\": \"migrate\", \"arguments\": {\"uri\": 1}}",
            "GenericError",
            "Invalid parameter type for 'uri', expected: string",
        ),
        (
            b"{\"execute\": \"stop\", \"arguments\": {\"bogus\": 1}}",
            "GenericError",
            "Parameter 'bogus' is unexpected",
        ),
        (
            b"{\"execute\": \"migrate-set-capabilities\", \"arguments\": {\"capabilities\": [{\"capability\": \"warp\", \"state\": true}]}}",
            "GenericError",
            "Parameter 'capability' does not accept value 'warp'",
        ),
        (
            b"{\"execute\": \"migrate-set-parameters\", \"arguments\": {\"downtime-limit\": 9999999}}",
            "GenericError",
            "Parameter 'downtime_limit' expects an integer in the range of 0 to 2000000 milliseconds",
        ),
    ];
    for (input, class, desc) in cases {
        q.send_raw(input);
        let r = q.reply();
        assert_eq!(r["error"]["class"], *class, "{r}");
        assert_eq!(r["error"]["desc"], *desc, "{r}");
    }
    // the session survived all of it
    assert_eq!(q.status(), "prelaunch");
    let caps = q.ok("query-migrate-capabilities", json!({}));
    assert!(caps
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["capability"] == "events"));
    let p = q.ok("query-migrate-parameters", json!({}));
    assert_eq!(p["max-bandwidth"], 134217728);
    assert_eq!(p["downtime-limit"], 300);
}

/// Every capability of QEMU's MigrationCapability that e2kemu does not
/// implement is refused by name when switched on (never silently accepted);
/// switching it off, and the implemented ones, work.
#[test]
fn unimplemented_migration_capabilities_are_refused() {
    let src = Emu::start(&["-S", COUNTER]);
    let mut q = src.connect();
    let qemu_caps = [
        "xbzrle",
        "rdma-pin-all",
        "auto-converge",
        "zero-blocks",
        "compress",
        "events",
        "postcopy-ram",
        "x-colo",
        "release-ram",
        "block",
        "return-path",
        "pause-before-switchover",
        "multifd",
        "dirty-bitmaps",
        "postcopy-blocktime",
        "late-block-activate",
        "x-ignore-shared",
        "validate-uuid",
        "background-snapshot",
        "zero-copy-send",
        "postcopy-preempt",
    ];
    let listed: Vec<String> = q
        .ok("query-migrate-capabilities", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["capability"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, qemu_caps);
    for cap in qemu_caps {
        let on = json!({"capabilities": [{"capability": cap, "state": true}]});
        if matches!(cap, "events" | "return-path") {
            q.ok("migrate-set-capabilities", on);
        } else {
            assert_eq!(
                q.err("migrate-set-capabilities", on),
                (
                    "GenericError".to_string(),
                    format!("Capability '{cap}' is not supported by e2kemu")
                )
            );
            assert_eq!(
                q.hmp(&format!("migrate_set_capability {cap} on")),
                format!("Error: Capability '{cap}' is not supported by e2kemu\r\n")
            );
        }
        q.ok(
            "migrate-set-capabilities",
            json!({"capabilities": [{"capability": cap, "state": false}]}),
        );
    }
    // one refused entry refuses the whole request
    assert!(q
        .cmd(
            "migrate-set-capabilities",
            json!({"capabilities": [
                {"capability": "events", "state": true},
                {"capability": "multifd", "state": true}
            ]})
        )
        .get("error")
        .is_some());
    let caps = q.ok("query-migrate-capabilities", json!({}));
    assert!(caps.as_array().unwrap().iter().all(|c| c["state"] == false));
    // names QEMU does not know, QEMU's wording (QMP and HMP)
    assert_eq!(
        q.err(
            "migrate-set-capabilities",
            json!({"capabilities": [{"capability": "switchover-nope", "state": true}]})
        )
        .1,
        "Parameter 'capability' does not accept value 'switchover-nope'"
    );
    assert_eq!(
        q.hmp("migrate_set_capability warp on"),
        "Error: invalid parameter value: warp\r\n"
    );
    assert_eq!(
        q.hmp("migrate_set_capability events maybe"),
        "Expected 'on' or 'off'\r\nTry \"help migrate_set_capability\" for more information\r\n"
    );
    assert_eq!(
        q.hmp("migrate_set_capability"),
        "migrate_set_capability: string expected\r\nTry \"help migrate_set_capability\" for more information\r\n"
    );
}

#[test]
fn run_states_events_and_quit() {
    let mut src = Emu::start(&["-S", COUNTER]);
    let mut q = src.connect();
    assert_eq!(
        q.ok("query-status", json!({})),
        json!({"running": false, "singlestep": false, "status": "prelaunch"})
    );
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(src.stdout(), "", "-S must not start the guest");
    q.ok("cont", json!({}));
    let ev = q.wait_event("RESUME", |_| true, 5);
    assert!(ev.is_null());
    let resume = q
        .raw_lines
        .iter()
        .rev()
        .find(|l| l.contains("RESUME"))
        .unwrap()
        .clone();
    assert!(
        resume.starts_with("{\"timestamp\": {\"seconds\": ")
            && resume.contains("\"microseconds\": "),
        "{resume}"
    );
    assert_eq!(q.status(), "running");
    src.wait_lines(2, 10);
    q.ok("stop", json!({}));
    q.wait_event("STOP", |_| true, 5);
    assert_eq!(
        q.ok("query-status", json!({})),
        json!({"running": false, "singlestep": false, "status": "paused"})
    );
    // stop when stopped: no second event
    q.ok("stop", json!({}));
    let regs = q.ok("query-e2k-registers", json!({}));
    assert_eq!(regs["iset"], 5);
    assert!(regs["ip"].as_u64().unwrap() >= 0x10000);
    assert_eq!(
        regs["r"].as_array().unwrap().len(),
        regs["wd"]["size"].as_u64().unwrap() as usize
    );
    let cpus = q.ok("query-cpus-fast", json!({}));
    assert_eq!(cpus[0]["cpu-index"], 0);
    let printed = src.stdout();
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(src.stdout(), printed, "a stopped guest prints nothing");
    q.ok("cont", json!({}));
    q.ok("quit", json!({}));
    let st = src.wait(10);
    assert_eq!(st.code(), Some(0));
    let sd = q.wait_event("SHUTDOWN", |_| true, 5);
    assert_eq!(sd, json!({"guest": false, "reason": "host-qmp-quit"}));
    assert!(q.events.iter().filter(|e| e["event"] == "STOP").count() == 0);
}

#[test]
fn guest_exit_emits_shutdown() {
    let mut src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    let sd = q.wait_event("SHUTDOWN", |_| true, 20);
    assert_eq!(sd, json!({"guest": true, "reason": "guest-shutdown"}));
    assert!(src.wait(10).success());
    assert_eq!(src.stdout(), counter_reference());
}

/// Garbage on the wire neither closes the session nor changes the guest.
#[test]
fn bad_input_does_not_disturb() {
    let mut src = Emu::start(&[COUNTER]);
    let mut q = src.connect();
    let junk: &[&[u8]] = &[
        b"}}}]]]",
        b"{\"execute\": \"query-status\", \"id\": \"\xff\xfe\"}",
        b"\x00\x01\x02",
        b"{\"a\": [1, {\"b\": tru}]}",
        b"nul",
        b"\"unterminated \x01",
        b"{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"x /1000000xg 0\"}}",
        b"{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"nosuchcmd\"}}",
        b"{\"execute\": \"x-e2k-read-memory\", \"arguments\": {\"addr\": 0, \"size\": 16}}",
    ];
    for j in junk {
        q.send_raw(j);
    }
    q.send_raw(b"\n{\"execute\": \"query-status\", \"id\": \"after\"}");
    loop {
        let r = q.reply();
        if r["id"] == "after" {
            assert_eq!(r["return"]["status"], "running");
            break;
        }
    }
    assert!(q
        .raw_lines
        .iter()
        .any(|l| l.contains("unknown command: 'nosuchcmd'\\r\\n")));
    drop(q);
    assert!(src.wait(20).success());
    assert_eq!(src.stdout(), counter_reference());
}

#[test]
fn hmp_commands() {
    let src = Emu::start(&["-S", COUNTER]);
    let mut q = src.connect();
    assert_eq!(q.hmp("info status"), "VM status: paused (prelaunch)\r\n");
    let help = q.hmp("help");
    for c in [
        "info",
        "migrate",
        "migrate_cancel",
        "migrate_incoming",
        "quit",
        "x",
        "stop",
        "cont",
    ] {
        assert!(help.lines().any(|l| l.starts_with(c)), "{c}: {help}");
    }
    let info = q.hmp("info");
    assert!(info.contains("info migrate"), "{info}");
    let regs = q.hmp("info registers");
    assert!(regs.starts_with("ip=0x0000000000010"), "{regs}");
    assert!(regs.contains("r0 =0x") && regs.contains("pcsp: "), "{regs}");
    let mem = q.hmp("info mem");
    assert!(mem.contains(" r-x tests/guests/counter.s\r\n"), "{mem}");
    assert!(mem.contains("[stack]"), "{mem}");
    // the ELF header of the program is mapped at 0x10000
    let x = q.hmp("x /2xw 0x10000");
    assert_eq!(x, "0000000000010000: 0x464c457f 0x00010102\r\n");
    let x = q.hmp("x /4cb 0x10000");
    assert_eq!(x, "0000000000010000: '\\x7f' 'E' 'L' 'F'\r\n");
    assert_eq!(q.hmp("x /1xg 0x8"), "Cannot access memory\r\n");
    assert_eq!(q.hmp("nosuch"), "unknown command: 'nosuch'\r\n");
    assert_eq!(q.hmp("info migrate").lines().next(), Some("globals:"));
    assert_eq!(q.hmp("migrate_set_capability events on"), "");
    assert_eq!(q.hmp("migrate_set_parameter max-bandwidth 64"), "");
    assert_eq!(
        q.ok("query-migrate-parameters", json!({}))["max-bandwidth"],
        64 << 20
    );
    assert_eq!(q.hmp("migrate_set_parameter downtime-limit 123"), "");
    assert!(q
        .hmp("info migrate_parameters")
        .contains("downtime-limit: 123 ms\r\n"));
    assert!(q
        .hmp("info migrate_capabilities")
        .contains("events: on\r\n"));
    assert_eq!(
        q.hmp("migrate bogus:1"),
        "Error: Parameter 'uri' expects a valid migration protocol\r\n"
    );
    // without -d the monitor waits and prints the error itself
    let port = free_port();
    assert_eq!(
        q.hmp(&format!("migrate tcp:127.0.0.1:{port}")),
        format!("Failed to connect to '127.0.0.1:{port}': Connection refused\r\n")
    );
    assert_eq!(q.hmp(&format!("migrate -d tcp:127.0.0.1:{port}")), "");
    q.wait_migration(10);
    assert!(q
        .hmp("info migrate")
        .contains(&format!("Migration status: failed (Failed to connect to '127.0.0.1:{port}': Connection refused)\r\n")));
    assert_eq!(q.hmp("cont"), "");
    assert_eq!(q.hmp("info status"), "VM status: running\r\n");
    assert_eq!(q.hmp("stop"), "");
    assert_eq!(q.hmp("info status"), "VM status: paused\r\n");
    assert_eq!(q.hmp("migrate_cancel"), "");
}

/// QMP over TCP and unix at once, plus an HMP socket: events reach every QMP
/// session, and the HMP socket has a banner and prompts.
#[test]
fn several_monitors() {
    let port = free_port();
    let hmp_path = tmp("hmp.sock");
    let tcp = format!("tcp:127.0.0.1:{port},server=on,wait=off");
    let hmp = format!("unix:{},server=on,wait=off", hmp_path.display());
    let src = Emu::start(&["-qmp", &tcp, "-monitor", &hmp, "-S", COUNTER]);
    let mut q = src.connect();
    // TCP QMP session by hand
    let t = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(t) => break t,
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    t.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tr = BufReader::new(t.try_clone().unwrap());
    let mut tw = t;
    let mut line = String::new();
    tr.read_line(&mut line).unwrap();
    assert!(line.starts_with("{\"QMP\": "), "{line}");
    tw.write_all(b"{\"execute\":\"qmp_capabilities\"}").unwrap();
    line.clear();
    tr.read_line(&mut line).unwrap();
    assert_eq!(line, "{\"return\": {}}\r\n");
    // HMP session
    let mut h = loop {
        match std::os::unix::net::UnixStream::connect(&hmp_path) {
            Ok(h) => break h,
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    h.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    let read_until_prompt = |h: &mut std::os::unix::net::UnixStream, got: &mut Vec<u8>| {
        got.clear();
        let mut b = [0u8; 256];
        while !got.ends_with(b"(qemu) ") {
            let n = h.read(&mut b).unwrap();
            assert!(n > 0);
            got.extend_from_slice(&b[..n]);
        }
        String::from_utf8_lossy(got).into_owned()
    };
    let banner = read_until_prompt(&mut h, &mut got);
    assert_eq!(
        banner,
        format!(
            "QEMU {} monitor - type 'help' for more information\r\n(qemu) ",
            env!("CARGO_PKG_VERSION")
        )
    );
    // QEMU's readline echoes the typing, redrawing the line after each byte
    h.write_all(b"cont\n").unwrap();
    assert_eq!(
        read_until_prompt(&mut h, &mut got),
        "c\x1b[K\x1b[Dco\x1b[K\x1b[D\x1b[Dcon\x1b[K\x1b[D\x1b[D\x1b[Dcont\x1b[K\r\n(qemu) "
    );
    // RESUME reaches both QMP sessions
    q.wait_event("RESUME", |_| true, 5);
    line.clear();
    tr.read_line(&mut line).unwrap();
    assert!(line.contains("\"event\": \"RESUME\""), "{line}");
    h.write_all(b"info status\n").unwrap();
    let echo = String::from_utf8(e2kemu::monitor::readline::typed_echo("info status")).unwrap();
    assert_eq!(
        read_until_prompt(&mut h, &mut got),
        format!("{echo}\r\nVM status: running\r\n(qemu) ")
    );
    // CR LF ends a line and then an empty one, like QEMU
    h.write_all(b"info status\r\n").unwrap();
    let mut both = read_until_prompt(&mut h, &mut got);
    if !both.ends_with("\r\n(qemu) \r\n(qemu) ") {
        both.push_str(&read_until_prompt(&mut h, &mut got));
    }
    assert_eq!(
        both,
        format!("{echo}\r\nVM status: running\r\n(qemu) \r\n(qemu) ")
    );
    h.write_all(b"quit\n").unwrap();
    q.wait_event("SHUTDOWN", |_| true, 5);
}

/// `server=on` without `wait=off` holds the guest until a client connects.
#[test]
fn wait_on_holds_the_guest() {
    let sock = tmp("wait.sock");
    let spec = format!("unix:{},server=on", sock.display());
    let src = Emu::start(&["-qmp", &spec, COUNTER]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(src.stdout(), "", "the guest ran before a client connected");
    let mut q = Qmp::connect(&sock);
    src.wait_lines(1, 10);
    assert_eq!(q.status(), "running");
}

/// MIGRATION events go out only with the `events` capability.
#[test]
fn migration_events_need_the_capability() {
    let src = Emu::start(&["-S", COUNTER]);
    let mut q = src.connect();
    let port = free_port();
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    assert_eq!(q.wait_migration(10)["status"], "failed");
    q.ok("cont", json!({}));
    q.wait_event("RESUME", |_| true, 5);
    assert!(
        q.events.iter().all(|e| e["event"] != "MIGRATION"),
        "{:?}",
        q.events
    );
    q.enable_events();
    q.ok("migrate", json!({"uri": format!("tcp:127.0.0.1:{port}")}));
    q.wait_event("MIGRATION", |d| d["status"] == "setup", 5);
    q.wait_event("MIGRATION", |d| d["status"] == "failed", 5);
}
