//! The JSON output against its JSON Schema (docs/schema/*.schema.json): every JSON document
//! `prcov report`, `prcov tests` and `prcov diff` write for the corpus and the fixtures must
//! validate, and the schemas forbid fields they do not list, so the contract in docs/ and the code
//! cannot drift apart.
//!
//! Validator: boon (draft 2020-12, pure Rust, no network or TLS dependencies and no features to
//! turn off); the `jsonschema` crate pulls an HTTP client and TLS stack by default.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

use crate::common::{crate_dir, prcov_in as prcov};

const SCHEMA_URL: &str = "https://prcov.dev/schema/1/";

struct Validator {
    schemas: boon::Schemas,
    diff: boon::SchemaIndex,
    report: boon::SchemaIndex,
    tests: boon::SchemaIndex,
}

impl Validator {
    fn new() -> Self {
        let mut compiler = boon::Compiler::new();
        for name in ["common", "diff", "report", "tests"] {
            let path = crate_dir().join(format!("docs/schema/{name}.schema.json"));
            let text = std::fs::read_to_string(&path).unwrap();
            let json: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                json["$id"],
                format!("{SCHEMA_URL}{name}.schema.json"),
                "{}",
                path.display()
            );
            compiler
                .add_resource(&format!("{SCHEMA_URL}{name}.schema.json"), json)
                .unwrap();
        }
        let mut schemas = boon::Schemas::new();
        let mut compile = |name: &str| {
            compiler
                .compile(&format!("{SCHEMA_URL}{name}.schema.json"), &mut schemas)
                .unwrap_or_else(|e| panic!("{name}.schema.json: {e:#}"))
        };
        let (diff, report, tests) = (compile("diff"), compile("report"), compile("tests"));
        Validator {
            schemas,
            diff,
            report,
            tests,
        }
    }

    /// The validation error, if any, as text.
    fn check(&self, index: boon::SchemaIndex, json: &Value) -> Option<String> {
        self.schemas
            .validate(json, index)
            .err()
            .map(|e| format!("{e:#}"))
    }
}

/// What is wrong with a `prcov diff` document by docs/schema/diff.schema.json, if anything: for
/// the tests of other themes (tests/it/monorepo.rs).
pub fn diff_problem(json: &Value) -> Option<String> {
    let v = Validator::new();
    v.check(v.diff, json)
}

/// The JSON document of a run, or `None` when the input is rejected (exit 2: no document).
fn json_of(cmd: &mut Command, name: &str) -> Option<Value> {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    match out.status.code() {
        Some(0 | 1) => Some(
            serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{name}: output is not JSON: {e}")),
        ),
        Some(2) => None,
        other => panic!("{name}: exit {other:?}: {stderr}"),
    }
}

fn files_below(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn git_clone(bundle: &Path, branch: &str, to: &Path) {
    let (bundle, to) = (bundle.to_str().unwrap(), to.to_str().unwrap());
    crate::common::git(
        Path::new("."),
        &["clone", "-q", "--branch", branch, bundle, to],
    );
}

fn gunzip(from: &Path, to: &Path) {
    let out = std::process::Command::new("gzip")
        .arg("-dc")
        .arg(from)
        .output()
        .unwrap();
    assert!(out.status.success(), "gzip -dc {}", from.display());
    std::fs::write(to, out.stdout).unwrap();
}

#[test]
fn every_json_output_of_the_corpus_and_fixtures_validates() {
    let v = Validator::new();
    let mut problems = Vec::new();
    let mut validated = [0usize; 3];
    let mut check = |index: boon::SchemaIndex, slot: usize, name: String, json: Option<Value>| {
        if let Some(json) = json {
            validated[slot] += 1;
            if let Some(e) = v.check(index, &json) {
                problems.push(format!("{name}: {e}"));
            }
        }
    };
    let tmp = tempfile::tempdir().unwrap();

    // `prcov report --no-repo` or `prcov tests` on one file.
    let document = |junit: bool, path: &Path, name: &str| {
        let args: &[&str] = if junit {
            &["tests", "--format", "json"]
        } else {
            &["report", "--no-repo", "--format", "json"]
        };
        json_of(prcov(tmp.path()).args(args).arg(path), name)
    };
    let mut check_file = |junit: bool, path: &Path, name: String| {
        let json = document(junit, path, &name);
        if junit {
            check(v.tests, 2, name, json);
        } else {
            check(v.report, 1, name, json);
        }
    };

    // Every corpus file.
    for row in crate::common::manifest(&[]) {
        check_file(
            row.get("format") == "junit",
            &row.path(),
            row.get("path").to_owned(),
        );
    }

    // The fixtures: coverage reports and JUnit files.
    let fixtures = crate_dir().join("fixtures");
    let relative = |p: &Path| p.strip_prefix(crate_dir()).unwrap().display().to_string();
    let coverage = |p: &Path| {
        let name = p.file_name().unwrap().to_string_lossy();
        !name.contains("junit")
            && p.extension().is_some_and(|e| {
                ["info", "lcov", "xml", "json", "out"].contains(&e.to_str().unwrap_or(""))
            })
    };
    for dir in ["lcov", "cobertura", "jacoco", "real-runs", "example"] {
        for path in files_below(&fixtures.join(dir), coverage) {
            check_file(false, &path, relative(&path));
        }
    }
    let junit = |p: &Path| p.extension().is_some_and(|e| e == "xml");
    for path in files_below(&fixtures.join("junit"), junit) {
        check_file(true, &path, relative(&path));
    }

    // `prcov diff` on the example and on the agreement fixtures; and `report` with a repository,
    // gates and a base report, so `gates`, `base_project`, `delta` and unmatched paths are filled.
    let example = fixtures.join("example");
    let shop = tmp.path().join("shop");
    git_clone(&example.join("shop.bundle"), "feature", &shop);
    for report in ["coverage.xml", "lcov.info"] {
        let report = example.join(report);
        let json = json_of(
            prcov(tmp.path())
                .args([
                    "diff",
                    "--format",
                    "json",
                    "--base",
                    "origin/main",
                    "--repo",
                ])
                .arg(&shop)
                .arg(&report),
            "example diff",
        );
        check(
            v.diff,
            0,
            format!("diff example {}", report.display()),
            json,
        );
        let gated = json_of(
            prcov(tmp.path())
                .args(["diff", "--format", "json", "--base", "origin/main"])
                .args(["--fail-under-patch", "99", "--fail-under-project", "10"])
                .args(["--max-project-drop", "1", "--fail-on-unmatched"])
                .arg("--base-report")
                .arg(&report)
                .arg("--repo")
                .arg(&shop)
                .arg(&report)
                .arg(fixtures.join("lcov/valid/nyc-brda-without-da.info")),
            "gated example diff",
        );
        check(v.diff, 0, format!("gated diff {}", report.display()), gated);
        let report_json = json_of(
            prcov(tmp.path())
                .args(["report", "--format", "json", "--fail-under-project", "90"])
                .arg("--base-report")
                .arg(&report)
                .arg("--repo")
                .arg(&shop)
                .arg(&report),
            "example report",
        );
        check(
            v.report,
            1,
            format!("report {}", report.display()),
            report_json,
        );
    }
    for project in ["lz4", "packaging"] {
        let dir = fixtures.join("agreement").join(project);
        let repo = tmp.path().join(project);
        git_clone(&dir.join("repo.bundle"), "head", &repo);
        for gz in files_below(&dir, |p| p.extension().is_some_and(|e| e == "gz")) {
            let report = tmp.path().join(gz.file_stem().unwrap());
            gunzip(&gz, &report);
            let json = json_of(
                prcov(tmp.path())
                    .args(["diff", "--format", "json", "--base", "origin/base"])
                    .args(["--head", "head", "--repo"])
                    .arg(&repo)
                    .arg(&report),
                "agreement diff",
            );
            check(v.diff, 0, format!("diff {project} {}", gz.display()), json);
        }
    }

    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Pin the size of the check: a run that validated nothing would pass trivially.
    let [diffs, reports, tests] = validated;
    assert!(diffs >= 9, "validated {diffs} diff documents");
    assert!(reports >= 150, "validated {reports} report documents");
    assert!(tests >= 100, "validated {tests} tests documents");
}

/// The schemas are strict: a field the code does not write, or a wrong type, is rejected.
#[test]
fn the_schemas_reject_what_the_code_does_not_write() {
    let v = Validator::new();
    let dir = tempfile::tempdir().unwrap();
    let report = crate_dir().join("fixtures/lcov/valid/branches-and-functions.info");
    let mut json = json_of(
        prcov(dir.path())
            .args(["report", "--no-repo", "--format", "json"])
            .arg(&report),
        "report",
    )
    .unwrap();
    assert_eq!(v.check(v.report, &json), None);
    json["surprise"] = Value::from(1);
    assert!(v.check(v.report, &json).is_some());
    json.as_object_mut().unwrap().remove("surprise");
    json["project"]["percent"] = Value::from("66.66");
    assert!(v.check(v.report, &json).is_some());
    json["project"]["percent"] = Value::Null;
    assert_eq!(v.check(v.report, &json), None);
    // A report is not a diff.
    assert!(v.check(v.diff, &json).is_some());
}

/// `prcov config explain --format json` of every real codecov.yml fixture, and of a prcov.toml
/// with a flag, against docs/schema/explain.schema.json.
#[test]
fn config_explain_json_validates() {
    let path = crate_dir().join("docs/schema/explain.schema.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let id = format!("{SCHEMA_URL}explain.schema.json");
    assert_eq!(json["$id"], id);
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(&id, json).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(&id, &mut schemas)
        .unwrap_or_else(|e| panic!("explain.schema.json: {e:#}"));
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("prcov.toml"),
        "ignore = [\"gen/**\"]\n[gates]\npatch = 80.0\n",
    )
    .unwrap();
    let fixtures = files_below(&crate_dir().join("fixtures/codecov-yml"), |p| {
        p.extension().is_some_and(|e| e == "yml")
    });
    let mut runs: Vec<Vec<String>> = fixtures
        .iter()
        .map(|f| vec!["--config".into(), f.display().to_string()])
        .collect();
    runs.push(vec![
        "--config".into(),
        "prcov.toml".into(),
        "--ignore".into(),
        "x/**".into(),
        "--threshold".into(),
        "1".into(),
    ]);
    assert!(runs.len() > 10);
    for args in runs {
        let doc = json_of(
            prcov(tmp.path())
                .args(["config", "explain", "--format", "json"])
                .args(&args),
            &args.join(" "),
        )
        .expect("explain succeeds");
        if let Err(e) = schemas.validate(&doc, index) {
            panic!("{args:?}: {e:#}");
        }
    }
}
