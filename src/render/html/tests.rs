//! Unit tests of the HTML report: names, escaping, the policy's hashes, folding, the tree.

use base64::Engine as _;

use super::*;
use crate::analysis::{CountingRules, DiffSummary, PatchCoverage, PatchFile};
use crate::git::FileStatus;
use crate::model::{CoverageReport, LineRecord};

fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s.find(start).unwrap() + start.len();
    &s[i..i + s[i..].find(end).unwrap()]
}

fn project(paths: &[(&str, u32)]) -> ProjectCoverage {
    let mut report = CoverageReport::default();
    for (path, lines) in paths {
        let file = report.file_mut(path);
        for line in 1..=*lines {
            file.add_line(line, LineRecord::new(u64::from(line % 2)));
        }
    }
    ProjectCoverage::compute(&report, CountingRules::default())
}

fn diff_summary(files: Vec<PatchFile>) -> DiffSummary {
    let mut totals = Totals::default();
    for f in &files {
        totals += f.totals;
    }
    DiffSummary {
        base: "1a2b3c4d5e6f".into(),
        head: "9f8e7d6c5b4a".into(),
        revisions: None,
        changed_files: files.len(),
        outcome: crate::analysis::Outcome::Measured,
        patch: PatchCoverage {
            totals,
            files,
            not_measured: Vec::new(),
        },
        project: Totals::default(),
        base_project: None,
        unmatched: Vec::new(),
        gates: Vec::new(),
        reports: Vec::new(),
        warnings: Vec::new(),
        links: None,
        history: None,
        monorepo: None,
        percent: crate::analysis::Percent::default(),
    }
}

#[test]
fn page_names_are_safe_stable_and_distinct() {
    let a = page_name("src/a b/<x>.rs");
    assert!(a.starts_with("files/src_a_b__x_.rs."), "{a}");
    assert!(a.ends_with(".html"));
    assert_eq!(a, page_name("src/a b/<x>.rs"));
    // Two paths that read alike get different pages.
    assert_ne!(page_name("a/b.rs"), page_name("a_b.rs"));
    // No hidden file, no way out of the folder.
    assert!(page_name("../../etc/passwd").starts_with("files/_.._etc_passwd."));
    assert!(!page_name(".env").starts_with("files/."));
}

#[test]
fn escaping_covers_markup_quotes_and_controls() {
    assert_eq!(
        esc("<a href=\"x\" title='y'>&</a>\u{0}\tok\n"),
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;\u{fffd}\tok\n"
    );
}

/// The policy allows the inline style and script by hash: the hashes must be those of the text
/// exactly as the page embeds it, or the browser blocks them.
#[test]
fn the_policy_hashes_the_embedded_style_and_script() {
    let page = page("t", "", "<p>body</p>");
    let hash = |s: &str| {
        let d = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(d.as_ref())
    };
    let csp = between(
        &page,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    );
    let style = between(&page, "<style>", "</style>");
    let script = between(&page, "<script>", "</script>");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(
        csp.contains(&format!("style-src 'sha256-{}'", hash(style))),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("script-src 'sha256-{}'", hash(script))),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    // Nothing in the page is loaded from elsewhere.
    assert!(!page.contains("src=\"http"));
    assert!(!page.contains("href=\"http"));
}

/// A file's page in a report of an empty change.
fn render_alone(page: &SourcePage) -> String {
    let summary = diff_summary(Vec::new());
    let site = Site {
        view: View::Diff(&summary),
        project: &ProjectCoverage::default(),
        paged: &[],
        tests: None,
        failure_links: &[],
    };
    file_page(page, &site)
}

fn page_of(added: &[u32], lines: u32) -> SourcePage {
    SourcePage {
        path: "src/f.py".into(),
        source: SourceText::Text((1..=lines).map(|i| format!("line {i}\n")).collect()),
        lines: (1..=lines)
            .step_by(2)
            .map(|line| LineCoverage {
                line,
                state: if line == 15 {
                    LineState::Miss
                } else {
                    LineState::Hit
                },
                branches: None,
            })
            .collect(),
        added: added.to_vec(),
    }
}

#[test]
fn unchanged_lines_away_from_the_change_are_folded() {
    let html = render_alone(&page_of(&[15], 30));
    assert!(
        html.contains("<summary>11 unchanged lines (1–11)</summary>"),
        "{html}"
    );
    assert!(
        html.contains("<summary>12 unchanged lines (19–30)</summary>"),
        "{html}"
    );
    // Lines 12-18 show; only the added line is marked.
    let shown = between(&html, "(1–11)</summary>", "<details");
    for n in 12..=18 {
        assert!(shown.contains(&format!("id=\"L{n}\"")), "line {n}: {shown}");
    }
    assert_eq!(html.matches("class=\"ln added miss\"").count(), 1);
    assert_eq!(html.matches("class=\"ln hit\"").count(), 0);
    // Every line is still in the page, under its anchor.
    for n in 1..=30 {
        assert!(html.contains(&format!("id=\"L{n}\"")));
    }
}

#[test]
fn a_file_the_change_does_not_touch_marks_every_coverable_line() {
    let html = render_alone(&page_of(&[], 30));
    assert!(!html.contains("<details"));
    assert_eq!(html.matches("class=\"ln hit\"").count(), 14);
    assert_eq!(html.matches("class=\"ln miss\"").count(), 1);
}

#[test]
fn the_tree_lists_each_directory_before_its_files() {
    let proj = project(&[("top.c", 2), ("a/y.c", 2), ("a/b/x.c", 4), ("c/z.c", 1)]);
    let summary = diff_summary(vec![PatchFile {
        path: "a/y.c".into(),
        old_path: None,
        status: FileStatus::Added,
        totals: Totals {
            lines: 1,
            hits: 1,
            misses: 0,
            partials: 0,
        },
        hit_lines: vec![1],
        missed_lines: Vec::new(),
        partial_lines: Vec::new(),
    }]);
    let site = Site {
        view: View::Diff(&summary),
        project: &proj,
        paged: &[],
        tests: None,
        failure_links: &[],
    };
    let html = index::render(&site);
    let tree = between(&html, "<table id=\"tree\"", "</table>");
    let rows: Vec<&str> = tree
        .split("<tr class=\"")
        .skip(1)
        .map(|r| between(r, "data-path=\"", "\""))
        .collect();
    assert_eq!(
        rows,
        ["a", "a/b", "a/b/x.c", "a/y.c", "c", "c/z.c", "top.c"]
    );
    // Directory totals: a = 2 + 4 lines, half hit.
    let a = between(tree, "data-path=\"a\"", "</tr>");
    assert!(a.contains("data-v=\"6\">6</td>"), "{a}");
    assert!(a.contains(">50.00%<"), "{a}");
    // Without a page (none was asked for), the changed file is listed, not linked.
    let changed = between(&html, "<table id=\"changed\"", "</table>");
    assert!(changed.contains("<td>a/y.c</td>"), "{changed}");
}

#[test]
fn the_comment_link_is_one_line_and_keeps_the_url_in_one_piece() {
    assert_eq!(link_markdown(None), "");
    let link = link_markdown(Some("https://x.test/a b/<r>\n"));
    assert_eq!(
        link,
        "\n:mag: [Open the HTML report](<https://x.test/a%20b/%3Cr%3E>): annotated source of every changed file.\n"
    );
}

#[test]
fn without_source_the_page_lists_the_lines_and_says_why() {
    let line = |line, state| LineCoverage {
        line,
        state,
        branches: None,
    };
    let html = render_alone(&SourcePage {
        path: "gen/x.c".into(),
        source: SourceText::Unavailable("no git repository to read it from".into()),
        lines: vec![line(2, LineState::Hit), line(5, LineState::Miss)],
        added: Vec::new(),
    });
    assert!(html.contains("Source not shown: no git repository to read it from."));
    let ids: Vec<&str> = html
        .split("id=\"L")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert_eq!(ids, ["2", "5"]);
    assert!(html.contains("class=\"ln miss\" id=\"L5\""));
}

/// The report shows percentages as `[display]` says; the sort keys stay unrounded.
#[test]
fn percentages_follow_the_display_format_and_sort_keys_stay_exact() {
    // Lines 1 and 3 of 3 hit: 66.666…%, in the project and in the patch.
    let proj = project(&[("src/f.py", 3)]);
    let mut summary = diff_summary(vec![PatchFile {
        path: "src/f.py".into(),
        old_path: None,
        status: FileStatus::Added,
        totals: proj.totals,
        hit_lines: vec![1, 3],
        missed_lines: vec![2],
        partial_lines: Vec::new(),
    }]);
    summary.project = proj.totals;
    let render = |summary: &DiffSummary| {
        let site = Site {
            view: View::Diff(summary),
            project: &proj,
            paged: &[],
            tests: None,
            failure_links: &[],
        };
        (index::render(&site), file_page(&page_of(&[1, 3], 3), &site))
    };
    let (html, page) = render(&summary);
    assert!(
        html.contains(">66.66%<") && !html.contains("66.7%"),
        "{html}"
    );
    assert!(page.contains("66.66%"), "{page}");
    summary.percent = crate::analysis::Percent::new(1, crate::analysis::Round::Up).unwrap();
    let (html, page) = render(&summary);
    assert!(
        html.contains(">66.7%<") && !html.contains("66.66%"),
        "{html}"
    );
    assert!(
        page.contains(">66.7%<") && !page.contains("66.66%"),
        "{page}"
    );
    let changed = between(&html, "<table id=\"changed\"", "</table>");
    assert!(
        changed.contains("data-v=\"66.66666666666667\""),
        "{changed}"
    );
}
