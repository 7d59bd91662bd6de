//! `prcov diff`: patch coverage of merge-base(base, head)..head.

use crate::analysis::{gates, CountingRules, DiffSummary, PatchCoverage, ProjectCoverage};
use crate::config::DiffOptions;
use crate::error::Error;
use crate::exit;
use crate::git::{ChangeSet, FileStatus, Repo};
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
    let rules: CountingRules = opts.coverage.rules;
    let (change, repo) = match &opts.diff_file {
        // A saved diff replaces git; the repository, when there is one, still names the files.
        Some(path) => (
            ChangeSet::read_diff_file(path)?,
            Repo::discover(&start).ok(),
        ),
        None => {
            let repo = Repo::discover(&start)?;
            let base_rev = match &opts.base {
                Some(b) => b.clone(),
                None => ci_base()?.map_or_else(|| repo.default_base(), Ok)?,
            };
            (
                repo.change_set(&base_rev, &opts.head, opts.worktree)?,
                Some(repo),
            )
        }
    };
    let changed_paths = || {
        change
            .files
            .iter()
            .filter(|f| f.status != FileStatus::Deleted)
            .map(|f| f.path.clone())
    };
    let Some(repo) = repo else {
        // No repository (`--diff-file` outside a checkout): report paths are matched against the
        // diff's files for the patch, and every record counts for the project.
        let root = start.clone();
        let files = RepoFiles::new(&root, changed_paths().collect());
        let reports = choose_reports(&opts.coverage.reports, &root, opts.output.quiet)?;
        let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
        let all = load_coverage(&reports, &opts.coverage, None)?;
        let summary = DiffSummary {
            base: change.base.clone(),
            head: change.head.clone(),
            patch: PatchCoverage::compute(&change, &head.report, rules),
            project: ProjectCoverage::compute(&all.report, rules).totals,
            base_project: None,
            unmatched: Vec::new(),
            gates: Vec::new(),
            reports: head.inputs,
            warnings: head.warnings,
        };
        return Ok(with_gates(summary, opts));
    };
    let mut tracked = if opts.diff_file.is_some() {
        let head = repo.resolve("HEAD")?;
        repo.tracked_files(&head)?
    } else {
        repo.tracked_files(&change.head)?
    };
    // Untracked files of the working tree (`--worktree`), or files of a saved diff that the
    // checkout does not have, are part of the change: reports may name them.
    let known: std::collections::HashSet<&str> = tracked.iter().map(String::as_str).collect();
    let extra: Vec<String> = changed_paths()
        .filter(|p| !known.contains(p.as_str()))
        .collect();
    tracked.extend(extra);
    let files = RepoFiles::new(repo.root(), tracked);
    let reports = choose_reports(&opts.coverage.reports, repo.root(), opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
    let patch = PatchCoverage::compute(&change, &head.report, rules);
    let project = ProjectCoverage::compute(&head.report, rules).totals;
    let base_project = if opts.coverage.base_reports.is_empty() {
        None
    } else {
        let base_tree = if opts.diff_file.is_some() {
            repo.resolve("HEAD")?
        } else {
            change.base.clone()
        };
        let base_files = RepoFiles::new(repo.root(), repo.tracked_files(&base_tree)?);
        let base = load_coverage(
            &opts.coverage.base_reports,
            &opts.coverage,
            Some(&base_files),
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
    Ok(with_gates(summary, opts))
}

fn with_gates(mut summary: DiffSummary, opts: &DiffOptions) -> DiffSummary {
    let measured = gates::Measured {
        patch: summary.patch.totals.percent(),
        project: summary.project.percent(),
        delta: summary.delta(),
        failed_tests: None,
        unmatched: summary.unmatched.len() as u64,
    };
    summary.gates = gates::evaluate(&opts.gates.gates, &measured, opts.gates.threshold);
    summary
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
