//! The symbol table of one assembly: labels, `.set` values, numeric local labels
//! (`1:` / `1b` / `1f`), deferred expressions, and expression lookups through it.

use super::expr::{self, SymEnv, SymState, Val};
use super::object::{SymDef, Symbol};
use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct SymTab {
    pub syms: Vec<Symbol>,
    pub by_name: HashMap<String, u32>,
    /// Definitions seen so far of each numeric local label.
    pub local_counts: HashMap<u64, u32>,
    /// Counter for helper symbols of `.`.
    pub dot_count: u32,
}

/// Name used internally for instance `n` of numeric label `d`.
pub fn local_name(d: u64, n: u32) -> String {
    format!(".L{d}\u{2}{n}")
}

impl SymTab {
    /// The id of `name`, creating an undefined symbol if needed.
    pub fn id(&mut self, name: &str) -> u32 {
        // LAS compatibility: a leading `$` is not part of the name.
        let name = name
            .strip_prefix('$')
            .filter(|n| !n.is_empty())
            .unwrap_or(name);
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = self.syms.len() as u32;
        let temp = name.starts_with(".L") || name.contains('\u{2}');
        self.syms.push(Symbol {
            name: name.to_string(),
            def: SymDef::Undefined,
            global: false,
            weak: false,
            ty: Default::default(),
            size: None,
            temp,
            used: false,
        });
        self.by_name.insert(name.to_string(), i);
        i
    }

    /// Resolves `Nb` / `Nf` references to the internal name; other names unchanged.
    pub fn resolve_name(&self, name: &str) -> String {
        let b = name.as_bytes();
        if b.len() >= 2 && b[..b.len() - 1].iter().all(|c| c.is_ascii_digit()) {
            if let Ok(d) = name[..name.len() - 1].parse::<u64>() {
                let n = self.local_counts.get(&d).copied().unwrap_or(0);
                match b[b.len() - 1] {
                    b'b' => return local_name(d, n),
                    b'f' => return local_name(d, n + 1),
                    _ => {}
                }
            }
        }
        name.to_string()
    }

    pub fn get(&self, id: u32) -> &Symbol {
        &self.syms[id as usize]
    }

    pub fn get_mut(&mut self, id: u32) -> &mut Symbol {
        &mut self.syms[id as usize]
    }
}

/// Expression environment over a symbol table plus the current location.
pub struct Env<'a> {
    pub tab: &'a mut SymTab,
    pub section: u32,
    pub offset: i64,
    pub depth: u32,
}

impl Env<'_> {
    fn state(&mut self, id: u32) -> SymState {
        let def = self.tab.syms[id as usize].def.clone();
        match def {
            SymDef::Undefined => SymState::Undefined { sym: id },
            SymDef::Abs(v) => SymState::Const { value: v, sym: id },
            SymDef::Label { section, offset } => SymState::Label {
                sym: id,
                section,
                offset: offset as i64,
            },
            SymDef::Deferred(e, _) => {
                if self.depth > 32 {
                    return SymState::Undefined { sym: id };
                }
                self.depth += 1;
                let r = expr::eval(&e, self);
                self.depth -= 1;
                match r {
                    Ok(Val::Const(v)) => SymState::Const { value: v, sym: id },
                    Ok(Val::Rel {
                        at: Some((section, offset)),
                        addend,
                        kind: e2k_isa::encode::SymKind::Abs,
                        ..
                    }) => SymState::Label {
                        sym: id,
                        section,
                        offset: offset + addend,
                    },
                    _ => SymState::Undefined { sym: id },
                }
            }
        }
    }
}

impl SymEnv for Env<'_> {
    fn lookup(&mut self, name: &str) -> SymState {
        let real = self.tab.resolve_name(name);
        let id = self.tab.id(&real);
        self.state(id)
    }

    fn dot(&mut self) -> (u32, i64, u32) {
        self.tab.dot_count += 1;
        let name = format!(".L.dot\u{2}{}", self.tab.dot_count);
        let id = self.tab.id(&name);
        self.tab.syms[id as usize].def = SymDef::Label {
            section: self.section,
            offset: self.offset as u64,
        };
        (self.section, self.offset, id)
    }
}
