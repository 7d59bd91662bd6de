//! The one gate path, through the binary: `prcov tests` honours `--fail-on-test-failure` (and
//! `fail_on_test_failure` in prcov.toml) like `diff`, `report` and `publish` honour theirs.

use std::path::PathBuf;

use assert_cmd::Command;
use prcov::exit;

use crate::common::{crate_dir, prcov_in as prcov};

fn junit(name: &str) -> PathBuf {
    crate_dir().join("fixtures/junit").join(name)
}

fn exit_code(cmd: &mut Command) -> Option<i32> {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    out.status.code()
}

#[test]
fn tests_fail_on_test_failure_exits_1_with_a_failing_junit() {
    let dir = tempfile::tempdir().unwrap();
    // jest-run1.xml: 3 failures.
    let failing = junit("jest-run1.xml");
    assert_eq!(
        exit_code(prcov(dir.path()).arg("tests").arg(&failing)),
        Some(i32::from(exit::SUCCESS)),
        "without the flag a failing test is reported, not gated"
    );
    assert_eq!(
        exit_code(
            prcov(dir.path())
                .args(["tests", "--fail-on-test-failure"])
                .arg(&failing)
        ),
        Some(i32::from(exit::GATE_FAILED))
    );
    for format in ["markdown", "json"] {
        assert_eq!(
            exit_code(
                prcov(dir.path())
                    .args(["tests", "--fail-on-test-failure", "--format", format])
                    .arg(&failing)
            ),
            Some(i32::from(exit::GATE_FAILED)),
            "--format {format}"
        );
    }
}

#[test]
fn tests_fail_on_test_failure_passes_when_every_test_passed() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        exit_code(
            prcov(dir.path())
                .args(["tests", "--fail-on-test-failure"])
                .arg(junit("pytest-passed.xml"))
        ),
        Some(i32::from(exit::SUCCESS))
    );
}

#[test]
fn tests_gate_from_the_settings_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("prcov.toml");
    std::fs::write(&config, "[gates]\nfail_on_test_failure = true\n").unwrap();
    assert_eq!(
        exit_code(
            prcov(dir.path())
                .arg("tests")
                .arg("--config")
                .arg(&config)
                .arg(junit("jest-run1.xml"))
        ),
        Some(i32::from(exit::GATE_FAILED))
    );
}
