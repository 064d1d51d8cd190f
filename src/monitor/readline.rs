//! The HMP line editor with QEMU's readline behaviour on the wire: after every
//! input byte the line is redrawn the way QEMU does it (cursor back with
//! `ESC [ D` over what was shown, the line, `ESC [ K`, then cursor moves), so a
//! client sees its typing echoed exactly as from QEMU. Editing keys: backspace
//! (BS, DEL), ^A, ^E, ^D, ^W, the arrow keys (history up/down, cursor
//! left/right), Home/End/Delete (`ESC [ 1~ 4~ 3~`, `ESC O H F`). CR or LF ends a
//! line (echoed as CRLF). TAB completion is not offered.

/// Longest line (QEMU's READLINE_CMD_BUF_SIZE).
const BUF_SIZE: usize = 4095;
/// Lines kept in the history (READLINE_MAX_CMDS).
const MAX_HISTORY: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Input {
    #[default]
    Norm,
    /// after ESC
    Escape,
    /// after ESC [ (or CSI)
    Csi,
    /// after ESC O
    Ss3,
}

/// One session's line editor.
#[derive(Debug, Default)]
pub struct LineEditor {
    buf: Vec<u8>,
    index: usize,
    /// what the client shows (after the prompt) and where its cursor is
    shown: Vec<u8>,
    shown_index: usize,
    esc: Input,
    esc_param: u32,
    history: Vec<Vec<u8>>,
    /// the history entry being edited
    hist_entry: Option<usize>,
}

impl LineEditor {
    pub fn new() -> LineEditor {
        LineEditor::default()
    }

    /// The prompt was printed: the client shows an empty line.
    pub fn prompt_shown(&mut self) {
        self.shown.clear();
        self.shown_index = 0;
        self.esc = Input::Norm;
    }

    /// Feeds one input byte: appends the echo to `out`; returns the line when
    /// the byte ended one.
    pub fn feed(&mut self, ch: u8, out: &mut Vec<u8>) -> Option<String> {
        let mut done = None;
        match self.esc {
            Input::Norm => match ch {
                1 => self.index = 0,
                4 => self.delete_char(),
                5 => self.index = self.buf.len(),
                9 => {} // completion: none offered
                10 | 13 => {
                    let line = std::mem::take(&mut self.buf);
                    self.add_history(&line);
                    out.extend_from_slice(b"\r\n");
                    self.index = 0;
                    self.shown.clear();
                    self.shown_index = 0;
                    done = Some(String::from_utf8_lossy(&line).into_owned());
                }
                23 => self.backword(),
                27 => self.esc = Input::Escape,
                127 | 8 if self.index > 0 => {
                    self.index -= 1;
                    self.delete_char();
                }
                127 | 8 => {}
                155 => self.esc = Input::Csi,
                c if c >= 32 => self.insert(c),
                _ => {}
            },
            Input::Escape => {
                self.esc = match ch {
                    b'[' | b'O' => {
                        self.esc_param = 0;
                        if ch == b'[' {
                            Input::Csi
                        } else {
                            Input::Ss3
                        }
                    }
                    _ => Input::Norm,
                }
            }
            Input::Csi => {
                self.esc = Input::Norm;
                match ch {
                    b'A' | b'F' => self.history_up(),
                    b'B' | b'E' => self.history_down(),
                    b'D' => self.index = self.index.saturating_sub(1),
                    b'C' => self.index = (self.index + 1).min(self.buf.len()),
                    b'0'..=b'9' => {
                        self.esc_param = self
                            .esc_param
                            .wrapping_mul(10)
                            .wrapping_add((ch - b'0') as u32);
                        self.esc = Input::Csi;
                    }
                    b'~' => match self.esc_param {
                        1 => self.index = 0,
                        3 => self.delete_char(),
                        4 => self.index = self.buf.len(),
                        _ => {}
                    },
                    _ => {}
                }
            }
            Input::Ss3 => {
                match ch {
                    b'F' => self.index = self.buf.len(),
                    b'H' => self.index = 0,
                    _ => {}
                }
                self.esc = Input::Norm;
            }
        }
        self.redraw(out);
        done
    }

    fn insert(&mut self, c: u8) {
        if self.index < BUF_SIZE {
            self.buf.insert(self.index, c);
            self.index += 1;
        }
    }

    fn delete_char(&mut self) {
        if self.index < self.buf.len() {
            self.buf.remove(self.index);
        }
    }

    /// ^W: deletes the word before the cursor.
    fn backword(&mut self) {
        if self.index == 0 || self.index > self.buf.len() {
            return;
        }
        let mut start = self.index - 1;
        while start > 0 && self.buf[start].is_ascii_whitespace() {
            start -= 1;
        }
        while start > 0 {
            if self.buf[start].is_ascii_whitespace() {
                start += 1;
                break;
            }
            start -= 1;
        }
        if start < self.index {
            self.buf.drain(start..self.index);
            self.index = start;
        }
    }

    fn add_history(&mut self, line: &[u8]) {
        if line.is_empty() {
            return;
        }
        if let Some(i) = self.history.iter().position(|h| h == line) {
            self.history.remove(i);
        } else if self.history.len() == MAX_HISTORY {
            self.history.remove(0);
        }
        self.history.push(line.to_vec());
        self.hist_entry = None;
    }

    fn history_up(&mut self) {
        let e = match self.hist_entry {
            Some(0) => return,
            Some(e) => e,
            None => self.history.len(),
        };
        if e == 0 {
            self.hist_entry = None;
            return;
        }
        self.hist_entry = Some(e - 1);
        self.buf = self.history[e - 1].clone();
        self.index = self.buf.len();
    }

    fn history_down(&mut self) {
        let Some(e) = self.hist_entry else {
            return;
        };
        if e + 1 < MAX_HISTORY && e + 1 < self.history.len() {
            self.hist_entry = Some(e + 1);
            self.buf = self.history[e + 1].clone();
        } else {
            self.buf.clear();
            self.hist_entry = None;
        }
        self.index = self.buf.len();
    }

    /// Brings the client's view up to date (QEMU's readline_update).
    fn redraw(&mut self, out: &mut Vec<u8>) {
        if self.buf != self.shown {
            for _ in 0..self.shown_index {
                out.extend_from_slice(b"\x1b[D");
            }
            out.extend_from_slice(&self.buf);
            out.extend_from_slice(b"\x1b[K");
            self.shown = self.buf.clone();
            self.shown_index = self.buf.len();
        }
        if self.index != self.shown_index {
            let step: &[u8] = if self.index > self.shown_index {
                b"\x1b[C"
            } else {
                b"\x1b[D"
            };
            for _ in 0..self.index.abs_diff(self.shown_index) {
                out.extend_from_slice(step);
            }
            self.shown_index = self.index;
        }
    }
}

/// What QEMU echoes while `line` is typed (without the line end).
pub fn typed_echo(line: &str) -> Vec<u8> {
    let mut ed = LineEditor::new();
    let mut out = Vec::new();
    for &b in line.as_bytes() {
        ed.feed(b, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ed: &mut LineEditor, input: &[u8]) -> (Vec<u8>, Vec<String>) {
        let mut out = Vec::new();
        let mut lines = Vec::new();
        for &b in input {
            if let Some(l) = ed.feed(b, &mut out) {
                lines.push(l);
                ed.prompt_shown();
            }
        }
        (out, lines)
    }

    #[test]
    fn typing_is_redrawn_like_qemu() {
        let mut ed = LineEditor::new();
        let (out, lines) = run(&mut ed, b"cont\n");
        assert_eq!(
            out,
            b"c\x1b[K\x1b[Dco\x1b[K\x1b[D\x1b[Dcon\x1b[K\x1b[D\x1b[D\x1b[Dcont\x1b[K\r\n"
        );
        assert_eq!(lines, ["cont"]);
        assert_eq!(typed_echo("cont"), &out[..out.len() - 2]);
        // CR LF: two lines, the second empty
        let (out, lines) = run(&mut ed, b"s\r\n");
        assert_eq!(out, b"s\x1b[K\r\n\r\n");
        assert_eq!(lines, ["s", ""]);
    }

    #[test]
    fn editing_keys() {
        let mut ed = LineEditor::new();
        // backspace, ^A + insert, ^E, ^W, left arrow + delete
        let (_, lines) = run(&mut ed, b"infx\x7fo status\x01 \x05 x\x17\x1b[D\x1b[3~\n");
        assert_eq!(lines, [" info status"]);
        // history: up recalls, down past the end clears
        let (_, lines) = run(&mut ed, b"stop\n\x1b[A\x1b[A\n\x1b[A\x1b[B\x1b[Bcont\n");
        assert_eq!(lines, ["stop", " info status", "cont"]);
        // over-long lines stop growing
        let long = vec![b'a'; BUF_SIZE + 10];
        let (_, lines) = run(&mut ed, &[&long[..], b"\n"].concat());
        assert_eq!(lines[0].len(), BUF_SIZE);
    }
}
