//! A head run compared with its baseline record: per-file coverage changes and the tests.
//!
//! Pure functions over records, reports and the change set; the summaries hold their results and
//! the renderers show them.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::git::{ChangeSet, FileStatus, Hunk};
use crate::model::test_results::{TestOutcome, TestResults};
use crate::model::{CoverageReport, LineState, Totals};

use super::baseline::BaselineSearch;
use super::record::{counted, Record, RecordedTest};

/// What the baseline search found, for the output (the record itself stays out of summaries).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineInfo {
    pub merge_base: String,
    /// The commit whose record is the baseline; `None` = no baseline.
    pub commit: Option<String>,
    /// First-parent steps from the merge-base to `commit`.
    pub distance: Option<usize>,
    /// Where the baseline came from, or why there is none, in one sentence.
    pub description: String,
}

impl From<&BaselineSearch> for BaselineInfo {
    fn from(s: &BaselineSearch) -> Self {
        BaselineInfo {
            merge_base: s.merge_base.clone(),
            commit: s.found.as_ref().map(|b| b.commit.clone()),
            distance: s.found.as_ref().map(|b| b.distance),
            description: s.describe(),
        }
    }
}

/// What a pull request gets from history: where the baseline came from, and the comparisons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryView {
    pub baseline: BaselineInfo,
    /// Files whose coverage moved against the baseline (empty without a baseline).
    pub coverage_changes: Vec<FileDelta>,
    /// Lines outside the diff whose state changed, per file.
    pub indirect_changes: Vec<IndirectFile>,
    /// Head's tests against the baseline's, when both runs had test results.
    pub tests: Option<TestComparison>,
    /// The baseline's tests, kept for the comparison once head's tests are read (`publish`).
    #[serde(skip)]
    pub base_tests: Option<Vec<RecordedTest>>,
    /// Tests flaky on the default branch, from the records of its recent runs, and how many
    /// runs with test results were looked at.
    #[serde(skip)]
    pub flaky_known: (HashSet<TestKey>, usize),
    /// Unusable records skipped on the way, one sentence each.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// One file whose hits, misses or partials moved between the baseline and head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileDelta {
    pub path: String,
    /// Totals at the baseline (under the file's old path when renamed); `None`: not measured there.
    pub base: Option<Totals>,
    /// Totals at head; `None`: not measured at head (deleted, or no longer in a report).
    pub head: Option<Totals>,
    /// The file is part of the PR's change.
    pub in_diff: bool,
    /// Percent at head − percent at base, unrounded; `None` when either side has nothing
    /// coverable.
    pub delta: Option<f64>,
}

impl FileDelta {
    fn new(path: String, base: Option<Totals>, head: Option<Totals>, in_diff: bool) -> Self {
        let delta = (|| Some(head?.percent()? - base?.percent()?))();
        FileDelta {
            path,
            base,
            head,
            in_diff,
            delta,
        }
    }
}

/// Files whose coverage changed, files of the change first, then by path.
///
/// `head_files` are the per-file totals of the head report (already counted with the run's
/// rules); renamed files are compared with their old path's record.
pub fn coverage_changes(
    base: &Record,
    head_files: &[(String, Totals)],
    change: Option<&ChangeSet>,
    partials_as_hits: bool,
) -> Vec<FileDelta> {
    let mut old_path: HashMap<&str, &str> = HashMap::new();
    let mut changed: HashSet<&str> = HashSet::new();
    for f in change.map(|c| c.files.as_slice()).unwrap_or_default() {
        changed.insert(f.path.as_str());
        if let Some(old) = &f.old_path {
            if f.status == FileStatus::Renamed {
                old_path.insert(f.path.as_str(), old.as_str());
            }
        }
    }
    let renamed_from: HashSet<&str> = old_path.values().copied().collect();
    let mut out = Vec::new();
    let mut seen_base: HashSet<&str> = HashSet::new();
    for (path, head) in head_files {
        let base_path = old_path.get(path.as_str()).copied().unwrap_or(path);
        seen_base.insert(base_path);
        let base_totals = base.file_totals(base_path, partials_as_hits);
        if base_totals.is_some_and(|b| same_counts(&b, head)) {
            continue;
        }
        out.push(FileDelta::new(
            path.clone(),
            base_totals,
            Some(*head),
            changed.contains(path.as_str()),
        ));
    }
    for path in base.files.keys() {
        if seen_base.contains(path.as_str()) || renamed_from.contains(path.as_str()) {
            continue;
        }
        out.push(FileDelta::new(
            path.clone(),
            base.file_totals(path, partials_as_hits),
            None,
            changed.contains(path.as_str()),
        ));
    }
    out.sort_by(|a, b| b.in_diff.cmp(&a.in_diff).then_with(|| a.path.cmp(&b.path)));
    out
}

fn same_counts(a: &Totals, b: &Totals) -> bool {
    a.hits == b.hits && a.misses == b.misses && a.partials == b.partials
}

/// A line outside the diff whose state changed between the baseline and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IndirectLine {
    /// Line number at head.
    pub line: u32,
    /// The same line's number at the baseline, carried through the diff's hunks.
    pub base_line: u32,
    pub base: LineState,
    pub head: LineState,
}

/// The indirect changes of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndirectFile {
    pub path: String,
    pub lines: Vec<IndirectLine>,
}

/// Where base line `line` is at head: shifted by the hunks before it, `None` when a hunk
/// removed or rewrote it. `hunks` are in order and without context (git's zero-context diff).
fn carried(line: u32, hunks: &[Hunk], next: &mut usize, offset: &mut i64) -> Option<u32> {
    while let Some(h) = hunks.get(*next) {
        // A pure insertion follows its `old_start`; a replacement covers its old lines.
        let last_old = if h.old_lines == 0 {
            h.old_start
        } else {
            h.old_start + h.old_lines - 1
        };
        if last_old >= line {
            if h.old_lines > 0 && h.old_start <= line {
                return None;
            }
            break;
        }
        *offset += i64::from(h.new_lines) - i64::from(h.old_lines);
        *next += 1;
    }
    u32::try_from(i64::from(line) + *offset).ok()
}

/// Lines outside the diff whose state changed (hit → miss, miss → hit, to or from partial):
/// coverage the PR moved without touching the line, e.g. a test it removed or a caller it
/// changed. Base lines are carried to head through the hunks of `merge-base..head`, so lines
/// that only moved (an insertion above) are compared with themselves. Added lines are the
/// patch's business and are left out; lines coverable on one side only are not changes of state.
pub fn indirect_changes(
    base: &Record,
    head: &CoverageReport,
    change: &ChangeSet,
    hunks: &HashMap<String, Vec<Hunk>>,
    partials_as_hits: bool,
) -> Vec<IndirectFile> {
    let changed: HashMap<&str, &crate::git::ChangedFile> =
        change.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut out = Vec::new();
    for (path, file) in &head.files {
        let changed_file = changed.get(path.as_str());
        if changed_file.is_some_and(|f| matches!(f.status, FileStatus::Added | FileStatus::Copied))
        {
            continue;
        }
        let base_path = changed_file
            .and_then(|f| f.old_path.as_deref())
            .unwrap_or(path);
        let Some(base_lines) = base.files.get(base_path) else {
            continue;
        };
        let no_hunks = Vec::new();
        let file_hunks = if changed_file.is_some() {
            hunks.get(path.as_str()).unwrap_or(&no_hunks)
        } else {
            &no_hunks
        };
        let added: HashSet<u32> = changed_file
            .map(|f| f.added_lines.iter().copied().collect())
            .unwrap_or_default();
        let (mut next, mut offset) = (0, 0i64);
        let mut lines = Vec::new();
        for &(base_line, base_state) in base_lines {
            let Some(line) = carried(base_line, file_hunks, &mut next, &mut offset) else {
                continue;
            };
            if added.contains(&line) {
                continue;
            }
            let Some(head_state) = file.lines.state(line) else {
                continue;
            };
            let (before, after) = (
                counted(base_state, partials_as_hits),
                counted(head_state, partials_as_hits),
            );
            if before != after {
                lines.push(IndirectLine {
                    line,
                    base_line,
                    base: before,
                    head: after,
                });
            }
        }
        if !lines.is_empty() {
            out.push(IndirectFile {
                path: path.clone(),
                lines,
            });
        }
    }
    out
}

/// The tests of a run, as a record keeps them.
pub fn recorded_tests(results: &TestResults) -> Vec<RecordedTest> {
    Record::of_run(
        super::RecordMeta::default(),
        &crate::model::CoverageReport::default(),
        Some(results),
    )
    .tests
    .unwrap_or_default()
}

/// Consecutive passes on the default branch that clear a test's flaky mark (Codecov's rule).
pub const FLAKY_CLEARED_AFTER: u32 = 30;

/// A test's identity across runs: suite, classname, name.
pub type TestKey = (Option<String>, Option<String>, Option<String>);

fn owned_key(t: &RecordedTest) -> TestKey {
    (t.suite.clone(), t.classname.clone(), t.name.clone())
}

/// Tests flaky on the default branch by Codecov's rule, from the tests of its recent runs
/// (oldest first): a test that failed and then passed, on a retry within a run or in a later
/// run, is flaky; [`FLAKY_CLEARED_AFTER`] consecutive passes clear it.
pub fn flaky_across_runs(runs_oldest_first: &[&[RecordedTest]]) -> HashSet<TestKey> {
    #[derive(Default)]
    struct Seen {
        flaky: bool,
        failed_last: bool,
        passes: u32,
    }
    let mut seen: HashMap<TestKey, Seen> = HashMap::new();
    for run in runs_oldest_first {
        for t in *run {
            let s = seen.entry(owned_key(t)).or_default();
            if t.flaky {
                // Failed, then passed on a retry within the run.
                s.flaky = true;
                s.failed_last = false;
                s.passes = 0;
            } else if t.outcome.is_failure() {
                s.failed_last = true;
                s.passes = 0;
            } else if t.outcome == TestOutcome::Passed {
                if s.failed_last {
                    s.flaky = true;
                    s.failed_last = false;
                }
                s.passes += 1;
                if s.passes >= FLAKY_CLEARED_AFTER {
                    s.flaky = false;
                }
            }
        }
    }
    seen.into_iter()
        .filter(|(_, s)| s.flaky)
        .map(|(k, _)| k)
        .collect()
}

/// Head's tests against the baseline's.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TestComparison {
    /// Failed or errored at head, and passed, skipped or absent at the baseline: the PR's doing.
    pub new_failures: Vec<String>,
    /// Failed at head, and flaky on the default branch (see [`flaky_across_runs`]): not counted
    /// as new failures nor by `--fail-on-new-test-failure`.
    pub flaky_failures: Vec<String>,
    /// How many default-branch runs the flaky verdict looked at.
    pub flaky_runs: usize,
    /// Failed at head and already at the baseline.
    pub already_failing: Vec<String>,
    /// Failed at the baseline, passed at head.
    pub fixed: Vec<String>,
    /// At head, not at the baseline.
    pub added: Vec<String>,
    /// At the baseline, not at head.
    pub removed: Vec<String>,
    /// Skipped at head, ran (passed or failed) at the baseline.
    pub newly_skipped: Vec<String>,
    pub base_tests: usize,
    pub head_tests: usize,
    /// Head's slowest tests with their duration at the baseline.
    pub slowest: Vec<SlowTestDelta>,
    /// Every head test skipped (a run that tested nothing), while the baseline ran some.
    pub all_skipped: bool,
}

impl TestComparison {
    /// Fewer tests at head than at the baseline.
    pub fn dropped(&self) -> bool {
        self.head_tests < self.base_tests
    }
}

/// Moves head's failures of tests flaky on the default branch out of the new and already-failing
/// lists into `flaky_failures`.
pub fn separate_flaky(
    c: &mut TestComparison,
    head: &[RecordedTest],
    flaky: &HashSet<TestKey>,
    runs: usize,
) {
    c.flaky_runs = runs;
    let names: HashSet<String> = head
        .iter()
        .filter(|t| t.outcome.is_failure() && flaky.contains(&owned_key(t)))
        .map(RecordedTest::display_name)
        .collect();
    for list in [&mut c.new_failures, &mut c.already_failing] {
        list.retain(|n| {
            if names.contains(n) {
                c.flaky_failures.push(n.clone());
                false
            } else {
                true
            }
        });
    }
    c.flaky_failures.sort();
    c.flaky_failures.dedup();
}

/// [`RecordedTest::key`]: a test's identity, borrowed.
type KeyRef<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

/// One of head's slowest tests, and how long it took at the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowTestDelta {
    pub name: String,
    pub seconds: f64,
    /// `None`: absent at the baseline or without a time there.
    pub base_seconds: Option<f64>,
}

/// How many slowest tests the comparison lists.
pub const SLOWEST: usize = 10;

#[expect(
    clippy::cast_precision_loss,
    reason = "milliseconds stay far below 2^52"
)]
fn seconds(millis: u64) -> f64 {
    millis as f64 / 1000.0
}

/// Head's [`SLOWEST`] slowest tests with their baseline durations.
fn slowest(base: &HashMap<KeyRef<'_>, &RecordedTest>, head: &[RecordedTest]) -> Vec<SlowTestDelta> {
    let mut timed: Vec<&RecordedTest> = head.iter().filter(|t| t.millis.is_some()).collect();
    timed.sort_by(|a, b| b.millis.cmp(&a.millis).then_with(|| a.key().cmp(&b.key())));
    timed
        .into_iter()
        .take(SLOWEST)
        .map(|t| SlowTestDelta {
            name: t.display_name(),
            seconds: seconds(t.millis.unwrap_or_default()),
            base_seconds: base.get(&t.key()).and_then(|b| b.millis).map(seconds),
        })
        .collect()
}

/// Compares head's tests with the baseline's, by suite, classname and name. Lists are sorted
/// by display name.
pub fn compare_tests(base: &[RecordedTest], head: &[RecordedTest]) -> TestComparison {
    let base_by_key: HashMap<_, &RecordedTest> = base.iter().map(|t| (t.key(), t)).collect();
    let head_keys: HashSet<_> = head.iter().map(RecordedTest::key).collect();
    let mut c = TestComparison {
        base_tests: base.len(),
        head_tests: head.len(),
        all_skipped: !head.is_empty()
            && head.iter().all(|t| t.outcome == TestOutcome::Skipped)
            && base.iter().any(|t| t.outcome != TestOutcome::Skipped),
        ..TestComparison::default()
    };
    for t in head {
        let before = base_by_key.get(&t.key()).map(|b| b.outcome);
        let name = t.display_name();
        if before.is_none() {
            c.added.push(name.clone());
        }
        match (t.outcome.is_failure(), before) {
            (true, Some(b)) if b.is_failure() => c.already_failing.push(name),
            (true, _) => c.new_failures.push(name),
            (false, Some(b)) if b.is_failure() && t.outcome == TestOutcome::Passed => {
                c.fixed.push(name);
            }
            (false, Some(b)) if t.outcome == TestOutcome::Skipped && b != TestOutcome::Skipped => {
                c.newly_skipped.push(name);
            }
            _ => {}
        }
    }
    c.slowest = slowest(&base_by_key, head);
    c.removed = base
        .iter()
        .filter(|t| !head_keys.contains(&t.key()))
        .map(RecordedTest::display_name)
        .collect();
    for list in [
        &mut c.new_failures,
        &mut c.already_failing,
        &mut c.fixed,
        &mut c.added,
        &mut c.removed,
        &mut c.newly_skipped,
    ] {
        list.sort();
        list.dedup();
    }
    c
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::git::ChangedFile;
    use crate::model::LineState::{Hit, Miss, Partial};

    fn test(name: &str, outcome: TestOutcome) -> RecordedTest {
        RecordedTest {
            suite: Some("s".into()),
            classname: Some("C".into()),
            name: Some(name.into()),
            outcome,
            flaky: false,
            millis: None,
        }
    }

    #[test]
    fn base_lines_are_carried_through_insertions_deletions_and_rewrites() {
        // 2 lines inserted after base line 1; base lines 4-5 deleted; base line 8 rewritten
        // into 3 lines.
        let hunks = [
            Hunk {
                old_start: 1,
                old_lines: 0,
                new_start: 2,
                new_lines: 2,
            },
            Hunk {
                old_start: 4,
                old_lines: 2,
                new_start: 5,
                new_lines: 0,
            },
            Hunk {
                old_start: 8,
                old_lines: 1,
                new_start: 8,
                new_lines: 3,
            },
        ];
        let (mut next, mut offset) = (0, 0);
        let carried: Vec<Option<u32>> = (1..=10)
            .map(|l| carried(l, &hunks, &mut next, &mut offset))
            .collect();
        assert_eq!(
            carried,
            [
                Some(1),
                Some(4),
                Some(5),
                None,
                None,
                Some(6),
                Some(7),
                None,
                Some(11),
                Some(12)
            ]
        );
    }

    #[test]
    fn flaky_by_codecovs_rule_and_cleared_by_thirty_passes() {
        use TestOutcome::{Failed, Passed};
        let run = |outcomes: &[(&str, TestOutcome)]| -> Vec<RecordedTest> {
            outcomes.iter().map(|(n, o)| test(n, *o)).collect()
        };
        let mut retried = test("retried", Passed);
        retried.flaky = true;
        let mut runs = vec![
            run(&[("later", Failed), ("broken", Passed), ("cleared", Failed)]),
            vec![
                retried,
                test("later", Passed),
                test("broken", Failed),
                test("cleared", Passed),
            ],
        ];
        for _ in 0..FLAKY_CLEARED_AFTER - 1 {
            runs.push(run(&[("cleared", Passed)]));
        }
        let refs: Vec<&[RecordedTest]> = runs.iter().map(Vec::as_slice).collect();
        let key = |n: &str| owned_key(&test(n, Passed));
        let flaky = flaky_across_runs(&refs);
        // `broken` failed last and never passed again: a failure, not (yet) flaky. `cleared`
        // passed 30 times in a row after its flip.
        assert_eq!(flaky, [key("later"), key("retried")].into_iter().collect());

        let head = [test("later", Failed), test("new", Failed)];
        let mut c = compare_tests(&runs[1], &head);
        separate_flaky(&mut c, &head, &flaky, refs.len());
        assert_eq!(c.new_failures, ["C › new"]);
        assert_eq!(c.flaky_failures, ["C › later"]);
    }

    #[test]
    fn tests_sorted_into_new_and_already_failing() {
        use TestOutcome::{Errored, Failed, Passed, Skipped};
        let base = [
            test("a", Passed),
            test("b", Failed),
            test("c", Passed),
            test("gone", Passed),
            test("d", Failed),
            test("e", Skipped),
        ];
        let head = [
            test("a", Failed),
            test("b", Errored),
            test("c", Skipped),
            test("d", Passed),
            test("e", Failed),
            test("new", Failed),
        ];
        let c = compare_tests(&base, &head);
        assert_eq!(c.new_failures, ["C › a", "C › e", "C › new"]);
        assert_eq!(c.already_failing, ["C › b"]);
        assert_eq!(c.fixed, ["C › d"]);
        assert_eq!(c.added, ["C › new"]);
        assert_eq!(c.removed, ["C › gone"]);
        assert_eq!(c.newly_skipped, ["C › c"]);
        assert!(!c.dropped() && !c.all_skipped);

        let skipped_run = [test("a", Skipped)];
        let c = compare_tests(&base, &skipped_run);
        assert!(c.all_skipped && c.dropped());
    }

    fn totals(hits: u64, misses: u64, partials: u64) -> Totals {
        Totals {
            lines: hits + misses + partials,
            hits,
            misses,
            partials,
        }
    }

    #[test]
    fn coverage_changes_follow_renames_and_list_changed_files_first() {
        let mut files = BTreeMap::new();
        files.insert("old.rs".to_owned(), vec![(1, Hit), (2, Miss)]);
        files.insert("same.rs".to_owned(), vec![(1, Hit)]);
        files.insert("moved.rs".to_owned(), vec![(1, Hit), (2, Partial)]);
        files.insert("deleted.rs".to_owned(), vec![(1, Miss)]);
        let base = Record {
            files,
            ..Record::default()
        };
        let head = vec![
            ("new.rs".to_owned(), totals(1, 0, 0)),
            ("renamed.rs".to_owned(), totals(1, 1, 0)),
            ("same.rs".to_owned(), totals(1, 0, 0)),
            ("moved.rs".to_owned(), totals(2, 0, 0)),
        ];
        let change = ChangeSet {
            base: "b".into(),
            head: "h".into(),
            files: vec![ChangedFile {
                path: "renamed.rs".into(),
                old_path: Some("old.rs".into()),
                status: FileStatus::Renamed,
                binary: false,
                added_lines: vec![],
            }],
        };
        let d = coverage_changes(&base, &head, Some(&change), false);
        let paths: Vec<_> = d.iter().map(|f| f.path.as_str()).collect();
        // renamed.rs equals old.rs's counts: unchanged. moved.rs gained a hit (indirect).
        assert_eq!(paths, ["deleted.rs", "moved.rs", "new.rs"]);
        assert_eq!(d[1].delta, Some(50.0));
        assert_eq!(d[0].head, None);
        assert_eq!(d[2].base, None);
        // Partials as hits: moved.rs did not move.
        let d = coverage_changes(&base, &head, Some(&change), true);
        assert!(!d.iter().any(|f| f.path == "moved.rs"));
    }
}
