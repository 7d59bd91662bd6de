//! Turning clap's args into a validated [`Config`]: the only place that knows both.

use std::path::Path;

use crate::analysis::{CountingRules, Gate, GateKind};
use crate::config::monorepo::MonorepoOptions;
use crate::config::{
    explain, ArtifactOptions, BadgeFile, Config, CoverageOptions, DiffOptions, DumpOptions,
    ExplainOptions, FileConfig, GateOptions, Generated, HistoryStore, HtmlOptions, OutputOptions,
    PublishOptions, RecordOptions, ReportOptions, RevisionRequest, TestsOptions, WriteOptions,
};
use crate::error::Error;
use crate::model::diag::{Warning, WarningDetail};
use crate::paths::{PathFilter, Rewrite};
use crate::render::badge::{BadgeOptions, Thresholds};
use crate::render::OutputFormat;

use super::{
    BadgeArgs, ColorChoice, Command, CommonArgs, ConfigAction, CoverageArgs, ExplainArgs, GateArgs,
    HistoryArgs, HistoryKind, HtmlArgs, ProjectGateArgs, RecordAction, RevArgs, TestGateArgs,
    WriteArgs,
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

/// `percent`: `[display]` of the settings files.
fn output(common: &CommonArgs, file: &FileConfig) -> OutputOptions {
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
        percent: file.display.percent(),
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
            file.reports.iter().map(|r| r.path().clone()).collect()
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
        monorepo: monorepo(&[], file)?,
    })
}

/// `diff` and `publish`: the coverage settings with `--flag`.
fn coverage_with_flags(
    args: &CoverageArgs,
    flag: &super::FlagArgs,
    file: &FileConfig,
) -> Result<CoverageOptions, Error> {
    let mut cov = coverage(args, file)?;
    if !flag.flags.is_empty() {
        cov.monorepo = monorepo(&flag.flags, file)?;
    }
    Ok(cov)
}

/// `--flag`, the flags of `reports = [{ path, flags }]`, `[flags.*]` and `[[components]]`,
/// checked here so a bad name or glob stops the run before any report is read.
fn monorepo(run_flags: &[String], file: &FileConfig) -> Result<MonorepoOptions, Error> {
    let m = MonorepoOptions {
        run_flags: run_flags.to_vec(),
        report_flags: file
            .reports
            .iter()
            .filter(|r| !r.flags().is_empty())
            .map(|r| (r.path().clone(), r.flags().to_vec()))
            .collect(),
        flags: file.flags.clone(),
        components: file.components.clone(),
    };
    m.specs(0.0).map_err(Error::Usage)?;
    Ok(m)
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

/// `--html`, `--html-url` and (for `report` and `publish`) `--badge`, whose colour bands
/// default to `[badge] thresholds` (or Codecov's `range`).
fn artifacts(
    html: &HtmlArgs,
    badge: Option<&BadgeArgs>,
    file: &FileConfig,
) -> Result<ArtifactOptions, Error> {
    let badge = match badge {
        Some(BadgeArgs {
            badge: Some(path),
            badge_thresholds,
            badge_label,
        }) => {
            let mut options = BadgeOptions {
                percent: file.display.percent(),
                ..BadgeOptions::default()
            };
            if let Some(t) = badge_thresholds {
                options.thresholds = Thresholds::parse(t).map_err(Error::Usage)?;
            } else if let Some(t) = &file.badge.thresholds {
                let list: Vec<String> = t.iter().map(f64::to_string).collect();
                options.thresholds = Thresholds::parse(&list.join(",")).map_err(|_| {
                    Error::Usage(format!(
                        "badge.thresholds expects three ascending percentages like [60, 75, 90], got {t:?}"
                    ))
                })?;
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

/// The settings files of the repository (or `--config FILE`); what they say that prcov does not
/// apply goes to `warnings`.
fn file_config(
    common: &CommonArgs,
    repo: Option<&Path>,
    warnings: &mut Vec<Warning>,
) -> Result<FileConfig, Error> {
    // Look for prcov.toml and codecov.yml in the repository root when no --config is given.
    let root = repo
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .and_then(|d| git2::Repository::discover(d).ok())
        .and_then(|r| r.workdir().map(Path::to_path_buf));
    let file = FileConfig::load(common.config.as_deref(), root.as_deref())?;
    warnings.extend(file.warnings.iter().cloned());
    Ok(file)
}

/// A command ready to run, and the warnings its settings files gave (printed by `main` before it
/// runs, one line each: each is a key the user wrote).
#[derive(Debug)]
pub struct Prepared {
    pub config: Config,
    pub warnings: Vec<Warning>,
    pub detail: WarningDetail,
}

/// Converts parsed args into the command's validated configuration.
pub fn into_config(command: &Command) -> Result<Config, Error> {
    prepare(command).map(|p| p.config)
}

/// [`into_config`], with the settings files' warnings.
pub fn prepare(command: &Command) -> Result<Prepared, Error> {
    let mut warnings = Vec::new();
    let config = convert(command, &mut warnings)?;
    let quiet = match &config {
        Config::Diff(o) => o.output.quiet,
        Config::Report(o) => o.output.quiet,
        Config::Tests(o) => o.output.quiet,
        Config::Publish(o) => o.diff.output.quiet,
        Config::Record(o) => o.quiet,
        // `config explain` lists them in its output.
        Config::Explain(_) => true,
        Config::Write(_) | Config::Dump(_) | Config::Generated(_) => false,
    };
    Ok(Prepared {
        config,
        warnings,
        detail: if quiet {
            WarningDetail::None
        } else {
            WarningDetail::Each
        },
    })
}

fn convert(command: &Command, warnings: &mut Vec<Warning>) -> Result<Config, Error> {
    match command {
        Command::Diff(a) => {
            let mut file = file_config(&a.common, a.coverage.repo.as_deref(), warnings)?;
            let cov = coverage_with_flags(&a.coverage, &a.flag, &file)?;
            let history = history(&a.history)?;
            one_base(&cov, history.as_ref())?;
            let has_base = !cov.base_reports.is_empty() || history.is_some();
            warnings.extend(file.drop_auto_without_base(has_base));
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
                output: output(&a.common, &file),
                coverage: cov,
                artifacts: artifacts(&a.html, None, &file)?,
                history,
            }))
        }
        Command::Report(a) => {
            let mut file = file_config(&a.common, a.coverage.repo.as_deref(), warnings)?;
            let cov = coverage(&a.coverage, &file)?;
            let has_base = !cov.base_reports.is_empty();
            warnings.extend(file.drop_auto_without_base(has_base));
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
                output: output(&a.common, &file),
                coverage: cov,
                artifacts: artifacts(&a.html, Some(&a.badge), &file)?,
            }))
        }
        Command::Tests(a) => {
            let file = file_config(&a.common, a.repo.as_deref(), warnings)?;
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
                output: output(&a.common, &file),
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
            let file = file_config(&common, a.coverage.repo.as_deref(), warnings)?;
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
        Command::Config(c) => match &c.action {
            ConfigAction::Explain(a) => explain_config(a, warnings),
        },
        Command::Completions(a) => Ok(Config::Generated(Generated {
            stdout: super::generate::completions(a.shell),
            files: Vec::new(),
        })),
        Command::Man(a) => Ok(Config::Generated(super::generate::man(a.dir.as_deref())?)),
        Command::Convert(a) => write_config(vec![a.report.clone()], &a.write),
        Command::Merge(a) => write_config(a.reports.clone(), &a.write),
        Command::Publish(a) => {
            let mut file = file_config(&a.common, a.coverage.repo.as_deref(), warnings)?;
            let cov = coverage_with_flags(&a.coverage, &a.flag, &file)?;
            let history = history(&a.history)?;
            one_base(&cov, history.as_ref())?;
            let has_base = !cov.base_reports.is_empty() || history.is_some();
            warnings.extend(file.drop_auto_without_base(has_base));
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
                    output: output(&a.common, &file),
                    coverage: cov,
                    artifacts: artifacts(&a.html, Some(&a.badge), &file)?,
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

/// `--section`, else the run's `--flag`s (sorted, joined by `-`: the unit and integration jobs
/// get sections of their own without naming them twice), else `default`.
fn section_name(a: &crate::cli::PublishArgs) -> Result<String, Error> {
    let name = a
        .section
        .clone()
        .unwrap_or_else(|| default_section(&a.flag.flags));
    match crate::render::sections::name_problem(&name) {
        Some(problem) => Err(Error::Usage(format!("--section {problem}"))),
        None => Ok(name),
    }
}

fn default_section(flags: &[String]) -> String {
    let mut names: Vec<&str> = flags.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        "default".to_owned()
    } else {
        names.join("-")
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

/// `prcov config explain`: the settings files as the other commands read them, under the flags
/// given here.
fn explain_config(a: &ExplainArgs, warnings: &mut Vec<Warning>) -> Result<Config, Error> {
    let file = file_config(&a.common, a.coverage.repo.as_deref(), warnings)?;
    let mut output = output(&a.common, &file);
    if a.json {
        output.format = OutputFormat::Json;
    }
    if output.format == OutputFormat::Markdown {
        return Err(Error::Usage(
            "prcov config explain writes text or json, not markdown".into(),
        ));
    }
    // The same checks the commands make, so that explain rejects what they reject.
    coverage(&a.coverage, &file)?;
    let g = &a.gates;
    let p = &g.project;
    let mut flags = explain::Flags::default();
    let c = &a.coverage;
    let mut replace = |key: &'static str, value: Option<serde_json::Value>, flag: &'static str| {
        if let Some(v) = value {
            flags.replace.push((key, v, flag));
        }
    };
    let num = |v: Option<f64>| v.map(serde_json::Value::from);
    let on = |b: bool| b.then_some(serde_json::Value::Bool(true));
    replace(
        "gates.patch",
        num(percent_arg("--fail-under-patch", g.fail_under_patch)?),
        "--fail-under-patch",
    );
    replace(
        "gates.project",
        num(percent_arg("--fail-under-project", p.fail_under_project)?),
        "--fail-under-project",
    );
    replace(
        "gates.max_project_drop",
        num(percent_arg("--max-project-drop", p.max_project_drop)?),
        "--max-project-drop",
    );
    replace(
        "gates.threshold",
        num(percent_arg("--threshold", p.threshold)?),
        "--threshold",
    );
    replace(
        "gates.fail_on_empty_change",
        on(g.fail_on_empty_change),
        "--fail-on-empty-change",
    );
    replace(
        "gates.fail_on_test_failure",
        on(a.test_gates.fail_on_test_failure),
        "--fail-on-test-failure",
    );
    replace(
        "gates.allow_no_tests",
        on(a.test_gates.allow_no_tests),
        "--allow-no-tests",
    );
    replace(
        "partials_as_hits",
        on(c.partials_as_hits),
        "--partials-as-hits",
    );
    replace(
        "fail_on_unmatched",
        on(c.fail_on_unmatched),
        "--fail-on-unmatched",
    );
    replace(
        "allow_nothing_measured",
        on(c.allow_nothing_measured),
        "--allow-nothing-measured",
    );
    replace(
        "base",
        a.base.clone().map(serde_json::Value::from),
        "--base",
    );
    let paths = |v: &[std::path::PathBuf]| -> Option<serde_json::Value> {
        (!v.is_empty()).then(|| v.iter().map(|p| p.display().to_string()).collect())
    };
    replace("reports", paths(&c.reports), "REPORT");
    replace(
        "not_instrumented",
        (!c.not_instrumented.is_empty()).then(|| c.not_instrumented.clone().into()),
        "--not-instrumented",
    );
    for (key, values, flag) in [
        ("path_map", &c.path_map, "--path-map"),
        ("strip_prefix", &c.strip_prefix, "--strip-prefix"),
        ("ignore", &c.ignore, "--ignore"),
        ("include", &c.include, "--include"),
    ] {
        if !values.is_empty() {
            flags.add.push((key, values.clone(), flag));
        }
    }
    Ok(Config::Explain(ExplainOptions {
        explanation: explain::explain(&file, &flags),
        output,
    }))
}

#[cfg(test)]
mod tests {
    use super::default_section;

    #[test]
    fn the_default_section_follows_the_runs_flags() {
        let s =
            |f: &[&str]| default_section(&f.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "default");
        assert_eq!(s(&["unit"]), "unit");
        assert_eq!(s(&["unit", "integration", "unit"]), "integration-unit");
    }
}
