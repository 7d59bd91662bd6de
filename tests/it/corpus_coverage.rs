//! Every LCOV, Cobertura and JaCoCo file of the corpus, checked against MANIFEST.tsv.
//!
//! - `ok`: parses; `lines`/`hits + partials` equal `ref_lines`/`ref_executed`; the independent
//!   oracle's figures (`lines_found`, `lines_hit`, `branches_found`, `branches_hit`) equal ours
//!   unless [`DIFFERENCES`] lists the figure with the reason the oracle's rule differs.
//! - `error`: rejected with a line or element in the location, never a panic.
//! - `lenient`: read, with at least one warning unless [`LENIENT_WITHOUT_WARNING`] says why none.
//!
//! All failures are collected and reported together.

use std::collections::BTreeSet;
use std::io::BufReader;

use prcov::formats::{self, Format, Parsed};
use prcov::model::{CoverageReport, LineState};

/// Oracle figures that differ from prcov's by design: (file, column, prcov's figure, reason).
/// Each entry is checked both ways: prcov gives the figure, and the oracle's figure differs.
const DIFFERENCES: &[(&str, &str, u64, &str)] = &[
    // LCOV: lcov 1.16 drops lcov-2 records (`e<block>` exception branches, BRDA expression names).
    (
        "lcov/lcovproj-brda-expression-names.info",
        "branches_found",
        6,
        "lcov 1.16 drops the e0 and expression-named BRDA records; lcov 2.5 gives 6 found, as prcov",
    ),
    (
        "lcov/lcovproj-brda-expression-names.info",
        "branches_hit",
        2,
        "lcov 1.16 drops the e0 and expression-named BRDA records; lcov 2.5 gives 2 hit, as prcov",
    ),
    (
        "lcov/lcovproj-empty-sf-record.info",
        "branches_found",
        6,
        "lcov 1.16 drops the two e0 exception branches; the DA/BRDA rule gives 6 found, as prcov",
    ),
    (
        "lcov/lcovproj-empty-sf-record.info",
        "branches_hit",
        2,
        "lcov 1.16 drops the taken e0 exception branch; the DA/BRDA rule gives 2 hit, as prcov",
    ),
    (
        "lcov/lcovproj-line-zero-and-ver.info",
        "lines_found",
        16,
        "lcov 1.16 counts the DA:0 record; line numbers start at 1, so prcov drops it (ref_lines 16)",
    ),
    (
        "lcov/lcovproj-line-zero-and-ver.info",
        "branches_hit",
        1,
        "lcov 1.16 drops the taken e0 branch of line 15 and counts two untaken BRDA:0 branches that prcov drops",
    ),
    // Cobertura: pycobertura counts every <line> element of a class's own <lines> (repeats
    // included, line 0 included, <methods> lines never) and takes branches from the root
    // `branches-*` attributes, which tools write for the whole project or by their own rule.
    ("cobertura/codacy-huge-hits-dup-lines.xml", "lines_found", 11, DUP),
    ("cobertura/codacy-huge-hits-dup-lines.xml", "lines_hit", 10, DUP),
    ("cobertura/coveralls-line-number-zero.xml", "lines_found", 0, LINE0),
    ("cobertura/coveralls-line-number-zero.xml", "lines_hit", 0, LINE0),
    ("cobertura/gcovr-exclude-line-branch.xml", "lines_found", 17, DUP),
    ("cobertura/gcovr-gcc14-windows-virtual-classes.xml", "lines_found", 24, DUP),
    ("cobertura/gcovr-gcc14-windows-virtual-classes.xml", "lines_hit", 17, DUP),
    ("cobertura/lcovproj-cobertura-2.0.3-uportal.xml", "lines_found", 756, DUP),
    ("cobertura/lcovproj-cobertura-2.0.3-uportal.xml", "lines_hit", 72, DUP),
    ("cobertura/reportgen-altcover-4.0.xml", "lines_found", 174, DUP),
    ("cobertura/reportgen-altcover-4.0.xml", "lines_hit", 113, DUP),
    ("cobertura/reportgen-dotnet-test-collect-old.xml", "lines_found", 199, DUP),
    ("cobertura/reportgen-dotnet-test-collect-old.xml", "lines_hit", 128, DUP),
    ("cobertura/reportgen-ms-dotnet-coverage.xml", "lines_found", 221, DUP),
    ("cobertura/reportgen-ms-dotnet-coverage.xml", "lines_hit", 156, DUP),
    ("cobertura/jenkins-cpp-lambda-camelcase-attr.xml", "lines_found", 2, METHODS),
    ("cobertura/jenkins-cpp-lambda-camelcase-attr.xml", "lines_hit", 2, METHODS),
    ("cobertura/jenkins-dotnet-same-filename-drive-source.xml", "lines_found", 2, METHODS),
    ("cobertura/reportgen-swift-class-under-package.xml", "lines_found", 2, METHODS),
    ("cobertura/reportgen-swift-class-under-package.xml", "lines_hit", 1, METHODS),
    ("cobertura/jenkins-branch-true-without-condition-coverage.xml", "branches_found", 16, ROOT_BRANCHES),
    ("cobertura/jenkins-branch-true-without-condition-coverage.xml", "branches_hit", 10, ROOT_BRANCHES),
    ("cobertura/jenkins-coveragepy-7.0.5-source-whitespace.xml", "branches_found", 4, ROOT_BRANCHES),
    ("cobertura/jenkins-coveragepy-7.0.5-source-whitespace.xml", "branches_hit", 4, ROOT_BRANCHES),
    ("cobertura/jenkins-dotnet-same-filename-drive-source.xml", "branches_found", 10, ROOT_BRANCHES),
    ("cobertura/jenkins-dotnet-same-filename-drive-source.xml", "branches_hit", 2, ROOT_BRANCHES),
    ("cobertura/jenkins-istanbul-typescript-monorepo.xml", "branches_found", 32, ROOT_BRANCHES),
    ("cobertura/jenkins-istanbul-typescript-monorepo.xml", "branches_hit", 21, ROOT_BRANCHES),
    ("cobertura/lcovproj-cobertura-2.0.3-uportal.xml", "branches_found", 184, ROOT_BRANCHES),
    ("cobertura/lcovproj-cobertura-2.0.3-uportal.xml", "branches_hit", 7, ROOT_BRANCHES),
    ("cobertura/reportgen-dotnet-test-collect-old.xml", "branches_found", 14, ROOT_BRANCHES),
    ("cobertura/reportgen-dotnet-test-collect-old.xml", "branches_hit", 11, ROOT_BRANCHES),
    ("cobertura/phpcc-phpunit-cobertura-template.xml", "branches_found", 0, NO_CONDITIONS),
    ("cobertura/phpcc-phpunit-cobertura-template.xml", "branches_hit", 0, NO_CONDITIONS),
    ("cobertura/reportgen-istanbul-large-windows.xml", "branches_found", 0, NO_CONDITIONS),
    ("cobertura/reportgen-istanbul-large-windows.xml", "branches_hit", 0, NO_CONDITIONS),
    ("cobertura/reportgen-swift-class-under-package.xml", "branches_found", 0, NO_CONDITIONS),
    ("cobertura/reportgen-swift-class-under-package.xml", "branches_hit", 0, NO_CONDITIONS),
    // JaCoCo: the oracle is the report-level <counter> elements.
    (
        "jacoco/coveralls-jacoco-multiple-packages.xml",
        "lines_found",
        12,
        "the report-level LINE counter (6) covers one package; the sourcefile counters sum to 12, as prcov",
    ),
    (
        "jacoco/coveralls-jacoco-multiple-packages.xml",
        "lines_hit",
        10,
        "the report-level LINE counter (5) covers one package; the sourcefile counters sum to 10, as prcov",
    ),
    (
        "jacoco/coveralls-jacoco-multiple-packages.xml",
        "branches_found",
        8,
        "the report-level BRANCH counter (4) covers one package; the lines of both packages sum to 8",
    ),
    (
        "jacoco/coveralls-jacoco-multiple-packages.xml",
        "branches_hit",
        4,
        "the report-level BRANCH counter (2) covers one package; the lines of both packages sum to 4",
    ),
    ("jacoco/gcovr-clang10-nested.xml", "lines_hit", 0, NO_CI),
    ("jacoco/gcovr-gcc14-virtual-classes.xml", "lines_hit", 0, NO_CI),
    (
        "jacoco/gcovr-gcc14-virtual-classes.xml",
        "lines_found",
        28,
        "gcovr repeats <line nr> for virtual-class instantiations (34 elements, 28 distinct lines); its LINE counter says 30",
    ),
];

const DUP: &str = "pycobertura counts repeated <line> elements of a file and line once each; prcov merges them (ref_lines)";
const LINE0: &str = "pycobertura counts <line number=\"0\">; line numbers start at 1, so prcov drops it with a warning";
const METHODS: &str = "the class has only <methods> lines, which pycobertura ignores; docs/coverage.md counts them for a class without own lines";
const ROOT_BRANCHES: &str = "the oracle takes the root branches-* attributes, which disagree with the per-line condition-coverage sum that prcov reads";
const NO_CONDITIONS: &str = "no line has condition-coverage; the root branches-* attributes come from the tool's own branch counter";
const NO_CI: &str = "gcovr's JaCoCo output has no mi/ci counters per line, so prcov cannot tell executed lines (warned); the oracle's figure is gcovr's LINE counter";

/// Lenient files that prcov reads without any warning, and why nothing needed repairing.
const LENIENT_WITHOUT_WARNING: &[(&str, &str)] = &[
    ("cobertura/codacy-decimal-comma-rates.xml", RATES),
    ("cobertura/irongut-matlab-nan.xml", RATES),
    (
        "cobertura/phpcc-phpunit-cobertura-ignored-lines-template.xml",
        TEMPLATE,
    ),
    (
        "cobertura/phpcc-phpunit-cobertura-outside-function-template.xml",
        TEMPLATE,
    ),
    ("cobertura/phpcc-phpunit-cobertura-template.xml", TEMPLATE),
];

const RATES: &str = "the odd values are in rate/summary attributes, which prcov does not read; every <line> is well-formed";
const TEMPLATE: &str = "the %i/%s placeholders are in the timestamp and <source>; <source> is kept as written, lines are well-formed";

/// Files whose manifest reference is `?`, with figures counted independently for this test:
/// (file, lines, executed, how they were counted).
const RECOUNTED: &[(&str, u64, u64, &str)] = &[
    (
        "cobertura/coveralls-scoverage-sbt.xml",
        106,
        77,
        "a regex recount of each class's own <lines> after its last </method> (the XML is not well-formed), merged per file and line",
    ),
    (
        "cobertura/coveralls-scoverage-oneline.xml",
        106,
        77,
        "the same report as coveralls-scoverage-sbt.xml on one line",
    ),
];

/// prcov's figures for one report, in the oracle's vocabulary.
struct Figures {
    lines: u64,
    hits: u64,
    partials: u64,
    branches_found: u64,
    branches_hit: u64,
}

fn figures(report: &CoverageReport) -> Figures {
    let totals = report.totals();
    let (mut found, mut hit) = (0, 0);
    for file in report.files.values() {
        for record in file.lines.values() {
            if let Some(b) = &record.branches {
                found += u64::from(b.total());
                hit += u64::from(b.covered());
            }
        }
    }
    // Cross-check the totals against the line states themselves.
    let partials = report
        .files
        .values()
        .flat_map(|f| f.lines.values())
        .filter(|r| r.state() == LineState::Partial)
        .count() as u64;
    assert_eq!(partials, totals.partials);
    Figures {
        lines: totals.lines,
        hits: totals.hits,
        partials: totals.partials,
        branches_found: found,
        branches_hit: hit,
    }
}

fn parse(format: Format, path: &std::path::Path) -> Result<Parsed, formats::FormatError> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    formats::parse_coverage(format, BufReader::new(file))
}

fn format_of(name: &str) -> Format {
    match name {
        "lcov" => Format::Lcov,
        "cobertura" => Format::Cobertura,
        "jacoco" => Format::Jacoco,
        other => panic!("unexpected format {other}"),
    }
}

struct Run {
    failures: Vec<String>,
    used_differences: BTreeSet<(String, String)>,
    counts: [usize; 6],
}

impl Run {
    fn compare(&mut self, file: &str, column: &str, oracle: Option<u64>, ours: u64) {
        let Some(oracle) = oracle else { return };
        self.counts[3] += 1;
        let documented = DIFFERENCES.iter().find(|d| d.0 == file && d.1 == column);
        match documented {
            Some(&(_, _, expected, reason)) => {
                self.used_differences.insert((file.to_owned(), column.to_owned()));
                self.counts[4] += 1;
                if ours != expected {
                    self.failures.push(format!(
                        "{file}: {column}: prcov gives {ours}, the documented difference says {expected} ({reason})"
                    ));
                }
                if oracle == expected {
                    self.failures.push(format!(
                        "{file}: {column}: the oracle now agrees ({oracle}); remove the documented difference"
                    ));
                }
            }
            None if ours != oracle => self.failures.push(format!(
                "{file}: {column}: prcov gives {ours}, the oracle {oracle}, and no documented reason"
            )),
            None => {}
        }
    }
}

fn check(formats_wanted: &[&str]) {
    let rows = crate::common::manifest(formats_wanted);
    assert!(!rows.is_empty(), "no manifest rows for {formats_wanted:?}");
    let mut run = Run {
        failures: Vec::new(),
        used_differences: BTreeSet::new(),
        counts: [0; 6],
    };
    for row in &rows {
        let name = row.get("path").to_owned();
        let format = format_of(row.get("format"));
        let result = std::panic::catch_unwind(|| parse(format, &row.path()));
        let result = match result {
            Ok(r) => r,
            Err(_) => {
                run.failures.push(format!("{name}: the parser panicked"));
                continue;
            }
        };
        match (row.get("expect"), result) {
            ("error", Err(e)) => {
                run.counts[1] += 1;
                eprintln!("{name}: rejected: {}: {}", e.location, e.message);
                if e.location.line.is_none() && e.location.element.is_none() {
                    run.failures.push(format!(
                        "{name}: rejected without a line or element: {}",
                        e.message
                    ));
                }
                if e.message.is_empty() {
                    run.failures
                        .push(format!("{name}: rejected with an empty message"));
                }
            }
            ("error", Ok(_)) => run
                .failures
                .push(format!("{name}: expected an error, but it parsed")),
            (expect @ ("ok" | "lenient"), Ok(parsed)) => {
                run.counts[0] += 1;
                if expect == "lenient" {
                    run.counts[2] += 1;
                    let t = parsed.report.totals();
                    eprintln!(
                        "{name}: lenient: {} lines, {} executed, {} warnings{}",
                        t.lines,
                        t.hits + t.partials,
                        parsed.warnings.len(),
                        parsed
                            .warnings
                            .first()
                            .map(|w| format!(", first: {}: {}", w.location, w.message))
                            .unwrap_or_default()
                    );
                    let excused = LENIENT_WITHOUT_WARNING.iter().any(|(f, _)| *f == name);
                    if parsed.warnings.is_empty() && !excused {
                        run.failures
                            .push(format!("{name}: lenient file read without any warning"));
                    }
                    if !parsed.warnings.is_empty() && excused {
                        run.failures.push(format!(
                            "{name}: listed as needing no warning, but warned: {:?}",
                            parsed.warnings
                        ));
                    }
                }
                let f = figures(&parsed.report);
                if let Some(&(_, lines, executed, _)) = RECOUNTED.iter().find(|r| r.0 == name) {
                    run.compare(&name, "recounted lines", Some(lines), f.lines);
                    run.compare(
                        &name,
                        "recounted executed",
                        Some(executed),
                        f.hits + f.partials,
                    );
                }
                run.compare(&name, "ref_lines", row.num("ref_lines"), f.lines);
                run.compare(
                    &name,
                    "ref_executed",
                    row.num("ref_executed"),
                    f.hits + f.partials,
                );
                run.compare(&name, "lines_found", row.num("lines_found"), f.lines);
                // pycobertura counts a partially covered line as a miss; lcov and JaCoCo count it
                // as hit (it ran).
                let lines_hit = if format == Format::Cobertura {
                    f.hits
                } else {
                    f.hits + f.partials
                };
                run.compare(&name, "lines_hit", row.num("lines_hit"), lines_hit);
                run.compare(
                    &name,
                    "branches_found",
                    row.num("branches_found"),
                    f.branches_found,
                );
                run.compare(
                    &name,
                    "branches_hit",
                    row.num("branches_hit"),
                    f.branches_hit,
                );
            }
            (expect @ ("ok" | "lenient"), Err(e)) => run.failures.push(format!(
                "{name}: expected {expect}, but it was rejected: {}: {}",
                e.location, e.message
            )),
            (expect, _) => run
                .failures
                .push(format!("{name}: unknown expect value {expect:?}")),
        }
    }
    for (file, column, _, _) in DIFFERENCES {
        let wanted = rows.iter().any(|r| r.get("path") == *file);
        if wanted
            && !run
                .used_differences
                .contains(&((*file).to_owned(), (*column).to_owned()))
        {
            run.failures.push(format!(
                "{file}: {column}: documented difference not used (stale entry)"
            ));
        }
    }
    eprintln!(
        "{formats_wanted:?}: {} files; parsed {} ({} lenient), rejected {} error files; {} figures compared, {} documented differences",
        rows.len(),
        run.counts[0],
        run.counts[2],
        run.counts[1],
        run.counts[3],
        run.counts[4]
    );
    assert!(
        run.failures.is_empty(),
        "{} corpus failures:\n{}",
        run.failures.len(),
        run.failures.join("\n")
    );
}

#[test]
fn lcov_corpus() {
    check(&["lcov"]);
}

#[test]
fn cobertura_corpus() {
    check(&["cobertura"]);
}

#[test]
fn jacoco_corpus() {
    check(&["jacoco"]);
}

/// The expectation written in a fixture's first comment: `expect: lines=… hits=… misses=…
/// partials=… warnings=…` or `expect-error: line N: <message start>`.
fn fixture_expectation(text: &str) -> &str {
    let start = text
        .find("expect")
        .unwrap_or_else(|| panic!("fixture without an expect comment:\n{text}"));
    let rest = &text[start..];
    let end = rest
        .find(" -->")
        .or_else(|| rest.find('\n'))
        .unwrap_or(rest.len());
    rest[..end].trim_end()
}

fn check_fixtures(format: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(format);
    let mut failures = Vec::new();
    let mut checked = 0;
    for kind in ["valid", "invalid"] {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(kind))
            .unwrap_or_else(|e| panic!("read {}/{kind}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        assert!(
            !entries.is_empty(),
            "no fixtures in {}/{kind}",
            dir.display()
        );
        for path in entries {
            checked += 1;
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .display()
                .to_string();
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let expect = fixture_expectation(&text);
            match (
                expect.strip_prefix("expect-error: "),
                parse(format_of(format), &path),
            ) {
                (Some(wanted), Err(e)) => {
                    let got = format!("line {}: {}", e.location.line.unwrap_or(0), e.message);
                    if !got.starts_with(wanted) {
                        failures.push(format!("{name}: got \"{got}\", expected \"{wanted}\""));
                    }
                }
                (Some(_), Ok(_)) => failures.push(format!("{name}: parsed, expected an error")),
                (None, Ok(parsed)) => {
                    let t = parsed.report.totals();
                    let got = format!(
                        "expect: lines={} hits={} misses={} partials={} warnings={}",
                        t.lines,
                        t.hits,
                        t.misses,
                        t.partials,
                        parsed.warnings.len()
                    );
                    if got != expect {
                        failures.push(format!("{name}: got \"{got}\", expected \"{expect}\""));
                    }
                    if kind != "valid" {
                        failures.push(format!("{name}: an invalid fixture without expect-error"));
                    }
                }
                (None, Err(e)) => {
                    failures.push(format!("{name}: rejected: {}: {}", e.location, e.message))
                }
            }
        }
    }
    eprintln!("{format}: {checked} fixtures");
    assert!(
        failures.is_empty(),
        "fixture failures:\n{}",
        failures.join("\n")
    );
}

#[test]
fn lcov_fixtures() {
    check_fixtures("lcov");
}

#[test]
fn cobertura_fixtures() {
    check_fixtures("cobertura");
}

#[test]
fn jacoco_fixtures() {
    check_fixtures("jacoco");
}
