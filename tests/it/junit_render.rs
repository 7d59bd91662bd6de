//! Snapshots of `prcov tests` output (text, markdown, json) for real-runner fixtures: all passed,
//! failures, flaky tests, and huge failure messages cut for display.

use std::path::PathBuf;

use prcov::analysis::test_summary::{summarize, TestSummary, DEFAULT_SLOWEST};
use prcov::formats::junit;
use prcov::model::test_results::TestResults;
use prcov::render::test_summary::{json, markdown, text};

/// The PR comment's limit (docs/publishing.md).
const COMMENT_MAX: usize = 65_536;

fn summary(names: &[&str]) -> TestSummary {
    let paths: Vec<PathBuf> = names
        .iter()
        .map(|n| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/junit")
                .join(n)
        })
        .collect();
    let (results, _) = prcov::input::load_junit(&paths).expect("fixture parses");
    summarize(&results, DEFAULT_SLOWEST)
}

fn summary_of_xml(xml: &str) -> TestSummary {
    let parsed = junit::parse(xml.as_bytes()).expect("parses");
    summarize(&TestResults::merge([parsed]), DEFAULT_SLOWEST)
}

#[test]
fn all_passed() {
    let s = summary(&["pytest-passed.xml"]);
    insta::assert_snapshot!("all_passed_text", text(&s));
    insta::assert_snapshot!("all_passed_markdown", markdown(&s, COMMENT_MAX));
    insta::assert_snapshot!("all_passed_json", json(&s));
}

#[test]
fn failures() {
    let s = summary(&["pytest-plain.xml"]);
    insta::assert_snapshot!("failures_text", text(&s));
    insta::assert_snapshot!("failures_markdown", markdown(&s, COMMENT_MAX));
    insta::assert_snapshot!("failures_json", json(&s));
}

#[test]
fn flaky() {
    // A pytest-rerunfailures run and a nextest run with retries, as two shards of one PR.
    let s = summary(&["pytest-rerun.xml", "nextest-retries.xml"]);
    assert_eq!((s.counts.tests, s.counts.flaky), (15, 2));
    insta::assert_snapshot!("flaky_text", text(&s));
    insta::assert_snapshot!("flaky_markdown", markdown(&s, COMMENT_MAX));
    insta::assert_snapshot!("flaky_json", json(&s));
}

fn huge_xml() -> String {
    // One test with a 20 000-character message attribute; one with a short message and a
    // 200 000-character body that contains backtick fences and HTML, and its frame at the end.
    let mut body = String::from("Traceback:\n```\nnot a fence end\n``` &lt;/details&gt; &amp;\n");
    while body.len() < 200_000 {
        body.push_str("E   assert 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' == 'b'\n");
    }
    body.push_str("tests/test_big.py:42: AssertionError\n");
    let message = "expected the answer, got noise; ".repeat(625);
    format!(
        "<testsuite name=\"big\" tests=\"2\" failures=\"2\">\
         <testcase classname=\"tests.test_big\" name=\"test_long_message\" time=\"0.5\"><failure message=\"{message}\"/></testcase>\
         <testcase classname=\"tests.test_big\" name=\"test_&lt;huge&gt;\" time=\"1.5\"><failure message=\"big\">{body}</failure></testcase>\
         </testsuite>"
    )
}

#[test]
fn huge_failure_messages_are_truncated() {
    let s = summary_of_xml(&huge_xml());
    let long = &s.failures[0];
    assert_eq!(long.message_len, 20_000);
    assert_eq!(
        long.message.as_ref().map(String::len),
        Some(junit::MESSAGE_KEEP)
    );
    let huge = &s.failures[1];
    // The whole body was parsed (the frame at its very end was found) but only part is kept.
    assert_eq!(huge.file.as_deref(), Some("tests/test_big.py"));
    assert_eq!(huge.line, Some(42));
    assert!(huge.details_len > 200_000);
    assert_eq!(
        huge.details.as_ref().map(String::len),
        Some(junit::DETAILS_KEEP)
    );
    let md = markdown(&s, COMMENT_MAX);
    assert!(md.len() < 8_000, "{}", md.len());
    // The body's own ``` cannot close the block: the fence is four backticks.
    assert!(md.contains("\n````\nbig\n\nTraceback:\n```\n"), "{md}");
    insta::assert_snapshot!("huge_markdown", md);
    insta::assert_snapshot!("huge_text", text(&s));
}

#[test]
fn markdown_stays_within_its_budget() {
    // 40 failing tests with 2 000-character messages: the section must fit in 20 000 bytes and
    // say how many failures it left out.
    let mut xml = String::from("<testsuite name=\"s\">");
    for i in 0..40 {
        xml.push_str(&format!(
            "<testcase classname=\"c\" name=\"t{i:02}\"><failure message=\"{}\"/></testcase>",
            "x".repeat(2_000)
        ));
    }
    xml.push_str("</testsuite>");
    let s = summary_of_xml(&xml);
    let md = markdown(&s, 20_000);
    assert!(md.len() <= 20_000, "{}", md.len());
    // One cause: every name is listed, the output only of the first three.
    assert!(md.contains("40 tests failed with `xxx"), "{md}");
    for i in 0..40 {
        assert!(md.contains(&format!("`t{i:02}`")), "t{i:02} missing: {md}");
    }
    assert_eq!(md.matches("<details>").count(), 3);
    // A budget too small for any name still keeps the counts line and the cause.
    let tiny = markdown(&s, 10);
    assert!(
        tiny.starts_with("Tests: 40 failed, 0 passed in 0.00s.\n"),
        "{tiny}"
    );
    assert!(tiny.contains("40 tests failed with `xxx") && !tiny.contains("`t00`"));
}
