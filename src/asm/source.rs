//! Source files: names for error locations, in-memory sources, `.include` search
//! (directory of the including file, then `-I` directories).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A source given to the assembler: a name (for messages) and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads a file from disk.
    pub fn from_file(path: &Path) -> std::io::Result<Source> {
        let bytes = std::fs::read(path)?;
        Ok(Source {
            name: path.display().to_string(),
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

/// Known file names and the include search path.
#[derive(Debug, Default, Clone)]
pub struct FileSet {
    pub names: Vec<String>,
    pub include_dirs: Vec<PathBuf>,
    /// Extra in-memory files that `.include` may name (tests, library API).
    pub virtual_files: HashMap<String, String>,
}

impl FileSet {
    pub fn add_name(&mut self, name: &str) -> u32 {
        self.names.push(name.to_string());
        (self.names.len() - 1) as u32
    }

    pub fn name(&self, id: u32) -> &str {
        self.names
            .get(id as usize)
            .map(|s| s.as_str())
            .unwrap_or("?")
    }

    /// Reads `.incbin "name"` (same search as `.include`).
    pub fn load_bytes(&self, from: u32, name: &str) -> Option<Vec<u8>> {
        if let Some(t) = self.virtual_files.get(name) {
            return Some(t.as_bytes().to_vec());
        }
        self.candidates(from, name)
            .into_iter()
            .find(|c| c.is_file())
            .and_then(|c| std::fs::read(c).ok())
    }

    fn candidates(&self, from: u32, name: &str) -> Vec<PathBuf> {
        let mut cands = Vec::new();
        let p = Path::new(name);
        if p.is_absolute() {
            cands.push(p.to_path_buf());
        } else {
            if let Some(dir) = Path::new(self.name(from)).parent() {
                cands.push(dir.join(name));
            }
            for d in &self.include_dirs {
                cands.push(d.join(name));
            }
            cands.push(p.to_path_buf());
        }
        cands
    }

    /// Finds and reads `.include "name"` as seen from file `from`.
    pub fn load_include(&self, from: u32, name: &str) -> Option<Source> {
        if let Some(t) = self.virtual_files.get(name) {
            return Some(Source::new(name, t.clone()));
        }
        for c in self.candidates(from, name) {
            if c.is_file() {
                if let Ok(s) = Source::from_file(&c) {
                    return Some(s);
                }
            }
        }
        None
    }
}
