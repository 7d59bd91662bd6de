//! Agreement with diff-cover on real projects (fixtures/agreement, made by scripts/agreement/run.sh
//! --update-fixtures): packaging 24.1 -> 24.2 (coverage.py) and lz4 1.9.4 -> 1.10.0 (gcc --coverage,
//! gcovr and lcov). For every report, prcov's added coverable lines and uncovered lines per file must
//! equal what diff-cover 11.0.1 recorded for the same report and change.
//!
//! diff-cover counts a line with hits > 0 as covered, so its violations are prcov's missed lines; in
//! its `--branch-coverage` mode (Cobertura only) partial lines are violations too.

use prcov::exit;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command as Std;

use serde_json::Value;

/// Per file: (added coverable lines, uncovered lines).
type Lines = BTreeMap<String, (BTreeSet<u64>, BTreeSet<u64>)>;

fn fixtures(project: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/agreement")
        .join(project)
}

fn run(cmd: &mut Std) -> Vec<u8> {
    let out = cmd.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Clones the trimmed repo (git2 cannot read bundles; tests may use the git CLI) and unpacks the
/// gzipped reports beside it.
fn checkout(project: &str, tmp: &Path) -> PathBuf {
    let repo = tmp.join(project);
    run(Std::new("git")
        .args(["clone", "-q", "--branch", "head"])
        .arg(fixtures(project).join("repo.bundle"))
        .arg(&repo));
    repo
}

fn unpack(project: &str, report: &str, tmp: &Path) -> PathBuf {
    let data = run(Std::new("gzip")
        .arg("-dc")
        .arg(fixtures(project).join(format!("{report}.gz"))));
    let path = tmp.join(report);
    std::fs::write(&path, data).unwrap();
    path
}

fn lines(value: &Value) -> BTreeSet<u64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("expected an array of line numbers, got {value}"))
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

/// diff-cover's recorded JSON: files with at least one coverable added line.
fn diff_cover(project: &str, name: &str) -> Lines {
    let path = fixtures(project).join(format!("{name}.diff-cover.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut out = Lines::new();
    for (file, stats) in json["src_stats"].as_object().unwrap() {
        let violations = lines(&stats["violation_lines"]);
        let mut coverable = lines(&stats["covered_lines"]);
        coverable.extend(&violations);
        if !coverable.is_empty() {
            out.insert(file.clone(), (coverable, violations));
        }
    }
    out
}

/// `prcov diff --format json` on the checkout; partials are uncovered only in branch mode.
fn prcov(repo: &Path, report: &Path, branch_mode: bool) -> Lines {
    let out = crate::common::prcov()
        .args(["diff", "--base", "origin/base", "--head", "head"])
        .args(["--format", "json", "--repo"])
        .arg(repo)
        .arg(report)
        .output()
        .unwrap();
    crate::common::expect_exit(&out, exit::SUCCESS);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut files = Lines::new();
    for file in json["files"].as_array().unwrap() {
        let hit = lines(&file["hit_lines"]);
        let missed = lines(&file["missed_lines"]);
        let partial = lines(&file["partial_lines"]);
        let coverable: BTreeSet<u64> = hit.iter().chain(&missed).chain(&partial).copied().collect();
        let uncovered = if branch_mode {
            missed.union(&partial).copied().collect()
        } else {
            missed
        };
        files.insert(
            file["path"].as_str().unwrap().to_owned(),
            (coverable, uncovered),
        );
    }
    files
}

/// Asserts agreement for one report and returns (files, added coverable, uncovered) so each test can
/// also pin the size of the comparison (an empty diff-cover record would otherwise agree trivially).
fn agree(project: &str, repo: &Path, tmp: &Path, report: &str, branch_mode: bool) -> [usize; 3] {
    let path = unpack(project, report, tmp);
    let name = if branch_mode {
        format!("{report}.branch")
    } else {
        report.to_owned()
    };
    let expected = diff_cover(project, &name);
    let actual = prcov(repo, &path, branch_mode);
    pretty_assertions::assert_eq!(actual, expected, "{project} {name}");
    [
        expected.len(),
        expected.values().map(|(c, _)| c.len()).sum(),
        expected.values().map(|(_, u)| u.len()).sum(),
    ]
}

#[test]
fn packaging_coverage_py_cobertura_and_lcov_agree_with_diff_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = checkout("packaging", tmp.path());
    let t = tmp.path();
    assert_eq!(
        agree("packaging", &repo, t, "coverage.xml", false),
        [10, 188, 57]
    );
    assert_eq!(
        agree("packaging", &repo, t, "coverage.xml", true),
        [10, 188, 68]
    );
    assert_eq!(
        agree("packaging", &repo, t, "coverage.lcov", false),
        [10, 188, 57]
    );
}

#[test]
fn lz4_gcovr_and_lcov_reports_agree_with_diff_cover() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = checkout("lz4", tmp.path());
    let t = tmp.path();
    assert_eq!(
        agree("lz4", &repo, t, "gcovr-cobertura.xml", false),
        [4, 617, 131]
    );
    assert_eq!(
        agree("lz4", &repo, t, "gcovr-cobertura.xml", true),
        [4, 617, 218]
    );
    assert_eq!(agree("lz4", &repo, t, "gcovr.lcov", false), [4, 617, 131]);
    assert_eq!(agree("lz4", &repo, t, "lcov.info", false), [4, 617, 131]);
}
