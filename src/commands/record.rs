//! `prcov record`: the history record of a commit, kept in a store; `prcov record dump FILE`.

use crate::config::{DumpOptions, RecordOptions};
use crate::error::Error;
use crate::exit;
use crate::git::Repo;
use crate::history::record::settings_of;
use crate::history::store::read_capped;
use crate::history::{self, Record, RecordMeta};
use crate::paths::RepoFiles;
use crate::render;

use super::history::open_store;
use super::{
    check_measured, choose_junit, choose_reports, emit, load_coverage, stderr, working_dir,
};
use crate::analysis::Outcome;
use crate::model::diag::WarningDetail;

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.is_empty())
}

pub fn run(opts: &RecordOptions) -> Result<u8, Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    let repo = Repo::discover(&start)?;
    let commit = repo.resolve(&opts.commit)?;
    let reports = choose_reports(&opts.coverage, repo.root(), opts.quiet)?;
    let files = RepoFiles::new(repo.root(), repo.tracked_files(&commit)?);
    let coverage = load_coverage(&reports, &opts.coverage, Some(&files))?;
    let detail = if opts.quiet {
        WarningDetail::None
    } else {
        WarningDetail::Grouped
    };
    stderr::warnings(detail, &coverage.warnings);
    // A record of nothing would be every later PR's baseline: refused like an empty report.
    let lines: usize = coverage.report.files.values().map(|f| f.lines.len()).sum();
    check_measured(
        Outcome::of_coverage(coverage.report.files.len(), lines as u64),
        &coverage,
        &opts.coverage,
    )?;
    if !coverage.unmatched.is_empty() {
        let first: Vec<&str> = coverage
            .unmatched
            .iter()
            .take(5)
            .map(|u| u.path.as_str())
            .collect();
        let message = format!(
            "{} report path(s) match no file of the repository and are not recorded: {}",
            coverage.unmatched.len(),
            first.join(", ")
        );
        if opts.coverage.fail_on_unmatched {
            return Err(Error::Usage(message));
        }
        stderr::warning(detail, message);
    }
    let junit_files = if opts.junit.is_empty() {
        choose_junit(&[], repo.root(), true).unwrap_or_default()
    } else {
        choose_junit(&opts.junit, repo.root(), opts.quiet)?
    };
    let tests = if junit_files.is_empty() {
        None
    } else {
        let (results, warnings) = crate::input::load_junit(&junit_files)?;
        stderr::warnings(detail, &warnings);
        Some(results)
    };
    let meta = RecordMeta {
        commit: commit.clone(),
        branch: opts
            .branch
            .clone()
            .or_else(|| env("GITHUB_REF_NAME"))
            .or_else(|| env("CI_COMMIT_BRANCH"))
            .or_else(|| repo.current_branch()),
        ci_run_id: opts
            .ci_run_id
            .clone()
            .or_else(|| env("GITHUB_RUN_ID"))
            .or_else(|| env("CI_PIPELINE_ID")),
        prcov_version: env!("CARGO_PKG_VERSION").to_owned(),
        settings_hash: settings_of(
            &opts.coverage.rewrites,
            opts.coverage.rules.partials_as_hits,
        ),
        created_unix: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let record = Record::of_run(meta, &coverage.report, tests.as_ref());
    let bytes = history::encode(&record);
    let mut places = Vec::new();
    if let Some(path) = &opts.output {
        std::fs::write(path, &bytes).map_err(|source| Error::Io {
            action: "write the history record",
            path: path.clone(),
            source,
        })?;
        places.push(path.display().to_string());
    }
    if let Some(choice) = &opts.history {
        let Some(store) = open_store(choice, repo.root())? else {
            return Err(Error::Usage(
                "--history auto found no store: pass --history-dir DIR or --history git-notes"
                    .into(),
            ));
        };
        let saved = store.save(&commit, &bytes)?;
        if saved.retries > 0 {
            stderr::note(
                opts.quiet,
                format_args!(
                    "another job updated {} first; fetched it and retried {} time(s)",
                    saved.location, saved.retries
                ),
            );
        }
        places.push(saved.location);
    }
    let lines: usize = record.files.values().map(Vec::len).sum();
    let tests = record
        .tests
        .as_ref()
        .map_or(String::new(), |t| format!(" and {} tests", t.len()));
    stderr::note(
        opts.quiet,
        format_args!(
            "recorded {lines} lines in {} files{tests} of {} ({} bytes) to {}",
            record.files.len(),
            render::short_sha(&commit),
            bytes.len(),
            places.join(" and ")
        ),
    );
    Ok(exit::SUCCESS)
}

/// `prcov record dump FILE`: the record as JSON.
pub fn dump(opts: &DumpOptions) -> Result<u8, Error> {
    let name = opts.file.display().to_string();
    let bytes = read_capped(&opts.file)?
        .ok_or_else(|| Error::Usage(format!("{name}: no such history record file")))?;
    let record = history::decode(&bytes).map_err(|error| history::HistoryError::Record {
        source_name: name,
        error,
    })?;
    let out = crate::config::OutputOptions {
        format: render::OutputFormat::Json,
        output: None,
        color: false,
        quiet: false,
        verbose: false,
        // The dump is JSON: exact values, nothing rounded.
        percent: crate::analysis::Percent::default(),
    };
    emit(&out, &render::history::dump(&record))?;
    Ok(exit::SUCCESS)
}
