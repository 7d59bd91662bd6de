//! Monorepo settings of `prcov.toml`: flags (where coverage came from), components (named parts
//! of the code), and the flags of each report (docs/configuration.md#flags-and-components).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::analysis::monorepo::{ComponentSpec, FlagSpec, Globs, Specs};
use crate::analysis::{Gate, GateKind};
use crate::render::limits::COMPONENTS_MAX;

#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagConfig {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub carryforward: bool,
}

#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    pub patch: Option<f64>,
    pub project: Option<f64>,
    pub threshold: Option<f64>,
    #[serde(default)]
    pub informational: bool,
}

/// One entry of `reports = [...]`: a path, or a path with the flags its coverage carries
/// (`{ path = "b.xml", flags = ["integration"] }`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum ReportEntry {
    Path(PathBuf),
    Flagged(FlaggedReport),
}

/// `{ path = "b.xml", flags = ["integration"] }`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct FlaggedReport {
    pub path: PathBuf,
    #[serde(default)]
    pub flags: Vec<String>,
}

/// By hand rather than `untagged`: a mistyped key of the table form gets serde's "unknown field"
/// error (which names the key and the known ones) instead of "did not match any variant".
impl<'de> serde::Deserialize<'de> for ReportEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = ReportEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a report path, or a table { path = \"…\", flags = [\"…\"] }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ReportEntry, E> {
                Ok(ReportEntry::Path(PathBuf::from(v)))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ReportEntry, A::Error> {
                serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ReportEntry::Flagged)
            }
        }
        d.deserialize_any(Entry)
    }
}

impl ReportEntry {
    pub fn path(&self) -> &PathBuf {
        match self {
            ReportEntry::Path(p) | ReportEntry::Flagged(FlaggedReport { path: p, .. }) => p,
        }
    }

    pub fn flags(&self) -> &[String] {
        match self {
            ReportEntry::Path(_) => &[],
            ReportEntry::Flagged(r) => &r.flags,
        }
    }
}

/// The monorepo settings of a run, from the command line and `prcov.toml`.
#[derive(Debug, Clone, Default)]
pub struct MonorepoOptions {
    /// `--flag NAME`: flags of every report of this run.
    pub run_flags: Vec<String>,
    /// Flags of single reports (`reports = [{ path, flags }]`), matched by the path as given.
    pub report_flags: Vec<(PathBuf, Vec<String>)>,
    /// `[flags.NAME]`.
    pub flags: BTreeMap<String, FlagConfig>,
    /// `[[components]]`.
    pub components: Vec<ComponentConfig>,
}

pub use crate::render::monorepo::valid_name;

fn check_name(what: &str, name: &str) -> Result<(), String> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(format!(
            "{what} {name:?} is not a valid name: use letters, digits, `_`, `-` and `.`, at most 45 characters"
        ))
    }
}

fn percent(what: &str, v: Option<f64>) -> Result<Option<f64>, String> {
    match v {
        Some(p) if !(0.0..=100.0).contains(&p) => Err(format!(
            "{what} expects a percentage from 0 to 100, got {p}"
        )),
        _ => Ok(v),
    }
}

impl MonorepoOptions {
    /// True when the run uses flags or components: otherwise nothing of them is computed or shown.
    pub fn active(&self) -> bool {
        !self.run_flags.is_empty()
            || self.report_flags.iter().any(|(_, f)| !f.is_empty())
            || !self.flags.is_empty()
            || !self.components.is_empty()
    }

    /// The flags of the report at `path`: the run's, then the report's own, each once.
    pub fn flags_of(&self, path: &std::path::Path) -> Vec<String> {
        let mut out = self.run_flags.clone();
        for (p, flags) in &self.report_flags {
            if p == path {
                out.extend(flags.iter().cloned());
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        out.retain(|f| seen.insert(f.clone()));
        out
    }

    /// Checks names, globs and targets, and compiles them for the analysis. `threshold` is the
    /// `[gates] threshold`, used by a component that sets none.
    pub fn specs(&self, threshold: f64) -> Result<Specs, String> {
        for f in self
            .run_flags
            .iter()
            .chain(self.report_flags.iter().flat_map(|(_, f)| f))
        {
            check_name("flag", f)?;
        }
        let mut flags = Vec::new();
        for (name, f) in &self.flags {
            check_name("[flags] name", name)?;
            flags.push(FlagSpec {
                name: name.clone(),
                paths: Globs::new(&f.paths).map_err(|e| format!("[flags.{name}] paths: {e}"))?,
                carryforward: f.carryforward,
            });
        }
        if self.components.len() > COMPONENTS_MAX {
            return Err(format!(
                "[[components]]: {} components, at most {COMPONENTS_MAX} (each has two statuses)",
                self.components.len()
            ));
        }
        let mut components = Vec::new();
        let mut ids = std::collections::BTreeSet::new();
        for c in &self.components {
            check_name("[[components]] id", &c.id)?;
            if !ids.insert(c.id.as_str()) {
                return Err(format!(
                    "[[components]] id {:?} is used twice: each component needs its own id (it names its statuses)",
                    c.id
                ));
            }
            for f in &c.flags {
                check_name(&format!("component {:?}: flag", c.id), f)?;
            }
            let at = |key: &str| format!("component {:?}: {key}", c.id);
            let mut gates = Vec::new();
            if let Some(target) = percent(&at("patch"), c.patch)? {
                gates.push(Gate {
                    kind: GateKind::Patch,
                    target,
                });
            }
            if let Some(target) = percent(&at("project"), c.project)? {
                gates.push(Gate {
                    kind: GateKind::Project,
                    target,
                });
            }
            let component_threshold = match c.threshold {
                Some(t) if !(t.is_finite() && t >= 0.0) => {
                    return Err(format!(
                        "{} expects points of coverage (0 or more), got {t}",
                        at("threshold")
                    ))
                }
                Some(t) => t,
                None => threshold,
            };
            components.push(ComponentSpec {
                id: c.id.clone(),
                name: c.name.clone(),
                paths: Globs::new(&c.paths).map_err(|e| format!("{}: {e}", at("paths")))?,
                flags: c.flags.clone(),
                gates,
                threshold: component_threshold,
                informational: c.informational,
            });
        }
        Ok(Specs { flags, components })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_go_into_status_contexts_are_checked() {
        for ok in ["api", "web-ui", "svc_1", "v1.2"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "a/b", "a b", "..", "é", &"x".repeat(46)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn specs_reject_duplicates_bad_globs_and_targets() {
        let comp = |id: &str| ComponentConfig {
            id: id.into(),
            ..ComponentConfig::default()
        };
        let twice = MonorepoOptions {
            components: vec![comp("api"), comp("api")],
            ..MonorepoOptions::default()
        };
        assert!(twice.specs(0.0).unwrap_err().contains("used twice"));
        let glob = MonorepoOptions {
            components: vec![ComponentConfig {
                paths: vec!["src/[a".into()],
                ..comp("api")
            }],
            ..MonorepoOptions::default()
        };
        let e = glob.specs(0.0).unwrap_err();
        assert!(e.starts_with("component \"api\": paths:"), "{e}");
        let target = MonorepoOptions {
            components: vec![ComponentConfig {
                patch: Some(120.0),
                ..comp("api")
            }],
            ..MonorepoOptions::default()
        };
        assert!(target.specs(0.0).unwrap_err().contains("patch expects"));
        let flag = MonorepoOptions {
            run_flags: vec!["a b".into()],
            ..MonorepoOptions::default()
        };
        assert!(flag.specs(0.0).unwrap_err().starts_with("flag \"a b\""));
    }

    #[test]
    fn a_report_has_the_run_flags_and_its_own_once() {
        let m = MonorepoOptions {
            run_flags: vec!["unit".into()],
            report_flags: vec![("b.xml".into(), vec!["integration".into(), "unit".into()])],
            ..MonorepoOptions::default()
        };
        assert_eq!(m.flags_of("a.info".as_ref()), ["unit"]);
        assert_eq!(m.flags_of("b.xml".as_ref()), ["unit", "integration"]);
    }
}
