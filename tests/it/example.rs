//! The bundled example (fixtures/example): the README's first command, asserted exactly. The
//! Cobertura and LCOV reports of the same coverage.py run must give the same answer.

use prcov::exit;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example")
}

/// Clones the bundle's `feature` branch (git2 cannot read bundles; tests may use the git CLI).
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bundle = example().join("shop.bundle");
    let target = dir.path().join("shop");
    let (bundle, target) = (
        bundle.to_str().expect("UTF-8"),
        target.to_str().expect("UTF-8"),
    );
    crate::common::git(
        dir.path(),
        &["clone", "-q", "--branch", "feature", bundle, target],
    );
    dir
}

fn diff(repo: &Path, report: &str, format: &str) -> (Option<i32>, String) {
    let out = crate::common::prcov()
        .args([
            "diff",
            "--base",
            "origin/main",
            "--format",
            format,
            "--repo",
        ])
        .arg(repo)
        .arg(example().join(report))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn example_numbers_agree_across_formats() {
    let dir = checkout();
    let repo = dir.path().join("shop");
    let (code, cob) = diff(&repo, "coverage.xml", "json");
    assert_eq!(code, Some(i32::from(exit::SUCCESS)));
    let (_, lcov) = diff(&repo, "lcov.info", "json");
    let mut cob: Value = serde_json::from_str(&cob).unwrap();
    let mut lcov: Value = serde_json::from_str(&lcov).unwrap();
    assert_eq!(
        cob["patch"],
        serde_json::json!({"lines": 31, "hits": 23, "misses": 5, "partials": 3, "percent": 100.0 * 23.0 / 31.0})
    );
    assert_eq!(cob["project"]["lines"], 52);
    assert_eq!(cob["project"]["hits"], 38);
    // README.md changed too, but no coverage tool instruments it: not "not measured".
    assert_eq!(cob["not_measured"], serde_json::json!([]));
    let helpers = &cob["files"][0];
    assert_eq!(helpers["path"], "shop/helpers.py");
    assert_eq!(helpers["status"], "renamed");
    assert_eq!(helpers["old_path"], "shop/util.py");
    assert_eq!(
        cob["files"][2]["missed_lines"],
        serde_json::json!([8, 13, 18])
    );
    assert_eq!(cob["files"][2]["partial_lines"], serde_json::json!([7, 12]));
    // Only the list of inputs differs.
    cob["reports"] = Value::Null;
    lcov["reports"] = Value::Null;
    assert_eq!(cob, lcov);
}

#[test]
fn example_markdown() {
    let dir = checkout();
    let (_, md) = diff(&dir.path().join("shop"), "coverage.xml", "markdown");
    insta::assert_snapshot!(md);
    let (_, md_lcov) = diff(&dir.path().join("shop"), "lcov.info", "markdown");
    assert_eq!(md, md_lcov);
}
