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

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, Stdio};

use super::patch_file;
use super::ChangedFile;

/// Why the `git` program did not give a change set; the caller then falls back to git2.
#[derive(Debug)]
pub(crate) struct Unavailable(pub String);

/// From this many modified files on, their diff is shared between two processes.
const SPLIT_MIN_MODIFIED: usize = 64;

/// Beyond this many bytes of paths the command line could get too long: one process.
const SPLIT_MAX_PATH_BYTES: usize = 100_000;

/// `git diff` of two commits (full shas) of the repository at `git_dir`, read into changed files.
pub(crate) fn changed_files(
    git_dir: &Path,
    base: &str,
    head: &str,
) -> Result<Vec<ChangedFile>, Unavailable> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 {
        return diff(git_dir, base, head, Paths::All);
    }
    changed_files_split(git_dir, base, head, SPLIT_MIN_MODIFIED)
}

/// [`changed_files`] with two processes when at least `min_modified` files are modified.
fn changed_files_split(
    git_dir: &Path,
    base: &str,
    head: &str,
    min_modified: usize,
) -> Result<Vec<ChangedFile>, Unavailable> {
    let raw = run(git_dir, &raw_args(base, head), &[])?;
    let Some((mine, rest)) = split(&raw, min_modified) else {
        return diff(git_dir, base, head, Paths::All);
    };
    let (second, first) = crate::threads::both(
        || diff(git_dir, base, head, Paths::Only(&rest, true)),
        || diff(git_dir, base, head, Paths::Only(&mine, false)),
    );
    let mut files = first?;
    files.extend(second?);
    Ok(super::diff::normalize(files))
}

/// Which paths a `git diff` covers.
enum Paths<'a> {
    All,
    /// These paths only (literal pathspecs), with rename detection or without.
    Only(&'a [OsString], bool),
}

/// The modified files cut in two: (half of the modified files, every other path), or `None`
/// when a second process would not pay (or the command line could get too long).
fn split(raw: &[u8], min_modified: usize) -> Option<(Vec<OsString>, Vec<OsString>)> {
    let mut modified = Vec::new();
    let mut others = Vec::new();
    let mut fields = raw.split(|&b| b == 0).filter(|f| !f.is_empty());
    while let Some(meta) = fields.next() {
        // `:100644 100644 <sha> <sha> M`, then one path, two for a rename or copy.
        let meta = meta.strip_prefix(b":")?;
        let mut parts = meta.split(|&b| b == b' ');
        let (old_mode, new_mode) = (parts.next()?, parts.next()?);
        let status = *parts.nth(2)?.first()?;
        let paths = if matches!(status, b'R' | b'C') { 2 } else { 1 };
        let regular = |mode: &[u8]| mode.starts_with(b"100");
        for _ in 0..paths {
            let path = os_path(fields.next()?);
            if status == b'M' && paths == 1 && regular(old_mode) && regular(new_mode) {
                modified.push(path);
            } else {
                others.push(path);
            }
        }
    }
    let bytes: usize = modified.iter().chain(&others).map(|p| p.len() + 1).sum();
    if modified.len() < min_modified || bytes > SPLIT_MAX_PATH_BYTES {
        return None;
    }
    // The other process also diffs the added and renamed files: give it fewer modified ones.
    let rest = modified.split_off(modified.len() / 2 + others.len().min(modified.len() / 4));
    others.extend(rest);
    Some((modified, others))
}

#[cfg(unix)]
fn os_path(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_owned()
}

#[cfg(not(unix))]
fn os_path(bytes: &[u8]) -> OsString {
    String::from_utf8_lossy(bytes).into_owned().into()
}

/// `git diff --raw`: the changed paths with their status, renames found as in [`diff`].
fn raw_args<'a>(base: &'a str, head: &'a str) -> Vec<&'a str> {
    let mut args = vec!["diff", "--raw", "-z", "--no-abbrev"];
    args.extend(SHAPE);
    args.extend([base, head]);
    args
}

/// The options that decide which files and lines a diff has, shared by every run.
const SHAPE: [&str; 7] = [
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    // Submodule changes in the one format the parser reads (they are left out there).
    "--submodule=short",
    "--ignore-submodules=none",
];

/// One `git diff` in patch form, read into changed files.
fn diff(
    git_dir: &Path,
    base: &str,
    head: &str,
    paths: Paths<'_>,
) -> Result<Vec<ChangedFile>, Unavailable> {
    let renames = match paths {
        Paths::All | Paths::Only(_, true) => "--find-renames",
        Paths::Only(_, false) => "--no-renames",
    };
    let mut args = vec![
        "diff",
        "--no-color",
        renames,
        "--unified=1",
        "--inter-hunk-context=0",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ];
    args.extend(SHAPE);
    args.extend([base, head, "--"]);
    let only = match paths {
        Paths::All => &[][..],
        Paths::Only(list, _) => list,
    };
    let out = run(git_dir, &args, only)?;
    patch_file::parse_git_output(&String::from_utf8_lossy(&out))
        .map_err(|e| Unavailable(format!("unexpected git diff output: {e}")))
}

/// Runs git on the repository with `args` then `paths` (literal pathspecs); its stdout.
fn run(git_dir: &Path, args: &[&str], paths: &[OsString]) -> Result<Vec<u8>, Unavailable> {
    let mut command = Command::new(program());
    command
        .arg("--git-dir")
        .arg(git_dir)
        .args([
            "--no-pager",
            "--literal-pathspecs",
            "-c",
            "core.quotePath=false",
        ])
        .args(args)
        .args(paths)
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
            "git {} failed ({}): {}",
            args.first().copied().unwrap_or_default(),
            output.status,
            stderr.trim()
        )));
    }
    Ok(output.stdout)
}

/// The `git` to run: `PRCOV_GIT` when set (a test or an unusual install), else `git` on PATH.
fn program() -> OsString {
    std::env::var_os("PRCOV_GIT").unwrap_or_else(|| "git".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }

    fn commit(dir: &Path, message: &str) {
        git(dir, &["add", "-A"]);
        let identity = ["-c", "user.name=t", "-c", "user.email=t@t"];
        git(dir, &[&identity[..], &["commit", "-qm", message]].concat());
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn body(tag: &str, n: usize) -> String {
        (1..=n).map(|i| format!("{tag} line {i}\n")).collect()
    }

    fn rev(dir: &Path, rev: &str) -> String {
        let out = Command::new("git")
            .args(["rev-parse", rev])
            .current_dir(dir)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// Two processes give exactly what one gives: modified files (names with spaces, glob
    /// characters and non-ASCII), added, deleted, renamed with edits, and a type change.
    #[test]
    fn two_processes_give_what_one_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q", "-b", "main"]);
        let names: Vec<String> = (0..9)
            .map(|i| match i {
                0 => "src/with space.c".to_owned(),
                1 => "src/glob*[x].c".to_owned(),
                2 => "src/ünï.c".to_owned(),
                _ => format!("src/m{i}.c"),
            })
            .collect();
        for name in &names {
            write(dir, name, &body(name, 20));
        }
        write(dir, "src/gone.c", &body("gone", 5));
        write(dir, "src/old.c", &body("old", 30));
        write(dir, "src/link", "target");
        commit(dir, "base");
        for name in &names {
            let text = body(name, 20).replace("line 7\n", "line seven\n") + "added\n";
            write(dir, name, &text);
        }
        std::fs::remove_file(dir.join("src/gone.c")).unwrap();
        std::fs::remove_file(dir.join("src/old.c")).unwrap();
        write(
            dir,
            "src/new/old.c",
            &body("old", 30).replace("line 3\n", "line three\n"),
        );
        write(dir, "src/added.c", &body("added", 4));
        std::fs::remove_file(dir.join("src/link")).unwrap();
        write(dir, "src/link", "now a file\n");
        commit(dir, "head");

        let git_dir = dir.join(".git");
        let (base, head) = (rev(dir, "HEAD~1"), rev(dir, "HEAD"));
        let one = super::super::diff::normalize(diff(&git_dir, &base, &head, Paths::All).unwrap());
        let two = changed_files_split(&git_dir, &base, &head, 1).unwrap();
        assert_eq!(two, one);
        assert_eq!(one.len(), 9 + 3 + 1);
        assert!(one.iter().any(|f| f.path == "src/new/old.c"
            && f.old_path.as_deref() == Some("src/old.c")
            && f.added_lines == [3]));
        assert!(one
            .iter()
            .any(|f| f.path == "src/glob*[x].c" && f.added_lines == [7, 21]));
    }

    #[test]
    fn raw_listing_is_cut_between_modified_and_everything_else() {
        let raw = b":100644 100644 a b M\0m1.c\0:100644 100644 a b M\0m2.c\0\
                    :100644 100644 a b M\0m3.c\0:100644 100644 a b M\0m4.c\0\
                    :000000 100644 a b A\0new.c\0:100644 100644 a b R091\0old.c\0moved.c\0\
                    :160000 160000 a b M\0sub\0";
        let (mine, rest) = split(raw, 4).unwrap();
        let all: Vec<OsString> = mine.iter().chain(&rest).cloned().collect();
        assert_eq!(mine.len() + rest.len(), 8);
        for path in [
            "m1.c", "m2.c", "m3.c", "m4.c", "new.c", "old.c", "moved.c", "sub",
        ] {
            assert!(all.contains(&OsString::from(path)), "{path}");
        }
        // Renamed pairs, additions and submodules stay with the rename-detecting process.
        for path in ["new.c", "old.c", "moved.c", "sub"] {
            assert!(rest.contains(&OsString::from(path)), "{path}");
        }
        assert!(!mine.is_empty());
        assert_eq!(split(raw, 5), None);
        assert_eq!(split(b"garbage", 1), None);
    }
}
