//! `prcov diff`: patch coverage of merge-base(base, head)..head.

use std::path::Path;

use crate::analysis::gates::Measured;
use crate::analysis::{CountingRules, DiffSummary, PatchCoverage, ProjectCoverage};
use crate::config::DiffOptions;
use crate::error::Error;
use crate::git::{ChangeSet, FileStatus, Repo};
use crate::input::{self, ReportFile};
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat};

use super::{
    choose_reports, emit, evaluate_gates, gate_exit_code, load_coverage, map_loaded, working_dir,
    LoadedCoverage,
};

/// Computes the diff summary, without gates: the command evaluates them once it has everything
/// it measures.
pub fn summarize(opts: &DiffOptions) -> Result<DiffSummary, Error> {
    summarize_with_files(opts).map(|(summary, _)| summary)
}

/// [`summarize`], and the repository files report paths were mapped to (tracked at head, and
/// the files of the change), for `publish` to map test failures with, without listing them again.
pub fn summarize_with_files(opts: &DiffOptions) -> Result<(DiffSummary, RepoFiles), Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    if let Some(diff_file) = &opts.diff_file {
        return summarize_saved_diff(opts, &start, diff_file);
    }
    let repo = Repo::discover(&start)?;
    let base_rev = match &opts.base {
        Some(b) => b.clone(),
        None => ci_base()?.map_or_else(|| repo.default_base(), Ok)?,
    };
    let reports = choose_reports(&opts.coverage, repo.root(), opts.output.quiet)?;
    // Reading the reports and asking git are independent: do them at once, on two threads.
    let (git, parsed) = std::thread::scope(|s| {
        let parse = s.spawn(|| input::load_coverage(&reports));
        let git = repo
            .change_set_with(opts.engine, &base_rev, &opts.head, opts.worktree)
            .and_then(|change| Ok((repo.tracked_files(&change.head)?, change)));
        (git, parse.join())
    });
    let (tracked, change) = git?;
    let parsed = match parsed {
        Ok(result) => result?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    let files = RepoFiles::new(repo.root(), with_changed_files(tracked, &change));
    let head = map_loaded(parsed, &opts.coverage, Some(&files));
    let base_files = || {
        Ok::<_, Error>(RepoFiles::new(
            repo.root(),
            repo.tracked_files(&change.base)?,
        ))
    };
    let summary = finish(opts, &change, head, base_files)?;
    Ok((summary, files))
}

/// Untracked files of the working tree (`--worktree`), or files of a saved diff that the
/// checkout does not have, are part of the change: reports may name them.
fn with_changed_files(mut tracked: Vec<String>, change: &ChangeSet) -> Vec<String> {
    let known: std::collections::HashSet<&str> = tracked.iter().map(String::as_str).collect();
    let extra: Vec<String> = change
        .files
        .iter()
        .filter(|f| f.status != FileStatus::Deleted && !known.contains(f.path.as_str()))
        .map(|f| f.path.clone())
        .collect();
    tracked.extend(extra);
    tracked
}

/// `--diff-file`: a saved unified diff replaces git. The repository, when there is one, still
/// names the files; without one, report paths are matched against the diff's files for the
/// patch, and every record counts for the project.
fn summarize_saved_diff(
    opts: &DiffOptions,
    start: &Path,
    diff_file: &Path,
) -> Result<(DiffSummary, RepoFiles), Error> {
    let change = ChangeSet::read_diff_file(diff_file)?;
    let rules: CountingRules = opts.coverage.rules;
    let Ok(repo) = Repo::discover(start) else {
        let files = RepoFiles::new(start, with_changed_files(Vec::new(), &change));
        let reports = choose_reports(&opts.coverage, start, opts.output.quiet)?;
        let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
        // The project is every record: those of the diff's files and those of no file of it.
        let mut project = ProjectCoverage::compute(&head.report, rules).totals;
        project += ProjectCoverage::compute(&head.unmatched_coverage, rules).totals;
        let summary = DiffSummary {
            base: change.base.clone(),
            head: change.head.clone(),
            patch: PatchCoverage::compute(&change, &head.report, rules),
            project,
            base_project: None,
            unmatched: Vec::new(),
            gates: Vec::new(),
            reports: head.inputs,
            warnings: head.warnings,
        };
        return Ok((summary, files));
    };
    let head_sha = repo.resolve("HEAD")?;
    let files = RepoFiles::new(
        repo.root(),
        with_changed_files(repo.tracked_files(&head_sha)?, &change),
    );
    let reports = choose_reports(&opts.coverage, repo.root(), opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
    let base_files = || Ok::<_, Error>(RepoFiles::new(repo.root(), repo.tracked_files(&head_sha)?));
    let summary = finish(opts, &change, head, base_files)?;
    Ok((summary, files))
}

/// Patch, project, the base report's project, and the gates.
fn finish(
    opts: &DiffOptions,
    change: &ChangeSet,
    head: LoadedCoverage,
    base_files: impl FnOnce() -> Result<RepoFiles, Error>,
) -> Result<DiffSummary, Error> {
    let rules: CountingRules = opts.coverage.rules;
    let patch = PatchCoverage::compute(change, &head.report, rules);
    let project = ProjectCoverage::compute(&head.report, rules).totals;
    let base_project = if opts.coverage.base_reports.is_empty() {
        None
    } else {
        let base = load_coverage(
            &ReportFile::named(&opts.coverage.base_reports, opts.coverage.forced_format),
            &opts.coverage,
            Some(&base_files()?),
        )?;
        Some(ProjectCoverage::compute(&base.report, rules).totals)
    };
    let summary = DiffSummary {
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
    Ok(summary)
}

/// In CI, the PR/MR base the environment names (docs/commands.md#default-base).
fn ci_base() -> Result<Option<String>, Error> {
    let env = |k: &str| std::env::var(k).ok();
    Ok(crate::host::ci_env::detect(&env)?.and_then(|c| c.pr.and(c.base_sha)))
}

pub fn run(opts: &DiffOptions) -> Result<u8, Error> {
    let mut summary = summarize(opts)?;
    summary.gates = evaluate_gates(&opts.gates, &Measured::of_diff(&summary));
    let text = match opts.output.format {
        OutputFormat::Text => render::text::diff(&summary, opts.output.style()),
        OutputFormat::Markdown => render::markdown::diff(&summary),
        OutputFormat::Json => render::json::diff(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(gate_exit_code(&summary.gates))
}
