// Parser and validator for the line-oriented ISA spec files in isa-spec/spec/.
// Used by build.rs (to generate tables) and by the bad-spec tests; std only.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// A spec error located at `file:line`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.msg)
    }
}

/// Every ALU-channel format the spec may name.
pub const FORMATS: &[&str] = &[
    "ALOPF1",
    "ALOPF1_MAS",
    "ALOPF2",
    "ALOPF3_MAS",
    "ALOPF7",
    "ALOPF8",
    "ALOPF10_MAS",
    "ALOPF11",
    "ALOPF11_LIT8",
    "ALOPF11_MAS",
    "ALOPF11_MERGE",
    "ALOPF12",
    "ALOPF12_IBRANCHD",
    "ALOPF12_ICALLD",
    "ALOPF12_PSHUFH",
    "ALOPF13_MAS",
    "ALOPF15",
    "ALOPF16",
    "ALOPF17",
    "ALOPF19_MAS",
    "ALOPF21",
    "ALOPF21_MERGE",
    "ALOPF22",
    "MERGE",
    "AAURR",
    "AAURW",
];

/// Formats whose encoding uses an ALES half-syllable.
pub fn format_is_long(fmt: &str) -> bool {
    let base = fmt.split('_').next().unwrap_or(fmt);
    matches!(
        base,
        "ALOPF10"
            | "ALOPF11"
            | "ALOPF12"
            | "ALOPF13"
            | "ALOPF15"
            | "ALOPF16"
            | "ALOPF17"
            | "ALOPF19"
            | "ALOPF21"
            | "ALOPF22"
            | "AAURR"
            | "AAURW"
    )
}

/// ALES opc2 table names and their values.
pub const OPC2_NAMES: &[(&str, u8)] = &[
    ("EXT", 0x01),
    ("EXT1", 0x02),
    ("EXT2", 0x03),
    ("FLB", 0x04),
    ("FLH", 0x05),
    ("FLW", 0x06),
    ("FLD", 0x07),
    ("ICMB0", 0x08),
    ("ICMB1", 0x09),
    ("ICMB2", 0x0a),
    ("ICMB3", 0x0b),
    ("FCMB0", 0x0c),
    ("FCMB1", 0x0d),
    ("PFCMB0", 0x0e),
    ("PFCMB1", 0x0f),
    ("LCMBD0", 0x10),
    ("LCMBD1", 0x11),
    ("LCMBQ0", 0x12),
    ("LCMBQ1", 0x13),
    ("QPFCMB0", 0x16),
    ("QPFCMB1", 0x17),
];

/// Highest ISA version the spec knows of (v7 is treated as v6 plus nothing).
pub const MAX_VERSION: u8 = 7;

#[derive(Debug, Clone)]
pub struct Alop {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub fmt: String,
    pub opc: u8,
    pub chans: u8,
    pub args: String,
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub merge: String,
    pub opce: Option<u8>,
    pub cmp: Option<u8>,
    pub ales_opce: Option<u8>,
    pub opc2: Option<u8>,
    pub mas: Option<u8>,
    pub alias: Option<String>,
    pub ales25v4: bool,
    pub lit8max: Option<u8>,
    pub lit8warn: Option<String>,
    pub sig: String,
    pub sem: Option<String>,
    /// interpreter execution class for state-touching ops (`ex=ld:8`, `ex=movt`, ...)
    pub ex: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub syl: String,
    pub variant: String,
    pub name: String,
    pub lsb: u8,
    pub width: u8,
    pub meaning: String,
}

#[derive(Debug, Clone)]
pub struct Ctl {
    pub name: String,
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub unit: String,
    pub syntax: String,
}

#[derive(Debug, Clone)]
pub struct Sreg {
    pub name: String,
    pub code: u8,
    pub ver_lo: u8,
    pub ver_hi: u8,
    pub rw_wait: bool,
    pub rr_nop: bool,
    pub alias: bool,
    pub print: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AauReg {
    pub name: String,
    pub class: u8,
    pub d: Option<u8>,
    pub ind: Option<u8>,
    pub opce1: u16,
}

#[derive(Debug, Clone)]
pub struct MuReg {
    pub name: String,
    pub ver_lo: u8,
    pub addr: u32,
    pub mas: u8,
    /// read channel, 0xff when the register cannot be read
    pub rch: u8,
    pub read: bool,
    pub write_from: u8,
    pub asm: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Spec {
    pub alops: Vec<Alop>,
    pub fields: Vec<Field>,
    pub ctls: Vec<Ctl>,
    pub sregs: Vec<Sreg>,
    pub aauregs: Vec<AauReg>,
    pub muregs: Vec<MuReg>,
}

/// Splits a line into whitespace-separated tokens; `"..."` (also after `key=`) is one token.
fn tokenize(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_q = false;
    let mut had = false;
    for c in line.chars() {
        if in_q {
            if c == '"' {
                in_q = false;
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            in_q = true;
            had = true;
        } else if c.is_whitespace() {
            if had || !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
                had = false;
            }
        } else {
            cur.push(c);
        }
    }
    if in_q {
        return Err("unterminated string".into());
    }
    if had || !cur.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

fn parse_num(s: &str) -> Result<u64, String> {
    let r = if let Some(h) = s.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else {
        s.parse::<u64>()
    };
    r.map_err(|_| format!("bad number `{s}`"))
}

fn parse_u8(s: &str, what: &str) -> Result<u8, String> {
    let v = parse_num(s).map_err(|e| format!("{what}: {e}"))?;
    u8::try_from(v).map_err(|_| format!("{what}: value {s} does not fit 8 bits"))
}

/// Parses a version range: `N` (only N), `N+` (N and later), `A-B`.
pub fn parse_ver(s: &str) -> Result<(u8, u8), String> {
    let chk = |v: &str| -> Result<u8, String> {
        let n: u8 = v.parse().map_err(|_| format!("bad version range `{s}`"))?;
        if n == 0 || n > MAX_VERSION {
            return Err(format!(
                "bad version range `{s}`: versions are 1..{MAX_VERSION}"
            ));
        }
        Ok(n)
    };
    let (lo, hi) = if let Some(a) = s.strip_suffix('+') {
        (chk(a)?, MAX_VERSION)
    } else if let Some((a, b)) = s.split_once('-') {
        (chk(a)?, chk(b)?)
    } else {
        let v = chk(s)?;
        (v, v)
    };
    if lo > hi {
        return Err(format!("bad version range `{s}`: empty"));
    }
    Ok((lo, hi))
}

fn kv_map(toks: &[String]) -> Result<(Vec<String>, BTreeMap<String, String>), String> {
    let mut pos = Vec::new();
    let mut kv = BTreeMap::new();
    for t in toks {
        if let Some((k, v)) = t.split_once('=') {
            if kv.insert(k.to_string(), v.to_string()).is_some() {
                return Err(format!("key `{k}` given twice"));
            }
        } else {
            pos.push(t.clone());
        }
    }
    Ok((pos, kv))
}

fn take(kv: &mut BTreeMap<String, String>, k: &str) -> Option<String> {
    kv.remove(k)
}

fn need(kv: &mut BTreeMap<String, String>, k: &str) -> Result<String, String> {
    kv.remove(k).ok_or_else(|| format!("missing `{k}=`"))
}

fn opc2_value(s: &str) -> Result<u8, String> {
    OPC2_NAMES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("unknown opc2 table `{s}`"))
}

/// Derives the semantic signature (operand kinds `s d x q`, result after `>`, `P` = predicate)
/// from the format and the ARGS letters, for rows without an explicit `sig=`.
pub fn derived_sig(fmt: &str, args: &str) -> String {
    let a: String = args
        .chars()
        .map(|c| match c {
            'S' => 's',
            'D' => 'd',
            _ => 'q',
        })
        .collect();
    let base = fmt.split('_').next().unwrap_or(fmt);
    match base {
        "ALOPF7" | "ALOPF8" | "ALOPF17" => format!("{a}>P"),
        "ALOPF3" | "ALOPF13" | "ALOPF10" | "AAURW" => format!("{a}>"),
        _ if a.len() >= 2 => format!("{}>{}", &a[..a.len() - 1], &a[a.len() - 1..]),
        _ => format!(">{a}"),
    }
}

fn parse_alop(file: &str, line: usize, toks: &[String]) -> Result<Alop, String> {
    let (pos, mut kv) = kv_map(toks)?;
    if pos.len() != 2 {
        return Err("expected `alop NAME FORMAT key=value...`".into());
    }
    let name = pos[0].clone();
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        || !name.starts_with(|c: char| c.is_ascii_lowercase())
    {
        return Err(format!("bad mnemonic `{name}`"));
    }
    let fmt = pos[1].clone();
    if !FORMATS.contains(&fmt.as_str()) {
        return Err(format!("unknown format `{fmt}`"));
    }
    let opc = parse_u8(&need(&mut kv, "opc")?, "opc")?;
    if opc > 0x7f {
        return Err(format!("opc {opc:#x} does not fit 7 bits"));
    }
    let ch = need(&mut kv, "ch")?;
    let mut chans = 0u8;
    for c in ch.chars() {
        let d = c
            .to_digit(10)
            .filter(|d| *d < 6)
            .ok_or_else(|| format!("bad channel `{c}` in ch={ch}"))?;
        if chans & (1 << d) != 0 {
            return Err(format!("channel {d} listed twice"));
        }
        chans |= 1 << d;
    }
    if chans == 0 {
        return Err("no channel".into());
    }
    let args = need(&mut kv, "args")?;
    if args.is_empty() || !args.chars().all(|c| matches!(c, 'S' | 'D' | 'Q' | 'P')) {
        return Err(format!(
            "unknown operand kind in args={args} (kinds: S D Q P)"
        ));
    }
    let (ver_lo, ver_hi) = parse_ver(&need(&mut kv, "ver")?)?;
    let merge = take(&mut kv, "merge").unwrap_or_else(|| "simple".into());
    if !matches!(merge.as_str(), "simple" | "alopf11" | "none") {
        return Err(format!("unknown merge kind `{merge}`"));
    }
    let opce = take(&mut kv, "opce")
        .map(|v| parse_u8(&v, "opce"))
        .transpose()?;
    let cmp = take(&mut kv, "cmp")
        .map(|v| parse_u8(&v, "cmp"))
        .transpose()?;
    if cmp.is_some_and(|c| c > 7) {
        return Err("cmp must be 0..7".into());
    }
    let ales_opce = take(&mut kv, "ales_opce")
        .map(|v| parse_u8(&v, "ales_opce"))
        .transpose()?;
    let opc2 = take(&mut kv, "opc2").map(|v| opc2_value(&v)).transpose()?;
    let mas = take(&mut kv, "mas")
        .map(|v| parse_u8(&v, "mas"))
        .transpose()?;
    let alias = take(&mut kv, "alias");
    let lit8max = take(&mut kv, "lit8max")
        .map(|v| parse_u8(&v, "lit8max"))
        .transpose()?;
    let lit8warn = take(&mut kv, "lit8warn");
    let sig = take(&mut kv, "sig").unwrap_or_else(|| derived_sig(&fmt, &args));
    if !sig.contains('>')
        || !sig
            .chars()
            .all(|c| matches!(c, 's' | 'd' | 'x' | 'q' | 'L' | 'P' | '>'))
    {
        return Err(format!("bad semantic signature `{sig}`"));
    }
    let sem = take(&mut kv, "sem");
    let ex = take(&mut kv, "ex");
    if sem.is_some() && ex.is_some() {
        return Err(
            "a row has either `sem=` (pure helper) or `ex=` (interpreter class), not both".into(),
        );
    }
    let long = format_is_long(&fmt);
    if long && opc2.is_none() {
        return Err(format!("format {fmt} needs `opc2=`"));
    }
    if !long && opc2.is_some() {
        return Err(format!("format {fmt} has no ALES, `opc2=` is not allowed"));
    }
    let base = fmt.split('_').next().unwrap_or(&fmt);
    if matches!(base, "ALOPF7" | "ALOPF8") && cmp.is_none() {
        return Err(format!("format {fmt} needs `cmp=`"));
    }
    if matches!(base, "ALOPF2" | "ALOPF22") && opce.is_none() {
        return Err(format!("format {fmt} needs `opce=`"));
    }
    // Bare flag words appear as positional tokens after NAME FORMAT; handled by caller.
    if let Some(k) = kv.keys().next() {
        return Err(format!("unknown key `{k}=`"));
    }
    Ok(Alop {
        file: file.to_string(),
        line,
        name,
        fmt,
        opc,
        chans,
        args,
        ver_lo,
        ver_hi,
        merge,
        opce,
        cmp,
        ales_opce,
        opc2,
        mas,
        alias,
        ales25v4: false,
        lit8max,
        lit8warn,
        sig,
        sem,
        ex,
    })
}

/// Parses one spec file's text into `spec`; returns every error found in it.
pub fn parse_file(spec: &mut Spec, file: &str, text: &str) -> Vec<SpecError> {
    let mut errs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let mut err = |msg: String| {
            errs.push(SpecError {
                file: file.to_string(),
                line,
                msg,
            })
        };
        let toks = match tokenize(l) {
            Ok(t) => t,
            Err(e) => {
                err(e);
                continue;
            }
        };
        let kind = toks[0].as_str();
        let rest = &toks[1..];
        let r: Result<(), String> = (|| {
            match kind {
                "alop" => {
                    // bare flags: ales25v4
                    let mut flags = Vec::new();
                    let mut main = Vec::new();
                    for t in rest {
                        if t == "ales25v4" {
                            flags.push(t.clone());
                        } else {
                            main.push(t.clone());
                        }
                    }
                    let mut a = parse_alop(file, line, &main)?;
                    a.ales25v4 = !flags.is_empty();
                    spec.alops.push(a);
                }
                "field" => {
                    if rest.len() != 6 {
                        return Err(
                            "expected `field SYLLABLE VARIANT NAME LSB WIDTH \"meaning\"`".into(),
                        );
                    }
                    let lsb = parse_u8(&rest[3], "lsb")?;
                    let width = parse_u8(&rest[4], "width")?;
                    if width == 0 || lsb as u32 + width as u32 > 32 {
                        return Err(format!("field {lsb}+{width} does not fit 32 bits"));
                    }
                    spec.fields.push(Field {
                        syl: rest[0].clone(),
                        variant: rest[1].clone(),
                        name: rest[2].clone(),
                        lsb,
                        width,
                        meaning: rest[5].clone(),
                    });
                }
                "ctl" => {
                    let (pos, mut kv) = kv_map(rest)?;
                    if pos.len() != 1 {
                        return Err("expected `ctl NAME ver=.. unit=.. syntax=\"..\"`".into());
                    }
                    let (lo, hi) = parse_ver(&need(&mut kv, "ver")?)?;
                    let unit = need(&mut kv, "unit")?;
                    let syntax = need(&mut kv, "syntax")?;
                    if let Some(k) = kv.keys().next() {
                        return Err(format!("unknown key `{k}=`"));
                    }
                    spec.ctls.push(Ctl {
                        name: pos[0].clone(),
                        ver_lo: lo,
                        ver_hi: hi,
                        unit,
                        syntax,
                    });
                }
                "sreg" => {
                    let (pos, mut kv) = kv_map(rest)?;
                    if pos.len() < 2 {
                        return Err("expected `sreg NAME CODE ver=.. [flags]`".into());
                    }
                    let code = parse_u8(&pos[1], "code")?;
                    let (lo, hi) = parse_ver(&need(&mut kv, "ver")?)?;
                    let print = take(&mut kv, "print");
                    if let Some(k) = kv.keys().next() {
                        return Err(format!("unknown key `{k}=`"));
                    }
                    let mut s = Sreg {
                        name: pos[0].clone(),
                        code,
                        ver_lo: lo,
                        ver_hi: hi,
                        rw_wait: false,
                        rr_nop: false,
                        alias: false,
                        print,
                    };
                    for f in &pos[2..] {
                        match f.as_str() {
                            "rw_wait" => s.rw_wait = true,
                            "rr_nop" => s.rr_nop = true,
                            "alias" => s.alias = true,
                            o => return Err(format!("unknown flag `{o}`")),
                        }
                    }
                    spec.sregs.push(s);
                }
                "aaureg" => {
                    let (pos, mut kv) = kv_map(rest)?;
                    if pos.len() != 1 {
                        return Err("expected `aaureg NAME class=.. d=.. ind=.. opce1=..`".into());
                    }
                    let opt = |v: String| -> Result<Option<u8>, String> {
                        if v == "-" {
                            Ok(None)
                        } else {
                            parse_u8(&v, "index").map(Some)
                        }
                    };
                    let class = parse_u8(&need(&mut kv, "class")?, "class")?;
                    let d = opt(need(&mut kv, "d")?)?;
                    let ind = opt(need(&mut kv, "ind")?)?;
                    let opce1 = parse_num(&need(&mut kv, "opce1")?)?;
                    let opce1 = u16::try_from(opce1)
                        .map_err(|_| "opce1 does not fit 16 bits".to_string())?;
                    spec.aauregs.push(AauReg {
                        name: pos[0].clone(),
                        class,
                        d,
                        ind,
                        opce1,
                    });
                }
                "mureg" => {
                    let (pos, mut kv) = kv_map(rest)?;
                    if pos.len() != 1 {
                        return Err("expected `mureg NAME ver=.. addr=.. mas=.. ...`".into());
                    }
                    let (lo, _) = parse_ver(&need(&mut kv, "ver")?)?;
                    let addr = parse_num(&need(&mut kv, "addr")?)? as u32;
                    let mas = parse_u8(&need(&mut kv, "mas")?, "mas")?;
                    let rch = match need(&mut kv, "rch")?.as_str() {
                        "-" => 0xff,
                        v => parse_u8(v, "rch")?,
                    };
                    let read = parse_u8(&need(&mut kv, "read")?, "read")? != 0;
                    let write_from = parse_u8(&need(&mut kv, "write")?, "write")?;
                    let asm = parse_u8(&need(&mut kv, "asm")?, "asm")? != 0;
                    spec.muregs.push(MuReg {
                        name: pos[0].clone(),
                        ver_lo: lo,
                        addr,
                        mas,
                        rch,
                        read,
                        write_from,
                        asm,
                    });
                }
                o => return Err(format!("unknown record kind `{o}`")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            err(e);
        }
    }
    errs
}

/// Table key used for overlap checks: (table, opc, channel, discriminator).
fn decode_key(a: &Alop) -> (u8, u8, String) {
    let table = if format_is_long(&a.fmt) {
        a.opc2.unwrap_or(0)
    } else {
        0
    };
    let base = a.fmt.split('_').next().unwrap_or(&a.fmt);
    let disc = match base {
        "ALOPF2" | "ALOPF15" | "ALOPF12" | "ALOPF22" => {
            format!("{:?}/{:?}", a.opce, a.ales_opce)
        }
        "ALOPF7" | "ALOPF8" => format!("{:?}", a.cmp),
        "ALOPF11" | "ALOPF13" | "ALOPF17" => format!("{:?}", a.ales_opce),
        _ => String::new(),
    };
    let disc = format!("{disc}/mas{:?}", a.mas);
    (table, a.opc, disc)
}

/// Whole-spec checks: overlapping encodings, duplicate mnemonics in one version,
/// inconsistent rows of one mnemonic, dangling aliases, duplicate register names.
pub fn validate(spec: &Spec) -> Vec<SpecError> {
    let mut errs = Vec::new();
    let e = |a: &Alop, msg: String| SpecError {
        file: a.file.clone(),
        line: a.line,
        msg,
    };
    let names: HashMap<&str, Vec<&Alop>> = {
        let mut m: HashMap<&str, Vec<&Alop>> = HashMap::new();
        for a in &spec.alops {
            m.entry(a.name.as_str()).or_default().push(a);
        }
        m
    };
    // Rows of one mnemonic: same args; no two rows overlap in version and channel unless merge allows.
    for rows in names.values() {
        for (i, a) in rows.iter().enumerate() {
            for b in &rows[i + 1..] {
                if a.args != b.args {
                    errs.push(e(
                        b,
                        format!(
                            "mnemonic `{}` has args={} here but args={} at {}:{}",
                            b.name, b.args, a.args, a.file, a.line
                        ),
                    ));
                }
                let vo = a.ver_lo <= b.ver_hi && b.ver_lo <= a.ver_hi;
                if vo && a.chans & b.chans != 0 && a.fmt == b.fmt && a.opc2 == b.opc2 {
                    errs.push(e(
                        b,
                        format!(
                            "duplicate mnemonic `{}` in one version: overlaps {}:{} (versions {}-{}, channels)",
                            b.name, a.file, a.line, b.ver_lo.max(a.ver_lo), b.ver_hi.min(a.ver_hi)
                        ),
                    ));
                }
            }
        }
    }
    // Aliases point at an existing row with the same encoding.
    for a in &spec.alops {
        if let Some(t) = &a.alias {
            match names.get(t.as_str()) {
                None => errs.push(e(a, format!("alias target `{t}` is not defined"))),
                Some(rows) => {
                    if !rows.iter().any(|r| decode_key(r) == decode_key(a)) {
                        errs.push(e(
                            a,
                            format!("alias `{}` does not share the encoding of `{t}`", a.name),
                        ));
                    }
                }
            }
        }
    }
    // Overlapping encodings between different (non-alias) mnemonics.
    let mut seen: HashMap<(u8, u8, u8, String), Vec<&Alop>> = HashMap::new();
    for a in &spec.alops {
        if a.alias.is_some() {
            continue;
        }
        let (t, o, d) = decode_key(a);
        for ch in 0..6 {
            if a.chans & (1 << ch) == 0 {
                continue;
            }
            let k = (t, o, ch, d.clone());
            let v = seen.entry(k).or_default();
            for b in v.iter() {
                if b.name != a.name && a.ver_lo <= b.ver_hi && b.ver_lo <= a.ver_hi {
                    errs.push(e(
                        a,
                        format!(
                            "encoding of `{}` overlaps `{}` ({}:{}) in channel {ch}, versions {}-{}",
                            a.name,
                            b.name,
                            b.file,
                            b.line,
                            a.ver_lo.max(b.ver_lo),
                            a.ver_hi.min(b.ver_hi)
                        ),
                    ));
                }
            }
            v.push(a);
        }
    }
    // Registers: unique names.
    let mut sn: HashMap<&str, ()> = HashMap::new();
    for s in &spec.sregs {
        if sn.insert(s.name.as_str(), ()).is_some() {
            errs.push(SpecError {
                file: "sregs".into(),
                line: 0,
                msg: format!("state register `{}` defined twice", s.name),
            });
        }
    }
    errs.sort_by_key(|e| (e.file.clone(), e.line));
    errs.dedup();
    errs
}

/// Parses every `*.spec` file of `dir` (sorted by name), then validates.
pub fn load_dir(dir: &std::path::Path, display_prefix: &str) -> Result<Spec, Vec<SpecError>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| {
            vec![SpecError {
                file: dir.display().to_string(),
                line: 0,
                msg: e.to_string(),
            }]
        })?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "spec"))
        .collect();
    files.sort();
    let mut spec = Spec::default();
    let mut errs = Vec::new();
    for p in &files {
        let name = format!(
            "{display_prefix}{}",
            p.file_name().unwrap_or_default().to_string_lossy()
        );
        match std::fs::read_to_string(p) {
            Ok(t) => errs.extend(parse_file(&mut spec, &name, &t)),
            Err(e) => errs.push(SpecError {
                file: name,
                line: 0,
                msg: e.to_string(),
            }),
        }
    }
    if errs.is_empty() {
        errs = validate(&spec);
    }
    if errs.is_empty() {
        Ok(spec)
    } else {
        Err(errs)
    }
}
