//! Publishing to the code host: commit statuses, one sticky comment, check-run annotations.
//!
//! Hosts only send what `render` produced: the input is a [`PublishPlan`], computed and rendered
//! upstream (and, for fork PRs, saved to a file by `--save` and read back by `--from`).
//!
//! # For the CLI (`prcov publish`)
//!
//! ```text
//! let env = |k: &str| std::env::var(k).ok();
//! let ci = host::ci_env::detect(&env)?;                 // Option<CiContext>: host, api_url, repo, pr, base/head sha
//! // … compute + render the PublishPlan (version 1) from ci + flags …
//! if let Some(path) = save { host::payload::save(&plan, path)?; return }   // no token needed
//! let plan = match from { Some(p) => host::payload::load(p)?, None => plan };  // untrusted → validated
//! let target = HostTarget {
//!     api_url: ci.api_url,                              // or --api-url; no trailing slash needed
//!     token: if dry_run { None } else { Some(host::ci_env::token_from_env(plan.host, &env)?) },
//!     retry: RetryConfig::from_env(&env),               // PRCOV_MAX_RETRY_WAIT caps single waits
//!     step_summary: ci.step_summary,                    // GITHUB_STEP_SUMMARY, GitHub only
//!     fork: Some(ci.is_fork),                           // None when unknown: 403 hints mention both causes
//!     verify_pr: from.map(|_| TrustedPr { .. }),        // --from: the PR must be the payload's, at its head_sha
//! };
//! let mode = if dry_run { Mode::DryRun(&mut stdout) } else { Mode::Send };
//! let outcome = host::publish(&plan, &target, mode)?;   // HostError::exit_code() == 3
//! for w in &outcome.warnings { commands::stderr::warning(detail, w) }  // the one place for stderr
//! ```
//!
//! Order: the step summary is written first (it needs no token, so a fork PR still gets it), then
//! statuses (the essentials), the sticky comment, and the check run (a 403 there is a warning:
//! only GitHub App tokens or `checks: write` may create check runs). Errors: [`HostError`] (exit
//! 3); [`ci_env::CiEnvError`] and [`payload::PayloadError`] are bad input (exit 2).

use std::io::Write;
use std::path::PathBuf;

pub mod artifacts;
pub mod ci_env;
pub mod error;
pub mod github;
pub mod gitlab;
pub mod http;
pub mod payload;
pub mod sticky;

pub use ci_env::{CiContext, Token};
pub use error::HostError;
pub use http::RetryConfig;

// What the host sends is render's output; the submodules see it as `super::…`.
use crate::render::limits;
use crate::render::plan::{HostKind, PublishPlan};

/// Where and how to publish.
#[derive(Debug, Clone)]
pub struct HostTarget {
    /// API base URL, e.g. `https://api.github.com`, `https://gitlab.example.com/api/v4`.
    pub api_url: String,
    /// Required unless dry-running.
    pub token: Option<Token>,
    pub retry: RetryConfig,
    /// `GITHUB_STEP_SUMMARY`: the comment Markdown is appended there (GitHub only).
    pub step_summary: Option<PathBuf>,
    /// Whether the PR comes from a fork, for the 403 hint; `None` if unknown.
    pub fork: Option<bool>,
    /// `--from`: what the trusted job knows about the PR. Before posting, the host is asked for
    /// the PR (or, without a number, for the one open PR whose head is the plan's) and the plan is
    /// refused unless that PR is the plan's and its head is the plan's `head_sha`. `None` for a
    /// plan computed in this job.
    pub verify_pr: Option<TrustedPr>,
    /// How the sticky comment is written (`[comment] behavior`, the settle time).
    pub comment: sticky::Policy,
}

/// What a trusted `--from` job knows about the pull request without reading the payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedPr {
    /// From the event (`workflow_run.pull_requests`, `CI_MERGE_REQUEST_IID`) or `--pr`; `None`
    /// when the event does not say (fork PRs): then the PR is looked up by its head.
    pub number: Option<u64>,
    /// `owner/name` of the PR's head repository (the fork), from the event.
    pub head_repository: Option<String>,
    /// The PR's head branch, from the event.
    pub head_branch: Option<String>,
}

/// Send for real, or print every request to a writer and send nothing.
pub enum Mode<'w> {
    Send,
    DryRun(&'w mut dyn Write),
}

/// What happened to the sticky comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentOutcome {
    /// No PR (a push): nothing to comment on.
    NoPullRequest,
    Created {
        id: Option<u64>,
    },
    Updated {
        id: u64,
    },
    /// Found with the same body: nothing sent.
    Unchanged {
        id: u64,
    },
    /// Not posted, and why: `comment.require_changes` found nothing to say, behavior `once`
    /// found the comment, or the comment holds a newer head's section.
    Skipped {
        reason: String,
    },
    DryRun,
}

/// What happened to the check run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckRunOutcome {
    /// The plan has none (or the host has no check runs).
    None,
    Created {
        id: u64,
        annotations: usize,
        /// 1 create + one update per further batch of 50.
        requests: usize,
    },
    /// The token may not create check runs (403); see the warnings.
    Skipped,
    DryRun {
        requests: usize,
    },
}

/// The result of [`publish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOutcome {
    /// Contexts of the statuses sent (or printed), in order.
    pub statuses: Vec<String>,
    pub comment: CommentOutcome,
    pub check_run: CheckRunOutcome,
    pub step_summary_written: bool,
    /// Non-fatal problems, for stderr.
    pub warnings: Vec<String>,
}

/// Publishes `plan`: step summary, commit statuses, sticky comment, check run.
pub fn publish(
    plan: &PublishPlan,
    target: &HostTarget,
    mode: Mode<'_>,
) -> Result<PublishOutcome, HostError> {
    payload::validate_shape(plan, false).map_err(|e| HostError::InvalidPlan(e.to_string()))?;
    let api_url = target.api_url.trim_end_matches('/');
    let mut outcome = PublishOutcome {
        statuses: Vec::new(),
        comment: CommentOutcome::NoPullRequest,
        check_run: CheckRunOutcome::None,
        step_summary_written: false,
        warnings: Vec::new(),
    };
    let mut live;
    let mut dry;
    let sender: &mut dyn http::Sender = match mode {
        Mode::Send => {
            let token = target.token.clone().ok_or(HostError::MissingToken {
                action: "publish",
                vars: error::token_vars(plan.host),
            })?;
            live = http::LiveSender::new(plan.host, api_url, token, target.retry, target.fork)?;
            &mut live
        }
        Mode::DryRun(out) => {
            dry = http::DryRunSender::new(out);
            &mut dry
        }
    };

    if plan.host == HostKind::Github {
        if let Some(path) = &target.step_summary {
            write_step_summary(path, &plan.comment_body, sender, &mut outcome)?;
        }
    }
    match plan.host {
        HostKind::Github => github::Github::new(api_url, &plan.repository)?.publish(
            plan,
            target.verify_pr.as_ref(),
            target.comment,
            sender,
            &mut outcome,
        )?,
        HostKind::Gitlab => gitlab::Gitlab::new(api_url, &plan.repository)?.publish(
            plan,
            target.verify_pr.as_ref(),
            target.comment,
            sender,
            &mut outcome,
        )?,
    }
    Ok(outcome)
}

/// The sticky comment's full body for `plan` (marker first), given the bodies of prcov's
/// comments for its key (oldest first); `Err` says why nothing is written.
fn compose_comment(
    plan: &PublishPlan,
    behavior: sticky::Behavior,
    marker: &str,
    existing: &[&str],
) -> Result<String, String> {
    use crate::render::sections::{assemble, Assembled, Mine};
    let Some(section) = &plan.section else {
        return Ok(limits::comment_body(marker, &plan.comment_body));
    };
    let mine = Mine {
        section,
        head_sha: &plan.head_sha,
        body: &plan.comment_body,
    };
    if behavior == sticky::Behavior::Once
        && existing
            .iter()
            .flat_map(|b| crate::render::sections::parse(b))
            .any(|f| f.name == section.name && f.pending.is_none())
    {
        return Err(format!(
            "the comment already holds section `{}` and the comment behavior is `once`: it is never edited",
            section.name
        ));
    }
    match assemble(marker, existing, mine) {
        Assembled::Body(body) => Ok(body),
        Assembled::Superseded { newer } => Err(format!(
            "the comment already holds a section for {newer}, a newer commit than this run's {}: this run's section `{}` is not written",
            plan.head_sha, section.name
        )),
    }
}

/// Posts or edits the sticky comment of `plan` (or says why not).
fn sticky_comment(
    plan: &PublishPlan,
    api: &dyn sticky::CommentApi,
    policy: sticky::Policy,
    sender: &mut dyn http::Sender,
    warnings: &mut Vec<String>,
) -> Result<CommentOutcome, HostError> {
    if let Some(reason) = &plan.comment_skipped {
        if sender.is_dry_run() {
            sender.note(&format!("no comment: {reason}"))?;
        }
        return Ok(CommentOutcome::Skipped {
            reason: reason.clone(),
        });
    }
    let marker = sticky::marker(&plan.comment_key);
    let compose = |existing: &[&str]| compose_comment(plan, policy.behavior, &marker, existing);
    sticky::upsert(
        api,
        sender,
        &marker,
        &compose,
        plan.section.is_some(),
        policy,
        warnings,
    )
}

/// Appends the Markdown to the job summary. A failure here is a warning: the summary is a
/// convenience, the host calls are the job.
fn write_step_summary(
    path: &std::path::Path,
    markdown: &str,
    sender: &mut dyn http::Sender,
    outcome: &mut PublishOutcome,
) -> Result<(), HostError> {
    if sender.is_dry_run() {
        return sender.note(&format!(
            "would append {} characters of Markdown to the step summary {}",
            markdown.chars().count(),
            path.display()
        ));
    }
    match append_step_summary(path, markdown) {
        Ok(()) => outcome.step_summary_written = true,
        Err(e) => outcome.warnings.push(format!(
            "failed to append to the step summary {}: {e}",
            path.display()
        )),
    }
    Ok(())
}

/// Appends `markdown` (and a final newline) to the job summary file. Also used by `--save`,
/// which sends nothing but still gives the fork's job its summary.
pub fn append_step_summary(path: &std::path::Path, markdown: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(markdown.as_bytes())?;
    if !markdown.ends_with('\n') {
        f.write_all(b"\n")?;
    }
    Ok(())
}
