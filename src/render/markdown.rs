//! Markdown: the PR comment (and job summary), and `--format markdown`.
//!
//! Built from one small function per section, in the order a reviewer reads: the gates' verdict,
//! patch / project / tests lines, the gate table, the files with missing lines (linked to the head
//! commit), failed tests, then what was not measured. Every value from an input is escaped by
//! [`md`]. The comment must stay within 65 536 characters (GitHub's limit): tables are cut with
//! "… and N more" rather than failing.

use std::fmt::Write as _;

use crate::analysis::gates::NothingMeasured;
use crate::analysis::{
    DiffSummary, GateKind, GateOutcome, LinkStyle, Outcome, Percent, ReportSummary,
};
use crate::model::diag::{self, WarningDetail};
use crate::paths::UnmatchedReason;

use super::limits::{truncate_chars, COMMENT_MAX};
use super::{gate_line, md, percent_or_na, ranges, short_sha};

/// Failed gates first, and among them the tests: what a reviewer acts on first.
fn failed_first(gates: &[GateOutcome]) -> Vec<&GateOutcome> {
    let rank = |g: &GateOutcome| match g.kind {
        GateKind::Tests | GateKind::NewTestFailures => 0,
        GateKind::Change => 1,
        GateKind::Patch => 2,
        GateKind::Project => 3,
        GateKind::ProjectDrop => 4,
        GateKind::Unmatched => 5,
    };
    let mut failed: Vec<&GateOutcome> = gates.iter().filter(|g| !g.passed).collect();
    failed.sort_by_key(|g| rank(g));
    failed
}

fn gate_phrase(g: &GateOutcome, percent: Percent) -> String {
    let (target, actual, _) = gate_line(g, percent);
    format!("{} {actual} (target {target})", g.label())
}

/// The gates' verdict in plain words: what the check run's title says, and (with an icon) the
/// comment's first line. With no gate, neutral: prcov reports and does not judge.
pub fn verdict_words(gates: &[GateOutcome], percent: Percent) -> String {
    if gates.is_empty() {
        return "No gate is set: the figures are for information".to_owned();
    }
    let failed = failed_first(gates);
    if failed.is_empty() {
        let names: Vec<String> = gates.iter().map(|g| g.label().into_owned()).collect();
        let passed = if gates.len() == 1 {
            format!("The {} gate passed", names[0])
        } else {
            format!("All {} gates passed ({})", gates.len(), names.join(", "))
        };
        // A pass over nothing says so: it is not the same news.
        let nothing = gates.iter().find_map(|g| match g.reason? {
            NothingMeasured::NoChange => Some("the change is empty"),
            NothingMeasured::NothingCoverable => Some("no coverable line changed"),
            NothingMeasured::NoTests | NothingMeasured::AllSkipped => Some("no test ran"),
        });
        return match nothing {
            Some(why) => format!("{passed}, with nothing to measure: {why}"),
            None => passed,
        };
    }
    let list: Vec<String> = failed.iter().map(|g| gate_phrase(g, percent)).collect();
    format!(
        "{} of {} gate{} failed: {}",
        failed.len(),
        gates.len(),
        if gates.len() == 1 { "" } else { "s" },
        list.join("; ")
    )
}

/// The comment's first line: the gates' outcome, in the same state as the statuses. ✅ and ❌
/// come from gates only.
pub fn verdict(s: &DiffSummary) -> String {
    let words = verdict_words(&s.gates, s.percent);
    if s.gates.is_empty() {
        format!(":information_source: {words}.")
    } else if s.passed() {
        format!(":white_check_mark: **{words}.**")
    } else {
        let (head, rest) = words.split_once(": ").unwrap_or((&words, ""));
        format!(":x: **{head}:** {rest}.")
    }
}

/// Patch coverage in one sentence, with missing lines told apart: never ran vs. partial.
fn patch_line(s: &DiffSummary) -> String {
    let p = &s.patch.totals;
    if s.outcome == Outcome::EmptyChange {
        return format!(
            "Patch coverage: the change is empty (base `{}`, head `{}`): nothing to measure.",
            short_sha(&s.base),
            short_sha(&s.head)
        );
    }
    let Some(pc) = s.percent.of(p) else {
        return "Patch coverage: no coverable line changed (coverage not affected).".to_owned();
    };
    let missing = p.missing();
    if missing == 0 {
        return format!(
            "Patch coverage is {pc}%: all {} modified and coverable lines are covered by tests.",
            p.lines
        );
    }
    let lines = if missing == 1 { "line" } else { "lines" };
    let mut kinds = Vec::new();
    if p.misses > 0 {
        kinds.push(format!("{} never ran", p.misses));
    }
    if p.partials > 0 {
        kinds.push(format!("{} partial: a branch not taken", p.partials));
    }
    format!(
        "Patch coverage is {pc}% with {missing} {lines} in your changes missing coverage ({}).",
        kinds.join(", ")
    )
}

fn project_line(s: &DiffSummary) -> String {
    match (s.percent.of(&s.project), s.delta()) {
        (None, _) => "Project coverage: n/a (no coverable lines in the reports).".to_owned(),
        (Some(pc), Some(d)) => format!(
            "Project coverage is {pc}% ({}% compared to base `{}`).",
            s.percent.delta(d),
            short_sha(s.delta_base())
        ),
        (Some(pc), None) => format!("Project coverage is {pc}%."),
    }
}

fn gates_table(out: &mut String, gates: &[GateOutcome], percent: Percent) {
    if gates.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n| Gate | Target | Actual | Result |\n|---|---|---|---|"
    );
    for g in gates {
        let (target, actual, verdict) = gate_line(g, percent);
        let icon = if g.passed {
            ":white_check_mark:"
        } else {
            ":x:"
        };
        let _ = writeln!(
            out,
            "| {} | {target} | {actual} | {icon} {verdict} |",
            g.label()
        );
    }
}

/// The web address of `path` at the head commit, with `lines` as an anchor.
fn file_url(s: &DiffSummary, path: &str, lines: Option<(u32, u32)>) -> Option<String> {
    let links = s.links.as_ref()?;
    // GitHub ranges read `#L10-L11`, GitLab's `#L10-11`.
    let (blob, range_end) = match links.style {
        LinkStyle::Github => ("blob", "L"),
        LinkStyle::Gitlab => ("-/blob", ""),
    };
    let anchor = lines.map(|(a, b)| {
        if a == b {
            format!("#L{a}")
        } else {
            format!("#L{a}-{range_end}{b}")
        }
    });
    Some(format!(
        "{}/{blob}/{}/{}{}",
        links.web_url,
        md::url_path(&s.head),
        md::url_path(path),
        anchor.unwrap_or_default()
    ))
}

/// Ranges shown in one cell before "… N more": a file with thousands of scattered misses must
/// not take the whole comment.
const RANGES_PER_CELL: usize = 25;

/// `L12-14, L20` with each range a link to those lines.
fn range_links(s: &DiffSummary, path: &str, lines: &[u32]) -> String {
    let ranges = ranges::compact(lines);
    if ranges.is_empty() {
        return "—".to_owned();
    }
    let mut parts: Vec<String> = ranges
        .iter()
        .take(RANGES_PER_CELL)
        .map(|&(a, b)| {
            let label = if a == b {
                format!("L{a}")
            } else {
                format!("L{a}-{b}")
            };
            md::link(&label, file_url(s, path, Some((a, b))).as_deref())
        })
        .collect();
    if ranges.len() > RANGES_PER_CELL {
        parts.push(format!("… {} more", ranges.len() - RANGES_PER_CELL));
    }
    parts.join(", ")
}

/// The files with missing lines: never-ran and partial lines in their own columns.
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
        "\n| Files with missing lines | Patch % | Never ran | Partial (a branch not taken) |\n|---|---|---|---|"
    );
    for f in with_missing.iter().take(max_rows) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md::link(
                &md::cell_code(&f.path),
                file_url(s, &f.path, None).as_deref()
            ),
            percent_or_na(s.percent, &f.totals),
            range_links(s, &f.path, &f.missed_lines),
            range_links(s, &f.path, &f.partial_lines),
        );
    }
    if with_missing.len() > max_rows {
        let _ = writeln!(
            out,
            "| … and {} more files | | | |",
            with_missing.len() - max_rows
        );
    }
    out
}

/// A folded list of values from inputs (paths), each in a code span.
fn list_section(out: &mut String, title: &str, items: &[String], max: usize) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n<details><summary>{title}</summary>\n");
    for i in items.iter().take(max) {
        let _ = writeln!(out, "- {i}");
    }
    if items.len() > max {
        let _ = writeln!(out, "- … and {} more", items.len() - max);
    }
    let _ = writeln!(out, "\n</details>");
}

/// Extra sections of the PR comment: the test results' counts line goes under the project line
/// (before the gate table), the failed tests' details under the files table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extra<'a> {
    pub before_table: &'a str,
    pub after_table: &'a str,
    /// `[comment] hide = ["project"]`: no project line.
    pub hide_project: bool,
    /// `[comment] hide = ["files"]`: no table of files with missing lines.
    pub hide_files: bool,
    /// `[comment] hide = ["components"]`: no components table.
    pub hide_components: bool,
    /// `[comment] hide = ["flags"]`: no flags table.
    pub hide_flags: bool,
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
    let _ = writeln!(out, "{}\n", verdict(s));
    let _ = writeln!(out, "{}", patch_line(s));
    if !extra.hide_project {
        let _ = writeln!(out, "{}", project_line(s));
    }
    out.push_str(extra.before_table);
    gates_table(&mut out, &s.gates, s.percent);
    if let Some(m) = &s.monorepo {
        out.push_str(&super::monorepo::markdown(
            m,
            s.percent,
            !extra.hide_components,
            !extra.hide_flags,
        ));
    }
    if !extra.hide_files {
        out.push_str(&files_table(s, rows));
    }
    out.push_str(&super::history::markdown_sections(s, rows));
    out.push_str(extra.after_table);
    let list_max = rows.min(50);
    let not_measured: Vec<String> = s
        .patch
        .not_measured
        .iter()
        .map(|p| md::link(&md::code(p), file_url(s, p, None).as_deref()))
        .collect();
    list_section(
        &mut out,
        &format!(
            ":warning: {} changed file(s) not measured by any report",
            s.patch.not_measured.len()
        ),
        &not_measured,
        list_max,
    );
    list_section(
        &mut out,
        &format!(
            ":warning: {} report path(s) match no file of the repository",
            s.unmatched.len()
        ),
        &unmatched_items(&s.unmatched),
        list_max,
    );
    // A PR comment shows repeats once, with their count.
    for w in diag::lines(&s.warnings, WarningDetail::Grouped) {
        let _ = writeln!(out, "\n:warning: {}", md::text(&w));
    }
    out
}

fn unmatched_items(unmatched: &[crate::paths::Unmatched]) -> Vec<String> {
    unmatched
        .iter()
        .map(|u| match &u.reason {
            UnmatchedReason::NoMatch => md::code(&u.path),
            UnmatchedReason::Ambiguous { candidates } => {
                let c: Vec<String> = candidates.iter().map(|c| md::code(c)).collect();
                format!("{} (ambiguous: {})", md::code(&u.path), c.join(", "))
            }
        })
        .collect()
}

/// `prcov diff --format markdown`.
pub fn diff(s: &DiffSummary) -> String {
    diff_within(s, Extra::default(), COMMENT_MAX)
}

/// `prcov report --format markdown`.
pub fn report(s: &ReportSummary) -> String {
    let mut out = String::new();
    let line = match (s.percent.of(&s.project.totals), s.delta()) {
        (None, _) => "Project coverage: n/a (no coverable lines).".to_owned(),
        (Some(pc), Some(d)) => format!("Project coverage is {pc}% ({}%).", s.percent.delta(d)),
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
            md::cell_code(p),
            percent_or_na(s.percent, t),
            t.hits,
            t.lines
        );
    }
    let _ = writeln!(
        out,
        "| **Total** | **{}** | {} | {} |",
        percent_or_na(s.percent, &s.project.totals),
        s.project.totals.hits,
        s.project.totals.lines
    );
    list_section(
        &mut out,
        &format!(
            ":warning: {} report path(s) match no file of the repository",
            s.unmatched.len()
        ),
        &unmatched_items(&s.unmatched),
        50,
    );
    gates_table(&mut out, &s.gates, s.percent);
    out
}
