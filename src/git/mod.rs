//! The change set of a pull request, read with git2: merge-base, changed files, added lines.

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
    #[error("{0}")]
    Other(String),
}
mod stub;
pub use stub::Repo;
