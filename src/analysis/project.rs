//! Project coverage: totals over every mapped record, per file and per directory.

use std::collections::BTreeMap;

use crate::model::{CoverageReport, Totals};

use super::CountingRules;

/// From this many files on, `compute` counts on two threads.
const PARALLEL_FILES: usize = 2_000;

/// Totals of one directory (all files below it, recursively).
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryTotals {
    pub path: String,
    pub totals: Totals,
}

/// Whole-project coverage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProjectCoverage {
    pub totals: Totals,
    /// Per file, sorted by path.
    pub files: Vec<(String, Totals)>,
}

impl ProjectCoverage {
    pub fn compute(report: &CoverageReport, rules: CountingRules) -> Self {
        let files: Vec<_> = report.files.iter().collect();
        let count = |part: &[(&String, &crate::model::FileCoverage)]| -> Vec<(String, Totals)> {
            part.iter()
                .map(|(path, file)| {
                    let mut t = Totals::default();
                    for (_, state) in file.lines.states() {
                        t.add(rules.count(state));
                    }
                    ((*path).clone(), t)
                })
                .collect()
        };
        // A monorepo report has 100,000 files: the second half is counted on another core.
        let files = if files.len() >= PARALLEL_FILES {
            let (first, second) = files.split_at(files.len() / 2);
            let (rest, mut out) = crate::threads::both(|| count(second), || count(first));
            out.extend(rest);
            out
        } else {
            count(&files)
        };
        let mut totals = Totals::default();
        for (_, t) in &files {
            totals += *t;
        }
        ProjectCoverage { totals, files }
    }

    /// Totals per directory (every ancestor directory of every file; `.` for top-level files),
    /// sorted by path.
    pub fn directories(&self) -> Vec<DirectoryTotals> {
        let mut dirs: BTreeMap<String, Totals> = BTreeMap::new();
        for (path, t) in &self.files {
            let mut top_level = true;
            // Each ancestor is a prefix of the path; a String only for a directory not seen yet.
            for (slash, _) in path.match_indices('/') {
                top_level = false;
                match dirs.get_mut(&path[..slash]) {
                    Some(totals) => *totals += *t,
                    None => {
                        dirs.insert(path[..slash].to_owned(), *t);
                    }
                }
            }
            if top_level {
                *dirs.entry(".".to_owned()).or_default() += *t;
            }
        }
        dirs.into_iter()
            .map(|(path, totals)| DirectoryTotals { path, totals })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineRecord;

    /// `n` files over a few directories; file `i` has `i % 7 + 1` lines, every third one missed.
    fn report(n: usize) -> CoverageReport {
        let mut report = CoverageReport::default();
        for i in 0..n {
            let path = format!("svc{}/src/f{i:05}.c", i % 3);
            let file = report.file_mut(&path);
            for line in 1..=(i % 7 + 1) as u32 {
                file.add_line(line, LineRecord::new(u64::from(line % 3 != 0)));
            }
        }
        report
    }

    #[test]
    fn two_threads_count_what_one_counts() {
        let n = PARALLEL_FILES + 5;
        let big = ProjectCoverage::compute(&report(n), CountingRules::default());
        assert_eq!(big.files.len(), n);
        // Sorted by path, as the report's map is.
        assert!(big.files.windows(2).all(|w| w[0].0 < w[1].0));
        let expected_lines: u64 = (0..n).map(|i| (i % 7 + 1) as u64).sum();
        let expected_misses: u64 = (0..n).map(|i| ((i % 7 + 1) / 3) as u64).sum();
        assert_eq!(big.totals.lines, expected_lines);
        assert_eq!(big.totals.misses, expected_misses);
        assert_eq!(big.totals.hits, expected_lines - expected_misses);
        let per_file: u64 = big.files.iter().map(|(_, t)| t.lines).sum();
        assert_eq!(per_file, expected_lines);
    }

    #[test]
    fn directories_add_up_every_ancestor() {
        let mut report = CoverageReport::default();
        for (path, lines) in [("top.c", 1), ("a/b/x.c", 2), ("a/y.c", 3), ("/abs/z.c", 4)] {
            let file = report.file_mut(path);
            for line in 1..=lines {
                file.add_line(line, LineRecord::new(1));
            }
        }
        let dirs = ProjectCoverage::compute(&report, CountingRules::default()).directories();
        let lines: Vec<(&str, u64)> = dirs
            .iter()
            .map(|d| (d.path.as_str(), d.totals.lines))
            .collect();
        assert_eq!(
            lines,
            [("", 4), (".", 1), ("/abs", 4), ("a", 5), ("a/b", 2)]
        );
    }
}
