//! Analysis: patch coverage (changed ∩ measured), project totals and delta, gates.
//!
//! Input: a merged, path-mapped [`CoverageReport`](crate::model::CoverageReport) and a
//! [`ChangeSet`](crate::git::ChangeSet). Output: the view models that every renderer reads.

pub mod gates;
pub mod monorepo;
pub mod patch;
pub mod percent;
pub mod project;
pub mod summary;
pub mod test_summary;

pub use gates::{Gate, GateKind, GateOutcome};
pub use patch::{PatchCoverage, PatchFile};
pub use percent::{Percent, Round};
pub use project::{DirectoryTotals, ProjectCoverage};
pub use summary::{
    ChosenRevision, DiffSummary, LinkStyle, Outcome, ReportInput, ReportSummary, Revisions,
    SourceLinks,
};

use crate::model::{LineRecord, LineState};

/// How line states are counted (`--partials-as-hits`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountingRules {
    pub partials_as_hits: bool,
}

impl CountingRules {
    pub fn state(self, record: &LineRecord) -> LineState {
        self.count(record.state())
    }

    /// The state a line counts as, from its state (docs/coverage.md#line-states).
    pub fn count(self, state: LineState) -> LineState {
        match state {
            LineState::Partial if self.partials_as_hits => LineState::Hit,
            s => s,
        }
    }
}
