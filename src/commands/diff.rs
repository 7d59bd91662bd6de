//! `prcov diff`: patch coverage of merge-base(base, head)..head.

use std::collections::BTreeMap;
use std::path::Path;

use crate::analysis::gates::Measured;
use crate::analysis::{
    CountingRules, DiffSummary, LinkStyle, Outcome, PatchCoverage, ProjectCoverage, Revisions,
    SourceLinks,
};
use crate::config::DiffOptions;
use crate::error::Error;
use crate::git::{ChangeSet, FileStatus, Repo};
use crate::input::{self, ReportFile};
use crate::model::{CoverageReport, Location, Warning, WarningKind};
use crate::paths::RepoFiles;
use crate::render::{self, OutputFormat};

use super::{
    artifacts, check_measured, choose_reports, ci_context, emit, evaluate_gates, gate_exit_code,
    load_coverage, map_loaded, revisions, working_dir, LoadedCoverage,
};
use crate::render::html::link_markdown as html_link;

/// What the summary was computed from, for the HTML report, which shows more than the summary:
/// every line's coverage and the project's files.
pub struct DiffDetails {
    /// The merged, path-mapped head report.
    pub report: CoverageReport,
    /// Per-file project coverage (its totals are the summary's `project`).
    pub project: ProjectCoverage,
    /// Added lines of each changed file, coverable or not.
    pub added: BTreeMap<String, Vec<u32>>,
}

/// Computes the diff summary, without gates: the command evaluates them once it has everything
/// it measures.
pub fn summarize(opts: &DiffOptions) -> Result<DiffSummary, Error> {
    let (summary, _, details) = summarize_with_files(opts)?;
    super::drop_report(details.report);
    Ok(summary)
}

/// [`summarize`], and the repository files report paths were mapped to (tracked at head, and
/// the files of the change), for `publish` to map test failures with, without listing them again;
/// and what the HTML report needs.
pub fn summarize_with_files(
    opts: &DiffOptions,
) -> Result<(DiffSummary, RepoFiles, DiffDetails), Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    if let Some(diff_file) = &opts.diff_file {
        return summarize_saved_diff(opts, &start, diff_file);
    }
    let repo = Repo::discover(&start)?;
    let ci = ci_context()?;
    let revs = revisions::choose(&opts.revisions, ci.as_ref(), Some(&repo), true)?;
    let base_rev = revs.base.as_ref().map_or("HEAD", |b| b.rev.as_str());
    let reports = choose_reports(&opts.coverage, repo.root(), opts.output.quiet)?;
    // Reading the reports and asking git are independent: do them at once, on two threads.
    let (parsed, git) = crate::threads::both(
        || input::load_coverage(&reports),
        || {
            repo.change_set_with(
                opts.engine,
                base_rev,
                &revs.head.rev,
                opts.revisions.worktree,
            )
            .and_then(|change| Ok((repo.tracked_files(&change.head)?, change)))
        },
    );
    let (tracked, change) = git.map_err(|e| explain_unknown_revision(e, &revs))?;
    let parsed = parsed?;
    let files = RepoFiles::new(repo.root(), with_changed_files(tracked, &change));
    let head = map_loaded(parsed, &opts.coverage, Some(&files));
    let base_files = || {
        Ok::<_, Error>(RepoFiles::new(
            repo.root(),
            repo.tracked_files(&change.base)?,
        ))
    };
    let (summary, details) = finish(opts, &change, head, base_files, Some(revs), Some(&repo))?;
    Ok((summary, files, details))
}

/// A revision this clone lacks: say where it came from (a CI event names commits a shallow
/// checkout may not have) and how to get it.
fn explain_unknown_revision(error: crate::git::GitError, revs: &Revisions) -> Error {
    let crate::git::GitError::UnknownRevision { rev, repo } = &error else {
        return error.into();
    };
    let side = [("head", Some(&revs.head)), ("base", revs.base.as_ref())]
        .into_iter()
        .find_map(|(side, r)| r.filter(|r| &r.rev == rev).map(|r| (side, r)));
    match side {
        Some((side, chosen)) => Error::Usage(format!(
            "unknown revision `{rev}` in {}: the {side}, from {}; fetch it (actions/checkout \
             with `fetch-depth: 0`, or `git fetch origin {rev}`), or pass --{side} REV",
            repo.display(),
            chosen.from
        )),
        None => error.into(),
    }
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
) -> Result<(DiffSummary, RepoFiles, DiffDetails), Error> {
    let change = ChangeSet::read_diff_file(diff_file)?;
    let rules: CountingRules = opts.coverage.rules;
    let Ok(repo) = Repo::discover(start) else {
        let files = RepoFiles::new(start, with_changed_files(Vec::new(), &change));
        let reports = choose_reports(&opts.coverage, start, opts.output.quiet)?;
        let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
        // The project is every record: those of the diff's files and those of no file of it.
        let mut project_files = ProjectCoverage::compute(&head.report, rules);
        let elsewhere = ProjectCoverage::compute(&head.unmatched_coverage, rules);
        project_files.totals += elsewhere.totals;
        project_files.files.extend(elsewhere.files);
        project_files.files.sort_by(|a, b| a.0.cmp(&b.0));
        let project = project_files.totals;
        let monorepo = monorepo_view(
            opts,
            &head,
            &change,
            crate::analysis::monorepo::Baseline::NoHistory,
        )?;
        let all_files = head.report.files.len() + head.unmatched_coverage.files.len();
        // Without a repository every record counts: only "no coverable line" can be said.
        let outcome = check_measured(
            Outcome::of_coverage(all_files, project.lines),
            &head,
            &opts.coverage,
        )?;
        let summary = DiffSummary {
            base: change.base.clone(),
            head: change.head.clone(),
            revisions: None,
            changed_files: change.files.len(),
            outcome: empty_change_or(outcome, &change),
            patch: filtered_patch(&change, &head.report, opts),
            project,
            base_project: None,
            unmatched: Vec::new(),
            gates: Vec::new(),
            reports: head.inputs,
            warnings: head.warnings,
            links: None,
            history: None,
            monorepo,
            percent: opts.output.percent,
        };
        let details = DiffDetails {
            report: head.report,
            project: project_files,
            added: added_lines(&change),
        };
        return Ok((summary, files, details));
    };
    let head_sha = repo.resolve("HEAD")?;
    let files = RepoFiles::new(
        repo.root(),
        with_changed_files(repo.tracked_files(&head_sha)?, &change),
    );
    let reports = choose_reports(&opts.coverage, repo.root(), opts.output.quiet)?;
    let head = load_coverage(&reports, &opts.coverage, Some(&files))?;
    let base_files = || Ok::<_, Error>(RepoFiles::new(repo.root(), repo.tracked_files(&head_sha)?));
    // A saved diff names no commits history could look up.
    let (summary, details) = finish(opts, &change, head, base_files, None, None)?;
    Ok((summary, files, details))
}

/// Added lines of each changed file that still exists at head.
fn added_lines(change: &ChangeSet) -> BTreeMap<String, Vec<u32>> {
    change
        .files
        .iter()
        .filter(|f| f.status != FileStatus::Deleted && !f.binary)
        .map(|f| (f.path.clone(), f.added_lines.clone()))
        .collect()
}

/// Patch coverage of the files `--ignore`/`--include` keep; "not measured" leaves out files no
/// coverage tool instruments.
fn filtered_patch(
    change: &ChangeSet,
    report: &crate::model::CoverageReport,
    opts: &DiffOptions,
) -> PatchCoverage {
    let filter = &opts.coverage.filter;
    if !filter.selects() {
        let mut patch = PatchCoverage::compute(change, report, opts.coverage.rules);
        patch.not_measured.retain(|p| !filter.not_instrumented(p));
        return patch;
    }
    // A large PR's change set is copied only when a pattern selects from it.
    let kept = ChangeSet {
        base: change.base.clone(),
        head: change.head.clone(),
        files: change
            .files
            .iter()
            .filter(|f| filter.keeps(&f.path))
            .cloned()
            .collect(),
    };
    let mut patch = PatchCoverage::compute(&kept, report, opts.coverage.rules);
    patch.not_measured.retain(|p| !filter.not_instrumented(p));
    patch
}

/// A measured run over an empty change is the outcome `empty_change`.
fn empty_change_or(outcome: Outcome, change: &ChangeSet) -> Outcome {
    if outcome == Outcome::Measured && change.files.is_empty() {
        Outcome::EmptyChange
    } else {
        outcome
    }
}

/// Patch, project, the base report's project, and the gates.
fn finish(
    opts: &DiffOptions,
    change: &ChangeSet,
    mut head: LoadedCoverage,
    base_files: impl FnOnce() -> Result<RepoFiles, Error>,
    revisions: Option<Revisions>,
    repo: Option<&Repo>,
) -> Result<(DiffSummary, DiffDetails), Error> {
    let rules: CountingRules = opts.coverage.rules;
    let patch = filtered_patch(change, &head.report, opts);
    let project_files = ProjectCoverage::compute(&head.report, rules);
    let project = project_files.totals;
    let outcome = check_measured(
        Outcome::of_coverage(head.report.files.len(), project.lines),
        &head,
        &opts.coverage,
    )?;
    let mut warnings = std::mem::take(&mut head.warnings);
    let mut history = None;
    let mut history_base = None;
    let mut record = None;
    // The baseline record's lines are kept only when a flag is to be carried forward from them.
    let keep_record = opts
        .coverage
        .monorepo
        .flags
        .iter()
        .any(|(name, f)| f.carryforward && !head.by_flag.contains_key(name));
    match (&opts.history, repo) {
        (Some(choice), Some(repo)) => {
            let head_run = super::history::HeadRun {
                report: &head.report,
                files: &project_files.files,
                rules,
                rewrites: &opts.coverage.rewrites,
                filter: &opts.coverage.filter,
                worktree: opts.revisions.worktree,
                keep_record,
            };
            let compared = super::history::compare(choice, repo, change, &head_run)?;
            warnings.extend(
                compared
                    .view
                    .warnings
                    .iter()
                    .map(|w| Warning::new(WarningKind::History, Location::default(), w.clone())),
            );
            history_base = compared.base_project;
            record = compared.record;
            history = Some(compared.view);
        }
        (Some(_), None) => warnings.push(Warning::new(
            WarningKind::History,
            Location::default(),
            "history is not looked up with --diff-file (a saved diff names no commits)",
        )),
        (None, _) => {}
    }
    let base_project = if let Some(base) = history_base {
        Some(base)
    } else if opts.coverage.base_reports.is_empty() {
        None
    } else {
        let base = load_coverage(
            &ReportFile::named(&opts.coverage.base_reports, opts.coverage.forced_format),
            &opts.coverage,
            Some(&base_files()?),
        )?;
        Some(ProjectCoverage::compute(&base.report, rules).totals)
    };
    let baseline = match (&opts.history, &record) {
        (Some(_), Some((commit, files))) => {
            crate::analysis::monorepo::Baseline::Record { commit, files }
        }
        (Some(_), None) if repo.is_some() => crate::analysis::monorepo::Baseline::NoRecord,
        _ => crate::analysis::monorepo::Baseline::NoHistory,
    };
    let monorepo = monorepo_view(opts, &head, change, baseline)?;
    let summary = DiffSummary {
        base: change.base.clone(),
        head: change.head.clone(),
        revisions,
        changed_files: change.files.len(),
        outcome: empty_change_or(outcome, change),
        patch,
        project,
        base_project,
        unmatched: head.unmatched,
        gates: Vec::new(),
        reports: head.inputs,
        warnings,
        links: source_links(ci_context()?.as_ref()),
        history,
        monorepo,
        percent: opts.output.percent,
    };
    let details = DiffDetails {
        report: head.report,
        project: project_files,
        added: added_lines(change),
    };
    Ok((summary, details))
}

/// Totals per flag and per component, when the run uses either.
fn monorepo_view(
    opts: &DiffOptions,
    head: &LoadedCoverage,
    change: &ChangeSet,
    baseline: crate::analysis::monorepo::Baseline<'_>,
) -> Result<Option<crate::analysis::monorepo::MonorepoView>, Error> {
    let m = &opts.coverage.monorepo;
    if !m.active() {
        return Ok(None);
    }
    let specs = m.specs(opts.gates.threshold).map_err(Error::Usage)?;
    Ok(Some(crate::analysis::monorepo::compute(
        &specs,
        &crate::analysis::monorepo::Inputs {
            head: &head.report,
            by_flag: &head.by_flag,
            change,
            rules: opts.coverage.rules,
            baseline,
        },
    )))
}

/// Links to files at the head commit, from the CI's web address of the repository.
pub fn source_links(ci: Option<&crate::host::CiContext>) -> Option<SourceLinks> {
    let ci = ci?;
    Some(SourceLinks {
        web_url: ci.web_url.clone()?,
        style: match ci.host {
            crate::render::plan::HostKind::Github => LinkStyle::Github,
            crate::render::plan::HostKind::Gitlab => LinkStyle::Gitlab,
        },
    })
}

/// Where the HTML report of a diff reads its sources: the head commit, or the working tree
/// with `--worktree`; nothing without a repository (`--diff-file` outside one).
fn write_html(
    opts: &DiffOptions,
    summary: &DiffSummary,
    details: &DiffDetails,
) -> Result<(), Error> {
    let Some(html) = &opts.artifacts.html else {
        return Ok(());
    };
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    let repo = Repo::discover(&start).ok();
    let head = match &repo {
        Some(r) if opts.diff_file.is_some() => Some(r.resolve("HEAD")?),
        _ => None,
    };
    let sources = match &repo {
        None => artifacts::Sources::None("no git repository to read it from"),
        Some(r) if opts.revisions.worktree => artifacts::Sources::WorkingTree(r.root()),
        Some(r) => artifacts::Sources::Commit(r, head.as_deref().unwrap_or(&summary.head)),
    };
    artifacts::write_diff_html(html, summary, details, opts.coverage.rules, sources, None)
}

pub fn run(opts: &DiffOptions) -> Result<u8, Error> {
    let (mut summary, _, details) = summarize_with_files(opts)?;
    summary.gates = evaluate_gates(&opts.gates, &Measured::of_diff(&summary));
    super::add_component_gates(&mut summary);
    write_html(opts, &summary, &details)?;
    super::drop_report(details.report);
    let text = match opts.output.format {
        OutputFormat::Text => render::text::diff(&summary, opts.output.style()),
        OutputFormat::Markdown => render::markdown::diff_within(
            &summary,
            render::markdown::Extra {
                after_table: &html_link(opts.artifacts.html_url.as_deref()),
                ..render::markdown::Extra::default()
            },
            render::limits::COMMENT_MAX,
        ),
        OutputFormat::Json => render::json::diff(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(gate_exit_code(&summary.gates))
}
