//! `prcov report`: whole-project coverage, per file and per directory.

use crate::analysis::gates::Measured;
use crate::analysis::{Outcome, ProjectCoverage, ReportSummary};
use crate::config::ReportOptions;
use crate::error::Error;
use crate::git::Repo;
use crate::input::ReportFile;
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat};

use std::collections::BTreeMap;

use crate::model::CoverageReport;
use crate::render::html::{Site, View};

use super::{
    artifacts, check_measured, choose_reports, ci_context, emit, evaluate_gates, gate_exit_code,
    load_coverage, revisions, working_dir,
};

pub fn summarize(opts: &ReportOptions) -> Result<ReportSummary, Error> {
    let (summary, kept) = summarize_keeping(opts)?;
    super::drop_report(kept.report);
    Ok(summary)
}

/// What the HTML report's pages are made of: the merged report, and the repository and head
/// commit its paths were mapped at (none outside a repository).
struct HeadCoverage {
    report: CoverageReport,
    repo: Option<(Repo, String)>,
}

/// [`summarize`], keeping the merged report for the HTML report's pages.
fn summarize_keeping(opts: &ReportOptions) -> Result<(ReportSummary, HeadCoverage), Error> {
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
    let mut head_sha = None;
    let (root, files) = match &repo {
        Some(repo) => {
            let requested = revisions::Requested {
                head: opts.head.clone(),
                ..revisions::Requested::default()
            };
            let revs = revisions::choose(&requested, ci_context()?.as_ref(), Some(repo), false)?;
            let sha = repo.resolve(&revs.head.rev)?;
            revisions = Some(revs);
            let files = RepoFiles::new(repo.root(), repo.tracked_files(&sha)?);
            head_sha = Some(sha);
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
        percent: opts.output.percent,
    };
    summary.gates = evaluate_gates(&opts.gates, &Measured::of_report(&summary));
    let kept = HeadCoverage {
        report: head.report,
        repo: repo.zip(head_sha),
    };
    Ok((summary, kept))
}

/// `--html DIR`: the index, and with `--html-all` a page per file, its source at the head.
fn write_html(
    opts: &ReportOptions,
    summary: &ReportSummary,
    kept: &HeadCoverage,
) -> Result<(), Error> {
    let Some(html) = &opts.artifacts.html else {
        return Ok(());
    };
    let sources = match &kept.repo {
        Some((repo, sha)) => artifacts::Sources::Commit(repo, sha),
        None => artifacts::Sources::None("no git repository to read it from"),
    };
    let paged = artifacts::page_paths(html, std::iter::empty(), &summary.project);
    artifacts::write_html(
        html,
        &Site {
            view: View::Report(summary),
            project: &summary.project,
            paged: &paged,
            tests: None,
            failure_links: &[],
        },
        &artifacts::PageInputs {
            report: &kept.report,
            added: &BTreeMap::new(),
            rules: opts.coverage.rules,
            sources,
        },
    )
}

pub fn run(opts: &ReportOptions) -> Result<u8, Error> {
    let (summary, kept) = summarize_keeping(opts)?;
    write_html(opts, &summary, &kept)?;
    super::drop_report(kept.report);
    artifacts::write_badge(&opts.artifacts, &summary.project.totals)?;
    let text = match opts.output.format {
        OutputFormat::Text => render::text::report(&summary, opts.output.style()),
        OutputFormat::Markdown => {
            let mut text = render::markdown::report(&summary);
            text.push_str(&render::html::link_markdown(
                opts.artifacts.html_url.as_deref(),
            ));
            text
        }
        OutputFormat::Json => render::json::report(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(gate_exit_code(&summary.gates))
}
