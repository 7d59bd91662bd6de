//! One page per file: the source at head, line numbers as anchors, added lines marked, the
//! unchanged lines away from the change folded (a `<details>`: it opens without script too).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::analysis::PatchFile;
use crate::model::LineState;

use super::{esc, page, percent, state_label, Site, View};

/// Unchanged lines shown above and below each added line.
const CONTEXT: u32 = 3;
/// A shorter run of unchanged lines is shown rather than folded: the fold would take as much room.
const MIN_FOLD: usize = 4;

/// The text of a file at head, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceText {
    Text(String),
    /// Not in the head tree, binary, too large, or no repository: the page lists the lines only.
    Unavailable(String),
}

/// A coverable line of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCoverage {
    pub line: u32,
    /// The state as counted (`--partials-as-hits` applied).
    pub state: LineState,
    /// Branches taken and in all, when the report knows them.
    pub branches: Option<(u32, u32)>,
}

/// One file's page: what the command layer read and computed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePage {
    pub path: String,
    pub source: SourceText,
    /// Coverable lines, ascending.
    pub lines: Vec<LineCoverage>,
    /// Added lines of the change (coverable or not), ascending; empty when the change does not
    /// touch the file (`--html-all`): then every coverable line is marked and nothing is folded.
    pub added: Vec<u32>,
}

/// A failed test pointing at a line of this page.
struct Note<'a> {
    name: &'a str,
    message: &'a str,
}

fn patch_file<'a>(site: &Site<'a>, path: &str) -> Option<&'a PatchFile> {
    match site.view {
        View::Diff(d) => d
            .patch
            .files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &d.patch.files[i]),
        View::Report(_) => None,
    }
}

fn notes<'a>(site: &Site<'a>, path: &str) -> BTreeMap<u32, Vec<Note<'a>>> {
    let mut out: BTreeMap<u32, Vec<Note<'a>>> = BTreeMap::new();
    let Some(tests) = site.tests else {
        return out;
    };
    for (failure, link) in tests.failures.iter().zip(site.failure_links) {
        if let Some(link) = link.as_ref().filter(|l| l.path == path) {
            out.entry(link.line).or_default().push(Note {
                name: &failure.display_name,
                message: failure
                    .message
                    .as_deref()
                    .or(failure.details.as_deref())
                    .unwrap_or(""),
            });
        }
    }
    out
}

/// The header: the file, its patch and file coverage, the legend and the navigation.
fn header(out: &mut String, page: &SourcePage, site: &Site<'_>) {
    let _ = writeln!(out, "<h1><code>{}</code></h1>", esc(&page.path));
    let mut facts = Vec::new();
    if let Some(f) = patch_file(site, &page.path) {
        facts.push(format!(
            "Patch coverage <strong id=\"patch-percent\">{}</strong> ({} of {} coverable added lines covered; {} missed, {} partial)",
            percent(&f.totals, site.percent()),
            f.totals.hits,
            f.totals.lines,
            f.totals.misses,
            f.totals.partials
        ));
    }
    if let Ok(i) = site
        .project
        .files
        .binary_search_by(|(p, _)| p.as_str().cmp(&page.path))
    {
        let t = &site.project.files[i].1;
        facts.push(format!(
            "File coverage {} ({} of {} lines)",
            percent(t, site.percent()),
            t.hits,
            t.lines
        ));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "<p>{}.</p>", facts.join(". "));
    }
    if let SourceText::Unavailable(why) = &page.source {
        let _ = writeln!(
            out,
            "<p class=\"warn\">Source not shown: {}. The coverable lines are listed without their text.</p>",
            esc(why)
        );
    }
    let what = if page.added.is_empty() {
        "Coverable lines"
    } else {
        "Added lines"
    };
    let _ = writeln!(
        out,
        "<div class=\"nav\"><span class=\"legend\">{what}: <span class=\"badge hit\">✔ covered</span> \
         <span class=\"badge miss\">✘ missed</span> <span class=\"badge partial\">◐ partial: branches taken/all</span></span>\
         <button type=\"button\" data-go=\"-1\" title=\"key p or k\">↑ previous (p)</button>\
         <button type=\"button\" data-go=\"1\" title=\"key n or j\">↓ next uncovered (n)</button>\
         <button type=\"button\" id=\"unfold-all\">unfold all</button></div>"
    );
}

fn line_row(
    out: &mut String,
    n: u32,
    code: &str,
    coverage: Option<&LineCoverage>,
    added: bool,
    marked: bool,
    notes: Option<&Vec<Note<'_>>>,
) {
    let mut classes = String::from("ln");
    if added {
        classes.push_str(" added");
    }
    let marker = match coverage.filter(|_| marked) {
        Some(c) => {
            let (class, symbol, word) = state_label(c.state);
            let _ = write!(classes, " {class}");
            // The word says it all but for partial lines, whose branches get a tooltip.
            match (c.state, c.branches) {
                (LineState::Partial, Some((taken, all))) => format!(
                    "<span class=\"m\" title=\"{taken} of {all} branches taken\">{symbol} {word} {taken}/{all}</span>"
                ),
                _ => format!("<span class=\"m\">{symbol} {word}</span>"),
            }
        }
        None if added => "<span class=\"m\" title=\"added, not coverable\">+</span>".to_owned(),
        None => "<span class=\"m\"></span>".to_owned(),
    };
    if notes.is_some() {
        classes.push_str(" failed");
    }
    let _ = writeln!(
        out,
        "<div class=\"{classes}\" id=\"L{n}\"><a class=\"n\" href=\"#L{n}\">{n}</a>{marker}<code>{}</code></div>",
        esc(code)
    );
    for note in notes.into_iter().flatten() {
        let first = note.message.lines().next().unwrap_or("");
        let _ = writeln!(
            out,
            "<div class=\"ln note-row\"><span></span><span class=\"m note\">✘ test failed</span><code class=\"note\">{}{}{}</code></div>",
            esc(note.name),
            if first.is_empty() { "" } else { ": " },
            esc(first)
        );
    }
}

/// Renders one file's page.
pub fn render(page_in: &SourcePage, site: &Site<'_>) -> String {
    let mut body = String::new();
    header(&mut body, page_in, site);
    let coverage: BTreeMap<u32, &LineCoverage> =
        page_in.lines.iter().map(|c| (c.line, c)).collect();
    let added: BTreeSet<u32> = page_in.added.iter().copied().collect();
    let notes = notes(site, &page_in.path);
    // On a changed file only the added lines are marked: the page is about the change.
    let changed = !added.is_empty();
    let focus: BTreeSet<u32> = added.iter().chain(notes.keys()).copied().collect();
    let near_focus = |n: u32| {
        !changed
            || focus
                .range(n.saturating_sub(CONTEXT)..=n.saturating_add(CONTEXT))
                .next()
                .is_some()
    };
    body.push_str("<div class=\"src\">\n");
    let lines: Vec<(u32, &str)> = match &page_in.source {
        SourceText::Text(text) => {
            let text = text.strip_suffix('\n').unwrap_or(text);
            text.split('\n')
                .zip(1u32..)
                .map(|(l, n)| (n, l.strip_suffix('\r').unwrap_or(l)))
                .collect()
        }
        // No text: the coverable and added lines, each once, in order.
        SourceText::Unavailable(_) => coverage
            .keys()
            .chain(&added)
            .copied()
            .collect::<BTreeSet<u32>>()
            .into_iter()
            .map(|n| (n, ""))
            .collect(),
    };
    let mut i = 0;
    while i < lines.len() {
        let (n, _) = lines[i];
        if near_focus(n) {
            let (n, code) = lines[i];
            let row_added = added.contains(&n);
            line_row(
                &mut body,
                n,
                code,
                coverage.get(&n).copied(),
                row_added,
                row_added || !changed,
                notes.get(&n),
            );
            i += 1;
            continue;
        }
        let run_end = lines[i..]
            .iter()
            .position(|(n, _)| near_focus(*n))
            .map_or(lines.len(), |p| i + p);
        let run = &lines[i..run_end];
        let fold = run.len() >= MIN_FOLD;
        if fold {
            let (first, last) = (run[0].0, run[run.len() - 1].0);
            let _ = writeln!(
                body,
                "<details class=\"fold\"><summary>{} unchanged lines ({first}–{last})</summary>",
                run.len()
            );
        }
        for &(n, code) in run {
            line_row(
                &mut body,
                n,
                code,
                coverage.get(&n).copied(),
                false,
                false,
                None,
            );
        }
        if fold {
            body.push_str("</details>\n");
        }
        i = run_end;
    }
    body.push_str("</div>\n");
    page(&page_in.path, "../", &body)
}
