//! SonarQube generic test coverage XML (`<coverage version="1"><file path><lineToCover
//! lineNumber covered branchesToCover coveredBranches/>`), as gcovr `--sonarqube` and others write.
//!
//! Input: any `BufRead`; output: [`Parsed`]. Streams with quick-xml (no DOM). `covered="true"` is
//! one hit (the format has no counts); branches are `Counted { coveredBranches, branchesToCover }`.
//! Repeated `lineToCover` records of one line merge like every other format's (hits add up).

use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::count::{parse_count, parse_line_number};
use super::xml::{unescape, XmlEvent, XmlStream};
use super::{FormatError, Parsed};
use crate::model::{Branches, CoverageReport, LineRecord, WarningKind};

/// Parses a SonarQube generic coverage report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut xml = XmlStream::new(reader, "lineToCover");
    let mut buf = Vec::with_capacity(1024);
    let mut report = CoverageReport::default();
    let mut file: Option<String> = None;
    loop {
        match xml.next(&mut buf)? {
            XmlEvent::Start(start) => {
                let name = xml.path.current().to_owned();
                element(&mut xml, &start, &name, None, &mut report, &mut file)?;
            }
            XmlEvent::Empty(start, index) => {
                let name: &str = start.name().0;
                let name = name.to_owned();
                element(&mut xml, &start, &name, Some(index), &mut report, &mut file)?;
                if name == "file" {
                    file = None;
                }
            }
            XmlEvent::End(name) => {
                if name == "file" {
                    file = None;
                }
            }
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => break,
        }
    }
    Ok(Parsed {
        report,
        warnings: xml.warnings,
    })
}

fn element<R: BufRead>(
    xml: &mut XmlStream<R>,
    start: &BytesStart<'_>,
    name: &str,
    leaf: Option<usize>,
    report: &mut CoverageReport,
    file: &mut Option<String>,
) -> Result<(), FormatError> {
    let at_root = match leaf {
        Some(_) => xml.path.depth() == 0,
        None => xml.path.depth() == 1,
    };
    let leaf = leaf.map(|i| (name, i));
    if at_root {
        if name != "coverage" {
            return Err(xml.error(
                None,
                None,
                format!("expected the root element <coverage> but found <{name}>"),
            ));
        }
        return Ok(());
    }
    let malformed = |xml: &XmlStream<R>, e: &dyn std::fmt::Display| {
        xml.error(
            leaf,
            None,
            format!("the XML is not well-formed: malformed attribute: {e}"),
        )
    };
    match name {
        "file" => {
            let mut path = None;
            for attr in start.attributes() {
                let attr = attr.map_err(|e| malformed(xml, &e))?;
                if attr.key.0 == "path" {
                    path = Some(unescape(&attr.value).ok_or_else(|| {
                        xml.error(leaf, Some("path"), "expected a path with valid XML escapes")
                    })?);
                }
            }
            let path = path.ok_or_else(|| {
                xml.error(leaf, Some("path"), "expected a path attribute on <file>")
            })?;
            report.file_mut(&path);
            *file = Some(path);
        }
        "lineToCover" => {
            let Some(path) = file.clone() else {
                xml.warn(
                    WarningKind::Misplaced,
                    leaf,
                    None,
                    "ignored a <lineToCover> outside any <file>",
                );
                return Ok(());
            };
            let (mut number, mut covered, mut branches, mut covered_branches) =
                (None, None, None, None);
            for attr in start.attributes() {
                let attr = attr.map_err(|e| malformed(xml, &e))?;
                let key: &str = attr.key.0;
                let value: &str = &attr.value;
                match key {
                    "lineNumber" => {
                        number = Some(parse_line_number(value.as_bytes()).ok_or_else(|| {
                            xml.error(
                                leaf,
                                Some("lineNumber"),
                                format!(
                                    "expected a line number but found {}",
                                    super::text::quoted(value.as_bytes())
                                ),
                            )
                        })?);
                    }
                    "covered" => {
                        covered = Some(match value.trim() {
                            "true" => true,
                            "false" => false,
                            other => {
                                return Err(xml.error(
                                    leaf,
                                    Some("covered"),
                                    format!(
                                        "expected true or false but found {}",
                                        super::text::quoted(other.as_bytes())
                                    ),
                                ))
                            }
                        });
                    }
                    "branchesToCover" | "coveredBranches" => {
                        let n = parse_count(value.as_bytes()).map_err(|e| {
                            xml.error(
                                leaf,
                                Some(key),
                                format!(
                                    "expected {} but found {}",
                                    e.expected(),
                                    super::text::quoted(value.as_bytes())
                                ),
                            )
                        })?;
                        let n = u32::try_from(n).unwrap_or(u32::MAX);
                        if key == "branchesToCover" {
                            branches = Some(n);
                        } else {
                            covered_branches = Some(n);
                        }
                    }
                    _ => {}
                }
            }
            let number = number.ok_or_else(|| {
                xml.error(leaf, Some("lineNumber"), "expected a lineNumber attribute")
            })?;
            let covered = covered
                .ok_or_else(|| xml.error(leaf, Some("covered"), "expected a covered attribute"))?;
            if number == 0 {
                xml.warn(
                    WarningKind::InvalidLineNumber,
                    leaf,
                    Some("lineNumber"),
                    "dropped a record for line 0 (lines start at 1)",
                );
                return Ok(());
            }
            let branches = branches.filter(|t| *t > 0).map(|total| Branches::Counted {
                covered: covered_branches.unwrap_or(0).min(total),
                total,
            });
            report.file_mut(&path).add_line(
                number,
                LineRecord {
                    hits: u64::from(covered),
                    branches,
                },
            );
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    #[test]
    fn reads_lines_and_branches() {
        let xml = br#"<coverage version="1"><file path="a.c"><lineToCover lineNumber="2" covered="true" branchesToCover="4" coveredBranches="3"/><lineToCover lineNumber="3" covered="false"/><lineToCover lineNumber="3" covered="true"/></file></coverage>"#;
        let parsed = parse(&xml[..]).unwrap();
        let f = &parsed.report.files["a.c"];
        assert_eq!(f.lines.get(&2).unwrap().state(), LineState::Partial);
        assert_eq!(f.lines.get(&3).unwrap().state(), LineState::Hit);
        assert_eq!(f.totals().lines, 2);
    }

    #[test]
    fn errors_name_the_element() {
        let xml = b"<coverage version=\"1\">\n<file path=\"a.c\">\n<lineToCover lineNumber=\"x\" covered=\"true\"/></file></coverage>";
        let err = parse(&xml[..]).unwrap_err();
        assert_eq!(err.location.line, Some(3));
        assert!(err.message.contains("line number"), "{}", err.message);
    }
}
