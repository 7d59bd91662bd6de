//! Command-line arguments (clap derive). These are the "low-level" args: [`Cli::into_config`]
//! converts them once into a validated [`Config`](crate::config::Config); nothing below `cli/`
//! sees a clap type.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use crate::render::OutputFormat;

use crate::formats::write::WriteFormat;
use crate::formats::Format;
use crate::render::plan::HostKind;

mod convert;
mod generate;

pub use convert::{into_config, prepare, Prepared};

/// What `prcov --version` prints after "prcov ": the version, then the commit and the target
/// that build.rs stamped in, so a bug report says exactly which binary ran. `-V` prints the
/// version alone.
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("PRCOV_BUILD_COMMIT"),
    "\ntarget: ",
    env!("PRCOV_BUILD_TARGET"),
);

/// Patch coverage and test results for pull requests, in one binary.
///
/// prcov reads the coverage reports and JUnit XML your test runners already write, diffs them
/// against the change set of a pull request, and tells how many lines of the change are covered
/// by tests and whether any test failed.
///
/// Coverage formats read (detected from the content): LCOV, Cobertura, JaCoCo, Clover, Go
/// coverprofile, Istanbul JSON, llvm-cov JSON, coverage.py JSON, gcovr JSON, Codecov JSON and
/// SonarQube generic XML. Test results: JUnit XML.
#[derive(Debug, Parser)]
#[command(
    name = "prcov",
    version,
    long_version = LONG_VERSION,
    about,
    long_about,
    propagate_version = true
)]
#[command(after_help = MAIN_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes (docs/exit-codes.md, `crate::exit`) that end the `--help` of every command with gates: a
/// macro, because `concat!` takes literals only.
macro_rules! gate_exit_codes {
    () => {
        "Exit codes:
  0  success, every gate passed
  1  a gate failed
  2  usage error or bad input (malformed report, unknown revision, nothing measured)
  3  the code host refused or could not be reached (publish)"
    };
}

/// The exit codes of the commands without gates.
macro_rules! plain_exit_codes {
    ($two:literal) => {
        concat!("Exit codes:\n  0  success\n  2  ", $two)
    };
}

const MAIN_EXAMPLES: &str = concat!(
    "Examples:
  prcov diff coverage.xml --fail-under-patch 80
  prcov tests junit.xml --fail-on-test-failure
  prcov publish lcov.info --junit junit.xml --fail-under-patch 80

",
    gate_exit_codes!()
);

const DIFF_EXAMPLES: &str = concat!(
    "Examples:
  prcov diff coverage.xml --base origin/main --fail-under-patch 80
  prcov diff lcov.info --worktree                  # uncommitted changes too
  prcov diff --diff-file pr.diff coverage.xml --format json

",
    gate_exit_codes!()
);

const REPORT_EXAMPLES: &str = concat!(
    "Examples:
  prcov report coverage.xml --fail-under-project 70
  prcov report lcov.info --no-repo --format json
  prcov report lcov.info --base-report main-lcov.info --max-project-drop 0.5

",
    gate_exit_codes!()
);

const TESTS_EXAMPLES: &str = concat!(
    "Examples:
  prcov tests junit.xml --fail-on-test-failure
  prcov tests build/test-results/TEST-*.xml --max-output-lines 10
  prcov tests --format json -o tests.json

",
    gate_exit_codes!()
);

const PUBLISH_EXAMPLES: &str = concat!(
    "Examples:
  prcov publish coverage.xml --junit junit.xml --fail-under-patch 80
  prcov publish lcov.info --dry-run --host github --repo-slug acme/shop --pr 42
  prcov publish lcov.info --save prcov-payload.json   # fork PR, step 1; step 2: --from

",
    gate_exit_codes!()
);

const CONVERT_EXAMPLES: &str = concat!(
    "Examples:
  prcov convert coverage-final.json --to lcov -o lcov.info
  prcov convert jacoco.xml --to cobertura -o cobertura.xml

",
    plain_exit_codes!("usage error or bad input (unreadable or malformed report)")
);

const MERGE_EXAMPLES: &str = concat!(
    "Examples:
  prcov merge shard-1/lcov.info shard-2/lcov.info -o lcov.info
  prcov merge lcov.info coverage.xml --to cobertura -o merged.xml

",
    plain_exit_codes!("usage error or bad input (unreadable or malformed report)")
);

const RECORD_EXAMPLES: &str = concat!(
    "Examples:
  prcov record coverage.xml --junit junit.xml --history-dir .prcov-history
  prcov record lcov.info --history git-notes
  prcov record coverage.xml -o prcov-history.prcov   # then actions/upload-artifact
  prcov record dump .prcov-history/<sha>.prcov

",
    plain_exit_codes!(
        "usage error or bad input (malformed report or record, git notes push failed)"
    )
);

const CONFIG_EXAMPLES: &str = concat!(
    "Examples:
  prcov config explain                         # prcov.toml and codecov.yml of this repository
  prcov config explain --config .github/codecov.yml --json
  prcov config explain --fail-under-patch 90   # what a flag changes

",
    plain_exit_codes!(
        "usage error, or a settings file that cannot be read (malformed TOML or YAML, a value of the wrong kind)"
    )
);

const COMPLETIONS_EXAMPLES: &str = concat!(
    "Examples:
  prcov completions bash > /etc/bash_completion.d/prcov
  prcov completions zsh > \"${fpath[1]}/_prcov\"
  prcov completions fish > ~/.config/fish/completions/prcov.fish

",
    plain_exit_codes!("usage error")
);

const MAN_EXAMPLES: &str = concat!(
    "Examples:
  prcov man > prcov.1 && man ./prcov.1
  prcov man --dir /usr/local/share/man/man1        # prcov.1 and prcov-<command>.1

",
    plain_exit_codes!("usage error, or the folder cannot be written")
);

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per run; boxing would only add noise to every match"
)]
pub enum Command {
    /// Patch coverage of the change merge-base(base, head)..head.
    #[command(after_help = DIFF_EXAMPLES)]
    Diff(DiffArgs),
    /// Whole-project coverage: totals, per file and per directory.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Test results: counts, failures grouped by cause, flaky tests, slowest tests.
    #[command(after_help = TESTS_EXAMPLES)]
    Tests(TestsArgs),
    /// Everything for one pull request: commit statuses, one sticky comment, check-run
    /// annotations, job summary. Gates decide the exit code.
    #[command(after_help = PUBLISH_EXAMPLES)]
    Publish(PublishArgs),
    /// Convert a coverage report to LCOV or Cobertura (what GitLab and other tools display).
    #[command(after_help = CONVERT_EXAMPLES)]
    Convert(ConvertArgs),
    /// Merge several coverage reports (shards, languages) into one LCOV or Cobertura file.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Keep the history record of a commit (on pushes to the default branch): its line states
    /// and test outcomes, which later pull requests are compared with.
    #[command(after_help = RECORD_EXAMPLES)]
    Record(RecordArgs),
    /// Settings: `prcov config explain` prints the effective settings (command line,
    /// prcov.toml, codecov.yml, defaults) and where each came from.
    #[command(after_help = CONFIG_EXAMPLES)]
    Config(ConfigArgs),
    /// Print a shell completion script (bash, zsh, fish or powershell) to standard output.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions(CompletionsArgs),
    /// Print the man page (roff) to standard output, or write one per command into a folder.
    #[command(after_help = MAN_EXAMPLES)]
    Man(ManArgs),
}

/// A shell `prcov completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `prcov.1` and one page per command (`prcov-diff.1`, …) into DIR instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// When to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Options every command shares.
#[derive(Debug, Args, Clone)]
pub struct CommonArgs {
    /// Output format [default: text].
    #[arg(long, value_enum)]
    pub format: Option<OutputFormat>,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read settings from FILE: a prcov.toml, or a codecov.yml (told apart by name, else by
    /// content) [default: prcov.toml and the codecov.yml Codecov would find, in the repository
    /// root, .github/ or dev/; prcov.toml wins key by key].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Colour terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only the result and errors: no notes on which files were used, no warnings.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// List every warning on its own line (by default, repeats of one kind in one file are
    /// shown once, with their count).
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// Options of commands that read coverage.
#[derive(Debug, Args, Clone)]
pub struct CoverageArgs {
    /// Coverage reports, in any of the eleven formats prcov reads (see `prcov --help`), detected
    /// from the content. Without any, prcov looks for common report names in the repository and
    /// says which it used.
    #[arg(value_name = "REPORT")]
    pub reports: Vec<PathBuf>,
    /// The git repository [default: the one containing the working directory].
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Force the report format instead of detecting it from the content.
    #[arg(long, value_enum, value_name = "NAME")]
    pub format_in: Option<Format>,
    /// Rewrite a report path prefix FROM to TO before matching (repeatable).
    #[arg(long, value_name = "FROM=TO")]
    pub path_map: Vec<String>,
    /// Remove prefix P from report paths before matching (repeatable).
    #[arg(long, value_name = "P")]
    pub strip_prefix: Vec<String>,
    /// Count partially covered lines (a branch not taken) as hits.
    #[arg(long)]
    pub partials_as_hits: bool,
    /// Fail (exit 1) when a report path matches no file of the repository, or several.
    #[arg(long)]
    pub fail_on_unmatched: bool,
    /// Coverage report(s) of the base, to compute the project delta (repeatable).
    #[arg(long, value_name = "FILE")]
    pub base_report: Vec<PathBuf>,
    /// Accept reports that map to no file of the repository or hold no coverable line
    /// (otherwise exit 2: nothing measured is never a pass).
    #[arg(long)]
    pub allow_nothing_measured: bool,
    /// Leave out repository paths matching GLOB from coverage, patch and "not measured"
    /// (repeatable; `*.md` matches at any depth, `docs/**` from the root).
    #[arg(long, value_name = "GLOB")]
    pub ignore: Vec<String>,
    /// Only count repository paths matching GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Files no coverage tool instruments, left out of "not measured" (repeatable; replaces the
    /// default list of docs, lockfiles and packaging metadata).
    #[arg(long, value_name = "GLOB")]
    pub not_instrumented: Vec<String>,
}

/// `--flag` of the commands that show flags and components (`diff`, `publish`).
#[derive(Debug, Args, Clone, Default)]
pub struct FlagArgs {
    /// Mark the coverage of this run's reports with flag NAME (repeatable): totals per flag,
    /// `[flags.NAME]` and component flag filters in prcov.toml.
    #[arg(long = "flag", value_name = "NAME")]
    pub flags: Vec<String>,
}

/// Gate options of the commands that compare against a change (`diff`, `publish`).
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// Fail (exit 1) when patch coverage is below P percent.
    #[arg(long, value_name = "P")]
    pub fail_under_patch: Option<f64>,
    #[command(flatten)]
    pub project: ProjectGateArgs,
    /// Fail (exit 1) when the change is empty (base = head, or no commit between them).
    #[arg(long)]
    pub fail_on_empty_change: bool,
}

/// Gate options on the whole project (`report` has only these).
#[derive(Debug, Args, Clone, Default)]
pub struct ProjectGateArgs {
    /// Fail when project coverage is below P percent.
    #[arg(long, value_name = "P")]
    pub fail_under_project: Option<f64>,
    /// Fail when project coverage drops by more than D points (needs --base-report or history).
    #[arg(long, value_name = "D")]
    pub max_project_drop: Option<f64>,
    /// A miss within T points of a target still passes (like Codecov's threshold).
    #[arg(long, value_name = "T")]
    pub threshold: Option<f64>,
}

/// The gate on test results (`tests`, `publish`).
#[derive(Debug, Args, Clone, Default)]
pub struct TestGateArgs {
    /// Fail (exit 1) when a test failed or errored, or when no test ran (none, or all skipped).
    #[arg(long)]
    pub fail_on_test_failure: bool,
    /// With --fail-on-test-failure: pass when the input has no test case or skipped them all.
    #[arg(long)]
    pub allow_no_tests: bool,
}

/// Revision options.
#[derive(Debug, Args, Clone, Default)]
pub struct RevArgs {
    /// The base revision [default: the PR base in CI, else origin/HEAD, origin/main, origin/master, main, master].
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// The head revision [default: the PR head in CI, else HEAD].
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    /// Include uncommitted changes of the working tree (and untracked files).
    #[arg(long)]
    pub worktree: bool,
    /// Read the change from a saved unified diff (`git diff base...head > FILE`) instead of git.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["base", "head", "worktree"])]
    pub diff_file: Option<PathBuf>,
    /// Which program computes the change set: auto (the `git` program when it runs, else
    /// libgit2), git, or libgit2. Hidden: for debugging and unusual installs (README).
    #[arg(
        long,
        value_name = "ENGINE",
        env = "PRCOV_DIFF_ENGINE",
        default_value = "auto",
        hide = true
    )]
    pub diff_engine: crate::git::DiffEngine,
}

/// The static HTML report.
#[derive(Debug, Args, Clone, Default)]
pub struct HtmlArgs {
    /// Write a static HTML report to DIR: an index (verdict, gates, totals, changed files, the
    /// project tree) and a page of annotated source at head for each changed file.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// With --html: a source page for every file of the report, not only the changed ones.
    #[arg(long, requires = "html")]
    pub html_all: bool,
    /// Where the HTML report will be published (a CI artifact or Pages URL): the comment and
    /// --format markdown link to it.
    #[arg(long, value_name = "URL")]
    pub html_url: Option<String>,
}

/// The coverage badge.
#[derive(Debug, Args, Clone, Default)]
pub struct BadgeArgs {
    /// Write a shields-style SVG badge of project coverage to FILE.
    #[arg(long, value_name = "FILE")]
    pub badge: Option<PathBuf>,
    /// The badge's colour bands, three percentages A,B,C: below A red, below B orange, below C
    /// yellow, else green [default: 60,75,90].
    #[arg(long, value_name = "LIST", requires = "badge")]
    pub badge_thresholds: Option<String>,
    /// The badge's left-hand text [default: coverage].
    #[arg(long, value_name = "TEXT", requires = "badge")]
    pub badge_label: Option<String>,
}

/// Where history records are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryKind {
    // Plain comments, not doc comments: described values would switch `--help` to the long
    // layout. `--history`'s own help says what each does.
    Auto,
    Dir,
    GitNotes,
    GithubArtifacts,
    Gitlab,
}

/// History options: where the records of default-branch commits are kept.
#[derive(Debug, Args, Clone, Default)]
pub struct HistoryArgs {
    /// Where history records are kept: dir (--history-dir), git-notes (refs/notes/prcov on
    /// origin), github-artifacts (prcov-history-<sha> artifacts of default-branch runs), gitlab
    /// (prcov-history.prcov in job artifacts of default-branch pipelines), auto (--history-dir if
    /// given, else CI artifacts in GitHub Actions or GitLab CI, else git notes if the repository
    /// has them). A pull request is compared with its merge-base's record (docs/history.md).
    #[arg(long, value_enum, value_name = "STORE")]
    pub history: Option<HistoryKind>,
    /// The folder of history records (implies --history dir).
    #[arg(long, value_name = "DIR")]
    pub history_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub coverage: CoverageArgs,
    #[command(flatten)]
    pub flag: FlagArgs,
    #[command(flatten)]
    pub revs: RevArgs,
    #[command(flatten)]
    pub history: HistoryArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub html: HtmlArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub coverage: CoverageArgs,
    /// Do not use a git repository: every record counts, paths as the report wrote them.
    #[arg(long)]
    pub no_repo: bool,
    /// Revision whose tracked files report paths are matched against [default: the PR head in
    /// CI, else HEAD].
    #[arg(long, value_name = "REV")]
    pub head: Option<String>,
    #[command(flatten)]
    pub gates: ProjectGateArgs,
    #[command(flatten)]
    pub html: HtmlArgs,
    #[command(flatten)]
    pub badge: BadgeArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct TestsArgs {
    /// JUnit XML files. Without any, prcov looks for common names (junit*.xml, TEST-*.xml, …).
    #[arg(value_name = "JUNIT")]
    pub files: Vec<PathBuf>,
    /// Directory to search when no file is named [default: the repository or working directory].
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    #[command(flatten)]
    pub gates: TestGateArgs,
    /// How many of the slowest tests to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub slowest: usize,
    /// Lines of each failure's output shown (the first failures of each cause).
    #[arg(long, value_name = "N", default_value_t = 30)]
    pub max_output_lines: usize,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub coverage: CoverageArgs,
    #[command(flatten)]
    pub flag: FlagArgs,
    #[command(flatten)]
    pub revs: RevArgs,
    #[command(flatten)]
    pub history: HistoryArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    /// JUnit XML test results to include (repeatable).
    #[arg(long, value_name = "FILE")]
    pub junit: Vec<PathBuf>,
    #[command(flatten)]
    pub test_gates: TestGateArgs,
    /// Fail (exit 1) only when a test fails that passed or did not exist at the history
    /// baseline (needs --history or --history-dir).
    #[arg(long)]
    pub fail_on_new_test_failure: bool,
    /// The code host [default: detected from the CI environment].
    #[arg(long, value_enum)]
    pub host: Option<HostKind>,
    /// Repository on the host: `owner/name` (GitHub) or project id or path (GitLab).
    #[arg(long, value_name = "SLUG")]
    pub repo_slug: Option<String>,
    /// Pull request (merge request) number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub pr: Option<u64>,
    /// API base URL [default: GITHUB_API_URL / CI_API_V4_URL, else the public host].
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Tells apart the sticky comments of several jobs on one PR.
    #[arg(long, value_name = "KEY", default_value = "default")]
    pub comment_key: String,
    /// This job's section of the sticky comment: jobs with different sections share one
    /// comment, each rewriting only its own [default: the run's --flag names joined by `-`,
    /// else `default`].
    #[arg(long, value_name = "NAME")]
    pub section: Option<String>,
    /// How the comment is written: default (edit in place), once (never edit), new (delete and
    /// post again), spammy (a new comment every time) [default: prcov.toml's, else default].
    #[arg(long, value_enum, value_name = "HOW")]
    pub comment_behavior: Option<CommentBehaviorArg>,
    /// Post the comment only when coverage changed, an added line is uncovered or a test
    /// failed (also `[comment] require_changes`).
    #[arg(long)]
    pub require_changes: bool,
    /// Leave these parts out of the comment: project, files, tests, components, flags
    /// (repeatable; added to `[comment] hide`).
    #[arg(long, value_name = "PART")]
    pub hide: Vec<String>,
    /// Print every request that would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Allow a plain `http://` API URL to a host other than this machine (the token would
    /// travel unencrypted).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Compute everything without a token and write the payload to FILE (fork PRs, step 1).
    #[arg(long, value_name = "FILE", conflicts_with = "from")]
    pub save: Option<PathBuf>,
    /// Post a payload written by --save (fork PRs, step 2, in a trusted job).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    #[command(flatten)]
    pub html: HtmlArgs,
    #[command(flatten)]
    pub badge: BadgeArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// `--comment-behavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CommentBehaviorArg {
    Default,
    Once,
    New,
    Spammy,
}

/// Options shared by `convert` and `merge`.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The format to write.
    #[arg(long, value_enum, default_value_t = WriteFormat::Lcov)]
    pub to: WriteFormat,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Force the input format instead of detecting it from the content.
    #[arg(long, value_enum, value_name = "NAME")]
    pub format_in: Option<Format>,
    /// The git repository whose files report paths are mapped to [default: the one containing
    /// the working directory].
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Keep report paths as written (only --path-map/--strip-prefix apply).
    #[arg(long)]
    pub no_repo: bool,
    /// Rewrite a report path prefix FROM to TO (repeatable).
    #[arg(long, value_name = "FROM=TO")]
    pub path_map: Vec<String>,
    /// Remove prefix P from report paths (repeatable).
    #[arg(long, value_name = "P")]
    pub strip_prefix: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The coverage report to convert (any format prcov reads).
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The coverage reports to merge: a line is hit if any report hit it; branches unite.
    #[arg(value_name = "REPORT", required = true)]
    pub reports: Vec<PathBuf>,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RecordArgs {
    #[command(subcommand)]
    pub action: Option<RecordAction>,
    #[command(flatten)]
    pub coverage: CoverageArgs,
    /// JUnit XML test results to record (repeatable) [default: those discovery finds, if any].
    #[arg(long, value_name = "FILE")]
    pub junit: Vec<PathBuf>,
    /// The commit the record is of.
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub commit: String,
    /// The branch [default: GITHUB_REF_NAME, CI_COMMIT_BRANCH, else the checked-out branch].
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// The CI run [default: GITHUB_RUN_ID, CI_PIPELINE_ID].
    #[arg(long, value_name = "ID")]
    pub ci_run_id: Option<String>,
    #[command(flatten)]
    pub history: HistoryArgs,
    /// Also write the record to FILE (e.g. for actions/upload-artifact).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read settings from FILE: a prcov.toml, or a codecov.yml [default: prcov.toml and
    /// codecov.yml as the other commands find them].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not say which files were used and where the record went.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum RecordAction {
    /// Print a history record as JSON.
    Dump {
        /// The record file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the effective settings and where each came from: a flag, prcov.toml, codecov.yml
    /// (with its line and key), or the default; then what the files say that prcov does not
    /// apply. The flags below show what they would change.
    #[command(after_help = CONFIG_EXAMPLES)]
    Explain(ExplainArgs),
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub coverage: CoverageArgs,
    #[command(flatten)]
    pub gates: GateArgs,
    #[command(flatten)]
    pub test_gates: TestGateArgs,
    /// The base revision, as `prcov diff --base`.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}
