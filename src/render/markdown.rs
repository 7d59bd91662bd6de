//! Markdown: the PR comment (and job summary), and `--format markdown`.
//!
//! The comment must stay within 65 536 characters (GitHub's limit): tables are cut with
//! "… and N more" rather than failing.

use std::fmt::Write as _;

use crate::analysis::{DiffSummary, GateOutcome, Percent, ReportSummary};
use crate::paths::UnmatchedReason;

use super::limits::{truncate_chars, COMMENT_MAX};
use super::{gate_line, percent_or_na, ranges, short_sha};

/// Escapes text for a Markdown table cell.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The verdict: an emoji shortcode for the comment and the sentence, which the check run's
/// title shows alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub icon: &'static str,
    pub text: String,
}

/// The one-line verdict, in the spirit of Codecov's.
pub fn verdict(s: &DiffSummary) -> Verdict {
    let p = &s.patch.totals;
    let missing = p.missing();
    let patch_gate = s.gates.iter().find(|g| g.name == "patch");
    if missing == 0 {
        let text = if p.lines == 0 {
            "All modified and coverable lines are covered by tests (no coverable lines changed)."
        } else {
            "All modified and coverable lines are covered by tests."
        };
        return Verdict {
            icon: ":white_check_mark:",
            text: text.to_owned(),
        };
    }
    let icon = match patch_gate {
        Some(g) if g.passed => ":warning:",
        _ => ":x:",
    };
    let pc = Percent::of(p).unwrap_or_default();
    let lines = if missing == 1 { "line" } else { "lines" };
    Verdict {
        icon,
        text: format!(
            "Patch coverage is {pc}% with {missing} {lines} in your changes missing coverage."
        ),
    }
}

/// The verdict as the comment's first line.
pub fn headline(s: &DiffSummary) -> String {
    let v = verdict(s);
    format!("{} {}", v.icon, v.text)
}

fn project_line(s: &DiffSummary) -> String {
    match (Percent::of(&s.project), s.delta()) {
        (None, _) => "Project coverage: n/a (no coverable lines in the reports).".to_owned(),
        (Some(pc), Some(d)) => format!(
            "Project coverage is {pc}% ({}% compared to base `{}`).",
            Percent::delta(d),
            short_sha(&s.base)
        ),
        (Some(pc), None) => format!("Project coverage is {pc}%."),
    }
}

fn gates_table(out: &mut String, gates: &[GateOutcome]) {
    if gates.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n| Gate | Target | Actual | Result |\n|---|---|---|---|"
    );
    for g in gates {
        let (target, actual, verdict) = gate_line(g);
        let icon = if g.passed {
            ":white_check_mark:"
        } else {
            ":x:"
        };
        let _ = writeln!(
            out,
            "| {} | {target} | {actual} | {icon} {verdict} |",
            g.name
        );
    }
}

/// A rendered section and how many rows it had to leave out.
fn files_table(s: &DiffSummary, max_rows: usize) -> String {
    let mut out = String::new();
    let with_missing: Vec<_> = s
        .patch
        .files
        .iter()
        .filter(|f| f.totals.missing() > 0)
        .collect();
    if with_missing.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "\n| Files with missing lines | Patch % | Lines |\n|---|---|---|"
    );
    for f in with_missing.iter().take(max_rows) {
        let mut what = format!("{} missing", f.totals.misses);
        if f.totals.partials > 0 {
            let _ = write!(what, ", {} partial", f.totals.partials);
        }
        let _ = writeln!(
            out,
            "| {} | {} | {}: {} |",
            cell(&f.path),
            percent_or_na(&f.totals),
            what,
            ranges::format(&f.missing_lines())
        );
    }
    if with_missing.len() > max_rows {
        let _ = writeln!(out, "| … and {} more | | |", with_missing.len() - max_rows);
    }
    out
}

fn list_section(out: &mut String, title: &str, items: &[String], max: usize) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n<details><summary>{title}</summary>\n");
    for i in items.iter().take(max) {
        let _ = writeln!(out, "- `{}`", i.replace('`', "'"));
    }
    if items.len() > max {
        let _ = writeln!(out, "- … and {} more", items.len() - max);
    }
    let _ = writeln!(out, "\n</details>");
}

/// Extra sections of the PR comment: the test results' counts line goes under the project line,
/// the failed tests' details under the files table (the order SPEC §5 lists).
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra<'a> {
    pub before_table: &'a str,
    pub after_table: &'a str,
}

/// The PR comment, degraded (fewer table rows) until it fits `budget` characters.
pub fn diff_within(s: &DiffSummary, extra: Extra<'_>, budget: usize) -> String {
    let mut rows = usize::MAX;
    loop {
        let body = diff_with_rows(s, extra, rows);
        if body.chars().count() <= budget || rows == 0 {
            if body.chars().count() <= budget {
                return body;
            }
            // Even without rows it does not fit: cut at a character boundary, saying so.
            let note = "\n\n… (truncated to fit the comment size limit)\n";
            return truncate_chars(&body, budget, note).into_owned();
        }
        rows = if rows == usize::MAX { 200 } else { rows / 2 };
    }
}

fn diff_with_rows(s: &DiffSummary, extra: Extra<'_>, rows: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}\n", headline(s));
    let _ = writeln!(out, "{}", project_line(s));
    out.push_str(extra.before_table);
    out.push_str(&files_table(s, rows));
    out.push_str(extra.after_table);
    let list_max = rows.min(50);
    list_section(
        &mut out,
        &format!(
            ":warning: {} changed file(s) not measured by any report",
            s.patch.not_measured.len()
        ),
        &s.patch.not_measured,
        list_max,
    );
    let unmatched: Vec<String> = s
        .unmatched
        .iter()
        .map(|u| match &u.reason {
            UnmatchedReason::NoMatch => u.path.clone(),
            UnmatchedReason::Ambiguous { candidates } => {
                format!("{} (ambiguous: {})", u.path, candidates.join(", "))
            }
        })
        .collect();
    list_section(
        &mut out,
        &format!(
            ":warning: {} report path(s) match no file of the repository",
            unmatched.len()
        ),
        &unmatched,
        list_max,
    );
    for w in &s.warnings {
        let _ = writeln!(out, "\n:warning: {}", cell(w));
    }
    gates_table(&mut out, &s.gates);
    out
}

/// `prcov diff --format markdown`.
pub fn diff(s: &DiffSummary) -> String {
    diff_within(s, Extra::default(), COMMENT_MAX)
}

/// `prcov report --format markdown`.
pub fn report(s: &ReportSummary) -> String {
    let mut out = String::new();
    let line = match (Percent::of(&s.project.totals), s.delta()) {
        (None, _) => "Project coverage: n/a (no coverable lines).".to_owned(),
        (Some(pc), Some(d)) => format!("Project coverage is {pc}% ({}%).", Percent::delta(d)),
        (Some(pc), None) => format!("Project coverage is {pc}%."),
    };
    let _ = writeln!(
        out,
        "{line}\n\n| File | Coverage | Hit | Lines |\n|---|---|---|---|"
    );
    for (p, t) in &s.project.files {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(p),
            percent_or_na(t),
            t.hits,
            t.lines
        );
    }
    let _ = writeln!(
        out,
        "| **Total** | **{}** | {} | {} |",
        percent_or_na(&s.project.totals),
        s.project.totals.hits,
        s.project.totals.lines
    );
    let unmatched: Vec<String> = s.unmatched.iter().map(|u| u.path.clone()).collect();
    list_section(
        &mut out,
        &format!(
            ":warning: {} report path(s) match no file of the repository",
            unmatched.len()
        ),
        &unmatched,
        50,
    );
    gates_table(&mut out, &s.gates);
    out
}
