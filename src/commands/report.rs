//! `prcov report`: whole-project coverage, per file and per directory.

use crate::analysis::{gates, Outcome, ProjectCoverage, ReportSummary};
use crate::config::ReportOptions;
use crate::error::Error;
use crate::exit;
use crate::git::Repo;
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat, Style};

use super::{
    check_measured, choose_reports, ci_context, emit, load_coverage, revisions, working_dir,
};

pub fn summarize(opts: &ReportOptions) -> Result<ReportSummary, Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    // Outside a git repository `report` still works, with every record counted (SPEC §2).
    let repo = if opts.no_repo {
        None
    } else {
        Repo::discover(&start).ok()
    };
    // With a repository, report paths map to the files tracked at `--head`; without one, every
    // record counts with its path as written.
    let mut revisions = None;
    let (root, files) = match &repo {
        Some(repo) => {
            let requested = revisions::Requested {
                head: opts.head.clone(),
                ..revisions::Requested::default()
            };
            let revs = revisions::choose(&requested, ci_context()?.as_ref(), Some(repo), false)?;
            let head_sha = repo.resolve(&revs.head.rev)?;
            revisions = Some(revs);
            let files = RepoFiles::new(repo.root(), repo.tracked_files(&head_sha)?);
            (repo.root().to_path_buf(), Some(files))
        }
        None => (start.clone(), None),
    };
    let reports = choose_reports(&opts.coverage.reports, &root, opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, files.as_ref())?;
    let base = if opts.coverage.base_reports.is_empty() {
        None
    } else {
        Some(load_coverage(
            &opts.coverage.base_reports,
            &opts.coverage,
            files.as_ref(),
        )?)
    };
    let rules = opts.coverage.rules;
    let project = ProjectCoverage::compute(&head.report, rules);
    let outcome = check_measured(
        Outcome::of_coverage(project.files.len(), project.totals.lines),
        &head,
        &opts.coverage,
    )?;
    let mut summary = ReportSummary {
        outcome,
        revisions,
        project,
        base_project: base.map(|b| ProjectCoverage::compute(&b.report, rules).totals),
        unmatched: head.unmatched,
        gates: Vec::new(),
        reports: head.inputs,
        warnings: head.warnings,
    };
    // A monorepo report is millions of allocations; a small one is dropped here.
    if head.report.files.len() >= 1000 {
        crate::threads::drop_without_waiting(head.report);
    }
    let measured = gates::Measured {
        patch: None,
        project: summary.project.totals.percent(),
        delta: summary.delta(),
        unmatched: summary.unmatched.len() as u64,
        ..gates::Measured::default()
    };
    summary.gates = gates::evaluate(&opts.gates.gates, &measured, opts.gates.threshold);
    Ok(summary)
}

pub fn run(opts: &ReportOptions) -> Result<u8, Error> {
    let summary = summarize(opts)?;
    let text = match opts.output.format {
        OutputFormat::Text => render::text::report(
            &summary,
            Style {
                color: opts.output.color,
            },
        ),
        OutputFormat::Markdown => render::markdown::report(&summary),
        OutputFormat::Json => render::json::report(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(if summary.passed() {
        exit::SUCCESS
    } else {
        exit::GATE_FAILED
    })
}
