//! Real runs (fixtures/real-runs/, made by its run.sh): each toolchain's native report read by
//! prcov agrees with the figures the toolchain itself printed for the same run, and with the
//! same run's LCOV/Cobertura, line by line and on the patch of a real change (change.patch adds
//! a `clamp` function with one branch never taken).
//!
//! Tool figures are read from the tools' own output at test time (not copied into the test):
//! LCOV `LF`/`LH`/`BRF`/`BRH` written by c8, coverage.py and llvm-cov; the `<coverage>` root
//! attributes of their Cobertura files; `coverage report`'s table; `go tool cover -func`'s total;
//! llvm-cov's `totals`. LCOV's `LH` and Cobertura's `lines-covered` count a line that ran as
//! covered whatever its branches, so they equal prcov's hits + partials.

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::PathBuf;

use prcov::formats::{coveragepy_json, gocov, istanbul, llvm_json, Format};
use prcov::model::{CoverageReport, LineState, Totals};

fn dir(lang: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/real-runs")
        .join(lang)
}

fn read(lang: &str, name: &str) -> String {
    fs::read_to_string(dir(lang).join(name)).expect("fixture")
}

fn open(lang: &str, name: &str) -> BufReader<fs::File> {
    BufReader::new(fs::File::open(dir(lang).join(name)).expect("fixture"))
}

fn parse(lang: &str, name: &str, expected: Format) -> CoverageReport {
    let (format, parsed) = prcov::input::parse_coverage_path(&dir(lang).join(name), None)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(format, expected, "{lang}/{name} detected as {format}");
    parsed.report
}

/// Sums of an LCOV file's own `LF`, `LH`, `BRF`, `BRH` records.
fn lcov_counts(text: &str) -> [u64; 4] {
    let mut out = [0; 4];
    for line in text.lines() {
        for (i, key) in ["LF:", "LH:", "BRF:", "BRH:"].iter().enumerate() {
            if let Some(v) = line.strip_prefix(key) {
                out[i] += v.trim().parse::<u64>().expect("count");
            }
        }
    }
    out
}

/// A Cobertura root attribute.
fn root_attr(xml: &str, name: &str) -> u64 {
    let root = &xml[xml.find("<coverage ").expect("root")..];
    let root = &root[..root.find('>').expect("end of root tag")];
    let at = root.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
    root[at..at + root[at..].find('"').expect("quote")]
        .parse()
        .expect("number")
}

fn branches(report: &CoverageReport) -> (u64, u64) {
    let mut t = (0, 0);
    for f in report.files.values() {
        for b in f.lines.values().filter_map(|r| r.branches) {
            t.0 += u64::from(b.total());
            t.1 += u64::from(b.covered());
        }
    }
    t
}

/// Added lines per file (new-side line numbers) of a unified diff.
fn added_lines(patch: &str) -> BTreeMap<String, Vec<u32>> {
    let mut out: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut file = String::new();
    let mut line = 0u32;
    for l in patch.lines() {
        if let Some(p) = l.strip_prefix("+++ b/") {
            file = p.to_owned();
        } else if let Some(h) = l.strip_prefix("@@ ") {
            let plus = h.split(' ').nth(1).expect("+start,len");
            line = plus[1..]
                .split(',')
                .next()
                .expect("start")
                .parse()
                .expect("number");
        } else if l.starts_with('+') && !l.starts_with("+++") {
            out.entry(file.clone()).or_default().push(line);
            line += 1;
        } else if !l.starts_with('-') && !l.starts_with("diff ") && !l.starts_with("index ") {
            line += 1;
        }
    }
    out
}

/// The report file whose path ends with the repository path `path`.
fn file_for<'a>(report: &'a CoverageReport, path: &str) -> &'a prcov::model::FileCoverage {
    let mut matches = report.files.iter().filter(|(k, _)| k.ends_with(path));
    let (_, f) = matches
        .next()
        .unwrap_or_else(|| panic!("no report file for {path}"));
    assert!(matches.next().is_none(), "{path} matches several files");
    f
}

/// Patch coverage: the states of the added lines that have a record. A changed file no
/// report mentions (a test file) is "not measured" and contributes nothing (docs/coverage.md#patch-lines).
fn patch(
    report: &CoverageReport,
    added: &BTreeMap<String, Vec<u32>>,
) -> (Totals, Vec<(u32, LineState)>) {
    let mut t = Totals::default();
    let mut states = Vec::new();
    for (path, lines) in added {
        if !report.files.keys().any(|k| k.ends_with(path.as_str())) {
            continue;
        }
        let f = file_for(report, path);
        for n in lines {
            if let Some(r) = f.lines.get(n) {
                t.add(r.state());
                states.push((*n, r.state()));
            }
        }
    }
    (t, states)
}

#[test]
fn go_statements_equal_go_tool_cover() {
    let (profile, _) = gocov::read_profile(open("go", "coverage.out")).expect("parses");
    let (stmts, covered) = profile.statements();
    let func = read("go", "cover-func.txt");
    let total = func
        .lines()
        .find(|l| l.starts_with("total:"))
        .expect("total line");
    let percent = total.split_whitespace().last().expect("percent");
    #[expect(clippy::cast_precision_loss, reason = "tiny counts")]
    let ours = format!("{:.1}%", 100.0 * covered as f64 / stmts as f64);
    assert_eq!(ours, percent);
    assert_eq!((stmts, covered), (13, 9));
}

#[test]
fn go_patch_follows_the_block_rule() {
    let report = parse("go", "coverage.out", Format::Gocov);
    let added = added_lines(&read("go", "change.patch"));
    assert_eq!(added["calc.go"], (19..=28).collect::<Vec<_>>());
    assert!(
        added.contains_key("calc_test.go"),
        "the test file is part of the change"
    );
    let (t, states) = patch(&report, &added);
    use LineState::{Hit, Miss, Partial};
    // Blocks of Clamp: 20.31,21.12 ×2; 21.12,23.3 ×1; 24.2,24.12 ×1; 24.12,26.3 ×0; 27.2,27.10 ×1.
    // Line 24 is shared by a run and an unrun block: partial; 25-26 only by the unrun one.
    // 19 is blank and 28 the function's lone `}` (the last block ends on line 27): no records.
    assert_eq!(
        states,
        vec![
            (20, Hit),
            (21, Hit),
            (22, Hit),
            (23, Hit),
            (24, Partial),
            (25, Miss),
            (26, Miss),
            (27, Hit)
        ]
    );
    assert_eq!((t.lines, t.hits, t.misses, t.partials), (8, 5, 2, 1));
}

#[test]
fn node_istanbul_json_equals_c8_lcov_and_cobertura_figures() {
    let (parsed, stats) =
        istanbul::parse_with_stats(open("node", "coverage-final.json")).expect("parses");
    let t = parsed.report.totals();
    let [lf, lh, brf, brh] = lcov_counts(&read("node", "lcov.info"));
    assert_eq!((t.lines, t.hits + t.partials), (lf, lh));
    assert_eq!((stats.branches, stats.branches_covered), (brf, brh));
    let xml = read("node", "cobertura-coverage.xml");
    assert_eq!(
        (
            t.lines,
            t.hits + t.partials,
            stats.branches,
            stats.branches_covered
        ),
        (
            root_attr(&xml, "lines-valid"),
            root_attr(&xml, "lines-covered"),
            root_attr(&xml, "branches-valid"),
            root_attr(&xml, "branches-covered")
        )
    );
    assert_eq!((t.lines, t.hits, t.misses, t.partials), (28, 20, 6, 2));
}

#[test]
fn python_json_equals_coverage_report_lcov_and_xml() {
    let (parsed, totals) =
        coveragepy_json::parse_with_totals(open("python", "coverage.json")).expect("parses");
    let t = parsed.report.totals();
    // `coverage report`: Name Stmts Miss Branch BrPart Cover.
    let report = read("python", "coverage-report.txt");
    let row: Vec<u64> = report
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .expect("TOTAL row")
        .split_whitespace()
        .skip(1)
        .take(4)
        .map(|v| v.parse().expect("number"))
        .collect();
    assert_eq!(
        row,
        vec![t.lines, t.misses, totals.num_branches, t.partials]
    );
    assert_eq!(
        branches(&parsed.report),
        (totals.num_branches, totals.covered_branches)
    );
    let [lf, lh, brf, brh] = lcov_counts(&read("python", "coverage.lcov"));
    assert_eq!((t.lines, t.hits + t.partials), (lf, lh));
    assert_eq!(branches(&parsed.report), (brf, brh));
    let xml = read("python", "coverage.xml");
    assert_eq!(
        (t.lines, t.hits + t.partials),
        (
            root_attr(&xml, "lines-valid"),
            root_attr(&xml, "lines-covered")
        )
    );
    assert_eq!((t.lines, t.hits, t.misses, t.partials), (17, 11, 4, 2));
}

#[test]
fn rust_llvm_json_equals_its_totals_and_lcov() {
    let (parsed, totals) =
        llvm_json::parse_with_totals(open("rust", "coverage.json")).expect("parses");
    let t = parsed.report.totals();
    assert_eq!(
        (t.lines, t.hits + t.partials),
        (totals.lines, totals.lines_covered)
    );
    let [lf, lh, brf, _] = lcov_counts(&read("rust", "lcov.info"));
    assert_eq!((t.lines, t.hits + t.partials), (lf, lh));
    // Stable Rust has no branch coverage: neither file has branches.
    assert_eq!(
        (branches(&parsed.report).0, brf, totals.branches),
        (0, 0, 0)
    );
    assert_eq!((t.lines, t.hits, t.misses), (32, 26, 6));
}

/// A run: its folder, its native report, and the same run's LCOV/Cobertura files.
type Run<'a> = (&'a str, (&'a str, Format), &'a [(&'a str, Format)]);

/// Native vs LCOV vs Cobertura of the same run through prcov's own parsers: the same lines
/// and states in the changed file, and the same patch coverage.
/// (Needs the LCOV and Cobertura parsers of the core issue.)
#[test]
fn native_lcov_and_cobertura_agree_line_by_line_and_on_the_patch() {
    let runs: [Run; 3] = [
        (
            "node",
            ("coverage-final.json", Format::IstanbulJson),
            &[
                ("lcov.info", Format::Lcov),
                ("cobertura-coverage.xml", Format::Cobertura),
            ],
        ),
        (
            "python",
            ("coverage.json", Format::CoveragepyJson),
            &[
                ("coverage.lcov", Format::Lcov),
                ("coverage.xml", Format::Cobertura),
            ],
        ),
        (
            "rust",
            ("coverage.json", Format::LlvmJson),
            &[("lcov.info", Format::Lcov)],
        ),
    ];
    for (lang, (native, format), others) in runs {
        let added = added_lines(&read(lang, "change.patch"));
        let path = added.keys().next().expect("a changed file").clone();
        let base = parse(lang, native, format);
        let states = |r: &CoverageReport| -> Vec<(u32, LineState)> {
            file_for(r, &path)
                .lines
                .iter()
                .map(|(n, l)| (n, l.state()))
                .collect()
        };
        let (base_patch, base_states) = patch(&base, &added);
        assert!(
            base_patch.lines > 0,
            "{lang}: the patch has coverable lines"
        );
        for (other, format) in others {
            let report = parse(lang, other, *format);
            assert_eq!(
                states(&report),
                states(&base),
                "{lang}: {other} vs {native}"
            );
            assert_eq!(
                patch(&report, &added),
                (base_patch, base_states.clone()),
                "{lang}: {other}"
            );
        }
    }
}
