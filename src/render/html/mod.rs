//! The static HTML report (`--html DIR`): an index (verdict, gates, totals, changed files first,
//! then the project tree) and one page per changed file with its source at head, added lines
//! marked hit / missed / partial.
//!
//! Pure: [`index`] and [`file_page`] turn the summaries and the source text the command layer
//! read from git into HTML; they never touch git or the file system. Everything taken from inputs is
//! escaped, the pages load nothing from anywhere (styles and script are inline, allowed by their
//! hashes in a `Content-Security-Policy`), so the report works air-gapped and from a CI artifact.

mod index;
mod source;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;

use base64::Engine as _;

use crate::analysis::test_summary::TestSummary;
use crate::analysis::{DiffSummary, Percent, ProjectCoverage, ReportSummary};
use crate::model::{LineState, Totals};

pub use source::{LineCoverage, SourcePage, SourceText};

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/script.js");

/// What the report is about.
#[derive(Debug, Clone, Copy)]
pub enum View<'a> {
    /// `prcov diff` / `publish`: the change first.
    Diff(&'a DiffSummary),
    /// `prcov report`: the project only.
    Report(&'a ReportSummary),
}

/// A failed test, with the repository file its location maps to (when it does).
#[derive(Debug, Clone)]
pub struct FailureLink {
    pub path: String,
    pub line: u32,
}

/// Everything one report shows.
#[derive(Debug, Clone)]
pub struct Site<'a> {
    pub view: View<'a>,
    /// Per-file project coverage (for `report`, the summary's own).
    pub project: &'a ProjectCoverage,
    /// The files that get a page (rendered one by one with [`file_page`]): the index links them.
    pub paged: &'a [&'a str],
    pub tests: Option<&'a TestSummary>,
    /// One entry per `tests.failures`, in order: where that failure points in the repository.
    pub failure_links: &'a [Option<FailureLink>],
}

impl Site<'_> {
    /// How the summary's percentages are shown.
    fn percent(&self) -> Percent {
        match self.view {
            View::Diff(d) => d.percent,
            View::Report(r) => r.percent,
        }
    }
}

/// `index.html`.
pub fn index(site: &Site<'_>) -> String {
    index::render(site)
}

/// The page of one file, to be written at [`page_name`] of its path.
pub fn file_page(page: &SourcePage, site: &Site<'_>) -> String {
    source::render(page, site)
}

/// The page of a repository file, relative to the output folder: `files/<readable>.<hash>.html`.
/// The readable part keeps letters, digits, `.`, `-` and `_` (a path becomes a safe file name on
/// every system); the hash of the full path keeps two paths that read alike apart.
pub fn page_name(path: &str) -> String {
    let readable: String = path
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    // FNV-1a: stable across runs and platforms, unlike the standard library's hasher.
    let mut hash: u32 = 0x811c_9dc5;
    for b in path.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    format!("files/{}.{hash:08x}.html", readable.trim_start_matches('.'))
}

/// The comment's line that links to the published report (`--html-url`); empty without one.
pub fn link_markdown(url: Option<&str>) -> String {
    let Some(url) = url else {
        return String::new();
    };
    // Inside `<…>` a link destination may hold anything but `<`, `>` and line breaks.
    let url: String = url
        .chars()
        .map(|c| match c {
            '<' => "%3C".to_owned(),
            '>' => "%3E".to_owned(),
            ' ' => "%20".to_owned(),
            c if c.is_control() => String::new(),
            c => c.to_string(),
        })
        .collect();
    format!("\n:mag: [Open the HTML report](<{url}>): annotated source of every changed file.\n")
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and other C0 controls but tab and newline are not allowed in HTML text.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

fn sha256_base64(s: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

/// The policy: nothing from anywhere, but the page's own style and script (by hash) and inline
/// images. An injected `<script>` would not run even if escaping failed somewhere.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src 'sha256-{}'; script-src 'sha256-{}'; img-src data:; base-uri 'none'; form-action 'none'",
        sha256_base64(STYLE),
        sha256_base64(SCRIPT)
    )
}

/// A whole page around `body`; `root` is the way back to the output folder (`""` for the index,
/// `"../"` for a file's page, which gets a link back).
fn page(title: &str, root: &str, body: &str) -> String {
    let back = if root.is_empty() {
        String::new()
    } else {
        format!("<p class=\"meta\"><a href=\"{root}index.html\">← back to the report</a></p>\n")
    };
    let mut out = String::with_capacity(body.len() + STYLE.len() + SCRIPT.len() + 512);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"generator\" content=\"prcov {}\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         {back}{body}\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        content_security_policy(),
        env!("CARGO_PKG_VERSION"),
        esc(title),
    );
    out
}

/// `66.66%`, or `n/a`.
fn percent(t: &Totals, p: Percent) -> String {
    crate::render::percent_or_na(p, t)
}

/// The unrounded percent for sorting (`-1` when nothing is coverable).
fn sort_value(t: &Totals) -> String {
    t.percent()
        .map_or_else(|| "-1".to_owned(), |p| p.to_string())
}

/// How a line state reads without colour: a symbol and a word.
fn state_label(state: LineState) -> (&'static str, &'static str, &'static str) {
    match state {
        LineState::Hit => ("hit", "✔", "covered"),
        LineState::Miss => ("miss", "✘", "missed"),
        LineState::Partial => ("partial", "◐", "partial"),
    }
}
