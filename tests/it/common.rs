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

/// The crate's folder (fixtures/ and docs/ are below it).
pub fn crate_dir() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `prcov` binary with a clean environment: no CI variables of the test process (a test run
/// inside CI must not see them), no colour.
pub fn prcov() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("prcov").expect("the prcov binary is built");
    c.env_remove("GITHUB_ACTIONS")
        .env_remove("GITLAB_CI")
        .env("NO_COLOR", "1");
    c
}

/// [`prcov`], run in `dir`.
pub fn prcov_in(dir: &std::path::Path) -> assert_cmd::Command {
    let mut c = prcov();
    c.current_dir(dir);
    c
}

/// Asserts that a run ended with `code` (a constant of `prcov::exit`) and returns its stdout and
/// stderr; the failure message shows both.
pub fn expect_exit(out: &std::process::Output, code: u8) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(i32::from(code)),
        "expected exit {code}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

/// Runs git in `dir` with a fixed identity and fixed dates (so commit ids are stable) and no user
/// or system configuration; returns its trimmed stdout, and fails the test when git fails.
pub fn git(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=prcov test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", "2024-05-01T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2024-05-01T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Snapshot settings that redact what differs between machines and runs: each commit id of
/// `shas` (label `HEAD` → the full id as `[HEAD_SHA]`, its 7-character form as `[HEAD]`),
/// temporary paths (`[TEMP]`), and the literal strings of `literals` (e.g. a fake server's
/// URL → `{api}`). Use as `settings.bind(|| insta::assert_snapshot!(…))`.
pub fn redactions(shas: &[(&str, &str)], literals: &[(&str, &str)]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (sha, label) in shas {
        settings.add_filter(&regex_escape(sha), format!("[{label}_SHA]"));
        if let Some(short) = sha.get(..7) {
            settings.add_filter(&regex_escape(short), format!("[{label}]"));
        }
    }
    for (literal, replacement) in literals {
        settings.add_filter(&regex_escape(literal), *replacement);
    }
    settings.add_filter(r"\S*\.tmp[A-Za-z0-9]{6}\S*", "[TEMP]");
    settings
}

/// `text` as a regular expression that matches it literally.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
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
