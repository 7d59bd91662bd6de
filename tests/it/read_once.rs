//! Each input is read once: reports and JUnit files are given as FIFOs, which can be read only
//! once — a second open would wait for a writer that never comes (the command times out). Covers
//! the paths that used to read a report twice: format detection before parsing, `--diff-file`
//! without a repository (mapped and unmapped), and `convert` with paths that match no file of
//! the repository.

use prcov::exit;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;

const LCOV: &str = "TN:\nSF:src/calc.c\nDA:1,4\nDA:2,0\nDA:3,1\nend_of_record\nSF:/elsewhere/gen.c\nDA:1,1\nDA:2,1\nend_of_record\n";

fn prcov(dir: &Path) -> Command {
    let mut c = crate::common::prcov_in(dir);
    // A second open of a FIFO blocks for ever: fail instead.
    c.timeout(Duration::from_secs(60));
    c
}

/// A FIFO at `dir/name` that serves `content` to its first reader only.
fn fifo(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    let status = StdCommand::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
    let (writer_path, content) = (path.clone(), content.to_owned());
    // Opening for writing waits for the reader; the writer closes after one pass.
    std::thread::spawn(move || std::fs::write(writer_path, content));
    path
}

/// stdout of a run that must succeed.
fn success(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(prcov::exit::SUCCESS)),
        "stderr: {stderr}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn report_detects_and_parses_from_one_open() {
    let dir = tempfile::tempdir().unwrap();
    let report = fifo(dir.path(), "lcov.info", LCOV);
    let out = success(
        prcov(dir.path())
            .args(["report", "--no-repo", "--format", "json"])
            .arg(&report),
    );
    let json = json(&out);
    assert_eq!(json["project"]["lines"], 5);
    assert_eq!(json["project"]["hits"], 4);
}

#[test]
fn diff_file_without_a_repository_reads_the_report_once() {
    let dir = tempfile::tempdir().unwrap();
    let patch = dir.path().join("change.patch");
    std::fs::write(
        &patch,
        "diff --git a/src/calc.c b/src/calc.c\n--- a/src/calc.c\n+++ b/src/calc.c\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n",
    )
    .unwrap();
    let report = fifo(dir.path(), "lcov.info", LCOV);
    let out = success(
        prcov(dir.path())
            .args(["diff", "--format", "json", "--diff-file"])
            .arg(&patch)
            .arg(&report),
    );
    let json = json(&out);
    // The patch: src/calc.c lines 1-3; the project: every record, /elsewhere/gen.c included.
    assert_eq!(json["patch"]["lines"], 3);
    assert_eq!(json["patch"]["hits"], 2);
    assert_eq!(json["project"]["lines"], 5);
    assert_eq!(json["project"]["hits"], 4);
}

#[test]
fn convert_keeps_unmatched_files_without_reading_again() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let git = |args: &[&str]| {
        let out = StdCommand::new("git")
            .current_dir(repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    git(&["init", "-q"]);
    std::fs::create_dir(repo.join("src")).unwrap();
    std::fs::write(repo.join("src/calc.c"), "int a;\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "one"]);
    let report = fifo(repo, "lcov.info", LCOV);
    let out = prcov(repo).arg("convert").arg(&report).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(exit::SUCCESS)),
        "{stderr}"
    );
    let lcov = String::from_utf8_lossy(&out.stdout);
    // Mapped to the repository file, and the unmatched one kept as the report wrote it.
    assert!(lcov.contains("SF:src/calc.c"), "{lcov}");
    assert!(lcov.contains("SF:/elsewhere/gen.c"), "{lcov}");
    assert!(
        stderr.contains("1 report path(s) match no file"),
        "{stderr}"
    );
}

#[test]
fn tests_reads_junit_from_one_open() {
    let dir = tempfile::tempdir().unwrap();
    let junit = fifo(
        dir.path(),
        "junit.xml",
        r#"<testsuite name="s" tests="2"><testcase name="a"/><testcase name="b"><failure message="boom"/></testcase></testsuite>"#,
    );
    let out = success(
        prcov(dir.path())
            .args(["tests", "--format", "json"])
            .arg(&junit),
    );
    let json = json(&out);
    assert_eq!(json["tests"], 2, "{json}");
    assert_eq!(json["failed"], 1, "{json}");
}
