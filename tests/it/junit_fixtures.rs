//! JUnit XML from real runs of pytest (with and without pytest-rerunfailures), cargo-nextest and
//! jest (jest-junit), produced by `fixtures/junit/regenerate.sh`. Each project has a passing, a
//! deliberately failing and a flaky test (fails on its first attempt only); the expected figures
//! are what the runner itself printed for that run.

use std::path::PathBuf;

use prcov::model::test_results::{TestOutcome, TestResults};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/junit")
        .join(name)
}

fn load(names: &[&str]) -> TestResults {
    let paths: Vec<PathBuf> = names.iter().map(|n| fixture(n)).collect();
    let (results, warnings) = prcov::input::load_junit(&paths).expect("fixture parses");
    assert!(warnings.is_empty(), "{warnings:?}");
    results
}

/// (tests, passed, failed, errored, skipped, flaky)
fn counts(r: &TestResults) -> (usize, usize, usize, usize, usize, usize) {
    let c = r.counts();
    (c.tests, c.passed, c.failed, c.errored, c.skipped, c.flaky)
}

fn case<'a>(r: &'a TestResults, name: &str) -> &'a prcov::model::test_results::TestCase {
    r.cases
        .iter()
        .find(|c| c.id.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no test {name}"))
}

#[test]
fn pytest_plain() {
    // pytest: "3 failed, 4 passed, 1 skipped, 1 error"
    let r = load(&["pytest-plain.xml"]);
    assert_eq!(counts(&r), (9, 4, 3, 1, 1, 0));
    let (_, f) = case(&r, "test_ratio_by_zero").failure().unwrap();
    assert_eq!(
        f.message.as_deref(),
        Some("ZeroDivisionError: division by zero")
    );
    // The traceback goes test → calc/__init__.py:11 → :6; the first frame is the test's line.
    let frames: Vec<_> = prcov::formats::junit::stack_frames(f.details.as_deref().unwrap())
        .iter()
        .map(|f| format!("{}:{}", f.file, f.line))
        .collect();
    assert_eq!(
        frames,
        [
            "tests/test_calc.py:25",
            "calc/__init__.py:11",
            "calc/__init__.py:6"
        ]
    );
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("tests/test_calc.py", 25));
    let (kind, f) = case(&r, "test_with_broken_fixture").failure().unwrap();
    assert_eq!(kind, prcov::model::test_results::FailureKind::Error);
    assert_eq!(
        f.message.as_deref(),
        Some("failed on setup with \"RuntimeError: fixture setup failed\"")
    );
}

#[test]
fn pytest_rerunfailures_reruns_are_attempts() {
    // pytest --reruns 2: "2 failed, 5 passed, 1 skipped, 1 error, 7 rerun". The plugin writes
    // each rerun as an *empty* <testcase> before the final one; prcov reads them as failed tries.
    let r = load(&["pytest-rerun.xml"]);
    assert_eq!(r.elements, 16);
    assert_eq!(counts(&r), (9, 5, 2, 1, 1, 1));
    let flaky = case(&r, "test_flaky_first_run_fails");
    assert_eq!(
        (flaky.attempts.len(), flaky.passed_on(), flaky.outcome()),
        (2, Some(2), TestOutcome::Passed)
    );
    let failing = case(&r, "test_add_is_wrong_on_purpose");
    assert_eq!((failing.attempts.len(), failing.is_flaky()), (3, false));
    assert_eq!(failing.outcome(), TestOutcome::Failed);
    let fixture_error = case(&r, "test_with_broken_fixture");
    assert_eq!(
        (fixture_error.attempts.len(), fixture_error.outcome()),
        (3, TestOutcome::Errored)
    );
}

#[test]
fn pytest_collection_error() {
    let r = load(&["pytest-collection-error.xml"]);
    assert_eq!(counts(&r), (1, 0, 0, 1, 0, 0));
    let (_, f) = r.cases[0].failure().unwrap();
    assert_eq!(f.message.as_deref(), Some("collection failure"));
    // /root/.pyenv/…/importlib is the runtime; the first project frame is the test module.
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("tests/test_calc.py", 6));
}

#[test]
fn nextest_plain_and_with_retries() {
    // nextest, no retries: 3 of 6 failed (the flaky one included).
    let r = load(&["nextest-plain.xml"]);
    assert_eq!(counts(&r), (6, 3, 3, 0, 0, 0));
    let (_, f) = case(&r, "tests::perimeter_is_wrong_on_purpose")
        .failure()
        .unwrap();
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("src/lib.rs", 26));

    // retries = 2: "FLAKY 2/3" for the flaky test, "TRY 3 FAIL" for the two broken ones.
    let r = load(&["nextest-retries.xml"]);
    assert_eq!(counts(&r), (6, 4, 2, 0, 0, 1));
    let flaky = case(&r, "tests::flaky_first_attempt_fails");
    assert_eq!((flaky.attempts.len(), flaky.passed_on()), (2, Some(2)));
    let broken = case(&r, "tests::parse_size_panics_on_bad_input");
    assert_eq!((broken.attempts.len(), broken.is_flaky()), (3, false));
    let (_, f) = broken.failure().unwrap();
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("src/lib.rs", 11));
}

#[test]
fn jest_ci_rerun_across_files_is_flaky() {
    // First job: 3 failed, 1 passed, 1 skipped; the re-run job: 2 failed, 2 passed, 1 skipped.
    assert_eq!(counts(&load(&["jest-run1.xml"])), (5, 1, 3, 0, 1, 0));
    assert_eq!(
        counts(&load(&["jest-run2-ci-rerun.xml"])),
        (5, 2, 2, 0, 1, 0)
    );
    let r = load(&["jest-run1.xml", "jest-run2-ci-rerun.xml"]);
    assert_eq!(counts(&r), (5, 2, 2, 0, 1, 1));
    let flaky = case(&r, "cart flaky: first attempt fails");
    assert_eq!((flaky.attempts.len(), flaky.passed_on()), (2, Some(2)));
    // The error is thrown in src/cart.js, below the test: that frame is where it broke.
    let (_, f) = case(&r, "cart discount throws over 100%")
        .failure()
        .unwrap();
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("/tmp/rt/js/src/cart.js", 7));
    assert_eq!(
        f.message.as_deref(),
        Some("RangeError: discount over 100%: 150")
    );
}

#[test]
fn jest_retries_leave_no_trace_in_jest_junit() {
    // jest.retryTimes(2): jest-junit 17 writes one <testcase> per test and only the final
    // outcome, so a test that passed on a retry cannot be told from one that passed at once.
    let r = load(&["jest-retries.xml"]);
    assert_eq!(counts(&r), (5, 2, 2, 0, 1, 0));
    assert_eq!(r.elements, 5);
}

#[test]
fn vitest_retries_write_one_failure_per_attempt() {
    // vitest 4 --retry 2: "2 failed | 2 passed | 1 skipped". Each failed try adds a <failure>
    // to the same <testcase>; a test that passed on a retry keeps no trace of its failed try.
    // Several <failure> elements in one case are read as one failed run (as junitparser does):
    // other tools write them for several problems of one run.
    let r = load(&["vitest-retries.xml"]);
    assert_eq!(counts(&r), (5, 2, 2, 0, 1, 0));
    let (_, f) = case(&r, "cart > discount throws over 100%")
        .failure()
        .unwrap();
    assert_eq!(f.type_name.as_deref(), Some("RangeError"));
    let loc = f.location.as_ref().unwrap();
    assert_eq!((loc.file.as_str(), loc.line), ("src/cart.js", 7));
}
