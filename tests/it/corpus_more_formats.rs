//! Every corpus file of the formats beyond LCOV/Cobertura/JaCoCo, handled per its `expect`
//! column, with prcov's figures compared to the oracle columns of `MANIFEST.tsv`.
//!
//! What is compared, per format (the oracles count different things; see the corpus README):
//! - clover: the oracle is the project `<metrics>` (statements). Compared: the `<line
//!   type="stmt">` elements prcov read (and how many have count > 0) with `statements`/
//!   `coveredstatements`, the branches of prcov's line model with `conditionals`/
//!   `coveredconditionals`, and the metrics prcov read with all four oracle columns.
//!   (gcovr-gcc14-virtual-classes: 30 statement elements fall on 24 distinct lines, which the
//!   line model merges: ref_lines 24.)
//!   `ref_lines`/`ref_executed` (the line model) must equal prcov's lines and hits + partials.
//! - gocov: the oracle is Go's statement figure after `cover.ParseProfiles`; compared with
//!   `gocov::Profile::statements()` (same data, same merge of duplicate blocks).
//! - istanbul-json: the oracle is istanbul-lib-coverage's summary; prcov's line model is built
//!   by its `getLineCoverage()` rule, so lines/executed compare directly; branches compare with
//!   the parser's branch count.
//! - llvm-json: the oracle is the export's own `totals`; prcov's line model follows llvm-cov's
//!   `LineCoverageStats`, so lines/executed compare directly.
//! - other-gcovr-json: the oracle is `gcovr --txt-summary`; lines, executed lines and branches
//!   compare directly with the line model.
//! - other-jest-json: jest's `--json` result; its `coverageMap` is Istanbul's, compared as
//!   istanbul-json.
//! - codecov-json: no oracle; see `codecov_json_equals_a_plain_count_of_its_values`.
//!
//! Where a figure differs, [`DIFFERENCES`] says by how much and why; the test checks the
//! listed figures too, so the table cannot go stale.

use std::io::BufReader;
use std::path::Path;

use crate::common::{manifest, ManifestRow};
use prcov::formats::{clover, gocov, istanbul, llvm_json, Format, ParseError};
use prcov::model::CoverageReport;

const FORMATS: &[&str] = &[
    "clover",
    "gocov",
    "istanbul-json",
    "llvm-json",
    "other-gcovr-json",
    "other-jest-json",
    "codecov-json",
];

/// prcov's comparable figures for a file: (lines or statements found, hit, branches found, hit).
type Figures = (u64, u64, u64, u64);

/// Files whose comparable figure differs from the oracle: prcov's figures, and why.
const DIFFERENCES: &[(&str, Figures, &str)] = &[
    (
        "clover/codacy-istanbul-clover-cond-no-count.xml",
        (8, 1, 1, 0),
        "excerpt: the fixture keeps one <file> of the 2465 its project <metrics> count",
    ),
    (
        "clover/codeclimate-phpunit-clover-no-package.xml",
        (91, 32, 0, 0),
        "excerpt: 4 <file> elements kept, the project <metrics> are those of the full report (13 files, see codeclimate-phpunit-clover.xml)",
    ),
    (
        "clover/coveralls-istanbul-clover-unleash.xml",
        (103, 76, 60, 41),
        "excerpt: a few <file> elements of the 82 its project <metrics> count; branches are the cond lines' truecount/(truecount+falsecount) sums",
    ),
    (
        "clover/coveralls-phpunit-clover-phpcsutils.xml",
        (79, 79, 0, 0),
        "excerpt: 2 <file> elements kept, the project <metrics> are the full project's",
    ),
    (
        "clover/phpcc-phpunit-clover-template.xml",
        (8, 5, 0, 0),
        "statements equal; PHPUnit counts the branches of its path coverage in <metrics conditionals> (7/3) but writes no <line type=\"cond\">: no per-line branch data",
    ),
    (
        "clover/phpcc-phpunit-openclover-template.xml",
        (8, 5, 0, 0),
        "statements equal; PHPUnit counts the branches of its path coverage in <metrics conditionals> (7/3) but writes no <line type=\"cond\">: no per-line branch data",
    ),
    (
        "clover/jenkins-clover-1.3.13.xml",
        (0, 0, 0, 0),
        "excerpt: the only <line> left is a method line; the <metrics> count 18 statements of the original",
    ),
    (
        "clover/reportgen-clover-3.2.2-groovy.xml",
        (3, 3, 0, 0),
        "<testproject> test sources (2 statements) are files too (Codecov and ref_lines read every <file>); <project><metrics> count the main project only",
    ),
    (
        "clover/reportgen-istanbul-clover-project-path.xml",
        (11, 11, 0, 0),
        "excerpt: 2 <file> elements kept, the project <metrics> are the full project's",
    ),
    (
        "other/cargo-llvm-cov-codecov-custom.json",
        (27, 19, 27, 19),
        "no independent tool: checked against a plain count of the JSON's values in codecov_json_equals_a_plain_count_of_its_values",
    ),
    (
        "gocov/grcov-atomic-mode.out",
        (299, 253, 0, 0),
        "lenient: Go's ParseProfiles rejects the trailing blank line, prcov skips it; the notes give 299/253 once it is removed",
    ),
    (
        "llvm-json/cargo-llvm-cov-summary-only-export.json",
        (0, 0, 0, 0),
        "a --summary-only export has no segments, so no per-line data (prcov warns per file); totals 14/14 are llvm-cov's own",
    ),
    (
        "llvm-json/codeclimate-llvm-cov-export-swift.json",
        (27, 24, 0, 0),
        "export 2.0.0 from an old llvm-cov: User.swift agrees (9/6, checked below) but CodecovTests.swift claims 26 lines while its segments span only lines 5-22 (18 lines)",
    ),
];

fn expected_format(manifest_format: &str) -> Format {
    match manifest_format {
        "clover" => Format::Clover,
        "gocov" => Format::Gocov,
        "istanbul-json" => Format::IstanbulJson,
        "llvm-json" => Format::LlvmJson,
        "other-gcovr-json" => Format::GcovrJson,
        "other-jest-json" => Format::IstanbulJson,
        "codecov-json" => Format::CodecovJson,
        other => panic!("no format for manifest format {other}"),
    }
}

fn branch_totals(report: &CoverageReport) -> (u64, u64) {
    let mut t = (0, 0);
    for f in report.files.values() {
        for r in f.lines.values() {
            if let Some(b) = &r.branches {
                t.0 += u64::from(b.total());
                t.1 += u64::from(b.covered());
            }
        }
    }
    t
}

fn open(path: &Path) -> BufReader<std::fs::File> {
    BufReader::new(std::fs::File::open(path).expect("open corpus file"))
}

/// The figure comparable with the oracle, computed by prcov from the same file.
fn comparable(row: &ManifestRow, format: Format, report: &CoverageReport) -> Figures {
    let path = row.path();
    let totals = report.totals();
    let (bt, bc) = branch_totals(report);
    match format {
        Format::Clover => {
            let (_, stats) = clover::parse_with_stats(open(&path)).expect("parsed before");
            (stats.stmt_lines, stats.stmt_lines_covered, bt, bc)
        }
        Format::Gocov => {
            let (profile, _) = gocov::read_profile(open(&path)).expect("parsed before");
            let (s, c) = profile.statements();
            (s, c, 0, 0)
        }
        Format::IstanbulJson => {
            let (_, stats) = istanbul::parse_with_stats(open(&path)).expect("parsed before");
            (
                totals.lines,
                totals.hits + totals.partials,
                stats.branches,
                stats.branches_covered,
            )
        }
        Format::LlvmJson | Format::GcovrJson | Format::CodecovJson => {
            (totals.lines, totals.hits + totals.partials, bt, bc)
        }
        _ => unreachable!("only the formats of FORMATS"),
    }
}

/// The oracle's figures; empty branch columns count as 0 (formats without branch figures).
fn oracle(row: &ManifestRow) -> Option<Figures> {
    Some((
        row.num("lines_found")?,
        row.num("lines_hit")?,
        row.num("branches_found").unwrap_or(0),
        row.num("branches_hit").unwrap_or(0),
    ))
}

#[test]
fn every_file_is_handled_per_its_expect_column() {
    let rows = manifest(FORMATS);
    assert_eq!(rows.len(), 38, "rows of these formats in MANIFEST.tsv");
    let mut failures = Vec::new();
    let mut compared = 0;
    for row in &rows {
        let name = row.get("path");
        let path = row.path();
        let format = expected_format(row.get("format"));
        let result = prcov::input::parse_coverage_path(&path, None);
        match (row.get("expect"), result) {
            ("error", Ok(_)) => failures.push(format!("{name}: expected an error, parsed")),
            ("error", Err(e)) => {
                let msg = e.to_string();
                if !msg.contains(&path.display().to_string()) {
                    failures.push(format!("{name}: error does not name the file: {msg}"));
                }
                match &e {
                    ParseError::Malformed { location, .. } if location.line.is_none() => {
                        failures.push(format!("{name}: error without a line: {msg}"));
                    }
                    _ => {}
                }
            }
            (_, Err(e)) => failures.push(format!("{name}: {e}")),
            (_, Ok((detected, parsed))) => {
                if detected != format {
                    failures.push(format!("{name}: detected as {detected}, not {format}"));
                    continue;
                }
                let report = &parsed.report;
                let totals = report.totals();
                if let (Some(l), Some(e)) = (row.num("ref_lines"), row.num("ref_executed")) {
                    let ours = (totals.lines, totals.hits + totals.partials);
                    if ours != (l, e) {
                        failures.push(format!("{name}: line model {ours:?}, ref {:?}", (l, e)));
                    }
                }
                let ours = comparable(row, format, report);
                let documented = DIFFERENCES.iter().find(|d| d.0 == name);
                match (oracle(row), documented) {
                    (_, Some((_, figures, _))) => {
                        if ours != *figures {
                            failures.push(format!(
                                "{name}: documented difference lists {figures:?}, prcov gives {ours:?}"
                            ));
                        }
                        if oracle(row) == Some(ours) {
                            failures.push(format!(
                                "{name}: listed as a difference but equals the oracle now"
                            ));
                        }
                    }
                    (Some(o), None) => {
                        compared += 1;
                        if ours != o {
                            failures.push(format!("{name}: prcov {ours:?}, oracle {o:?}"));
                        }
                    }
                    (None, None) => failures.push(format!(
                        "{name}: no oracle figures and no documented reason"
                    )),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // 38 rows: 2 errors, 13 documented differences, the rest equal to the oracle.
    assert_eq!(compared, 23);
}

#[test]
fn clover_metrics_read_equal_the_oracle_columns() {
    // The oracle figures are the project <metrics>; reading them back must give the same.
    for row in manifest(&["clover"]) {
        if row.get("expect") == "error" {
            continue;
        }
        let (_, stats) = clover::parse_with_stats(open(&row.path())).expect("parses");
        let m = stats.project_metrics.unwrap_or_default();
        assert_eq!(
            Some((
                m.statements,
                m.covered_statements,
                m.conditionals,
                m.covered_conditionals
            )),
            oracle(&row),
            "{}",
            row.get("path")
        );
    }
}

#[test]
fn swift_export_agrees_with_llvm_cov_where_its_summary_is_sound() {
    // The one file of the old export whose own summary fits its segments.
    let row = manifest(&["llvm-json"])
        .into_iter()
        .find(|r| {
            r.get("path")
                .ends_with("codeclimate-llvm-cov-export-swift.json")
        })
        .expect("row");
    let (parsed, _) = llvm_json::parse_with_totals(open(&row.path())).expect("parses");
    let user = parsed
        .report
        .files
        .iter()
        .find(|(k, _)| k.ends_with("/User.swift"))
        .map(|(_, f)| f.totals())
        .expect("User.swift");
    assert_eq!((user.lines, user.hits + user.partials), (9, 6));
}

#[test]
fn codecov_json_equals_a_plain_count_of_its_values() {
    // An independent reading of the file: every non-null value is a line; "a/b" strings are
    // branch lines, executed when a > 0; numbers are hits.
    let row = manifest(&["codecov-json"]).pop().expect("row");
    let doc: serde_json::Value = serde_json::from_reader(open(&row.path())).expect("valid JSON");
    let mut plain = (0u64, 0u64, 0u64, 0u64);
    for lines in doc["coverage"]
        .as_object()
        .expect("coverage object")
        .values()
    {
        for v in lines.as_object().expect("object form").values() {
            if let Some(s) = v.as_str() {
                let (a, b) = s.split_once('/').expect("a/b");
                let (a, b): (u64, u64) = (a.parse().expect("a"), b.parse().expect("b"));
                plain.0 += 1;
                plain.1 += u64::from(a > 0);
                plain.2 += b;
                plain.3 += a;
            } else if let Some(h) = v.as_u64() {
                plain.0 += 1;
                plain.1 += u64::from(h > 0);
            }
        }
    }
    let (_, parsed) = prcov::input::parse_coverage_path(&row.path(), None).expect("parses");
    let t = parsed.report.totals();
    let (bt, bc) = branch_totals(&parsed.report);
    assert_eq!((t.lines, t.hits + t.partials, bt, bc), plain);
}

#[test]
fn errors_name_file_and_place() {
    let dir = crate::common::corpus_dir();
    // Forced as Clover, the empty file still fails with the file named.
    let empty = dir.join("clover/coveralls-empty.xml");
    let e = prcov::input::parse_coverage_path(&empty, Some(Format::Clover)).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("coveralls-empty.xml") && msg.contains("no root element"),
        "{msg}"
    );
    let bad = dir.join("gocov/vladopajic-start-after-end.out");
    let msg = prcov::input::parse_coverage_path(&bad, None)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains(
            "vladopajic-start-after-end.out: line 2: the block 115.45,21.2 ends on line 21"
        ),
        "{msg}"
    );
}
