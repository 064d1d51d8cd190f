//! End-to-end guest programs: every `*.s` case under /work/shared/programs (and our
//! own under tests/programs) with its `.expected` TOML is assembled with the built-in
//! assembler (`-mcpu=elbrus-vN`, include dir `lib`) for each listed ISA version and
//! run by the `e2kemu` binary with exactly the case's argv, environment and stdin.
//! stdout must match byte for byte and the process must end the expected way. Where
//! a case records a qemu-e2k divergence with `alt_*` keys (or ships a
//! `.stdout.linux`), the Linux/hardware behaviour is the expectation (README rule);
//! where the divergence note states the hardware output without `alt_*` keys, the
//! line is fixed up explicitly (`HW_LINE_FIXUPS`).
//! One named test per (case, ISA version); missing data is a failure, never a skip.

use libtest_mimic::{Arguments, Failed, Trial};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one guest run may take.
const TIMEOUT: Duration = Duration::from_secs(120);

fn shared_dir() -> PathBuf {
    match std::env::var_os("E2KEMU_SHARED_PROGRAMS") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/programs"),
    }
}

fn own_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

/// Cases whose `qemu_divergence` describes the Linux/hardware output in words but
/// gives no `alt_stdout`: (case id, recorded line, hardware line). The expectation is
/// the recorded stdout with that line replaced; the recorded line must exist.
const HW_LINE_FIXUPS: &[(&str, &str, &str)] = &[(
    "int/divide",
    "smodx 7 / -2 = 00000007",
    // "a signed divisor gives remainder 00000001" (qemu zero-extends the divisor)
    "smodx 7 / -2 = 00000001",
)];

/// The expected stdout bytes of `case` (with the hardware fix-ups applied).
fn expected_stdout(case: &Case) -> Result<Vec<u8>, String> {
    let mut want = std::fs::read(&case.expect.stdout)
        .map_err(|e| format!("expected stdout {}: {e}", case.expect.stdout.display()))?;
    for (id, from, to) in HW_LINE_FIXUPS {
        if *id == case.id && case.divergence.is_some() {
            let text = String::from_utf8_lossy(&want).into_owned();
            let line = format!("{from}\n");
            if !text.contains(&line) {
                return Err(format!(
                    "{}: the recorded line {from:?} to replace by the hardware result is missing",
                    case.expect.stdout.display()
                ));
            }
            want = text.replacen(&line, &format!("{to}\n"), 1).into_bytes();
        }
    }
    Ok(want)
}

fn temp_dir() -> PathBuf {
    std::env::temp_dir().join(format!("e2kemu-programs-{}", std::process::id()))
}

/// What a run must produce.
#[derive(Debug, Clone)]
struct Expect {
    stdout: PathBuf,
    /// Ok(exit status) or Err(signal number)
    end: Result<i32, i32>,
}

/// One `.expected` case.
#[derive(Debug, Clone)]
struct Case {
    id: String,
    dir: PathBuf,
    source: PathBuf,
    isets: Vec<u8>,
    models: Vec<(u8, String)>,
    tags: bool,
    argv: Vec<String>,
    env: Vec<String>,
    stdin: Option<PathBuf>,
    expect: Expect,
    divergence: Option<String>,
}

fn strs(v: Option<&toml::Value>) -> Result<Vec<String>, String> {
    v.and_then(|v| v.as_array())
        .ok_or("missing array")?
        .iter()
        .map(|s| {
            s.as_str()
                .map(String::from)
                .ok_or_else(|| "non-string element".to_string())
        })
        .collect()
}

fn parse_case(path: &Path, root: &Path) -> Result<Case, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let t: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let get_s = |k: &str| t.get(k).and_then(|v| v.as_str()).map(String::from);
    let get_i = |k: &str| t.get(k).and_then(|v| v.as_integer()).map(|v| v as i32);
    let need = |k: &str| get_s(k).ok_or_else(|| format!("{}: missing key '{k}'", path.display()));
    let name = need("name")?;
    let area = dir
        .strip_prefix(root)
        .ok()
        .and_then(|p| p.to_str())
        .unwrap_or("")
        .to_string();
    let isets: Vec<u8> = t
        .get("isets")
        .and_then(|v| v.as_array())
        .ok_or_else(|| format!("{}: missing 'isets'", path.display()))?
        .iter()
        .filter_map(|v| v.as_integer().map(|i| i as u8))
        .collect();
    let cpu = t.get("cpu").and_then(|v| v.as_table());
    let models = isets
        .iter()
        .map(|v| {
            let m = cpu
                .and_then(|c| c.get(&format!("v{v}")))
                .and_then(|m| m.as_str())
                .map(String::from)
                .unwrap_or_else(|| format!("elbrus-v{v}"));
            (*v, m)
        })
        .collect();
    let stdin = get_s("stdin")
        .filter(|s| !s.is_empty())
        .map(|s| dir.join(s));
    // the Linux behaviour wins where the case gives one
    let linux_stdout = dir.join(format!("{name}.stdout.linux"));
    let stdout = match get_s("alt_stdout") {
        Some(s) => dir.join(s),
        None if linux_stdout.exists() => linux_stdout,
        None => dir.join(need("stdout")?),
    };
    let term = get_s("alt_termination").map_or_else(|| need("termination"), Ok)?;
    let end = match term.as_str() {
        "exit" => Ok(get_i("alt_exit_status")
            .or_else(|| get_i("exit_status"))
            .ok_or_else(|| format!("{}: no exit_status", path.display()))?),
        "signal" => Err(get_i("alt_signal")
            .or_else(|| get_i("signal"))
            .ok_or_else(|| format!("{}: no signal", path.display()))?),
        t => return Err(format!("{}: unknown termination '{t}'", path.display())),
    };
    Ok(Case {
        id: if area.is_empty() {
            name.clone()
        } else {
            format!("{area}/{name}")
        },
        source: dir.join(need("source")?),
        dir,
        isets,
        models,
        tags: t.get("tags").and_then(|v| v.as_bool()).unwrap_or(false),
        argv: strs(t.get("argv")).map_err(|e| format!("{}: argv: {e}", path.display()))?,
        env: strs(t.get("env")).map_err(|e| format!("{}: env: {e}", path.display()))?,
        stdin,
        expect: Expect { stdout, end },
        divergence: get_s("qemu_divergence"),
    })
}

fn find_expected(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            find_expected(&p, out);
        } else if p.extension().is_some_and(|e| e == "expected") {
            out.push(p);
        }
    }
}

fn build(case: &Case, iset: u8, lib: &Path, tag: &str) -> Result<PathBuf, Failed> {
    use e2kemu::asm::{assemble_to_executable, AsmOptions, Source};
    let src =
        Source::from_file(&case.source).map_err(|e| format!("{}: {e}", case.source.display()))?;
    let mut opts = AsmOptions::for_version(iset);
    opts.include_dirs = vec![lib.to_path_buf(), case.dir.clone()];
    let elf = assemble_to_executable(&[src], &opts).map_err(|errs| {
        let v: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        format!("assembly failed:\n{}", v.join("\n"))
    })?;
    let dir = temp_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let out = dir.join(format!("{}-v{iset}{tag}", case.id.replace('/', "_")));
    std::fs::write(&out, elf).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Extra arguments of the tier a trial runs under: the build's default, or (JIT build
/// only) the JIT compiling every loop head at first sight.
const EAGER_JIT: &[&str] = &["-tier", "jit", "-jit-threshold", "0"];

fn run_case(case: &Case, iset: u8, model: &str, lib: &Path, tier: &[&str]) -> Result<(), Failed> {
    let want = expected_stdout(case)?;
    // one executable per trial (trials of one case under two tiers run concurrently)
    let exe = build(case, iset, lib, if tier.is_empty() { "" } else { "-jit0" })?;
    let cpu = if case.tags {
        format!("{model},tags=on")
    } else {
        model.to_string()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_e2kemu"));
    cmd.env_clear().args(tier).arg("-cpu").arg(&cpu);
    let argv0 = case.argv.first().ok_or("empty argv")?;
    cmd.arg("-0").arg(argv0);
    // the guest environment is exactly `env`, in order
    for e in &case.env {
        cmd.arg("-E").arg(e);
    }
    cmd.arg(&exe).args(&case.argv[1..]);
    cmd.stdin(match &case.stdin {
        Some(f) => {
            Stdio::from(std::fs::File::open(f).map_err(|e| format!("stdin {}: {e}", f.display()))?)
        }
        None => Stdio::null(),
    });
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start e2kemu: {e}"))?;
    let (mut so, mut se) = (child.stdout.take(), child.stderr.take());
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut v);
        }
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = std::io::Read::read_to_end(s, &mut v);
        }
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("timed out after {TIMEOUT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let got_end = match (status.code(), status.signal()) {
        (Some(c), _) => Ok(c),
        (None, Some(s)) => Err(s),
        _ => Err(-1),
    };
    let mut problems = Vec::new();
    if stdout != want {
        let g = String::from_utf8_lossy(&stdout);
        let w = String::from_utf8_lossy(&want);
        let line = g
            .lines()
            .zip(w.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| {
                format!(
                    "first difference at line {}:\n  got:  {a:?}\n  want: {b:?}",
                    i + 1
                )
            })
            .unwrap_or_else(|| format!("got {} bytes, want {} bytes", stdout.len(), want.len()));
        problems.push(format!(
            "stdout differs from {}: {line}",
            case.expect.stdout.display()
        ));
    }
    if got_end != case.expect.end {
        let show = |e: Result<i32, i32>| match e {
            Ok(c) => format!("exit {c}"),
            Err(s) => format!("killed by signal {s}"),
        };
        problems.push(format!(
            "ended with {}, expected {}",
            show(got_end),
            show(case.expect.end)
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = problems.join("\n");
    let err = String::from_utf8_lossy(&stderr);
    if !err.is_empty() {
        let tail: Vec<&str> = err.lines().rev().take(10).collect();
        msg.push_str("\nstderr (last lines):\n");
        for l in tail.iter().rev() {
            msg.push_str(&format!("  {l}\n"));
        }
    }
    if let Some(d) = &case.divergence {
        msg.push_str(&format!("\nnote (qemu_divergence of this case): {d}"));
    }
    msg.push_str(&format!(
        "\nreproduce: e2kemu -cpu {cpu} -0 {argv0} {} ...",
        exe.display()
    ));
    Err(msg.into())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let shared = shared_dir();
    let lib = shared.join("lib");
    let mut files = Vec::new();
    find_expected(&shared, &mut files);
    if files.is_empty() {
        let d = shared.display().to_string();
        trials.push(Trial::test("shared-programs-present", move || {
            Err(format!("no *.expected cases found under {d} (set E2KEMU_SHARED_PROGRAMS)").into())
        }));
    }
    let n_shared = files.len();
    find_expected(&own_dir(), &mut files);
    for (i, f) in files.into_iter().enumerate() {
        let root = if i < n_shared {
            shared.clone()
        } else {
            own_dir()
        };
        match parse_case(&f, &root) {
            Ok(case) => {
                let prefix = if i < n_shared { "" } else { "own/" };
                for (iset, model) in case.models.clone() {
                    let tiers: &[(&str, &'static [&'static str])] = if cfg!(feature = "jit") {
                        &[("", &[]), ("/jit0", EAGER_JIT)]
                    } else {
                        &[("", &[])]
                    };
                    for &(suffix, tier) in tiers {
                        let c = case.clone();
                        let lib = lib.clone();
                        let model = model.clone();
                        let name = format!("{prefix}{}/v{iset}{suffix}", case.id);
                        trials.push(Trial::test(name, move || {
                            run_case(&c, iset, &model, &lib, tier)
                        }));
                    }
                }
                if case.isets.is_empty() {
                    let id = case.id.clone();
                    trials.push(Trial::test(format!("{prefix}{id}"), move || {
                        Err(format!("{id}: no ISA versions listed").into())
                    }));
                }
            }
            Err(e) => {
                let name = f.display().to_string();
                trials.push(Trial::test(name, move || Err(e.clone().into())));
            }
        }
    }
    let c = libtest_mimic::run(&args, trials);
    if !c.has_failed() {
        // keep the built executables only when something needs reproducing
        let _ = std::fs::remove_dir_all(temp_dir());
    }
    c.exit();
}
