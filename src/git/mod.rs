//! The change set of a pull request: merge-base, changed files, added lines (git2, and the `git`
//! program for the diff itself).
//!
//! Two sources give the same [`ChangeSet`]:
//! - [`Repo::change_set`] diffs `merge-base(base, head)` against head with the `git` program
//!   when it can run (`program`: half libgit2's cost on packed history), else with git2; the working
//!   tree (`--worktree`) always with git2. [`DiffEngine`] forces one of the two;
//! - [`ChangeSet::from_unified_diff`] parses a saved `git diff` (for `--diff-file` and for tests
//!   without a repository).
//!
//! Decisions shared by both (so that a saved diff and a live repo agree):
//! - rename detection as plain `git diff` does it (git's default `diff.renames`): 50 % similarity
//!   by git's own measure (libgit2 proposes candidates, `similarity` re-scores them the way git
//!   does), inexact detection skipped beyond `diff.renameLimit` (default 1000) like git. Copies are
//!   not detected, as `git diff`, code hosts and diff-cover do not: a copy is an added file
//!   counted in full. A saved diff made with `-C` keeps its `copied` entries. The user's
//!   `diff.renames` setting is deliberately not read, so a laptop and CI compute the same patch;
//! - deleted and binary files have no added lines; a symlink has none either (its "content" is a
//!   target path, not code); submodules (gitlinks) are left out entirely;
//! - a type change (file ↔ symlink), which git prints as a deletion plus an addition of the same
//!   path, becomes one `Modified` entry carrying the added side's lines;
//! - paths are '/'-separated and relative to the repository root; non-UTF-8 bytes are replaced
//!   (U+FFFD), as such a path cannot match a report path anyway.

use std::path::PathBuf;

use serde::Serialize;

/// How a file changed between the merge-base and head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Added,
    Modified,
    Renamed,
    Copied,
    Deleted,
}

/// One changed file. `added_lines` are the head-side line numbers of the diff's `+` lines, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedFile {
    /// Repo-relative path at head ('/'-separated). For a deleted file, the old path.
    pub path: String,
    /// Path at the base when renamed or copied.
    pub old_path: Option<String>,
    pub status: FileStatus,
    pub binary: bool,
    pub added_lines: Vec<u32>,
}

/// Everything prcov needs to know of the change `merge-base(base, head)..head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSet {
    /// The merge-base commit (full sha).
    pub base: String,
    /// The head commit (full sha); with `--worktree`, the commit the working tree is on.
    pub head: String,
    pub files: Vec<ChangedFile>,
}

/// Errors of the git stage.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error(
        "{path} is not inside a git repository (use --repo DIR, or --no-repo for `prcov report`)"
    )]
    NotARepo { path: PathBuf },
    #[error("unknown revision `{rev}` in {repo}")]
    UnknownRevision { rev: String, repo: PathBuf },
    /// The merge-base (or a commit it needs) is missing because the clone is shallow.
    #[error(
        "cannot compute the merge-base of `{base}` and `{head}`: {repo} is a shallow clone and {detail}; \
         fetch more history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`)"
    )]
    ShallowClone {
        base: String,
        head: String,
        repo: PathBuf,
        detail: String,
    },
    /// Base and head share no commit in a complete history.
    #[error(
        "`{base}` and `{head}` have no common ancestor (unrelated histories); \
         pass a --base that shares history with the head"
    )]
    NoMergeBase { base: String, head: String },
    /// None of the usual default branches exists.
    #[error("no default base branch found (tried {}); pass --base REV", tried.join(", "))]
    NoDefaultBase { tried: Vec<String> },
    /// A saved diff that is not a unified diff, or is cut short.
    #[error("malformed diff {source_name} at line {line}: {message}")]
    DiffParse {
        source_name: String,
        line: usize,
        message: String,
    },
    #[error("failed to read diff file {path}: {source}")]
    ReadDiff {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Other(String),
}

mod diff;
mod patch_file;

pub use diff::Hunk;
mod program;
mod repo;
mod similarity;

/// Which program computes the diff between two commits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DiffEngine {
    /// The `git` program when it runs here (not for a partial clone, which it would fetch
    /// into), else git2.
    #[default]
    Auto,
    /// Only the `git` program; an error when it cannot run.
    Git,
    /// Only git2 (libgit2), never spawning a process.
    Libgit2,
}

impl std::str::FromStr for DiffEngine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(DiffEngine::Auto),
            "git" => Ok(DiffEngine::Git),
            "libgit2" | "git2" => Ok(DiffEngine::Libgit2),
            other => Err(format!(
                "unknown diff engine `{other}` (expected auto, git or libgit2)"
            )),
        }
    }
}

pub use repo::Repo;

impl ChangeSet {
    /// The sha stand-in when a saved diff does not say which commits it compares.
    pub const UNKNOWN: &'static str = "unknown";
}
