//! `codecov.yml` read as it is (docs/configuration.md#codecovyml): the real files of
//! fixtures/codecov-yml each parse, `prcov config explain` says what each maps to and which of
//! its keys prcov does not apply; discovery, the combination with prcov.toml, the warnings of the
//! other commands, and malformed files.

use std::path::{Path, PathBuf};

use prcov::exit;

use crate::common::{crate_dir, expect_exit, git, json_of, prcov_in};

fn fixtures() -> Vec<PathBuf> {
    let dir = crate_dir().join("fixtures/codecov-yml");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

/// The fixture's name in SOURCES.tsv, the snapshot's name.
fn name(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_fixture_is_listed_with_its_source_and_licence() {
    let sources =
        std::fs::read_to_string(crate_dir().join("fixtures/codecov-yml/SOURCES.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = sources
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let files = fixtures();
    assert!(files.len() >= 10, "{} fixtures", files.len());
    for f in &files {
        let file = f.file_name().unwrap().to_string_lossy();
        let row = rows
            .iter()
            .find(|r| r[0] == file)
            .unwrap_or_else(|| panic!("{file} is not in SOURCES.tsv"));
        assert_eq!(row.len(), 6, "{file}: {row:?}");
        let (repo, commit, licence) = (row[1], row[3], row[4]);
        // The file name is the repository: owner__name.
        assert_eq!(file.trim_end_matches(".yml"), repo.replace('/', "__"));
        assert!(
            commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()),
            "{commit}"
        );
        assert!(!licence.is_empty());
    }
    assert_eq!(
        rows.len(),
        files.len(),
        "SOURCES.tsv lists files that are not there"
    );
}

/// Each fixture parses, and `config explain` (text) shows what it maps to, from which line, and
/// each key prcov does not apply, with its path and line.
#[test]
fn explain_each_real_codecov_yml() {
    let dir = tempfile::tempdir().unwrap();
    for f in fixtures() {
        let out = prcov_in(dir.path())
            .args(["config", "explain", "--config"])
            .arg(&f)
            .output()
            .unwrap();
        let (stdout, stderr) = expect_exit(&out, exit::SUCCESS);
        assert_eq!(stderr, "", "{}", f.display());
        let text = stdout.replace(&f.display().to_string(), "codecov.yml");
        assert!(
            text.starts_with("Settings files: codecov.yml (codecov.yml)\n"),
            "{text}"
        );
        insta::assert_snapshot!(format!("explain_{}", name(&f)), text);
    }
}

/// The keys prcov does not apply, as the commands print them on standard error: one line each,
/// with the file, the line and the key's path. A run of `prcov report` in a repository whose
/// root holds sentry's codecov.yml.
#[test]
fn commands_warn_once_per_key_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("src/a.py"), "x = 1\ny = 2\n").unwrap();
    std::fs::copy(
        crate_dir().join("fixtures/codecov-yml/getsentry__sentry.yml"),
        repo.join("codecov.yml"),
    )
    .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "init"]);
    std::fs::write(
        repo.join("lcov.info"),
        "SF:src/a.py\nDA:1,1\nDA:2,0\nend_of_record\n",
    )
    .unwrap();
    let out = prcov_in(repo)
        .args(["report", "lcov.info"])
        .output()
        .unwrap();
    let (_, stderr) = expect_exit(&out, exit::SUCCESS);
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("codecov.yml"))
        .collect();
    insta::assert_snapshot!("warnings_sentry", warnings.join("\n"));
    // -q silences them, as every warning.
    let out = prcov_in(repo)
        .args(["report", "-q", "lcov.info"])
        .output()
        .unwrap();
    let (_, stderr) = expect_exit(&out, exit::SUCCESS);
    assert_eq!(stderr, "");
}

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn explain_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = prcov_in(dir)
        .args(["config", "explain", "--json"])
        .args(args)
        .output()
        .unwrap();
    expect_exit(&out, exit::SUCCESS);
    json_of(&out)
}

fn setting<'a>(json: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    json["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .unwrap_or_else(|| panic!("no setting {key}"))
}

/// Codecov's search order: the root, then .github/, then dev/; prcov.toml wins key by key; a
/// flag wins over both.
#[test]
fn found_where_codecov_looks_and_combined_with_prcov_toml() {
    let codecov = "coverage:\n  status:\n    patch:\n      default:\n        target: 80%\n    project:\n      default:\n        target: 60\nignore:\n  - vendor/\n";
    let dir = repo_with(&[
        ("dev/codecov.yml", "ignore: [dev-only/]\n"),
        (".github/codecov.yml", codecov),
        (
            "prcov.toml",
            "ignore = [\"gen/**\"]\n\n[gates]\nproject = 75.0\n",
        ),
    ]);
    let json = explain_json(dir.path(), &["--fail-under-patch", "90"]);
    assert_eq!(
        json["files"],
        serde_json::json!([
            {"kind": "prcov.toml", "path": "prcov.toml"},
            {"kind": "codecov.yml", "path": ".github/codecov.yml"}
        ])
    );
    // The flag wins over codecov.yml; prcov.toml's project and ignore over codecov.yml's.
    let patch = setting(&json, "gates.patch");
    assert_eq!(patch["value"], 90.0);
    assert_eq!(
        patch["from"],
        serde_json::json!([{"kind": "flag", "flag": "--fail-under-patch"}])
    );
    let project = setting(&json, "gates.project");
    assert_eq!(project["value"], 75.0);
    assert_eq!(project["from"][0]["kind"], "prcov_toml");
    assert_eq!(project["from"][0]["line"], 4);
    assert_eq!(
        setting(&json, "ignore")["value"],
        serde_json::json!(["gen/**"])
    );
    let overridden: Vec<&str> = json["overridden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(overridden, ["gates.project", "ignore"]);

    // Without prcov.toml and .github/, dev/ is read; the root comes first of all.
    std::fs::remove_file(dir.path().join("prcov.toml")).unwrap();
    std::fs::remove_file(dir.path().join(".github/codecov.yml")).unwrap();
    let json = explain_json(dir.path(), &[]);
    assert_eq!(json["files"][0]["path"], "dev/codecov.yml");
    assert_eq!(
        setting(&json, "ignore")["value"],
        serde_json::json!(["dev-only/**"])
    );
    std::fs::write(dir.path().join(".codecov.yml"), "ignore: [root/]\n").unwrap();
    let json = explain_json(dir.path(), &[]);
    assert_eq!(json["files"][0]["path"], ".codecov.yml");
    let ignore = setting(&json, "ignore");
    assert_eq!(ignore["value"], serde_json::json!(["root/**"]));
    assert_eq!(
        ignore["from"],
        serde_json::json!([{"kind": "codecov_yml", "file": ".codecov.yml", "line": 1, "codecov_key": "ignore"}])
    );
}

/// What codecov.yml sets reaches the commands: its ignore, fixes and targets change the result.
#[test]
fn codecov_yml_settings_apply_to_a_run() {
    let dir = repo_with(&[
        ("src/app.py", "a = 1\nb = 2\nc = 3\nd = 4\n"),
        ("vendor/lib.py", "x = 1\ny = 2\n"),
        (
            "codecov.yml",
            "coverage:\n  status:\n    project:\n      default:\n        target: 70%\nignore:\n  - vendor\nfixes:\n  - \"/build/::src/\"\n",
        ),
    ]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    // Report paths under /build/ (rewritten by `fixes`), vendor/ left out by `ignore`: 3 of 4
    // lines of src/app.py, 75 % ≥ 70 %.
    std::fs::write(
        dir.path().join("lcov.info"),
        "SF:/build/app.py\nDA:1,1\nDA:2,1\nDA:3,1\nDA:4,0\nend_of_record\nSF:vendor/lib.py\nDA:1,0\nDA:2,0\nend_of_record\n",
    )
    .unwrap();
    let out = prcov_in(dir.path())
        .args(["report", "lcov.info", "--format", "json"])
        .output()
        .unwrap();
    expect_exit(&out, exit::SUCCESS);
    let json = json_of(&out);
    assert_eq!(json["project"]["lines"], 4, "{json}");
    assert_eq!(json["project"]["hits"], 3);
    assert_eq!(json["gates"][0]["name"], "project");
    assert_eq!(json["gates"][0]["target"], 70.0);
    // A higher target in codecov.yml fails the gate.
    std::fs::write(
        dir.path().join("codecov.yml"),
        "coverage:\n  status:\n    project:\n      default:\n        target: 80%\nignore:\n  - vendor\nfixes:\n  - \"/build/::src/\"\n",
    )
    .unwrap();
    let out = prcov_in(dir.path())
        .args(["report", "lcov.info"])
        .output()
        .unwrap();
    expect_exit(&out, exit::GATE_FAILED);
}

/// `target: auto` is a drop gate against the base: without one, prcov says it is left out.
#[test]
fn target_auto_without_a_base_is_said_and_left_out() {
    let dir = repo_with(&[
        ("src/app.py", "a = 1\nb = 2\n"),
        ("codecov.yml", "coverage:\n  status:\n    project:\n      default:\n        target: auto\n        threshold: 1%\n"),
        ("lcov.info", "SF:src/app.py\nDA:1,1\nDA:2,0\nend_of_record\n"),
    ]);
    git(dir.path(), &["add", "src", "codecov.yml"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    let out = prcov_in(dir.path())
        .args(["report", "lcov.info"])
        .output()
        .unwrap();
    let (_, stderr) = expect_exit(&out, exit::SUCCESS);
    assert!(
        stderr.contains("prcov: warning: codecov.yml: line 4: coverage.status.project.default: target auto compares with the base's coverage, and this run has none (add --base-report FILE, or --history-dir DIR): no project drop gate"),
        "{stderr}"
    );
    // With a base report, the drop gate is there: 50 % against a base of 100 %, a drop of 50.
    std::fs::write(
        dir.path().join("base.info"),
        "SF:src/app.py\nDA:1,1\nDA:2,1\nend_of_record\n",
    )
    .unwrap();
    let out = prcov_in(dir.path())
        .args([
            "report",
            "lcov.info",
            "--base-report",
            "base.info",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    expect_exit(&out, exit::GATE_FAILED);
    let json = json_of(&out);
    assert_eq!(json["gates"][0]["name"], "project_drop", "{json}");
}

/// Malformed YAML, or a known key of the wrong kind: exit 2, the file and the line.
#[test]
fn malformed_codecov_yml_is_an_error_with_file_and_line() {
    let dir = repo_with(&[("codecov.yml", "coverage:\n  status:\n    project: [on\n")]);
    let out = prcov_in(dir.path())
        .args(["config", "explain"])
        .output()
        .unwrap();
    let (_, stderr) = expect_exit(&out, exit::BAD_INPUT);
    assert!(
        stderr.starts_with("prcov: error: codecov.yml:4:"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid YAML"), "{stderr}");
    std::fs::write(
        dir.path().join("codecov.yml"),
        "comment:\n  layout: [diff]\n",
    )
    .unwrap();
    let out = prcov_in(dir.path())
        .args(["config", "explain"])
        .output()
        .unwrap();
    let (_, stderr) = expect_exit(&out, exit::BAD_INPUT);
    assert_eq!(
        stderr,
        "prcov: error: codecov.yml:2: comment.layout: expected a comma-separated list, got a list\n"
    );
    // `--config` with another name: YAML told apart from TOML by its content.
    std::fs::write(dir.path().join("settings"), "coverage:\n  range: 50..80\n").unwrap();
    let json = explain_json(dir.path(), &["--config", "settings"]);
    assert_eq!(
        setting(&json, "badge.thresholds")["value"],
        serde_json::json!([50.0, 65.0, 80.0])
    );
}
