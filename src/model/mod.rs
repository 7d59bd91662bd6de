//! Format-neutral data: coverage (files → lines → hits and branches) and test results.
//!
//! Every parser in `formats/` produces these types; everything downstream consumes only them.

pub mod coverage;
pub mod diag;
pub mod line_map;
pub mod test_results;

pub use coverage::{
    Branches, CoverageReport, FileCoverage, Function, LineRecord, LineState, Totals,
};
pub use diag::{Location, Warning, WarningKind};
