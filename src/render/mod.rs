//! Renderers: pure functions from a computed summary to text. Terminal, Markdown, JSON, the HTML
//! report and the badge read the same summary, so they cannot disagree.

pub mod badge;
pub mod history;
pub mod html;
pub mod json;
pub mod limits;
pub mod markdown;
pub mod md;
pub mod monorepo;
pub mod plan;
pub mod publish;
pub mod ranges;
pub mod sections;
pub mod test_summary;
pub mod text;

use anstyle::AnsiColor;

use crate::model::diag::WarningDetail;

/// Output format of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Text,
    Markdown,
    Json,
}

/// Terminal styling: ANSI colour on or off, and how much of the warnings to show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
    pub warnings: WarningDetail,
}

impl Style {
    fn paint(self, style: anstyle::Style, s: &str) -> String {
        if self.color {
            format!("{style}{s}{style:#}")
        } else {
            s.to_owned()
        }
    }
    pub fn good(self, s: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), s)
    }
    pub fn bad(self, s: &str) -> String {
        self.paint(AnsiColor::Red.on_default(), s)
    }
    pub fn warn(self, s: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), s)
    }
    pub fn bold(self, s: &str) -> String {
        self.paint(anstyle::Style::new().bold(), s)
    }
}

/// Short form of a commit sha for display.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// How a percent reads: `66.66%`, or `n/a` when nothing is coverable.
pub fn percent_or_na(p: crate::analysis::Percent, t: &crate::model::Totals) -> String {
    p.of(t)
        .map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"))
}

/// A gate's target and actual as they read in text and Markdown.
pub fn gate_line(
    g: &crate::analysis::GateOutcome,
    p: crate::analysis::Percent,
) -> (String, String, String) {
    use crate::analysis::gates::NothingMeasured;
    use crate::analysis::GateKind;
    let verdict = if g.passed { "passed" } else { "failed" }.to_owned();
    let (target, actual) = match g.kind {
        GateKind::Patch | GateKind::Project => (
            format!("≥ {}%", p.value(g.target)),
            match (g.actual, g.reason) {
                (Some(a), _) => format!("{}%", p.value(a)),
                (None, Some(NothingMeasured::NoChange)) => "n/a (no change)".to_owned(),
                (None, _) => "n/a (nothing coverable)".to_owned(),
            },
        ),
        GateKind::ProjectDrop => (
            format!("drop ≤ {}", p.value(g.target)),
            g.actual
                .map_or_else(|| "n/a".to_owned(), |a| format!("{}%", p.delta(a))),
        ),
        GateKind::NewTestFailures => (
            "0 new failed".to_owned(),
            g.actual.map_or_else(
                || "n/a (no baseline tests)".to_owned(),
                |a| format!("{a} new failed"),
            ),
        ),
        GateKind::Tests => (
            "0 failed".to_owned(),
            match g.reason {
                Some(NothingMeasured::NoTests) => {
                    "no test ran (the JUnit input has no test case)".to_owned()
                }
                Some(NothingMeasured::AllSkipped) => {
                    "no test ran (every test was skipped)".to_owned()
                }
                _ => format!("{} failed", g.actual.unwrap_or(0.0)),
            },
        ),
        GateKind::Unmatched => (
            "0 unmatched".to_owned(),
            format!("{} unmatched", g.actual.unwrap_or(0.0)),
        ),
        GateKind::Change => (
            "a non-empty change".to_owned(),
            match g.actual {
                Some(n) if n > 0.0 => format!("{n} changed file(s)"),
                _ => "no change".to_owned(),
            },
        ),
    };
    (target, actual, verdict)
}

#[cfg(test)]
mod unit {
    use super::Style;

    #[test]
    fn colour_is_the_plain_sgr_codes_and_off_means_no_escapes() {
        let on = Style {
            color: true,
            ..Style::default()
        };
        assert_eq!(on.good("ok"), "\x1b[32mok\x1b[0m");
        assert_eq!(on.bad("no"), "\x1b[31mno\x1b[0m");
        assert_eq!(on.warn("hm"), "\x1b[33mhm\x1b[0m");
        assert_eq!(on.bold("b"), "\x1b[1mb\x1b[0m");
        assert_eq!(Style::default().bad("no"), "no");
    }
}
