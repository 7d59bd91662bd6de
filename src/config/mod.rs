//! Settings from `prcov.toml` and `codecov.yml` (or `--config FILE`), merged under the command
//! line: a flag given on the command line always wins over the files, and `prcov.toml` wins over
//! `codecov.yml` key by key (docs/configuration.md#codecovyml).

pub mod codecov;
pub mod comment;
pub mod explain;
pub mod monorepo;
mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::model::diag::{Location, Warning, WarningKind};

/// The settings file. Every key is optional.
///
/// ```toml
/// reports = ["coverage/lcov.info"]
/// junit = ["reports/junit.xml"]
/// path_map = ["/build/src=src"]
/// strip_prefix = ["/home/ci/project"]
/// partials_as_hits = false
/// fail_on_unmatched = false
/// allow_nothing_measured = false
/// ignore = ["**/*_pb2.py", "tests/**"]
/// include = ["src/**"]
/// not_instrumented = ["*.md", "docs/**"]
/// base = "origin/main"
/// comment_key = "default"
///
/// [gates]
/// patch = 80.0
/// project = 70.0
/// max_project_drop = 1.0
/// threshold = 0.5
/// fail_on_test_failure = true
/// allow_no_tests = false
/// fail_on_empty_change = false
///
/// [badge]
/// thresholds = [60.0, 75.0, 90.0]
/// [comment]
/// behavior = "default"   # once | new | spammy
/// require_changes = false
/// hide = []              # project, files, tests, components, flags
/// [display]
/// precision = 2          # decimals shown, 0 to 5
/// round = "down"         # up | nearest
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// A path, or `{ path = "b.xml", flags = ["integration"] }`.
    #[serde(default)]
    pub reports: Vec<monorepo::ReportEntry>,
    #[serde(default)]
    pub junit: Vec<PathBuf>,
    #[serde(default)]
    pub path_map: Vec<String>,
    #[serde(default)]
    pub strip_prefix: Vec<String>,
    #[serde(default)]
    pub partials_as_hits: bool,
    #[serde(default)]
    pub fail_on_unmatched: bool,
    #[serde(default)]
    pub allow_nothing_measured: bool,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub include: Vec<String>,
    /// Replaces the default list of files no coverage tool instruments.
    pub not_instrumented: Option<Vec<String>>,
    pub base: Option<String>,
    pub comment_key: Option<String>,
    #[serde(default)]
    pub gates: GatesConfig,
    #[serde(default)]
    pub flags: BTreeMap<String, monorepo::FlagConfig>,
    #[serde(default)]
    pub components: Vec<monorepo::ComponentConfig>,
    #[serde(default)]
    pub comment: comment::CommentConfig,
    #[serde(default)]
    pub badge: BadgeConfig,
    #[serde(default)]
    pub display: DisplayConfig,
    /// Where each key a file set came from: `gates.patch`, `flags.unit`, `components.api`, …
    #[serde(skip)]
    pub origins: BTreeMap<String, Origin>,
    /// Keys of `codecov.yml` that `prcov.toml` set too, so that `codecov.yml`'s were not used.
    #[serde(skip)]
    pub overridden: Vec<(String, Origin)>,
    /// The files read, in the order they were read.
    #[serde(skip)]
    pub files: Vec<(SettingsFile, PathBuf)>,
    /// What a file says that prcov does not apply as written (one warning per key).
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatesConfig {
    pub patch: Option<f64>,
    pub project: Option<f64>,
    pub max_project_drop: Option<f64>,
    pub threshold: Option<f64>,
    #[serde(default)]
    pub fail_on_test_failure: bool,
    #[serde(default)]
    pub allow_no_tests: bool,
    #[serde(default)]
    pub fail_on_empty_change: bool,
}

/// `[badge]`: the badge's colour bands (`--badge-thresholds`), also set by Codecov's `range`.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeConfig {
    pub thresholds: Option<Vec<f64>>,
}

/// `[display]`: how every shown percentage is rounded (Codecov's `coverage.precision` and
/// `coverage.round`); JSON and the gates keep the exact values.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisplayConfig {
    /// Decimals shown, 0 to 5 (default 2).
    pub precision: Option<u8>,
    /// `down` (default), `up`, `nearest`.
    pub round: Option<crate::analysis::Round>,
}

impl DisplayConfig {
    /// The percent format this sets; a precision above 5 (refused when the file is read) is
    /// taken as 5.
    pub fn percent(&self) -> crate::analysis::Percent {
        use crate::analysis::Percent;
        let d = Percent::default();
        let digits = self
            .precision
            .unwrap_or(d.digits())
            .min(Percent::MAX_DIGITS);
        Percent::new(digits, self.round.unwrap_or(d.round())).unwrap_or(d)
    }
}

/// The two kinds of settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsFile {
    PrcovToml,
    Codecov,
}

impl SettingsFile {
    pub fn name(self) -> &'static str {
        match self {
            SettingsFile::PrcovToml => "prcov.toml",
            SettingsFile::Codecov => "codecov.yml",
        }
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The file as shown to the user (relative to the repository root when found there).
    pub file: PathBuf,
    pub kind: SettingsFile,
    pub line: Option<u64>,
    /// The `codecov.yml` key it was mapped from (`coverage.status.patch.default.target`).
    pub key: Option<String>,
    /// How it was mapped, when that is not one to one.
    pub note: Option<String>,
    /// A Codecov `target: auto`: applies only when the run has a base to compare with.
    pub needs_base: bool,
}

impl FileConfig {
    /// Reads `explicit` (a `prcov.toml` or a `codecov.yml`, told apart by name, else by content),
    /// else `prcov.toml` and the `codecov.yml` Codecov would find in `root`, combined with
    /// `prcov.toml` winning key by key; else the defaults.
    pub fn load(explicit: Option<&Path>, root: Option<&Path>) -> Result<Self, Error> {
        if let Some(path) = explicit {
            let text = read(path)?;
            return if codecov::is_codecov_name(path)
                || (path.extension().is_none_or(|e| e != "toml") && looks_like_yaml(&text))
            {
                let mut cfg = FileConfig::default();
                cfg.combine(codecov::read(&text, path).map_err(Error::Usage)?, path);
                Ok(cfg)
            } else {
                Self::from_toml(&text, path, path)
            };
        }
        let Some(root) = root else {
            return Ok(FileConfig::default());
        };
        let toml = root.join("prcov.toml");
        let mut cfg = if toml.is_file() {
            Self::from_toml(&read(&toml)?, &toml, Path::new("prcov.toml"))?
        } else {
            FileConfig::default()
        };
        if let Some(rel) = codecov::find(root) {
            let text = read(&root.join(&rel))?;
            cfg.combine(codecov::read(&text, &rel).map_err(Error::Usage)?, &rel);
        }
        Ok(cfg)
    }

    /// `path` names the file in errors; `shown` in `config explain` (relative to the root when
    /// found there).
    fn from_toml(text: &str, path: &Path, shown: &Path) -> Result<Self, Error> {
        let mut cfg: FileConfig =
            toml::from_str(text).map_err(|e| Error::Usage(config_error(path, text, &e)))?;
        cfg.origins = toml_origins(text, shown);
        if let Some(p) = cfg
            .display
            .precision
            .filter(|p| *p > crate::analysis::Percent::MAX_DIGITS)
        {
            let line = cfg
                .origins
                .get("display.precision")
                .and_then(|o| o.line)
                .map_or_else(String::new, |l| format!("{l}:"));
            return Err(Error::Usage(format!(
                "{}:{line} display.precision expects a number of decimals from 0 to 5, got {p}",
                shown.display()
            )));
        }
        cfg.files
            .push((SettingsFile::PrcovToml, shown.to_path_buf()));
        Ok(cfg)
    }

    /// Adds what a `codecov.yml` sets, except the keys this configuration already has.
    fn combine(&mut self, m: codecov::Mapped, path: &Path) {
        self.files.push((SettingsFile::Codecov, path.to_path_buf()));
        self.warnings.extend(m.warnings);
        let from = m.config;
        let toml_components: BTreeSet<String> =
            self.components.iter().map(|c| c.id.clone()).collect();
        for (key, origin) in m.origins {
            let taken = self.origins.contains_key(&key)
                || key
                    .strip_prefix("components.")
                    .is_some_and(|id| toml_components.contains(id));
            if taken {
                self.overridden.push((key, origin));
                continue;
            }
            match key.as_str() {
                "ignore" => self.ignore.clone_from(&from.ignore),
                "path_map" => self.path_map.clone_from(&from.path_map),
                "gates.patch" => self.gates.patch = from.gates.patch,
                "gates.project" => self.gates.project = from.gates.project,
                "gates.threshold" => self.gates.threshold = from.gates.threshold,
                "gates.max_project_drop" => {
                    self.gates.max_project_drop = from.gates.max_project_drop
                }
                "comment.behavior" => self.comment.behavior = from.comment.behavior,
                "comment.require_changes" => {
                    self.comment.require_changes = from.comment.require_changes
                }
                "comment.hide" => self.comment.hide.clone_from(&from.comment.hide),
                "badge.thresholds" => self.badge.thresholds.clone_from(&from.badge.thresholds),
                "display.precision" => self.display.precision = from.display.precision,
                "display.round" => self.display.round = from.display.round,
                k => {
                    if let Some(name) = k.strip_prefix("flags.") {
                        if let Some(flag) = from.flags.get(name) {
                            self.flags.insert(name.to_owned(), flag.clone());
                        }
                    } else if let Some(id) = k.strip_prefix("components.") {
                        if let Some(c) = from.components.iter().find(|c| c.id == id) {
                            self.components.push(c.clone());
                        }
                    }
                }
            }
            self.origins.insert(key, origin);
        }
    }

    /// A Codecov project `target: auto` is a drop gate against the base: without a base
    /// (`--base-report`, history) it is left out, with a warning saying so.
    pub fn drop_auto_without_base(&mut self, has_base: bool) -> Option<Warning> {
        let origin = self.origins.get("gates.max_project_drop")?;
        if has_base || !origin.needs_base || self.gates.max_project_drop.is_none() {
            return None;
        }
        self.gates.max_project_drop = None;
        let key = origin.key.clone().unwrap_or_default();
        Some(
            Warning::new(
                WarningKind::Settings,
                origin.line.map(Location::line).unwrap_or_default(),
                format!("{key}: target auto compares with the base's coverage, and this run has none (add --base-report FILE, or --history-dir DIR): no project drop gate"),
            )
            .in_file(&origin.file),
        )
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        action: "read the config file",
        path: path.to_path_buf(),
        source,
    })
}

/// A file named neither `*.toml` nor like Codecov's: YAML when its first setting reads `key:`
/// (TOML would say `key =` or `[table]`).
fn looks_like_yaml(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .is_some_and(|l| {
            l.split_once(':')
                .is_some_and(|(k, _)| !k.contains(['=', '[', ' ']))
        })
}

/// The line of each key `prcov.toml` sets, under the names `combine` and `config explain` use.
fn toml_origins(text: &str, path: &Path) -> BTreeMap<String, Origin> {
    let mut out = BTreeMap::new();
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return out;
    };
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
    let mut add = |key: String, offset: usize| {
        out.insert(
            key,
            Origin {
                file: path.to_path_buf(),
                kind: SettingsFile::PrcovToml,
                line: Some(line_of(offset)),
                key: None,
                note: None,
                needs_base: false,
            },
        );
    };
    for (k, v) in table.get_ref() {
        let name = k.get_ref().to_string();
        match (name.as_str(), v.get_ref()) {
            ("gates" | "comment" | "badge" | "display" | "flags", toml::de::DeValue::Table(t)) => {
                for (k2, v2) in t {
                    add(
                        format!("{name}.{}", k2.get_ref()),
                        v2.span().start.min(k2.span().start),
                    );
                }
            }
            ("components", toml::de::DeValue::Array(items)) => {
                for item in items {
                    if let Some(id) = item.get_ref().get("id").and_then(|i| i.get_ref().as_str()) {
                        add(format!("components.{id}"), item.span().start);
                    }
                }
            }
            _ => add(name, k.span().start),
        }
    }
    out
}

/// `prcov.toml:5:1: unknown key `fail_under_patch`; did you mean `patch`? (keys: …)`: the file,
/// line and column, what is wrong, and the nearest known key for a mistyped one.
fn config_error(path: &Path, text: &str, e: &toml::de::Error) -> String {
    let at = e.span().map_or_else(String::new, |span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!(":{line}:{column}")
    });
    let message = e.message().trim();
    // serde's wording: "unknown field `x`, expected one of `a`, `b`" (or "expected `a`").
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, expected)) = rest.split_once('`') {
            let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            let hint = nearest(key, &known)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return format!(
                "{}{at}: unknown key `{key}`{hint} (known keys here: {}; see docs/configuration.md)",
                path.display(),
                known.join(", ")
            );
        }
    }
    format!("{}{at}: invalid config: {message}", path.display())
}

/// The known key closest to a mistyped one, when it is close (edit distance ≤ a third of it).
fn nearest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    let distance = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut prev = row[0];
            row[0] = i + 1;
            for (j, cb) in b.iter().enumerate() {
                let cur = row[j + 1];
                row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
                prev = cur;
            }
        }
        row[b.len()]
    };
    known
        .iter()
        .map(|k| (distance(key, k), *k))
        .filter(|(d, k)| *d <= k.len().max(3) / 3 || k.contains(key) || key.contains(*k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("prcov.toml");
        std::fs::write(&p, text).unwrap();
        FileConfig::load(Some(&p), None)
            .unwrap_err()
            .to_string()
            .replace(&dir.path().display().to_string(), "DIR")
    }

    #[test]
    fn display_precision_and_round_are_checked_with_their_line() {
        let e = load("reports = []\n\n[display]\nprecision = 6\n");
        assert_eq!(
            e,
            "DIR/prcov.toml:4: display.precision expects a number of decimals from 0 to 5, got 6"
        );
        let e = load("[display]\nround = \"sideways\"\n");
        assert!(e.starts_with("DIR/prcov.toml:2:9: invalid config:"), "{e}");
        assert!(e.contains("`down`, `up`, `nearest`"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("prcov.toml");
        std::fs::write(&p, "[display]\nprecision = 0\nround = \"nearest\"\n").unwrap();
        let cfg = FileConfig::load(Some(&p), None).unwrap();
        assert_eq!(
            cfg.display.percent(),
            crate::analysis::Percent::new(0, crate::analysis::Round::Nearest).unwrap()
        );
        assert_eq!(cfg.origins["display.round"].line, Some(3));
        assert!(DisplayConfig::default().percent().is_default());
    }

    #[test]
    fn unknown_keys_are_named_with_their_line_and_the_nearest_key() {
        let e = load("reports = []\n\n[gates]\npatch = 80\nthreshhold = 1\n");
        assert!(
            e.starts_with(
                "DIR/prcov.toml:5:1: unknown key `threshhold`; did you mean `threshold`?"
            ),
            "{e}"
        );
        let e = load("reprots = []\n");
        assert!(
            e.contains(":1:1: unknown key `reprots`; did you mean `reports`?"),
            "{e}"
        );
        let e = load("totally_else = 1\n");
        assert!(
            e.contains("unknown key `totally_else` (known keys here: reports"),
            "{e}"
        );
        let e = load("reports = 3\n");
        assert!(e.starts_with("DIR/prcov.toml:1:11: invalid config:"), "{e}");
        let e = load("reports = [{ path = \"b.xml\", flag = [\"unit\"] }]\n");
        assert!(
            e.contains("unknown key `flag`; did you mean `flags`?"),
            "{e}"
        );
        let e = load("reports = [3]\n");
        assert!(
            e.contains("expected a report path, or a table { path"),
            "{e}"
        );
    }

    #[test]
    fn reports_are_paths_or_tables_with_flags() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("prcov.toml");
        std::fs::write(
            &p,
            "reports = [\"a.info\", { path = \"b.xml\", flags = [\"integration\"] }]\n",
        )
        .unwrap();
        let c = FileConfig::load(Some(&p), None).unwrap();
        let got: Vec<(&Path, &[String])> = c
            .reports
            .iter()
            .map(|r| (r.path().as_path(), r.flags()))
            .collect();
        assert_eq!(
            got,
            [
                (Path::new("a.info"), &[][..]),
                (Path::new("b.xml"), &["integration".to_owned()][..])
            ]
        );
    }
}

/// Validated settings of the commands that read coverage.
#[derive(Debug, Clone, Default)]
pub struct CoverageOptions {
    /// Report files; empty = discover.
    pub reports: Vec<PathBuf>,
    pub base_reports: Vec<PathBuf>,
    /// Where to look for the repository (default: the working directory).
    pub repo_dir: Option<PathBuf>,
    pub forced_format: Option<crate::formats::Format>,
    pub rewrites: Vec<crate::paths::Rewrite>,
    pub rules: crate::analysis::CountingRules,
    pub fail_on_unmatched: bool,
    /// A run whose reports map to no repository file, or hold no coverable line, is not an
    /// error (exit 2) but the outcome `no_file_matched` / `no_coverable_line`.
    pub allow_nothing_measured: bool,
    /// `--ignore`/`--include` and the files no coverage tool instruments.
    pub filter: crate::paths::PathFilter,
    /// Flags and components (`--flag`, `[flags.*]`, `[[components]]`).
    pub monorepo: monorepo::MonorepoOptions,
}

/// Validated gates.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    pub gates: Vec<crate::analysis::Gate>,
    pub threshold: f64,
    /// A tests gate over zero test cases, or only skipped ones, passes (`--allow-no-tests`).
    pub allow_no_tests: bool,
}

/// Where and how output goes.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    pub format: crate::render::OutputFormat,
    pub output: Option<PathBuf>,
    pub color: bool,
    /// `-q`: no notes, no warnings.
    pub quiet: bool,
    /// `-v`: every warning on its own line instead of repeats collapsed.
    pub verbose: bool,
    /// How percentages are shown (`[display]`).
    pub percent: crate::analysis::Percent,
}

impl OutputOptions {
    /// How much of the warnings to show.
    pub fn warning_detail(&self) -> crate::model::diag::WarningDetail {
        use crate::model::diag::WarningDetail;
        match (self.quiet, self.verbose) {
            (true, _) => WarningDetail::None,
            (false, true) => WarningDetail::Each,
            (false, false) => WarningDetail::Grouped,
        }
    }

    /// Terminal styling for this output.
    pub fn style(&self) -> crate::render::Style {
        crate::render::Style {
            color: self.color,
            warnings: self.warning_detail(),
        }
    }
}

/// Files written besides the output: the HTML report and the badge.
#[derive(Debug, Clone, Default)]
pub struct ArtifactOptions {
    /// `--html DIR`.
    pub html: Option<HtmlOptions>,
    /// `--html-url URL`: where the HTML report will be published, for the comment's link.
    pub html_url: Option<String>,
    /// `--badge FILE`.
    pub badge: Option<BadgeFile>,
}

/// `--html DIR [--html-all]`.
#[derive(Debug, Clone)]
pub struct HtmlOptions {
    pub dir: PathBuf,
    /// A source page for every file of the report, not only the changed ones.
    pub all_files: bool,
}

/// `--badge FILE [--badge-thresholds A,B,C] [--badge-label TEXT]`.
#[derive(Debug, Clone)]
pub struct BadgeFile {
    pub path: PathBuf,
    pub options: crate::render::badge::BadgeOptions,
}

/// The revisions the user asked for, with where each was given;
/// `commands::revisions::choose` fills in the rest from CI or the repository.
#[derive(Debug, Clone, Default)]
pub struct RevisionRequest {
    /// `--base REV` (`from` = "--base") or `base = …` in prcov.toml.
    pub base: Option<crate::analysis::ChosenRevision>,
    /// `--head REV`.
    pub head: Option<String>,
    /// `--worktree`: the head is the working tree on top of `HEAD`, whatever CI says.
    pub worktree: bool,
}

/// `prcov diff`.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub coverage: CoverageOptions,
    /// What the user asked for; `commands::revisions::choose` fills in the rest.
    pub revisions: RevisionRequest,
    /// A saved unified diff to use instead of asking git.
    pub diff_file: Option<PathBuf>,
    /// Which program computes the change set.
    pub engine: crate::git::DiffEngine,
    pub gates: GateOptions,
    pub output: OutputOptions,
    pub artifacts: ArtifactOptions,
    /// Where history records are read from; `None`: no history.
    pub history: Option<HistoryStore>,
}

/// Where history records are kept (`--history`, `--history-dir`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryStore {
    /// A folder when given, else git notes when the repository shares them, else none.
    Auto(Option<PathBuf>),
    Dir(PathBuf),
    GitNotes,
    /// GitHub Actions artifacts of this repository (`GITHUB_REPOSITORY`, `GITHUB_API_URL`).
    GithubArtifacts,
    /// GitLab job artifacts of this project (`CI_PROJECT_ID`, `CI_API_V4_URL`).
    GitlabArtifacts,
}

/// `prcov record`.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    pub coverage: CoverageOptions,
    pub junit: Vec<PathBuf>,
    pub commit: String,
    pub branch: Option<String>,
    pub ci_run_id: Option<String>,
    pub history: Option<HistoryStore>,
    /// Where the record file goes besides the store.
    pub output: Option<PathBuf>,
    pub quiet: bool,
}

/// `prcov record dump FILE`.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    pub file: PathBuf,
}

/// `prcov report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub coverage: CoverageOptions,
    pub no_repo: bool,
    /// `--head REV`, else the CI's head, else `HEAD`.
    pub head: Option<String>,
    pub gates: GateOptions,
    pub output: OutputOptions,
    pub artifacts: ArtifactOptions,
}

/// `prcov config explain`.
#[derive(Debug, Clone)]
pub struct ExplainOptions {
    pub explanation: explain::Explanation,
    pub output: OutputOptions,
}

/// One command, ready to run.
#[derive(Debug, Clone)]
pub enum Config {
    Explain(ExplainOptions),
    Diff(DiffOptions),
    Report(ReportOptions),
    Tests(TestsOptions),
    Publish(Box<PublishOptions>),
    Write(WriteOptions),
    Record(Box<RecordOptions>),
    Dump(DumpOptions),
    /// `completions` and `man`: text generated from the argument definitions.
    Generated(Generated),
}

/// Generated text: for standard output, and files to write.
#[derive(Debug, Clone)]
pub struct Generated {
    pub stdout: Vec<u8>,
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// `prcov convert` and `prcov merge`.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub reports: Vec<PathBuf>,
    pub to: crate::formats::write::WriteFormat,
    pub output: Option<PathBuf>,
    pub coverage: CoverageOptions,
    pub no_repo: bool,
}

/// `prcov publish`.
#[derive(Debug, Clone)]
pub struct PublishOptions {
    /// The coverage half: what `prcov diff` computes. Its gates include the tests gate.
    pub diff: DiffOptions,
    pub junit: Vec<PathBuf>,
    pub host: Option<crate::render::plan::HostKind>,
    pub repo_slug: Option<String>,
    pub pr: Option<u64>,
    pub api_url: Option<String>,
    pub comment_key: String,
    /// `--section`: this job's section of the sticky comment.
    pub section: String,
    pub comment: comment::CommentConfig,
    pub dry_run: bool,
    pub allow_insecure_http: bool,
    pub save: Option<PathBuf>,
    pub from: Option<PathBuf>,
}

/// `prcov tests`.
#[derive(Debug, Clone)]
pub struct TestsOptions {
    /// JUnit files; empty = discover.
    pub files: Vec<PathBuf>,
    pub repo_dir: Option<PathBuf>,
    /// `--fail-on-test-failure` (and `--allow-no-tests`), as the tests gate.
    pub gates: GateOptions,
    pub slowest: usize,
    /// Lines of each failure's output shown in the terminal.
    pub max_output_lines: usize,
    pub output: OutputOptions,
}
