//! Settings from `prcov.toml` (or `--config FILE`), merged under the command line: a flag given on
//! the command line always wins over the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;

/// The settings file. Every key is optional.
///
/// ```toml
/// reports = ["coverage/lcov.info"]
/// junit = ["reports/junit.xml"]
/// path_map = ["/build/src=src"]
/// strip_prefix = ["/home/ci/project"]
/// partials_as_hits = false
/// fail_on_unmatched = false
/// base = "origin/main"
/// comment_key = "default"
///
/// [gates]
/// patch = 80.0
/// project = 70.0
/// max_project_drop = 1.0
/// threshold = 0.5
/// fail_on_test_failure = true
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
    pub base: Option<String>,
    pub comment_key: Option<String>,
    #[serde(default)]
    pub gates: GatesConfig,
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
        toml::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{}: invalid config: {}",
                path.display(),
                e.to_string().trim()
            ))
        })
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
}

/// Validated gates.
#[derive(Debug, Clone, Default)]
pub struct GateOptions {
    pub gates: Vec<crate::analysis::Gate>,
    pub threshold: f64,
}

/// Where and how output goes.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    pub format: crate::render::OutputFormat,
    pub output: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
}

/// `prcov diff`.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    pub coverage: CoverageOptions,
    pub base: Option<String>,
    pub head: String,
    pub worktree: bool,
    /// A saved unified diff to use instead of asking git.
    pub diff_file: Option<PathBuf>,
    /// Which program computes the change set.
    pub engine: crate::git::DiffEngine,
    pub gates: GateOptions,
    pub output: OutputOptions,
}

/// `prcov report`.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    pub coverage: CoverageOptions,
    pub no_repo: bool,
    pub head: String,
    pub gates: GateOptions,
    pub output: OutputOptions,
}

/// One command, ready to run.
#[derive(Debug, Clone)]
pub enum Config {
    Diff(DiffOptions),
    Report(ReportOptions),
    Tests(TestsOptions),
    Publish(Box<PublishOptions>),
    Write(WriteOptions),
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
    /// The coverage half: what `prcov diff` computes. `base`/`head` are what the user gave;
    /// the CI environment fills in what they did not.
    pub diff: DiffOptions,
    pub head_given: bool,
    pub junit: Vec<PathBuf>,
    pub fail_on_test_failure: bool,
    pub host: Option<crate::render::plan::HostKind>,
    pub repo_slug: Option<String>,
    pub pr: Option<u64>,
    pub api_url: Option<String>,
    pub comment_key: String,
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
    pub fail_on_test_failure: bool,
    pub slowest: usize,
    pub output: OutputOptions,
}
