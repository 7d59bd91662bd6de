//! The one computed view model per command; every renderer reads only these.

use std::path::PathBuf;

use crate::formats::Format;
use crate::model::Totals;
use crate::paths::Unmatched;

use super::{GateOutcome, PatchCoverage, ProjectCoverage};

/// A report file that went into the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub path: PathBuf,
    pub format: Format,
}

/// Everything `prcov diff` (and the coverage half of `publish`) shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffSummary {
    /// Merge-base sha.
    pub base: String,
    pub head: String,
    pub patch: PatchCoverage,
    pub project: Totals,
    /// Project totals of the base report, when one was given.
    pub base_project: Option<Totals>,
    pub unmatched: Vec<Unmatched>,
    pub gates: Vec<GateOutcome>,
    pub reports: Vec<ReportInput>,
    /// Things skipped or repaired while reading, one sentence each.
    pub warnings: Vec<String>,
    /// The comparison with the baseline record, when history was asked for.
    pub history: Option<crate::history::compare::HistoryView>,
}

impl DiffSummary {
    /// The commit the project delta is taken against: the baseline record's commit when history
    /// found one (it may be an ancestor of the merge-base), else the merge-base.
    pub fn delta_base(&self) -> &str {
        self.history
            .as_ref()
            .and_then(|h| h.baseline.commit.as_deref())
            .unwrap_or(&self.base)
    }

    /// project(head) − project(base), unrounded; `None` without a base report or coverable lines.
    pub fn delta(&self) -> Option<f64> {
        Some(self.project.percent()? - self.base_project?.percent()?)
    }

    pub fn passed(&self) -> bool {
        self.gates.iter().all(|g| g.passed)
    }
}

/// Everything `prcov report` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSummary {
    pub project: ProjectCoverage,
    pub base_project: Option<Totals>,
    pub unmatched: Vec<Unmatched>,
    pub gates: Vec<GateOutcome>,
    pub reports: Vec<ReportInput>,
    pub warnings: Vec<String>,
}

impl ReportSummary {
    pub fn delta(&self) -> Option<f64> {
        Some(self.project.totals.percent()? - self.base_project?.percent()?)
    }

    pub fn passed(&self) -> bool {
        self.gates.iter().all(|g| g.passed)
    }
}
