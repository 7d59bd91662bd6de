//! ci/gitlab/prcov.gitlab-ci.yml: the template's `script:` runs as GitLab would run it (in a
//! merge-request pipeline, here with `--dry-run` and the bundled example), its Cobertura
//! `coverage_report` holds the same coverage as the input, and its `coverage:` regex finds the
//! project figure in the log prcov writes. Parsed line by line, like action.yml: the file is
//! small and written in one layout.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use httpmock::prelude::*;
use serde_json::Value;

use crate::install_script::{path_without, release_dir, this_target};

fn template() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/gitlab/prcov.gitlab-ci.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `- ` items of `key:` inside the `.prcov` job (four-space indented list); a folded item
/// (`- >-` and its more indented lines) is joined with spaces, as YAML folds it.
fn job_list(text: &str, key: &str) -> Vec<String> {
    let mut items: Vec<String> = Vec::new();
    let mut inside = false;
    let mut folding = false;
    for line in text.lines() {
        if line.starts_with("  ") && !line.starts_with("   ") {
            inside = line.trim_end() == format!("  {key}:");
            continue;
        }
        if !inside {
            continue;
        }
        if let Some(item) = line.strip_prefix("    - ") {
            folding = item == ">-";
            items.push(if folding {
                String::new()
            } else {
                item.to_owned()
            });
        } else if folding && line.starts_with("      ") {
            let last = items.last_mut().expect("a folded item");
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(line.trim());
        } else {
            folding = false;
        }
    }
    items
}

/// The value of `  key: 'value'` in the `.prcov` job, quotes removed.
fn job_value(text: &str, key: &str) -> String {
    let prefix = format!("  {key}: ");
    let line = text
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{key}:` in the template"));
    line[prefix.len()..].trim_matches('\'').to_owned()
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example")
}

/// The example's `feature` branch cloned into `dir/shop` (git2 cannot read bundles).
fn clone_example(dir: &Path) -> PathBuf {
    let repo = dir.join("shop");
    let out = Command::new("git")
        .args(["clone", "-q", "--branch", "feature"])
        .arg(example().join("shop.bundle"))
        .arg(&repo)
        .output()
        .unwrap();
    assert!(out.status.success());
    repo
}

fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn project_json(repo: &Path, report: &str) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_prcov"))
        .args(["report", "--format", "json", report])
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    json["project"].clone()
}

#[test]
fn the_job_installs_the_release_then_publishes_and_writes_an_equivalent_cobertura_report() {
    let text = template();
    let before = job_list(&text, "before_script");
    assert_eq!(before.len(), 3, "{before:?}");
    assert!(before[1].contains("--install binary"), "{before:?}");
    let script = job_list(&text, "script");
    assert_eq!(script.len(), 3, "{script:?}");
    assert!(
        script[0].starts_with("prcov merge $PRCOV_REPORTS --to cobertura -o prcov-cobertura.xml")
    );
    assert!(script[2].starts_with("prcov publish $PRCOV_REPORTS $junit $PRCOV_ARGS"));
    // What GitLab reads is what the script writes.
    assert!(text.contains(
        "      coverage_report:\n        coverage_format: cobertura\n        path: prcov-cobertura.xml"
    ));

    let tmp = tempfile::tempdir().unwrap();
    let repo = clone_example(tmp.path());
    std::fs::copy(example().join("coverage.xml"), repo.join("coverage.xml")).unwrap();
    let base = git(&repo, &["merge-base", "origin/main", "HEAD"]);
    let head = git(&repo, &["rev-parse", "HEAD"]);

    // The release, as the workflow publishes it: install.sh, SHA256SUMS, the archive (holding
    // the prcov under test).
    let version = env!("CARGO_PKG_VERSION");
    // A release bumps the template's default version with Cargo.toml's.
    assert!(
        text.contains(&format!("  PRCOV_VERSION: \"{version}\"\n")),
        "the template's PRCOV_VERSION is not {version}"
    );
    let server = MockServer::start();
    let install_sh = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh");
    for name in [
        "install.sh".to_owned(),
        "SHA256SUMS".to_owned(),
        format!("prcov-{version}-{}.tar.gz", this_target()),
    ] {
        let file = match name.as_str() {
            "install.sh" => install_sh.clone(),
            _ => release_dir().join(&name),
        };
        server.mock(|when, then| {
            when.method(GET).path(format!("/v{version}/{name}"));
            then.status(200).body(std::fs::read(file).unwrap());
        });
    }
    // Nothing of this machine's own prcov or cargo: the job gets prcov from the release only.
    let path = path_without(&["prcov", "cargo"]);

    // GitLab runs before_script and script in one shell, stopping at the first failure.
    let mut cmd = Command::new("sh");
    cmd.arg("-ec")
        .arg(format!("{}\n{}", before.join("\n"), script.join("\n")))
        .current_dir(&repo)
        .env("PATH", path)
        .env("TMPDIR", tmp.path())
        .env("PRCOV_VERSION", version)
        .env("PRCOV_RELEASES", server.base_url())
        .env("PRCOV_REPORTS", "coverage.xml")
        .env("PRCOV_JUNIT", "")
        // Nothing is sent: prcov prints the requests it would make.
        .env("PRCOV_ARGS", "--dry-run")
        .env("NO_COLOR", "1")
        .env("GITLAB_CI", "true")
        .env("CI", "true")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_IID", "7")
        .env("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base)
        .env("CI_COMMIT_SHA", &head)
        .env("CI_PROJECT_ID", "42")
        .env("CI_PROJECT_PATH", "group/shop")
        .env("CI_API_V4_URL", "http://127.0.0.1:9/api/v4");
    for var in [
        "GITHUB_ACTIONS",
        "GITHUB_EVENT_PATH",
        "GITHUB_TOKEN",
        "GITLAB_TOKEN",
        "PRCOV_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tmp.path().join("prcov-bin/prcov").is_file(),
        "before_script did not install prcov"
    );
    // The dry run shows the commit statuses it would post on the MR's head.
    assert!(
        stdout.contains(&format!("/projects/42/statuses/{head}")),
        "{stdout}"
    );
    assert_eq!(
        project_json(&repo, "prcov-cobertura.xml"),
        project_json(&repo, "coverage.xml")
    );
}

/// `'/Project coverage: \d+(?:\.\d+)?%/'` checked by hand (no regex crate): the words, then
/// digits, optionally a fraction, then `%`. Returns the number.
fn coverage_regex_matches(line: &str) -> Option<&str> {
    let start = line.find("Project coverage: ")? + "Project coverage: ".len();
    let rest = &line[start..];
    let end = rest.find('%')?;
    let number = &rest[..end];
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "1"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(whole) && digits(fraction)).then_some(number)
}

#[test]
fn the_coverage_regex_finds_the_project_figure_prcov_prints() {
    assert_eq!(
        job_value(&template(), "coverage"),
        r"/Project coverage: \d+(?:\.\d+)?%/"
    );
    let tmp = tempfile::tempdir().unwrap();
    let repo = clone_example(tmp.path());
    // `prcov publish` logs the same text report as `prcov diff`.
    let out = Command::new(env!("CARGO_BIN_EXE_prcov"))
        .args(["diff", "--base", "origin/main", "--repo"])
        .arg(&repo)
        .arg(example().join("coverage.xml"))
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .output()
        .unwrap();
    let log = String::from_utf8(out.stdout).unwrap();
    let found: Vec<&str> = log.lines().filter_map(coverage_regex_matches).collect();
    assert_eq!(found, ["73.07"], "{log}");
    assert_eq!(coverage_regex_matches("Project coverage: n/a"), None);
}
