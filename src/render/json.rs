//! JSON output (docs/json.md, docs/schema/). Fields are only ever added, never renamed or
//! dropped. `prcov diff` is schema 2 since it carries `history` (docs/history.md); `report` stays
//! schema 1.

use serde::Serialize;

use crate::analysis::monorepo::{FlagSource, MonorepoView};
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
    /// Totals per flag, when flags or components are used (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<Vec<FlagJson<'a>>>,
    /// Totals and gates per component, likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    components: Option<Vec<ComponentJson<'a>>>,
}

#[derive(Serialize)]
struct FlagJson<'a> {
    name: &'a str,
    /// `uploaded`, `carried_forward` or `missing`.
    source: &'static str,
    /// The baseline commit a carried-forward flag's coverage is of.
    carried_from: Option<&'a str>,
    /// Why a missing flag has no coverage.
    missing_reason: Option<&'a str>,
    /// `null` when carried forward or missing.
    patch: Option<TotalsJson>,
    /// `null` when missing.
    project: Option<TotalsJson>,
}

#[derive(Serialize)]
struct ComponentJson<'a> {
    id: &'a str,
    name: Option<&'a str>,
    flags: &'a [String],
    patch: TotalsJson,
    project: TotalsJson,
    gates: &'a [GateOutcome],
    informational: bool,
    /// The component's statuses succeed: its gates passed, or it is informational.
    passed: bool,
    /// Flags of its filter whose coverage was carried forward from the baseline.
    carried_forward: &'a [String],
}

fn flags_json(m: &MonorepoView) -> Vec<FlagJson<'_>> {
    m.flags
        .iter()
        .map(|f| {
            let (source, carried_from, missing_reason) = match &f.source {
                FlagSource::Uploaded => ("uploaded", None, None),
                FlagSource::CarriedForward { commit } => {
                    ("carried_forward", Some(commit.as_str()), None)
                }
                FlagSource::Missing { why } => ("missing", None, Some(why.as_str())),
            };
            FlagJson {
                name: &f.name,
                source,
                carried_from,
                missing_reason,
                patch: f.patch.as_ref().map(Into::into),
                project: f.project.as_ref().map(Into::into),
            }
        })
        .collect()
}

fn components_json(m: &MonorepoView) -> Vec<ComponentJson<'_>> {
    m.components
        .iter()
        .map(|c| ComponentJson {
            id: &c.id,
            name: c.name.as_deref(),
            flags: &c.flags,
            patch: (&c.patch).into(),
            project: (&c.project).into(),
            gates: &c.gates,
            informational: c.informational,
            passed: c.informational || c.gates.iter().all(|g| g.passed),
            carried_forward: &c.carried,
        })
        .collect()
}

/// The schema of `prcov diff --format json`.
pub const DIFF_SCHEMA: u32 = 2;

#[derive(Serialize)]
struct ReportJson<'a> {
    path: String,
    format: &'a str,
    /// The report's flags; absent when it has none.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    flags: &'a [String],
}

fn reports(r: &[crate::analysis::ReportInput]) -> Vec<ReportJson<'_>> {
    r.iter()
        .map(|r| ReportJson {
            path: r.path.to_string_lossy().into_owned(),
            format: r.format.name(),
            flags: &r.flags,
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
        flags: s.monorepo.as_ref().map(flags_json),
        components: s.monorepo.as_ref().map(components_json),
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
