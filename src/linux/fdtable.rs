//! Guest file descriptors: a table mapping guest descriptor numbers to host
//! descriptors. Guest 0/1/2 start as the host's standard streams; closing them in
//! the guest only drops the mapping, so the emulator's own stderr stays usable.

use super::errno::{EBADF, EMFILE};
use super::host;

/// Highest number of guest descriptors (like RLIMIT_NOFILE).
pub const MAX_FDS: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FdEntry {
    pub host: i32,
    pub cloexec: bool,
    /// the host descriptor belongs to this entry (closed with it)
    owned: bool,
}

/// The guest descriptor table.
#[derive(Debug, Default)]
pub struct FdTable {
    slots: Vec<Option<FdEntry>>,
}

impl FdTable {
    /// A table with guest 0, 1, 2 mapped to the host's open standard descriptors.
    pub fn with_std() -> FdTable {
        let mut t = FdTable::default();
        for fd in 0..3 {
            if host::fcntl_int(fd, libc::F_GETFD, 0).is_ok() {
                t.put(fd as usize, fd, false, false);
            }
        }
        t
    }

    fn put(&mut self, g: usize, host: i32, cloexec: bool, owned: bool) {
        if self.slots.len() <= g {
            self.slots.resize(g + 1, None);
        }
        self.slots[g] = Some(FdEntry {
            host,
            cloexec,
            owned,
        });
    }

    /// Host descriptor of guest `fd`, or EBADF.
    pub fn host(&self, fd: i64) -> Result<i32, i32> {
        self.entry(fd).map(|e| e.host)
    }

    pub fn entry(&self, fd: i64) -> Result<FdEntry, i32> {
        if fd < 0 {
            return Err(EBADF);
        }
        self.slots.get(fd as usize).copied().flatten().ok_or(EBADF)
    }

    /// Installs an owned host descriptor at the lowest free guest number >= `min`.
    pub fn alloc(&mut self, host: i32, min: usize, cloexec: bool) -> Result<i32, i32> {
        let g = (min..MAX_FDS).find(|&i| !matches!(self.slots.get(i), Some(Some(_))));
        match g {
            Some(g) => {
                self.put(g, host, cloexec, true);
                Ok(g as i32)
            }
            None => {
                let _ = host::close(host);
                Err(EMFILE)
            }
        }
    }

    /// Installs an owned host descriptor at guest number `g`, closing what was there.
    pub fn install_at(&mut self, g: usize, host: i32, cloexec: bool) -> Result<(), i32> {
        if g >= MAX_FDS {
            let _ = host::close(host);
            return Err(EBADF);
        }
        let _ = self.close(g as i64);
        self.put(g, host, cloexec, true);
        Ok(())
    }

    /// Closes guest `fd`.
    pub fn close(&mut self, fd: i64) -> Result<(), i32> {
        let e = self.entry(fd)?;
        self.slots[fd as usize] = None;
        if e.owned {
            host::close(e.host)
        } else {
            Ok(())
        }
    }

    pub fn set_cloexec(&mut self, fd: i64, v: bool) -> Result<(), i32> {
        self.entry(fd)?;
        if let Some(Some(e)) = self.slots.get_mut(fd as usize) {
            e.cloexec = v;
        }
        Ok(())
    }

    /// All open guest descriptors with their host descriptors.
    pub fn iter(&self) -> impl Iterator<Item = (usize, FdEntry)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.map(|e| (i, e)))
    }
}

impl Drop for FdTable {
    fn drop(&mut self) {
        for e in self.slots.iter().flatten() {
            if e.owned {
                let _ = host::close(e.host);
            }
        }
    }
}
