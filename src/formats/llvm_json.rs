//! `llvm-cov export` JSON (`cargo llvm-cov --json`, Swift/clang `llvm-cov export`).
//!
//! Lines come from each file's `segments` (`[line, col, count, hasCount, isRegionEntry,
//! isGapRegion]`; exports before 2.0 lack the last field) exactly as llvm-cov's own
//! `LineCoverageStats` computes them, so the line figure equals the export's own
//! `totals.lines`:
//! - lines are walked from the first segment's line to the last one's; the segment that is
//!   still open at the start of a line is its "wrapped" segment;
//! - a line is coverable ("mapped") when it does not start a skipped region and either the
//!   wrapped segment has a count or a region starts on it (a segment with a count that is a
//!   region entry and not a gap);
//! - its count is the largest of the wrapped segment's count and the counts of the regions
//!   starting on it.
//!
//! Branches come from each file's `branches` (`[line, col, endLine, endCol, trueCount,
//! falseCount, …]`): every branch region gives two outcomes (true, false) on its start line,
//! identified by column so several exports unite exactly. `functions` (regions again, per
//! function) are not read: they repeat what the file segments say. A file without
//! `segments` (a `--summary-only` export) has no per-line data; it is kept without lines, with a
//! warning.

use std::fmt;
use std::io::BufRead;

use serde::de::{IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::istanbul::json_error;
use super::{FormatError, Location, Parsed};
use crate::model::{Branches, LineRecord, Warning, WarningKind};

/// The export's own totals (`data[].totals`), summed over its data entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LlvmTotals {
    pub lines: u64,
    pub lines_covered: u64,
    pub branches: u64,
    pub branches_covered: u64,
}

#[derive(Deserialize)]
struct Export {
    data: Vec<Data>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(default)]
    files: Vec<File>,
    #[serde(default)]
    totals: Option<Summary>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    segments: Option<Vec<Segment>>,
    #[serde(default)]
    branches: Vec<BranchRegion>,
}

#[derive(Deserialize, Default)]
struct Summary {
    #[serde(default)]
    lines: Option<Counts>,
    #[serde(default)]
    branches: Option<Counts>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct Counts {
    #[serde(default)]
    count: u64,
    #[serde(default)]
    covered: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    line: u64,
    col: u64,
    count: u64,
    has_count: bool,
    is_region_entry: bool,
    is_gap: bool,
}

impl Segment {
    fn starts_region(&self) -> bool {
        !self.is_gap && self.has_count && self.is_region_entry
    }
}

impl<'de> Deserialize<'de> for Segment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Segment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a segment [line, col, count, hasCount, isRegionEntry, isGapRegion]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Segment, A::Error> {
                use serde::de::Error;
                let missing = |i| A::Error::invalid_length(i, &self);
                let line = seq.next_element::<u64>()?.ok_or_else(|| missing(0))?;
                if line > u64::from(super::MAX_SOURCE_LINE) {
                    // Every line up to the last segment's is walked: refuse before that.
                    return Err(A::Error::custom(format!(
                        "segment line {line} is past the {} lines a source file can have here",
                        super::MAX_SOURCE_LINE
                    )));
                }
                let col = seq.next_element::<u64>()?.ok_or_else(|| missing(1))?;
                let count = seq.next_element::<Count>()?.ok_or_else(|| missing(2))?.0;
                let has_count = seq.next_element::<bool>()?.ok_or_else(|| missing(3))?;
                let is_region_entry = seq.next_element::<bool>()?.ok_or_else(|| missing(4))?;
                let is_gap = seq.next_element::<bool>()?.unwrap_or(false);
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Segment {
                    line,
                    col,
                    count,
                    has_count,
                    is_region_entry,
                    is_gap,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

/// An execution count; llvm-cov writes integers, some converters write floats (`1.0`).
struct Count(u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative execution count")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Count, E> {
                Ok(Count(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Count, E> {
                u64::try_from(v)
                    .map(Count)
                    .map_err(|_| E::custom(format!("negative count {v}")))
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked to be a finite non-negative number; saturating is fine for counts"
            )]
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Count, E> {
                if v.is_finite() && v >= 0.0 {
                    Ok(Count(v as u64))
                } else {
                    Err(E::custom(format!("invalid count {v}")))
                }
            }
        }
        d.deserialize_any(V)
    }
}

struct BranchRegion {
    line: u64,
    col: u64,
    true_count: u64,
    false_count: u64,
}

impl<'de> Deserialize<'de> for BranchRegion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BranchRegion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a branch [line, col, endLine, endCol, trueCount, falseCount, …]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<BranchRegion, A::Error> {
                use serde::de::Error;
                let missing = |i| A::Error::invalid_length(i, &self);
                let line = seq.next_element::<u64>()?.ok_or_else(|| missing(0))?;
                if line > u64::from(super::MAX_SOURCE_LINE) {
                    // Every line up to the last segment's is walked: refuse before that.
                    return Err(A::Error::custom(format!(
                        "segment line {line} is past the {} lines a source file can have here",
                        super::MAX_SOURCE_LINE
                    )));
                }
                let col = seq.next_element::<u64>()?.ok_or_else(|| missing(1))?;
                seq.next_element::<u64>()?.ok_or_else(|| missing(2))?;
                seq.next_element::<u64>()?.ok_or_else(|| missing(3))?;
                let true_count = seq.next_element::<Count>()?.ok_or_else(|| missing(4))?.0;
                let false_count = seq.next_element::<Count>()?.ok_or_else(|| missing(5))?.0;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(BranchRegion {
                    line,
                    col,
                    true_count,
                    false_count,
                })
            }
        }
        d.deserialize_seq(V)
    }
}

/// Parses an llvm-cov JSON export.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    parse_with_totals(reader).map(|(p, _)| p)
}

/// Parses an llvm-cov JSON export and returns the totals it states about itself.
pub fn parse_with_totals(reader: impl BufRead) -> Result<(Parsed, LlvmTotals), FormatError> {
    let mut reader = reader;
    super::text::skip_bom(&mut reader);
    let mut counted = Counted {
        inner: reader,
        bytes: 0,
    };
    let export: Export = serde_json::from_reader(&mut counted).map_err(|e| {
        json_error(
            &e,
            "an llvm-cov export object {\"data\": [{\"files\": […]}], …}",
        )
    })?;
    let mut parsed = Parsed::default();
    let mut totals = LlvmTotals::default();
    if let Some(kind) = &export.kind {
        if kind != "llvm.coverage.json.export" {
            return Err(FormatError {
                location: Location::default(),
                message: format!(
                    "\"type\" is {}; expected \"llvm.coverage.json.export\"",
                    super::text::quoted(kind.as_bytes())
                ),
            });
        }
    }
    check_line_budget(&export, counted.bytes)?;
    for data in &export.data {
        if let Some(t) = &data.totals {
            let lines = t.lines.unwrap_or_default();
            let branches = t.branches.unwrap_or_default();
            totals.lines += lines.count;
            totals.lines_covered += lines.covered;
            totals.branches += branches.count;
            totals.branches_covered += branches.covered;
        }
        for file in &data.files {
            let Some(segments) = &file.segments else {
                parsed.warnings.push(Warning::new(
                    WarningKind::NoLineRecords,
                    Location::default(),
                    format!(
                        "{} has no segments (a --summary-only export?): it has no line records",
                        file.filename
                    ),
                ));
                parsed.report.file_mut(&file.filename);
                continue;
            };
            let lines = line_counts(segments);
            let mut branches = branch_outcomes(&file.branches);
            let out = parsed.report.file_mut(&file.filename);
            for (line, hits) in lines {
                let b = branches.remove(&line).map(Branches::identified);
                out.add_line(line, LineRecord { hits, branches: b });
            }
        }
    }
    Ok((parsed, totals))
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Every line from a file's first segment to its last is walked and may become a record: the
/// spans together must fit [`super::text::line_budget`] of the export's size.
fn check_line_budget(export: &Export, bytes: u64) -> Result<(), FormatError> {
    let budget = super::text::line_budget(bytes);
    let mut total = 0u64;
    for (d, data) in export.data.iter().enumerate() {
        for (f, file) in data.files.iter().enumerate() {
            let Some(segments) = &file.segments else {
                continue;
            };
            let (Some(first), Some(last)) = (
                segments.iter().map(|s| s.line).min(),
                segments.iter().map(|s| s.line).max(),
            ) else {
                continue;
            };
            total += last - first + 1;
            if total > budget {
                return Err(FormatError {
                    location: Location {
                        element: Some(format!("data[{d}].files[{f}]")),
                        ..Location::default()
                    },
                    message: format!(
                        "the segments up to {} span {total} source lines, more than a \
                         {bytes}-byte export can describe ({budget})",
                        super::text::quoted(file.filename.as_bytes())
                    ),
                });
            }
        }
    }
    Ok(())
}

/// llvm-cov's `LineCoverageStats` over one file's segments: (line, count) of mapped lines.
fn line_counts(segments: &[Segment]) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    let Some(first) = segments.first() else {
        return out;
    };
    let mut wrapped: Option<Segment> = None;
    let mut next = 0;
    let mut line = first.line;
    while next < segments.len() {
        let start = next;
        while next < segments.len() && segments[next].line == line {
            next += 1;
        }
        let on_line = &segments[start..next];
        if on_line.is_empty() && !wrapped.is_some_and(|w| w.has_count) {
            // A gap inside a region without a count: nothing is mapped until the next segment.
            if let Some(s) = segments.get(next) {
                line = s.line;
                continue;
            }
        }
        let regions_starting = on_line.iter().filter(|s| s.starts_region()).count();
        let starts_skipped = on_line
            .first()
            .is_some_and(|s| !s.has_count && s.is_region_entry);
        let mapped =
            !starts_skipped && (wrapped.is_some_and(|w| w.has_count) || regions_starting > 0);
        if mapped {
            let mut count = wrapped.map_or(0, |w| w.count);
            for s in on_line.iter().filter(|s| s.starts_region()) {
                count = count.max(s.count);
            }
            if let Ok(l) = u32::try_from(line) {
                if l > 0 {
                    out.push((l, count));
                }
            }
        }
        if let Some(last) = on_line.last() {
            wrapped = Some(*last);
        }
        // Segments are sorted; one out of order would stall the walk, so jump to it.
        line = if next < segments.len() && segments[next].line < line + 1 {
            segments[next].line
        } else {
            line + 1
        };
    }
    out
}

/// Branch outcomes by start line: two per branch region, identified by column and order.
fn branch_outcomes(regions: &[BranchRegion]) -> std::collections::BTreeMap<u32, Vec<(u64, bool)>> {
    let mut out: std::collections::BTreeMap<u32, Vec<(u64, bool)>> = Default::default();
    for r in regions {
        let Ok(line) = u32::try_from(r.line) else {
            continue;
        };
        let list = out.entry(line).or_default();
        let same_col = list.iter().filter(|(id, _)| id >> 17 == r.col).count() as u64 / 2;
        let base = (r.col << 17) | ((same_col & 0xFFFF) << 1);
        list.push((base, r.true_count > 0));
        list.push((base | 1, r.false_count > 0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    fn seg(line: u64, col: u64, count: u64, has: bool, entry: bool, gap: bool) -> Segment {
        Segment {
            line,
            col,
            count,
            has_count: has,
            is_region_entry: entry,
            is_gap: gap,
        }
    }

    #[test]
    fn segments_become_lines_like_llvm_cov() {
        // fn at 1..5 run 3 times; an if body at 3..4 never run; closing at 5.
        let s = vec![
            seg(1, 1, 3, true, true, false),
            seg(2, 10, 0, true, true, true), // gap: does not start a region
            seg(3, 5, 0, true, true, false),
            seg(4, 6, 3, true, false, false),
            seg(5, 2, 0, false, false, false),
        ];
        assert_eq!(
            line_counts(&s),
            vec![(1, 3), (2, 3), (3, 0), (4, 0), (5, 3)]
        );
    }

    #[test]
    fn skipped_regions_are_not_coverable() {
        let s = vec![
            seg(1, 1, 1, true, true, false),
            seg(1, 20, 0, false, false, false),
            seg(3, 1, 0, false, true, false), // skipped region (e.g. #if 0)
            seg(5, 1, 0, false, false, false),
        ];
        // Line 2 wraps the no-count segment: unmapped; 3 starts a skipped region; 4 unmapped.
        assert_eq!(line_counts(&s), vec![(1, 1)]);
    }

    #[test]
    fn export_with_branches_and_totals() {
        let text = r#"{"data":[{"files":[{"filename":"src/a.rs",
            "segments":[[1,1,2,true,true,false],[2,5,2,true,true,false],[3,2,0,false,false,false]],
            "branches":[[2,8,2,12,2,0,0,0,4]],"summary":{}}],
            "functions":[{"name":"x","regions":[[1,1,3,2,2,0,0,0]]}],
            "totals":{"lines":{"count":3,"covered":3},"branches":{"count":2,"covered":1}}}],
            "type":"llvm.coverage.json.export","version":"2.0.1"}"#;
        let (parsed, totals) = parse_with_totals(text.as_bytes()).unwrap();
        let f = &parsed.report.files["src/a.rs"];
        // Line 3 holds only the closing brace; the wrapped body region makes it coverable.
        assert_eq!(f.lines.len(), 3);
        assert_eq!(f.lines.get(&1).unwrap().state(), LineState::Hit);
        assert_eq!(f.lines.get(&3).unwrap().hits, 2);
        assert_eq!(f.lines.get(&2).unwrap().state(), LineState::Partial);
        assert_eq!(
            totals,
            LlvmTotals {
                lines: 3,
                lines_covered: 3,
                branches: 2,
                branches_covered: 1
            }
        );
    }

    #[test]
    fn wrong_shapes_are_errors_with_position() {
        let e = parse(r#"{"data":[{"files":[{"filename":"a","segments":[[1,2]]}]}]}"#.as_bytes())
            .unwrap_err();
        assert_eq!(e.location.line, Some(1));
        assert!(e.message.contains("segment"), "{}", e.message);
        let e = parse(r#"{"data":[],"type":"other"}"#.as_bytes()).unwrap_err();
        assert!(
            e.message.contains("llvm.coverage.json.export"),
            "{}",
            e.message
        );
    }

    #[test]
    fn summary_only_export_warns() {
        let text = r#"{"data":[{"files":[{"filename":"a.rs","summary":{}}],"totals":{"lines":{"count":4,"covered":4}}}],"type":"llvm.coverage.json.export"}"#;
        let (parsed, totals) = parse_with_totals(text.as_bytes()).unwrap();
        assert!(parsed.report.files["a.rs"].lines.is_empty());
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(totals.lines, 4);
    }
}
