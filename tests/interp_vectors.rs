//! Every golden per-op vector of ../shared/isa/semantics, run through the whole interpreter:
//! the op is assembled in the form ops.tsv records (with our assembler), decoded,
//! pre-decoded and executed as one bundle with its operands in registers, and the
//! destination register / predicate, the FP flags and any exception must equal what the
//! op's semantic helper returns for the same operands (isa-spec's sem_vectors test checks
//! the helpers against the recorded results). One test per op and ISA version. Built with
//! the JIT tier, each vector also runs as a compiled trace (threshold 0).

use e2k_isa::sem::{Exc, SemCtx};
use e2k_isa::ALOPS;
use e2kemu::asm::{assemble_snippet, AsmOptions};
use e2kemu::cpu::tcache::Interp;
use e2kemu::cpu::{Cpu, Fault, Step};
use e2kemu::mem::{GuestMem, PROT_EXEC, PROT_READ};
use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/isa/semantics")
}

fn hex(s: &str) -> u128 {
    u128::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex")
}

struct Case {
    iset: u8,
    op: String,
    form: String,
    vectors: Vec<Vec<u128>>,
}

const CODE: u64 = 0x10000;

#[cfg(feature = "jit")]
thread_local! {
    static JIT: std::cell::RefCell<Option<Box<e2kemu::jit::JitState>>> =
        const { std::cell::RefCell::new(None) };
}
/// Vector bundles that ran as native code.
#[cfg(feature = "jit")]
static JIT_BUNDLES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Runs one vector both ways; Err(description) on a difference.
fn check_one(
    case: &Case,
    args: &[u128],
    code: &HashMap<u8, Vec<u8>>,
    #[allow(unused_variables)] jit: bool,
) -> Result<(), String> {
    let def = ALOPS
        .iter()
        .find(|a| a.name == case.op && a.in_version(case.iset))
        .ok_or("op not in the spec")?;
    let sem = def.sem.ok_or("op has no semantic helper")?;
    let (ins, out) = def.sig.split_once('>').unwrap();
    // reference: the helper itself
    let mut ctx = SemCtx {
        iset: case.iset,
        ..SemCtx::default()
    };
    let a = |i: usize| args.get(i).copied().unwrap_or(0);
    let want = sem(&mut ctx, a(0), a(1), a(2), a(3));
    // interpreter
    let lit = ins.find('L').map(|i| a(i) as u8).unwrap_or(0);
    let bytes = code.get(&lit).ok_or("no code for this literal")?;
    let mut mem = GuestMem::new();
    mem.map(CODE, 0x1000, PROT_READ | PROT_EXEC, "text");
    mem.poke(CODE, bytes).map_err(|e| format!("{e:?}"))?;
    let mut cpu = Cpu::new(case.iset);
    cpu.tags_on = false;
    cpu.ip = CODE;
    cpu.wsize = 16;
    cpu.psize = 0;
    let mut reg = 0usize;
    for (i, c) in ins.chars().enumerate() {
        match c {
            'L' => {}
            'P' => cpu.set_pred_phys(1, a(i) != 0, false),
            _ => {
                cpu.rf[reg] = a(i);
                reg += 1;
            }
        }
    }
    let dst_reg = 3usize;
    cpu.rf[dst_reg] = 0;
    let mut it = Interp::new();
    #[cfg(feature = "jit")]
    let step = if jit {
        // threshold 0: the bundle is compiled at first sight and runs as native code
        // (operations without a 64-bit form stay in the interpreter)
        // one compiler per test thread (creating one is costly), emptied per vector
        let mut j = match JIT.with(|c| c.borrow_mut().take()) {
            Some(j) => j,
            None => {
                let cfg = e2kemu::jit::JitConfig {
                    threshold: 0,
                    ..Default::default()
                };
                Box::new(e2kemu::jit::JitState::new(cfg).map_err(|e| e.to_string())?)
            }
        };
        j.flush();
        let before = j.stats.bundles;
        it.jit = Some(j);
        let s = it.run(&mut cpu, &mut mem, 1);
        if let Some(j) = it.jit.take() {
            JIT_BUNDLES.fetch_add(
                j.stats.bundles - before,
                std::sync::atomic::Ordering::Relaxed,
            );
            JIT.with(|c| *c.borrow_mut() = Some(j));
        }
        s
    } else {
        it.step(&mut cpu, &mut mem)
    };
    #[cfg(not(feature = "jit"))]
    let step = it.step(&mut cpu, &mut mem);
    let flags_of = |c: &SemCtx| {
        if def.sig.contains('x') {
            c.fpsr
        } else {
            c.pfpfr
        }
    };
    match (&want, &step) {
        (Ok(v), Step::Next) => {
            let got = match out {
                "P" => {
                    let (p, _) = cpu.pred(0);
                    p as u128
                }
                "s" => cpu.rf[dst_reg] & 0xffff_ffff,
                "d" => cpu.rf[dst_reg] & u64::MAX as u128,
                "x" => cpu.rf[dst_reg] & ((1u128 << 80) - 1),
                _ => cpu.rf[dst_reg],
            };
            let want_v = match out {
                "P" => *v & 1,
                "s" => *v & 0xffff_ffff,
                "d" => *v & u64::MAX as u128,
                "x" => *v & ((1u128 << 80) - 1),
                _ => *v,
            };
            if got != want_v {
                return Err(format!(
                    "args {args:x?}: interpreter {got:#x}, helper {want_v:#x}"
                ));
            }
            if flags_of(&cpu.fp) != flags_of(&ctx) {
                return Err(format!(
                    "args {args:x?}: flags interpreter {:#x}, helper {:#x}",
                    flags_of(&cpu.fp),
                    flags_of(&ctx)
                ));
            }
            Ok(())
        }
        (Err(Exc::DivZero), Step::Fault(Fault::Div)) => Ok(()),
        (Err(Exc::FpUnmasked), Step::Fault(Fault::Fp(_))) => Ok(()),
        (Err(Exc::IllegalOperand), Step::Fault(Fault::IllegalOperand(_))) => Ok(()),
        _ => Err(format!(
            "args {args:x?}: interpreter {step:?}, helper {want:?}"
        )),
    }
}

fn main() {
    let args = Arguments::from_args();
    let tsv = std::fs::read_to_string(root().join("ops.tsv"))
        .unwrap_or_else(|e| panic!("semantic vectors missing: ops.tsv: {e}"));
    // (op, iset) -> (file, asm form)
    let mut forms: BTreeMap<(u8, String), (String, String)> = BTreeMap::new();
    for l in tsv.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = l.split('\t').collect();
        forms.insert(
            (f[1].parse().unwrap(), f[0].to_string()),
            (f[2].to_string(), f[4].to_string()),
        );
    }
    let mut cases: BTreeMap<(u8, String), Case> = BTreeMap::new();
    let mut files: Vec<&String> = forms.values().map(|(f, _)| f).collect();
    files.sort();
    files.dedup();
    for file in files {
        let text = std::fs::read_to_string(root().join(file))
            .unwrap_or_else(|e| panic!("semantic vectors missing: {file}: {e}"));
        for l in text.lines() {
            let j: serde_json::Value = serde_json::from_str(l).unwrap();
            let iset = j["iset"].as_u64().unwrap() as u8;
            let op = j["op"].as_str().unwrap().to_string();
            let Some((_, form)) = forms.get(&(iset, op.clone())) else {
                continue;
            };
            let v: Vec<u128> = j["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| hex(a.as_str().unwrap()))
                .collect();
            cases
                .entry((iset, op.clone()))
                .or_insert_with(|| Case {
                    iset,
                    op,
                    form: form.clone(),
                    vectors: Vec::new(),
                })
                .vectors
                .push(v);
        }
    }
    assert!(
        cases.len() > 1000,
        "too few (op, iset) cases: {}",
        cases.len()
    );
    let trials = cases
        .into_values()
        .map(|case| {
            Trial::test(format!("v{}::{}", case.iset, case.op), move || {
                let def = ALOPS
                    .iter()
                    .find(|a| a.name == case.op && a.in_version(case.iset))
                    .ok_or_else(|| Failed::from("op not in the spec"))?;
                let ins = def.sig.split_once('>').unwrap().0;
                let lit_pos = ins.find('L');
                // assemble once per literal value used
                let mut code = HashMap::new();
                let lits: Vec<u8> = match lit_pos {
                    Some(i) => {
                        let mut l: Vec<u8> = case.vectors.iter().map(|v| v[i] as u8).collect();
                        l.sort();
                        l.dedup();
                        l
                    }
                    None => vec![0],
                };
                for lit in lits {
                    let src = format!(
                        "{{\n  {}\n}}\n",
                        case.form
                            .replace("%rA", "%r0")
                            .replace("%rB", "%r1")
                            .replace("%rC", "%r2")
                            .replace("%rD", "%r3")
                            .replace("%predD", "%pred0")
                            .replace("%predP", "%pred1")
                            .replace("LIT8", &lit.to_string())
                    );
                    let opts = AsmOptions::for_version(case.iset);
                    let snip = assemble_snippet(&src, &opts, 0, &[]).map_err(|e| {
                        Failed::from(format!("cannot assemble `{}`: {e:?}", src.trim()))
                    })?;
                    code.insert(lit, snip.bytes);
                }
                let mut errs = Vec::new();
                // the interpreter; with the JIT built in, the JIT tier too
                let tiers: &[bool] = if cfg!(feature = "jit") {
                    &[false, true]
                } else {
                    &[false]
                };
                // (the JIT compiles each vector's bundle: 8 vectors per op spread over
                // the recorded ones keep that affordable)
                let every = case.vectors.len().div_ceil(8).max(1);
                for (k, v) in case.vectors.iter().enumerate() {
                    for &jit in tiers {
                        if jit && k % every != 0 {
                            continue;
                        }
                        if let Err(e) = check_one(&case, v, &code, jit) {
                            errs.push(format!("{}{e}", if jit { "JIT: " } else { "" }));
                        }
                    }
                }
                if errs.is_empty() {
                    Ok(())
                } else {
                    Err(Failed::from(format!(
                        "{} of {} vectors differ; first: {}",
                        errs.len(),
                        case.vectors.len(),
                        errs[..errs.len().min(3)].join("\n")
                    )))
                }
            })
        })
        .collect();
    let filtered = args.filter.is_some() || !args.skip.is_empty();
    let conclusion = libtest_mimic::run(&args, trials);
    #[cfg(feature = "jit")]
    {
        let n = JIT_BUNDLES.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!("vector bundles run as native code: {n}");
        if !filtered && n == 0 {
            eprintln!("error: no vector ran under the JIT tier");
            std::process::exit(101);
        }
    }
    let _ = filtered;
    conclusion.exit();
}
