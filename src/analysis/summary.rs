//! The one computed view model per command; every renderer reads only these.

use std::path::PathBuf;

use serde::Serialize;

use crate::formats::Format;
use crate::model::{Totals, Warning};
use crate::paths::Unmatched;

use super::{GateOutcome, PatchCoverage, ProjectCoverage};

/// A report file that went into the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    pub path: PathBuf,
    pub format: Format,
    /// The flags its coverage carries (`--flag`, `reports = [{ path, flags }]`).
    pub flags: Vec<String>,
}

/// A revision and where it came from (`--base`, prcov.toml, the CI event, the default branch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChosenRevision {
    /// As given: a sha, branch or other revision.
    pub rev: String,
    /// Where it came from, as a reader would say it.
    pub from: String,
}

impl ChosenRevision {
    pub fn new(rev: &str, from: &str) -> Self {
        ChosenRevision {
            rev: rev.to_owned(),
            from: from.to_owned(),
        }
    }
}

/// The revisions a command used. `report` and `tests` compare nothing: no base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Revisions {
    pub base: Option<ChosenRevision>,
    pub head: ChosenRevision,
}

/// What the coverage run measured; each is a distinct value of `outcome` in the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The reports measured files of the repository, and the change (for `diff`) is not empty.
    #[default]
    Measured,
    /// base = head, or no commit between the merge-base and head: nothing to measure.
    EmptyChange,
    /// No report path maps to a file of the repository (allowed by `--allow-nothing-measured`;
    /// otherwise exit 2).
    NoFileMatched,
    /// The reports hold no coverable line (allowed by `--allow-nothing-measured`).
    NoCoverableLine,
}

impl Outcome {
    /// The coverage half: no mapped file, or no coverable line (`NoFileMatched` wins).
    pub fn of_coverage(mapped_files: usize, coverable_lines: u64) -> Self {
        if mapped_files == 0 {
            Outcome::NoFileMatched
        } else if coverable_lines == 0 {
            Outcome::NoCoverableLine
        } else {
            Outcome::Measured
        }
    }
}

/// Which code host's URL scheme links to a file at a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStyle {
    /// `…/blob/<sha>/<path>#L10-L11`
    Github,
    /// `…/-/blob/<sha>/<path>#L10-11`
    Gitlab,
}

/// Where a reviewer sees the repository's files: its web page (from the CI environment), and
/// the host's URL scheme. Absent when unknown: files and lines are then plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLinks {
    /// `https://github.com/owner/name`, without a trailing slash.
    pub web_url: String,
    pub style: LinkStyle,
}

/// Everything `prcov diff` (and the coverage half of `publish`) shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffSummary {
    /// Merge-base sha.
    pub base: String,
    pub head: String,
    /// Where base and head came from; `None` with `--diff-file`.
    pub revisions: Option<Revisions>,
    /// Files in the change set (0: an empty change).
    pub changed_files: usize,
    pub outcome: Outcome,
    pub patch: PatchCoverage,
    pub project: Totals,
    /// Project totals of the base report, when one was given.
    pub base_project: Option<Totals>,
    pub unmatched: Vec<Unmatched>,
    pub gates: Vec<GateOutcome>,
    pub reports: Vec<ReportInput>,
    /// Things skipped or repaired while reading.
    pub warnings: Vec<Warning>,
    /// The comparison with the baseline record, when history was asked for.
    pub history: Option<crate::history::compare::HistoryView>,
    /// Links to files at the head commit, when the host's web address is known.
    pub links: Option<SourceLinks>,
    /// Totals per flag and per component; `None` when neither is used.
    pub monorepo: Option<super::monorepo::MonorepoView>,
    /// How its percentages are shown (`[display]`); the values themselves stay exact.
    pub percent: super::Percent,
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
    pub outcome: Outcome,
    /// The head whose files report paths map to, and where it came from (`None`: no repository).
    pub revisions: Option<Revisions>,
    pub project: ProjectCoverage,
    pub base_project: Option<Totals>,
    pub unmatched: Vec<Unmatched>,
    pub gates: Vec<GateOutcome>,
    pub reports: Vec<ReportInput>,
    pub warnings: Vec<Warning>,
    /// How its percentages are shown (`[display]`); the values themselves stay exact.
    pub percent: super::Percent,
}

impl ReportSummary {
    pub fn delta(&self) -> Option<f64> {
        Some(self.project.totals.percent()? - self.base_project?.percent()?)
    }

    pub fn passed(&self) -> bool {
        self.gates.iter().all(|g| g.passed)
    }
}
