//! `prcov diff`: patch coverage of merge-base(base, head)..head.

use crate::analysis::{gates, CountingRules, DiffSummary, PatchCoverage, ProjectCoverage};
use crate::config::DiffOptions;
use crate::error::Error;
use crate::exit;
use crate::git::Repo;
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat, Style};

use super::{choose_reports, emit, load_coverage, map_loaded};
use crate::input;

/// Computes the diff summary (shared with `publish`).
pub fn summarize(opts: &DiffOptions) -> Result<DiffSummary, Error> {
    let start = match &opts.coverage.repo_dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|source| Error::Io {
            action: "read the working directory",
            path: ".".into(),
            source,
        })?,
    };
    let repo = Repo::discover(&start)?;
    let base_rev = match &opts.base {
        Some(b) => b.clone(),
        None => repo.default_base()?,
    };
    let reports = choose_reports(&opts.coverage.reports, repo.root(), opts.output.quiet)?;
    // Reading the reports and asking git are independent: do them at once, on two threads.
    let (git, parsed) = std::thread::scope(|s| {
        let parse = s.spawn(|| input::load_coverage(&reports, opts.coverage.forced_format));
        let git = repo
            .change_set(&base_rev, &opts.head, opts.worktree)
            .and_then(|change| {
                Ok((
                    RepoFiles::new(repo.root(), repo.tracked_files(&change.head)?),
                    change,
                ))
            });
        (git, parse.join())
    });
    let (files, change) = git?;
    let parsed = match parsed {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let head = map_loaded(parsed, &opts.coverage, Some(&files));
    let rules: CountingRules = opts.coverage.rules;
    let patch = PatchCoverage::compute(&change, &head.report, rules);
    let project = ProjectCoverage::compute(&head.report, rules).totals;
    let base_project = if opts.coverage.base_reports.is_empty() {
        None
    } else {
        let base_files = RepoFiles::new(repo.root(), repo.tracked_files(&change.base)?);
        let base = load_coverage(
            &opts.coverage.base_reports,
            &opts.coverage,
            Some(&base_files),
        )?;
        Some(ProjectCoverage::compute(&base.report, rules).totals)
    };
    let mut summary = DiffSummary {
        base: change.base.clone(),
        head: change.head.clone(),
        patch,
        project,
        base_project,
        unmatched: head.unmatched,
        gates: Vec::new(),
        reports: head.inputs,
        warnings: head.warnings,
    };
    let measured = gates::Measured {
        patch: summary.patch.totals.percent(),
        project: summary.project.percent(),
        delta: summary.delta(),
        failed_tests: None,
        unmatched: summary.unmatched.len() as u64,
    };
    summary.gates = gates::evaluate(&opts.gates.gates, &measured, opts.gates.threshold);
    Ok(summary)
}

pub fn run(opts: &DiffOptions) -> Result<u8, Error> {
    let summary = summarize(opts)?;
    let text = match opts.output.format {
        OutputFormat::Text => render::text::diff(
            &summary,
            Style {
                color: opts.output.color,
            },
        ),
        OutputFormat::Markdown => render::markdown::diff(&summary),
        OutputFormat::Json => render::json::diff(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(if summary.passed() {
        exit::SUCCESS
    } else {
        exit::GATE_FAILED
    })
}
