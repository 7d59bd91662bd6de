//! Finding report files (when none are named), opening and reading them: coverage reports and
//! JUnit XML alike. The only stage that opens input files; parsers get a reader.
//!
//! Discovery walks the repository (or working directory) for common report names, skipping
//! `.git`, `node_modules`, `target`, virtualenvs and the like, then sniffs each candidate's content:
//! a file's format always comes from what it contains, never from its name. The format found is
//! kept ([`ReportFile`]), so reading does not detect it again; a named file is detected from the
//! first bytes of the same open file its parser then reads. Each file is opened for parsing once.

use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::formats::{self, junit, Format, ParseError, Parsed};
use crate::model::test_results::TestResults;
use crate::model::Warning;

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
        .filter_map(|p| detect_path(&p).ok().map(|f| (p, f)))
        .collect()
}

/// The coverage reports among [`discover`]'s files, with their formats.
pub fn discover_coverage(root: &Path) -> Vec<ReportFile> {
    discover(root)
        .into_iter()
        .filter(|(_, f)| f.is_coverage())
        .map(|(path, format)| ReportFile {
            path,
            format: Some(format),
        })
        .collect()
}

/// The JUnit XML files among [`discover`]'s files.
pub fn discover_junit(root: &Path) -> Vec<PathBuf> {
    discover(root)
        .into_iter()
        .filter(|(_, f)| !f.is_coverage())
        .map(|(path, _)| path)
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

/// A report file to read, with its format when discovery detected it or `--format-in` forced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    pub path: PathBuf,
    pub format: Option<Format>,
}

impl ReportFile {
    /// Files named on the command line: their format is `forced`, else detected when read.
    pub fn named(paths: &[PathBuf], forced: Option<Format>) -> Vec<ReportFile> {
        paths
            .iter()
            .map(|path| ReportFile {
                path: path.clone(),
                format: forced,
            })
            .collect()
    }
}

/// How many bytes of a file detection looks at.
const SNIFF_BYTES: u64 = 16 * 1024;

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ParseError + '_ {
    move |source| ParseError::Io {
        path: path.to_owned(),
        source,
    }
}

fn unknown(path: &Path, why: String) -> ParseError {
    ParseError::Unknown {
        path: path.to_owned(),
        why,
    }
}

/// Reads the start of `path` and detects its format (discovery: the file is not parsed here).
pub fn detect_path(path: &Path) -> Result<Format, ParseError> {
    let mut head = Vec::new();
    std::fs::File::open(path)
        .map_err(io_error(path))?
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(io_error(path))?;
    formats::detect(&head).map_err(|why| unknown(path, why))
}

/// An open input file: its format and a reader from its first byte. The bytes read to detect
/// the format are read again from memory, so a file is opened once (a FIFO works too).
struct Opened {
    format: Format,
    size: u64,
    reader: std::io::BufReader<std::io::Chain<std::io::Cursor<Vec<u8>>, std::fs::File>>,
}

fn open(path: &Path, known: Option<Format>) -> Result<Opened, ParseError> {
    let mut file = std::fs::File::open(path).map_err(io_error(path))?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut head = Vec::new();
    let format = match known {
        Some(format) => format,
        None => {
            (&mut file)
                .take(SNIFF_BYTES)
                .read_to_end(&mut head)
                .map_err(io_error(path))?;
            formats::detect(&head).map_err(|why| unknown(path, why))?
        }
    };
    let reader =
        std::io::BufReader::with_capacity(256 * 1024, std::io::Cursor::new(head).chain(file));
    Ok(Opened {
        format,
        size,
        reader,
    })
}

/// Opens, detects (unless `forced`) and parses one coverage report file. Its warnings name it.
pub fn parse_coverage_path(
    path: &Path,
    forced: Option<Format>,
) -> Result<(Format, Parsed), ParseError> {
    let Opened { format, reader, .. } = open(path, forced)?;
    let mut parsed = formats::parse_coverage(format, reader)
        .map_err(|e| ParseError::malformed(path, format, e))?;
    // The parser does not know the file; its warnings name it from here on.
    parsed.warnings = parsed
        .warnings
        .into_iter()
        .map(|w| w.in_file(path))
        .collect();
    Ok((format, parsed))
}

/// One coverage report as read.
#[derive(Debug)]
pub struct LoadedReport {
    pub path: PathBuf,
    pub format: Format,
    pub parsed: Parsed,
}

/// Reads coverage reports, each in its known format or the one detected from its content.
pub fn load_coverage(files: &[ReportFile]) -> Result<Vec<LoadedReport>, ParseError> {
    files
        .iter()
        .map(|file| {
            let (format, parsed) = parse_coverage_path(&file.path, file.format)?;
            Ok(LoadedReport {
                path: file.path.clone(),
                format,
                parsed,
            })
        })
        .collect()
}

/// Reads JUnit XML files in order and merges them (shards, reruns). Errors and warnings name the
/// file they came from.
pub fn load_junit(paths: &[PathBuf]) -> Result<(TestResults, Vec<Warning>), ParseError> {
    let mut files = Vec::with_capacity(paths.len());
    let mut warnings = Vec::new();
    for path in paths {
        let opened = open(path, Some(Format::Junit))?;
        let mut parsed = junit::parse_sized(opened.reader, opened.size)
            .map_err(|e| ParseError::malformed(path, Format::Junit, e))?;
        warnings.extend(parsed.warnings.drain(..).map(|w| w.in_file(path)));
        files.push(parsed);
    }
    Ok((TestResults::merge(files), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_keeps_the_detected_format_and_reading_uses_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("build/node_modules")).unwrap();
        std::fs::write(root.join("lcov.info"), "SF:a.c\nDA:1,1\nend_of_record\n").unwrap();
        std::fs::write(root.join("build/TEST-a.xml"), "<testsuite/>").unwrap();
        // A report name with content of no known format, and a folder discovery skips.
        std::fs::write(root.join("coverage.xml"), "not a report").unwrap();
        std::fs::write(root.join("build/node_modules/lcov.info"), "SF:x\n").unwrap();

        let coverage = discover_coverage(root);
        assert_eq!(
            coverage,
            [ReportFile {
                path: root.join("lcov.info"),
                format: Some(Format::Lcov),
            }]
        );
        assert_eq!(discover_junit(root), [root.join("build/TEST-a.xml")]);

        let loaded = load_coverage(&coverage).unwrap();
        assert_eq!(loaded[0].format, Format::Lcov);
        assert_eq!(loaded[0].parsed.report.totals().lines, 1);
    }

    #[test]
    fn a_named_file_is_detected_from_the_bytes_its_parser_reads() {
        let dir = tempfile::tempdir().unwrap();
        // Longer than what detection reads, so the parser must get those bytes back.
        let mut lcov = String::from("TN:\nSF:a.c\n");
        for line in 1..=4000 {
            lcov.push_str(&format!("DA:{line},1\n"));
        }
        lcov.push_str("end_of_record\n");
        assert!(lcov.len() as u64 > SNIFF_BYTES);
        let path = dir.path().join("report.txt");
        std::fs::write(&path, lcov).unwrap();
        let (format, parsed) = parse_coverage_path(&path, None).unwrap();
        assert_eq!(format, Format::Lcov);
        assert_eq!(parsed.report.totals().lines, 4000);
        // A forced format skips detection; a wrong one fails with the file named.
        let err = parse_coverage_path(&path, Some(Format::Cobertura)).unwrap_err();
        assert!(err.to_string().contains("report.txt"), "{err}");
    }
}
