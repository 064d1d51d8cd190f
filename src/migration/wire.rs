//! Little-endian encoding helpers for migration section payloads: an append-only
//! encoder and a bounds-checked decoder whose every read can fail (truncated or
//! corrupted payloads become errors, never panics).

/// Appends values to a payload.
#[derive(Debug, Default)]
pub struct Enc {
    pub buf: Vec<u8>,
}

impl Enc {
    pub fn new() -> Enc {
        Enc::default()
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub fn bool(&mut self, v: bool) -> &mut Self {
        self.u8(v as u8)
    }
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.u64(v as u64)
    }
    pub fn u128(&mut self, v: u128) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Length-prefixed bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.u32(v.len() as u32);
        self.buf.extend_from_slice(v);
        self
    }
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
    pub fn opt_u64(&mut self, v: Option<u64>) -> &mut Self {
        match v {
            Some(x) => self.u8(1).u64(x),
            None => self.u8(0),
        }
    }
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
}

/// Reads values from a payload; `what` names the payload in error messages.
#[derive(Debug)]
pub struct Dec<'a> {
    data: &'a [u8],
    pos: usize,
    what: &'static str,
}

pub type DResult<T> = Result<T, String>;

impl<'a> Dec<'a> {
    pub fn new(data: &'a [u8], what: &'static str) -> Dec<'a> {
        Dec { data, pos: 0, what }
    }
    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }
    pub fn take(&mut self, n: usize) -> DResult<&'a [u8]> {
        if self.remaining() < n {
            return Err(format!(
                "{} section is too short ({} bytes, needs more than {})",
                self.what,
                self.data.len(),
                self.pos
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn arr<const N: usize>(&mut self) -> DResult<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    pub fn u8(&mut self) -> DResult<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn bool(&mut self) -> DResult<bool> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(format!("{} section: bad boolean {v}", self.what)),
        }
    }
    pub fn u16(&mut self) -> DResult<u16> {
        Ok(u16::from_le_bytes(self.arr()?))
    }
    pub fn u32(&mut self) -> DResult<u32> {
        Ok(u32::from_le_bytes(self.arr()?))
    }
    pub fn u64(&mut self) -> DResult<u64> {
        Ok(u64::from_le_bytes(self.arr()?))
    }
    pub fn i64(&mut self) -> DResult<i64> {
        Ok(self.u64()? as i64)
    }
    pub fn u128(&mut self) -> DResult<u128> {
        Ok(u128::from_le_bytes(self.arr()?))
    }
    pub fn bytes(&mut self) -> DResult<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub fn string(&mut self) -> DResult<String> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| format!("{} section: bad UTF-8 text", self.what))
    }
    pub fn opt_u64(&mut self) -> DResult<Option<u64>> {
        Ok(if self.bool()? {
            Some(self.u64()?)
        } else {
            None
        })
    }
    /// A count of items that each take at least `min_size` bytes (rejects counts
    /// the payload cannot hold, so corrupted counts never allocate much).
    pub fn count(&mut self, min_size: usize) -> DResult<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size.max(1)) > self.remaining() {
            return Err(format!(
                "{} section: count {n} exceeds the payload",
                self.what
            ));
        }
        Ok(n)
    }
    /// Fails unless the payload was consumed exactly.
    pub fn finish(&self) -> DResult<()> {
        if self.remaining() != 0 {
            return Err(format!(
                "{} section has {} unexpected trailing bytes",
                self.what,
                self.remaining()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_truncation() {
        let mut e = Enc::new();
        e.u8(1).u64(2).str("x").u128(3).opt_u64(Some(4));
        let mut d = Dec::new(&e.buf, "test");
        assert_eq!(d.u8().unwrap(), 1);
        assert_eq!(d.u64().unwrap(), 2);
        assert_eq!(d.string().unwrap(), "x");
        assert_eq!(d.u128().unwrap(), 3);
        assert_eq!(d.opt_u64().unwrap(), Some(4));
        d.finish().unwrap();
        let mut d = Dec::new(&e.buf[..5], "test");
        d.u8().unwrap();
        assert!(d.u64().is_err());
    }
}
