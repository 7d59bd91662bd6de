//! A saved unified diff (`git diff` output, or a plain `diff -u`) read into a [`ChangeSet`].
//!
//! Hunks are read by their header counts, never by guessing from line prefixes, so a content
//! line such as `--- x` or `diff --git` inside a hunk cannot start a new file. Lines outside
//! files and hunks (a `git format-patch` preamble, its signature) are skipped.

use std::path::Path;

use super::diff::normalize;
use super::{ChangeSet, ChangedFile, FileStatus, GitError};

const MODE_SYMLINK: u32 = 0o120_000;
const MODE_GITLINK: u32 = 0o160_000;

impl ChangeSet {
    /// Parses a saved `git diff` (or `diff -u`) into a change set whose `base` and `head` are
    /// [`ChangeSet::UNKNOWN`], the diff not naming its commits.
    pub fn from_unified_diff(text: &str) -> Result<ChangeSet, GitError> {
        parse_named(text, "input")
    }

    /// Reads and parses a saved diff file (`--diff-file`); errors name the file.
    pub fn read_diff_file(path: &Path) -> Result<ChangeSet, GitError> {
        let bytes = std::fs::read(path).map_err(|source| GitError::ReadDiff {
            path: path.to_path_buf(),
            source,
        })?;
        parse_named(
            &String::from_utf8_lossy(&bytes),
            &path.display().to_string(),
        )
    }
}

/// Parses the output of the `git` program's diff (see `program`); the error names the line.
pub(crate) fn parse_git_output(text: &str) -> Result<Vec<ChangedFile>, String> {
    parse(text).map_err(|(line, message)| format!("line {line}: {message}"))
}

fn parse_named(text: &str, source_name: &str) -> Result<ChangeSet, GitError> {
    let files = parse(text).map_err(|(line, message)| GitError::DiffParse {
        source_name: source_name.to_owned(),
        line,
        message,
    })?;
    Ok(ChangeSet {
        base: ChangeSet::UNKNOWN.to_owned(),
        head: ChangeSet::UNKNOWN.to_owned(),
        files,
    })
}

/// A parse failure: 1-based line and what was wrong.
type Failure = (usize, String);

/// One file's section of the diff, as read so far.
#[derive(Default)]
struct Block {
    /// Line of the header that opened it.
    line: usize,
    /// `diff --git` header (else a plain `---`/`+++` pair).
    git: bool,
    /// Whether `---`/`+++` paths carry a one-letter `a/`, `b/` prefix to remove.
    strip_prefix: bool,
    header_old: Option<String>,
    header_new: Option<String>,
    /// `Some(None)` is `/dev/null`.
    minus: Option<Option<String>>,
    plus: Option<Option<String>>,
    rename_from: Option<String>,
    rename_to: Option<String>,
    copy_from: Option<String>,
    copy_to: Option<String>,
    new_file: bool,
    deleted_file: bool,
    old_mode: Option<u32>,
    new_mode: Option<u32>,
    index_mode: Option<u32>,
    binary: bool,
    hunks: usize,
    added: Vec<u32>,
}

fn parse(text: &str) -> Result<Vec<ChangedFile>, Failure> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    let mut files = Vec::new();
    let mut current: Option<Block> = None;
    let mut i = 0;
    // The line right after a hunk, where a stray content line means the counts were wrong.
    let mut after_hunk: Option<usize> = None;
    while i < lines.len() {
        let raw = lines[i];
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let lno = i + 1;
        let hunk_end = after_hunk.take();

        if let Some(rest) = line.strip_prefix("diff --git ") {
            finish(current.take(), &mut files)?;
            current = Some(Block::from_git_header(rest, lno));
            i += 1;
            continue;
        }
        if line.starts_with("diff --cc ") || line.starts_with("diff --combined ") {
            return Err((
                lno,
                "a combined diff of a merge commit is not supported; diff the merge-base and head instead"
                    .to_owned(),
            ));
        }
        if let (Some(minus), Some(plus)) = (
            line.strip_prefix("--- "),
            lines.get(i + 1).and_then(|l| l.strip_prefix("+++ ")),
        ) {
            let plus = plus.strip_suffix('\r').unwrap_or(plus);
            let reuse = current
                .as_ref()
                .is_some_and(|b| b.git && b.minus.is_none() && b.hunks == 0);
            if !reuse {
                finish(current.take(), &mut files)?;
                current = Some(Block {
                    line: lno,
                    ..Block::default()
                });
            }
            if let Some(block) = current.as_mut() {
                block.set_markers(minus, plus, lno)?;
            }
            i += 2;
            continue;
        }
        if line.starts_with("@@") {
            let Some(block) = current.as_mut() else {
                return Err((lno, "a hunk (`@@`) before any file header".to_owned()));
            };
            i = read_hunk(&lines, i, block)?;
            after_hunk = Some(lno);
            continue;
        }
        if let Some(hunk_line) = hunk_end {
            let stray = (line.starts_with('+') || line.starts_with('-') || line.starts_with(' '))
                // `git format-patch` ends with a "-- " signature line.
                && line != "-- ";
            if stray {
                return Err((
                    lno,
                    format!(
                        "a diff line after the hunk of line {hunk_line} ended; its `@@` header counts fewer lines than follow"
                    ),
                ));
            }
        }
        if let Some(block) = current.as_mut().filter(|b| b.git && b.hunks == 0) {
            block.header_line(line, lno)?;
        }
        i += 1;
    }
    finish(current, &mut files)?;
    if files.is_empty() && !text.trim().is_empty() && !has_header(&lines) {
        return Err((
            1,
            "no file header found (expected `diff --git` or a `---`/`+++` pair, as `git diff` prints)"
                .to_owned(),
        ));
    }
    Ok(normalize(files))
}

/// Whether any file header exists (a diff whose only file is a dropped submodule is valid).
fn has_header(lines: &[&str]) -> bool {
    lines
        .iter()
        .any(|l| l.starts_with("diff --git ") || l.starts_with("+++ "))
}

/// Reads the hunk whose header is at `start`; returns the index of the line after it.
fn read_hunk(lines: &[&str], start: usize, block: &mut Block) -> Result<usize, Failure> {
    let lno = start + 1;
    let header = lines[start].strip_suffix('\r').unwrap_or(lines[start]);
    let (old_count, new_start, new_count) = parse_hunk_header(header).ok_or_else(|| {
        (
            lno,
            format!(
                "expected a hunk header `@@ -a,b +c,d @@`, found `{}`",
                clip(header)
            ),
        )
    })?;
    block.hunks += 1;
    let (mut old_left, mut new_left, mut new_line) = (old_count, new_count, new_start);
    let mut i = start + 1;
    while old_left > 0 || new_left > 0 {
        let Some(&content) = lines.get(i) else {
            return Err((
                i + 1,
                format!(
                    "the diff ends inside the hunk of line {lno}: {old_left} old and {new_left} new lines missing"
                ),
            ));
        };
        // Some editors strip the single space of an empty context line; git apply accepts it too.
        let origin = content.as_bytes().first().copied().unwrap_or(b' ');
        match origin {
            b' ' | b'\r' if old_left > 0 && new_left > 0 => {
                old_left -= 1;
                new_left -= 1;
                new_line += 1;
            }
            b'-' if old_left > 0 => old_left -= 1,
            b'+' if new_left > 0 => {
                block.added.push(new_line);
                new_line += 1;
                new_left -= 1;
            }
            b'\\' => {}
            b' ' | b'\r' | b'-' | b'+' => {
                return Err((
                    i + 1,
                    format!(
                        "more lines than the hunk header of line {lno} counts ({old_count} old, {new_count} new)"
                    ),
                ))
            }
            _ => {
                return Err((
                    i + 1,
                    format!(
                        "expected a hunk line starting with ' ', '+', '-' or '\\' (the hunk of line {lno} has {old_left} old and {new_left} new lines left), found `{}`",
                        clip(content)
                    ),
                ))
            }
        }
        i += 1;
    }
    Ok(i)
}

/// `@@ -a[,b] +c[,d] @@…` → (b, c, d); an omitted count is 1.
fn parse_hunk_header(line: &str) -> Option<(u32, u32, u32)> {
    let rest = line.strip_prefix("@@ -")?;
    let (old, rest) = rest.split_once(" +")?;
    let (new, _) = rest.split_once(" @@")?;
    let range = |r: &str| -> Option<(u32, u32)> {
        match r.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (_, old_count) = range(old)?;
    let (new_start, new_count) = range(new)?;
    Some((old_count, new_start, new_count))
}

impl Block {
    fn from_git_header(rest: &str, line: usize) -> Block {
        let (header_old, header_new, strip_prefix) = match split_git_header(rest) {
            Some((a, b)) => {
                // `--no-prefix` diffs print the same path twice; prefixed ones differ in the
                // one-letter first component (a/, b/, or the mnemonic i/, w/, c/, o/).
                let prefixed = a != b && has_letter_prefix(&a) && has_letter_prefix(&b);
                let strip = |p: String| {
                    if prefixed {
                        strip_component(&p).to_owned()
                    } else {
                        p
                    }
                };
                (Some(strip(a)), Some(strip(b)), prefixed)
            }
            None => (
                None,
                None,
                rest.starts_with("a/") || rest.starts_with("\"a/"),
            ),
        };
        Block {
            line,
            git: true,
            strip_prefix,
            header_old,
            header_new,
            ..Block::default()
        }
    }

    fn set_markers(&mut self, minus: &str, plus: &str, lno: usize) -> Result<(), Failure> {
        let minus = marker_path(minus).map_err(|m| (lno, m))?;
        let plus = marker_path(plus).map_err(|m| (lno + 1, m))?;
        if !self.git {
            // A plain `diff -ru old/ new/`: drop the differing top folder, like `patch -p1`.
            self.strip_prefix = match (&minus, &plus) {
                (Some(a), Some(b)) => {
                    a.contains('/') && b.contains('/') && first_component(a) != first_component(b)
                }
                _ => [&minus, &plus]
                    .into_iter()
                    .flatten()
                    .all(|p| has_letter_prefix(p)),
            };
        }
        let strip = |p: Option<String>| {
            p.map(|p| {
                if self.strip_prefix {
                    strip_component(&p).to_owned()
                } else {
                    p
                }
            })
        };
        self.minus = Some(strip(minus));
        self.plus = Some(strip(plus));
        Ok(())
    }

    /// An extended header line of a `diff --git` section; unknown lines are ignored.
    fn header_line(&mut self, line: &str, lno: usize) -> Result<(), Failure> {
        let path = |s: &str| decode_path(s).map_err(|m| (lno, m));
        let mode = |s: &str| {
            u32::from_str_radix(s.trim(), 8).map_err(|_| {
                (
                    lno,
                    format!("expected an octal file mode, found `{}`", clip(s)),
                )
            })
        };
        if let Some(m) = line.strip_prefix("new file mode ") {
            self.new_file = true;
            self.new_mode = Some(mode(m)?);
        } else if let Some(m) = line.strip_prefix("deleted file mode ") {
            self.deleted_file = true;
            self.old_mode = Some(mode(m)?);
        } else if let Some(m) = line.strip_prefix("old mode ") {
            self.old_mode = Some(mode(m)?);
        } else if let Some(m) = line.strip_prefix("new mode ") {
            self.new_mode = Some(mode(m)?);
        } else if let Some(p) = line
            .strip_prefix("rename from ")
            .or_else(|| line.strip_prefix("rename old "))
        {
            self.rename_from = Some(path(p)?);
        } else if let Some(p) = line
            .strip_prefix("rename to ")
            .or_else(|| line.strip_prefix("rename new "))
        {
            self.rename_to = Some(path(p)?);
        } else if let Some(p) = line.strip_prefix("copy from ") {
            self.copy_from = Some(path(p)?);
        } else if let Some(p) = line.strip_prefix("copy to ") {
            self.copy_to = Some(path(p)?);
        } else if let Some(rest) = line.strip_prefix("index ") {
            // `index abc..def 100644`: the mode when it did not change.
            if let Some(m) = rest.split(' ').nth(1) {
                self.index_mode = Some(mode(m)?);
            }
        } else if line.starts_with("Binary files ") || line == "GIT binary patch" {
            self.binary = true;
        }
        Ok(())
    }

    fn into_changed_file(self) -> Result<Option<ChangedFile>, Failure> {
        let new_mode = self.new_mode.or(self.index_mode);
        let old_mode = self.old_mode.or(self.index_mode);
        if new_mode == Some(MODE_GITLINK) || old_mode == Some(MODE_GITLINK) {
            return Ok(None);
        }
        let old = self
            .rename_from
            .clone()
            .or_else(|| self.copy_from.clone())
            .or_else(|| self.minus.clone().flatten())
            .or_else(|| self.header_old.clone());
        let new = self
            .rename_to
            .clone()
            .or_else(|| self.copy_to.clone())
            .or_else(|| self.plus.clone().flatten())
            .or_else(|| self.header_new.clone());
        let status = if self.copy_from.is_some() || self.copy_to.is_some() {
            FileStatus::Copied
        } else if self.rename_from.is_some() || self.rename_to.is_some() {
            FileStatus::Renamed
        } else if self.deleted_file || self.plus == Some(None) {
            FileStatus::Deleted
        } else if self.new_file || self.minus == Some(None) {
            FileStatus::Added
        } else if self.git && old.is_some() && old != new {
            // libgit2 prints a copy with edits without its `copy from/to` lines (git always
            // prints them; renames always get theirs), leaving only the differing names.
            FileStatus::Copied
        } else {
            FileStatus::Modified
        };
        let path = if status == FileStatus::Deleted {
            old.clone()
        } else {
            new
        };
        let Some(path) = path else {
            return Err((
                self.line,
                "cannot tell the file name: the `diff --git` header is ambiguous and no `---`/`+++` or rename lines follow"
                    .to_owned(),
            ));
        };
        let old_path = match status {
            FileStatus::Renamed | FileStatus::Copied => old,
            _ => None,
        };
        let symlink = new_mode == Some(MODE_SYMLINK);
        Ok(Some(ChangedFile {
            path,
            old_path,
            status,
            binary: self.binary,
            added_lines: if symlink { Vec::new() } else { self.added },
        }))
    }
}

fn finish(block: Option<Block>, files: &mut Vec<ChangedFile>) -> Result<(), Failure> {
    if let Some(file) = block.map(Block::into_changed_file).transpose()?.flatten() {
        files.push(file);
    }
    Ok(())
}

/// The path of a `---`/`+++` line (prefix kept): `None` for `/dev/null`. Unquoted names end at
/// a tab (git adds one after names with spaces; `diff -u` puts the timestamp there).
fn marker_path(s: &str) -> Result<Option<String>, String> {
    let path = decode_path(s)?;
    Ok((path != "/dev/null").then_some(path))
}

fn decode_path(s: &str) -> Result<String, String> {
    if s.starts_with('"') {
        let (bytes, _) =
            take_quoted(s).ok_or_else(|| format!("unterminated quoted path `{}`", clip(s)))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    } else {
        Ok(s.split('\t').next().unwrap_or(s).to_owned())
    }
}

/// A C-style quoted name at the start of `s` (git's `core.quotePath` escaping): its bytes and
/// the text after the closing quote.
fn take_quoted(s: &str) -> Option<(Vec<u8>, &str)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((out, &s[i + 1..])),
            b'\\' => {
                let c = *bytes.get(i + 1)?;
                i += 2;
                let byte = match c {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'0'..=b'3' => {
                        let digits = bytes.get(i..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        (c - b'0') * 64 + (digits[0] - b'0') * 8 + (digits[1] - b'0')
                    }
                    other => other, // `\"` and `\\`
                };
                out.push(byte);
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    None
}

/// The two paths of `diff --git A B`, prefixes kept. Unquoted names may contain spaces; then
/// the split is where both halves name the same file (git does the same), which fails only for
/// a rename with spaces — whose `rename from/to` lines give the names anyway.
fn split_git_header(rest: &str) -> Option<(String, String)> {
    if rest.starts_with('"') {
        let (a, after) = take_quoted(rest)?;
        let after = after.strip_prefix(' ')?;
        let b = decode_path(after).ok()?;
        return Some((String::from_utf8_lossy(&a).into_owned(), b));
    }
    if let Some(pos) = rest.find(" \"") {
        let (b, _) = take_quoted(&rest[pos + 1..])?;
        return Some((
            rest[..pos].to_owned(),
            String::from_utf8_lossy(&b).into_owned(),
        ));
    }
    let spaces: Vec<usize> = rest.match_indices(' ').map(|(i, _)| i).collect();
    if let [only] = spaces[..] {
        return Some((rest[..only].to_owned(), rest[only + 1..].to_owned()));
    }
    spaces.iter().find_map(|&i| {
        let (a, b) = (&rest[..i], &rest[i + 1..]);
        (a == b || strip_component(a) == strip_component(b)).then(|| (a.to_owned(), b.to_owned()))
    })
}

fn first_component(p: &str) -> &str {
    p.split('/').next().unwrap_or(p)
}

fn strip_component(p: &str) -> &str {
    p.split_once('/').map_or(p, |(_, rest)| rest)
}

/// `a/…`, `b/…` and git's mnemonic prefixes (`i/`, `w/`, `c/`, `o/`, `1/`, `2/`).
fn has_letter_prefix(p: &str) -> bool {
    let first = first_component(p);
    first.len() == 1 && p.len() > 2 && first.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// At most 80 characters of an offending line, for error messages.
fn clip(s: &str) -> String {
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(80).collect();
        format!("{cut}…")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests;
