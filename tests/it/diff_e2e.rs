//! `prcov diff` and `prcov report` end to end: temporary git repositories with known changes, real
//! report files, the real binary.

use prcov::exit;
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

/// A throwaway repository driven by the `git` CLI.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Self {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn git(&self, args: &[&str]) -> String {
        crate::common::git(self.path(), args)
    }
    fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }
    /// Writes a report outside the repository (as CI does, in another folder) and returns its path.
    fn report(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path().join("..").join(format!(
            "{}-{name}",
            self.path().file_name().unwrap().to_string_lossy()
        ));
        std::fs::write(&p, text).unwrap();
        p
    }
}

fn lines(n: usize) -> String {
    (1..=n).map(|i| format!("line {i}\n")).collect()
}

/// Content unlike any other file's, so rename and copy detection leave it alone.
fn unique(tag: &str, n: usize) -> String {
    (1..=n)
        .map(|i| format!("{tag} statement number {i} of {n}\n"))
        .collect()
}

fn prcov(repo: &Repo) -> Command {
    let mut c = crate::common::prcov();
    c.current_dir(repo.path());
    c
}

use crate::common::json_of;

/// The JSON of a run that must succeed (exit 0), with its stderr in the failure message.
fn ok_json(out: &std::process::Output) -> Value {
    crate::common::expect_exit(out, exit::SUCCESS);
    json_of(out)
}

fn ints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// A repository with every kind of change: modified, added, deleted, renamed with edits,
/// binary, a changed file no report mentions, and changed lines without coverage records.
fn scenario() -> (Repo, PathBuf) {
    let r = Repo::new();
    r.write("src/calc.c", &lines(20));
    r.write("src/old_name.c", &lines(30));
    r.write("src/gone.c", &lines(5));
    r.write("docs/guide.md", "# guide\n");
    r.write("assets/logo.bin", "\u{0}\u{1}\u{2}");
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    // Modified: lines 5, 6 and 7 replaced, line 21 appended.
    let mut calc: Vec<String> = (1..=20).map(|i| format!("line {i}")).collect();
    for i in [4, 5, 6] {
        calc[i] = format!("changed {}", i + 1);
    }
    calc.push("line 21".into());
    r.write("src/calc.c", &(calc.join("\n") + "\n"));
    // Added.
    r.write("src/new.c", &unique("new", 4));
    // Deleted.
    std::fs::remove_file(r.path().join("src/gone.c")).unwrap();
    // Renamed with one edited line (line 10).
    let mut renamed: Vec<String> = (1..=30).map(|i| format!("line {i}")).collect();
    renamed[9] = "edited 10".into();
    std::fs::remove_file(r.path().join("src/old_name.c")).unwrap();
    r.write("src/new_name.c", &(renamed.join("\n") + "\n"));
    // Binary and not measured.
    r.write("assets/logo.bin", "\u{0}\u{3}\u{4}\u{5}");
    r.write("docs/guide.md", "# guide\n\nmore\n");
    r.commit("feature");
    // The report: absolute paths from another checkout, as CI writes them.
    let lcov = "\
TN:
SF:/build/checkout/src/calc.c
DA:4,1
DA:5,3
DA:6,0
DA:7,2
BRDA:7,0,0,1
BRDA:7,0,1,0
DA:21,1
end_of_record
SF:/build/checkout/src/new.c
DA:1,1
DA:2,0
DA:4,1
end_of_record
SF:/build/checkout/src/new_name.c
DA:10,0
DA:11,1
end_of_record
SF:/build/checkout/src/gone.c
DA:1,1
end_of_record
SF:/elsewhere/vendor/lib.c
DA:1,1
end_of_record
";
    let report = r.report("lcov.info", lcov);
    (r, report)
}

#[test]
fn diff_counts_every_kind_of_change() {
    let (r, report) = scenario();
    let out = prcov(&r)
        .args(["diff", "--base", "main", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    let j = ok_json(&out);
    assert_eq!(j["schema"], 2);
    assert_eq!(j["base"].as_str().unwrap(), r.git(&["rev-parse", "main"]));
    assert_eq!(
        j["head"].as_str().unwrap(),
        r.git(&["rev-parse", "feature"])
    );
    // calc.c: 5 hit, 6 miss, 7 partial, 21 hit; new.c: 1 hit, 2 miss, 4 hit (3 has no record);
    // new_name.c: only line 10 was edited → miss (11 is not an added line).
    assert_eq!(j["patch"]["lines"], 8);
    assert_eq!(j["patch"]["hits"], 4);
    assert_eq!(j["patch"]["misses"], 3);
    assert_eq!(j["patch"]["partials"], 1);
    assert_eq!(j["patch"]["percent"], 50.0);
    let files = j["files"].as_array().unwrap();
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["src/calc.c", "src/new.c", "src/new_name.c"]);
    assert_eq!(files[0]["status"], "modified");
    assert_eq!(ints(&files[0]["hit_lines"]), [5, 21]);
    assert_eq!(ints(&files[0]["missed_lines"]), [6]);
    assert_eq!(ints(&files[0]["partial_lines"]), [7]);
    assert_eq!(files[1]["status"], "added");
    assert_eq!(ints(&files[1]["hit_lines"]), [1, 4]);
    assert_eq!(files[2]["status"], "renamed");
    assert_eq!(files[2]["old_path"], "src/old_name.c");
    assert_eq!(ints(&files[2]["missed_lines"]), [10]);
    // Deleted and binary files contribute nothing; docs/guide.md is documentation, which no
    // coverage tool instruments: not listed as "not measured" (issue 12, item 5).
    assert_eq!(j["not_measured"], serde_json::json!([]));
    // gone.c no longer exists at head, lib.c never did: both are unmatched, never silently dropped.
    assert_eq!(
        j["unmatched_report_paths"],
        serde_json::json!(["/build/checkout/src/gone.c", "/elsewhere/vendor/lib.c"])
    );
    // Project: calc 4,5,7,21 ran (7 partial), 6 missed; new.c 2 of 3; new_name.c 1 of 2.
    assert_eq!(j["project"]["lines"], 10);
    assert_eq!(j["project"]["hits"], 6);
    assert_eq!(j["project"]["partials"], 1);
    assert_eq!(j["project"]["misses"], 3);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("using coverage report"),
        "named reports are not announced: {stderr}"
    );
}

#[test]
fn gates_decide_the_exit_code() {
    let (r, report) = scenario();
    let run = |extra: &[&str]| {
        let out = prcov(&r)
            .args(["diff", "--base", "main", "--format", "json"])
            .args(extra)
            .arg(&report)
            .output()
            .unwrap();
        (out.status.code(), json_of(&out))
    };
    let (code, j) = run(&["--fail-under-patch", "50"]);
    assert_eq!(code, Some(i32::from(exit::SUCCESS)));
    assert_eq!(
        j["gates"],
        serde_json::json!([{"name": "patch", "target": 50.0, "actual": 50.0, "passed": true}])
    );
    let (code, j) = run(&["--fail-under-patch", "50.01"]);
    assert_eq!(code, Some(i32::from(exit::GATE_FAILED)));
    assert_eq!(j["gates"][0]["passed"], false);
    let (code, _) = run(&["--fail-under-patch", "60", "--threshold", "10"]);
    assert_eq!(
        code,
        Some(i32::from(exit::SUCCESS)),
        "a miss within the threshold passes"
    );
    let (code, j) = run(&["--fail-under-patch", "60", "--partials-as-hits"]);
    assert_eq!(
        code,
        Some(i32::from(exit::SUCCESS)),
        "5 of 8 = 62.5% with partials as hits"
    );
    assert_eq!(j["patch"]["hits"], 5);
    let (code, j) = run(&["--fail-on-unmatched"]);
    assert_eq!(code, Some(i32::from(exit::GATE_FAILED)));
    assert_eq!(j["gates"][0]["name"], "unmatched");
    assert_eq!(j["gates"][0]["actual"], 2.0);
    let (code, j) = run(&["--fail-under-project", "60"]);
    assert_eq!(code, Some(i32::from(exit::SUCCESS)));
    assert_eq!(j["gates"][0]["actual"], 60.0);
}

#[test]
fn text_and_markdown_outputs() {
    let (r, report) = scenario();
    let text = prcov(&r)
        .args(["diff", "--base", "main", "--fail-under-patch", "80"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(i32::from(exit::GATE_FAILED)));
    let stdout = String::from_utf8_lossy(&text.stdout);
    let (base, head) = (
        r.git(&["rev-parse", "main"]),
        r.git(&["rev-parse", "feature"]),
    );
    let redacted = crate::common::redactions(&[(&base, "BASE"), (&head, "HEAD")], &[]);
    redacted.bind(|| insta::assert_snapshot!("scenario_text", stdout));
    let md = prcov(&r)
        .args(["diff", "--base", "main", "--format", "markdown"])
        .arg(&report)
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&md.stdout);
    redacted.bind(|| insta::assert_snapshot!("scenario_markdown", markdown));
}

#[test]
fn path_map_and_strip_prefix_rewrite_report_paths() {
    let r = Repo::new();
    r.write("pkg/a.py", &lines(3));
    r.write("other/a.py", &lines(3));
    r.write("vendor/pkg/a.py", &unique("vendored", 3));
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("pkg/a.py", &lines(5));
    r.commit("more");
    let report = r.report("lcov.info", "SF:a.py\nDA:4,1\nDA:5,0\nend_of_record\n");
    // `a.py` alone is ambiguous (pkg/a.py, other/a.py): listed, not guessed. Nothing is
    // measured then, which is exit 2 unless allowed.
    let out = prcov(&r)
        .args(["diff", "--base", "main", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let out = prcov(&r)
        .args([
            "diff",
            "--base",
            "main",
            "--format",
            "json",
            "--allow-nothing-measured",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let j = json_of(&out);
    assert_eq!(j["outcome"], "no_file_matched");
    assert_eq!(j["unmatched_report_paths"], serde_json::json!(["a.py"]));
    assert_eq!(j["unmatched_details"][0]["reason"], "ambiguous");
    assert_eq!(j["not_measured"], serde_json::json!(["pkg/a.py"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.is_empty(),
        "json mode keeps stderr for errors: {stderr}"
    );
    let out = prcov(&r)
        .args([
            "diff",
            "--base",
            "main",
            "--format",
            "json",
            "--path-map",
            "a.py=pkg/a.py",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let j = json_of(&out);
    assert_eq!(j["patch"]["lines"], 2);
    assert_eq!(j["patch"]["hits"], 1);
    let report2 = r.report(
        "lcov2.info",
        "SF:/ci/build/pkg/a.py\nDA:4,1\nDA:5,1\nend_of_record\n",
    );
    let out = prcov(&r)
        .args([
            "diff",
            "--base",
            "main",
            "--format",
            "json",
            "--strip-prefix",
            "/ci/build",
        ])
        .arg(&report2)
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["patch"]["percent"], 100.0);
    // Without the prefix stripped, `pkg/a.py` and `vendor/pkg/a.py` fit equally well: nothing
    // is measured, which must be allowed to see the details.
    let out = prcov(&r)
        .args([
            "diff",
            "--base",
            "main",
            "--format",
            "json",
            "--allow-nothing-measured",
        ])
        .arg(&report2)
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["unmatched_details"][0]["reason"], "ambiguous");
}

#[test]
fn unmatched_paths_warn_in_text_mode() {
    let (r, report) = scenario();
    let out = prcov(&r)
        .args(["diff", "--base", "main"])
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 report path(s) match no file of the repository"),
        "{stdout}"
    );
    assert!(stdout.contains("hint: use --path-map"), "{stdout}");
}

#[test]
fn several_reports_merge_and_discovery_says_what_it_used() {
    let r = Repo::new();
    r.write("a.c", &lines(2));
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("a.c", &lines(4));
    r.commit("more");
    // Two shards: each hits one of the new lines; one is a Cobertura file, one LCOV.
    r.write(
        "build/shard1/lcov.info",
        "SF:a.c\nDA:3,1\nDA:4,0\nend_of_record\n",
    );
    r.write(
        "build/shard2/coverage.xml",
        r#"<?xml version="1.0"?><coverage><sources><source>.</source></sources><packages><package name="p"><classes><class name="a" filename="a.c"><lines><line number="3" hits="0"/><line number="4" hits="2"/></lines></class></classes></package></packages></coverage>"#,
    );
    r.write(
        "node_modules/x/lcov.info",
        "SF:a.c\nDA:3,0\nend_of_record\n",
    );
    let out = prcov(&r)
        .args(["diff", "--base", "main", "--format", "json"])
        .output()
        .unwrap();
    let j = ok_json(&out);
    assert_eq!(j["patch"]["hits"], 2, "a line is hit if any report hit it");
    assert_eq!(j["patch"]["percent"], 100.0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("using coverage report(s)"), "{stderr}");
    assert!(
        stderr.contains("shard1/lcov.info") && stderr.contains("shard2/coverage.xml"),
        "{stderr}"
    );
    assert!(!stderr.contains("node_modules"), "{stderr}");
}

#[test]
fn no_coverable_lines_is_not_a_failure() {
    let r = Repo::new();
    r.write("a.c", &lines(2));
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("a.c", &(lines(2) + "// comment\n"));
    r.commit("comment only");
    let report = r.report("lcov.info", "SF:a.c\nDA:1,1\nDA:2,0\nend_of_record\n");
    let out = prcov(&r)
        .args([
            "diff",
            "--base",
            "main",
            "--format",
            "json",
            "--fail-under-patch",
            "90",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::SUCCESS)));
    let j = json_of(&out);
    assert_eq!(j["patch"]["percent"], Value::Null);
    assert_eq!(j["files"], serde_json::json!([]));
    assert_eq!(j["gates"][0]["actual"], Value::Null);
    assert_eq!(j["gates"][0]["passed"], true);
}

#[test]
fn worktree_includes_uncommitted_changes() {
    let r = Repo::new();
    r.write("a.c", &lines(2));
    r.commit("base");
    r.write("a.c", &lines(3));
    r.write("b.c", &unique("b", 1));
    let report = r.report(
        "lcov.info",
        "SF:a.c\nDA:3,0\nend_of_record\nSF:b.c\nDA:1,1\nend_of_record\n",
    );
    let out = prcov(&r)
        .args(["diff", "--base", "main", "--worktree", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    let j = ok_json(&out);
    assert_eq!(j["patch"]["lines"], 2);
    assert_eq!(j["patch"]["misses"], 1);
}

#[test]
fn base_defaults_and_revision_errors() {
    let (r, report) = scenario();
    // Locally the base defaults to main when there is no origin.
    let out = prcov(&r)
        .args(["diff", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    crate::common::expect_exit(&out, exit::SUCCESS);
    assert_eq!(json_of(&out)["patch"]["lines"], 8);
    let out = prcov(&r)
        .args(["diff", "--base", "no-such-branch"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-branch"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// `prcov diff --base BASE REPORT` in `dir`, which must fail with exit 2; its stderr.
fn failing_diff(dir: &Path, base: &str, report: &Path) -> String {
    let out = Command::cargo_bin("prcov")
        .unwrap()
        .current_dir(dir)
        .args(["diff", "--base", base])
        .arg(report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn shallow_clone_asks_for_history() {
    let (r, report) = scenario();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", r.path().display());
    let out = Std::new("git")
        .args([
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            "--no-single-branch",
            &url,
        ])
        .arg(clone.path().join("c"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = failing_diff(&clone.path().join("c"), "origin/main", &report);
    assert!(
        err.contains("shallow") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

#[test]
fn malformed_report_names_file_and_line() {
    let (r, _) = scenario();
    let bad = r.report("bad.info", "SF:src/calc.c\nDA:1,1\nDA:2,x\nend_of_record\n");
    let out = prcov(&r)
        .args(["diff", "--base", "main"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.info") && err.contains("line 3"), "{err}");
}

#[test]
fn report_per_file_and_directory() {
    let (r, report) = scenario();
    let out = prcov(&r)
        .args(["report", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::SUCCESS)));
    let j = json_of(&out);
    assert_eq!(j["project"]["lines"], 10);
    assert_eq!(j["files"].as_array().unwrap().len(), 3);
    assert_eq!(j["directories"][0]["path"], "src");
    assert_eq!(j["unmatched_report_paths"].as_array().unwrap().len(), 2);
    // Without the repository every record counts, paths as written.
    let out = prcov(&r)
        .args(["report", "--no-repo", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    let j = json_of(&out);
    assert_eq!(j["project"]["lines"], 12);
    assert_eq!(j["files"][0]["path"], "/build/checkout/src/calc.c");
    assert_eq!(j["unmatched_report_paths"], serde_json::json!([]));
}

#[test]
fn saved_diff_file_gives_the_same_answer_with_or_without_a_repository() {
    let (r, report) = scenario();
    let from_git = prcov(&r)
        .args(["diff", "--base", "main", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    let diff = r.git(&["diff", "main...feature"]);
    let diff_path = r.report("change.diff", &(diff + "\n"));
    let inside = prcov(&r)
        .args(["diff", "--format", "json", "--diff-file"])
        .arg(&diff_path)
        .arg(&report)
        .output()
        .unwrap();
    crate::common::expect_exit(&inside, exit::SUCCESS);
    let (git, inside) = (json_of(&from_git), json_of(&inside));
    assert_eq!(git["patch"], inside["patch"]);
    assert_eq!(git["files"], inside["files"]);
    assert_eq!(inside["base"], "unknown");
    let elsewhere = tempfile::tempdir().unwrap();
    let outside = Command::cargo_bin("prcov")
        .unwrap()
        .current_dir(elsewhere.path())
        .args(["diff", "--format", "json", "--diff-file"])
        .arg(&diff_path)
        .arg(&report)
        .output()
        .unwrap();
    let outside = ok_json(&outside);
    assert_eq!(git["patch"], outside["patch"]);
    // Without a repository every record counts for the project, gone.c and lib.c included.
    assert_eq!(outside["project"]["lines"], 12);
}

/// The head-side numbers of the `+` lines of `git diff` output, file by file.
fn git_added_lines(diff: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut file = String::new();
    // The head-side number of the next line in the current hunk.
    let mut next: Option<u32> = None;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            next = None;
        } else if let (None, Some(p)) = (next, line.strip_prefix("+++ b/")) {
            file = p.to_owned();
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            let plus = rest.split(' ').nth(1).unwrap().trim_start_matches('+');
            next = Some(plus.split(',').next().unwrap().parse().unwrap());
        } else if let Some(n) = next.as_mut() {
            match line.as_bytes().first() {
                Some(b'+') => {
                    out.push((file.clone(), *n));
                    *n += 1;
                }
                Some(b' ') | None => *n += 1,
                _ => {}
            }
        }
    }
    out
}

/// With every line of `a.c` (whose head content is `head`) hit: the lines prcov calls added
/// (main...feature; computed by `engine`) and the ones `git [git_options] diff -U0` prints.
type FileLines = Vec<(String, u32)>;
fn added_lines_of_a_c(
    r: &Repo,
    head: &str,
    engine: &str,
    git_options: &[&str],
) -> (FileLines, FileLines) {
    let lcov = format!(
        "SF:a.c\n{}end_of_record\n",
        (1..=head.lines().count())
            .map(|l| format!("DA:{l},1\n"))
            .collect::<String>()
    );
    let report = r.report("lcov.info", &lcov);
    let out = prcov(r)
        .args(["diff", "--base", "main", "--format", "json"])
        .arg(&report)
        .env("PRCOV_DIFF_ENGINE", engine)
        .output()
        .unwrap();
    let j = ok_json(&out);
    let ours = ints(&j["files"][0]["hit_lines"])
        .into_iter()
        .map(|l| ("a.c".to_owned(), l as u32))
        .collect();
    let mut args = git_options.to_vec();
    args.extend(["diff", "main...feature"]);
    (ours, git_added_lines(&r.git(&args)))
}

#[test]
fn sliding_hunks_are_placed_as_git_places_them() {
    let r = Repo::new();
    // git's own example (t4061): the inserted "a, blank, b" could sit one line earlier or
    // later; the indent heuristic chooses.
    let base = "1\n2\na\n\nb\n3\n4\n";
    r.write("a.c", base);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let head = "1\n2\na\n\nb\na\n\nb\n3\n4\n";
    r.write("a.c", head);
    r.commit("feature");
    for engine in ["git", "libgit2"] {
        let (ours, git) =
            added_lines_of_a_c(&r, head, engine, &["-c", "diff.indentHeuristic=true"]);
        assert_eq!(ours, git, "{engine}");
    }
    let (_, git) = added_lines_of_a_c(&r, head, "auto", &["-c", "diff.indentHeuristic=true"]);
    assert_eq!(
        git,
        [
            ("a.c".to_owned(), 5),
            ("a.c".to_owned(), 6),
            ("a.c".to_owned(), 7)
        ]
    );
}

/// In CI the PR base comes from the environment (docs/commands.md#default-base), not from local branch
/// names: here the base branch is called `trunk`, which the local fallbacks do not know.
#[test]
fn ci_environment_supplies_the_base() {
    let (r, report) = scenario();
    let base = r.git(&["rev-parse", "main"]);
    let head = r.git(&["rev-parse", "feature"]);
    r.git(&["branch", "-m", "main", "trunk"]);
    let without_ci = prcov(&r)
        .args(["diff", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(
        without_ci.status.code(),
        Some(i32::from(exit::BAD_INPUT)),
        "no origin/HEAD, main or master to fall back on"
    );
    let event = r.report(
        "event.json",
        &format!(r#"{{"pull_request": {{"number": 3, "base": {{"sha": "{base}"}}, "head": {{"sha": "{head}"}}}}}}"#),
    );
    let out = prcov(&r)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .args(["diff", "--format", "json"])
        .arg(&report)
        .output()
        .unwrap();
    let j = ok_json(&out);
    assert_eq!(j["base"].as_str(), Some(base.as_str()));
    assert_eq!(j["patch"]["lines"], 8);
}

/// A C function of `body` statements, as the repeated blocks of generated or copy-pasted code.
fn function(name: &str, body: usize) -> String {
    let statements: String = (0..body)
        .map(|i| format!("    x += {};\n", i % 5))
        .collect();
    format!("static int {name}(int x) {{\n{statements}    return x;\n}}\n\n")
}

/// An added copy of a function that already appears twice in a row: the diff is ambiguous. The
/// added lines are the ones `git diff` prints and the PR's diff view shows (94–118), by either
/// engine; `git diff -U0` (what diff-cover runs) trims the common tail first and prints 44–68.
#[test]
fn an_ambiguous_insertion_gets_the_line_numbers_git_diff_shows() {
    let r = Repo::new();
    let (f0, f1, f3) = (function("f0", 7), function("f1", 21), function("f3", 28));
    let base = [&f0, &f3, &f1, &f1, &f3, &f0].map(String::as_str).concat();
    r.write("a.c", &base);
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    let head = [&f0, &f3, &f1, &f1, &f1, &f3, &f0]
        .map(String::as_str)
        .concat();
    r.write("a.c", &head);
    r.commit("feature");
    for engine in ["auto", "libgit2"] {
        let (ours, git) = added_lines_of_a_c(&r, &head, engine, &[]);
        assert_eq!(ours, git, "{engine}");
        assert_eq!(git.first(), Some(&("a.c".to_owned(), 94)));
        assert_eq!(git.len(), 25);
    }
    let u0 = git_added_lines(&r.git(&["diff", "-U0", "main...feature"]));
    assert_eq!(u0.first(), Some(&("a.c".to_owned(), 44)), "not ambiguous");
}

/// Without a `git` program the change set comes from libgit2, with the same answer here;
/// `PRCOV_DIFF_ENGINE=git` refuses to fall back.
#[test]
fn without_git_the_change_set_comes_from_libgit2() {
    let (r, report) = scenario();
    let run = |engine: &str, git: Option<&str>| {
        let mut c = prcov(&r);
        c.args(["diff", "--base", "main", "--format", "json"])
            .arg(&report)
            .env("PRCOV_DIFF_ENGINE", engine);
        if let Some(git) = git {
            c.env("PRCOV_GIT", git);
        }
        c.output().unwrap()
    };
    let by_git = ok_json(&run("git", None));
    assert_eq!(by_git["patch"]["lines"], 8);
    let missing = r.path().join("no-such-git");
    let missing = missing.to_str().unwrap();
    assert_eq!(ok_json(&run("auto", Some(missing))), by_git);
    assert_eq!(ok_json(&run("libgit2", None)), by_git);

    let refused = run("git", Some(missing));
    assert_eq!(refused.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("cannot run git"), "{stderr}");

    let bad = run("svn", None);
    assert_eq!(bad.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("unknown diff engine `svn`"), "{stderr}");
}

/// A developer's git configuration must not change which lines prcov calls added: every
/// setting that shapes `git diff` output is overridden on the command line prcov runs.
#[test]
fn user_git_config_does_not_change_the_change_set() {
    let r = Repo::new();
    r.write("src/a.c", "a\n\nb\n\nc\n");
    r.write("src/copied_from.c", &unique("orig", 12));
    r.write("src/moved.c", &unique("moved", 12));
    r.commit("base");
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("src/a.c", "a\n\nB\n\nc\nd\n");
    r.write("src/copy.c", &unique("orig", 12));
    std::fs::remove_file(r.path().join("src/moved.c")).unwrap();
    let moved = unique("moved", 12).replace("number 4 of", "number four of");
    r.write("src/dir/moved.c", &moved);
    r.commit("feature");
    let lcov: String = ["src/a.c", "src/copy.c", "src/dir/moved.c"]
        .iter()
        .map(|f| {
            let das: String = (1..=12).map(|l| format!("DA:{l},{}\n", l % 2)).collect();
            format!("SF:{f}\n{das}end_of_record\n")
        })
        .collect();
    let report = r.report("lcov.info", &lcov);
    let run = |engine: &str| {
        ok_json(
            &prcov(&r)
                .args(["diff", "--base", "main", "--format", "json"])
                .arg(&report)
                .env("PRCOV_DIFF_ENGINE", engine)
                .output()
                .unwrap(),
        )
    };
    let plain = run("git");
    let files: Vec<(&str, &str)> = plain["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        files,
        [
            ("src/a.c", "modified"),
            ("src/copy.c", "added"),
            ("src/dir/moved.c", "renamed")
        ]
    );
    // a.c: line 3 (hit) and line 6 (miss) were added; copy.c: all 12; moved.c: line 4.
    assert_eq!(ints(&plain["files"][0]["hit_lines"]), [3]);
    assert_eq!(ints(&plain["files"][0]["missed_lines"]), [6]);
    assert_eq!(ints(&plain["files"][2]["missed_lines"]), [4]);
    assert_eq!(plain["patch"]["lines"], 15);

    let order = r.path().join("order.txt");
    std::fs::write(&order, "src/dir/*\n").unwrap();
    for (key, value) in [
        ("diff.suppressBlankEmpty", "true"),
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("diff.renames", "copies"),
        ("diff.algorithm", "histogram"),
        ("diff.context", "10"),
        ("diff.interHunkContext", "5"),
        ("diff.indentHeuristic", "false"),
        ("diff.external", "false"),
        ("diff.submodule", "log"),
        ("diff.relative", "true"),
        ("diff.orderFile", order.to_str().unwrap()),
        ("core.quotePath", "true"),
    ] {
        r.git(&["config", key, value]);
    }
    assert_eq!(run("git"), plain);
    assert_eq!(run("libgit2"), plain);
}

/// A partial clone lacks the base's blobs; `git` would fetch them from the remote, which prcov
/// never does outside publishing: the run fails with what to do, and nothing was fetched.
#[test]
fn partial_clone_is_not_fetched_into() {
    let (r, report) = scenario();
    r.git(&["config", "uploadpack.allowFilter", "true"]);
    r.git(&["config", "uploadpack.allowAnySHA1InWant", "true"]);
    let clone = tempfile::tempdir().unwrap();
    let dst = clone.path().join("c");
    let url = format!("file://{}", r.path().display());
    let git = |dir: &Path, args: &[&str]| {
        Std::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let out = git(
        clone.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-local",
            "-b",
            "feature",
            &url,
            "c",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(git(&dst, &["branch", "-q", "main", "origin/main"])
        .status
        .success());
    let base_blob = r.git(&["rev-parse", "main:src/calc.c"]);
    // Asking whether the blob is here must not fetch it either.
    let present = |dst: &Path| {
        Std::new("git")
            .args(["cat-file", "-e", &base_blob])
            .current_dir(dst)
            .env("GIT_NO_LAZY_FETCH", "1")
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(!present(&dst), "the clone is not partial");

    let err = failing_diff(&dst, "main", &report);
    assert!(
        err.contains("partial clone") && err.contains("--diff-file"),
        "{err}"
    );
    assert!(!present(&dst), "prcov fetched the base blob");
}
