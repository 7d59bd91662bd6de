//! Writers: one coverage report (often a merge of several) as LCOV or Cobertura XML.
//!
//! The output is what code hosts and independent tools read (GitLab's MR coverage and
//! GitHub's code-quality views read Cobertura; `lcov`/`genhtml` read LCOV). Writers never
//! compute coverage states themselves beyond what the format needs: each line's hits and
//! branch counts come straight from the model, so parsing the output gives the same lines,
//! hits and branch counts back (branch identities are renumbered per line).

use std::io::Write;

use crate::model::CoverageReport;

pub mod cobertura;
pub mod lcov;

pub use cobertura::write_cobertura;
pub use lcov::write_lcov;

/// A format prcov writes (`prcov convert --to`, `prcov merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WriteFormat {
    Lcov,
    Cobertura,
}

impl WriteFormat {
    pub fn name(self) -> &'static str {
        match self {
            WriteFormat::Lcov => "lcov",
            WriteFormat::Cobertura => "cobertura",
        }
    }
}

impl std::fmt::Display for WriteFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Writes `report` in the format `to`.
pub fn write(report: &CoverageReport, to: WriteFormat, w: impl Write) -> std::io::Result<()> {
    match to {
        WriteFormat::Lcov => write_lcov(report, w),
        WriteFormat::Cobertura => write_cobertura(report, w),
    }
}

/// The branch outcomes of a record as `taken` flags in id order (identified), or `covered`
/// taken ones followed by the rest (counted: which ones were taken is not known).
pub(crate) fn branch_flags(b: &crate::model::Branches) -> Vec<bool> {
    match b {
        crate::model::Branches::Identified(list) => list.iter().map(|(_, t)| *t).collect(),
        crate::model::Branches::Counted { covered, total } => {
            (0..*total).map(|i| i < *covered).collect()
        }
    }
}
