//! Settings from `prcov.toml` (or `--config FILE`), merged under the command line: a flag given on
//! the command line always wins over the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

pub mod comment;

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
/// [comment]
/// behavior = "default"   # once | new | spammy
/// require_changes = false
/// hide = []              # project, files, tests, components, flags
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub reports: Vec<PathBuf>,
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
    pub comment: comment::CommentConfig,
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

impl FileConfig {
    /// Reads `explicit`, else `prcov.toml` in `root` when it exists, else the defaults.
    pub fn load(explicit: Option<&Path>, root: Option<&Path>) -> Result<Self, Error> {
        let path = match (explicit, root) {
            (Some(p), _) => p.to_owned(),
            (None, Some(r)) if r.join("prcov.toml").is_file() => r.join("prcov.toml"),
            _ => return Ok(FileConfig::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            action: "read the config file",
            path: path.clone(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| Error::Usage(config_error(&path, &text, &e)))
    }
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

/// One command, ready to run.
#[derive(Debug, Clone)]
pub enum Config {
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
