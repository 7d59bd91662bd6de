//! The code hosts' size limits, defined once, and the one truncation helper. The renderer
//! degrades to fit them (collapsing tables with "… and N more"); the host applies them again at
//! the last moment, so a request stays valid even when a saved payload did not.

use std::borrow::Cow;

/// GitHub comments and GitLab notes prcov writes: at most 65 536 characters, marker included.
pub const COMMENT_MAX: usize = 65_536;
/// GitHub check run `output.summary` (`maxLength` 65 535 in GitHub's OpenAPI description).
pub const CHECK_SUMMARY_MAX: usize = 65_535;
/// Commit status descriptions (GitHub truncates longer ones itself; docs/publishing.md says 140).
pub const STATUS_DESCRIPTION_MAX: usize = 140;
/// Annotation title and message caps (GitHub: 255 and 64 KiB).
pub const ANNOTATION_TITLE_MAX: usize = 255;
pub const ANNOTATION_MESSAGE_MAX: usize = 65_535;
/// Annotations per check run prcov sends (and a saved payload may carry): 100 requests of 50.
/// More uncovered ranges than that are not reviewable as annotations; the comment lists them.
pub const ANNOTATIONS_MAX: usize = 5_000;
/// GitHub accepts at most 50 annotations per check-run create/update request.
pub const ANNOTATIONS_PER_REQUEST: usize = 50;
/// Components a run may have: each has two commit statuses (`prcov/patch/<id>`,
/// `prcov/project/<id>`), and a saved payload is held to that many.
pub const COMPONENTS_MAX: usize = 40;

const TRUNCATED_NOTE: &str = "\n\n… *(truncated by prcov to fit the host's size limit)*";

/// `text` cut to at most `max` characters (not bytes) including `suffix`, at a char boundary.
pub fn truncate_chars<'a>(text: &'a str, max: usize, suffix: &str) -> Cow<'a, str> {
    if text.chars().count() <= max {
        return Cow::Borrowed(text);
    }
    let keep = max.saturating_sub(suffix.chars().count());
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}{suffix}", &text[..end]))
}

/// The full comment: marker line, then the rendered Markdown, within [`COMMENT_MAX`].
pub fn comment_body(marker: &str, markdown: &str) -> String {
    let full = format!("{marker}\n{markdown}");
    truncate_chars(&full, COMMENT_MAX, TRUNCATED_NOTE).into_owned()
}

pub fn check_summary(summary: &str) -> Cow<'_, str> {
    truncate_chars(summary, CHECK_SUMMARY_MAX, TRUNCATED_NOTE)
}

pub fn status_description(description: &str) -> Cow<'_, str> {
    truncate_chars(description, STATUS_DESCRIPTION_MAX, "…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_chars_and_keeps_boundaries() {
        assert_eq!(truncate_chars("abc", 3, "…"), "abc");
        assert_eq!(truncate_chars("abcdef", 4, "…"), "abc…");
        // Multi-byte characters are never split.
        assert_eq!(truncate_chars("ééééé", 3, "…"), "éé…");
        let long = "x".repeat(200);
        assert_eq!(status_description(&long).chars().count(), 140);
    }

    #[test]
    fn oversized_comment_is_cut_with_a_note_and_keeps_the_marker() {
        let body = comment_body("<!-- prcov:k -->", &"ü".repeat(70_000));
        assert_eq!(body.chars().count(), COMMENT_MAX);
        assert!(body.starts_with("<!-- prcov:k -->\nüü"));
        assert!(body.ends_with(TRUNCATED_NOTE));
        let small = comment_body("<!-- prcov:k -->", "hello");
        assert_eq!(small, "<!-- prcov:k -->\nhello");
    }
}
