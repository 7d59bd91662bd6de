//! Coverage of files by line, with branch coverage where the format has it.
//!
//! Merging follows docs/coverage.md#merging: hits add up, taken branches unite. The same rule serves several
//! records of one line inside a report and several reports of one project.

use std::collections::BTreeMap;

use serde::Serialize;

/// What a coverable line is (docs/coverage.md#line-states).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineState {
    /// Executed, and every branch on it taken (or it has none).
    Hit,
    /// Not executed.
    Miss,
    /// Executed, with at least one branch not taken (including `0/b`: it ran, none taken).
    Partial,
}

/// Branch coverage of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Branches {
    /// Each branch has an identity (LCOV `BRDA` block and branch), so records unite exactly.
    /// Sorted by id, ids unique; `true` = taken at least once.
    Identified(Vec<(u64, bool)>),
    /// Only counts are known (Cobertura `condition-coverage`, JaCoCo `mb`/`cb`, Clover).
    Counted { covered: u32, total: u32 },
}

impl Branches {
    /// Builds an identified set from unsorted `(id, taken)` pairs, uniting duplicates.
    pub fn identified(mut branches: Vec<(u64, bool)>) -> Self {
        branches.sort_unstable_by_key(|b| b.0);
        branches.dedup_by(|later, kept| {
            if later.0 == kept.0 {
                kept.1 |= later.1;
                true
            } else {
                false
            }
        });
        Branches::Identified(branches)
    }

    /// Branches taken at least once.
    pub fn covered(&self) -> u32 {
        match self {
            Branches::Identified(b) => {
                u32::try_from(b.iter().filter(|b| b.1).count()).unwrap_or(u32::MAX)
            }
            Branches::Counted { covered, .. } => *covered,
        }
    }

    /// All branches of the line.
    pub fn total(&self) -> u32 {
        match self {
            Branches::Identified(b) => u32::try_from(b.len()).unwrap_or(u32::MAX),
            Branches::Counted { total, .. } => *total,
        }
    }

    /// Unites the taken branches of two records of the same line.
    ///
    /// With identities on both sides the union is exact. With counts only, the union cannot be
    /// known; the larger coverage is kept (what Codecov does for `a/b` branch strings), which never
    /// claims more branches were taken than some single record saw.
    pub fn merge(&mut self, other: &Branches) {
        match (&mut *self, other) {
            (Branches::Identified(mine), Branches::Identified(theirs)) => {
                let mut all = std::mem::take(mine);
                all.extend_from_slice(theirs);
                *self = Branches::identified(all);
            }
            _ => {
                let total = self.total().max(other.total());
                let covered = self.covered().max(other.covered()).min(total);
                *self = Branches::Counted { covered, total };
            }
        }
    }
}

/// One coverable line: how often it ran, and its branches where the format records them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineRecord {
    pub hits: u64,
    pub branches: Option<Branches>,
}

impl LineRecord {
    pub fn new(hits: u64) -> Self {
        LineRecord {
            hits,
            branches: None,
        }
    }

    /// docs/coverage.md#line-states: not executed → miss; executed with a branch not taken → partial; else hit.
    pub fn state(&self) -> LineState {
        if self.hits == 0 {
            return LineState::Miss;
        }
        match &self.branches {
            Some(b) if b.total() > 0 && b.covered() < b.total() => LineState::Partial,
            _ => LineState::Hit,
        }
    }

    /// Merges another record of the same line: hits add up, taken branches unite.
    pub fn merge(&mut self, other: &LineRecord) {
        self.hits = self.hits.saturating_add(other.hits);
        match (&mut self.branches, &other.branches) {
            (Some(mine), Some(theirs)) => mine.merge(theirs),
            (mine @ None, Some(theirs)) => *mine = Some(theirs.clone()),
            (_, None) => {}
        }
    }
}

/// A function (or method) record, where the format has one. Informational: functions never
/// count toward line coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub line: u32,
    pub hits: u64,
}

/// Coverage of one source file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileCoverage {
    /// Line number (≥ 1) → record. Lines without a record are not coverable.
    pub lines: LineMap,
    pub functions: Vec<Function>,
}

impl FileCoverage {
    /// Adds a record for `line`, merging with one already there.
    pub fn add_line(&mut self, line: u32, record: LineRecord) {
        self.lines.add(line, &record);
    }

    /// Unites identified branches `(id, taken)` into the record of `line`, if the line has one.
    /// Returns false when the line has no record (the caller decides what an orphan branch means).
    /// Saves building a [`LineRecord`] per branchy line on the parsers' hot path.
    pub fn add_identified_branches(&mut self, line: u32, branches: &[(u64, bool)]) -> bool {
        match self.lines.index_of(line) {
            Ok(i) => {
                self.lines.unite_identified(i, branches);
                true
            }
            Err(_) => false,
        }
    }

    pub fn merge(&mut self, other: &FileCoverage) {
        for (line, record) in &other.lines {
            self.add_line(line, record);
        }
        self.functions.extend(other.functions.iter().cloned());
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for (_, state) in self.lines.states() {
            t.add(state);
        }
        t
    }

    /// Releases the spare capacity left by growing; parsers call it when a file is complete.
    pub fn shrink_to_fit(&mut self) {
        self.lines.shrink_to_fit();
        self.functions.shrink_to_fit();
    }
}

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
/// taken), instead of ~80 bytes per line and a `Vec` per branchy line in a `BTreeMap`. Reads return records by value ([`LineMap::get`],
/// [`LineMap::iter`]); indexing (`lines[&n]`, for tests) materializes all records once.
#[derive(Default)]
pub struct LineMap {
    rows: Vec<Row>,
    words: Vec<u32>,
    /// Line → hits for counts that do not fit `Row::hits`.
    big_hits: BTreeMap<u32, u64>,
    /// Records for `Index`, built on first use and dropped on any change.
    materialized: std::sync::OnceLock<Vec<LineRecord>>,
}

impl LineMap {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn index_of(&self, line: u32) -> Result<usize, usize> {
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
        self.materialized = std::sync::OnceLock::new();
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

    fn unite_identified(&mut self, i: usize, theirs: &[(u64, bool)]) {
        self.materialized = std::sync::OnceLock::new();
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
        self.materialized = std::sync::OnceLock::new();
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
            materialized: std::sync::OnceLock::new(),
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

impl std::ops::Index<&u32> for LineMap {
    type Output = LineRecord;

    /// The record of `line`; panics when the line has no record, like `BTreeMap`'s index.
    fn index(&self, line: &u32) -> &LineRecord {
        let all = self.materialized.get_or_init(|| self.values().collect());
        match self.index_of(*line) {
            Ok(i) => &all[i],
            Err(_) => panic!("line {line} has no record"),
        }
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

/// A whole coverage report: files keyed by the path as the report wrote it (or, after path
/// mapping, by repository path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CoverageReport {
    pub files: BTreeMap<String, FileCoverage>,
    /// Cobertura `<source>` roots, in document order; other formats leave it empty.
    pub source_roots: Vec<String>,
}

impl CoverageReport {
    /// The file entry for `path`, created empty if absent. Several entries for one path merge.
    pub fn file_mut(&mut self, path: &str) -> &mut FileCoverage {
        if !self.files.contains_key(path) {
            self.files.insert(path.to_owned(), FileCoverage::default());
        }
        self.files.get_mut(path).expect("inserted above")
    }

    /// Merges another report, taking its files by value: a file this report lacks is moved in,
    /// not copied, so merging into an empty report costs nothing (the common single-report case).
    pub fn merge_owned(&mut self, other: CoverageReport) {
        if self.files.is_empty() {
            // Taking the whole map skips a search per file (116k paths in a monorepo report).
            self.files = other.files;
        } else {
            for (path, file) in other.files {
                self.add_file(path, file);
            }
        }
        for root in other.source_roots {
            if !self.source_roots.contains(&root) {
                self.source_roots.push(root);
            }
        }
    }

    /// Adds a file's coverage under `path`, moving it in, or merging with an entry already there.
    pub fn add_file(&mut self, path: String, file: FileCoverage) {
        match self.files.entry(path) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(file);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => o.get_mut().merge(&file),
        }
    }

    /// Merges another report (shards, languages, jobs) per file and line.
    pub fn merge(&mut self, other: &CoverageReport) {
        for (path, file) in &other.files {
            self.file_mut(path).merge(file);
        }
        for root in &other.source_roots {
            if !self.source_roots.contains(root) {
                self.source_roots.push(root.clone());
            }
        }
    }

    /// Drops the report on another thread, so that the caller goes on meanwhile.
    ///
    /// A monorepo report is millions of allocations spread over a heap of hundreds of
    /// megabytes; freeing them in path order costs about a tenth of `prcov report` on 1 GB of
    /// LCOV. A small report is dropped here: a thread would cost more.
    pub fn drop_in_background(self) {
        if self.files.len() < 1000 {
            return;
        }
        // If no thread can be started, the closure and the report are dropped right here.
        let _ = std::thread::Builder::new()
            .name("prcov-free".into())
            .spawn(move || drop(self));
    }

    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for file in self.files.values() {
            t += file.totals();
        }
        t
    }
}

/// Line counts by state, and the percentage (docs/coverage.md#percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub lines: u64,
    pub hits: u64,
    pub misses: u64,
    pub partials: u64,
}

impl Totals {
    pub fn add(&mut self, state: LineState) {
        self.lines += 1;
        match state {
            LineState::Hit => self.hits += 1,
            LineState::Miss => self.misses += 1,
            LineState::Partial => self.partials += 1,
        }
    }

    /// `100 × hits / lines`; `None` when nothing is coverable ("coverage not affected").
    #[expect(
        clippy::cast_precision_loss,
        reason = "line counts stay far below 2^52"
    )]
    pub fn percent(&self) -> Option<f64> {
        (self.lines > 0).then(|| 100.0 * self.hits as f64 / self.lines as f64)
    }

    /// Lines missing coverage: misses and partials.
    pub fn missing(&self) -> u64 {
        self.misses + self.partials
    }
}

impl std::ops::AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        self.lines += o.lines;
        self.hits += o.hits;
        self.misses += o.misses;
        self.partials += o.partials;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_state_follows_spec() {
        assert_eq!(LineRecord::new(0).state(), LineState::Miss);
        assert_eq!(LineRecord::new(3).state(), LineState::Hit);
        let partial = LineRecord {
            hits: 1,
            branches: Some(Branches::Counted {
                covered: 1,
                total: 2,
            }),
        };
        assert_eq!(partial.state(), LineState::Partial);
        let none_taken = LineRecord {
            hits: 1,
            branches: Some(Branches::Counted {
                covered: 0,
                total: 2,
            }),
        };
        assert_eq!(none_taken.state(), LineState::Partial);
        let not_run = LineRecord {
            hits: 0,
            branches: Some(Branches::Counted {
                covered: 0,
                total: 2,
            }),
        };
        assert_eq!(not_run.state(), LineState::Miss);
    }

    #[test]
    fn identified_branches_unite() {
        let mut a = LineRecord {
            hits: 1,
            branches: Some(Branches::identified(vec![(0, true), (1, false)])),
        };
        let b = LineRecord {
            hits: 2,
            branches: Some(Branches::identified(vec![(1, true), (0, false)])),
        };
        assert_eq!(a.state(), LineState::Partial);
        a.merge(&b);
        assert_eq!(a.hits, 3);
        assert_eq!(a.state(), LineState::Hit);
    }

    #[test]
    fn line_map_keeps_order_big_counts_and_unites_branches() {
        let mut f = FileCoverage::default();
        f.add_line(10, LineRecord::new(1));
        f.add_line(3, LineRecord::new(u64::MAX - 1));
        f.add_line(7, LineRecord::new(0));
        f.add_line(3, LineRecord::new(5)); // saturates
        assert_eq!(f.lines.keys().collect::<Vec<_>>(), vec![3, 7, 10]);
        assert_eq!(f.lines[&3].hits, u64::MAX);
        assert!(f.add_identified_branches(10, &[(2, false), (1, true)]));
        assert!(!f.add_identified_branches(11, &[(0, true)]));
        assert_eq!(f.lines.state(10), Some(LineState::Partial));
        assert!(f.add_identified_branches(10, &[(2, true), (4, true)]));
        assert_eq!(
            f.lines.get(&10).and_then(|r| r.branches),
            Some(Branches::Identified(vec![(1, true), (2, true), (4, true)]))
        );
        assert_eq!(f.lines.state(10), Some(LineState::Hit));
        // Ids that differ in their upper half take the wide columns.
        f.add_line(12, LineRecord::new(1));
        assert!(f.add_identified_branches(12, &[(1, true), (5 << 40, false)]));
        assert_eq!(
            f.lines.get(&12).and_then(|r| r.branches),
            Some(Branches::Identified(vec![(1, true), (5 << 40, false)]))
        );
        assert_eq!(f.lines.state(12), Some(LineState::Partial));
        f.add_line(12, LineRecord::new(0));
        assert!(f.add_identified_branches(12, &[(5 << 40, true)]));
        assert_eq!(f.lines.state(12), Some(LineState::Hit));
        f = FileCoverage {
            lines: f.lines.iter().filter(|(n, _)| *n != 12).collect(),
            functions: Vec::new(),
        };
        let t = f.totals();
        assert_eq!((t.lines, t.hits, t.misses, t.partials), (3, 2, 1, 0));
        let mut g = FileCoverage::default();
        g.add_line(
            7,
            LineRecord {
                hits: 2,
                branches: Some(Branches::Counted {
                    covered: 1,
                    total: 2,
                }),
            },
        );
        g.merge(&f);
        assert_eq!(g.lines.get(&7).map(|r| r.hits), Some(2));
        assert_eq!(g.lines.state(7), Some(LineState::Partial));
        assert_eq!(g.lines.len(), 3);
        assert_eq!(g.clone(), g);
    }

    /// Lines with more than one word of taken bits, merges that keep or change the ids, and
    /// counted branches replaced in place.
    #[test]
    fn line_map_branch_blocks_round_trip() {
        let mut f = FileCoverage::default();
        f.add_line(4, LineRecord::new(1));
        let first: Vec<(u64, bool)> = (0..40).map(|k| (7 << 32 | k, k % 3 == 0)).collect();
        assert!(f.add_identified_branches(4, &first));
        assert_eq!(
            f.lines.get(&4).and_then(|r| r.branches),
            Some(Branches::Identified(first.clone()))
        );
        let b = f.lines.get(&4).and_then(|r| r.branches).unwrap();
        assert_eq!((b.covered(), b.total()), (14, 40));
        // Same ids: the taken bits unite.
        let rest: Vec<(u64, bool)> = (0..40).map(|k| (7 << 32 | k, k % 3 != 0)).collect();
        assert!(f.add_identified_branches(4, &rest));
        assert_eq!(f.lines.state(4), Some(LineState::Hit));
        // A new id: the line gets a larger set.
        assert!(f.add_identified_branches(4, &[(7 << 32 | 99, false)]));
        let b = f.lines.get(&4).and_then(|r| r.branches).unwrap();
        assert_eq!((b.covered(), b.total()), (40, 41));
        assert_eq!(f.lines.state(4), Some(LineState::Partial));
        let counted = |covered, total| LineRecord {
            hits: 1,
            branches: Some(Branches::Counted { covered, total }),
        };
        f.add_line(9, counted(1, 4));
        f.add_line(9, counted(3, 4));
        f.add_line(2, counted(0, 0));
        assert_eq!(f.lines.keys().collect::<Vec<_>>(), vec![2, 4, 9]);
        assert_eq!(
            f.lines.get(&9),
            Some(LineRecord {
                hits: 2,
                branches: Some(Branches::Counted {
                    covered: 3,
                    total: 4
                })
            })
        );
        assert_eq!(f.lines.state(2), Some(LineState::Hit));
        assert_eq!(f.lines.get(&4).map(|r| r.hits), Some(1));
        // Consecutive small ids (the packed run), at and past its size limit, and in place.
        for (line, n) in [(20, 25u64), (21, 26)] {
            f.add_line(line, LineRecord::new(1));
            let set: Vec<(u64, bool)> = (0..n).map(|k| (1 << 30 | k, k != 3)).collect();
            assert!(f.add_identified_branches(line, &set));
            assert_eq!(f.lines.state(line), Some(LineState::Partial));
            assert!(f.add_identified_branches(line, &[(1 << 30 | 3, true)]));
            let b = f.lines.get(&line).and_then(|r| r.branches).unwrap();
            assert_eq!((b.covered(), b.total()), (n as u32, n as u32));
            assert_eq!(
                b,
                Branches::Identified((0..n).map(|k| (1 << 30 | k, true)).collect())
            );
        }
        assert!(f.add_identified_branches(20, &[(1 << 30 | 25, false)]));
        let b = f.lines.get(&20).and_then(|r| r.branches).unwrap();
        assert_eq!((b.covered(), b.total()), (25, 26));
    }

    #[test]
    fn percent_is_none_without_lines() {
        assert_eq!(Totals::default().percent(), None);
        let t = Totals {
            lines: 3,
            hits: 2,
            misses: 1,
            partials: 0,
        };
        assert!((t.percent().unwrap() - 66.666_666).abs() < 1e-3);
    }
}
