//! JSON output (docs/json.md, docs/schema/). Fields are only ever added, never renamed or
//! dropped. `prcov diff` is schema 2 since it carries `history` (docs/history.md); `report` stays
//! schema 1.

use serde::Serialize;

use crate::analysis::{DiffSummary, GateOutcome, Outcome, ReportSummary, Revisions};
use crate::git::FileStatus;
use crate::model::Totals;
use crate::paths::Unmatched;

/// Totals with the unrounded percent (`null` when nothing is coverable).
#[derive(Serialize)]
pub(crate) struct TotalsJson {
    lines: u64,
    hits: u64,
    misses: u64,
    partials: u64,
    percent: Option<f64>,
}

impl From<&Totals> for TotalsJson {
    fn from(t: &Totals) -> Self {
        TotalsJson {
            lines: t.lines,
            hits: t.hits,
            misses: t.misses,
            partials: t.partials,
            percent: t.percent(),
        }
    }
}

#[derive(Serialize)]
struct PatchFileJson<'a> {
    path: &'a str,
    old_path: Option<&'a str>,
    status: FileStatus,
    patch: TotalsJson,
    hit_lines: &'a [u32],
    missed_lines: &'a [u32],
    partial_lines: &'a [u32],
}

#[derive(Serialize)]
struct DiffJson<'a> {
    schema: u32,
    base: &'a str,
    head: &'a str,
    patch: TotalsJson,
    project: TotalsJson,
    files: Vec<PatchFileJson<'a>>,
    not_measured: &'a [String],
    unmatched_report_paths: Vec<&'a str>,
    gates: &'a [GateOutcome],
    // Additions to the first specification's fields (docs/json.md).
    /// `measured`, `empty_change`, `no_file_matched`, `no_coverable_line` (docs/json.md).
    outcome: Outcome,
    revisions: Option<&'a Revisions>,
    changed_files: usize,
    base_project: Option<TotalsJson>,
    delta: Option<f64>,
    passed: bool,
    unmatched_details: &'a [Unmatched],
    reports: Vec<ReportJson<'a>>,
    warnings: Vec<String>,
    /// Schema 2: the baseline, per-file Δ and the test comparison; `null` without history.
    history: Option<&'a crate::history::compare::HistoryView>,
}

/// The schema of `prcov diff --format json`.
pub const DIFF_SCHEMA: u32 = 2;

#[derive(Serialize)]
struct ReportJson<'a> {
    path: String,
    format: &'a str,
}

fn reports(r: &[crate::analysis::ReportInput]) -> Vec<ReportJson<'_>> {
    r.iter()
        .map(|r| ReportJson {
            path: r.path.to_string_lossy().into_owned(),
            format: r.format.name(),
        })
        .collect()
}

fn to_string(value: &impl Serialize) -> String {
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// `prcov diff --format json`.
pub fn diff(s: &DiffSummary) -> String {
    to_string(&DiffJson {
        schema: DIFF_SCHEMA,
        base: &s.base,
        head: &s.head,
        patch: (&s.patch.totals).into(),
        project: (&s.project).into(),
        files: s
            .patch
            .files
            .iter()
            .map(|f| PatchFileJson {
                path: &f.path,
                old_path: f.old_path.as_deref(),
                status: f.status,
                patch: (&f.totals).into(),
                hit_lines: &f.hit_lines,
                missed_lines: &f.missed_lines,
                partial_lines: &f.partial_lines,
            })
            .collect(),
        not_measured: &s.patch.not_measured,
        unmatched_report_paths: s.unmatched.iter().map(|u| u.path.as_str()).collect(),
        gates: &s.gates,
        outcome: s.outcome,
        revisions: s.revisions.as_ref(),
        changed_files: s.changed_files,
        base_project: s.base_project.as_ref().map(Into::into),
        delta: s.delta(),
        passed: s.passed(),
        unmatched_details: &s.unmatched,
        reports: reports(&s.reports),
        warnings: s.warnings.iter().map(ToString::to_string).collect(),
        history: s.history.as_ref(),
    })
}

#[derive(Serialize)]
struct FileTotalsJson<'a> {
    path: &'a str,
    lines: u64,
    hits: u64,
    misses: u64,
    partials: u64,
    percent: Option<f64>,
}

#[derive(Serialize)]
struct ReportJsonOut<'a> {
    schema: u32,
    project: TotalsJson,
    files: Vec<FileTotalsJson<'a>>,
    unmatched_report_paths: Vec<&'a str>,
    // Additions.
    outcome: Outcome,
    revisions: Option<&'a Revisions>,
    directories: Vec<FileTotalsJson<'a>>,
    gates: &'a [GateOutcome],
    base_project: Option<TotalsJson>,
    delta: Option<f64>,
    passed: bool,
    unmatched_details: &'a [Unmatched],
    reports: Vec<ReportJson<'a>>,
    warnings: Vec<String>,
}

fn file_totals<'a>(path: &'a str, t: &Totals) -> FileTotalsJson<'a> {
    FileTotalsJson {
        path,
        lines: t.lines,
        hits: t.hits,
        misses: t.misses,
        partials: t.partials,
        percent: t.percent(),
    }
}

/// `prcov report --format json`.
pub fn report(s: &ReportSummary) -> String {
    let dirs = s.project.directories();
    to_string(&ReportJsonOut {
        schema: 1,
        project: (&s.project.totals).into(),
        files: s
            .project
            .files
            .iter()
            .map(|(p, t)| file_totals(p, t))
            .collect(),
        unmatched_report_paths: s.unmatched.iter().map(|u| u.path.as_str()).collect(),
        outcome: s.outcome,
        revisions: s.revisions.as_ref(),
        directories: dirs
            .iter()
            .map(|d| file_totals(&d.path, &d.totals))
            .collect(),
        gates: &s.gates,
        base_project: s.base_project.as_ref().map(Into::into),
        delta: s.delta(),
        passed: s.passed(),
        unmatched_details: &s.unmatched,
        reports: reports(&s.reports),
        warnings: s.warnings.iter().map(ToString::to_string).collect(),
    })
}
