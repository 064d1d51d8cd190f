//! Long literal placement: every literal of a wide instruction gets a list of candidate
//! (size, position) cells; an exhaustive search picks the assignment occupying the
//! numerically smallest set of LTS half-syllables, sharing halves with equal contents —
//! the same choice MCST as makes.

use super::operand::{Value, LIT_CELLS};

/// One candidate cell: `size` in half-syllables (1, 2 or 4) starting at column `pos`
/// (col 2k = LTSk.lo, 2k+1 = LTSk.hi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub size: u8,
    pub pos: u8,
}

/// A literal to place.
#[derive(Debug, Clone)]
pub struct Literal {
    pub value: Value,
    pub cells: Vec<Cell>,
    /// Count used for ordering (differs from `cells.len()` only for the degenerate
    /// "no legal cell" case, which MCST as resolves with leftover data; see `degenerate`).
    pub sort_count: usize,
    /// Chosen cell after placement.
    pub chosen: Option<Cell>,
}

impl Literal {
    /// A literal with candidate rows `min_row..=max_row` and columns `min_col..=max_col`.
    pub fn new(value: Value, min_row: u8, max_row: u8, min_col: u8, max_col: u8) -> Literal {
        const CONV: [u8; 8] = [1, 0, 3, 2, 4, 5, 6, 7];
        let mut cells = Vec::new();
        for row in min_row..=max_row.min(2) {
            for col in min_col..=max_col.min(7) {
                // 16-bit literals prefer the high half unless one exact half was named.
                let k = if row == 0 && min_col != max_col {
                    CONV[col as usize]
                } else {
                    col
                };
                if LIT_CELLS[row as usize][k as usize] {
                    cells.push(Cell {
                        size: 1 << row,
                        pos: k,
                    });
                }
            }
        }
        let sort_count = cells.len();
        Literal {
            value,
            cells,
            sort_count,
            chosen: None,
        }
    }

    /// A literal with exactly one cell.
    pub fn fixed(value: Value, size: u8, pos: u8) -> Literal {
        Literal {
            value,
            cells: vec![Cell { size, pos }],
            sort_count: 1,
            chosen: None,
        }
    }

    /// The 16-bit piece `k` (0 = lowest) of the value, for constants.
    pub fn chunk(&self, k: u8) -> u16 {
        match self.value {
            Value::Const(v) => ((v as u64) >> (16 * k as u32)) as u16,
            _ => 0,
        }
    }
}

/// The first candidate cell of the most recent literal in each literal slot of earlier
/// wide instructions. MCST as keeps its literal table between wide instructions and,
/// when a literal has no legal cell at all (`_f16s,_lts2`, `_f64,_lts3`), silently uses
/// the stale first cell of that slot; this history reproduces that.
pub type LitHistory = [Cell; 8];

/// The history before any literal was seen.
pub const EMPTY_HISTORY: LitHistory = [Cell { size: 0, pos: 0 }; 8];

/// Bit of the occupancy mask for column `col`: bit 2k = LTSk.hi, bit 2k+1 = LTSk.lo.
fn col_bit(col: u8) -> u32 {
    1 << (((col >> 1) << 1) + 1 - (col & 1))
}

/// Owner of a half-syllable: (literal index, piece index).
pub type HalfOwner = Option<(usize, u8)>;

fn same_piece(lits: &[Literal], owner: (usize, u8), lit: usize, piece: u8) -> bool {
    let a = &lits[owner.0];
    let b = &lits[lit];
    match (a.value, b.value) {
        (Value::Const(_), Value::Const(_)) => a.chunk(owner.1) == b.chunk(piece),
        (
            Value::Sym {
                sym: s1,
                addend: a1,
                kind: k1,
            },
            Value::Sym {
                sym: s2,
                addend: a2,
                kind: k2,
            },
        ) => s1 == s2 && a1 == a2 && k1 == k2 && owner.1 == piece,
        _ => false,
    }
}

struct Search<'a> {
    lits: &'a [Literal],
    order: Vec<usize>,
    halves: [HalfOwner; 8],
    busy: u32,
    current: Vec<usize>,
    best: Option<(u32, Vec<usize>)>,
}

impl Search<'_> {
    fn try_place(&mut self, lit: usize, cell: Cell) -> Option<([HalfOwner; 8], u32)> {
        let saved = (self.halves, self.busy);
        for i in 0..cell.size {
            let col = cell.pos + i;
            if col >= 8 {
                return None;
            }
            if let Some(owner) = self.halves[col as usize] {
                if !same_piece(self.lits, owner, lit, i) {
                    return None;
                }
            }
        }
        for i in 0..cell.size {
            let col = (cell.pos + i) as usize;
            if self.halves[col].is_none() {
                self.halves[col] = Some((lit, i));
                self.busy |= col_bit(col as u8);
            }
        }
        Some(saved)
    }

    fn run(&mut self, depth: usize) {
        // Occupancy only grows, so a branch already at or above the best mask is dead.
        if self.best.as_ref().is_some_and(|(m, _)| self.busy >= *m) {
            return;
        }
        if depth == self.order.len() {
            let better = match &self.best {
                Some((m, _)) => self.busy < *m,
                None => true,
            };
            if better {
                self.best = Some((self.busy, self.current.clone()));
            }
            return;
        }
        let lit = self.order[depth];
        for ci in 0..self.lits[lit].cells.len() {
            let cell = self.lits[lit].cells[ci];
            if let Some((halves, busy)) = self.try_place(lit, cell) {
                self.current.push(ci);
                self.run(depth + 1);
                self.current.pop();
                self.halves = halves;
                self.busy = busy;
            }
        }
    }
}

/// Places all literals. Returns the LTS half owners (index = column) or `None` when the
/// literals do not fit.
pub fn place(lits: &mut [Literal]) -> Option<[HalfOwner; 8]> {
    let mut order: Vec<usize> = (0..lits.len()).collect();
    // Fewer candidates first, then larger sizes first, then creation order.
    order.sort_by(|&a, &b| {
        let (la, lb) = (&lits[a], &lits[b]);
        la.sort_count
            .cmp(&lb.sort_count)
            .then_with(|| {
                for i in 0..la.sort_count.min(la.cells.len()).min(lb.cells.len()) {
                    let c = lb.cells[i].size.cmp(&la.cells[i].size);
                    if c != std::cmp::Ordering::Equal {
                        return c;
                    }
                }
                std::cmp::Ordering::Equal
            })
            .then(a.cmp(&b))
    });
    let mut s = Search {
        lits,
        order,
        halves: [None; 8],
        busy: 0,
        current: Vec::new(),
        best: None,
    };
    s.run(0);
    let (_, choice) = s.best?;
    let order = s.order;
    // Final placement in sorted order.
    let mut halves: [HalfOwner; 8] = [None; 8];
    for (depth, &lit) in order.iter().enumerate() {
        let cell = lits[lit].cells[choice[depth]];
        lits[lit].chosen = Some(cell);
        for i in 0..cell.size {
            let col = (cell.pos + i) as usize;
            if col < 8 && halves[col].is_none() {
                halves[col] = Some((lit, i));
            }
        }
    }
    Some(halves)
}

/// Number of LTS syllables used by the placed halves.
pub fn lts_count(halves: &[HalfOwner; 8]) -> usize {
    (0..8)
        .rev()
        .find(|&c| halves[c].is_some())
        .map(|c| 1 + c / 2)
        .unwrap_or(0)
}

/// The src2 byte referring to a placed literal cell.
pub fn src2_byte(cell: Cell) -> u8 {
    let lts = cell.pos / 2;
    let hi = cell.pos & 1 == 1;
    match cell.size {
        1 => 0xd0 | if lts == 1 { 1 } else { 0 } | if hi { 4 } else { 0 },
        2 => 0xd8 | lts,
        _ => 0xdc | lts,
    }
}

/// The src2 byte of a `_litNN_ref,_ltsN` reference, or None if the position is invalid
/// for that size.
pub fn ref_byte(row: u8, col: u8) -> Option<u8> {
    match row {
        0 if col <= 3 => {
            Some(0xd0 | if col & 2 != 0 { 1 } else { 0 } | if col & 1 != 0 { 4 } else { 0 })
        }
        1 if col & 1 == 0 && col <= 6 => Some(0xd8 | (col >> 1)),
        2 if col & 1 == 0 && col <= 4 => Some(0xdc | (col >> 1)),
        _ => None,
    }
}
