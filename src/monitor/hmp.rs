//! The human monitor (HMP): a line-oriented command language on top of the same
//! machine commands as QMP, with QEMU's command names and output layouts
//! (`info status`, `info migrate`, `x /FMT ADDR`, ...). Used by `-monitor` and
//! by QMP's `human-monitor-command`; lines end in CRLF on the wire.

use super::commands::{
    CapState, Command, MemArgs, MigCap, MigrateArgs, QmpError, SetCapsArgs, SetParamsArgs, UriArgs,
};
use super::events::Sink;
use super::hub::Hub;
use super::readline::LineEditor;
use serde_json::Value;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

const PROMPT: &str = "(qemu) ";

/// (name|alias, arguments, help) for `help`.
const COMMANDS: &[(&str, &str, &str)] = &[
    ("cont|c", "", "resume emulation"),
    ("help|?", "[cmd]", "show the help"),
    (
        "info",
        "[subcommand]",
        "show various information about the system state",
    ),
    (
        "migrate",
        "[-d] uri",
        "migrate to URI (using -d to not wait for completion)",
    ),
    ("migrate_cancel", "", "cancel the current VM migration"),
    (
        "migrate_incoming",
        "uri",
        "Continue an incoming migration from an -incoming defer",
    ),
    (
        "migrate_set_capability",
        "capability state",
        "Enable/Disable the usage of a capability for migration",
    ),
    (
        "migrate_set_parameter",
        "parameter value",
        "Set the parameter for migration",
    ),
    ("quit|q", "", "quit the emulator"),
    ("stop|s", "", "stop emulation"),
    ("x", "/fmt addr", "virtual memory dump starting at 'addr'"),
];

const INFOS: &[(&str, &str)] = &[
    ("mem", "show the active virtual memory mappings"),
    ("migrate", "show migration status"),
    (
        "migrate_capabilities",
        "show current migration capabilities",
    ),
    ("migrate_parameters", "show current migration parameters"),
    ("registers", "show the cpu registers"),
    ("status", "show the current VM status (running|paused)"),
    ("version", "show the version of e2kemu"),
];

fn help_text() -> String {
    COMMANDS
        .iter()
        .map(|(n, a, h)| {
            if a.is_empty() {
                format!("{n}  -- {h}\n")
            } else {
                format!("{n} {a} -- {h}\n")
            }
        })
        .collect()
}

fn info_help() -> String {
    INFOS
        .iter()
        .map(|(n, h)| format!("info {n}  -- {h}\n"))
        .collect()
}

fn err(e: &QmpError) -> String {
    format!("Error: {}\n", e.desc)
}

/// Runs one command line; returns its output with CRLF line ends.
pub fn run_line(line: &str, hub: &Hub) -> String {
    run(line, hub).replace('\n', "\r\n")
}

fn status_line(v: &Value) -> String {
    let st = v["status"].as_str().unwrap_or("");
    if v["running"].as_bool().unwrap_or(false) {
        "VM status: running\n".into()
    } else if st == "paused" {
        "VM status: paused\n".into()
    } else {
        format!("VM status: paused ({st})\n")
    }
}

fn run(line: &str, hub: &Hub) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some(&cmd) = words.first() else {
        return String::new();
    };
    let simple = |c: Command| match hub.call_value(c) {
        Ok(_) => String::new(),
        Err(e) => err(&e),
    };
    match cmd {
        "help" | "?" => help_text(),
        "c" | "cont" => simple(Command::Cont),
        "s" | "stop" => simple(Command::Stop),
        "q" | "quit" => simple(Command::Quit),
        "migrate_cancel" => simple(Command::MigrateCancel),
        "migrate_incoming" => match words.get(1) {
            Some(u) => simple(Command::MigrateIncoming(UriArgs { uri: u.to_string() })),
            None => "migrate_incoming: missing argument 'uri'\n".into(),
        },
        "migrate" => migrate(&words[1..], hub),
        "migrate_set_capability" => {
            // QEMU's argument checks ("capability:s,state:b") come first, then
            // the name lookup (qapi_enum_parse's wording)
            let Some(name) = words.get(1) else {
                return "migrate_set_capability: string expected\n\
                        Try \"help migrate_set_capability\" for more information\n"
                    .into();
            };
            let state = match words.get(2).copied() {
                Some("on") => true,
                Some("off") => false,
                _ => {
                    return "Expected 'on' or 'off'\n\
                            Try \"help migrate_set_capability\" for more information\n"
                        .into()
                }
            };
            if words.len() > 3 {
                return "migrate_set_capability: extraneous characters at the end of line\n\
                        Try \"help migrate_set_capability\" for more information\n"
                    .into();
            }
            let Some(cap) = MigCap::from_name(name) else {
                return format!("Error: invalid parameter value: {name}\n");
            };
            simple(Command::SetCapabilities(SetCapsArgs {
                capabilities: vec![CapState {
                    capability: cap,
                    state,
                }],
            }))
        }
        "migrate_set_parameter" => {
            let (Some(name), Some(val)) = (words.get(1), words.get(2)) else {
                return "migrate_set_parameter: missing arguments\n".into();
            };
            let mut a = SetParamsArgs::default();
            match *name {
                "max-bandwidth" | "max_bandwidth" => match parse_size_mib(val) {
                    Some(v) => a.max_bandwidth = Some(v),
                    None => return "Error: Parameter 'max-bandwidth' expects a size\n".into(),
                },
                "downtime-limit" | "downtime_limit" => match val.parse::<u64>() {
                    Ok(v) => a.downtime_limit = Some(v),
                    Err(_) => {
                        return "Error: Parameter 'downtime-limit' expects an integer\n".into()
                    }
                },
                "x-stream-version" => match val.parse::<u32>() {
                    Ok(v) => a.x_stream_version = Some(v),
                    Err(_) => {
                        return "Error: Parameter 'x-stream-version' expects an integer\n".into()
                    }
                },
                other => return format!("Error: Parameter '{other}' is unexpected\n"),
            }
            simple(Command::SetParameters(a))
        }
        "x" => memory_dump(&words[1..], hub),
        "info" => info(words.get(1).copied(), hub),
        other => format!("unknown command: '{other}'\n"),
    }
}

/// A size for max-bandwidth: a bare number is MiB, suffixes B/K/M/G/T.
fn parse_size_mib(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mul) = match s.chars().last()? {
        'b' | 'B' => (&s[..s.len() - 1], 1u64),
        'k' | 'K' => (&s[..s.len() - 1], 1 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        't' | 'T' => (&s[..s.len() - 1], 1 << 40),
        _ => (s, 1 << 20),
    };
    let v: f64 = num.parse().ok()?;
    (v >= 0.0).then_some((v * mul as f64) as u64)
}

fn migrate(args: &[&str], hub: &Hub) -> String {
    let mut detach = false;
    let mut uri = None;
    for a in args {
        match *a {
            "-d" => detach = true,
            "-b" | "-i" | "-r" => {}
            u => uri = Some(u.to_string()),
        }
    }
    let Some(uri) = uri else {
        return "migrate: missing argument 'uri'\n".into();
    };
    if let Err(e) = hub.call_value(Command::Migrate(MigrateArgs {
        uri,
        blk: None,
        inc: None,
        detach: Some(detach),
        resume: None,
    })) {
        return err(&e);
    }
    if detach {
        return String::new();
    }
    // wait for the end like QEMU's suspended monitor, then report a failure
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let info = match hub.call_value(Command::QueryMigrate) {
            Ok(v) => v,
            Err(e) => return err(&e),
        };
        match info["status"].as_str().unwrap_or("") {
            "setup" | "active" | "cancelling" => continue,
            "failed" => {
                return match info["error-desc"].as_str() {
                    Some(d) => format!("{d}\n"),
                    None => "migration failed\n".into(),
                }
            }
            _ => return String::new(),
        }
    }
}

fn parse_addr(s: &str) -> Option<u64> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse().ok()
    }
}

/// `x /FMT ADDR`: count, format (x d u o c) and unit size (b h w g).
fn memory_dump(args: &[&str], hub: &Hub) -> String {
    let (fmt, addr) = match args {
        [f, a] if f.starts_with('/') => (&f[1..], *a),
        [a] => ("", *a),
        _ => return "x: usage: x /fmt addr\n".into(),
    };
    let Some(addr) = parse_addr(addr) else {
        return format!("x: bad address '{addr}'\n");
    };
    let digits: String = fmt.chars().take_while(|c| c.is_ascii_digit()).collect();
    let count: u64 = digits.parse().unwrap_or(1).clamp(1, 4096);
    let mut format = 'x';
    let mut size = 4u64;
    for c in fmt[digits.len()..].chars() {
        match c {
            'x' | 'd' | 'u' | 'o' | 'c' => format = c,
            'b' => size = 1,
            'h' => size = 2,
            'w' => size = 4,
            'g' => size = 8,
            _ => return format!("x: invalid format '{c}'\n"),
        }
    }
    if format == 'c' {
        size = 1;
    }
    let len = count * size;
    let data = match hub.call_value(Command::ReadMem(MemArgs { addr, size: len })) {
        Ok(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_u64().unwrap_or(0) as u8)
            .collect::<Vec<u8>>(),
        Ok(_) => return "Cannot access memory\n".into(),
        Err(e) => return format!("{}\n", e.desc),
    };
    let per_line = if format == 'c' {
        16
    } else {
        (16 / size).max(1)
    };
    let mut out = String::new();
    for (i, item) in data.chunks(size as usize).enumerate() {
        let i = i as u64;
        if i.is_multiple_of(per_line) {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&format!("{:016x}:", addr + i * size));
        }
        let mut v = 0u64;
        for (k, b) in item.iter().enumerate() {
            v |= (*b as u64) << (8 * k);
        }
        let bits = size * 8;
        let sv = if bits < 64 && v >> (bits - 1) & 1 == 1 {
            (v | (!0u64 << bits)) as i64
        } else {
            v as i64
        };
        out.push(' ');
        out.push_str(&match format {
            'x' => format!("0x{:0w$x}", v, w = (size * 2) as usize),
            'd' => format!("{sv}"),
            'u' => format!("{v}"),
            'o' => format!("{v:#o}"),
            _ => {
                let c = v as u8;
                if c.is_ascii_graphic() || c == b' ' {
                    format!("'{}'", c as char)
                } else {
                    format!("'\\x{c:02x}'")
                }
            }
        });
    }
    out.push('\n');
    out
}

fn info(what: Option<&str>, hub: &Hub) -> String {
    let Some(what) = what else {
        return info_help();
    };
    match what {
        "status" => match hub.call_value(Command::QueryStatus) {
            Ok(v) => status_line(&v),
            Err(e) => err(&e),
        },
        "registers" => match hub.call_value(Command::RegistersText) {
            Ok(Value::String(s)) => s,
            Ok(_) => String::new(),
            Err(e) => err(&e),
        },
        "mem" => match hub.call_value(Command::MemMap) {
            Ok(Value::String(s)) => s,
            Ok(_) => String::new(),
            Err(e) => err(&e),
        },
        "migrate" => match hub.call_value(Command::QueryMigrate) {
            Ok(v) => crate::migration::info_migrate_text(&v),
            Err(e) => err(&e),
        },
        "migrate_capabilities" => match hub.call_value(Command::QueryCapabilities) {
            Ok(Value::Array(a)) => a
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}\n",
                        c["capability"].as_str().unwrap_or(""),
                        if c["state"].as_bool().unwrap_or(false) {
                            "on"
                        } else {
                            "off"
                        }
                    )
                })
                .collect(),
            Ok(_) => String::new(),
            Err(e) => err(&e),
        },
        "migrate_parameters" => match hub.call_value(Command::QueryParameters) {
            Ok(v) => format!(
                "max-bandwidth: {} bytes/second\ndowntime-limit: {} ms\nx-stream-version: {}\n",
                v["max-bandwidth"].as_u64().unwrap_or(0),
                v["downtime-limit"].as_u64().unwrap_or(0),
                v["x-stream-version"].as_u64().unwrap_or(0)
            ),
            Err(e) => err(&e),
        },
        "version" => format!("{} (e2kemu)\n", env!("CARGO_PKG_VERSION")),
        other => format!("unknown info subcommand: '{other}'\n{}", info_help()),
    }
}

/// Serves an HMP session on a stream (`-monitor`) the way QEMU's does: the
/// banner and the `(qemu) ` prompt, input through QEMU's line editor (with
/// `echo`, typing is echoed as QEMU redraws it; a terminal in canonical mode
/// echoes by itself), and after each line its output and the prompt.
pub fn serve(mut input: Box<dyn Read + Send>, sink: Arc<Sink>, hub: Arc<Hub>, echo: bool) {
    // QEMU's greeting, with the version the QMP greeting reports
    let banner = format!(
        "QEMU {} monitor - type 'help' for more information\r\n{PROMPT}",
        env!("CARGO_PKG_VERSION")
    );
    if !sink.send_raw(banner.as_bytes()) {
        return;
    }
    let mut ed = LineEditor::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return,
        };
        let mut out = Vec::new();
        for &b in &buf[..n] {
            let at = out.len();
            let line = ed.feed(b, &mut out);
            if !echo {
                out.truncate(at);
            }
            let Some(line) = line else {
                continue;
            };
            let busy = hub.begin();
            out.extend_from_slice(run_line(line.trim(), &hub).as_bytes());
            out.extend_from_slice(PROMPT.as_bytes());
            let sent = sink.send_raw(&out);
            drop(busy);
            if !sent {
                return;
            }
            out.clear();
            ed.prompt_shown();
        }
        if !out.is_empty() && !sink.send_raw(&out) {
            return;
        }
    }
}
