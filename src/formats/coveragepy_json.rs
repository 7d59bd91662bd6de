//! coverage.py's JSON report (`coverage json`, format 2 and 3).
//!
//! Per file: `executed_lines` are hit (coverage.py records no counts, so hits = 1),
//! `missing_lines` are missed; excluded lines are not coverable. With branch coverage,
//! `executed_branches` and `missing_branches` are `[from, to]` arcs (a negative `to` leaves the
//! code object); each arc is a branch of its `from` line, identified by `to`, taken when
//! executed. An executed line with a missing arc is partial: coverage.py's own "partial" lines
//! and its XML report's `condition-coverage` say the same. Nested `functions`/`classes` regions
//! (coverage.py ≥ 7.5) repeat the file's lines and are not read.

use std::collections::BTreeMap;
use std::io::BufRead;

use serde::Deserialize;

use super::istanbul::json_error;
use super::{FormatError, Location, Parsed};
use crate::model::{Branches, LineRecord};

/// The report's own `totals`, for comparison.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct CoveragepyTotals {
    #[serde(default)]
    pub num_statements: u64,
    #[serde(default)]
    pub covered_lines: u64,
    #[serde(default)]
    pub num_branches: u64,
    #[serde(default)]
    pub covered_branches: u64,
    #[serde(default)]
    pub num_partial_branches: u64,
}

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    meta: Option<Meta>,
    files: BTreeMap<String, FileEntry>,
    #[serde(default)]
    totals: Option<CoveragepyTotals>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    format: Option<u64>,
}

#[derive(Deserialize)]
struct FileEntry {
    #[serde(default)]
    executed_lines: Vec<i64>,
    #[serde(default)]
    missing_lines: Vec<i64>,
    #[serde(default)]
    executed_branches: Vec<(i64, i64)>,
    #[serde(default)]
    missing_branches: Vec<(i64, i64)>,
}

/// Parses a `coverage json` report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    parse_with_totals(reader).map(|(p, _)| p)
}

/// Parses a `coverage json` report and returns the totals it states about itself.
pub fn parse_with_totals(reader: impl BufRead) -> Result<(Parsed, CoveragepyTotals), FormatError> {
    let mut reader = reader;
    super::text::skip_bom(&mut reader);
    let report: Report = serde_json::from_reader(reader).map_err(|e| {
        json_error(
            &e,
            "a coverage.py JSON report {\"meta\": …, \"files\": {…}}",
        )
    })?;
    if let Some(format) = report.meta.as_ref().and_then(|m| m.format) {
        if format > 3 {
            return Err(FormatError {
                location: Location::default(),
                message: format!(
                    "coverage.py JSON format {format} is newer than prcov knows (2 or 3)"
                ),
            });
        }
    }
    let mut parsed = Parsed::default();
    let mut skipped = super::text::SkippedLines::default();
    for (name, entry) in &report.files {
        let file = parsed.report.file_mut(name);
        let mut arcs: BTreeMap<u32, Vec<(u64, bool)>> = BTreeMap::new();
        for (taken, list) in [
            (true, &entry.executed_branches),
            (false, &entry.missing_branches),
        ] {
            for &(from, to) in list {
                if let Some(from) = line_no(from) {
                    // Bit-cast keeps negative exit targets distinct from line numbers.
                    arcs.entry(from).or_default().push((to as u64, taken));
                }
            }
        }
        for (hits, list) in [(1, &entry.executed_lines), (0, &entry.missing_lines)] {
            for &line in list {
                let Some(line) = skipped.check(line) else {
                    continue;
                };
                let branches = arcs.remove(&line).map(Branches::identified);
                file.add_line(line, LineRecord { hits, branches });
            }
        }
    }
    parsed.warnings.extend(skipped.warning());
    Ok((parsed, report.totals.unwrap_or_default()))
}

fn line_no(n: i64) -> Option<u32> {
    u32::try_from(n).ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    #[test]
    fn lines_and_arcs() {
        let text = r#"{"meta": {"format": 3, "version": "7.6.1", "branch_coverage": true},
          "files": {"pkg/a.py": {"executed_lines": [1, 2, 4], "missing_lines": [3],
            "excluded_lines": [9], "executed_branches": [[2, 4]], "missing_branches": [[2, 3], [4, -1]],
            "summary": {"covered_lines": 3}}},
          "totals": {"covered_lines": 3, "num_statements": 4, "num_branches": 3, "covered_branches": 1,
            "num_partial_branches": 2}}"#;
        let (parsed, totals) = parse_with_totals(text.as_bytes()).unwrap();
        let f = &parsed.report.files["pkg/a.py"];
        assert_eq!(f.lines.len(), 4);
        assert_eq!(f.lines.get(&1).unwrap().state(), LineState::Hit);
        assert_eq!(f.lines.get(&2).unwrap().state(), LineState::Partial);
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Miss);
        assert_eq!(f.lines.get(&4).unwrap().state(), LineState::Partial);
        assert_eq!(totals.num_statements, 4);
        assert_eq!(totals.num_partial_branches, 2);
    }

    #[test]
    fn errors() {
        let e = parse(r#"{"meta": {"format": 9}, "files": {}}"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("format 9"), "{}", e.message);
        let e =
            parse("{\"files\": {\"a.py\": {\"executed_lines\": [\"x\"]}}}".as_bytes()).unwrap_err();
        assert_eq!(e.location.line, Some(1));
        let e = parse(r#"{"meta": {}}"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("files"), "{}", e.message);
    }
}
