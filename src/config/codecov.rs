//! `codecov.yml` read as it is: each Codecov key mapped onto the `prcov.toml` setting that means
//! the same (docs/configuration.md#codecovyml), with the line it came from; every key prcov does
//! not apply is a warning with its path and line, never dropped silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::analysis::Round;
use crate::model::diag::{Location, Warning, WarningKind};

use super::comment::CommentBehavior;
use super::monorepo::{ComponentConfig, FlagConfig};
use super::yaml::{self, Entry, Node, Value};
use super::{FileConfig, Origin, SettingsFile};

/// The names Codecov looks for, in its order, in each of [`FOLDERS`].
pub const FILE_NAMES: [&str; 4] = [
    "codecov.yml",
    ".codecov.yml",
    "codecov.yaml",
    ".codecov.yaml",
];

/// Where Codecov looks for its file, in order: the repository root, `.github/`, `dev/`.
pub const FOLDERS: [&str; 3] = ["", ".github", "dev"];

/// The first `codecov.yml` Codecov would read below `root`, as a path relative to `root`.
pub fn find(root: &Path) -> Option<PathBuf> {
    FOLDERS
        .iter()
        .flat_map(|dir| FILE_NAMES.iter().map(move |name| Path::new(dir).join(name)))
        .find(|rel| root.join(rel).is_file())
}

/// True for a file name Codecov reads, or any `.yml`/`.yaml` file.
pub fn is_codecov_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    FILE_NAMES.contains(&name)
        || matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yml" | "yaml")
        )
}

/// What a `codecov.yml` sets, in prcov's terms.
#[derive(Debug, Default, Clone)]
pub struct Mapped {
    /// Only the keys of `origins` are set.
    pub config: FileConfig,
    /// prcov key (`gates.patch`, `flags.unit`, `components.api`, …) → where it came from.
    pub origins: BTreeMap<String, Origin>,
    /// Keys not applied, one warning each.
    pub warnings: Vec<Warning>,
}

/// Reads `text` (the file `shown` in messages). Malformed YAML, or a known key holding the wrong
/// kind of value, is an error naming the file and line.
pub fn read(text: &str, shown: &Path) -> Result<Mapped, String> {
    let (root, extra_documents) = yaml::parse(text).map_err(|e| {
        format!(
            "{}:{}:{}: invalid YAML: {}",
            shown.display(),
            e.line,
            e.column,
            e.message
        )
    })?;
    let mut r = Reader {
        file: shown.to_path_buf(),
        out: Mapped::default(),
        statuses: Vec::new(),
    };
    if extra_documents > 0 {
        r.warn(
            1,
            format!("{extra_documents} more YAML document(s) after the first are ignored"),
        );
    }
    match &root.value {
        Value::Map(entries) => r.top(entries)?,
        Value::Null => {}
        _ => {
            return Err(format!(
                "{}:{}: expected a mapping of Codecov settings, got {}",
                shown.display(),
                root.line,
                root.kind()
            ))
        }
    }
    r.finish_statuses();
    r.out.warnings.sort_by_key(|w| w.location.line);
    Ok(r.out)
}

/// A status of `coverage.status.project|patch`, as read.
#[derive(Debug, Clone)]
struct Status {
    kind: &'static str,
    name: String,
    /// The line of its name.
    line: u64,
    target: Target,
    threshold: Option<f64>,
    informational: bool,
    paths: Vec<String>,
    flags: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Auto,
    Percent(f64, u64),
}

struct Reader {
    file: PathBuf,
    out: Mapped,
    statuses: Vec<Status>,
}

/// The entries of one mapping, each taken once; what is left is warned about by [`Fields::done`].
struct Fields<'n> {
    path: String,
    entries: &'n [Entry],
    used: Vec<bool>,
}

impl<'n> Fields<'n> {
    fn new(path: &str, entries: &'n [Entry]) -> Self {
        Fields {
            path: path.to_owned(),
            entries,
            used: vec![false; entries.len()],
        }
    }

    fn take(&mut self, key: &str) -> Option<&'n Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        self.used[i] = true;
        Some(&self.entries[i])
    }

    fn key(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Warns about each key not taken.
    fn done(self, r: &mut Reader) {
        for (e, used) in self.entries.iter().zip(self.used) {
            if !used {
                let path = join(&self.path, &e.key);
                let why = reason(&path);
                r.warn(
                    e.line,
                    format!("{path} is not supported by prcov (ignored){why}"),
                );
            }
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Why a well-known key has no prcov equivalent, after `; `.
fn reason(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or(path);
    match last {
        "after_n_builds" | "wait_for_ci" | "require_ci_to_pass" | "notify" => {
            "; prcov reports when the job that runs it ends"
        }
        "branches" => "; prcov applies its settings on every branch",
        "require_base" | "require_head" => "; prcov comments whenever it runs",
        "if_ci_failed" | "if_no_uploads" => "; prcov runs inside the CI job",
        "parsers" => "; prcov detects each report's format from its content",
        _ => "",
    }
}

impl Reader {
    fn warn(&mut self, line: u64, message: String) {
        self.out.warnings.push(
            Warning::new(WarningKind::Settings, Location::line(line), message).in_file(&self.file),
        );
    }

    fn error(&self, line: u64, key: &str, expected: &str, got: &Node) -> String {
        format!(
            "{}:{line}: {key}: expected {expected}, got {}",
            self.file.display(),
            got.kind()
        )
    }

    fn set(&mut self, key: &str, line: u64, from: &str, note: Option<String>) {
        self.out.origins.insert(
            key.to_owned(),
            Origin {
                file: self.file.clone(),
                kind: SettingsFile::Codecov,
                line: Some(line),
                key: Some(from.to_owned()),
                note,
                needs_base: false,
            },
        );
    }

    fn top(&mut self, entries: &[Entry]) -> Result<(), String> {
        let mut f = Fields::new("", entries);
        if let Some(e) = f.take("codecov") {
            // Settings of Codecov's own service (bot, notify, branch…): each one said once.
            match &e.node.value {
                Value::Map(children) => Fields::new("codecov", children).done(self),
                _ => self.warn(e.line, "codecov is not supported by prcov (ignored)".into()),
            }
        }
        if let Some(e) = f.take("coverage") {
            self.coverage(e)?;
        }
        if let Some(e) = f.take("ignore") {
            let patterns = self.strings(e, "ignore")?;
            let globs = self.globs(&patterns, e.line, "ignore");
            self.out.config.ignore = globs;
            self.set("ignore", e.line, "ignore", None);
        }
        if let Some(e) = f.take("fixes") {
            self.fixes(e)?;
        }
        if let Some(e) = f.take("flags") {
            self.flags(e)?;
        }
        if let Some(e) = f.take("flag_management") {
            self.flag_management(e)?;
        }
        if let Some(e) = f.take("component_management") {
            self.components(e)?;
        }
        if let Some(e) = f.take("comment") {
            self.comment(e)?;
        }
        f.done(self);
        Ok(())
    }

    fn strings(&self, e: &Entry, key: &str) -> Result<Vec<String>, String> {
        e.node
            .as_strings()
            .ok_or_else(|| self.error(e.line, key, "a list of strings", &e.node))
    }

    fn map<'n>(&self, e: &'n Entry, key: &str) -> Result<&'n [Entry], String> {
        match &e.node.value {
            Value::Map(m) => Ok(m),
            Value::Null => Ok(&[]),
            _ => Err(self.error(e.line, key, "a mapping", &e.node)),
        }
    }

    fn bool(&self, e: &Entry, key: &str) -> Result<bool, String> {
        e.node
            .as_bool()
            .ok_or_else(|| self.error(e.line, key, "true or false", &e.node))
    }

    fn percent(&self, e: &Entry, key: &str) -> Result<f64, String> {
        e.node
            .as_percent()
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| self.error(e.line, key, "a percentage from 0 to 100", &e.node))
    }

    /// Codecov paths (globs or regular expressions, prefixes of the path) as prcov globs; what
    /// has no glob equivalent is warned about and left out.
    fn globs(&mut self, patterns: &[String], line: u64, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for p in patterns {
            match to_globs(p) {
                Ok(globs) => out.extend(globs),
                Err(why) => self.warn(line, format!("{key}: `{p}` is left out: {why}")),
            }
        }
        out
    }

    fn coverage(&mut self, e: &Entry) -> Result<(), String> {
        let entries = self.map(e, "coverage")?;
        let mut f = Fields::new("coverage", entries);
        let precision = f.take("precision");
        let round = f.take("round");
        self.precision(precision, round)?;
        if let Some(e) = f.take("range") {
            self.range(e)?;
        }
        if let Some(e) = f.take("status") {
            let entries = self.map(e, "coverage.status")?;
            let mut s = Fields::new("coverage.status", entries);
            for kind in ["project", "patch"] {
                if let Some(e) = s.take(kind) {
                    self.status_kind(kind, e)?;
                }
            }
            s.done(self);
        }
        f.done(self);
        Ok(())
    }

    /// `precision` (0–5 decimals) and `round` (down, up, nearest): how prcov shows every
    /// percentage (`[display]`, docs/coverage.md#percent). Another value is an error.
    fn precision(
        &mut self,
        precision: Option<&Entry>,
        round: Option<&Entry>,
    ) -> Result<(), String> {
        if let Some(e) = precision {
            let p = e
                .node
                .as_percent()
                .filter(|p| p.fract() == 0.0 && (0.0..=5.0).contains(p))
                .ok_or_else(|| {
                    self.error(
                        e.line,
                        "coverage.precision",
                        "a number of decimals from 0 to 5",
                        &e.node,
                    )
                })?;
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a whole number from 0 to 5, checked above"
            )]
            let digits = p as u8;
            self.out.config.display.precision = Some(digits);
            self.set("display.precision", e.line, "coverage.precision", None);
        }
        if let Some(e) = round {
            let r = match e.node.as_str().unwrap_or_default() {
                "down" => Round::Down,
                "up" => Round::Up,
                "nearest" => Round::Nearest,
                _ => {
                    return Err(self.error(
                        e.line,
                        "coverage.round",
                        "down, up or nearest",
                        &e.node,
                    ))
                }
            };
            self.out.config.display.round = Some(r);
            self.set("display.round", e.line, "coverage.round", None);
        }
        Ok(())
    }

    /// `range: 70..100` (or `70...100`, `[70, 100]`): the badge's red-to-green bands.
    fn range(&mut self, e: &Entry) -> Result<(), String> {
        let bounds: Option<(f64, f64)> = match &e.node.value {
            Value::Str(s) => {
                let (lo, hi) = s
                    .split_once("...")
                    .or_else(|| s.split_once(".."))
                    .unwrap_or((s, ""));
                lo.trim()
                    .trim_end_matches('%')
                    .parse()
                    .ok()
                    .zip(hi.trim().trim_end_matches('%').parse().ok())
            }
            Value::Seq(items) if items.len() == 2 => {
                items[0].as_percent().zip(items[1].as_percent())
            }
            _ => None,
        };
        let Some((lo, hi)) = bounds.filter(|(lo, hi)| 0.0 <= *lo && lo <= hi && *hi <= 100.0)
        else {
            return Err(self.error(
                e.line,
                "coverage.range",
                "LOW..HIGH, two percentages",
                &e.node,
            ));
        };
        self.out.config.badge.thresholds = Some(vec![lo, (lo + hi) / 2.0, hi]);
        self.set(
            "badge.thresholds",
            e.line,
            "coverage.range",
            Some(format!(
                "below {lo} red, up to the middle orange, up to {hi} yellow, above green; the HTML report keeps its own colours"
            )),
        );
        Ok(())
    }

    fn status_kind(&mut self, kind: &'static str, e: &Entry) -> Result<(), String> {
        let key = format!("coverage.status.{kind}");
        match &e.node.value {
            Value::Map(statuses) => {
                for s in statuses {
                    if let Some(on) = s.node.as_bool() {
                        if on {
                            self.statuses.push(Status::default_of(kind, &s.key, s.line));
                        }
                        continue;
                    }
                    let entries = self.map(s, &join(&key, &s.key))?;
                    if let Some(status) = self.status(kind, &s.key, s.line, entries)? {
                        self.statuses.push(status);
                    }
                }
            }
            // `project: yes` is the default status; `no`/`off` none.
            _ => match e.node.as_bool() {
                Some(true) => self
                    .statuses
                    .push(Status::default_of(kind, "default", e.line)),
                Some(false) => {}
                None => {
                    return Err(self.error(
                        e.line,
                        &key,
                        "a mapping of statuses, or on/off",
                        &e.node,
                    ))
                }
            },
        }
        Ok(())
    }

    fn status(
        &mut self,
        kind: &'static str,
        name: &str,
        line: u64,
        entries: &[Entry],
    ) -> Result<Option<Status>, String> {
        let key = format!("coverage.status.{kind}.{name}");
        let mut f = Fields::new(&key, entries);
        let mut status = Status::default_of(kind, name, line);
        let mut enabled = true;
        if let Some(e) = f.take("enabled") {
            enabled = self.bool(e, &f.key("enabled"))?;
        }
        // `target:` with nothing after it is Codecov's default, as if absent.
        if let Some(e) = f.take("target").filter(|e| e.node.value != Value::Null) {
            status.target = if e.node.as_str() == Some("auto") {
                Target::Auto
            } else {
                Target::Percent(self.percent(e, &f.key("target"))?, e.line)
            };
        }
        if let Some(e) = f.take("threshold").filter(|e| e.node.value != Value::Null) {
            status.threshold = Some(self.percent(e, &f.key("threshold"))?);
        }
        if let Some(e) = f.take("informational") {
            status.informational = self.bool(e, &f.key("informational"))?;
        }
        // prcov posts statuses for pull requests only: `only_pulls` either way changes nothing.
        if let Some(e) = f.take("only_pulls") {
            self.bool(e, &f.key("only_pulls"))?;
        }
        if let Some(e) = f.take("base") {
            if e.node.as_str() != Some("auto") {
                self.warn(
                    e.line,
                    format!("{}: {} is not supported by prcov (ignored); prcov compares with the merge-base", f.key("base"), e.node.scalar_text().unwrap_or_default()),
                );
            }
        }
        if let Some(e) = f.take("if_not_found") {
            match e.node.as_str() {
                Some("success") => {}
                Some(v @ ("failure" | "error")) => self.warn(
                    e.line,
                    format!("{}: {v} is not applied: without a base to compare with, prcov leaves a target auto gate out instead of failing it", f.key("if_not_found")),
                ),
                _ => {
                    return Err(self.error(
                        e.line,
                        &f.key("if_not_found"),
                        "success, failure or error",
                        &e.node,
                    ))
                }
            }
        }
        if let Some(e) = f.take("paths") {
            let patterns = self.strings(e, &f.key("paths"))?;
            status.paths = self.globs(&patterns, e.line, &f.key("paths"));
            if status.paths.is_empty() && !patterns.is_empty() {
                self.warn(
                    e.line,
                    format!(
                        "{key}: no path of this status could be applied: the status is left out"
                    ),
                );
                enabled = false;
            }
        }
        if let Some(e) = f.take("flags") {
            status.flags = self.strings(e, &f.key("flags"))?;
        }
        f.done(self);
        Ok(enabled.then_some(status))
    }

    /// Statuses → gates: `default` without paths or flags is the whole project's gate; a status
    /// with paths or flags, and every named status, is a component of that name.
    fn finish_statuses(&mut self) {
        let statuses = std::mem::take(&mut self.statuses);
        let global = |s: &&Status| s.name == "default" && s.paths.is_empty() && s.flags.is_empty();
        let (defaults, named): (Vec<&Status>, Vec<&Status>) = statuses.iter().partition(global);
        self.default_gates(&defaults);
        for s in named {
            self.status_component(s);
        }
    }

    fn default_gates(&mut self, defaults: &[&Status]) {
        let project = defaults.iter().find(|s| s.kind == "project");
        let patch = defaults.iter().find(|s| s.kind == "patch");
        let mut threshold: Option<(f64, &Status)> = None;
        for s in [project, patch].into_iter().flatten() {
            let what = format!("coverage.status.{}.{}", s.kind, s.name);
            if s.informational {
                self.warn(
                    s.line,
                    format!("{what} is informational: prcov shows the result and sets no gate"),
                );
                continue;
            }
            match s.target {
                Target::Percent(t, line) => {
                    let key = format!("gates.{}", s.kind);
                    if s.kind == "project" {
                        self.out.config.gates.project = Some(t);
                    } else {
                        self.out.config.gates.patch = Some(t);
                    }
                    self.set(&key, line, &format!("{what}.target"), None);
                    if let Some(th) = s.threshold {
                        match threshold {
                            Some((first, from)) if first != th => self.warn(
                                s.line,
                                format!("{what}.threshold {th} is not applied: prcov has one threshold for every gate, {first} from coverage.status.{}.{}", from.kind, from.name),
                            ),
                            Some(_) => {}
                            None => threshold = Some((th, s)),
                        }
                    }
                }
                Target::Auto if s.kind == "patch" => self.warn(
                    s.line,
                    format!("{what}: target auto (patch coverage at least the base's project coverage) is not supported by prcov: no patch gate; set gates.patch in prcov.toml"),
                ),
                Target::Auto => {}
            }
        }
        if let Some((th, s)) = threshold {
            self.out.config.gates.threshold = Some(th);
            self.set(
                "gates.threshold",
                s.line,
                &format!("coverage.status.{}.{}.threshold", s.kind, s.name),
                None,
            );
        }
        // Project `auto`: at most `threshold` points below the base, which is the drop gate.
        // prcov adds its one threshold to every gate, so the drop allowed is what remains.
        if let Some(s) = project.filter(|s| !s.informational && s.target == Target::Auto) {
            let what = format!("coverage.status.project.{}", s.name);
            let allowed = s.threshold.unwrap_or(0.0);
            let global = self.out.config.gates.threshold.unwrap_or(0.0);
            if global > allowed {
                self.warn(s.line, format!("{what}: target auto allows a drop of {allowed}, but prcov adds its threshold {global} to the drop gate too: {global} is allowed"));
            }
            self.out.config.gates.max_project_drop = Some((allowed - global).max(0.0));
            let note = format!("target auto, threshold {allowed}: project coverage at most {allowed} points below the base's");
            self.set("gates.max_project_drop", s.line, &what, Some(note));
            if let Some(o) = self.out.origins.get_mut("gates.max_project_drop") {
                o.needs_base = true;
            }
        }
    }

    fn status_component(&mut self, s: &Status) {
        let what = format!("coverage.status.{}.{}", s.kind, s.name);
        let key = format!("components.{}", s.name);
        let existing = self
            .out
            .config
            .components
            .iter()
            .position(|c| c.id == s.name);
        let i = existing.unwrap_or_else(|| {
            self.out.config.components.push(ComponentConfig {
                id: s.name.clone(),
                paths: s.paths.clone(),
                flags: s.flags.clone(),
                ..ComponentConfig::default()
            });
            self.out.config.components.len() - 1
        });
        if existing.is_some()
            && (self.out.config.components[i].paths != s.paths
                || self.out.config.components[i].flags != s.flags)
        {
            self.warn(s.line, format!("{what}: the {} status of component `{}` names other paths or flags than its first status: the first ones are used", s.kind, s.name));
        }
        let target = match s.target {
            Target::Percent(t, _) => Some(t),
            Target::Auto => {
                self.warn(s.line, format!("{what}: target auto is not supported for a component (prcov's component gates take a percentage): no {} gate for `{}`", s.kind, s.name));
                None
            }
        };
        let c = &mut self.out.config.components[i];
        // A component is informational as a whole: when only one of its two statuses is, that
        // status sets no gate and the other one gates.
        let mut target = target;
        let mut mixed = None;
        if existing.is_none() {
            c.informational = s.informational;
        } else if c.informational != s.informational {
            if s.informational {
                target = None;
                mixed = Some(s.kind);
            } else {
                let other = if s.kind == "project" {
                    "patch"
                } else {
                    "project"
                };
                if other == "project" {
                    c.project = None;
                } else {
                    c.patch = None;
                }
                c.informational = false;
                mixed = Some(other);
            }
        }
        if s.kind == "project" {
            c.project = target;
        } else {
            c.patch = target;
        }
        let mut threshold_clash = None;
        if let Some(th) = s.threshold {
            match c.threshold {
                Some(first) if first != th => threshold_clash = Some(first),
                _ => c.threshold = Some(th),
            }
        }
        if let Some(kind) = mixed {
            self.warn(
                s.line,
                format!("{what}: component `{}` has an informational {kind} status and a gating one: no {kind} gate", s.name),
            );
        }
        if let Some(first) = threshold_clash {
            self.warn(
                s.line,
                format!(
                    "{what}.threshold {} is not applied: a component has one threshold, {first}",
                    s.threshold.unwrap_or(0.0)
                ),
            );
        }
        if existing.is_none() {
            self.set(
                &key,
                s.line,
                &what,
                Some(format!(
                    "status contexts prcov/patch/{0} and prcov/project/{0}",
                    s.name
                )),
            );
        }
    }

    /// `fixes: ["before::after"]`: prefix rewrites; `"::prefix/"` adds a prefix to every path.
    fn fixes(&mut self, e: &Entry) -> Result<(), String> {
        let fixes = self.strings(e, "fixes")?;
        let mut maps = Vec::new();
        for fix in &fixes {
            let Some((before, after)) = fix.split_once("::") else {
                self.warn(
                    e.line,
                    format!("fixes: `{fix}` is left out: expected BEFORE::AFTER"),
                );
                continue;
            };
            if before.contains(['*', '^', '$', '(', '|', '+', '\\', '?', '[']) {
                self.warn(e.line, format!("fixes: `{fix}` is left out: prcov rewrites a literal prefix, not a regular expression"));
                continue;
            }
            maps.push(format!("{before}={after}"));
        }
        self.out.config.path_map = maps;
        self.set("path_map", e.line, "fixes", None);
        Ok(())
    }

    fn flags(&mut self, e: &Entry) -> Result<(), String> {
        let entries = self.map(e, "flags")?;
        for flag in entries {
            let key = format!("flags.{}", flag.key);
            let entries = self.map(flag, &key)?;
            let config = self.flag(&key, entries)?;
            self.out.config.flags.insert(flag.key.clone(), config);
            self.set(&key, flag.line, &key, None);
        }
        Ok(())
    }

    fn flag(&mut self, key: &str, entries: &[Entry]) -> Result<FlagConfig, String> {
        let mut f = Fields::new(key, entries);
        let mut config = FlagConfig::default();
        if let Some(e) = f.take("paths") {
            let patterns = self.strings(e, &f.key("paths"))?;
            config.paths = self.globs(&patterns, e.line, &f.key("paths"));
        }
        if let Some(e) = f.take("carryforward") {
            config.carryforward = self.bool(e, &f.key("carryforward"))?;
        }
        if let Some(e) = f.take("carryforward_mode") {
            if e.node.as_str() != Some("all") {
                self.warn(e.line, format!("{}: {} is not supported by prcov (ignored); prcov carries a flag's whole coverage forward", f.key("carryforward_mode"), e.node.scalar_text().unwrap_or_default()));
            }
        }
        f.done(self);
        Ok(config)
    }

    fn flag_management(&mut self, e: &Entry) -> Result<(), String> {
        let entries = self.map(e, "flag_management")?;
        let mut f = Fields::new("flag_management", entries);
        let mut default = FlagConfig::default();
        let mut default_set = None;
        let mut default_statuses = None;
        // Flag statuses are components of one flag: they are read here, made once every flag
        // is known.
        let mut own_statuses: Vec<(String, FlagStatuses)> = Vec::new();
        if let Some(d) = f.take("default_rules") {
            let at = "flag_management.default_rules";
            let entries = self.map(d, at)?;
            let (statuses, rest): (Vec<Entry>, Vec<Entry>) =
                entries.iter().cloned().partition(|e| e.key == "statuses");
            default = self.flag(at, &rest)?;
            if let Some(e) = statuses.first() {
                default_statuses = Some(self.flag_statuses(&format!("{at}.statuses"), e)?);
            }
            default_set = Some(d.line);
        }
        if let Some(list) = f.take("individual_flags") {
            let Value::Seq(items) = &list.node.value else {
                return Err(self.error(
                    list.line,
                    "flag_management.individual_flags",
                    "a list",
                    &list.node,
                ));
            };
            for (i, item) in items.iter().enumerate() {
                let at = format!("flag_management.individual_flags[{i}]");
                let Value::Map(entries) = &item.value else {
                    return Err(self.error(item.line, &at, "a mapping", item));
                };
                let mut rest: Vec<Entry> = Vec::new();
                let mut name = None;
                let mut carry = None;
                let mut statuses = None;
                for e in entries {
                    match e.key.as_str() {
                        "name" => name = e.node.scalar_text(),
                        "carryforward" => carry = Some(e),
                        "statuses" => statuses = Some(e),
                        _ => rest.push(e.clone()),
                    }
                }
                let Some(name) = name else {
                    return Err(self.error(
                        item.line,
                        &format!("{at}.name"),
                        "the flag's name",
                        item,
                    ));
                };
                let mut config = self.flag(&at, &rest)?;
                config.carryforward = match carry {
                    Some(e) => self.bool(e, &format!("{at}.carryforward"))?,
                    None => default.carryforward,
                };
                if config.paths.is_empty() {
                    config.paths.clone_from(&default.paths);
                }
                if let Some(e) = statuses {
                    let parsed = self.flag_statuses(&format!("{at}.statuses"), e)?;
                    own_statuses.push((name.clone(), parsed));
                }
                let key = format!("flags.{name}");
                self.out.config.flags.insert(name, config);
                self.set(&key, item.line, &at, None);
            }
        }
        // The default rules' statuses apply to every flag named in the file without its own.
        let flags: Vec<(String, FlagConfig)> = self
            .out
            .config
            .flags
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, flag) in flags {
            let statuses = own_statuses
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s)
                .or(default_statuses.as_ref())
                .cloned();
            if let Some(s) = statuses {
                self.flag_component(&name, &flag, s);
            }
        }
        if let Some(line) = default_set {
            let named: Vec<String> = self.out.config.flags.keys().cloned().collect();
            if default.carryforward && named.is_empty() {
                self.warn(line, "flag_management.default_rules.carryforward applies to flags prcov knows by name: none is named here, so nothing is carried forward".into());
            }
        }
        f.done(self);
        Ok(())
    }

    /// The `statuses` list of a flag, as a component template.
    fn flag_statuses(&mut self, key: &str, e: &Entry) -> Result<FlagStatuses, String> {
        let Value::Seq(items) = &e.node.value else {
            return Err(self.error(e.line, key, "a list", &e.node));
        };
        let mut out = FlagStatuses {
            template: ComponentConfig::default(),
            prefix: String::new(),
            line: e.line,
            key: key.to_owned(),
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{key}[{i}]");
            let Value::Map(entries) = &item.value else {
                return Err(self.error(item.line, &at, "a mapping", item));
            };
            if let Some(prefix) = self.component_status(&at, entries, &mut out.template)? {
                out.prefix = prefix;
            }
        }
        Ok(out)
    }

    /// A flag's statuses → the component `<name_prefix><flag>` of that flag's coverage and paths.
    fn flag_component(&mut self, name: &str, flag: &FlagConfig, s: FlagStatuses) {
        let t = s.template;
        if t.patch.is_none() && t.project.is_none() {
            return;
        }
        let id = format!("{}{name}", s.prefix);
        if self.out.config.components.iter().any(|c| c.id == id) {
            self.warn(
                s.line,
                format!("{}: component `{id}` is already defined: the status of flag `{name}` is left out", s.key),
            );
            return;
        }
        self.out.config.components.push(ComponentConfig {
            id: id.clone(),
            paths: flag.paths.clone(),
            flags: vec![name.to_owned()],
            ..t
        });
        self.set(
            &format!("components.{id}"),
            s.line,
            &s.key,
            Some(format!("the status of flag `{name}`: status contexts prcov/patch/{id} and prcov/project/{id}")),
        );
    }

    fn components(&mut self, e: &Entry) -> Result<(), String> {
        let entries = self.map(e, "component_management")?;
        let mut f = Fields::new("component_management", entries);
        let mut default = Component::default();
        if let Some(d) = f.take("default_rules") {
            let entries = self.map(d, "component_management.default_rules")?;
            default = self.component("component_management.default_rules", entries)?;
        }
        if let Some(list) = f.take("individual_components") {
            let Value::Seq(items) = &list.node.value else {
                return Err(self.error(
                    list.line,
                    "component_management.individual_components",
                    "a list",
                    &list.node,
                ));
            };
            for (i, item) in items.iter().enumerate() {
                let at = format!("component_management.individual_components[{i}]");
                let Value::Map(entries) = &item.value else {
                    return Err(self.error(item.line, &at, "a mapping", item));
                };
                let c = self.component(&at, entries)?;
                let id = c.config.id.clone();
                if id.is_empty() {
                    return Err(self.error(
                        item.line,
                        &format!("{at}.component_id"),
                        "the component's id",
                        item,
                    ));
                }
                let mut config = c.config;
                if config.paths.is_empty() {
                    config.paths.clone_from(&default.config.paths);
                }
                if config.flags.is_empty() {
                    config.flags.clone_from(&default.config.flags);
                }
                if !c.has_statuses {
                    config.patch = default.config.patch;
                    config.project = default.config.project;
                    config.threshold = default.config.threshold;
                    config.informational = default.config.informational;
                }
                if self.out.config.components.iter().any(|c| c.id == id) {
                    self.warn(item.line, format!("{at}: component `{id}` is already defined (by a named status): this one is left out"));
                    continue;
                }
                self.out.config.components.push(config);
                self.set(&format!("components.{id}"), item.line, &at, None);
            }
        }
        f.done(self);
        Ok(())
    }

    fn component(&mut self, at: &str, entries: &[Entry]) -> Result<Component, String> {
        let mut f = Fields::new(at, entries);
        let mut c = Component::default();
        if let Some(e) = f.take("component_id") {
            c.config.id = e
                .node
                .scalar_text()
                .ok_or_else(|| self.error(e.line, &f.key("component_id"), "a string", &e.node))?;
        }
        if let Some(e) = f.take("name") {
            c.config.name = e.node.scalar_text();
        }
        if let Some(e) = f.take("paths") {
            let patterns = self.strings(e, &f.key("paths"))?;
            c.config.paths = self.globs(&patterns, e.line, &f.key("paths"));
        }
        if let Some(e) = f.take("flag_regexes") {
            for flag in self.strings(e, &f.key("flag_regexes"))? {
                if flag
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
                {
                    c.config.flags.push(flag);
                } else {
                    self.warn(e.line, format!("{}: `{flag}` is left out: prcov names flags, it does not match them by regular expression", f.key("flag_regexes")));
                }
            }
        }
        if let Some(e) = f.take("statuses") {
            let Value::Seq(items) = &e.node.value else {
                return Err(self.error(e.line, &f.key("statuses"), "a list", &e.node));
            };
            c.has_statuses = true;
            for (i, item) in items.iter().enumerate() {
                let key = format!("{}[{i}]", f.key("statuses"));
                let Value::Map(entries) = &item.value else {
                    return Err(self.error(item.line, &key, "a mapping", item));
                };
                self.component_status(&key, entries, &mut c.config)?;
            }
        }
        f.done(self);
        Ok(c)
    }

    /// One status of a component (or a flag) into `c`; returns its `name_prefix`, which only
    /// names the status (prcov's contexts are `prcov/<type>/<id>`).
    fn component_status(
        &mut self,
        key: &str,
        entries: &[Entry],
        c: &mut ComponentConfig,
    ) -> Result<Option<String>, String> {
        let mut f = Fields::new(key, entries);
        let prefix = f.take("name_prefix").and_then(|e| e.node.scalar_text());
        let kind = match f.take("type") {
            Some(e) => match e.node.as_str() {
                Some("project") => "project",
                Some("patch") => "patch",
                _ => return Err(self.error(e.line, &f.key("type"), "project or patch", &e.node)),
            },
            None => "project",
        };
        if let Some(e) = f.take("enabled") {
            if !self.bool(e, &f.key("enabled"))? {
                // A status turned off: nothing of it applies, nothing to warn about.
                return Ok(prefix);
            }
        }
        if let Some(e) = f.take("target").filter(|e| e.node.value != Value::Null) {
            if e.node.as_str() == Some("auto") {
                self.warn(e.line, format!("{}: target auto is not supported for a component (prcov's component gates take a percentage): no {kind} gate", f.key("target")));
            } else {
                let t = self.percent(e, &f.key("target"))?;
                if kind == "project" {
                    c.project = Some(t);
                } else {
                    c.patch = Some(t);
                }
            }
        }
        if let Some(e) = f.take("threshold").filter(|e| e.node.value != Value::Null) {
            let th = self.percent(e, &f.key("threshold"))?;
            match c.threshold {
                Some(first) if first != th => self.warn(
                    e.line,
                    format!(
                        "{} {th} is not applied: a component has one threshold, {first}",
                        f.key("threshold")
                    ),
                ),
                _ => c.threshold = Some(th),
            }
        }
        if let Some(e) = f.take("informational") {
            c.informational |= self.bool(e, &f.key("informational"))?;
        }
        f.done(self);
        Ok(prefix)
    }

    fn comment(&mut self, e: &Entry) -> Result<(), String> {
        if let Some(on) = e.node.as_bool() {
            if !on {
                let written = e.node.scalar_text().unwrap_or_default();
                self.warn(e.line, format!("comment: {written} is not supported by prcov: `prcov publish` always keeps its one comment (`prcov diff` posts nothing)"));
            }
            return Ok(());
        }
        let entries = self.map(e, "comment")?;
        let mut f = Fields::new("comment", entries);
        let mut hide: Vec<&str> = Vec::new();
        let mut hide_line = None;
        if let Some(e) = f.take("layout") {
            let layout = e.node.as_str().ok_or_else(|| {
                self.error(e.line, "comment.layout", "a comma-separated list", &e.node)
            })?;
            let mut shown: Vec<&str> = Vec::new();
            let mut unknown: Vec<&str> = Vec::new();
            for item in layout.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item {
                    "header" | "condensed_header" | "newheader" | "diff" | "condensed_diff" => {
                        shown.push("project")
                    }
                    "files" | "condensed_files" | "newfiles" | "tree" => shown.push("files"),
                    "flags" | "condensed_flags" => shown.push("flags"),
                    "components" | "condensed_components" => shown.push("components"),
                    // prcov's comment always ends with its footer.
                    "footer" | "condensed_footer" | "newfooter" => {}
                    other => unknown.push(other),
                }
            }
            if !unknown.is_empty() {
                self.warn(
                    e.line,
                    format!(
                        "comment.layout: {} not supported by prcov (ignored)",
                        unknown.join(", ") + if unknown.len() == 1 { " is" } else { " are" }
                    ),
                );
            }
            hide.extend(
                ["project", "files", "components", "flags"]
                    .into_iter()
                    .filter(|s| !shown.contains(s)),
            );
            hide_line = Some(e.line);
        }
        if let Some(e) = f.take("hide_project_coverage") {
            if self.bool(e, "comment.hide_project_coverage")? && !hide.contains(&"project") {
                hide.push("project");
                hide_line.get_or_insert(e.line);
            }
        }
        if let Some(line) = hide_line {
            self.out.config.comment.hide = hide.iter().map(|s| (*s).to_owned()).collect();
            self.set("comment.hide", line, "comment.layout", Some("sections left out of prcov's comment: those the layout does not name (tests are always shown)".into()));
        }
        if let Some(e) = f.take("behavior") {
            self.out.config.comment.behavior = match e.node.as_str() {
                Some("default") => CommentBehavior::Default,
                Some("once") => CommentBehavior::Once,
                Some("new") => CommentBehavior::New,
                Some("spammy") => CommentBehavior::Spammy,
                _ => {
                    return Err(self.error(
                        e.line,
                        "comment.behavior",
                        "default, once, new or spammy",
                        &e.node,
                    ))
                }
            };
            self.set("comment.behavior", e.line, "comment.behavior", None);
        }
        if let Some(e) = f.take("require_changes") {
            let on = match e.node.as_bool() {
                Some(b) => b,
                None if e.node.as_str().is_some() || matches!(e.node.value, Value::Seq(_)) => {
                    self.warn(e.line, format!("comment.require_changes: the conditions `{}` are read as true: prcov posts when coverage changed, lines are uncovered or tests failed", e.node.as_strings().unwrap_or_default().join(", ")));
                    true
                }
                None => {
                    return Err(self.error(
                        e.line,
                        "comment.require_changes",
                        "true or false",
                        &e.node,
                    ))
                }
            };
            self.out.config.comment.require_changes = on;
            self.set(
                "comment.require_changes",
                e.line,
                "comment.require_changes",
                None,
            );
        }
        f.done(self);
        Ok(())
    }
}

/// The `statuses` of a flag (or of `flag_management.default_rules`) as read.
#[derive(Debug, Clone)]
struct FlagStatuses {
    template: ComponentConfig,
    prefix: String,
    line: u64,
    key: String,
}

/// A component of `component_management` as read: whether it had statuses of its own.
#[derive(Debug, Default)]
struct Component {
    config: ComponentConfig,
    has_statuses: bool,
}

impl Status {
    /// Codecov's default: target auto, no threshold.
    fn default_of(kind: &'static str, name: &str, line: u64) -> Self {
        Status {
            kind,
            name: name.to_owned(),
            line,
            target: Target::Auto,
            threshold: None,
            informational: false,
            paths: Vec::new(),
            flags: Vec::new(),
        }
    }
}

/// A Codecov path pattern as prcov globs. Codecov matches a pattern as a prefix of the path, as a
/// glob or as a regular expression; prcov's globs are whole paths, so `src/app` becomes
/// `/src/app` (that file) and `src/app/**` (that folder), and a regular expression is turned
/// into a glob where `.*` is its only special part.
pub fn to_globs(pattern: &str) -> Result<Vec<String>, String> {
    let p = pattern.trim();
    if p.starts_with('!') {
        return Err("negated paths are not supported by prcov".into());
    }
    let mut p = p
        .trim_start_matches("./")
        .trim_start_matches('^')
        .to_owned();
    if p.contains(".*") {
        p = p.replace(".*", "**");
    }
    p = p.trim_end_matches('$').to_owned();
    if p.contains(['$', '(', ')', '|', '+', '\\']) {
        return Err("a regular expression prcov cannot turn into a glob".into());
    }
    let p = p.trim_start_matches('/');
    if p.is_empty() || p == "**" {
        return Ok(vec!["**".into()]);
    }
    if p.ends_with('/') {
        return Ok(vec![format!("{p}**")]);
    }
    if p.contains(['*', '?', '[', '{']) {
        // A glob without `/` matches a file name at any depth, as in Codecov.
        return Ok(vec![p.to_owned()]);
    }
    Ok(vec![format!("/{p}"), format!("{p}/**")])
}

#[cfg(test)]
mod tests;
