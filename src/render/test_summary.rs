//! Renderers of [`TestSummary`]: terminal text, the PR-comment Markdown section, and JSON
//! (SPEC §4 `prcov tests`). Pure functions; they format, never compute.

use std::borrow::Cow;
use std::fmt::Write as _;

use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use serde::Serialize;

use crate::analysis::test_summary::{FailedTest, TestSummary};

use super::limits::truncate_chars;
use crate::model::test_results::{FailureKind, TestOutcome};

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
    let message = f.message.as_deref().unwrap_or("").trim_end();
    let details = f.details.as_deref().unwrap_or("").trim_end();
    let full_len = |kept: usize, orig: usize| orig.max(kept);
    if details.is_empty() {
        return (message.to_owned(), full_len(message.len(), f.message_len));
    }
    if message.is_empty() || details.trim_start().starts_with(message.trim_start()) {
        return (details.to_owned(), full_len(details.len(), f.details_len));
    }
    let text = format!("{message}\n\n{details}");
    let orig = full_len(message.len(), f.message_len) + 2 + full_len(details.len(), f.details_len);
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

/// Terminal output: counts line, failed tests with messages, flaky tests, slowest tests.
pub fn text(s: &TestSummary) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Tests: {} in {}",
        s.counts_phrase(),
        duration(s.duration_seconds)
    );
    if !s.failures.is_empty() {
        let _ = writeln!(out, "\nFailed tests:");
        for f in &s.failures {
            let mut head = format!("  ✗ {} ({})", f.display_name, kind_word(f.kind));
            if let Some(loc) = location(f) {
                let _ = write!(head, " at {loc}");
            }
            if f.attempts > 1 {
                let _ = write!(head, ", {} attempts", f.attempts);
            }
            let _ = writeln!(out, "{head}");
            let (text, orig) = failure_text(f);
            let (shown, cut) = cut_chars(&text, TEXT_MESSAGE_MAX, orig);
            for line in shown.lines() {
                let _ = writeln!(out, "      {line}");
            }
            if cut {
                let _ = writeln!(out, "      … (truncated; {orig} bytes in the report)");
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

/// Escapes text for HTML (inside `<summary>`).
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A fenced code block whose fence is longer than any backtick run inside, so no message can
/// close it early (CommonMark: a closing fence must be at least as long as the opening one).
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}\n{text}\n{fence}\n")
}

/// The tests' part of the PR comment, in its two places: the counts line goes under the project
/// line, the failed and flaky tests under the files table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentSection {
    /// `:x: 2 failed, 310 passed in 4.2s`, with its newline.
    pub counts: String,
    /// The failed tests in `<details>`, then the flaky ones; empty or starting with a blank line.
    pub details: String,
}

/// The `prcov tests` section of the PR comment, at most `max_len` bytes: when failures do not
/// fit, the rest are summed up as "… and N more". The counts line and that line are always
/// written, so a budget under ~150 bytes can be exceeded.
pub fn markdown(s: &TestSummary, max_len: usize) -> String {
    let section = comment_section(s, max_len);
    section.counts + &section.details
}

/// [`markdown`] in its two parts, for the PR comment.
pub fn comment_section(s: &TestSummary, max_len: usize) -> CommentSection {
    let icon = if s.has_failures() {
        ":x:"
    } else if s.counts.tests == 0 {
        ":grey_question:"
    } else {
        ":white_check_mark:"
    };
    let counts = format!(
        "{icon} {} in {}\n",
        s.counts_phrase(),
        duration(s.duration_seconds)
    );
    // `out` holds the details; budgets count the counts line too.
    let mut out = String::new();
    let used = counts.len();

    let mut flaky = String::new();
    if !s.flaky.is_empty() {
        flaky.push_str("\n**Flaky tests** (failed, then passed on a retry):\n\n");
        for t in s.flaky.iter().take(MAX_FLAKY_LISTED) {
            let _ = write!(
                flaky,
                "- :warning: `{}` passed on attempt {} of {}",
                t.display_name.replace('`', "'"),
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
    }

    if !s.failures.is_empty() {
        out.push('\n');
        // Room kept for the "… and N more" line and the flaky list.
        let reserve = 80 + flaky.len();
        let mut written = 0;
        for f in &s.failures {
            let block = failure_block(f);
            if used + out.len() + block.len() + reserve > max_len {
                break;
            }
            out.push_str(&block);
            written += 1;
        }
        let rest = s.failures.len() - written;
        if rest > 0 {
            // A blank line before it, counting the counts line's newline when nothing was written.
            if out != "\n" && !out.ends_with("\n\n") {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "… and {rest} more failed test{} (not shown: the comment would be too long)",
                if rest == 1 { "" } else { "s" }
            );
        }
    }
    if used + out.len() + flaky.len() <= max_len {
        out.push_str(&flaky);
    }
    CommentSection {
        counts,
        details: out,
    }
}

fn failure_block(f: &FailedTest) -> String {
    let mut summary = html_escape(&f.display_name);
    if f.kind == FailureKind::Error {
        summary.push_str(" (error)");
    }
    let mut block = format!("<details><summary>{summary}</summary>\n\n");
    let mut facts = Vec::new();
    if let Some(loc) = location(f) {
        facts.push(format!("`{}`", loc.replace('`', "'")));
    }
    if let Some(t) = &f.type_name {
        facts.push(format!("`{}`", t.replace('`', "'")));
    }
    if f.attempts > 1 {
        facts.push(format!("{} attempts", f.attempts));
    }
    if !facts.is_empty() {
        let _ = writeln!(block, "{}\n", facts.join(" · "));
    }
    let (text, orig) = failure_text(f);
    if !text.trim().is_empty() {
        let (shown, cut) = cut_chars(&text, MARKDOWN_MESSAGE_MAX, orig);
        block.push_str(&code_block(&shown));
        if cut {
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

/// JSON, schema 1 (SPEC §4 `prcov tests`), pretty-printed with a trailing newline.
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
