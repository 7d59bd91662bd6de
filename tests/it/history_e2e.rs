//! History end to end (issue 13): `prcov record` on a chain of default-branch commits in a real
//! temporary repository, then a PR compared with the record of its merge-base (not main's tip),
//! with the nearest recorded ancestor when the merge-base has none, and "no baseline" when none
//! of 10 ancestors has one.

use prcov::exit;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A throwaway repository driven by the `git` CLI.
pub struct Repo {
    dir: tempfile::TempDir,
    /// Reports and records live beside the repository, as in CI.
    pub outside: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Self {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
            outside: tempfile::tempdir().unwrap(),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r.git(&["config", "user.email", "t@example.com"]);
        r.git(&["config", "user.name", "T"]);
        r.git(&["config", "commit.gpgsign", "false"]);
        r
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn history(&self) -> PathBuf {
        self.outside.path().join("history")
    }
    pub fn git(&self, args: &[&str]) -> String {
        // Fixed identity and dates (common::git): the same commits get the same shas on every
        // run, so snapshots hold them.
        super::common::git(self.path(), args)
    }
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    pub fn commit(&self, msg: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", msg]);
        self.git(&["rev-parse", "HEAD"])
    }
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.outside.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
    /// `prcov record` of `commit` with an LCOV report whose `src/a.py` has `hits` hit lines of 10.
    pub fn record(&self, commit: &str, hits: u32) {
        self.record_with(commit, hits, &[]);
    }
    pub fn record_with(&self, commit: &str, hits: u32, extra: &[&str]) {
        let report = self.file(&format!("lcov-{commit}.info"), &lcov(hits));
        prcov()
            .arg("record")
            .args(extra)
            .arg(&report)
            .arg("--repo")
            .arg(self.path())
            .args(["--commit", commit, "--branch", "main", "--ci-run-id", "7"])
            .arg("--history-dir")
            .arg(self.history())
            .assert()
            .success();
    }
    /// `prcov record -q` of `commit` with `report`.
    pub fn record_report(&self, commit: &str, report: &Path) {
        prcov()
            .arg("record")
            .arg(report)
            .arg("--repo")
            .arg(self.path())
            .args(["--commit", commit, "-q", "--history-dir"])
            .arg(self.history())
            .assert()
            .success();
    }
    pub fn record_path(&self, commit: &str) -> PathBuf {
        self.history().join(format!("{commit}.prcov"))
    }
}

/// [`super::common::prcov`] without the CI variables `prcov record` reads for branch and run id.
pub fn prcov() -> Command {
    let mut c = super::common::prcov();
    c.env_remove("GITHUB_REF_NAME")
        .env_remove("GITHUB_RUN_ID")
        .env_remove("CI_COMMIT_BRANCH")
        .env_remove("CI_PIPELINE_ID");
    c
}

/// An LCOV report of `src/a.py` (10 coverable lines, the first `hits` hit).
pub fn lcov(hits: u32) -> String {
    let mut s = String::from("SF:src/a.py\n");
    for line in 1..=10 {
        s.push_str(&format!("DA:{line},{}\n", u32::from(line <= hits)));
    }
    s.push_str("end_of_record\n");
    s
}

fn source(extra: &str) -> String {
    let mut s: String = (1..=10).map(|i| format!("line{i}\n")).collect();
    s.push_str(extra);
    s
}

/// main: c1 … c3 recorded, `feature` branches at c3, then main moves on to c4 (recorded too).
pub fn forked_repo() -> (Repo, Vec<String>) {
    let r = Repo::new();
    let mut main = Vec::new();
    for (i, hits) in [(1, 4), (2, 5), (3, 6)] {
        r.write("src/a.py", &source(&format!("# main {i}\n")));
        let c = r.commit(&format!("main {i}"));
        r.record(&c, hits);
        main.push(c);
    }
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("src/b.py", "x = 1\n");
    r.commit("feature work");
    r.git(&["checkout", "-q", "main"]);
    r.write("src/a.py", &source("# main 4\n"));
    let c4 = r.commit("main 4");
    r.record(&c4, 9);
    main.push(c4);
    (r, main)
}

/// `prcov diff REPORT` of `main...feature` in `r`, with `args` (the history options and more).
pub fn diff_history(r: &Repo, report: &Path, format: &str, args: &[&str]) -> std::process::Output {
    prcov()
        .arg("diff")
        .arg(report)
        .arg("--repo")
        .arg(r.path())
        .args(["--base", "main", "--head", "feature", "--format", format])
        .args(args)
        .output()
        .unwrap()
}

fn diff_json(r: &Repo, head_hits: u32, extra: &[&str]) -> Value {
    let report = r.file("head.info", &lcov(head_hits));
    let history = r.history();
    let mut args = vec!["--history-dir", history.to_str().unwrap()];
    args.extend_from_slice(extra);
    let out = diff_history(r, &report, "json", &args);
    let j = super::common::json_of(&out);
    // Exit 1 exactly when a gate failed.
    let expected = if j["passed"] == true { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(expected));
    j
}

#[test]
fn baseline_is_the_merge_base_record_not_mains_tip() {
    let (r, main) = forked_repo();
    let j = diff_json(&r, 7, &[]);
    assert_eq!(j["schema"], 2);
    assert_eq!(j["base"], main[2].as_str(), "merge-base is c3");
    let h = &j["history"];
    assert_eq!(h["baseline"]["commit"], main[2].as_str());
    assert_eq!(h["baseline"]["distance"], 0);
    // c3's record: 6 of 10 hit; head: 7 of 10. Main's tip (c4) had 9.
    assert_eq!(j["base_project"]["hits"], 6);
    let delta = j["delta"].as_f64().unwrap();
    assert!((delta - 10.0).abs() < 1e-9, "{delta}");
    let changes = h["coverage_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["path"], "src/a.py");
    assert_eq!(changes[0]["in_diff"], false, "a.py is not part of the PR");
    assert!((changes[0]["delta"].as_f64().unwrap() - 10.0).abs() < 1e-9);
}

#[test]
fn without_the_merge_base_record_the_nearest_ancestor_is_named() {
    let (r, main) = forked_repo();
    std::fs::remove_file(r.record_path(&main[2])).unwrap();
    let j = diff_json(&r, 7, &[]);
    let b = &j["history"]["baseline"];
    assert_eq!(b["commit"], main[1].as_str());
    assert_eq!(b["distance"], 1);
    let text = b["description"].as_str().unwrap();
    assert_eq!(
        text,
        format!(
            "baseline: the record of `{}`, 1 first-parent commit before merge-base `{}` (which has no record)",
            &main[1][..7],
            &main[2][..7]
        )
    );
    assert_eq!(j["base_project"]["hits"], 5);
}

#[test]
fn no_record_within_ten_ancestors_is_no_baseline_and_the_drop_gate_passes() {
    let r = Repo::new();
    r.write("src/a.py", &source(""));
    let old = r.commit("recorded long ago");
    r.record(&old, 9);
    for i in 0..11 {
        r.write("src/a.py", &source(&format!("# {i}\n")));
        r.commit(&format!("unrecorded {i}"));
    }
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("src/b.py", "x = 1\n");
    r.commit("feature");
    let j = diff_json(&r, 1, &["--max-project-drop", "1"]);
    let b = &j["history"]["baseline"];
    assert_eq!(b["commit"], Value::Null);
    let text = b["description"].as_str().unwrap();
    assert!(
        text.starts_with("no baseline: none of the 11 commits from merge-base"),
        "{text}"
    );
    assert_eq!(j["delta"], Value::Null);
    let gate = &j["gates"][0];
    assert_eq!(gate["name"], "project_drop");
    assert_eq!(gate["passed"], true);

    // One more ancestor back would be the 12th commit: with the old record as the 11th, it is
    // found at distance 10.
    r.git(&["checkout", "-q", "main"]);
    r.git(&["reset", "-q", "--hard", "HEAD~1"]);
    r.git(&["branch", "-q", "-f", "feature", "main"]);
    r.git(&["checkout", "-q", "feature"]);
    r.write("src/b.py", "x = 1\n");
    r.commit("feature again");
    let j = diff_json(&r, 1, &["--max-project-drop", "1"]);
    assert_eq!(j["history"]["baseline"]["commit"], old.as_str());
    assert_eq!(j["history"]["baseline"]["distance"], 10);
    assert_eq!(j["gates"][0]["passed"], false, "a drop of 80 points fails");
}

#[test]
fn record_dump_prints_the_record() {
    let r = Repo::new();
    r.write("src/a.py", &source(""));
    let c = r.commit("one");
    r.record(&c, 3);
    let out = prcov()
        .args(["record", "dump"])
        .arg(r.record_path(&c))
        .output()
        .unwrap();
    assert!(out.status.success());
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["commit"], c.as_str());
    assert_eq!(j["branch"], "main");
    assert_eq!(j["ci_run_id"], "7");
    assert_eq!(j["files"][0]["path"], "src/a.py");
    assert_eq!(j["files"][0]["hit"], serde_json::json!([1, 2, 3]));
    assert_eq!(
        j["files"][0]["miss"],
        serde_json::json!([4, 5, 6, 7, 8, 9, 10])
    );
    assert_eq!(j["totals"]["hits"], 3);
    assert_eq!(j["tests"], Value::Null);
}

#[test]
fn a_corrupt_record_is_a_clear_error_for_dump_and_skipped_as_a_baseline() {
    let (r, main) = forked_repo();
    let path = r.record_path(&main[2]);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(&path, &bytes).unwrap();
    let out = prcov()
        .args(["record", "dump"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "history record {}: malformed history record",
            path.display()
        )),
        "{err}"
    );
    // As a baseline it is skipped with a warning, and the next ancestor is used.
    let j = diff_json(&r, 7, &[]);
    assert_eq!(j["history"]["baseline"]["commit"], main[1].as_str());
    let warnings = j["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .contains("skipped: malformed history record")),
        "{warnings:?}"
    );
}

/// JUnit XML with one suite `s`, class `C`, and `(name, outcome)` test cases.
fn junit(cases: &[(&str, &str)]) -> String {
    let mut s = String::from("<testsuite name=\"s\">\n");
    for (name, outcome) in cases {
        let body = match *outcome {
            "failed" => "<failure message=\"boom\">trace</failure>",
            "skipped" => "<skipped/>",
            _ => "",
        };
        // Durations differ by name, and a failure takes a second longer: the slowest tests'
        // change against the baseline shows in the comment.
        let time = name.len() as f64 * 0.1 + if *outcome == "failed" { 1.0 } else { 0.0 };
        s.push_str(&format!(
            "  <testcase classname=\"C\" name=\"{name}\" time=\"{time:.1}\">{body}</testcase>\n"
        ));
    }
    s.push_str("</testsuite>\n");
    s
}

/// The PR comment `publish --save` computes (no token, no host contacted).
fn comment(r: &Repo, head_hits: u32, junit_xml: &str, extra: &[&str]) -> (i32, String) {
    let report = r.file("head.info", &lcov(head_hits));
    let junit = r.file("junit-head.xml", junit_xml);
    let payload = r.outside.path().join("payload.json");
    let out = prcov()
        .arg("publish")
        .arg(&report)
        .arg("--repo")
        .arg(r.path())
        .args(["--base", "main", "--head", "feature"])
        .args(["--host", "github", "--repo-slug", "o/r", "--pr", "1"])
        .arg("--junit")
        .arg(&junit)
        .arg("--save")
        .arg(&payload)
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&std::fs::read(&payload).unwrap()).unwrap();
    (code, j["comment_body"].as_str().unwrap().to_owned())
}

/// `forked_repo` with test results recorded on main: `flip` failed at c1 and passed at c2 and
/// c3 (flaky by Codecov's rule); at the merge-base c3, `b` fails.
fn forked_repo_with_tests() -> (Repo, Vec<String>) {
    let (r, main) = forked_repo();
    type Cases<'a> = &'a [(&'a str, &'a str)];
    let runs: [(usize, u32, Cases<'_>); 3] = [
        (0, 4, &[("a", "passed"), ("flip", "failed")]),
        (1, 5, &[("a", "passed"), ("flip", "passed")]),
        (
            2,
            6,
            &[
                ("a", "passed"),
                ("b", "failed"),
                ("c", "passed"),
                ("gone", "passed"),
                ("flip", "passed"),
            ],
        ),
    ];
    for (i, hits, cases) in runs {
        let file = r.file(&format!("junit-{i}.xml"), &junit(cases));
        r.record_with(&main[i], hits, &["--junit", file.to_str().unwrap()]);
    }
    (r, main)
}

#[test]
fn comment_with_a_baseline_shows_delta_changes_and_new_vs_preexisting_failures() {
    let (r, _) = forked_repo_with_tests();
    let head = junit(&[
        ("a", "failed"),
        ("b", "failed"),
        ("c", "skipped"),
        ("added", "passed"),
        ("flip", "failed"),
    ]);
    let (code, body) = comment(
        &r,
        7,
        &head,
        &[
            "--history-dir",
            r.history().to_str().unwrap(),
            "--fail-on-new-test-failure",
        ],
    );
    assert_eq!(
        code,
        i32::from(exit::GATE_FAILED),
        "one new failure fails the gate (the flaky one does not count)"
    );
    insta::assert_snapshot!("comment_with_baseline", body);
}

#[test]
fn comment_without_a_baseline_says_why() {
    let (r, main) = forked_repo_with_tests();
    for c in &main {
        std::fs::remove_file(r.record_path(c)).unwrap();
    }
    let head = junit(&[("a", "failed")]);
    let (code, body) = comment(
        &r,
        7,
        &head,
        &[
            "--history-dir",
            r.history().to_str().unwrap(),
            "--fail-on-new-test-failure",
            "--max-project-drop",
            "1",
        ],
    );
    assert_eq!(
        code,
        i32::from(exit::SUCCESS),
        "without a baseline the drop and new-failure gates pass"
    );
    insta::assert_snapshot!("comment_without_baseline", body);
}

/// An LCOV record of one file: `(line, hits)`.
fn lcov_of(path: &str, lines: &[(u32, u32)]) -> String {
    let mut s = format!("SF:{path}\n");
    for (l, h) in lines {
        s.push_str(&format!("DA:{l},{h}\n"));
    }
    s.push_str("end_of_record\n");
    s
}

/// Indirect changes, worked out by hand. The PR inserts two lines near the top of `src/f.py`
/// (shifting everything below by two), rewrites `b`'s body, and deletes the test that called
/// `tested_by_removed`; a new test calls `g.py`'s `helper`, a file the PR does not touch.
///
/// ```text
/// base src/f.py         state   head src/f.py             state
///  1 import os           hit     1 import os               hit
///                                2 X = 1        (added)    hit
///                                3 Y = 2        (added)    hit
///  2 def a():            hit     4 def a():                hit
///  3     return 1        hit     5     return 1            hit
///  4 def untested():     hit     6 def untested():         hit
///  5     return 2        miss    7     return 2            miss   moved only: not a change
///  6 def tested_by_removed(): hit 8 def tested_by_removed(): hit
///  7     return 3        hit     9     return 3            miss   ← indirect: its test is gone
///  8 def b():            hit    10 def b():                hit
///  9     return 4        miss   11     return 40   (added) hit    in the diff: the patch's
/// src/g.py: 2 miss → hit (unchanged file)                                  ← indirect
/// ```
#[test]
fn indirect_changes_carry_base_lines_through_the_hunks() {
    let r = Repo::new();
    let f_base = "import os\ndef a():\n    return 1\ndef untested():\n    return 2\ndef tested_by_removed():\n    return 3\ndef b():\n    return 4\n";
    r.write("src/f.py", f_base);
    r.write("src/g.py", "def helper():\n    return 5\n");
    r.write("tests/test_f.py", "from src.f import tested_by_removed\n");
    let base = r.commit("base");
    let base_report = r.file(
        "base.info",
        &(lcov_of(
            "src/f.py",
            &[
                (1, 1),
                (2, 1),
                (3, 1),
                (4, 1),
                (5, 0),
                (6, 1),
                (7, 1),
                (8, 1),
                (9, 0),
            ],
        ) + &lcov_of("src/g.py", &[(1, 1), (2, 0)])),
    );
    r.record_report(&base, &base_report);

    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write(
        "src/f.py",
        &f_base
            .replacen("import os\n", "import os\nX = 1\nY = 2\n", 1)
            .replace("return 4", "return 40"),
    );
    std::fs::remove_file(r.path().join("tests/test_f.py")).unwrap();
    r.commit("pr");
    let head_report = lcov_of(
        "src/f.py",
        &[
            (1, 1),
            (2, 1),
            (3, 1),
            (4, 1),
            (5, 1),
            (6, 1),
            (7, 0),
            (8, 1),
            (9, 0),
            (10, 1),
            (11, 1),
        ],
    ) + &lcov_of("src/g.py", &[(1, 1), (2, 1)]);
    let report = r.file("head.info", &head_report);
    let history = r.history();
    let args = ["--history-dir", history.to_str().unwrap()];
    let j = super::common::json_of(&diff_history(&r, &report, "json", &args));
    assert_eq!(
        j["history"]["indirect_changes"],
        serde_json::json!([
            {"path": "src/f.py", "lines": [
                {"line": 9, "base_line": 7, "base": "hit", "head": "miss"}
            ]},
            {"path": "src/g.py", "lines": [
                {"line": 2, "base_line": 2, "base": "miss", "head": "hit"}
            ]}
        ])
    );
    // The terminal says the same.
    let text = diff_history(&r, &report, "text", &args);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Indirect changes in src/f.py: hit → miss 9\n")
            && text.contains("Indirect changes in src/g.py: miss → hit 2\n"),
        "{text}"
    );
}

#[test]
fn record_usage_errors_are_exit_2_with_a_sentence() {
    let r = Repo::new();
    r.write("src/a.py", &source(""));
    r.commit("one");
    let report = r.file("a.info", &lcov(3));
    let nothing = r.file("other.info", "SF:elsewhere/z.c\nDA:1,1\nend_of_record\n");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = prcov()
            .arg("record")
            .args(args)
            .arg("--repo")
            .arg(r.path())
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim_end().to_owned(),
        )
    };
    let dir = r.history();
    let errors = [
        run(&[report.as_os_str()]),
        run(&[
            report.as_os_str(),
            "--history-dir".as_ref(),
            dir.as_os_str(),
            "--base-report".as_ref(),
            report.as_os_str(),
        ]),
        run(&[
            "--history".as_ref(),
            "git-notes".as_ref(),
            "--history-dir".as_ref(),
            dir.as_os_str(),
            report.as_os_str(),
        ]),
        run(&[
            nothing.as_os_str(),
            "--history-dir".as_ref(),
            dir.as_os_str(),
        ]),
    ];
    let dump = prcov()
        .args(["record", "dump"])
        .arg(dir.join("missing.prcov"))
        .output()
        .unwrap();
    let errors: Vec<(Option<i32>, String)> = errors
        .into_iter()
        .chain([(
            dump.status.code(),
            String::from_utf8_lossy(&dump.stderr).trim_end().to_owned(),
        )])
        .collect();
    for (code, _) in &errors {
        assert_eq!(*code, Some(2));
    }
    let text: Vec<String> = errors
        .iter()
        .map(|(_, e)| e.replace(&r.outside.path().display().to_string(), "[OUT]"))
        .collect();
    insta::assert_snapshot!("record_usage_errors", text.join("\n"));
    assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none());
}

#[test]
fn ignore_patterns_apply_to_the_baseline_too() {
    let r = Repo::new();
    r.write("src/a.py", &source(""));
    r.write("src/keep.py", &source(""));
    let base = r.commit("base");
    let keep = |hits: u32| lcov(hits).replace("src/a.py", "src/keep.py");
    let base_report = r.file("base.info", &(lcov(2) + &keep(5)));
    r.record_report(&base, &base_report);
    r.git(&["checkout", "-q", "-b", "feature"]);
    r.write("src/b.py", "x = 1\n");
    r.commit("pr");
    let head = r.file("head.info", &(lcov(9) + &keep(5)));
    let history = r.history();
    let args = [
        "--history-dir",
        history.to_str().unwrap(),
        "--ignore",
        "src/a.py",
    ];
    let j = super::common::json_of(&diff_history(&r, &head, "json", &args));
    // Only keep.py on both sides: 5 of 10 at the baseline and at head.
    assert_eq!(j["base_project"]["lines"], 10);
    assert_eq!(j["delta"], 0.0);
    assert_eq!(j["history"]["coverage_changes"], serde_json::json!([]));
}
