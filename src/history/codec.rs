//! The record's binary layout (docs/history.md): a header, then length-prefixed sections, each
//! deflated on its own. Unknown sections are skipped, so a newer writer's additions do not break
//! an older reader; a reader of version N reads versions N−1 and N.
//!
//! ```text
//! header   "PRCOVHST" (8 bytes) · version u16 LE · reserved u16 (0)
//! section  id u16 LE · flags u16 LE (bit 0: deflated) · length u32 LE · body (length bytes)
//! end      a section of id 0 and length 0, last: a record cut at a section boundary is refused
//! ```
//! Every integer inside a body is an unsigned LEB128 varint; a string is a varint length and
//! UTF-8 bytes. Records come from artifacts, notes and folders other jobs wrote: every length is
//! checked against what is left, sizes are capped, and a bad record is an error naming the byte
//! offset, never a panic.

use std::collections::BTreeMap;

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

use crate::model::test_results::TestOutcome;
use crate::model::LineState;

use super::record::{Record, RecordMeta, RecordedTest};

pub const MAGIC: &[u8; 8] = b"PRCOVHST";
/// The version this prcov writes.
pub const VERSION: u16 = 1;
/// The oldest version this prcov reads (N − 1 once there is a version 2).
pub const OLDEST_READABLE: u16 = 1;
/// A record file larger than this is refused before it is read.
pub const MAX_RECORD_BYTES: u64 = 64 << 20;
/// A section may inflate to at most this much (a deflate bomb stops here).
pub const MAX_SECTION_BYTES: usize = 512 << 20;
/// Longest string (path, test name) a record may hold.
const MAX_STRING_BYTES: u64 = 64 << 10;

const SECTION_END: u16 = 0;
const SECTION_META: u16 = 1;
const SECTION_FILES: u16 = 2;
const SECTION_TESTS: u16 = 3;
const FLAG_DEFLATED: u16 = 1;
/// Level 9: a record is written once per default-branch commit and read often; the extra
/// compression time is milliseconds (bench/README.md).
const LEVEL: u8 = 9;

/// Why a record could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("not a prcov history record (no PRCOVHST header)")]
    NotARecord,
    #[error(
        "history record version {found} is not supported: this prcov reads versions {OLDEST_READABLE} to {VERSION} (upgrade prcov to read it)"
    )]
    Version { found: u16 },
    #[error("history record is {size} bytes; at most {MAX_RECORD_BYTES} are read")]
    TooLarge { size: u64 },
    #[error("malformed history record at byte {offset}{}: {message}", section_name(*.section))]
    Malformed {
        section: Option<u16>,
        offset: usize,
        message: String,
    },
    #[error("history record has no {0} section")]
    Missing(&'static str),
}

fn section_name(id: Option<u16>) -> String {
    match id {
        Some(SECTION_META) => " (meta section)".into(),
        Some(SECTION_FILES) => " (files section)".into(),
        Some(SECTION_TESTS) => " (tests section)".into(),
        Some(other) => format!(" (section {other})"),
        None => String::new(),
    }
}

// ---- writing ---------------------------------------------------------------------------------

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// `0` = absent, `n + 1` = present with value `n`.
fn put_opt(out: &mut Vec<u8>, v: Option<u64>) {
    put_varint(out, v.map_or(0, |v| v + 1));
}

fn put_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
    }
}

fn state_code(s: LineState) -> u64 {
    match s {
        LineState::Hit => 0,
        LineState::Miss => 1,
        LineState::Partial => 2,
    }
}

fn outcome_code(o: TestOutcome) -> u64 {
    match o {
        TestOutcome::Passed => 0,
        TestOutcome::Failed => 1,
        TestOutcome::Errored => 2,
        TestOutcome::Skipped => 3,
    }
}

fn meta_body(m: &RecordMeta) -> Vec<u8> {
    let mut out = Vec::new();
    put_str(&mut out, &m.commit);
    put_opt_str(&mut out, m.branch.as_deref());
    put_opt_str(&mut out, m.ci_run_id.as_deref());
    put_str(&mut out, &m.prcov_version);
    out.extend_from_slice(&m.settings_hash.to_le_bytes());
    put_varint(&mut out, m.created_unix);
    out
}

/// Per file: path, line count, then one varint per line: `(line − previous line) << 2 | state`.
/// Consecutive coverable lines in one state become runs of equal bytes, which deflate folds.
fn files_body(files: &BTreeMap<String, Vec<(u32, LineState)>>) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, files.len() as u64);
    for (path, lines) in files {
        put_str(&mut out, path);
        put_varint(&mut out, lines.len() as u64);
        let mut previous = 0u32;
        for (line, state) in lines {
            put_varint(
                &mut out,
                (u64::from(line.saturating_sub(previous)) << 2) | state_code(*state),
            );
            previous = *line;
        }
    }
    out
}

/// Name parts seen so far, so a repeated suite or class name is written once.
#[derive(Default)]
struct Dictionary<'a> {
    index: std::collections::HashMap<&'a str, u64>,
}

impl<'a> Dictionary<'a> {
    /// Writes `s` as 0 (none), 1 and the string (first time seen), or its index + 2.
    fn put(&mut self, out: &mut Vec<u8>, s: Option<&'a str>) {
        let Some(s) = s else {
            out.push(0);
            return;
        };
        if let Some(i) = self.index.get(s) {
            put_varint(out, i + 2);
            return;
        }
        let next = self.index.len() as u64;
        self.index.insert(s, next);
        out.push(1);
        put_str(out, s);
    }
}

/// Test count, then per test: suite, classname and name (each through the dictionary: a name
/// seen before is its index, so the bytes stay proportional to the distinct names), then
/// `outcome | flaky << 2` and the duration. A new name is written where it first occurs rather
/// than in a table up front: its reference is then a constant, which deflate folds.
fn tests_body(tests: &[RecordedTest]) -> Vec<u8> {
    let mut dict = Dictionary::default();
    let mut out = Vec::new();
    put_varint(&mut out, tests.len() as u64);
    for t in tests {
        dict.put(&mut out, t.suite.as_deref());
        dict.put(&mut out, t.classname.as_deref());
        dict.put(&mut out, t.name.as_deref());
        put_varint(
            &mut out,
            outcome_code(t.outcome) | (u64::from(t.flaky) << 2),
        );
        put_opt(&mut out, t.millis);
    }
    out
}

fn put_section(out: &mut Vec<u8>, id: u16, body: &[u8]) {
    let packed = compress_to_vec(body, LEVEL);
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(&FLAG_DEFLATED.to_le_bytes());
    // Section bodies are far below 4 GiB: the reader caps a record at 64 MiB.
    out.extend_from_slice(
        &u32::try_from(packed.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    out.extend_from_slice(&packed);
}

/// The record in the binary layout.
pub fn encode(record: &Record) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    put_section(&mut out, SECTION_META, &meta_body(&record.meta));
    put_section(&mut out, SECTION_FILES, &files_body(&record.files));
    if let Some(tests) = &record.tests {
        put_section(&mut out, SECTION_TESTS, &tests_body(tests));
    }
    out.extend_from_slice(&SECTION_END.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

// ---- reading ---------------------------------------------------------------------------------

/// A cursor over one section body that reports errors with the offset in the body.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    section: u16,
}

impl<'a> Reader<'a> {
    fn err(&self, message: impl Into<String>) -> RecordError {
        RecordError::Malformed {
            section: Some(self.section),
            offset: self.pos,
            message: message.into(),
        }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn varint(&mut self) -> Result<u64, RecordError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.err("cut short inside a number"));
            };
            self.pos += 1;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(self.err("number larger than 64 bits"));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(self.err("number larger than 64 bits"))
    }

    /// A count of items that take at least `min_bytes` each: bounded by what is left.
    fn count(&mut self, what: &str, min_bytes: usize) -> Result<usize, RecordError> {
        let n = self.varint()?;
        if n > (self.remaining() / min_bytes.max(1)) as u64 {
            return Err(self.err(format!(
                "{what} count {n} exceeds what the remaining {} bytes can hold",
                self.remaining()
            )));
        }
        Ok(n as usize)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], RecordError> {
        if n > self.remaining() {
            return Err(self.err(format!(
                "length {n} runs past the end ({} bytes left)",
                self.remaining()
            )));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    fn string(&mut self) -> Result<String, RecordError> {
        let start = self.pos;
        let n = self.varint()?;
        if n > MAX_STRING_BYTES {
            return Err(self.err(format!("string of {n} bytes (at most {MAX_STRING_BYTES})")));
        }
        let raw = self.bytes(n as usize)?;
        std::str::from_utf8(raw).map(str::to_owned).map_err(|_| {
            let mut e = self.err("string is not UTF-8");
            if let RecordError::Malformed { offset, .. } = &mut e {
                *offset = start;
            }
            e
        })
    }

    fn opt_string(&mut self) -> Result<Option<String>, RecordError> {
        match self.bytes(1)?[0] {
            0 => Ok(None),
            1 => self.string().map(Some),
            other => Err(self.err(format!("optional-string marker {other} (expected 0 or 1)"))),
        }
    }

    fn u64_le(&mut self) -> Result<u64, RecordError> {
        let raw = self.bytes(8)?;
        let mut b = [0u8; 8];
        b.copy_from_slice(raw);
        Ok(u64::from_le_bytes(b))
    }

    fn finish(&self) -> Result<(), RecordError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            Err(self.err(format!("{} unexpected bytes at the end", self.remaining())))
        }
    }
}

fn read_meta(r: &mut Reader<'_>) -> Result<RecordMeta, RecordError> {
    let meta = RecordMeta {
        commit: r.string()?,
        branch: r.opt_string()?,
        ci_run_id: r.opt_string()?,
        prcov_version: r.string()?,
        settings_hash: r.u64_le()?,
        created_unix: r.varint()?,
    };
    // A commit is a name a store looks records up by: a hex sha, nothing else.
    if meta.commit.is_empty()
        || meta.commit.len() > 64
        || !meta.commit.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Err(r.err(format!(
            "commit `{}` is not a hex sha",
            meta.commit.escape_debug()
        )));
    }
    r.finish()?;
    Ok(meta)
}

fn read_files(r: &mut Reader<'_>) -> Result<BTreeMap<String, Vec<(u32, LineState)>>, RecordError> {
    let n = r.count("file", 2)?;
    let mut files = BTreeMap::new();
    for _ in 0..n {
        let path = r.string()?;
        let count = r.count("line", 1)?;
        let mut lines = Vec::with_capacity(count);
        let mut line: u64 = 0;
        for _ in 0..count {
            let v = r.varint()?;
            let state = match v & 3 {
                0 => LineState::Hit,
                1 => LineState::Miss,
                2 => LineState::Partial,
                _ => return Err(r.err("line state 3 (expected 0 hit, 1 miss, 2 partial)")),
            };
            let gap = v >> 2;
            if gap == 0 {
                return Err(r.err(format!(
                    "{path}: line numbers must ascend (a gap of 0 after line {line})"
                )));
            }
            line += gap;
            let Ok(number) = u32::try_from(line) else {
                return Err(r.err(format!("{path}: line number {line} out of range")));
            };
            lines.push((number, state));
        }
        if files.insert(path.clone(), lines).is_some() {
            return Err(r.err(format!("file {path} listed twice")));
        }
    }
    r.finish()?;
    Ok(files)
}

fn read_tests(r: &mut Reader<'_>) -> Result<Vec<RecordedTest>, RecordError> {
    let n = r.count("test", 5)?;
    let mut words: Vec<String> = Vec::new();
    let mut tests = Vec::with_capacity(n);
    for _ in 0..n {
        let mut part = || -> Result<Option<String>, RecordError> {
            match r.varint()? {
                0 => Ok(None),
                1 => {
                    let s = r.string()?;
                    words.push(s.clone());
                    Ok(Some(s))
                }
                i => words
                    .get((i - 2) as usize)
                    .cloned()
                    .map(Some)
                    .ok_or_else(|| {
                        r.err(format!(
                            "name reference {} to a dictionary of {} names",
                            i - 2,
                            words.len()
                        ))
                    }),
            }
        };
        let suite = part()?;
        let classname = part()?;
        let name = part()?;
        let code = r.varint()?;
        if code >> 3 != 0 {
            return Err(r.err(format!("test outcome code {code} (expected 0 to 7)")));
        }
        let outcome = match code & 3 {
            0 => TestOutcome::Passed,
            1 => TestOutcome::Failed,
            2 => TestOutcome::Errored,
            _ => TestOutcome::Skipped,
        };
        let millis = match r.varint()? {
            0 => None,
            v => Some(v - 1),
        };
        tests.push(RecordedTest {
            suite,
            classname,
            name,
            outcome,
            flaky: code & 4 != 0,
            millis,
        });
    }
    r.finish()?;
    Ok(tests)
}

/// Reads a record, checking every length; the first problem is the error.
pub fn decode(bytes: &[u8]) -> Result<Record, RecordError> {
    decode_capped(bytes, MAX_SECTION_BYTES)
}

fn decode_capped(bytes: &[u8], section_cap: usize) -> Result<Record, RecordError> {
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(RecordError::TooLarge {
            size: bytes.len() as u64,
        });
    }
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err(RecordError::NotARecord);
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if !(OLDEST_READABLE..=VERSION).contains(&version) {
        return Err(RecordError::Version { found: version });
    }
    let mut pos = 12;
    let mut meta = None;
    let mut files = None;
    let mut tests = None;
    let mut ended = false;
    while pos < bytes.len() {
        let at = pos;
        let malformed = |message: String| RecordError::Malformed {
            section: None,
            offset: at,
            message,
        };
        if bytes.len() - pos < 8 {
            return Err(malformed("section header cut short".into()));
        }
        let id = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]);
        let flags = u16::from_le_bytes([bytes[pos + 2], bytes[pos + 3]]);
        let len = u32::from_le_bytes([
            bytes[pos + 4],
            bytes[pos + 5],
            bytes[pos + 6],
            bytes[pos + 7],
        ]) as usize;
        pos += 8;
        if len > bytes.len() - pos {
            return Err(malformed(format!(
                "section {id} claims {len} bytes but {} are left",
                bytes.len() - pos
            )));
        }
        let raw = &bytes[pos..pos + len];
        pos += len;
        if id == SECTION_END {
            if pos != bytes.len() {
                return Err(malformed(format!(
                    "{} bytes after the end section",
                    bytes.len() - pos
                )));
            }
            ended = true;
            break;
        }
        if !matches!(id, SECTION_META | SECTION_FILES | SECTION_TESTS) {
            // A section a newer prcov added: skipped, by design.
            continue;
        }
        let body = if flags & FLAG_DEFLATED != 0 {
            decompress_to_vec_with_limit(raw, section_cap).map_err(|e| {
                malformed(format!(
                    "section {id} does not inflate (or inflates beyond {section_cap} bytes): {e}"
                ))
            })?
        } else {
            raw.to_vec()
        };
        let mut r = Reader {
            bytes: &body,
            pos: 0,
            section: id,
        };
        let duplicate = match id {
            SECTION_META => meta.replace(read_meta(&mut r)?).is_some(),
            SECTION_FILES => files.replace(read_files(&mut r)?).is_some(),
            _ => tests.replace(read_tests(&mut r)?).is_some(),
        };
        if duplicate {
            return Err(malformed(format!("section {id} appears twice")));
        }
    }
    if !ended {
        return Err(RecordError::Malformed {
            section: None,
            offset: bytes.len(),
            message: "cut short: no end section".into(),
        });
    }
    Ok(Record {
        meta: meta.ok_or(RecordError::Missing("meta"))?,
        files: files.ok_or(RecordError::Missing("files"))?,
        tests,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        let mut files = BTreeMap::new();
        files.insert(
            "src/a.rs".to_owned(),
            vec![
                (1, LineState::Hit),
                (2, LineState::Miss),
                (7, LineState::Partial),
                (300_000, LineState::Hit),
            ],
        );
        files.insert("src/b.rs".to_owned(), vec![]);
        Record {
            meta: RecordMeta {
                commit: "0123456789abcdef0123456789abcdef01234567".into(),
                branch: Some("main".into()),
                ci_run_id: None,
                prcov_version: "0.1.0".into(),
                settings_hash: 0xdead_beef,
                created_unix: 1_700_000_000,
            },
            files,
            tests: Some(vec![
                RecordedTest {
                    suite: Some("s".into()),
                    classname: Some("c".into()),
                    name: Some("t1".into()),
                    outcome: TestOutcome::Failed,
                    flaky: true,
                    millis: Some(0),
                },
                RecordedTest {
                    suite: Some("s".into()),
                    classname: None,
                    name: Some("t2".into()),
                    outcome: TestOutcome::Skipped,
                    flaky: false,
                    millis: None,
                },
            ]),
        }
    }

    #[test]
    fn round_trips() {
        let r = sample();
        assert_eq!(decode(&encode(&r)).unwrap(), r);
        let no_tests = Record {
            tests: None,
            ..sample()
        };
        assert_eq!(decode(&encode(&no_tests)).unwrap(), no_tests);
    }

    #[test]
    fn unknown_sections_are_skipped() {
        let mut bytes = encode(&sample());
        let end = bytes.split_off(bytes.len() - 8);
        // A section 99 a later prcov might add, uncompressed.
        bytes.extend_from_slice(&99u16.to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes.extend_from_slice(&3u32.to_le_bytes());
        bytes.extend_from_slice(b"xyz");
        bytes.extend_from_slice(&end);
        assert_eq!(decode(&bytes).unwrap(), sample());
    }

    #[test]
    fn newer_version_is_refused_with_the_supported_range() {
        let mut bytes = encode(&sample());
        bytes[8] = 7;
        let e = decode(&bytes).unwrap_err().to_string();
        assert_eq!(
            e,
            "history record version 7 is not supported: this prcov reads versions 1 to 1 (upgrade prcov to read it)"
        );
    }

    #[test]
    fn not_a_record() {
        assert!(matches!(
            decode(b"hello world!!"),
            Err(RecordError::NotARecord)
        ));
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode(&sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut} decoded");
        }
    }

    #[test]
    fn lying_lengths_and_counts_are_errors() {
        // A files body claiming a billion files in a few bytes.
        let mut body = Vec::new();
        put_varint(&mut body, 1_000_000_000);
        let mut r = Reader {
            bytes: &body,
            pos: 0,
            section: SECTION_FILES,
        };
        let e = read_files(&mut r).unwrap_err().to_string();
        assert!(e.contains("file count 1000000000 exceeds"), "{e}");

        // A section header whose length runs past the end.
        let mut bytes = encode(&sample());
        bytes.truncate(12);
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        let e = decode(&bytes).unwrap_err().to_string();
        assert!(
            e.contains("at byte 12: section 2 claims 4294967295 bytes"),
            "{e}"
        );
    }

    #[test]
    fn descending_lines_and_bad_commit_are_errors() {
        let mut body = Vec::new();
        put_varint(&mut body, 1);
        put_str(&mut body, "a.rs");
        put_varint(&mut body, 2);
        put_varint(&mut body, 5 << 2);
        put_varint(&mut body, 0);
        let mut r = Reader {
            bytes: &body,
            pos: 0,
            section: SECTION_FILES,
        };
        let e = read_files(&mut r).unwrap_err().to_string();
        assert!(e.contains("a.rs: line numbers must ascend"), "{e}");

        let mut meta = sample().meta;
        meta.commit = "../../etc/passwd".into();
        let body = meta_body(&meta);
        let mut r = Reader {
            bytes: &body,
            pos: 0,
            section: SECTION_META,
        };
        let e = read_meta(&mut r).unwrap_err().to_string();
        assert!(e.contains("is not a hex sha"), "{e}");
    }

    #[test]
    fn deflate_bomb_is_capped() {
        // Zeros deflate a thousandfold; the reader stops at its cap (here 1 MiB, to keep the
        // test light; the real cap is MAX_SECTION_BYTES).
        let zeros = vec![0u8; (1 << 20) + 1];
        let mut bytes = Vec::new();
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&VERSION.to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        put_section(&mut bytes, SECTION_FILES, &zeros);
        bytes.extend_from_slice(&[0; 8]);
        let e = decode_capped(&bytes, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("inflates beyond 1048576 bytes"), "{e}");
    }
}
