//! The one computed view model per command; every renderer reads only these.

use std::path::PathBuf;

use crate::formats::Format;
use crate::model::{Totals, Warning};
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
    /// Things skipped or repaired while reading.
    pub warnings: Vec<Warning>,
}

impl DiffSummary {
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
    pub warnings: Vec<Warning>,
}

impl ReportSummary {
    pub fn delta(&self) -> Option<f64> {
        Some(self.project.totals.percent()? - self.base_project?.percent()?)
    }

    pub fn passed(&self) -> bool {
        self.gates.iter().all(|g| g.passed)
    }
}
