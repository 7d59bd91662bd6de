//! The git stage against throwaway repositories built with git2. Every commit-to-commit change
//! set is computed twice, by the `git` program and by libgit2, and both must give the expected
//! files (the libgit2 path is the fallback where `git` cannot run).

use std::collections::BTreeMap;
use std::path::Path;

use git2::{FileMode, Oid, Repository, RepositoryInitOptions, Signature, Time};
use prcov::git::{ChangeSet, ChangedFile, DiffEngine, FileStatus, GitError, Repo};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

/// One tree entry of a test commit.
#[derive(Clone)]
enum Entry {
    File(Vec<u8>),
    Link(&'static str),
    Submodule(Oid),
}

fn file(text: &str) -> Entry {
    Entry::File(text.as_bytes().to_vec())
}

/// `first..=last` numbered lines "line N", each ending in a newline.
fn numbered(first: u32, last: u32) -> String {
    (first..=last).map(|n| format!("line {n}\n")).collect()
}

struct TestRepo {
    dir: TempDir,
    repo: Repository,
}

impl TestRepo {
    fn new() -> TestRepo {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_opts(
            dir.path(),
            RepositoryInitOptions::new().initial_head("main"),
        )
        .unwrap();
        TestRepo { dir, repo }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn open(&self) -> Repo {
        Repo::discover(self.path()).unwrap()
    }

    /// Commits exactly `files` (the whole tree) on `branch` with the given parents.
    fn commit(&self, branch: &str, parents: &[Oid], files: &[(&str, Entry)]) -> Oid {
        let tree = self.tree(files);
        let tree = self.repo.find_tree(tree).unwrap();
        let sig = Signature::new("Test", "test@example.com", &Time::new(1_700_000_000, 0)).unwrap();
        let parents: Vec<_> = parents
            .iter()
            .map(|p| self.repo.find_commit(*p).unwrap())
            .collect();
        let parents: Vec<_> = parents.iter().collect();
        self.repo
            .commit(
                Some(&format!("refs/heads/{branch}")),
                &sig,
                &sig,
                "test",
                &tree,
                &parents,
            )
            .unwrap()
    }

    /// Builds nested trees from '/'-separated paths.
    fn tree(&self, files: &[(&str, Entry)]) -> Oid {
        let mut here: Vec<(&str, Entry)> = Vec::new();
        let mut sub: BTreeMap<&str, Vec<(&str, Entry)>> = BTreeMap::new();
        for (path, entry) in files {
            match path.split_once('/') {
                Some((dir, rest)) => sub.entry(dir).or_default().push((rest, entry.clone())),
                None => here.push((path, entry.clone())),
            }
        }
        let mut builder = self.repo.treebuilder(None).unwrap();
        for (name, entry) in here {
            let (oid, mode) = match entry {
                Entry::File(bytes) => (self.repo.blob(&bytes).unwrap(), FileMode::Blob),
                Entry::Link(target) => (self.repo.blob(target.as_bytes()).unwrap(), FileMode::Link),
                Entry::Submodule(oid) => (oid, FileMode::Commit),
            };
            builder.insert(name, oid, mode.into()).unwrap();
        }
        for (dir, entries) in sub {
            let oid = self.tree(&entries);
            builder.insert(dir, oid, FileMode::Tree.into()).unwrap();
        }
        builder.write().unwrap()
    }

    fn set_ref(&self, name: &str, oid: Oid) {
        self.repo.reference(name, oid, true, "test").unwrap();
    }

    /// Points HEAD at `branch` and makes the working tree and index match it.
    fn checkout(&self, branch: &str) {
        self.repo.set_head(&format!("refs/heads/{branch}")).unwrap();
        self.repo
            .checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
            .unwrap();
    }
}

fn changed(path: &str, status: FileStatus, lines: &[u32]) -> ChangedFile {
    ChangedFile {
        path: path.to_owned(),
        old_path: None,
        status,
        binary: false,
        added_lines: lines.to_vec(),
    }
}

fn moved(path: &str, old: &str, status: FileStatus, lines: &[u32]) -> ChangedFile {
    ChangedFile {
        old_path: Some(old.to_owned()),
        ..changed(path, status, lines)
    }
}

fn binary(path: &str, status: FileStatus) -> ChangedFile {
    ChangedFile {
        binary: true,
        ..changed(path, status, &[])
    }
}

/// The change set of two commits by the `git` program and by libgit2, which must be equal.
fn both_engines(repo: &Repo, base: &str, head: &str) -> ChangeSet {
    let by_git = repo
        .change_set_with(DiffEngine::Git, base, head, false)
        .unwrap();
    let by_libgit2 = repo
        .change_set_with(DiffEngine::Libgit2, base, head, false)
        .unwrap();
    assert_eq!(
        by_git, by_libgit2,
        "git (left) and libgit2 (right) disagree"
    );
    by_git
}

/// The unified diff git2 prints for the same comparison must parse into the same files.
fn assert_text_agrees(repo: &Repo, base: &str, head: &str, worktree: bool, expected: &ChangeSet) {
    for context in [0, 3] {
        let text = repo.unified_diff(base, head, worktree, context).unwrap();
        let parsed = ChangeSet::from_unified_diff(&text).unwrap();
        assert_eq!(
            parsed.files, expected.files,
            "context {context}, diff:\n{text}"
        );
        assert_eq!(parsed.base, "unknown");
    }
}

#[test]
fn modified_file_lines_at_start_middle_and_end_without_trailing_newline() {
    let t = TestRepo::new();
    let base_text = (1..=10)
        .map(|n| format!("l{n}"))
        .collect::<Vec<_>>()
        .join("\n");
    let head_text = "new0\nl1\nl2\nl3\nl4\nL5\nl6\nl7\nl8\nl9\nl10\nl11";
    let base = t.commit("main", &[], &[("src/a.rs", file(&base_text))]);
    let head = t.commit("feature", &[base], &[("src/a.rs", file(head_text))]);
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(cs.base, base.to_string());
    assert_eq!(cs.head, head.to_string());
    // l10 gained a newline, so it is re-added along with l11 (as `git diff` shows it).
    assert_eq!(
        cs.files,
        vec![changed("src/a.rs", FileStatus::Modified, &[1, 6, 11, 12])]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn added_deleted_and_binary_files() {
    let t = TestRepo::new();
    let base = t.commit(
        "main",
        &[],
        &[
            ("gone.py", file(&numbered(1, 4))),
            ("img.png", Entry::File(b"\x89PNG\0\0\x01".to_vec())),
            ("keep.txt", file("same\n")),
        ],
    );
    t.commit(
        "feature",
        &[base],
        &[
            ("img.png", Entry::File(b"\x89PNG\0\0\x02".to_vec())),
            ("keep.txt", file("same\n")),
            ("new.py", file("a\nb\nc\n")),
            ("new.bin", Entry::File(b"\0\x01\x02".to_vec())),
        ],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("gone.py", FileStatus::Deleted, &[]),
            binary("img.png", FileStatus::Modified),
            binary("new.bin", FileStatus::Added),
            changed("new.py", FileStatus::Added, &[1, 2, 3]),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn rename_with_edits_keeps_only_edited_lines() {
    let t = TestRepo::new();
    let original = numbered(1, 20);
    let edited = original
        .replace("line 3\n", "line three\n")
        .replace("line 17\n", "line seventeen\n");
    let base = t.commit("main", &[], &[("old/name.rs", file(&original))]);
    t.commit("feature", &[base], &[("new/name.rs", file(&edited))]);
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![moved(
            "new/name.rs",
            "old/name.rs",
            FileStatus::Renamed,
            &[3, 17]
        )]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

/// Ten lines, the first `changed` of them replaced by longer ones (as in the comparison with
/// `git diff --numstat -M` of the same files: git pairs at k ≤ 4, not at k = 5).
fn boundary_pair(changed: usize) -> (String, String) {
    let line = |i: usize, tag: &str| format!("n10k5 {tag} {i}\n");
    let old: String = (1..=10).map(|i| line(i, "line")).collect();
    let new: String = (1..=10)
        .map(|i| line(i, if i <= changed { "CHANGED" } else { "line" }))
        .collect();
    (old, new)
}

#[test]
fn rename_at_the_threshold_follows_gits_score_not_libgit2s() {
    let t = TestRepo::new();
    let (old4, new4) = boundary_pair(4);
    let (old5, new5) = boundary_pair(5);
    let old5 = old5.replace("n10k5", "other");
    let new5 = new5.replace("n10k5", "other");
    let base = t.commit(
        "main",
        &[],
        &[("a4.txt", file(&old4)), ("a5.txt", file(&old5))],
    );
    t.commit(
        "feature",
        &[base],
        &[("b4.txt", file(&new4)), ("b5.txt", file(&new5))],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("a5.txt", FileStatus::Deleted, &[]),
            moved("b4.txt", "a4.txt", FileStatus::Renamed, &[1, 2, 3, 4]),
            changed("b5.txt", FileStatus::Added, &(1..=10).collect::<Vec<_>>()),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn copy_below_gits_threshold_is_an_addition() {
    let t = TestRepo::new();
    let (old, copy) = boundary_pair(5);
    let base = t.commit("main", &[], &[("src.txt", file(&old))]);
    let modified = old.replace("line 10", "line ten");
    t.commit(
        "feature",
        &[base],
        &[("src.txt", file(&modified)), ("dup.txt", file(&copy))],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("dup.txt", FileStatus::Added, &(1..=10).collect::<Vec<_>>()),
            changed("src.txt", FileStatus::Modified, &[10]),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn pure_rename_has_no_added_lines() {
    let t = TestRepo::new();
    let base = t.commit("main", &[], &[("a.txt", file(&numbered(1, 5)))]);
    t.commit("feature", &[base], &[("b.txt", file(&numbered(1, 5)))]);
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![moved("b.txt", "a.txt", FileStatus::Renamed, &[])]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn rename_below_half_similarity_is_delete_plus_add() {
    let t = TestRepo::new();
    let original = numbered(1, 10);
    // 7 of 10 lines rewritten: 30 % similar.
    let rewritten: String = (1..=10)
        .map(|n| {
            if n <= 7 {
                format!("other {n}\n")
            } else {
                format!("line {n}\n")
            }
        })
        .collect();
    let base = t.commit("main", &[], &[("a.txt", file(&original))]);
    t.commit("feature", &[base], &[("b.txt", file(&rewritten))]);
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("a.txt", FileStatus::Deleted, &[]),
            changed("b.txt", FileStatus::Added, &(1..=10).collect::<Vec<_>>()),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn copy_of_a_modified_file_is_an_addition_like_git_diff() {
    let t = TestRepo::new();
    let original = numbered(1, 20);
    let base = t.commit("main", &[], &[("lib/a.py", file(&original))]);
    let a_edited = original.replace("line 1\n", "line one\n");
    let copy_edited = original.replace("line 10\n", "line ten\n");
    t.commit(
        "feature",
        &[base],
        &[
            ("lib/a.py", file(&a_edited)),
            ("lib/b.py", file(&copy_edited)),
        ],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("lib/a.py", FileStatus::Modified, &[1]),
            // `git diff` (no -C), code hosts and diff-cover show a copy as a new file.
            changed("lib/b.py", FileStatus::Added, &(1..=20).collect::<Vec<_>>()),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn copy_of_an_unmodified_file_is_an_addition_like_git_diff_c() {
    let t = TestRepo::new();
    let original = numbered(1, 6);
    let base = t.commit("main", &[], &[("a.txt", file(&original))]);
    t.commit(
        "feature",
        &[base],
        &[("a.txt", file(&original)), ("b.txt", file(&original))],
    );
    let cs = both_engines(&t.open(), "main", "feature");
    assert_eq!(
        cs.files,
        vec![changed("b.txt", FileStatus::Added, &[1, 2, 3, 4, 5, 6])]
    );
}

#[test]
fn merge_base_is_used_not_the_moved_on_base_tip() {
    let t = TestRepo::new();
    let a = t.commit("main", &[], &[("shared.txt", file(&numbered(1, 3)))]);
    // main moves on after the branch point…
    t.commit(
        "main",
        &[a],
        &[
            ("shared.txt", file(&numbered(1, 4))),
            ("main_only.txt", file("m\n")),
        ],
    );
    // …while the feature branch changes something else.
    let c = t.commit(
        "feature",
        &[a],
        &[
            ("shared.txt", file(&numbered(1, 3))),
            ("feature.txt", file("f1\nf2\n")),
        ],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(cs.base, a.to_string());
    assert_eq!(cs.head, c.to_string());
    assert_eq!(
        cs.files,
        vec![changed("feature.txt", FileStatus::Added, &[1, 2])]
    );
}

#[test]
fn worktree_includes_index_unstaged_and_untracked_but_not_ignored() {
    let t = TestRepo::new();
    let a = t.commit(
        "main",
        &[],
        &[
            (".gitignore", file("*.log\n")),
            ("src/m.rs", file(&numbered(1, 5))),
        ],
    );
    t.commit(
        "feature",
        &[a],
        &[
            (".gitignore", file("*.log\n")),
            ("src/m.rs", file(&numbered(1, 6))),
            ("src/staged.rs", file("old\n")),
        ],
    );
    t.checkout("feature");
    // Unstaged edit, a staged change, an untracked file in a new folder, an ignored file.
    std::fs::write(
        t.path().join("src/m.rs"),
        numbered(1, 6).replace("line 2\n", "line two\n"),
    )
    .unwrap();
    std::fs::write(t.path().join("src/staged.rs"), "old\nstaged\n").unwrap();
    let mut index = t.repo.index().unwrap();
    index.add_path(Path::new("src/staged.rs")).unwrap();
    index.write().unwrap();
    std::fs::create_dir_all(t.path().join("new/dir")).unwrap();
    std::fs::write(t.path().join("new/dir/u.rs"), "u1\nu2\n").unwrap();
    std::fs::write(t.path().join("debug.log"), "ignored\n").unwrap();

    let repo = t.open();
    let cs = repo.change_set("main", "HEAD", true).unwrap();
    assert_eq!(cs.base, a.to_string());
    assert_eq!(
        cs.files,
        vec![
            changed("new/dir/u.rs", FileStatus::Added, &[1, 2]),
            changed("src/m.rs", FileStatus::Modified, &[2, 6]),
            changed("src/staged.rs", FileStatus::Added, &[1, 2]),
        ]
    );
    assert_text_agrees(&repo, "main", "HEAD", true, &cs);

    // Without --worktree the same call sees only the commit.
    let committed = both_engines(&repo, "main", "HEAD");
    assert_eq!(
        committed.files,
        vec![
            changed("src/m.rs", FileStatus::Modified, &[6]),
            changed("src/staged.rs", FileStatus::Added, &[1]),
        ]
    );
}

#[test]
fn worktree_with_another_head_is_refused() {
    let t = TestRepo::new();
    let a = t.commit("main", &[], &[("x", file("1\n"))]);
    t.commit("feature", &[a], &[("x", file("2\n"))]);
    t.checkout("main");
    let err = t.open().change_set("main", "feature", true).unwrap_err();
    assert!(err.to_string().contains("--worktree"), "{err}");
}

#[test]
fn type_changes_and_submodules() {
    let t = TestRepo::new();
    let sub = t.commit("other", &[], &[("s", file("s\n"))]);
    let base = t.commit(
        "main",
        &[],
        &[
            ("to_link", file("a\nb\n")),
            ("to_file", Entry::Link("target")),
            ("t", file("t\n")),
        ],
    );
    t.commit(
        "feature",
        &[base],
        &[
            ("to_link", Entry::Link("t")),
            ("to_file", file("x\ny\n")),
            ("t", file("t\n")),
            ("vendor/lib", Entry::Submodule(sub)),
            ("new_link", Entry::Link("t")),
        ],
    );
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("new_link", FileStatus::Added, &[]),
            changed("to_file", FileStatus::Modified, &[1, 2]),
            changed("to_link", FileStatus::Modified, &[]),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn quoted_and_non_utf8_paths() {
    let t = TestRepo::new();
    let base = t.commit("main", &[], &[("keep", file("k\n"))]);
    // A non-UTF-8 name can only be made with a tree builder.
    let blob = t.repo.blob(b"x\ny\n").unwrap();
    let mut builder = t.repo.treebuilder(None).unwrap();
    builder
        .insert(&b"caf\xe9.txt"[..], blob, FileMode::Blob.into())
        .unwrap();
    builder
        .insert("keep", t.repo.blob(b"k\n").unwrap(), FileMode::Blob.into())
        .unwrap();
    builder
        .insert("sp ace \"q\"\tü.md", blob, FileMode::Blob.into())
        .unwrap();
    let tree = t.repo.find_tree(builder.write().unwrap()).unwrap();
    let sig = Signature::new("T", "t@e", &Time::new(0, 0)).unwrap();
    let parent = t.repo.find_commit(base).unwrap();
    t.repo
        .commit(
            Some("refs/heads/feature"),
            &sig,
            &sig,
            "m",
            &tree,
            &[&parent],
        )
        .unwrap();
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(
        cs.files,
        vec![
            changed("caf\u{fffd}.txt", FileStatus::Added, &[1, 2]),
            changed("sp ace \"q\"\tü.md", FileStatus::Added, &[1, 2]),
        ]
    );
    assert_text_agrees(&repo, "main", "feature", false, &cs);
    let head = repo.resolve("feature").unwrap();
    assert_eq!(
        repo.tracked_files(&head).unwrap(),
        vec!["caf\u{fffd}.txt", "keep", "sp ace \"q\"\tü.md"]
    );
}

#[test]
fn resolve_accepts_what_git_accepts_and_names_unknown_revisions() {
    let t = TestRepo::new();
    let a = t.commit("main", &[], &[("x", file("1\n"))]);
    let b = t.commit("main", &[a], &[("x", file("2\n"))]);
    let c = t.commit("main", &[b], &[("x", file("3\n"))]);
    t.set_ref("refs/remotes/origin/main", b);
    t.repo
        .tag_lightweight("v1", &t.repo.find_object(a, None).unwrap(), false)
        .unwrap();
    let sig = Signature::new("T", "t@e", &Time::new(0, 0)).unwrap();
    t.repo
        .tag(
            "v2",
            &t.repo.find_object(b, None).unwrap(),
            &sig,
            "annotated",
            false,
        )
        .unwrap();
    t.checkout("main");
    let repo = t.open();
    let short = &c.to_string()[..8];
    for (rev, want) in [
        ("main", c),
        ("HEAD", c),
        ("HEAD~2", a),
        ("origin/main", b),
        ("v1", a),
        ("v2", b),
        (short, c),
    ] {
        assert_eq!(repo.resolve(rev).unwrap(), want.to_string(), "{rev}");
    }
    match repo.resolve("no-such-branch") {
        Err(GitError::UnknownRevision { rev, .. }) => assert_eq!(rev, "no-such-branch"),
        other => panic!("expected UnknownRevision, got {other:?}"),
    }
    assert!(matches!(
        repo.change_set("nope", "main", false),
        Err(GitError::UnknownRevision { rev, .. }) if rev == "nope"
    ));
}

#[test]
fn discover_finds_the_root_from_a_subfolder_and_rejects_non_repos() {
    let t = TestRepo::new();
    t.commit("main", &[], &[("x", file("1\n"))]);
    std::fs::create_dir_all(t.path().join("deep/er")).unwrap();
    let repo = Repo::discover(&t.path().join("deep/er")).unwrap();
    assert_eq!(
        repo.root().canonicalize().unwrap(),
        t.path().canonicalize().unwrap()
    );

    let plain = tempfile::tempdir().unwrap();
    match Repo::discover(plain.path()) {
        Err(GitError::NotARepo { path }) => assert_eq!(path, plain.path()),
        other => panic!("expected NotARepo, got {other:?}"),
    }
}

/// Main A–B and feature A–C, then cut like `git clone --depth 1` of both tips: B and C listed in
/// `.git/shallow`, A's object gone.
fn shallow_repo() -> (TestRepo, Oid) {
    let t = TestRepo::new();
    let a = t.commit("main", &[], &[("x", file("1\n"))]);
    let b = t.commit("main", &[a], &[("x", file("2\n"))]);
    let c = t.commit("feature", &[a], &[("x", file("1\n")), ("y", file("y\n"))]);
    std::fs::write(t.repo.path().join("shallow"), format!("{b}\n{c}\n")).unwrap();
    let hex = a.to_string();
    let loose = t
        .repo
        .path()
        .join("objects")
        .join(&hex[..2])
        .join(&hex[2..]);
    std::fs::remove_file(&loose).unwrap();
    (t, a)
}

#[test]
fn shallow_clone_without_the_merge_base_says_to_fetch_history() {
    let (t, a) = shallow_repo();
    let repo = t.open();
    let err = repo.change_set("main", "feature", false).unwrap_err();
    assert!(matches!(err, GitError::ShallowClone { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("shallow clone"), "{msg}");
    assert!(msg.contains("fetch-depth: 0"), "{msg}");
    assert!(msg.contains("git fetch --unshallow"), "{msg}");

    // A base sha that was never fetched (the PR base from the CI event) gets the same advice.
    let err = repo
        .change_set(&a.to_string(), "feature", false)
        .unwrap_err();
    assert!(matches!(err, GitError::ShallowClone { .. }), "{err:?}");
    assert!(
        err.to_string().contains("is not in the fetched history"),
        "{err}"
    );
}

#[test]
fn unrelated_histories_in_a_full_clone() {
    let t = TestRepo::new();
    t.commit("main", &[], &[("x", file("1\n"))]);
    t.commit("orphan", &[], &[("y", file("1\n"))]);
    let err = t.open().change_set("main", "orphan", false).unwrap_err();
    assert!(matches!(err, GitError::NoMergeBase { .. }), "{err:?}");
    assert!(err.to_string().contains("no common ancestor"), "{err}");
}

#[test]
fn default_base_fallbacks() {
    let t = TestRepo::new();
    let a = t.commit("trunk", &[], &[("x", file("1\n"))]);
    let repo = t.open();
    match repo.default_base() {
        Err(GitError::NoDefaultBase { tried }) => assert_eq!(
            tried,
            vec![
                "origin/HEAD",
                "origin/main",
                "origin/master",
                "main",
                "master"
            ]
        ),
        other => panic!("expected NoDefaultBase, got {other:?}"),
    }
    assert!(repo
        .default_base()
        .unwrap_err()
        .to_string()
        .contains("--base"));

    t.set_ref("refs/heads/master", a);
    assert_eq!(t.open().default_base().unwrap(), "master");
    t.set_ref("refs/heads/main", a);
    assert_eq!(t.open().default_base().unwrap(), "main");
    t.set_ref("refs/remotes/origin/master", a);
    assert_eq!(t.open().default_base().unwrap(), "origin/master");
    t.set_ref("refs/remotes/origin/main", a);
    assert_eq!(t.open().default_base().unwrap(), "origin/main");
    t.set_ref("refs/remotes/origin/develop", a);
    t.repo
        .reference_symbolic(
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/develop",
            true,
            "test",
        )
        .unwrap();
    assert_eq!(t.open().default_base().unwrap(), "origin/develop");
    // A dangling origin/HEAD falls through to the list.
    t.repo
        .reference_symbolic(
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/gone",
            true,
            "test",
        )
        .unwrap();
    assert_eq!(t.open().default_base().unwrap(), "origin/main");
}

#[test]
fn tracked_files_are_sorted_blob_paths_without_submodules() {
    let t = TestRepo::new();
    let sub = t.commit("other", &[], &[("s", file("s\n"))]);
    let head = t.commit(
        "main",
        &[],
        &[
            ("src/z.rs", file("z\n")),
            ("src/a/b.rs", file("b\n")),
            ("src.rs", file("s\n")),
            ("README.md", file("r\n")),
            ("link", Entry::Link("README.md")),
            ("ext/sub", Entry::Submodule(sub)),
        ],
    );
    let files = t.open().tracked_files(&head.to_string()).unwrap();
    assert_eq!(
        files,
        vec!["README.md", "link", "src.rs", "src/a/b.rs", "src/z.rs"]
    );
}

#[test]
fn many_files_in_one_change() {
    // A broad change: 120 new files of 50 lines and 30 renamed ones, all tracked exactly.
    let t = TestRepo::new();
    let originals: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("old/f{i}.c"),
                (0..40).map(|l| format!("int v{i}_{l};\n")).collect(),
            )
        })
        .collect();
    let base_files: Vec<(&str, Entry)> = originals
        .iter()
        .map(|(p, c)| (p.as_str(), file(c)))
        .collect();
    let base = t.commit("main", &[], &base_files);
    let news: Vec<(String, String)> = (0..120)
        .map(|i| {
            (
                format!("gen/n{i:03}.c"),
                (0..50).map(|l| format!("int n{i}_{l};\n")).collect(),
            )
        })
        .collect();
    let renamed: Vec<(String, String)> = originals
        .iter()
        .map(|(p, c)| (p.replace("old/", "moved/"), c.replace("_0;", "_zero;")))
        .collect();
    let head_files: Vec<(&str, Entry)> = news
        .iter()
        .chain(renamed.iter())
        .map(|(p, c)| (p.as_str(), file(c)))
        .collect();
    t.commit("feature", &[base], &head_files);
    let repo = t.open();
    let cs = both_engines(&repo, "main", "feature");
    assert_eq!(cs.files.len(), 150);
    let added: Vec<_> = cs
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Added)
        .collect();
    assert_eq!(added.len(), 120);
    assert!(added
        .iter()
        .all(|f| f.added_lines == (1..=50).collect::<Vec<_>>()));
    let renames: Vec<_> = cs
        .files
        .iter()
        .filter(|f| f.status == FileStatus::Renamed)
        .collect();
    assert_eq!(renames.len(), 30);
    assert!(renames.iter().all(|f| f.added_lines == [1]
        && f.old_path.as_deref() == Some(&f.path.replace("moved/", "old/"))));
    assert_text_agrees(&repo, "main", "feature", false, &cs);
}

#[test]
fn saved_git_diff_fixture() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diffs/git-diff-M-C.patch");
    let cs = ChangeSet::read_diff_file(&path).unwrap();
    assert_eq!((cs.base.as_str(), cs.head.as_str()), ("unknown", "unknown"));
    assert_eq!(
        cs.files,
        vec![
            moved("copy.py", "src.py", FileStatus::Copied, &[10]),
            changed("empty.txt", FileStatus::Added, &[]),
            changed("gone.txt", FileStatus::Deleted, &[]),
            changed("héllo wörld.md", FileStatus::Added, &[1]),
            binary("img.png", FileStatus::Modified),
            moved("moved.txt", "ren.txt", FileStatus::Renamed, &[3, 17]),
            changed("nonl.txt", FileStatus::Modified, &[2, 3, 4]),
            changed("run.sh", FileStatus::Added, &[1, 2]),
            changed("sp ace.txt", FileStatus::Modified, &[3, 6]),
            changed("src.py", FileStatus::Modified, &[1]),
            changed("tolink", FileStatus::Modified, &[]),
            changed("weak.txt", FileStatus::Deleted, &[]),
            changed(
                "weak2.txt",
                FileStatus::Added,
                &(1..=10).collect::<Vec<_>>()
            ),
        ]
    );
    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/diffs/no-such.patch");
    let err = ChangeSet::read_diff_file(&missing).unwrap_err();
    assert!(
        err.to_string().starts_with("failed to read diff file "),
        "{err}"
    );
    assert!(err.to_string().contains("no-such.patch"), "{err}");
}

#[test]
fn over_the_rename_limit_only_exact_renames_are_found() {
    let t = TestRepo::new();
    let base = t.commit(
        "main",
        &[],
        &[
            ("exact.txt", file(&numbered(1, 8))),
            ("edited.txt", file(&numbered(11, 18))),
        ],
    );
    let edited = numbered(11, 18).replace("line 11\n", "line eleven\n");
    t.commit(
        "feature",
        &[base],
        &[
            ("exact2.txt", file(&numbered(1, 8))),
            ("edited2.txt", file(&edited)),
        ],
    );
    let expected_inexact = moved("edited2.txt", "edited.txt", FileStatus::Renamed, &[1]);
    let cs = both_engines(&t.open(), "main", "feature");
    assert!(cs.files.contains(&expected_inexact), "{:?}", cs.files);

    // Left after the exact rename: 1 source × 1 destination, within a limit of 1.
    t.repo
        .config()
        .unwrap()
        .set_i64("diff.renameLimit", 1)
        .unwrap();
    let cs = both_engines(&t.open(), "main", "feature");
    assert!(cs.files.contains(&expected_inexact), "{:?}", cs.files);

    // A second inexact pair: 2 sources × 2 destinations > 1², so git only finds exact renames.
    let edited_b = numbered(21, 28).replace("line 21\n", "line twenty-one\n");
    let base = t.commit(
        "main2",
        &[],
        &[
            ("exact.txt", file(&numbered(1, 8))),
            ("edited.txt", file(&numbered(11, 18))),
            ("other.txt", file(&numbered(21, 28))),
        ],
    );
    t.commit(
        "feature2",
        &[base],
        &[
            ("exact2.txt", file(&numbered(1, 8))),
            ("edited2.txt", file(&edited)),
            ("other2.txt", file(&edited_b)),
        ],
    );
    let cs = both_engines(&t.open(), "main2", "feature2");
    assert_eq!(
        cs.files,
        vec![
            changed("edited.txt", FileStatus::Deleted, &[]),
            changed(
                "edited2.txt",
                FileStatus::Added,
                &(1..=8).collect::<Vec<_>>()
            ),
            moved("exact2.txt", "exact.txt", FileStatus::Renamed, &[]),
            changed("other.txt", FileStatus::Deleted, &[]),
            changed(
                "other2.txt",
                FileStatus::Added,
                &(1..=8).collect::<Vec<_>>()
            ),
        ]
    );
}
