//! Tokenizer for one assembler statement: identifiers, numbers, strings, `%register`
//! names, `@local` names and punctuation, each with its byte column in the line.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Symbol or keyword (`foo`, `.Ltgt`, `_f32s`, `1b`, `#LOOP_END`).
    Ident(String),
    /// Integer constant.
    Num(u64),
    /// String literal.
    Str(Vec<u8>),
    /// Floating-point constant text (`1.5`, `1e30`).
    Float(String),
    /// `%name` (registers, state registers, predicates...).
    Percent(String),
    /// `@name` (`@p4`, relocation suffixes are `@` followed by an Ident).
    At(String),
    Punct(&'static str),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Num(n) => write!(f, "{n}"),
            Tok::Str(s) => write!(f, "\"{}\"", String::from_utf8_lossy(s)),
            Tok::Float(s) => write!(f, "{s}"),
            Tok::Percent(s) => write!(f, "%{s}"),
            Tok::At(s) => write!(f, "@{s}"),
            Tok::Punct(p) => write!(f, "{p}"),
        }
    }
}

/// A token and the byte offset of its first character in the statement's line.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub pos: usize,
}

const PUNCTS: [&str; 30] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "<>", ",", "(", ")", "[", "]", "+", "-", "*",
    "/", "%", "&", "|", "^", "~", "!", "?", "=", "<", ">", ":", "\\",
];

pub fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'.' || c == b'$'
}

pub fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c == b'$' || c == b'#'
}

/// Parses the body of a string literal starting after the opening quote; returns the
/// bytes and the index after the closing quote.
pub fn lex_string(s: &[u8], mut i: usize) -> Result<(Vec<u8>, usize), String> {
    let mut out = Vec::new();
    while i < s.len() {
        let c = s[i];
        i += 1;
        match c {
            b'"' => return Ok((out, i)),
            b'\\' => {
                let Some(&e) = s.get(i) else {
                    return Err("unterminated string".into());
                };
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'a' => out.push(7),
                    b'e' => out.push(27),
                    b'x' | b'X' => {
                        let mut v: u32 = 0;
                        let mut n = 0;
                        while let Some(&h) = s.get(i) {
                            if let Some(d) = (h as char).to_digit(16) {
                                v = (v << 4) | d;
                                i += 1;
                                n += 1;
                            } else {
                                break;
                            }
                        }
                        if n == 0 {
                            out.push(b'x');
                        } else {
                            out.push(v as u8);
                        }
                    }
                    b'0'..=b'7' => {
                        let mut v: u32 = (e - b'0') as u32;
                        let mut n = 1;
                        while n < 3 {
                            match s.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    v = v * 8 + (d - b'0') as u32;
                                    i += 1;
                                    n += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push(v as u8);
                    }
                    other => out.push(other),
                }
            }
            other => out.push(other),
        }
    }
    Err("unterminated string".into())
}

/// Parses an integer constant at `s[i..]` (decimal, 0x, 0b, leading-0 octal); returns the
/// value and the end index.
pub fn lex_number(s: &[u8], i: usize) -> Result<(u64, usize), String> {
    let mut j = i;
    let (radix, start) = if s[i] == b'0' && matches!(s.get(i + 1), Some(b'x' | b'X')) {
        (16, i + 2)
    } else if s[i] == b'0'
        && matches!(s.get(i + 1), Some(b'b' | b'B'))
        && matches!(s.get(i + 2), Some(b'0' | b'1'))
    {
        (2, i + 2)
    } else if s[i] == b'0' && matches!(s.get(i + 1), Some(b'0'..=b'7')) {
        (8, i + 1)
    } else {
        (10, i)
    };
    j = j.max(start);
    let mut v: u64 = 0;
    let mut any = false;
    while j < s.len() {
        let c = s[j];
        let d = match (c as char).to_digit(radix) {
            Some(d) => d,
            None => break,
        };
        v = v.wrapping_mul(radix as u64).wrapping_add(d as u64);
        any = true;
        j += 1;
    }
    if !any {
        return Err("bad number".into());
    }
    Ok((v, j))
}

/// Splits a statement into tokens. Errors carry the byte position.
pub fn lex(line: &str, start: usize, end: usize) -> Result<Vec<Token>, (usize, String)> {
    let s = line.as_bytes();
    let mut i = start;
    let mut out = Vec::new();
    while i < end {
        let c = s[i];
        if c == b' ' || c == b'\t' || c == b'\r' || c == b'\x0c' {
            i += 1;
            continue;
        }
        let pos = i;
        if c == b'"' {
            let (bytes, j) = lex_string(s, i + 1).map_err(|e| (pos, e))?;
            out.push(Token {
                tok: Tok::Str(bytes),
                pos,
            });
            i = j;
            continue;
        }
        if c == b'\'' {
            // Character constant: 'c or 'c' or '\n'.
            let (v, mut j) = if s.get(i + 1) == Some(&b'\\') && i + 2 < end {
                let e = s[i + 2];
                let v = match e {
                    b'n' => b'\n',
                    b't' => b'\t',
                    b'r' => b'\r',
                    b'0' => 0,
                    other => other,
                };
                (v as u64, i + 3)
            } else if let Some(ch) = line.get(i + 1..end).and_then(|r| r.chars().next()) {
                (ch as u64, i + 1 + ch.len_utf8())
            } else {
                return Err((pos, "bad character constant".into()));
            };
            if j < end && s[j] == b'\'' {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Num(v),
                pos,
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() {
            // Floating-point constants (decimal with a fraction or an exponent).
            {
                let mut j = i;
                while j < end && s[j].is_ascii_digit() {
                    j += 1;
                }
                let frac = j + 1 < end && s[j] == b'.' && s[j + 1].is_ascii_digit();
                let expo = j + 1 < end
                    && (s[j] == b'e' || s[j] == b'E')
                    && (s[j + 1].is_ascii_digit()
                        || ((s[j + 1] == b'+' || s[j + 1] == b'-')
                            && j + 2 < end
                            && s[j + 2].is_ascii_digit()));
                if (frac || expo) && !(c == b'0' && j > i + 1) {
                    if frac {
                        j += 1;
                        while j < end && s[j].is_ascii_digit() {
                            j += 1;
                        }
                    }
                    if j < end && (s[j] == b'e' || s[j] == b'E') {
                        j += 1;
                        if j < end && (s[j] == b'+' || s[j] == b'-') {
                            j += 1;
                        }
                        while j < end && s[j].is_ascii_digit() {
                            j += 1;
                        }
                    }
                    out.push(Token {
                        tok: Tok::Float(line[i..j].to_string()),
                        pos,
                    });
                    i = j;
                    continue;
                }
            }
            let (v, mut j) = lex_number(s, i).map_err(|e| (pos, e))?;
            // Local label references: 1b / 1f.
            if j < end
                && (s[j] == b'b' || s[j] == b'f')
                && !(j + 1 < end && is_ident_char(s[j + 1]))
            {
                out.push(Token {
                    tok: Tok::Ident(format!("{v}{}", s[j] as char)),
                    pos,
                });
                i = j + 1;
                continue;
            }
            // Integer suffixes (u, l) are accepted and ignored.
            while j < end && matches!(s[j], b'u' | b'U' | b'l' | b'L') {
                j += 1;
            }
            if j < end && is_ident_char(s[j]) {
                return Err((pos, "bad number".into()));
            }
            out.push(Token {
                tok: Tok::Num(v),
                pos,
            });
            i = j;
            continue;
        }
        if is_ident_start(c) || (c == b'#' && i + 1 < end && is_ident_start(s[i + 1])) {
            let mut j = i + 1;
            while j < end && is_ident_char(s[j]) {
                j += 1;
            }
            out.push(Token {
                tok: Tok::Ident(line[i..j].to_string()),
                pos,
            });
            i = j;
            continue;
        }
        if (c == b'%' || c == b'@') && i + 1 < end && is_ident_start(s[i + 1]) {
            let mut j = i + 1;
            while j < end && (s[j].is_ascii_alphanumeric() || s[j] == b'_' || s[j] == b'.') {
                j += 1;
            }
            let name = line[i + 1..j].to_string();
            out.push(Token {
                tok: if c == b'%' {
                    Tok::Percent(name)
                } else {
                    Tok::At(name)
                },
                pos,
            });
            i = j;
            continue;
        }
        let Some(rest) = line.get(i..end) else {
            return Err((pos, "junk character".into()));
        };
        match PUNCTS.iter().find(|p| rest.starts_with(**p)) {
            Some(p) => {
                out.push(Token {
                    tok: Tok::Punct(p),
                    pos,
                });
                i += p.len();
            }
            None => {
                let ch = rest.chars().next().unwrap_or('?');
                return Err((pos, format!("junk character `{ch}'")));
            }
        }
    }
    Ok(out)
}
