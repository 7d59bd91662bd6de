//! Test results, format-neutral: one [`TestCase`] per distinct test, with every attempt that ran.
//!
//! A parser yields one [`TestCase`] per `<testcase>` element ([`ParsedTests`]); [`TestResults::merge`]
//! combines several files (shards, matrix jobs, CI re-runs) and folds repeated runs of the same test
//! (pytest-rerunfailures, jest/vitest retries, go test reruns) into one case whose `attempts` list
//! every run in order. A test is counted once, by its final outcome; mixed pass/fail attempts make it
//! flaky.

use std::collections::HashMap;
use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;
use std::sync::Arc;

use super::diag::Warning;

/// How one run of a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TestOutcome {
    Passed,
    Failed,
    Errored,
    Skipped,
}

impl TestOutcome {
    pub fn is_failure(self) -> bool {
        matches!(self, TestOutcome::Failed | TestOutcome::Errored)
    }
}

/// `<failure>` (an assertion did not hold) or `<error>` (the test could not run to completion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailureKind {
    Failure,
    Error,
}

/// A source position named by a stack frame or by attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Frame {
    /// As the report wrote it (absolute, relative, or for Java `package/dirs/File.java`).
    pub file: String,
    pub line: u64,
}

/// What a failed or errored run reported. Long texts are cut for display; `message_len` and
/// `details_len` keep the original sizes so renderers can say how much was cut.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Failure {
    /// The `type` attribute (exception class, `AssertionError`, …).
    pub type_name: Option<String>,
    /// The `message` attribute, or the first line of the body when there is none.
    pub message: Option<String>,
    pub message_len: usize,
    /// The element's text (stack trace, captured output).
    pub details: Option<String>,
    pub details_len: usize,
    /// The position prcov picked: the first frame of the body (the whole parsed body, not only
    /// the kept part) that looks like project code, else the test's own `file`/`line`
    /// attributes. The other frames are not kept: up to 16 paths per failure were a sixth of
    /// `prcov tests`' memory on a large Surefire report, and nothing read them;
    /// `formats::junit::stack_frames` finds them again in a text.
    pub location: Option<Frame>,
}

/// One run of a test: 32 bytes, kept inline in every [`TestCase`] (most tests ran once).
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub outcome: TestOutcome,
    pub time: Option<f64>,
    /// What a failed, errored or skipped run said. Boxed, and one field for both: most runs
    /// pass, and 200,000 inline fields cost megabytes.
    pub note: Option<Box<AttemptNote>>,
}

/// What a run that did not pass reported.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptNote {
    /// Set when the outcome is `Failed` or `Errored`.
    Failure(FailureKind, Failure),
    /// The `<skipped>` message.
    Skipped(String),
}

impl Attempt {
    pub fn failure(&self) -> Option<(FailureKind, &Failure)> {
        match self.note.as_deref() {
            Some(AttemptNote::Failure(k, f)) => Some((*k, f)),
            _ => None,
        }
    }

    pub fn failure_mut(&mut self) -> Option<(FailureKind, &mut Failure)> {
        match self.note.as_deref_mut() {
            Some(AttemptNote::Failure(k, f)) => Some((*k, f)),
            _ => None,
        }
    }

    pub fn skip_message(&self) -> Option<&str> {
        match self.note.as_deref() {
            Some(AttemptNote::Skipped(m)) => Some(m),
            _ => None,
        }
    }
}

/// The attempts of one test, in order. Nearly every test ran once, so one attempt is kept
/// inline: a `Vec` would cost an allocation per test (and its page faults on a large report).
/// Reads as a slice of [`Attempt`]s.
#[derive(Debug, Clone)]
pub struct Attempts(AttemptsRepr);

#[derive(Debug, Clone)]
enum AttemptsRepr {
    One(Attempt),
    Many(Vec<Attempt>),
}

impl Attempts {
    pub fn one(attempt: Attempt) -> Self {
        Attempts(AttemptsRepr::One(attempt))
    }

    pub fn push(&mut self, attempt: Attempt) {
        let repr = std::mem::replace(&mut self.0, AttemptsRepr::Many(Vec::new()));
        self.0 = match repr {
            AttemptsRepr::Many(v) if v.is_empty() => AttemptsRepr::One(attempt),
            AttemptsRepr::Many(mut v) => {
                v.push(attempt);
                AttemptsRepr::Many(v)
            }
            AttemptsRepr::One(first) => AttemptsRepr::Many(vec![first, attempt]),
        };
    }
}

impl Default for Attempts {
    fn default() -> Self {
        Attempts(AttemptsRepr::Many(Vec::new()))
    }
}

impl std::ops::Deref for Attempts {
    type Target = [Attempt];
    fn deref(&self) -> &[Attempt] {
        match &self.0 {
            AttemptsRepr::One(a) => std::slice::from_ref(a),
            AttemptsRepr::Many(v) => v,
        }
    }
}

impl std::ops::DerefMut for Attempts {
    fn deref_mut(&mut self) -> &mut [Attempt] {
        match &mut self.0 {
            AttemptsRepr::One(a) => std::slice::from_mut(a),
            AttemptsRepr::Many(v) => v,
        }
    }
}

impl PartialEq for Attempts {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl From<Vec<Attempt>> for Attempts {
    fn from(mut v: Vec<Attempt>) -> Self {
        match v.len() {
            1 => match v.pop() {
                Some(a) => Attempts(AttemptsRepr::One(a)),
                None => Attempts::default(),
            },
            _ => Attempts(AttemptsRepr::Many(v)),
        }
    }
}

impl FromIterator<Attempt> for Attempts {
    fn from_iter<I: IntoIterator<Item = Attempt>>(iter: I) -> Self {
        Attempts::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl Extend<Attempt> for Attempts {
    fn extend<I: IntoIterator<Item = Attempt>>(&mut self, iter: I) {
        for a in iter {
            self.push(a);
        }
    }
}

impl IntoIterator for Attempts {
    type Item = Attempt;
    type IntoIter = std::vec::IntoIter<Attempt>;
    fn into_iter(self) -> Self::IntoIter {
        match self.0 {
            AttemptsRepr::One(a) => vec![a].into_iter(),
            AttemptsRepr::Many(v) => v.into_iter(),
        }
    }
}

impl<'a> IntoIterator for &'a Attempts {
    type Item = &'a Attempt;
    type IntoIter = std::slice::Iter<'a, Attempt>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// What identifies a test across files and reruns. Suite and class names are shared by the
/// test cases of one suite or class (`Arc`), so a large report keeps each only once; the name
/// is an `Arc` too, shared with the class name where a tool writes the same text in both
/// (jest-junit by default).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TestId {
    pub suite: Option<Arc<str>>,
    pub classname: Option<Arc<str>>,
    pub name: Option<Arc<str>>,
}

impl TestId {
    /// A hash of the id, as [`ParsedTests::id_hashes`] holds. Fast, not collision-proof: equal
    /// hashes only say two ids may be equal.
    ///
    /// FxHash: test ids are not attacker-chosen keys of a long-lived map, and SipHash was a
    /// tenth of `prcov tests`' time on 200,000 test cases.
    pub fn hash_id(&self) -> u64 {
        FxBuildHasher.hash_one(self)
    }

    /// `classname › name`, or whichever of them exists.
    pub fn display_name(&self) -> String {
        match (&self.classname, &self.name) {
            (Some(c), Some(n)) if **c != **n && !c.is_empty() => format!("{c} › {n}"),
            (_, Some(n)) => n.to_string(),
            (Some(c), None) => c.to_string(),
            (None, None) => "(unnamed test)".to_owned(),
        }
    }
}

/// A test and every attempt of it, in the order they ran (file order, then document order).
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    pub id: TestId,
    /// The `file` attribute, where the tool writes one (shared by the cases of one file).
    pub file: Option<Arc<str>>,
    /// The `line` attribute. `u32`: 8 bytes less in each of 200,000 cases; a file of more lines
    /// is no source file.
    pub line: Option<u32>,
    pub attempts: Attempts,
}

impl TestCase {
    /// The outcome that counts: the last attempt that was not skipped, else `Skipped`.
    pub fn outcome(&self) -> TestOutcome {
        self.final_attempt()
            .map_or(TestOutcome::Skipped, |a| a.outcome)
    }

    fn final_attempt(&self) -> Option<&Attempt> {
        self.attempts
            .iter()
            .rev()
            .find(|a| a.outcome != TestOutcome::Skipped)
    }

    /// Some attempt passed and some failed or errored.
    pub fn is_flaky(&self) -> bool {
        self.passed_on().is_some() && self.attempts.iter().any(|a| a.outcome.is_failure())
    }

    /// 1-based index of the first attempt that passed.
    pub fn passed_on(&self) -> Option<usize> {
        self.attempts
            .iter()
            .position(|a| a.outcome == TestOutcome::Passed)
            .map(|i| i + 1)
    }

    /// The failure that decided the outcome (the final attempt's), if the test failed or errored.
    pub fn failure(&self) -> Option<(FailureKind, &Failure)> {
        self.final_attempt()?.failure()
    }

    /// [`TestCase::failure`], mutable: lets a caller that owns the results move its texts out.
    pub fn failure_mut(&mut self) -> Option<(FailureKind, &mut Failure)> {
        self.attempts
            .iter_mut()
            .rev()
            .find(|a| a.outcome != TestOutcome::Skipped)?
            .failure_mut()
    }

    /// The most recent failure of any attempt (what a flaky test reported before passing).
    pub fn last_failure(&self) -> Option<(FailureKind, &Failure)> {
        self.attempts.iter().rev().find_map(Attempt::failure)
    }

    /// The longest single attempt, in seconds.
    pub fn time(&self) -> Option<f64> {
        self.attempts.iter().filter_map(|a| a.time).reduce(f64::max)
    }
}

/// One file's tests, one [`TestCase`] per `<testcase>` element, before merging.
#[derive(Debug, Clone, Default)]
pub struct ParsedTests {
    /// One case per test; consecutive reruns that the file marks as such are already one case.
    pub cases: Vec<TestCase>,
    /// How many `<testcase>` elements the file has, reruns included.
    pub elements: usize,
    /// The file's duration: the root's `time`, else the sum of its suites' or test cases' times.
    pub duration: f64,
    pub warnings: Vec<Warning>,
    /// [`TestId::hash_id`] of every named `<testcase>` element, in any order, when the parser
    /// computed them (while the names were at hand: hashing them again in [`TestResults::merge`]
    /// cost a twentieth of `prcov tests` on 200,000 cases). `None`: merge hashes the cases.
    pub id_hashes: Option<Vec<u64>>,
}

/// Counts of tests by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct TestCounts {
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub flaky: usize,
}

impl TestCounts {
    pub fn of<'a>(cases: impl IntoIterator<Item = &'a TestCase>) -> Self {
        let mut c = TestCounts::default();
        for case in cases {
            c.add(case.outcome(), case.is_flaky());
        }
        c
    }

    /// Counts one test whose final outcome is `outcome`.
    pub fn add(&mut self, outcome: TestOutcome, flaky: bool) {
        self.tests += 1;
        match outcome {
            TestOutcome::Passed => self.passed += 1,
            TestOutcome::Failed => self.failed += 1,
            TestOutcome::Errored => self.errored += 1,
            TestOutcome::Skipped => self.skipped += 1,
        }
        if flaky {
            self.flaky += 1;
        }
    }
}

/// Several files' tests, merged: one [`TestCase`] per distinct test, in first-seen order.
#[derive(Debug, Clone, Default)]
pub struct TestResults {
    pub cases: Vec<TestCase>,
    /// Sum of the files' durations (shards ran in parallel, but each one's time is real work).
    pub duration: f64,
    /// How many `<testcase>` elements were read, reruns included.
    pub elements: usize,
}

impl TestResults {
    /// Merges files in the order given. Elements of the same test (same suite, classname and
    /// name) become one test with several attempts when they are attempts of one test:
    /// - their outcomes are mixed (some passed, some failed or errored): a retry, so the test is
    ///   flaky and counts once, by its final outcome (pytest-rerunfailures, jest/vitest retries);
    /// - or they come from different files: a CI re-run or a repeated job.
    ///
    /// Within one file, repeats that all agree are distinct tests that share a name
    /// (parametrized tests, TestNG): docs/tests.md counts `<testcase>` elements, so each counts.
    /// Tests without a name are never merged: nothing says two of them are the same test.
    pub fn merge(files: impl IntoIterator<Item = ParsedTests>) -> Self {
        let mut out = TestResults::default();
        let mut cases: Vec<TestCase> = Vec::new();
        let mut file_of: Vec<u32> = Vec::new();
        // The parsers' hashes of all files, while every file has them.
        let mut hashes: Option<Vec<u64>> = Some(Vec::new());
        for (file_index, file) in files.into_iter().enumerate() {
            hashes = match (hashes, file.id_hashes) {
                (Some(all), Some(more)) if all.is_empty() => Some(more),
                (Some(mut all), Some(more)) => {
                    all.extend(more);
                    Some(all)
                }
                _ => None,
            };
            out.duration += file.duration;
            out.elements += file.elements.max(file.cases.len());
            if cases.is_empty() {
                cases = file.cases;
            } else {
                cases.extend(file.cases);
            }
            file_of.resize(cases.len(), u32::try_from(file_index).unwrap_or(u32::MAX));
        }
        // Most reports repeat no test. Sorted hashes tell (a sequential pass and a sort); the
        // map below, one random access per test, cost five times as much on 200,000 tests.
        let no_repeats = match &mut hashes {
            Some(hashes) => !repeats(hashes),
            None => !may_repeat(&cases),
        };
        drop(hashes);
        if no_repeats {
            out.cases = cases;
            return out;
        }
        // Each case's group: the index of the first case with its id (itself when it is the
        // first, or has no name). Ids are borrowed, not cloned.
        let mut group: Vec<u32> = Vec::with_capacity(cases.len());
        let mut repeated = false;
        {
            let mut first: HashMap<&TestId, u32, FxBuildHasher> =
                HashMap::with_capacity_and_hasher(cases.len(), FxBuildHasher);
            for (i, case) in cases.iter().enumerate() {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                if case.id.name.is_none() {
                    group.push(i);
                    continue;
                }
                let g = *first.entry(&case.id).or_insert(i);
                repeated |= g != i;
                group.push(g);
            }
        }
        if !repeated {
            out.cases = cases;
            return out;
        }
        // Members of each group in order, as a chain from its first case; and whether the
        // group's elements are attempts of one test (mixed outcomes, or more than one file).
        const NONE: u32 = u32::MAX;
        let mut next = vec![NONE; cases.len()];
        let mut last: Vec<u32> = (0..cases.len() as u32).collect();
        #[derive(Clone, Copy, Default)]
        struct Stat {
            elements: u32,
            passed: bool,
            failed: bool,
            files: bool,
        }
        let mut stats = vec![Stat::default(); cases.len()];
        for (i, case) in cases.iter().enumerate() {
            let g = group[i];
            let i = i as u32;
            if g != i {
                next[last[g as usize] as usize] = i;
                last[g as usize] = i;
            }
            let stat = &mut stats[g as usize];
            stat.elements += 1;
            stat.files |= file_of[i as usize] != file_of[g as usize];
            for a in &case.attempts {
                stat.passed |= a.outcome == TestOutcome::Passed;
                stat.failed |= a.outcome.is_failure();
            }
        }
        drop(last);
        let mut slots: Vec<Option<TestCase>> = cases.into_iter().map(Some).collect();
        out.cases.reserve(slots.len());
        for i in 0..slots.len() {
            if group[i] as usize != i {
                continue;
            }
            let stat = stats[i];
            let merge = stat.elements > 1 && ((stat.passed && stat.failed) || stat.files);
            let mut merged: Option<TestCase> = None;
            let mut at = i as u32;
            while at != NONE {
                if let Some(case) = slots[at as usize].take() {
                    match &mut merged {
                        Some(existing) if merge => {
                            existing.attempts.extend(case.attempts);
                            existing.file = existing.file.take().or(case.file);
                            existing.line = existing.line.or(case.line);
                        }
                        _ if merge => merged = Some(case),
                        _ => out.cases.push(case),
                    }
                }
                at = next[at as usize];
            }
            out.cases.extend(merged);
        }
        out
    }

    pub fn counts(&self) -> TestCounts {
        TestCounts::of(&self.cases)
    }
}

/// Whether two named cases may have the same id: false only when all their hashes differ.
fn may_repeat(cases: &[TestCase]) -> bool {
    let mut hashes: Vec<u64> = cases
        .iter()
        .filter(|c| c.id.name.is_some())
        .map(|c| c.id.hash_id())
        .collect();
    repeats(&mut hashes)
}

/// Whether a hash occurs twice (sorts `hashes`).
fn repeats(hashes: &mut [u64]) -> bool {
    hashes.sort_unstable();
    hashes.windows(2).any(|w| w[0] == w[1])
}

#[cfg(test)]
mod unit {
    use super::*;

    fn attempt(outcome: TestOutcome) -> Attempt {
        Attempt {
            outcome,
            note: outcome.is_failure().then(|| {
                let kind = if outcome == TestOutcome::Failed {
                    FailureKind::Failure
                } else {
                    FailureKind::Error
                };
                Box::new(AttemptNote::Failure(kind, Failure::default()))
            }),
            time: Some(1.0),
        }
    }

    fn case(name: Option<&str>, outcomes: &[TestOutcome]) -> TestCase {
        TestCase {
            id: TestId {
                suite: Some("s".into()),
                classname: Some("c".into()),
                name: name.map(Arc::from),
            },
            file: None,
            line: None,
            attempts: outcomes.iter().map(|&o| attempt(o)).collect(),
        }
    }

    fn file(cases: Vec<TestCase>) -> ParsedTests {
        ParsedTests {
            elements: cases.len(),
            cases,
            duration: 2.5,
            warnings: vec![],
            id_hashes: None,
        }
    }

    use TestOutcome::{Errored, Failed, Passed, Skipped};

    #[test]
    fn rerun_that_passes_is_flaky_and_counted_once_as_passed() {
        let merged = TestResults::merge([
            file(vec![case(Some("t"), &[Failed]), case(Some("u"), &[Passed])]),
            file(vec![case(Some("t"), &[Passed])]),
        ]);
        let c = merged.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.flaky), (2, 2, 0, 1));
        assert_eq!(merged.elements, 3);
        assert_eq!(merged.duration, 5.0);
        let t = &merged.cases[0];
        assert_eq!((t.attempts.len(), t.passed_on()), (2, Some(2)));
        assert!(t.failure().is_none());
        assert!(t.last_failure().is_some());
    }

    #[test]
    fn same_name_in_other_classes_is_another_test() {
        let in_class = |class: &str, outcome| TestCase {
            id: TestId {
                classname: Some(class.into()),
                ..case(Some("t"), &[]).id
            },
            ..case(Some("t"), &[outcome])
        };
        let files = || {
            [
                file(vec![in_class("a", Failed), in_class("b", Passed)]),
                file(vec![in_class("c", Passed)]),
            ]
        };
        let merged = TestResults::merge(files());
        let c = merged.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.flaky), (3, 2, 1, 0));
        // The same names with a class repeated across files: one test, flaky.
        let [first, _] = files();
        let merged = TestResults::merge([first, file(vec![in_class("a", Passed)])]);
        let c = merged.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.flaky), (2, 2, 0, 1));
        assert!(!may_repeat(&[in_class("a", Passed), in_class("b", Passed)]));
        assert!(may_repeat(&[in_class("a", Passed), in_class("a", Failed)]));
    }

    #[test]
    fn hashes_from_the_parser_merge_the_same() {
        let files = || {
            [
                file(vec![
                    case(Some("a"), &[Passed]),
                    case(Some("b"), &[Failed]),
                    case(None, &[Passed]),
                    case(Some("b"), &[Passed]),
                ]),
                file(vec![case(Some("a"), &[Failed]), case(Some("c"), &[Passed])]),
            ]
        };
        let with_hashes = |mut f: ParsedTests| {
            let hashes = f.cases.iter().filter(|c| c.id.name.is_some());
            f.id_hashes = Some(hashes.map(|c| c.id.hash_id()).collect());
            f
        };
        let plain = TestResults::merge(files());
        let hashed = TestResults::merge(files().map(with_hashes));
        assert_eq!(hashed.cases, plain.cases);
        let c = hashed.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.flaky), (4, 3, 1, 2));
        // One file without hashes: the merge hashes the cases itself.
        let [first, second] = files();
        let mixed = TestResults::merge([with_hashes(first), second]);
        assert_eq!(mixed.cases, plain.cases);
        // Without repeats, the cases stay as they were.
        let [first, _] = files();
        let single = TestResults::merge([with_hashes(file(first.cases[..3].to_vec()))]);
        assert_eq!(single.cases, first.cases[..3]);
    }

    #[test]
    fn final_attempt_decides_and_skips_do_not() {
        assert_eq!(
            case(Some("t"), &[Failed, Failed, Errored]).outcome(),
            Errored
        );
        assert!(!case(Some("t"), &[Failed, Errored]).is_flaky());
        assert_eq!(case(Some("t"), &[Skipped, Failed]).outcome(), Failed);
        assert_eq!(case(Some("t"), &[Passed, Skipped]).outcome(), Passed);
        assert_eq!(case(Some("t"), &[Skipped, Skipped]).outcome(), Skipped);
        // Passed first, then failed (a CI re-run that broke): flaky, and it counts as failed.
        let late = case(Some("t"), &[Passed, Failed]);
        assert_eq!((late.outcome(), late.is_flaky()), (Failed, true));
    }

    #[test]
    fn repeats_that_agree_stay_separate_and_group_where_first_seen() {
        let merged = TestResults::merge([file(vec![
            case(Some("a"), &[Passed]),
            case(None, &[Passed]),
            case(Some("b"), &[Passed]),
            case(Some("a"), &[Passed]),
            case(Some("c"), &[Failed]),
            case(Some("c"), &[Passed]),
        ])]);
        let names: Vec<_> = merged.cases.iter().map(|c| c.id.name.as_deref()).collect();
        assert_eq!(names, [Some("a"), Some("a"), None, Some("b"), Some("c")]);
        let c = merged.counts();
        assert_eq!((c.tests, c.passed, c.flaky), (5, 5, 1));
        assert_eq!(merged.cases[4].attempts.len(), 2);
    }

    #[test]
    fn attempts_read_as_a_slice_whatever_their_number() {
        let mut a = Attempts::default();
        assert!(a.is_empty());
        a.push(attempt(Failed));
        assert_eq!(a.len(), 1);
        a.extend([attempt(Passed), attempt(Skipped)]);
        let outcomes: Vec<_> = a.iter().map(|x| x.outcome).collect();
        assert_eq!(outcomes, [Failed, Passed, Skipped]);
        assert_eq!(
            Attempts::one(attempt(Passed)),
            Attempts::from(vec![attempt(Passed)])
        );
        assert_eq!(a.clone().into_iter().count(), 3);
        a[0].outcome = Errored;
        assert_eq!(a.first().map(|x| x.outcome), Some(Errored));
    }

    #[test]
    fn nameless_tests_are_never_merged() {
        let merged = TestResults::merge([file(vec![case(None, &[Passed]), case(None, &[Failed])])]);
        let c = merged.counts();
        assert_eq!((c.tests, c.passed, c.failed, c.flaky), (2, 1, 1, 0));
    }

    #[test]
    fn a_case_stays_small() {
        // What 200,000 test cases cost in memory; see bench/README.md.
        assert_eq!(std::mem::size_of::<Attempt>(), 32);
        assert_eq!(std::mem::size_of::<Attempts>(), 32);
        assert_eq!(std::mem::size_of::<TestCase>(), 104);
        let mut a = attempt(Skipped);
        assert_eq!((a.failure(), a.skip_message()), (None, None));
        a.note = Some(Box::new(AttemptNote::Skipped("flaky on CI".into())));
        assert_eq!(a.skip_message(), Some("flaky on CI"));
        let failed = attempt(Errored);
        assert_eq!(failed.failure().map(|(k, _)| k), Some(FailureKind::Error));
        assert_eq!(failed.skip_message(), None);
    }
}
