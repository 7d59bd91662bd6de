//! Patch coverage: the coverable `+` lines of the change, by state (docs/coverage.md#patch-lines).

use crate::git::{ChangeSet, FileStatus};
use crate::model::{CoverageReport, LineState, Totals};

use super::CountingRules;

/// Patch coverage of one changed file that has at least one coverable added line.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchFile {
    pub path: String,
    pub old_path: Option<String>,
    pub status: FileStatus,
    pub totals: Totals,
    pub hit_lines: Vec<u32>,
    pub missed_lines: Vec<u32>,
    pub partial_lines: Vec<u32>,
}

impl PatchFile {
    /// Missed and partial lines, ascending: "lines missing coverage".
    pub fn missing_lines(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self
            .missed_lines
            .iter()
            .chain(&self.partial_lines)
            .copied()
            .collect();
        all.sort_unstable();
        all
    }
}

/// Patch coverage of the whole change.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatchCoverage {
    pub totals: Totals,
    /// Changed files with at least one coverable added line, sorted by path.
    pub files: Vec<PatchFile>,
    /// Changed files with added lines that no report mentions, sorted.
    pub not_measured: Vec<String>,
}

impl PatchCoverage {
    /// Intersects the change set with the (merged, path-mapped) head report.
    pub fn compute(change: &ChangeSet, head: &CoverageReport, rules: CountingRules) -> Self {
        let mut out = PatchCoverage::default();
        for changed in &change.files {
            if changed.status == FileStatus::Deleted
                || changed.binary
                || changed.added_lines.is_empty()
            {
                continue;
            }
            let Some(file) = head.files.get(&changed.path) else {
                out.not_measured.push(changed.path.clone());
                continue;
            };
            let mut pf = PatchFile {
                path: changed.path.clone(),
                old_path: changed.old_path.clone(),
                status: changed.status,
                totals: Totals::default(),
                hit_lines: Vec::new(),
                missed_lines: Vec::new(),
                partial_lines: Vec::new(),
            };
            for line in &changed.added_lines {
                let Some(state) = file.lines.state(*line) else {
                    continue;
                };
                let state = rules.count(state);
                pf.totals.add(state);
                match state {
                    LineState::Hit => pf.hit_lines.push(*line),
                    LineState::Miss => pf.missed_lines.push(*line),
                    LineState::Partial => pf.partial_lines.push(*line),
                }
            }
            if pf.totals.lines > 0 {
                for v in [
                    &mut pf.hit_lines,
                    &mut pf.missed_lines,
                    &mut pf.partial_lines,
                ] {
                    v.sort_unstable();
                    v.dedup();
                }
                out.totals += pf.totals;
                out.files.push(pf);
            }
        }
        out.files.sort_by(|a, b| a.path.cmp(&b.path));
        out.not_measured.sort();
        out.not_measured.dedup();
        out
    }
}
