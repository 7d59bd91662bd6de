//! `prcov diff`: patch coverage of merge-base(base, head)..head.

use crate::analysis::{gates, CountingRules, DiffSummary, PatchCoverage, ProjectCoverage};
use crate::config::DiffOptions;
use crate::error::Error;
use crate::exit;
use crate::git::Repo;
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat, Style};

use super::{choose_reports, emit, load_coverage};

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
        None => ci_base()?.map_or_else(|| repo.default_base(), Ok)?,
    };
    let change = repo.change_set(&base_rev, &opts.head, opts.worktree)?;
    let mut tracked = repo.tracked_files(&change.head)?;
    if opts.worktree {
        // Untracked files of the working tree are part of the change, so reports may name them.
        let known: std::collections::HashSet<&str> = tracked.iter().map(String::as_str).collect();
        let extra: Vec<String> = change
            .files
            .iter()
            .filter(|f| {
                f.status != crate::git::FileStatus::Deleted && !known.contains(f.path.as_str())
            })
            .map(|f| f.path.clone())
            .collect();
        tracked.extend(extra);
    }
    let files = RepoFiles::new(repo.root(), tracked);
    let reports = choose_reports(&opts.coverage.reports, repo.root(), opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
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

/// In CI, the PR/MR base the environment names (SPEC §1 "Default base").
fn ci_base() -> Result<Option<String>, Error> {
    let env = |k: &str| std::env::var(k).ok();
    Ok(crate::host::ci_env::detect(&env)?.and_then(|c| c.pr.and(c.base_sha)))
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
