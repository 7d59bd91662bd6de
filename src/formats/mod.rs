//! Report parsers, one module per format, and detection of the format from a file's content.
//!
//! Parsers read from a `BufRead` and return format-neutral `model` types; they never touch git,
//! paths of the repository or the network. Every parser reports malformed input as a
//! [`FormatError`] with the line (and column or element) at fault; the caller adds the file name.

use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use crate::model::{CoverageReport, Warning};

/// Where a parser found something, as in every diagnostic (defined in `model::diag`).
pub use crate::model::Location;

pub mod clover;
pub mod cobertura;
pub mod codecov_json;
pub(crate) mod count;
pub mod coveragepy_json;
pub mod gcovr_json;
pub mod gocov;
pub mod istanbul;
pub mod jacoco;
pub mod junit;
pub mod lcov;
pub mod llvm_json;
pub mod sonar;
pub(crate) mod text;

/// The highest source line number a range-based format (Go coverprofile blocks, llvm-cov
/// segments) may name: far beyond any real source file. Every line inside a range becomes a
/// record, so an unchecked range of a few bytes could cost gigabytes.
pub const MAX_SOURCE_LINE: u32 = 10_000_000;
pub mod write;
pub(crate) mod xml;

/// A report format prcov reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Lcov,
    Cobertura,
    Jacoco,
    // Not a coverage format: `--format-in` (coverage only) does not offer it.
    #[value(skip)]
    Junit,
    // Clover XML (PHPUnit, OpenClover, Istanbul's clover reporter, gcovr).
    Clover,
    // Go coverprofile (`go test -coverprofile`).
    #[value(alias = "go")]
    Gocov,
    // Istanbul `coverage-final.json` (nyc, c8, jest, vitest), and jest's `--json` result.
    // (Plain comments, not doc comments: clap would turn them into per-value help text.)
    IstanbulJson,
    // `llvm-cov export` JSON (`cargo llvm-cov --json`).
    LlvmJson,
    // coverage.py `coverage json`.
    CoveragepyJson,
    // gcovr `--json`.
    GcovrJson,
    // Codecov's JSON upload format (`cargo llvm-cov --codecov`, custom converters).
    CodecovJson,
    // SonarQube generic test coverage XML (gcovr `--sonarqube`).
    Sonar,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Lcov => "lcov",
            Format::Cobertura => "cobertura",
            Format::Jacoco => "jacoco",
            Format::Junit => "junit",
            Format::Clover => "clover",
            Format::Gocov => "gocov",
            Format::IstanbulJson => "istanbul-json",
            Format::LlvmJson => "llvm-json",
            Format::CoveragepyJson => "coveragepy-json",
            Format::GcovrJson => "gcovr-json",
            Format::CodecovJson => "codecov-json",
            Format::Sonar => "sonar",
        }
    }

    /// True for formats that carry coverage (as opposed to test results).
    pub fn is_coverage(self) -> bool {
        !matches!(self, Format::Junit)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Malformed input, as a parser sees it (without the file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub location: Location,
    /// What was wrong and what was expected, as a lowercase sentence fragment.
    pub message: String,
}

impl FormatError {
    pub fn at_line(line: u64, message: impl Into<String>) -> Self {
        FormatError {
            location: Location::line(line),
            message: message.into(),
        }
    }
}

/// A parser's result: the report and what it had to skip.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub report: CoverageReport,
    pub warnings: Vec<Warning>,
}

/// A report file that could not be read as its format.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("failed to read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {}{}{message}", .location, if *.location == Location::default() { "" } else { ": " })]
    Malformed {
        path: PathBuf,
        format: Format,
        location: Location,
        message: String,
    },
    #[error("{path}: cannot tell the report format from its content ({why}); supported: {supported}; use --format-in to force one", supported = SUPPORTED)]
    Unknown { path: PathBuf, why: String },
}

impl ParseError {
    pub fn malformed(path: &Path, format: Format, err: FormatError) -> Self {
        ParseError::Malformed {
            path: path.to_owned(),
            format,
            location: err.location,
            message: err.message,
        }
    }
}

/// The formats detection knows, as listed in the "cannot tell the format" error.
pub const SUPPORTED: &str = "lcov, cobertura, jacoco, clover, gocov (Go coverprofile), istanbul-json (coverage-final.json), llvm-json (llvm-cov export), coveragepy-json (coverage json), gcovr-json, codecov-json, sonar (SonarQube generic), junit";

/// Detects the format of a report from the first bytes of its content (never from its name).
pub fn detect(head: &[u8]) -> Result<Format, String> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.is_empty() {
        return Err("the file is empty".into());
    }
    if text.starts_with('<') {
        return detect_xml(text);
    }
    if text.starts_with('{') {
        return detect_json(text);
    }
    if gocov::is_mode_line(text.lines().next().unwrap_or("")) {
        return Ok(Format::Gocov);
    }
    for line in text.lines().take(200) {
        let line = line.trim();
        if ["TN:", "SF:", "DA:", "FN:", "BRDA:", "end_of_record"]
            .iter()
            .any(|p| line.starts_with(p))
        {
            return Ok(Format::Lcov);
        }
    }
    Err("not XML or JSON, no `mode:` line of a Go coverprofile and no LCOV records".into())
}

/// JSON formats, told apart by the keys their producers write near the start of the file.
fn detect_json(text: &str) -> Result<Format, String> {
    let first_key = first_json_key(text);
    if text.contains("\"gcovr/format_version\"") {
        return Ok(Format::GcovrJson);
    }
    if text.contains("\"llvm.coverage.json.export\"")
        || (first_key.as_deref() == Some("data")
            && (text.contains("\"segments\"") || text.contains("\"filename\"")))
    {
        return Ok(Format::LlvmJson);
    }
    if (first_key.as_deref() == Some("meta") && text.contains("\"format\""))
        || text.contains("\"executed_lines\"")
    {
        return Ok(Format::CoveragepyJson);
    }
    // Istanbul: an object of file path → {path, statementMap, s, …}; the first key is a path.
    // Jest's `--json` result starts with its test counts and carries the same under `coverageMap`.
    if text.contains("\"statementMap\"")
        || text.contains("\"coverageMap\"")
        || first_key.as_deref() == Some("numFailedTestSuites")
    {
        return Ok(Format::IstanbulJson);
    }
    // Codecov's own JSON: {"coverage": {path: {line: hits | "covered/total" | null}}}.
    if first_key.as_deref() == Some("coverage") {
        return Ok(Format::CodecovJson);
    }
    Err(match first_key {
        Some(k) => {
            format!(
                "JSON whose first key is {}, which no supported JSON format starts with",
                text::quoted(k.as_bytes())
            )
        }
        None => "JSON without a first key".into(),
    })
}

/// The first object key of a JSON text (without unescaping: keys that matter here are plain).
fn first_json_key(text: &str) -> Option<String> {
    let rest = text.strip_prefix('{')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    Some(rest[..end].to_owned())
}

fn detect_xml(text: &str) -> Result<Format, String> {
    // The first element that is not a declaration, comment, DOCTYPE or processing instruction.
    if text.contains("<!DOCTYPE report") && text.contains("JACOCO") {
        return Ok(Format::Jacoco);
    }
    let mut rest = text;
    while let Some(pos) = rest.find('<') {
        rest = &rest[pos + 1..];
        // Skip comments whole: they may contain `<` (a comment that mentions `<lines>`).
        if let Some(after) = rest.strip_prefix("!--") {
            match after.find("-->") {
                Some(end) => {
                    rest = &after[end + 3..];
                    continue;
                }
                None => return Err("XML whose first comment does not end".into()),
            }
        }
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
            .collect();
        return match name.as_str() {
            "coverage" if is_clover_root(rest) => Ok(Format::Clover),
            "coverage" if is_sonar_root(rest) => Ok(Format::Sonar),
            "coverage" => Ok(Format::Cobertura),
            "report" => Ok(Format::Jacoco),
            "testsuites" | "testsuite" | "testcase" | "testrun" => Ok(Format::Junit),
            other => {
                // `rest` is a suffix of `text`: the root element starts right before it.
                let line = text[..text.len() - rest.len()].matches('\n').count() + 1;
                Err(format!(
                    "XML whose root element, at line {line}, is <{other}>"
                ))
            }
        };
    }
    Err("XML without a root element".into())
}

/// `rest` starts at the root `coverage` element's name. SonarQube's generic format has
/// `<file path=…>` children directly under `<coverage version="1">`.
fn is_sonar_root(rest: &str) -> bool {
    let Some(end) = rest.find('>') else {
        return false;
    };
    let after = rest[end + 1..].trim_start();
    let after = after.strip_prefix("<!--").map_or(after, |c| {
        c.find("-->").map_or(c, |e| c[e + 3..].trim_start())
    });
    after.starts_with("<file ") || after.starts_with("<file>")
}

/// `rest` starts at the root `coverage` element's name. Clover's root carries a `clover`
/// attribute (Istanbul, OpenClover, gcovr) or its first child is `<project>` (PHPUnit);
/// Cobertura's first child is `<sources>` or `<packages>`.
fn is_clover_root(rest: &str) -> bool {
    let Some(end) = rest.find('>') else {
        return false;
    };
    let tag = &rest[..end];
    if tag.split_whitespace().any(|a| a.starts_with("clover=")) {
        return true;
    }
    let mut after = &rest[end + 1..];
    while let Some(pos) = after.find('<') {
        after = &after[pos + 1..];
        if after.starts_with('!') || after.starts_with('?') {
            continue;
        }
        return after.starts_with("project") && !after.starts_with("projects");
    }
    false
}

/// Parses a coverage report from a reader in a known format.
pub fn parse_coverage(format: Format, reader: impl BufRead) -> Result<Parsed, FormatError> {
    match format {
        Format::Lcov => lcov::parse(reader),
        Format::Cobertura => cobertura::parse(reader),
        Format::Jacoco => jacoco::parse(reader),
        Format::Clover => clover::parse(reader),
        Format::Gocov => gocov::parse(reader),
        Format::IstanbulJson => istanbul::parse(reader),
        Format::LlvmJson => llvm_json::parse(reader),
        Format::CoveragepyJson => coveragepy_json::parse(reader),
        Format::GcovrJson => gcovr_json::parse(reader),
        Format::CodecovJson => codecov_json::parse(reader),
        Format::Sonar => sonar::parse(reader),
        Format::Junit => Err(FormatError {
            location: Location::default(),
            message: "this is a JUnit test report, not a coverage report; pass it with --junit"
                .into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"TN:\nSF:a.c\n"), Ok(Format::Lcov));
        assert_eq!(
            detect(b"<?xml version=\"1.0\"?>\n<!-- x -->\n<coverage line-rate=\"1\"><packages/>"),
            Ok(Format::Cobertura)
        );
        assert_eq!(detect(b"<report name=\"x\">"), Ok(Format::Jacoco));
        assert_eq!(detect(b"\xef\xbb\xbf<testsuites>"), Ok(Format::Junit));
        assert!(detect(b"").is_err());
        assert!(detect(b"<hello/>").is_err());
    }

    #[test]
    fn detects_the_more_formats_by_content() {
        let clover =
            b"<?xml version=\"1.0\"?>\n<coverage generated=\"1\">\n  <project timestamp=\"1\">";
        assert_eq!(detect(clover), Ok(Format::Clover));
        assert_eq!(
            detect(b"<coverage generated=\"1\" clover=\"3.2.0\">\n</coverage>"),
            Ok(Format::Clover)
        );
        // Cobertura whose first child is <sources> stays Cobertura even with a <project> later.
        assert_eq!(
            detect(b"<coverage line-rate=\"1\"><sources><source>project</source></sources>"),
            Ok(Format::Cobertura)
        );
        assert_eq!(
            detect(b"mode: atomic\na.go:1.1,2.2 1 0\n"),
            Ok(Format::Gocov)
        );
        assert_eq!(detect(b"mode: set\n"), Ok(Format::Gocov));
        assert_eq!(
            detect(br#"{"/a.js": {"path": "/a.js", "statementMap": {}, "s": {}}}"#),
            Ok(Format::IstanbulJson)
        );
        assert_eq!(
            detect(br#"{"data":[{"files":[{"filename":"a.rs","segments":[]}]}]"#),
            Ok(Format::LlvmJson)
        );
        assert_eq!(
            detect(br#"{"type":"llvm.coverage.json.export","version":"2.0.1","data":[]}"#),
            Ok(Format::LlvmJson)
        );
        assert_eq!(
            detect(br#"{"meta": {"format": 3, "version": "7.6.1"}, "files": {}}"#),
            Ok(Format::CoveragepyJson)
        );
        assert_eq!(
            detect(br#"{"gcovr/format_version": "0.15", "files": []}"#),
            Ok(Format::GcovrJson)
        );
        assert_eq!(
            detect(br#"{"numFailedTestSuites": 0, "numFailedTests": 0}"#),
            Ok(Format::IstanbulJson)
        );
        assert_eq!(
            detect(br#"{"coverage": {"a.rs": {"1": 1, "2": "1/2"}}}"#),
            Ok(Format::CodecovJson)
        );
        let err = detect(br#"{"hello": 1}"#).unwrap_err();
        assert!(err.contains("\"hello\""), "{err}");
        assert!(detect(b"mode: fast\n").is_err());
    }
}
