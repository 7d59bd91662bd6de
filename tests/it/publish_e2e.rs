//! End-to-end `prcov publish` through the real binary, in a temporary git repository, against the
//! fake GitHub of `tests/host_support` (an httpmock server started by each test). The child gets
//! a GitHub Actions environment built from scratch: every `GITHUB_*`/`GITLAB_*`/`CI*`/`PRCOV_*`/
//! `GIT_*` variable of the test process is removed first, so a test run inside CI cannot leak into
//! it. Every run asserts that the token appears in neither stdout nor stderr.

use prcov::exit;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{git, redactions};
use crate::host_support::{Fake, Flavor, TOKEN};
use assert_cmd::Command;
use serde_json::{json, Value};

const SLUG: &str = "octo/proj";
const PR: u64 = 7;
/// What `GITHUB_SHA` is on `pull_request`: a merge commit that is not in the repository. If
/// prcov used it as the head, the diff would fail.
const MERGE_SHA: &str = "3333333333333333333333333333333333333333";

pub(crate) fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, text).unwrap();
}

/// `n` lines of plausible Rust.
pub(crate) fn rust_lines(prefix: &str, range: std::ops::RangeInclusive<u32>) -> String {
    range
        .map(|i| format!("pub fn {prefix}_{i}() -> u32 {{ {i} }}\n"))
        .collect()
}

/// An LCOV record for one file: `(line, hits)`.
pub(crate) fn lcov_file(path: &str, lines: &[(u32, u32)]) -> String {
    let mut s = format!("TN:\nSF:{path}\n");
    for (line, hits) in lines {
        s.push_str(&format!("DA:{line},{hits}\n"));
    }
    let hit = lines.iter().filter(|(_, h)| *h > 0).count();
    s.push_str(&format!("LF:{}\nLH:{hit}\nend_of_record\n", lines.len()));
    s
}

/// A temporary git repository with a base and a head commit, and a `ci/` directory outside the
/// repository for the event payload, reports, step summary and outputs.
pub(crate) struct Scenario {
    _dir: tempfile::TempDir,
    pub(crate) repo: PathBuf,
    pub(crate) ci: PathBuf,
    pub(crate) base: String,
    pub(crate) head: String,
}

impl Scenario {
    /// Base: `src/calc.rs` with 10 lines. Head: 6 lines appended to it, a new `src/util.rs` (5
    /// lines) and `docs/notes.md`.
    pub(crate) fn standard() -> Scenario {
        Scenario::build(&[
            ("src/calc.rs", rust_lines("calc", 1..=16)),
            ("src/util.rs", rust_lines("util", 1..=5)),
            ("docs/notes.md", "# Notes\n\nCalc grew.\n".to_owned()),
        ])
    }

    pub(crate) fn build(head_files: &[(&str, String)]) -> Scenario {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let ci = dir.path().join("ci");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&ci).unwrap();
        git(&repo, &["init", "-q"]);
        write(&repo.join("src/calc.rs"), &rust_lines("calc", 1..=10));
        write(&repo.join("README.md"), "# proj\n");
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);
        let base = git(&repo, &["rev-parse", "HEAD"]);
        git(&repo, &["checkout", "-q", "-b", "feature"]);
        for (path, text) in head_files {
            write(&repo.join(path), text);
        }
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "head"]);
        let head = git(&repo, &["rev-parse", "HEAD"]);
        let sc = Scenario {
            _dir: dir,
            repo,
            ci,
            base,
            head,
        };
        sc.write_event("octo/proj");
        sc
    }

    /// A new commit on the PR branch (a push): the event's head moves with it.
    pub(crate) fn push(&mut self, path: &str, text: &str) {
        write(&self.repo.join(path), text);
        git(&self.repo, &["add", "-A"]);
        git(&self.repo, &["commit", "-q", "-m", "another push"]);
        self.head = git(&self.repo, &["rev-parse", "HEAD"]);
        self.write_event("octo/proj");
    }

    pub(crate) fn ci_path(&self, name: &str) -> PathBuf {
        self.ci.join(name)
    }

    /// The `pull_request` event payload; `head_repo` other than `octo/proj` makes it a fork PR.
    pub(crate) fn write_event(&self, head_repo: &str) {
        let event = json!({
            "action": "synchronize",
            "number": PR,
            "pull_request": {
                "number": PR,
                "head": {"sha": self.head, "ref": "feature", "repo": {"full_name": head_repo}},
                "base": {"sha": self.base, "ref": "main", "repo": {"full_name": SLUG}},
            },
            "repository": {"full_name": SLUG},
        });
        write(&self.ci_path("event.json"), &event.to_string());
    }

    /// Head coverage of the standard scenario. Patch: calc 11-15 coverable (16 has no record),
    /// util 1-4 (5 has none); `missed` of them are misses. Project adds calc 1-10 (9, 10 missed).
    pub(crate) fn write_lcov(&self, calc_missed: &[u32], util_missed: &[u32]) -> PathBuf {
        let calc: Vec<(u32, u32)> = (1..=15)
            .map(|l| {
                let miss = l == 9 || l == 10 || calc_missed.contains(&l);
                (l, if miss { 0 } else { 3 })
            })
            .collect();
        let util: Vec<(u32, u32)> = (1..=4)
            .map(|l| (l, u32::from(!util_missed.contains(&l))))
            .collect();
        let path = self.ci_path("lcov.info");
        write(
            &path,
            &(lcov_file("src/calc.rs", &calc) + &lcov_file("src/util.rs", &util)),
        );
        path
    }

    /// Three tests, one failed at src/calc.rs:13.
    pub(crate) fn write_junit(&self) -> PathBuf {
        let path = self.ci_path("junit.xml");
        write(
            &path,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="calc" tests="3" failures="1" errors="0" skipped="0" time="0.30">
    <testcase classname="calc::tests" name="adds" time="0.100"/>
    <testcase classname="calc::tests" name="subtracts" time="0.100"/>
    <testcase classname="calc::tests" name="divides" time="0.100" file="src/calc.rs" line="13">
      <failure message="assertion `left == right` failed: left: 1, right: 2" type="panic">thread 'calc::tests::divides' panicked at src/calc.rs:13:5</failure>
    </testcase>
  </testsuite>
</testsuites>
"#,
        );
        path
    }

    /// `prcov publish` with a GitHub Actions `pull_request` environment pointing at `fake`.
    pub(crate) fn prcov(&self, api_url: &str) -> Command {
        let mut cmd = Command::cargo_bin("prcov").unwrap();
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy().into_owned();
            if ["GITHUB_", "GITLAB_", "CI", "PRCOV_", "GIT_", "RUNNER_"]
                .iter()
                .any(|p| key.starts_with(p))
            {
                cmd.env_remove(&key);
            }
        }
        cmd.current_dir(&self.repo)
            .arg("publish")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", self.ci_path("event.json"))
            .env("GITHUB_REPOSITORY", SLUG)
            .env("GITHUB_SHA", MERGE_SHA)
            .env("GITHUB_API_URL", api_url)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_STEP_SUMMARY", self.ci_path("summary.md"))
            .env("GITHUB_OUTPUT", self.ci_path("output.txt"))
            .env("PRCOV_MAX_RETRY_WAIT", "2")
            .env("NO_COLOR", "1");
        cmd
    }

    /// The standard run: LCOV with calc 13-14 and util 3 missed, the JUnit file, gates.
    pub(crate) fn standard_args(&self) -> Vec<String> {
        self.args_with(&[13, 14])
    }

    /// The standard run's arguments, with these added calc lines missed (and util 3).
    pub(crate) fn args_with(&self, calc_missed: &[u32]) -> Vec<String> {
        let lcov = self.write_lcov(calc_missed, &[3]);
        let junit = self.write_junit();
        vec![
            lcov.display().to_string(),
            "--junit".into(),
            junit.display().to_string(),
            "--fail-under-patch".into(),
            "70".into(),
            "--fail-under-project".into(),
            "70".into(),
            "--fail-on-test-failure".into(),
        ]
    }
}

pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    elapsed: Duration,
}

/// Runs the command and checks what must hold for every run: no token in any output.
pub(crate) fn run(cmd: &mut Command) -> Run {
    let start = Instant::now();
    let out = cmd.output().expect("prcov runs");
    let r = Run {
        code: out.status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    };
    assert!(
        !r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN),
        "the token leaked:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

/// `context → (state, description)` of the commit statuses the fake received, and the path they
/// were posted to (all on one commit).
fn statuses(fake: &Fake) -> (BTreeMap<String, (String, String)>, Vec<String>) {
    let mut map = BTreeMap::new();
    let mut paths = Vec::new();
    for r in fake.requests() {
        if r.method == "POST" && r.path.contains("/statuses/") {
            let b = r.body.expect("status body");
            let context = b["context"].as_str().unwrap().to_owned();
            let prev = map.insert(
                context.clone(),
                (
                    b["state"].as_str().unwrap().to_owned(),
                    b["description"].as_str().unwrap().to_owned(),
                ),
            );
            assert!(prev.is_none(), "two statuses for {context}");
            paths.push(r.path);
        }
    }
    (map, paths)
}

/// The comment without its hidden section lines: what the job's Markdown looks like inside it.
pub(crate) fn unsectioned(body: &str) -> String {
    body.split_inclusive('\n')
        .filter(|l| !l.starts_with("<!-- prcov-section:") && !l.starts_with("<!-- /prcov-section:"))
        .collect()
}

fn status_map(items: &[(&str, &str, &str)]) -> BTreeMap<String, (String, String)> {
    items
        .iter()
        .map(|(c, s, d)| ((*c).to_owned(), ((*s).to_owned(), (*d).to_owned())))
        .collect()
}

#[test]
fn pull_request_statuses_comment_check_run_summary_and_outputs() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    // The patch gate failed (66.66% < 70%) and a test failed: exit 1, after publishing.
    assert_eq!(r.code, i32::from(exit::GATE_FAILED), "{}", r.stderr);

    let head = &sc.head;
    let statuses_path = format!("/repos/octo/proj/statuses/{head}");
    let comments = "/repos/octo/proj/issues/7/comments";
    assert_eq!(
        fake.log(),
        [
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            // Who the token is: only its own comment is adopted (403: an app token, so bots).
            "GET /user".to_owned(),
            format!("GET {comments}?per_page=100"),
            format!("POST {comments}"),
            // Read again after creating, to converge with a racing job.
            format!("GET {comments}?per_page=100"),
            "POST /repos/octo/proj/check-runs".to_owned(),
        ]
    );
    assert_eq!(fake.server_hits(), 8);
    let (seen, paths) = statuses(&fake);
    assert!(paths.iter().all(|p| *p == statuses_path), "{paths:?}");
    assert_eq!(
        seen,
        status_map(&[
            (
                "prcov/patch",
                "failure",
                "66.66% of diff hit (target 70.00%)"
            ),
            ("prcov/project", "success", "73.68% (target 70.00%)"),
            ("prcov/tests", "failure", "1 failed, 2 passed"),
        ])
    );
    // Every request carried the token, and only in the header.
    for req in fake.requests() {
        let auth: Vec<&str> = req
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            auth,
            [format!("Bearer {TOKEN}")],
            "{} {}",
            req.method,
            req.path
        );
    }
    assert_eq!(fake.assert_bodies_valid(), 5);

    // One comment, by the bot, starting with the marker.
    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1);
    // The job's section: a hidden start line with its head and data, the Markdown, an end line.
    assert!(
        comments[0].body.starts_with(&format!(
            "<!-- prcov:default -->\n<!-- prcov-section:default sha={} time=",
            sc.head
        )) && comments[0]
            .body
            .ends_with("\n<!-- /prcov-section:default -->\n"),
        "{}",
        comments[0].body
    );
    let body = unsectioned(&comments[0].body);
    assert!(body.starts_with("<!-- prcov:default -->\n"), "{body}");
    // The verdict first (tests before coverage), then the figures.
    assert!(
        body.starts_with(
            "<!-- prcov:default -->\n:x: **2 of 3 gates failed:** tests 1 failed (target 0 failed); patch 66.66% (target ≥ 70.00%)."
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "Patch coverage is 66.66% with 3 lines in your changes missing coverage (3 never ran)."
        ),
        "{body}"
    );

    // Check run: the 2 uncovered ranges and the failed test, in one request.
    assert_eq!(fake.state().check_run_annotations, [3]);
    let check = fake
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("/check-runs"))
        .unwrap()
        .body
        .unwrap();
    assert_eq!(check["head_sha"], json!(head));
    assert_eq!(check["conclusion"], json!("failure"));
    let annotations: Vec<(String, u64, u64, String, String)> = check["output"]["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_owned(),
                a["start_line"].as_u64().unwrap(),
                a["end_line"].as_u64().unwrap(),
                a["annotation_level"].as_str().unwrap().to_owned(),
                a["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        annotations,
        [
            (
                "src/calc.rs".to_owned(),
                13,
                14,
                "warning".to_owned(),
                "Added lines #L13-L14 were not covered by tests".to_owned()
            ),
            (
                "src/util.rs".to_owned(),
                3,
                3,
                "warning".to_owned(),
                "Added line #L3 was not covered by tests".to_owned()
            ),
            (
                "src/calc.rs".to_owned(),
                13,
                13,
                "failure".to_owned(),
                "assertion `left == right` failed: left: 1, right: 2".to_owned()
            ),
        ]
    );

    // The step summary holds the comment's Markdown (without the hidden marker).
    let summary = std::fs::read_to_string(sc.ci_path("summary.md")).unwrap();
    let comment_markdown = body.strip_prefix("<!-- prcov:default -->\n").unwrap();
    assert_eq!(summary.trim_end(), comment_markdown.trim_end());

    // The action's outputs, displayed like everywhere else (rounded down: 6/9 = 66.66%).
    let output = std::fs::read_to_string(sc.ci_path("output.txt")).unwrap();
    assert_eq!(output, "patch-coverage=66.66\nproject-coverage=73.68\n");

    // The CI log gets the text report.
    assert!(r.stdout.contains("66.66%"), "{}", r.stdout);

    redactions(&[(&sc.head, "HEAD"), (&sc.base, "BASE")], &[]).bind(|| {
        insta::assert_snapshot!("github_sticky_comment", body);
    });
}

#[test]
fn second_push_updates_the_same_comment_and_an_unchanged_run_sends_no_edit() {
    let fake = Fake::start(Flavor::Github);
    let mut sc = Scenario::standard();
    let first = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(first.code, i32::from(exit::GATE_FAILED), "{}", first.stderr);
    let created = fake.state().comments.clone();
    assert_eq!(created.len(), 1);
    let first_head = sc.head.clone();

    // A new push covers calc 13-14: 8 of 9 added lines hit.
    sc.push("docs/notes.md", "# Notes\n\nCalc grew, and got tests.\n");
    assert_ne!(sc.head, first_head);
    let before = fake.requests().len();
    let second = run(sc.prcov(&fake.api_url()).args(sc.args_with(&[])));
    assert_eq!(
        second.code,
        i32::from(exit::GATE_FAILED),
        "a test still fails: {}",
        second.stderr
    );

    let comments = fake.state().comments.clone();
    assert_eq!(comments.len(), 1, "a second comment was created");
    assert_eq!(comments[0].id, created[0].id);
    assert_ne!(comments[0].body, created[0].body);
    assert!(
        comments[0]
            .body
            .contains(":x: **1 of 3 gates failed:** tests 1 failed")
            && comments[0]
                .body
                .contains("Patch coverage is 88.88% with 1 line in your changes missing coverage"),
        "{}",
        comments[0].body
    );
    let log: Vec<String> = fake.log().split_off(before);
    let statuses_path = format!("/repos/octo/proj/statuses/{}", sc.head);
    assert_eq!(
        log,
        [
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            "GET /user".to_owned(),
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            format!("PATCH /repos/octo/proj/issues/comments/{}", created[0].id),
            // Read again after the write: another job's write may have dropped this section.
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "POST /repos/octo/proj/check-runs".to_owned(),
        ]
    );
    let second_statuses: Vec<(String, String)> = fake
        .requests()
        .into_iter()
        .skip(before)
        .filter(|r| r.path.contains("/statuses/"))
        .map(|r| {
            let b = r.body.unwrap();
            (
                b["state"].as_str().unwrap().to_owned(),
                b["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        second_statuses,
        [
            (
                "success".to_owned(),
                "88.88% of diff hit (target 70.00%)".to_owned()
            ),
            ("success".to_owned(), "84.21% (target 70.00%)".to_owned()),
            ("failure".to_owned(), "1 failed, 2 passed".to_owned()),
        ]
    );

    // The same inputs again: the comment is found unchanged and not edited.
    let before = fake.requests().len();
    let third = run(sc.prcov(&fake.api_url()).args(sc.args_with(&[])));
    assert_eq!(third.code, i32::from(exit::GATE_FAILED));
    let log: Vec<String> = fake.log().split_off(before);
    assert_eq!(log.len(), 6, "3 statuses, whoami, list, check run: {log:?}");
    assert_eq!(fake.count("PATCH", "/issues/comments/"), 1);
    assert_eq!(fake.count("POST", "/issues/7/comments"), 1);
    assert_eq!(fake.state().comments.len(), 1);
    fake.assert_bodies_valid();
}

#[test]
fn annotations_for_120_uncovered_ranges_arrive_in_3_requests() {
    let fake = Fake::start(Flavor::Github);
    // 240 added lines, every odd one missed: 120 separate one-line ranges.
    let sc = Scenario::build(&[("src/big.rs", rust_lines("big", 1..=240))]);
    let lines: Vec<(u32, u32)> = (1..=240).map(|l| (l, u32::from(l % 2 == 0))).collect();
    assert_eq!(lines.iter().filter(|(_, h)| *h == 0).count(), 120);
    let lcov = sc.ci_path("big.info");
    write(&lcov, &lcov_file("src/big.rs", &lines));
    let r = run(sc.prcov(&fake.api_url()).arg(&lcov));
    assert_eq!(r.code, i32::from(exit::SUCCESS), "no gate: {}", r.stderr);

    assert_eq!(fake.state().check_run_annotations, [50, 50, 20]);
    assert_eq!(fake.count("POST", "/check-runs"), 1);
    assert_eq!(fake.count("PATCH", "/check-runs/555"), 2);
    // 2 statuses (no tests), whoami + list + create + list, 1 + 2 check-run requests.
    assert_eq!(fake.server_hits(), 9, "{:?}", fake.log());
    let mut lines_annotated = Vec::new();
    for req in fake.requests() {
        if req.path.contains("/check-runs") {
            let body = req.body.unwrap();
            for a in body["output"]["annotations"].as_array().unwrap() {
                assert_eq!(a["start_line"], a["end_line"]);
                assert_eq!(a["path"], json!("src/big.rs"));
                lines_annotated.push(a["start_line"].as_u64().unwrap());
            }
        }
    }
    assert_eq!(
        lines_annotated,
        (0..120).map(|i| 2 * i + 1).collect::<Vec<u64>>()
    );
    let (seen, _) = statuses(&fake);
    assert_eq!(
        seen,
        status_map(&[
            ("prcov/patch", "success", "50.00% of diff hit"),
            // The base's calc.rs has no report records: only big.rs counts.
            ("prcov/project", "success", "50.00%"),
        ])
    );
    assert_eq!(fake.assert_bodies_valid(), 6);
}

#[test]
fn a_500_is_retried_then_succeeds() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    fake.fault(
        "POST",
        "/statuses/",
        500,
        &[],
        r#"{"message":"Server Error"}"#,
    );
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(
        r.code,
        i32::from(exit::GATE_FAILED),
        "gates, not the host: {}",
        r.stderr
    );
    assert_eq!(fake.count("POST", "/statuses/"), 4);
    assert_eq!(fake.server_hits(), 9);
    let contexts = fake.status_contexts();
    assert_eq!(
        contexts,
        ["prcov/patch", "prcov/patch", "prcov/project", "prcov/tests"]
    );
    assert_eq!(fake.state().comments.len(), 1);
}

#[test]
fn a_persistent_500_exits_3_after_4_attempts() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    for _ in 0..4 {
        fake.fault(
            "POST",
            "/statuses/",
            502,
            &[],
            r#"{"message":"Bad Gateway"}"#,
        );
    }
    let r = run(sc
        .prcov(&fake.api_url())
        .env("PRCOV_MAX_RETRY_WAIT", "0")
        .args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::HOST_ERROR), "{}", r.stderr);
    assert_eq!(fake.log().len(), 4, "{:?}", fake.log());
    assert!(
        r.stderr
            .contains("GitHub answered 502 to the request to create commit status prcov/patch"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_429_with_retry_after_waits_then_succeeds() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    fake.fault(
        "POST",
        "/issues/7/comments",
        429,
        &[("retry-after", "1")],
        r#"{"message":"You have exceeded a secondary rate limit"}"#,
    );
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::GATE_FAILED), "{}", r.stderr);
    assert!(
        r.elapsed >= Duration::from_secs(1),
        "did not wait: {:?}",
        r.elapsed
    );
    assert_eq!(fake.count("POST", "/issues/7/comments"), 2);
    assert_eq!(fake.state().comments.len(), 1);
    assert_eq!(fake.server_hits(), 9);

    // A wait longer than PRCOV_MAX_RETRY_WAIT (2s here) fails at once, saying so.
    let fake = Fake::start(Flavor::Github);
    fake.fault("POST", "/statuses/", 429, &[("retry-after", "600")], "{}");
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::HOST_ERROR), "{}", r.stderr);
    assert!(r.elapsed < Duration::from_secs(60), "{:?}", r.elapsed);
    assert_eq!(fake.server_hits(), 1);
    assert!(
        r.stderr
            .contains("asked to wait 600s, more than the 2s prcov waits"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_403_on_a_fork_pr_exits_3_with_the_two_step_recipe() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    sc.write_event("alice/proj");
    // A proxy that echoes the token: it must still not reach the output.
    fake.fault(
        "POST",
        "/statuses/",
        403,
        &[],
        &format!(r#"{{"message":"Resource not accessible by integration (token {TOKEN})"}}"#),
    );
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::HOST_ERROR), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 1, "nothing after the refusal");
    let err = r.stderr.trim_end();
    assert!(
        err.starts_with(
            "prcov: error: GitHub refused to create commit status prcov/patch (403 Forbidden: Resource not accessible by integration (token ***)); hint: on pull requests from forks the token is read-only"
        ),
        "{err}"
    );
    assert!(
        err.contains("prcov publish --save prcov-payload.json")
            && err.contains("prcov publish --from prcov-payload.json"),
        "{err}"
    );
    // The step summary needs no token and was written before the refusal.
    let summary = std::fs::read_to_string(sc.ci_path("summary.md")).unwrap();
    assert!(
        summary.starts_with(":x: **") && summary.contains("Patch coverage is 66.66%"),
        "{summary}"
    );
}

/// `METHOD path` and JSON body of each request a dry run printed (GETs are printed as notes).
fn dry_run_requests(stdout: &str, api_url: &str) -> Vec<(String, Option<Value>)> {
    let mut out = Vec::new();
    let mut lines = stdout.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((method, url)) = line.split_once(' ') else {
            continue;
        };
        if !["POST", "PATCH", "PUT", "DELETE"].contains(&method) {
            continue;
        }
        let path = url.strip_prefix(api_url).unwrap_or(url);
        let mut body = None;
        if lines.peek() == Some(&"{") {
            let mut json = String::new();
            for l in lines.by_ref() {
                json.push_str(l);
                json.push('\n');
                if l == "}" {
                    break;
                }
            }
            body = Some(serde_json::from_str(&json).unwrap());
        }
        out.push((format!("{method} {path}"), body));
    }
    out
}

#[test]
fn dry_run_prints_the_live_requests_sends_nothing_and_keeps_the_gate_exit_code() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    let r = run(sc
        .prcov(&fake.api_url())
        .env_remove("GITHUB_TOKEN")
        .arg("--dry-run")
        .args(sc.standard_args()));
    assert_eq!(
        r.code,
        i32::from(exit::GATE_FAILED),
        "the patch gate fails: {}",
        r.stderr
    );
    assert_eq!(fake.server_hits(), 0);
    assert!(
        !sc.ci_path("summary.md").exists(),
        "a dry run writes no summary"
    );
    assert!(r.stdout.contains(&format!(
        "would GET {}/repos/octo/proj/issues/7/comments?per_page=100",
        fake.api_url()
    )));
    let printed = dry_run_requests(&r.stdout, &fake.api_url());
    let dry_stdout = r.stdout;

    // The same run, live: the requests with bodies are exactly what the dry run printed.
    let live = Fake::start(Flavor::Github);
    let r = run(sc.prcov(&live.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::GATE_FAILED));
    let sent: Vec<(String, Option<Value>)> = live
        .requests()
        .into_iter()
        .filter(|req| req.method != "GET")
        .map(|req| (format!("{} {}", req.method, req.path), req.body))
        .collect();
    assert_eq!(printed.len(), 5);
    assert_eq!(printed, sent);
    let summary = std::fs::read_to_string(sc.ci_path("summary.md")).unwrap();
    assert_eq!(
        dry_stdout.lines().next(),
        Some(
            format!(
                "would append {} characters of Markdown to the step summary {}",
                summary.chars().count(),
                sc.ci_path("summary.md").display()
            )
            .as_str()
        )
    );
}

#[test]
fn fork_two_step_save_without_token_then_from_in_workflow_run() {
    let sc = Scenario::standard();
    sc.write_event("alice/proj");
    let payload = sc.ci_path("prcov-payload.json");

    // Step 1, in the fork's pull_request job: no token at all, nothing sent.
    let fake = Fake::start(Flavor::Github);
    let r = run(sc
        .prcov(&fake.api_url())
        .env_remove("GITHUB_TOKEN")
        .arg("--save")
        .arg(&payload)
        .args(sc.standard_args()));
    assert_eq!(
        r.code,
        i32::from(exit::GATE_FAILED),
        "gates still decide: {}",
        r.stderr
    );
    assert_eq!(fake.server_hits(), 0);
    assert!(
        r.stderr.contains("saved the publish payload to"),
        "{}",
        r.stderr
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&payload).unwrap()).unwrap();
    assert_eq!(saved["version"], json!(1));
    assert_eq!(saved["host"], json!("github"));
    assert_eq!(saved["repository"], json!(SLUG));
    assert_eq!(saved["pr"], json!(PR));
    assert_eq!(saved["head_sha"], json!(sc.head));
    assert_eq!(saved["statuses"].as_array().unwrap().len(), 3);
    assert_eq!(
        saved["check_run"]["annotations"].as_array().unwrap().len(),
        3
    );
    let comment_body = saved["comment_body"].as_str().unwrap().to_owned();
    assert!(
        comment_body.starts_with(":x: **") && comment_body.contains("Patch coverage is 66.66%"),
        "{comment_body}"
    );
    // The fork's job summary gets the report too (it needs no token).
    let summary = std::fs::read_to_string(sc.ci_path("summary.md")).unwrap();
    assert_eq!(summary.trim_end(), comment_body.trim_end());

    // Step 2, in the trusted workflow_run job: no checkout (run outside any repository), the
    // event has no pull_requests (fork), so the PR is looked up by the run's head.
    let event = sc.ci_path("workflow_run.json");
    write_workflow_run(&event, &sc.head);
    let trusted = |fake: &Fake| {
        let mut cmd = sc.prcov(&fake.api_url());
        cmd.current_dir(&sc.ci)
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_STEP_SUMMARY", sc.ci_path("trusted-summary.md"))
            .arg("--from")
            .arg(&payload);
        cmd
    };
    let fake = Fake::start(Flavor::Github);
    fake.state().open_prs = vec![open_pr(PR, &sc.head)];
    let r = run(&mut trusted(&fake));
    assert_eq!(r.code, i32::from(exit::SUCCESS), "{}", r.stderr);
    let statuses_path = format!("/repos/octo/proj/statuses/{}", sc.head);
    assert_eq!(
        fake.log(),
        [
            "GET /repos/octo/proj/pulls?state=open&head=alice:feature&per_page=100".to_owned(),
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            "GET /user".to_owned(),
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "POST /repos/octo/proj/issues/7/comments".to_owned(),
            "GET /repos/octo/proj/issues/7/comments?per_page=100".to_owned(),
            "POST /repos/octo/proj/check-runs".to_owned(),
        ]
    );
    assert_eq!(
        unsectioned(&fake.state().comments[0].body),
        format!("<!-- prcov:default -->\n{comment_body}")
    );
    assert_eq!(fake.state().check_run_annotations, [3]);
    assert_eq!(fake.assert_bodies_valid(), 5);

    // The PR moved on (its head is another commit now): no open PR has the run's head. Refused
    // after the one lookup, exit 2.
    let fake = Fake::start(Flavor::Github);
    fake.state().open_prs = vec![open_pr(PR, &"f".repeat(40))];
    let r = run(&mut trusted(&fake));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 1);
    assert!(
        r.stderr.contains(&format!(
            "no open pull request from alice:feature has head {}",
            sc.head
        )),
        "{}",
        r.stderr
    );

    // A payload for another repository is refused before any request: bad input.
    let fake = Fake::start(Flavor::Github);
    let r = run(trusted(&fake).env("GITHUB_REPOSITORY", "other/repo"));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
    assert!(
        r.stderr
            .contains("names repository octo/proj but this job runs in other/repo"),
        "{}",
        r.stderr
    );
}

/// A `workflow_run` event of a fork PR: no `pull_requests`, the head repository and branch.
fn write_workflow_run(path: &Path, head_sha: &str) {
    write(
        path,
        &json!({"workflow_run": {
            "event": "pull_request",
            "head_sha": head_sha,
            "head_branch": "feature",
            "pull_requests": [],
            "head_repository": {"full_name": "alice/proj"},
            "repository": {"full_name": SLUG},
        }})
        .to_string(),
    );
}

/// An open PR from `alice:feature` as `GET /repos/{o}/{r}/pulls` lists it.
fn open_pr(number: u64, head_sha: &str) -> Value {
    json!({"number": number, "state": "open",
           "head": {"sha": head_sha, "ref": "feature", "repo": {"full_name": "alice/proj"}}})
}

/// JSON-pointer edits of a saved payload.
type Edits = Vec<(&'static str, Value)>;

/// Issue 11 item 1: a payload acts only for the run that triggered the trusted job. Before,
/// `--from` posted whatever PR, host, status context and comment key the file named (only the
/// named PR's head was compared with the file's own head SHA, which is public).
#[test]
fn from_payload_for_another_pr_host_or_name_is_refused_with_exit_2() {
    let sc = Scenario::standard();
    sc.write_event("alice/proj");
    let payload = sc.ci_path("prcov-payload.json");
    let r = run(sc
        .prcov("http://127.0.0.1:9")
        .env_remove("GITHUB_TOKEN")
        .arg("--save")
        .arg(&payload)
        .args(sc.standard_args()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&payload).unwrap()).unwrap();
    let event = sc.ci_path("workflow_run.json");
    write_workflow_run(&event, &sc.head);
    // PR #8 by someone else: its head SHA is public.
    let victim_head = "8".repeat(40);
    // (what, JSON-pointer edits, expected message, requests the fake may see)
    let cases: [(&str, Edits, &str, usize); 7] = [
        (
            "another PR and its head",
            vec![("/pr", json!(8)), ("/head_sha", json!(victim_head))],
            "but the run that triggered this job is for",
            0,
        ),
        (
            "another PR with the run's head",
            vec![("/pr", json!(8))],
            "it is for pull request #8, but the open pull request whose head is",
            1,
        ),
        (
            "another host",
            vec![("/host", json!("gitlab"))],
            "it is for GitLab, but this job runs on GitHub",
            0,
        ),
        (
            "a foreign status context",
            vec![("/statuses/0/context", json!("ci/required-review"))],
            "statuses[0].context \"ci/required-review\" is not one of prcov's own",
            0,
        ),
        (
            "a foreign check run",
            vec![("/check_run/name", json!("build"))],
            "check_run.name \"build\" does not start with \"prcov\"",
            0,
        ),
        (
            "another comment key",
            vec![("/comment_key", json!("frontend"))],
            "its comment key is \"frontend\" but this job's --comment-key is \"default\"",
            0,
        ),
        (
            "a second marker in the body",
            vec![("/comment_body", json!("<!-- prcov:frontend -->\nfake"))],
            "comment_body contains a sticky-comment marker",
            0,
        ),
    ];
    for (what, edits, message, requests) in cases {
        let mut forged = saved.clone();
        for (pointer, value) in edits {
            *forged.pointer_mut(pointer).unwrap() = value;
        }
        let file = sc.ci_path("forged.json");
        write(&file, &forged.to_string());
        let fake = Fake::start(Flavor::Github);
        fake.state().open_prs = vec![open_pr(PR, &sc.head), open_pr(8, &victim_head)];
        let r = run(sc
            .prcov(&fake.api_url())
            .current_dir(&sc.ci)
            .env("GITHUB_EVENT_NAME", "workflow_run")
            .env("GITHUB_EVENT_PATH", &event)
            .arg("--from")
            .arg(&file));
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{what}: {}", r.stderr);
        assert_eq!(fake.server_hits(), requests, "{what}: {:?}", fake.log());
        assert!(fake.state().comments.is_empty(), "{what}");
    }
}

#[test]
fn missing_token_is_a_usage_error_and_sends_nothing() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    let r = run(sc
        .prcov(&fake.api_url())
        .env_remove("GITHUB_TOKEN")
        .env("PRCOV_TOKEN", "   ")
        .args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
    assert_eq!(
        r.stderr.trim_end(),
        "prcov: error: no token to publish; hint: set GITHUB_TOKEN or PRCOV_TOKEN (or use --dry-run / --save to publish later)"
    );
}

#[test]
fn a_broken_event_payload_is_bad_input() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    write(&sc.ci_path("event.json"), "{\"pull_request\": ");
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
    assert!(
        r.stderr.starts_with(&format!(
            "prcov: error: failed to parse the GitHub event payload {} (GITHUB_EVENT_PATH) as JSON:",
            sc.ci_path("event.json").display()
        )),
        "{}",
        r.stderr
    );

    // Valid JSON without the PR head.
    write(
        &sc.ci_path("event.json"),
        r#"{"pull_request": {"number": 7}}"#,
    );
    let r = run(sc.prcov(&fake.api_url()).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert!(
        r.stderr.contains("has no pull_request.head.sha"),
        "{}",
        r.stderr
    );
    assert_eq!(fake.server_hits(), 0);
}

// ---- GitLab CI -------------------------------------------------------------------------------

const PROJECT_ID: &str = "278964";
const MR_IID: u64 = 42;
const JOB_TOKEN: &str = "glcbt-64_JOBTOKEN_do_not_print";

/// `prcov publish` with a GitLab merge-request pipeline environment pointing at `fake`.
pub(crate) fn gitlab_cmd(sc: &Scenario, fake: &Fake) -> Command {
    let mut cmd = sc.prcov(&fake.api_url());
    for key in [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_NAME",
        "GITHUB_EVENT_PATH",
        "GITHUB_REPOSITORY",
        "GITHUB_SHA",
        "GITHUB_API_URL",
        "GITHUB_TOKEN",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
    ] {
        cmd.env_remove(key);
    }
    cmd.env("GITLAB_CI", "true")
        .env("CI", "true")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_IID", MR_IID.to_string())
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &sc.base)
        .env("CI_COMMIT_SHA", &sc.head)
        .env("CI_PROJECT_ID", PROJECT_ID)
        .env("CI_PROJECT_PATH", "group/proj")
        .env("CI_API_V4_URL", fake.api_url())
        .env("CI_JOB_TOKEN", JOB_TOKEN)
        .env("GITLAB_TOKEN", TOKEN);
    cmd
}

fn assert_no_job_token(r: &Run) {
    assert!(
        !r.stdout.contains(JOB_TOKEN) && !r.stderr.contains(JOB_TOKEN),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn gitlab_statuses_with_coverage_and_one_sticky_note_edited_on_the_next_push() {
    let fake = Fake::start(Flavor::Gitlab);
    let mut sc = Scenario::standard();
    let r = run(gitlab_cmd(&sc, &fake).args(sc.standard_args()));
    assert_no_job_token(&r);
    assert_eq!(r.code, i32::from(exit::GATE_FAILED), "{}", r.stderr);

    let statuses_path = format!("/api/v4/projects/{PROJECT_ID}/statuses/{}", sc.head);
    let notes = format!("/api/v4/projects/{PROJECT_ID}/merge_requests/{MR_IID}/notes");
    assert_eq!(
        fake.log(),
        [
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            format!("POST {statuses_path}"),
            "GET /api/v4/user".to_owned(),
            format!("GET {notes}?sort=desc&per_page=100"),
            format!("POST {notes}"),
            format!("GET {notes}?sort=desc&per_page=100"),
        ]
    );
    // GitLab authenticates with PRIVATE-TOKEN, never with the job token.
    for req in fake.requests() {
        let tokens: Vec<&str> = req
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("private-token"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(tokens, [TOKEN]);
    }
    let bodies: Vec<Value> = fake
        .requests()
        .into_iter()
        .filter(|r| r.path.contains("/statuses/"))
        .map(|r| r.body.unwrap())
        .collect();
    assert_eq!(
        bodies,
        [
            json!({"name": "prcov/patch", "state": "failed",
                   "description": "66.66% of diff hit (target 70.00%)", "coverage": 600.0 / 9.0}),
            json!({"name": "prcov/project", "state": "success",
                   "description": "73.68% (target 70.00%)", "coverage": 1400.0 / 19.0}),
            json!({"name": "prcov/tests", "state": "failed", "description": "1 failed, 2 passed"}),
        ]
    );
    let notes_now = fake.state().comments.clone();
    assert_eq!(notes_now.len(), 1);
    assert!(
        unsectioned(&notes_now[0].body).starts_with("<!-- prcov:default -->\n:x: **")
            && notes_now[0]
                .body
                .contains("Patch coverage is 66.66% with 3 lines"),
        "{}",
        notes_now[0].body
    );
    // No step summary or outputs outside GitHub Actions.
    assert!(!sc.ci_path("summary.md").exists());
    assert_eq!(fake.assert_bodies_valid(), 4);

    // The next push: the same note is edited in place.
    sc.push("docs/notes.md", "# Notes\n\nCalc got tests.\n");
    let before = fake.requests().len();
    let r = run(gitlab_cmd(&sc, &fake).args(sc.args_with(&[])));
    assert_eq!(
        r.code,
        i32::from(exit::GATE_FAILED),
        "a test still fails: {}",
        r.stderr
    );
    let log = fake.log().split_off(before);
    assert_eq!(
        log,
        [
            format!("POST /api/v4/projects/{PROJECT_ID}/statuses/{}", sc.head),
            format!("POST /api/v4/projects/{PROJECT_ID}/statuses/{}", sc.head),
            format!("POST /api/v4/projects/{PROJECT_ID}/statuses/{}", sc.head),
            "GET /api/v4/user".to_owned(),
            format!("GET {notes}?sort=desc&per_page=100"),
            format!("PUT {notes}/{}", notes_now[0].id),
            format!("GET {notes}?sort=desc&per_page=100"),
        ]
    );
    let after = fake.state().comments.clone();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, notes_now[0].id);
    assert!(
        after[0]
            .body
            .contains("Patch coverage is 88.88% with 1 line in your changes missing coverage"),
        "{}",
        after[0].body
    );
    fake.assert_bodies_valid();
}

#[test]
fn gitlab_with_only_the_job_token_explains_and_sends_nothing() {
    let fake = Fake::start(Flavor::Gitlab);
    let sc = Scenario::standard();
    let r = run(gitlab_cmd(&sc, &fake)
        .env_remove("GITLAB_TOKEN")
        .args(sc.standard_args()));
    assert_no_job_token(&r);
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
    assert!(
        r.stderr.starts_with("prcov: error: only CI_JOB_TOKEN is set, and GitLab does not let a job token create merge request notes or commit statuses; hint: create a project or group access token with the `api` scope"),
        "{}",
        r.stderr
    );
}

#[test]
fn gitlab_403_exits_3_with_the_permissions_hint() {
    let fake = Fake::start(Flavor::Gitlab);
    let sc = Scenario::standard();
    fake.fault(
        "POST",
        "/statuses/",
        403,
        &[],
        r#"{"message":"403 Forbidden"}"#,
    );
    let r = run(gitlab_cmd(&sc, &fake).args(sc.standard_args()));
    assert_eq!(r.code, i32::from(exit::HOST_ERROR), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 1);
    assert!(
        r.stderr.contains("GitLab refused to create commit status prcov/patch (403 Forbidden: 403 Forbidden); hint: the token may not write here: use a project or group access token with the `api` scope and the Developer role"),
        "{}",
        r.stderr
    );
}

#[test]
fn project_drop_gate_needs_a_base_report_and_reports_the_delta_in_the_status() {
    let fake = Fake::start(Flavor::Github);
    let sc = Scenario::standard();
    let r = run(sc
        .prcov(&fake.api_url())
        .args(sc.standard_args())
        .args(["--max-project-drop", "1"]));
    assert_eq!(r.code, i32::from(exit::BAD_INPUT), "{}", r.stderr);
    assert_eq!(fake.server_hits(), 0);
    assert_eq!(
        r.stderr.trim_end(),
        "prcov: error: --max-project-drop needs a base report to compare with: add --base-report FILE, or --history-dir DIR to compare with the history baseline"
    );

    // Base: calc 1-10 with 9 and 10 missed, 80%. Head: 73.68%, a drop of 6.31 points.
    let base_lcov = sc.ci_path("base.info");
    let base_lines: Vec<(u32, u32)> = (1..=10).map(|l| (l, u32::from(l < 9))).collect();
    write(&base_lcov, &lcov_file("src/calc.rs", &base_lines));
    let r = run(sc
        .prcov(&fake.api_url())
        .args(sc.standard_args())
        .args(["--max-project-drop", "1", "--base-report"])
        .arg(&base_lcov));
    assert_eq!(r.code, i32::from(exit::GATE_FAILED), "{}", r.stderr);
    let (seen, _) = statuses(&fake);
    assert_eq!(
        seen["prcov/project"],
        (
            "failure".to_owned(),
            format!("73.68% (-6.31%) compared to {}", &sc.base[..7])
        )
    );
}

/// Issue 11 item 1 on GitLab: `--from` checks the project (`CI_PROJECT_ID`), the merge request
/// (`CI_MERGE_REQUEST_IID`) and the MR's head from the API before posting; a GitHub payload is
/// never sent to GitLab with its token.
#[test]
fn gitlab_from_checks_project_merge_request_and_head() {
    let sc = Scenario::standard();
    let payload = sc.ci_path("gl-payload.json");
    let fake = Fake::start(Flavor::Gitlab);
    let r = run(gitlab_cmd(&sc, &fake)
        .env_remove("GITLAB_TOKEN")
        .arg("--save")
        .arg(&payload)
        .args(sc.standard_args()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&payload).unwrap()).unwrap();

    // The trusted job of the same pipeline: the MR is at the payload's head, so it is posted.
    let fake = Fake::start(Flavor::Gitlab);
    fake.state().pr_head = sc.head.clone();
    let r = run(gitlab_cmd(&sc, &fake).arg("--from").arg(&payload));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = fake.log();
    assert_eq!(
        log[0],
        format!("GET /api/v4/projects/{PROJECT_ID}/merge_requests/{MR_IID}")
    );
    assert_eq!(fake.count("POST", "/statuses/"), 3);
    assert_eq!(fake.count("POST", "/notes"), 1);
    fake.assert_bodies_valid();

    // The MR moved on: refused after the one GET (exit 3, as on GitHub).
    let fake = Fake::start(Flavor::Gitlab);
    fake.state().pr_head = "f".repeat(40);
    let r = run(gitlab_cmd(&sc, &fake).arg("--from").arg(&payload));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(fake.server_hits(), 1);

    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "another MR",
            json!({"pr": 41}),
            "it is for pull request #41 but this run belongs to #42",
        ),
        (
            "another project",
            json!({"repository": "999"}),
            "it names repository 999 but this job runs in 278964",
        ),
        (
            "another host",
            json!({"host": "github", "repository": "octo/proj"}),
            "it is for GitHub, but this job runs on GitLab",
        ),
    ];
    for (what, patch, message) in cases {
        let mut forged = saved.clone();
        for (k, v) in patch.as_object().unwrap() {
            forged[k] = v.clone();
        }
        let file = sc.ci_path("gl-forged.json");
        write(&file, &forged.to_string());
        let fake = Fake::start(Flavor::Gitlab);
        fake.state().pr_head = sc.head.clone();
        let r = run(gitlab_cmd(&sc, &fake).arg("--from").arg(&file));
        assert_eq!(r.code, 2, "{what}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{what}: {}", r.stderr);
        assert_eq!(fake.server_hits(), 0, "{what}");
    }
}

/// Issue 11 item 5: usage errors in `publish` exit 2 before any request. Before, a bad
/// `--comment-key` or `--repo-slug` reached the host layer (exit 3, after computing everything)
/// and `--pr 0` was only caught there.
#[test]
fn bad_publish_flags_are_usage_errors() {
    let sc = Scenario::standard();
    let fake = Fake::start(Flavor::Github);
    let cases: [(&[&str], &str); 3] = [
        (
            &["--comment-key", "x --> <b>"],
            "--comment-key \"x --> <b>\" must be 1-64 characters",
        ),
        (
            &["--repo-slug", "octo/proj/extra"],
            "--repo-slug \"octo/proj/extra\" is not owner/name",
        ),
        (&["--pr", "0"], "invalid value '0' for '--pr <N>'"),
    ];
    for (flags, message) in cases {
        let r = run(sc
            .prcov(&fake.api_url())
            .args(flags)
            .args(sc.standard_args()));
        assert_eq!(r.code, 2, "{flags:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{flags:?}: {}", r.stderr);
    }
    assert_eq!(fake.server_hits(), 0);
}

/// Issue 11 item 5: the token never goes over plain http to another machine, and an API URL
/// with credentials in it is refused without printing them. Before, both were used as given
/// (and the URL, credentials included, appeared in network errors).
#[test]
fn insecure_or_credentialed_api_urls_are_refused() {
    let sc = Scenario::standard();
    let r = run(sc
        .prcov("http://coverage.example.invalid/api/v3")
        .args(sc.standard_args()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("is plain http to another machine")
            && r.stderr.contains("--allow-insecure-http"),
        "{}",
        r.stderr
    );
    // With the flag it is tried (and cannot be reached: exit 3).
    let r = run(sc
        .prcov("http://coverage.example.invalid/api/v3")
        .env("PRCOV_MAX_RETRY_WAIT", "0")
        .arg("--allow-insecure-http")
        .args(sc.standard_args()));
    assert_eq!(r.code, 3, "{}", r.stderr);

    let fake = Fake::start(Flavor::Github);
    let with_secret = fake
        .api_url()
        .replacen("http://", "http://x-access-token:s3cr3t_in_url@", 1);
    let r = run(sc.prcov(&with_secret).args(sc.standard_args()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("has credentials in it"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("s3cr3t") && !r.stdout.contains("s3cr3t"),
        "{}",
        r.stderr
    );
    assert_eq!(fake.server_hits(), 0);
}
