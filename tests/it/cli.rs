//! The command line: `--help` texts, exit codes and error messages (docs/exit-codes.md).

use assert_cmd::Command;

fn prcov() -> Command {
    let mut c = Command::cargo_bin("prcov").expect("the prcov binary is built");
    c.env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    c
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_texts() {
    for sub in [
        None,
        Some("diff"),
        Some("report"),
        Some("tests"),
        Some("publish"),
    ] {
        let mut c = prcov();
        if let Some(s) = sub {
            c.arg(s);
        }
        let out = c.arg("--help").output().unwrap();
        assert!(out.status.success());
        let name = format!("help_{}", sub.unwrap_or("main"));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn missing_report_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = prcov()
        .current_dir(dir.path())
        .args(["report", "--no-repo", "does-not-exist.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(err.contains("does-not-exist.info"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn garbage_input_names_the_file_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("random.bin");
    std::fs::write(&f, [0x13u8, 0x37, 0x00, 0xff, 0xfe, 0x41, 0x0a, 0x42]).unwrap();
    let out = prcov()
        .current_dir(dir.path())
        .args(["report", "--no-repo", "random.bin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    insta::assert_snapshot!(err);
}

#[test]
fn diff_outside_a_repository_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("lcov.info");
    std::fs::write(&f, "SF:a.c\nDA:1,1\nend_of_record\n").unwrap();
    let out = prcov()
        .current_dir(dir.path())
        .args(["diff", "lcov.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("not inside a git repository"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn bad_option_values_are_usage_errors() {
    let out = prcov()
        .args(["diff", "--fail-under-patch", "120", "x.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--fail-under-patch expects a percentage from 0 to 100"));
    let out = prcov()
        .args(["diff", "--path-map", "nothing", "x.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--path-map expects FROM=TO"));
    let out = prcov()
        .args(["report", "--max-project-drop", "1", "x.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("needs a base report"));
}

#[test]
fn unknown_flag_is_exit_2() {
    let out = prcov().args(["diff", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
