//! Flags and components (docs/configuration.md#flags-and-components): totals per flag (where
//! coverage came from) and per component (a named part of the code), with the components' gates.
//!
//! The merged totals of the run are not touched: these are views of the same reports, computed
//! only when flags or components are used.

use std::collections::BTreeMap;

use globset::GlobSet;

use crate::git::{ChangeSet, FileStatus};
use crate::model::{CoverageReport, FileCoverage, LineState, Totals};

use super::gates::{self, Gate, GateOutcome, Measured};
use super::CountingRules;

/// Path globs of a flag or component; none = every path. As for `--include`, a pattern without
/// `/` matches a file name at any depth, one with `/` the whole repository path.
#[derive(Debug, Clone, Default)]
pub struct Globs(Option<GlobSet>);

impl Globs {
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        crate::paths::compile_globs(patterns, "").map(Globs)
    }

    pub fn matches(&self, path: &str) -> bool {
        self.0.as_ref().is_none_or(|g| g.is_match(path))
    }
}

/// A configured flag (`[flags.NAME]`).
#[derive(Debug, Clone)]
pub struct FlagSpec {
    pub name: String,
    pub paths: Globs,
    pub carryforward: bool,
}

/// A configured component (`[[components]]`), its gates compiled.
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    pub id: String,
    pub name: Option<String>,
    pub paths: Globs,
    /// Only coverage of these flags counts; empty: the run's merged coverage.
    pub flags: Vec<String>,
    pub gates: Vec<Gate>,
    pub threshold: f64,
    /// The statuses always succeed; the result is shown.
    pub informational: bool,
}

/// Every flag and component of a run.
#[derive(Debug, Clone, Default)]
pub struct Specs {
    pub flags: Vec<FlagSpec>,
    pub components: Vec<ComponentSpec>,
}

/// Where a flag's coverage came from in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagSource {
    /// A report of this run carries the flag.
    Uploaded,
    /// Not uploaded; taken from the baseline record of `commit` (`carryforward = true`).
    CarriedForward { commit: String },
    /// Not uploaded, and nothing to carry forward: `why` says what is missing.
    Missing { why: String },
}

/// One flag's totals. Patch is `None` when carried forward (the baseline's lines are not the
/// change's) or missing.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagView {
    pub name: String,
    pub source: FlagSource,
    pub patch: Option<Totals>,
    pub project: Option<Totals>,
}

/// One component's totals and gates.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentView {
    pub id: String,
    pub name: Option<String>,
    pub flags: Vec<String>,
    pub patch: Totals,
    pub project: Totals,
    /// This component's gates, each with `component` set; informational ones always pass.
    pub gates: Vec<GateOutcome>,
    pub informational: bool,
    /// Flags of the filter whose coverage was carried forward into the project totals.
    pub carried: Vec<String>,
}

impl ComponentView {
    /// The name to show: the display name, else the id.
    pub fn title(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The gates of one kind pass (informational components always do).
    pub fn passed(&self, kind: super::GateKind) -> bool {
        self.informational
            || self
                .gates
                .iter()
                .filter(|g| g.kind == kind)
                .all(|g| g.passed)
    }
}

/// Flags and components of a run, as every renderer shows them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MonorepoView {
    /// Sorted by name.
    pub flags: Vec<FlagView>,
    /// In configuration order.
    pub components: Vec<ComponentView>,
}

/// What history has to carry forward from.
#[derive(Debug, Clone, Copy)]
pub enum Baseline<'a> {
    /// No history was asked for (`--history`/`--history-dir`).
    NoHistory,
    /// History found no baseline record.
    NoRecord,
    /// The baseline record's commit and its files' line states.
    Record {
        commit: &'a str,
        files: &'a BTreeMap<String, Vec<(u32, LineState)>>,
    },
}

/// What the views are computed from.
pub struct Inputs<'a> {
    /// The merged report of the run (every report, flags or not).
    pub head: &'a CoverageReport,
    /// The merged report of each flag's reports.
    pub by_flag: &'a BTreeMap<String, CoverageReport>,
    pub change: &'a ChangeSet,
    pub rules: CountingRules,
    pub baseline: Baseline<'a>,
}

/// A flag's coverage: its uploaded files (within its paths), or the lines carried forward.
enum FlagData<'a> {
    Uploaded(&'a CoverageReport, &'a Globs),
    Carried(&'a BTreeMap<String, Vec<(u32, LineState)>>, &'a Globs),
    Missing,
}

fn count_project<'a>(
    files: impl Iterator<Item = (&'a String, &'a FileCoverage)>,
    rules: CountingRules,
) -> Totals {
    let mut t = Totals::default();
    for (_, file) in files {
        for (_, state) in file.lines.states() {
            t.add(rules.count(state));
        }
    }
    t
}

/// Patch totals over the changed files `keep` selects, with `state` giving a line's state: the
/// same counting as [`super::PatchCoverage::compute`].
fn count_patch(
    change: &ChangeSet,
    rules: CountingRules,
    keep: impl Fn(&str) -> bool,
    state: impl Fn(&str, u32) -> Option<LineState>,
) -> Totals {
    let mut t = Totals::default();
    for changed in &change.files {
        if changed.status == FileStatus::Deleted || changed.binary || !keep(&changed.path) {
            continue;
        }
        for line in &changed.added_lines {
            if let Some(s) = state(&changed.path, *line) {
                t.add(rules.count(s));
            }
        }
    }
    t
}

/// The state two records of a line merge into when one only has a state (carried forward): the
/// better one, as hits add up.
fn best(a: LineState, b: LineState) -> LineState {
    let rank = |s| match s {
        LineState::Miss => 0,
        LineState::Partial => 1,
        LineState::Hit => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// Flags and components of the run.
pub fn compute(specs: &Specs, input: &Inputs<'_>) -> MonorepoView {
    let all = Globs::default();
    let configured: BTreeMap<&str, &FlagSpec> =
        specs.flags.iter().map(|f| (f.name.as_str(), f)).collect();
    // Every flag named anywhere: configured, uploaded, or in a component's filter.
    let mut names: Vec<&str> = configured.keys().copied().collect();
    names.extend(input.by_flag.keys().map(String::as_str));
    names.extend(
        specs
            .components
            .iter()
            .flat_map(|c| c.flags.iter().map(String::as_str)),
    );
    names.sort_unstable();
    names.dedup();

    let data_of = |name: &str| -> (FlagData<'_>, FlagSource) {
        let spec = configured.get(name);
        let paths = spec.map_or(&all, |s| &s.paths);
        if let Some(report) = input.by_flag.get(name) {
            return (FlagData::Uploaded(report, paths), FlagSource::Uploaded);
        }
        let carry = spec.is_some_and(|s| s.carryforward);
        match (carry, input.baseline) {
            (true, Baseline::Record { commit, files }) => (
                FlagData::Carried(files, paths),
                FlagSource::CarriedForward {
                    commit: commit.to_owned(),
                },
            ),
            (true, Baseline::NoRecord) => (
                FlagData::Missing,
                FlagSource::Missing {
                    why: "not uploaded in this run, and history has no baseline record to carry it forward from".into(),
                },
            ),
            (true, Baseline::NoHistory) => (
                FlagData::Missing,
                FlagSource::Missing {
                    why: "not uploaded in this run; carrying it forward needs history (--history-dir DIR or --history STORE)".into(),
                },
            ),
            (false, _) => (
                FlagData::Missing,
                FlagSource::Missing {
                    why: "not uploaded in this run".into(),
                },
            ),
        }
    };

    let rules = input.rules;
    let flags = names
        .iter()
        .map(|name| {
            let (data, source) = data_of(name);
            let (patch, project) = match data {
                FlagData::Uploaded(report, paths) => (
                    Some(count_patch(
                        input.change,
                        rules,
                        |p| paths.matches(p),
                        |p, l| report.files.get(p)?.lines.state(l),
                    )),
                    Some(count_project(
                        report.files.iter().filter(|(p, _)| paths.matches(p)),
                        rules,
                    )),
                ),
                FlagData::Carried(files, paths) => {
                    let mut t = Totals::default();
                    for (_, lines) in files.iter().filter(|(p, _)| paths.matches(p)) {
                        for (_, s) in lines {
                            t.add(rules.count(*s));
                        }
                    }
                    (None, Some(t))
                }
                FlagData::Missing => (None, None),
            };
            FlagView {
                name: (*name).to_owned(),
                source,
                patch,
                project,
            }
        })
        .collect();

    let components = specs
        .components
        .iter()
        .map(|c| component(c, input, &data_of))
        .collect();
    MonorepoView { flags, components }
}

fn component<'a>(
    c: &ComponentSpec,
    input: &Inputs<'a>,
    data_of: &dyn Fn(&str) -> (FlagData<'a>, FlagSource),
) -> ComponentView {
    let rules = input.rules;
    let mut carried_flags = Vec::new();
    let (patch, project) = if c.flags.is_empty() {
        let head = input.head;
        (
            count_patch(
                input.change,
                rules,
                |p| c.paths.matches(p),
                |p, l| head.files.get(p)?.lines.state(l),
            ),
            count_project(head.files.iter().filter(|(p, _)| c.paths.matches(p)), rules),
        )
    } else {
        // The filter's flags merged over the component's files: uploaded reports merge as
        // reports do (hits add up, branches unite); carried-forward lines add their state.
        let mut uploaded: BTreeMap<String, FileCoverage> = BTreeMap::new();
        let mut carried: BTreeMap<String, BTreeMap<u32, LineState>> = BTreeMap::new();
        for name in &c.flags {
            match data_of(name).0 {
                FlagData::Uploaded(report, paths) => {
                    for (p, f) in &report.files {
                        if paths.matches(p) && c.paths.matches(p) {
                            uploaded.entry(p.clone()).or_default().merge(f);
                        }
                    }
                }
                FlagData::Carried(files, paths) => {
                    carried_flags.push(name.clone());
                    for (p, lines) in files {
                        if paths.matches(p) && c.paths.matches(p) {
                            let file = carried.entry(p.clone()).or_default();
                            for (l, s) in lines {
                                let e = file.entry(*l).or_insert(*s);
                                *e = best(*e, *s);
                            }
                        }
                    }
                }
                FlagData::Missing => {}
            }
        }
        // The baseline's line numbers are not the change's: the patch counts uploads only.
        let patch = count_patch(
            input.change,
            rules,
            |p| c.paths.matches(p),
            |p, l| uploaded.get(p)?.lines.state(l),
        );
        let mut project = Totals::default();
        for (p, f) in &uploaded {
            let extra = carried.remove(p).unwrap_or_default();
            let mut states: BTreeMap<u32, LineState> = f.lines.states().collect();
            for (l, s) in extra {
                let e = states.entry(l).or_insert(s);
                *e = best(*e, s);
            }
            for s in states.values() {
                project.add(rules.count(*s));
            }
        }
        for lines in carried.values() {
            for s in lines.values() {
                project.add(rules.count(*s));
            }
        }
        (patch, project)
    };
    let measured = Measured {
        patch: patch.percent(),
        project: project.percent(),
        changed_files: Some(input.change.files.len() as u64),
        ..Measured::default()
    };
    let mut outcomes = gates::evaluate(&c.gates, &measured, c.threshold);
    for g in &mut outcomes {
        g.component = Some(c.id.clone());
    }
    ComponentView {
        id: c.id.clone(),
        name: c.name.clone(),
        flags: c.flags.clone(),
        patch,
        project,
        gates: outcomes,
        informational: c.informational,
        carried: carried_flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::ChangedFile;
    use crate::model::LineRecord;

    fn report(files: &[(&str, &[(u32, u64)])]) -> CoverageReport {
        let mut r = CoverageReport::default();
        for (path, lines) in files {
            let f = r.file_mut(path);
            for (l, hits) in *lines {
                f.add_line(*l, LineRecord::new(*hits));
            }
        }
        r
    }

    #[test]
    fn globs_match_like_include() {
        let g = Globs::new(&["services/api/**".into(), "*.proto".into()]).unwrap();
        assert!(g.matches("services/api/x.py"));
        assert!(g.matches("deep/a.proto"));
        assert!(!g.matches("services/web/x.py"));
        assert!(Globs::default().matches("anything"));
        assert!(Globs::new(&["[".into()]).is_err());
    }

    #[test]
    fn a_component_without_filter_over_all_paths_is_the_merged_total() {
        let head = report(&[("a.py", &[(1, 1), (2, 0), (3, 1)]), ("b.py", &[(1, 0)])]);
        let change = ChangeSet {
            base: "b".into(),
            head: "h".into(),
            files: vec![ChangedFile {
                path: "a.py".into(),
                old_path: None,
                status: FileStatus::Modified,
                binary: false,
                added_lines: vec![2, 3, 9],
            }],
        };
        let specs = Specs {
            flags: Vec::new(),
            components: vec![ComponentSpec {
                id: "all".into(),
                name: None,
                paths: Globs::default(),
                flags: Vec::new(),
                gates: vec![Gate {
                    kind: super::super::GateKind::Patch,
                    target: 60.0,
                }],
                threshold: 0.0,
                informational: false,
            }],
        };
        let by_flag = BTreeMap::new();
        let view = compute(
            &specs,
            &Inputs {
                head: &head,
                by_flag: &by_flag,
                change: &change,
                rules: CountingRules::default(),
                baseline: Baseline::NoHistory,
            },
        );
        let c = &view.components[0];
        let patch = super::super::PatchCoverage::compute(&change, &head, CountingRules::default());
        assert_eq!(c.patch, patch.totals);
        assert_eq!(c.project, head.totals());
        // 1 of 2 patch lines hit: 50% < 60%.
        assert!(!c.gates[0].passed);
        assert_eq!(c.gates[0].component.as_deref(), Some("all"));
    }
}
