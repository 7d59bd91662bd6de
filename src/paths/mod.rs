//! Mapping report paths to repository paths (docs/coverage.md#path-mapping).
//!
//! In order: `--path-map`/`--strip-prefix` rewrites; exact repo-relative path; absolute path inside
//! the repo root; Cobertura `<source>` roots joined with the filename; the unique longest suffix
//! match against the files tracked at head. What still matches nothing, or matches several files
//! equally well, is returned as data ([`Unmatched`]) — never dropped silently.

mod filter;

pub use filter::{compile as compile_globs, PathFilter, DEFAULT_NOT_INSTRUMENTED};

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::{CoverageReport, FileCoverage};

/// A prefix rewrite from `--path-map FROM=TO` or `--strip-prefix P` (TO empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub from: String,
    pub to: String,
}

impl Rewrite {
    /// Parses `FROM=TO`; `=TO` puts TO in front of every path (Codecov's `fixes: ["::TO"]`).
    pub fn parse_map(s: &str) -> Result<Self, String> {
        let (from, to) = s
            .split_once('=')
            .ok_or_else(|| format!("--path-map expects FROM=TO, got `{s}`"))?;
        if from.is_empty() && to.trim_matches('/').is_empty() {
            return Err(format!("--path-map expects a FROM or a TO in `{s}`"));
        }
        Ok(Rewrite {
            from: normalize(from),
            to: normalize(to),
        })
    }

    pub fn strip(prefix: &str) -> Self {
        Rewrite {
            from: normalize(prefix),
            to: String::new(),
        }
    }

    fn apply(&self, path: &str) -> Option<String> {
        if self.from.is_empty() {
            return Some(format!("{}/{path}", self.to.trim_end_matches('/')));
        }
        let rest = path.strip_prefix(self.from.as_str())?;
        // Only whole components: `src` must not rewrite `srcfoo/a.c`.
        if !(self.from.ends_with('/') || rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let rest = rest.trim_start_matches('/');
        Some(if self.to.is_empty() {
            rest.to_owned()
        } else if rest.is_empty() {
            self.to.clone()
        } else {
            format!("{}/{rest}", self.to.trim_end_matches('/'))
        })
    }
}

/// Why a report path was not mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum UnmatchedReason {
    /// No file of the repository at head fits the path.
    NoMatch,
    /// Several files fit equally well.
    Ambiguous { candidates: Vec<String> },
}

/// A report path that matches no file of the repository (or several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmatched {
    /// The path as the report wrote it.
    pub path: String,
    #[serde(flatten)]
    pub reason: UnmatchedReason,
}

/// Turns a report path into a '/'-separated path: backslashes become slashes, `.` components go,
/// `..` components fold lexically, and a doubled separator collapses.
pub fn normalize(path: &str) -> String {
    let path = path.trim();
    let replaced;
    let path = if path.contains('\\') {
        replaced = path.replace('\\', "/");
        replaced.as_str()
    } else {
        path
    };
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The files of the repository at head, indexed for suffix matching.
#[derive(Debug, Default)]
pub struct RepoFiles {
    files: HashSet<String>,
    by_name: HashMap<String, Vec<String>>,
    by_lower_name: HashMap<String, Vec<String>>,
    /// The repository root, normalized, without a trailing slash.
    root: String,
}

impl RepoFiles {
    pub fn new(root: &std::path::Path, tracked: Vec<String>) -> Self {
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        let mut by_lower_name: HashMap<String, Vec<String>> = HashMap::new();
        for f in &tracked {
            let name = f.rsplit('/').next().unwrap_or(f);
            by_name.entry(name.to_owned()).or_default().push(f.clone());
            by_lower_name
                .entry(name.to_lowercase())
                .or_default()
                .push(f.clone());
        }
        RepoFiles {
            files: tracked.into_iter().collect(),
            by_name,
            by_lower_name,
            root: normalize(&root.to_string_lossy()),
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains(path)
    }

    /// Strips the repository root from an absolute path inside it.
    fn relative_to_root(&self, path: &str) -> Option<String> {
        if self.root.is_empty() {
            return None;
        }
        let rest = path.strip_prefix(self.root.as_str())?;
        rest.starts_with('/')
            .then(|| rest.trim_start_matches('/').to_owned())
    }

    /// The tracked files sharing the longest run of trailing components with `path` (at least the
    /// file name), and that length. Names compare exactly; only when nothing matches exactly do
    /// they compare without case (reports written on Windows or macOS spell case freely).
    fn suffix_candidates(&self, path: &str) -> (usize, Vec<&str>) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let exact = self
            .by_name
            .get(name)
            .map(|files| best_suffix(files, path, false));
        match exact {
            Some(found) if !found.1.is_empty() => found,
            _ => self
                .by_lower_name
                .get(&name.to_lowercase())
                .map_or((0, Vec::new()), |files| best_suffix(files, path, true)),
        }
    }

    /// Maps one report path; `Err` says why not.
    pub fn map(
        &self,
        raw: &str,
        rewrites: &[Rewrite],
        source_roots: &[String],
    ) -> Result<String, UnmatchedReason> {
        let mut path = normalize(raw);
        for rw in rewrites {
            if let Some(p) = rw.apply(&path) {
                path = normalize(&p);
                break;
            }
        }
        if self.contains(&path) {
            return Ok(path);
        }
        if let Some(rel) = self.relative_to_root(&path) {
            if self.contains(&rel) {
                return Ok(rel);
            }
        }
        for root in source_roots {
            let joined = normalize(&format!("{}/{path}", normalize(root)));
            if self.contains(&joined) {
                return Ok(joined);
            }
            if let Some(rel) = self.relative_to_root(&joined) {
                if self.contains(&rel) {
                    return Ok(rel);
                }
            }
        }
        // Suffix matching over the path and each source root joined with it: a root adds
        // components that tell apart files of the same name.
        let mut best = self.suffix_candidates(&path);
        for root in source_roots {
            let joined = normalize(&format!("{}/{path}", normalize(root)));
            let found = self.suffix_candidates(&joined);
            if found.0 > best.0 {
                best = found;
            }
        }
        let mut candidates = best.1;
        candidates.sort_unstable();
        candidates.dedup();
        match candidates.as_slice() {
            [] => Err(UnmatchedReason::NoMatch),
            [one] => Ok((*one).to_owned()),
            many => {
                let mut candidates: Vec<String> = many.iter().map(|s| (*s).to_owned()).collect();
                candidates.sort();
                Err(UnmatchedReason::Ambiguous { candidates })
            }
        }
    }
}

/// The files sharing the most trailing components with `path`, and how many they share.
fn best_suffix<'a>(files: &'a [String], path: &str, ignore_case: bool) -> (usize, Vec<&'a str>) {
    let same = |a: &str, b: &str| {
        if ignore_case {
            a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
        } else {
            a == b
        }
    };
    let wanted: Vec<&str> = path.rsplit('/').collect();
    let mut best = 0;
    let mut out = Vec::new();
    for f in files {
        let common = f
            .rsplit('/')
            .zip(&wanted)
            .take_while(|(a, b)| same(a, b))
            .count();
        if common == 0 {
            continue;
        }
        if common > best {
            best = common;
            out.clear();
        }
        if common == best {
            out.push(f.as_str());
        }
    }
    (best, out)
}

/// Rewrites the paths of a report without a repository (`prcov report --no-repo`): only the
/// `--path-map`/`--strip-prefix` rewrites apply; every record counts.
/// The path a report path keeps without a repository: rewritten (and normalized) when a rewrite
/// applies, else as the report wrote it.
pub fn rewritten(raw: String, rewrites: &[Rewrite]) -> String {
    if rewrites.is_empty() {
        return raw;
    }
    let normalized = normalize(&raw);
    rewrites
        .iter()
        .find_map(|rw| rw.apply(&normalized))
        .map_or(raw, |p| normalize(&p))
}

pub fn rewrite_only(report: CoverageReport, rewrites: &[Rewrite]) -> CoverageReport {
    if rewrites.is_empty() {
        // Nothing to rewrite: every path stays as written, so the files are already the result
        // (re-inserting 100k paths into a new map costs a tenth of `report` on a monorepo).
        return CoverageReport {
            files: report.files,
            source_roots: Vec::new(),
        };
    }
    let mut out = CoverageReport::default();
    for (raw, file) in report.files {
        // Paths stay as the report wrote them (docs/coverage.md#project-and-delta), unless a rewrite applies.
        out.add_file(rewritten(raw, rewrites), file);
    }
    out
}

/// A report file that matches no file of the repository (or several), with its coverage: what
/// does not map is still data (`convert` writes it, `--diff-file` without a repository counts it
/// for the project) without reading the report again.
#[derive(Debug, Clone, PartialEq)]
pub struct UnmatchedFile {
    pub unmatched: Unmatched,
    pub coverage: FileCoverage,
}

/// Maps every file of a report to repository paths. Files that map to the same repository path
/// merge; files that map to none are returned with their data as [`UnmatchedFile`]s.
pub fn map_report(
    report: CoverageReport,
    repo: &RepoFiles,
    rewrites: &[Rewrite],
) -> (CoverageReport, Vec<UnmatchedFile>) {
    let mut mapped = CoverageReport::default();
    let mut unmatched = Vec::new();
    for (raw, file) in report.files {
        match repo.map(&raw, rewrites, &report.source_roots) {
            Ok(path) => mapped.add_file(path, file),
            Err(reason) => unmatched.push(UnmatchedFile {
                unmatched: Unmatched { path: raw, reason },
                coverage: file,
            }),
        }
    }
    (mapped, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn repo() -> RepoFiles {
        RepoFiles::new(
            Path::new("/home/ci/project"),
            vec![
                "src/app/main.py".into(),
                "src/app/util.py".into(),
                "lib/util.py".into(),
                "pkg/a/mod.rs".into(),
                "pkg/b/mod.rs".into(),
            ],
        )
    }

    #[test]
    fn normalizes_separators_and_dots() {
        assert_eq!(normalize(r"C:\build\src\a.c"), "C:/build/src/a.c");
        assert_eq!(normalize("./src//a/../b.c"), "src/b.c");
        assert_eq!(normalize("/abs/./x/../y"), "/abs/y");
        assert_eq!(normalize("../up/a.c"), "../up/a.c");
    }

    #[test]
    fn maps_in_spec_order() {
        let r = repo();
        assert_eq!(
            r.map("src/app/main.py", &[], &[]),
            Ok("src/app/main.py".into())
        );
        assert_eq!(
            r.map("/home/ci/project/lib/util.py", &[], &[]),
            Ok("lib/util.py".into())
        );
        assert_eq!(
            r.map("app/main.py", &[], &["/home/ci/project/src".into()]),
            Ok("src/app/main.py".into())
        );
        assert_eq!(
            r.map("app/main.py", &[], &["src".into()]),
            Ok("src/app/main.py".into())
        );
        assert_eq!(
            r.map("/other/checkout/src/app/util.py", &[], &[]),
            Ok("src/app/util.py".into())
        );
        assert_eq!(
            r.map(r"D:\a\src\app\main.py", &[], &[]),
            Ok("src/app/main.py".into())
        );
    }

    #[test]
    fn ambiguous_and_missing_are_reported() {
        let r = repo();
        assert_eq!(
            r.map("mod.rs", &[], &[]),
            Err(UnmatchedReason::Ambiguous {
                candidates: vec!["pkg/a/mod.rs".into(), "pkg/b/mod.rs".into()]
            })
        );
        assert!(matches!(
            r.map("util.py", &[], &[]),
            Err(UnmatchedReason::Ambiguous { .. })
        ));
        assert_eq!(
            r.map("nothing/here.go", &[], &[]),
            Err(UnmatchedReason::NoMatch)
        );
    }

    #[test]
    fn source_roots_and_case_help_suffix_matching() {
        let r = repo();
        // `mod.rs` alone is ambiguous; the root `…/pkg/b` picks one.
        assert_eq!(
            r.map("mod.rs", &[], &["/ci/checkout/pkg/b".into()]),
            Ok("pkg/b/mod.rs".into())
        );
        // A Windows report with other case.
        assert_eq!(
            r.map(r"C:\Agent\Src\App\Main.py", &[], &[]),
            Ok("src/app/main.py".into())
        );
    }

    #[test]
    fn rewrites_apply_on_whole_components() {
        let r = repo();
        let rw = [Rewrite::parse_map("/build/out=src").unwrap()];
        assert_eq!(
            r.map("/build/out/app/main.py", &rw, &[]),
            Ok("src/app/main.py".into())
        );
        let prefix = Rewrite::parse_map("=project/").unwrap();
        assert_eq!(
            prefix.apply("torch/a.py"),
            Some("project/torch/a.py".into())
        );
        assert!(Rewrite::parse_map("=").is_err());
        let strip = [Rewrite::strip("src")];
        assert_eq!(strip[0].apply("srcfoo/a.c"), None);
        assert_eq!(strip[0].apply("src/a.c"), Some("a.c".into()));
    }
}
