//! History in the output: `prcov record dump` as JSON, and the sections a PR gets from its
//! baseline (where the baseline came from, coverage changes, tests compared with the base).
//! Each section is its own small function so the comment's layout can place them.

use std::fmt::Write as _;

use serde::Serialize;

use crate::analysis::{DiffSummary, Percent};
use crate::history::compare::{FileDelta, HistoryView, IndirectFile, TestComparison};
use crate::history::Record;
use crate::model::{LineState, Totals};

use super::json::TotalsJson;
use super::{percent_or_na, short_sha};

#[derive(Serialize)]
struct DumpFile<'a> {
    path: &'a str,
    hit: Vec<u32>,
    miss: Vec<u32>,
    partial: Vec<u32>,
}

#[derive(Serialize)]
struct Dump<'a> {
    commit: &'a str,
    branch: Option<&'a str>,
    ci_run_id: Option<&'a str>,
    prcov_version: &'a str,
    /// Hex: a u64 does not survive JSON readers that use doubles.
    settings_hash: String,
    created_unix: u64,
    totals: TotalsJson,
    files: Vec<DumpFile<'a>>,
    tests: Option<&'a [crate::history::RecordedTest]>,
}

/// `prcov record dump FILE`: the record as JSON, lines grouped by state.
pub fn dump(r: &Record) -> String {
    let files = r
        .files
        .iter()
        .map(|(path, lines)| {
            let pick = |want: LineState| {
                lines
                    .iter()
                    .filter(|(_, s)| *s == want)
                    .map(|(l, _)| *l)
                    .collect()
            };
            DumpFile {
                path,
                hit: pick(LineState::Hit),
                miss: pick(LineState::Miss),
                partial: pick(LineState::Partial),
            }
        })
        .collect();
    let dump = Dump {
        commit: &r.meta.commit,
        branch: r.meta.branch.as_deref(),
        ci_run_id: r.meta.ci_run_id.as_deref(),
        prcov_version: &r.meta.prcov_version,
        settings_hash: format!("{:016x}", r.meta.settings_hash),
        created_unix: r.meta.created_unix,
        totals: (&r.totals(false)).into(),
        files,
        tests: r.tests.as_deref(),
    };
    let mut s = serde_json::to_string_pretty(&dump).unwrap_or_default();
    s.push('\n');
    s
}

/// Inline code for a path or test name from a record or report (escaped by `md`).
fn code(s: &str) -> String {
    super::md::code(s)
}

fn counts(t: Option<Totals>, p: Percent) -> String {
    t.map_or_else(
        || "—".to_owned(),
        |t| format!("{} ({}/{})", percent_or_na(p, &t), t.hits, t.lines),
    )
}

fn delta(f: &FileDelta, p: Percent) -> String {
    f.delta
        .map_or_else(|| "—".to_owned(), |d| format!("{}%", p.delta(d)))
}

/// The sentence under the project line: which record the PR is compared with.
pub fn baseline_line(h: &HistoryView) -> String {
    let mut s = h.baseline.description.clone();
    if let Some(first) = s.get(..1) {
        s.replace_range(..1, &first.to_uppercase());
    }
    // Shas in code spans, as in the rest of the comment.
    format!("{s}.")
}

/// "Coverage changes": files whose hits, misses or partials moved, changed files first.
pub fn coverage_changes_markdown(h: &HistoryView, max_rows: usize, p: Percent) -> String {
    let mut out = String::new();
    if h.coverage_changes.is_empty() || h.baseline.commit.is_none() {
        return out;
    }
    let n = h.coverage_changes.len();
    let _ = writeln!(
        out,
        "\n<details><summary>Coverage changes: {n} file{} against the baseline</summary>\n",
        if n == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "| File | Base | Head | Δ |\n|---|---|---|---|");
    for f in h.coverage_changes.iter().take(max_rows) {
        let mark = if f.in_diff { "" } else { " (indirect)" };
        let _ = writeln!(
            out,
            "| {}{mark} | {} | {} | {} |",
            super::md::cell_code(&f.path),
            counts(f.base, p),
            counts(f.head, p),
            delta(f, p)
        );
    }
    if n > max_rows {
        let _ = writeln!(out, "| … and {} more | | | |", n - max_rows);
    }
    let _ = writeln!(out, "\n</details>");
    out
}

fn names(out: &mut String, title: &str, list: &[String], max: usize) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n<details><summary>{title}</summary>\n");
    for n in list.iter().take(max) {
        let _ = writeln!(out, "- {}", code(n));
    }
    if list.len() > max {
        let _ = writeln!(out, "- … and {} more", list.len() - max);
    }
    let _ = writeln!(out, "\n</details>");
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary of the test comparison.
pub fn tests_phrase(c: &TestComparison, base: &str) -> String {
    let mut parts = vec![
        plural(c.new_failures.len(), "new failure", "new failures"),
        format!("{} already failing at base", c.already_failing.len()),
    ];
    for (n, what) in [
        (c.flaky_failures.len(), "flaky"),
        (c.fixed.len(), "fixed"),
        (c.added.len(), "added"),
        (c.removed.len(), "removed"),
        (c.newly_skipped.len(), "newly skipped"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "Tests compared with `{}`: {}.",
        short_sha(base),
        parts.join(", ")
    )
}

/// Head's slowest tests with their change against the baseline, collapsed.
fn slowest_markdown(out: &mut String, c: &TestComparison) {
    if c.slowest.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>Slowest tests, against the baseline</summary>\n\n| Test | Time | Base | Δ |\n|---|---|---|---|"
    );
    for t in &c.slowest {
        let (base, delta) = match t.base_seconds {
            Some(b) => (format!("{b:.2}s"), format!("{:+.2}s", t.seconds - b)),
            None => ("—".to_owned(), "new".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {:.2}s | {base} | {delta} |",
            super::md::cell_code(&t.name),
            t.seconds
        );
    }
    let _ = writeln!(out, "\n</details>");
}

/// Tests compared with the baseline: new failures apart from those already failing at base.
pub fn tests_markdown(h: &HistoryView, max: usize) -> String {
    let mut out = String::new();
    let (Some(c), Some(base)) = (&h.tests, h.baseline.commit.as_deref()) else {
        return out;
    };
    let icon = if c.new_failures.is_empty() {
        ":white_check_mark:"
    } else {
        ":x:"
    };
    let _ = writeln!(out, "\n{icon} {}", tests_phrase(c, base));
    if c.dropped() {
        let _ = writeln!(
            out,
            "\n:warning: Fewer tests ran than at base: {} → {}.",
            c.base_tests, c.head_tests
        );
    }
    if c.all_skipped {
        let _ = writeln!(out, "\n:warning: Every test was skipped.");
    }
    names(
        &mut out,
        &format!(
            ":x: {}",
            plural(c.new_failures.len(), "new failure", "new failures")
        ),
        &c.new_failures,
        max,
    );
    names(
        &mut out,
        &format!(
            ":warning: {} (flaky on the default branch over its last {} runs)",
            plural(c.flaky_failures.len(), "flaky failure", "flaky failures"),
            c.flaky_runs
        ),
        &c.flaky_failures,
        max,
    );
    names(
        &mut out,
        &format!("{} already failing at base", c.already_failing.len()),
        &c.already_failing,
        max,
    );
    slowest_markdown(&mut out, c);
    names(
        &mut out,
        &format!("{} newly skipped", c.newly_skipped.len()),
        &c.newly_skipped,
        max,
    );
    names(
        &mut out,
        &format!("{} removed", plural(c.removed.len(), "test", "tests")),
        &c.removed,
        max,
    );
    out
}

fn state_name(s: LineState) -> &'static str {
    match s {
        LineState::Hit => "hit",
        LineState::Miss => "miss",
        LineState::Partial => "partial",
    }
}

/// One file's indirect changes grouped by transition: `hit → miss 8, 12-14; miss → hit 3`.
/// Line numbers are head's.
fn transitions(f: &IndirectFile) -> String {
    let mut groups: Vec<((LineState, LineState), Vec<u32>)> = Vec::new();
    for l in &f.lines {
        match groups.iter_mut().find(|(k, _)| *k == (l.base, l.head)) {
            Some((_, lines)) => lines.push(l.line),
            None => groups.push(((l.base, l.head), vec![l.line])),
        }
    }
    groups
        .iter()
        .map(|((from, to), lines)| {
            format!(
                "{} → {} {}",
                state_name(*from),
                state_name(*to),
                super::ranges::format(lines)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Lines outside the diff whose state changed, per file, collapsed.
pub fn indirect_markdown(h: &HistoryView, max_files: usize) -> String {
    let mut out = String::new();
    if h.indirect_changes.is_empty() {
        return out;
    }
    let lines: usize = h.indirect_changes.iter().map(|f| f.lines.len()).sum();
    let files = h.indirect_changes.len();
    let _ = writeln!(
        out,
        "\n<details><summary>Indirect changes: {} in {} outside the diff changed state</summary>\n",
        plural(lines, "line", "lines"),
        plural(files, "file", "files")
    );
    for f in h.indirect_changes.iter().take(max_files) {
        let _ = writeln!(out, "- {}: {}", code(&f.path), transitions(f));
    }
    if files > max_files {
        let _ = writeln!(out, "- … and {} more", files - max_files);
    }
    let _ = writeln!(out, "\n</details>");
    out
}

/// Every history section of the PR comment, in order; empty without history.
pub fn markdown_sections(s: &DiffSummary, max_rows: usize) -> String {
    let Some(h) = &s.history else {
        return String::new();
    };
    let mut out = format!("\n{}\n", baseline_line(h));
    out.push_str(&coverage_changes_markdown(h, max_rows, s.percent));
    out.push_str(&indirect_markdown(h, max_rows.min(50)));
    out.push_str(&tests_markdown(h, max_rows.min(50)));
    out
}

/// The history lines of `prcov diff` on a terminal.
pub fn text_lines(s: &DiffSummary) -> String {
    let Some(h) = &s.history else {
        return String::new();
    };
    let mut out = format!("{}\n", baseline_line(h).replace('`', ""));
    if h.baseline.commit.is_some() && !h.coverage_changes.is_empty() {
        let _ = writeln!(out, "Coverage changes against the baseline:");
        for f in &h.coverage_changes {
            let _ = writeln!(
                out,
                "  {}{}: {} → {} ({})",
                f.path,
                if f.in_diff { "" } else { " (indirect)" },
                counts(f.base, s.percent),
                counts(f.head, s.percent),
                delta(f, s.percent)
            );
        }
    }
    for f in &h.indirect_changes {
        let _ = writeln!(out, "Indirect changes in {}: {}", f.path, transitions(f));
    }
    if let (Some(c), Some(base)) = (&h.tests, h.baseline.commit.as_deref()) {
        let _ = writeln!(out, "{}", tests_phrase(c, base).replace('`', ""));
        for n in &c.new_failures {
            let _ = writeln!(out, "  new failure: {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::compare::BaselineInfo;

    #[test]
    fn names_from_records_cannot_break_out_of_code_spans_or_tables() {
        let t = |hits| Totals {
            lines: 2,
            hits,
            misses: 2 - hits,
            partials: 0,
        };
        let h = HistoryView {
            baseline: BaselineInfo {
                merge_base: "abc".into(),
                commit: Some("abc".into()),
                distance: Some(0),
                description: "baseline: x".into(),
            },
            indirect_changes: Vec::new(),
            coverage_changes: vec![FileDelta {
                path: "a|b`c.rs".into(),
                base: Some(t(1)),
                head: Some(t(2)),
                in_diff: true,
                delta: Some(50.0),
            }],
            tests: Some(TestComparison {
                new_failures: vec!["x`</details>\n# y".into()],
                ..TestComparison::default()
            }),
            base_tests: None,
            flaky_known: (std::collections::HashSet::new(), 0),
            warnings: Vec::new(),
        };
        let table = coverage_changes_markdown(&h, 10, Percent::default());
        assert!(
            table.contains("| ``a\\|b`c.rs`` | 50.00% (1/2) | 100.00% (2/2) | +50.00% |"),
            "{table}"
        );
        let tests = tests_markdown(&h, 10);
        // A code span shows `</details>` as text; the newline is written out, not a line break.
        assert!(tests.contains("- ``x`</details>\\n# y``\n"), "{tests}");
    }
}
