//! Nothing measured is never a pass (issue 12, item 1): an empty change set, reports that map to
//! no repository file or hold no coverable line, and JUnit input where no test ran. Each case
//! through the binary: exit code, message, and the JSON outcome. And the revisions those
//! verdicts are about (item 2): in CI, the PR's base and head, said where they came from.

use prcov::exit;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::common::{git, json_of as json};

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

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Snapshot settings that redact the checkout's path and its head commit.
fn redacted(dir: &Path, head: &str) -> insta::Settings {
    let dir = dir.display().to_string();
    crate::common::redactions(&[(head, "HEAD")], &[(dir.as_str(), "[DIR]")])
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
    crate::common::expect_exit(&out, exit::SUCCESS);
    let text = String::from_utf8_lossy(&out.stdout);
    redacted(&c.dir, &c.head).bind(|| insta::assert_snapshot!("empty_change_text", text));

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
    crate::common::expect_exit(&out, exit::GATE_FAILED);
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
        assert_eq!(
            out.status.code(),
            Some(i32::from(exit::BAD_INPUT)),
            "{cmd:?}: {}",
            stderr(&out)
        );
        redacted(&c.dir, &c.head).bind(|| {
            insta::assert_snapshot!(format!("no_file_matched_{}", cmd[0]), stderr(&out));
        });
    }
    // Deliberate: the outcome is in the JSON instead, and the gates still decide.
    let out = prcov(&c.dir)
        .args(["report", "--allow-nothing-measured", "--format", "json"])
        .arg(&lcov)
        .output()
        .unwrap();
    crate::common::expect_exit(&out, exit::SUCCESS);
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
    crate::common::expect_exit(&out, exit::BAD_INPUT);
    redacted(&c.dir, &c.head).bind(|| {
        insta::assert_snapshot!("no_coverable_line_diff", stderr(&out));
    });
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
    crate::common::expect_exit(&out, exit::SUCCESS);
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
        crate::common::expect_exit(&out, exit::GATE_FAILED);
        assert_eq!(json(&out)["outcome"], outcome);
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        // Configurable: a job that runs no test on purpose.
        let out = prcov(dir.path())
            .args(["tests", "--fail-on-test-failure", "--allow-no-tests"])
            .arg(file)
            .output()
            .unwrap();
        crate::common::expect_exit(&out, exit::SUCCESS);
    }
}

/// A repository with a base commit and a PR commit on top, checked out at the base: what a CI
/// job sees when it checks out the target branch (or the merge commit's first parent).
fn pr_repo() -> (tempfile::TempDir, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "t@example.com"]);
    git(dir, &["config", "user.name", "T"]);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/app.py"), "a = 1\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]);
    std::fs::write(dir.join("src/app.py"), "a = 1\nb = 2\nc = 3\n").unwrap();
    git(dir, &["commit", "-q", "-am", "pr"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", &base]);
    (tmp, base, head)
}

const PR_LCOV: &str = "SF:src/app.py\nDA:1,1\nDA:2,1\nDA:3,0\nend_of_record\n";

#[test]
fn in_github_actions_diff_and_report_use_the_pr_head_and_say_so() {
    let (tmp, base, head) = pr_repo();
    let dir = tmp.path();
    let event = write(
        dir,
        "event.json",
        &format!(
            r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{head}"}}, "base": {{"sha": "{base}"}}}}}}"#
        ),
    );
    let lcov = write(dir, "lcov.info", PR_LCOV);
    let gh = |cmd: &mut Command| {
        cmd.env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", "acme/shop")
            .env("GITHUB_SERVER_URL", "https://github.com");
    };
    let mut c = prcov(dir);
    gh(&mut c);
    let out = c
        .args(["diff", "--format", "json"])
        .arg(&lcov)
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["head"], head.as_str(), "{}", stderr(&out));
    assert_eq!(v["base"], base.as_str());
    assert_eq!(
        v["revisions"]["head"]["from"],
        "GitHub pull_request event (pull_request.head.sha)"
    );
    assert_eq!(v["patch"]["lines"], 2);

    let mut c = prcov(dir);
    gh(&mut c);
    let out = c.arg("diff").arg(&lcov).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "  head: {head} — from GitHub pull_request event (pull_request.head.sha)"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  base: merge-base with {base} — from GitHub pull_request event (pull_request.base.sha)"
        )),
        "{text}"
    );

    // A head this clone lacks (a shallow checkout of the base) says where it came from.
    let missing = "0123456789012345678901234567890123456789";
    let event2 = write(
        dir,
        "event2.json",
        &format!(
            r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{missing}"}}, "base": {{"sha": "{base}"}}}}}}"#
        ),
    );
    let mut c = prcov(dir);
    gh(&mut c);
    let out = c
        .env("GITHUB_EVENT_PATH", &event2)
        .arg("diff")
        .arg(&lcov)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    assert!(
        stderr(&out).contains(&format!("unknown revision `{missing}` in "))
            && stderr(&out).contains(
                ": the head, from GitHub pull_request event (pull_request.head.sha); fetch it"
            ),
        "{}",
        stderr(&out)
    );

    // The markdown links to files at the PR head.
    let mut c = prcov(dir);
    gh(&mut c);
    let out = c
        .args(["diff", "--format", "markdown"])
        .arg(&lcov)
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains(&format!(
            "(https://github.com/acme/shop/blob/{head}/src/app.py#L3)"
        )),
        "{md}"
    );
}

#[test]
fn gitlab_merged_results_pipelines_use_the_source_branch_head() {
    let (tmp, base, head) = pr_repo();
    let dir = tmp.path();
    let lcov = write(dir, "lcov.info", PR_LCOV);
    let out = prcov(dir)
        .env("GITLAB_CI", "true")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_IID", "3")
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)
        .env("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", &head)
        .env("CI_COMMIT_SHA", &base)
        .env("CI_PROJECT_URL", "https://gitlab.example.com/g/shop")
        .args(["diff", "--format", "json"])
        .arg(&lcov)
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["head"], head.as_str(), "{}", stderr(&out));
    assert_eq!(
        v["revisions"]["head"]["from"],
        "GitLab merge_request_event event (CI_MERGE_REQUEST_SOURCE_BRANCH_SHA)"
    );
    assert_eq!(
        v["revisions"]["base"]["from"],
        "GitLab merge_request_event event (CI_MERGE_REQUEST_DIFF_BASE_SHA)"
    );
    // `report` maps paths at the same head.
    let out = prcov(dir)
        .env("GITLAB_CI", "true")
        .env("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", &head)
        .args(["report", "--format", "json"])
        .arg(&lcov)
        .output()
        .unwrap();
    let v = json(&out);
    assert_eq!(v["project"]["lines"], 3, "{}", stderr(&out));
    assert_eq!(
        v["revisions"]["head"]["from"],
        "GitLab CI (CI_MERGE_REQUEST_SOURCE_BRANCH_SHA)"
    );
}

#[test]
fn ignore_and_include_apply_to_patch_project_and_not_measured() {
    let (tmp, base, _head) = pr_repo();
    let dir = tmp.path();
    git(dir, &["checkout", "-q", "-"]);
    std::fs::create_dir_all(dir.join("gen")).unwrap();
    std::fs::write(dir.join("gen/api_pb2.py"), "x = 1\ny = 2\n").unwrap();
    std::fs::write(dir.join("src/other.py"), "z = 1\n").unwrap();
    std::fs::write(dir.join("CHANGELOG"), "v2\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "more"]);
    let lcov = write(
        dir,
        "lcov.info",
        &format!("{PR_LCOV}SF:gen/api_pb2.py\nDA:1,0\nDA:2,0\nend_of_record\n"),
    );
    let run = |extra: &[&str]| {
        let out = prcov(dir)
            .args(["diff", "--base", &base, "--format", "json"])
            .args(extra)
            .arg(&lcov)
            .output()
            .unwrap();
        json(&out)
    };
    // Without filters: the generated file counts, src/other.py is not measured, and the
    // CHANGELOG (no tool instruments it) is not listed.
    let all = run(&[]);
    assert_eq!(all["patch"]["lines"], 4);
    assert_eq!(all["project"]["lines"], 5);
    assert_eq!(all["not_measured"], serde_json::json!(["src/other.py"]));
    // --ignore: gone from patch, project and "not measured".
    let ignored = run(&["--ignore", "*_pb2.py", "--ignore", "src/other.py"]);
    assert_eq!(ignored["patch"]["lines"], 2);
    assert_eq!(ignored["project"]["lines"], 3);
    assert_eq!(ignored["not_measured"], serde_json::json!([]));
    // --include: only what matches counts.
    let included = run(&["--include", "gen/**"]);
    assert_eq!(included["patch"]["lines"], 2);
    assert_eq!(included["project"]["lines"], 2);
    // The default list is replaceable: then the CHANGELOG is listed again.
    let listed = run(&["--not-instrumented", "*.md"]);
    assert_eq!(
        listed["not_measured"],
        serde_json::json!(["CHANGELOG", "src/other.py"])
    );
    // prcov.toml says the same as the flags.
    std::fs::write(dir.join("prcov.toml"), "ignore = [\"*_pb2.py\"]\n").unwrap();
    assert_eq!(run(&[])["project"]["lines"], 3);
}
