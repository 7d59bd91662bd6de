//! JaCoCo XML (JaCoCo itself, Gradle/Maven, Kotlin, Pester, gcovr's JaCoCo output).
//!
//! Input: any `BufRead`; output: [`Parsed`]. Streams with quick-xml (no DOM).
//!
//! Line model (docs/coverage.md#line-states): `<sourcefile>`'s `<line nr mi ci mb cb>` → `ci = 0` miss, `mb > 0`
//! partial, else hit. Hits are `ci` (covered instructions), so hits > 0 ⇔ ci > 0; branches are
//! `Counted { covered: cb, total: mb + cb }`. Files are keyed `package name/sourcefile name` (just
//! the sourcefile name in the unnamed package). Method and class counters are not read; totals
//! come from the lines. `<group>` elements may wrap packages and are walked through.

use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::count::{parse_count, parse_line_number};
use super::xml::{unescape, XmlEvent, XmlStream};
use super::{FormatError, Parsed};
use crate::model::{Branches, CoverageReport, LineRecord, WarningKind};

#[derive(Default)]
struct State {
    report: CoverageReport,
    package: Option<String>,
    /// Key of the `<sourcefile>` being read.
    file: Option<String>,
    /// `<line>` elements of the current source file without `mi`/`ci` counters.
    lines_without_counters: usize,
}

/// Parses a JaCoCo XML report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut xml = XmlStream::new(reader, "line");
    let mut buf = Vec::with_capacity(1024);
    let mut state = State::default();
    loop {
        match xml.next(&mut buf)? {
            XmlEvent::Start(start) => {
                let name = xml.path.current().to_owned();
                element(&mut xml, &start, &name, None, &mut state)?;
            }
            XmlEvent::Empty(start, index) => {
                let name: &str = start.name().0;
                let name = name.to_owned();
                element(&mut xml, &start, &name, Some(index), &mut state)?;
                end(&mut xml, &name, &mut state);
            }
            XmlEvent::End(name) => end(&mut xml, &name, &mut state),
            XmlEvent::Text(_) => {}
            XmlEvent::Eof => break,
        }
    }
    Ok(Parsed {
        report: state.report,
        warnings: xml.warnings,
    })
}

fn name_attribute<R: BufRead>(
    xml: &XmlStream<R>,
    start: &BytesStart<'_>,
    leaf: Option<(&str, usize)>,
) -> Result<Option<String>, FormatError> {
    for attr in start.attributes() {
        let attr = attr.map_err(|e| {
            xml.error(
                leaf,
                None,
                format!("the XML is not well-formed: malformed attribute: {e}"),
            )
        })?;
        if attr.key.0 == "name" {
            return unescape(&attr.value).map(Some).ok_or_else(|| {
                xml.error(leaf, Some("name"), "expected a name with valid XML escapes")
            });
        }
    }
    Ok(None)
}

fn element<R: BufRead>(
    xml: &mut XmlStream<R>,
    start: &BytesStart<'_>,
    name: &str,
    leaf: Option<usize>,
    state: &mut State,
) -> Result<(), FormatError> {
    let at_root = match leaf {
        Some(_) => xml.path.depth() == 0,
        None => xml.path.depth() == 1,
    };
    if at_root {
        if name != "report" {
            return Err(xml.error(
                None,
                None,
                format!("expected the root element <report> of a JaCoCo report but found <{name}>"),
            ));
        }
        return Ok(());
    }
    let leaf = leaf.map(|i| (name, i));
    match name {
        "package" => state.package = Some(name_attribute(xml, start, leaf)?.unwrap_or_default()),
        "sourcefile" => {
            let Some(package) = &state.package else {
                xml.warn(
                    WarningKind::Misplaced,
                    leaf,
                    None,
                    "ignored a <sourcefile> outside any <package>",
                );
                return Ok(());
            };
            let Some(file) = name_attribute(xml, start, leaf)? else {
                return Err(xml.error(
                    leaf,
                    Some("name"),
                    "expected a name attribute on <sourcefile>",
                ));
            };
            let key = if package.is_empty() {
                file
            } else {
                format!("{package}/{file}")
            };
            state.report.file_mut(&key);
            state.file = Some(key);
            state.lines_without_counters = 0;
        }
        "line" => {
            // `<line>` also appears nowhere else in JaCoCo; outside a source file it is noise.
            let Some(key) = &state.file else {
                xml.warn(
                    WarningKind::Misplaced,
                    leaf,
                    None,
                    "ignored a <line> outside any <sourcefile>",
                );
                return Ok(());
            };
            let key = key.clone();
            if let Some((number, record, counted)) = line(xml, start, leaf)? {
                if !counted {
                    state.lines_without_counters += 1;
                }
                state.report.file_mut(&key).add_line(number, record);
            }
        }
        _ => {}
    }
    Ok(())
}

fn end<R: BufRead>(xml: &mut XmlStream<R>, name: &str, state: &mut State) {
    match name {
        "package" => state.package = None,
        "sourcefile" => {
            if let Some(key) = state.file.take() {
                if state.lines_without_counters > 0 {
                    xml.warn(
                        WarningKind::InvalidValue,
                        None,
                        None,
                        format!(
                            "{} <line> elements of \"{key}\" have no mi/ci counters; they count as not executed",
                            state.lines_without_counters
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Reads `<line nr mi ci mb cb>`; `None` for a dropped line 0. The flag says whether the line had
/// instruction counters at all.
fn line<R: BufRead>(
    xml: &mut XmlStream<R>,
    start: &BytesStart<'_>,
    leaf: Option<(&str, usize)>,
) -> Result<Option<(u32, LineRecord, bool)>, FormatError> {
    let mut number = None;
    let mut counters = [None; 4];
    for attr in start.attributes() {
        let attr = attr.map_err(|e| {
            xml.error(
                leaf,
                None,
                format!("the XML is not well-formed: malformed attribute: {e}"),
            )
        })?;
        let key: &str = attr.key.0;
        let value = attr.value;
        let slot = match key {
            "nr" => {
                number = Some(parse_line_number(value.as_bytes()).ok_or_else(|| {
                    xml.error(
                        leaf,
                        Some("nr"),
                        format!(
                            "expected a line number but found {}",
                            super::text::quoted(value.as_bytes())
                        ),
                    )
                })?);
                continue;
            }
            "mi" => 0,
            "ci" => 1,
            "mb" => 2,
            "cb" => 3,
            _ => continue,
        };
        counters[slot] = Some(parse_count(value.as_bytes()).map_err(|e| {
            xml.error(
                leaf,
                Some(key),
                format!(
                    "expected {} but found {}",
                    e.expected(),
                    super::text::quoted(value.as_bytes())
                ),
            )
        })?);
    }
    let Some(number) = number else {
        return Err(xml.error(leaf, Some("nr"), "expected an nr attribute on <line>"));
    };
    if number == 0 {
        xml.warn(
            WarningKind::InvalidLineNumber,
            leaf,
            Some("nr"),
            "dropped a <line> with nr 0 (line numbers start at 1)",
        );
        return Ok(None);
    }
    let counted = counters[0].is_some() || counters[1].is_some();
    let [_, ci, mb, cb] = counters.map(Option::unwrap_or_default);
    let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    let total = clamp(mb.saturating_add(cb));
    let branches = (total > 0).then(|| Branches::Counted {
        covered: clamp(cb).min(total),
        total,
    });
    Ok(Some((number, LineRecord { hits: ci, branches }, counted)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    const REPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="demo">
  <sessioninfo id="x" start="1" dump="2"/>
  <group name="g">
    <package name="com/acme">
      <class name="com/acme/A" sourcefilename="A.java">
        <method name="f" desc="()V" line="3"><counter type="LINE" missed="0" covered="1"/></method>
      </class>
      <sourcefile name="A.java">
        <line nr="3" mi="0" ci="4" mb="0" cb="2"/>
        <line nr="4" mi="2" ci="3" mb="1" cb="1"/>
        <line nr="5" mi="3" ci="0" mb="2" cb="0"/>
        <line nr="6" mi="0" ci="1" mb="2" cb="0"/>
        <line nr="6" mi="0" ci="1"/>
        <counter type="LINE" missed="1" covered="3"/>
      </sourcefile>
    </package>
  </group>
  <package name="">
    <sourcefile name="Main.kt"><line nr="1" mi="0" ci="1" mb="0" cb="0"/></sourcefile>
  </package>
  <counter type="LINE" missed="1" covered="4"/>
</report>
"#;

    #[test]
    fn reads_lines_by_spec_rule() {
        let parsed = parse(REPORT.as_bytes()).unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(
            parsed.report.files.keys().collect::<Vec<_>>(),
            ["Main.kt", "com/acme/A.java"]
        );
        let file = &parsed.report.files["com/acme/A.java"];
        let states: Vec<_> = file.lines.iter().map(|(n, r)| (n, r.state())).collect();
        assert_eq!(
            states,
            [
                (3, LineState::Hit),
                (4, LineState::Partial),
                (5, LineState::Miss),
                // ran, none of its two branches taken: partial (docs/coverage.md#line-states), repeated record merged.
                (6, LineState::Partial),
            ]
        );
        assert_eq!(file.lines.get(&3).unwrap().hits, 4);
        assert_eq!(file.lines.get(&6).unwrap().hits, 2);
    }

    #[test]
    fn lines_without_counters_warn() {
        let xml = r#"<report><package name="A"><sourcefile name="f.cpp"><line nr="1"/><line nr="2" mb="1" cb="1"/></sourcefile></package></report>"#;
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.report.totals().misses, 2);
        assert_eq!(parsed.warnings.len(), 1);
        assert!(parsed.warnings[0]
            .message
            .starts_with("2 <line> elements of \"A/f.cpp\""));
    }

    #[test]
    fn errors_name_the_element_and_line() {
        let xml = "<report>\n<package name=\"p\">\n<sourcefile name=\"A.java\">\n<line nr=\"1\" ci=\"1\"/>\n<line nr=\"2\" ci=\"x\"/>\n</sourcefile></package></report>";
        let err = parse(xml.as_bytes()).unwrap_err();
        assert_eq!(err.location.line, Some(5));
        assert_eq!(
            err.location.element.as_deref(),
            Some("report/package[0]/sourcefile[0]/line[1]/@ci")
        );
        let cases: &[(&str, &str)] = &[
            ("<?xml version=\"1.0\"?>\n<hello><world/></hello>", "expected the root element <report>"),
            ("<report><package name=\"p\"><sourcefile/></package></report>", "expected a name attribute"),
            ("<report><package name=\"p\"><sourcefile name=\"a\"><line ci=\"1\"/></sourcefile></package></report>", "expected an nr attribute"),
            ("<report><package name=\"p\"><sourcefile name=\"a\"><line nr=\"1\" mb=\"-2\"/></sourcefile></package></report>", "a count of zero or more"),
            ("<report>", "expected the end tag </report>"),
        ];
        for (xml, message) in cases {
            let err = parse(xml.as_bytes()).unwrap_err();
            assert!(err.location.line.is_some(), "{xml}: {err:?}");
            assert!(err.message.contains(message), "{xml}: {err:?}");
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let end = REPORT.find("</report>").unwrap();
        for cut in 0..=end {
            assert!(
                parse(&REPORT.as_bytes()[..cut]).is_err(),
                "cut at {cut} parsed"
            );
        }
    }

    #[test]
    fn garbage_is_rejected_without_panic() {
        for seed in 1..200 {
            let bytes = crate::formats::lcov::tests::noise(seed, 1 + (seed as usize * 37) % 4000);
            assert!(parse(bytes.as_slice()).is_err(), "seed {seed}");
        }
    }
}
