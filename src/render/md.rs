//! Escaping for Markdown (GitHub Flavored): one function per context a value from an input can
//! land in. Report paths, test names, messages and payload texts are data, never Markdown: no
//! value may open an HTML comment, close a `<details>`, end a table row or a code span, or turn
//! `__init__` into bold.
//!
//! Contexts: inline text ([`text`], also for headings and link text), a table cell ([`cell`]),
//! inline code ([`code`], [`cell_code`] inside a table), HTML text inside `<summary>`
//! ([`summary`]), and a link's destination ([`url_path`]). Control characters, newlines included,
//! are shown as escapes (`\n`), so a value always stays on its line.

use std::fmt::Write as _;

/// A value with its control characters written out (`\n`, `\t`, `\u{1b}`): a newline in a file
/// name must not end a table row or a paragraph.
fn visible_controls(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.into()
}

/// Inline text (a paragraph, a heading, a list item, link text): every ASCII punctuation
/// character is backslash-escaped, which CommonMark defines to mean the character itself.
pub fn text(s: &str) -> String {
    let s = visible_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text in a table cell: [`text`] escapes `|` as `\|` too, which GFM tables need.
pub fn cell(s: &str) -> String {
    text(s)
}

/// Inline code for anywhere but a table: a backtick fence longer than any run of backticks
/// inside, padded with a space when the value starts or ends with a backtick or a space
/// (CommonMark strips one space on each side).
pub fn code(s: &str) -> String {
    code_span(&visible_controls(s))
}

/// Inline code inside a table cell: GFM splits cells on `|` before it sees code spans, so the
/// pipe is escaped there (and shows as `|`).
pub fn cell_code(s: &str) -> String {
    code_span(&visible_controls(s).replace('|', "\\|"))
}

fn code_span(s: &str) -> String {
    if s.is_empty() {
        // An empty code span does not exist in CommonMark; show the emptiness.
        return "`\u{2205}`".to_owned();
    }
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' '));
    if pad {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

/// Text inside `<summary>…</summary>`: an HTML block, where Markdown is not read but HTML is.
pub fn summary(s: &str) -> String {
    let s = visible_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A path as a URL path: every byte but unreserved characters and `/` percent-encoded, so no
/// path can end the link (`)`, space, newline) or point elsewhere (`?`, `#`).
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A link whose text is already Markdown (escaped by the caller), or the text alone when there
/// is no URL. The URL comes from [`url_path`] and a trusted base, so it needs no escaping.
pub fn link(text_md: &str, url: Option<&str>) -> String {
    match url {
        Some(u) => format!("[{text_md}]({u})"),
        None => text_md.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_backticks_and_keep_edges() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
        assert_eq!(code(""), "`\u{2205}`");
        assert_eq!(cell_code("a|b"), "`a\\|b`");
        assert_eq!(code("a\n\n<!--"), "`a\\n\\n<!--`");
    }

    #[test]
    fn text_escapes_every_punctuation() {
        assert_eq!(text("__init__.py"), "\\_\\_init\\_\\_\\.py");
        assert_eq!(text("<!-- x -->"), "\\<\\!\\-\\- x \\-\\-\\>");
        assert_eq!(cell("a | b\nc"), "a \\| b\\\\nc");
    }

    #[test]
    fn summary_is_html_text() {
        assert_eq!(summary("</details>&\n"), "&lt;/details&gt;&amp;\\n");
    }

    #[test]
    fn url_paths_cannot_end_the_link() {
        assert_eq!(url_path("a b/(c)#?.py"), "a%20b/%28c%29%23%3F.py");
        assert_eq!(url_path("tabulate/__init__.py"), "tabulate/__init__.py");
    }
}
