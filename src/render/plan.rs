//! The publish plan: everything one `prcov publish` sends (statuses, the sticky comment, the
//! check run with its annotations). [`super::publish`] renders it from the summaries; `host/`
//! only sends it, and `--save`/`--from` write and read it as a versioned payload.

use serde::{Deserialize, Serialize};

/// Which code host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum HostKind {
    Github,
    Gitlab,
}

/// State of a commit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Success,
    Failure,
    Error,
    Pending,
}

/// One commit status, e.g. `prcov/patch` = success, "66.66% of diff hit (target 70.00%)".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitStatus {
    pub context: String,
    pub state: StatusState,
    /// At most 140 characters (the renderer truncates).
    pub description: String,
    /// Coverage percentage for hosts that store one with the status (GitLab).
    pub coverage: Option<f64>,
}

/// Annotation level, as GitHub check runs name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Notice,
    Warning,
    Failure,
}

/// One check-run annotation: uncovered added lines, or a failed test at its file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    /// Repo-relative path.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub level: AnnotationLevel,
    pub title: String,
    pub message: String,
}

/// The check run `prcov` with its annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRun {
    pub name: String,
    /// `success`, `failure` or `neutral`.
    pub conclusion: String,
    pub title: String,
    /// Markdown, at most 65 536 characters.
    pub summary: String,
    pub annotations: Vec<Annotation>,
}

/// Everything one `publish` sends, computed without a token. Versioned, because `--save` writes it
/// to a file that a later, trusted job reads back with `--from` (as untrusted input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishPlan {
    /// Payload format version; currently 1.
    pub version: u32,
    pub host: HostKind,
    /// GitHub `owner/name`; GitLab project id or `group/project` path.
    pub repository: String,
    /// Pull request number (GitLab: merge request IID).
    pub pr: Option<u64>,
    /// The PR's head commit (never the merge commit).
    pub head_sha: String,
    /// Tells sticky comments of several jobs apart (`--comment-key`).
    pub comment_key: String,
    /// The comment's Markdown, without the hidden marker (the host adds it).
    pub comment_body: String,
    pub statuses: Vec<CommitStatus>,
    pub check_run: Option<CheckRun>,
    /// This job's section of the sticky comment (`--section`), with the line data the comment's
    /// header merges (docs/publishing.md#one-comment-for-several-jobs). `None` (payloads of
    /// earlier prcov, hand-made plans): the comment is `comment_body` alone, without sections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<super::sections::SectionPlan>,
    /// Why no comment is posted (`comment.require_changes` found nothing to say); `None`: post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_skipped: Option<String>,
}
