//! TEMPORARY stand-in until the git stage lands (helper-c).
#![allow(clippy::all, unused)]
use super::{ChangeSet, GitError};
use std::path::{Path, PathBuf};
pub struct Repo {
    root: PathBuf,
}
impl Repo {
    pub fn discover(dir: &Path) -> Result<Repo, GitError> {
        Err(GitError::NotARepo { path: dir.into() })
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        Err(GitError::Other("stub".into()))
    }
    pub fn default_base(&self) -> Result<String, GitError> {
        Err(GitError::Other("stub".into()))
    }
    pub fn change_set(
        &self,
        base: &str,
        head: &str,
        worktree: bool,
    ) -> Result<ChangeSet, GitError> {
        Err(GitError::Other("stub".into()))
    }
    pub fn tracked_files(&self, sha: &str) -> Result<Vec<String>, GitError> {
        Err(GitError::Other("stub".into()))
    }
}
