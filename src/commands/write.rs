//! `prcov convert` and `prcov merge`: read reports, map paths, merge, write LCOV or Cobertura.

use std::io::Write as _;

use crate::config::WriteOptions;
use crate::error::Error;
use crate::exit;
use crate::formats::write::write;
use crate::git::Repo;
use crate::input::ReportFile;
use crate::paths::RepoFiles;

use super::{load_coverage, stderr, working_dir};
use crate::model::diag::WarningDetail;

pub fn run(opts: &WriteOptions) -> Result<u8, Error> {
    let start = working_dir(opts.coverage.repo_dir.as_deref())?;
    let repo = if opts.no_repo {
        None
    } else {
        Repo::discover(&start).ok()
    };
    let reports = ReportFile::named(&opts.reports, opts.coverage.forced_format);
    let mut report = match &repo {
        Some(repo) => {
            let head = repo.resolve("HEAD")?;
            let files = RepoFiles::new(repo.root(), repo.tracked_files(&head)?);
            let loaded = load_coverage(&reports, &opts.coverage, Some(&files))?;
            let mut report = loaded.report;
            if !loaded.unmatched.is_empty() {
                // Nothing is dropped: what does not map keeps the path the report wrote.
                stderr::warning(
                    WarningDetail::Grouped,
                    format_args!(
                        "{} report path(s) match no file of the repository and are written as the report wrote them (first: {})",
                        loaded.unmatched.len(),
                        loaded.unmatched[0].path
                    ),
                );
                report.merge_owned(loaded.unmatched_coverage);
            }
            stderr::warnings(WarningDetail::Grouped, &loaded.warnings);
            report
        }
        None => {
            let loaded = load_coverage(&reports, &opts.coverage, None)?;
            stderr::warnings(WarningDetail::Grouped, &loaded.warnings);
            loaded.report
        }
    };
    report.source_roots.clear();
    let io = |path: std::path::PathBuf| {
        move |source| Error::Io {
            action: "write",
            path,
            source,
        }
    };
    match &opts.output {
        Some(path) => {
            crate::atomic::write_file(path, |w| write(&report, opts.to, w))
                .map_err(io(path.clone()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            // A closed pipe is not worth an error.
            let _ = write(&report, opts.to, &mut w).and_then(|()| w.flush());
        }
    }
    Ok(exit::SUCCESS)
}
