//! Input limits shared by the parsers: reading a line with a length cap, the number of lines
//! ranges may mark, and quoting a short excerpt of untrusted input in an error message.

use std::io::{self, BufRead};

/// Longest line the line-based parsers keep. Real lines are a path and a few numbers; a longer
/// one is not a report line, and keeping it whole would let one line cost its size in memory
/// (and more in every copy an error message makes).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// At most this many characters of the input are quoted in a message.
const EXCERPT_CHARS: usize = 60;

/// How many lines the ranges of a report of `bytes` bytes may mark in total: ten million, plus
/// a thousand per byte of input — generous for real profiles (a block line of ~50 bytes marks a
/// few lines), and memory stays proportional to the input's size.
pub fn line_budget(bytes: u64) -> u64 {
    u64::from(super::MAX_SOURCE_LINE).saturating_add(bytes.saturating_mul(1000))
}

/// Skips a UTF-8 byte order mark at the start of `reader` (Windows tools write one; JSON
/// parsers reject it). A read error is left for the parser to report.
pub fn skip_bom(reader: &mut impl BufRead) {
    if reader
        .fill_buf()
        .is_ok_and(|b| b.starts_with(b"\xEF\xBB\xBF"))
    {
        reader.consume(3);
    }
}

/// Records skipped because their line number is not a source line a report can hold (below 1
/// or past `u32::MAX`): counted, and reported as one warning instead of dropped silently.
#[derive(Debug, Default)]
pub struct SkippedLines {
    count: u64,
    first: Option<i128>,
}

impl SkippedLines {
    /// The line number as a report line, or `None` (counted) when it cannot be one.
    pub fn check(&mut self, line: impl Into<i128>) -> Option<u32> {
        let line = line.into();
        match u32::try_from(line) {
            Ok(l) if l > 0 => Some(l),
            _ => {
                self.count += 1;
                self.first.get_or_insert(line);
                None
            }
        }
    }

    /// One warning for all skipped records, if any.
    pub fn warning(&self) -> Option<crate::model::Warning> {
        let first = self.first?;
        Some(crate::model::Warning::new(
            crate::model::WarningKind::InvalidLineNumber,
            super::Location::default(),
            format!(
                "{} record(s) with a line number outside 1-{} were skipped (the first: {first})",
                self.count,
                u32::MAX
            ),
        ))
    }
}

/// One line read by [`read_line_capped`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRead {
    /// Bytes consumed from the reader, newline included (0 at the end of the input).
    pub consumed: u64,
    /// The line was longer than the cap: `buf` holds only its first `max` bytes.
    pub truncated: bool,
}

/// Reads one line (up to and including `\n`) into `buf`, keeping at most `max` bytes of it and
/// skipping the rest. Time is linear in the line's length and memory bounded by `max`, whatever
/// the line's length.
pub fn read_line_capped(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    buf.clear();
    let mut read = LineRead {
        consumed: 0,
        truncated: false,
    };
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(read);
        }
        let (take, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = max.saturating_sub(buf.len());
        if take > room {
            read.truncated = true;
        }
        buf.extend_from_slice(&available[..take.min(room)]);
        reader.consume(take);
        read.consumed += take as u64;
        if done {
            return Ok(read);
        }
    }
}

/// `"text"`, or its first characters and `…` when it is long: enough to find the place, never
/// the whole input.
pub fn quoted(bytes: &[u8]) -> String {
    // Decode only what can be shown: a long line is not copied whole.
    let head = &bytes[..bytes.len().min(EXCERPT_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() || head.len() < bytes.len() {
        format!("\"{cut}…\"")
    } else {
        format!("\"{cut}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_the_rest_skipped() {
        let input = format!("{}\nnext\nlast", "x".repeat(100));
        let mut reader = io::BufReader::with_capacity(7, input.as_bytes());
        let mut buf = Vec::new();
        let first = read_line_capped(&mut reader, &mut buf, 10).unwrap();
        assert_eq!((first.consumed, first.truncated), (101, true));
        assert_eq!(buf, b"xxxxxxxxxx");
        let second = read_line_capped(&mut reader, &mut buf, 10).unwrap();
        assert_eq!((second.consumed, second.truncated), (5, false));
        assert_eq!(buf, b"next\n");
        let third = read_line_capped(&mut reader, &mut buf, 10).unwrap();
        assert_eq!((third.consumed, third.truncated), (4, false));
        assert_eq!(buf, b"last");
        assert_eq!(
            read_line_capped(&mut reader, &mut buf, 10)
                .unwrap()
                .consumed,
            0
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let mut r = &b"\xEF\xBB\xBF{}"[..];
        skip_bom(&mut r);
        assert_eq!(r, b"{}");
        let mut r = &b"{}"[..];
        skip_bom(&mut r);
        assert_eq!(r, b"{}");
    }

    #[test]
    fn unrepresentable_line_numbers_are_counted() {
        let mut skipped = SkippedLines::default();
        assert_eq!(skipped.check(7u64), Some(7));
        assert!(skipped.warning().is_none());
        assert_eq!(skipped.check(5_000_000_000u64), None);
        assert_eq!(skipped.check(-1i64), None);
        assert_eq!(
            skipped.warning().unwrap().message,
            "2 record(s) with a line number outside 1-4294967295 were skipped (the first: 5000000000)"
        );
    }

    #[test]
    fn quotes_are_short() {
        assert_eq!(quoted(b"SF:a.rs"), "\"SF:a.rs\"");
        let long = "é".repeat(1000);
        let q = quoted(long.as_bytes());
        assert_eq!(q.chars().count(), EXCERPT_CHARS + 3);
        assert!(q.ends_with("…\""));
        assert_eq!(
            quoted(&"a".repeat(60).into_bytes()),
            format!("\"{}\"", "a".repeat(60))
        );
    }
}
