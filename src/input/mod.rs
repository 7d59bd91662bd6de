//! Finding report files (when none are named) and reading them.
//!
//! Discovery walks the repository (or working directory) for common report names, skipping
//! `.git`, `node_modules`, `target`, virtualenvs and the like, then sniffs each candidate's content:
//! a file's format always comes from what it contains, never from its name.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::formats::{self, Format, ParseError, Parsed};

/// File names that usually hold coverage or test results.
const REPORT_NAMES: &[&str] = &[
    "coverage.xml",
    "*cobertura*.xml",
    "lcov.info",
    "*.lcov",
    "lcov*.info",
    "coverage*.info",
    "jacoco*.xml",
    "junit*.xml",
    "*junit*.xml",
    "TEST-*.xml",
    "test-results*.xml",
    "*test-report*.xml",
    "report.xml",
    "nextest*.xml",
];

/// Directories never searched.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    "site-packages",
    ".gradle",
    "bower_components",
    "vendor",
];

/// How deep discovery descends: reports sit near the top (or in build folders), and a bound keeps
/// a run on a monorepo fast.
const MAX_DEPTH: usize = 8;

fn name_set() -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for n in REPORT_NAMES {
        if let Ok(g) = Glob::new(n) {
            b.add(g);
        }
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Candidate report files below `root`, sorted, with their detected formats. Files whose content
/// is not a known format are skipped (their names were only a hint).
pub fn discover(root: &Path) -> Vec<(PathBuf, Format)> {
    let names = name_set();
    let mut found = Vec::new();
    walk(root, 0, &names, &mut found);
    found.sort();
    found
        .into_iter()
        .filter_map(|p| formats::detect_path(&p).ok().map(|f| (p, f)))
        .collect()
}

fn walk(dir: &Path, depth: usize, names: &GlobSet, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if kind.is_dir() {
            let is_venv = path.join("pyvenv.cfg").is_file();
            if depth < MAX_DEPTH && !is_venv && !SKIP_DIRS.contains(&name.as_ref()) {
                walk(&path, depth + 1, names, out);
            }
        } else if kind.is_file() && names.is_match(name.as_ref()) {
            out.push(path);
        }
    }
}

/// One coverage report as read.
#[derive(Debug)]
pub struct LoadedReport {
    pub path: PathBuf,
    pub format: Format,
    pub parsed: Parsed,
}

/// Reads coverage reports, detecting each one's format unless `forced`.
pub fn load_coverage(
    paths: &[PathBuf],
    forced: Option<Format>,
) -> Result<Vec<LoadedReport>, ParseError> {
    paths
        .iter()
        .map(|path| {
            let (format, mut parsed) = formats::parse_coverage_path(path, forced)?;
            // The parser does not know the file; its warnings name it from here on.
            parsed.warnings = parsed
                .warnings
                .into_iter()
                .map(|w| w.in_file(path))
                .collect();
            Ok(LoadedReport {
                path: path.clone(),
                format,
                parsed,
            })
        })
        .collect()
}
