//! JUnit XML: a streaming parser over quick-xml 0.42, reading the dialects real tools write.
//!
//! Input: any `BufRead`. Output: [`ParsedTests`], one [`TestCase`](crate::model::test_results::TestCase) per `<testcase>` element, and
//! warnings for what was odd but readable. The root may be `<testsuites>`, a bare `<testsuite>` or a
//! bare `<testcase>`; suites nest to any depth. A case's outcome follows the elements inside it:
//! `<failure>` beats `<error>` beats `<skipped>`, else passed. Surefire/nextest reruns inside one
//! element (`<flakyFailure>`, `<flakyError>`, `<rerunFailure>`, `<rerunError>`) become extra attempts.
//!
//! Why not quick-junit 0.8's deserializer: it pulls quick-xml 0.41 (we stay on 0.42 for the 2026
//! advisories) and, run over the 94 `ok` JUnit files of the corpus, it rejected 54 (25 timestamps
//! without a zone, 21 without a `<testsuites>` root, 4 suites without `name`, 3 cases with several
//! result elements, 1 `&#xA;` in a message) and gave wrong counts for 5 more (nested suites
//! dropped); 35 matched the oracle.
//!
//! Memory: the document is never held whole. Each text node is buffered by quick-xml; what a case
//! keeps is cut to [`MESSAGE_KEEP`]/[`DETAILS_KEEP`] bytes, and stack frames are looked for in the
//! first [`SCAN_LIMIT`] bytes of a body.
//!
//! Work: a tokenizer (reading, quick-xml, newline offsets, plainly written attributes) turns
//! the input into batches of owned events that a builder makes test cases of; on large
//! files the two run on two threads, with a few batches in flight.
//!
//! Layout: `pipeline` reads and tokenizes (on a second thread for large files), `builder`
//! turns the events into test cases (a state machine over suites, cases and result elements),
//! `attributes` reads attribute values (a shortcut for plainly written ones, and durations),
//! `frames` finds stack frames in failure bodies and picks the location to show.

use std::io::BufRead;

use super::FormatError;
use crate::model::test_results::ParsedTests;

mod attributes;
mod builder;
mod frames;
mod pipeline;
#[cfg(test)]
mod tests;

pub use attributes::parse_time;

/// The `file:line` stack frames of a failure text (a body or a case's output), outermost first,
/// as the parser finds them to pick [`crate::model::test_results::Failure::location`] (which
/// keeps only that one).
pub fn stack_frames(text: &str) -> Vec<crate::model::test_results::Frame> {
    let mut out = Vec::new();
    frames::scan_frames(text, &mut out);
    out
}
use builder::Parser;
pub use builder::MAX_DEPTH;
use pipeline::{parse_here, parse_threaded, THREADED_MIN};

/// Bytes of a `message` attribute kept for display.
pub const MESSAGE_KEEP: usize = 8 * 1024;
/// Bytes of a failure body kept for display.
pub const DETAILS_KEEP: usize = 32 * 1024;
/// Bytes of a body (or of a failed case's output) searched for stack frames.
pub const SCAN_LIMIT: usize = 1024 * 1024;

/// Parses one JUnit XML document of `size` bytes (0 when unknown), as `input` opened it: a large
/// file is tokenized on a second thread while this one builds the test cases.
pub fn parse_sized<R: BufRead + Send>(reader: R, size: u64) -> Result<ParsedTests, FormatError> {
    let mut parser = Parser::new();
    parser.reserve_for(size);
    if size >= THREADED_MIN {
        parse_threaded(reader, parser)
    } else {
        parse_here(reader, parser)
    }
}

/// Parses one JUnit XML document.
pub fn parse(reader: impl BufRead) -> Result<ParsedTests, FormatError> {
    parse_here(reader, Parser::new())
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> String {
    prefix(s, max).to_owned()
}

/// Appends `text` to `buf`, stopping at `cap` bytes (at a character boundary). No temporary
/// copy: half the cases of a Surefire report have output, and this runs for each of them.
fn push_capped(buf: &mut String, text: &str, cap: usize) {
    if buf.len() >= cap {
        return;
    }
    buf.push_str(prefix(text, cap - buf.len()));
}

/// The longest prefix of `s` of at most `max` bytes that ends at a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| cut(l, MESSAGE_KEEP))
}
