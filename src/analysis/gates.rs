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
    /// `--fail-on-new-test-failure`: no test fails that passed (or did not exist) at the
    /// history baseline; failures already there at the baseline do not count.
    NewTestFailures,
    /// `--fail-on-empty-change`: the change has at least one changed file.
    Change,
}

impl GateKind {
    pub fn name(self) -> &'static str {
        match self {
            GateKind::Patch => "patch",
            GateKind::Project => "project",
            GateKind::ProjectDrop => "project_drop",
            GateKind::Tests => "tests",
            GateKind::Unmatched => "unmatched",
            GateKind::NewTestFailures => "new_test_failures",
            GateKind::Change => "change",
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
    /// Why nothing was measured, when that decided the verdict: `no_change` (an empty change
    /// set), `nothing_coverable`, `no_tests`, `all_skipped`. Omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<NothingMeasured>,
    /// The component (`[[components]] id`) this gate is of; omitted for the run's own gates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
}

impl GateOutcome {
    /// How the gate is named in output: `patch`, or `patch/api` for a component's.
    pub fn label(&self) -> std::borrow::Cow<'static, str> {
        match &self.component {
            None => self.name.into(),
            Some(id) => format!("{}/{id}", self.name).into(),
        }
    }
}

/// Why a gate had nothing to measure. Each is a distinct outcome in the JSON output
/// (`gates[].reason`), so a machine can tell "passed" from "passed because nothing ran".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NothingMeasured {
    /// base = head, or no commit between the merge-base and head.
    NoChange,
    /// The change has no coverable added line ("coverage not affected").
    NothingCoverable,
    /// The JUnit input holds no test case.
    NoTests,
    /// Every test case was skipped.
    AllSkipped,
}

/// What the JUnit input ran, for the tests gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TestsRun {
    pub failed: u64,
    pub total: u64,
    pub skipped: u64,
}

/// The measured values gates compare against: coverage and test counts of one run. Assembled
/// here, from the summaries, and nowhere else, so every command gates on the same numbers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Measured {
    pub patch: Option<f64>,
    pub project: Option<f64>,
    pub delta: Option<f64>,
    /// Counts of the JUnit input; a tests gate over no test, or only skipped ones, fails unless
    /// `allow_no_tests`.
    pub tests_run: Option<TestsRun>,
    pub allow_no_tests: bool,
    pub unmatched: u64,
    /// Failures that are new against the history baseline; `None` without a comparison.
    pub new_test_failures: Option<u64>,
    /// Files in the change set; `Some(0)` is an empty change (every patch gate says "no change").
    pub changed_files: Option<u64>,
    /// History was asked for and found no baseline record: the drop gate has nothing to compare
    /// with and passes (the output says why), as a first PR after adopting history must not fail.
    pub no_baseline: bool,
}

impl Measured {
    /// Patch, project, delta, unmatched paths and the size of the change of `prcov diff` (and
    /// `publish`).
    pub fn of_diff(s: &DiffSummary) -> Self {
        Measured {
            patch: s.patch.totals.percent(),
            project: s.project.percent(),
            delta: s.delta(),
            unmatched: s.unmatched.len() as u64,
            changed_files: Some(s.changed_files as u64),
            new_test_failures: s
                .history
                .as_ref()
                .and_then(|h| h.tests.as_ref())
                .map(|c| c.new_failures.len() as u64),
            no_baseline: s
                .history
                .as_ref()
                .is_some_and(|h| h.baseline.commit.is_none()),
            ..Measured::default()
        }
    }

    /// Project, delta and unmatched paths of `prcov report`.
    pub fn of_report(s: &ReportSummary) -> Self {
        Measured {
            project: s.project.totals.percent(),
            delta: s.delta(),
            unmatched: s.unmatched.len() as u64,
            ..Measured::default()
        }
    }

    /// Adds what the JUnit input ran (`prcov tests`, `publish`; [`TestsRun::default`] when no
    /// file was read): the tests gate fails on a failed or errored test, and on no test case or
    /// only skipped ones unless `allow_no_tests`.
    #[must_use]
    pub fn with_tests(self, run: TestsRun) -> Self {
        Measured {
            tests_run: Some(run),
            ..self
        }
    }
}

impl TestsRun {
    /// Failed (and errored), all and skipped test cases.
    pub fn of(counts: &TestCounts) -> Self {
        TestsRun {
            failed: (counts.failed + counts.errored) as u64,
            total: counts.tests as u64,
            skipped: counts.skipped as u64,
        }
    }
}

/// Evaluates the gates: called once per run, by the command, on [`Measured`]. `threshold`
/// (Codecov's `threshold`) lets a miss within that many points of a percent target pass; it
/// applies to patch, project and drop gates.
#[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
pub fn evaluate(gates: &[Gate], measured: &Measured, threshold: f64) -> Vec<GateOutcome> {
    gates
        .iter()
        .map(|g| {
            let mut reason = None;
            let (actual, passed) = match g.kind {
                // Nothing coverable in the change: "coverage not affected" passes, and says so.
                GateKind::Patch => {
                    if measured.patch.is_none() {
                        reason = Some(if measured.changed_files == Some(0) {
                            NothingMeasured::NoChange
                        } else {
                            NothingMeasured::NothingCoverable
                        });
                    }
                    (
                        measured.patch,
                        measured.patch.is_none_or(|p| p + threshold >= g.target),
                    )
                }
                GateKind::Project => (
                    measured.project,
                    measured.project.is_none_or(|p| p + threshold >= g.target),
                ),
                GateKind::ProjectDrop => (
                    measured.delta,
                    measured.no_baseline
                        || measured
                            .delta
                            .is_some_and(|d| d + g.target + threshold >= 0.0),
                ),
                GateKind::Tests => {
                    let run = measured.tests_run.unwrap_or_default();
                    let n = run.failed;
                    if run.total == 0 {
                        reason = Some(NothingMeasured::NoTests);
                    } else if run.skipped == run.total {
                        reason = Some(NothingMeasured::AllSkipped);
                    }
                    let nothing_ran = reason.is_some() && !measured.allow_no_tests;
                    (Some(n as f64), n == 0 && !nothing_ran)
                }
                GateKind::Unmatched => (Some(measured.unmatched as f64), measured.unmatched == 0),
                // Without a baseline every failure would be "new": the plain tests gate covers
                // that, so this one passes with `null`.
                GateKind::NewTestFailures => (
                    measured.new_test_failures.map(|n| n as f64),
                    measured.new_test_failures.is_none_or(|n| n == 0),
                ),
                GateKind::Change => {
                    let n = measured.changed_files.unwrap_or(0);
                    if n == 0 {
                        reason = Some(NothingMeasured::NoChange);
                    }
                    (Some(n as f64), n > 0)
                }
            };
            GateOutcome {
                name: g.kind.name(),
                kind: g.kind,
                target: g.target,
                actual,
                passed,
                reason,
                component: None,
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
        let verdict = |c: &TestCounts| {
            let measured = Measured::default().with_tests(TestsRun::of(c));
            let outcome = &evaluate(&gates, &measured, 0.0)[0];
            (outcome.actual, outcome.passed)
        };
        assert_eq!(verdict(&counts(0, 0)), (Some(0.0), true));
        assert_eq!(verdict(&counts(2, 0)), (Some(2.0), false));
        assert_eq!(verdict(&counts(0, 1)), (Some(1.0), false));
        assert_eq!(verdict(&counts(2, 1)), (Some(3.0), false));
        // No test results read (publish without JUnit): nothing ran, which is not a pass.
        assert_eq!(verdict(&TestCounts::default()), (Some(0.0), false));
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

    #[test]
    fn nothing_measured_is_said_and_fails_where_it_must() {
        let patch = [Gate {
            kind: GateKind::Patch,
            target: 80.0,
        }];
        let empty = Measured {
            changed_files: Some(0),
            ..Measured::default()
        };
        let out = &evaluate(&patch, &empty, 0.0)[0];
        assert_eq!(out.reason, Some(NothingMeasured::NoChange));
        assert!(
            out.passed,
            "a patch gate passes an empty change; --fail-on-empty-change fails it"
        );
        let change = [Gate {
            kind: GateKind::Change,
            target: 1.0,
        }];
        assert!(!evaluate(&change, &empty, 0.0)[0].passed);

        let tests = [Gate {
            kind: GateKind::Tests,
            target: 0.0,
        }];
        let none = Measured {
            tests_run: Some(TestsRun::default()),
            ..Measured::default()
        };
        let out = &evaluate(&tests, &none, 0.0)[0];
        assert_eq!(
            (out.passed, out.reason),
            (false, Some(NothingMeasured::NoTests))
        );
        let skipped = Measured {
            tests_run: Some(TestsRun {
                failed: 0,
                total: 3,
                skipped: 3,
            }),
            ..Measured::default()
        };
        let out = &evaluate(&tests, &skipped, 0.0)[0];
        assert_eq!(
            (out.passed, out.reason),
            (false, Some(NothingMeasured::AllSkipped))
        );
        let allowed = Measured {
            allow_no_tests: true,
            ..skipped
        };
        assert!(evaluate(&tests, &allowed, 0.0)[0].passed);
    }
}
