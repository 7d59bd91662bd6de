//! Nothing measured is never a pass (issue 12, item 1): an empty change set, reports that map to
//! no repository file or hold no coverable line, and JUnit input where no test ran. Each case
//! through the binary: exit code, message, and the JSON outcome.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Std::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// An "upstream" repository with `src/app.py`, and a clone of it whose `origin/HEAD` is the
/// checked-out commit: the situation of a CI checkout run without `--base`.
struct Clone {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    head: String,
}

fn clone_at_origin_head() -> Clone {
    let tmp = tempfile::tempdir().unwrap();
    let upstream = tmp.path().join("upstream");
    std::fs::create_dir_all(upstream.join("src")).unwrap();
    git(&upstream, &["init", "-q", "-b", "main"]);
    git(&upstream, &["config", "user.email", "t@example.com"]);
    git(&upstream, &["config", "user.name", "T"]);
    std::fs::write(upstream.join("src/app.py"), "a = 1\nb = 2\nc = 3\n").unwrap();
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "one"]);
    git(
        tmp.path(),
        &["clone", "-q", upstream.to_str().unwrap(), "work"],
    );
    let dir = tmp.path().join("work");
    let head = git(&dir, &["rev-parse", "HEAD"]);
    Clone {
        _tmp: tmp,
        dir,
        head,
    }
}

fn prcov(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("prcov").unwrap();
    c.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Machine-specific paths and shas out of a message, for its snapshot.
fn redact(text: &str, dir: &Path, head: &str) -> String {
    text.replace(&dir.display().to_string(), "[DIR]")
        .replace(head, "[HEAD]")
        .replace(&head[..7], "[HEAD7]")
}

const COVERED: &str = "SF:src/app.py\nDA:1,1\nDA:2,0\nDA:3,1\nend_of_record\n";

#[test]
fn empty_change_is_reported_with_its_revisions_and_can_fail() {
    let c = clone_at_origin_head();
    let lcov = write(&c.dir, "lcov.info", COVERED);
    let out = prcov(&c.dir)
        .arg("diff")
        .arg(&lcov)
        .args(["--fail-under-patch", "80"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    insta::assert_snapshot!("empty_change_text", redact(&text, &c.dir, &c.head));

    let out = prcov(&c.dir)
        .arg("diff")
        .arg(&lcov)
        .args(["--fail-under-patch", "80", "--format", "json"])
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["outcome"], "empty_change");
    assert_eq!(v["changed_files"], 0);
    assert_eq!(v["gates"][0]["reason"], "no_change");
    assert_eq!(v["revisions"]["base"]["rev"], "origin/main");
    assert_eq!(
        v["revisions"]["base"]["from"],
        "origin/main (the default branch)"
    );

    let out = prcov(&c.dir)
        .arg("diff")
        .arg(&lcov)
        .arg("--fail-on-empty-change")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("gate change: target a non-empty change, actual no change: failed"),
        "{text}"
    );
}

#[test]
fn reports_matching_no_repository_file_exit_2_with_the_hint() {
    let c = clone_at_origin_head();
    let lcov = write(
        &c.dir,
        "lcov.info",
        "SF:/build/elsewhere/other.py\nDA:1,1\nend_of_record\nSF:/build/elsewhere/more.py\nDA:1,0\nend_of_record\n",
    );
    for cmd in [
        &[
            "diff",
            "--base",
            "HEAD",
            "--fail-under-patch",
            "80",
            "--fail-under-project",
            "70",
        ][..],
        &["report", "--fail-under-project", "70"][..],
    ] {
        let out = prcov(&c.dir).args(cmd).arg(&lcov).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr(&out));
        insta::assert_snapshot!(
            format!("no_file_matched_{}", cmd[0]),
            redact(&stderr(&out), &c.dir, &c.head)
        );
    }
    // Deliberate: the outcome is in the JSON instead, and the gates still decide.
    let out = prcov(&c.dir)
        .args(["report", "--allow-nothing-measured", "--format", "json"])
        .arg(&lcov)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["outcome"], "no_file_matched");
}

#[test]
fn reports_without_a_coverable_line_exit_2() {
    let c = clone_at_origin_head();
    let lcov = write(&c.dir, "lcov.info", "SF:src/app.py\nend_of_record\n");
    let out = prcov(&c.dir)
        .args(["diff", "--base", "HEAD"])
        .arg(&lcov)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    insta::assert_snapshot!(
        "no_coverable_line_diff",
        redact(&stderr(&out), &c.dir, &c.head)
    );
    let out = prcov(&c.dir)
        .args([
            "diff",
            "--base",
            "HEAD",
            "--allow-nothing-measured",
            "--format",
            "json",
        ])
        .arg(&lcov)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["outcome"], "no_coverable_line");
}

#[test]
fn junit_where_no_test_ran_fails_the_tests_gate() {
    let dir = tempfile::tempdir().unwrap();
    let none = write(dir.path(), "none.xml", "<testsuites></testsuites>\n");
    let skipped = write(
        dir.path(),
        "skipped.xml",
        r#"<testsuite name="s" tests="2"><testcase classname="a" name="one"><skipped/></testcase><testcase classname="a" name="two"><skipped/></testcase></testsuite>"#,
    );
    for (file, outcome, says) in [
        (
            &none,
            "no_tests",
            "no test ran (the JUnit input has no test case)",
        ),
        (
            &skipped,
            "all_skipped",
            "no test ran (every test was skipped)",
        ),
    ] {
        let out = prcov(dir.path())
            .args(["tests", "--fail-on-test-failure", "--format", "json"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(json(&out)["outcome"], outcome);
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        // Configurable: a job that runs no test on purpose.
        let out = prcov(dir.path())
            .args(["tests", "--fail-on-test-failure", "--allow-no-tests"])
            .arg(file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}
