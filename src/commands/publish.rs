//! `prcov publish`: everything for one pull request, sent to the code host.
//!
//! Three ways to run: directly (compute, render, send); `--save FILE` (compute and render without
//! a token, write the payload: step 1 of the fork recipe); `--from FILE` (read a saved payload as
//! untrusted input and send it: step 2, in a trusted job).

use std::io::Write as _;

use crate::analysis::gates::{Measured, TestsRun};
use crate::analysis::test_summary::{summarize, TestSummary};
use crate::analysis::Percent;
use crate::config::PublishOptions;
use crate::error::Error;
use crate::exit;
use crate::git::Repo;
use crate::history::compare::{compare_tests, recorded_tests, separate_flaky};
use crate::host::{self, ci_env, CiContext, HostTarget, Mode, RetryConfig, TrustedPr};
use crate::model::Totals;
use crate::paths::RepoFiles;
use crate::render;
use crate::render::plan::{HostKind, PublishPlan};
use crate::render::publish::{plan, Hide, Target, TestsBrief};
use crate::render::sections::SectionPlan;

use super::{artifacts, choose_junit, emit, evaluate_gates, gate_exit_code, stderr};
use crate::model::diag::WarningDetail;

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// The part of the comment the tests get, at most.
const TESTS_SECTION_BUDGET: usize = 24_000;

fn tests_brief(s: &TestSummary, repo: &RepoFiles) -> TestsBrief {
    let failures_at = s
        .failures
        .iter()
        .filter_map(|f| {
            let file = f.file.as_deref()?;
            let line = u32::try_from(f.line?).ok().filter(|l| *l > 0)?;
            // Annotations must point at files of the repository.
            let path = repo.map(file, &[], &[]).ok()?;
            let message = f
                .message
                .clone()
                .or_else(|| f.details.clone())
                .unwrap_or_default();
            Some((path, line, format!("{} failed", f.display_name), message))
        })
        .collect();
    TestsBrief {
        phrase: s.counts_phrase(),
        section: render::test_summary::comment_section(s, TESTS_SECTION_BUDGET),
        failures_at,
    }
}

fn api_url(opts: &PublishOptions, ci: Option<&CiContext>, host: HostKind) -> String {
    opts.api_url
        .clone()
        .or_else(|| ci.map(|c| c.api_url.clone()))
        .unwrap_or_else(|| match host {
            HostKind::Github => ci_env::GITHUB_API_URL.to_owned(),
            HostKind::Gitlab => ci_env::GITLAB_API_URL.to_owned(),
        })
}

/// Writes `patch-coverage=…` and `project-coverage=…` for the GitHub Action's outputs, shown
/// like everywhere else (`[display]`; by default rounded down: `66.66`, not `66.67`), empty when
/// nothing is coverable.
fn write_github_output(patch: &Totals, project: &Totals, percent: Percent, detail: WarningDetail) {
    let Some(path) = env("GITHUB_OUTPUT").filter(|p| !p.is_empty()) else {
        return;
    };
    let text = format!(
        "patch-coverage={}\nproject-coverage={}\n",
        percent.of(patch).unwrap_or_default(),
        percent.of(project).unwrap_or_default()
    );
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        stderr::warning(
            detail,
            format_args!("could not write GITHUB_OUTPUT {path}: {e}"),
        );
    }
}

fn send(
    plan: &PublishPlan,
    opts: &PublishOptions,
    ci: Option<&CiContext>,
    verify_pr: Option<TrustedPr>,
) -> Result<(), Error> {
    let api_url = api_url(opts, ci, plan.host);
    if let Some(problem) = host::http::api_url_problem(&api_url, opts.allow_insecure_http) {
        return Err(Error::Usage(problem));
    }
    let target = HostTarget {
        api_url,
        token: if opts.dry_run {
            None
        } else {
            // No token: exit 2, not 3 (`HostError::exit_code`): no request was made.
            Some(ci_env::token_from_env(plan.host, &env)?)
        },
        retry: RetryConfig::from_env(&env),
        step_summary: ci.and_then(|c| c.step_summary.clone()),
        fork: ci.map(|c| c.is_fork),
        verify_pr,
        comment: comment_policy(opts),
    };
    let outcome = if opts.dry_run {
        let mut stdout = std::io::stdout().lock();
        host::publish(plan, &target, Mode::DryRun(&mut stdout))?
    } else {
        host::publish(plan, &target, Mode::Send)?
    };
    for w in &outcome.warnings {
        stderr::warning(opts.diff.output.warning_detail(), w);
    }
    if let host::CommentOutcome::Skipped { reason } = &outcome.comment {
        stderr::note(
            opts.diff.output.quiet,
            format_args!("no comment posted: {reason}"),
        );
    }
    Ok(())
}

/// `[comment] behavior`, and how long to wait before re-reading a comment written
/// (`PRCOV_COMMENT_SETTLE_MS`, default 1000).
fn comment_policy(opts: &PublishOptions) -> host::sticky::Policy {
    use crate::config::comment::CommentBehavior as C;
    use host::sticky::Behavior as B;
    let mut policy = host::sticky::Policy {
        behavior: match opts.comment.behavior {
            C::Default => B::Default,
            C::Once => B::Once,
            C::New => B::New,
            C::Spammy => B::Spammy,
        },
        ..host::sticky::Policy::default()
    };
    if let Some(ms) = env("PRCOV_COMMENT_SETTLE_MS").and_then(|v| v.trim().parse::<u64>().ok()) {
        policy.settle = std::time::Duration::from_millis(ms.min(60_000));
    }
    policy
}

/// `comment.require_changes`: `None` when the comment has something to act on (coverage
/// changed against the baseline, an added line is not covered, a test failed), else why not.
fn nothing_to_say(summary: &crate::analysis::DiffSummary, run: TestsRun) -> Option<String> {
    if run.failed > 0 || summary.patch.totals.missing() > 0 {
        return None;
    }
    let coverage = match summary.delta() {
        Some(d) if d != 0.0 => return None,
        Some(_) => format!(
            "project coverage did not change against `{}`",
            crate::render::short_sha(summary.delta_base())
        ),
        None => "there is no baseline to tell whether coverage changed".to_owned(),
    };
    Some(format!(
        "comment.require_changes is set, and {coverage}, no added line is uncovered and no test failed"
    ))
}

/// Step 2 of the fork recipe: the payload is untrusted input. It is validated on load, must be
/// for this job's host, repository, head commit, PR and comment key (from the CI environment or
/// the flags, never from the payload), and the host is asked for the PR before anything is
/// posted.
fn publish_payload(
    from: &std::path::Path,
    opts: &PublishOptions,
    ci: Option<&CiContext>,
) -> Result<u8, Error> {
    let plan = host::payload::load(from)?;
    let expected = host::payload::Expected {
        host: opts.host.or(ci.map(|c| c.host)),
        repository: opts
            .repo_slug
            .clone()
            .or_else(|| ci.and_then(|c| c.repository.clone())),
        head_sha: opts
            .diff
            .revisions
            .head
            .clone()
            .or_else(|| ci.and_then(|c| c.head_sha.clone())),
        pr: opts.pr.or(ci.and_then(|c| c.pr)),
        comment_key: opts.comment_key.clone(),
        section: opts.section.clone(),
    };
    host::payload::check_origin(&plan, &expected, from)?;
    let trusted = TrustedPr {
        number: expected.pr,
        head_repository: ci.and_then(|c| c.head_repository.clone()),
        head_branch: ci.and_then(|c| c.head_branch.clone()),
    };
    send(&plan, opts, ci, Some(trusted))?;
    Ok(exit::SUCCESS)
}

pub fn run(opts: &PublishOptions) -> Result<u8, Error> {
    if let Some(problem) = host::payload::comment_key_problem(&opts.comment_key) {
        return Err(Error::Usage(format!("--comment-key {problem}")));
    }
    let ci = ci_env::detect(&env)?;
    if let Some(from) = &opts.from {
        return publish_payload(from, opts, ci.as_ref());
    }

    let host = opts.host.or(ci.as_ref().map(|c| c.host)).ok_or_else(|| {
        Error::Usage(
            "cannot tell the code host: not running in GitHub Actions or GitLab CI; pass --host github|gitlab, --repo-slug and --pr".into(),
        )
    })?;
    let repository = opts
        .repo_slug
        .clone()
        .or_else(|| ci.as_ref().and_then(|c| c.repository.clone()))
        .ok_or_else(|| {
            Error::Usage(
                "the repository on the host is unknown: pass --repo-slug OWNER/NAME".into(),
            )
        })?;
    if let Some(problem) = host::payload::repository_problem(host, &repository) {
        let given = if opts.repo_slug.is_some() {
            "--repo-slug"
        } else {
            "the CI's repository"
        };
        return Err(Error::Usage(format!("{given} {problem}")));
    }
    let pr = opts.pr.or(ci.as_ref().and_then(|c| c.pr));

    // Base and head are chosen as for `prcov diff` (commands::revisions): the CI's PR head,
    // never the merge commit GitHub checks out for `pull_request`.
    let diff_opts = &opts.diff;
    // The repository files the reports were mapped to also map the test failures' files.
    let (mut summary, files, details) = crate::commands::diff::summarize_with_files(diff_opts)?;
    if summary.links.is_none() && host == HostKind::Github && opts.api_url.is_none() {
        // Outside CI, a github.com repository's web address follows from its slug.
        summary.links = Some(crate::analysis::SourceLinks {
            web_url: format!(
                "https://github.com/{}",
                crate::render::md::url_path(&repository)
            ),
            style: crate::analysis::LinkStyle::Github,
        });
    }

    let start = diff_opts
        .coverage
        .repo_dir
        .clone()
        .unwrap_or_else(|| ".".into());
    let repo = Repo::discover(&start)?;
    let junit_files = if opts.junit.is_empty() {
        // Test results are optional for publish: use what discovery finds, if anything.
        choose_junit(&[], repo.root(), true).unwrap_or_default()
    } else {
        choose_junit(&opts.junit, repo.root(), opts.diff.output.quiet)?
    };
    let tests = if junit_files.is_empty() {
        None
    } else {
        let (results, warnings) = crate::input::load_junit(&junit_files)?;
        if let Some(h) = summary.history.as_mut() {
            if let Some(base) = &h.base_tests {
                let head = recorded_tests(&results);
                let mut comparison = compare_tests(base, &head);
                separate_flaky(&mut comparison, &head, &h.flaky_known.0, h.flaky_known.1);
                h.tests = Some(comparison);
            }
        }
        let mut tests = summarize(&results, crate::analysis::test_summary::DEFAULT_SLOWEST);
        tests.warnings = warnings;
        // The comment shows the warnings of both halves, under the coverage.
        summary.warnings.extend(tests.warnings.iter().cloned());
        Some(tests)
    };
    // No test results read: nothing ran, which the tests gate (if asked for) does not pass.
    let run = tests
        .as_ref()
        .map_or_else(TestsRun::default, TestSummary::run);
    let measured = Measured::of_diff(&summary).with_tests(run);
    summary.gates = evaluate_gates(&diff_opts.gates, &measured);
    super::add_component_gates(&mut summary);
    let brief = tests.as_ref().map(|t| tests_brief(t, &files));
    let section = SectionPlan {
        name: opts.section.clone(),
        head_time: repo.commit_time(&summary.head),
        data: render::sections::encode(&summary.patch, &details.report, diff_opts.coverage.rules),
        percent: summary.percent,
    };
    let target = Target {
        host,
        repository,
        pr,
        head_sha: summary.head.clone(),
        comment_key: opts.comment_key.clone(),
        html_url: diff_opts.artifacts.html_url.clone(),
        section: Some(section),
        comment_skipped: if opts.comment.require_changes {
            nothing_to_say(&summary, run)
        } else {
            None
        },
        hide: Hide::of(&opts.comment.hide),
    };
    let plan = plan(&summary, brief.as_ref(), &target);
    if let Some(html) = &diff_opts.artifacts.html {
        let links = tests
            .as_ref()
            .map(|t| artifacts::failure_links(t, &files))
            .unwrap_or_default();
        let sources = if diff_opts.revisions.worktree {
            artifacts::Sources::WorkingTree(repo.root())
        } else {
            artifacts::Sources::Commit(&repo, &summary.head)
        };
        artifacts::write_diff_html(
            html,
            &summary,
            &details,
            diff_opts.coverage.rules,
            sources,
            tests.as_ref().map(|t| (t, links.as_slice())),
        )?;
    }
    super::drop_report(details.report);
    artifacts::write_badge(&diff_opts.artifacts, &summary.project)?;
    if let Some(m) = &summary.monorepo {
        artifacts::write_component_badges(&diff_opts.artifacts, &m.components)?;
    }
    let detail = opts.diff.output.warning_detail();
    write_github_output(
        &summary.patch.totals,
        &summary.project,
        summary.percent,
        detail,
    );

    if let Some(path) = &opts.save {
        host::payload::save(&plan, path)?;
        // The summary goes to GITHUB_STEP_SUMMARY when set (docs/publishing.md); it needs no
        // token, so the fork's own job shows the report too.
        if let Some(summary) = ci.as_ref().and_then(|c| c.step_summary.as_deref()) {
            if let Err(e) = host::append_step_summary(summary, &plan.comment_body) {
                stderr::warning(
                    detail,
                    format_args!(
                        "failed to append to the step summary {}: {e}",
                        summary.display()
                    ),
                );
            }
        }
        stderr::note(
            opts.diff.output.quiet,
            format_args!(
                "saved the publish payload to {} (post it with `prcov publish --from`)",
                path.display()
            ),
        );
    } else {
        send(&plan, opts, ci.as_ref(), None)?;
    }
    if !opts.dry_run {
        // The CI log gets the same report a developer sees locally.
        emit(
            &opts.diff.output,
            &render::text::diff(&summary, opts.diff.output.style()),
        )?;
    }
    Ok(gate_exit_code(&summary.gates))
}
