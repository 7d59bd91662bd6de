//! The change set between two commits from the `git` program, when it can run.
//!
//! Why not only git2: on a PR of hundreds of files in a packed repository, libgit2 spends about
//! twice git's CPU time inflating the same delta chains (it caches only the bottom of a chain;
//! git keeps the intermediate bases): 1.7 s against 1.0 s for all of `prcov diff` on the
//! benchmark (bench/README.md), with identical files and lines. git2 still does everything else
//! (revisions, merge-base, trees, the working tree), and computes the diff when `git` is
//! missing, refuses the repository, or the clone is partial.
//!
//! Every setting that changes which lines `git diff` calls added is fixed on the command line
//! (algorithm, indent heuristic, renames without copies, no external diff or textconv), so a
//! user's configuration cannot change prcov's numbers; only `diff.renameLimit` is read, as git2's
//! path reads it too. One line of context, not zero: with zero, git trims the common tail of
//! both sides before diffing, which can place an ambiguous insertion elsewhere than `git diff`
//! and the PR's diff view do (diff-cover runs `-U0` and inherits that).

use std::path::Path;
use std::process::{Command, Stdio};

use super::patch_file;
use super::ChangedFile;

/// Why the `git` program did not give a change set; the caller then falls back to git2.
#[derive(Debug)]
pub(crate) struct Unavailable(pub String);

/// `git diff` of two commits (full shas) of the repository at `git_dir`, read into changed files.
pub(crate) fn changed_files(
    git_dir: &Path,
    base: &str,
    head: &str,
) -> Result<Vec<ChangedFile>, Unavailable> {
    let mut command = Command::new(program());
    command
        .arg("--git-dir")
        .arg(git_dir)
        .args([
            "--no-pager",
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-relative",
            "--diff-algorithm=myers",
            "--indent-heuristic",
            "--find-renames",
            "--unified=1",
            "--inter-hunk-context=0",
            // Submodule changes in the one format the parser reads (they are left out there).
            "--submodule=short",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            head,
            "--",
        ])
        // Settings from the environment that would point git elsewhere or change its output.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_DIFF_OPTS")
        .env_remove("GIT_EXTERNAL_DIFF")
        // A partial clone would fetch missing blobs: prcov never touches the network but to
        // publish (partial clones are also sent to git2 up front).
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        // Untranslated output ("Binary files … differ") whatever the user's locale.
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = command
        .output()
        .map_err(|e| Unavailable(format!("cannot run git: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Unavailable(format!(
            "git diff failed ({}): {}",
            output.status,
            stderr.trim()
        )));
    }
    patch_file::parse_git_output(&String::from_utf8_lossy(&output.stdout))
        .map_err(|e| Unavailable(format!("unexpected git diff output: {e}")))
}

/// The `git` to run: `PRCOV_GIT` when set (a test or an unusual install), else `git` on PATH.
fn program() -> std::ffi::OsString {
    std::env::var_os("PRCOV_GIT").unwrap_or_else(|| "git".into())
}
