//! The diff itself: options shared by the change set and its printed form, delta → `ChangedFile`,
//! and the normalisation both the git2 path and the saved-diff parser end with.

use std::cell::RefCell;

use git2::{Delta, Diff, DiffFindOptions, DiffFormat, DiffOptions, FileMode, Oid, Repository};

use super::{ChangedFile, FileStatus, GitError};

/// git's default `diff.renameLimit`.
const DEFAULT_RENAME_LIMIT: u64 = 1000;

/// What the merge-base is compared with.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DiffTarget {
    Commit(Oid),
    /// The working tree, through the index (staged and unstaged changes, untracked files).
    Worktree,
}

fn git_err(action: &str) -> impl FnOnce(git2::Error) -> GitError + '_ {
    move |e| GitError::Other(format!("failed to {action}: {}", e.message()))
}

/// The diff merge-base → target with rename and copy detection as `git diff -M -C`.
fn build_diff(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
    context: u32,
) -> Result<Diff<'_>, GitError> {
    let base_tree = repo
        .find_commit(base)
        .and_then(|c| c.tree())
        .map_err(git_err("read the merge-base tree"))?;
    let mut opts = DiffOptions::new();
    // Added lines do not depend on context; zero context spares generating and passing it.
    opts.context_lines(context)
        .interhunk_lines(0)
        // Submodules are left out of the change set; this also avoids opening them for status.
        .ignore_submodules(true);
    let mut diff = match target {
        DiffTarget::Commit(head) => {
            let head_tree = repo
                .find_commit(head)
                .and_then(|c| c.tree())
                .map_err(git_err("read the head tree"))?;
            repo.diff_tree_to_tree(Some(&base_tree), Some(&head_tree), Some(&mut opts))
                .map_err(git_err("diff the merge-base and head trees"))?
        }
        DiffTarget::Worktree => {
            opts.include_untracked(true)
                .recurse_untracked_dirs(true)
                .show_untracked_content(true);
            repo.diff_tree_to_workdir_with_index(Some(&base_tree), Some(&mut opts))
                .map_err(git_err("diff the merge-base and the working tree"))?
        }
    };

    let limit = rename_limit(repo);
    let mut find = DiffFindOptions::new();
    find.renames(true)
        .copies(true)
        .rename_threshold(50)
        .copy_threshold(50)
        .rename_limit(usize::try_from(limit).unwrap_or(usize::MAX))
        .for_untracked(matches!(target, DiffTarget::Worktree));
    // git skips inexact rename detection when sources × destinations exceed the limit squared
    // (exact renames are still found); libgit2 only caps sources per destination, which can
    // still mean hundreds of thousands of comparisons on a big diff.
    let (sources, destinations) = diff.deltas().fold((0u64, 0u64), |(s, d), delta| match delta.status() {
        Delta::Added | Delta::Untracked => (s, d + 1),
        Delta::Deleted | Delta::Modified => (s + 1, d),
        _ => (s, d),
    });
    if sources.saturating_mul(destinations) > limit.saturating_mul(limit) {
        find.exact_match_only(true);
    }
    diff.find_similar(Some(&mut find))
        .map_err(git_err("detect renames"))?;
    Ok(diff)
}

/// `diff.renameLimit` from the repository's configuration, else git's default.
fn rename_limit(repo: &Repository) -> u64 {
    repo.config()
        .and_then(|c| c.get_i64("diff.renameLimit"))
        .ok()
        .and_then(|v| u64::try_from(v).ok())
        .filter(|&v| v > 0)
        .unwrap_or(DEFAULT_RENAME_LIMIT)
}

/// The changed files of merge-base → target, each with its added lines, normalised.
pub(crate) fn changed_files(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
) -> Result<Vec<ChangedFile>, GitError> {
    let diff = build_diff(repo, base, target, 0)?;
    // `Some(index)` of the entry the callbacks are filling; `None` while skipping a delta.
    let state: RefCell<(Vec<ChangedFile>, Option<usize>)> =
        RefCell::new((Vec::with_capacity(diff.deltas().len()), None));
    diff.foreach(
        &mut |delta, _progress| {
            let mut state = state.borrow_mut();
            let (files, current) = &mut *state;
            *current = changed_file(&delta).map(|file| {
                files.push(file);
                files.len() - 1
            });
            true
        },
        Some(&mut |_delta, _binary| {
            let mut state = state.borrow_mut();
            let (files, current) = &mut *state;
            if let Some(file) = current.and_then(|i| files.get_mut(i)) {
                file.binary = true;
            }
            true
        }),
        None,
        Some(&mut |delta, _hunk, line| {
            if line.origin() == '+' && accepts_lines(&delta) {
                let mut state = state.borrow_mut();
                let (files, current) = &mut *state;
                if let (Some(file), Some(n)) = (current.and_then(|i| files.get_mut(i)), line.new_lineno()) {
                    file.added_lines.push(n);
                }
            }
            true
        }),
    )
    .map_err(git_err("generate the diff"))?;
    let (files, _) = state.into_inner();
    Ok(normalize(files))
}

/// The entry for one delta, or `None` for what the change set leaves out (submodules,
/// unmodified or unreadable entries).
fn changed_file(delta: &git2::DiffDelta<'_>) -> Option<ChangedFile> {
    if delta.old_file().mode() == FileMode::Commit || delta.new_file().mode() == FileMode::Commit {
        return None;
    }
    let status = match delta.status() {
        Delta::Added | Delta::Untracked => FileStatus::Added,
        Delta::Modified | Delta::Conflicted | Delta::Typechange => FileStatus::Modified,
        Delta::Renamed => FileStatus::Renamed,
        Delta::Copied => FileStatus::Copied,
        Delta::Deleted => FileStatus::Deleted,
        Delta::Unmodified | Delta::Ignored | Delta::Unreadable => return None,
    };
    let path_of = |file: git2::DiffFile<'_>| file.path_bytes().map(|p| String::from_utf8_lossy(p).into_owned());
    let (path, old_path) = match status {
        FileStatus::Deleted => (path_of(delta.old_file())?, None),
        FileStatus::Renamed | FileStatus::Copied => {
            (path_of(delta.new_file())?, path_of(delta.old_file()))
        }
        FileStatus::Added | FileStatus::Modified => (path_of(delta.new_file())?, None),
    };
    Some(ChangedFile {
        path,
        old_path,
        status,
        binary: delta.flags().is_binary(),
        added_lines: Vec::new(),
    })
}

/// Only text files that exist at head carry added lines; a symlink's "line" is its target.
fn accepts_lines(delta: &git2::DiffDelta<'_>) -> bool {
    delta.status() != Delta::Deleted && delta.new_file().mode() != FileMode::Link
}

/// The final shape of a change set, whatever produced it: a type change printed as deletion +
/// addition of one path becomes one `Modified` entry; files sorted by path; lines ascending
/// and unique; binary files without lines.
pub(crate) fn normalize(mut files: Vec<ChangedFile>) -> Vec<ChangedFile> {
    // Stable sort keeps the deletion before the addition git prints for a type change.
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out: Vec<ChangedFile> = Vec::with_capacity(files.len());
    for mut file in files {
        file.added_lines.sort_unstable();
        file.added_lines.dedup();
        if file.binary || file.status == FileStatus::Deleted {
            file.added_lines.clear();
        }
        if let Some(prev) = out.last_mut() {
            if prev.path == file.path {
                let pair = (prev.status, file.status);
                if matches!(pair, (FileStatus::Deleted, FileStatus::Added) | (FileStatus::Added, FileStatus::Deleted)) {
                    let added = if file.status == FileStatus::Added { file } else { prev.clone() };
                    *prev = ChangedFile {
                        status: FileStatus::Modified,
                        old_path: None,
                        ..added
                    };
                    continue;
                }
            }
        }
        out.push(file);
    }
    out
}

/// The diff as git2 prints it in patch format, with `context` lines around changes.
pub(crate) fn unified_text(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
    context: u32,
) -> Result<String, GitError> {
    let diff = build_diff(repo, base, target, context)?;
    let mut out = Vec::new();
    diff.print(DiffFormat::Patch, |_delta, _hunk, line| {
        // Content lines come without their origin character; headers carry their own text.
        if matches!(line.origin(), '+' | '-' | ' ') {
            out.push(line.origin() as u8);
        }
        out.extend_from_slice(line.content());
        true
    })
    .map_err(git_err("print the diff"))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}
