//! Cobertura XML (coverage.py, gcovr, coverlet, istanbul, PHPUnit, scoverage, …).
//!
//! Input: any `BufRead`; output: [`Parsed`]. Streams with quick-xml (no DOM): memory is the model
//! plus the lines of the class being read.
//!
//! Line model (docs/coverage.md#line-states): each `<class>`'s own `<lines>` are its records; the `<lines>` inside its
//! `<methods>` repeat them or add declaration lines, and count only for a class with no own line
//! records. Records are keyed by the class `filename` exactly as written; `<source>` roots (trimmed)
//! go to `source_roots`. Summary attributes (`line-rate`, `lines-valid`, …) are not read: they are
//! often wrong (NaN, decimal commas, PHPUnit template placeholders) and totals come from the lines.

use std::io::BufRead;

use quick_xml::events::BytesStart;

use super::count::{parse_count, parse_line_number};
use super::xml::{unescape, XmlEvent, XmlStream};
use super::{FormatError, Parsed};
use crate::model::{Branches, CoverageReport, LineRecord, WarningKind};

/// The class being read.
struct Class {
    filename: String,
    own: Vec<(u32, LineRecord)>,
    methods: Vec<(u32, LineRecord)>,
}

/// Parses a Cobertura XML report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut xml = XmlStream::new(reader, "line");
    let mut buf = Vec::with_capacity(1024);
    let mut report = CoverageReport::default();
    let mut class: Option<Class> = None;
    let mut source: Option<String> = None;
    // The element's name, copied out of the path (which `element` borrows mutably) into one
    // reused buffer rather than a new string per element.
    let mut name = String::new();
    // Whether a <method> is open, as of the last general event (plain lines do not change the
    // path); saves walking the path for every line.
    let mut in_method = false;
    loop {
        // Most of a report is `<line>` elements: read the plain ones without quick-xml's
        // event and attribute machinery (text is only needed inside `<source>`).
        if source.is_none() {
            if let Some((index, tail)) =
                xml.next_simple("line", "conditions", "condition", &mut buf)
            {
                fast_line(&mut xml, &buf, index, in_method, &mut class)?;
                xml.skip_simple(tail);
                continue;
            }
        }
        let event = xml.next(&mut buf)?;
        in_method = xml.path.is_open("method");
        match event {
            XmlEvent::Start(start) => {
                name.clear();
                name.push_str(xml.path.current());
                element(&mut xml, &start, &name, None, &mut class)?;
                if name == "source" {
                    source = Some(String::new());
                }
            }
            XmlEvent::Empty(start, index) => {
                name.clear();
                name.push_str(start.name().0);
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
                format!(
                    "expected the root element <coverage> of a Cobertura report but found <{name}>"
                ),
            ));
        }
        return Ok(());
    }
    let leaf = leaf.map(|i| (name, i));
    match name {
        "class" => {
            let mut filename = None;
            for attr in start.attributes() {
                let attr = attr.map_err(|e| {
                    xml.error(
                        leaf,
                        None,
                        format!("the XML is not well-formed: malformed attribute: {e}"),
                    )
                })?;
                if attr.key.0 == "filename" {
                    let value = unescape(&attr.value).ok_or_else(|| {
                        xml.error(
                            leaf,
                            Some("filename"),
                            "expected a file name with valid XML escapes",
                        )
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
            let record = line(xml, start, leaf)?;
            let in_method = xml.path.is_open("method");
            add_line(xml, record, leaf, in_method, class);
        }
        _ => {}
    }
    Ok(())
}

fn add_line<R: BufRead>(
    xml: &mut XmlStream<R>,
    record: Option<(u32, LineRecord)>,
    leaf: Option<(&str, usize)>,
    in_method: bool,
    class: &mut Option<Class>,
) {
    let Some(record) = record else { return };
    match class {
        Some(class) if in_method => class.methods.push(record),
        Some(class) => class.own.push(record),
        None => xml.warn(
            WarningKind::Misplaced,
            leaf,
            None,
            "ignored a <line> outside any <class>",
        ),
    }
}

/// A `<line …>` read by [`XmlStream::next_simple`]: `content` is its ASCII content
/// without references. Attributes written the common way (`key="value"` separated by single
/// spaces, no duplicates, no control characters) are split here; anything else goes through
/// quick-xml's attribute parser so that errors stay the same.
fn fast_line<R: BufRead>(
    xml: &mut XmlStream<R>,
    content: &[u8],
    index: usize,
    in_method: bool,
    class: &mut Option<Class>,
) -> Result<(), FormatError> {
    let leaf = Some(("line", index));
    let simple = simple_attributes(content).and_then(|[number, hits, branch, condition]| {
        // Invalid numbers are left to the general path, whose errors come in attribute order.
        let number = match number {
            Some(n) => Some(parse_line_number(n.as_bytes())?),
            None => None,
        };
        let hits = match hits {
            Some(h) => Some(parse_count(h.as_bytes()).ok()?),
            None => None,
        };
        let branch = branch.map(|value| value.trim().eq_ignore_ascii_case("true"));
        Some((number, hits, branch, condition))
    });
    match simple {
        Some((number, hits, branch, condition)) => {
            let record = line_record(xml, leaf, number, hits, branch, condition)?;
            add_line(xml, record, leaf, in_method, class);
        }
        None => {
            // Checked ASCII by `next_simple`.
            let text = std::str::from_utf8(content)
                .map_err(|_| xml.error(leaf, None, "the XML is not well-formed: invalid UTF-8"))?;
            let start = BytesStart::from_content(text, "line".len());
            let record = line(xml, &start, leaf)?;
            add_line(xml, record, leaf, in_method, class);
        }
    }
    Ok(())
}

/// The attributes `<line>` reads: number, hits, branch, condition-coverage.
type LineValues<'a> = [Option<&'a str>; 4];

/// Splits `line k="v" k="v"` when written plainly; `None` for anything else (the caller then
/// uses the general parser).
fn simple_attributes(content: &[u8]) -> Option<LineValues<'_>> {
    let text = std::str::from_utf8(content).ok()?;
    let mut rest = text.strip_prefix("line")?;
    let mut values: LineValues<'_> = [None; 4];
    // Other keys seen, to leave duplicates (an error) to the general parser.
    let mut others: [&str; 4] = [""; 4];
    let mut count = 0;
    while !rest.is_empty() {
        rest = rest.strip_prefix(' ')?;
        let bytes = rest.as_bytes();
        let eq = memchr::memchr(b'=', bytes)?;
        let key = &rest[..eq];
        if key.is_empty()
            || bytes.get(eq + 1) != Some(&b'"')
            || key
                .bytes()
                .any(|b| !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        {
            return None;
        }
        let after = &rest[eq + 2..];
        let end = memchr::memchr(b'"', after.as_bytes())?;
        let value = &after[..end];
        if value.bytes().any(|b| b < 0x20) {
            return None;
        }
        let slot = match key {
            "number" => 0,
            "hits" => 1,
            "branch" => 2,
            "condition-coverage" => 3,
            _ => {
                if count == others.len() || others[..count].contains(&key) {
                    return None;
                }
                others[count] = key;
                count += 1;
                rest = &after[end + 1..];
                continue;
            }
        };
        if values[slot].replace(value).is_some() {
            return None;
        }
        rest = &after[end + 1..];
    }
    Some(values)
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
        let attr = attr.map_err(|e| {
            xml.error(
                leaf,
                None,
                format!("the XML is not well-formed: malformed attribute: {e}"),
            )
        })?;
        let value = attr.value;
        match attr.key.0 {
            "number" => {
                number = Some(parse_line_number(value.as_bytes()).ok_or_else(|| {
                    xml.error(
                        leaf,
                        Some("number"),
                        format!(
                            "expected a line number but found {}",
                            super::text::quoted(value.as_bytes())
                        ),
                    )
                })?);
            }
            "hits" => {
                hits = Some(parse_count(value.as_bytes()).map_err(|e| {
                    xml.error(
                        leaf,
                        Some("hits"),
                        format!(
                            "expected {} but found {}",
                            e.expected(),
                            super::text::quoted(value.as_bytes())
                        ),
                    )
                })?);
            }
            "branch" => branch = Some(value.trim().eq_ignore_ascii_case("true")),
            "condition-coverage" => condition = Some(value),
            _ => {}
        }
    }
    line_record(xml, leaf, number, hits, branch, condition.as_deref())
}

/// The record of a `<line>` from its read attributes, with the errors and warnings of missing
/// or odd ones; `None` for a dropped line 0.
fn line_record<R: BufRead>(
    xml: &mut XmlStream<R>,
    leaf: Option<(&str, usize)>,
    number: Option<u32>,
    hits: Option<u64>,
    branch: Option<bool>,
    condition: Option<&str>,
) -> Result<Option<(u32, LineRecord)>, FormatError> {
    let Some(number) = number else {
        return Err(xml.error(
            leaf,
            Some("number"),
            "expected a number attribute on <line>",
        ));
    };
    let Some(hits) = hits else {
        return Err(xml.error(leaf, Some("hits"), "expected a hits attribute on <line>"));
    };
    if number == 0 {
        xml.warn(
            WarningKind::InvalidLineNumber,
            leaf,
            Some("number"),
            "dropped a <line> with number 0 (line numbers start at 1)",
        );
        return Ok(None);
    }
    let mut branches = None;
    if let (Some(true) | None, Some(condition)) = (branch, condition) {
        match condition_coverage(condition) {
            Some((covered, total)) => {
                if covered > total {
                    xml.warn(
                        WarningKind::InvalidValue,
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
                WarningKind::InvalidValue,
                leaf,
                Some("condition-coverage"),
                format!(
                    "ignored condition coverage {}: expected \"<percent>% (<covered>/<total>)\"",
                    super::text::quoted(condition.as_bytes())
                ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    const REPORT: &str = r#"<?xml version="1.0"?>
<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd">
<coverage line-rate="NaN" branch-rate="0,5">
  <sources>
    <source>
      /home/ci/src
    </source>
    <source></source>
  </sources>
  <packages>
    <package name="p">
      <classes>
        <class name="A" filename="src/a&amp;b.py">
          <methods>
            <method name="m"><lines><line number="1" hits="9"/><line number="99" hits="1"/></lines></method>
          </methods>
          <lines>
            <line number="1" hits="3"/>
            <line number="2" hits="0" branch="true" condition-coverage="0% (0/2)"/>
            <line number="3" hits="2" branch="true" condition-coverage="50% (1/2)">
              <conditions><condition number="0" type="jump" coverage="50%"/></conditions>
            </line>
            <line number="4" hits="1" branch="true" condition-coverage="100% (2/2)"/>
            <line number="5" hits="1" branch="true"/>
            <line number="6" hits="1" branch="false" condition-coverage="50% (1/2)"/>
          </lines>
        </class>
        <class name="OnlyMethods" filename="src/m.py">
          <methods>
            <method name="m"><lines><line number="7" hits="1"/><line number="8" hits="0"/></lines></method>
          </methods>
          <lines/>
        </class>
        <class name="A2" filename="src/a&amp;b.py">
          <lines><line number="1" hits="1"/><line number="3" hits="1" branch="true" condition-coverage="100% (2/2)"/></lines>
        </class>
        <class name="Empty" filename="src/empty.py"/>
      </classes>
    </package>
  </packages>
</coverage>
"#;

    fn states(parsed: &Parsed, path: &str) -> Vec<(u32, LineState)> {
        parsed.report.files[path]
            .lines
            .iter()
            .map(|(n, r)| (n, r.state()))
            .collect()
    }

    #[test]
    fn reads_lines_methods_and_sources() {
        let parsed = parse(REPORT.as_bytes()).unwrap();
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.report.source_roots, ["/home/ci/src"]);
        assert_eq!(
            parsed.report.files.keys().collect::<Vec<_>>(),
            ["src/a&b.py", "src/empty.py", "src/m.py"]
        );
        // Own lines win over method lines (line 99 is not a record); the second class of the same
        // file merges: line 1 hits add, line 3's branches take the better count.
        assert_eq!(
            states(&parsed, "src/a&b.py"),
            [
                (1, LineState::Hit),
                (2, LineState::Miss),
                (3, LineState::Hit),
                (4, LineState::Hit),
                (5, LineState::Hit),
                (6, LineState::Hit),
            ]
        );
        assert_eq!(
            parsed.report.files["src/a&b.py"]
                .lines
                .get(&1)
                .unwrap()
                .hits,
            4
        );
        assert_eq!(
            states(&parsed, "src/m.py"),
            [(7, LineState::Hit), (8, LineState::Miss)]
        );
        assert!(parsed.report.files["src/empty.py"].lines.is_empty());
    }

    #[test]
    fn partial_and_none_taken_branches() {
        let xml = r#"<coverage><packages><package><classes><class filename="a">
            <lines><line number="1" hits="2" branch="true" condition-coverage="50% (1/2)"/>
            <line number="2" hits="2" branch="true" condition-coverage="0% (0/4)"/></lines>
            </class></classes></package></packages></coverage>"#;
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            states(&parsed, "a"),
            [(1, LineState::Partial), (2, LineState::Partial)]
        );
    }

    #[test]
    fn line_zero_is_dropped_with_a_warning() {
        let xml = r#"<coverage><packages><package><classes><class filename="a"><lines>
            <line number="0" hits="1"/><line number="1" hits="1"/></lines></class></classes></package></packages></coverage>"#;
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.report.totals().lines, 1);
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(
            parsed.warnings[0].location.element.as_deref(),
            Some("coverage/packages/package[0]/classes/class[0]/lines/line[0]/@number")
        );
    }

    #[test]
    fn scoverage_stray_end_tags_are_repaired() {
        let xml = "<coverage><packages><package><classes>\n<class filename=\"a\">\n</methods>\n</lines>\n</class>\n\
                   <class filename=\"b\"><lines><line number=\"2\" hits=\"1\"/></lines></class></classes></package></packages></coverage>";
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(parsed.warnings.len(), 2);
        assert_eq!(parsed.warnings[0].location.line, Some(3));
        assert_eq!(parsed.report.files.len(), 2);
        assert_eq!(parsed.report.totals().lines, 1);
    }

    #[test]
    fn errors_name_the_element_and_line() {
        let xml = "<coverage>\n<packages>\n<package name=\"p\">\n<classes>\n<class filename=\"a\">\n<lines>\n\
                   <line number=\"1\" hits=\"1\"/>\n<line number=\"2\" hits=\"abc\"/>\n</lines></class></classes></package></packages></coverage>";
        let err = parse(xml.as_bytes()).unwrap_err();
        assert_eq!(err.location.line, Some(8));
        assert_eq!(
            err.location.element.as_deref(),
            Some("coverage/packages/package[0]/classes/class[0]/lines/line[1]/@hits")
        );
        assert_eq!(err.message, "expected a number but found \"abc\"");

        let cases: &[(&str, &str)] = &[
            ("<report/>", "expected the root element <coverage>"),
            ("<coverage><class/></coverage>", "expected a filename attribute"),
            ("<coverage><class filename=\"a\"><lines><line hits=\"1\"/></lines></class></coverage>", "expected a number attribute"),
            ("<coverage><class filename=\"a\"><lines><line number=\"1\"/></lines></class></coverage>", "expected a hits attribute"),
            ("<coverage><class filename=\"a\"><lines><line number=\"-1\" hits=\"1\"/></lines></class></coverage>", "expected a line number"),
            ("<coverage></coverage><coverage/>", "one root element"),
            ("<coverage><class filename=\"a\"><lines><line number=\"1\" number=\"2\" hits=\"1\"/></lines></class></coverage>", "malformed attribute"),
            ("<coverage><class filename=\"a&bogus;\"/></coverage>", "valid XML escapes"),
            ("", "expected a root element"),
        ];
        for (xml, message) in cases {
            let err = parse(xml.as_bytes()).unwrap_err();
            assert!(err.location.line.is_some(), "{xml}: {err:?}");
            assert!(err.message.contains(message), "{xml}: {err:?}");
        }
    }

    #[test]
    fn every_truncation_is_an_error() {
        let end = REPORT.find("</coverage>").unwrap();
        for cut in 0..=end {
            let result = parse(&REPORT.as_bytes()[..cut]);
            assert!(result.is_err(), "cut at {cut} parsed");
        }
        assert!(parse(REPORT.as_bytes()).is_ok());
    }

    /// Plain `<line>` elements are read from the raw buffer (`XmlStream::next_simple`): the
    /// locations of warnings and of later syntax errors must still be exact.
    #[test]
    fn plain_lines_keep_exact_locations() {
        let head = "<coverage><packages><package><classes><class filename=\"a\"><lines>\n\
                    <line number=\"1\" hits=\"1\"/>\n\
                    <line number=\"2\" hits=\"1\" branch=\"true\" condition-coverage=\"150% (3/2)\">\n\
                    <conditions>\n<condition number=\"0\" type=\"jump\" coverage=\"150%\"/>\n</conditions>\n</line>\n\
                    <line number=\"0\" hits=\"1\"/>\n";
        let xml = format!("{head}</lines></class></classes></package></packages></coverage>");
        let parsed = parse(xml.as_bytes()).unwrap();
        assert_eq!(
            states(&parsed, "a"),
            [(1, LineState::Hit), (2, LineState::Hit)]
        );
        assert_eq!(parsed.report.files["a"].lines.get(&2).unwrap().hits, 1);
        let found: Vec<_> = parsed
            .warnings
            .iter()
            .map(|w| (w.location.line, w.location.element.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            found,
            [
                (Some(3), "coverage/packages/package[0]/classes/class[0]/lines/line[1]/@condition-coverage"),
                (Some(8), "coverage/packages/package[0]/classes/class[0]/lines/line[2]/@number"),
            ]
        );

        // A syntax error after plain lines: quick-xml's offsets miss the bytes read around it.
        let xml = format!("{head}  <line number=\"4\" hits=\"1\n</lines>");
        let err = parse(xml.as_bytes()).unwrap_err();
        assert_eq!(
            (err.location.line, err.location.column),
            (Some(9), Some(3)),
            "{err:?}"
        );

        // An invalid count in a plain line is reported by the general path.
        let xml = format!("{head}<line number=\"5\" hits=\"x\"/>\n</lines>");
        let err = parse(xml.as_bytes()).unwrap_err();
        assert_eq!(err.location.line, Some(9));
        assert_eq!(
            err.location.element.as_deref(),
            Some("coverage/packages/package[0]/classes/class[0]/lines/line[3]/@hits")
        );
    }

    #[test]
    fn garbage_is_rejected_without_panic() {
        for seed in 1..200 {
            let mut bytes =
                crate::formats::lcov::tests::noise(seed, 1 + (seed as usize * 37) % 4000);
            assert!(parse(bytes.as_slice()).is_err(), "seed {seed}");
            // Noise inside a valid prefix as well.
            bytes.splice(0..0, REPORT.as_bytes()[..400].iter().copied());
            assert!(
                parse(bytes.as_slice()).is_err(),
                "seed {seed} after a prefix"
            );
        }
    }
}
