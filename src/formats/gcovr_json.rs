//! gcovr's JSON report (`gcovr --json`, any `gcovr/format_version`).
//!
//! Per file (`file`), every entry of `lines` is a record: `count` is its hits, each entry of its
//! `branches` is one branch, taken when its `count` > 0 and identified by its position in the
//! entry (as gcovr numbers them in its LCOV output), so several reports unite exactly. Entries
//! marked `gcovr/noncode` or `gcovr/excluded` are not coverable, as in gcovr's own summary.
//! Several entries of one line (a line in several functions or template instantiations) merge
//! like any repeated record: hits add up, taken branches unite. Conditions and decisions
//! (`--decisions`, MC/DC) are not part of the line model.

use std::io::BufRead;

use serde::Deserialize;

use super::istanbul::json_error;
use super::{FormatError, Parsed};
use crate::model::{Branches, LineRecord};

#[derive(Deserialize)]
struct Report {
    #[serde(rename = "gcovr/format_version", default)]
    _version: Option<serde::de::IgnoredAny>,
    files: Vec<FileEntry>,
}

#[derive(Deserialize)]
struct FileEntry {
    file: String,
    #[serde(default)]
    lines: Vec<LineEntry>,
}

#[derive(Deserialize)]
struct LineEntry {
    line_number: u64,
    #[serde(default)]
    count: u64,
    #[serde(default)]
    branches: Vec<BranchEntry>,
    #[serde(rename = "gcovr/noncode", default)]
    noncode: bool,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
}

#[derive(Deserialize)]
struct BranchEntry {
    #[serde(default)]
    count: u64,
    #[serde(rename = "gcovr/excluded", default)]
    excluded: bool,
}

/// Parses a gcovr JSON report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut reader = reader;
    super::text::skip_bom(&mut reader);
    let report: Report = serde_json::from_reader(reader).map_err(|e| {
        json_error(
            &e,
            "a gcovr JSON report {\"gcovr/format_version\": …, \"files\": […]}",
        )
    })?;
    let mut parsed = Parsed::default();
    let mut skipped = super::text::SkippedLines::default();
    for f in &report.files {
        let file = parsed.report.file_mut(&f.file);
        for l in &f.lines {
            if l.noncode || l.excluded {
                continue;
            }
            let Some(line) = skipped.check(l.line_number) else {
                continue;
            };
            let branches: Vec<(u64, bool)> = l
                .branches
                .iter()
                .enumerate()
                .filter(|(_, b)| !b.excluded)
                .map(|(i, b)| (i as u64, b.count > 0))
                .collect();
            let branches = (!branches.is_empty()).then(|| Branches::identified(branches));
            file.add_line(
                line,
                LineRecord {
                    hits: l.count,
                    branches,
                },
            );
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    #[test]
    fn lines_branches_and_exclusions() {
        let text = r#"{"gcovr/format_version": "0.15", "files": [{"file": "src/a.c", "lines": [
          {"line_number": 3, "count": 2, "branches": [{"count": 2}, {"count": 0}]},
          {"line_number": 4, "count": 0, "branches": []},
          {"line_number": 5, "count": 0, "gcovr/noncode": true, "branches": []},
          {"line_number": 3, "count": 1, "branches": [{"count": 0}, {"count": 1}]}
        ], "functions": []}]}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        let f = &parsed.report.files["src/a.c"];
        assert_eq!(f.lines.len(), 2);
        // The second entry of line 3 took the other branch: united, the line is hit.
        assert_eq!(f.lines.get(&3).unwrap().hits, 3);
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Hit);
        assert_eq!(f.lines.get(&4).unwrap().state(), LineState::Miss);
    }

    #[test]
    fn missing_fields_are_errors() {
        let e = parse(r#"{"gcovr/format_version": "0.15", "files": [{"lines": []}]}"#.as_bytes())
            .unwrap_err();
        assert!(e.message.contains("file"), "{}", e.message);
        assert_eq!(e.location.line, Some(1));
    }
}
