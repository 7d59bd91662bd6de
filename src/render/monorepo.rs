//! The components and flags tables (comment, terminal) and the components' statuses. Every figure
//! comes from [`MonorepoView`]; nothing is computed here.

use std::fmt::Write as _;

use comfy_table::{Cell, CellAlignment};

use crate::analysis::gates::NothingMeasured;
use crate::analysis::monorepo::{ComponentView, FlagSource, FlagView, MonorepoView};
use crate::analysis::{GateKind, Percent};
use crate::model::Totals;

use super::limits::{self, truncate_chars};
use super::plan::{CommitStatus, StatusState};
use super::{gate_line, md, short_sha, Style};

/// Flag names and component ids go into status contexts (`prcov/patch/<id>`) and file names
/// (`badge-<id>.svg`): letters, digits, `_`, `-` and `.`, at most 45 characters (Codecov's
/// limit for flag names). A saved payload's component contexts are checked with it too.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 45
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// `66.67% (2/3)`, or `n/a` when nothing is coverable.
fn figure(t: &Totals, percent: Percent) -> String {
    match percent.of(t) {
        Some(pc) => format!("{pc}% ({}/{})", t.hits, t.lines),
        None => "n/a".to_owned(),
    }
}

fn optional_figure(t: Option<&Totals>, percent: Percent) -> String {
    t.map_or_else(|| "—".to_owned(), |t| figure(t, percent))
}

/// What the flag's row says of where its coverage came from.
fn source_words(f: &FlagView) -> String {
    match &f.source {
        FlagSource::Uploaded => "uploaded".to_owned(),
        FlagSource::CarriedForward { commit } => {
            format!("carried forward from {}", short_sha(commit))
        }
        FlagSource::Missing { why } => format!("missing: {why}"),
    }
}

/// The gates of a component in a few words: `patch ≥ 80.00%: failed`.
fn gate_words(c: &ComponentView, percent: Percent) -> Vec<(bool, String)> {
    c.gates
        .iter()
        .map(|g| {
            let (target, _, verdict) = gate_line(g, percent);
            // A gate that passed because the component has nothing to measure says so: a bare
            // "passed" beside "n/a" would read as a checked pass.
            let words = match (g.actual, g.reason) {
                (None, Some(NothingMeasured::NoChange)) => {
                    format!("{} {target}: no change, {verdict}", g.name)
                }
                (None, Some(_)) => format!("{} {target}: nothing coverable, {verdict}", g.name),
                _ => format!("{} {target}: {verdict}", g.name),
            };
            (g.passed, words)
        })
        .collect()
}

/// The comment's components table, then its flags table (when flags are used); either can be
/// hidden (`[comment] hide`).
pub fn markdown(m: &MonorepoView, percent: Percent, components: bool, flags: bool) -> String {
    let mut out = String::new();
    if components && !m.components.is_empty() {
        let _ = writeln!(
            out,
            "\n| Component | Patch | Project | Gates |\n|---|---|---|---|"
        );
        for c in &m.components {
            let title = if c.name.is_some() {
                format!("{} {}", md::cell(c.title()), md::cell_code(&c.id))
            } else {
                md::cell_code(&c.id)
            };
            let mut project = figure(&c.project, percent);
            if !c.carried.is_empty() {
                let _ = write!(
                    project,
                    " (carried forward: {})",
                    c.carried
                        .iter()
                        .map(|f| md::cell_code(f))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let gates: Vec<String> = gate_words(c, percent)
                .into_iter()
                .map(|(passed, words)| {
                    let icon = if c.informational {
                        ":information_source:"
                    } else if passed {
                        ":white_check_mark:"
                    } else {
                        ":x:"
                    };
                    format!("{icon} {words}")
                })
                .collect();
            let mut gates = if gates.is_empty() {
                "—".to_owned()
            } else {
                gates.join("<br>")
            };
            if c.informational {
                gates.push_str(" (informational)");
            }
            let _ = writeln!(
                out,
                "| {title} | {} | {project} | {gates} |",
                figure(&c.patch, percent)
            );
        }
    }
    if flags && !m.flags.is_empty() {
        let _ = writeln!(
            out,
            "\n| Flag | Patch | Project | Coverage from |\n|---|---|---|---|"
        );
        for f in &m.flags {
            let from = match &f.source {
                // Our own sentence, not an input's: no escaping needed.
                FlagSource::Missing { .. } => format!(":warning: {}", source_words(f)),
                FlagSource::CarriedForward { commit } => {
                    format!("carried forward from `{}`", short_sha(commit))
                }
                FlagSource::Uploaded => "uploaded".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {from} |",
                md::cell_code(&f.name),
                optional_figure(f.patch.as_ref(), percent),
                optional_figure(f.project.as_ref(), percent),
            );
        }
    }
    out
}

/// The terminal's components and flags tables.
pub fn text(m: &MonorepoView, percent: Percent, style: Style) -> String {
    let mut out = String::new();
    let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    if !m.components.is_empty() {
        let mut t = super::text::table();
        t.set_header(vec!["Component", "Patch", "Project", "Gates"]);
        for c in &m.components {
            let title = match &c.name {
                Some(n) => format!("{n} ({})", c.id),
                None => c.id.clone(),
            };
            let mut project = figure(&c.project, percent);
            if !c.carried.is_empty() {
                let _ = write!(project, " (carried forward: {})", c.carried.join(", "));
            }
            let mut gates: Vec<String> = gate_words(c, percent)
                .into_iter()
                .map(|(passed, w)| {
                    if c.informational {
                        w
                    } else if passed {
                        style.good(&w)
                    } else {
                        style.bad(&w)
                    }
                })
                .collect();
            if c.informational {
                gates.push("(informational)".to_owned());
            }
            t.add_row(vec![
                Cell::new(title),
                right(figure(&c.patch, percent)),
                right(project),
                Cell::new(if gates.is_empty() {
                    "—".to_owned()
                } else {
                    gates.join("\n")
                }),
            ]);
        }
        let _ = writeln!(out, "Components:\n{t}");
    }
    if !m.flags.is_empty() {
        let mut t = super::text::table();
        t.set_header(vec!["Flag", "Patch", "Project", "Coverage from"]);
        for f in &m.flags {
            let from = source_words(f);
            let from = if matches!(f.source, FlagSource::Missing { .. }) {
                style.warn(&from)
            } else {
                from
            };
            t.add_row(vec![
                Cell::new(&f.name),
                right(optional_figure(f.patch.as_ref(), percent)),
                right(optional_figure(f.project.as_ref(), percent)),
                Cell::new(from),
            ]);
        }
        let _ = writeln!(out, "Flags:\n{t}");
    }
    out
}

fn cut(s: &str) -> String {
    truncate_chars(s, limits::STATUS_DESCRIPTION_MAX, "…").into_owned()
}

fn state(passed: bool) -> StatusState {
    if passed {
        StatusState::Success
    } else {
        StatusState::Failure
    }
}

/// `prcov/patch/<id>` and `prcov/project/<id>` of every component. Informational components'
/// statuses always succeed and say so.
pub fn statuses(m: &MonorepoView, percent: Percent) -> Vec<CommitStatus> {
    let mut out = Vec::new();
    for c in &m.components {
        let target = |kind: GateKind| {
            c.gates
                .iter()
                .find(|g| g.kind == kind)
                .map(|g| format!(" (target {}%)", percent.value(g.target)))
                .unwrap_or_default()
        };
        let note = if c.informational {
            " [informational]"
        } else {
            ""
        };
        let patch = match percent.of(&c.patch) {
            Some(pc) => format!(
                "{}: {pc}% of diff hit{}{note}",
                c.id,
                target(GateKind::Patch)
            ),
            None => format!(
                "{}: coverage not affected: no coverable lines changed{note}",
                c.id
            ),
        };
        let carried = if c.carried.is_empty() {
            String::new()
        } else {
            format!(", carried forward: {}", c.carried.join(", "))
        };
        let project = match percent.of(&c.project) {
            Some(pc) => format!(
                "{}: {pc}%{}{carried}{note}",
                c.id,
                target(GateKind::Project)
            ),
            None => format!("{}: no coverable lines{carried}{note}", c.id),
        };
        out.push(CommitStatus {
            context: format!("prcov/patch/{}", c.id),
            state: state(c.passed(GateKind::Patch)),
            description: cut(&patch),
            coverage: c.patch.percent(),
        });
        out.push(CommitStatus {
            context: format!("prcov/project/{}", c.id),
            state: state(c.passed(GateKind::Project)),
            description: cut(&project),
            coverage: c.project.percent(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::gates::{evaluate, Gate, Measured};

    fn component(informational: bool, carried: &[&str]) -> ComponentView {
        let project = Totals {
            lines: 4,
            hits: 1,
            misses: 3,
            partials: 0,
        };
        let measured = Measured {
            project: project.percent(),
            ..Measured::default()
        };
        let mut gates = evaluate(
            &[Gate {
                kind: GateKind::Project,
                target: 50.0,
            }],
            &measured,
            0.0,
        );
        gates[0].component = Some("db".into());
        ComponentView {
            id: "db".into(),
            name: None,
            flags: vec!["it".into()],
            patch: Totals::default(),
            project,
            gates,
            informational,
            carried: carried.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn statuses_follow_the_components_gates_unless_informational() {
        let view = |c| MonorepoView {
            flags: Vec::new(),
            components: vec![c],
        };
        let s = statuses(&view(component(false, &["it"])), Percent::default());
        let got: Vec<(&str, StatusState, &str)> = s
            .iter()
            .map(|s| (s.context.as_str(), s.state, s.description.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "prcov/patch/db",
                    StatusState::Success,
                    "db: coverage not affected: no coverable lines changed"
                ),
                (
                    "prcov/project/db",
                    StatusState::Failure,
                    "db: 25.00% (target 50.00%), carried forward: it"
                ),
            ]
        );
        let s = statuses(&view(component(true, &[])), Percent::default());
        assert_eq!(s[1].state, StatusState::Success);
        assert_eq!(
            s[1].description,
            "db: 25.00% (target 50.00%) [informational]"
        );
    }

    #[test]
    fn a_gate_with_nothing_to_measure_says_so_beside_its_verdict() {
        let mut c = component(false, &[]);
        c.gates.extend(evaluate(
            &[Gate {
                kind: GateKind::Patch,
                target: 90.0,
            }],
            &Measured {
                changed_files: Some(3),
                ..Measured::default()
            },
            0.0,
        ));
        let words: Vec<String> = gate_words(&c, Percent::default())
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(
            words,
            [
                "project ≥ 50.00%: failed",
                "patch ≥ 90.00%: nothing coverable, passed"
            ]
        );
    }
}
