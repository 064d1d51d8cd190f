//! QMP input: an incremental JSON lexer, a streamer that cuts the byte stream into
//! top-level values by bracket depth (no newline or other delimiter needed, as
//! QEMU's), and a parser turning each value's tokens into a `serde_json::Value`.
//! Errors carry QEMU's wording ("JSON parse error, ...") and reset the stream;
//! nothing here panics on any input.

use serde_json::{Map, Number, Value};

/// Limits of one value (the same numbers QEMU uses).
pub const MAX_TOKEN_SIZE: usize = 64 << 20;
pub const MAX_TOKEN_COUNT: usize = 2 << 20;
pub const MAX_NESTING: i64 = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    LCurly,
    RCurly,
    LSquare,
    RSquare,
    Colon,
    Comma,
    Str,
    Int,
    Float,
    Keyword,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    text: Vec<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Start,
    Str { quote: u8, escape: bool },
    Number,
    Keyword,
}

/// One complete input item: a parsed value or the error text for the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Value(Value),
    Error(String),
}

/// The incremental parser of one QMP session's input.
#[derive(Debug)]
pub struct QmpStream {
    lex: Lex,
    cur: Vec<u8>,
    tokens: Vec<Token>,
    size: usize,
    braces: i64,
    brackets: i64,
}

impl Default for QmpStream {
    fn default() -> Self {
        Self::new()
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

impl QmpStream {
    pub fn new() -> QmpStream {
        QmpStream {
            lex: Lex::Start,
            cur: Vec::new(),
            tokens: Vec::new(),
            size: 0,
            braces: 0,
            brackets: 0,
        }
    }

    /// Feeds bytes; returns every item completed by them, in order.
    pub fn feed(&mut self, data: &[u8]) -> Vec<Item> {
        let mut out = Vec::new();
        for &b in data {
            self.byte(b, &mut out);
        }
        out
    }

    /// End of input: a pending number or keyword ends here; an unfinished value is
    /// dropped (the peer went away).
    pub fn finish(&mut self) -> Vec<Item> {
        let mut out = Vec::new();
        match self.lex {
            Lex::Number => self.end_number(&mut out),
            Lex::Keyword => self.end_token(Kind::Keyword, &mut out),
            _ => {}
        }
        self.reset();
        out
    }

    fn reset(&mut self) {
        self.tokens.clear();
        self.size = 0;
        self.braces = 0;
        self.brackets = 0;
    }

    fn byte(&mut self, b: u8, out: &mut Vec<Item>) {
        match self.lex {
            Lex::Start => self.start(b, out),
            Lex::Str { quote, escape } => {
                if b < 0x20 {
                    // control characters are not allowed raw inside strings
                    self.cur.push(b);
                    self.lex = Lex::Start;
                    self.lexical_error(out);
                    return;
                }
                self.cur.push(b);
                if escape {
                    self.lex = Lex::Str {
                        quote,
                        escape: false,
                    };
                } else if b == b'\\' {
                    self.lex = Lex::Str {
                        quote,
                        escape: true,
                    };
                } else if b == quote {
                    self.lex = Lex::Start;
                    self.end_token(Kind::Str, out);
                } else if self.cur.len() > MAX_TOKEN_SIZE {
                    self.lex = Lex::Start;
                    self.cur.clear();
                    self.reset();
                    out.push(Item::Error("JSON token size limit exceeded".into()));
                }
            }
            Lex::Number => {
                if b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-') {
                    self.cur.push(b);
                    if self.cur.len() > 4096 {
                        self.lex = Lex::Start;
                        self.lexical_error(out);
                    }
                } else {
                    self.end_number(out);
                    self.start(b, out);
                }
            }
            Lex::Keyword => {
                if b.is_ascii_lowercase() {
                    self.cur.push(b);
                    if self.cur.len() > 4096 {
                        self.lex = Lex::Start;
                        self.lexical_error(out);
                    }
                } else {
                    self.end_token(Kind::Keyword, out);
                    self.start(b, out);
                }
            }
        }
    }

    fn start(&mut self, b: u8, out: &mut Vec<Item>) {
        self.lex = Lex::Start;
        self.cur.clear();
        let single = match b {
            b'{' => Some(Kind::LCurly),
            b'}' => Some(Kind::RCurly),
            b'[' => Some(Kind::LSquare),
            b']' => Some(Kind::RSquare),
            b':' => Some(Kind::Colon),
            b',' => Some(Kind::Comma),
            _ => None,
        };
        if let Some(k) = single {
            self.cur.push(b);
            self.end_token(k, out);
            return;
        }
        if is_ws(b) {
            return;
        }
        self.cur.push(b);
        match b {
            b'"' | b'\'' => {
                self.lex = Lex::Str {
                    quote: b,
                    escape: false,
                }
            }
            b'-' | b'0'..=b'9' => self.lex = Lex::Number,
            b'a'..=b'z' => self.lex = Lex::Keyword,
            _ => self.lexical_error(out),
        }
    }

    fn end_number(&mut self, out: &mut Vec<Item>) {
        self.lex = Lex::Start;
        match number_kind(&self.cur) {
            Some(k) => self.end_token(k, out),
            None => self.lexical_error(out),
        }
    }

    /// A lexical error: report the offending text and drop the partial value.
    fn lexical_error(&mut self, out: &mut Vec<Item>) {
        let text = String::from_utf8_lossy(&self.cur).into_owned();
        self.cur.clear();
        self.reset();
        out.push(Item::Error(format!("JSON parse error, stray '{text}'")));
    }

    fn end_token(&mut self, kind: Kind, out: &mut Vec<Item>) {
        let text = std::mem::take(&mut self.cur);
        self.lex = Lex::Start;
        match kind {
            Kind::LCurly => self.braces += 1,
            Kind::RCurly => self.braces -= 1,
            Kind::LSquare => self.brackets += 1,
            Kind::RSquare => self.brackets -= 1,
            _ => {}
        }
        self.size += text.len();
        self.tokens.push(Token { kind, text });
        if self.braces < 0 || self.brackets < 0 || (self.braces == 0 && self.brackets == 0) {
            let toks = std::mem::take(&mut self.tokens);
            self.reset();
            out.push(match parse_tokens(&toks) {
                Ok(v) => Item::Value(v),
                Err(e) => Item::Error(format!("JSON parse error, {e}")),
            });
            return;
        }
        let err = if self.size > MAX_TOKEN_SIZE {
            Some("JSON token size limit exceeded")
        } else if self.tokens.len() > MAX_TOKEN_COUNT {
            Some("JSON token count limit exceeded")
        } else if self.braces + self.brackets > MAX_NESTING {
            Some("JSON nesting depth limit exceeded")
        } else {
            None
        };
        if let Some(e) = err {
            self.reset();
            out.push(Item::Error(e.into()));
        }
    }
}

/// Integer or float per RFC 8259's number grammar; None when malformed.
fn number_kind(t: &[u8]) -> Option<Kind> {
    let mut i = 0;
    if t.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < t.len() && t[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    if t.get(i) == Some(&b'0') {
        i += 1;
    } else if !digits(&mut i) {
        return None;
    }
    let mut float = false;
    if t.get(i) == Some(&b'.') {
        i += 1;
        float = true;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(t.get(i), Some(b'e' | b'E')) {
        i += 1;
        float = true;
        if matches!(t.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    (i == t.len()).then_some(if float { Kind::Float } else { Kind::Int })
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
}

type PResult<T> = Result<T, String>;

fn parse_tokens(toks: &[Token]) -> PResult<Value> {
    let mut p = Parser { toks, pos: 0 };
    let v = p.value()?;
    // the streamer cuts exactly at the end of a value; anything left is garbage
    match p.peek() {
        None => Ok(v),
        Some(_) => Err("expecting value".into()),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }
    fn pop(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn value(&mut self) -> PResult<Value> {
        let t = self.peek().ok_or("premature EOI")?;
        match t.kind {
            Kind::LCurly => self.object(),
            Kind::LSquare => self.array(),
            Kind::Str => {
                self.pos += 1;
                Ok(Value::String(parse_string(&t.text)?))
            }
            Kind::Int | Kind::Float => {
                self.pos += 1;
                Ok(parse_number(t))
            }
            Kind::Keyword => {
                self.pos += 1;
                match &t.text[..] {
                    b"true" => Ok(Value::Bool(true)),
                    b"false" => Ok(Value::Bool(false)),
                    b"null" => Ok(Value::Null),
                    k => Err(format!("invalid keyword '{}'", String::from_utf8_lossy(k))),
                }
            }
            _ => Err("expecting value".into()),
        }
    }

    fn object(&mut self) -> PResult<Value> {
        self.pos += 1; // '{'
        let mut map = Map::new();
        match self.peek() {
            None => return Err("premature EOI".into()),
            Some(t) if t.kind == Kind::RCurly => {
                self.pos += 1;
                return Ok(Value::Object(map));
            }
            _ => {}
        }
        loop {
            self.pair(&mut map)?;
            let t = self.pop().ok_or("premature EOI")?;
            match t.kind {
                Kind::RCurly => return Ok(Value::Object(map)),
                Kind::Comma => {}
                _ => return Err("expected separator in dict".into()),
            }
        }
    }

    fn pair(&mut self, map: &mut Map<String, Value>) -> PResult<()> {
        if self.peek().is_none() {
            return Err("premature EOI".into());
        }
        let key = match self.value()? {
            Value::String(s) => s,
            _ => return Err("key is not a string in object".into()),
        };
        let t = self.pop().ok_or("premature EOI")?;
        if t.kind != Kind::Colon {
            return Err("missing : in object pair".into());
        }
        let v = self.value()?;
        if map.contains_key(&key) {
            return Err("duplicate key".into());
        }
        map.insert(key, v);
        Ok(())
    }

    fn array(&mut self) -> PResult<Value> {
        self.pos += 1; // '['
        let mut list = Vec::new();
        match self.peek() {
            None => return Err("premature EOI".into()),
            Some(t) if t.kind == Kind::RSquare => {
                self.pos += 1;
                return Ok(Value::Array(list));
            }
            _ => {}
        }
        loop {
            list.push(self.value()?);
            let t = self.pop().ok_or("premature EOI")?;
            match t.kind {
                Kind::RSquare => return Ok(Value::Array(list)),
                Kind::Comma => {}
                _ => return Err("expected separator in list".into()),
            }
        }
    }
}

fn parse_number(t: &Token) -> Value {
    let s = std::str::from_utf8(&t.text).unwrap_or("0");
    if t.kind == Kind::Int {
        if let Ok(v) = s.parse::<i64>() {
            return Value::Number(v.into());
        }
        if let Ok(v) = s.parse::<u64>() {
            return Value::Number(v.into());
        }
    }
    s.parse::<f64>()
        .ok()
        .and_then(Number::from_f64)
        .map(Value::Number)
        .unwrap_or(Value::Null)
}

fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() < 4 {
        return None;
    }
    let mut v = 0u32;
    for &c in &b[..4] {
        v = v << 4 | (c as char).to_digit(16)?;
    }
    Some(v)
}

/// Decodes a quoted string token (either quote style), with QEMU's messages.
fn parse_string(t: &[u8]) -> PResult<String> {
    // the lexer only emits complete tokens: opening quote, body, closing quote
    let body = t.get(1..t.len().saturating_sub(1)).unwrap_or(&[]);
    let mut out = String::new();
    let mut i = 0;
    while i < body.len() {
        let c = body[i];
        if c == b'\\' {
            let beg = i;
            i += 1;
            let e = body.get(i).copied().unwrap_or(0);
            i += 1;
            match e {
                b'"' => out.push('"'),
                b'\'' => out.push('\''),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let mut cp = hex4(&body[i.min(body.len())..]).map(|v| v as i64);
                    i = (i + 4).min(body.len());
                    if let Some(v) = cp {
                        if (0xd800..=0xdbff).contains(&v)
                            && body.get(i) == Some(&b'\\')
                            && body.get(i + 1) == Some(&b'u')
                        {
                            match hex4(&body[(i + 2).min(body.len())..]) {
                                Some(tr) if (0xdc00..=0xdfff).contains(&tr) => {
                                    cp = Some(0x10000 + ((v & 0x3ff) << 10) + (tr as i64 & 0x3ff));
                                    i += 6;
                                }
                                _ => cp = None,
                            }
                        }
                    }
                    match cp
                        .and_then(|v| char::from_u32(v as u32))
                        .filter(|&c| c != '\0')
                    {
                        Some(ch) => out.push(ch),
                        None => {
                            let shown = String::from_utf8_lossy(&body[beg..i.min(body.len())]);
                            return Err(format!("{shown} is not a valid Unicode character"));
                        }
                    }
                }
                _ => return Err("invalid escape sequence in string".into()),
            }
            continue;
        }
        // one UTF-8 sequence
        let len = match c {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => return Err("invalid UTF-8 sequence in string".into()),
        };
        let seq = body
            .get(i..i + len)
            .ok_or("invalid UTF-8 sequence in string")?;
        match std::str::from_utf8(seq) {
            Ok(s) => out.push_str(s),
            Err(_) => return Err("invalid UTF-8 sequence in string".into()),
        }
        i += len;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn all(input: &[u8]) -> Vec<Item> {
        let mut s = QmpStream::new();
        s.feed(input)
    }

    #[test]
    fn back_to_back_without_newline() {
        let v = all(br#"{"execute":"a"}{"execute": "b", "id": [1]}"#);
        assert_eq!(
            v,
            vec![
                Item::Value(json!({"execute": "a"})),
                Item::Value(json!({"execute": "b", "id": [1]}))
            ]
        );
    }

    #[test]
    fn byte_by_byte() {
        let mut s = QmpStream::new();
        let mut got = Vec::new();
        for b in br#" {"a": "x\"}y", "b": [1, 2.5, -3e2, true, null]} "# {
            got.extend(s.feed(&[*b]));
        }
        assert_eq!(
            got,
            vec![Item::Value(
                json!({"a": "x\"}y", "b": [1, 2.5, -300.0, true, null]})
            )]
        );
    }

    #[test]
    fn errors_have_qemu_wording() {
        assert_eq!(
            all(br#"{"execute": }"#),
            vec![Item::Error("JSON parse error, expecting value".into())]
        );
        assert_eq!(
            all(b"\x1b{\"a\": 1}"),
            vec![
                Item::Error("JSON parse error, stray '\u{1b}'".into()),
                Item::Value(json!({"a": 1}))
            ]
        );
        assert_eq!(
            all(br#"{"a" 1}"#),
            vec![Item::Error(
                "JSON parse error, missing : in object pair".into()
            )]
        );
        assert_eq!(
            all(br#"{"a": 1 "b": 2}"#),
            vec![Item::Error(
                "JSON parse error, expected separator in dict".into()
            )]
        );
        assert_eq!(
            all(br#"{"a": 1, "a": 2}"#),
            vec![Item::Error("JSON parse error, duplicate key".into())]
        );
        assert_eq!(
            all(b"{1: 2}"),
            vec![Item::Error(
                "JSON parse error, key is not a string in object".into()
            )]
        );
        assert_eq!(
            all(b"{\"a\": nope}"),
            vec![Item::Error(
                "JSON parse error, invalid keyword 'nope'".into()
            )]
        );
        assert_eq!(
            all(b"}"),
            vec![Item::Error("JSON parse error, expecting value".into())]
        );
        assert_eq!(all(b"\"s\""), vec![Item::Value(json!("s"))]);
        assert_eq!(
            all(b"{'single': '\\u00e9\\ud83d\\ude00'}"),
            vec![Item::Value(json!({"single": "é😀"}))]
        );
        assert_eq!(
            all(b"[\"\\q\"]"),
            vec![Item::Error(
                "JSON parse error, invalid escape sequence in string".into()
            )]
        );
    }

    #[test]
    fn nesting_limit() {
        let mut s = QmpStream::new();
        let deep = vec![b'['; 2000];
        let got = s.feed(&deep);
        assert_eq!(
            got[0],
            Item::Error("JSON nesting depth limit exceeded".into())
        );
    }
}
