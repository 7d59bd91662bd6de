//! Istanbul `coverage-final.json` (nyc, c8, jest, vitest), read one file entry at a time.
//!
//! The document is an object of file key → `{path, statementMap, s, branchMap, b, fnMap, f}`
//! (old jest versions wrap the entry in `{"data": …}`). Lines follow istanbul-lib-coverage's
//! `getLineCoverage()`, the figure its text/lcov reporters print: a line is the start line of
//! a statement, with the largest count of the statements starting there. Branches follow
//! `getBranchCoverageByLine()`: every location of a `branchMap` entry belongs to that entry's
//! `line` (else its `loc` start line), taken when its count in `b` is > 0; they are identified
//! by (entry, location) so several reports unite exactly. A branch on a line that has no
//! statement is not part of the line model (istanbul's line figure does not have that line
//! either); [`IstanbulStats`] still counts it.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::{FormatError, Location, Parsed};
use crate::model::{Branches, CoverageReport, Function, LineRecord};

/// istanbul-lib-coverage's summary figures, for comparison with its output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IstanbulStats {
    pub statements: u64,
    pub statements_covered: u64,
    pub branches: u64,
    pub branches_covered: u64,
    pub functions: u64,
    pub functions_covered: u64,
}

#[derive(Deserialize)]
struct Pos {
    #[serde(default)]
    line: Option<u64>,
}

#[derive(Deserialize)]
struct Range {
    start: Pos,
}

#[derive(Deserialize)]
struct BranchMeta {
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    loc: Option<Range>,
}

#[derive(Deserialize)]
struct FnMeta {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    line: Option<u64>,
    #[serde(default)]
    decl: Option<Range>,
}

#[derive(Deserialize)]
struct FileEntry {
    #[serde(default)]
    path: Option<String>,
    #[serde(rename = "statementMap", default)]
    statement_map: BTreeMap<String, Range>,
    #[serde(default)]
    s: BTreeMap<String, u64>,
    #[serde(rename = "branchMap", default)]
    branch_map: BTreeMap<String, BranchMeta>,
    #[serde(default)]
    b: BTreeMap<String, Vec<u64>>,
    #[serde(rename = "fnMap", default)]
    fn_map: BTreeMap<String, FnMeta>,
    #[serde(default)]
    f: BTreeMap<String, u64>,
    #[serde(default)]
    data: Option<Box<FileEntry>>,
}

/// Parses a `coverage-final.json`.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    parse_with_stats(reader).map(|(p, _)| p)
}

/// Parses a `coverage-final.json` and returns istanbul's summary figures too.
pub fn parse_with_stats(reader: impl BufRead) -> Result<(Parsed, IstanbulStats), FormatError> {
    let mut reader = reader;
    super::text::skip_bom(&mut reader);
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut out = (Parsed::default(), IstanbulStats::default());
    FilesSeed {
        out: &mut out,
        top: true,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end())
    .map_err(|e| {
        json_error(
            &e,
            "an Istanbul coverage-final.json object of file → coverage",
        )
    })?;
    Ok(out)
}

/// A serde_json error as a [`FormatError`] with its line and column.
pub(crate) fn json_error(e: &serde_json::Error, expected: &str) -> FormatError {
    let line = u64::try_from(e.line()).unwrap_or(0);
    let column = u64::try_from(e.column()).unwrap_or(0);
    FormatError {
        location: Location {
            line: (line > 0).then_some(line),
            column: (column > 0).then_some(column),
            element: None,
        },
        message: if e.is_eof() {
            format!("the JSON ends early (truncated file?); expected {expected}")
        } else {
            // serde quotes a wrong string value whole: keep the start of it only.
            let what = e
                .to_string()
                .replace(&format!(" at line {} column {}", e.line(), e.column()), "");
            let mut short: String = what.chars().take(200).collect();
            if short.len() < what.len() {
                short.push('…');
            }
            format!("{short}; expected {expected}")
        },
    }
}

/// The top-level keys of jest's `--json` result besides `coverageMap`.
const JEST_KEYS: &[&str] = &[
    "numFailedTestSuites",
    "numFailedTests",
    "numPassedTestSuites",
    "numPassedTests",
    "numPendingTestSuites",
    "numPendingTests",
    "numRuntimeErrorTestSuites",
    "numTodoTests",
    "numTotalTestSuites",
    "numTotalTests",
    "openHandles",
    "snapshot",
    "startTime",
    "success",
    "testResults",
    "wasInterrupted",
];

struct FilesSeed<'a> {
    out: &'a mut (Parsed, IstanbulStats),
    /// The document's own object (where jest's keys may appear), not `coverageMap`'s.
    top: bool,
}

impl<'de> DeserializeSeed<'de> for FilesSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FilesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of file → {path, statementMap, s, …}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // One entry at a time: the whole document is never held as a tree.
        let (mut jest, mut coverage_map) = (false, false);
        while let Some(key) = map.next_key::<String>()? {
            if self.top && key == "coverageMap" {
                coverage_map = true;
                map.next_value_seed(FilesSeed {
                    out: &mut *self.out,
                    top: false,
                })?;
            } else if self.top && JEST_KEYS.contains(&key.as_str()) {
                jest = true;
                map.next_value::<IgnoredAny>()?;
            } else {
                let entry: FileEntry = map.next_value()?;
                let entry = match entry.data {
                    Some(inner) => *inner,
                    None => entry,
                };
                let mut skipped = super::text::SkippedLines::default();
                add_file(
                    &mut self.out.0.report,
                    &mut self.out.1,
                    &key,
                    entry,
                    &mut skipped,
                );
                if let Some(mut w) = skipped.warning() {
                    w.message = format!("{key}: {}", w.message);
                    self.out.0.warnings.push(w);
                }
            }
        }
        if jest && !coverage_map {
            return Err(serde::de::Error::custom(
                "a jest --json result without \"coverageMap\" (run jest with --coverage)",
            ));
        }
        Ok(())
    }
}

fn add_file(
    report: &mut CoverageReport,
    stats: &mut IstanbulStats,
    key: &str,
    e: FileEntry,
    skipped: &mut super::text::SkippedLines,
) {
    let name = e
        .path
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| key.to_owned());
    // istanbul-lib-coverage: line → the largest count of the statements starting on it.
    let mut lines: BTreeMap<u32, u64> = BTreeMap::new();
    for (id, range) in &e.statement_map {
        let count = e.s.get(id).copied().unwrap_or(0);
        stats.statements += 1;
        stats.statements_covered += u64::from(count > 0);
        let Some(line) = range.start.line.and_then(|l| skipped.check(l)) else {
            continue;
        };
        let slot = lines.entry(line).or_insert(0);
        *slot = (*slot).max(count);
    }
    let mut branches: BTreeMap<u32, Vec<(u64, bool)>> = BTreeMap::new();
    for (id, meta) in &e.branch_map {
        let counts = e.b.get(id).map_or(&[][..], Vec::as_slice);
        stats.branches += counts.len() as u64;
        stats.branches_covered += counts.iter().filter(|c| **c > 0).count() as u64;
        let line = meta
            .line
            .or_else(|| meta.loc.as_ref().and_then(|l| l.start.line));
        let Some(line) = line.and_then(|l| skipped.check(l)) else {
            continue;
        };
        let entry_id: u64 = id.parse().unwrap_or_else(|_| fallback_id(id));
        for (i, c) in counts.iter().enumerate() {
            branches
                .entry(line)
                .or_default()
                .push(((entry_id << 16) | (i as u64 & 0xFFFF), *c > 0));
        }
    }
    let file = report.file_mut(&name);
    for (line, hits) in lines {
        let record = LineRecord {
            hits,
            branches: branches.remove(&line).map(Branches::identified),
        };
        file.add_line(line, record);
    }
    for (id, meta) in &e.fn_map {
        let hits = e.f.get(id).copied().unwrap_or(0);
        stats.functions += 1;
        stats.functions_covered += u64::from(hits > 0);
        let line = meta
            .line
            .or_else(|| meta.decl.as_ref().and_then(|d| d.start.line))
            .and_then(|l| u32::try_from(l).ok())
            .unwrap_or(0);
        file.functions.push(Function {
            name: meta.name.clone().unwrap_or_default(),
            line,
            hits,
        });
    }
}

/// Branch map keys are decimal strings in every producer seen; anything else gets a stable hash.
fn fallback_id(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) >> 16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    const SAMPLE: &str = r#"{"/p/a.js": {"path": "/p/a.js",
      "statementMap": {"0": {"start": {"line": 1, "column": 0}, "end": {"line": 1, "column": 9}},
                       "1": {"start": {"line": 2, "column": 0}, "end": {"line": 4, "column": 1}},
                       "2": {"start": {"line": 2, "column": 10}, "end": {"line": 2, "column": 20}},
                       "3": {"start": {"line": 3, "column": 2}, "end": {"line": 3, "column": 9}}},
      "s": {"0": 1, "1": 2, "2": 0, "3": 0},
      "branchMap": {"0": {"type": "if", "line": 2, "loc": {"start": {"line": 2, "column": 0}},
                          "locations": [{}, {}]}},
      "b": {"0": [2, 0]},
      "fnMap": {"0": {"name": "f", "decl": {"start": {"line": 1, "column": 0}}, "loc": {}}},
      "f": {"0": 1}}}"#;

    #[test]
    fn statements_give_lines_and_branches_attach() {
        let (parsed, stats) = parse_with_stats(SAMPLE.as_bytes()).unwrap();
        let f = &parsed.report.files["/p/a.js"];
        assert_eq!(f.lines.len(), 3);
        assert_eq!(f.lines.get(&1).unwrap().state(), LineState::Hit);
        // Two statements start on line 2: the larger count wins; one branch not taken.
        assert_eq!(f.lines.get(&2).unwrap().hits, 2);
        assert_eq!(f.lines.get(&2).unwrap().state(), LineState::Partial);
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Miss);
        assert_eq!(f.functions.len(), 1);
        assert_eq!(
            stats,
            IstanbulStats {
                statements: 4,
                statements_covered: 2,
                branches: 2,
                branches_covered: 1,
                functions: 1,
                functions_covered: 1
            }
        );
    }

    #[test]
    fn data_wrapper_is_read() {
        let text = r#"{"a.js": {"data": {"path": "a.js", "statementMap": {"0": {"start": {"line": 5}}}, "s": {"0": 3}}}}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.report.files["a.js"].lines.get(&5).unwrap().hits, 3);
    }

    #[test]
    fn jest_json_result_is_read_from_its_coverage_map() {
        let text = format!(
            r#"{{"numFailedTests": 0, "success": true, "testResults": [{{"x": 1}}], "snapshot": {{"added": 0}}, "coverageMap": {SAMPLE}}}"#
        );
        let (parsed, stats) = parse_with_stats(text.as_bytes()).unwrap();
        assert_eq!(parsed.report.files.keys().collect::<Vec<_>>(), ["/p/a.js"]);
        assert_eq!(stats.statements, 4);
        let e = parse(r#"{"numFailedTests": 0, "success": true}"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("--coverage"), "{}", e.message);
    }

    #[test]
    fn malformed_json_has_a_position() {
        let e = parse("{\"a.js\": {\"s\": {\"0\": \"x\"}}}".as_bytes()).unwrap_err();
        assert_eq!(e.location.line, Some(1));
        assert!(e.location.column.is_some());
        let e = parse("{\"a.js\": {".as_bytes()).unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let e = parse("[1]".as_bytes()).unwrap_err();
        assert!(e.message.contains("expected"), "{}", e.message);
    }
}
