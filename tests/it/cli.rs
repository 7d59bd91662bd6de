//! The command line: `--help` texts, exit codes and error messages (docs/exit-codes.md).

use assert_cmd::Command;
use prcov::exit;

fn prcov() -> Command {
    let mut c = crate::common::prcov();
    c.env("COLUMNS", "100");
    c
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn help_texts() {
    // Every subcommand: a snapshot, and examples plus exit codes at the end.
    for sub in [
        None,
        Some("diff"),
        Some("report"),
        Some("tests"),
        Some("publish"),
        Some("convert"),
        Some("merge"),
        Some("record"),
        Some("config"),
        Some("config explain"),
        Some("completions"),
        Some("man"),
    ] {
        let mut c = prcov();
        if let Some(s) = sub {
            c.args(s.split(' '));
        }
        let out = c.arg("--help").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let name = format!("help_{}", sub.unwrap_or("main").replace(' ', "_"));
        let examples = text.find("\nExamples:\n  prcov ");
        let codes = text.find("\nExit codes:\n  0  success");
        assert!(
            examples.is_some() && codes > examples,
            "{name} lacks examples or exit codes at its end:\n{text}"
        );
        assert!(
            text.trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.starts_with("  ")),
            "{name} does not end with the exit codes"
        );
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn help_lists_every_format_read_and_junit_is_not_a_coverage_format() {
    let out = prcov().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    for f in [
        "LCOV",
        "Cobertura",
        "JaCoCo",
        "Clover",
        "Go coverprofile",
        "Istanbul JSON",
        "llvm-cov JSON",
        "coverage.py JSON",
        "gcovr JSON",
        "Codecov JSON",
        "SonarQube generic XML",
        "JUnit XML",
    ] {
        assert!(text.contains(f), "{f} missing from prcov --help");
    }
    let out = prcov()
        .args(["diff", "--format-in", "junit", "x.xml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    assert!(
        stderr_of(&out).contains("invalid value 'junit'"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn completions_for_four_shells_and_a_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F _prcov"),
        ("zsh", "#compdef prcov"),
        ("fish", "complete -c prcov"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = prcov().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(i32::from(exit::SUCCESS)), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        // The subcommands and a flag of each reach the script.
        for word in ["diff", "publish", "fail-under-patch", "max-output-lines"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
    let out = prcov().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::SUCCESS)));
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH prcov 1"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = prcov()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(i32::from(exit::SUCCESS)),
        "{}",
        stderr_of(&out)
    );
    for page in [
        "prcov.1",
        "prcov-diff.1",
        "prcov-tests.1",
        "prcov-publish.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert!(text.contains(".SH"), "{page}");
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
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
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
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
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
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
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
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    assert!(stderr_of(&out).contains("--fail-under-patch expects a percentage from 0 to 100"));
    let out = prcov()
        .args(["diff", "--path-map", "nothing", "x.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    assert!(stderr_of(&out).contains("--path-map expects FROM=TO"));
    let out = prcov()
        .args(["report", "--max-project-drop", "1", "x.info"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
    assert!(stderr_of(&out).contains("needs a base report"));
}

#[test]
fn unknown_flag_is_exit_2() {
    let out = prcov().args(["diff", "--no-such-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
}

/// docs/configuration.md documents every key prcov.toml accepts, and no other: the keys come
/// from the error an unknown key gets, which lists the known ones.
#[test]
fn every_prcov_toml_key_is_documented() {
    let dir = tempfile::tempdir().unwrap();
    let known = |toml: &str| -> Vec<String> {
        let path = dir.path().join("prcov.toml");
        std::fs::write(&path, toml).unwrap();
        let out = prcov()
            .current_dir(dir.path())
            .args(["tests", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let err = stderr_of(&out);
        let list = err
            .split("(known keys here: ")
            .nth(1)
            .and_then(|l| l.split(';').next())
            .unwrap_or_else(|| panic!("no key list in {err}"));
        list.split(", ").map(str::to_owned).collect()
    };
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    let documented: Vec<&str> = docs
        .lines()
        .filter_map(|l| {
            // `### `key`` for a key, `## `[table]`` for a table.
            l.strip_prefix("### `")
                .and_then(|k| k.strip_suffix('`'))
                .or_else(|| l.strip_prefix("## `[")?.strip_suffix("]`"))
        })
        .collect();
    let mut keys = known("no_such_key = 1\n");
    keys.extend(known("[gates]\nno_such_key = 1\n"));
    keys.extend(known("[comment]\nno_such_key = 1\n"));
    keys.extend(known("[display]\nno_such_key = 1\n"));
    keys.sort();
    let mut documented_sorted: Vec<String> = documented.iter().map(|s| (*s).to_owned()).collect();
    documented_sorted.sort();
    assert_eq!(documented_sorted, keys);
}

/// `[display]` out of range is exit 2 naming the file and line; so is the same in codecov.yml.
#[test]
fn display_precision_out_of_range_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &str, text: &str| {
        std::fs::write(dir.path().join(file), text).unwrap();
        let out = prcov()
            .current_dir(dir.path())
            .args(["report", "--no-repo", "--config", file, "x.info"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(i32::from(exit::BAD_INPUT)));
        stderr_of(&out)
    };
    let toml = run("prcov.toml", "[display]\nprecision = 6\nround = \"up\"\n");
    let yml = run("codecov.yml", "coverage:\n  precision: 6\n");
    insta::assert_snapshot!(format!("{toml}{yml}"));
}
