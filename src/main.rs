//! `e2kemu`: runs an e2k Linux program (qemu-user style command line, see `cli.rs`).

use e2kemu::cli::{self, Action, Options};
use e2kemu::linux::{self, Config, Process};
use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The example that runs when no PROGRAM is given.
const EXAMPLE: &str = include_str!("../examples/hello.s");

/// Prints to stdout, ignoring a closed pipe (`e2kemu -h | head -1`).
fn out(s: &str) {
    let _ = std::io::stdout().write_all(s.as_bytes());
}

fn fail(msg: &str) -> ! {
    eprintln!("e2kemu: {msg}");
    std::process::exit(1)
}

fn setup_logging(o: &Options) {
    let mut b = env_logger::Builder::new();
    b.format(|buf, rec| writeln!(buf, "{}", rec.args()));
    b.filter_level(log::LevelFilter::Off);
    b.parse_default_env();
    let mut items = o.log_items.clone();
    if o.strace {
        items.push("strace".into());
    }
    for item in &items {
        b.filter_module(&format!("e2kemu::{item}"), log::LevelFilter::Trace);
    }
    if let Some(f) = &o.log_file {
        match std::fs::File::create(f) {
            Ok(file) => {
                b.target(env_logger::Target::Pipe(Box::new(file)));
            }
            Err(e) => fail(&format!("{}: cannot open log file: {e}", f.display())),
        }
    }
    let _ = b.try_init();
}

fn main() {
    let mut args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let margs = match e2kemu::monitor::MonitorArgs::extract(&mut args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("e2kemu: {e}");
            std::process::exit(1)
        }
    };
    let o = match cli::parse(args, &|k| std::env::var_os(k)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("e2kemu: {e}");
            eprintln!("Try 'e2kemu -h' for more information.");
            std::process::exit(1)
        }
    };
    match o.action {
        Action::Help => return out(&cli::usage()),
        Action::Version => {
            return out(&format!(
                "e2kemu version {} (Elbrus 2000 user-mode emulator)\n",
                env!("CARGO_PKG_VERSION")
            ))
        }
        Action::CpuHelp => return out(&cli::cpu_help()),
        Action::LogHelp => return out(&cli::log_help()),
        Action::Run => {}
    }
    setup_logging(&o);
    if margs.incoming.is_some() {
        let opts = e2kemu::monitor::IncomingOptions {
            expect_iset: o.cpu.map(|c| c.iset),
            strace: o.strace,
            tier: o.tier.clone(),
        };
        let t = e2kemu::monitor::run_incoming(&margs, &opts);
        linux::exit_like(t, None)
    }
    let iset = o.cpu.map(|c| c.iset).unwrap_or(cli::DEFAULT_ISET);

    // the program image: an ELF file, an assembly source, or the bundled example
    let (image, prog_path, shown): (Vec<u8>, PathBuf, String) = match &o.program {
        None => {
            match cli::assemble_source(Path::new("examples/hello.s"), EXAMPLE.as_bytes(), iset, &[])
            {
                Ok(img) => {
                    eprintln!(
                        "e2kemu: no PROGRAM given, running the bundled example (examples/hello.s)."
                    );
                    eprintln!("Run your own with: e2kemu [options] PROGRAM [ARGS...]   (e2kemu -h for options)");
                    (img, PathBuf::from("hello"), "hello".into())
                }
                Err(e) => {
                    eprint!("{}", cli::usage());
                    eprintln!("\nThe bundled example needs the built-in assembler: {e}");
                    std::process::exit(1)
                }
            }
        }
        Some(p) => {
            let path = PathBuf::from(p);
            let shown = path.display().to_string();
            let data = match std::fs::read(&path) {
                Ok(d) => d,
                Err(e) => fail(&format!("{shown}: {e}")),
            };
            let is_asm = path.extension().is_some_and(|e| e == "s" || e == "S");
            let data = if is_asm && !data.starts_with(b"\x7fELF") {
                let mut inc = o.include_dirs.clone();
                if let Some(d) = path.parent() {
                    inc.push(d.to_path_buf());
                }
                match cli::assemble_source(&path, &data, iset, &inc) {
                    Ok(img) => img,
                    Err(e) => fail(&e),
                }
            } else {
                data
            };
            (data, path, shown)
        }
    };

    let argv0 = o
        .argv0
        .clone()
        .or_else(|| o.program.clone())
        .unwrap_or_else(|| OsString::from("hello"));
    let mut argv = vec![argv0.as_bytes().to_vec()];
    argv.extend(o.args.iter().map(|a| a.as_bytes().to_vec()));
    let cfg = Config {
        iset: o.cpu.map(|c| c.iset),
        default_iset: cli::DEFAULT_ISET,
        tags: o.cpu.and_then(|c| c.tags).unwrap_or(true),
        argv,
        envp: cli::guest_env(std::env::vars_os().collect(), &o.env_edits),
        exe_path: prog_path,
        ld_prefix: o.ld_prefix.clone(),
        stack_size: o.stack_size.unwrap_or(8 << 20),
        strace: o.strace,
        seed: o.seed,
    };
    let mut p = match Process::new(&image, &shown, &cfg) {
        Ok(p) => p,
        Err(e) => fail(&e.to_string()),
    };
    if let Some(w) = &p.iset_warning {
        eprintln!("e2kemu: warning: {w}");
    }
    if let Err(e) = p.apply_tier(&o.tier) {
        fail(&e);
    }
    let (t, p) = if margs.is_active() {
        e2kemu::monitor::run_process(p, &margs)
    } else {
        let t = p.run();
        (t, p)
    };
    let stats = o.stats.then(|| p.stats_report());
    drop(p);
    linux::exit_like(t, stats)
}
