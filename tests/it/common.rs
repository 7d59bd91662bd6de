//! Shared helpers for integration tests: the corpus and its manifest.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

/// The corpus folder: `$PRCOV_CORPUS`, else `../shared/corpus` beside the repository.
/// Panics (fails the test loudly) when it is missing: a silently skipped corpus test proves nothing.
pub fn corpus_dir() -> PathBuf {
    let dir = match std::env::var_os("PRCOV_CORPUS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    };
    assert!(
        dir.join("MANIFEST.tsv").is_file(),
        "the test corpus is missing: expected {}/MANIFEST.tsv (set PRCOV_CORPUS to its folder)",
        dir.display()
    );
    dir
}

/// One row of `MANIFEST.tsv`, by column name.
#[derive(Debug, Clone)]
pub struct ManifestRow {
    pub fields: HashMap<String, String>,
}

impl ManifestRow {
    pub fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }
    /// A numeric column; `None` when empty or `?`.
    pub fn num(&self, column: &str) -> Option<u64> {
        self.get(column).parse().ok()
    }
    pub fn path(&self) -> PathBuf {
        corpus_dir().join(self.get("path"))
    }
}

/// All manifest rows, optionally only those of the given formats.
pub fn manifest(formats: &[&str]) -> Vec<ManifestRow> {
    let text =
        std::fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split('\t')
        .map(str::to_owned)
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| ManifestRow {
            fields: header
                .iter()
                .cloned()
                .zip(l.split('\t').map(str::to_owned))
                .collect(),
        })
        .filter(|r| formats.is_empty() || formats.contains(&r.get("format")))
        .collect()
}

/// Runs `git` in `dir` (failing the test when it fails) and returns its trimmed output.
pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    git_with_env(dir, args, &[])
}

/// [`git`] with extra environment variables (fixed commit dates, for shas a snapshot can hold).
pub fn git_with_env(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// The standard output of a run as JSON, with both streams in the failure message.
pub fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// A changed file's patch coverage from its hit, missed and partial lines.
pub fn patch_file(
    path: &str,
    hit: &[u32],
    missed: &[u32],
    partial: &[u32],
) -> prcov::analysis::PatchFile {
    let n = |v: &[u32]| v.len() as u64;
    prcov::analysis::PatchFile {
        path: path.into(),
        old_path: None,
        status: prcov::git::FileStatus::Modified,
        totals: prcov::model::Totals {
            lines: n(hit) + n(missed) + n(partial),
            hits: n(hit),
            misses: n(missed),
            partials: n(partial),
        },
        hit_lines: hit.to_vec(),
        missed_lines: missed.to_vec(),
        partial_lines: partial.to_vec(),
    }
}
