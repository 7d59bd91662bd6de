//! Every corpus file through the real binary: `prcov report FILE --no-repo --format json` (or
//! `prcov tests FILE --format json` for JUnit) exits as the manifest's `expect` column says, never
//! panics, and gives the manifest's line-model figures (corpus README: `project.lines` =
//! `ref_lines`, `project.hits + project.partials` = `ref_executed`).

use assert_cmd::Command;
use prcov::exit;

/// Formats prcov reads; the other manifest rows (gcov text, OpenCover, …) must still be refused
/// cleanly with exit 2.
const READ: &[&str] = &[
    "lcov",
    "cobertura",
    "jacoco",
    "clover",
    "gocov",
    "istanbul-json",
    "llvm-json",
    "junit",
    "other-gcovr-json",
    "codecov-json",
    "sonar-generic",
    "other-jest-json",
];

#[test]
fn every_corpus_file_through_the_cli() {
    let rows = crate::common::manifest(&[]);
    assert!(rows.len() > 200, "the manifest lists {} files", rows.len());
    let mut problems = Vec::new();
    let mut checked_figures = 0;
    for row in &rows {
        let format = row.get("format");
        let expect = row.get("expect");
        let junit = format == "junit";
        let mut cmd = Command::cargo_bin("prcov").unwrap();
        cmd.env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITLAB_CI");
        if junit {
            cmd.args(["tests", "--format", "json"]);
        } else {
            // Empty reports are in the corpus on purpose: their outcome is checked below.
            cmd.args([
                "report",
                "--no-repo",
                "--allow-nothing-measured",
                "--format",
                "json",
            ]);
        }
        let out = cmd.arg(row.path()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let name = row.get("path");
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            problems.push(format!("{name}: panicked: {stderr}"));
            continue;
        }
        let code = out.status.code();
        let supported = READ.contains(&format);
        match (expect, supported) {
            ("error", _) | (_, false) => {
                if code != Some(i32::from(exit::BAD_INPUT)) {
                    problems.push(format!("{name}: expected exit 2, got {code:?}"));
                } else if !stderr.contains(name.rsplit('/').next().unwrap_or(name)) {
                    problems.push(format!(
                        "{name}: the error does not name the file: {stderr}"
                    ));
                }
                if expect == "error"
                    && supported
                    && !(stderr.contains("line ")
                        || stderr.contains("empty")
                        || stderr.contains("element"))
                {
                    problems.push(format!(
                        "{name}: the error names no line or element: {stderr}"
                    ));
                }
            }
            _ => {
                if code != Some(i32::from(exit::SUCCESS)) {
                    problems.push(format!("{name}: expected exit 0, got {code:?}: {stderr}"));
                    continue;
                }
                let j: serde_json::Value = match serde_json::from_slice(&out.stdout) {
                    Ok(j) => j,
                    Err(e) => {
                        problems.push(format!("{name}: output is not JSON: {e}"));
                        continue;
                    }
                };
                // JUnit counts are checked in full by tests/it/corpus_junit.rs; here the CLI must
                // read every file and print the docs/json.md object.
                if junit {
                    if j["schema"] != 1 || !j["tests"].is_u64() {
                        problems.push(format!("{name}: not a `prcov tests` JSON object"));
                    }
                } else if (j["project"]["lines"] == 0) == (j["outcome"] == "measured") {
                    problems.push(format!(
                        "{name}: {} lines but outcome {}",
                        j["project"]["lines"], j["outcome"]
                    ));
                } else if let (Some(lines), Some(executed)) =
                    (row.num("ref_lines"), row.num("ref_executed"))
                {
                    let p = &j["project"];
                    let got_lines = p["lines"].as_u64().unwrap_or(u64::MAX);
                    let got_exec =
                        p["hits"].as_u64().unwrap_or(0) + p["partials"].as_u64().unwrap_or(0);
                    checked_figures += 1;
                    if (got_lines, got_exec) != (lines, executed) {
                        problems.push(format!("{name}: lines/executed {got_lines}/{got_exec}, manifest {lines}/{executed}"));
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        checked_figures > 100,
        "only {checked_figures} files had figures to check"
    );
}
