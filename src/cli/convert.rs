//! Turning clap's args into a validated [`Config`]: the only place that knows both.

use std::path::Path;

use crate::analysis::{CountingRules, Gate, GateKind};
use crate::config::{
    ArtifactOptions, BadgeFile, Config, CoverageOptions, DiffOptions, DumpOptions, FileConfig,
    GateOptions, Generated, HistoryStore, HtmlOptions, OutputOptions, PublishOptions,
    RecordOptions, ReportOptions, RevisionRequest, TestsOptions, WriteOptions,
};
use crate::error::Error;
use crate::paths::{PathFilter, Rewrite};
use crate::render::badge::{BadgeOptions, Thresholds};
use crate::render::OutputFormat;

use super::{
    BadgeArgs, ColorChoice, Command, CommonArgs, CoverageArgs, GateArgs, HistoryArgs, HistoryKind,
    HtmlArgs, ProjectGateArgs, RecordAction, RevArgs, TestGateArgs, WriteArgs,
};
use crate::analysis::ChosenRevision;

/// `--history` and `--history-dir`; `None` when neither is given.
fn history(args: &HistoryArgs) -> Result<Option<HistoryStore>, Error> {
    match (args.history, &args.history_dir) {
        (None, None) => Ok(None),
        (None | Some(HistoryKind::Dir), Some(dir)) => Ok(Some(HistoryStore::Dir(dir.clone()))),
        (Some(HistoryKind::Auto), dir) => Ok(Some(HistoryStore::Auto(dir.clone()))),
        (Some(HistoryKind::Dir), None) => Err(Error::Usage(
            "--history dir needs the folder: add --history-dir DIR".into(),
        )),
        (Some(HistoryKind::GitNotes), None) => Ok(Some(HistoryStore::GitNotes)),
        (Some(HistoryKind::GithubArtifacts), None) => Ok(Some(HistoryStore::GithubArtifacts)),
        (Some(HistoryKind::Gitlab), None) => Ok(Some(HistoryStore::GitlabArtifacts)),
        (
            Some(
                kind @ (HistoryKind::GitNotes | HistoryKind::GithubArtifacts | HistoryKind::Gitlab),
            ),
            Some(_),
        ) => {
            let name = match kind {
                HistoryKind::GitNotes => "git-notes",
                HistoryKind::GithubArtifacts => "github-artifacts",
                _ => "gitlab",
            };
            Err(Error::Usage(format!(
                "--history {name} and --history-dir do not go together: pick one store"
            )))
        }
    }
}

/// A base report and history both name the base the project delta is taken against.
fn one_base(cov: &CoverageOptions, history: Option<&HistoryStore>) -> Result<(), Error> {
    if history.is_some() && !cov.base_reports.is_empty() {
        return Err(Error::Usage(
            "--base-report and --history both give the base to compare with: use one".into(),
        ));
    }
    Ok(())
}

fn percent_arg(flag: &str, v: Option<f64>) -> Result<Option<f64>, Error> {
    match v {
        Some(p) if !(0.0..=100.0).contains(&p) || p.is_nan() => Err(Error::Usage(format!(
            "{flag} expects a percentage from 0 to 100, got {p}"
        ))),
        other => Ok(other),
    }
}

fn output(common: &CommonArgs) -> OutputOptions {
    let color = match common.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // anstream's rule (NO_COLOR, CLICOLOR, CLICOLOR_FORCE, TERM, a terminal), the one clap's
        // own help follows; a file named by `--output` never gets colour.
        ColorChoice::Auto => {
            common.output.is_none()
                && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    };
    OutputOptions {
        format: common.format.unwrap_or(OutputFormat::Text),
        output: common.output.clone(),
        color,
        quiet: common.quiet,
        verbose: common.verbose,
    }
}

/// `--path-map FROM=TO` and `--strip-prefix P` (command line first, then the settings file).
fn rewrites<'a>(
    maps: impl Iterator<Item = &'a String>,
    strips: impl Iterator<Item = &'a String>,
) -> Result<Vec<Rewrite>, Error> {
    let mut out = Vec::new();
    for m in maps {
        out.push(Rewrite::parse_map(m).map_err(Error::Usage)?);
    }
    out.extend(strips.map(|p| Rewrite::strip(p)));
    Ok(out)
}

fn coverage(args: &CoverageArgs, file: &FileConfig) -> Result<CoverageOptions, Error> {
    let rewrites = rewrites(
        args.path_map.iter().chain(&file.path_map),
        args.strip_prefix.iter().chain(&file.strip_prefix),
    )?;
    Ok(CoverageOptions {
        reports: if args.reports.is_empty() {
            file.reports.clone()
        } else {
            args.reports.clone()
        },
        base_reports: args.base_report.clone(),
        repo_dir: args.repo.clone(),
        forced_format: args.format_in,
        rewrites,
        rules: CountingRules {
            partials_as_hits: args.partials_as_hits || file.partials_as_hits,
        },
        fail_on_unmatched: args.fail_on_unmatched || file.fail_on_unmatched,
        allow_nothing_measured: args.allow_nothing_measured || file.allow_nothing_measured,
        filter: PathFilter::new(
            &[args.include.as_slice(), file.include.as_slice()].concat(),
            &[args.ignore.as_slice(), file.ignore.as_slice()].concat(),
            if args.not_instrumented.is_empty() {
                file.not_instrumented.as_deref()
            } else {
                Some(args.not_instrumented.as_slice())
            },
        )
        .map_err(Error::Usage)?,
    })
}

/// The gates a command asked for, in one order for every command (the order they are shown in):
/// patch, project, drop, unmatched, change, new test failures, tests. `change` (the patch and
/// empty-change gates) is `None` for `report`; `project` and `cov` are `None` for `tests`, which
/// gates on test results only; `tests` is `None` for the commands that read no test results
/// (`diff`, `report`). So a prcov.toml key adds a gate only where the command measures what it
/// checks. `has_base`: a base report or history to compare the project with.
fn gates(
    change: Option<&GateArgs>,
    project: Option<&ProjectGateArgs>,
    tests: Option<&TestGateArgs>,
    new_test_failures: bool,
    file: &FileConfig,
    cov: Option<(&CoverageOptions, bool)>,
) -> Result<GateOptions, Error> {
    let g = &file.gates;
    let mut gates = Vec::new();
    let mut add = |kind, target: Option<f64>| {
        if let Some(target) = target {
            gates.push(Gate { kind, target });
        }
    };
    let mut threshold = 0.0;
    if let (Some(a), Some((cov, has_base))) = (project, cov) {
        let patch = match change {
            Some(c) => percent_arg("--fail-under-patch", c.fail_under_patch.or(g.patch))?,
            None => None,
        };
        let project = percent_arg("--fail-under-project", a.fail_under_project.or(g.project))?;
        let drop = percent_arg(
            "--max-project-drop",
            a.max_project_drop.or(g.max_project_drop),
        )?;
        threshold = percent_arg("--threshold", a.threshold.or(g.threshold))?.unwrap_or(0.0);
        if drop.is_some() && !has_base {
            return Err(Error::Usage(
                "--max-project-drop needs a base report to compare with: add --base-report FILE, or --history-dir DIR to compare with the history baseline"
                    .into(),
            ));
        }
        add(GateKind::Patch, patch);
        add(GateKind::Project, project);
        add(GateKind::ProjectDrop, drop);
        add(GateKind::Unmatched, cov.fail_on_unmatched.then_some(0.0));
    }
    if let Some(c) = change {
        add(
            GateKind::Change,
            (c.fail_on_empty_change || g.fail_on_empty_change).then_some(1.0),
        );
    }
    add(GateKind::NewTestFailures, new_test_failures.then_some(0.0));
    if let Some(tests) = tests {
        add(
            GateKind::Tests,
            (tests.fail_on_test_failure || g.fail_on_test_failure).then_some(0.0),
        );
    }
    Ok(GateOptions {
        gates,
        threshold,
        allow_no_tests: tests.is_some_and(|t| t.allow_no_tests) || g.allow_no_tests,
    })
}

/// `--html`, `--html-url` and (for `report` and `publish`) `--badge`.
fn artifacts(html: &HtmlArgs, badge: Option<&BadgeArgs>) -> Result<ArtifactOptions, Error> {
    let badge = match badge {
        Some(BadgeArgs {
            badge: Some(path),
            badge_thresholds,
            badge_label,
        }) => {
            let mut options = BadgeOptions::default();
            if let Some(t) = badge_thresholds {
                options.thresholds = Thresholds::parse(t).map_err(Error::Usage)?;
            }
            if let Some(label) = badge_label {
                options.label.clone_from(label);
            }
            Some(BadgeFile {
                path: path.clone(),
                options,
            })
        }
        _ => None,
    };
    if let Some(url) = &html.html_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::Usage(format!(
                "--html-url expects an http(s) URL where the report will be published, got `{url}`"
            )));
        }
    }
    Ok(ArtifactOptions {
        html: html.html.as_ref().map(|dir| HtmlOptions {
            dir: dir.clone(),
            all_files: html.html_all,
        }),
        html_url: html.html_url.clone(),
        badge,
    })
}

fn file_config(common: &CommonArgs, repo: Option<&Path>) -> Result<FileConfig, Error> {
    // Look for prcov.toml in the repository root when no --config is given.
    let root = repo
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .and_then(|d| git2::Repository::discover(d).ok())
        .and_then(|r| r.workdir().map(Path::to_path_buf));
    FileConfig::load(common.config.as_deref(), root.as_deref())
}

/// Converts parsed args into the command's validated configuration.
pub fn into_config(command: &Command) -> Result<Config, Error> {
    match command {
        Command::Diff(a) => {
            let file = file_config(&a.common, a.coverage.repo.as_deref())?;
            let cov = coverage(&a.coverage, &file)?;
            let history = history(&a.history)?;
            one_base(&cov, history.as_ref())?;
            let has_base = !cov.base_reports.is_empty() || history.is_some();
            let gates = gates(
                Some(&a.gates),
                Some(&a.gates.project),
                None,
                false,
                &file,
                Some((&cov, has_base)),
            )?;
            Ok(Config::Diff(DiffOptions {
                revisions: requested_revisions(&a.revs, &file),
                diff_file: a.revs.diff_file.clone(),
                engine: a.revs.diff_engine,
                gates,
                output: output(&a.common),
                coverage: cov,
                artifacts: artifacts(&a.html, None)?,
                history,
            }))
        }
        Command::Report(a) => {
            let file = file_config(&a.common, a.coverage.repo.as_deref())?;
            let cov = coverage(&a.coverage, &file)?;
            let has_base = !cov.base_reports.is_empty();
            let gates = gates(
                None,
                Some(&a.gates),
                None,
                false,
                &file,
                Some((&cov, has_base)),
            )?;
            Ok(Config::Report(ReportOptions {
                no_repo: a.no_repo,
                head: a.head.clone(),
                gates,
                output: output(&a.common),
                coverage: cov,
                artifacts: artifacts(&a.html, Some(&a.badge))?,
            }))
        }
        Command::Tests(a) => {
            let file = file_config(&a.common, a.repo.as_deref())?;
            Ok(Config::Tests(TestsOptions {
                files: if a.files.is_empty() {
                    file.junit.clone()
                } else {
                    a.files.clone()
                },
                repo_dir: a.repo.clone(),
                gates: gates(None, None, Some(&a.gates), false, &file, None)?,
                slowest: a.slowest,
                max_output_lines: a.max_output_lines,
                output: output(&a.common),
            }))
        }
        Command::Record(a) => {
            if let Some(RecordAction::Dump { file }) = &a.action {
                return Ok(Config::Dump(DumpOptions { file: file.clone() }));
            }
            let common = CommonArgs {
                format: None,
                output: None,
                config: a.config.clone(),
                color: ColorChoice::Never,
                quiet: a.quiet,
                verbose: false,
            };
            let file = file_config(&common, a.coverage.repo.as_deref())?;
            let history = history(&a.history)?;
            if !a.coverage.base_report.is_empty() {
                return Err(Error::Usage(
                    "prcov record keeps this run's own coverage: --base-report does not apply"
                        .into(),
                ));
            }
            if history.is_none() && a.output.is_none() {
                return Err(Error::Usage(
                    "prcov record needs somewhere to keep the record: --history-dir DIR, --history git-notes, or --output FILE".into(),
                ));
            }
            Ok(Config::Record(Box::new(RecordOptions {
                coverage: coverage(&a.coverage, &file)?,
                junit: if a.junit.is_empty() {
                    file.junit.clone()
                } else {
                    a.junit.clone()
                },
                commit: a.commit.clone(),
                branch: a.branch.clone(),
                ci_run_id: a.ci_run_id.clone(),
                history,
                output: a.output.clone(),
                quiet: a.quiet,
            })))
        }
        Command::Completions(a) => Ok(Config::Generated(Generated {
            stdout: super::generate::completions(a.shell),
            files: Vec::new(),
        })),
        Command::Man(a) => Ok(Config::Generated(super::generate::man(a.dir.as_deref())?)),
        Command::Convert(a) => write_config(vec![a.report.clone()], &a.write),
        Command::Merge(a) => write_config(a.reports.clone(), &a.write),
        Command::Publish(a) => {
            let file = file_config(&a.common, a.coverage.repo.as_deref())?;
            let cov = coverage(&a.coverage, &file)?;
            let history = history(&a.history)?;
            one_base(&cov, history.as_ref())?;
            let has_base = !cov.base_reports.is_empty() || history.is_some();
            let gates = gates(
                Some(&a.gates),
                Some(&a.gates.project),
                Some(&a.test_gates),
                a.fail_on_new_test_failure,
                &file,
                Some((&cov, has_base)),
            )?;
            if a.fail_on_new_test_failure && history.is_none() {
                return Err(Error::Usage(
                    "--fail-on-new-test-failure compares with the history baseline: add --history-dir DIR or --history STORE".into(),
                ));
            }
            if a.dry_run && a.save.is_some() {
                return Err(Error::Usage(
                    "--dry-run and --save do not go together: --save sends nothing anyway".into(),
                ));
            }
            if a.from.is_some() && (a.html.html.is_some() || a.badge.badge.is_some()) {
                // The saved payload holds the comment and statuses, not the coverage.
                return Err(Error::Usage(
                    "--html and --badge go with the run that computes coverage (--save), not with --from".into(),
                ));
            }
            Ok(Config::Publish(Box::new(PublishOptions {
                diff: DiffOptions {
                    revisions: requested_revisions(&a.revs, &file),
                    diff_file: a.revs.diff_file.clone(),
                    engine: a.revs.diff_engine,
                    gates,
                    output: output(&a.common),
                    coverage: cov,
                    artifacts: artifacts(&a.html, Some(&a.badge))?,
                    history,
                },
                junit: if a.junit.is_empty() {
                    file.junit.clone()
                } else {
                    a.junit.clone()
                },
                host: a.host,
                repo_slug: a.repo_slug.clone(),
                pr: a.pr,
                api_url: a.api_url.clone(),
                comment_key: file
                    .comment_key
                    .clone()
                    .filter(|_| a.comment_key == "default")
                    .unwrap_or_else(|| a.comment_key.clone()),
                section: section_name(a)?,
                comment: comment_config(a, &file)?,
                dry_run: a.dry_run,
                allow_insecure_http: a.allow_insecure_http,
                save: a.save.clone(),
                from: a.from.clone(),
            })))
        }
    }
}

/// `--section`, else `default`. (With flags, the default will follow the run's flags.)
fn section_name(a: &crate::cli::PublishArgs) -> Result<String, Error> {
    let name = a.section.clone().unwrap_or_else(|| "default".to_owned());
    match crate::render::sections::name_problem(&name) {
        Some(problem) => Err(Error::Usage(format!("--section {problem}"))),
        None => Ok(name),
    }
}

/// `[comment]` of the settings file under `--comment-behavior`, `--require-changes`, `--hide`.
fn comment_config(
    a: &crate::cli::PublishArgs,
    file: &FileConfig,
) -> Result<crate::config::comment::CommentConfig, Error> {
    use crate::cli::CommentBehaviorArg as A;
    use crate::config::comment::{hide_problem, CommentBehavior as B};
    let mut c = file.comment.clone();
    if let Some(problem) = hide_problem(&c.hide) {
        return Err(Error::Usage(format!(
            "prcov.toml [comment] hide: {problem}"
        )));
    }
    if let Some(problem) = hide_problem(&a.hide) {
        return Err(Error::Usage(format!("--hide: {problem}")));
    }
    if let Some(b) = a.comment_behavior {
        c.behavior = match b {
            A::Default => B::Default,
            A::Once => B::Once,
            A::New => B::New,
            A::Spammy => B::Spammy,
        };
    }
    c.require_changes |= a.require_changes;
    for h in &a.hide {
        if !c.hide.contains(h) {
            c.hide.push(h.clone());
        }
    }
    Ok(c)
}

/// `--base`/`--head`/`--worktree`, with the settings file's `base` under `--base`.
fn requested_revisions(revs: &RevArgs, file: &FileConfig) -> RevisionRequest {
    let base = match (&revs.base, &file.base) {
        (Some(b), _) => Some(ChosenRevision::new(b, "--base")),
        (None, Some(b)) => Some(ChosenRevision::new(b, "prcov.toml (base)")),
        (None, None) => None,
    };
    RevisionRequest {
        base,
        head: revs.head.clone(),
        worktree: revs.worktree,
    }
}

fn write_config(reports: Vec<std::path::PathBuf>, a: &WriteArgs) -> Result<Config, Error> {
    let rewrites = rewrites(a.path_map.iter(), a.strip_prefix.iter())?;
    Ok(Config::Write(WriteOptions {
        reports,
        to: a.to,
        output: a.output.clone(),
        coverage: CoverageOptions {
            repo_dir: a.repo.clone(),
            forced_format: a.format_in,
            rewrites,
            ..CoverageOptions::default()
        },
        no_repo: a.no_repo,
    }))
}
