//! Where records live: a folder (`--history-dir`), or git notes on `refs/notes/prcov`.
//!
//! A store maps a commit sha to the bytes of its record. Records are read as untrusted input
//! (`codec::decode`); stores only move bytes.
//!
//! Git notes: the objects and the local ref go through git2 (the ref is moved with
//! compare-and-swap); fetch and push go through the `git` program, because CI checkouts carry
//! their credentials in git's configuration (`http.extraheader` of actions/checkout), which
//! libgit2 does not read. A push is never forced: a rejected one (another job pushed first) is
//! fetched again, the note re-applied on top of the new tip, and pushed again.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{ErrorCode, Oid, Repository, Signature};

use super::codec::{RecordError, MAX_RECORD_BYTES};

/// The notes ref records are kept on.
pub const NOTES_REF: &str = "refs/notes/prcov";
/// How often a rejected notes push is fetched, re-applied and pushed again.
const PUSH_ATTEMPTS: usize = 8;

/// Errors of reading and writing history.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history record {source_name}: {error}")]
    Record {
        source_name: String,
        #[source]
        error: RecordError,
    },
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("git notes {NOTES_REF}: failed to {action}: {message}")]
    Notes {
        action: &'static str,
        message: String,
    },
    #[error("{0}")]
    Usage(String),
    /// A CI service holding records could not be asked (network, permissions).
    #[error("{store}: {message}")]
    Remote { store: String, message: String },
}

/// Records kept by a service (CI artifacts): found by commit, downloaded as bytes. Implemented
/// where the service's client lives (`host::artifacts`), so history needs no HTTP.
pub trait RemoteRecords: std::fmt::Debug {
    /// Where the records are, in words.
    fn describe(&self) -> String;
    /// The record bytes of `commit`, if the service has a usable one.
    fn load(&self, commit: &str) -> Result<Option<Vec<u8>>, HistoryError>;
    /// What was skipped while looking (expired or untrusted artifacts), one sentence each.
    fn notes(&self) -> Vec<String>;
}

/// A place records are kept.
#[derive(Debug, Clone)]
pub enum Store {
    /// `DIR/<sha>.prcov`.
    Folder(PathBuf),
    /// `refs/notes/prcov` of the repository at `repo`, shared through `remote` when given.
    GitNotes {
        repo: PathBuf,
        remote: Option<String>,
    },
    /// Read-only: written by the CI's own upload step (`actions/upload-artifact`).
    Remote(std::sync::Arc<dyn RemoteRecords + Send + Sync>),
}

/// What a write did, for the message to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where the record went (a file path, or the notes ref and remote).
    pub location: String,
    /// How many times a notes push was rejected and retried.
    pub retries: usize,
}

fn notes_err(action: &'static str) -> impl FnOnce(git2::Error) -> HistoryError {
    move |e| HistoryError::Notes {
        action,
        message: e.message().to_owned(),
    }
}

impl Store {
    /// The notes store of the repository at `repo`, shared through `origin` when it has one.
    pub fn git_notes(repo: &Path) -> Result<Store, HistoryError> {
        let r = Repository::discover(repo).map_err(notes_err("open the repository"))?;
        let remote = r.find_remote("origin").ok().map(|_| "origin".to_owned());
        Ok(Store::GitNotes {
            repo: r.workdir().unwrap_or_else(|| r.path()).to_path_buf(),
            remote,
        })
    }

    /// Where the store is, in words.
    pub fn describe(&self) -> String {
        match self {
            // Not the folder's path: this sentence reaches PR comments, and a runner's paths
            // are noise there (the log's own --history-dir says where it is).
            Store::Folder(_) => "the history folder".to_owned(),
            Store::GitNotes {
                remote: Some(r), ..
            } => format!("git notes {NOTES_REF} of {r}"),
            Store::GitNotes { remote: None, .. } => format!("git notes {NOTES_REF}"),
            Store::Remote(r) => r.describe(),
        }
    }

    /// Brings the store up to date before several reads (fetches the notes ref once).
    pub fn refresh(&self) -> Result<(), HistoryError> {
        match self {
            Store::Folder(_) | Store::Remote(_) => Ok(()),
            Store::GitNotes { repo, remote } => match remote {
                Some(remote) => fetch_notes(repo, remote).map(|_| ()),
                None => Ok(()),
            },
        }
    }

    /// The record bytes of `commit`, if the store has them.
    pub fn load(&self, commit: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        match self {
            Store::Folder(dir) => read_capped(&dir.join(format!("{commit}.prcov"))),
            Store::GitNotes { repo, .. } => {
                let r = Repository::open(repo).map_err(notes_err("open the repository"))?;
                read_note(&r, NOTES_REF, commit)
            }
            Store::Remote(r) => r.load(commit),
        }
    }

    /// Keeps `bytes` as the record of `commit`.
    pub fn save(&self, commit: &str, bytes: &[u8]) -> Result<Saved, HistoryError> {
        match self {
            Store::Folder(dir) => save_in_folder(dir, commit, bytes),
            Store::GitNotes { repo, remote } => save_note(repo, remote.as_deref(), commit, bytes),
            Store::Remote(r) => Err(HistoryError::Usage(format!(
                "{} is written by the CI workflow (actions/upload-artifact of `prcov record -o FILE`), not by prcov",
                r.describe()
            ))),
        }
    }
}

/// Reads a file of at most [`MAX_RECORD_BYTES`]; `None` when it does not exist.
pub fn read_capped(path: &Path) -> Result<Option<Vec<u8>>, HistoryError> {
    let io = |action, source| HistoryError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_RECORD_BYTES => Err(HistoryError::Record {
            source_name: path.display().to_string(),
            error: RecordError::TooLarge { size: m.len() },
        }),
        Ok(_) => std::fs::read(path)
            .map(Some)
            .map_err(|e| io("read the history record", e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io("read the history record", e)),
    }
}

fn save_in_folder(dir: &Path, commit: &str, bytes: &[u8]) -> Result<Saved, HistoryError> {
    let io = |action, path: &Path, source| HistoryError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create the history folder", dir, e))?;
    let path = dir.join(format!("{commit}.prcov"));
    // Write then rename, so a reader (or a cache upload) never sees half a record.
    let tmp = dir.join(format!(".{commit}.prcov.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| io("write the history record", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io("write the history record", &path, e))?;
    Ok(Saved {
        location: path.display().to_string(),
        retries: 0,
    })
}

/// The note of `commit` on `notes_ref`: the tree entry named by the sha, or git's fan-out form
/// `ab/cdef…` (which `git notes` switches to once a notes tree grows large).
fn read_note(
    r: &Repository,
    notes_ref: &str,
    commit: &str,
) -> Result<Option<Vec<u8>>, HistoryError> {
    let tip = match r.refname_to_id(notes_ref) {
        Ok(oid) => oid,
        Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(notes_err("read the notes ref")(e)),
    };
    let tree = r
        .find_commit(tip)
        .and_then(|c| c.tree())
        .map_err(notes_err("read the notes tree"))?;
    let fanout = (commit.len() > 2).then(|| format!("{}/{}", &commit[..2], &commit[2..]));
    for name in std::iter::once(commit.to_owned()).chain(fanout) {
        let Ok(entry) = tree.get_path(Path::new(&name)) else {
            continue;
        };
        let blob = r.find_blob(entry.id()).map_err(notes_err("read a note"))?;
        if blob.size() as u64 > MAX_RECORD_BYTES {
            return Err(HistoryError::Record {
                source_name: format!("note of {commit}"),
                error: RecordError::TooLarge {
                    size: blob.size() as u64,
                },
            });
        }
        return Ok(Some(blob.content().to_vec()));
    }
    Ok(None)
}

/// A notes commit on top of `parent` (or a first one) whose tree adds `bytes` for `commit`.
fn note_commit(
    r: &Repository,
    parent: Option<Oid>,
    commit: &str,
    bytes: &[u8],
) -> Result<Oid, HistoryError> {
    let blob = r.blob(bytes).map_err(notes_err("write the note"))?;
    let parent = parent
        .map(|p| r.find_commit(p))
        .transpose()
        .map_err(notes_err("read the notes commit"))?;
    let base_tree = parent
        .as_ref()
        .map(git2::Commit::tree)
        .transpose()
        .map_err(notes_err("read the notes tree"))?;
    let mut builder = r
        .treebuilder(base_tree.as_ref())
        .map_err(notes_err("build the notes tree"))?;
    builder
        .insert(commit, blob, 0o100_644)
        .map_err(notes_err("build the notes tree"))?;
    let tree_id = builder.write().map_err(notes_err("write the notes tree"))?;
    let tree = r
        .find_tree(tree_id)
        .map_err(notes_err("write the notes tree"))?;
    let sig = r
        .signature()
        .or_else(|_| Signature::now("prcov", "prcov@users.noreply.github.com"))
        .map_err(notes_err("sign the notes commit"))?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    r.commit(
        None,
        &sig,
        &sig,
        &format!("prcov: history record of {commit}"),
        &tree,
        &parents,
    )
    .map_err(notes_err("write the notes commit"))
}

/// Moves the local notes ref from `expected` to `new`, failing when someone moved it meanwhile.
fn swap_ref(r: &Repository, expected: Option<Oid>, new: Oid) -> Result<bool, HistoryError> {
    let msg = "prcov: history record";
    let result = match expected {
        Some(old) => r.reference_matching(NOTES_REF, new, true, old, msg),
        None => r.reference(NOTES_REF, new, false, msg),
    };
    match result {
        Ok(_) => Ok(true),
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(notes_err("update the notes ref")(e)),
    }
}

fn git(repo: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(repo);
    // Never ask for a password on a terminal: a CI job would hang.
    c.env("GIT_TERMINAL_PROMPT", "0");
    c
}

/// Fetches the remote's notes ref into the local one; `Ok(None)` when the remote has none yet.
fn fetch_notes(repo: &Path, remote: &str) -> Result<Option<Oid>, HistoryError> {
    let out = git(repo)
        .args(["fetch", "--quiet", "--no-tags", remote])
        // The remote is the truth for the notes ref; the local ref follows it (a fetch, not a push).
        .arg(format!("+{NOTES_REF}:{NOTES_REF}"))
        .output()
        .map_err(|e| HistoryError::Notes {
            action: "run git fetch",
            message: e.to_string(),
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("couldn't find remote ref") {
            return Ok(None);
        }
        return Err(HistoryError::Notes {
            action: "fetch the notes ref",
            message: stderr.trim().to_owned(),
        });
    }
    let r = Repository::open(repo).map_err(notes_err("open the repository"))?;
    match r.refname_to_id(NOTES_REF) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(notes_err("read the notes ref")(e)),
    }
}

/// Why a push failed: another writer got there first (fetch and retry), or something else.
enum PushFailure {
    Rejected,
    Other(String),
}

fn push_notes(repo: &Path, remote: &str, new: Oid) -> Result<(), PushFailure> {
    let out = git(repo)
        .args(["push", "--quiet", "--porcelain", remote])
        // No leading `+`: the remote accepts only a fast-forward, which is the compare-and-swap.
        .arg(format!("{new}:{NOTES_REF}"))
        .output()
        .map_err(|e| PushFailure::Other(e.to_string()))?;
    if out.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let rejected = [
        "[rejected]",
        "non-fast-forward",
        "fetch first",
        "cannot lock ref",
        "failed to update ref",
        "stale info",
    ];
    if rejected.iter().any(|r| text.contains(r)) {
        Err(PushFailure::Rejected)
    } else {
        Err(PushFailure::Other(text.trim().to_owned()))
    }
}

fn save_note(
    repo: &Path,
    remote: Option<&str>,
    commit: &str,
    bytes: &[u8],
) -> Result<Saved, HistoryError> {
    let r = Repository::open(repo).map_err(notes_err("open the repository"))?;
    let local_tip = || match r.refname_to_id(NOTES_REF) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(notes_err("read the notes ref")(e)),
    };
    let Some(remote) = remote else {
        // Local only: compare-and-swap on the ref, again on the new tip if another process won.
        for retries in 0..PUSH_ATTEMPTS {
            let tip = local_tip()?;
            let new = note_commit(&r, tip, commit, bytes)?;
            if swap_ref(&r, tip, new)? {
                return Ok(Saved {
                    location: NOTES_REF.to_owned(),
                    retries,
                });
            }
        }
        return Err(HistoryError::Notes {
            action: "update the notes ref",
            message: format!("it kept moving under {PUSH_ATTEMPTS} attempts"),
        });
    };
    for retries in 0..PUSH_ATTEMPTS {
        let tip = fetch_notes(repo, remote)?;
        let new = note_commit(&r, tip, commit, bytes)?;
        match push_notes(repo, remote, new) {
            Ok(()) => {
                // The local ref follows what the remote now has; losing this race only means
                // the next fetch brings it.
                let _ = swap_ref(&r, tip, new);
                return Ok(Saved {
                    location: format!("{NOTES_REF} on {remote}"),
                    retries,
                });
            }
            Err(PushFailure::Rejected) => {
                // Another job pushed first: back off a little (more with each attempt), then
                // fetch its tip and re-apply.
                std::thread::sleep(std::time::Duration::from_millis(50 * (retries as u64 + 1)));
            }
            Err(PushFailure::Other(message)) => {
                return Err(HistoryError::Notes {
                    action: "push the notes ref",
                    message,
                })
            }
        }
    }
    Err(HistoryError::Notes {
        action: "push the notes ref",
        message: format!("rejected {PUSH_ATTEMPTS} times (other jobs kept pushing first)"),
    })
}
