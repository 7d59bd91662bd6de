//! Cobertura XML (coverage.py, gcovr, coverlet, istanbul, PHPUnit, scoverage, …).
//!
//! Input: any `BufRead`; output: [`Parsed`]. Streams with quick-xml (no DOM): memory is the model
//! plus the lines of the class being read.
//!
//! Line model (SPEC §2): each `<class>`'s own `<lines>` are its records; the `<lines>` inside its
//! `<methods>` repeat them or add declaration lines, and count only for a class with no own line
//! records. Records are keyed by the class `filename` exactly as written; `<source>` roots (trimmed)
//! go to `source_roots`. Summary attributes (`line-rate`, `lines-valid`, …) are not read: they are
//! often wrong (NaN, decimal commas, PHPUnit template placeholders) and totals come from the lines.

use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::count::{parse_count, parse_line_number};
use super::xml::{unescape, XmlEvent, XmlStream};
use super::{FormatError, Parsed};
use crate::model::{Branches, CoverageReport, LineRecord};

/// The class being read.
struct Class {
    filename: String,
    own: Vec<(u32, LineRecord)>,
    methods: Vec<(u32, LineRecord)>,
}

/// Parses a Cobertura XML report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut xml = XmlStream::new(reader);
    let mut buf = Vec::with_capacity(1024);
    let mut report = CoverageReport::default();
    let mut class: Option<Class> = None;
    let mut source: Option<String> = None;
    loop {
        match xml.next(&mut buf)? {
            XmlEvent::Start(start) => {
                let name = xml.path.current().to_owned();
                element(&mut xml, &start, &name, None, &mut class)?;
                if name == "source" {
                    source = Some(String::new());
                }
            }
            XmlEvent::Empty(start, index) => {
                let name: &str = start.name().0;
                let name = name.to_owned();
                element(&mut xml, &start, &name, Some(index), &mut class)?;
                if name == "class" {
                    end_class(&mut class, &mut report);
                }
            }
            XmlEvent::Text(text) => {
                if let Some(source) = &mut source {
                    source.push_str(&text);
                }
            }
            XmlEvent::End(name) => match name.as_str() {
                "class" => end_class(&mut class, &mut report),
                "source" => {
                    if let Some(root) = source.take() {
                        let root = root.trim();
                        if !root.is_empty() {
                            report.source_roots.push(root.to_owned());
                        }
                    }
                }
                _ => {}
            },
            XmlEvent::Eof => break,
        }
    }
    Ok(Parsed {
        report,
        warnings: xml.warnings,
    })
}

/// Handles an opening or empty element. `leaf` is the element's sibling index when it is empty
/// (not on the path), for error locations.
fn element<R: BufRead>(
    xml: &mut XmlStream<R>,
    start: &BytesStart<'_>,
    name: &str,
    leaf: Option<usize>,
    class: &mut Option<Class>,
) -> Result<(), FormatError> {
    let at_root = match leaf {
        Some(_) => xml.path.depth() == 0,
        None => xml.path.depth() == 1,
    };
    if at_root {
        if name != "coverage" {
            return Err(xml.error(
                None,
                None,
                format!("expected the root element <coverage> of a Cobertura report but found <{name}>"),
            ));
        }
        return Ok(());
    }
    let leaf = leaf.map(|i| (name, i));
    match name {
        "class" => {
            let mut filename = None;
            for attr in start.attributes() {
                let attr = attr
                    .map_err(|e| xml.error(leaf, None, format!("malformed attribute: {e}")))?;
                if attr.key.0 == "filename" {
                    let value = unescape(&attr.value).ok_or_else(|| {
                        xml.error(leaf, Some("filename"), "expected a file name with valid XML escapes")
                    })?;
                    filename = Some(value);
                }
            }
            let Some(filename) = filename else {
                return Err(xml.error(
                    leaf,
                    Some("filename"),
                    "expected a filename attribute on <class>",
                ));
            };
            *class = Some(Class {
                filename,
                own: Vec::new(),
                methods: Vec::new(),
            });
        }
        "line" => {
            let Some(record) = line(xml, start, leaf)? else {
                return Ok(());
            };
            match class {
                Some(class) if xml.path.is_open("method") => class.methods.push(record),
                Some(class) => class.own.push(record),
                None => xml.warn(leaf, None, "ignored a <line> outside any <class>"),
            }
        }
        _ => {}
    }
    Ok(())
}

/// Reads `<line number hits [branch] [condition-coverage]>`; `None` for a dropped line 0.
fn line<R: BufRead>(
    xml: &mut XmlStream<R>,
    start: &BytesStart<'_>,
    leaf: Option<(&str, usize)>,
) -> Result<Option<(u32, LineRecord)>, FormatError> {
    let mut number = None;
    let mut hits = None;
    let mut branch = None;
    let mut condition = None;
    for attr in start.attributes() {
        let attr = attr.map_err(|e| xml.error(leaf, None, format!("malformed attribute: {e}")))?;
        let value = attr.value;
        match attr.key.0 {
            "number" => {
                number = Some(parse_line_number(value.as_bytes()).ok_or_else(|| {
                    xml.error(
                        leaf,
                        Some("number"),
                        format!("expected a line number but found \"{value}\""),
                    )
                })?);
            }
            "hits" => {
                hits = Some(parse_count(value.as_bytes()).map_err(|e| {
                    xml.error(
                        leaf,
                        Some("hits"),
                        format!("expected {} but found \"{value}\"", e.expected()),
                    )
                })?);
            }
            "branch" => branch = Some(value.trim().eq_ignore_ascii_case("true")),
            "condition-coverage" => condition = Some(value.into_owned()),
            _ => {}
        }
    }
    let Some(number) = number else {
        return Err(xml.error(leaf, Some("number"), "expected a number attribute on <line>"));
    };
    let Some(hits) = hits else {
        return Err(xml.error(leaf, Some("hits"), "expected a hits attribute on <line>"));
    };
    if number == 0 {
        xml.warn(
            leaf,
            Some("number"),
            "dropped a <line> with number 0 (line numbers start at 1)",
        );
        return Ok(None);
    }
    let mut branches = None;
    if let (Some(true) | None, Some(condition)) = (branch, condition) {
        match condition_coverage(&condition) {
            Some((covered, total)) => {
                if covered > total {
                    xml.warn(
                        leaf,
                        Some("condition-coverage"),
                        format!("condition coverage \"{condition}\" has more covered than total branches; read as {total}/{total}"),
                    );
                }
                branches = (total > 0).then_some(Branches::Counted {
                    covered: covered.min(total),
                    total,
                });
            }
            None => xml.warn(
                leaf,
                Some("condition-coverage"),
                format!("ignored condition coverage \"{condition}\": expected \"<percent>% (<covered>/<total>)\""),
            ),
        }
    }
    Ok(Some((number, LineRecord { hits, branches })))
}

/// `"50% (1/2)"` → `(1, 2)`.
fn condition_coverage(text: &str) -> Option<(u32, u32)> {
    let open = text.find('(')?;
    let close = open + text[open..].find(')')?;
    let (covered, total) = text[open + 1..close].split_once('/')?;
    Some((covered.trim().parse().ok()?, total.trim().parse().ok()?))
}

fn end_class(class: &mut Option<Class>, report: &mut CoverageReport) {
    let Some(class) = class.take() else { return };
    let lines = if class.own.is_empty() {
        class.methods
    } else {
        class.own
    };
    let file = report.file_mut(&class.filename);
    for (number, record) in lines {
        file.add_line(number, record);
    }
}
