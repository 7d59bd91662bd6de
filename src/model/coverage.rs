//! Coverage of files by line, with branch coverage where the format has it.
//!
//! Merging follows docs/coverage.md#merging: hits add up, taken branches unite. The same rule serves several
//! records of one line inside a report and several reports of one project.

use std::collections::BTreeMap;

use serde::Serialize;

pub use super::line_map::LineMap;

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
        assert_eq!(f.lines.get(&3).unwrap().hits, u64::MAX);
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
