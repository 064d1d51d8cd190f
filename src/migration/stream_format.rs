//! The e2kemu migration stream: `MAGIC`, a format version, then sections. Each
//! section is `id:u8 len:u32 payload crc32:u32` (the CRC covers id, length and
//! payload). The last section is END, whose payload holds the CRC of every byte
//! before it and the number of sections, so a stream cut at a section boundary or
//! with a section dropped is caught too. All integers are little-endian.

use std::io::Read;

pub const MAGIC: &[u8; 8] = b"E2KMIGR\n";
/// Stream format version written and accepted by this build (2: the signals
/// section carries every pending signal's siginfo, the process section the
/// `-seed` generator and a system call the guest waits in).
pub const VERSION: u32 = 2;
/// Largest section payload accepted (page batches are far smaller).
pub const MAX_SECTION: usize = 16 << 20;
/// Guest page size carried in the header.
pub const PAGE_SIZE: usize = 4096;

pub const SEC_HEADER: u8 = 1;
pub const SEC_LAYOUT: u8 = 2;
pub const SEC_PAGES: u8 = 3;
pub const SEC_PASS: u8 = 4;
pub const SEC_CPU: u8 = 16;
pub const SEC_SIGNALS: u8 = 17;
pub const SEC_FDS: u8 = 18;
pub const SEC_PROCESS: u8 = 19;
pub const SEC_END: u8 = 0xff;

/// Name of a section id for messages.
pub fn section_name(id: u8) -> String {
    match id {
        SEC_HEADER => "header".into(),
        SEC_LAYOUT => "layout".into(),
        SEC_PAGES => "ram pages".into(),
        SEC_PASS => "pass".into(),
        SEC_CPU => "cpu".into(),
        SEC_SIGNALS => "signals".into(),
        SEC_FDS => "file descriptors".into(),
        SEC_PROCESS => "process".into(),
        SEC_END => "end".into(),
        other => format!("unknown ({other})"),
    }
}

/// Builds the bytes of a stream; keeps the running CRC for the END section.
#[derive(Debug)]
pub struct StreamWriter {
    crc: crc32fast::Hasher,
    sections: u64,
    pub bytes: u64,
}

impl Default for StreamWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamWriter {
    pub fn new() -> StreamWriter {
        StreamWriter {
            crc: crc32fast::Hasher::new(),
            sections: 0,
            bytes: 0,
        }
    }

    fn put(&mut self, out: &mut Vec<u8>, b: &[u8]) {
        self.crc.update(b);
        self.bytes += b.len() as u64;
        out.extend_from_slice(b);
    }

    /// The magic and the format version.
    pub fn start(&mut self, version: u32, out: &mut Vec<u8>) {
        self.put(out, MAGIC);
        self.put(out, &version.to_le_bytes());
    }

    /// One section (payload at most MAX_SECTION bytes).
    pub fn section(&mut self, id: u8, payload: &[u8], out: &mut Vec<u8>) {
        let mut h = crc32fast::Hasher::new();
        let mut head = [0u8; 5];
        head[0] = id;
        head[1..].copy_from_slice(&(payload.len() as u32).to_le_bytes());
        h.update(&head);
        h.update(payload);
        let c = h.finalize();
        self.put(out, &head);
        self.put(out, payload);
        self.put(out, &c.to_le_bytes());
        self.sections += 1;
    }

    /// The END section.
    pub fn end(&mut self, out: &mut Vec<u8>) {
        let total = self.crc.clone().finalize();
        let mut p = Vec::with_capacity(12);
        p.extend_from_slice(&total.to_le_bytes());
        p.extend_from_slice(&self.sections.to_le_bytes());
        self.section(SEC_END, &p, out);
    }
}

/// Reads sections from a byte source, checking lengths and CRCs.
pub struct StreamReader<R: Read> {
    src: R,
    crc: crc32fast::Hasher,
    pub offset: u64,
    pub sections: u64,
    pub version: u32,
}

impl<R: Read> StreamReader<R> {
    pub fn new(src: R) -> StreamReader<R> {
        StreamReader {
            src,
            crc: crc32fast::Hasher::new(),
            offset: 0,
            sections: 0,
            version: 0,
        }
    }

    /// Reads exactly `buf.len()` bytes; `what` says where in the stream we are.
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<(), String> {
        let mut got = 0;
        while got < buf.len() {
            match self.src.read(&mut buf[got..]) {
                Ok(0) => {
                    return Err(format!(
                        "the stream ended early (truncated at byte {}, inside {what})",
                        self.offset + got as u64
                    ))
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(format!(
                        "read error at byte {} ({what}): {}",
                        self.offset + got as u64,
                        super::transport::io_error_text(&e)
                    ))
                }
            }
        }
        self.offset += buf.len() as u64;
        Ok(())
    }

    /// Checks the magic and the version.
    pub fn read_start(&mut self) -> Result<u32, String> {
        let mut m = [0u8; 12];
        self.fill(&mut m, "the stream header")?;
        self.crc.update(&m);
        if &m[..8] != MAGIC {
            return Err("not an e2kemu migration stream (bad magic)".into());
        }
        let v = u32::from_le_bytes([m[8], m[9], m[10], m[11]]);
        if v != VERSION {
            return Err(format!(
                "unsupported migration stream version {v} (this e2kemu reads version {VERSION})"
            ));
        }
        self.version = v;
        Ok(v)
    }

    /// The next section: (id, payload). The END section is checked here too.
    pub fn next_section(&mut self) -> Result<(u8, Vec<u8>), String> {
        let start = self.offset;
        let total_before = self.crc.clone().finalize();
        let mut head = [0u8; 5];
        self.fill(&mut head, "a section header")?;
        let id = head[0];
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
        if len > MAX_SECTION {
            return Err(format!(
                "section at byte {start} has an impossible length {len} (corrupted stream)"
            ));
        }
        let mut payload = vec![0u8; len];
        let name = section_name(id);
        self.fill(&mut payload, &format!("the {name} section"))?;
        let mut c = [0u8; 4];
        self.fill(&mut c, &format!("the {name} section checksum"))?;
        let mut h = crc32fast::Hasher::new();
        h.update(&head);
        h.update(&payload);
        if h.finalize() != u32::from_le_bytes(c) {
            return Err(format!(
                "checksum mismatch in the {name} section at byte {start} (corrupted stream)"
            ));
        }
        self.crc.update(&head);
        self.crc.update(&payload);
        self.crc.update(&c);
        if id == SEC_END {
            if payload.len() != 12 {
                return Err("bad end section (corrupted stream)".into());
            }
            let total = u32::from_le_bytes([payload[0], payload[1], payload[2], payload[3]]);
            let mut n = [0u8; 8];
            n.copy_from_slice(&payload[4..12]);
            let count = u64::from_le_bytes(n);
            if total != total_before || count != self.sections {
                return Err(format!(
                    "stream checksum mismatch at the end marker ({} sections read, {count} sent)",
                    self.sections
                ));
            }
        }
        self.sections += 1;
        Ok((id, payload))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = StreamWriter::new();
        let mut out = Vec::new();
        w.start(VERSION, &mut out);
        w.section(SEC_HEADER, b"hello", &mut out);
        w.section(SEC_PASS, &[1, 0, 0, 0], &mut out);
        w.end(&mut out);
        out
    }

    #[test]
    fn reads_back() {
        let s = sample();
        let mut r = StreamReader::new(&s[..]);
        r.read_start().unwrap();
        assert_eq!(r.next_section().unwrap(), (SEC_HEADER, b"hello".to_vec()));
        assert_eq!(r.next_section().unwrap().0, SEC_PASS);
        assert_eq!(r.next_section().unwrap().0, SEC_END);
    }

    #[test]
    fn every_corruption_and_cut_is_caught() {
        let s = sample();
        for i in 0..s.len() {
            let mut c = s.clone();
            c[i] ^= 0x40;
            let mut r = StreamReader::new(&c[..]);
            let res = r.read_start().and_then(|_| loop {
                let (id, _) = r.next_section()?;
                if id == SEC_END {
                    break Ok(());
                }
            });
            assert!(res.is_err(), "flip at {i} not caught");
            let mut r = StreamReader::new(&s[..i]);
            let res = r.read_start().and_then(|_| loop {
                let (id, _) = r.next_section()?;
                if id == SEC_END {
                    break Ok(());
                }
            });
            assert!(res.is_err(), "cut at {i} not caught");
        }
    }
}
