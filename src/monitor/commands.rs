//! QMP commands: the command table, typed arguments (serde structs; a missing,
//! extra or mistyped parameter becomes QEMU's error text through one generic
//! mapping, never a per-command check) and the error type with QEMU's classes.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// A QMP error: class and human-readable description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QmpError {
    pub class: &'static str,
    pub desc: String,
}

impl QmpError {
    pub fn generic(desc: impl Into<String>) -> QmpError {
        QmpError {
            class: "GenericError",
            desc: desc.into(),
        }
    }
    pub fn not_found(desc: impl Into<String>) -> QmpError {
        QmpError {
            class: "CommandNotFound",
            desc: desc.into(),
        }
    }
    pub fn to_value(&self) -> Value {
        json!({"class": self.class, "desc": self.desc})
    }
}

impl std::fmt::Display for QmpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.desc)
    }
}

pub type QmpResult = Result<Value, QmpError>;

/// Commands without arguments (any argument is "unexpected").
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CapabilitiesArgs {
    #[serde(default)]
    pub enable: Option<Vec<QmpCapability>>,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum QmpCapability {
    Oob,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HmpArgs {
    #[serde(rename = "command-line")]
    pub command_line: String,
    #[serde(rename = "cpu-index", default)]
    pub cpu_index: Option<i64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RegistersArgs {
    #[serde(rename = "cpu-index", default)]
    pub cpu_index: Option<i64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct MigrateArgs {
    pub uri: String,
    #[serde(default)]
    pub blk: Option<bool>,
    #[serde(default)]
    pub inc: Option<bool>,
    #[serde(default)]
    pub detach: Option<bool>,
    #[serde(default)]
    pub resume: Option<bool>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct UriArgs {
    pub uri: String,
}

/// Migration capabilities (QEMU's MigrationCapability enum).
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum MigCap {
    Xbzrle,
    RdmaPinAll,
    AutoConverge,
    ZeroBlocks,
    Compress,
    Events,
    PostcopyRam,
    XColo,
    ReleaseRam,
    Block,
    ReturnPath,
    PauseBeforeSwitchover,
    Multifd,
    DirtyBitmaps,
    PostcopyBlocktime,
    LateBlockActivate,
    XIgnoreShared,
    ValidateUuid,
    BackgroundSnapshot,
    ZeroCopySend,
    PostcopyPreempt,
}

impl MigCap {
    pub const ALL: [MigCap; 21] = [
        MigCap::Xbzrle,
        MigCap::RdmaPinAll,
        MigCap::AutoConverge,
        MigCap::ZeroBlocks,
        MigCap::Compress,
        MigCap::Events,
        MigCap::PostcopyRam,
        MigCap::XColo,
        MigCap::ReleaseRam,
        MigCap::Block,
        MigCap::ReturnPath,
        MigCap::PauseBeforeSwitchover,
        MigCap::Multifd,
        MigCap::DirtyBitmaps,
        MigCap::PostcopyBlocktime,
        MigCap::LateBlockActivate,
        MigCap::XIgnoreShared,
        MigCap::ValidateUuid,
        MigCap::BackgroundSnapshot,
        MigCap::ZeroCopySend,
        MigCap::PostcopyPreempt,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MigCap::Xbzrle => "xbzrle",
            MigCap::RdmaPinAll => "rdma-pin-all",
            MigCap::AutoConverge => "auto-converge",
            MigCap::ZeroBlocks => "zero-blocks",
            MigCap::Compress => "compress",
            MigCap::Events => "events",
            MigCap::PostcopyRam => "postcopy-ram",
            MigCap::XColo => "x-colo",
            MigCap::ReleaseRam => "release-ram",
            MigCap::Block => "block",
            MigCap::ReturnPath => "return-path",
            MigCap::PauseBeforeSwitchover => "pause-before-switchover",
            MigCap::Multifd => "multifd",
            MigCap::DirtyBitmaps => "dirty-bitmaps",
            MigCap::PostcopyBlocktime => "postcopy-blocktime",
            MigCap::LateBlockActivate => "late-block-activate",
            MigCap::XIgnoreShared => "x-ignore-shared",
            MigCap::ValidateUuid => "validate-uuid",
            MigCap::BackgroundSnapshot => "background-snapshot",
            MigCap::ZeroCopySend => "zero-copy-send",
            MigCap::PostcopyPreempt => "postcopy-preempt",
        }
    }

    pub fn from_name(s: &str) -> Option<MigCap> {
        MigCap::ALL.iter().copied().find(|c| c.name() == s)
    }

    /// Capabilities e2kemu implements; the others are refused when switched on.
    /// (`return-path`: tcp and unix migrations always have one, the
    /// destination's verdict comes back on it.)
    pub fn supported(self) -> bool {
        matches!(self, MigCap::Events | MigCap::ReturnPath)
    }
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct CapState {
    pub capability: MigCap,
    pub state: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCapsArgs {
    pub capabilities: Vec<CapState>,
}

/// `migrate-set-parameters` arguments (a subset of QEMU's MigrateSetParameters;
/// `x-stream-version` is an experimental knob for testing version checks).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SetParamsArgs {
    #[serde(default)]
    pub max_bandwidth: Option<u64>,
    #[serde(default)]
    pub downtime_limit: Option<u64>,
    #[serde(default)]
    pub x_stream_version: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemArgs {
    pub addr: u64,
    pub size: u64,
}

/// A command the CPU thread executes (everything that touches the machine).
#[derive(Debug)]
pub enum Command {
    QueryStatus,
    Stop,
    Cont,
    Quit,
    QueryRegisters,
    QueryCpusFast,
    Migrate(MigrateArgs),
    MigrateCancel,
    MigrateIncoming(UriArgs),
    QueryMigrate,
    SetCapabilities(SetCapsArgs),
    QueryCapabilities,
    SetParameters(SetParamsArgs),
    QueryParameters,
    /// HMP helpers
    ReadMem(MemArgs),
    MemMap,
    RegistersText,
}

/// What a QMP request asks for.
#[derive(Debug)]
pub enum Parsed {
    Capabilities(CapabilitiesArgs),
    QueryVersion,
    QueryCommands,
    Hmp(HmpArgs),
    Machine(Command),
}

/// Every command name, for `query-commands` and the lookup.
pub const NAMES: &[&str] = &[
    "qmp_capabilities",
    "query-version",
    "query-commands",
    "query-status",
    "stop",
    "cont",
    "quit",
    "query-e2k-registers",
    "query-cpus-fast",
    "human-monitor-command",
    "migrate",
    "migrate_cancel",
    "migrate-incoming",
    "query-migrate",
    "migrate-set-capabilities",
    "query-migrate-capabilities",
    "migrate-set-parameters",
    "query-migrate-parameters",
    "x-e2k-read-memory",
];

/// Parses the arguments of `name`; Err when the command is unknown or an argument
/// is wrong.
pub fn parse(name: &str, args: &Value) -> Result<Parsed, QmpError> {
    use Command as C;
    Ok(match name {
        "qmp_capabilities" => Parsed::Capabilities(typed(args)?),
        "query-version" => {
            typed::<NoArgs>(args)?;
            Parsed::QueryVersion
        }
        "query-commands" => {
            typed::<NoArgs>(args)?;
            Parsed::QueryCommands
        }
        "human-monitor-command" => Parsed::Hmp(typed(args)?),
        "query-status" => no_args(args, C::QueryStatus)?,
        "stop" => no_args(args, C::Stop)?,
        "cont" => no_args(args, C::Cont)?,
        "quit" => no_args(args, C::Quit)?,
        "query-e2k-registers" => {
            let a: RegistersArgs = typed(args)?;
            if a.cpu_index.is_some_and(|i| i != 0) {
                return Err(QmpError::generic(
                    "Parameter 'cpu-index' expects a CPU number (only CPU 0 exists)",
                ));
            }
            Parsed::Machine(C::QueryRegisters)
        }
        "query-cpus-fast" => no_args(args, C::QueryCpusFast)?,
        "migrate" => Parsed::Machine(C::Migrate(typed(args)?)),
        "migrate_cancel" => no_args(args, C::MigrateCancel)?,
        "migrate-incoming" => Parsed::Machine(C::MigrateIncoming(typed(args)?)),
        "query-migrate" => no_args(args, C::QueryMigrate)?,
        "migrate-set-capabilities" => Parsed::Machine(C::SetCapabilities(typed(args)?)),
        "query-migrate-capabilities" => no_args(args, C::QueryCapabilities)?,
        "migrate-set-parameters" => Parsed::Machine(C::SetParameters(typed(args)?)),
        "query-migrate-parameters" => no_args(args, C::QueryParameters)?,
        "x-e2k-read-memory" => Parsed::Machine(C::ReadMem(typed(args)?)),
        _ => {
            return Err(QmpError::not_found(format!(
                "The command {name} has not been found"
            )))
        }
    })
}

/// Checks the members of a request and returns the command name and arguments
/// (`{}` when absent), with QEMU's errors for malformed requests.
pub fn request_parts(req: &Value) -> Result<(&str, Value), QmpError> {
    let Value::Object(m) = req else {
        return Err(QmpError::generic("QMP input must be a JSON object"));
    };
    for k in m.keys() {
        if !matches!(k.as_str(), "execute" | "arguments" | "id") {
            return Err(QmpError::generic(format!(
                "QMP input member '{k}' is unexpected"
            )));
        }
    }
    let name = match m.get("execute") {
        None => return Err(QmpError::generic("QMP input lacks member 'execute'")),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(QmpError::generic(
                "QMP input member 'execute' must be a string",
            ))
        }
    };
    let args = match m.get("arguments") {
        None => json!({}),
        Some(a @ Value::Object(_)) => a.clone(),
        Some(_) => {
            return Err(QmpError::generic(
                "QMP input member 'arguments' must be an object",
            ))
        }
    };
    Ok((name, args))
}

fn no_args(args: &Value, c: Command) -> Result<Parsed, QmpError> {
    typed::<NoArgs>(args)?;
    Ok(Parsed::Machine(c))
}

/// Deserializes arguments into `T`, mapping serde's errors to QEMU's messages.
pub fn typed<T: DeserializeOwned>(args: &Value) -> Result<T, QmpError> {
    match serde_path_to_error::deserialize::<_, T>(args) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner().to_string();
            Err(QmpError::generic(map_serde_error(&path, &inner, args)))
        }
    }
}

fn backticked(s: &str) -> Option<&str> {
    let a = s.find('`')?;
    let rest = &s[a + 1..];
    let b = rest.find('`')?;
    Some(&rest[..b])
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() || path == "." {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The QAPI name of the JSON type serde expected.
fn expected_type(exp: &str) -> &'static str {
    let e = exp.trim();
    if e.contains("string") || e.contains("variant identifier") || e.contains("identifier") {
        "string"
    } else if e.contains("bool") {
        "boolean"
    } else if e.starts_with('u') || e.starts_with('i') || e.contains("integer") {
        "integer"
    } else if e.starts_with('f') {
        "number"
    } else if e.contains("sequence") || e.contains("array") {
        "array"
    } else {
        "object"
    }
}

fn map_serde_error(path: &str, msg: &str, args: &Value) -> String {
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let f = backticked(rest).unwrap_or(rest);
        return format!("Parameter '{}' is missing", join(path, f));
    }
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let f = backticked(rest).unwrap_or(rest);
        // serde_path_to_error already points at the field itself
        let name = if path.ends_with(f) {
            path.to_string()
        } else {
            join(path, f)
        };
        return format!("Parameter '{name}' is unexpected");
    }
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        // QEMU names only the member here (not its path), and a list element,
        // which has no name, as 'null'
        let v = backticked(rest).unwrap_or(rest);
        let member = path.rsplit('.').next().unwrap_or("");
        let member = if member.is_empty() || member.ends_with(']') {
            "null"
        } else {
            member
        };
        return format!("Parameter '{member}' does not accept value '{v}'");
    }
    let name = if path.is_empty() || path == "." {
        "null".to_string()
    } else {
        path.to_string()
    };
    if msg.starts_with("invalid type: ") {
        if let Some(i) = msg.rfind("expected ") {
            let exp = &msg[i + 9..];
            // the whole arguments member must be an object
            if !args.is_object() && (path.is_empty() || path == ".") {
                return "QMP input member 'arguments' must be an object".into();
            }
            return format!(
                "Invalid parameter type for '{name}', expected: {}",
                expected_type(exp)
            );
        }
    }
    if msg.starts_with("invalid value: ") {
        if let Some(i) = msg.rfind("expected ") {
            let exp = msg[i + 9..].trim();
            let what = match exp {
                "u64" | "u32" | "u16" | "u8" | "usize" => "uint64",
                "i64" | "i32" | "i16" | "i8" | "isize" => "int64",
                other => other,
            };
            return format!("Parameter '{name}' expects {what}");
        }
    }
    msg.to_string()
}

/// `query-commands` result.
pub fn query_commands() -> Value {
    Value::Array(NAMES.iter().map(|n| json!({"name": n})).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, args: Value) -> String {
        match parse(name, &args) {
            Err(e) => e.desc,
            Ok(p) => panic!("parsed: {p:?}"),
        }
    }

    #[test]
    fn qemu_argument_errors() {
        assert_eq!(err("migrate", json!({})), "Parameter 'uri' is missing");
        assert_eq!(
            err("migrate", json!({"uri": 5})),
            "Invalid parameter type for 'uri', expected: string"
        );
        assert_eq!(
            err("migrate", json!({"uri": "tcp:x:1", "bogus": 1})),
            "Parameter 'bogus' is unexpected"
        );
        assert_eq!(err("stop", json!({"x": 1})), "Parameter 'x' is unexpected");
        assert_eq!(
            err(
                "migrate-set-capabilities",
                json!({"capabilities": [{"capability": "nope", "state": true}]})
            ),
            "Parameter 'capability' does not accept value 'nope'"
        );
        assert_eq!(
            err("qmp_capabilities", json!({"enable": ["bogus"]})),
            "Parameter 'null' does not accept value 'bogus'"
        );
        assert_eq!(
            err("qmp_capabilities", json!({"enable": "oob"})),
            "Invalid parameter type for 'enable', expected: array"
        );
        assert_eq!(
            err(
                "migrate-set-capabilities",
                json!({"capabilities": [{"capability": "events"}]})
            ),
            "Parameter 'capabilities[0].state' is missing"
        );
        assert_eq!(
            err(
                "migrate-set-capabilities",
                json!({"capabilities": [{"capability": "events", "state": 1}]})
            ),
            "Invalid parameter type for 'capabilities[0].state', expected: boolean"
        );
        assert_eq!(
            err("migrate-set-parameters", json!({"downtime-limit": "x"})),
            "Invalid parameter type for 'downtime-limit', expected: integer"
        );
        assert_eq!(
            err("nosuch", json!({})),
            "The command nosuch has not been found"
        );
        assert!(matches!(
            parse("migrate", &json!({"uri": "tcp:h:1", "detach": true})),
            Ok(Parsed::Machine(Command::Migrate(_)))
        ));
    }
}
