//! The index: verdict and gates, patch and project totals, changed files first, failed tests,
//! warnings, then the project tree by directory.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use crate::analysis::{DiffSummary, GateOutcome, Outcome, Percent};
use crate::git::FileStatus;
use crate::model::diag::{self, Warning, WarningDetail};
use crate::model::Totals;
use crate::paths::{Unmatched, UnmatchedReason};
use crate::render::{gate_line, ranges, short_sha};

use super::{esc, page, page_name, percent, sort_value, Site, View};

/// A sortable column header.
fn th(label: &str, numeric: bool) -> String {
    let class = if numeric { " class=\"num\"" } else { "" };
    format!("<th{class}><button type=\"button\">{label}</button></th>")
}

/// A numeric cell that sorts by `value`.
fn num(shown: &str, value: &str) -> String {
    format!("<td class=\"num\" data-v=\"{value}\">{shown}</td>")
}

fn card(out: &mut String, id: &str, title: &str, t: &Totals, extra: &str, p: Percent) {
    let _ = writeln!(
        out,
        "<div class=\"card\"><div>{title}</div><div class=\"big\" id=\"{id}\">{}</div>\
         <div class=\"small\">{} of {} lines covered · {} missed · {} partial{extra}</div></div>",
        percent(t, p),
        t.hits,
        t.lines,
        t.misses,
        t.partials
    );
}

fn delta_text(delta: Option<f64>, p: Percent) -> String {
    delta.map_or_else(String::new, |d| {
        format!(" · <strong>{}%</strong> compared to base", p.delta(d))
    })
}

fn verdict(out: &mut String, gates: &[GateOutcome], sentence: &str) {
    let (class, symbol) = if gates.is_empty() {
        ("none", "")
    } else if gates.iter().all(|g| g.passed) {
        ("pass", "✔ ")
    } else {
        ("fail", "✘ ")
    };
    let gates_phrase = match (gates.is_empty(), gates.iter().filter(|g| !g.passed).count()) {
        (true, _) => String::new(),
        (false, 0) => " Every gate passed.".to_owned(),
        (false, 1) => " 1 gate failed.".to_owned(),
        (false, n) => format!(" {n} gates failed."),
    };
    let _ = writeln!(
        out,
        "<p class=\"verdict {class}\" id=\"verdict\">{symbol}{}{gates_phrase}</p>",
        esc(sentence)
    );
}

fn gates_table(out: &mut String, gates: &[GateOutcome], p: Percent) {
    if gates.is_empty() {
        return;
    }
    out.push_str(
        "<h2>Gates</h2>\n<table id=\"gates\"><thead><tr><th>Gate</th><th>Target</th><th>Actual</th><th>Result</th></tr></thead><tbody>\n",
    );
    for g in gates {
        let (target, actual, verdict) = gate_line(g, p);
        let badge = if g.passed {
            "<span class=\"badge hit\">✔ passed</span>"
        } else {
            "<span class=\"badge miss\">✘ failed</span>"
        };
        let _ = writeln!(
            out,
            "<tr data-gate=\"{}\" data-passed=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td title=\"{verdict}\">{badge}</td></tr>",
            g.label(),
            g.passed,
            g.label(),
            esc(&target),
            esc(&actual)
        );
    }
    out.push_str("</tbody></table>\n");
}

fn patch_sentence(d: &DiffSummary) -> String {
    let p = &d.patch.totals;
    match d.outcome {
        Outcome::EmptyChange => {
            return "Nothing to measure: the change is empty.".to_owned();
        }
        Outcome::NoFileMatched => {
            return "Nothing measured: no report path matches a file of the repository.".to_owned();
        }
        Outcome::NoCoverableLine => {
            return "Nothing measured: the reports hold no coverable line.".to_owned();
        }
        Outcome::Measured => {}
    }
    match d.percent.of(p) {
        None => "No coverable lines changed: coverage not affected.".to_owned(),
        Some(_) if p.missing() == 0 => {
            "All modified and coverable lines are covered by tests.".to_owned()
        }
        Some(pc) => {
            let lines = if p.missing() == 1 { "line" } else { "lines" };
            format!(
                "Patch coverage is {pc}% with {} {lines} in your changes missing coverage.",
                p.missing()
            )
        }
    }
}

fn status_word(s: FileStatus) -> &'static str {
    match s {
        FileStatus::Added => "added",
        FileStatus::Modified => "modified",
        FileStatus::Renamed => "renamed",
        FileStatus::Copied => "copied",
        FileStatus::Deleted => "deleted",
    }
}

/// The changed files, sortable and filterable, linked to their pages.
fn changed_files(out: &mut String, d: &DiffSummary, with_page: &HashSet<&str>) {
    let _ = writeln!(
        out,
        "<h2>Changed files ({})</h2>\n<input class=\"filter\" type=\"search\" placeholder=\"Filter changed files\" aria-label=\"Filter changed files\" data-table=\"changed\">",
        d.patch.files.len()
    );
    let _ = writeln!(
        out,
        "<table id=\"changed\" class=\"sortable\"><thead><tr>{}{}{}{}{}{}{}</tr></thead><tbody>",
        th("File", false),
        th("Status", false),
        th("Patch %", true),
        th("Covered", true),
        th("Missed", true),
        th("Partial", true),
        th("Lines missing coverage", false)
    );
    for f in &d.patch.files {
        let name = if with_page.contains(f.path.as_str()) {
            format!(
                "<a href=\"{}\">{}</a>",
                esc(&page_name(&f.path)),
                esc(&f.path)
            )
        } else {
            esc(&f.path)
        };
        let renamed = f.old_path.as_deref().map_or_else(String::new, |o| {
            format!(" <span class=\"legend\">(from {})</span>", esc(o))
        });
        let missing: Vec<String> = ranges::compact(&f.missing_lines())
            .into_iter()
            .map(|(a, b)| {
                let text = if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                };
                if with_page.contains(f.path.as_str()) {
                    format!("<a href=\"{}#L{a}\">{text}</a>", esc(&page_name(&f.path)))
                } else {
                    text
                }
            })
            .collect();
        let t = &f.totals;
        let _ = writeln!(
            out,
            "<tr data-path=\"{}\"><td>{name}{renamed}</td><td>{}</td>{}{}{}{}<td>{}</td></tr>",
            esc(&f.path),
            status_word(f.status),
            num(&percent(t, d.percent), &sort_value(t)),
            num(&format!("{} / {}", t.hits, t.lines), &t.hits.to_string()),
            num(&t.misses.to_string(), &t.misses.to_string()),
            num(&t.partials.to_string(), &t.partials.to_string()),
            missing.join(", ")
        );
    }
    out.push_str("</tbody></table>\n");
    if !d.patch.not_measured.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"warn\">{} changed file(s) with added lines are not measured by any report:</p>\n<ul id=\"not-measured\">",
            d.patch.not_measured.len()
        );
        for p in &d.patch.not_measured {
            let _ = writeln!(out, "<li><code>{}</code></li>", esc(p));
        }
        out.push_str("</ul>\n");
    }
}

fn failed_tests(out: &mut String, site: &Site<'_>, with_page: &HashSet<&str>) {
    let Some(tests) = site.tests else {
        return;
    };
    let _ = writeln!(
        out,
        "<h2>Tests</h2>\n<p id=\"tests\">{}</p>",
        esc(&tests.counts_phrase())
    );
    for (i, f) in tests.failures.iter().enumerate() {
        let link = site.failure_links.get(i).and_then(Option::as_ref);
        let place = match (link, f.file.as_deref()) {
            (Some(l), _) if with_page.contains(l.path.as_str()) => format!(
                " at <a href=\"{}#L{}\">{}:{}</a>",
                esc(&page_name(&l.path)),
                l.line,
                esc(&l.path),
                l.line
            ),
            (Some(l), _) => format!(" at <code>{}:{}</code>", esc(&l.path), l.line),
            (None, Some(file)) => match f.line {
                Some(line) => format!(" at <code>{}:{line}</code>", esc(file)),
                None => format!(" in <code>{}</code>", esc(file)),
            },
            (None, None) => String::new(),
        };
        let message = f.message.as_deref().or(f.details.as_deref()).unwrap_or("");
        let _ = writeln!(
            out,
            "<div class=\"failure\"><div><strong>✘ {}</strong>{place}</div><pre>{}</pre></div>",
            esc(&f.display_name),
            esc(message)
        );
    }
}

fn warnings(out: &mut String, unmatched: &[Unmatched], notes: &[Warning]) {
    if !unmatched.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"warn\">{} report path(s) match no file of the repository and were left out:</p>\n<ul id=\"unmatched\">",
            unmatched.len()
        );
        for u in unmatched {
            match &u.reason {
                UnmatchedReason::NoMatch => {
                    let _ = writeln!(out, "<li><code>{}</code></li>", esc(&u.path));
                }
                UnmatchedReason::Ambiguous { candidates } => {
                    let _ = writeln!(
                        out,
                        "<li><code>{}</code> (ambiguous: {})</li>",
                        esc(&u.path),
                        esc(&candidates.join(", "))
                    );
                }
            }
        }
        out.push_str("</ul>\n");
    }
    // Repeats collapse into one line with a count, as in the comment.
    for n in diag::lines(notes, WarningDetail::Grouped) {
        let _ = writeln!(out, "<p class=\"warn\">{}</p>", esc(&n));
    }
}

/// The parent directory of a path (`""` for a top-level one).
fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

fn tree_row(
    out: &mut String,
    kind: &str,
    path: &str,
    name: &str,
    depth: usize,
    t: &Totals,
    p: Percent,
) {
    let _ = writeln!(
        out,
        "<tr class=\"{kind} d{}\" data-path=\"{}\" data-parent=\"{}\"><td>{name}</td>{}{}{}{}{}</tr>",
        depth.min(8),
        esc(path),
        esc(parent(path)),
        num(&percent(t, p), &sort_value(t)),
        num(&t.hits.to_string(), &t.hits.to_string()),
        num(&t.lines.to_string(), &t.lines.to_string()),
        num(&t.misses.to_string(), &t.misses.to_string()),
        num(&t.partials.to_string(), &t.partials.to_string()),
    );
}

/// What one directory holds.
#[derive(Default)]
struct Children<'a> {
    dirs: Vec<&'a str>,
    files: Vec<(&'a str, &'a Totals)>,
}

/// The project tree: each directory with its totals, then what is in it, depth first.
fn project_tree(out: &mut String, site: &Site<'_>, with_page: &HashSet<&str>) {
    let files = &site.project.files;
    let _ = writeln!(
        out,
        "<h2>Project files ({})</h2>\n<input class=\"filter\" type=\"search\" placeholder=\"Filter files\" aria-label=\"Filter project files\" data-table=\"tree\">",
        files.len()
    );
    let _ = writeln!(
        out,
        "<table id=\"tree\" class=\"sortable tree\"><thead><tr>{}{}{}{}{}{}</tr></thead><tbody>",
        th("Path", false),
        th("Coverage", true),
        th("Hits", true),
        th("Lines", true),
        th("Missed", true),
        th("Partial", true)
    );
    // Directory totals come from the analysis; `.` (the top level) is the whole table.
    let dirs: BTreeMap<String, Totals> = site
        .project
        .directories()
        .into_iter()
        .filter(|d| d.path != "." && !d.path.is_empty())
        .map(|d| (d.path, d.totals))
        .collect();
    let mut children: BTreeMap<&str, Children<'_>> = BTreeMap::new();
    for dir in dirs.keys() {
        children.entry(parent(dir)).or_default().dirs.push(dir);
    }
    for (p, t) in files {
        children.entry(parent(p)).or_default().files.push((p, t));
    }
    enum Step<'a> {
        Enter(&'a str, usize),
        Dir(&'a str, usize),
        Files(&'a str, usize),
    }
    // Depth first, directories before files, without recursion (a path can be deep).
    let mut stack = vec![Step::Enter("", 0)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Enter(dir, depth) => {
                let Some(inside) = children.get(dir) else {
                    continue;
                };
                stack.push(Step::Files(dir, depth));
                for sub in inside.dirs.iter().rev() {
                    stack.push(Step::Enter(sub, depth + 1));
                    stack.push(Step::Dir(sub, depth));
                }
            }
            Step::Dir(dir, depth) => {
                let name = dir.rsplit('/').next().unwrap_or(dir);
                tree_row(
                    out,
                    "dir",
                    dir,
                    &format!("{}/", esc(name)),
                    depth,
                    &dirs[dir],
                    site.percent(),
                );
            }
            Step::Files(dir, depth) => {
                for (p, t) in children.get(dir).map_or(&[][..], |c| &c.files[..]) {
                    let name = p.rsplit('/').next().unwrap_or(p);
                    let link = if with_page.contains(p) {
                        format!("<a href=\"{}\">{}</a>", esc(&page_name(p)), esc(name))
                    } else {
                        esc(name)
                    };
                    tree_row(out, "file", p, &link, depth, t, site.percent());
                }
            }
        }
    }
    out.push_str("</tbody></table>\n");
}

/// Renders `index.html`.
pub fn render(site: &Site<'_>) -> String {
    let with_page: HashSet<&str> = site.paged.iter().copied().collect();
    let mut body = String::new();
    match site.view {
        View::Diff(d) => {
            let _ = writeln!(
                body,
                "<h1>Patch coverage</h1>\n<p class=\"meta\">base <code>{}</code> · head <code id=\"head\">{}</code></p>",
                esc(short_sha(&d.base)),
                esc(short_sha(&d.head))
            );
            verdict(&mut body, &d.gates, &patch_sentence(d));
            body.push_str("<div class=\"cards\">\n");
            card(
                &mut body,
                "patch-percent",
                "Patch",
                &d.patch.totals,
                "",
                d.percent,
            );
            card(
                &mut body,
                "project-percent",
                "Project",
                &d.project,
                &delta_text(d.delta(), d.percent),
                d.percent,
            );
            body.push_str("</div>\n");
            gates_table(&mut body, &d.gates, d.percent);
            changed_files(&mut body, d, &with_page);
            failed_tests(&mut body, site, &with_page);
            warnings(&mut body, &d.unmatched, &d.warnings);
        }
        View::Report(r) => {
            body.push_str("<h1>Project coverage</h1>\n");
            let sentence = match r.percent.of(&r.project.totals) {
                Some(pc) => format!("Project coverage is {pc}%."),
                None => "No coverable lines in the reports.".to_owned(),
            };
            verdict(&mut body, &r.gates, &sentence);
            body.push_str("<div class=\"cards\">\n");
            card(
                &mut body,
                "project-percent",
                "Project",
                &r.project.totals,
                &delta_text(r.delta(), r.percent),
                r.percent,
            );
            body.push_str("</div>\n");
            gates_table(&mut body, &r.gates, r.percent);
            failed_tests(&mut body, site, &with_page);
            warnings(&mut body, &r.unmatched, &r.warnings);
        }
    }
    project_tree(&mut body, site, &with_page);
    let title = match site.view {
        View::Diff(d) => format!("Patch coverage of {}", short_sha(&d.head)),
        View::Report(_) => "Project coverage".to_owned(),
    };
    page(&title, "", &body)
}
