//! What one record holds: the line states of the merged coverage per file, the tests and their
//! outcomes, and where the run came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::test_results::{TestOutcome, TestResults};
use crate::model::{CoverageReport, LineState, Totals};

/// Where and how the record was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RecordMeta {
    /// The commit the coverage is of (full sha).
    pub commit: String,
    pub branch: Option<String>,
    /// The CI run that made it (`GITHUB_RUN_ID`, `CI_PIPELINE_ID`), when known.
    pub ci_run_id: Option<String>,
    /// The prcov version that wrote it.
    pub prcov_version: String,
    /// [`settings_hash`] of the path mapping and counting settings: a baseline made with other
    /// settings is still used, with a warning, since its paths or states may not compare.
    pub settings_hash: u64,
    /// Seconds since the Unix epoch.
    pub created_unix: u64,
}

/// One test as recorded: its name parts, final outcome, and its longest attempt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedTest {
    pub suite: Option<String>,
    pub classname: Option<String>,
    pub name: Option<String>,
    pub outcome: TestOutcome,
    /// Failed on one attempt and passed on another within the run.
    pub flaky: bool,
    /// Milliseconds, when the report gave a time.
    pub millis: Option<u64>,
}

impl RecordedTest {
    /// `classname › name`, the way the test results show a test.
    pub fn display_name(&self) -> String {
        match (&self.classname, &self.name) {
            (Some(c), Some(n)) if c != n && !c.is_empty() => format!("{c} › {n}"),
            (_, Some(n)) => n.clone(),
            (Some(c), None) => c.clone(),
            (None, None) => "(unnamed test)".to_owned(),
        }
    }

    /// What identifies a test across runs.
    pub fn key(&self) -> (Option<&str>, Option<&str>, Option<&str>) {
        (
            self.suite.as_deref(),
            self.classname.as_deref(),
            self.name.as_deref(),
        )
    }
}

/// A run of the default branch, as history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    pub meta: RecordMeta,
    /// Repo path → its coverable lines, ascending, with their state.
    pub files: BTreeMap<String, Vec<(u32, LineState)>>,
    /// `None` when the run had no test results; an empty list is a run of zero tests.
    pub tests: Option<Vec<RecordedTest>>,
}

impl Record {
    /// The record of a run: line states of the merged, mapped report, and the tests.
    pub fn of_run(meta: RecordMeta, report: &CoverageReport, tests: Option<&TestResults>) -> Self {
        let files = report
            .files
            .iter()
            .filter(|(_, f)| !f.lines.is_empty())
            .map(|(path, f)| (path.clone(), f.lines.states().collect()))
            .collect();
        let tests = tests.map(|t| {
            t.cases
                .iter()
                .map(|c| RecordedTest {
                    suite: c.id.suite.as_deref().map(str::to_owned),
                    classname: c.id.classname.as_deref().map(str::to_owned),
                    name: c.id.name.as_deref().map(str::to_owned),
                    outcome: c.outcome(),
                    flaky: c.is_flaky(),
                    // Durations are whole milliseconds: finer is noise across CI machines.
                    millis: c.time().filter(|s| s.is_finite() && *s >= 0.0).map(|s| {
                        // Saturating float → int conversion; a test of 584 million years is capped.
                        (s * 1000.0).round() as u64
                    }),
                })
                .collect()
        });
        Record { meta, files, tests }
    }

    /// Totals of one file, counting partials as `rules` says.
    pub fn file_totals(&self, path: &str, partials_as_hits: bool) -> Option<Totals> {
        self.files
            .get(path)
            .map(|lines| totals_of(lines, partials_as_hits))
    }

    /// Totals of every file of the record.
    pub fn totals(&self, partials_as_hits: bool) -> Totals {
        let mut t = Totals::default();
        for lines in self.files.values() {
            t += totals_of(lines, partials_as_hits);
        }
        t
    }
}

/// The state a line counts as (`--partials-as-hits` turns partials into hits).
pub(crate) fn counted(state: LineState, partials_as_hits: bool) -> LineState {
    match state {
        LineState::Partial if partials_as_hits => LineState::Hit,
        s => s,
    }
}

fn totals_of(lines: &[(u32, LineState)], partials_as_hits: bool) -> Totals {
    let mut t = Totals::default();
    for (_, state) in lines {
        t.add(counted(*state, partials_as_hits));
    }
    t
}

/// [`settings_hash`] of the path rewrites and counting rules a run used: a record and a PR
/// run with different values may not compare line for line.
pub fn settings_of(rewrites: &[crate::paths::Rewrite], partials_as_hits: bool) -> u64 {
    let mut parts: Vec<String> = rewrites
        .iter()
        .map(|r| format!("{}={}", r.from, r.to))
        .collect();
    parts.push(format!("partials_as_hits={partials_as_hits}"));
    settings_hash(&parts)
}

/// A stable 64-bit hash (FNV-1a) of the settings that decide which paths and states a record
/// holds. Not `DefaultHasher`: its output may change between Rust releases, and records outlive
/// the binary that wrote them.
pub fn settings_hash(parts: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}
