//! prcov: patch coverage and test results for pull requests, in one binary.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! input (find files, sniff format) → formats (parse) → model (files → lines/branches; tests)
//!   → paths (map to repo files) → git (change set) → analysis (patch/project/gates → Summary)
//!   → render (text, markdown, json) → host (github, gitlab) ← cli (args → Config → run)
//! ```
//!
//! Parsers never see git or the network; hosts never parse reports; renderers never compute.

pub mod analysis;
pub mod error;
pub mod exit;
pub mod formats;
pub mod git;
pub mod model;
pub mod render;

pub use error::{Error, Result};
pub mod host;
