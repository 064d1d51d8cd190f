//! The e2k assembler (`e2kemu-as`): MCST `as` syntax in, byte-identical wide
//! instructions out, as a relocatable ELF object or — linked statically — an executable
//! the emulator can load. Library entry points for in-memory use are here too.

mod assembler;
mod ctl;
mod directives;
mod elf_obj;
mod expr;
mod insn;
mod lexer;
mod link;
mod macros;
pub mod object;
mod source;
mod symbols;

pub use object::ObjFile;
pub use source::Source;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

/// A source position (file index into the assembly's file list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

/// An assembler diagnostic: `FILE:LINE:COL: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub msg: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.col, self.msg)
    }
}

impl std::error::Error for AsmError {}

impl AsmError {
    /// An error not tied to a source line (e.g. a link error).
    pub fn global(file: &str, msg: impl Into<String>) -> AsmError {
        AsmError {
            file: file.to_string(),
            line: 0,
            col: 0,
            msg: msg.into(),
        }
    }
}

/// Assembler options.
#[derive(Debug, Clone)]
pub struct AsmOptions {
    /// ISA version (`-mcpu=elbrus-vN`), 1..=7; default 2.
    pub version: u8,
    /// Machine number for ELF e_flags (CPU names map to specific machines).
    pub mach: u32,
    /// Set for CPU names that produce forward-incompatible objects.
    pub incompat: bool,
    /// `-I` directories for `.include`.
    pub include_dirs: Vec<PathBuf>,
    /// Implicit delays for braceless statements (`-no_strict_delay` clears it).
    pub strict_delay: bool,
    /// In-memory files `.include` may name.
    pub virtual_files: HashMap<String, String>,
    /// Entry symbol for linking.
    pub entry: String,
}

impl Default for AsmOptions {
    fn default() -> Self {
        AsmOptions {
            version: 2,
            mach: 2,
            incompat: false,
            include_dirs: Vec::new(),
            strict_delay: true,
            virtual_files: HashMap::new(),
            entry: "_start".into(),
        }
    }
}

impl AsmOptions {
    /// Options for ISA version `v`.
    pub fn for_version(v: u8) -> AsmOptions {
        AsmOptions {
            version: v,
            mach: v as u32,
            ..Default::default()
        }
    }

    /// Applies an `-mcpu=` name; false if unknown.
    pub fn set_cpu(&mut self, name: &str) -> bool {
        let (v, mach, incompat) = match name {
            "elbrus-v1" => (1, 1, false),
            "elbrus-v2" | "elbrus-2cm" => (2, 2, false),
            "elbrus-2c+" => (2, 2, true),
            "elbrus-v3" => (3, 3, false),
            "elbrus-4c" => (3, 3, true),
            "elbrus-v4" => (4, 4, false),
            "elbrus-8c" => (4, 19, true),
            "elbrus-1c+" => (4, 20, true),
            "elbrus-v5" => (5, 5, false),
            "elbrus-8c2" => (5, 5, true),
            "elbrus-v6" => (6, 6, false),
            "elbrus-12c" => (6, 21, true),
            "elbrus-16c" => (6, 22, true),
            "elbrus-2c3" => (6, 23, true),
            "elbrus-v7" => (7, 7, false),
            _ => return false,
        };
        self.version = v;
        self.mach = mach;
        self.incompat = incompat;
        true
    }

    /// ELF header flags of objects made with these options.
    pub fn e_flags(&self) -> u32 {
        (self.mach << 24)
            | if self.incompat {
                ::object::elf::EF_E2K_INCOMPAT
            } else {
                0
            }
    }
}

/// Result of assembling: the object and the warnings.
pub type AsmResult<T> = Result<(T, Vec<AsmError>), Vec<AsmError>>;

/// Assembles one source into an object (in memory).
pub fn assemble(src: &Source, opts: &AsmOptions) -> AsmResult<ObjFile> {
    let mut a = assembler::Assembler::new(opts);
    a.feed_source(src);
    a.finish().map_err(|(e, _)| e)
}

/// Assembles one source into relocatable ELF bytes.
pub fn assemble_to_object(src: &Source, opts: &AsmOptions) -> AsmResult<Vec<u8>> {
    let (obj, warnings) = assemble(src, opts)?;
    let bytes = elf_obj::write_object(&obj, &src.name)?;
    Ok((bytes, warnings))
}

/// Assembles every source and links one static executable (entry `_start`); returns
/// the ELF bytes.
pub fn assemble_to_executable(
    sources: &[Source],
    opts: &AsmOptions,
) -> Result<Vec<u8>, Vec<AsmError>> {
    let mut objs = Vec::new();
    let mut errors = Vec::new();
    for s in sources {
        match assemble(s, opts) {
            Ok((o, _)) => objs.push((s.name.clone(), o)),
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    link::link(&objs, opts)
}

/// A relocation left in a snippet (offset from the snippet start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnippetReloc {
    pub offset: u64,
    /// ELF relocation type.
    pub r_type: u32,
    /// Symbol name (`.text` for local labels of the text section).
    pub sym: String,
    pub addend: i64,
}

/// Output of `assemble_snippet`.
#[derive(Debug, Clone, Default)]
pub struct Snippet {
    /// `.text` bytes from the base address on.
    pub bytes: Vec<u8>,
    pub relocs: Vec<SnippetReloc>,
    pub warnings: Vec<AsmError>,
}

/// Assembles `text` as if its `.text` started at offset `base` of the section, with
/// extra local labels of `.text` at given offsets (e.g. `.Ltgt`). Returns the text bytes
/// and the relocations an object file would carry for them.
pub fn assemble_snippet(
    text: &str,
    opts: &AsmOptions,
    base: u64,
    text_labels: &[(&str, u64)],
) -> Result<Snippet, Vec<AsmError>> {
    SnippetSession::default().assemble(text, opts, base, text_labels)
}

/// Assembles several snippets as if they were consecutive parts of one source: state
/// that MCST as carries from one wide instruction to the next (its literal table) is
/// kept between calls.
#[derive(Debug, Clone)]
pub struct SnippetSession {
    history: e2k_isa::encode::LitHistory,
}

impl Default for SnippetSession {
    fn default() -> Self {
        SnippetSession {
            history: e2k_isa::encode::EMPTY_HISTORY,
        }
    }
}

impl SnippetSession {
    /// See [`assemble_snippet`].
    pub fn assemble(
        &mut self,
        text: &str,
        opts: &AsmOptions,
        base: u64,
        text_labels: &[(&str, u64)],
    ) -> Result<Snippet, Vec<AsmError>> {
        let mut a = assembler::Assembler::new(opts);
        a.lit_history = self.history;
        a.sections[0].origin = base;
        for (name, off) in text_labels {
            let id = a.syms.id(name);
            a.syms.get_mut(id).def = object::SymDef::Label {
                section: 0,
                offset: *off,
            };
        }
        a.feed_source(&Source::new("<snippet>", text));
        self.history = a.lit_history;
        let (obj, warnings) = a.finish().map_err(|(e, _)| e)?;
        let (data, relocs) = elf_obj::resolve_section(&obj, 0, "<snippet>")?;
        let relocs = relocs
            .into_iter()
            .map(|r| SnippetReloc {
                offset: r.offset - base,
                r_type: r.r_type,
                sym: match r.target {
                    elf_obj::RelTarget::Section(s) => obj.sections[s as usize].name.clone(),
                    elf_obj::RelTarget::Symbol(s) => obj.symbols[s as usize].name.clone(),
                },
                addend: r.addend,
            })
            .collect();
        Ok(Snippet {
            bytes: data,
            relocs,
            warnings,
        })
    }
}
