//! One function per command: runs the stages in order and returns what to print and the exit code.

pub mod artifacts;
pub mod config;
pub mod diff;
pub mod history;
pub mod publish;
pub mod record;
pub mod report;
pub mod revisions;
pub mod stderr;
pub mod test_results;
pub mod write;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::analysis::gates::{self, GateOutcome, Measured};
use crate::analysis::{Outcome, ReportInput};
use crate::config::{CoverageOptions, GateOptions, OutputOptions};
use crate::error::Error;
use crate::input::{self, ReportFile};
use crate::model::{CoverageReport, Warning};
use crate::paths::{self, RepoFiles, Unmatched};

/// Coverage read, mapped and merged.
pub struct LoadedCoverage {
    pub report: CoverageReport,
    pub unmatched: Vec<Unmatched>,
    /// The coverage of the unmatched files, under their report paths (rewritten where a
    /// `--path-map`/`--strip-prefix` applies).
    pub unmatched_coverage: CoverageReport,
    pub inputs: Vec<ReportInput>,
    pub warnings: Vec<Warning>,
    /// The merged report of each flag's reports (empty when no report carries a flag).
    pub by_flag: std::collections::BTreeMap<String, CoverageReport>,
}

/// Which report files to read: the named ones (in the `--format-in` format, if forced), else
/// those discovered below `root`, with the format discovery detected.
pub fn choose_reports(
    opts: &CoverageOptions,
    root: &Path,
    quiet: bool,
) -> Result<Vec<ReportFile>, Error> {
    if !opts.reports.is_empty() {
        return Ok(ReportFile::named(&opts.reports, opts.forced_format));
    }
    let found = input::discover_coverage(root);
    if found.is_empty() {
        return Err(Error::Usage(format!(
            "no coverage report found below {} (looked for coverage.xml, lcov.info, *.lcov, jacoco*.xml, …); name the report files on the command line",
            root.display()
        )));
    }
    let names: Vec<String> = found.iter().map(|f| f.path.display().to_string()).collect();
    stderr::note(
        quiet,
        format_args!("using coverage report(s) {}", names.join(", ")),
    );
    if !quiet {
        warn_tracked(
            &found.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
            root,
        );
    }
    Ok(found)
}

/// Which JUnit files to read: the named ones, else those discovered below `root`.
pub fn choose_junit(named: &[PathBuf], root: &Path, quiet: bool) -> Result<Vec<PathBuf>, Error> {
    if !named.is_empty() {
        return Ok(named.to_vec());
    }
    let found = input::discover_junit(root);
    if found.is_empty() {
        return Err(Error::Usage(format!(
            "no JUnit XML file found below {} (looked for junit*.xml, TEST-*.xml, …); name the files on the command line",
            root.display()
        )));
    }
    let names: Vec<String> = found.iter().map(|p| p.display().to_string()).collect();
    stderr::note(
        quiet,
        format_args!("using test results {}", names.join(", ")),
    );
    if !quiet {
        warn_tracked(&found, root);
    }
    Ok(found)
}

/// A discovered report that is committed to git is usually a stale copy, not this run's output:
/// say so, since its numbers would silently describe another commit.
fn warn_tracked(found: &[PathBuf], root: &Path) {
    let Ok(repo) = crate::git::Repo::discover(root) else {
        return;
    };
    for path in repo.tracked(found) {
        stderr::message(format_args!(
            "warning: {} is tracked in git: a committed report is usually stale; generate it in this run (and add it to .gitignore) or name the report to use",
            path.display()
        ));
    }
}

/// `--repo DIR`, else the working directory: where the repository is looked for.
pub fn working_dir(repo_dir: Option<&Path>) -> Result<PathBuf, Error> {
    match repo_dir {
        Some(d) => Ok(d.to_path_buf()),
        None => std::env::current_dir().map_err(|source| Error::Io {
            action: "read the working directory",
            path: ".".into(),
            source,
        }),
    }
}

/// The folder discovery starts from: `--repo`, else the repository around the working
/// directory, else the working directory.
pub fn search_root(repo_dir: Option<&Path>) -> Result<PathBuf, Error> {
    let start = working_dir(repo_dir)?;
    Ok(crate::git::Repo::discover(&start).map_or(start, |r| r.root().to_path_buf()))
}

/// Reads every report, maps its paths (when a repository is given), and merges them.
pub fn load_coverage(
    files: &[ReportFile],
    opts: &CoverageOptions,
    repo: Option<&RepoFiles>,
) -> Result<LoadedCoverage, Error> {
    let loaded = input::load_coverage(files)?;
    Ok(map_loaded(loaded, opts, repo))
}

/// Maps the paths of parsed reports (when a repository is given) and merges them.
pub fn map_loaded(
    loaded: Vec<input::LoadedReport>,
    opts: &CoverageOptions,
    repo: Option<&RepoFiles>,
) -> LoadedCoverage {
    let mut out = LoadedCoverage {
        report: CoverageReport::default(),
        unmatched: Vec::new(),
        unmatched_coverage: CoverageReport::default(),
        inputs: Vec::new(),
        warnings: Vec::new(),
        by_flag: std::collections::BTreeMap::new(),
    };
    for l in loaded {
        let flags = opts.monorepo.flags_of(&l.path);
        out.warnings.extend(l.parsed.warnings);
        let mapped = match repo {
            Some(files) => {
                let (mapped, unmatched) = paths::map_report(l.parsed.report, files, &opts.rewrites);
                for u in unmatched {
                    let path = paths::rewritten(u.unmatched.path.clone(), &opts.rewrites);
                    out.unmatched_coverage.add_file(path, u.coverage);
                    out.unmatched.push(u.unmatched);
                }
                mapped
            }
            None => paths::rewrite_only(l.parsed.report, &opts.rewrites),
        };
        // A flag's own merge is a copy, made only for flagged reports: without flags the run
        // merges exactly as before.
        for flag in &flags {
            out.by_flag.entry(flag.clone()).or_default().merge(&mapped);
        }
        out.report.merge_owned(mapped);
        out.inputs.push(ReportInput {
            path: l.path,
            format: l.format,
            flags,
        });
    }
    if repo.is_some() {
        // --ignore/--include speak of repository paths: only mapped paths are filtered.
        out.report.files.retain(|path, _| opts.filter.keeps(path));
        for report in out.by_flag.values_mut() {
            report.files.retain(|path, _| opts.filter.keeps(path));
        }
    }
    out.unmatched.sort_by(|a, b| a.path.cmp(&b.path));
    out.unmatched.dedup_by(|a, b| a.path == b.path);
    out
}

/// The one gate path of every command: the requested gates against what was measured.
pub fn evaluate_gates(opts: &GateOptions, measured: &Measured) -> Vec<GateOutcome> {
    let measured = Measured {
        allow_no_tests: opts.allow_no_tests,
        ..*measured
    };
    gates::evaluate(&opts.gates, &measured, opts.threshold)
}

/// The components' gates join the run's (after them), except informational components': their
/// results are shown in the components table and decide nothing.
pub fn add_component_gates(summary: &mut crate::analysis::DiffSummary) {
    if let Some(m) = &summary.monorepo {
        for c in m.components.iter().filter(|c| !c.informational) {
            summary.gates.extend(c.gates.iter().cloned());
        }
    }
}

/// Exit code of a completed run: 1 when a gate failed.
pub fn gate_exit_code(outcomes: &[GateOutcome]) -> u8 {
    if outcomes.iter().all(|g| g.passed) {
        crate::exit::SUCCESS
    } else {
        crate::exit::GATE_FAILED
    }
}

/// The CI environment, when running in GitHub Actions or GitLab CI.
pub fn ci_context() -> Result<Option<crate::host::CiContext>, Error> {
    let env = |k: &str| std::env::var(k).ok();
    Ok(crate::host::ci_env::detect(&env)?)
}

/// How many report paths a "nothing measured" error quotes.
const FIRST_PATHS: usize = 3;

/// Nothing measured is never a pass: reports that map to no repository file, or hold no
/// coverable line, stop the run with exit 2 and the path-mapping hint, unless
/// `--allow-nothing-measured` makes them an outcome of the output.
pub fn check_measured(
    outcome: Outcome,
    loaded: &LoadedCoverage,
    opts: &CoverageOptions,
) -> Result<Outcome, Error> {
    if outcome == Outcome::Measured || opts.allow_nothing_measured {
        return Ok(outcome);
    }
    let names: Vec<String> = loaded
        .inputs
        .iter()
        .map(|r| r.path.display().to_string())
        .collect();
    let reports = names.join(", ");
    let what = if outcome == Outcome::NoFileMatched && !loaded.unmatched.is_empty() {
        let first: Vec<&str> = loaded
            .unmatched
            .iter()
            .take(FIRST_PATHS)
            .map(|u| u.path.as_str())
            .collect();
        let more = loaded.unmatched.len().saturating_sub(FIRST_PATHS);
        let more = if more > 0 {
            format!(", … and {more} more")
        } else {
            String::new()
        };
        format!(
            "none of the {} file path(s) in {reports} maps to a file of the repository ({}{more})",
            loaded.unmatched.len(),
            first.join(", ")
        )
    } else if outcome == Outcome::NoFileMatched {
        format!("{reports} name(s) no source file")
    } else {
        format!("{reports} hold(s) no coverable line")
    };
    Err(Error::Usage(format!(
        "nothing measured: {what}; hint: use --path-map FROM=TO or --strip-prefix P to turn \
         report paths into repository paths, and check that the report comes from this \
         commit's test run; pass --allow-nothing-measured if this is deliberate"
    )))
}

/// `completions` and `man`: writes the generated files, then standard output.
pub fn write_generated(g: &crate::config::Generated) -> Result<u8, Error> {
    for (path, bytes) in &g.files {
        std::fs::write(path, bytes).map_err(|source| Error::Io {
            action: "write",
            path: path.clone(),
            source,
        })?;
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`prcov completions bash | head`) is not an error worth reporting.
    let _ = stdout.write_all(&g.stdout);
    let _ = stdout.flush();
    Ok(crate::exit::SUCCESS)
}

/// Writes the rendered output to `--output FILE` or standard output.
pub fn emit(out: &OutputOptions, text: &str) -> Result<(), Error> {
    match &out.output {
        Some(path) => {
            crate::atomic::write_file(path, |w| w.write_all(text.as_bytes())).map_err(|source| {
                Error::Io {
                    action: "write",
                    path: path.clone(),
                    source,
                }
            })
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`prcov diff | head`) is not an error worth reporting.
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            Ok(())
        }
    }
}

/// Frees a merged report: a monorepo's is millions of allocations, freed on another thread
/// while the run goes on; a small one is dropped here.
pub fn drop_report(report: CoverageReport) {
    if report.files.len() >= 1000 {
        crate::threads::drop_without_waiting(report);
    }
}
