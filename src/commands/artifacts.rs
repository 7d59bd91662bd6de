//! The files a run writes besides its output: the HTML report (`--html DIR`) and the badge
//! (`--badge FILE`). This layer reads each page's source at the head commit from git (not the
//! working tree: the report shows what the reports measured) and hands it to the renderer.

use std::collections::BTreeMap;
use std::path::Path;

use crate::analysis::test_summary::TestSummary;
use crate::analysis::{CountingRules, DiffSummary, ProjectCoverage};
use crate::commands::diff::DiffDetails;
use crate::config::{ArtifactOptions, HtmlOptions};
use crate::error::Error;
use crate::git::Repo;
use crate::model::{CoverageReport, Totals};
use crate::paths::RepoFiles;
use crate::render::html::{self, FailureLink, LineCoverage, Site, SourcePage, SourceText, View};

/// A source file larger than this gets no text on its page: the report stays small enough to open.
const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;

/// Where a page's source comes from.
pub enum Sources<'a> {
    /// The tree of this commit.
    Commit(&'a Repo, &'a str),
    /// The working tree (`--worktree`: the change includes uncommitted edits).
    WorkingTree(&'a Path),
    /// No repository: pages list the coverable lines without text.
    None(&'static str),
}

/// A page's text, or why there is none; `missing` says where the file was looked for.
fn text_of(bytes: Option<Vec<u8>>, missing: &str) -> SourceText {
    match bytes {
        None => SourceText::Unavailable(format!("the file is not in {missing}")),
        Some(b) if b.len() > MAX_SOURCE_BYTES => SourceText::Unavailable(format!(
            "the file is larger than {} MiB",
            MAX_SOURCE_BYTES / 1024 / 1024
        )),
        Some(b) if b.contains(&0) => SourceText::Unavailable("the file is binary".to_owned()),
        Some(b) => match String::from_utf8(b) {
            Ok(text) => SourceText::Text(text),
            Err(e) => SourceText::Text(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        },
    }
}

/// The pages for `paths`: each file's text and its coverable lines as counted.
pub fn pages(
    paths: &[&str],
    added: &BTreeMap<String, Vec<u32>>,
    report: &CoverageReport,
    rules: CountingRules,
    sources: &Sources<'_>,
) -> Result<Vec<SourcePage>, Error> {
    let texts: Vec<SourceText> = match sources {
        Sources::Commit(repo, sha) => repo
            .files_at(sha, paths)?
            .into_iter()
            .map(|b| text_of(b, "the head commit"))
            .collect(),
        Sources::WorkingTree(root) => paths
            .iter()
            .map(|p| text_of(std::fs::read(root.join(p)).ok(), "the working tree"))
            .collect(),
        Sources::None(why) => paths
            .iter()
            .map(|_| SourceText::Unavailable((*why).to_owned()))
            .collect(),
    };
    Ok(paths
        .iter()
        .zip(texts)
        .map(|(path, source)| SourcePage {
            path: (*path).to_owned(),
            source,
            lines: report.files.get(*path).map_or_else(Vec::new, |f| {
                f.lines
                    .iter()
                    .map(|(line, record)| LineCoverage {
                        line,
                        state: rules.state(&record),
                        branches: record.branches.as_ref().map(|b| (b.covered(), b.total())),
                    })
                    .collect()
            }),
            added: added.get(*path).cloned().unwrap_or_default(),
        })
        .collect())
}

/// Where each failed test points in the repository, when its file maps to a repository file.
pub fn failure_links(tests: &TestSummary, repo: &RepoFiles) -> Vec<Option<FailureLink>> {
    tests
        .failures
        .iter()
        .map(|f| {
            let line = u32::try_from(f.line?).ok().filter(|l| *l > 0)?;
            let path = repo.map(f.file.as_deref()?, &[], &[]).ok()?;
            Some(FailureLink { path, line })
        })
        .collect()
}

/// Pages are read, rendered and written this many at a time: with `--html-all` on a monorepo
/// they add up to a gigabyte, which is never in memory at once.
const PAGE_BATCH: usize = 64;

/// What the pages are made of.
pub struct PageInputs<'a> {
    pub report: &'a CoverageReport,
    pub added: &'a BTreeMap<String, Vec<u32>>,
    pub rules: CountingRules,
    pub sources: Sources<'a>,
}

fn write_file(path: &Path, content: &str) -> Result<(), Error> {
    std::fs::write(path, content).map_err(|source| Error::Io {
        action: "write",
        path: path.to_path_buf(),
        source,
    })
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        action: "create the folder",
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes `index.html` and the page of every file in `site.paged` below `opts.dir` (created
/// when missing).
pub fn write_html(
    opts: &HtmlOptions,
    site: &Site<'_>,
    inputs: &PageInputs<'_>,
) -> Result<(), Error> {
    create_dir(&opts.dir)?;
    write_file(&opts.dir.join("index.html"), &html::index(site))?;
    if site.paged.is_empty() {
        return Ok(());
    }
    create_dir(&opts.dir.join("files"))?;
    for batch in site.paged.chunks(PAGE_BATCH) {
        let pages = pages(
            batch,
            inputs.added,
            inputs.report,
            inputs.rules,
            &inputs.sources,
        )?;
        for page in &pages {
            write_file(
                &opts.dir.join(html::page_name(&page.path)),
                &html::file_page(page, site),
            )?;
        }
    }
    Ok(())
}

/// Writes the badge of `project`, when `--badge` asked for one.
pub fn write_badge(artifacts: &ArtifactOptions, project: &Totals) -> Result<(), Error> {
    let Some(badge) = &artifacts.badge else {
        return Ok(());
    };
    let svg = crate::render::badge::svg(project, &badge.options);
    std::fs::write(&badge.path, svg).map_err(|source| Error::Io {
        action: "write the badge",
        path: badge.path.clone(),
        source,
    })
}

/// Where a component's badge goes: beside `--badge FILE`, named `<stem>-<id>.<ext>`
/// (`badge.svg` → `badge-api.svg`). Ids are checked names: no separator can get in.
pub fn component_badge_path(badge: &std::path::Path, id: &str) -> std::path::PathBuf {
    let stem = badge
        .file_stem()
        .map_or_else(|| "badge".into(), |s| s.to_string_lossy().into_owned());
    let name = match badge.extension() {
        Some(ext) => format!("{stem}-{id}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{id}"),
    };
    badge.with_file_name(name)
}

/// Writes a badge per component beside the project's, when `--badge` asked for one; labelled
/// `<label> <id>` with the component's project coverage.
pub fn write_component_badges(
    artifacts: &ArtifactOptions,
    components: &[crate::analysis::monorepo::ComponentView],
) -> Result<(), Error> {
    let Some(badge) = &artifacts.badge else {
        return Ok(());
    };
    for c in components {
        let options = crate::render::badge::BadgeOptions {
            label: format!("{} {}", badge.options.label, c.id),
            thresholds: badge.options.thresholds,
            percent: badge.options.percent,
        };
        let path = component_badge_path(&badge.path, &c.id);
        let svg = crate::render::badge::svg(&c.project, &options);
        std::fs::write(&path, svg).map_err(|source| Error::Io {
            action: "write the badge",
            path,
            source,
        })?;
    }
    Ok(())
}

/// The paths that get a page: the changed files with coverable added lines, or with `--html-all`
/// every file of the project.
pub fn page_paths<'a>(
    opts: &HtmlOptions,
    changed: impl Iterator<Item = &'a str>,
    project: &'a ProjectCoverage,
) -> Vec<&'a str> {
    if opts.all_files {
        project.files.iter().map(|(p, _)| p.as_str()).collect()
    } else {
        changed.collect()
    }
}

/// Writes the HTML report of a `diff` (or `publish`) run.
pub fn write_diff_html(
    opts: &HtmlOptions,
    summary: &DiffSummary,
    details: &DiffDetails,
    rules: CountingRules,
    sources: Sources<'_>,
    tests: Option<(&TestSummary, &[Option<FailureLink>])>,
) -> Result<(), Error> {
    let changed = summary.patch.files.iter().map(|f| f.path.as_str());
    let paged = page_paths(opts, changed, &details.project);
    write_html(
        opts,
        &Site {
            view: View::Diff(summary),
            project: &details.project,
            paged: &paged,
            tests: tests.map(|t| t.0),
            failure_links: tests.map_or(&[], |t| t.1),
        },
        &PageInputs {
            report: &details.report,
            added: &details.added,
            rules,
            sources,
        },
    )
}
