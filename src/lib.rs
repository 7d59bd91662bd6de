//! prcov: patch coverage and test results for pull requests, in one binary.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! input (find files, sniff format) → formats (parse) → model (files → lines/branches; tests)
//!   → paths (map to repo files) → git (change set) → analysis (patch/project/gates → summary)
//!   → render (text, markdown, json) → host (github, gitlab)
//! cli (args) → config (validated options) → commands (run the stages for one command)
//! ```
//!
//! Parsers never see git or the network; hosts never parse reports; renderers never compute.

pub mod analysis;
pub mod atomic;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod exit;
pub mod formats;
pub mod git;
pub mod history;
pub mod host;
pub mod input;
pub mod model;
pub mod paths;
pub mod render;
pub mod threads;

pub use config::Config;
pub use error::{Error, Result};

/// Runs one command; returns the exit code for a completed run (0 or 1).
pub fn run(config: &Config) -> Result<u8> {
    match config {
        Config::Diff(o) => commands::diff::run(o),
        Config::Report(o) => commands::report::run(o),
        Config::Tests(o) => commands::test_results::run(o),
        Config::Publish(o) => commands::publish::run(o),
        Config::Write(o) => commands::write::run(o),
        Config::Record(o) => commands::record::run(o),
        Config::Dump(o) => commands::record::dump(o),
        Config::Generated(g) => commands::write_generated(g),
        Config::Explain(o) => commands::config::explain(o),
    }
}
