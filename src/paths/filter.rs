//! `--ignore GLOB` / `--include GLOB` (and `ignore`/`include` in prcov.toml), applied to repository
//! paths alike for coverage, patch and "not measured" (like Codecov's `ignore:` and diff-cover's
//! `--exclude`), and the files no coverage tool instruments, left out of "not measured".
//!
//! A pattern without `/` matches a file name anywhere (`*.md`, `CHANGELOG*`), as in
//! `.gitignore`; a pattern with `/` matches the whole repository path (`docs/**`).

use globset::{Glob, GlobSet, GlobSetBuilder};

/// Files that no coverage tool instruments: documentation, lockfiles, packaging metadata, CI
/// and editor settings, images. A changed file matching one is not listed as "not measured".
/// Replaced as a whole by `not_instrumented = [...]` in prcov.toml (or `--not-instrumented`).
pub const DEFAULT_NOT_INSTRUMENTED: &[&str] = &[
    // Documentation and prose.
    "*.md",
    "*.markdown",
    "*.rst",
    "*.adoc",
    "*.txt",
    "docs/**",
    "doc/**",
    "README*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "NEWS*",
    "AUTHORS*",
    "CONTRIBUTORS*",
    "LICENSE*",
    "COPYING*",
    "NOTICE*",
    // Packaging metadata and settings.
    "PKG-INFO",
    "*.egg-info/**",
    "MANIFEST.in",
    "setup.cfg",
    "tox.ini",
    "*.toml",
    "*.ini",
    "*.cfg",
    "*.yml",
    "*.yaml",
    "*.json",
    "*.lock",
    "go.mod",
    "go.sum",
    "package-lock.json",
    "pnpm-lock.yaml",
    ".gitignore",
    ".gitattributes",
    ".editorconfig",
    ".github/**",
    ".gitlab-ci.yml",
    // Images and other assets.
    "*.png",
    "*.jpg",
    "*.jpeg",
    "*.gif",
    "*.svg",
    "*.ico",
];

/// The compiled filters of a run.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    include: Option<GlobSet>,
    ignore: Option<GlobSet>,
    not_instrumented: Option<GlobSet>,
}

/// Compiles patterns; a pattern without `/` matches a file name at any depth. `what` opens the
/// error message (`ignore pattern`, or empty); `None` for no patterns.
pub fn compile(patterns: &[String], what: &str) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let what = if what.is_empty() {
        String::new()
    } else {
        format!("{what} ")
    };
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let full = if p.contains('/') {
            p.trim_start_matches('/').to_owned()
        } else {
            format!("**/{p}")
        };
        let glob = Glob::new(&full).map_err(|e| format!("{what}{p:?} is not a valid glob: {e}"))?;
        b.add(glob);
    }
    b.build()
        .map(Some)
        .map_err(|e| format!("{what}patterns do not compile: {e}"))
}

impl PathFilter {
    /// `not_instrumented`: `None` for [`DEFAULT_NOT_INSTRUMENTED`].
    pub fn new(
        include: &[String],
        ignore: &[String],
        not_instrumented: Option<&[String]>,
    ) -> Result<Self, String> {
        let defaults: Vec<String> = DEFAULT_NOT_INSTRUMENTED
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        Ok(PathFilter {
            include: compile(include, "--include")?,
            ignore: compile(ignore, "--ignore")?,
            not_instrumented: compile(not_instrumented.unwrap_or(&defaults), "not_instrumented")?,
        })
    }

    /// True when `--include` or `--ignore` was given (else every path takes part).
    pub fn selects(&self) -> bool {
        self.include.is_some() || self.ignore.is_some()
    }

    /// True when `path` (repository-relative) takes part: included (when includes are given)
    /// and not ignored.
    pub fn keeps(&self, path: &str) -> bool {
        self.include.as_ref().is_none_or(|g| g.is_match(path))
            && self.ignore.as_ref().is_none_or(|g| !g.is_match(path))
    }

    /// True when `path` is a file no coverage tool instruments (not "not measured").
    pub fn not_instrumented(&self, path: &str) -> bool {
        self.not_instrumented
            .as_ref()
            .is_some_and(|g| g.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ignore_include_and_the_default_list() {
        let f = PathFilter::new(&strings(&["src/**"]), &strings(&["*_pb2.py"]), None).unwrap();
        assert!(f.keeps("src/app.py"));
        assert!(!f.keeps("src/gen/api_pb2.py"));
        assert!(!f.keeps("tests/test_app.py"));
        for p in [
            "CHANGELOG",
            "PKG-INFO",
            "tox.ini",
            "tabulate.egg-info/SOURCES.txt",
            "docs/index.rst",
        ] {
            assert!(f.not_instrumented(p), "{p}");
        }
        assert!(!f.not_instrumented("tabulate/__init__.py"));
        let none = PathFilter::new(&[], &[], Some(&[])).unwrap();
        assert!(none.keeps("anything") && !none.not_instrumented("CHANGELOG"));
    }

    #[test]
    fn a_bad_glob_is_named() {
        let err = PathFilter::new(&[], &strings(&["src/[a"]), None).unwrap_err();
        assert!(err.contains("--ignore \"src/[a\""), "{err}");
    }
}
