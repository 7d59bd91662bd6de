//! History for `diff` and `publish`: open the store, find the baseline of the merge-base, and
//! compare the head run with it.

use std::collections::HashSet;
use std::path::Path;

use crate::analysis::CountingRules;
use crate::config::HistoryStore;
use crate::error::Error;
use crate::git::{ChangeSet, Repo};
use crate::history::compare::{
    coverage_changes, flaky_across_runs, indirect_changes, BaselineInfo, HistoryView, TestKey,
};
use crate::history::record::settings_of;
use crate::history::{self, find_baseline, Store, MAX_ANCESTORS};
use crate::history::{Record, RecordedTest};
use crate::host::artifacts::{GithubArtifacts, GitlabArtifacts};
use crate::host::{ci_env, RetryConfig};
use crate::model::{CoverageReport, Totals};
use crate::paths::Rewrite;
use crate::render::plan::HostKind;

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

/// The artifacts of the repository the GitHub Actions job runs in.
fn github_artifacts() -> Result<Store, Error> {
    let repository = env("GITHUB_REPOSITORY").ok_or_else(|| {
        Error::Usage(
            "--history github-artifacts needs GITHUB_REPOSITORY (set in GitHub Actions)".into(),
        )
    })?;
    let api_url = env("GITHUB_API_URL").unwrap_or_else(|| ci_env::GITHUB_API_URL.to_owned());
    let token = ci_env::token_from_env(HostKind::Github, &env)?;
    let store = GithubArtifacts::new(&api_url, &repository, token, RetryConfig::from_env(&env))?;
    Ok(Store::Remote(std::sync::Arc::new(store)))
}

/// The job artifacts of the GitLab project the CI job runs in.
fn gitlab_artifacts() -> Result<Store, Error> {
    let project = env("CI_PROJECT_ID").ok_or_else(|| {
        Error::Usage("--history gitlab needs CI_PROJECT_ID (set in GitLab CI)".into())
    })?;
    let api_url = env("CI_API_V4_URL").unwrap_or_else(|| ci_env::GITLAB_API_URL.to_owned());
    let token = ci_env::token_from_env(HostKind::Gitlab, &env)?;
    let store = GitlabArtifacts::new(&api_url, &project, token, RetryConfig::from_env(&env))?;
    Ok(Store::Remote(std::sync::Arc::new(store)))
}

/// The store `choice` names, for the repository at `root`; `None` when `auto` finds none.
pub fn open_store(choice: &HistoryStore, root: &Path) -> Result<Option<Store>, Error> {
    Ok(match choice {
        HistoryStore::Dir(dir) | HistoryStore::Auto(Some(dir)) => Some(Store::Folder(dir.clone())),
        HistoryStore::GitNotes => Some(Store::git_notes(root)?),
        HistoryStore::GithubArtifacts => Some(github_artifacts()?),
        HistoryStore::GitlabArtifacts => Some(gitlab_artifacts()?),
        HistoryStore::Auto(None) if env("GITLAB_CI").as_deref() == Some("true") => {
            Some(gitlab_artifacts()?)
        }
        HistoryStore::Auto(None) if env("GITHUB_ACTIONS").as_deref() == Some("true") => {
            Some(github_artifacts()?)
        }
        HistoryStore::Auto(None) => {
            let notes = Store::git_notes(root)?;
            let shared = matches!(
                &notes,
                Store::GitNotes {
                    remote: Some(_),
                    ..
                }
            );
            let local = git2::Repository::open(root)
                .is_ok_and(|r| r.refname_to_id(history::store::NOTES_REF).is_ok());
            (shared || local).then_some(notes)
        }
    })
}

/// The comparison with the baseline, and the baseline's project totals (for the delta).
pub struct Compared {
    pub view: HistoryView,
    pub base_project: Option<Totals>,
    /// The baseline record's commit and line states, when [`HeadRun::keep_record`] asked for
    /// them (flags carried forward) and a record was found.
    pub record: Option<(String, BaselineFiles)>,
}

/// A record's files: repo path → its coverable lines with their state.
pub type BaselineFiles = std::collections::BTreeMap<String, Vec<(u32, crate::model::LineState)>>;

fn without_baseline(merge_base: &str, description: String, warnings: Vec<String>) -> Compared {
    Compared {
        view: HistoryView {
            baseline: BaselineInfo {
                merge_base: merge_base.to_owned(),
                commit: None,
                distance: None,
                description,
            },
            coverage_changes: Vec::new(),
            indirect_changes: Vec::new(),
            tests: None,
            base_tests: None,
            flaky_known: (HashSet::new(), 0),
            warnings,
        },
        base_project: None,
        record: None,
    }
}

/// Default-branch runs the flaky verdict looks at: the baseline and 30 first-parent ancestors,
/// so that a flip followed by Codecov's 30 clearing passes can be seen.
const FLAKY_WINDOW: usize = 30;

/// Tests flaky on the default branch (Codecov's rule) over the records of the baseline and its
/// recent first-parent ancestors; records that are missing or unreadable are left out.
fn flaky_on_default_branch(
    store: &Store,
    repo: &Repo,
    baseline: &history::Baseline,
) -> Result<(HashSet<TestKey>, usize), Error> {
    let older = repo.first_parents(&baseline.commit, FLAKY_WINDOW)?;
    let mut runs: Vec<Vec<RecordedTest>> = Vec::new();
    for commit in older.iter().skip(1) {
        let Ok(Some(bytes)) = store.load(commit) else {
            continue;
        };
        if let Ok(Record {
            tests: Some(tests),
            meta,
            ..
        }) = history::decode(&bytes)
        {
            if meta.commit.eq_ignore_ascii_case(commit) {
                runs.push(tests);
            }
        }
    }
    runs.reverse();
    let mut refs: Vec<&[RecordedTest]> = runs.iter().map(Vec::as_slice).collect();
    if let Some(tests) = &baseline.record.tests {
        refs.push(tests);
    }
    Ok((flaky_across_runs(&refs), refs.len()))
}

/// The head run history compares with the baseline.
pub struct HeadRun<'a> {
    pub report: &'a CoverageReport,
    /// Per-file totals of `report`, counted with `rules`.
    pub files: &'a [(String, Totals)],
    pub rules: CountingRules,
    pub rewrites: &'a [Rewrite],
    /// `--ignore`/`--include`, applied to the baseline's files as to head's.
    pub filter: &'a crate::paths::PathFilter,
    /// The head is the working tree, not `change.head`: its hunks are not a commit's.
    pub worktree: bool,
    /// Keep the baseline record's line states (a flag is carried forward from them).
    pub keep_record: bool,
}

/// Looks up the baseline of `change.base` and compares the head's files with it. A store that
/// cannot be reached is a warning and "no baseline", not a failed run: history is a comparison,
/// not an input the PR's own numbers depend on.
pub fn compare(
    choice: &HistoryStore,
    repo: &Repo,
    change: &ChangeSet,
    head: &HeadRun<'_>,
) -> Result<Compared, Error> {
    let rules = head.rules;
    let Some(store) = open_store(choice, repo.root())? else {
        return Ok(without_baseline(
            &change.base,
            "no baseline: no history store found (pass --history-dir DIR or --history git-notes)"
                .into(),
            Vec::new(),
        ));
    };
    if let Err(e) = store.refresh() {
        return Ok(without_baseline(
            &change.base,
            format!("no baseline: {} could not be read", store.describe()),
            vec![e.to_string()],
        ));
    }
    let candidates = repo.first_parents(&change.base, MAX_ANCESTORS)?;
    let search = match find_baseline(&store, &candidates) {
        Ok(search) => search,
        Err(e) => {
            return Ok(without_baseline(
                &change.base,
                format!("no baseline: {} could not be read", store.describe()),
                vec![e.to_string()],
            ))
        }
    };
    let mut view = HistoryView {
        baseline: BaselineInfo::from(&search),
        coverage_changes: Vec::new(),
        indirect_changes: Vec::new(),
        tests: None,
        base_tests: None,
        flaky_known: (HashSet::new(), 0),
        warnings: search.warnings,
    };
    let Some(mut found) = search.found else {
        return Ok(Compared {
            view,
            base_project: None,
            record: None,
        });
    };
    // Head and baseline are compared over the same files: the run's --ignore/--include apply
    // to the record too (it may have been made with other patterns).
    found.record.files.retain(|path, _| head.filter.keeps(path));
    if found.record.meta.settings_hash != settings_of(head.rewrites, rules.partials_as_hits) {
        view.warnings.push(format!(
            "the baseline record of {} was made with other --path-map/--strip-prefix/--partials-as-hits settings; its numbers may not compare",
            crate::render::short_sha(&found.commit)
        ));
    }
    view.coverage_changes = coverage_changes(
        &found.record,
        head.files,
        Some(change),
        rules.partials_as_hits,
    );
    if head.worktree {
        view.warnings.push(
            "indirect changes are not computed with --worktree (the working tree's lines are not a commit's)"
                .into(),
        );
    } else {
        let hunks = repo.hunks(&change.base, &change.head)?;
        view.indirect_changes = indirect_changes(
            &found.record,
            head.report,
            change,
            &hunks,
            rules.partials_as_hits,
        );
    }
    let base_project = Some(found.record.totals(rules.partials_as_hits));
    if found.record.tests.is_some() {
        view.flaky_known = flaky_on_default_branch(&store, repo, &found)?;
    }
    view.base_tests = found.record.tests;
    let record = head.keep_record.then(|| {
        (
            found.commit.clone(),
            std::mem::take(&mut found.record.files),
        )
    });
    Ok(Compared {
        view,
        base_project,
        record,
    })
}
