//! The PR comment rendered as GitHub renders it (comrak, GFM extensions, raw HTML allowed as
//! GitHub allows `<details>`): every file path and test name reads literally in the HTML text,
//! the structure holds (gate table, balanced `<details>`, no HTML comment), links point at the
//! head commit, and the body stays under 65,536 characters (issue 12 item 3, issue 11 item 3).

use prcov::analysis::gates::{self, Measured, TestsRun};
use prcov::analysis::test_summary::{summarize, TestSummary, DEFAULT_SLOWEST};
use prcov::analysis::{
    DiffSummary, Gate, GateKind, LinkStyle, Outcome, PatchCoverage, PatchFile, SourceLinks,
};
use prcov::exit;
use prcov::formats::junit;
use prcov::model::test_results::TestResults;
use prcov::model::Totals;
use prcov::render::limits::COMMENT_MAX;
use prcov::render::plan::HostKind;
use prcov::render::publish::{self, Target, TestsBrief};
use prcov::render::test_summary;

use crate::common::patch_file as file;

const HEAD: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
const BASE: &str = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";

/// A summary with a patch gate (80 %) and, when tests are given, a tests gate.
fn summary(
    files: Vec<PatchFile>,
    not_measured: Vec<String>,
    links: Option<SourceLinks>,
    tests: Option<&TestSummary>,
) -> DiffSummary {
    let mut totals = Totals::default();
    for f in &files {
        totals += f.totals;
    }
    let changed_files = files.len() + not_measured.len();
    let mut s = DiffSummary {
        base: BASE.into(),
        head: HEAD.into(),
        revisions: None,
        changed_files,
        outcome: Outcome::Measured,
        patch: PatchCoverage {
            totals,
            files,
            not_measured,
        },
        project: Totals {
            lines: 1000,
            hits: 800,
            misses: 180,
            partials: 20,
        },
        base_project: None,
        unmatched: Vec::new(),
        gates: Vec::new(),
        reports: Vec::new(),
        warnings: Vec::new(),
        links,
        history: None,
        monorepo: None,
        percent: prcov::analysis::Percent::default(),
    };
    let mut wanted = vec![Gate {
        kind: GateKind::Patch,
        target: 80.0,
    }];
    if tests.is_some() {
        wanted.push(Gate {
            kind: GateKind::Tests,
            target: 0.0,
        });
    }
    let m = Measured {
        patch: s.patch.totals.percent(),
        project: s.project.percent(),
        changed_files: Some(changed_files as u64),
        tests_run: tests.map(TestSummary::run).or(Some(TestsRun {
            failed: 0,
            total: 1,
            skipped: 0,
        })),
        ..Measured::default()
    };
    s.gates = gates::evaluate(&wanted, &m, 0.0);
    s
}

fn github() -> Option<SourceLinks> {
    Some(SourceLinks {
        web_url: "https://github.com/acme/shop".into(),
        style: LinkStyle::Github,
    })
}

fn body(s: &DiffSummary, tests: Option<&TestSummary>, host: HostKind) -> String {
    let brief = tests.map(|t| TestsBrief {
        phrase: t.counts_phrase(),
        section: test_summary::comment_section(t, 24_000),
        failures_at: Vec::new(),
    });
    publish::plan(s, brief.as_ref(), &target(host)).comment_body
}

fn target(host: HostKind) -> Target {
    Target {
        host,
        repository: "acme/shop".into(),
        pr: Some(42),
        head_sha: HEAD.into(),
        comment_key: "default".into(),
        html_url: None,
        section: None,
        comment_skipped: None,
        hide: Default::default(),
    }
}

/// GitHub's renderer, as near as a crate gets: GFM extensions, raw HTML kept (GitHub keeps
/// `<details>`/`<summary>`; its tag filter only disarms tags prcov never writes).
fn render(markdown: &str) -> String {
    let mut options = comrak::Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.tasklist = true;
    options.render.r#unsafe = true;
    comrak::markdown_to_html(markdown, &options)
}

/// The text a reader sees: tags and HTML comments removed, entities decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |e| e + 3)
        } else {
            rest.find('>').map_or(rest.len(), |e| e + 1)
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// How a value reads on the page: control characters written out (`\n`).
fn shown(value: &str) -> String {
    value.replace('\n', "\\n").replace('\t', "\\t")
}

/// Every check of the rendered comment; `names` must read literally.
fn check(markdown: &str, names: &[String], link_prefix: Option<&str>) -> String {
    assert!(
        markdown.chars().count() < COMMENT_MAX,
        "{} characters",
        markdown.chars().count()
    );
    let html = render(markdown);
    assert!(!html.contains("<!--"), "an HTML comment opened:\n{html}");
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count(),
        "unbalanced <details>:\n{html}"
    );
    // The gate table is a real table, with its header and the patch gate's row.
    assert!(
        html.contains("<th>Gate</th>") && html.contains("<td>patch</td>"),
        "no gate table:\n{html}"
    );
    let text = visible_text(&html);
    for n in names {
        assert!(
            text.contains(&shown(n)),
            "{n:?} does not read literally in:\n{text}"
        );
    }
    if let Some(prefix) = link_prefix {
        let hrefs: Vec<&str> = html
            .split("href=\"")
            .skip(1)
            .filter_map(|h| h.split('"').next())
            .collect();
        assert!(!hrefs.is_empty(), "no links:\n{html}");
        for h in hrefs {
            assert!(h.starts_with(prefix), "{h} does not point at {prefix}");
        }
    }
    html
}

#[test]
fn python_package_paths_read_literally_and_link_to_the_head_commit() {
    let paths = [
        "tabulate/__init__.py",
        "tabulate/core/__init__.py",
        "tabulate/_wide_chars_.py",
    ];
    let files = vec![
        file(paths[0], &[1, 2], &[10, 11], &[169]),
        file(paths[1], &[1], &[3], &[]),
        file(paths[2], &[], &[7, 8, 9], &[20]),
    ];
    let s = summary(files, vec!["tabulate/*stars*.py".into()], github(), None);
    let md = body(&s, None, HostKind::Github);
    let mut names: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
    names.push("tabulate/*stars*.py".into());
    let html = check(
        &md,
        &names,
        Some(&format!("https://github.com/acme/shop/blob/{HEAD}/")),
    );
    // Missing and partial ranges are told apart, each linking to its lines.
    assert!(html.contains(&format!(
        "<a href=\"https://github.com/acme/shop/blob/{HEAD}/tabulate/__init__.py#L10-L11\">L10-11</a>"
    )));
    assert!(html.contains(&format!(
        "<a href=\"https://github.com/acme/shop/blob/{HEAD}/tabulate/__init__.py#L169\">L169</a>"
    )));
    insta::assert_snapshot!("python_package", md);
}

#[test]
fn hostile_names_cannot_change_the_comment_structure() {
    let evil_files = [
        "src/a\n\n<!--.py",
        "src/</details>.py",
        "src/| x |.py",
        "src/`tick`.py",
        "src/-->end.py",
    ];
    let files: Vec<PatchFile> = evil_files
        .iter()
        .map(|p| file(p, &[1], &[2], &[]))
        .collect();
    let mut xml = String::from("<testsuite name=\"s\">");
    let evil_tests = [
        "t&#10;&#10;&lt;!--",
        "t&lt;/details&gt;",
        "t| x |",
        "t`tick`",
    ];
    for (i, n) in evil_tests.iter().enumerate() {
        xml.push_str(&format!(
            "<testcase classname=\"evil\" name=\"{n}\" file=\"tests/t{i}.py\"><failure message=\"boom {i} &lt;/details&gt; | x |\">trace\n&lt;!--\n</failure></testcase>"
        ));
    }
    xml.push_str("</testsuite>");
    let tests = summarize(
        &TestResults::merge([junit::parse(xml.as_bytes()).expect("parses")]),
        DEFAULT_SLOWEST,
    );
    let s = summary(
        files,
        vec!["docs/<!--hidden-->.py".into()],
        github(),
        Some(&tests),
    );
    let md = body(&s, Some(&tests), HostKind::Github);
    let mut names: Vec<String> = evil_files.iter().map(|p| (*p).to_owned()).collect();
    names.extend(
        ["t\n\n<!--", "t</details>", "t| x |", "t`tick`"]
            .iter()
            .map(|n| (*n).to_owned()),
    );
    names.push("docs/<!--hidden-->.py".into());
    let html = check(
        &md,
        &names,
        Some(&format!("https://github.com/acme/shop/blob/{HEAD}/")),
    );
    // The tests gate's row is there too: the table was not ended by a name.
    assert!(html.contains("<td>tests</td>"), "{html}");
    insta::assert_snapshot!("hostile_names", md);
}

/// 87 failures of one network cause (differing addresses, ports and ids) and 5 distinct ones.
fn clustered_tests() -> TestSummary {
    summarize(
        &TestResults::merge([junit::parse(clustered_xml().as_bytes()).expect("parses")]),
        DEFAULT_SLOWEST,
    )
}

fn clustered_xml() -> String {
    let mut xml = String::from("<testsuites><testsuite name=\"pytest\">");
    let trace: String = (1..=40)
        .map(|i| format!("  File \"/usr/lib/python3/site-packages/urllib3/connection.py\", line {i}, in connect\n"))
        .collect();
    for i in 0..87 {
        let module = ["test_api", "test_client", "test_sync"][i % 3];
        xml.push_str(&format!(
            "<testcase classname=\"tests.{module}\" name=\"test_fetch_{i:02}\" file=\"tests/{module}.py\" line=\"{}\"><failure message=\"requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.com', port={}): Max retries exceeded with url: /v1/items/{i} (Caused by NewConnectionError('&lt;urllib3.connection.HTTPSConnection object at 0x7f{:06x}&gt;: Failed to establish a new connection: [Errno -2] Name or service not known'))\">Traceback (most recent call last):\n{trace}requests.exceptions.ConnectionError</failure></testcase>",
            10 + i,
            443 + i,
            0x3a9c00 + i * 16
        ));
    }
    for (i, msg) in [
        "AssertionError: assert 'a' == 'b'",
        "KeyError: 'price'",
        "ZeroDivisionError: division by zero",
        "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        "ValueError: invalid literal for int() with base 10: 'x'",
    ]
    .iter()
    .enumerate()
    {
        xml.push_str(&format!(
            "<testcase classname=\"tests.test_model\" name=\"test_case_{i}\" file=\"tests/test_model.py\" line=\"{}\"><failure message=\"{}\">{}</failure></testcase>",
            100 + i,
            msg.replace('\'', "&apos;"),
            msg.replace('\'', "&apos;")
        ));
    }
    for i in 0..310 {
        xml.push_str(&format!(
            "<testcase classname=\"tests.test_ok\" name=\"test_ok_{i}\"/>"
        ));
    }
    xml.push_str("</testsuite></testsuites>");
    xml
}

#[test]
fn prcov_tests_groups_by_cause_and_cuts_output_to_max_output_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junit.xml");
    std::fs::write(&path, clustered_xml()).unwrap();
    let out = assert_cmd::Command::cargo_bin("prcov")
        .unwrap()
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .args(["tests", "--slowest", "0", "--max-output-lines", "3"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::SUCCESS)));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\n87 tests failed with: requests.exceptions.ConnectionError"));
    assert!(text.contains("      … 41 more line(s) (--max-output-lines N shows more)\n"));
    // Three outputs for the big cause, one for each of the five others.
    assert_eq!(text.matches("  ✗ ").count(), 3 + 5);
    assert!(text.lines().count() < 60, "{text}");
}

#[test]
fn eighty_seven_failures_of_one_cause_and_five_others() {
    let tests = clustered_tests();
    assert_eq!(tests.clusters.len(), 6);
    assert_eq!(tests.clusters[0].members.len(), 87);
    let s = summary(
        vec![file("src/shop/api.py", &[1, 2, 3], &[4], &[])],
        Vec::new(),
        github(),
        Some(&tests),
    );
    let md = body(&s, Some(&tests), HostKind::Github);
    // Every failed test's name, grouped by file, and the cause of the 87 once.
    let names: Vec<String> = tests
        .failures
        .iter()
        .map(|f| f.name.clone().unwrap())
        .collect();
    let html = check(
        &md,
        &names,
        Some(&format!("https://github.com/acme/shop/blob/{HEAD}/")),
    );
    assert!(
        md.contains("87 tests failed with `requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.example.com', port=443)")
            && md.contains(" … ") && md.contains("Name or service not known'))`"),
        "{md}"
    );
    // The tests gate fails first in the verdict and in the check run's title.
    assert!(
        md.starts_with(":x: **2 of 2 gates failed:** tests 92 failed"),
        "{md}"
    );
    let brief = TestsBrief {
        phrase: tests.counts_phrase(),
        section: test_summary::comment_section(&tests, 24_000),
        failures_at: Vec::new(),
    };
    let check = publish::plan(&s, Some(&brief), &target(HostKind::Github))
        .check_run
        .unwrap();
    assert_eq!(
        check.title,
        "2 of 2 gates failed: tests 92 failed (target 0 failed); patch 75.00% (target ≥ 80.00%)"
    );
    // Full output only for the first three of each cause, each cut to 30 lines.
    assert_eq!(html.matches("<details>").count(), 3 + 5);
    assert!(md.contains("more line(s) in the report"), "{md}");
    insta::assert_snapshot!("clustered_comment", md);
    insta::assert_snapshot!("clustered_tests_text", test_summary::text_with(&tests, 5));
}

#[test]
fn two_thousand_changed_files_stay_under_the_limit() {
    let files: Vec<PatchFile> = (0..2000)
        .map(|i| {
            file(
                &format!("pkg/module_{i:04}/__init__.py"),
                &[1],
                &(2..40).step_by(2).collect::<Vec<u32>>(),
                &[41],
            )
        })
        .collect();
    let first = files[0].path.clone();
    let s = summary(files, Vec::new(), github(), None);
    let md = body(&s, None, HostKind::Github);
    let html = check(
        &md,
        &[first],
        Some(&format!("https://github.com/acme/shop/blob/{HEAD}/")),
    );
    assert!(
        md.contains("more files |"),
        "the table says what it left out"
    );
    assert!(html.contains("<td>patch</td>"));
}

#[test]
fn gitlab_merge_request_links_use_gitlab_anchors() {
    let s = summary(
        vec![file("app/models/__init__.py", &[1], &[10, 11], &[12])],
        Vec::new(),
        Some(SourceLinks {
            web_url: "https://gitlab.example.com/group/shop".into(),
            style: LinkStyle::Gitlab,
        }),
        None,
    );
    let md = body(&s, None, HostKind::Gitlab);
    let html = check(
        &md,
        &["app/models/__init__.py".to_owned()],
        Some(&format!(
            "https://gitlab.example.com/group/shop/-/blob/{HEAD}/"
        )),
    );
    assert!(html.contains(&format!(
        "href=\"https://gitlab.example.com/group/shop/-/blob/{HEAD}/app/models/__init__.py#L10-11\""
    )));
    insta::assert_snapshot!("gitlab_mr", md);
}

#[test]
fn without_a_web_address_files_are_plain_text() {
    let s = summary(
        vec![file("lib/__init__.py", &[1], &[2], &[])],
        Vec::new(),
        None,
        None,
    );
    let md = body(&s, None, HostKind::Github);
    let html = check(&md, &["lib/__init__.py".to_owned()], None);
    assert!(!html.contains("href="), "{html}");
}
