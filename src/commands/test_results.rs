//! `prcov tests`: test results from JUnit XML.

use std::io::Write;

use crate::analysis::gates::{Measured, TestsRun};
use crate::analysis::test_summary::{summarize_taking, TestSummary};
use crate::config::{OutputOptions, TestsOptions};
use crate::error::Error;
use crate::render::{self, OutputFormat};

use super::{choose_junit, emit, evaluate_gates, gate_exit_code, search_root, stderr};

pub fn run(opts: &TestsOptions) -> Result<u8, Error> {
    let root = search_root(opts.repo_dir.as_deref())?;
    let files = choose_junit(&opts.files, &root, opts.output.quiet)?;
    let (mut results, warnings) = crate::input::load_junit(&files)?;
    // The results are not needed after the summary: their texts move into it, not copied.
    let mut summary = summarize_taking(&mut results, opts.slowest);
    summary.warnings = warnings;
    // The document on standard output stays as it was; reading warnings go to standard error.
    stderr::warnings(opts.output.warning_detail(), &summary.warnings);
    match opts.output.format {
        OutputFormat::Text => emit(
            &opts.output,
            &render::test_summary::text_with(&summary, opts.max_output_lines),
        )?,
        OutputFormat::Markdown => emit(
            &opts.output,
            &render::test_summary::markdown(&summary, render::limits::COMMENT_MAX),
        )?,
        OutputFormat::Json => emit_json(&opts.output, &summary)?,
    }
    let outcomes = evaluate_gates(
        &opts.gates,
        &Measured::default().with_tests(TestsRun::of(&summary.counts)),
    );
    if let Some(g) = outcomes.iter().find(|g| !g.passed && g.reason.is_some()) {
        // Nothing ran is not a pass: say why on stderr, whatever the output format.
        stderr::message(format_args!(
            "gate tests failed: {}",
            render::gate_line(g, opts.output.percent).1
        ));
    }
    let code = gate_exit_code(&outcomes);
    // The output is written and flushed; the process ends right after this returns. Freeing
    // 200,000 test cases one string at a time took a tenth of the run.
    crate::threads::drop_without_waiting((summary, results));
    Ok(code)
}

/// The JSON document, serialized straight into a buffered `--output FILE` or standard output
/// (like [`emit`], without building the text first: it is megabytes for a large report).
fn emit_json(out: &OutputOptions, summary: &TestSummary) -> Result<(), Error> {
    match &out.output {
        Some(path) => {
            let io_error = |source| Error::Io {
                action: "write",
                path: path.clone(),
                source,
            };
            crate::atomic::write_file(path, |w| render::test_summary::write_json(summary, w))
                .map_err(io_error)
        }
        None => {
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
            // A closed pipe (`prcov tests --format json | head`) is not an error worth reporting.
            let _ = render::test_summary::write_json(summary, &mut w);
            let _ = w.flush();
            Ok(())
        }
    }
}
