//! Macro support: `.macro` headers (defaults, `:req`, `:vararg`), argument splitting,
//! and `\name` / `\@` / `\()` substitution; also the bodies of `.rept` / `.irp` / `.irpc`.

/// One macro parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    pub default: Option<String>,
    pub vararg: bool,
    pub required: bool,
}

/// A macro definition.
#[derive(Debug, Clone)]
pub struct Macro {
    pub params: Vec<Param>,
    pub body: Vec<String>,
}

/// Splits `s` at top-level commas (outside quotes and brackets); pieces are trimmed.
pub fn split_commas(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut in_str = false;
    let mut cur = String::new();
    let mut esc = false;
    for c in s.chars() {
        if in_str {
            cur.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                cur.push(c);
            }
            '(' | '[' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth <= 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() || !out.is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// Parses the rest of a `.macro NAME params` line into the name and the parameters.
pub fn parse_header(rest: &str) -> Result<(String, Vec<Param>), String> {
    let rest = rest.trim();
    let name_end = rest
        .find(|c: char| c.is_whitespace() || c == ',')
        .unwrap_or(rest.len());
    let name = rest[..name_end].to_string();
    if name.is_empty() {
        return Err("expected macro name".into());
    }
    let mut params = Vec::new();
    let tail = rest[name_end..].trim_start_matches(',');
    // Parameters are separated by commas or blanks.
    let mut pieces = Vec::new();
    for p in split_commas(tail) {
        let mut acc = String::new();
        for word in p.split_whitespace() {
            if word.starts_with('=') || acc.ends_with('=') {
                acc.push_str(word);
            } else {
                if !acc.is_empty() {
                    pieces.push(std::mem::take(&mut acc));
                }
                acc.push_str(word);
            }
        }
        if !acc.is_empty() {
            pieces.push(acc);
        }
    }
    for p in pieces {
        let (head, default) = match p.split_once('=') {
            Some((h, d)) => (h.trim().to_string(), Some(d.trim().to_string())),
            None => (p.trim().to_string(), None),
        };
        let (pname, qual) = match head.split_once(':') {
            Some((n, q)) => (n.to_string(), q.to_string()),
            None => (head, String::new()),
        };
        if pname.is_empty()
            || !pname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$')
        {
            return Err(format!("bad macro parameter `{pname}'"));
        }
        params.push(Param {
            name: pname,
            default,
            vararg: qual == "vararg",
            required: qual == "req",
        });
    }
    Ok((name, params))
}

fn unquote(a: &str) -> String {
    let t = a.trim();
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].to_string()
    } else {
        t.to_string()
    }
}

/// Binds invocation arguments to parameters.
pub fn bind(m: &Macro, args_text: &str) -> Result<Vec<(String, String)>, String> {
    let args = if args_text.trim().is_empty() {
        Vec::new()
    } else {
        split_commas(args_text)
    };
    let mut vals: Vec<Option<String>> = vec![None; m.params.len()];
    let mut pos = 0usize;
    for (k, a) in args.iter().enumerate() {
        // Keyword argument `name=value`.
        if let Some((n, v)) = a.split_once('=') {
            let n = n.trim();
            if let Some(i) = m.params.iter().position(|p| p.name == n) {
                if !n.is_empty() && !v.starts_with('=') {
                    vals[i] = Some(unquote(v));
                    continue;
                }
            }
        }
        if pos >= m.params.len() {
            return Err("too many positional arguments".into());
        }
        if m.params[pos].vararg {
            vals[pos] = Some(args[k..].join(", "));
            break;
        }
        vals[pos] = Some(unquote(a));
        pos += 1;
    }
    let mut out = Vec::new();
    for (p, v) in m.params.iter().zip(vals) {
        let v = match v {
            Some(v) if !v.is_empty() => v,
            _ => {
                if p.required {
                    return Err(format!("missing value for required parameter `{}'", p.name));
                }
                p.default.clone().unwrap_or_default()
            }
        };
        out.push((p.name.clone(), v));
    }
    Ok(out)
}

/// Replaces `\name`, `\@` and `\()` in `line`.
pub fn substitute(line: &str, bind: &[(String, String)], counter: u32) -> String {
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'@' {
                out.push_str(&counter.to_string());
                i += 2;
                continue;
            }
            if b[i + 1] == b'(' && b.get(i + 2) == Some(&b')') {
                i += 3;
                continue;
            }
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] == b'$') {
                j += 1;
            }
            if j > i + 1 {
                let name = &line[i + 1..j];
                if let Some((_, v)) = bind.iter().find(|(n, _)| n == name) {
                    out.push_str(v);
                    i = j;
                    continue;
                }
            }
        }
        let ch = line[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}
