//! Standard error, written from here and nowhere else. The result of a command goes to standard
//! output (or `--output FILE`); notes, warnings and errors come here, one `prcov:` line each.

use std::fmt::Display;

use crate::error::Error;
use crate::model::diag::{self, Warning, WarningDetail};

fn line(text: impl Display) {
    eprintln!("prcov: {text}");
}

/// A note on what prcov chose for the user (`using coverage report(s) …`); `-q` silences it.
pub fn note(quiet: bool, text: impl Display) {
    if !quiet {
        line(text);
    }
}

/// A warning that is not a reading warning (a file that could not be written, a host's remark).
pub fn warning(detail: WarningDetail, text: impl Display) {
    if detail != WarningDetail::None {
        line(format_args!("warning: {text}"));
    }
}

/// Reading warnings: repeats collapsed, each one with `-v`, none with `-q`.
pub fn warnings(detail: WarningDetail, warnings: &[Warning]) {
    for text in diag::lines(warnings, detail) {
        line(format_args!("warning: {text}"));
    }
}

/// A verdict the user must see whatever the output format and `-q` (a gate that failed because
/// nothing ran).
pub fn message(text: impl Display) {
    line(text);
}

/// The error that ended the run.
pub fn error(err: &Error) {
    line(format_args!("error: {err}"));
}
