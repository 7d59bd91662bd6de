//! [`LineMap`]: the line table of one file, compact because a monorepo report holds tens of
//! millions of lines.

use std::collections::BTreeMap;

use super::coverage::{Branches, LineRecord, LineState};

const NO_BRANCHES: u32 = u32::MAX;
/// Hit counts at or above this are kept in `LineMap::big_hits` (rare: counters past 4·10⁹).
const BIG_HITS: u32 = u32::MAX;

/// Header word of a branch block: the kind in the top two bits, the branch count below.
const TAG_SHIFT: u32 = 30;
const LEN_MASK: u32 = (1 << TAG_SHIFT) - 1;
/// `[header, high, ids × len, taken bits]`: ids `high << 32 | id`, sorted, unique. LCOV ids of
/// one line share their upper half (the block), so 4 bytes per id suffice.
const TAG_IDENTIFIED: u32 = 0;
/// `[header, (low, high) × len, taken bits]`: ids that do not share an upper half.
const TAG_WIDE: u32 = 1;
/// `[header, covered, total]`.
const TAG_COUNTED: u32 = 2;
/// `[header, first]`: ids `first, first + 1, …` below 2^32, at most `RUN_MAX` of them, with the
/// length in bits 25..30 of the header and the taken bits below. The common LCOV line (block 0,
/// branches 0..n) in 8 bytes instead of 12 + 4 per branch.
const TAG_RUN: u32 = 3;
const RUN_MAX: usize = 25;
const RUN_LEN_SHIFT: u32 = 25;
const RUN_BITS: u32 = (1 << RUN_LEN_SHIFT) - 1;

/// One line of the table: 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    line: u32,
    /// Hits, or `BIG_HITS` with the count in `big_hits`.
    hits: u32,
    /// Start of the line's block in `words`, or `NO_BRANCHES`.
    branch: u32,
}

/// Branch data of one line, as stored in `LineMap::words`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    Counted {
        covered: u32,
        total: u32,
    },
    /// Ids `first + k` for `k < len`; taken bits in the header word at `at`.
    Run {
        at: usize,
        first: u32,
        len: usize,
    },
    /// `len` ids from word `ids` (one word each, or two when `high` is `None`), then the taken
    /// bits from word `taken`.
    Ids {
        ids: usize,
        len: usize,
        high: Option<u32>,
        taken: usize,
    },
}

/// The first id of `b` when `b` fits a [`TAG_RUN`] block: 1 to `RUN_MAX` consecutive ids below
/// 2^32.
fn run_start(b: &[(u64, bool)]) -> Option<u32> {
    let first = u32::try_from(b.first()?.0).ok()?;
    let consecutive = b
        .iter()
        .enumerate()
        .all(|(k, x)| x.0 == u64::from(first) + k as u64);
    (b.len() <= RUN_MAX && consecutive && u32::try_from(b.last()?.0).is_ok()).then_some(first)
}

/// Words of taken bits for `len` branches.
fn bit_words(len: usize) -> usize {
    len.div_ceil(32)
}

/// Line number → [`LineRecord`], sorted by line: the line model of one file.
///
/// A monorepo report holds tens of millions of lines, so the records dominate memory and the
/// cost of allocating and freeing them: a file's table is two allocations, a row per line
/// (line, hits, branch block: 12 bytes) and one word array holding every branchy line's block
/// (8 bytes for the usual run of consecutive ids, else 4 bytes per id and one bit per branch
/// taken), instead of ~80 bytes per line and a `Vec` per branchy line in a `BTreeMap`. Reads
/// return records by value ([`LineMap::get`], [`LineMap::iter`]).
#[derive(Default)]
pub struct LineMap {
    rows: Vec<Row>,
    words: Vec<u32>,
    /// Line → hits for counts that do not fit `Row::hits`.
    big_hits: BTreeMap<u32, u64>,
}

impl LineMap {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(super) fn index_of(&self, line: u32) -> Result<usize, usize> {
        // Parsers add lines in ascending order: check the end first.
        match self.rows.last() {
            Some(last) if last.line < line => Err(self.rows.len()),
            None => Err(0),
            _ => self.rows.binary_search_by_key(&line, |r| r.line),
        }
    }

    pub fn contains_key(&self, line: &u32) -> bool {
        self.index_of(*line).is_ok()
    }

    fn hits_at(&self, i: usize) -> u64 {
        let row = self.rows[i];
        match row.hits {
            BIG_HITS => self.big_hits.get(&row.line).copied().unwrap_or(u64::MAX),
            h => u64::from(h),
        }
    }

    fn set_hits(&mut self, i: usize, hits: u64) {
        let line = self.rows[i].line;
        match u32::try_from(hits) {
            Ok(h) if h != BIG_HITS => {
                self.rows[i].hits = h;
                if !self.big_hits.is_empty() {
                    self.big_hits.remove(&line);
                }
            }
            _ => {
                self.rows[i].hits = BIG_HITS;
                self.big_hits.insert(line, hits);
            }
        }
    }

    /// The block starting at word `at`.
    fn block(&self, at: u32) -> Block {
        let at = at as usize;
        let header = self.words[at];
        let len = (header & LEN_MASK) as usize;
        match header >> TAG_SHIFT {
            TAG_IDENTIFIED => Block::Ids {
                ids: at + 2,
                len,
                high: Some(self.words[at + 1]),
                taken: at + 2 + len,
            },
            TAG_WIDE => Block::Ids {
                ids: at + 1,
                len,
                high: None,
                taken: at + 1 + 2 * len,
            },
            TAG_COUNTED => Block::Counted {
                covered: self.words[at + 1],
                total: self.words[at + 2],
            },
            _ => Block::Run {
                at,
                first: self.words[at + 1],
                len: ((header & LEN_MASK) >> RUN_LEN_SHIFT) as usize,
            },
        }
    }

    fn taken_bit(&self, taken: usize, k: usize) -> bool {
        self.words[taken + k / 32] >> (k % 32) & 1 == 1
    }

    /// The `k`-th id of an identified block.
    fn id_at(&self, ids: usize, high: Option<u32>, k: usize) -> u64 {
        match high {
            Some(h) => u64::from(h) << 32 | u64::from(self.words[ids + k]),
            None => {
                u64::from(self.words[ids + 2 * k]) | u64::from(self.words[ids + 2 * k + 1]) << 32
            }
        }
    }

    /// The identified branches of a block (empty for a counted one).
    fn identified_at(&self, block: Block) -> Vec<(u64, bool)> {
        match block {
            Block::Counted { .. } => Vec::new(),
            Block::Run { at, first, len } => (0..len)
                .map(|k| (u64::from(first) + k as u64, self.words[at] >> k & 1 == 1))
                .collect(),
            Block::Ids {
                ids,
                len,
                high,
                taken,
            } => (0..len)
                .map(|k| (self.id_at(ids, high, k), self.taken_bit(taken, k)))
                .collect(),
        }
    }

    /// `(covered, total)` of a block.
    fn counts_at(&self, block: Block) -> (u32, u32) {
        match block {
            Block::Counted { covered, total } => (covered, total),
            Block::Run { at, len, .. } => (
                (self.words[at] & RUN_BITS).count_ones(),
                u32::try_from(len).unwrap_or(u32::MAX),
            ),
            Block::Ids { len, taken, .. } => {
                // Bits past `len` in the last word are always zero.
                let c: u32 = self.words[taken..taken + bit_words(len)]
                    .iter()
                    .map(|w| w.count_ones())
                    .sum();
                (c, u32::try_from(len).unwrap_or(u32::MAX))
            }
        }
    }

    /// Appends a block for a sorted, unique identified set and returns where it starts.
    fn store_identified(&mut self, b: &[(u64, bool)]) -> u32 {
        let at = self.next_block();
        let len = u32::try_from(b.len()).unwrap_or(u32::MAX);
        if len > LEN_MASK {
            // Over 10⁹ branches on one line (more input than any real report): keep the
            // counts, which is all the line state needs.
            let covered = u32::try_from(b.iter().filter(|x| x.1).count()).unwrap_or(u32::MAX);
            self.words.extend([TAG_COUNTED << TAG_SHIFT, covered, len]);
            return at;
        }
        let high = b.first().map_or(0, |x| x.0 >> 32);
        if let Some(first) = run_start(b) {
            let taken = b
                .iter()
                .enumerate()
                .fold(0, |bits, (k, x)| bits | u32::from(x.1) << k);
            self.words
                .push(TAG_RUN << TAG_SHIFT | len << RUN_LEN_SHIFT | taken);
            self.words.push(first);
            return at;
        }
        if b.iter().all(|x| x.0 >> 32 == high) {
            self.words.push(TAG_IDENTIFIED << TAG_SHIFT | len);
            self.words.push(u32::try_from(high).unwrap_or(u32::MAX));
            // Truncation keeps the lower half on purpose; the upper half is `high`.
            #[expect(clippy::cast_possible_truncation, reason = "lower 32 bits")]
            self.words.extend(b.iter().map(|x| x.0 as u32));
        } else {
            self.words.push(TAG_WIDE << TAG_SHIFT | len);
            #[expect(clippy::cast_possible_truncation, reason = "split into two halves")]
            self.words
                .extend(b.iter().flat_map(|x| [x.0 as u32, (x.0 >> 32) as u32]));
        }
        self.push_taken_bits(b.iter().map(|x| x.1));
        at
    }

    fn push_taken_bits(&mut self, taken: impl Iterator<Item = bool>) {
        let mut word = 0u32;
        let mut n = 0;
        for t in taken {
            word |= u32::from(t) << (n % 32);
            n += 1;
            if n % 32 == 0 {
                self.words.push(word);
                word = 0;
            }
        }
        if n % 32 != 0 {
            self.words.push(word);
        }
    }

    /// Where the next appended block starts.
    fn next_block(&self) -> u32 {
        // A file with 4·10⁹ words of branch data would need far more input than any report.
        u32::try_from(self.words.len()).unwrap_or(NO_BRANCHES - 1)
    }

    fn branches_at(&self, i: usize) -> Option<Branches> {
        match self.rows[i].branch {
            NO_BRANCHES => None,
            s => Some(match self.block(s) {
                Block::Counted { covered, total } => Branches::Counted { covered, total },
                block => Branches::Identified(self.identified_at(block)),
            }),
        }
    }

    fn record_at(&self, i: usize) -> LineRecord {
        LineRecord {
            hits: self.hits_at(i),
            branches: self.branches_at(i),
        }
    }

    /// State (docs/coverage.md#line-states) of the line at index `i`, without building its record.
    fn state_at(&self, i: usize) -> LineState {
        self.row_state(self.rows[i])
    }

    fn row_state(&self, row: Row) -> LineState {
        if row.hits == 0 {
            return LineState::Miss;
        }
        let (covered, total) = match row.branch {
            NO_BRANCHES => return LineState::Hit,
            s => {
                // The usual block first, without decoding it: a run's header holds it all.
                let header = self.words[s as usize];
                if header >> TAG_SHIFT == TAG_RUN {
                    let len = (header & LEN_MASK) >> RUN_LEN_SHIFT;
                    ((header & RUN_BITS).count_ones(), len)
                } else {
                    self.counts_at(self.block(s))
                }
            }
        };
        if total > 0 && covered < total {
            LineState::Partial
        } else {
            LineState::Hit
        }
    }

    /// The record of `line`, if the line is coverable.
    pub fn get(&self, line: &u32) -> Option<LineRecord> {
        self.index_of(*line).ok().map(|i| self.record_at(i))
    }

    /// The state (docs/coverage.md#line-states) of `line`, if coverable (cheaper than `get(..).state()`).
    pub fn state(&self, line: u32) -> Option<LineState> {
        self.index_of(line).ok().map(|i| self.state_at(i))
    }

    /// `(line, record)` in ascending line order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, LineRecord)> + '_ {
        (0..self.rows.len()).map(|i| (self.rows[i].line, self.record_at(i)))
    }

    /// `(line, state)` in ascending line order, without building records.
    pub fn states(&self) -> impl Iterator<Item = (u32, LineState)> + '_ {
        self.rows.iter().map(|r| (r.line, self.row_state(*r)))
    }

    /// `(line, hits)` in ascending line order.
    pub fn hits(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        (0..self.rows.len()).map(|i| (self.rows[i].line, self.hits_at(i)))
    }

    pub fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.iter().map(|r| r.line)
    }

    pub fn values(&self) -> impl Iterator<Item = LineRecord> + '_ {
        (0..self.rows.len()).map(|i| self.record_at(i))
    }

    /// Adds a record for `line`, merging with one already there (hits add up, branches unite).
    pub fn add(&mut self, line: u32, record: &LineRecord) {
        let i = match self.index_of(line) {
            Ok(i) => {
                let hits = self.hits_at(i).saturating_add(record.hits);
                self.set_hits(i, hits);
                i
            }
            Err(i) => {
                // Out-of-order lines shift the rows; parsers add in ascending order, so this
                // stays rare (Cobertura classes listing one file twice, merges).
                self.rows.insert(
                    i,
                    Row {
                        line,
                        hits: 0,
                        branch: NO_BRANCHES,
                    },
                );
                self.set_hits(i, record.hits);
                i
            }
        };
        match &record.branches {
            None => {}
            Some(Branches::Identified(b)) => self.unite_identified(i, b),
            Some(theirs @ Branches::Counted { .. }) => {
                let merged = match self.branches_at(i) {
                    Some(mut mine) => {
                        mine.merge(theirs);
                        mine
                    }
                    None => theirs.clone(),
                };
                self.set_branches(i, &merged);
            }
        }
    }

    pub(super) fn unite_identified(&mut self, i: usize, theirs: &[(u64, bool)]) {
        let mut mine = match self.branches_at(i) {
            Some(b) => b,
            None => return self.push_identified(i, theirs),
        };
        mine.merge(&Branches::Identified(theirs.to_vec()));
        self.set_branches(i, &mine);
    }

    /// Stores a new identified set for line `i` at the end of the branch words.
    fn push_identified(&mut self, i: usize, branches: &[(u64, bool)]) {
        let sorted_unique = branches.windows(2).all(|w| w[0].0 < w[1].0);
        if !sorted_unique {
            return self.set_branches(i, &Branches::identified(branches.to_vec()));
        }
        self.rows[i].branch = self.store_identified(branches);
    }

    fn set_branches(&mut self, i: usize, branches: &Branches) {
        let old = match self.rows[i].branch {
            NO_BRANCHES => None,
            s => Some((s as usize, self.block(s))),
        };
        match branches {
            Branches::Counted { covered, total } => {
                if let Some((at, Block::Counted { .. })) = old {
                    self.words[at + 1] = *covered;
                    self.words[at + 2] = *total;
                    return;
                }
                let at = self.next_block();
                self.words
                    .extend([TAG_COUNTED << TAG_SHIFT, *covered, *total]);
                self.rows[i].branch = at;
            }
            Branches::Identified(b) => {
                // Same ids as before (the usual merge): overwrite the taken bits in place; else
                // append (the old block becomes unused, which only merges of differing reports
                // cause).
                if let Some((_, Block::Run { at, first, len })) = old {
                    if len == b.len() && run_start(b) == Some(first) {
                        let taken = b
                            .iter()
                            .enumerate()
                            .fold(0, |bits, (k, x)| bits | u32::from(x.1) << k);
                        self.words[at] = self.words[at] & !RUN_BITS | taken;
                        return;
                    }
                }
                if let Some((
                    _,
                    Block::Ids {
                        ids,
                        len,
                        high,
                        taken,
                    },
                )) = old
                {
                    if len == b.len()
                        && b.iter()
                            .enumerate()
                            .all(|(k, y)| self.id_at(ids, high, k) == y.0)
                    {
                        for (k, y) in b.iter().enumerate() {
                            let (w, bit) = (taken + k / 32, 1u32 << (k % 32));
                            if y.1 {
                                self.words[w] |= bit;
                            } else {
                                self.words[w] &= !bit;
                            }
                        }
                        return;
                    }
                }
                self.rows[i].branch = self.store_identified(b);
            }
        }
    }

    /// Removes every line, keeping the allocated capacity for reuse.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.words.clear();
        self.big_hits.clear();
    }

    pub fn shrink_to_fit(&mut self) {
        self.rows.shrink_to_fit();
        self.words.shrink_to_fit();
    }
}

impl Clone for LineMap {
    fn clone(&self) -> Self {
        LineMap {
            rows: self.rows.clone(),
            words: self.words.clone(),
            big_hits: self.big_hits.clone(),
        }
    }
}

/// Equal when the records are: the storage layout (unused spans after merges) does not count.
impl PartialEq for LineMap {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for LineMap {}

impl std::fmt::Debug for LineMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a LineMap {
    type Item = (u32, LineRecord);
    type IntoIter = Box<dyn Iterator<Item = (u32, LineRecord)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl FromIterator<(u32, LineRecord)> for LineMap {
    fn from_iter<I: IntoIterator<Item = (u32, LineRecord)>>(iter: I) -> Self {
        let mut m = LineMap::default();
        for (line, record) in iter {
            m.add(line, &record);
        }
        m
    }
}
