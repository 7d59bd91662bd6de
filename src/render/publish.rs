//! Rendering one `publish`: the statuses, the comment and the check run, as a [`PublishPlan`].
//!
//! Pure: everything here is computed from summaries; the host only sends it.

use crate::analysis::{DiffSummary, GateKind, Outcome};

use super::limits::{self, truncate_chars};
use super::plan::{
    Annotation, AnnotationLevel, CheckRun, CommitStatus, HostKind, PublishPlan, StatusState,
};
use super::test_summary::CommentSection;
use super::{markdown, ranges, short_sha};

/// What the test-results half contributes to a publish.
#[derive(Debug, Clone, Default)]
pub struct TestsBrief {
    /// `2 failed, 310 passed (1 flaky)`, for the status description.
    pub phrase: String,
    /// The tests' part of the comment: the counts line and the failed and flaky tests.
    pub section: CommentSection,
    /// Failed tests that have a source location: (repo path, line, title, message).
    pub failures_at: Vec<(String, u32, String, String)>,
}

/// Where the plan goes.
#[derive(Debug, Clone)]
pub struct Target {
    pub host: HostKind,
    pub repository: String,
    pub pr: Option<u64>,
    pub head_sha: String,
    pub comment_key: String,
    /// Where the HTML report is published (`--html-url`): the comment links to it.
    pub html_url: Option<String>,
    /// This job's section of the sticky comment, with its data.
    pub section: Option<super::sections::SectionPlan>,
    /// Why no comment is posted (`comment.require_changes`).
    pub comment_skipped: Option<String>,
    /// Parts left out of the comment (`[comment] hide`).
    pub hide: Hide,
}

/// Parts of the comment left out (`[comment] hide`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hide {
    /// The project coverage line.
    pub project: bool,
    /// The table of files with missing lines.
    pub files: bool,
    /// The test results (counts, failed and flaky tests).
    pub tests: bool,
    /// The components table.
    pub components: bool,
    /// The flags table.
    pub flags: bool,
}

impl Hide {
    /// From `[comment] hide` (validated names).
    pub fn of(names: &[String]) -> Hide {
        let has = |n: &str| names.iter().any(|h| h == n);
        Hide {
            project: has("project"),
            files: has("files"),
            tests: has("tests"),
            components: has("components"),
            flags: has("flags"),
        }
    }
}

fn cut(s: &str, max: usize) -> String {
    truncate_chars(s, max, "…").into_owned()
}

fn state(passed: bool) -> StatusState {
    if passed {
        StatusState::Success
    } else {
        StatusState::Failure
    }
}

/// The statuses: `prcov/patch`, `prcov/project`, `prcov/tests` when tests were given, then
/// `prcov/patch/<id>` and `prcov/project/<id>` of each component.
pub fn statuses(s: &DiffSummary, tests: Option<&TestsBrief>) -> Vec<CommitStatus> {
    let gate = |kinds: &[GateKind]| {
        s.gates
            .iter()
            .filter(|g| g.component.is_none() && kinds.contains(&g.kind))
            .all(|g| g.passed)
    };
    let patch_target = s
        .gates
        .iter()
        .find(|g| g.component.is_none() && g.kind == GateKind::Patch);
    let patch_desc = match s.percent.of(&s.patch.totals) {
        None if s.outcome == Outcome::EmptyChange => {
            "No change between base and head: nothing to measure".to_owned()
        }
        None => "Coverage not affected: no coverable lines changed".to_owned(),
        Some(pc) => match patch_target {
            Some(g) => format!("{pc}% of diff hit (target {}%)", s.percent.value(g.target)),
            None => format!("{pc}% of diff hit"),
        },
    };
    let project_desc = match (s.percent.of(&s.project), s.delta()) {
        (None, _) => "No coverable lines in the reports".to_owned(),
        (Some(pc), Some(d)) => format!(
            "{pc}% ({}%) compared to {}",
            s.percent.delta(d),
            short_sha(s.delta_base())
        ),
        (Some(pc), None) => match s
            .gates
            .iter()
            .find(|g| g.component.is_none() && g.kind == GateKind::Project)
        {
            Some(g) => format!("{pc}% (target {}%)", s.percent.value(g.target)),
            None => format!("{pc}%"),
        },
    };
    let mut out = vec![
        CommitStatus {
            context: "prcov/patch".into(),
            state: state(gate(&[GateKind::Patch])),
            description: cut(&patch_desc, limits::STATUS_DESCRIPTION_MAX),
            coverage: s.patch.totals.percent(),
        },
        CommitStatus {
            context: "prcov/project".into(),
            state: state(gate(&[
                GateKind::Project,
                GateKind::ProjectDrop,
                GateKind::Unmatched,
            ])),
            description: cut(&project_desc, limits::STATUS_DESCRIPTION_MAX),
            coverage: s.project.percent(),
        },
    ];
    if let Some(t) = tests {
        out.push(CommitStatus {
            context: "prcov/tests".into(),
            state: state(gate(&[GateKind::Tests])),
            description: cut(&t.phrase, limits::STATUS_DESCRIPTION_MAX),
            coverage: None,
        });
    }
    if let Some(m) = &s.monorepo {
        out.extend(super::monorepo::statuses(m, s.percent));
    }
    out
}

/// Annotations: one per uncovered range of added lines, one per failed test with a location.
pub fn annotations(s: &DiffSummary, tests: Option<&TestsBrief>) -> Vec<Annotation> {
    let mut out = Vec::new();
    for f in &s.patch.files {
        for (lines, short, what) in [
            (&f.missed_lines, "not covered", "were not covered by tests"),
            (
                &f.partial_lines,
                "partially covered",
                "were only partially covered by tests",
            ),
        ] {
            for (a, b) in ranges::compact(lines) {
                let (title, message) = if a == b {
                    (
                        format!("Added line {short}"),
                        format!("Added line #L{a} {}", what.replacen("were", "was", 1)),
                    )
                } else {
                    (
                        format!("Added lines {short}"),
                        format!("Added lines #L{a}-L{b} {what}"),
                    )
                };
                out.push(Annotation {
                    path: f.path.clone(),
                    start_line: a,
                    end_line: b,
                    level: AnnotationLevel::Warning,
                    title,
                    message,
                });
            }
        }
    }
    if let Some(t) = tests {
        for (path, line, title, message) in &t.failures_at {
            out.push(Annotation {
                path: path.clone(),
                start_line: *line,
                end_line: *line,
                level: AnnotationLevel::Failure,
                title: cut(title, limits::ANNOTATION_TITLE_MAX),
                // A failure without a message (`<failure/>`) still needs one: GitHub requires
                // it, and a saved payload is checked for it.
                message: if message.trim().is_empty() {
                    cut(title, limits::ANNOTATION_MESSAGE_MAX)
                } else {
                    cut(message, limits::ANNOTATION_MESSAGE_MAX)
                },
            });
        }
    }
    if out.len() > limits::ANNOTATIONS_MAX {
        // Degrade like the comment does: failed tests first (they are few and matter most),
        // then uncovered ranges in file order, up to the cap.
        out.sort_by_key(|a| a.level != AnnotationLevel::Failure);
        out.truncate(limits::ANNOTATIONS_MAX);
    }
    out
}

/// The whole plan for one PR.
pub fn plan(s: &DiffSummary, tests: Option<&TestsBrief>, target: &Target) -> PublishPlan {
    // Leave room for the host's hidden marker line, and for the section's markers and data.
    let section_room = target
        .section
        .as_ref()
        .map_or(0, |sec| sec.data.len() + 300);
    let budget = limits::COMMENT_MAX - 200 - section_room;
    let tests_shown = tests.filter(|_| !target.hide.tests);
    let (line, details) = tests_shown.map_or(("", ""), |t| {
        (t.section.counts.as_str(), t.section.details.as_str())
    });
    let before_table = if line.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", line.trim_end())
    };
    let mut after_table = super::html::link_markdown(target.html_url.as_deref());
    if !details.trim().is_empty() {
        after_table.push_str(&format!(
            "
{}
",
            details.strip_prefix('\n').unwrap_or(details).trim_end()
        ));
    }
    let extra = markdown::Extra {
        before_table: &before_table,
        after_table: &after_table,
        hide_project: target.hide.project,
        hide_files: target.hide.files,
        hide_components: target.hide.components,
        hide_flags: target.hide.flags,
    };
    let body = markdown::diff_within(s, extra, budget);
    let passed = s.passed();
    PublishPlan {
        version: 1,
        host: target.host,
        repository: target.repository.clone(),
        pr: target.pr,
        head_sha: target.head_sha.clone(),
        comment_key: target.comment_key.clone(),
        statuses: statuses(s, tests),
        check_run: Some(CheckRun {
            name: "prcov".into(),
            conclusion: if passed { "success" } else { "failure" }.into(),
            // What failed first (tests before coverage); the same words as the comment's first
            // line, within GitHub's title cap.
            title: cut(
                &markdown::verdict_words(&s.gates, s.percent),
                limits::ANNOTATION_TITLE_MAX,
            ),
            summary: body.clone(),
            annotations: annotations(s, tests),
        }),
        comment_body: body,
        section: target.section.clone(),
        comment_skipped: target.comment_skipped.clone(),
    }
}
