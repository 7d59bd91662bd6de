//! Round trips: every corpus report of the formats prcov converts from (Clover, Go, Istanbul,
//! jest JSON, llvm-cov JSON, gcovr JSON, Codecov JSON), written as LCOV or Cobertura and parsed back with prcov's own
//! LCOV/Cobertura parsers, gives the same model: the same files, lines, hits, line states and
//! branch counts (branch identities are renumbered by the writers, so ids are not compared),
//! and for LCOV the same functions.

use std::collections::BTreeMap;

use crate::common::manifest;
use prcov::formats::write::{self, WriteFormat};
use prcov::formats::{self, cobertura, lcov};
use prcov::model::{CoverageReport, LineState};

/// Per file, per line: hits, state, and branches (covered, total) where the line has any.
type View = BTreeMap<String, BTreeMap<u32, (u64, LineState, Option<(u32, u32)>)>>;

fn view(report: &CoverageReport) -> View {
    report
        .files
        .iter()
        .map(|(path, f)| {
            let lines = f
                .lines
                .iter()
                .map(|(n, r)| {
                    let b = r
                        .branches
                        .as_ref()
                        .filter(|b| b.total() > 0)
                        .map(|b| (b.covered(), b.total()));
                    (n, (r.hits, r.state(), b))
                })
                .collect();
            (path.clone(), lines)
        })
        .collect()
}

/// Functions with a line, as the LCOV writer keeps them: (line, name, hits), sorted.
fn functions(report: &CoverageReport) -> BTreeMap<String, Vec<(u32, String, u64)>> {
    report
        .files
        .iter()
        .map(|(path, f)| {
            let mut list: Vec<_> = f
                .functions
                .iter()
                .filter(|g| g.line > 0)
                .map(|g| {
                    let name = if g.name.trim().is_empty() {
                        format!("<anonymous>@{}", g.line)
                    } else {
                        // The LCOV writer replaces commas, which some LCOV readers split on.
                        g.name.replace(',', ";")
                    };
                    (g.line, name, g.hits)
                })
                .collect();
            list.sort();
            (path.clone(), list)
        })
        .collect()
}

/// The parsed reports of every readable corpus file of the formats this issue adds.
fn sources() -> Vec<(String, CoverageReport)> {
    let rows = manifest(&[
        "clover",
        "gocov",
        "istanbul-json",
        "llvm-json",
        "other-gcovr-json",
        "other-jest-json",
        "codecov-json",
    ]);
    let out: Vec<_> = rows
        .iter()
        .filter(|r| r.get("expect") != "error")
        .map(|r| {
            let (_, parsed) = prcov::input::parse_coverage_path(&r.path(), None)
                .unwrap_or_else(|e| panic!("{e}"));
            (r.get("path").to_owned(), parsed.report)
        })
        .collect();
    assert_eq!(out.len(), 36);
    out
}

#[test]
fn lcov_round_trip_keeps_the_model() {
    let mut without_lines = Vec::new();
    for (name, report) in sources() {
        if report.totals().lines == 0 {
            // LCOV has no way to say "no files" (a tracefile needs an SF record; lcov itself
            // rejects an empty one), so there is nothing to round-trip.
            without_lines.push(name);
            continue;
        }
        let mut text = Vec::new();
        write::write(&report, WriteFormat::Lcov, &mut text).expect("write to memory");
        let back = lcov::parse(&text[..]).unwrap_or_else(|e| {
            panic!(
                "{name}: prcov cannot read its own LCOV: {} {}",
                e.location, e.message
            )
        });
        // A file without lines is written as an empty record; readers may drop it.
        let nonempty = |v: View| -> View { v.into_iter().filter(|(_, l)| !l.is_empty()).collect() };
        assert_eq!(
            nonempty(view(&back.report)),
            nonempty(view(&report)),
            "{name}"
        );
        let with_functions = |m: BTreeMap<String, Vec<(u32, String, u64)>>| -> BTreeMap<_, _> {
            m.into_iter().filter(|(_, l)| !l.is_empty()).collect()
        };
        assert_eq!(
            with_functions(functions(&back.report)),
            with_functions(functions(&report)),
            "{name}: functions"
        );
    }
    assert_eq!(
        without_lines,
        [
            "clover/jenkins-clover-1.3.13.xml",
            "clover/jenkins-no-project.xml",
            "llvm-json/cargo-llvm-cov-summary-only-export.json"
        ]
    );
}

#[test]
fn cobertura_round_trip_keeps_the_model() {
    for (name, report) in sources() {
        let mut text = Vec::new();
        write::write(&report, WriteFormat::Cobertura, &mut text).expect("write to memory");
        let back = cobertura::parse(&text[..]).unwrap_or_else(|e| {
            panic!(
                "{name}: prcov cannot read its own Cobertura: {} {}",
                e.location, e.message
            )
        });
        let nonempty = |v: View| -> View { v.into_iter().filter(|(_, l)| !l.is_empty()).collect() };
        assert_eq!(
            nonempty(view(&back.report)),
            nonempty(view(&report)),
            "{name}"
        );
    }
}

#[test]
fn merged_shards_convert_to_the_union() {
    // Two Go shards: each ran one of the blocks sharing line 3; merged, line 3 is hit, and
    // the written LCOV says so (both of its block-branches taken).
    let a = formats::gocov::parse("mode: set\nm/a.go:1.1,3.9 1 1\nm/a.go:3.9,5.3 1 0\n".as_bytes())
        .expect("parses");
    let b = formats::gocov::parse("mode: set\nm/a.go:1.1,3.9 1 0\nm/a.go:3.9,5.3 1 1\n".as_bytes())
        .expect("parses");
    let mut merged = a.report;
    merged.merge(&b.report);
    let mut text = Vec::new();
    write::write(&merged, WriteFormat::Lcov, &mut text).expect("write to memory");
    let text = String::from_utf8(text).expect("utf-8");
    assert!(text.contains("BRDA:3,0,0,1\nBRDA:3,0,1,1\n"), "{text}");
    assert!(text.contains("LF:5\nLH:5\n"), "{text}");
}
