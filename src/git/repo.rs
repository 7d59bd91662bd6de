//! A git repository opened with git2: revisions, default base, merge-base, change set, tracked files.

use std::path::{Path, PathBuf};

use git2::{ErrorCode, ObjectType, Oid, Repository};

use super::diff::{self, DiffTarget};
use super::{program, ChangeSet, DiffEngine, GitError};

/// Where `default_base` looks, in order, after the `origin/HEAD` symbolic ref.
const DEFAULT_BASE_CANDIDATES: [&str; 4] = ["origin/main", "origin/master", "main", "master"];

/// An open repository and its working directory.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

impl std::fmt::Debug for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo").field("root", &self.root).finish()
    }
}

impl Repo {
    /// The repository containing `dir` (searching parent folders like git does).
    pub fn discover(dir: &Path) -> Result<Repo, GitError> {
        // libgit2 re-hashes every object it reads (git itself does not): on a PR of hundreds of
        // files that is a SHA-1 of every blob version of every delta chain, for nothing, since
        // prcov only reads.
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(dir).map_err(|e| open_error(dir, &e))?;
        // A bare repository has no working directory; its git dir stands in as the root.
        let root = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        Ok(Repo { repo, root })
    }

    /// The working directory (the repository root paths are relative to).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Those of `paths` (inside the working directory) that are in git's index: committed or
    /// staged files. Unreadable index: none.
    pub fn tracked<'p>(&self, paths: &'p [PathBuf]) -> Vec<&'p Path> {
        let Ok(index) = self.repo.index() else {
            return Vec::new();
        };
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        paths
            .iter()
            .filter(|p| {
                let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
                abs.strip_prefix(&root)
                    .is_ok_and(|rel| index.get_path(rel, 0).is_some())
            })
            .map(PathBuf::as_path)
            .collect()
    }

    /// The full sha of the commit `rev` names: a branch, remote branch, tag, `HEAD~2`, short sha…
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        self.resolve_oid(rev).map(|oid| oid.to_string())
    }

    fn resolve_oid(&self, rev: &str) -> Result<Oid, GitError> {
        let unknown = || GitError::UnknownRevision {
            rev: rev.to_owned(),
            repo: self.root.clone(),
        };
        let object = self.repo.revparse_single(rev).map_err(|_| unknown())?;
        let commit = object.peel_to_commit().map_err(|_| unknown())?;
        Ok(commit.id())
    }

    /// The local stand-in for the PR base: `origin/HEAD`'s target, else the first of
    /// `origin/main`, `origin/master`, `main`, `master` that exists.
    pub fn default_base(&self) -> Result<String, GitError> {
        let mut tried = Vec::new();
        tried.push("origin/HEAD".to_owned());
        if let Ok(head) = self.repo.find_reference("refs/remotes/origin/HEAD") {
            if let Ok(Some(target)) = head.symbolic_target() {
                let name = target.strip_prefix("refs/remotes/").unwrap_or(target);
                if self.resolve_oid(target).is_ok() {
                    return Ok(name.to_owned());
                }
                tried.push(name.to_owned());
            } else if head.target().is_some() {
                // A detached origin/HEAD (rare, but git allows it) still names a commit.
                return Ok("origin/HEAD".to_owned());
            }
        }
        for candidate in DEFAULT_BASE_CANDIDATES {
            if self.resolve_oid(candidate).is_ok() {
                return Ok(candidate.to_owned());
            }
            tried.push(candidate.to_owned());
        }
        Err(GitError::NoDefaultBase { tried })
    }

    /// The change `merge-base(base, head)..head`, or `merge-base(base, HEAD)..working tree`
    /// (index and untracked, non-ignored files included) when `worktree` is set.
    pub fn change_set(
        &self,
        base_rev: &str,
        head_rev: &str,
        worktree: bool,
    ) -> Result<ChangeSet, GitError> {
        self.change_set_with(DiffEngine::Auto, base_rev, head_rev, worktree)
    }

    /// [`Repo::change_set`] computed by `engine` (the working tree is always read with git2).
    pub fn change_set_with(
        &self,
        engine: DiffEngine,
        base_rev: &str,
        head_rev: &str,
        worktree: bool,
    ) -> Result<ChangeSet, GitError> {
        let (merge_base, head) = self.endpoints(base_rev, head_rev, worktree)?;
        let (base, head_sha) = (merge_base.to_string(), head.to_string());
        let files = if worktree {
            diff::changed_files(&self.repo, merge_base, DiffTarget::Worktree)?
        } else {
            let by_program = match engine {
                DiffEngine::Libgit2 => None,
                DiffEngine::Auto if self.is_partial_clone() => None,
                DiffEngine::Auto | DiffEngine::Git => {
                    Some(program::changed_files(self.repo.path(), &base, &head_sha))
                }
            };
            match by_program {
                Some(Ok(files)) => files,
                Some(Err(program::Unavailable(why))) if engine == DiffEngine::Git => {
                    return Err(GitError::Other(why));
                }
                // No usable `git` here: git2 computes the same change.
                Some(Err(_)) | None => {
                    diff::changed_files(&self.repo, merge_base, DiffTarget::Commit(head))
                        .map_err(|e| self.explain_partial_clone(e))?
                }
            }
        };
        Ok(ChangeSet {
            base,
            head: head_sha,
            files,
        })
    }

    /// A blob missing from a partial clone: say why, and what to do without prcov fetching.
    fn explain_partial_clone(&self, error: GitError) -> GitError {
        match error {
            GitError::Other(message)
                if self.is_partial_clone() && message.contains("object not found") =>
            {
                GitError::Other(format!(
                    "{message}: {} is a partial clone (--filter) without the blobs of this \
                     change, and prcov does not fetch them; clone without --filter, or save \
                     the diff with `git diff BASE...HEAD > pr.diff` (git fetches what it needs) \
                     and pass --diff-file pr.diff",
                    self.root.display()
                ))
            }
            other => other,
        }
    }

    /// A partial clone (`--filter=blob:none`): its missing blobs are fetched on demand by the
    /// `git` program, which would be network access outside publishing.
    fn is_partial_clone(&self) -> bool {
        self.repo.config().is_ok_and(|config| {
            config.get_string("extensions.partialclone").is_ok()
                || config
                    .entries(Some(r"remote\..*\.promisor"))
                    .is_ok_and(|mut entries| {
                        let mut any = false;
                        while let Some(Ok(entry)) = entries.next() {
                            any |= entry.value().is_ok_and(|v| v == "true");
                        }
                        any
                    })
        })
    }

    /// The unified diff (with `context` lines) of the same comparison as [`Repo::change_set`],
    /// as git2 prints it: for `--print-diff`-style debugging, and to check the diff parser.
    pub fn unified_diff(
        &self,
        base_rev: &str,
        head_rev: &str,
        worktree: bool,
        context: u32,
    ) -> Result<String, GitError> {
        let (merge_base, head) = self.endpoints(base_rev, head_rev, worktree)?;
        let target = if worktree {
            DiffTarget::Worktree
        } else {
            DiffTarget::Commit(head)
        };
        diff::unified_text(&self.repo, merge_base, target, context)
    }

    /// Resolves both revisions and computes their merge-base, telling a shallow clone apart
    /// from unrelated histories.
    fn endpoints(
        &self,
        base_rev: &str,
        head_rev: &str,
        worktree: bool,
    ) -> Result<(Oid, Oid), GitError> {
        let shallow = |detail: String| GitError::ShallowClone {
            base: base_rev.to_owned(),
            head: head_rev.to_owned(),
            repo: self.root.clone(),
            detail,
        };
        let resolve = |rev: &str| {
            self.resolve_oid(rev).map_err(|e| {
                if self.repo.is_shallow() {
                    shallow(format!("`{rev}` is not in the fetched history"))
                } else {
                    e
                }
            })
        };
        let base = resolve(base_rev)?;
        let head = resolve(head_rev)?;
        if worktree {
            // The working tree sits on HEAD; comparing it with another head commit is meaningless.
            let current = self.resolve_oid("HEAD")?;
            if current != head {
                return Err(GitError::Other(format!(
                    "--worktree compares the working tree, which is on HEAD ({}), but the head is `{head_rev}` ({})",
                    short(current),
                    short(head)
                )));
            }
        }
        match self.repo.merge_base(base, head) {
            Ok(oid) => Ok((oid, head)),
            // libgit2 treats the commits at the shallow boundary as roots, so a cut history
            // shows up as "no merge-base"; only the shallow flag tells the two cases apart.
            Err(_) if self.repo.is_shallow() => Err(shallow(
                "the history up to their common ancestor is missing".to_owned(),
            )),
            Err(e) if e.code() == ErrorCode::NotFound && e.class() == git2::ErrorClass::Merge => {
                Err(GitError::NoMergeBase {
                    base: base_rev.to_owned(),
                    head: head_rev.to_owned(),
                })
            }
            Err(e) => Err(GitError::Other(format!(
                "failed to compute the merge-base of `{base_rev}` and `{head_rev}`: {}",
                e.message()
            ))),
        }
    }

    /// The hunks of the diff `base` → `head` (two commits, zero context), per head path.
    pub fn hunks(
        &self,
        base: &str,
        head: &str,
    ) -> Result<std::collections::HashMap<String, Vec<super::Hunk>>, GitError> {
        diff::hunks(&self.repo, self.resolve_oid(base)?, self.resolve_oid(head)?)
    }

    /// The committer time of `sha` (Unix seconds), `None` when it cannot be read. The sticky
    /// comment's sections compare heads by it.
    pub fn commit_time(&self, sha: &str) -> Option<i64> {
        let oid = self.resolve_oid(sha).ok()?;
        Some(self.repo.find_commit(oid).ok()?.time().seconds())
    }

    /// The checked-out branch's short name; `None` on a detached HEAD.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        head.shorthand().ok().map(str::to_owned)
    }

    /// `sha` and up to `max` of its first-parent ancestors, nearest first (where history looks
    /// for a baseline record). Stops early at a root commit or the edge of a shallow clone.
    pub fn first_parents(&self, sha: &str, max: usize) -> Result<Vec<String>, GitError> {
        let mut commit = self.repo.find_commit(self.resolve_oid(sha)?).map_err(|e| {
            GitError::Other(format!("failed to read commit {sha}: {}", e.message()))
        })?;
        let mut out = vec![commit.id().to_string()];
        while out.len() <= max {
            let Ok(parent) = commit.parent(0) else { break };
            out.push(parent.id().to_string());
            commit = parent;
        }
        Ok(out)
    }

    /// Every file (blob) path of the tree at `head_sha`, sorted and '/'-separated. Submodules
    /// are not files of this repository and are left out. Reads trees only, never blobs.
    pub fn tracked_files(&self, head_sha: &str) -> Result<Vec<String>, GitError> {
        let commit = self.resolve_oid(head_sha)?;
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| {
                GitError::Other(format!(
                    "failed to read the tree of {head_sha}: {}",
                    e.message()
                ))
            })?;
        // An explicit walk instead of `Tree::walk`: git2's walk aborts on a non-UTF-8 folder name.
        let mut files = Vec::new();
        let mut pending = vec![(String::new(), tree)];
        while let Some((dir, tree)) = pending.pop() {
            for entry in tree.iter() {
                let mut path = dir.clone();
                path.push_str(&String::from_utf8_lossy(entry.name_bytes()));
                match entry.kind() {
                    Some(ObjectType::Blob) => files.push(path),
                    Some(ObjectType::Tree) => {
                        let sub = self.repo.find_tree(entry.id()).map_err(|e| {
                            GitError::Other(format!(
                                "failed to read the tree of {path}: {}",
                                e.message()
                            ))
                        })?;
                        path.push('/');
                        pending.push((path, sub));
                    }
                    // Gitlinks (submodules) are commits of another repository.
                    _ => {}
                }
            }
        }
        // The stack walk visits folders in no useful order.
        files.sort_unstable();
        Ok(files)
    }

    /// The content of each of `paths` in the tree of commit `sha`, in order; `None` for a path
    /// the commit has no file at (or a folder or submodule). Reads the commit's tree once.
    pub fn files_at(&self, sha: &str, paths: &[&str]) -> Result<Vec<Option<Vec<u8>>>, GitError> {
        let commit = self.resolve_oid(sha)?;
        let failed = |what: &str, e: &git2::Error| {
            GitError::Other(format!(
                "failed to read {what} at {}: {}",
                short(commit),
                e.message()
            ))
        };
        let tree = self
            .repo
            .find_commit(commit)
            .and_then(|c| c.tree())
            .map_err(|e| failed("the tree", &e))?;
        paths
            .iter()
            .map(|path| {
                let entry = match tree.get_path(Path::new(path)) {
                    Ok(entry) => entry,
                    Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
                    Err(e) => return Err(failed(path, &e)),
                };
                if entry.kind() != Some(ObjectType::Blob) {
                    return Ok(None);
                }
                let blob = self
                    .repo
                    .find_blob(entry.id())
                    .map_err(|e| failed(path, &e))?;
                Ok(Some(blob.content().to_vec()))
            })
            .collect()
    }
}

/// Why `dir` could not be opened as (part of) a repository, with what to do about it.
fn open_error(dir: &Path, e: &git2::Error) -> GitError {
    match e.code() {
        ErrorCode::NotFound => GitError::NotARepo {
            path: dir.to_path_buf(),
        },
        // CI containers often run as another user than the one who checked out.
        ErrorCode::Owner => {
            // libgit2 names the repository root in quotes; safe.directory wants the root.
            let root = e
                .message()
                .split('\'')
                .nth(1)
                .map_or_else(|| dir.display().to_string(), str::to_owned);
            GitError::Other(format!(
                "the git repository at {root} belongs to another user; if it is yours to \
                 trust, run `git config --global --add safe.directory {root}` (or, in a \
                 container, run as the checkout's user)"
            ))
        }
        _ => GitError::Other(format!(
            "failed to open the git repository at {}: {}",
            dir.display(),
            e.message()
        )),
    }
}

fn short(oid: Oid) -> String {
    let mut s = oid.to_string();
    s.truncate(7);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A checkout owned by another user (a CI container running as root over a runner's
    /// checkout): the error names the repository root and the safe.directory command for it.
    #[test]
    fn a_repository_of_another_user_gets_the_safe_directory_hint() {
        let e = git2::Error::new(
            ErrorCode::Owner,
            git2::ErrorClass::Config,
            "repository path '/ci/checkout' is not owned by current user",
        );
        let message = open_error(Path::new("/ci/checkout/src"), &e).to_string();
        assert_eq!(
            message,
            "the git repository at /ci/checkout belongs to another user; if it is yours to trust, \
             run `git config --global --add safe.directory /ci/checkout` (or, in a container, \
             run as the checkout's user)"
        );
        let missing = git2::Error::new(ErrorCode::NotFound, git2::ErrorClass::Repository, "x");
        assert!(matches!(
            open_error(Path::new("/tmp"), &missing),
            GitError::NotARepo { .. }
        ));
    }
}
