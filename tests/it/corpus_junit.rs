//! Every `junit` file of the corpus: `ok` files parse and their `<testcase>` counts equal the
//! oracle (junitparser 5.0.3); `error` files are rejected with a line; `lenient` files as noted.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use prcov::formats::junit;
use prcov::formats::ParseError;
use prcov::model::test_results::{TestCounts, TestResults};

fn parse_row(
    row: &crate::common::ManifestRow,
) -> Result<prcov::model::test_results::ParsedTests, prcov::formats::FormatError> {
    let file = File::open(row.path()).expect("corpus file opens");
    junit::parse(BufReader::new(file))
}

/// Per-element counts (what the oracle counts): tests, failures, errors, skipped.
fn element_counts(
    parsed: &prcov::model::test_results::ParsedTests,
) -> (usize, usize, usize, usize) {
    let c = TestCounts::of(&parsed.cases);
    (c.tests, c.failed, c.errored, c.skipped)
}

/// Files whose suite `tests` attribute counts a repeated (rerun) test once.
const RERUN_COUNTED_ONCE: &[&str] = &["junit/mikepenz-go-junit-report-rerun.xml"];

#[test]
fn ok_files_parse_with_the_oracle_counts() {
    let rows = crate::common::manifest(&["junit"]);
    let ok: Vec<_> = rows.iter().filter(|r| r.get("expect") == "ok").collect();
    assert_eq!(ok.len(), 94, "manifest changed: update this test");
    let mut problems = Vec::new();
    for row in ok {
        let name = row.get("path");
        match parse_row(row) {
            Err(e) => problems.push(format!("{name}: rejected at {}: {}", e.location, e.message)),
            Ok(parsed) => {
                let want = (
                    row.num("tests"),
                    row.num("failures"),
                    row.num("errors"),
                    row.num("skipped"),
                );
                let (t, f, e, s) = element_counts(&parsed);
                let got = (
                    Some(t as u64),
                    Some(f as u64),
                    Some(e as u64),
                    Some(s as u64),
                );
                if got != want {
                    problems.push(format!("{name}: oracle {want:?}, prcov {got:?}"));
                }
                // Where the manifest notes that a suite's own attributes are wrong, prcov warns;
                // except where `tests` counts a rerun test once (as rerun tools write it),
                // which prcov reads as reruns and does not call wrong.
                let warned = parsed.warnings.iter().any(|w| w.message.contains(" says "));
                let expect_warning = row.get("notes").contains("suite attrs say")
                    && !RERUN_COUNTED_ONCE.contains(&name);
                // (Other files may warn too: the notes list only some of the wrong attributes.)
                if (expect_warning && !warned) || (RERUN_COUNTED_ONCE.contains(&name) && warned) {
                    problems.push(format!(
                        "{name}: suite-count warning expected {expect_warning}, got {:?}",
                        parsed.warnings
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn error_files_are_rejected_with_a_location() {
    let rows = crate::common::manifest(&["junit"]);
    let bad: Vec<_> = rows.iter().filter(|r| r.get("expect") == "error").collect();
    assert_eq!(bad.len(), 5);
    for row in bad {
        let err = parse_row(row).expect_err(row.get("path"));
        assert!(
            err.location.line.is_some(),
            "{}: no line in {err:?}",
            row.get("path")
        );
        // Through `load`, the error names the file too.
        let path = row.path();
        let err =
            prcov::input::load_junit(std::slice::from_ref(&path)).expect_err("load rejects it");
        let ParseError::Malformed { path: p, .. } = &err else {
            panic!(
                "{}: expected a malformed-report error, got {err}",
                row.get("path")
            )
        };
        assert_eq!(p, &path);
        assert!(err.to_string().contains("line "), "{err}");
    }
}

#[test]
fn error_messages_say_what_is_wrong() {
    let msg = |name: &str| {
        let path = crate::common::corpus_dir().join("junit").join(name);
        prcov::input::load_junit(&[path])
            .expect_err(name)
            .to_string()
    };
    let corpus = crate::common::corpus_dir();
    let rel = |m: String| m.replace(&format!("{}/", corpus.display()), "");
    assert_eq!(
        rel(msg("enricomi-empty-file.xml")),
        "junit/enricomi-empty-file.xml: line 1, column 1: no XML element found; expected a JUnit report with a <testsuites>, <testsuite> or <testcase> root"
    );
    assert_eq!(
        rel(msg("enricomi-non-junit-suites-case.xml")),
        "junit/enricomi-non-junit-suites-case.xml: line 2, column 1, element suites[0]: root element is <suites>; expected a JUnit report with a <testsuites>, <testsuite> or <testcase> root"
    );
    let truncated = rel(msg("enricomi-pytest-corrupt-truncated.xml"));
    assert!(
        truncated.starts_with("junit/enricomi-pytest-corrupt-truncated.xml: line "),
        "{truncated}"
    );
    let cdata = rel(msg("mikepenz-surefire-3.0-corrupt.xml"));
    assert!(cdata.contains("not well-formed XML"), "{cdata}");
}

#[test]
fn lenient_files() {
    let corpus = crate::common::corpus_dir();
    // A bare <testcase> root: read as one test with an error.
    let parsed = junit::parse(BufReader::new(
        File::open(corpus.join("junit/jenkins-root-is-testcase.xml")).unwrap(),
    ))
    .unwrap();
    assert_eq!(element_counts(&parsed), (1, 0, 1, 0));
    let (_, failure) = parsed.cases[0].failure().unwrap();
    assert_eq!(
        failure.message.as_deref(),
        Some("org.json.JSONException: Missing value at 0 [character 1 line 1]")
    );
}

/// Files where one test appears several times with mixed outcomes (a retry): counted once after
/// merging, by its last run. These are the figures the oracle cannot give (it counts elements);
/// each is checked by hand against the file.
#[test]
fn repeated_tests_merge_into_one_with_attempts() {
    let load = |name: &str| {
        let path: PathBuf = crate::common::corpus_dir().join("junit").join(name);
        let (results, _) = prcov::input::load_junit(&[path]).unwrap();
        results
    };
    // pytest-rerunfailures style: test_foo failed, errored, then passed → flaky, passed on 3.
    let r = load("mikepenz-pytest-rerun-duplicate-testcases.xml");
    let c = r.counts();
    assert_eq!(
        (r.elements, c.tests, c.passed, c.failed, c.errored, c.flaky),
        (5, 3, 3, 0, 0, 1)
    );
    let flaky: Vec<_> = r.cases.iter().filter(|t| t.is_flaky()).collect();
    assert_eq!(flaky[0].id.name.as_deref(), Some("test_foo"));
    assert_eq!(
        (flaky[0].attempts.len(), flaky[0].passed_on()),
        (3, Some(3))
    );

    // Failed, failed, errored: no attempt passed, so nothing says these are retries of one test
    // rather than three tests of one name: each element counts, as docs/tests.md and the oracle say.
    let r = load("mikepenz-rerun-all-failures.xml");
    let c = r.counts();
    assert_eq!((c.tests, c.failed, c.errored, c.flaky), (3, 2, 1, 0));

    // go test -count / gotestsum rerun: failed then passed.
    let r = load("mikepenz-go-junit-report-rerun.xml");
    let c = r.counts();
    assert_eq!(
        (r.elements, c.tests, c.passed, c.failed, c.skipped, c.flaky),
        (4, 3, 2, 0, 1, 1)
    );

    // Surefire <flakyFailure> and nextest's <flakyFailure>/<rerunFailure> inside one element.
    let r = load("mikepenz-surefire-flakyfailure.xml");
    let c = r.counts();
    assert_eq!((c.tests, c.passed, c.flaky), (1, 1, 1));
    let r = load("nextest-retries-rerunfailure-flakyfailure.xml");
    let c = r.counts();
    assert_eq!((c.tests, c.passed, c.failed, c.flaky), (3, 2, 1, 1));
}

/// Merging several files: the shards of the corpus add up, and a file given twice (a CI re-run
/// of the same job) does not double the counts.
#[test]
fn shards_add_up_and_a_repeated_file_counts_once() {
    let dir = crate::common::corpus_dir().join("junit");
    let a = dir.join("codecov-cli-pytest-sample.xml");
    let b = dir.join("gojunitreport-v2-pass-fail-skip.xml");
    let (r, _) = prcov::input::load_junit(&[a.clone(), b.clone()]).unwrap();
    let c = r.counts();
    assert_eq!((c.tests, c.failed, c.skipped), (4 + 5, 1 + 1, 2));
    let (r, _) = prcov::input::load_junit(&[a.clone(), b, a]).unwrap();
    let c = r.counts();
    assert_eq!((r.elements, c.tests, c.failed, c.flaky), (13, 9, 2, 0));
}

#[test]
fn merged_counts_of_every_ok_file_never_exceed_element_counts() {
    for row in crate::common::manifest(&["junit"]) {
        if row.get("expect") != "ok" {
            continue;
        }
        let parsed = parse_row(&row).unwrap();
        let elements = parsed.cases.len();
        let merged = TestResults::merge([parsed]);
        let c = merged.counts();
        assert!(c.tests <= elements, "{}", row.get("path"));
        assert_eq!(c.passed + c.failed + c.errored + c.skipped, c.tests);
    }
}

/// `prcov tests` counts equal the oracle's per-element counts for every `ok` file, except where a
/// test is retried with mixed outcomes: there issue 3 says it counts once, by its final outcome.
#[test]
fn merged_counts_equal_the_oracle_except_documented_retries() {
    // file → (tests, failed, errored, skipped) prcov gives, and why it differs from the oracle.
    type Counts = (usize, usize, usize, usize);
    let retried: &[(&str, Counts, &str)] = &[
        (
            "junit/mikepenz-go-junit-report-rerun.xml",
            (3, 0, 0, 1),
            "go test rerun: a test failed, then passed: one flaky test, passed",
        ),
        (
            "junit/mikepenz-pytest-rerun-duplicate-testcases.xml",
            (3, 0, 0, 0),
            "test_foo failed, errored, then passed: one flaky test, passed",
        ),
    ];
    let mut used = 0;
    let mut problems = Vec::new();
    for row in crate::common::manifest(&["junit"]) {
        if row.get("expect") == "error" {
            continue;
        }
        let (Some(t), Some(f), Some(e), Some(s)) = (
            row.num("tests"),
            row.num("failures"),
            row.num("errors"),
            row.num("skipped"),
        ) else {
            continue;
        };
        let (results, _) = prcov::input::load_junit(&[row.path()]).unwrap();
        let c = results.counts();
        let got = (c.tests, c.failed, c.errored, c.skipped);
        let oracle = (t as usize, f as usize, e as usize, s as usize);
        match retried.iter().find(|(p, _, _)| *p == row.get("path")) {
            Some((_, want, why)) => {
                used += 1;
                assert_ne!(
                    oracle,
                    *want,
                    "{} now agrees with the oracle; drop the entry",
                    row.get("path")
                );
                if got != *want {
                    problems.push(format!(
                        "{}: {got:?}, expected {want:?} ({why})",
                        row.get("path")
                    ));
                }
            }
            None if got != oracle => {
                problems.push(format!("{}: {got:?}, oracle {oracle:?}", row.get("path")))
            }
            None => {}
        }
    }
    assert_eq!(used, retried.len(), "every documented difference is used");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Repeats of one name within a file that all agree are distinct tests (TestNG, parametrized
/// tests with one display name): each element counts.
#[test]
fn agreeing_repeats_within_a_file_count_separately() {
    let path = crate::common::corpus_dir().join("junit/dorny-testng-pulsar-duplicate-names.xml");
    let (results, _) = prcov::input::load_junit(&[path]).unwrap();
    let c = results.counts();
    assert_eq!((c.tests, c.failed, c.skipped, c.flaky), (2, 1, 1, 0));
}
