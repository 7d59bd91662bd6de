//! LCOV tracefiles (`.info`): lcov 1.x records and the lcov 2.x additions (`VER`, `FNL`/`FNA`,
//! exception branches `e<block>`, branch expression names, `MCDC`).
//!
//! Input: any `BufRead`; output: [`Parsed`]. Streams line by line into one reused buffer and
//! parses bytes, so memory is the model plus one line.
//!
//! The line model (docs/coverage.md#line-states): every `DA:` record is a coverable line (line 0 is dropped with a
//! warning); `BRDA:` records attach identified branches to the `DA:` line of the same file.
//! Paths are kept as written, without surrounding whitespace. An empty `SF:` keeps its lines under
//! the empty path, with a warning (lcov 1.16 reads such records and the corpus counts them).
//! A branch on a line that has no `DA:` record anywhere in the file is dropped with a warning: lcov
//! itself counts only `DA:` lines as found lines (`LF`), the corpus reference figures are built the
//! same way, and docs/coverage.md says a line without a line record is not coverable.
//! `LF`/`LH`/`BRF`/`BRH`/`FNF`/`FNH` summaries are ignored; totals come from the records.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::io::BufRead;

use super::count::{parse_count, parse_line_number, CountError};
use super::text::quoted;
use super::{FormatError, Location, Parsed};
use crate::model::{Branches, CoverageReport, FileCoverage, Function, LineRecord};
use crate::model::{Warning, WarningKind};

/// Bits of a packed branch id: `[named:1][exception:1][block:32][branch:30]`. Blocks take all 32
/// bits because geninfo writes `4294967295` (-1) for an unnamed block; branch numbers count
/// branches within a function and stay far below 2^30 (larger ones are rejected, never folded).
const NAMED_BIT: u64 = 1 << 63;
const EXCEPTION_BIT: u64 = 1 << 62;
const BRANCH_BITS: u32 = 30;
const MAX_BRANCH: u64 = (1 << BRANCH_BITS) - 1;

/// Reports are read in chunks of about this size, each ending after an `end_of_record` line;
/// a report of more than one chunk is parsed on several threads.
const CHUNK: usize = 1 << 18;

/// Parses an LCOV tracefile.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    parse_chunked(reader, threads, CHUNK)
}

/// Parses with up to `threads` worker threads, in chunks of about `chunk` bytes.
///
/// After an `end_of_record` line the parser is always between records, so chunks cut there
/// parse independently into partial results that merge, in file order, to exactly what one
/// pass over the whole file gives (see [`Parser::absorb`]). Line numbers stay exact because the
/// reader counts each chunk's lines before handing it out.
fn parse_chunked(
    reader: impl BufRead,
    threads: usize,
    chunk: usize,
) -> Result<Parsed, FormatError> {
    let mut chunks = Chunks {
        reader,
        chunk,
        carry: Vec::new(),
        eof: false,
        lines: 0,
        handed: 0,
        spare: Vec::new(),
    };
    let Some(first) = chunks.next_chunk()? else {
        return Parser::default().finish(0);
    };
    if chunks.done() || threads < 2 {
        let mut parser = Parser::default();
        let mut chunk = Some(first);
        while let Some(c) = chunk {
            parser.feed(&c.bytes, c.first_line)?;
            chunks.spare.push(c.bytes);
            chunk = chunks.next_chunk()?;
        }
        let lines = chunks.lines;
        return parser.finish(lines);
    }
    let (to_workers, from_reader) = std::sync::mpsc::sync_channel::<Chunk>(threads);
    let from_reader = std::sync::Mutex::new(from_reader);
    let (to_reader, results) = std::sync::mpsc::channel();
    let (recycle, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    let (results, read_error) = std::thread::scope(|s| {
        for _ in 0..threads {
            let (from_reader, to_reader, recycle) =
                (&from_reader, to_reader.clone(), recycle.clone());
            s.spawn(move || {
                // One record's buffers serve all the chunks this worker parses.
                let mut spare = None;
                loop {
                    let chunk = match from_reader.lock() {
                        Ok(rx) => match rx.recv() {
                            Ok(chunk) => chunk,
                            Err(_) => break,
                        },
                        Err(_) => break,
                    };
                    let mut parser = Parser {
                        spare: spare.take(),
                        ..Parser::default()
                    };
                    let out = parser.feed(&chunk.bytes, chunk.first_line).map(|()| {
                        // Results wait for their turn to merge: they keep only what they hold.
                        spare = parser.spare.take();
                        parser
                    });
                    // The reader refills spent buffers: fresh megabyte allocations cost page faults.
                    let _ = recycle.send(chunk.bytes);
                    if to_reader.send((chunk.index, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_reader);
        let mut sent = 0;
        let mut read_error = None;
        let mut next = Some(first);
        while let Some(chunk) = next {
            if to_workers.send(chunk).is_err() {
                break;
            }
            sent += 1;
            chunks.spare.extend(recycled.try_iter());
            match chunks.next_chunk() {
                Ok(c) => next = c,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
        drop(to_workers);
        let mut parsed: Vec<Option<Result<Parser, FormatError>>> =
            std::iter::repeat_with(|| None).take(sent).collect();
        for (index, out) in results {
            if let Some(slot) = parsed.get_mut(index) {
                *slot = Some(out);
            }
        }
        (parsed, read_error)
    });
    let mut merged: Option<Parser> = None;
    for (index, out) in results.into_iter().enumerate() {
        let part = match out {
            Some(out) => out?,
            None => {
                return Err(FormatError::at_line(
                    1,
                    format!("failed to parse part {index} of the file"),
                ))
            }
        };
        match &mut merged {
            None => merged = Some(part),
            Some(m) => m.absorb(part)?,
        }
    }
    if let Some(e) = read_error {
        return Err(e);
    }
    let lines = chunks.lines;
    merged.unwrap_or_default().finish(lines)
}

/// Whole lines of the report, from line `first_line` on.
struct Chunk {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// Cuts the input into chunks that end after an `end_of_record` line (or at the end).
struct Chunks<R> {
    reader: R,
    /// Bytes to read at a time.
    chunk: usize,
    /// Bytes read but not handed out yet.
    carry: Vec<u8>,
    eof: bool,
    /// Lines handed out so far.
    lines: u64,
    /// Chunks handed out so far.
    handed: usize,
    /// Spent chunk buffers, for reuse.
    spare: Vec<Vec<u8>>,
}

impl<R: BufRead> Chunks<R> {
    fn done(&self) -> bool {
        self.eof && self.carry.is_empty()
    }

    fn next_chunk(&mut self) -> Result<Option<Chunk>, FormatError> {
        // Where to look for a cut: from the start of the line that was incomplete last time.
        let mut search_from = 0;
        loop {
            if !self.eof {
                self.fill()?;
                if self.eof {
                    continue;
                }
                if let Some(cut) = cut_after_end_of_record(&self.carry, search_from) {
                    let mut tail = self.spare.pop().unwrap_or_default();
                    tail.clear();
                    tail.extend_from_slice(&self.carry[cut..]);
                    let mut bytes = std::mem::replace(&mut self.carry, tail);
                    bytes.truncate(cut);
                    return Ok(Some(self.hand_out(bytes)));
                }
                search_from = memchr::memrchr(b'\n', &self.carry).map_or(0, |i| i + 1);
                // An unfinished line is searched again after every read: cap its length, so one
                // endless line costs neither quadratic time nor unbounded memory.
                if self.carry.len() - search_from > super::text::MAX_LINE_BYTES {
                    let before = memchr::memchr_iter(b'\n', &self.carry[..search_from]).count();
                    return Err(FormatError::at_line(
                        self.lines + before as u64 + 1,
                        format!(
                            "the line is longer than the {} bytes an LCOV line can be: {}",
                            super::text::MAX_LINE_BYTES,
                            quoted(&self.carry[search_from..])
                        ),
                    ));
                }
                continue;
            }
            if self.carry.is_empty() {
                return Ok(None);
            }
            let bytes = std::mem::take(&mut self.carry);
            return Ok(Some(self.hand_out(bytes)));
        }
    }

    fn hand_out(&mut self, bytes: Vec<u8>) -> Chunk {
        let first_line = self.lines + 1;
        let newlines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
        self.lines += newlines + u64::from(bytes.last().is_some_and(|&b| b != b'\n'));
        let index = self.handed;
        self.handed += 1;
        Chunk {
            index,
            first_line,
            bytes,
        }
    }

    /// Reads `chunk` more bytes into `carry`, fewer at the end of the input.
    fn fill(&mut self) -> Result<(), FormatError> {
        // Reads of a whole chunk go straight from the file into `carry`: a `BufReader` passes
        // reads at least as large as its buffer through, where `read_to_end`'s small first
        // reads would copy every byte once more out of its buffer.
        let start = self.carry.len();
        self.carry.resize(start + self.chunk, 0);
        let mut end = start;
        while end < self.carry.len() {
            match self.reader.read(&mut self.carry[end..]) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.carry.truncate(end);
                    let done = memchr::memchr_iter(b'\n', &self.carry).count() as u64;
                    return Err(FormatError::at_line(
                        self.lines + done + 1,
                        format!("failed to read: {e}"),
                    ));
                }
            }
        }
        self.eof = end < self.carry.len();
        self.carry.truncate(end);
        Ok(())
    }
}

/// The position after the last complete `end_of_record` line of `buf` that starts at or after
/// `from`, if any.
fn cut_after_end_of_record(buf: &[u8], from: usize) -> Option<usize> {
    let finder = memchr::memmem::FinderRev::new(b"end_of_record");
    let mut end = buf.len();
    while end > from {
        let at = from + finder.rfind(&buf[from..end])?;
        let start = memchr::memrchr(b'\n', &buf[..at]).map_or(0, |i| i + 1);
        if let Some(nl) = memchr::memchr(b'\n', &buf[at..]) {
            let stop = at + nl;
            if buf[start..stop].trim_ascii() == b"end_of_record" {
                return Some(stop + 1);
            }
        }
        // The rest of this line cannot be the marker either: skip it whole, so a line full of
        // `end_of_record` is scanned once, not once per occurrence.
        end = start;
    }
    None
}

/// Hasher for keys that are already hashes.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; fold anything else rather than lose it.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The record being read: from `SF:` to `end_of_record`.
struct Record {
    path: String,
    /// Line of the `SF:` record, for warnings.
    start: u64,
    file: FileCoverage,
    /// `BRDA` data as `(line, id, taken, line of the BRDA record)`, attached to the `DA` lines
    /// when the record ends (gcovr and geninfo write `BRDA` before `DA`).
    branches: Vec<(u32, u64, bool, u64)>,
    /// Function name → index in `file.functions`, for `FNDA`.
    /// Hash of a function name → index in `file.functions` of the first `FN` with that name,
    /// for `FNDA`. Keyed by hash so that no name is copied: a copy freed at the end of every
    /// record leaves holes that scatter the next records over the heap.
    function_index: HashMap<u64, usize, BuildHasherDefault<Prehashed>>,
    /// Names whose hash is taken by another name (practically never): name → index.
    function_collisions: HashMap<String, usize>,
    names: std::hash::RandomState,
    /// `FNL` index → start line, for `FNA`.
    function_lines: HashMap<u64, u32>,
    /// A summary `LF:` above zero, to explain a record without `DA` lines.
    summary_lines: u64,
}

impl Record {
    /// An empty record of `path`, opened by the `SF` at line `start`.
    fn new(path: String, start: u64) -> Record {
        Record {
            path,
            start,
            file: FileCoverage::default(),
            branches: Vec::new(),
            function_index: HashMap::default(),
            function_collisions: HashMap::new(),
            names: std::hash::RandomState::new(),
            function_lines: HashMap::new(),
            summary_lines: 0,
        }
    }
}

#[derive(Default)]
enum State {
    /// Before the first `SF:` or after `end_of_record`.
    #[default]
    Between,
    Open(Box<Record>),
}

#[derive(Default)]
struct Parser {
    /// Completed records in file order (a file may come more than once), and their paths side
    /// by side, copied while still in cache; [`combine`] turns them into the report at the end.
    files: Vec<(String, FileCoverage)>,
    paths: Vec<u8>,
    warnings: Vec<Warning>,
    state: State,
    saw_source_file: bool,
    /// Branches on lines without a `DA` line in their own record: `(path, line, id, taken, where)`.
    /// Resolved at the end, in case another record of the same file has the line.
    orphans: Vec<(String, u32, u64, bool, u64)>,
    /// Branch expression names (lcov 2) without a branch number → stable small ids.
    expressions: HashMap<Vec<u8>, u64>,
    /// Unknown record types warned about, with the index of that warning in `warnings`.
    unknown_records_warned: Vec<(Vec<u8>, usize)>,
    /// The last record, emptied: its buffers serve the next one.
    spare: Option<Box<Record>>,
}

/// Splits at the first comma.
fn split_comma(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    // Fields are a few bytes long: a plain scan beats memchr's setup.
    bytes
        .iter()
        .position(|&b| b == b',')
        .map(|i| (&bytes[..i], &bytes[i + 1..]))
}

/// Splits at the last comma.
fn rsplit_comma(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    bytes
        .iter()
        .rposition(|&b| b == b',')
        .map(|i| (&bytes[..i], &bytes[i + 1..]))
}

fn count_error(line_no: u64, after: &str, found: &[u8], err: CountError) -> FormatError {
    FormatError::at_line(
        line_no,
        format!(
            "expected {} after \"{after}\" but found {}",
            err.expected(),
            quoted(found)
        ),
    )
}

impl Parser {
    fn warn(&mut self, kind: WarningKind, line_no: u64, message: impl Into<String>) {
        self.warnings
            .push(Warning::new(kind, Location::line(line_no), message));
    }

    /// Parses whole lines; the first is line `first_line` of the file.
    fn feed(&mut self, bytes: &[u8], first_line: u64) -> Result<(), FormatError> {
        let unterminated = bytes.last().is_some_and(|&b| b != b'\n');
        let ends = memchr::memchr_iter(b'\n', bytes).chain(unterminated.then_some(bytes.len()));
        let mut start = 0;
        for (line_no, end) in (first_line..).zip(ends) {
            let mut line = &bytes[start..end];
            if line_no == 1 {
                line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            }
            self.line(line_no, line.trim_ascii())?;
            start = end + 1;
        }
        Ok(())
    }

    /// Appends the result of the chunk that follows this one in the file, so that the two
    /// together equal one pass over both: files merge as repeated records do, warnings keep
    /// file order (an unknown record type is still reported once), and expression-named
    /// branches get the numbers a single pass would have given them.
    fn absorb(&mut self, mut next: Parser) -> Result<(), FormatError> {
        let mut by_number: Vec<(u64, Vec<u8>)> =
            next.expressions.drain().map(|(k, v)| (v, k)).collect();
        by_number.sort_unstable();
        let mut renumber = Vec::with_capacity(by_number.len());
        for (_, name) in by_number {
            let fresh = u64::try_from(self.expressions.len()).unwrap_or(u64::MAX);
            let n = *self.expressions.entry(name).or_insert(fresh);
            if n > MAX_BRANCH {
                return Err(FormatError::at_line(
                    1,
                    "expected fewer than 2^30 distinct branch expression names",
                ));
            }
            renumber.push(n);
        }
        if renumber.iter().enumerate().any(|(i, &n)| i as u64 != n) {
            let map = |id: u64| {
                if id & NAMED_BIT == 0 {
                    return id;
                }
                let local = usize::try_from(id & MAX_BRANCH).unwrap_or(usize::MAX);
                renumber.get(local).map_or(id, |&n| (id & !MAX_BRANCH) | n)
            };
            for (_, file) in &mut next.files {
                let named = file.lines.values().any(|r| {
                    matches!(&r.branches, Some(Branches::Identified(b)) if b.iter().any(|x| x.0 & NAMED_BIT != 0))
                });
                if named {
                    file.lines = file
                        .lines
                        .iter()
                        .map(|(n, mut r)| {
                            if let Some(Branches::Identified(b)) = &mut r.branches {
                                b.iter_mut().for_each(|x| x.0 = map(x.0));
                            }
                            (n, r)
                        })
                        .collect();
                }
            }
            for orphan in &mut next.orphans {
                orphan.2 = map(orphan.2);
            }
        }
        self.files.append(&mut next.files);
        self.paths.append(&mut next.paths);
        let repeated: Vec<usize> = next
            .unknown_records_warned
            .iter()
            .filter(|(k, _)| self.unknown_records_warned.iter().any(|(m, _)| m == k))
            .map(|&(_, i)| i)
            .collect();
        let mut moved_to = vec![usize::MAX; next.warnings.len()];
        for (i, w) in next.warnings.into_iter().enumerate() {
            if !repeated.contains(&i) {
                moved_to[i] = self.warnings.len();
                self.warnings.push(w);
            }
        }
        for (key, i) in next.unknown_records_warned {
            if !repeated.contains(&i) {
                self.unknown_records_warned.push((key, moved_to[i]));
            }
        }
        self.orphans.extend(next.orphans);
        self.saw_source_file |= next.saw_source_file;
        self.state = next.state;
        Ok(())
    }

    fn line(&mut self, line_no: u64, line: &[u8]) -> Result<(), FormatError> {
        if line.is_empty() || line[0] == b'#' {
            return Ok(());
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return match line {
                b"end_of_record" => {
                    self.end_record();
                    Ok(())
                }
                // Some Jenkins fixtures end with a literal `EOF` line (a heredoc leftover).
                b"EOF" => {
                    self.warn(
                        WarningKind::UnknownRecord,
                        line_no,
                        "ignored a line \"EOF\", which is not an lcov record",
                    );
                    Ok(())
                }
                _ => Err(FormatError::at_line(
                    line_no,
                    format!(
                        "expected an lcov record (such as SF:, DA: or end_of_record) but found {}",
                        quoted(line)
                    ),
                )),
            };
        };
        let (key, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        match key {
            b"SF" => {
                self.start_record(line_no, value);
                Ok(())
            }
            // Test names, versions and summaries: totals come from the records themselves.
            b"TN" | b"VER" | b"FNF" | b"FNH" | b"LH" | b"BRF" | b"BRH" | b"MCDC" | b"MCF"
            | b"MCH" => Ok(()),
            b"LF" => {
                if let State::Open(record) = &mut self.state {
                    record.summary_lines = parse_count(value).unwrap_or(0);
                }
                Ok(())
            }
            b"DA" | b"BRDA" | b"FN" | b"FNDA" | b"FNL" | b"FNA" => match &mut self.state {
                State::Between => Err(FormatError::at_line(
                    line_no,
                    format!(
                        "expected an SF: record before this {}: record",
                        String::from_utf8_lossy(key)
                    ),
                )),
                State::Open(record) => match key {
                    b"DA" => self.data(line_no, value),
                    b"BRDA" => self.branch(line_no, value),
                    b"FN" => function(record, line_no, value),
                    b"FNDA" => function_data(record, line_no, value),
                    b"FNL" => function_location(record, line_no, value),
                    _ => function_alias(record, line_no, value),
                },
            },
            _ if key.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_') => {
                // A record type from a newer lcov: skip it, once said.
                if !self.unknown_records_warned.iter().any(|(k, _)| k == key) {
                    self.unknown_records_warned
                        .push((key.to_vec(), self.warnings.len()));
                    self.warn(
                        WarningKind::UnknownRecord,
                        line_no,
                        format!(
                            "ignored unknown lcov record type {}",
                            quoted(&line[..=colon])
                        ),
                    );
                }
                Ok(())
            }
            _ => Err(FormatError::at_line(
                line_no,
                format!(
                    "expected an lcov record (such as SF:, DA: or end_of_record) but found {}",
                    quoted(line)
                ),
            )),
        }
    }

    fn start_record(&mut self, line_no: u64, path: &[u8]) {
        self.saw_source_file = true;
        if let State::Open(record) = &self.state {
            let message = format!(
                "the record for {} (line {}) has no end_of_record; it ends at the next SF:",
                quoted(record.path.as_bytes()),
                record.start
            );
            self.warn(WarningKind::IncompleteRecord, line_no, message);
            self.end_record();
        }
        if path.is_empty() {
            // gcovr writes `SF:` when a substituted drive hides the path; lcov 1.16 keeps the data
            // (the corpus reference counts it), so it stays under the empty path, which path
            // mapping then reports as unmatched rather than losing it silently.
            self.warn(
                WarningKind::MissingPath,
                line_no,
                "a record has an empty file name (\"SF:\"); its lines are kept under an empty path",
            );
        }
        let path = String::from_utf8_lossy(path).into_owned();
        let record = match self.spare.take() {
            Some(mut r) => {
                r.path = path;
                r.start = line_no;
                r.summary_lines = 0;
                r
            }
            None => Box::new(Record::new(path, line_no)),
        };
        self.state = State::Open(record);
    }

    /// `DA:<line>,<count>[,<checksum>]`
    fn data(&mut self, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
        let Some((number, rest)) = split_comma(value) else {
            return Err(FormatError::at_line(
                line_no,
                format!(
                    "expected \"DA:<line>,<count>\" but found {}",
                    quoted(&[b"DA:", value].concat())
                ),
            ));
        };
        let Some(number) = parse_line_number(number) else {
            return Err(FormatError::at_line(
                line_no,
                format!(
                    "expected a line number after \"DA:\" but found {}",
                    quoted(number)
                ),
            ));
        };
        // The checksum (geninfo --checksum) is not needed: prcov reads no sources.
        let count = split_comma(rest).map_or(rest, |(c, _)| c);
        let hits = parse_count(count).map_err(|e| count_error(line_no, "DA:<line>,", count, e))?;
        if number == 0 {
            self.warn(
                WarningKind::InvalidLineNumber,
                line_no,
                "dropped a DA: record for line 0 (line numbers start at 1)",
            );
            return Ok(());
        }
        if let State::Open(record) = &mut self.state {
            record.file.add_line(number, LineRecord::new(hits));
        }
        Ok(())
    }

    /// `BRDA:<line>,[e]<block>,<branch>,<taken>`; lcov 2 may write `<branch>` as a number followed by
    /// an expression (`0,cond`) or as an expression alone.
    fn branch(&mut self, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
        let shape = || {
            FormatError::at_line(
                line_no,
                format!(
                    "expected \"BRDA:<line>,<block>,<branch>,<taken>\" but found {}",
                    quoted(&[b"BRDA:", value].concat())
                ),
            )
        };
        let (number, rest) = split_comma(value).ok_or_else(shape)?;
        let (block, rest) = split_comma(rest).ok_or_else(shape)?;
        let (branch, taken) = rsplit_comma(rest).ok_or_else(shape)?;
        let Some(number) = parse_line_number(number) else {
            return Err(FormatError::at_line(
                line_no,
                format!(
                    "expected a line number after \"BRDA:\" but found {}",
                    quoted(number)
                ),
            ));
        };
        let (exception, block) = match block.strip_prefix(b"e") {
            Some(b) => (true, b),
            None => (false, block),
        };
        let Some(block) = parse_line_number(block) else {
            return Err(FormatError::at_line(
                line_no,
                format!(
                    "expected a block number after \"BRDA:<line>,\" but found {}",
                    quoted(block)
                ),
            ));
        };
        let taken = if taken == b"-" {
            false
        } else {
            parse_count(taken)
                .map_err(|e| count_error(line_no, "BRDA:<line>,<block>,<branch>,", taken, e))?
                > 0
        };
        let mut id = u64::from(block) << BRANCH_BITS;
        if exception {
            id |= EXCEPTION_BIT;
        }
        // A branch number, possibly followed by its expression name: the number identifies it.
        let leading = split_comma(branch).map_or(branch, |(n, _)| n);
        if let Some(n) = parse_line_number(leading) {
            if u64::from(n) > MAX_BRANCH {
                return Err(FormatError::at_line(
                    line_no,
                    format!(
                        "expected a branch number below 2^30 after \"BRDA:<line>,<block>,\" but found {}",
                        quoted(leading)
                    ),
                ));
            }
            id |= u64::from(n);
        } else {
            // Only an expression name: number it by first appearance in this report.
            let next = u64::try_from(self.expressions.len()).unwrap_or(u64::MAX);
            let n = *self.expressions.entry(branch.to_vec()).or_insert(next);
            if n > MAX_BRANCH {
                return Err(FormatError::at_line(
                    line_no,
                    "expected fewer than 2^30 distinct branch expression names",
                ));
            }
            id |= NAMED_BIT | n;
        }
        if number == 0 {
            self.warn(
                WarningKind::InvalidLineNumber,
                line_no,
                "dropped a BRDA: record for line 0 (line numbers start at 1)",
            );
            return Ok(());
        }
        if let State::Open(record) = &mut self.state {
            record.branches.push((number, id, taken, line_no));
        }
        Ok(())
    }

    fn end_record(&mut self) {
        let mut record = match std::mem::take(&mut self.state) {
            State::Open(record) => record,
            State::Between => return,
        };
        let path = std::mem::take(&mut record.path);
        let (start, summary_lines) = (record.start, record.summary_lines);
        if record.file.lines.is_empty() && record.branches.is_empty() && summary_lines > 0 {
            self.warn(
                WarningKind::NoLineRecords,
                start,
                format!(
                    "the record for {} has only summary counts (LF:{summary_lines}) and no DA: lines; it adds no coverable lines",
                    quoted(path.as_bytes())
                ),
            );
        }
        let Record { file, branches, .. } = &mut *record;
        branches.sort_unstable_by_key(|b| (b.0, b.1));
        let mut group = Vec::new();
        let mut i = 0;
        while i < branches.len() {
            let line = branches[i].0;
            let end = i + branches[i..].iter().take_while(|b| b.0 == line).count();
            group.clear();
            group.extend(branches[i..end].iter().map(|b| (b.1, b.2)));
            if !file.add_identified_branches(line, &group) {
                self.orphans.extend(
                    branches[i..end]
                        .iter()
                        .map(|b| (path.clone(), line, b.1, b.2, b.3)),
                );
            }
            i = end;
        }
        // The record's buffers stay for the next record; the file gets exact-size copies,
        // which is cheaper than growing fresh buffers for every record and shrinking them.
        // Moved into an exact-size vector; the names move, not copied.
        let functions: Vec<Function> = file.functions.drain(..).collect();
        let kept = FileCoverage {
            lines: file.lines.clone(),
            functions,
        };
        file.lines.clear();
        branches.clear();
        record.function_index.clear();
        record.function_collisions.clear();
        record.function_lines.clear();
        self.spare = Some(record);
        self.paths.extend_from_slice(path.as_bytes());
        self.files.push((path, kept));
    }

    fn finish(mut self, last_line: u64) -> Result<Parsed, FormatError> {
        if last_line == 0 {
            return Err(FormatError::at_line(
                1,
                "the file is empty (expected lcov records)",
            ));
        }
        if let State::Open(record) = &self.state {
            let message = format!(
                "the file ends inside the record for {} (line {}) without end_of_record; the record is kept",
                quoted(record.path.as_bytes()),
                record.start
            );
            self.warn(WarningKind::IncompleteRecord, last_line, message);
        }
        self.end_record();
        let files = std::mem::take(&mut self.files);
        let mut report = CoverageReport {
            files: combine(files, &std::mem::take(&mut self.paths)),
            source_roots: Vec::new(),
        };
        if !self.saw_source_file {
            return Err(FormatError::at_line(
                last_line,
                "expected at least one SF: record, found none",
            ));
        }
        let orphans = std::mem::take(&mut self.orphans);
        let mut dropped: Vec<(u64, String, u32)> = Vec::new();
        for (path, line, id, taken, at) in orphans {
            let attached = report
                .files
                .get_mut(&path)
                .is_some_and(|f| f.add_identified_branches(line, &[(id, taken)]));
            if !attached {
                dropped.push((at, path, line));
            }
        }
        // One warning per file and line, at its first BRDA record.
        dropped.sort_unstable();
        let mut seen = std::collections::HashSet::new();
        for (at, path, line) in dropped {
            if seen.insert((path.clone(), line)) {
                self.warn(
                    WarningKind::BranchWithoutLine,
                    at,
                    format!(
                        "dropped BRDA: records of {} line {line}, which has no DA: record",
                        quoted(path.as_bytes())
                    ),
                );
            }
        }
        Ok(Parsed {
            report,
            warnings: self.warnings,
        })
    }
}

/// The report's files from completed records in file order, merged as adding them one by one
/// would: a file that comes more than once merges in file order. `paths` holds the paths of
/// `files` side by side.
///
/// Inserting each file into a growing map costs a search of ever more, long, shared-prefix paths
/// scattered over a heap of hundreds of megabytes, a cache miss per comparison. Sorting positions
/// by the side-by-side copy stays in cache, and the map is built from sorted entries in bulk.
fn combine(files: Vec<(String, FileCoverage)>, paths: &[u8]) -> BTreeMap<String, FileCoverage> {
    let mut spans = Vec::with_capacity(files.len());
    let mut at = 0;
    for (path, _) in &files {
        spans.push(at..at + path.len());
        at += path.len();
    }
    let key = |i: usize| &paths[spans[i].clone()];
    let mut order: Vec<usize> = (0..files.len()).collect();
    // Ties keep file order, so repeated files merge as a single pass would merge them.
    order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)).then(a.cmp(&b)));
    let mut entries: Vec<Option<(String, FileCoverage)>> = files.into_iter().map(Some).collect();
    let mut merged: Vec<(String, FileCoverage)> = Vec::with_capacity(entries.len());
    let mut last = None;
    for i in order {
        let Some((path, file)) = entries[i].take() else {
            continue;
        };
        match (last, merged.last_mut()) {
            (Some(l), Some((_, kept))) if key(l) == key(i) => kept.merge(&file),
            _ => {
                merged.push((path, file));
                last = Some(i);
            }
        }
    }
    // Sorted and unique: `from_iter` checks the order in one pass and builds the tree in bulk.
    merged.into_iter().collect()
}

/// `FN:<line>,[<end line>,]<name>` (the end line is lcov 2). Names may contain commas.
fn function(record: &mut Record, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
    let (start, rest) = split_comma(value).ok_or_else(|| {
        FormatError::at_line(
            line_no,
            format!(
                "expected \"FN:<line>,<name>\" but found {}",
                quoted(&[b"FN:", value].concat())
            ),
        )
    })?;
    let start = parse_line_number(start).ok_or_else(|| {
        FormatError::at_line(
            line_no,
            format!(
                "expected a line number after \"FN:\" but found {}",
                quoted(start)
            ),
        )
    })?;
    let name = match split_comma(rest) {
        Some((end, name)) if parse_line_number(end).is_some() => name,
        _ => rest,
    };
    let name = String::from_utf8_lossy(name).into_owned();
    let index = record.file.functions.len();
    match record
        .function_index
        .entry(record.names.hash_one(name.as_str()))
    {
        Entry::Vacant(v) => {
            v.insert(index);
        }
        Entry::Occupied(o) => {
            if record.file.functions[*o.get()].name != name {
                record
                    .function_collisions
                    .entry(name.clone())
                    .or_insert(index);
            }
        }
    }
    record.file.functions.push(Function {
        name,
        line: start,
        hits: 0,
    });
    Ok(())
}

/// `FNDA:<count>,<name>`
fn function_data(record: &mut Record, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
    let (count, name) = split_comma(value).ok_or_else(|| {
        FormatError::at_line(
            line_no,
            format!(
                "expected \"FNDA:<count>,<name>\" but found {}",
                quoted(&[b"FNDA:", value].concat())
            ),
        )
    })?;
    let hits = parse_count(count).map_err(|e| count_error(line_no, "FNDA:", count, e))?;
    let name = String::from_utf8_lossy(name);
    let index = match record
        .function_index
        .get(&record.names.hash_one(name.as_ref()))
    {
        Some(&i) if record.file.functions[i].name == name => Some(i),
        _ => record.function_collisions.get(name.as_ref()).copied(),
    };
    if let Some(i) = index {
        let f = &mut record.file.functions[i];
        f.hits = f.hits.saturating_add(hits);
    }
    Ok(())
}

/// `FNL:<index>,<line>[,<end line>]` (lcov 2)
fn function_location(record: &mut Record, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
    let parsed = split_comma(value).and_then(|(index, rest)| {
        let start = split_comma(rest).map_or(rest, |(s, _)| s);
        Some((parse_count(index).ok()?, parse_line_number(start)?))
    });
    let (index, start) = parsed.ok_or_else(|| {
        FormatError::at_line(
            line_no,
            format!(
                "expected \"FNL:<index>,<line>[,<end line>]\" but found {}",
                quoted(&[b"FNL:", value].concat())
            ),
        )
    })?;
    record.function_lines.insert(index, start);
    Ok(())
}

/// `FNA:<index>,<count>,<name>` (lcov 2): one name (alias) of the function at `FNL:<index>`.
fn function_alias(record: &mut Record, line_no: u64, value: &[u8]) -> Result<(), FormatError> {
    let shape = || {
        FormatError::at_line(
            line_no,
            format!(
                "expected \"FNA:<index>,<count>,<name>\" but found {}",
                quoted(&[b"FNA:", value].concat())
            ),
        )
    };
    let (index, rest) = split_comma(value).ok_or_else(shape)?;
    let (count, name) = split_comma(rest).ok_or_else(shape)?;
    let index = parse_count(index).map_err(|_| shape())?;
    let hits = parse_count(count).map_err(|e| count_error(line_no, "FNA:<index>,", count, e))?;
    let line = record.function_lines.get(&index).copied().ok_or_else(|| {
        FormatError::at_line(
            line_no,
            format!("expected an FNL:{index},… record before this FNA: record"),
        )
    })?;
    record.file.functions.push(Function {
        name: String::from_utf8_lossy(name).into_owned(),
        line,
        hits,
    });
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests;
