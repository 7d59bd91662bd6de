//! Issue 11 item 5: smaller defects, one regression test each (the publish ones are in
//! `publish_e2e.rs`, the atomic writer's in `src/atomic.rs`).

use std::path::Path;

use assert_cmd::Command;

use crate::common::corpus_dir;

fn prcov() -> Command {
    let mut c = Command::cargo_bin("prcov").expect("the prcov binary is built");
    c.env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env("NO_COLOR", "1");
    c
}

/// `prcov report --no-repo --format json FILE`: exit code, the JSON without the `reports` list
/// (it names the file), stderr.
fn report_json(file: &Path) -> (i32, serde_json::Value, String) {
    let out = prcov()
        .args(["report", "--no-repo", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        without_reports(&out.stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn without_reports(stdout: &[u8]) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_slice(stdout).unwrap_or_default();
    if let Some(o) = json.as_object_mut() {
        o.remove("reports");
    }
    json
}

/// Before: "expected value at line 1 column 1" for every JSON format with a byte order mark
/// (detection stripped it, the parsers did not).
#[test]
fn json_reports_with_a_byte_order_mark_read_like_without() {
    let dir = tempfile::tempdir().unwrap();
    let coveragepy = dir.path().join("coverage.json");
    std::fs::write(
        &coveragepy,
        r#"{"meta": {"version": "7.4.0", "branch_coverage": false}, "files": {"a.py": {"executed_lines": [1, 2], "missing_lines": [3], "excluded_lines": []}}, "totals": {"covered_lines": 2, "num_statements": 3}}"#,
    )
    .unwrap();
    let corpus = corpus_dir();
    let files = [
        corpus.join("istanbul-json/mishakav-jest-coverage-final.json"),
        corpus.join("llvm-json/codeclimate-llvm-cov-export-swift.json"),
        corpus.join("other/cargo-llvm-cov-codecov-custom.json"),
        corpus.join("other/gcovr-json-decisions-gcc14.json"),
        coveragepy,
    ];
    for file in files {
        let (code, plain, err) = report_json(&file);
        assert_eq!(code, 0, "{}: {err}", file.display());
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(std::fs::read(&file).unwrap());
        let with_bom = dir.path().join(file.file_name().unwrap());
        let with_bom = with_bom.with_extension("bom.json");
        std::fs::write(&with_bom, bytes).unwrap();
        let (code, json, err) = report_json(&with_bom);
        assert_eq!(code, 0, "{}: {err}", with_bom.display());
        assert_eq!(json, plain, "{}", file.display());
    }
}

/// Before: detection read the start of the pipe, the parser reopened it and missed that start
/// ("the file is empty" or a report without its first records).
#[test]
fn a_report_from_a_pipe_or_dev_stdin_is_read_whole() {
    let file = corpus_dir().join("lcov/codeclimate-istanbul-absolute-path.info");
    let (code, expected, err) = report_json(&file);
    assert_eq!(code, 0, "{err}");
    let out = prcov()
        .args(["report", "--no-repo", "--format", "json", "/dev/stdin"])
        .pipe_stdin(&file)
        .unwrap()
        .output()
        .unwrap();
    assert_same_report(&out, &expected);

    // A real pipe (a FIFO, as `<(…)` gives), not a redirected file.
    let bin = assert_cmd::cargo::cargo_bin("prcov");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("cat \"$1\" | \"$0\" report --no-repo --format json /dev/stdin")
        .arg(&bin)
        .arg(&file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_same_report(&out, &expected);
}

fn assert_same_report(out: &std::process::Output, expected: &serde_json::Value) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(&without_reports(&out.stdout), expected);
}

/// Before: a record at line 5000000000 (past u32) was dropped without a word.
#[test]
fn line_numbers_beyond_the_representable_range_warn() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("coverage.json");
    std::fs::write(
        &file,
        r#"{"meta": {"version": "7.4.0"}, "files": {"a.py": {"executed_lines": [1, 5000000000], "missing_lines": [0], "excluded_lines": []}}}"#,
    )
    .unwrap();
    let (code, json, err) = report_json(&file);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        json["warnings"][0].as_str().unwrap_or_default(),
        format!(
            "{}: 2 record(s) with a line number outside 1-4294967295 were skipped (the first: 5000000000)",
            file.display()
        ),
        "{json}"
    );
}

/// Before: a committed `lcov.info` was used without a word, though it usually describes some
/// older commit.
#[test]
fn a_discovered_report_tracked_in_git_is_pointed_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@e"])
            .args(args)
            .current_dir(root)
            .env_remove("GIT_DIR")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(root.join("a.rs"), "fn a() {}\n").unwrap();
    std::fs::write(root.join("lcov.info"), "SF:a.rs\nDA:1,1\nend_of_record\n").unwrap();
    std::fs::create_dir(root.join("fresh")).unwrap();
    std::fs::write(
        root.join("fresh/coverage.lcov"),
        "SF:a.rs\nDA:1,1\nend_of_record\n",
    )
    .unwrap();
    git(&["add", "a.rs", "lcov.info"]);
    git(&["commit", "-q", "-m", "init"]);
    let out = prcov().arg("report").current_dir(root).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("lcov.info is tracked in git: a committed report is usually stale"),
        "{err}"
    );
    assert!(!err.contains("coverage.lcov is tracked"), "{err}");
}
