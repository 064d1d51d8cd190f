//! QMP output: compact JSON the way QEMU writes it (`": "` and `", "` separators,
//! members in insertion order, every character outside printable ASCII escaped as
//! `\uXXXX` with upper-case hex), one message per line ending in CRLF.

use serde_json::Value;
use std::fmt::Write;

/// The wire form of one message, CRLF included.
pub fn to_line(v: &Value) -> String {
    let mut s = to_json(v);
    s.push_str("\r\n");
    s
}

/// Compact JSON text of `v` with QEMU's separators and escapes.
pub fn to_json(v: &Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v);
    s
}

fn write_value(s: &mut String, v: &Value) {
    match v {
        Value::Null => s.push_str("null"),
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(s, "{n}");
        }
        Value::String(t) => write_str(s, t),
        Value::Array(a) => {
            s.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_value(s, x);
            }
            s.push(']');
        }
        Value::Object(m) => {
            s.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_str(s, k);
                s.push_str(": ");
                write_value(s, x);
            }
            s.push('}');
        }
    }
}

fn write_str(s: &mut String, t: &str) {
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\u{8}' => s.push_str("\\b"),
            '\u{c}' => s.push_str("\\f"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) > 0xffff => {
                let v = c as u32 - 0x10000;
                let _ = write!(
                    s,
                    "\\u{:04X}\\u{:04X}",
                    0xd800 + (v >> 10),
                    0xdc00 + (v & 0x3ff)
                );
            }
            c if (c as u32) < 0x20 || (c as u32) >= 0x7f => {
                let _ = write!(s, "\\u{:04X}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qemu_shape() {
        let v = json!({"return": {}, "id": [1, "x"]});
        assert_eq!(to_line(&v), "{\"return\": {}, \"id\": [1, \"x\"]}\r\n");
        assert_eq!(
            to_json(&json!("a/b\u{1b}é😀\n")),
            "\"a/b\\u001B\\u00E9\\uD83D\\uDE00\\n\""
        );
    }
}
