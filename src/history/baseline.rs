//! Finding the baseline of a pull request: the record of its merge-base, else of the nearest of
//! its first-parent ancestors (at most [`MAX_ANCESTORS`]), else none.

use super::codec::decode;
use super::record::Record;
use super::store::{HistoryError, Store};

/// How many first-parent ancestors of the merge-base are tried after it.
pub const MAX_ANCESTORS: usize = 10;

/// The record a PR is compared with.
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The commit the record is of.
    pub commit: String,
    /// First-parent steps from the merge-base to `commit` (0 = the merge-base itself).
    pub distance: usize,
    pub record: Record,
}

/// The outcome of the search, with what was skipped on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineSearch {
    pub merge_base: String,
    /// Where the records came from, in words.
    pub store: String,
    pub found: Option<Baseline>,
    /// How many commits were looked at (the merge-base and its ancestors).
    pub looked_at: usize,
    /// Records that were present but unusable, one sentence each.
    pub warnings: Vec<String>,
}

impl BaselineSearch {
    /// The sentence that says where the baseline came from, or why there is none.
    pub fn describe(&self) -> String {
        let short = |s: &str| s.chars().take(7).collect::<String>();
        match &self.found {
            Some(b) if b.distance == 0 => {
                format!("baseline: the record of merge-base `{}`", short(&b.commit))
            }
            Some(b) => format!(
                "baseline: the record of `{}`, {} first-parent commit{} before merge-base `{}` (which has no record)",
                short(&b.commit),
                b.distance,
                if b.distance == 1 { "" } else { "s" },
                short(&self.merge_base)
            ),
            None => format!(
                "no baseline: none of the {} commits from merge-base `{}` back has a record in {}",
                self.looked_at,
                short(&self.merge_base),
                self.store
            ),
        }
    }
}

/// Tries `candidates` in order (the merge-base first, then its first-parent ancestors) and
/// returns the first usable record. A record that does not decode, or is of another commit than
/// the one it is stored under, is skipped with a warning: history is a convenience, and a bad
/// record must not fail a PR.
pub fn find_baseline(store: &Store, candidates: &[String]) -> Result<BaselineSearch, HistoryError> {
    let merge_base = candidates.first().cloned().unwrap_or_default();
    let mut search = BaselineSearch {
        merge_base,
        store: store.describe(),
        found: None,
        looked_at: 0,
        warnings: Vec::new(),
    };
    for (distance, commit) in candidates.iter().take(MAX_ANCESTORS + 1).enumerate() {
        search.looked_at = distance + 1;
        let Some(bytes) = store.load(commit)? else {
            continue;
        };
        match decode(&bytes) {
            Ok(record) if record.meta.commit.eq_ignore_ascii_case(commit) => {
                search.found = Some(Baseline {
                    commit: commit.clone(),
                    distance,
                    record,
                });
                break;
            }
            Ok(record) => search.warnings.push(format!(
                "history record stored for {commit} is of commit {}; skipped",
                record.meta.commit
            )),
            Err(e) => search
                .warnings
                .push(format!("history record of {commit} skipped: {e}")),
        }
    }
    if let Store::Remote(r) = store {
        search.warnings.extend(r.notes());
    }
    Ok(search)
}
