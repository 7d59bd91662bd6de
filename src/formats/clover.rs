//! Clover XML (PHPUnit, OpenClover, Istanbul's `clover` reporter, gcovr), read as a stream.
//!
//! Every `<file>` (under `<project>`, its `<package>`s, or OpenClover's `<testproject>`) is one
//! file, keyed by its `path` attribute (else `name`). Its `<line>` elements become records:
//! - `type="stmt"`: `count` is the line's hits.
//! - `type="cond"`: a branch line. It ran if `count` > 0 or either of `truecount`/`falsecount`
//!   is > 0 (the condition was evaluated; Istanbul omits `count` on some cond lines). Its
//!   branches are counted by producer, because the attributes mean different things:
//!   Istanbul (root `clover="3.2.0"`, hard-coded by istanbul-reports) writes
//!   `truecount` = covered branches and `falsecount` = uncovered ones, so the line has
//!   `truecount/(truecount+falsecount)`; the real Clover producers (OpenClover, PHPUnit) write how
//!   often the condition was true and false, so the line has two outcomes and Codecov's rule
//!   applies: `0/2`, `1/2` when one count is 0, else `2/2`.
//! - `type="method"`: a function record (name, line, count). Not a line record: the
//!   line model of the corpus (`ref_lines`) and Codecov's totals count statements and conditions.
//!
//! Lines numbered below 1 are dropped with a warning. Project `<metrics>` are read into
//! [`CloverStats`] so tests can compare statement figures with the oracle; they never feed the
//! line model.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{FormatError, Location, Parsed};
use crate::model::{Branches, Function, LineRecord, Warning, WarningKind};

/// Figures of the file besides the line model, for comparisons with statement-based oracles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CloverStats {
    /// The project-level `<metrics>` attributes, when the file has them.
    pub project_metrics: Option<Metrics>,
    /// `<line type="stmt">` elements, and how many of them have `count` > 0.
    pub stmt_lines: u64,
    pub stmt_lines_covered: u64,
    /// True when the file was written by Istanbul (branch counts read as covered/uncovered).
    pub istanbul: bool,
}

/// A Clover `<metrics>` element's coverage attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metrics {
    pub statements: u64,
    pub covered_statements: u64,
    pub conditionals: u64,
    pub covered_conditionals: u64,
}

/// Parses a Clover report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    parse_with_stats(reader).map(|(parsed, _)| parsed)
}

/// Parses a Clover report and returns its statement figures too.
pub fn parse_with_stats(reader: impl BufRead) -> Result<(Parsed, CloverStats), FormatError> {
    let mut xml = XmlStream::new(reader);
    let mut parsed = Parsed::default();
    let mut stats = CloverStats::default();
    let mut saw_root = false;
    // The file being read: its key in the report.
    let mut current_file: Option<String> = None;
    loop {
        let (event, line_no) = xml.next()?;
        match event {
            Ev::Open(name, start, self_closing) => {
                // Built only for a message: building it for every element would cost the
                // nesting depth per element, quadratic in a deeply nested file.
                let path = || xml.path_string();
                match name.as_str() {
                    "coverage" if !saw_root => {
                        saw_root = true;
                        stats.istanbul =
                            attr(&start, "clover", &path, line_no)?.as_deref() == Some("3.2.0");
                    }
                    _ if !saw_root => {
                        return Err(FormatError {
                            location: Location {
                                line: Some(line_no),
                                column: None,
                                element: Some(path()),
                            },
                            message: format!(
                                "expected the root element <coverage> of a Clover report, found <{name}>"
                            ),
                        })
                    }
                    "metrics" if xml.parent_is("project") => {
                        stats.project_metrics = Some(read_metrics(&start, &path, line_no)?);
                    }
                    "file" => {
                        let key = match attr(&start, "path", &path, line_no)? {
                            Some(p) if !p.is_empty() => p,
                            _ => attr(&start, "name", &path, line_no)?.ok_or_else(|| {
                                err(line_no, &path(), "a <file> needs a `path` or `name` attribute")
                            })?,
                        };
                        parsed.report.file_mut(&key);
                        if !self_closing {
                            current_file = Some(key);
                        }
                    }
                    "line" => {
                        let Some(file) = &current_file else {
                            // Clover puts lines only inside <file>; one elsewhere has no file.
                            parsed.warnings.push(Warning::new(
                                WarningKind::Misplaced,
                                loc(line_no, &path()),
                                "a <line> outside any <file> was skipped",
                            ));
                            continue;
                        };
                        read_line(&start, &path, line_no, file, &mut parsed, &mut stats)?;
                    }
                    _ => {}
                }
            }
            Ev::Close(name) => {
                if name == "file" {
                    current_file = None;
                }
            }
            Ev::Eof => break,
        }
    }
    if !saw_root {
        return Err(FormatError {
            location: Location::line(xml.line),
            message: "the document has no root element; expected <coverage> of a Clover report"
                .into(),
        });
    }
    Ok((parsed, stats))
}

fn read_line(
    start: &BytesStart<'_>,
    path: &dyn Fn() -> String,
    line_no: u64,
    file: &str,
    parsed: &mut Parsed,
    stats: &mut CloverStats,
) -> Result<(), FormatError> {
    let num: i64 = required_num(start, "num", path, line_no)?;
    let kind = attr(start, "type", path, line_no)?.unwrap_or_else(|| "stmt".into());
    let count: Option<u64> = optional_num(start, "count", path, line_no)?;
    let Ok(num) = u32::try_from(num) else {
        parsed.warnings.push(Warning::new(
            WarningKind::InvalidLineNumber,
            loc(line_no, &path()),
            format!("line number {num} is not a source line (≥ 1); the record was skipped"),
        ));
        return Ok(());
    };
    if num == 0 {
        parsed.warnings.push(Warning::new(
            WarningKind::InvalidLineNumber,
            loc(line_no, &path()),
            "line number 0 is not a source line (≥ 1); the record was skipped",
        ));
        return Ok(());
    }
    match kind.as_str() {
        "method" => {
            let name = match attr(start, "name", path, line_no)? {
                Some(n) => n,
                None => attr(start, "signature", path, line_no)?.unwrap_or_default(),
            };
            parsed.report.file_mut(file).functions.push(Function {
                name,
                line: num,
                hits: count.unwrap_or(0),
            });
        }
        "cond" => {
            let t: u64 = optional_num(start, "truecount", path, line_no)?.unwrap_or(0);
            let f: u64 = optional_num(start, "falsecount", path, line_no)?.unwrap_or(0);
            let evaluated = u64::from(t > 0 || f > 0);
            let hits = count.unwrap_or(0).max(evaluated);
            let branches = if stats.istanbul {
                Branches::Counted {
                    covered: sat_u32(t),
                    total: sat_u32(t.saturating_add(f)),
                }
            } else {
                Branches::Counted {
                    covered: u32::from(t > 0) + u32::from(f > 0),
                    total: 2,
                }
            };
            parsed.report.file_mut(file).add_line(
                num,
                LineRecord {
                    hits,
                    branches: Some(branches),
                },
            );
        }
        _ => {
            // `stmt`, and anything unknown: a plain statement line.
            let hits = count.unwrap_or(0);
            stats.stmt_lines += 1;
            stats.stmt_lines_covered += u64::from(hits > 0);
            parsed
                .report
                .file_mut(file)
                .add_line(num, LineRecord::new(hits));
        }
    }
    Ok(())
}

fn read_metrics(
    start: &BytesStart<'_>,
    path: &dyn Fn() -> String,
    line_no: u64,
) -> Result<Metrics, FormatError> {
    let n = |name| -> Result<u64, FormatError> {
        Ok(optional_num(start, name, path, line_no)?.unwrap_or(0))
    };
    Ok(Metrics {
        statements: n("statements")?,
        covered_statements: n("coveredstatements")?,
        conditionals: n("conditionals")?,
        covered_conditionals: n("coveredconditionals")?,
    })
}

fn sat_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

fn loc(line: u64, element: &str) -> Location {
    Location {
        line: Some(line),
        column: None,
        element: Some(element.to_owned()),
    }
}

fn err(line: u64, element: &str, message: impl Into<String>) -> FormatError {
    FormatError {
        location: loc(line, element),
        message: message.into(),
    }
}

/// An attribute's unescaped value, `None` when absent.
fn attr(
    start: &BytesStart<'_>,
    name: &str,
    path: &dyn Fn() -> String,
    line_no: u64,
) -> Result<Option<String>, FormatError> {
    for a in start.attributes().with_checks(false) {
        let a = a.map_err(|e| err(line_no, &path(), format!("malformed attribute: {e}")))?;
        if a.key.as_ref() == name {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| err(line_no, &format!("{}/@{name}", path()), format!("{e}")))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn optional_num<T: std::str::FromStr>(
    start: &BytesStart<'_>,
    name: &str,
    path: &dyn Fn() -> String,
    line_no: u64,
) -> Result<Option<T>, FormatError> {
    match attr(start, name, path, line_no)? {
        None => Ok(None),
        Some(v) => v.trim().parse().map(Some).map_err(|_| {
            err(
                line_no,
                &format!("{}/@{name}", path()),
                format!(
                    "expected a whole number, found {}",
                    super::text::quoted(v.as_bytes())
                ),
            )
        }),
    }
}

fn required_num<T: std::str::FromStr>(
    start: &BytesStart<'_>,
    name: &str,
    path: &dyn Fn() -> String,
    line_no: u64,
) -> Result<T, FormatError> {
    optional_num(start, name, path, line_no)?
        .ok_or_else(|| err(line_no, &path(), format!("missing attribute `{name}`")))
}

/// What the stream yields: an element opened (name, tag, self-closing), closed, or the end.
enum Ev<'b> {
    Open(String, BytesStart<'b>, bool),
    Close(String),
    Eof,
}

/// A quick-xml reader that tracks the line number and the element path
/// (`coverage/project/package[2]/file[0]/line[4]`) for error messages.
struct XmlStream<R: BufRead> {
    reader: Reader<R>,
    buf: Vec<u8>,
    /// 1-based line where the next event starts.
    line: u64,
    /// Open elements: name and, per child name, how many were seen so far.
    stack: Vec<(String, Vec<(String, usize)>)>,
    /// Children counts of the document level.
    top: Vec<(String, usize)>,
    /// Index of each open element among its same-named siblings.
    indices: Vec<usize>,
    pending_close: bool,
}

impl<R: BufRead> XmlStream<R> {
    fn new(reader: R) -> Self {
        let mut reader = Reader::from_reader(reader);
        reader.config_mut().check_end_names = true;
        XmlStream {
            reader,
            buf: Vec::with_capacity(1024),
            line: 1,
            stack: Vec::new(),
            top: Vec::new(),
            indices: Vec::new(),
            pending_close: false,
        }
    }

    fn parent_is(&self, name: &str) -> bool {
        self.stack.len() >= 2 && self.stack[self.stack.len() - 2].0 == name
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for (i, ((name, _), idx)) in self.stack.iter().zip(&self.indices).enumerate() {
            if i > 0 {
                s.push('/');
            }
            s.push_str(name);
            if i > 0 {
                s.push_str(&format!("[{idx}]"));
            }
        }
        s
    }

    fn push(&mut self, name: String) {
        let siblings = match self.stack.last_mut() {
            Some((_, children)) => children,
            None => &mut self.top,
        };
        let idx = match siblings.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => {
                *c += 1;
                *c - 1
            }
            None => {
                siblings.push((name.clone(), 1));
                0
            }
        };
        self.stack.push((name, Vec::new()));
        self.indices.push(idx);
    }

    fn pop(&mut self) -> Option<String> {
        self.indices.pop();
        self.stack.pop().map(|(n, _)| n)
    }

    fn next(&mut self) -> Result<(Ev<'static>, u64), FormatError> {
        if self.pending_close {
            // A self-closing element was reported as opened; close it now.
            self.pending_close = false;
            let name = self.pop().unwrap_or_default();
            return Ok((Ev::Close(name), self.line));
        }
        loop {
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let start_line = self.line;
            let event = self
                .reader
                .read_event_into(&mut buf)
                .map(quick_xml::events::Event::into_owned);
            let newlines = u64::try_from(memchr::memchr_iter(b'\n', &buf).count()).unwrap_or(0);
            self.buf = buf;
            let event = match event {
                Ok(e) => e,
                Err(e) => {
                    return Err(FormatError {
                        location: Location {
                            line: Some(start_line),
                            column: None,
                            element: (!self.stack.is_empty()).then(|| self.path_string()),
                        },
                        message: format!("malformed XML: {e}"),
                    })
                }
            };
            // The raw bytes of the event may span lines; the event starts on `start_line`.
            self.line += newlines;
            match event {
                Event::Start(s) => {
                    let name = s.local_name().as_ref().to_owned();
                    self.push(name.clone());
                    return Ok((Ev::Open(name, s, false), start_line));
                }
                Event::Empty(s) => {
                    let name = s.local_name().as_ref().to_owned();
                    self.push(name.clone());
                    self.pending_close = true;
                    return Ok((Ev::Open(name, s, true), start_line));
                }
                Event::End(_) => {
                    let name = self.pop().unwrap_or_default();
                    return Ok((Ev::Close(name), start_line));
                }
                Event::Eof => {
                    if !self.stack.is_empty() {
                        return Err(FormatError {
                            location: Location {
                                line: Some(start_line),
                                column: None,
                                element: Some(self.path_string()),
                            },
                            message:
                                "the document ends before its elements are closed (truncated file?)"
                                    .into(),
                        });
                    }
                    return Ok((Ev::Eof, start_line));
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    fn parse_str(s: &str) -> Result<(Parsed, CloverStats), FormatError> {
        parse_with_stats(s.as_bytes())
    }

    #[test]
    fn openclover_conditions_have_two_outcomes() {
        let xml = r#"<?xml version="1.0"?>
<coverage generated="1" clover="4.3.1">
  <project timestamp="1">
    <metrics statements="3" coveredstatements="2" conditionals="2" coveredconditionals="1"/>
    <package name="p">
      <file path="src/A.java" name="A.java">
        <line num="3" type="method" signature="f() : void" count="2"/>
        <line num="4" type="stmt" count="2"/>
        <line num="5" type="cond" count="2" truecount="2" falsecount="0"/>
        <line num="6" type="stmt" count="0"/>
        <line num="7" type="cond" count="1" truecount="1" falsecount="3"/>
      </file>
    </package>
  </project>
</coverage>"#;
        let (parsed, stats) = parse_str(xml).unwrap();
        let f = &parsed.report.files["src/A.java"];
        assert_eq!(f.lines.len(), 4);
        assert_eq!(f.lines.get(&4).unwrap().state(), LineState::Hit);
        assert_eq!(f.lines.get(&5).unwrap().state(), LineState::Partial);
        assert_eq!(
            f.lines.get(&5).unwrap().branches,
            Some(Branches::Counted {
                covered: 1,
                total: 2
            })
        );
        assert_eq!(f.lines.get(&6).unwrap().state(), LineState::Miss);
        assert_eq!(f.lines.get(&7).unwrap().state(), LineState::Hit);
        assert_eq!(f.functions.len(), 1);
        assert_eq!(f.functions[0].hits, 2);
        assert!(!stats.istanbul);
        assert_eq!(stats.stmt_lines, 2);
        assert_eq!(stats.stmt_lines_covered, 1);
        assert_eq!(
            stats.project_metrics,
            Some(Metrics {
                statements: 3,
                covered_statements: 2,
                conditionals: 2,
                covered_conditionals: 1
            })
        );
    }

    #[test]
    fn istanbul_conditions_are_covered_over_total() {
        let xml = r#"<coverage generated="1" clover="3.2.0"><project name="All files">
<file name="a.js" path="/x/a.js">
<line num="1" count="1" type="cond" truecount="2" falsecount="0"/>
<line num="2" count="1" type="cond" truecount="1" falsecount="2"/>
<line num="3" type="cond" truecount="0" falsecount="1"/>
<line num="4" count="0" type="stmt"/>
</file></project></coverage>"#;
        let (parsed, stats) = parse_str(xml).unwrap();
        assert!(stats.istanbul);
        let f = &parsed.report.files["/x/a.js"];
        assert_eq!(f.lines.get(&1).unwrap().state(), LineState::Hit);
        assert_eq!(
            f.lines.get(&2).unwrap().branches,
            Some(Branches::Counted {
                covered: 1,
                total: 3
            })
        );
        // No count, but the condition was evaluated: it ran, with its branch not covered.
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Partial);
        assert_eq!(f.lines.get(&4).unwrap().state(), LineState::Miss);
    }

    #[test]
    fn bad_count_names_line_and_element() {
        let xml = "<coverage generated=\"1\">\n<project>\n<file name=\"a.php\">\n<line num=\"2\" type=\"stmt\" count=\"x\"/>\n</file></project></coverage>";
        let e = parse_str(xml).unwrap_err();
        assert_eq!(e.location.line, Some(4));
        assert_eq!(
            e.location.element.as_deref(),
            Some("coverage/project[0]/file[0]/line[0]/@count")
        );
        assert!(e.message.contains("\"x\""), "{}", e.message);
    }

    #[test]
    fn truncated_and_foreign_documents_are_errors() {
        let e = parse_str("<coverage generated=\"1\"><project>\n<file name=\"a\">").unwrap_err();
        assert!(e.message.contains("truncated"), "{}", e.message);
        let e = parse_str("").unwrap_err();
        assert!(e.message.contains("no root element"), "{}", e.message);
        let e = parse_str("<report/>").unwrap_err();
        assert!(e.message.contains("<coverage>"), "{}", e.message);
    }

    #[test]
    fn line_zero_is_dropped_with_a_warning() {
        let xml = r#"<coverage generated="1"><project><file name="a"><line num="0" type="stmt" count="1"/><line num="1" type="stmt" count="1"/></file></project></coverage>"#;
        let (parsed, _) = parse_str(xml).unwrap();
        assert_eq!(parsed.report.files["a"].lines.len(), 1);
        assert_eq!(parsed.warnings.len(), 1);
    }
}
