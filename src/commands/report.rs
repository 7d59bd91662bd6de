//! `prcov report`: whole-project coverage, per file and per directory.

use crate::analysis::gates::Measured;
use crate::analysis::{Outcome, ProjectCoverage, ReportSummary};
use crate::config::ReportOptions;
use crate::error::Error;
use crate::git::Repo;
use crate::input::ReportFile;
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat};

use super::{
    check_measured, choose_reports, ci_context, emit, evaluate_gates, gate_exit_code,
    load_coverage, revisions, working_dir,
};

pub fn summarize(opts: &ReportOptions) -> Result<ReportSummary, Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    // Outside a git repository `report` still works, with every record counted (docs/coverage.md#project-and-delta).
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
    let reports = choose_reports(&opts.coverage, &root, opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, files.as_ref())?;
    let base = if opts.coverage.base_reports.is_empty() {
        None
    } else {
        Some(load_coverage(
            &ReportFile::named(&opts.coverage.base_reports, opts.coverage.forced_format),
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
    summary.gates = evaluate_gates(&opts.gates, &Measured::of_report(&summary));
    Ok(summary)
}

pub fn run(opts: &ReportOptions) -> Result<u8, Error> {
    let summary = summarize(opts)?;
    let text = match opts.output.format {
        OutputFormat::Text => render::text::report(&summary, opts.output.style()),
        OutputFormat::Markdown => render::markdown::report(&summary),
        OutputFormat::Json => render::json::report(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(gate_exit_code(&summary.gates))
}
