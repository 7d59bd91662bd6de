//! `TestSummary`: the one view of test results that every renderer of `prcov tests` (and the PR
//! comment's test section) formats. Input: merged [`TestResults`]; output: counts, failed tests
//! with their messages and locations, flaky tests, the slowest tests and the total duration.

use crate::model::tests::{FailureKind, TestCounts, TestOutcome, TestResults};

/// Default number of slowest tests shown.
pub const DEFAULT_SLOWEST: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct TestSummary {
    pub counts: TestCounts,
    pub duration_seconds: f64,
    /// Failed and errored tests, in the order they were read.
    pub failures: Vec<FailedTest>,
    /// Tests with both passing and failing attempts.
    pub flaky: Vec<FlakyTest>,
    /// Longest first; ties by name.
    pub slowest: Vec<SlowTest>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FailedTest {
    pub suite: Option<String>,
    pub classname: Option<String>,
    pub name: Option<String>,
    /// `classname › name`.
    pub display_name: String,
    pub kind: FailureKind,
    pub type_name: Option<String>,
    pub message: Option<String>,
    /// Size of the message as written, when it was cut for display.
    pub message_len: usize,
    pub details: Option<String>,
    pub details_len: usize,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub attempts: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FlakyTest {
    pub suite: Option<String>,
    pub classname: Option<String>,
    pub name: Option<String>,
    pub display_name: String,
    pub attempts: usize,
    /// 1-based attempt that first passed.
    pub passed_on: usize,
    /// The outcome that counted (a test that passed and later failed is flaky *and* failed).
    pub outcome: TestOutcome,
    /// What the failing attempt said.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SlowTest {
    pub name: String,
    pub seconds: f64,
}

/// Builds the summary; `slowest` is how many slow tests to list.
pub fn summarize(results: &TestResults, slowest: usize) -> TestSummary {
    let mut failures = Vec::new();
    let mut flaky = Vec::new();
    for case in &results.cases {
        if let Some((kind, f)) = case.failure() {
            let location = f.location.as_ref();
            failures.push(FailedTest {
                suite: case.id.suite.as_deref().map(str::to_owned),
                classname: case.id.classname.as_deref().map(str::to_owned),
                name: case.id.name.clone(),
                display_name: case.id.display_name(),
                kind,
                type_name: f.type_name.clone(),
                message: f.message.clone(),
                message_len: f.message_len,
                details: f.details.clone(),
                details_len: f.details_len,
                file: location
                    .map(|l| l.file.clone())
                    .or_else(|| case.file.as_deref().map(str::to_owned)),
                line: location.map(|l| l.line),
                attempts: case.attempts.len(),
            });
        }
        if case.is_flaky() {
            flaky.push(FlakyTest {
                suite: case.id.suite.as_deref().map(str::to_owned),
                classname: case.id.classname.as_deref().map(str::to_owned),
                name: case.id.name.clone(),
                display_name: case.id.display_name(),
                attempts: case.attempts.len(),
                passed_on: case.passed_on().unwrap_or(0),
                outcome: case.outcome(),
                message: case.last_failure().and_then(|(_, f)| f.message.clone()),
            });
        }
    }
    let timed = slowest_tests(results, slowest);
    TestSummary {
        counts: results.counts(),
        duration_seconds: results.duration,
        failures,
        flaky,
        slowest: timed,
    }
}

/// The `n` longest tests, longest first, ties by name. Keeps only `n` candidates, sorted, and
/// builds a name only when a test's time could place it among them: a report of 200,000 tests
/// needs neither a name per test nor a sort of all of them.
fn slowest_tests(results: &TestResults, n: usize) -> Vec<SlowTest> {
    let mut top: Vec<SlowTest> = Vec::with_capacity(n.min(1024) + 1);
    if n == 0 {
        return top;
    }
    let order =
        |a: &SlowTest, b: &SlowTest| b.seconds.total_cmp(&a.seconds).then(a.name.cmp(&b.name));
    if n > 256 {
        // Inserting into a long sorted list costs more than one sort of everything.
        let mut all: Vec<SlowTest> = results
            .cases
            .iter()
            .filter_map(|c| {
                c.time().map(|seconds| SlowTest {
                    name: c.id.display_name(),
                    seconds,
                })
            })
            .collect();
        all.sort_by(order);
        all.truncate(n);
        return all;
    }
    for case in &results.cases {
        let Some(seconds) = case.time() else { continue };
        if top.len() == n {
            if let Some(worst) = top.last() {
                if seconds.total_cmp(&worst.seconds).is_lt() {
                    continue;
                }
            }
        }
        let candidate = SlowTest {
            name: case.id.display_name(),
            seconds,
        };
        let at = top.partition_point(|t| order(t, &candidate).is_le());
        if at < n {
            top.insert(at, candidate);
            top.truncate(n);
        }
    }
    top
}

impl TestSummary {
    /// True when a test failed or errored (the `--fail-on-test-failure` gate).
    pub fn has_failures(&self) -> bool {
        self.counts.failed + self.counts.errored > 0
    }

    /// `2 failed, 310 passed, 3 skipped (1 flaky)`: the counts, for statuses and headers.
    pub fn counts_phrase(&self) -> String {
        let c = &self.counts;
        let mut parts = Vec::new();
        if c.failed > 0 {
            parts.push(format!("{} failed", c.failed));
        }
        if c.errored > 0 {
            parts.push(format!("{} errored", c.errored));
        }
        parts.push(format!("{} passed", c.passed));
        if c.skipped > 0 {
            parts.push(format!("{} skipped", c.skipped));
        }
        let mut s = if c.tests == 0 {
            "no tests".to_owned()
        } else {
            parts.join(", ")
        };
        if c.flaky > 0 {
            s.push_str(&format!(" ({} flaky)", c.flaky));
        }
        s
    }
}

#[cfg(test)]
mod unit {
    use super::*;
    use crate::model::tests::{Attempt, Attempts, TestCase, TestId};

    fn timed(name: &str, seconds: Option<f64>) -> TestCase {
        TestCase {
            id: TestId {
                suite: None,
                classname: None,
                name: Some(name.to_owned()),
            },
            file: None,
            line: None,
            attempts: Attempts::one(Attempt {
                outcome: TestOutcome::Passed,
                failure: None,
                skip_message: None,
                time: seconds,
            }),
        }
    }

    #[test]
    fn slowest_are_longest_first_then_by_name_whichever_way_they_are_picked() {
        let mut cases = Vec::new();
        for i in 0..600 {
            // Many ties: times repeat every 7 tests, names run backwards.
            cases.push(timed(&format!("t{:03}", 999 - i), Some(f64::from(i % 7))));
        }
        cases.push(timed("untimed", None));
        let results = TestResults {
            cases,
            ..TestResults::default()
        };
        let top = slowest_tests(&results, 3);
        let got: Vec<_> = top.iter().map(|t| (t.name.as_str(), t.seconds)).collect();
        assert_eq!(got, [("t405", 6.0), ("t412", 6.0), ("t419", 6.0)]);
        // The bounded list and the full sort (used for long lists) agree.
        let all = slowest_tests(&results, 300);
        assert_eq!(all.len(), 300);
        assert_eq!(&all[..3], &top[..]);
        assert_eq!(slowest_tests(&results, 10)[..], all[..10]);
        assert!(slowest_tests(&results, 0).is_empty());
    }
}
