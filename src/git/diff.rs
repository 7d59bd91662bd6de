//! The diff itself: options shared by the change set and its printed form, delta → `ChangedFile`,
//! and the normalisation both the git2 path and the saved-diff parser end with.

use std::collections::HashSet;

use git2::{Delta, Diff, DiffFindOptions, DiffFormat, DiffOptions, FileMode, Oid, Repository};

use super::{similarity, ChangedFile, FileStatus, GitError};

/// git's default `diff.renameLimit`.
const DEFAULT_RENAME_LIMIT: u64 = 1000;

/// The similarity (in %) at which libgit2 proposes a rename or copy candidate.
const LIBGIT2_THRESHOLD: u16 = 30;

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
        // git's default since 2.14: where a hunk could slide (repeated lines such as `}` or blank
        // lines), place it as git and code hosts do, so the added lines are the same ones.
        .indent_heuristic(true)
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
    // Renames, not copies: git's default (`diff.renames = true`), which is what `git diff`,
    // code hosts and diff-cover show; a copy is an added file, counted in full.
    find.renames(true)
        .copies(false)
        // Lower than git's 50 %: libgit2's measure sometimes rejects pairs git accepts; every
        // inexact pair it proposes is re-scored with git's measure (`rejected_pair`).
        .rename_threshold(LIBGIT2_THRESHOLD)
        .copy_threshold(LIBGIT2_THRESHOLD)
        .rename_limit(usize::try_from(limit).unwrap_or(usize::MAX))
        .for_untracked(matches!(target, DiffTarget::Worktree));
    // git skips inexact rename detection when the sources × destinations left after exact
    // renames exceed the limit squared (without copies, only deleted files are sources);
    // libgit2 only caps sources per destination, which can still mean hundreds of thousands
    // of comparisons on a big diff.
    let mut deleted: std::collections::HashMap<Oid, u64> = std::collections::HashMap::new();
    let mut added = Vec::new();
    for delta in diff.deltas() {
        match delta.status() {
            Delta::Added | Delta::Untracked => added.push(delta.new_file().id()),
            Delta::Deleted => *deleted.entry(delta.old_file().id()).or_default() += 1,
            _ => {}
        }
    }
    let sources: u64 = deleted.values().sum();
    let exact = added
        .iter()
        .filter(|id| match deleted.get_mut(id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        })
        .count() as u64;
    let (sources, destinations) = (sources - exact, added.len() as u64 - exact);
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
///
/// Reading the blobs of a PR out of packed delta chains is most of the cost (libgit2 caches
/// only the bottom of a chain), so between commits the deltas are shared out over threads,
/// each with its own handle on the repository and its own copy of the (deterministic) diff.
pub(crate) fn changed_files(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
) -> Result<Vec<ChangedFile>, GitError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    changed_files_on(repo, base, target, threads)
}

/// [`changed_files`] on up to `threads` threads.
fn changed_files_on(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
    threads: usize,
) -> Result<Vec<ChangedFile>, GitError> {
    let diff = build_diff(repo, base, target, 0)?;
    let count = diff.deltas().len();
    let threads = match target {
        // The working tree can change under a second reader; one pass sees one state.
        DiffTarget::Worktree => 1,
        DiffTarget::Commit(_) => threads.min(count / MIN_DELTAS_PER_THREAD),
    };
    if threads < 2 {
        return Ok(normalize(flatten(files_of_deltas(repo, &diff, 0, 1)?)));
    }
    let signature: Vec<_> = diff.deltas().map(|d| side_paths(&d)).collect();
    let git_dir = repo.path().to_path_buf();
    let (mine, theirs) = std::thread::scope(|s| {
        let workers: Vec<_> = (1..threads)
            .map(|first| {
                let (git_dir, signature) = (&git_dir, &signature);
                s.spawn(move || -> Result<Option<Vec<_>>, GitError> {
                    let repo = Repository::open(git_dir).map_err(git_err("open the repository"))?;
                    let diff = build_diff(&repo, base, target, 0)?;
                    let same = diff
                        .deltas()
                        .map(|d| side_paths(&d))
                        .eq(signature.iter().cloned());
                    if !same {
                        return Ok(None);
                    }
                    files_of_deltas(&repo, &diff, first, threads).map(Some)
                })
            })
            .collect();
        let mine = files_of_deltas(repo, &diff, 0, threads);
        let theirs: Vec<_> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        (mine, theirs)
    });
    let mut all = mine?;
    for part in theirs {
        match part? {
            Some(part) => all.extend(part),
            // A diff that came out differently (it cannot, between two commits): no sharing.
            None => return Ok(normalize(flatten(files_of_deltas(repo, &diff, 0, 1)?))),
        }
    }
    all.sort_by_key(|(index, _)| *index);
    Ok(normalize(flatten(all)))
}

/// Below this many deltas per thread, a second thread costs more than it saves.
const MIN_DELTAS_PER_THREAD: usize = 16;

fn flatten(parts: Vec<(usize, Vec<ChangedFile>)>) -> Vec<ChangedFile> {
    parts.into_iter().flat_map(|(_, files)| files).collect()
}

/// The entries of deltas `first`, `first + step`, … with their added lines, tagged with the
/// delta's index: what `git_diff_foreach` would report for them, in the same order.
fn files_of_deltas(
    repo: &Repository,
    diff: &Diff<'_>,
    first: usize,
    step: usize,
) -> Result<Vec<(usize, Vec<ChangedFile>)>, GitError> {
    let mut out = Vec::new();
    for index in (first..diff.deltas().len()).step_by(step) {
        // `None`: a delta `git_diff_foreach` skips too.
        let Some(patch) =
            git2::Patch::from_diff(diff, index).map_err(git_err("generate the diff"))?
        else {
            continue;
        };
        let delta = patch.delta();
        let Some(mut file) = changed_file(&delta) else {
            continue;
        };
        if let Some(split) = rejected_pair(repo, &delta, &file) {
            out.push((index, split));
            continue;
        }
        if delta.flags().is_binary() {
            file.binary = true;
        } else if accepts_lines(&delta) {
            for hunk in 0..patch.num_hunks() {
                let lines = patch
                    .num_lines_in_hunk(hunk)
                    .map_err(git_err("generate the diff"))?;
                for i in 0..lines {
                    let line = patch
                        .line_in_hunk(hunk, i)
                        .map_err(git_err("generate the diff"))?;
                    if line.origin() == '+' {
                        if let Some(n) = line.new_lineno() {
                            file.added_lines.push(n);
                        }
                    }
                }
            }
        }
        out.push((index, vec![file]));
    }
    Ok(out)
}

/// For an inexact rename or copy that git's own score rejects, what `git diff -M -C` shows
/// instead: the new file as added in full (and, for a rename, the old one as deleted).
/// `None` keeps libgit2's pairing (exact, accepted by git, or contents unreadable).
fn rejected_pair(
    repo: &Repository,
    delta: &git2::DiffDelta<'_>,
    file: &ChangedFile,
) -> Option<Vec<ChangedFile>> {
    if !matches!(file.status, FileStatus::Renamed | FileStatus::Copied)
        || delta.old_file().id() == delta.new_file().id()
    {
        return None;
    }
    let old = content(repo, &delta.old_file())?;
    let new = content(repo, &delta.new_file())?;
    let regular =
        |f: git2::DiffFile<'_>| matches!(f.mode(), FileMode::Blob | FileMode::BlobExecutable);
    // git pairs symlinks (and other non-regular files) only when identical.
    if regular(delta.old_file())
        && regular(delta.new_file())
        && similarity::score(&old, &new, similarity::DEFAULT_MIN_SCORE)
            >= similarity::DEFAULT_MIN_SCORE
    {
        return None;
    }
    let binary = similarity::is_binary(&new);
    let text = !binary && delta.new_file().mode() != FileMode::Link;
    let mut split = vec![ChangedFile {
        path: file.path.clone(),
        old_path: None,
        status: FileStatus::Added,
        binary,
        added_lines: if text {
            (1..=similarity::line_count(&new)).collect()
        } else {
            Vec::new()
        },
    }];
    if let (FileStatus::Renamed, Some(old_path)) = (file.status, &file.old_path) {
        split.push(ChangedFile {
            path: old_path.clone(),
            old_path: None,
            status: FileStatus::Deleted,
            binary: similarity::is_binary(&old),
            added_lines: Vec::new(),
        });
    }
    Some(split)
}

/// A side's bytes: its blob, else (an unstaged working-tree file) the file itself.
fn content(repo: &Repository, file: &git2::DiffFile<'_>) -> Option<Vec<u8>> {
    if let Ok(blob) = repo.find_blob(file.id()) {
        return Some(blob.content().to_vec());
    }
    let path = repo.workdir()?.join(file.path()?);
    std::fs::read(path).ok()
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
    let path_of = |file: git2::DiffFile<'_>| {
        file.path_bytes()
            .map(|p| String::from_utf8_lossy(p).into_owned())
    };
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
                if matches!(
                    pair,
                    (FileStatus::Deleted, FileStatus::Added)
                        | (FileStatus::Added, FileStatus::Deleted)
                ) {
                    let added = if file.status == FileStatus::Added {
                        file
                    } else {
                        prev.clone()
                    };
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

/// One hunk of a zero-context diff: `old_lines` base lines from `old_start` became `new_lines`
/// head lines from `new_start` (for a pure insertion, `old_start` is the line it follows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
}

/// The hunks of merge-base → head per head path, in order: what carries a base line number to
/// its head line number (history's indirect changes).
pub(crate) fn hunks(
    repo: &Repository,
    base: Oid,
    head: Oid,
) -> Result<std::collections::HashMap<String, Vec<Hunk>>, GitError> {
    let diff = build_diff(repo, base, DiffTarget::Commit(head), 0)?;
    let mut out: std::collections::HashMap<String, Vec<Hunk>> = std::collections::HashMap::new();
    diff.foreach(
        &mut |_, _| true,
        None,
        Some(&mut |delta, hunk| {
            let path = String::from_utf8_lossy(delta.new_file().path_bytes().unwrap_or_default())
                .into_owned();
            out.entry(path).or_default().push(Hunk {
                old_start: hunk.old_start(),
                old_lines: hunk.old_lines(),
                new_start: hunk.new_start(),
                new_lines: hunk.new_lines(),
            });
            true
        }),
        None,
    )
    .map_err(git_err("read the diff's hunks"))?;
    Ok(out)
}

/// The diff as git2 prints it in patch format, with `context` lines around changes.
pub(crate) fn unified_text(
    repo: &Repository,
    base: Oid,
    target: DiffTarget,
    context: u32,
) -> Result<String, GitError> {
    let diff = build_diff(repo, base, target, context)?;
    // Pairs git's score rejects are printed as git prints them: a deletion and an addition.
    let rejected: HashSet<(Vec<u8>, Vec<u8>)> = diff
        .deltas()
        .filter(|delta| {
            changed_file(delta).is_some_and(|file| rejected_pair(repo, delta, &file).is_some())
        })
        .map(|delta| side_paths(&delta))
        .collect();
    let mut out = Vec::new();
    diff.print(DiffFormat::Patch, |delta, _hunk, line| {
        if rejected.contains(&side_paths(&delta)) {
            if line.origin() == 'F' {
                print_split(repo, &delta, &mut out);
            }
            return true;
        }
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

fn side_paths(delta: &git2::DiffDelta<'_>) -> (Vec<u8>, Vec<u8>) {
    let bytes = |f: git2::DiffFile<'_>| f.path_bytes().unwrap_or_default().to_vec();
    (bytes(delta.old_file()), bytes(delta.new_file()))
}

/// A rejected rename (copy) printed as the deletion of the old file (rename only) and the
/// addition of the new one, in `git diff` form.
fn print_split(repo: &Repository, delta: &git2::DiffDelta<'_>, out: &mut Vec<u8>) {
    let (old_path, new_path) = side_paths(delta);
    if delta.status() == Delta::Renamed {
        let old = content(repo, &delta.old_file()).unwrap_or_default();
        print_whole(
            out,
            &old_path,
            u32::from(delta.old_file().mode()),
            &old,
            false,
        );
    }
    let new = content(repo, &delta.new_file()).unwrap_or_default();
    print_whole(
        out,
        &new_path,
        u32::from(delta.new_file().mode()),
        &new,
        true,
    );
}

/// One file printed as entirely added (or deleted).
fn print_whole(out: &mut Vec<u8>, path: &[u8], mode: u32, bytes: &[u8], added: bool) {
    let a = quote_path(b"a/", path);
    let b = quote_path(b"b/", path);
    let (kind, minus, plus, sign) = if added {
        ("new", b"/dev/null".to_vec(), b.clone(), b'+')
    } else {
        ("deleted", a.clone(), b"/dev/null".to_vec(), b'-')
    };
    let mut header = |parts: &[&[u8]]| {
        parts.iter().for_each(|p| out.extend_from_slice(p));
        out.push(b'\n');
    };
    header(&[b"diff --git ", &a, b" ", &b]);
    header(&[
        kind.as_bytes(),
        b" file mode ",
        format!("{mode:o}").as_bytes(),
    ]);
    if similarity::is_binary(bytes) {
        let (from, to) = if added {
            (&b"/dev/null"[..], &b[..])
        } else {
            (&a[..], &b"/dev/null"[..])
        };
        header(&[b"Binary files ", from, b" and ", to, b" differ"]);
        return;
    }
    header(&[b"--- ", &minus]);
    header(&[b"+++ ", &plus]);
    let n = similarity::line_count(bytes);
    if n == 0 {
        return;
    }
    let range = if added {
        format!("@@ -0,0 +1,{n} @@")
    } else {
        format!("@@ -1,{n} +0,0 @@")
    };
    header(&[range.as_bytes()]);
    for line in bytes.split_inclusive(|&c| c == b'\n') {
        out.push(sign);
        out.extend_from_slice(line);
        if line.last() != Some(&b'\n') {
            out.extend_from_slice(b"\n\\ No newline at end of file\n");
        }
    }
}

/// `prefix` + `path`, C-quoted the way git quotes unusual names.
fn quote_path(prefix: &[u8], path: &[u8]) -> Vec<u8> {
    let plain = path
        .iter()
        .all(|&c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\');
    if plain {
        return [prefix, path].concat();
    }
    let mut out = vec![b'"'];
    for &c in prefix.iter().chain(path) {
        match c {
            b'"' | b'\\' => out.extend_from_slice(&[b'\\', c]),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(format!("\\{c:03o}").as_bytes()),
        }
    }
    out.push(b'"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(tag: &str, n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("{tag} line {i}\n"))
            .collect::<String>()
            .into_bytes()
    }

    fn commit(repo: &Repository, files: &[(String, Vec<u8>, i32)]) -> Oid {
        let mut tree = repo.treebuilder(None).unwrap();
        for (name, bytes, mode) in files {
            let blob = repo.blob(bytes).unwrap();
            tree.insert(name, blob, *mode).unwrap();
        }
        let tree = repo.find_tree(tree.write().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.com").unwrap();
        repo.commit(None, &sig, &sig, "c", &tree, &[]).unwrap()
    }

    /// Modified, added, deleted, renamed, binary and type-changed files shared out over
    /// threads give exactly the entries and lines of one pass.
    #[test]
    fn threads_give_the_changes_of_one_pass() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let mut base = Vec::new();
        let mut head = Vec::new();
        for i in 0..90 {
            let name = format!("f{i:02}.c");
            let text = lines(&name, 40);
            base.push((name.clone(), text.clone(), 0o100_644));
            match i % 9 {
                0 => {} // deleted
                1 => head.push((format!("moved{i}.c"), text, 0o100_644)),
                2 => head.push((name, vec![0, 1, 2, i as u8], 0o100_644)),
                3 => head.push((name, b"target".to_vec(), 0o120_000)),
                4 => head.push((name, text, 0o100_644)),
                _ => {
                    // New lines in the middle, at a line boundary.
                    let cut = text
                        .iter()
                        .enumerate()
                        .filter(|(_, &b)| b == b'\n')
                        .nth(19)
                        .map_or(0, |(at, _)| at + 1);
                    let mut edited = text[..cut].to_vec();
                    edited.extend(lines("new", i % 7 + 1));
                    edited.extend_from_slice(&text[cut..]);
                    head.push((name, edited, 0o100_644));
                }
            }
        }
        for i in 0..12 {
            head.push((format!("added{i}.c"), lines("added", i + 1), 0o100_644));
        }
        let (base, head) = (commit(&repo, &base), commit(&repo, &head));
        let one = changed_files_on(&repo, base, DiffTarget::Commit(head), 1).unwrap();
        assert_eq!(one.len(), 90 - 10 + 12 - 10 + 10, "{one:?}");
        let added: usize = one.iter().map(|f| f.added_lines.len()).sum();
        // 40 edited files with 1..=7 new lines each, 12 added files with 1..=12 lines.
        let edited: usize = (0..90).filter(|i| i % 9 >= 5).map(|i| i % 7 + 1).sum();
        assert_eq!(added, edited + 78);
        for threads in [2, 3, 4] {
            let many = changed_files_on(&repo, base, DiffTarget::Commit(head), threads).unwrap();
            assert_eq!(many, one, "threads {threads}");
        }
    }
}
