//! Renderers of [`TestSummary`]: terminal text, the PR-comment Markdown section, and JSON
//! (docs/json.md#prcov-tests). Pure functions; they format, never compute.

use std::fmt::Write as _;

use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use std::borrow::Cow;

use crate::analysis::test_summary::{FailedTest, TestSummary};
use crate::model::test_results::{FailureKind, TestOutcome};

use super::limits::truncate_chars;
use super::md;

/// Characters of a failure's text shown in the terminal.
const TEXT_MESSAGE_MAX: usize = 1_500;
/// Characters of a failure's text shown in the Markdown section.
const MARKDOWN_MESSAGE_MAX: usize = 3_000;
/// Flaky tests listed before "… and N more".
const MAX_FLAKY_LISTED: usize = 25;

/// `12.3s`, `0.05s`, `2m 03s`, `1h 02m`.
pub fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.2}s")
    } else if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        // Whole seconds are enough past a minute; truncation is deliberate.
        let total = seconds as u64;
        if total < 3600 {
            format!("{}m {:02}s", total / 60, total % 60)
        } else {
            format!("{}h {:02}m", total / 3600, (total % 3600) / 60)
        }
    }
}

fn kind_word(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Failure => "failure",
        FailureKind::Error => "error",
    }
}

/// The message and the body, without repeating the message when the body starts with it.
fn failure_text(f: &FailedTest) -> (String, usize) {
    let whole_message = f.message.as_deref().unwrap_or("");
    let whole_details = f.details.as_deref().unwrap_or("");
    let message = whole_message.trim_end();
    let details = whole_details.trim_end();
    // The size as written when the parser cut the text; else what is shown (trailing blank
    // lines trimmed are not a cut).
    let full_len = |whole: &str, kept: &str, orig: usize| {
        if orig > whole.len() {
            orig
        } else {
            kept.len()
        }
    };
    if details.is_empty() {
        return (
            message.to_owned(),
            full_len(whole_message, message, f.message_len),
        );
    }
    if message.is_empty() || details.trim_start().starts_with(message.trim_start()) {
        return (
            details.to_owned(),
            full_len(whole_details, details, f.details_len),
        );
    }
    let text = format!("{message}\n\n{details}");
    let orig = full_len(whole_message, message, f.message_len)
        + 2
        + full_len(whole_details, details, f.details_len);
    (text, orig)
}

/// Cuts to `max` characters; returns the text and whether it was cut (from the kept text or
/// already by the parser, whose original size is `orig_len` bytes).
fn cut_chars(text: &str, max: usize, orig_len: usize) -> (String, bool) {
    match truncate_chars(text, max, "") {
        Cow::Owned(cut) => (cut, true),
        Cow::Borrowed(all) => (all.to_owned(), orig_len > all.len()),
    }
}

fn location(f: &FailedTest) -> Option<String> {
    match (&f.file, f.line) {
        (Some(file), Some(line)) => Some(format!("{file}:{line}")),
        (Some(file), None) => Some(file.clone()),
        _ => None,
    }
}

/// Lines of each failure's output `prcov tests` shows by default (`--max-output-lines`).
pub const DEFAULT_OUTPUT_LINES: usize = 30;
/// Failures whose output is shown, per cause; the others are listed by name.
const OUTPUTS_PER_CAUSE: usize = 3;

/// The file (else class, else suite) a failed test is grouped under.
fn group_of(f: &FailedTest) -> &str {
    f.file
        .as_deref()
        .or(f.classname.as_deref())
        .or(f.suite.as_deref())
        .unwrap_or("")
}

/// The test's own name when its group says the rest.
fn short_name(f: &FailedTest) -> &str {
    f.name.as_deref().unwrap_or(&f.display_name)
}

/// A cluster's members grouped by file or class, groups in order of first appearance.
fn by_group<'a>(s: &'a TestSummary, members: &[usize]) -> Vec<(&'a str, Vec<&'a FailedTest>)> {
    let mut groups: Vec<(&str, Vec<&FailedTest>)> = Vec::new();
    for &i in members {
        let f = &s.failures[i];
        let g = group_of(f);
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(f),
            None => groups.push((g, vec![f])),
        }
    }
    groups
}

/// The first `max` lines of `text`, and how many lines were left out.
fn first_lines(text: &str, max: usize) -> (Vec<&str>, usize) {
    let all: Vec<&str> = text.lines().collect();
    let kept = all.len().min(max);
    (all[..kept].to_vec(), all.len() - kept)
}

fn cause_words(n: usize) -> String {
    if n == 1 {
        "1 test failed".to_owned()
    } else {
        format!("{n} tests failed")
    }
}

/// Terminal output: counts line, failed tests grouped by cause, flaky tests, slowest tests.
pub fn text(s: &TestSummary) -> String {
    text_with(s, DEFAULT_OUTPUT_LINES)
}

/// [`text`] showing at most `max_output_lines` lines of each shown failure's output.
pub fn text_with(s: &TestSummary, max_output_lines: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Tests: {} in {}",
        s.counts_phrase(),
        duration(s.duration_seconds)
    );
    if !s.failures.is_empty() {
        let causes = s.clusters.len();
        let _ = writeln!(
            out,
            "\nFailed tests, by cause ({causes} cause{}):",
            if causes == 1 { "" } else { "s" }
        );
        for c in &s.clusters {
            let _ = writeln!(out, "\n{} with: {}", cause_words(c.members.len()), c.cause);
            for (group, tests) in by_group(s, &c.members) {
                let names: Vec<&str> = tests.iter().map(|f| short_name(f)).collect();
                let label = if group.is_empty() {
                    "(no file or class)"
                } else {
                    group
                };
                let _ = writeln!(out, "  {label}: {}", names.join(", "));
            }
            if max_output_lines == 0 {
                continue;
            }
            for &i in c.members.iter().take(OUTPUTS_PER_CAUSE) {
                text_failure(&mut out, &s.failures[i], max_output_lines);
            }
            if c.members.len() > OUTPUTS_PER_CAUSE {
                let _ = writeln!(
                    out,
                    "  (output shown for the first {OUTPUTS_PER_CAUSE} of {})",
                    c.members.len()
                );
            }
        }
    }
    if !s.flaky.is_empty() {
        let _ = writeln!(out, "\nFlaky tests:");
        for t in &s.flaky {
            let _ = write!(
                out,
                "  ~ {}: passed on attempt {} of {}",
                t.display_name, t.passed_on, t.attempts
            );
            if t.outcome.is_failure() {
                let _ = write!(out, ", then failed");
            }
            out.push('\n');
        }
    }
    if !s.slowest.is_empty() {
        let _ = writeln!(out, "\nSlowest tests:");
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .force_no_tty()
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec!["Time", "Test"]);
        for t in &s.slowest {
            table.add_row(vec![
                Cell::new(duration(t.seconds)).set_alignment(CellAlignment::Right),
                Cell::new(&t.name),
            ]);
        }
        let _ = writeln!(out, "{table}");
    }
    out
}

fn text_failure(out: &mut String, f: &FailedTest, max_lines: usize) {
    let mut head = format!("  ✗ {} ({})", f.display_name, kind_word(f.kind));
    if let Some(loc) = location(f) {
        let _ = write!(head, " at {loc}");
    }
    if f.attempts > 1 {
        let _ = write!(head, ", {} attempts", f.attempts);
    }
    let _ = writeln!(out, "{head}");
    let (text, orig) = failure_text(f);
    // Lines first (the count left out is of the whole text), then characters.
    let (lines, more) = first_lines(&text, max_lines);
    let (shown, cut) = cut_chars(&lines.join("\n"), TEXT_MESSAGE_MAX, orig);
    for line in shown.lines() {
        let _ = writeln!(out, "      {line}");
    }
    if more > 0 {
        let _ = writeln!(
            out,
            "      … {more} more line(s) (--max-output-lines N shows more)"
        );
    } else if cut {
        let _ = writeln!(out, "      … (truncated; {orig} bytes in the report)");
    }
}

/// A fenced code block whose fence is longer than any backtick run inside, so no message can
/// close it early (CommonMark: a closing fence must be at least as long as the opening one).
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}\n{text}\n{fence}\n")
}

/// Lines of a failure's output shown in the Markdown section.
const MARKDOWN_OUTPUT_LINES: usize = 30;

/// How much of the failures the Markdown section shows; it degrades one step at a time until
/// it fits: outputs go before names, names before causes.
#[derive(Debug, Clone, Copy)]
enum Detail {
    /// Every cause, every name, the output of the first `outputs` failures of each cause.
    Outputs(usize),
    /// Every cause with at most `names` names each (`usize::MAX`: all).
    Names(usize),
    /// At most `causes` causes, with their counts.
    Causes(usize),
}

/// The tests' part of the PR comment, in its two places: the counts line goes under the project
/// line, the failed and flaky tests under the files table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentSection {
    /// `Tests: 2 failed, 310 passed in 4.2s.`, with its newline.
    pub counts: String,
    /// The failed tests by cause, then the flaky ones; empty or starting with a blank line.
    pub details: String,
}

/// The `prcov tests` section of the PR comment, at most `max_len` bytes: a neutral counts
/// line (✅/❌ come from gates only), then the failures grouped by cause, degraded to fit.
pub fn markdown(s: &TestSummary, max_len: usize) -> String {
    let section = comment_section(s, max_len);
    section.counts + &section.details
}

/// [`markdown`] in its two parts, for the PR comment.
pub fn comment_section(s: &TestSummary, max_len: usize) -> CommentSection {
    let counts = format!(
        "Tests: {} in {}.\n",
        s.counts_phrase(),
        duration(s.duration_seconds)
    );
    // `out` holds the details; budgets count the counts line too.
    let mut out = String::new();
    let flaky = flaky_markdown(s);
    if !s.failures.is_empty() {
        let room = max_len.saturating_sub(counts.len() + flaky.len() + 2);
        let steps = [
            Detail::Outputs(OUTPUTS_PER_CAUSE),
            Detail::Outputs(1),
            Detail::Names(usize::MAX),
            Detail::Names(20),
            Detail::Names(3),
            Detail::Causes(usize::MAX),
            Detail::Causes(20),
            Detail::Causes(3),
        ];
        let mut section = String::new();
        for d in steps {
            section = failures_markdown(s, d);
            if section.len() <= room {
                break;
            }
        }
        out.push('\n');
        out.push_str(&section);
    }
    if counts.len() + out.len() + flaky.len() <= max_len {
        out.push_str(&flaky);
    }
    CommentSection {
        counts,
        details: out,
    }
}

fn flaky_markdown(s: &TestSummary) -> String {
    let mut flaky = String::new();
    if s.flaky.is_empty() {
        return flaky;
    }
    flaky.push_str("\n**Flaky tests** (failed, then passed on a retry):\n\n");
    for t in s.flaky.iter().take(MAX_FLAKY_LISTED) {
        let _ = write!(
            flaky,
            "- :warning: {} passed on attempt {} of {}",
            md::code(&t.display_name),
            t.passed_on,
            t.attempts
        );
        if t.outcome.is_failure() {
            flaky.push_str(", then failed");
        }
        flaky.push('\n');
    }
    if s.flaky.len() > MAX_FLAKY_LISTED {
        let _ = writeln!(flaky, "- … and {} more", s.flaky.len() - MAX_FLAKY_LISTED);
    }
    flaky
}

fn failures_markdown(s: &TestSummary, detail: Detail) -> String {
    let mut out = String::new();
    let causes = s.clusters.len();
    let _ = writeln!(
        out,
        "**{} failed test{}, {causes} cause{}:**",
        s.failures.len(),
        if s.failures.len() == 1 { "" } else { "s" },
        if causes == 1 { "" } else { "s" }
    );
    let max_causes = match detail {
        Detail::Causes(n) => n,
        _ => usize::MAX,
    };
    for c in s.clusters.iter().take(max_causes) {
        let _ = writeln!(
            out,
            "\n{} with {}",
            cause_words(c.members.len()),
            md::code(&c.cause)
        );
        let max_names = match detail {
            Detail::Outputs(_) => usize::MAX,
            Detail::Names(n) => n,
            Detail::Causes(_) => continue,
        };
        out.push('\n');
        let mut listed = 0;
        for (group, tests) in by_group(s, &c.members) {
            if listed >= max_names {
                break;
            }
            let take = (max_names - listed).min(tests.len());
            let names: Vec<String> = tests[..take]
                .iter()
                .map(|f| md::code(short_name(f)))
                .collect();
            listed += take;
            if group.is_empty() {
                let _ = writeln!(out, "- {}", names.join(", "));
            } else {
                let _ = writeln!(out, "- {}: {}", md::code(group), names.join(", "));
            }
        }
        if listed < c.members.len() {
            let _ = writeln!(out, "- … and {} more", c.members.len() - listed);
        }
        if let Detail::Outputs(n) = detail {
            for &i in c.members.iter().take(n) {
                out.push('\n');
                out.push_str(&failure_block(&s.failures[i]));
            }
        }
    }
    if s.clusters.len() > max_causes {
        let _ = writeln!(
            out,
            "\n… and {} more causes (not shown: the comment would be too long)",
            s.clusters.len() - max_causes
        );
    }
    out
}

fn failure_block(f: &FailedTest) -> String {
    let mut summary = md::summary(&f.display_name);
    if f.kind == FailureKind::Error {
        summary.push_str(" (error)");
    }
    if let Some(loc) = location(f) {
        let _ = write!(summary, " at {}", md::summary(&loc));
    }
    let mut block = format!("<details><summary>{summary}</summary>\n\n");
    let mut facts = Vec::new();
    if let Some(t) = &f.type_name {
        facts.push(md::code(t));
    }
    if f.attempts > 1 {
        facts.push(format!("{} attempts", f.attempts));
    }
    if !facts.is_empty() {
        let _ = writeln!(block, "{}\n", facts.join(" · "));
    }
    let (text, orig) = failure_text(f);
    if !text.trim().is_empty() {
        let (lines, more) = first_lines(&text, MARKDOWN_OUTPUT_LINES);
        let (shown, cut) = cut_chars(&lines.join("\n"), MARKDOWN_MESSAGE_MAX, orig);
        block.push_str(&code_block(&shown));
        if more > 0 {
            let _ = writeln!(block, "\n*{more} more line(s) in the report.*");
        } else if cut {
            let _ = writeln!(
                block,
                "\n*Message truncated: {orig} bytes in the report; the first {MARKDOWN_MESSAGE_MAX} characters are shown.*"
            );
        }
    }
    block.push_str("\n</details>\n");
    block
}

#[derive(Serialize)]
struct JsonTests<'a> {
    schema: u32,
    /// `ran`, `no_tests` (no test case in the input), `all_skipped`.
    outcome: &'static str,
    tests: usize,
    passed: usize,
    failed: usize,
    errored: usize,
    skipped: usize,
    flaky_count: usize,
    duration_seconds: f64,
    failures: Vec<JsonFailure<'a>>,
    flaky: Vec<JsonFlaky<'a>>,
    slowest: Vec<JsonSlow<'a>>,
}

#[derive(Serialize)]
struct JsonFailure<'a> {
    suite: Option<&'a str>,
    classname: Option<&'a str>,
    name: Option<&'a str>,
    kind: FailureKind,
    message: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<u64>,
    #[serde(rename = "type")]
    type_name: Option<&'a str>,
    details: Option<&'a str>,
    attempts: usize,
}

#[derive(Serialize)]
struct JsonFlaky<'a> {
    suite: Option<&'a str>,
    classname: Option<&'a str>,
    name: Option<&'a str>,
    attempts: usize,
    passed_on: usize,
    outcome: TestOutcome,
}

#[derive(Serialize)]
struct JsonSlow<'a> {
    name: &'a str,
    seconds: f64,
}

/// JSON, schema 1 (docs/json.md#prcov-tests), pretty-printed with a trailing newline.
pub fn json(s: &TestSummary) -> String {
    let mut out = Vec::new();
    // Writing into a `Vec` cannot fail.
    let _ = write_json(s, &mut out);
    // serde_json writes valid UTF-8 only.
    String::from_utf8(out).unwrap_or_default()
}

/// [`json`], written straight to `out` (no copy of the whole document in memory: it is
/// megabytes for a large report). Fails only when `out` does.
pub fn write_json(s: &TestSummary, mut out: impl std::io::Write) -> std::io::Result<()> {
    let doc = JsonTests {
        schema: 1,
        outcome: s.outcome(),
        tests: s.counts.tests,
        passed: s.counts.passed,
        failed: s.counts.failed,
        errored: s.counts.errored,
        skipped: s.counts.skipped,
        flaky_count: s.counts.flaky,
        duration_seconds: s.duration_seconds,
        failures: s
            .failures
            .iter()
            .map(|f| JsonFailure {
                suite: f.suite.as_deref(),
                classname: f.classname.as_deref(),
                name: f.name.as_deref(),
                kind: f.kind,
                message: f.message.as_deref(),
                file: f.file.as_deref(),
                line: f.line,
                type_name: f.type_name.as_deref(),
                details: f.details.as_deref(),
                attempts: f.attempts,
            })
            .collect(),
        flaky: s
            .flaky
            .iter()
            .map(|t| JsonFlaky {
                suite: t.suite.as_deref(),
                classname: t.classname.as_deref(),
                name: t.name.as_deref(),
                attempts: t.attempts,
                passed_on: t.passed_on,
                outcome: t.outcome,
            })
            .collect(),
        slowest: s
            .slowest
            .iter()
            .map(|t| JsonSlow {
                name: &t.name,
                seconds: t.seconds,
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers fails only on I/O; NaN never reaches
    // here because the parser rejects non-finite times.
    serde_json::to_writer_pretty(&mut out, &doc).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn fences_outlast_backticks_inside() {
        assert_eq!(code_block("a"), "```\na\n```\n");
        assert_eq!(code_block("x ``` y"), "````\nx ``` y\n````\n");
        assert_eq!(code_block("`````"), "``````\n`````\n``````\n");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(0.05), "0.05s");
        assert_eq!(duration(12.34), "12.3s");
        assert_eq!(duration(123.0), "2m 03s");
        assert_eq!(duration(3725.0), "1h 02m");
    }
}
