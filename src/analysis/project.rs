//! Project coverage: totals over every mapped record, per file and per directory.

use std::collections::BTreeMap;

use crate::model::{CoverageReport, Totals};

use super::CountingRules;

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
        let mut out = ProjectCoverage::default();
        for (path, file) in &report.files {
            let mut t = Totals::default();
            for (_, state) in file.lines.states() {
                t.add(rules.count(state));
            }
            out.totals += t;
            out.files.push((path.clone(), t));
        }
        out
    }

    /// Totals per directory (every ancestor directory of every file; `.` for top-level files),
    /// sorted by path.
    pub fn directories(&self) -> Vec<DirectoryTotals> {
        let mut dirs: BTreeMap<String, Totals> = BTreeMap::new();
        for (path, t) in &self.files {
            let mut parts: Vec<&str> = path.split('/').collect();
            parts.pop();
            if parts.is_empty() {
                *dirs.entry(".".to_owned()).or_default() += *t;
            }
            for i in 1..=parts.len() {
                *dirs.entry(parts[..i].join("/")).or_default() += *t;
            }
        }
        dirs.into_iter()
            .map(|(path, totals)| DirectoryTotals { path, totals })
            .collect()
    }
}
