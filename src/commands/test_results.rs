//! `prcov tests`: test results from JUnit XML.

use std::io::Write;

use crate::analysis::gates::{self, Gate, GateKind, Measured};
use crate::analysis::test_summary::{summarize_taking, TestSummary};
use crate::config::{OutputOptions, TestsOptions};
use crate::error::Error;
use crate::exit;
use crate::formats::junit;
use crate::render::{self, OutputFormat};

use super::{choose_junit, emit, search_root};

pub fn run(opts: &TestsOptions) -> Result<u8, Error> {
    let root = search_root(opts.repo_dir.as_deref())?;
    let files = choose_junit(&opts.files, &root, opts.output.quiet)?;
    let (mut results, warnings) = junit::load(&files)?;
    for w in &warnings {
        eprintln!("prcov: warning: {}", w.message);
    }
    // The results are not needed after the summary: their texts move into it, not copied.
    let summary = summarize_taking(&mut results, opts.slowest);
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
    let gates = if opts.fail_on_test_failure {
        let measured = Measured {
            tests_run: Some(summary.run()),
            allow_no_tests: opts.allow_no_tests,
            ..Measured::default()
        };
        gates::evaluate(
            &[Gate {
                kind: GateKind::Tests,
                target: 0.0,
            }],
            &measured,
            0.0,
        )
    } else {
        Vec::new()
    };
    if let Some(g) = gates.iter().find(|g| !g.passed && g.reason.is_some()) {
        // Nothing ran is not a pass: say why on stderr, whatever the output format.
        eprintln!("prcov: gate tests failed: {}", render::gate_line(g).1);
    }
    let code = if gates.iter().all(|g| g.passed) {
        exit::SUCCESS
    } else {
        exit::GATE_FAILED
    };
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
            let file = std::fs::File::create(path).map_err(io_error)?;
            let mut w = std::io::BufWriter::with_capacity(256 * 1024, file);
            render::test_summary::write_json(summary, &mut w).map_err(io_error)?;
            w.flush().map_err(io_error)
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
