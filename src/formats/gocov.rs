//! Go coverprofile (`go test -coverprofile`), read line by line.
//!
//! ```text
//! mode: set|count|atomic
//! github.com/org/repo/pkg/file.go:9.32,13.2 1 4     (file:startLine.startCol,endLine.endCol stmts count)
//! ```
//!
//! File keys stay as the profile writes them (import paths such as
//! `github.com/org/repo/pkg/file.go`); mapping them to repository paths is the path mapper's job
//! (its unique-suffix match turns the module path into `pkg/file.go`).
//!
//! **Duplicate blocks** (the same file and positions, as `-coverpkg` and concatenated profiles
//! write them) merge first, as Go's `cover.ParseProfiles` does: counts add up (`set` mode: the
//! larger count). [`Profile::statements`] then gives Go's own statement figure.
//!
//! **Blocks → lines** follows Codecov's Go processor, so that patch and project figures match it:
//! - a block marks every line from its start line to its end line, except the end line when
//!   the block ends at column ≤ 2 on a later line (that line holds only the closing `}`);
//! - a line covered by one block has that block's count;
//! - a line covered by several blocks is hit when all of them ran, missed when none ran, and
//!   partial when some ran and some did not (Codecov: "partial" from column ranges). Such a line
//!   gets one identified branch per covering block (id from the block's position, taken = count >
//!   0), so merging shards or several profiles unites them exactly: a block run in any shard
//!   counts as run.
//!
//! Rejected: a block that ends on a line before it starts (Go's tools would silently accept it,
//! go-test-coverage rejects it; it can only come from a corrupted profile); a line number past
//! [`MAX_SOURCE_LINE`]; blocks that together mark more lines than [`text::line_budget`] allows for the
//! profile's size (every marked line becomes a record, so a 40-byte block `1.1,9999999.2` would
//! otherwise cost ten million records); a line longer than [`text::MAX_LINE_BYTES`].

use std::collections::BTreeMap;
use std::io::BufRead;

use super::text::{self, quoted};
use super::{FormatError, Location, Parsed, MAX_SOURCE_LINE};
use crate::model::{Branches, LineRecord, Warning, WarningKind};

/// True for a coverprofile's first line: `mode: set`, `mode: count` or `mode: atomic`.
pub fn is_mode_line(line: &str) -> bool {
    matches!(
        line.trim().strip_prefix("mode:").map(str::trim),
        Some("set" | "count" | "atomic")
    )
}

/// One block of a coverprofile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub start_line: u32,
    pub start_col: u32,
    pub end_line: u32,
    pub end_col: u32,
    pub num_stmt: u64,
    pub count: u64,
}

impl Block {
    /// A stable identity from the block's position, the same in every profile of the same code.
    fn id(&self) -> u64 {
        (u64::from(self.start_line & 0xF_FFFF) << 44)
            | (u64::from(self.start_col & 0xFFF) << 32)
            | (u64::from(self.end_line & 0xF_FFFF) << 12)
            | u64::from(self.end_col & 0xFFF)
    }

    /// The source lines the block marks (Codecov's rule, see the module docs).
    fn lines(&self) -> std::ops::RangeInclusive<u32> {
        let last = if self.end_line > self.start_line && self.end_col <= 2 {
            self.end_line - 1
        } else {
            self.end_line
        };
        self.start_line..=last
    }
}

/// A block's position: start line and column, end line and column.
type Position = (u32, u32, u32, u32);

/// A parsed profile: its mode and, per file, its blocks with duplicates merged.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub mode: String,
    pub files: BTreeMap<String, Vec<Block>>,
}

impl Profile {
    /// Go's statement figure (`go tool cover -func` total): statements, and those with count > 0.
    pub fn statements(&self) -> (u64, u64) {
        let mut total = 0;
        let mut covered = 0;
        for b in self.files.values().flatten() {
            total += b.num_stmt;
            if b.count > 0 {
                covered += b.num_stmt;
            }
        }
        (total, covered)
    }
}

/// Parses a coverprofile into the line model.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let (profile, warnings) = read_profile(reader)?;
    let mut parsed = Parsed {
        warnings,
        ..Parsed::default()
    };
    for (name, blocks) in &profile.files {
        let file = parsed.report.file_mut(name);
        for_each_line(blocks, |line, covering| {
            let hits = covering.iter().map(|c| c.1).max().unwrap_or(0);
            let branches = (covering.len() > 1).then(|| {
                Branches::identified(covering.iter().map(|&(id, c)| (id, c > 0)).collect())
            });
            file.add_line(line, LineRecord { hits, branches });
        });
    }
    Ok(parsed)
}

/// Calls `f(line, covering)` for every marked line in ascending order, with the `(id, count)`
/// of the blocks covering it. A sweep over the blocks' start and end lines: the covering set is
/// rebuilt only where a block starts or ends, not per line.
fn for_each_line(blocks: &[Block], mut f: impl FnMut(u32, &[(u64, u64)])) {
    // (line, is_end, block): ends sort first at the same line, so a set never holds a block
    // past its last line.
    let mut events: Vec<(u32, bool, usize)> = Vec::with_capacity(blocks.len() * 2);
    for (i, b) in blocks.iter().enumerate() {
        let lines = b.lines();
        events.push((*lines.start(), false, i));
        // `last + 1` fits: lines are at most MAX_SOURCE_LINE.
        events.push((lines.end() + 1, true, i));
    }
    events.sort_unstable_by_key(|&(line, is_end, i)| (line, !is_end, i));
    let mut active: Vec<usize> = Vec::new();
    let mut covering: Vec<(u64, u64)> = Vec::new();
    let mut k = 0;
    while k < events.len() {
        let line = events[k].0;
        while k < events.len() && events[k].0 == line {
            let (_, is_end, i) = events[k];
            if is_end {
                active.retain(|&a| a != i);
            } else {
                active.push(i);
            }
            k += 1;
        }
        let Some(&(next, _, _)) = events.get(k) else {
            break;
        };
        if active.is_empty() {
            continue;
        }
        // Blocks in profile order, as before the sweep: the branch ids do not depend on it,
        // but the record stays the same as a per-line walk would build.
        active.sort_unstable();
        covering.clear();
        covering.extend(active.iter().map(|&i| (blocks[i].id(), blocks[i].count)));
        for l in line..next {
            f(l, &covering);
        }
    }
}

/// Reads a coverprofile into blocks, merging duplicate blocks as `cover.ParseProfiles` does.
pub fn read_profile(reader: impl BufRead) -> Result<(Profile, Vec<Warning>), FormatError> {
    let mut profile = Profile::default();
    let mut warnings = Vec::new();
    // file → (position → index into that file's blocks), to merge duplicates.
    let mut seen: BTreeMap<String, BTreeMap<Position, usize>> = BTreeMap::new();
    let mut line_no = 0u64;
    let mut buf = Vec::new();
    let mut reader = reader;
    let mut bytes_read = 0u64;
    let mut lines_marked = 0u64;
    loop {
        let read = text::read_line_capped(&mut reader, &mut buf, text::MAX_LINE_BYTES)
            .map_err(|e| FormatError::at_line(line_no + 1, format!("cannot read the line: {e}")))?;
        if read.consumed == 0 {
            break;
        }
        line_no += 1;
        bytes_read += read.consumed;
        if read.truncated {
            return Err(FormatError::at_line(
                line_no,
                format!(
                    "the line is {} bytes long, more than the {} a coverprofile line can be: {}",
                    read.consumed,
                    text::MAX_LINE_BYTES,
                    quoted(&buf)
                ),
            ));
        }
        let line = std::str::from_utf8(&buf).map_err(|e| {
            FormatError::at_line(
                line_no,
                format!("the line is not UTF-8 ({e}): {}", quoted(&buf)),
            )
        })?;
        let line = line.trim_end_matches(['\n', '\r']);
        let line = if line_no == 1 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        if let Some(mode) = line.strip_prefix("mode:") {
            let mode = mode.trim();
            if !is_mode_line(line) {
                return Err(FormatError::at_line(
                    line_no,
                    format!(
                        "unknown coverprofile mode {}; expected set, count or atomic",
                        super::text::quoted(mode.as_bytes())
                    ),
                ));
            }
            if profile.mode.is_empty() {
                profile.mode = mode.to_owned();
            } else if profile.mode != mode {
                // Concatenated profiles of different modes: counts still mean "ran" when > 0.
                warnings.push(Warning::new(
                    WarningKind::Mixed,
                    Location::line(line_no),
                    format!(
                        "a second profile with mode \"{mode}\" follows mode \"{}\"; counts are merged as they are",
                        profile.mode
                    ),
                ));
            }
            continue;
        }
        if profile.mode.is_empty() {
            return Err(FormatError::at_line(
                line_no,
                "expected the first line `mode: set|count|atomic` of a Go coverprofile",
            ));
        }
        let (name, block) = parse_block(line, line_no)?;
        let key = (
            block.start_line,
            block.start_col,
            block.end_line,
            block.end_col,
        );
        let blocks = profile.files.entry(name.to_owned()).or_default();
        let index = seen.entry(name.to_owned()).or_default();
        match index.get(&key) {
            Some(&i) => {
                let kept = &mut blocks[i];
                if kept.num_stmt != block.num_stmt {
                    return Err(FormatError::at_line(
                        line_no,
                        format!(
                            "duplicate block {}:{}.{},{}.{} has {} statements, an earlier one {}",
                            name,
                            block.start_line,
                            block.start_col,
                            block.end_line,
                            block.end_col,
                            block.num_stmt,
                            kept.num_stmt
                        ),
                    ));
                }
                kept.count = if profile.mode == "set" {
                    kept.count.max(block.count)
                } else {
                    kept.count.saturating_add(block.count)
                };
            }
            None => {
                lines_marked += u64::from(block.end_line - block.start_line) + 1;
                if lines_marked > text::line_budget(bytes_read) {
                    return Err(FormatError::at_line(
                        line_no,
                        format!(
                            "the blocks up to here mark {lines_marked} source lines, more than a \
                             {bytes_read}-byte profile can describe ({}); hint: a block is \
                             line.column,line.column within one Go file",
                            text::line_budget(bytes_read)
                        ),
                    ));
                }
                index.insert(key, blocks.len());
                blocks.push(block);
            }
        }
    }
    if profile.mode.is_empty() {
        return Err(FormatError::at_line(
            1,
            "the file is empty; expected `mode: set|count|atomic` of a Go coverprofile",
        ));
    }
    Ok((profile, warnings))
}

/// `file:l1.c1,l2.c2 stmts count`. The file name may itself contain `:` (Windows drives), so
/// the positions are found after the last `:`.
fn parse_block(line: &str, line_no: u64) -> Result<(&str, Block), FormatError> {
    let expected = "expected `file.go:line.col,line.col statements count`";
    let bad = |what: String| FormatError::at_line(line_no, format!("{what}; {expected}"));
    let (name, rest) = line
        .rsplit_once(':')
        .ok_or_else(|| bad(format!("no `:` in {}", quoted(line.as_bytes()))))?;
    if name.is_empty() {
        return Err(bad("an empty file name".into()));
    }
    let mut parts = rest.split(' ');
    let (Some(range), Some(stmts), Some(count), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(format!(
            "{} is not three space-separated fields",
            quoted(rest.as_bytes())
        )));
    };
    let (start, end) = range
        .split_once(',')
        .ok_or_else(|| bad(format!("the range {} has no `,`", quoted(range.as_bytes()))))?;
    let pos = |p: &str| -> Result<(u32, u32), FormatError> {
        let (l, c) = p.split_once('.').ok_or_else(|| {
            bad(format!(
                "the position {} is not line.column",
                quoted(p.as_bytes())
            ))
        })?;
        let num = |s: &str| {
            s.parse::<u32>().map_err(|_| {
                bad(format!(
                    "{} in {} is not a number",
                    quoted(s.as_bytes()),
                    quoted(p.as_bytes())
                ))
            })
        };
        Ok((num(l)?, num(c)?))
    };
    let (start_line, start_col) = pos(start)?;
    let (end_line, end_col) = pos(end)?;
    let num = |s: &str, what: &str| {
        s.parse::<u64>().map_err(|_| {
            bad(format!(
                "the {what} {} is not a whole number",
                quoted(s.as_bytes())
            ))
        })
    };
    let block = Block {
        start_line,
        start_col,
        end_line,
        end_col,
        num_stmt: num(stmts, "statement count")?,
        count: num(count, "execution count")?,
    };
    if start_line == 0 {
        return Err(bad("line 0 is not a source line".into()));
    }
    if end_line > MAX_SOURCE_LINE {
        return Err(FormatError::at_line(
            line_no,
            format!(
                "the block {} ends on line {end_line}, past the {MAX_SOURCE_LINE} lines a source \
                 file can have here (corrupted profile?)",
                quoted(range.as_bytes())
            ),
        ));
    }
    if end_line < start_line {
        return Err(FormatError::at_line(
            line_no,
            format!(
                "the block {range} ends on line {end_line}, before it starts on line {start_line} (corrupted profile?)"
            ),
        ));
    }
    Ok((name, block))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    #[test]
    fn blocks_mark_lines_and_duplicates_merge() {
        let text = "mode: set\n\
            m/a.go:3.14,5.2 2 1\n\
            m/a.go:7.10,9.3 1 0\n\
            m/a.go:9.3,11.2 1 1\n\
            m/a.go:7.10,9.3 1 1\n";
        let (profile, _) = read_profile(text.as_bytes()).unwrap();
        assert_eq!(profile.files["m/a.go"].len(), 3);
        assert_eq!(profile.statements(), (4, 4));
        let parsed = parse(text.as_bytes()).unwrap();
        let f = &parsed.report.files["m/a.go"];
        // 3..=4 (5 is the lone `}`), 7..=9, 9..=10.
        assert_eq!(f.lines.keys().collect::<Vec<_>>(), vec![3, 4, 7, 8, 9, 10]);
        assert!(f.lines.values().all(|r| r.state() == LineState::Hit));
    }

    #[test]
    fn a_line_shared_by_run_and_unrun_blocks_is_partial() {
        let text = "mode: count\nm/a.go:1.1,3.9 1 5\nm/a.go:3.9,5.3 1 0\n";
        let parsed = parse(text.as_bytes()).unwrap();
        let f = &parsed.report.files["m/a.go"];
        assert_eq!(f.lines.get(&1).unwrap().state(), LineState::Hit);
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Partial);
        assert_eq!(f.lines.get(&4).unwrap().state(), LineState::Miss);
        assert_eq!(f.lines.get(&5).unwrap().state(), LineState::Miss);
        // Another shard that ran the second block makes line 3 hit after merging.
        let other =
            parse("mode: count\nm/a.go:1.1,3.9 1 0\nm/a.go:3.9,5.3 1 2\n".as_bytes()).unwrap();
        let mut merged = parsed.report.clone();
        merged.merge(&other.report);
        assert_eq!(
            merged.files["m/a.go"].lines.get(&3).unwrap().state(),
            LineState::Hit
        );
    }

    #[test]
    fn count_mode_duplicates_add_up() {
        let text = "mode: count\nm/a.go:1.1,1.20 2 3\nm/a.go:1.1,1.20 2 4\n";
        let (profile, _) = read_profile(text.as_bytes()).unwrap();
        assert_eq!(profile.files["m/a.go"][0].count, 7);
    }

    #[test]
    fn errors_name_the_line() {
        let e = read_profile("mode: set\nm/a.go:115.45,21.2 1 102\n".as_bytes()).unwrap_err();
        assert_eq!(e.location.line, Some(2));
        assert!(e.message.contains("before it starts"), "{}", e.message);
        let e = read_profile("m/a.go:1.1,2.2 1 1\n".as_bytes()).unwrap_err();
        assert_eq!(e.location.line, Some(1));
        let e = read_profile("mode: set\nm/a.go:1.1,2.x 1 1\n".as_bytes()).unwrap_err();
        assert!(e.message.contains("\"x\""), "{}", e.message);
        let e = read_profile("mode: set\nm/a.go: calc 100.0%\n".as_bytes()).unwrap_err();
        assert_eq!(e.location.line, Some(2));
        let e = read_profile("mode: set\nm/a.go:1.1,2.2 1 1\nm/a.go:1.1,2.2 2 1\n".as_bytes())
            .unwrap_err();
        assert_eq!(e.location.line, Some(3));
        assert!(read_profile("".as_bytes()).is_err());
        assert!(read_profile("mode: fast\n".as_bytes()).is_err());
    }

    #[test]
    fn windows_file_names_keep_their_drive() {
        let parsed = parse("mode: set\nC:\\src\\a.go:1.1,1.9 1 1\r\n".as_bytes()).unwrap();
        assert!(parsed.report.files.contains_key("C:\\src\\a.go"));
    }
}
