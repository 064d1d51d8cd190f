//! Command line of `e2kemu`, compatible with qemu linux-user: options come before
//! PROGRAM (single or double dash), everything after PROGRAM goes to the guest
//! untouched. `E2KEMU_*` environment variables give defaults like qemu's `QEMU_*`.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

/// CPU models: qemu-e2k names, `elbrus-*` marketing names and generic `elbrus-vN`.
pub const CPU_MODELS: &[(&str, u8, &str)] = &[
    ("e2c+", 2, "Elbrus-2C+"),
    ("e2s", 3, "Elbrus-4C"),
    ("e4c", 3, "Elbrus-4C"),
    ("e8c", 4, "Elbrus-8C"),
    ("e1c+", 4, "Elbrus-1C+"),
    ("e8c2", 5, "Elbrus-8CB"),
    ("e16c", 6, "Elbrus-16C"),
    ("e12c", 6, "Elbrus-12C"),
    ("e2c3", 6, "Elbrus-2C3"),
    ("elbrus-2c+", 2, "Elbrus-2C+"),
    ("elbrus-4c", 3, "Elbrus-4C"),
    ("elbrus-8c", 4, "Elbrus-8C"),
    ("elbrus-1c+", 4, "Elbrus-1C+"),
    ("elbrus-8c2", 5, "Elbrus-8CB"),
    ("elbrus-16c", 6, "Elbrus-16C"),
    ("elbrus-12c", 6, "Elbrus-12C"),
    ("elbrus-2c3", 6, "Elbrus-2C3"),
    ("elbrus-v2", 2, "generic elbrus-v2"),
    ("elbrus-v3", 3, "generic elbrus-v3"),
    ("elbrus-v4", 4, "generic elbrus-v4"),
    ("elbrus-v5", 5, "generic elbrus-v5"),
    ("elbrus-v6", 6, "generic elbrus-v6"),
    ("elbrus-v7", 7, "generic elbrus-v7"),
];

/// ISA version used for generic executables when no `-cpu` is given.
pub const DEFAULT_ISET: u8 = 5;

/// `-d` items: (name = log target `e2kemu::NAME`, description).
pub const LOG_ITEMS: &[(&str, &str)] = &[
    ("in_asm", "each bundle when it is decoded"),
    ("exec", "each bundle when it is executed"),
    ("cpu", "CPU state before each bundle"),
    ("int", "exceptions and signal delivery"),
    (
        "unimp",
        "unimplemented system calls, ioctls and instructions",
    ),
    ("strace", "system calls (same as -strace)"),
    ("jit", "JIT traces compiled, dropped and linked"),
    ("out_asm", "Cranelift IR and host code of each JIT trace"),
];

/// `-cpu` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuChoice {
    pub iset: u8,
    pub tags: Option<bool>,
}

/// What the command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Action {
    #[default]
    Run,
    Help,
    Version,
    CpuHelp,
    LogHelp,
}

/// Parsed command line.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub action: Action,
    pub cpu: Option<CpuChoice>,
    pub ld_prefix: Option<PathBuf>,
    /// `-E`/`-U` in order: (name, Some(value)) sets, (name, None) unsets
    pub env_edits: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pub argv0: Option<OsString>,
    pub stack_size: Option<u64>,
    pub strace: bool,
    pub log_items: Vec<String>,
    pub log_file: Option<PathBuf>,
    pub stats: bool,
    pub seed: Option<u64>,
    /// `-I DIR`: include directories for `.s` programs
    pub include_dirs: Vec<PathBuf>,
    /// `-tier`, `-jit-threshold`, `-jit-disable`
    pub tier: TierOptions,
    pub program: Option<OsString>,
    pub args: Vec<OsString>,
}

/// Execution-tier options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierOptions {
    /// `-tier interp|jit` (None: the default of the build)
    pub tier: Option<Tier>,
    /// `-jit-threshold N`
    pub jit_threshold: Option<u32>,
    /// `-jit-disable CLASS,...` (validated by the JIT tier)
    pub jit_disable: Option<String>,
    /// `-jit-code-size BYTES`: native code kept before all traces are dropped
    pub jit_code_size: Option<usize>,
}

/// The execution tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Interp,
    Jit,
}

/// Parses a CPU model with optional `,tags=on|off`.
pub fn parse_cpu(s: &str) -> Result<Option<CpuChoice>, String> {
    let mut parts = s.split(',');
    let model = parts.next().unwrap_or("");
    if model == "help" || model == "?" {
        return Ok(None);
    }
    let iset = CPU_MODELS
        .iter()
        .find(|m| m.0.eq_ignore_ascii_case(model))
        .map(|m| m.1)
        .ok_or_else(|| format!("unknown CPU model '{model}' (try -cpu help)"))?;
    let mut tags = None;
    for p in parts {
        let (k, v) = p.split_once('=').unwrap_or((p, "on"));
        let on = match v {
            "on" | "true" | "yes" => true,
            "off" | "false" | "no" => false,
            _ => return Err(format!("bad value '{v}' for CPU property '{k}'")),
        };
        match k.trim_start_matches('+') {
            "tags" => tags = Some(on),
            _ => return Err(format!("unknown CPU property '{k}'")),
        }
    }
    Ok(Some(CpuChoice { iset, tags }))
}

/// Parses a size with an optional k/M/G suffix (`-s`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mul) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    let v = if let Some(h) = num.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else {
        num.parse::<u64>()
    }
    .map_err(|_| format!("invalid size '{s}'"))?;
    v.checked_mul(mul)
        .ok_or_else(|| format!("size '{s}' too large"))
}

fn parse_env_edit(v: &OsStr) -> Result<(Vec<u8>, Option<Vec<u8>>), String> {
    let b = v.as_bytes();
    match b.iter().position(|&c| c == b'=') {
        Some(i) if i > 0 => Ok((b[..i].to_vec(), Some(b[i + 1..].to_vec()))),
        _ => Err(format!("-E needs VAR=VALUE, got '{}'", v.to_string_lossy())),
    }
}

fn add_log_items(o: &mut Options, v: &str) -> Result<(), String> {
    for item in v.split(',').filter(|s| !s.is_empty()) {
        if item == "help" || item == "?" {
            o.action = Action::LogHelp;
            continue;
        }
        if !LOG_ITEMS.iter().any(|l| l.0 == item) {
            return Err(format!("unknown log item '{item}' (try -d help)"));
        }
        if item == "strace" {
            o.strace = true;
        }
        o.log_items.push(item.to_string());
    }
    Ok(())
}

/// Applies one option that takes a value.
fn apply(o: &mut Options, name: &str, v: &OsStr) -> Result<(), String> {
    let s = || {
        v.to_str()
            .ok_or_else(|| format!("-{name}: argument is not valid UTF-8"))
    };
    match name {
        "cpu" => match parse_cpu(s()?)? {
            Some(c) => o.cpu = Some(c),
            None => o.action = Action::CpuHelp,
        },
        "L" => o.ld_prefix = Some(PathBuf::from(v)),
        "E" => {
            let e = parse_env_edit(v)?;
            o.env_edits.push(e);
        }
        "U" => o.env_edits.push((v.as_bytes().to_vec(), None)),
        "0" => o.argv0 = Some(v.to_os_string()),
        "s" => o.stack_size = Some(parse_size(s()?)?),
        "d" => add_log_items(o, s()?)?,
        "D" => o.log_file = Some(PathBuf::from(v)),
        "seed" => o.seed = Some(parse_size(s()?)?),
        "I" => o.include_dirs.push(PathBuf::from(v)),
        "tier" => {
            o.tier.tier = Some(match s()? {
                "interp" => Tier::Interp,
                "jit" => Tier::Jit,
                t => return Err(format!("-tier: unknown tier '{t}' (interp, jit)")),
            })
        }
        "jit-threshold" => {
            let t = s()?;
            o.tier.jit_threshold = Some(
                t.parse()
                    .map_err(|_| format!("-jit-threshold: '{t}' is not a number"))?,
            )
        }
        "jit-disable" => o.tier.jit_disable = Some(s()?.to_string()),
        "jit-code-size" => {
            let t = s()?;
            o.tier.jit_code_size = Some(
                t.parse()
                    .ok()
                    .filter(|&n: &usize| n > 0)
                    .ok_or_else(|| format!("-jit-code-size: '{t}' is not a positive number"))?,
            )
        }
        _ => return Err(format!("unknown option '-{name}'")),
    }
    Ok(())
}

/// Options that take a value (also used by the monitor to skip them when it scans argv).
pub const WITH_VALUE: &[&str] = &[
    "cpu",
    "L",
    "E",
    "U",
    "0",
    "s",
    "d",
    "D",
    "seed",
    "I",
    "tier",
    "jit-threshold",
    "jit-disable",
    "jit-code-size",
];

/// Parses `args` (without the command name); `env` looks up `E2KEMU_*` defaults.
pub fn parse(
    args: Vec<OsString>,
    env: &dyn Fn(&str) -> Option<OsString>,
) -> Result<Options, String> {
    let mut o = Options::default();
    // environment defaults first, the command line overrides them
    if let Some(v) = env("E2KEMU_CPU") {
        apply(&mut o, "cpu", &v)?;
    }
    if let Some(v) = env("E2KEMU_LD_PREFIX") {
        apply(&mut o, "L", &v)?;
    }
    if env("E2KEMU_STRACE").is_some() {
        o.strace = true;
    }
    if let Some(v) = env("E2KEMU_LOG") {
        apply(&mut o, "d", &v)?;
    }
    if let Some(v) = env("E2KEMU_LOG_FILENAME") {
        apply(&mut o, "D", &v)?;
    }
    if let Some(v) = env("E2KEMU_SET_ENV") {
        for part in v.as_bytes().split(|&c| c == b',').filter(|p| !p.is_empty()) {
            apply(&mut o, "E", OsStr::from_bytes(part))?;
        }
    }
    if let Some(v) = env("E2KEMU_UNSET_ENV") {
        for part in v.as_bytes().split(|&c| c == b',').filter(|p| !p.is_empty()) {
            apply(&mut o, "U", OsStr::from_bytes(part))?;
        }
    }
    if let Some(v) = env("E2KEMU_ARGV0") {
        apply(&mut o, "0", &v)?;
    }
    if let Some(v) = env("E2KEMU_STACK_SIZE") {
        apply(&mut o, "s", &v)?;
    }
    if let Some(v) = env("E2KEMU_RAND_SEED") {
        apply(&mut o, "seed", &v)?;
    }

    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let b = a.as_bytes();
        if b == b"--" {
            o.program = it.next();
            break;
        }
        if b.len() < 2 || b[0] != b'-' {
            o.program = Some(a);
            break;
        }
        let body = if b.starts_with(b"--") {
            &b[2..]
        } else {
            &b[1..]
        };
        let (name, inline) = match body.iter().position(|&c| c == b'=') {
            Some(i) => (
                &body[..i],
                Some(OsStr::from_bytes(&body[i + 1..]).to_os_string()),
            ),
            None => (body, None),
        };
        let name = String::from_utf8_lossy(name).into_owned();
        match name.as_str() {
            "h" | "help" => o.action = Action::Help,
            "version" => o.action = Action::Version,
            "strace" => o.strace = true,
            "stats" => o.stats = true,
            n if WITH_VALUE.contains(&n) => {
                let v = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .ok_or_else(|| format!("option '-{n}' needs an argument"))?,
                };
                apply(&mut o, n, &v)?;
            }
            n => return Err(format!("unknown option '-{n}'")),
        }
        if o.action != Action::Run {
            return Ok(o);
        }
    }
    o.args = it.collect();
    Ok(o)
}

/// The guest environment: the host's, edited by `-E`/`-U` in order.
pub fn guest_env(
    host: Vec<(OsString, OsString)>,
    edits: &[(Vec<u8>, Option<Vec<u8>>)],
) -> Vec<Vec<u8>> {
    let mut vars: Vec<(Vec<u8>, Vec<u8>)> = host
        .into_iter()
        .map(|(k, v)| (k.into_vec(), v.into_vec()))
        .collect();
    for (k, v) in edits {
        match v {
            Some(v) => match vars.iter_mut().find(|(n, _)| n == k) {
                Some(e) => e.1 = v.clone(),
                None => vars.push((k.clone(), v.clone())),
            },
            None => vars.retain(|(n, _)| n != k),
        }
    }
    vars.into_iter()
        .map(|(mut k, v)| {
            k.push(b'=');
            k.extend_from_slice(&v);
            k
        })
        .collect()
}

/// Usage text for `-h`.
pub fn usage() -> String {
    let mut s = String::from(
        "usage: e2kemu [options] PROGRAM [ARGS...]\n\
         Run an Elbrus 2000 (e2k) Linux program (a 64-bit e2k ELF executable or an\n\
         assembly source .s) on this machine.\n\n\
         Options and environment variables:\n\
         -h                 print this help and exit\n\
         -version           print the version and exit\n\
         -cpu MODEL[,tags=on|off]  E2KEMU_CPU         CPU model (-cpu help lists them)\n\
         -L PATH            E2KEMU_LD_PREFIX   prefix for the ELF interpreter and absolute paths\n\
         -E VAR=VALUE       E2KEMU_SET_ENV     set a variable in the guest environment\n\
         -U VAR             E2KEMU_UNSET_ENV   remove a variable from the guest environment\n\
         -0 ARGV0           E2KEMU_ARGV0       argv[0] for the guest\n\
         -s SIZE            E2KEMU_STACK_SIZE  user stack size (k/M/G suffixes, default 8M)\n\
         -strace            E2KEMU_STRACE      log system calls\n\
         -d ITEM[,...]      E2KEMU_LOG         enable logging (-d help lists the items)\n\
         -D FILE            E2KEMU_LOG_FILENAME  write the log to FILE instead of stderr\n\
         -seed NUMBER       E2KEMU_RAND_SEED   deterministic AT_RANDOM and getrandom\n\
         -I DIR                                include directory for .s programs\n\
         --stats                               print execution statistics on exit\n\
         -tier interp|jit                      execution tier (default: jit when built with it)\n\
         -jit-threshold N                      loop-head executions before compiling (default 1000)\n\
         -jit-disable CLASS,...                no native code for alu, shift, cmp, fp (native: all)\n         -jit-code-size BYTES                  native code kept before all traces are dropped (default 64 MiB)\n\n",
    );
    s.push_str(
        "The guest environment is this process's environment changed by -E/-U.\n\
         With no PROGRAM, a bundled example (hello) runs.\n",
    );
    s
}

/// `-cpu help` text.
pub fn cpu_help() -> String {
    let mut s = String::from("Available CPU models (ISA version, processor):\n");
    for (n, v, d) in CPU_MODELS {
        s.push_str(&format!("  {n:<12} elbrus-v{v}  {d}\n"));
    }
    s.push_str("Property: tags=on|off (tag tracking; default on)\n");
    s
}

/// `-d help` text.
pub fn log_help() -> String {
    let mut s = String::from("Log items (show with -d ITEM[,ITEM...]):\n");
    for (n, d) in LOG_ITEMS {
        s.push_str(&format!("  {n:<8} {d}\n"));
    }
    s
}

/// Builds an executable from an assembly source in memory with the built-in
/// assembler (`e2kemu::asm::assemble_to_executable`, `-mcpu=elbrus-vN` for the CPU's
/// ISA version). Errors are the assembler's `FILE:LINE:COL: message` lines.
pub fn assemble_source(
    path: &std::path::Path,
    source: &[u8],
    iset: u8,
    include_dirs: &[PathBuf],
) -> Result<Vec<u8>, String> {
    use crate::asm::{assemble_to_executable, AsmOptions, Source};
    let mut opts = AsmOptions::for_version(iset);
    opts.include_dirs = include_dirs.to_vec();
    let src = Source::new(
        path.display().to_string(),
        String::from_utf8_lossy(source).into_owned(),
    );
    assemble_to_executable(&[src], &opts).map_err(|errs| {
        let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        if lines.is_empty() {
            format!("{}: assembly failed", path.display())
        } else {
            lines.join("\n")
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[&str]) -> Result<Options, String> {
        parse(v.iter().map(OsString::from).collect(), &|_| None)
    }

    #[test]
    fn guest_args_pass_through() {
        let o = p(&["-cpu", "e8c2,tags=off", "-strace", "prog", "-cpu", "--x"]).unwrap();
        assert_eq!(
            o.cpu,
            Some(CpuChoice {
                iset: 5,
                tags: Some(false)
            })
        );
        assert!(o.strace);
        assert_eq!(o.program, Some("prog".into()));
        assert_eq!(o.args, vec![OsString::from("-cpu"), "--x".into()]);
    }

    #[test]
    fn options() {
        let o = p(&[
            "--cpu=e16c",
            "-0",
            "name",
            "-E",
            "A=b=c",
            "-U",
            "B",
            "-s",
            "1M",
            "x",
        ])
        .unwrap();
        assert_eq!(o.cpu.unwrap().iset, 6);
        assert_eq!(o.argv0, Some("name".into()));
        assert_eq!(o.env_edits[0], (b"A".to_vec(), Some(b"b=c".to_vec())));
        assert_eq!(o.env_edits[1], (b"B".to_vec(), None));
        assert_eq!(o.stack_size, Some(1 << 20));
        assert_eq!(p(&["-cpu", "help"]).unwrap().action, Action::CpuHelp);
        assert_eq!(p(&["-d", "help"]).unwrap().action, Action::LogHelp);
        assert!(p(&["-cpu", "pentium"]).is_err());
        assert!(p(&["-frobnicate", "x"]).is_err());
        assert!(p(&["-cpu"]).is_err());
        let env = guest_env(
            vec![("A".into(), "1".into()), ("B".into(), "2".into())],
            &[(b"C".to_vec(), Some(b"3".to_vec())), (b"A".to_vec(), None)],
        );
        assert_eq!(env, vec![b"B=2".to_vec(), b"C=3".to_vec()]);
    }
}
