//! `TestSummary`: the one view of test results that every renderer of `prcov tests` (and the PR
//! comment's test section) formats. Input: merged [`TestResults`]; output: counts, failed tests
//! with their messages and locations, flaky tests, the slowest tests and the total duration.

use std::collections::HashMap;

use crate::model::test_results::{
    FailureKind, Frame, TestCase, TestCounts, TestOutcome, TestResults,
};
use crate::model::Warning;

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
    /// What reading the files skipped or repaired (set by whoever read them).
    pub warnings: Vec<Warning>,
    /// The failures grouped by cause (their first message line, normalized): largest first.
    pub clusters: Vec<FailureCluster>,
}

/// Failures that share a cause: the same first message line once addresses, numbers and
/// temporary paths are taken out.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureCluster {
    /// The first line of the first failure, as written (its head and tail past
    /// [`CAUSE_MAX_CHARS`]).
    pub cause: String,
    /// Indices into [`TestSummary::failures`], in reading order.
    pub members: Vec<usize>,
}

/// Characters of a cause line kept for display.
pub const CAUSE_MAX_CHARS: usize = 200;

/// The first non-empty line a failure says: its message, else its body, else its type.
pub fn first_line(f: &FailedTest) -> &str {
    [
        f.message.as_deref(),
        f.details.as_deref(),
        f.type_name.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(str::lines)
    .map(str::trim)
    .find(|l| !l.is_empty())
    .unwrap_or("")
}

/// A cause line with what differs between runs of the same failure taken out: hex addresses
/// (`0x7f3a…`), temporary paths (`/tmp/pytest-of-ci/…`), and numbers (ports, ids, counts).
pub fn normalize_cause(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        if let Some(tail) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            let hex = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
            if hex > 0 {
                out.push_str("0x#");
                rest = &tail[hex..];
                continue;
            }
        }
        if let Some(tmp) = TEMP_PREFIXES.iter().find(|p| rest.starts_with(*p)) {
            out.push_str("<tmp>");
            let len = rest[tmp.len()..]
                .find(|ch: char| ch.is_whitespace() || matches!(ch, '\'' | '"' | ')' | ',' | ':'))
                .unwrap_or(rest.len() - tmp.len());
            rest = &rest[tmp.len() + len..];
            continue;
        }
        if c.is_ascii_digit() {
            out.push('#');
            rest = rest.trim_start_matches(|ch: char| ch.is_ascii_digit());
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Where test runners put temporary files.
const TEMP_PREFIXES: &[&str] = &["/tmp/", "/var/folders/", "/private/var/", "C:\\Users\\"];

/// A long cause line kept by its head and its tail, where the reason usually is
/// (`ConnectionError: … Name or service not known`).
fn shorten_cause(line: &str) -> String {
    let chars = line.chars().count();
    if chars <= CAUSE_MAX_CHARS {
        return line.to_owned();
    }
    let tail_len = CAUSE_MAX_CHARS / 3;
    let head: String = line.chars().take(CAUSE_MAX_CHARS - tail_len - 3).collect();
    let tail: String = line.chars().skip(chars - tail_len).collect();
    format!("{} … {}", head.trim_end(), tail.trim_start())
}

/// Groups failures by their normalized first line: largest cluster first, ties in reading order.
pub fn cluster(failures: &[FailedTest]) -> Vec<FailureCluster> {
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<FailureCluster> = Vec::new();
    for (i, f) in failures.iter().enumerate() {
        let line = first_line(f);
        let key = normalize_cause(line);
        match by_key.get(&key) {
            Some(&c) => out[c].members.push(i),
            None => {
                by_key.insert(key, out.len());
                out.push(FailureCluster {
                    cause: shorten_cause(line),
                    members: vec![i],
                });
            }
        }
    }
    // Stable: equal sizes keep the order they were first seen in.
    out.sort_by_key(|c| std::cmp::Reverse(c.members.len()));
    out
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
    summarize_cases(results.cases.iter(), results.duration, slowest)
}

/// [`summarize`], moving each failure's texts (type, message, body, location) out of `results`
/// instead of copying them: for a caller that is done with the results. On 200,000 tests the
/// copies were a tenth of the summary's time. The results keep everything else.
pub fn summarize_taking(results: &mut TestResults, slowest: usize) -> TestSummary {
    let duration = results.duration;
    summarize_cases(results.cases.iter_mut(), duration, slowest)
}

/// A case the summary reads, and how it gets a failure's texts: copied from a shared case,
/// moved out of an owned one.
trait SummaryCase {
    fn case(&self) -> &TestCase;
    fn failure_texts(self) -> Option<(FailureKind, FailureTexts)>;
}

struct FailureTexts {
    type_name: Option<String>,
    message: Option<String>,
    message_len: usize,
    details: Option<String>,
    details_len: usize,
    location: Option<Frame>,
}

impl SummaryCase for &TestCase {
    fn case(&self) -> &TestCase {
        self
    }

    fn failure_texts(self) -> Option<(FailureKind, FailureTexts)> {
        self.failure().map(|(kind, f)| {
            let texts = FailureTexts {
                type_name: f.type_name.clone(),
                message: f.message.clone(),
                message_len: f.message_len,
                details: f.details.clone(),
                details_len: f.details_len,
                location: f.location.clone(),
            };
            (kind, texts)
        })
    }
}

impl SummaryCase for &mut TestCase {
    fn case(&self) -> &TestCase {
        self
    }

    fn failure_texts(self) -> Option<(FailureKind, FailureTexts)> {
        self.failure_mut().map(|(kind, f)| {
            let texts = FailureTexts {
                type_name: f.type_name.take(),
                message: f.message.take(),
                message_len: f.message_len,
                details: f.details.take(),
                details_len: f.details_len,
                location: f.location.take(),
            };
            (kind, texts)
        })
    }
}

/// One pass over the cases: counts, failures, flaky tests and the slowest tests together.
fn summarize_cases<C: SummaryCase>(
    cases: impl ExactSizeIterator<Item = C>,
    duration: f64,
    slowest: usize,
) -> TestSummary {
    let mut counts = TestCounts::default();
    let mut failures = Vec::new();
    let mut flaky = Vec::new();
    let mut top = Slowest::new(slowest, cases.len());
    for c in cases {
        let case = c.case();
        let is_flaky = case.is_flaky();
        counts.add(case.outcome(), is_flaky);
        if let Some(seconds) = case.time() {
            top.offer(seconds, case);
        }
        if is_flaky {
            // Copied, not taken: the failure below may be the same one.
            flaky.push(FlakyTest {
                suite: case.id.suite.as_deref().map(str::to_owned),
                classname: case.id.classname.as_deref().map(str::to_owned),
                name: case.id.name.as_deref().map(str::to_owned),
                display_name: case.id.display_name(),
                attempts: case.attempts.len(),
                passed_on: case.passed_on().unwrap_or(0),
                outcome: case.outcome(),
                message: case.last_failure().and_then(|(_, f)| f.message.clone()),
            });
        }
        if case.failure().is_none() {
            continue;
        }
        let suite = case.id.suite.as_deref().map(str::to_owned);
        let classname = case.id.classname.as_deref().map(str::to_owned);
        let name = case.id.name.as_deref().map(str::to_owned);
        let display_name = case.id.display_name();
        let case_file = case.file.as_deref().map(str::to_owned);
        let attempts = case.attempts.len();
        let Some((kind, f)) = c.failure_texts() else {
            continue;
        };
        let line = f.location.as_ref().map(|l| l.line);
        failures.push(FailedTest {
            suite,
            classname,
            name,
            display_name,
            kind,
            type_name: f.type_name,
            message: f.message,
            message_len: f.message_len,
            details: f.details,
            details_len: f.details_len,
            file: f.location.map(|l| l.file).or(case_file),
            line,
            attempts,
        });
    }
    TestSummary {
        counts,
        duration_seconds: duration,
        clusters: cluster(&failures),
        failures,
        flaky,
        slowest: top.finish(),
        warnings: Vec::new(),
    }
}

/// The `n` longest tests, longest first, ties by name. Keeps only `n` candidates, sorted, and
/// builds a name only when a test's time could place it among them: a report of 200,000 tests
/// needs neither a name per test nor a sort of all of them.
struct Slowest {
    n: usize,
    /// Past this many, inserting into a long sorted list costs more than one sort of
    /// everything: every timed test is kept, and sorted at the end.
    keep_all: bool,
    top: Vec<SlowTest>,
}

fn slow_order(a: &SlowTest, b: &SlowTest) -> std::cmp::Ordering {
    b.seconds.total_cmp(&a.seconds).then(a.name.cmp(&b.name))
}

impl Slowest {
    fn new(n: usize, cases: usize) -> Self {
        let keep_all = n > 256;
        let room = if keep_all { cases } else { n + 1 };
        Slowest {
            n,
            keep_all,
            top: Vec::with_capacity(if n == 0 { 0 } else { room }),
        }
    }

    fn offer(&mut self, seconds: f64, case: &TestCase) {
        if self.n == 0 {
            return;
        }
        if self.keep_all {
            self.top.push(SlowTest {
                name: case.id.display_name(),
                seconds,
            });
            return;
        }
        if self.top.len() == self.n {
            if let Some(worst) = self.top.last() {
                if seconds.total_cmp(&worst.seconds).is_lt() {
                    return;
                }
            }
        }
        let candidate = SlowTest {
            name: case.id.display_name(),
            seconds,
        };
        let at = self
            .top
            .partition_point(|t| slow_order(t, &candidate).is_le());
        if at < self.n {
            self.top.insert(at, candidate);
            self.top.truncate(self.n);
        }
    }

    fn finish(mut self) -> Vec<SlowTest> {
        if self.keep_all {
            self.top.sort_by(slow_order);
            self.top.truncate(self.n);
        }
        self.top
    }
}

impl TestSummary {
    /// What ran, for the tests gate.
    pub fn run(&self) -> crate::analysis::gates::TestsRun {
        crate::analysis::gates::TestsRun::of(&self.counts)
    }

    /// `ran`, `no_tests` or `all_skipped`: the `outcome` of the JSON output.
    pub fn outcome(&self) -> &'static str {
        if self.counts.tests == 0 {
            "no_tests"
        } else if self.counts.skipped == self.counts.tests {
            "all_skipped"
        } else {
            "ran"
        }
    }

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
    use crate::model::test_results::{Attempt, Attempts, TestId};

    fn timed(name: &str, seconds: Option<f64>) -> TestCase {
        TestCase {
            id: TestId {
                suite: None,
                classname: None,
                name: Some(name.into()),
            },
            file: None,
            line: None,
            attempts: Attempts::one(Attempt {
                outcome: TestOutcome::Passed,
                note: None,
                time: seconds,
            }),
        }
    }

    fn slowest_tests(results: &TestResults, n: usize) -> Vec<SlowTest> {
        summarize(results, n).slowest
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

    #[test]
    fn taking_the_texts_summarizes_the_same_as_copying_them() {
        let first = r#"<testsuite name="s">
<testcase name="ok" classname="C" time="0.5"/>
<testcase name="retried" classname="C" time="2"/>
<testcase name="skipped" classname="C"><skipped message="later"/></testcase>
</testsuite>"#;
        let second = r#"<testsuite name="s">
<testcase name="retried" classname="C" time="3"><failure message="then broke" type="E">at a.b.C.t(C.java:7)</failure></testcase>
<testcase name="bad" classname="D" file="d.py" time="1"><error message="boom">trace</error></testcase>
</testsuite>"#;
        let parse = |xml: &str| crate::formats::junit::parse(xml.as_bytes()).unwrap();
        let mut results = TestResults::merge([parse(first), parse(second)]);
        let copied = summarize(&results, 2);
        let taken = summarize_taking(&mut results, 2);
        assert_eq!(taken, copied);
        let c = &taken.counts;
        assert_eq!(
            (c.tests, c.passed, c.failed, c.errored, c.skipped, c.flaky),
            (4, 1, 1, 1, 1, 1)
        );
        let failed: Vec<_> = taken
            .failures
            .iter()
            .map(|f| {
                (
                    f.display_name.as_str(),
                    f.message.as_deref(),
                    f.file.as_deref(),
                    f.line,
                )
            })
            .collect();
        assert_eq!(
            failed,
            [
                (
                    "C › retried",
                    Some("then broke"),
                    Some("a/b/C.java"),
                    Some(7)
                ),
                ("D › bad", Some("boom"), Some("d.py"), None),
            ]
        );
        // The flaky test that failed last still has the message it failed with.
        assert_eq!(taken.flaky[0].message.as_deref(), Some("then broke"));
        let slow: Vec<_> = taken
            .slowest
            .iter()
            .map(|t| (t.name.as_str(), t.seconds))
            .collect();
        assert_eq!(slow, [("C › retried", 3.0), ("D › bad", 1.0)]);
        // The texts moved out; what the results keep is unchanged.
        let (_, f) = results.cases[1].failure().unwrap();
        assert_eq!((f.message.as_deref(), f.details.as_deref()), (None, None));
        assert_eq!(results.cases[1].attempts.len(), 2);
    }

    #[test]
    fn causes_normalize_addresses_numbers_and_temp_paths() {
        assert_eq!(
            normalize_cause("ConnectionError: <urllib3.Connection object at 0x7f3a9c> port 443"),
            normalize_cause("ConnectionError: <urllib3.Connection object at 0x10ffe0> port 8443")
        );
        assert_eq!(
            normalize_cause("FileNotFoundError: /tmp/pytest-of-ci/pytest-12/x.txt: missing"),
            "FileNotFoundError: <tmp>: missing"
        );
        assert_ne!(
            normalize_cause("AssertionError: expected a"),
            normalize_cause("AssertionError: expected b")
        );
    }
}
