//! Terminal output (comfy-table), colour only when asked for.

use std::fmt::Write as _;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::analysis::{DiffSummary, GateOutcome, Outcome, Percent, ReportSummary};
use crate::model::diag::{self, Warning};
use crate::model::Totals;
use crate::paths::{Unmatched, UnmatchedReason};

use super::{gate_line, percent_or_na, ranges, short_sha, Style};

pub(super) fn table() -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t.set_width(100);
    t
}

fn counts(t: &Totals, what: &str) -> String {
    format!(
        "{} of {} {what} hit, {} missed, {} partial",
        t.hits, t.lines, t.misses, t.partials
    )
}

/// How many paths a warning lists before "… and N more".
const FIRST_FEW: usize = 5;

/// Warnings shared by `diff` and `report`: report paths that matched nothing, and reading notes.
fn warnings(out: &mut String, unmatched: &[Unmatched], notes: &[Warning], style: Style) {
    if !unmatched.is_empty() {
        let _ = writeln!(
            out,
            "{} {} report path(s) match no file of the repository and were left out:",
            style.warn("warning:"),
            unmatched.len()
        );
        for u in unmatched.iter().take(FIRST_FEW) {
            match &u.reason {
                UnmatchedReason::NoMatch => {
                    let _ = writeln!(out, "  {}", u.path);
                }
                UnmatchedReason::Ambiguous { candidates } => {
                    let _ = writeln!(out, "  {} (ambiguous: {})", u.path, candidates.join(", "));
                }
            }
        }
        if unmatched.len() > FIRST_FEW {
            let _ = writeln!(out, "  … and {} more", unmatched.len() - FIRST_FEW);
        }
        let _ = writeln!(
            out,
            "  hint: use --path-map FROM=TO or --strip-prefix P to turn report paths into repository paths"
        );
    }
    for n in diag::lines(notes, style.warnings) {
        let _ = writeln!(out, "{} {n}", style.warn("warning:"));
    }
}

fn gates(out: &mut String, gates: &[GateOutcome], percent: Percent, style: Style) {
    if gates.is_empty() {
        return;
    }
    let _ = writeln!(out);
    for g in gates {
        let (target, actual, verdict) = gate_line(g, percent);
        let verdict = if g.passed {
            style.good(&verdict)
        } else {
            style.bad(&verdict)
        };
        let _ = writeln!(
            out,
            "gate {}: target {target}, actual {actual}: {verdict}",
            g.label()
        );
    }
}

/// The change and where its revisions came from: a surprising base is the first thing to
/// check when a number looks wrong.
fn change_lines(out: &mut String, s: &DiffSummary) {
    let files = match s.changed_files {
        0 => "empty: base and head are the same commit, or no commit lies between them".to_owned(),
        1 => "1 changed file".to_owned(),
        n => format!("{n} changed files"),
    };
    let _ = writeln!(
        out,
        "Change: {}..{} ({files})",
        short_sha(&s.base),
        short_sha(&s.head)
    );
    if let Some(r) = &s.revisions {
        if let Some(b) = &r.base {
            let _ = writeln!(out, "  base: merge-base with {} — from {}", b.rev, b.from);
        }
        let _ = writeln!(out, "  head: {} — from {}", r.head.rev, r.head.from);
    }
    match s.outcome {
        Outcome::NoFileMatched => {
            let _ = writeln!(out, "Nothing measured: no report path maps to a file of the repository (allowed by --allow-nothing-measured).");
        }
        Outcome::NoCoverableLine => {
            let _ = writeln!(out, "Nothing measured: the reports hold no coverable line (allowed by --allow-nothing-measured).");
        }
        Outcome::Measured | Outcome::EmptyChange => {}
    }
}

/// `prcov diff` on a terminal.
pub fn diff(s: &DiffSummary, style: Style) -> String {
    let mut out = String::new();
    let p = &s.patch.totals;
    let headline = match s.percent.of(p) {
        None if s.outcome == Outcome::EmptyChange => {
            "Patch coverage: n/a — the change is empty (nothing to measure)".to_owned()
        }
        None => "Patch coverage: n/a (no coverable lines changed)".to_owned(),
        Some(pc) => format!(
            "Patch coverage: {pc}% — {}",
            counts(p, "coverable added lines")
        ),
    };
    let headline = if p.missing() > 0 {
        style.bad(&headline)
    } else {
        style.good(&headline)
    };
    let _ = writeln!(out, "{}", style.bold(&headline));
    change_lines(&mut out, s);
    if !s.patch.files.is_empty() {
        let mut t = table();
        t.set_header(vec!["File", "Patch", "Lines", "Never ran", "Partial"]);
        for f in &s.patch.files {
            t.add_row(vec![
                Cell::new(&f.path),
                Cell::new(percent_or_na(s.percent, &f.totals)).set_alignment(CellAlignment::Right),
                Cell::new(format!("{}/{}", f.totals.hits, f.totals.lines))
                    .set_alignment(CellAlignment::Right),
                Cell::new(ranges::format(&f.missed_lines)),
                Cell::new(ranges::format(&f.partial_lines)),
            ]);
        }
        let _ = writeln!(out, "{t}");
    }
    let project = match (s.percent.of(&s.project), s.delta()) {
        (None, _) => "Project coverage: n/a".to_owned(),
        (Some(pc), Some(d)) => format!(
            "Project coverage: {pc}% ({}%) — {}",
            s.percent.delta(d),
            counts(&s.project, "lines")
        ),
        (Some(pc), None) => format!("Project coverage: {pc}% — {}", counts(&s.project, "lines")),
    };
    let _ = writeln!(out, "{project}");
    out.push_str(&super::history::text_lines(s));
    if let Some(m) = &s.monorepo {
        out.push_str(&super::monorepo::text(m, s.percent, style));
    }
    if !s.patch.not_measured.is_empty() {
        let _ = writeln!(
            out,
            "{} {} changed file(s) with added lines are not in any report (not measured):",
            style.warn("note:"),
            s.patch.not_measured.len()
        );
        for p in s.patch.not_measured.iter().take(FIRST_FEW * 2) {
            let _ = writeln!(out, "  {p}");
        }
        if s.patch.not_measured.len() > FIRST_FEW * 2 {
            let _ = writeln!(
                out,
                "  … and {} more",
                s.patch.not_measured.len() - FIRST_FEW * 2
            );
        }
    }
    warnings(&mut out, &s.unmatched, &s.warnings, style);
    gates(&mut out, &s.gates, s.percent, style);
    out
}

/// `prcov report` on a terminal: per directory, then per file, then the total.
pub fn report(s: &ReportSummary, style: Style) -> String {
    let mut out = String::new();
    let mut t = table();
    t.set_header(vec![
        "Path", "Coverage", "Hit", "Lines", "Missed", "Partial",
    ]);
    let row = |t: &mut Table, path: &str, tot: &Totals| {
        t.add_row(vec![
            Cell::new(path),
            Cell::new(percent_or_na(s.percent, tot)).set_alignment(CellAlignment::Right),
            Cell::new(tot.hits).set_alignment(CellAlignment::Right),
            Cell::new(tot.lines).set_alignment(CellAlignment::Right),
            Cell::new(tot.misses).set_alignment(CellAlignment::Right),
            Cell::new(tot.partials).set_alignment(CellAlignment::Right),
        ]);
    };
    let dirs = s.project.directories();
    if dirs.len() > 1 {
        for d in &dirs {
            row(&mut t, &format!("{}/", d.path), &d.totals);
        }
        let _ = writeln!(out, "Directories:\n{t}");
        t = table();
        t.set_header(vec![
            "Path", "Coverage", "Hit", "Lines", "Missed", "Partial",
        ]);
    }
    for (p, tot) in &s.project.files {
        row(&mut t, p, tot);
    }
    row(&mut t, "TOTAL", &s.project.totals);
    let _ = writeln!(out, "Files:\n{t}");
    let line = match (s.percent.of(&s.project.totals), s.delta()) {
        (None, _) => "Project coverage: n/a (no coverable lines)".to_owned(),
        (Some(pc), Some(d)) => format!("Project coverage: {pc}% ({}%)", s.percent.delta(d)),
        (Some(pc), None) => format!("Project coverage: {pc}%"),
    };
    let _ = writeln!(out, "{}", style.bold(&line));
    if let Some(r) = &s.revisions {
        let _ = writeln!(out, "Files at: {} — from {}", r.head.rev, r.head.from);
    }
    warnings(&mut out, &s.unmatched, &s.warnings, style);
    gates(&mut out, &s.gates, s.percent, style);
    out
}
