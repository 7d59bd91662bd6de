//! Gates are data: `Vec<Gate>` in, `Vec<GateOutcome>` out, mapped to one exit code.

use serde::Serialize;

use crate::model::test_results::TestCounts;

use super::{DiffSummary, ReportSummary};

/// What a gate checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GateKind {
    /// `--fail-under-patch P`: patch percent ≥ P (a change with nothing coverable passes).
    Patch,
    /// `--fail-under-project P`: project percent ≥ P.
    Project,
    /// `--max-project-drop D`: project(head) − project(base) ≥ −D.
    ProjectDrop,
    /// `--fail-on-test-failure`: no failed or errored test.
    Tests,
    /// `--fail-on-unmatched`: every report path maps to a repository file.
    Unmatched,
}

impl GateKind {
    pub fn name(self) -> &'static str {
        match self {
            GateKind::Patch => "patch",
            GateKind::Project => "project",
            GateKind::ProjectDrop => "project_drop",
            GateKind::Tests => "tests",
            GateKind::Unmatched => "unmatched",
        }
    }
}

/// A requested gate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gate {
    pub kind: GateKind,
    /// Percent for patch/project, allowed drop in points for project_drop, allowed count (0) for
    /// tests and unmatched.
    pub target: f64,
}

/// A gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateOutcome {
    pub name: &'static str,
    #[serde(skip)]
    pub kind: GateKind,
    pub target: f64,
    /// Percent, delta, or count; `null` when undefined (nothing coverable, no base).
    pub actual: Option<f64>,
    pub passed: bool,
}

/// The measured values gates compare against: coverage and test counts of one run. Assembled
/// here, from the summaries, and nowhere else, so every command gates on the same numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measured {
    pub patch: Option<f64>,
    pub project: Option<f64>,
    pub delta: Option<f64>,
    pub failed_tests: Option<u64>,
    pub unmatched: u64,
}

impl Measured {
    /// Patch, project, delta and unmatched paths of `prcov diff` (and `publish`).
    pub fn of_diff(s: &DiffSummary) -> Self {
        Measured {
            patch: s.patch.totals.percent(),
            project: s.project.percent(),
            delta: s.delta(),
            failed_tests: None,
            unmatched: s.unmatched.len() as u64,
        }
    }

    /// Project, delta and unmatched paths of `prcov report`.
    pub fn of_report(s: &ReportSummary) -> Self {
        Measured {
            patch: None,
            project: s.project.totals.percent(),
            delta: s.delta(),
            failed_tests: None,
            unmatched: s.unmatched.len() as u64,
        }
    }

    /// Adds the failed and errored tests of `prcov tests` (and `publish`); `None` when no test
    /// results were read, which the tests gate counts as no failure.
    #[must_use]
    pub fn with_tests(self, tests: Option<&TestCounts>) -> Self {
        Measured {
            failed_tests: tests.map(|c| (c.failed + c.errored) as u64),
            ..self
        }
    }
}

/// Evaluates the gates: called once per run, by the command, on [`Measured`]. `threshold` (Codecov's `threshold`) lets a miss within that many points
/// of a percent target pass; it applies to patch, project and drop gates.
#[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
pub fn evaluate(gates: &[Gate], measured: &Measured, threshold: f64) -> Vec<GateOutcome> {
    gates
        .iter()
        .map(|g| {
            let (actual, passed) = match g.kind {
                // Nothing coverable in the change: "coverage not affected" passes.
                GateKind::Patch => (
                    measured.patch,
                    measured.patch.is_none_or(|p| p + threshold >= g.target),
                ),
                GateKind::Project => (
                    measured.project,
                    measured.project.is_none_or(|p| p + threshold >= g.target),
                ),
                GateKind::ProjectDrop => (
                    measured.delta,
                    measured
                        .delta
                        .is_some_and(|d| d + g.target + threshold >= 0.0),
                ),
                GateKind::Tests => {
                    let n = measured.failed_tests.unwrap_or(0);
                    (Some(n as f64), n == 0)
                }
                GateKind::Unmatched => (Some(measured.unmatched as f64), measured.unmatched == 0),
            };
            GateOutcome {
                name: g.kind.name(),
                kind: g.kind,
                target: g.target,
                actual,
                passed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_and_null_patch() {
        let gates = [Gate {
            kind: GateKind::Patch,
            target: 80.0,
        }];
        let m = Measured {
            patch: Some(75.0),
            ..Measured::default()
        };
        assert!(!evaluate(&gates, &m, 0.0)[0].passed);
        assert!(evaluate(&gates, &m, 5.0)[0].passed);
        assert!(!evaluate(&gates, &m, 4.99)[0].passed);
        let none = Measured::default();
        assert!(evaluate(&gates, &none, 0.0)[0].passed);
    }

    #[test]
    fn tests_gate_counts_failed_and_errored() {
        let gates = [Gate {
            kind: GateKind::Tests,
            target: 0.0,
        }];
        let counts = |failed, errored| TestCounts {
            tests: 10,
            passed: 10 - failed - errored,
            failed,
            errored,
            ..TestCounts::default()
        };
        let verdict = |c: Option<&TestCounts>| {
            let outcome = &evaluate(&gates, &Measured::default().with_tests(c), 0.0)[0];
            (outcome.actual, outcome.passed)
        };
        assert_eq!(verdict(Some(&counts(0, 0))), (Some(0.0), true));
        assert_eq!(verdict(Some(&counts(2, 0))), (Some(2.0), false));
        assert_eq!(verdict(Some(&counts(0, 1))), (Some(1.0), false));
        assert_eq!(verdict(Some(&counts(2, 1))), (Some(3.0), false));
        // No test results read (publish without JUnit): nothing failed.
        assert_eq!(verdict(None), (Some(0.0), true));
    }

    #[test]
    fn drop_gate_needs_a_base() {
        let gates = [Gate {
            kind: GateKind::ProjectDrop,
            target: 1.0,
        }];
        assert!(!evaluate(&gates, &Measured::default(), 0.0)[0].passed);
        let m = Measured {
            delta: Some(-0.5),
            ..Measured::default()
        };
        assert!(evaluate(&gates, &m, 0.0)[0].passed);
        let m = Measured {
            delta: Some(-1.5),
            ..Measured::default()
        };
        assert!(!evaluate(&gates, &m, 0.0)[0].passed);
    }
}
