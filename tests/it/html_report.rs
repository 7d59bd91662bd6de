//! The HTML report (`--html DIR`) and the badge, checked in a real browser: headless Chromium
//! loads the pages from disk, runs their script, and prints the DOM (`--dump-dom`); the tests
//! compare what it shows with the JSON output of the same run.
//!
//! Chromium is required, not optional: `scripts/test.sh` (the README's test command, which `.ci/run` runs) installs it (Debian's `chromium`), and without
//! it these tests fail saying how to install it. `PRCOV_CHROMIUM` names another binary.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;

use super::common::git;

/// The Chromium binary: `$PRCOV_CHROMIUM`, else `chromium` / `chromium-browser` on PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("PRCOV_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Some(dir) = std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .find(|d| d.join(name).is_file())
        {
            return dir.join(name);
        }
    }
    panic!(
        "headless Chromium is needed for the HTML report tests and was not found on PATH: \
         install it with `apt-get update && apt-get install -y chromium` (Debian/Ubuntu; \
         scripts/test.sh does this), or set PRCOV_CHROMIUM to a Chromium or Chrome binary"
    );
}

/// Loads `page` in headless Chromium (script on, nothing fetched) and returns the DOM it built.
fn dump_dom(page: &Path, query: &str) -> String {
    dump_dom_with(page, query, &[])
}

/// [`dump_dom`] with more Chromium flags (`--force-dark-mode`: the system prefers dark).
fn dump_dom_with(page: &Path, query: &str, flags: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}{query}", page.display());
    let out = Std::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=2000",
        ])
        .args(flags)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium could not render {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example")
}

fn prcov(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("prcov").unwrap();
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if ["GITHUB_", "GITLAB_", "CI", "PRCOV_", "GIT_", "RUNNER_"]
            .iter()
            .any(|p| key.starts_with(p))
        {
            c.env_remove(&key);
        }
    }
    c.current_dir(dir).env("NO_COLOR", "1");
    c
}

/// Fails with prcov's stderr unless it exited 0.
fn assert_success(out: &std::process::Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The text from `start` to the next `end` after it, both included.
fn between<'a>(haystack: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = haystack.find(start)?;
    let rest = &haystack[i..];
    Some(&rest[..start.len() + rest[start.len()..].find(end)? + end.len()])
}

/// The text of an HTML fragment: tags dropped, the entities Chromium writes decoded.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// The text of the element whose opening tag holds `start`, up to `end`.
fn inner(haystack: &str, start: &str, end: &str) -> String {
    let fragment = between(haystack, start, end).unwrap_or_else(|| panic!("no {start}"));
    text(&fragment[fragment.find('>').unwrap() + 1..])
}

/// A percent as prcov shows it: rounded down to two decimals, from the JSON's counts.
fn shown_percent(totals: &Value) -> String {
    let (hits, lines) = (
        totals["hits"].as_u64().unwrap(),
        totals["lines"].as_u64().unwrap(),
    );
    if lines == 0 {
        return "n/a".to_owned();
    }
    let h = hits * 10_000 / lines;
    format!("{}.{:02}%", h / 100, h % 100)
}

fn ints(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// The `href` of the first link in an HTML fragment.
fn href(fragment: &str) -> String {
    between(fragment, "href=\"", "\"").unwrap()["href=\"".len()..]
        .trim_end_matches('"')
        .replace("&amp;", "&")
}

/// Checks one file page against the JSON entry of that file: every added coverable line marked
/// with its state (symbol and word), and no other line marked.
fn check_page(page: &Path, file: &Value) {
    let dom = dump_dom(page, "");
    for (key, class, label) in [
        ("hit_lines", "ln added hit", "✔ covered"),
        ("missed_lines", "ln added miss", "✘ missed"),
        ("partial_lines", "ln added partial", "◐ partial"),
    ] {
        let lines = ints(&file[key]);
        for n in &lines {
            let row = between(&dom, &format!("id=\"L{n}\""), "</div>")
                .unwrap_or_else(|| panic!("{}: no line {n}", file["path"]));
            let opening = &dom[..dom.find(&format!("id=\"L{n}\"")).unwrap()];
            let class_attr = &opening[opening.rfind("class=\"").unwrap()..];
            assert!(
                class_attr.starts_with(&format!("class=\"{class}")),
                "{} line {n} should be marked {class}: {class_attr}{row}",
                file["path"]
            );
            assert!(
                text(row).contains(label),
                "{} line {n} should read {label}: {row}",
                file["path"]
            );
        }
        assert_eq!(
            dom.matches(&format!("class=\"{class}")).count(),
            lines.len(),
            "{}: lines marked {class} other than the JSON's {key} {lines:?}",
            file["path"]
        );
    }
    assert_eq!(
        inner(&dom, "id=\"patch-percent\"", "</strong>"),
        shown_percent(&file["patch"])
    );
}

/// The bundled example's HTML report (`prcov diff --html`), and the JSON of the same run.
fn example_report() -> (tempfile::TempDir, PathBuf, Value) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("shop");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--branch",
            "feature",
            &example().join("shop.bundle").display().to_string(),
            "shop",
        ],
    );
    let html = tmp.path().join("html");
    let out = prcov(&repo)
        .args([
            "diff",
            "--base",
            "origin/main",
            "--format",
            "json",
            "--html",
        ])
        .arg(&html)
        .arg(example().join("coverage.xml"))
        .output()
        .unwrap();
    assert_success(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    (tmp, html, json)
}

#[test]
fn the_example_report_shows_what_the_json_says() {
    let (_tmp, html, json) = example_report();
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), 4, "the example changes four measured files");

    let index = dump_dom(&html.join("index.html"), "");
    let patch = between(&index, "id=\"patch-percent\"", "</div>").unwrap();
    assert!(
        text(patch).contains(&shown_percent(&json["patch"])),
        "{patch}"
    );
    let project = between(&index, "id=\"project-percent\"", "</div>").unwrap();
    assert!(
        text(project).contains(&shown_percent(&json["project"])),
        "{project}"
    );
    let changed = between(&index, "<table id=\"changed\"", "</table>").unwrap();
    assert_eq!(changed.matches("<tr data-path=").count(), files.len());
    for file in files {
        let path = file["path"].as_str().unwrap();
        let row = between(changed, &format!("<tr data-path=\"{path}\""), "</tr>")
            .unwrap_or_else(|| panic!("{path} is not listed among the changed files"));
        let cells: Vec<String> = row
            .split("<td")
            .skip(1)
            .map(|c| text(&format!("<td{c}")))
            .collect();
        assert_eq!(cells[0].split(" (from").next().unwrap(), path);
        assert_eq!(cells[1], file["status"].as_str().unwrap());
        assert_eq!(cells[2], shown_percent(&file["patch"]), "{path}");
        check_page(&html.join(href(row)), file);
    }
    // The script runs under the page's policy: a link to a folded line unfolds it, and
    // `?theme=dark` switches the theme.
    let helpers = html.join(href(
        between(changed, "<tr data-path=\"shop/helpers.py\"", "</tr>").unwrap(),
    ));
    let closed = dump_dom(&helpers, "");
    assert!(
        closed.contains("<details class=\"fold\"><summary>"),
        "{closed}"
    );
    let opened = dump_dom(&helpers, "#L1");
    assert!(
        opened.contains("<details class=\"fold\" open=\"\"><summary>"),
        "{opened}"
    );
    assert!(dump_dom(&html.join("index.html"), "?theme=dark")
        .contains("<html lang=\"en\" data-theme=\"dark\">"));
    // Not-measured files are listed, and the project tree holds every file of the report.
    let not_measured = json["not_measured"].as_array().unwrap();
    assert_eq!(
        index.contains("id=\"not-measured\""),
        !not_measured.is_empty()
    );
    for path in not_measured {
        assert!(index.contains(&format!("<li><code>{}</code></li>", path.as_str().unwrap())));
    }
    let tree = between(&index, "<table id=\"tree\"", "</table>").unwrap();
    assert_eq!(tree.matches("<tr class=\"file").count(), 6);
    assert!(tree.contains("data-path=\"shop\" data-parent=\"\""));
}

/// Runs `actions` (script) after the page's own script in a copy of `page` without its policy
/// (which allows the page's script only), and returns what they wrote to `#result`.
fn run_in_page(page: &Path, actions: &str) -> Value {
    run_in_page_with(page, "", &[], actions)
}

/// [`run_in_page`] with a query string and more Chromium flags.
fn run_in_page_with(page: &Path, query: &str, flags: &[&str], actions: &str) -> Value {
    let html = std::fs::read_to_string(page).unwrap();
    let policy = between(&html, "<meta http-equiv=\"Content-Security-Policy\"", ">").unwrap();
    let harness = html.replace(policy, "").replace(
        "</body>",
        &format!("<pre id=\"result\"></pre><script>(function () {{ var out = {{}}; {actions}; document.getElementById('result').textContent = JSON.stringify(out); }})();</script></body>"),
    );
    let copy = page.with_extension("harness.html");
    std::fs::write(&copy, harness).unwrap();
    let dom = dump_dom_with(&copy, query, flags);
    serde_json::from_str(&inner(&dom, "<pre id=\"result\"", "</pre>"))
        .unwrap_or_else(|e| panic!("{e}: {dom}"))
}

/// The page's script, driven like a reader would: a click on a column header sorts, typing
/// filters the tree (keeping the directories above a match), `n`/`p` walk the uncovered lines.
#[test]
fn the_script_sorts_filters_and_walks_the_uncovered_lines() {
    let (_tmp, html, _) = example_report();
    let got = run_in_page(
        &html.join("index.html"),
        "var rows = function (t) { return Array.prototype.map.call(document.querySelectorAll(t + ' tbody tr'), function (r) { return r.hidden ? null : r.getAttribute('data-path'); }).filter(Boolean); };\
         var patch = document.querySelectorAll('#changed th button')[2];\
         patch.click(); out.ascending = rows('#changed');\
         patch.click(); out.descending = rows('#changed');\
         var filter = document.querySelector('input[data-table=tree]');\
         filter.value = 'SHIP'; filter.dispatchEvent(new Event('input')); out.filtered = rows('#tree');\
         filter.value = ''; filter.dispatchEvent(new Event('input')); out.all = rows('#tree').length",
    );
    let by_patch = [
        "shop/helpers.py",
        "shop/shipping.py",
        "shop/invoice.py",
        "tests/test_shipping.py",
    ];
    assert_eq!(got["ascending"], serde_json::json!(by_patch));
    let mut reversed = by_patch;
    reversed.reverse();
    assert_eq!(got["descending"], serde_json::json!(reversed));
    assert_eq!(
        got["filtered"],
        serde_json::json!([
            "shop",
            "shop/shipping.py",
            "tests",
            "tests/test_shipping.py"
        ])
    );
    assert_eq!(got["all"], 8);

    // shop/shipping.py: partial 7 and 12, missed 8, 13 and 18.
    let index = std::fs::read_to_string(html.join("index.html")).unwrap();
    let row = between(&index, "<tr data-path=\"shop/shipping.py\"", "</tr>").unwrap();
    let got = run_in_page(
        &html.join(href(row)),
        "var key = function (k) { document.dispatchEvent(new KeyboardEvent('keydown', { key: k })); return location.hash; };\
         out.keys = [key('n'), key('n'), key('n'), key('p'), key('p'), key('p'), key('j')];\
         out.current = document.querySelectorAll('.ln.current').length",
    );
    assert_eq!(
        got["keys"],
        serde_json::json!(["#L7", "#L8", "#L12", "#L8", "#L7", "#L18", "#L7"])
    );
    assert_eq!(got["current"], 1);

    // Printing unfolds every fold: paper has nothing to click.
    let row = between(&index, "<tr data-path=\"shop/helpers.py\"", "</tr>").unwrap();
    let got = run_in_page(
        &html.join(href(row)),
        "out.before = document.querySelectorAll('details.fold:not([open])').length;\
         window.dispatchEvent(new Event('beforeprint'));\
         out.after = document.querySelectorAll('details.fold:not([open])').length",
    );
    assert_eq!(
        (&got["before"], &got["after"]),
        (&serde_json::json!(1), &serde_json::json!(0))
    );
}

/// Light unless the system prefers dark; `?theme=` overrides either way.
#[test]
fn light_and_dark_follow_the_system_and_the_switch() {
    let (_tmp, html, _) = example_report();
    let (light, dark) = ("rgb(255, 255, 255)", "rgb(13, 17, 23)");
    for (flags, query, expected) in [
        (&[][..], "", light),
        (&["--force-dark-mode"][..], "", dark),
        (&["--force-dark-mode"][..], "?theme=light", light),
        (&[][..], "?theme=dark", dark),
    ] {
        let got = run_in_page_with(
            &html.join("index.html"),
            query,
            flags,
            "out.background = getComputedStyle(document.body).backgroundColor",
        );
        assert_eq!(got["background"], expected, "{flags:?} {query}");
    }
}

/// A fixture built to break out of its text: a file named like a script element and a test
/// failure whose message is HTML with an event handler.
#[test]
fn names_and_messages_from_inputs_are_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.email", "t@example.com"]);
    git(&repo, &["config", "user.name", "T"]);
    git(&repo, &["config", "commit.gpgsign", "false"]);
    std::fs::write(repo.join("README.md"), "readme\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    let name = "<script>alert(1)</script>.py";
    std::fs::create_dir_all(repo.join("<script>alert(1)<")).unwrap();
    std::fs::write(
        repo.join(name),
        "x = '<b>bold</b>'\nif x:\n    y = \"</code></div><script>document.body.setAttribute('data-pwned','2')</script>\"\n",
    )
    .unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "head"]);
    let lcov = tmp.path().join("lcov.info");
    std::fs::write(
        &lcov,
        format!("SF:{name}\nDA:1,1\nDA:2,1\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nDA:3,0\nend_of_record\n"),
    )
    .unwrap();
    let junit = tmp.path().join("junit.xml");
    std::fs::write(
        &junit,
        r#"<testsuites><testsuite name="s" tests="1" failures="1">
<testcase classname="t&lt;i&gt;" name="breaks &lt;b&gt;" file="&lt;script&gt;alert(1)&lt;/script&gt;.py" line="3">
<failure message="expected &lt;img src=x onerror=&quot;document.body.setAttribute('data-pwned','1')&quot;&gt; to be text">trace</failure>
</testcase></testsuite></testsuites>"#,
    )
    .unwrap();
    let html = tmp.path().join("html");
    let out = prcov(&repo)
        .args([
            "publish",
            "--host",
            "github",
            "--repo-slug",
            "o/r",
            "--pr",
            "1",
            "--base",
            "main~1",
        ])
        .arg("--save")
        .arg(tmp.path().join("payload.json"))
        .arg("--junit")
        .arg(&junit)
        .arg("--html")
        .arg(&html)
        .args(["--html-url", "https://ci.example/run/7/report/"])
        .arg(&lcov)
        .output()
        .unwrap();
    assert_success(&out);
    // The comment links to where CI publishes the report.
    let payload: Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("payload.json")).unwrap())
            .unwrap();
    let comment = payload["comment_body"].as_str().unwrap();
    assert!(
        comment.contains("[Open the HTML report](<https://ci.example/run/7/report/>)"),
        "{comment}"
    );

    let index = dump_dom(&html.join("index.html"), "");
    let pages: Vec<_> = std::fs::read_dir(html.join("files")).unwrap().collect();
    assert_eq!(pages.len(), 1);
    let page = dump_dom(&pages[0].as_ref().unwrap().path(), "");
    for dom in [&index, &page] {
        // The page's own script is the only script element; no image was injected, and no
        // injected handler ran.
        assert_eq!(dom.matches("<script").count(), 1, "{dom}");
        assert!(!dom.contains("<img"), "{dom}");
        assert!(!dom.contains("<b>"), "{dom}");
        assert!(!dom.contains("data-pwned=\""), "{dom}");
    }
    assert!(index.contains("&lt;script&gt;alert(1)&lt;/script&gt;.py"));
    assert!(index.contains("expected &lt;img src=x onerror=\"document.body.setAttribute('data-pwned','1')\"&gt; to be text"));
    assert!(index.contains("breaks &lt;b&gt;"));
    // The failure links to the line of that file's page, which marks it.
    let failure = between(&index, "<div class=\"failure\">", "</pre>").unwrap();
    assert!(href(failure).ends_with("#L3"), "{failure}");
    assert!(page.contains("x = '&lt;b&gt;bold&lt;/b&gt;'"));
    let line3 = between(&page, "id=\"L3\"", "test failed").unwrap();
    assert!(line3.contains("✘ missed"), "{line3}");
    let opening = &page[..page.find("id=\"L3\"").unwrap()];
    assert!(
        opening.ends_with("class=\"ln added miss failed\" "),
        "{opening}"
    );
    let line2 = between(&page, "id=\"L2\"", "</div>").unwrap();
    assert!(text(line2).contains("◐ partial 1/2"), "{line2}");
}

/// The badge drawn by Chromium: each text's natural width (in whatever font this machine
/// substitutes for Verdana) fits the box prcov measured for it.
#[test]
fn badge_text_fits_its_box_in_a_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let mut page = String::from("<!DOCTYPE html><html><body>");
    for (name, hits, lines) in [("zero", 0, 7), ("full", 7, 7), ("na", 0, 0)] {
        let lcov = tmp.path().join(format!("{name}.info"));
        let mut text = String::from("SF:a.py\n");
        for l in 1..=lines {
            text.push_str(&format!("DA:{l},{}\n", u32::from(l <= hits)));
        }
        text.push_str("end_of_record\n");
        std::fs::write(&lcov, text).unwrap();
        let svg = tmp.path().join(format!("{name}.svg"));
        let out = prcov(tmp.path())
            .args([
                "report",
                "--no-repo",
                "--allow-nothing-measured",
                "--format",
                "json",
            ])
            .arg("--badge")
            .arg(&svg)
            .arg(&lcov)
            .output()
            .unwrap();
        assert_success(&out);
        page.push_str(&format!(
            "<div id=\"{name}\">{}</div>",
            std::fs::read_to_string(&svg).unwrap()
        ));
    }
    page.push_str(
        "<pre id=\"out\"></pre><script>\
         var out = [];\
         document.querySelectorAll('div').forEach(function (d) {\
           d.querySelectorAll('text[id]').forEach(function (t) {\
             var free = t.cloneNode(true); free.removeAttribute('textLength'); t.parentNode.appendChild(free);\
             out.push(d.id + ' ' + t.id + ' ' + t.textContent + ' natural=' + free.getComputedTextLength().toFixed(1) + ' box=' + t.getAttribute('textLength'));\
             free.remove();\
           });\
         });\
         document.getElementById('out').textContent = out.join('\\n');\
         </script></body></html>",
    );
    let file = tmp.path().join("badges.html");
    std::fs::write(&file, page).unwrap();
    let dom = dump_dom(&file, "");
    let measured = between(&dom, "<pre id=\"out\">", "</pre>").unwrap();
    let measured = text(measured);
    let rows: Vec<&str> = measured
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 6, "{measured}");
    for (row, value) in rows.iter().zip([
        "coverage", "0.00%", "coverage", "100.00%", "coverage", "n/a",
    ]) {
        assert!(row.contains(&format!(" {value} ")), "{row}");
        let natural: f64 = between(row, "natural=", " ").unwrap()["natural=".len()..]
            .trim()
            .parse()
            .unwrap();
        let boxed: f64 = row.rsplit("box=").next().unwrap().parse().unwrap();
        assert!(
            natural > 0.0 && natural <= boxed + 0.5,
            "text wider than its box: {row}"
        );
        assert!(natural >= boxed * 0.8, "box far wider than the text: {row}");
    }
}

mod snapshots {
    //! The pages as a user gets them (the inline style and script, and the policy that hashes
    //! them, are replaced by placeholders: they have their own tests).

    use prcov::analysis::gates::{self, Measured};
    use prcov::analysis::ProjectCoverage;
    use prcov::analysis::{CountingRules, DiffSummary, Gate, GateKind, PatchCoverage, PatchFile};
    use prcov::git::FileStatus;
    use prcov::model::{CoverageReport, LineRecord, LineState, Totals};
    use prcov::render::badge::{self, BadgeOptions};
    use prcov::render::html::{self, LineCoverage, Site, SourcePage, SourceText, View};

    fn placeholders(html: &str) -> String {
        let mut out = html.to_owned();
        for (open, close, name) in [
            ("<style>", "</style>", "style.css"),
            ("<script>", "</script>", "script.js"),
            ("Content-Security-Policy\" content=\"", "\"", "policy"),
            ("name=\"generator\" content=\"", "\"", "generator"),
        ] {
            let start = out.find(open).unwrap() + open.len();
            let end = start + out[start..].find(close).unwrap();
            out.replace_range(start..end, &format!("[{name}]"));
        }
        out
    }

    fn project() -> ProjectCoverage {
        let mut report = CoverageReport::default();
        for (path, lines, hit_every) in [
            ("src/cart.py", 12, 2),
            ("src/pay/card.py", 6, 1),
            ("src/pay/<odd> & name.py", 3, 3),
            ("setup.py", 2, 1),
        ] {
            let file = report.file_mut(path);
            for line in 1..=lines {
                file.add_line(line, LineRecord::new(u64::from(line % hit_every == 0)));
            }
        }
        ProjectCoverage::compute(&report, CountingRules::default())
    }

    fn summary(project: &ProjectCoverage) -> DiffSummary {
        let file = PatchFile {
            path: "src/cart.py".into(),
            old_path: Some("src/basket.py".into()),
            status: FileStatus::Renamed,
            totals: Totals {
                lines: 4,
                hits: 2,
                misses: 1,
                partials: 1,
            },
            hit_lines: vec![10, 12],
            missed_lines: vec![11],
            partial_lines: vec![9],
        };
        let mut s = DiffSummary {
            base: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into(),
            head: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into(),
            revisions: None,
            changed_files: 2,
            outcome: prcov::analysis::Outcome::Measured,
            patch: PatchCoverage {
                totals: file.totals,
                files: vec![file],
                not_measured: vec!["docs/guide.md".into()],
            },
            project: project.totals,
            base_project: Some(Totals {
                lines: 24,
                hits: 14,
                misses: 10,
                partials: 0,
            }),
            unmatched: Vec::new(),
            gates: Vec::new(),
            reports: Vec::new(),
            warnings: Vec::new(),
            links: None,
            history: None,
            monorepo: None,
            percent: prcov::analysis::Percent::default(),
        };
        let m = Measured {
            patch: s.patch.totals.percent(),
            project: s.project.percent(),
            delta: s.delta(),
            ..Measured::default()
        };
        s.gates = gates::evaluate(
            &[Gate {
                kind: GateKind::Patch,
                target: 80.0,
            }],
            &m,
            0.0,
        );
        s
    }

    fn page() -> SourcePage {
        let text: String = (1..=20)
            .map(|i| match i {
                9 => "    if total > 100 and coupon:\n".to_owned(),
                11 => "        return total * 0.9  # <10% off> & \"more\"\n".to_owned(),
                i => format!("    step_{i}()\n"),
            })
            .collect();
        let state = |line| match line {
            9 => LineState::Partial,
            11 => LineState::Miss,
            _ => LineState::Hit,
        };
        SourcePage {
            path: "src/cart.py".into(),
            source: SourceText::Text(text),
            lines: (1..=12)
                .map(|line| LineCoverage {
                    line,
                    state: state(line),
                    branches: (line == 9).then_some((1, 2)),
                })
                .collect(),
            added: vec![9, 10, 11, 12],
        }
    }

    #[test]
    fn index_and_file_page() {
        let project = project();
        let s = summary(&project);
        let page = page();
        let site = Site {
            view: View::Diff(&s),
            project: &project,
            paged: &["src/cart.py"],
            tests: None,
            failure_links: &[],
        };
        assert!(html::page_name("src/cart.py").starts_with("files/src_cart.py."));
        insta::assert_snapshot!("html_index", placeholders(&html::index(&site)));
        insta::assert_snapshot!(
            "html_file_page",
            placeholders(&html::file_page(&page, &site))
        );
    }

    #[test]
    fn badge_svg() {
        let t = Totals {
            lines: 1000,
            hits: 812,
            misses: 150,
            partials: 38,
        };
        insta::assert_snapshot!("badge_81_percent", badge::svg(&t, &BadgeOptions::default()));
    }
}

/// Wrong `--html-url`, `--badge-thresholds`, or an `--html` folder that cannot be made: exit 2
/// and one sentence saying what was expected.
#[test]
fn bad_html_and_badge_options_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let lcov = tmp.path().join("lcov.info");
    std::fs::write(&lcov, "SF:a.py\nDA:1,1\nend_of_record\n").unwrap();
    let blocker = tmp.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let mut errors = String::new();
    for args in [
        vec!["--html-url", "javascript:alert(1)"],
        vec!["--badge", "b.svg", "--badge-thresholds", "90,60,75"],
        vec!["--badge", "b.svg", "--badge-thresholds", "60,75"],
        vec!["--html", "not-a-folder/sub"],
    ] {
        let out = prcov(tmp.path())
            .args(["report", "--no-repo"])
            .args(&args)
            .arg(&lcov)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr)
            .replace(&tmp.path().display().to_string(), "[tmp]");
        errors.push_str(&format!("{}\n{stderr}\n", args.join(" ")));
    }
    // A saved payload has no coverage to draw.
    let out = prcov(tmp.path())
        .args(["publish", "--from", "payload.json", "--html", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    errors.push_str(&format!(
        "publish --from payload.json --html out\n{}",
        String::from_utf8_lossy(&out.stderr)
    ));
    insta::assert_snapshot!("bad_options", errors);
}

/// The pages show the file as the head commit has it, not as the working tree has it now (the
/// reports measured the commit); with `--worktree` the working tree is the head.
#[test]
fn pages_show_the_head_commit_not_the_working_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.email", "t@example.com"],
        &["config", "user.name", "T"],
        &["config", "commit.gpgsign", "false"],
    ] {
        git(&repo, args);
    }
    std::fs::write(repo.join("README.md"), "readme\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(repo.join("a.py"), "committed = 1\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "head"]);
    std::fs::write(repo.join("a.py"), "edited = 2\n").unwrap();
    let lcov = tmp.path().join("lcov.info");
    std::fs::write(&lcov, "SF:a.py\nDA:1,1\nend_of_record\n").unwrap();
    for (extra, shown, hidden) in [
        (&[][..], "committed = 1", "edited"),
        (&["--worktree"][..], "edited = 2", "committed"),
    ] {
        let html = tmp.path().join(format!("html{}", extra.len()));
        let out = prcov(&repo)
            .args(["diff", "--base", "main~1", "--format", "json", "--html"])
            .arg(&html)
            .args(extra)
            .arg(&lcov)
            .output()
            .unwrap();
        assert_success(&out);
        let page =
            std::fs::read_to_string(html.join(prcov::render::html::page_name("a.py"))).unwrap();
        assert!(
            page.contains(&format!("<code>{shown}</code>")),
            "{extra:?}: {page}"
        );
        assert!(!page.contains(hidden), "{extra:?}: {page}");
    }
}
