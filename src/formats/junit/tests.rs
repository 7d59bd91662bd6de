use std::sync::Arc;

use quick_xml::events::BytesStart;

use super::attributes::{plain_decimal, read_attributes};
use super::frames::{pick_location, scan_frames};
use super::pipeline::BATCH_TEXT;
use super::*;
use crate::model::test_results::{Frame, TestOutcome, TestResults};

fn parse_str(s: &str) -> Result<ParsedTests, FormatError> {
    parse(s.as_bytes())
}

/// A report of `cases` test cases with output, over the threaded-read threshold, and the
/// line each case starts on. Case 1000 fails.
fn big_report(cases: usize) -> (String, Vec<u64>) {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<testsuite name=\"s\">\n");
    let mut lines = Vec::new();
    let mut line = 3;
    for i in 0..cases {
        lines.push(line);
        xml.push_str(&format!(
            "<testcase name=\"t{i}\" classname=\"C\" time=\"0.5\">\n"
        ));
        if i == 1000 {
            xml.push_str("<failure message=\"boom\">at a.b.C.t(C.java:7)</failure>\n");
            line += 1;
        }
        xml.push_str("<system-out><![CDATA[");
        xml.push_str(&"log line with <, & and ]] in it\n".repeat(8));
        xml.push_str("]]></system-out>\n</testcase>\n");
        line += 11;
    }
    xml.push_str("</testsuite>\n");
    (xml, lines)
}

#[test]
fn large_files_tokenized_on_a_second_thread_parse_the_same() {
    let (mut xml, lines) = big_report(20_000);
    assert!(xml.len() as u64 > THREADED_MIN + 8 * BATCH_TEXT as u64);
    // A warning far into the file: its line must survive the batches.
    let at = xml
        .find("name=\"t15000\" classname=\"C\" time=\"0.5\"")
        .unwrap();
    xml.replace_range(at..at + 38, "name=\"t15000\" classname=\"C\" time=\"x.5\"");
    let threaded = parse_sized(xml.as_bytes(), xml.len() as u64).unwrap();
    let parsed = parse_str(&xml).unwrap();
    let warnings = threaded.warnings.clone();
    let loaded = TestResults::merge(vec![threaded]);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].location, parsed.warnings[0].location);
    assert_eq!(warnings[0].location.line, Some(lines[15_000]));
    assert_eq!(
        warnings[0].location.element.as_deref(),
        Some("testsuite[0]/testcase[15000]/@time")
    );
    assert_eq!(loaded.cases[15_000].time(), None);
    assert_eq!(loaded.cases.len(), 20_000);
    assert_eq!(loaded.cases, parsed.cases);
    assert_eq!(loaded.counts().failed, 1);
    assert_eq!(loaded.duration, 9_999.5);
}

#[test]
fn errors_in_large_files_have_their_line() {
    let (mut xml, lines) = big_report(20_000);
    // Misspell the end tag of case 19,000, megabytes into the file (the last of its 11
    // lines: start tag, 8 lines of output, end of output, end tag).
    let at = xml.find("<testcase name=\"t19000\"").unwrap();
    let end = at + xml[at..].find("</testcase>").unwrap();
    xml.replace_range(end..end + 11, "</testcasf>");
    let location = parse_sized(xml.as_bytes(), xml.len() as u64)
        .unwrap_err()
        .location;
    assert_eq!(location.line, Some(lines[19_000] + 10));
    let direct = parse_str(&xml).unwrap_err();
    assert_eq!(direct.location, location);
}

#[test]
fn bare_testcase_root() {
    let p = parse_str(
        r#"<testcase name="t" classname="c" time="0.5"><error message="boom"/></testcase>"#,
    )
    .unwrap();
    assert_eq!(p.cases.len(), 1);
    assert_eq!(p.cases[0].outcome(), TestOutcome::Errored);
    assert_eq!(p.cases[0].id.suite, None);
    assert_eq!(p.duration, 0.5);
}

#[test]
fn times_in_the_formats_tools_write() {
    assert_eq!(parse_time("1.5"), Some(1.5));
    assert_eq!(parse_time(" 2 "), Some(2.0));
    assert_eq!(parse_time("1,234.5"), Some(1234.5));
    assert_eq!(parse_time("1,234"), Some(1234.0));
    assert_eq!(parse_time("0,25"), Some(0.25));
    assert_eq!(parse_time("3.5s"), Some(3.5));
    assert_eq!(parse_time("1.4e-05"), Some(1.4e-05));
    assert_eq!(parse_time("01:02:03.5"), Some(3723.5));
    assert_eq!(parse_time("<<computed>>"), None);
    assert_eq!(parse_time("-1"), None);
    assert_eq!(parse_time("NaN"), None);
    assert_eq!(parse_time(""), None);
}

#[test]
fn plain_decimal_times_equal_the_general_parser() {
    for s in [
        "0.039",
        "10.000",
        "7",
        "007",
        "123456789.012345",
        "0.1",
        "2.675",
    ] {
        assert_eq!(plain_decimal(s), Some(s.parse::<f64>().unwrap()), "{s}");
    }
    // Left to the general parser.
    for s in [
        "",
        ".5",
        "1.",
        "1.2.3",
        "1e-05",
        " 1",
        "1,5",
        "-1",
        "1234567890123456",
    ] {
        assert_eq!(plain_decimal(s), None, "{s}");
    }
    assert_eq!(parse_time("1234567890123456"), Some(1234567890123456.0));
}

#[test]
fn attributes_the_shortcut_leaves_to_quick_xml_read_the_same() {
    let p = parse_str(
        "<testsuite name='s'>\n\
         <testcase name=\"a &amp; b\" classname=\"C\" time=\"1.5\"/>\n\
         <testcase name=\"tab\there\" classname='C' time = \"2\"/>\n\
         <testcase\n  name=\"multi\"\n  classname=\"C\" name=\"second\"/>\n\
         <testcase name=\"x\" classname=\"C\" time=\"&bogus;\"/>\n\
         </testsuite>",
    )
    .unwrap();
    let names: Vec<_> = p.cases.iter().map(|c| c.id.name.as_deref()).collect();
    assert_eq!(
        names,
        [Some("a & b"), Some("tab here"), Some("multi"), Some("x")]
    );
    let times: Vec<_> = p.cases.iter().map(|c| c.attempts[0].time).collect();
    assert_eq!(times, [Some(1.5), Some(2.0), None, None]);
    assert_eq!(p.cases[0].id.suite.as_deref(), Some("s"));
    // The unknown entity is kept as written, with a warning, as before the shortcut.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("attribute time")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn attributes_read_ahead_only_when_written_plainly() {
    let spans_of = |content: &str, name_len: usize| {
        let mut spans = Vec::new();
        read_attributes(&BytesStart::from_content(content, name_len), &mut spans);
        spans
    };
    let tag = r#"testcase time="1.5" name="t"  classname='C' extra="&amp;""#;
    // `&` outside the wanted values still sends the tag to quick-xml's reader.
    assert!(spans_of(tag, 8).is_empty());
    let tag = r#"testcase time="1.5" name="t"  classname='C'"#;
    let spans = spans_of(tag, 8);
    let raw = &tag[8..];
    let values: Vec<_> = spans
        .iter()
        .map(|s| s.map(|(a, b)| &raw[a as usize..b as usize]))
        .collect();
    assert_eq!(values, [Some("t"), Some("C"), Some("1.5"), None, None]);
    // Elements whose attributes are not read get none.
    assert!(spans_of(r#"properties a="b""#, 10).is_empty());
    assert_eq!(spans_of(r#"failure message="m""#, 7).len(), 3);
}

#[test]
fn cases_of_one_class_share_its_strings() {
    let p = parse_str(
        r#"<testsuite name="s"><testcase name="a" classname="C" file="c.py"/><testcase name="b" classname="C" file="c.py"/></testsuite>"#,
    )
    .unwrap();
    let (a, b) = (&p.cases[0], &p.cases[1]);
    assert!(Arc::ptr_eq(
        a.id.classname.as_ref().unwrap(),
        b.id.classname.as_ref().unwrap()
    ));
    assert!(Arc::ptr_eq(
        a.file.as_ref().unwrap(),
        b.file.as_ref().unwrap()
    ));
}

#[test]
fn errors_carry_line_column_and_element() {
    let err = parse_str("<testsuites>\n  <testsuite name=\"s\">\n    <testcase name=\"a\">\n  </testsuite>\n</testsuites>")
        .unwrap_err();
    assert_eq!(err.location.line, Some(4));
    assert!(err.message.contains("not well-formed"), "{}", err.message);
    assert_eq!(
        err.location.element.as_deref(),
        Some("testsuites[0]/testsuite[0]/testcase[0]")
    );
}

#[test]
fn truncated_file_names_the_open_element() {
    let err = parse_str("<testsuite name=\"s\">\n<testcase name=\"a\"/>\n<testcase name=\"b\">")
        .unwrap_err();
    assert!(
        err.message.contains("<testcase> is not closed"),
        "{}",
        err.message
    );
    assert_eq!(err.location.line, Some(3));
    assert_eq!(
        err.location.element.as_deref(),
        Some("testsuite[0]/testcase[1]")
    );
}

#[test]
fn wrong_root_and_empty_input_are_errors() {
    let err = parse_str("<?xml version=\"1.0\"?>\n<suites><suite/></suites>").unwrap_err();
    assert!(
        err.message.contains("root element is <suites>"),
        "{}",
        err.message
    );
    assert_eq!(err.location.line, Some(2));
    let err = parse_str("").unwrap_err();
    assert!(err.message.contains("no XML element"), "{}", err.message);
}

#[test]
fn surefire_flaky_and_rerun_elements_become_attempts() {
    let p = parse_str(
        r#"<testsuite name="s" tests="2">
<testcase name="flaky" classname="C" time="1">
  <flakyFailure message="first" type="AssertionError"><stackTrace>at a.b.C.t(C.java:12)</stackTrace><system-out>noise at x.y.Z.q(Z.java:1)</system-out></flakyFailure>
  <flakyError message="second"/>
</testcase>
<testcase name="broken" classname="C" time="1">
  <failure message="one"/><rerunFailure message="two"/><rerunError message="three"/>
</testcase>
</testsuite>"#,
    )
    .unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let flaky = &p.cases[0];
    assert_eq!(flaky.outcome(), TestOutcome::Passed);
    assert_eq!((flaky.attempts.len(), flaky.passed_on()), (3, Some(3)));
    let (_, f) = flaky.last_failure().unwrap();
    assert_eq!(f.message.as_deref(), Some("second"));
    let (_, first) = flaky.attempts[0].failure().unwrap();
    assert_eq!(first.details.as_deref(), Some("at a.b.C.t(C.java:12)"));
    assert_eq!(
        first.location,
        Some(Frame {
            file: "a/b/C.java".into(),
            line: 12
        })
    );
    let broken = &p.cases[1];
    assert_eq!(broken.outcome(), TestOutcome::Failed);
    let outcomes: Vec<_> = broken.attempts.iter().map(|a| a.outcome).collect();
    assert_eq!(
        outcomes,
        [
            TestOutcome::Failed,
            TestOutcome::Errored,
            TestOutcome::Failed
        ]
    );
    let (_, f) = broken.failure().unwrap();
    assert_eq!(f.message.as_deref(), Some("one"));
    assert!(!broken.is_flaky());
}

#[test]
fn suite_counts_that_disagree_warn() {
    let p = parse_str(r#"<testsuite name="s" tests="3" failures="0"><testcase name="a"><failure/></testcase></testsuite>"#)
        .unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(
        p.warnings[0].message,
        "suite \"s\" says tests=3 but 1 found, failures=0 but 1 found; counting the <testcase> elements"
    );
}

#[test]
fn a_nested_suite_warns_at_its_own_start_tag_and_path() {
    let p = parse_str(
        "<testsuites>\n<testsuite name=\"a\"/>\n<testsuite name=\"a\">\n  <testsuite name=\"inner\" tests=\"2\">\n<testcase name=\"t\"/></testsuite></testsuite></testsuites>",
    )
    .unwrap();
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    let at = &p.warnings[0].location;
    assert_eq!((at.line, at.column), (Some(4), Some(3)));
    assert_eq!(
        at.element.as_deref(),
        Some("testsuites[0]/testsuite[1]/testsuite[0]")
    );
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error_with_its_place() {
    let nested = |levels: usize| {
        format!(
            "<testsuites>\n{}<testcase name=\"t\"/>{}</testsuites>",
            "<testsuite name=\"s\">".repeat(levels - 2),
            "</testsuite>".repeat(levels - 2)
        )
    };
    let at_limit = parse_str(&nested(MAX_DEPTH)).unwrap();
    assert_eq!(at_limit.cases.len(), 1);
    let err = parse_str(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(
        err.message,
        "elements nested more than 1000 levels deep; a JUnit report nests a few"
    );
    // The 1001st element is the <testcase> after 999 suites.
    let column = 1 + (MAX_DEPTH as u64 - 1) * "<testsuite name=\"s\">".len() as u64;
    assert_eq!(
        (err.location.line, err.location.column),
        (Some(2), Some(column))
    );
    // The path names both ends and elides the middle.
    let suite = "testsuite[0]/".repeat(7);
    assert_eq!(
        err.location.element.as_deref(),
        Some(format!("testsuites[0]/{suite}…(984 more)…/{suite}testsuite[0]").as_str())
    );
}

#[test]
fn many_differently_named_siblings_get_their_own_indexes() {
    let mut xml = String::from("<testsuite name=\"s\">");
    for i in 0..100 {
        xml.push_str(&format!("<x{i}/><x{i}/>"));
    }
    // The third <x57> is at index 2: counts survive the switch from a list to a map.
    xml.push_str("<x57><bad");
    let err = parse_str(&xml).unwrap_err();
    assert_eq!(err.location.element.as_deref(), Some("testsuite[0]/x57[2]"));
}

#[test]
fn entities_cdata_and_big_bodies() {
    let big = "x".repeat(3 * DETAILS_KEEP);
    let xml = format!(
        "<testsuite><testcase name=\"a &amp; b\" classname=\"c&#10;d\"><failure message=\"m &lt;1&gt;\">&#x41;&amp;<![CDATA[<raw>]]>{big}</failure></testcase></testsuite>"
    );
    let p = parse_str(&xml).unwrap();
    let c = &p.cases[0];
    assert_eq!(c.id.name.as_deref(), Some("a & b"));
    assert_eq!(c.id.classname.as_deref(), Some("c\nd"));
    let (_, f) = c.failure().unwrap();
    assert_eq!(f.message.as_deref(), Some("m <1>"));
    let details = f.details.as_deref().unwrap();
    assert!(details.starts_with("A&<raw>xxx"));
    assert_eq!(details.len(), DETAILS_KEEP);
    assert_eq!(f.details_len, 3 * DETAILS_KEEP + 7);
}

#[test]
fn texts_longer_than_kept_count_whole_with_line_breaks_normalized() {
    // Bodies past `SCAN_LIMIT` are cut before they reach the builder; their size is still
    // the whole text's, after `\r\n` becomes `\n`, in a text node and in CDATA.
    let lines = SCAN_LIMIT / 4;
    let body = "ab\r\n".repeat(lines);
    let plain = "abc\n".repeat(lines);
    let xml = format!(
        "<testsuite><testcase name=\"t\"><failure>{body}&amp;<![CDATA[{body}]]></failure>\
         <system-out>at a.b.C.t(C.java:7)\r\n{body}</system-out></testcase>\
         <testcase name=\"u\"><error><![CDATA[{body}at a.b.C.u(C.java:9)]]></error></testcase>\
         <testcase name=\"v\"><error>{plain}at a.b.C.v(C.java:11)</error></testcase></testsuite>"
    );
    let p = parse_str(&xml).unwrap();
    let (_, f) = p.cases[0].failure().unwrap();
    assert_eq!(f.details_len, 2 * 3 * lines + 1);
    assert_eq!(f.details.as_deref().map(str::len), Some(DETAILS_KEEP));
    assert!(f.details.as_deref().unwrap().starts_with("ab\nab\n"));
    // No frame in the body: the case's output has one.
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(7));
    // Over `SCAN_LIMIT` bytes as written, under it normalized: searched whole.
    let (_, f) = p.cases[1].failure().unwrap();
    assert_eq!(f.details_len, 3 * lines + 20);
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(9));
    // A frame past the first `SCAN_LIMIT` bytes is not looked for.
    let (_, f) = p.cases[2].failure().unwrap();
    assert_eq!(f.details_len, 4 * lines + 21);
    assert_eq!(f.location, None);
}

#[test]
fn frames_from_each_stack_format() {
    let cases = [
        ("tests/test_a.py:12: AssertionError", "tests/test_a.py", 12),
        (
            "  File \"/src/app/mod.py\", line 7, in f",
            "/src/app/mod.py",
            7,
        ),
        (
            "    at Object.<anonymous> (/home/u/p/src/sum.test.js:4:17)",
            "/home/u/p/src/sum.test.js",
            4,
        ),
        (
            "    at /home/u/p/src/sum.test.ts:9:3",
            "/home/u/p/src/sum.test.ts",
            9,
        ),
        ("    calc_test.go:15: got 3, want 4", "calc_test.go", 15),
        ("\t/home/u/p/calc.go:33 +0x1d", "/home/u/p/calc.go", 33),
        ("thread 't' panicked at src/lib.rs:10:5:", "src/lib.rs", 10),
        (
            "\tat com.acme.Calc$Inner.add(Calc.java:21)",
            "com/acme/Calc.java",
            21,
        ),
    ];
    for (line, file, num) in cases {
        let mut frames = Vec::new();
        scan_frames(line, &mut frames);
        assert_eq!(
            frames,
            [Frame {
                file: file.into(),
                line: num
            }],
            "{line}"
        );
    }
    let mut frames = Vec::new();
    scan_frames(
        "\tat org.junit.Assert.fail(Assert.java:89)\n\tat java.lang.Thread.run(Thread.java:750)\nhttp://x:80/",
        &mut frames,
    );
    assert!(frames.is_empty(), "{frames:?}");
}

#[test]
fn location_is_the_first_project_frame() {
    let frames = vec![
        Frame {
            file: "/venv/lib/python3.12/site-packages/x.py".into(),
            line: 1,
        },
        Frame {
            file: "src/helper.py".into(),
            line: 2,
        },
        Frame {
            file: "tests/test_a.py".into(),
            line: 3,
        },
    ];
    assert_eq!(
        pick_location(&frames, Some("tests/test_a.py"), Some(1)).map(|f| f.line),
        Some(2)
    );
    assert_eq!(
        pick_location(&[], Some("t.py"), Some(5)),
        Some(Frame {
            file: "t.py".into(),
            line: 5
        })
    );
}

#[test]
fn a_name_equal_to_the_class_name_is_one_string() {
    // jest-junit writes `classname` = `name`: 100,000 cases kept each text twice.
    let p = parse_str(
        r#"<testsuite name="s"><testcase classname="A › b" name="A › b"/><testcase classname="A" name="b" line="12"/></testsuite>"#,
    )
    .unwrap();
    let [same, other] = &p.cases[..] else {
        panic!("{:?}", p.cases)
    };
    let (c, n) = (same.id.classname.as_ref(), same.id.name.as_ref());
    assert!(std::sync::Arc::ptr_eq(c.unwrap(), n.unwrap()));
    assert_eq!(other.id.name.as_deref(), Some("b"));
    assert_eq!(other.id.classname.as_deref(), Some("A"));
    assert_eq!(other.line, Some(12));
}
