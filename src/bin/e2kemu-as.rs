//! `e2kemu-as`: the e2k assembler command line. `-c -o X.o FILE...` writes a relocatable
//! object (MCST `as` compatible bytes); without `-c` every input is assembled and linked
//! into one static executable. MCST-style single-dash options (`-mcpu=elbrus-v3`,
//! `-no_strict_delay`) are accepted.

use clap::Parser;
use e2kemu::asm::{self, AsmError, AsmOptions, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "e2kemu-as",
    about = "Assembler for the Elbrus 2000 (e2k) architecture"
)]
struct Args {
    /// Target CPU: elbrus-v1..v7 or a CPU name (elbrus-8c, elbrus-16c, ...). Default v2.
    #[arg(long = "mcpu", value_name = "CPU")]
    mcpu: Option<String>,
    /// Add a directory to the `.include` search path.
    #[arg(short = 'I', value_name = "DIR")]
    include: Vec<PathBuf>,
    /// Assemble only: write a relocatable object.
    #[arg(short = 'c')]
    compile_only: bool,
    /// Output file (default: a.out, or INPUT.o with -c).
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Do not add the implicit delays of braceless statements.
    #[arg(long = "no-strict-delay", alias = "no_strict_delay")]
    no_strict_delay: bool,
    /// Entry symbol of a linked executable.
    #[arg(long = "entry", short = 'e', default_value = "_start")]
    entry: String,
    /// Suppress warnings.
    #[arg(short = 'W', long = "no-warn")]
    no_warn: bool,
    /// Input files (`-` reads standard input).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
}

/// Rewrites MCST-style single-dash long options into clap's double-dash form.
fn normalize(args: impl Iterator<Item = String>) -> Vec<String> {
    args.map(|a| {
        if a.starts_with("-mcpu") || a == "-no_strict_delay" || a == "-no-strict-delay" {
            format!("-{a}")
        } else {
            a
        }
    })
    .collect()
}

fn report(errors: &[AsmError]) {
    for e in errors {
        eprintln!("{e}");
    }
}

fn read_input(p: &Path) -> Result<Source, String> {
    if p.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("<stdin>: {e}"))?;
        return Ok(Source::new("<stdin>", s));
    }
    Source::from_file(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn main() -> ExitCode {
    let args = Args::parse_from(normalize(std::env::args()));
    let mut opts = AsmOptions::default();
    if let Some(cpu) = &args.mcpu {
        if !opts.set_cpu(cpu) {
            eprintln!("e2kemu-as: invalid -mcpu argument `{cpu}'");
            return ExitCode::FAILURE;
        }
    }
    opts.include_dirs = args.include.clone();
    opts.strict_delay = !args.no_strict_delay;
    opts.entry = args.entry.clone();
    let mut sources = Vec::new();
    for p in &args.inputs {
        match read_input(p) {
            Ok(s) => sources.push(s),
            Err(e) => {
                eprintln!("e2kemu-as: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let result = if args.compile_only {
        // Several inputs with -c form one assembly, as with `as`.
        let name = sources.first().map(|s| s.name.clone()).unwrap_or_default();
        let text = sources
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        asm::assemble_to_object(&Source::new(name, text), &opts).map(|(b, w)| {
            if !args.no_warn {
                report(&w);
            }
            b
        })
    } else {
        asm::assemble_to_executable(&sources, &opts)
    };
    let bytes = match result {
        Ok(b) => b,
        Err(errors) => {
            report(&errors);
            return ExitCode::FAILURE;
        }
    };
    let out = args.output.clone().unwrap_or_else(|| {
        if args.compile_only {
            let mut p = args.inputs[0].clone();
            p.set_extension("o");
            PathBuf::from(p.file_name().unwrap_or_default())
        } else {
            PathBuf::from("a.out")
        }
    });
    if let Err(e) = std::fs::write(&out, &bytes) {
        eprintln!("e2kemu-as: {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    if !args.compile_only {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755));
        }
    }
    ExitCode::SUCCESS
}
