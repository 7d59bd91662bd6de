//! Warnings are values: repeats of one kind in one file collapse into one line with the count and
//! the first location; `-v` lists each, `-q` silences them; JSON lists each.
//!
//! fixtures/lcov/valid/nyc-brda-without-da.info is shaped like nyc's output for source-mapped
//! TypeScript: 37 lines carry `BRDA:` records but no `DA:` record (the corpus has no such file).

use std::path::Path;

use assert_cmd::Command;

use crate::common::{corpus_dir, crate_dir, prcov_in as prcov};

const NYC: &str = "fixtures/lcov/valid/nyc-brda-without-da.info";

/// stdout and stderr of a successful run.
fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(i32::from(prcov::exit::SUCCESS)),
        "{stderr}"
    );
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn warning_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains("warning:")).collect()
}

#[test]
fn nyc_branch_records_without_lines_collapse_into_one_line() {
    let (stdout, _) = run(prcov(crate_dir()).args(["report", "--no-repo", NYC]));
    assert_eq!(warning_lines(&stdout).len(), 1, "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn verbose_lists_every_warning() {
    let (stdout, _) = run(prcov(crate_dir()).args(["report", "--no-repo", "-v", NYC]));
    assert_eq!(warning_lines(&stdout).len(), 37, "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn quiet_silences_warnings() {
    let (stdout, stderr) = run(prcov(crate_dir()).args(["report", "--no-repo", "-q", NYC]));
    assert!(warning_lines(&stdout).is_empty(), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
    // The result itself is still there.
    assert!(stdout.contains("CheckoutForm.tsx"), "{stdout}");
}

#[test]
fn json_lists_every_warning_with_file_and_line() {
    let (stdout, _) =
        run(prcov(crate_dir()).args(["report", "--no-repo", "--format", "json", NYC]));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let warnings = json["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 37);
    assert_eq!(
        warnings[0].as_str().unwrap(),
        format!("{NYC}: line 81: dropped BRDA: records of \"src/components/CheckoutForm.tsx\" line 61, which has no DA: record")
    );
}

#[test]
fn markdown_shows_repeats_once_with_their_count() {
    use prcov::model::{Location, Warning, WarningKind};
    let warning = |line| {
        Warning::new(
            WarningKind::BranchWithoutLine,
            Location::line(line),
            format!("dropped BRDA: records of line {line}"),
        )
        .in_file(Path::new("lcov.info"))
    };
    let summary = prcov::analysis::DiffSummary {
        base: "a".repeat(40),
        head: "b".repeat(40),
        revisions: None,
        changed_files: 1,
        outcome: prcov::analysis::Outcome::Measured,
        links: None,
        history: None,
        monorepo: None,
        percent: prcov::analysis::Percent::default(),
        patch: prcov::analysis::PatchCoverage::default(),
        project: prcov::model::Totals::default(),
        base_project: None,
        unmatched: Vec::new(),
        gates: Vec::new(),
        reports: Vec::new(),
        warnings: (1..=37).map(warning).collect(),
    };
    let md = prcov::render::markdown::diff(&summary);
    let lines: Vec<&str> = md.lines().filter(|l| l.contains(":warning:")).collect();
    assert_eq!(
        lines,
        [
            ":warning: lcov\\.info\\: line 1\\: dropped BRDA\\: records of line 1 \\(and 36 more like it\\)"
        ]
    );
}

/// `prcov tests` writes its document to stdout and reading warnings to stderr: collapsed per file
/// and kind, each with `-v`, none with `-q`.
#[test]
fn tests_warnings_on_stderr_obey_quiet_and_verbose() {
    let dir = corpus_dir();
    let file = "junit/dorny-jest-suite-failed-to-run.xml";
    let (_, grouped) = run(prcov(&dir).args(["tests", file]));
    let (_, each) = run(prcov(&dir).args(["tests", "-v", file]));
    let (_, quiet) = run(prcov(&dir).args(["tests", "-q", file]));
    assert_eq!(warning_lines(&each).len(), 3, "{each}");
    assert!(quiet.is_empty(), "{quiet}");
    insta::assert_snapshot!("tests_grouped", grouped);
    insta::assert_snapshot!("tests_each", each);
}

/// Standard error is written from `commands::stderr` alone: no other product code prints.
#[test]
fn only_commands_stderr_prints() {
    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "read {} files", files.len());
    let mut printing = Vec::new();
    for path in files {
        if path.ends_with("commands/stderr.rs") || path.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may print; product code above them may not.
        let product = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in product.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            if ["eprintln!(", "eprint!(", "println!(", "print!("]
                .iter()
                .any(|m| code.contains(m))
            {
                printing.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(printing.is_empty(), "{}", printing.join("\n"));
}
