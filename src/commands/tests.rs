//! `prcov tests`: test results from JUnit XML.

use crate::analysis::tests::summarize;
use crate::config::TestsOptions;
use crate::error::Error;
use crate::exit;
use crate::formats::junit;
use crate::render::{self, OutputFormat};

use super::{choose_junit, emit, search_root};

pub fn run(opts: &TestsOptions) -> Result<u8, Error> {
    let root = search_root(opts.repo_dir.as_deref())?;
    let files = choose_junit(&opts.files, &root, opts.output.quiet)?;
    let (results, warnings) = junit::load(&files)?;
    for w in &warnings {
        eprintln!("prcov: warning: {}", w.message);
    }
    let summary = summarize(&results, opts.slowest);
    let text = match opts.output.format {
        OutputFormat::Text => render::tests::text(&summary),
        OutputFormat::Markdown => {
            render::tests::markdown(&summary, render::markdown::MAX_COMMENT_CHARS)
        }
        OutputFormat::Json => render::tests::json(&summary),
    };
    emit(&opts.output, &text)?;
    Ok(if opts.fail_on_test_failure && summary.has_failures() {
        exit::GATE_FAILED
    } else {
        exit::SUCCESS
    })
}
