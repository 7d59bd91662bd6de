//! JUnit XML: a streaming parser over quick-xml 0.42, reading the dialects real tools write.
//!
//! Input: any `BufRead`. Output: [`ParsedTests`], one [`TestCase`] per `<testcase>` element, and
//! warnings for what was odd but readable. The root may be `<testsuites>`, a bare `<testsuite>` or a
//! bare `<testcase>`; suites nest to any depth. A case's outcome follows the elements inside it:
//! `<failure>` beats `<error>` beats `<skipped>`, else passed. Surefire/nextest reruns inside one
//! element (`<flakyFailure>`, `<flakyError>`, `<rerunFailure>`, `<rerunError>`) become extra attempts.
//!
//! Why not quick-junit 0.8's deserializer: it pulls quick-xml 0.41 (we stay on 0.42 for the 2026
//! advisories) and, run over the 94 `ok` JUnit files of the corpus, it rejected 54 (25 timestamps
//! without a zone, 21 without a `<testsuites>` root, 4 suites without `name`, 3 cases with several
//! result elements, 1 `&#xA;` in a message) and gave wrong counts for 5 more (nested suites
//! dropped); 35 matched the oracle.
//!
//! Memory: the document is never held whole. Each text node is buffered by quick-xml; what a case
//! keeps is cut to [`MESSAGE_KEEP`]/[`DETAILS_KEEP`] bytes, and stack frames are looked for in the
//! first [`SCAN_LIMIT`] bytes of a body.
//!
//! Work: a tokenizer (reading, quick-xml, newline offsets, plainly written attributes) turns
//! the input into batches of owned events that a builder makes test cases of; on large
//! files the two run on two threads, with a few batches in flight.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesCData, BytesRef, BytesStart, BytesText, Event};
use quick_xml::Reader;

use super::{Format, FormatError, Location, ParseError, Warning};
use crate::model::test_results::{
    Attempt, Attempts, Failure, FailureKind, Frame, ParsedTests, TestCase, TestId, TestOutcome,
    TestResults,
};

/// Bytes of a `message` attribute kept for display.
pub const MESSAGE_KEEP: usize = 8 * 1024;
/// Bytes of a failure body kept for display.
pub const DETAILS_KEEP: usize = 32 * 1024;
/// Bytes of a body (or of a failed case's output) searched for stack frames.
pub const SCAN_LIMIT: usize = 1024 * 1024;
/// Frames kept per failure.
const MAX_FRAMES: usize = 16;
/// Suites whose own counts disagree with their test cases, warned about individually per file.
const MAX_SUITE_WARNINGS: usize = 5;

/// Reads JUnit XML files in order and merges them (shards, reruns). Errors name the file.
/// Warnings are prefixed with the file they came from.
pub fn load(paths: &[PathBuf]) -> Result<(TestResults, Vec<Warning>), ParseError> {
    let mut files = Vec::with_capacity(paths.len());
    let mut warnings = Vec::new();
    for path in paths {
        let mut parsed = load_one(path)?;
        for mut w in parsed.warnings.drain(..) {
            w.message = format!("{}: {}", path.display(), w.message);
            warnings.push(w);
        }
        files.push(parsed);
    }
    Ok((TestResults::merge(files), warnings))
}

fn load_one(path: &Path) -> Result<ParsedTests, ParseError> {
    let file = std::fs::File::open(path).map_err(|source| ParseError::Io {
        path: path.to_owned(),
        source,
    })?;
    let size = file.metadata().map_or(0, |m| m.len());
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut parser = Parser::new();
    parser.reserve_for(size);
    let parsed = if size >= THREADED_MIN {
        parse_threaded(reader, parser)
    } else {
        parse_here(reader, parser)
    };
    parsed.map_err(|e| ParseError::malformed(path, Format::Junit, e))
}

/// Parses one JUnit XML document.
pub fn parse(reader: impl BufRead) -> Result<ParsedTests, FormatError> {
    parse_here(reader, Parser::new())
}

/// Files at least this large are tokenized on a second thread while the first one builds the
/// test cases: the two halves of the work are of a size, and a thread costs nothing next to
/// either on a file this large.
const THREADED_MIN: u64 = 4 * 1024 * 1024;
/// Events handed over at once, at most.
const BATCH_EVENTS: usize = 2048;
/// Bytes of event text past which a batch is handed over early (a single text node may exceed
/// it: quick-xml holds each node whole anyway).
const BATCH_TEXT: usize = 128 * 1024;
/// Batches tokenized ahead of the builder, at most: memory stays a few batches whatever the
/// file size.
const BATCHES_AHEAD: usize = 4;

/// Tokenizes and builds on this thread, a batch at a time.
fn parse_here(reader: impl BufRead, mut parser: Parser) -> Result<ParsedTests, FormatError> {
    let mut tokens = Tokenizer::new(reader);
    let mut batch = Batch::default();
    loop {
        tokens.fill(&mut batch);
        if parser.feed(&batch)? {
            return parser.finish();
        }
    }
}

/// Tokenizes on a second thread (reading, quick-xml, newlines) and builds the test cases on
/// this one. Batches go through a bounded channel and come back empty to be filled again.
/// Without a thread to be had, everything runs here.
fn parse_threaded<R: BufRead + Send>(
    reader: R,
    mut parser: Parser,
) -> Result<ParsedTests, FormatError> {
    std::thread::scope(|scope| {
        // The reader goes to the thread once it runs: if it cannot be spawned, it stays here.
        let (reader_tx, reader_rx) = std::sync::mpsc::sync_channel::<R>(1);
        let (full_tx, full) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
        let (spare, spare_rx) = std::sync::mpsc::sync_channel::<Batch>(BATCHES_AHEAD + 2);
        let spawned = std::thread::Builder::new()
            .name("prcov-junit-xml".into())
            .spawn_scoped(scope, move || {
                if let Ok(reader) = reader_rx.recv() {
                    tokenize_into(reader, &full_tx, &spare_rx);
                }
            });
        if spawned.is_err() {
            return parse_here(reader, parser);
        }
        if let Err(std::sync::mpsc::SendError(reader)) = reader_tx.send(reader) {
            return parse_here(reader, parser);
        }
        loop {
            // A closed channel without a last batch: the thread panicked, and the scope
            // passes its panic on.
            let Ok(batch) = full.recv() else {
                return parser.finish();
            };
            let done = parser.feed(&batch)?;
            let _ = spare.try_send(batch);
            if done {
                return parser.finish();
            }
        }
        // Returning drops the receiver: a tokenizer still at work stops at its next send.
    })
}

/// The tokenizing thread: fills batches (reusing the ones the builder is done with) and hands
/// them over in order, until the document ends or the builder stops (a closed channel).
fn tokenize_into(
    reader: impl BufRead,
    full: &std::sync::mpsc::SyncSender<Batch>,
    spare: &std::sync::mpsc::Receiver<Batch>,
) {
    let mut tokens = Tokenizer::new(reader);
    loop {
        let mut batch = spare.try_recv().unwrap_or_default();
        tokens.fill(&mut batch);
        let last = batch.end.is_some();
        if full.send(batch).is_err() || last {
            return;
        }
    }
}

/// What kind of event a [`Tok`] is. Comments, declarations, processing instructions and
/// doctypes are not handed over: nothing reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Start,
    Empty,
    End,
    Text,
    CData,
    Ref,
}

/// One event as the tokenizer hands it over: its text is `Batch::text[from..to]` (a start
/// tag's name and attributes, raw text, CDATA content, an entity's name).
#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: TokKind,
    /// Length of the element name at the start of the text (start tags).
    name_len: usize,
    /// Byte offset where the event starts, for line and column.
    start: u64,
    from: usize,
    to: usize,
    /// A start tag's attribute values the builder reads: `Batch::spans[spans.0..spans.1]`
    /// (empty when not read ahead).
    spans: (usize, usize),
    /// For a text node longer than the builder keeps: its length (line breaks normalized);
    /// the text handed over is then its first [`SCAN_LIMIT`] bytes, normalized.
    cut_len: Option<usize>,
}

/// How a document ended: where its end was met, or the first error quick-xml found.
#[derive(Debug)]
enum DocEnd {
    Eof {
        start: u64,
    },
    Error {
        start: u64,
        pos: u64,
        message: String,
    },
}

/// Consecutive events, owned: what goes from the tokenizer to the builder.
#[derive(Debug, Default)]
struct Batch {
    toks: Vec<Tok>,
    text: String,
    spans: Vec<Span>,
    /// Offsets of the newlines read since the previous batch.
    newlines: Vec<u64>,
    /// Set on the last batch of a document.
    end: Option<DocEnd>,
}

impl Batch {
    fn clear(&mut self) {
        self.toks.clear();
        self.text.clear();
        self.spans.clear();
        // One huge text node should not keep its room for the rest of the file.
        self.text.shrink_to(4 * BATCH_TEXT);
        self.newlines.clear();
        self.end = None;
    }
}

/// quick-xml over the input, turning events into [`Batch`]es.
struct Tokenizer<R> {
    reader: Reader<NewlineRecorder<R>>,
    buf: Vec<u8>,
}

impl<R: BufRead> Tokenizer<R> {
    fn new(inner: R) -> Self {
        let mut reader = Reader::from_reader(NewlineRecorder::new(inner));
        let config = reader.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        // Real reports contain stray `&` in messages (compiler output, URLs).
        config.allow_dangling_amp = true;
        Tokenizer {
            reader,
            buf: Vec::new(),
        }
    }

    /// Fills `batch` (emptied first) with the next events; the last one has `end` set.
    fn fill(&mut self, batch: &mut Batch) {
        batch.clear();
        while batch.toks.len() < BATCH_EVENTS && batch.text.len() < BATCH_TEXT {
            self.buf.clear();
            let start = self.reader.buffer_position();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(err) => {
                    batch.end = Some(DocEnd::Error {
                        start,
                        pos: self.reader.error_position(),
                        message: format!("not well-formed XML: {err}"),
                    });
                    break;
                }
            };
            let (kind, name_len) = match &event {
                Event::Start(e) => (TokKind::Start, e.name().as_ref().len()),
                Event::Empty(e) => (TokKind::Empty, e.name().as_ref().len()),
                Event::End(_) => (TokKind::End, 0),
                Event::Text(_) => (TokKind::Text, 0),
                Event::CData(_) => (TokKind::CData, 0),
                Event::GeneralRef(_) => (TokKind::Ref, 0),
                Event::Eof => {
                    batch.end = Some(DocEnd::Eof { start });
                    break;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            };
            let first_span = batch.spans.len();
            if let Event::Start(e) | Event::Empty(e) = &event {
                read_attributes(e, &mut batch.spans);
            }
            let from = batch.text.len();
            let mut cut_len = None;
            match &event {
                // The builder keeps the first `SCAN_LIMIT` bytes of a text and its length:
                // a huge output is not copied whole into a batch (memory stays bounded).
                Event::Text(t) if t.len() > SCAN_LIMIT => {
                    let text = t.xml10_content();
                    cut_len = Some(text.len());
                    batch.text.push_str(prefix(&text, SCAN_LIMIT));
                }
                Event::CData(t) if t.len() > SCAN_LIMIT => {
                    let text = t.xml10_content();
                    cut_len = Some(text.len());
                    batch.text.push_str(prefix(&text, SCAN_LIMIT));
                }
                Event::End(_) => {}
                _ => batch.text.push_str(&event),
            }
            batch.toks.push(Tok {
                kind,
                name_len,
                start,
                from,
                to: batch.text.len(),
                spans: (first_span, batch.spans.len()),
                cut_len,
            });
        }
        self.reader.get_mut().take_newlines(&mut batch.newlines);
    }
}

/// Bytes of input per test case assumed when reserving room for the cases of a file of known
/// size: fewer than any real `<testcase>` element takes, so the list never has to grow (each
/// doubling copied it into fresh pages: a quarter of the page faults on 200,000 cases).
const MIN_CASE_BYTES: u64 = 64;
/// At most this many cases are reserved ahead.
const MAX_RESERVED_CASES: u64 = 1 << 20;

/// A `BufRead` that records the offsets of the newlines it hands out, for [`Lines`].
///
/// Newlines are found once per buffer refill (one `memchr` pass over the new bytes), not per
/// `consume`: quick-xml consumes a few bytes at a time, and a search per call cost a tenth of
/// the parse.
struct NewlineRecorder<R> {
    inner: R,
    consumed: u64,
    /// Bytes up to this offset have had their newlines recorded in `newlines`.
    scanned: u64,
    newlines: Vec<u64>,
}

impl<R: BufRead> NewlineRecorder<R> {
    fn new(inner: R) -> Self {
        NewlineRecorder {
            inner,
            consumed: 0,
            scanned: 0,
            newlines: Vec::new(),
        }
    }

    /// Records the newlines of `bytes`, which start at offset `start`, past `scanned`.
    fn record(newlines: &mut Vec<u64>, scanned: &mut u64, bytes: &[u8], start: u64) {
        let end = start + bytes.len() as u64;
        if end <= *scanned {
            return;
        }
        let from = scanned.saturating_sub(start) as usize;
        newlines
            .extend(memchr::memchr_iter(b'\n', &bytes[from..]).map(|p| start + (from + p) as u64));
        *scanned = end;
    }

    /// Moves the newlines recorded so far into `out` (which must be empty).
    fn take_newlines(&mut self, out: &mut Vec<u64>) {
        std::mem::swap(&mut self.newlines, out);
    }
}

impl<R: BufRead> Read for NewlineRecorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let start = self.consumed;
        Self::record(&mut self.newlines, &mut self.scanned, &buf[..n], start);
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for NewlineRecorder<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let buf = self.inner.fill_buf()?;
        Self::record(&mut self.newlines, &mut self.scanned, buf, self.consumed);
        Ok(buf)
    }

    fn consume(&mut self, amt: usize) {
        if self.consumed + amt as u64 > self.scanned {
            // Consumed without a `fill_buf` first: the bytes are still buffered, so this
            // returns them again without I/O.
            let _ = self.fill_buf();
        }
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

/// Line and column of byte offsets, from the newline offsets the tokenizer recorded, without
/// keeping the document. Offsets are only asked for at or after the start of the event being
/// handled, so newlines before it are folded into a count.
#[derive(Debug, Default)]
struct Lines {
    folded_lines: u64,
    last_folded_newline: Option<u64>,
    /// Offsets of recorded newlines; those before `cursor` are folded.
    newlines: Vec<u64>,
    cursor: usize,
}

impl Lines {
    /// Adds newline offsets, past those already known.
    fn extend(&mut self, more: &[u64]) {
        if self.cursor == self.newlines.len() {
            self.newlines.clear();
            self.cursor = 0;
        }
        self.newlines.extend_from_slice(more);
    }

    /// Forgets newline offsets before `pos`, keeping their count.
    fn fold_before(&mut self, pos: u64) {
        while let Some(&nl) = self.newlines.get(self.cursor) {
            if nl >= pos {
                break;
            }
            self.cursor += 1;
            self.folded_lines += 1;
            self.last_folded_newline = Some(nl);
        }
        if self.cursor == self.newlines.len() {
            self.newlines.clear();
            self.cursor = 0;
        }
    }

    /// 1-based line and column of byte offset `pos` (at most the bytes tokenized so far).
    fn line_col(&self, pos: u64) -> (u64, u64) {
        let mut line = self.folded_lines + 1;
        let mut last_nl = self.last_folded_newline;
        for &nl in &self.newlines[self.cursor..] {
            if nl >= pos {
                break;
            }
            line += 1;
            last_nl = Some(nl);
        }
        // An error may point before the newlines already folded away (quick-xml reports the
        // start of a truncated construct); the column then cannot be known exactly.
        let col = match last_nl {
            Some(nl) => pos.saturating_sub(nl).max(1),
            None => pos + 1,
        };
        (line, col)
    }
}

/// Which result element a child of `<testcase>` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultKind {
    Failure,
    Error,
    Skipped,
    FlakyFailure,
    FlakyError,
    RerunFailure,
    RerunError,
}

impl ResultKind {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "failure" => ResultKind::Failure,
            "error" => ResultKind::Error,
            "skipped" => ResultKind::Skipped,
            "flakyFailure" => ResultKind::FlakyFailure,
            "flakyError" => ResultKind::FlakyError,
            "rerunFailure" => ResultKind::RerunFailure,
            "rerunError" => ResultKind::RerunError,
            _ => return None,
        })
    }

    fn failure_kind(self) -> Option<FailureKind> {
        match self {
            ResultKind::Failure | ResultKind::FlakyFailure | ResultKind::RerunFailure => {
                Some(FailureKind::Failure)
            }
            ResultKind::Error | ResultKind::FlakyError | ResultKind::RerunError => {
                Some(FailureKind::Error)
            }
            ResultKind::Skipped => None,
        }
    }
}

/// What an element name means here, decided once per distinct name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ElemKind {
    Testsuites,
    Testsuite,
    Testcase,
    /// `<system-out>` or `<system-err>`.
    Output,
    Result(ResultKind),
    Other,
}

impl ElemKind {
    fn of(name: &str) -> Self {
        match name {
            "testsuites" => ElemKind::Testsuites,
            "testsuite" => ElemKind::Testsuite,
            "testcase" => ElemKind::Testcase,
            "system-out" | "system-err" => ElemKind::Output,
            _ => ResultKind::from_name(name).map_or(ElemKind::Other, ElemKind::Result),
        }
    }
}

/// An open element: its interned name and its index among same-named siblings (for element
/// paths in messages), and how many children of each name it has had so far.
struct OpenElement {
    name: u32,
    index: usize,
    children: Vec<(u32, usize)>,
}

/// A result element being read. Its body is collected in [`Parser::body`].
struct OpenResult {
    kind: ResultKind,
    type_name: Option<String>,
    message: Option<String>,
    message_len: usize,
    body_len: usize,
    /// Depth of `<system-out>`/`<system-err>` nesting inside it (Surefire puts them in
    /// `<flakyFailure>`); their text is output, not the failure body.
    in_output: usize,
    time: Option<f64>,
}

/// A result element that has been read: its kind, its failure (for failure kinds), its skip
/// message (for `<skipped>`) and its own `time`.
struct ReadResult {
    kind: ResultKind,
    failure: Option<Failure>,
    skip_message: Option<String>,
    time: Option<f64>,
}

/// A `<testcase>` being read.
struct OpenCase {
    id: TestId,
    file: Option<Arc<str>>,
    line: Option<u64>,
    time: Option<f64>,
    results: Vec<ReadResult>,
    /// Whether the case's own `<system-out>`/`<system-err>` is being read; its text goes to
    /// [`Parser::output`].
    in_output: bool,
    depth: usize,
}

/// A `<testsuite>` (or the `<testsuites>` root) being read.
struct OpenSuite {
    name: Option<Arc<str>>,
    is_root_collection: bool,
    declared: [Option<u64>; 4],
    counted: [u64; 4],
    declared_time: Option<f64>,
    child_time: f64,
    location: Location,
    /// Index in `out.cases` of the suite's first test case.
    first_case: usize,
}

/// Builds the test cases from the events of a [`Tokenizer`].
struct Parser {
    lines: Lines,
    /// Distinct element names, and what each means; elements refer to them by index.
    names: Vec<(Box<str>, ElemKind)>,
    name_ids: HashMap<Box<str>, u32>,
    /// Open elements from the root: `open[..depth]` (slots past it are kept for reuse, so a
    /// deep document does not allocate per element).
    open: Vec<OpenElement>,
    depth: usize,
    /// How many children of each name the document root level has had.
    top_children: Vec<(u32, usize)>,
    suites: Vec<OpenSuite>,
    /// Text of the open result element (cut at [`SCAN_LIMIT`]); reused across elements.
    body: String,
    /// Text of the open case's own `<system-out>`/`<system-err>` (cut at [`SCAN_LIMIT`]),
    /// searched for frames when the failure body has none (nextest writes the panic there).
    output: String,
    /// The last `classname`/`file` values, shared by the next cases that repeat them.
    last_classname: Option<Arc<str>>,
    last_file: Option<Arc<str>>,
    case: Option<OpenCase>,
    result: Option<OpenResult>,
    out: ParsedTests,
    root_seen: bool,
    root_time: Option<f64>,
    top_time: f64,
    suite_warnings: usize,
    entity_warned: bool,
    event_start: u64,
}

impl Parser {
    fn new() -> Self {
        Parser {
            lines: Lines::default(),
            names: Vec::new(),
            name_ids: HashMap::new(),
            open: Vec::new(),
            depth: 0,
            top_children: Vec::new(),
            suites: Vec::new(),
            body: String::new(),
            output: String::new(),
            last_classname: None,
            last_file: None,
            case: None,
            result: None,
            out: ParsedTests {
                id_hashes: Some(Vec::new()),
                ..ParsedTests::default()
            },
            root_seen: false,
            root_time: None,
            top_time: 0.0,
            suite_warnings: 0,
            entity_warned: false,
            event_start: 0,
        }
    }

    /// Reserves room for the cases of an input of `size` bytes. The room past the cases read
    /// is never written, so it costs address space, not memory; it is given back at the end.
    fn reserve_for(&mut self, size: u64) {
        let cases = (size / MIN_CASE_BYTES).min(MAX_RESERVED_CASES);
        let cases = usize::try_from(cases).unwrap_or(0);
        self.out.cases.reserve(cases);
        if let Some(hashes) = &mut self.out.id_hashes {
            hashes.reserve(cases);
        }
    }

    fn location_at(&self, pos: u64, element: Option<String>) -> Location {
        let (line, col) = self.lines.line_col(pos);
        Location {
            line: Some(line),
            column: Some(col),
            element,
        }
    }

    fn element_path(&self) -> String {
        self.open[..self.depth]
            .iter()
            .map(|e| format!("{}[{}]", self.name_of(e.name), e.index))
            .collect::<Vec<_>>()
            .join("/")
    }

    fn name_of(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |(n, _)| n)
    }

    fn intern(&mut self, name: &str) -> u32 {
        // Reports use a handful of element names: a scan of the first few beats hashing.
        if let Some(id) = self.names.iter().take(16).position(|(n, _)| **n == *name) {
            return id as u32;
        }
        if let Some(&id) = self.name_ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.push((name.into(), ElemKind::of(name)));
        self.name_ids.insert(name.into(), id);
        id
    }

    fn here(&self) -> Location {
        let path = self.element_path();
        self.location_at(self.event_start, (!path.is_empty()).then_some(path))
    }

    fn error_here(&self, message: impl Into<String>) -> FormatError {
        FormatError {
            location: self.here(),
            message: message.into(),
        }
    }

    fn warn(&mut self, location: Location, message: impl Into<String>) {
        self.out.warnings.push(Warning {
            location,
            message: message.into(),
        });
    }

    /// Handles a batch of events; true once the document has ended.
    fn feed(&mut self, batch: &Batch) -> Result<bool, FormatError> {
        self.lines.extend(&batch.newlines);
        for t in &batch.toks {
            self.event_start = t.start;
            self.lines.fold_before(t.start);
            let text = &batch.text[t.from..t.to];
            let read = batch.spans.get(t.spans.0..t.spans.1).unwrap_or(&[]);
            match t.kind {
                TokKind::Start => self.start(&BytesStart::from_content(text, t.name_len), read)?,
                TokKind::Empty => {
                    self.start(&BytesStart::from_content(text, t.name_len), read)?;
                    self.end()?;
                }
                TokKind::End => self.end()?,
                // Text outside failure bodies and failed cases' output is not kept: not decoded.
                // Normalizing line breaks again changes nothing in a text that was cut.
                TokKind::Text if self.collecting() => {
                    let text = BytesText::from_escaped(text).xml10_content();
                    self.text(&text, t.cut_len.unwrap_or(text.len()));
                }
                TokKind::CData if self.collecting() => {
                    let text = BytesCData::new(text).xml10_content();
                    self.text(&text, t.cut_len.unwrap_or(text.len()));
                }
                TokKind::Text | TokKind::CData => {}
                TokKind::Ref => self.general_ref(&BytesRef::new(text))?,
            }
        }
        match &batch.end {
            None => Ok(false),
            Some(DocEnd::Eof { start }) => {
                self.event_start = *start;
                self.lines.fold_before(*start);
                Ok(true)
            }
            Some(DocEnd::Error {
                start,
                pos,
                message,
            }) => {
                self.event_start = *start;
                self.lines.fold_before(*start);
                let path = self.element_path();
                Err(FormatError {
                    location: self.location_at(*pos, (!path.is_empty()).then_some(path)),
                    message: message.clone(),
                })
            }
        }
    }

    /// Checks that the document was complete and hands over what it held.
    fn finish(mut self) -> Result<ParsedTests, FormatError> {
        if !self.root_seen {
            return Err(FormatError {
                location: self.here(),
                message: "no XML element found; expected a JUnit report with a <testsuites>, <testsuite> or <testcase> root".into(),
            });
        }
        if let Some(open) = self.open[..self.depth].last() {
            let name = self.name_of(open.name).to_owned();
            let path = self.element_path();
            return Err(FormatError {
                location: self.location_at(self.event_start, Some(path)),
                message: format!(
                    "unexpected end of file: <{name}> is not closed (truncated report?)"
                ),
            });
        }
        self.out.duration = self.root_time.unwrap_or(self.top_time);
        self.out.cases.shrink_to_fit();
        if let Some(hashes) = &mut self.out.id_hashes {
            hashes.shrink_to_fit();
        }
        Ok(self.out)
    }

    /// A start tag; `read` is what the tokenizer found of its attributes.
    fn start(&mut self, e: &BytesStart<'_>, read: &[Span]) -> Result<(), FormatError> {
        let qname = e.name();
        let name_str: &str = qname.as_ref();
        let name = self.intern(name_str);
        let kind = self
            .names
            .get(name as usize)
            .map_or(ElemKind::Other, |n| n.1);
        // Index among same-named siblings, for element paths in messages.
        let counts = match self.depth {
            0 => &mut self.top_children,
            d => &mut self.open[d - 1].children,
        };
        let index = match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, c)) => {
                *c += 1;
                *c - 1
            }
            None => {
                counts.push((name, 1));
                0
            }
        };
        if self.open.len() == self.depth {
            self.open.push(OpenElement {
                name,
                index,
                children: Vec::new(),
            });
        } else {
            let slot = &mut self.open[self.depth];
            slot.name = name;
            slot.index = index;
            slot.children.clear();
        }
        self.depth += 1;

        if !self.root_seen {
            self.root_seen = true;
            if !matches!(
                kind,
                ElemKind::Testsuites | ElemKind::Testsuite | ElemKind::Testcase
            ) {
                let name = name_str.to_owned();
                return Err(self.error_here(format!(
                    "root element is <{name}>; expected a JUnit report with a <testsuites>, <testsuite> or <testcase> root"
                )));
            }
        }

        if let Some(result) = &mut self.result {
            if kind == ElemKind::Output {
                result.in_output += 1;
            }
            return Ok(());
        }
        if let Some(case) = &mut self.case {
            case.depth += 1;
            if let ElemKind::Result(kind) = kind {
                let [message, type_name, time] = self.attributes(e, RESULT_KEYS, read);
                let (message, message_len) = match message {
                    Some(m) => (Some(cut(&m, MESSAGE_KEEP)), m.len()),
                    None => (None, 0),
                };
                let time = self.time_attr(time.as_deref());
                self.body.clear();
                self.result = Some(OpenResult {
                    kind,
                    type_name: type_name.map(Cow::into_owned),
                    message,
                    message_len,
                    body_len: 0,
                    in_output: 0,
                    time,
                });
            } else if kind == ElemKind::Output {
                if let Some(case) = &mut self.case {
                    case.in_output = true;
                }
            }
            return Ok(());
        }
        match kind {
            ElemKind::Testsuites | ElemKind::Testsuite => {
                let [tests, failures, errors, skipped, time, suite_name] =
                    self.attributes(e, SUITE_KEYS, read);
                let num = |v: Option<Cow<'_, str>>| v.and_then(|v| v.trim().parse::<u64>().ok());
                let declared = [num(tests), num(failures), num(errors), num(skipped)];
                let declared_time = self.time_attr(time.as_deref());
                let location = self.here();
                let first_case = self.out.cases.len();
                self.suites.push(OpenSuite {
                    first_case,
                    name: suite_name.map(|n| Arc::from(&*n)),
                    is_root_collection: kind == ElemKind::Testsuites,
                    declared,
                    counted: [0; 4],
                    declared_time,
                    child_time: 0.0,
                    location,
                });
            }
            ElemKind::Testcase => {
                let [case_name, classname, time, file, line] = self.attributes(e, CASE_KEYS, read);
                let line = line.and_then(|l| l.trim().parse::<u64>().ok());
                let time = self.time_attr(time.as_deref());
                let suite = self
                    .suites
                    .iter()
                    .rev()
                    .find(|s| !s.is_root_collection)
                    .and_then(|s| s.name.clone());
                let classname = classname.map(|c| share(&mut self.last_classname, &c));
                let file = file.map(|f| share(&mut self.last_file, &f));
                self.output.clear();
                self.case = Some(OpenCase {
                    id: TestId {
                        suite,
                        classname,
                        name: case_name.map(Cow::into_owned),
                    },
                    file,
                    line,
                    time,
                    results: Vec::new(),
                    in_output: false,
                    depth: 0,
                });
            }
            // <properties>, suite-level <system-out>, and extensions of other tools: not needed.
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), FormatError> {
        let Some(open) = self.open[..self.depth].last() else {
            return Err(self.error_here("closing tag without an opening tag"));
        };
        let kind = self
            .names
            .get(open.name as usize)
            .map_or(ElemKind::Other, |n| n.1);
        self.end_element(kind);
        self.depth -= 1;
        Ok(())
    }

    fn end_element(&mut self, kind: ElemKind) {
        if let Some(result) = &mut self.result {
            if kind == ElemKind::Output && result.in_output > 0 {
                result.in_output -= 1;
                return;
            }
            if kind != ElemKind::Result(result.kind) || result.in_output > 0 {
                return;
            }
            if let Some(result) = self.result.take() {
                self.finish_result(result);
            }
            if let Some(case) = &mut self.case {
                case.depth -= 1;
            }
            return;
        }
        if let Some(case) = &mut self.case {
            if case.depth > 0 {
                case.depth -= 1;
                if kind == ElemKind::Output {
                    case.in_output = false;
                }
                return;
            }
            if let Some(case) = self.case.take() {
                self.finish_case(case);
            }
            return;
        }
        if matches!(kind, ElemKind::Testsuites | ElemKind::Testsuite) {
            if let Some(suite) = self.suites.pop() {
                self.finish_suite(suite);
            }
        }
    }

    fn finish_result(&mut self, r: OpenResult) {
        let Some(case) = &mut self.case else { return };
        if r.kind.failure_kind().is_none() {
            let msg = r.message.or_else(|| first_line(&self.body));
            case.results.push(ReadResult {
                kind: r.kind,
                failure: None,
                skip_message: msg,
                time: r.time,
            });
            return;
        }
        let mut frames = Vec::new();
        scan_frames(&self.body, &mut frames);
        let body = self.body.trim_matches(['\n', '\r']);
        let message = r.message.clone().or_else(|| first_line(body));
        let message_len = if r.message.is_some() {
            r.message_len
        } else {
            message.as_ref().map_or(0, String::len)
        };
        let failure = Failure {
            type_name: r.type_name,
            message,
            message_len,
            details: (!body.trim().is_empty()).then(|| cut(body, DETAILS_KEEP)),
            details_len: if body.trim().is_empty() {
                0
            } else {
                r.body_len
            },
            frames,
            location: None,
        };
        case.results.push(ReadResult {
            kind: r.kind,
            failure: Some(failure),
            skip_message: None,
            time: r.time,
        });
    }

    fn finish_case(&mut self, case: OpenCase) {
        let has = |k: ResultKind| case.results.iter().any(|r| r.kind == k);
        let outcome = if has(ResultKind::Failure) {
            TestOutcome::Failed
        } else if has(ResultKind::Error) {
            TestOutcome::Errored
        } else if has(ResultKind::Skipped) {
            TestOutcome::Skipped
        } else {
            TestOutcome::Passed
        };
        let output = std::mem::take(&mut self.output);
        let output_frames = {
            let mut frames = Vec::new();
            if outcome.is_failure() || !case.results.is_empty() {
                scan_frames(&output, &mut frames);
            }
            frames
        };
        let mut results = case.results;
        for r in &mut results {
            if let Some(f) = &mut r.failure {
                if f.frames.is_empty() {
                    f.frames.clone_from(&output_frames);
                }
                f.location = pick_location(&f.frames, case.file.as_deref(), case.line);
                if f.details.is_none() && !output.trim().is_empty() {
                    f.details = Some(cut(output.trim(), DETAILS_KEEP));
                    f.details_len = output.trim().len();
                }
            }
        }
        self.output = output;
        let take = |results: &mut Vec<ReadResult>, k: ResultKind| {
            results
                .iter()
                .position(|r| r.kind == k)
                .map(|i| results.remove(i))
        };
        // The element's own outcome, and the earlier (flaky) or later (rerun) attempts.
        let mut main = Attempt {
            outcome,
            failure: None,
            skip_message: None,
            time: case.time,
        };
        match outcome {
            TestOutcome::Failed | TestOutcome::Errored => {
                let k = if outcome == TestOutcome::Failed {
                    ResultKind::Failure
                } else {
                    ResultKind::Error
                };
                if let Some(r) = take(&mut results, k) {
                    let fk = k.failure_kind().unwrap_or(FailureKind::Failure);
                    main.failure = r.failure.map(|f| Box::new((fk, f)));
                }
            }
            TestOutcome::Skipped => {
                if let Some(r) = take(&mut results, ResultKind::Skipped) {
                    main.skip_message = r.skip_message;
                }
            }
            TestOutcome::Passed => {}
        }
        let mut before = Vec::new();
        let mut after = Vec::new();
        for ReadResult {
            kind: rk,
            failure,
            time,
            ..
        } in results
        {
            let (list, outcome) = match rk {
                ResultKind::FlakyFailure => (&mut before, TestOutcome::Failed),
                ResultKind::FlakyError => (&mut before, TestOutcome::Errored),
                ResultKind::RerunFailure => (&mut after, TestOutcome::Failed),
                ResultKind::RerunError => (&mut after, TestOutcome::Errored),
                // Extra <failure>/<error>/<skipped> beyond the deciding one: one run reported
                // several problems; they are not separate attempts.
                ResultKind::Failure | ResultKind::Error | ResultKind::Skipped => continue,
            };
            let fk = rk.failure_kind().unwrap_or(FailureKind::Failure);
            list.push(Attempt {
                outcome,
                failure: failure.map(|f| Box::new((fk, f))),
                skip_message: None,
                time,
            });
        }
        // The element's own result goes last so that it decides the outcome, as every JUnit
        // reader counts it (`<failure>` + `<rerunError>` is a failure); reruns come before it.
        let attempts: Attempts = if before.is_empty() && after.is_empty() {
            Attempts::one(main)
        } else {
            let mut all = before;
            all.extend(after);
            all.push(main);
            Attempts::from(all)
        };
        if let Some(suite) = self.suites.last_mut() {
            suite.counted[0] += 1;
            match outcome {
                TestOutcome::Failed => suite.counted[1] += 1,
                TestOutcome::Errored => suite.counted[2] += 1,
                TestOutcome::Skipped => suite.counted[3] += 1,
                TestOutcome::Passed => {}
            }
            suite.child_time += case.time.unwrap_or(0.0);
        } else {
            self.top_time += case.time.unwrap_or(0.0);
        }
        self.out.elements += 1;
        if let (Some(hashes), Some(_)) = (&mut self.out.id_hashes, &case.id.name) {
            hashes.push(case.id.hash_id());
        }
        self.out.cases.push(TestCase {
            id: case.id,
            file: case.file,
            line: case.line,
            attempts,
        });
    }

    fn finish_suite(&mut self, suite: OpenSuite) {
        let reruns = self.mark_silent_reruns(&suite);
        let labels = ["tests", "failures", "errors", "skipped"];
        let disagree: Vec<String> = (0..4)
            .filter_map(|i| {
                let d = suite.declared[i]?;
                // Explained: the suite counted each rerun test once.
                if i == 0 && reruns {
                    return None;
                }
                (d != suite.counted[i])
                    .then(|| format!("{}={} but {} found", labels[i], d, suite.counted[i]))
            })
            .collect();
        if !disagree.is_empty() {
            self.suite_warnings += 1;
            if self.suite_warnings <= MAX_SUITE_WARNINGS {
                let name = suite.name.as_deref().unwrap_or("(unnamed)");
                self.warn(
                    suite.location.clone(),
                    format!(
                        "suite {name:?} says {}; counting the <testcase> elements",
                        disagree.join(", ")
                    ),
                );
            } else if self.suite_warnings == MAX_SUITE_WARNINGS + 1 {
                self.warn(
                    suite.location.clone(),
                    "more suites whose own counts disagree with their test cases (not listed)",
                );
            }
        }
        let time = suite.declared_time.unwrap_or(suite.child_time);
        match self.suites.last_mut() {
            Some(parent) => {
                for i in 0..4 {
                    parent.counted[i] += suite.counted[i];
                }
                parent.child_time += time;
            }
            None => {
                self.top_time += time;
                self.root_time = suite.declared_time.or(Some(time));
            }
        }
    }

    /// pytest-rerunfailures writes every rerun of a test as another `<testcase>` right after the
    /// previous one, and the attempts that failed before the last one as *empty* elements (the
    /// plugin's "rerun" outcome is unknown to pytest's junitxml). A test is only rerun after it
    /// failed, so when a suite's `tests` attribute counts each repeated test once (which is how
    /// the plugin's reports, and no plain repeat such as `go test -count=2`, look), every empty
    /// element followed by another element of the same test is taken as a failed attempt.
    /// Returns whether the suite looked like that.
    fn mark_silent_reruns(&mut self, suite: &OpenSuite) -> bool {
        let cases = &mut self.out.cases[suite.first_case..];
        let elements = cases.len();
        // Only a suite that declares fewer tests than it has elements can be such a report;
        // skip counting distinct ids (a sort) for all others.
        match suite.declared[0] {
            Some(declared) if declared < elements as u64 => {}
            _ => return false,
        }
        let distinct = {
            let mut ids: Vec<&TestId> = cases.iter().map(|c| &c.id).collect();
            ids.sort();
            ids.dedup();
            ids.len()
        };
        let Some(declared) = suite.declared[0] else {
            return false;
        };
        if distinct == elements || declared != distinct as u64 {
            return false;
        }
        for i in 0..elements.saturating_sub(1) {
            let (head, tail) = cases.split_at_mut(i + 1);
            let (this, next) = (&mut head[i], &tail[0]);
            let silent = this.attempts.len() == 1 && this.outcome() == TestOutcome::Passed;
            if silent && this.id.name.is_some() && this.id == next.id {
                if let Some(a) = this.attempts.first_mut() {
                    a.outcome = TestOutcome::Failed;
                    a.failure = Some(Box::new((FailureKind::Failure, Failure::default())));
                }
            }
        }
        // The repeats are attempts of one test: make them one case, so a test that failed every
        // attempt still counts once.
        let tail = self.out.cases.split_off(suite.first_case);
        let mut collapsed: Vec<TestCase> = Vec::with_capacity(tail.len());
        for case in tail {
            match collapsed.last_mut() {
                Some(prev) if prev.id.name.is_some() && prev.id == case.id => {
                    prev.attempts.extend(case.attempts);
                    prev.file = prev.file.take().or(case.file);
                    prev.line = prev.line.or(case.line);
                }
                _ => collapsed.push(case),
            }
        }
        self.out.cases.extend(collapsed);
        true
    }

    /// Whether text here is kept: a result element's body, or a case's own output.
    fn collecting(&self) -> bool {
        match (&self.result, &self.case) {
            (Some(result), _) => result.in_output == 0,
            (None, Some(case)) => case.in_output,
            (None, None) => false,
        }
    }

    /// Text read here: `text` (at least its first [`SCAN_LIMIT`] bytes) of `len` bytes.
    fn text(&mut self, text: &str, len: usize) {
        if let Some(result) = &mut self.result {
            if result.in_output == 0 {
                result.body_len += len;
                push_capped(&mut self.body, text, SCAN_LIMIT);
            }
        } else if let Some(case) = &mut self.case {
            if case.in_output {
                push_capped(&mut self.output, text, SCAN_LIMIT);
            }
        }
    }

    fn general_ref(&mut self, r: &BytesRef<'_>) -> Result<(), FormatError> {
        let resolved: Cow<'_, str> = match r.resolve_char_ref() {
            Ok(Some(c)) => Cow::Owned(c.to_string()),
            Ok(None) => match quick_xml::escape::resolve_predefined_entity(r) {
                Some(s) => Cow::Borrowed(s),
                None => {
                    if !self.entity_warned {
                        self.entity_warned = true;
                        let loc = self.here();
                        self.warn(loc, format!("unknown entity &{};, kept as written", &**r));
                    }
                    Cow::Owned(format!("&{};", &**r))
                }
            },
            Err(err) => return Err(self.error_here(format!("bad character reference: {err}"))),
        };
        self.text(&resolved, resolved.len());
        Ok(())
    }

    /// The values of the attributes named `keys` (the first of each, unescaped and normalized).
    /// A value quick-xml cannot unescape (an unknown entity) is kept raw with a warning; other
    /// attributes are only unescaped when they contain a reference, to warn the same way.
    ///
    /// `read` is what the tokenizer found of them ([`read_attributes`], for the same `keys`).
    fn attributes<'e, const N: usize>(
        &mut self,
        e: &'e BytesStart<'_>,
        keys: [&str; N],
        read: &[Span],
    ) -> [Option<Cow<'e, str>>; N] {
        if read.len() == N {
            let raw = e.attributes_raw();
            return std::array::from_fn(|i| {
                read[i]
                    .and_then(|(a, b)| raw.get(a as usize..b as usize))
                    .map(Cow::Borrowed)
            });
        }
        let mut out: [Option<Cow<'e, str>>; N] = std::array::from_fn(|_| None);
        let mut problems = Vec::new();
        for a in e.attributes().with_checks(false) {
            let a: Attribute<'e> = match a {
                Ok(a) => a,
                Err(err) => {
                    problems.push(format!("skipped an attribute: {err}"));
                    continue;
                }
            };
            let key: &str = a.key.as_ref();
            let slot = keys.iter().position(|k| *k == key);
            let wanted = slot.is_some_and(|i| out[i].is_none());
            if !wanted && memchr::memchr(b'&', a.value.as_bytes()).is_none() {
                continue;
            }
            let value = match a.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
                Ok(v) => v,
                Err(err) => {
                    problems.push(format!("attribute {key}: {err}; kept as written"));
                    a.value.clone()
                }
            };
            if let (true, Some(i)) = (wanted, slot) {
                out[i] = Some(value);
            }
        }
        for p in problems {
            let loc = self.here();
            self.warn(loc, p);
        }
        out
    }

    fn time_attr(&mut self, raw: Option<&str>) -> Option<f64> {
        let raw = raw?;
        let parsed = parse_time(raw);
        if parsed.is_none() {
            let mut loc = self.here();
            if let Some(el) = &mut loc.element {
                el.push_str("/@time");
            }
            self.warn(loc, format!("time {raw:?} is not a duration; ignored"));
        }
        parsed
    }
}

/// The attributes read of each kind of element.
const SUITE_KEYS: [&str; 6] = ["tests", "failures", "errors", "skipped", "time", "name"];
const CASE_KEYS: [&str; 5] = ["name", "classname", "time", "file", "line"];
const RESULT_KEYS: [&str; 3] = ["message", "type", "time"];

/// On the tokenizing thread, where the values of the attributes the builder will read of
/// this element are, when they are written plainly ([`plain_attributes`]): that scan is a
/// tenth of the builder's work, and this way the two threads do as much. Nothing is added
/// otherwise, and the builder reads the attributes itself (with quick-xml, and warnings).
fn read_attributes(e: &BytesStart<'_>, spans: &mut Vec<Span>) {
    fn read<const N: usize>(raw: &str, keys: [&str; N], spans: &mut Vec<Span>) {
        let mut out = [None; N];
        if plain_attributes(raw, &keys, &mut out) {
            spans.extend_from_slice(&out);
        }
    }
    let raw = e.attributes_raw();
    match ElemKind::of(e.name().as_ref()) {
        ElemKind::Testsuites | ElemKind::Testsuite => read(raw, SUITE_KEYS, spans),
        ElemKind::Testcase => read(raw, CASE_KEYS, spans),
        ElemKind::Result(_) => read(raw, RESULT_KEYS, spans),
        ElemKind::Output | ElemKind::Other => {}
    }
}

/// A range of bytes of a start tag's attributes (an attribute value), if there is one.
type Span = Option<(u32, u32)>;

fn span(start: usize, end: usize) -> Option<(u32, u32)> {
    Some((u32::try_from(start).ok()?, u32::try_from(end).ok()?))
}

/// Where attribute values written the common way are,, `key="value"` separated by whitespace, with
/// values that need no unescaping or normalization (no `&`, no tab or line break): their
/// ranges in `raw` go into the slots of `keys` (the first of each wins). Returns false on anything else, for quick-xml's
/// attribute reader to handle with its checks and warnings: this is only a shortcut past it.
fn plain_attributes<const N: usize>(raw: &str, keys: &[&str; N], out: &mut [Span; N]) -> bool {
    let b = raw.as_bytes();
    // Nearly every start tag is one line of `key="value"` pairs with nothing to unescape: one
    // branch-free pass over it (vectorized) says so, and the values are then found with
    // `memchr`, not byte by byte.
    let special = b.iter().fold(false, |acc, &c| {
        acc | (c < 0x20) | (c == b'&') | (c == b'<')
    });
    if !special {
        if let Some(done) = simple_attributes(raw, keys, out) {
            return done;
        }
        *out = [None; N];
    }
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
    let mut i = 0;
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return true;
        }
        let key_start = i;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let key = &raw[key_start..i];
        if key.is_empty() || b.get(i) != Some(&b'=') {
            return false;
        }
        i += 1;
        let Some(&quote) = b.get(i).filter(|q| matches!(q, b'"' | b'\'')) else {
            return false;
        };
        // One pass to the closing quote, stopping early at what needs quick-xml (values are
        // short: a loop is cheaper than several `memchr` calls).
        let Some(len) = b[i + 1..]
            .iter()
            .position(|&c| c == quote || c == b'&' || c == b'<' || c < 0x20)
        else {
            return false;
        };
        if b[i + 1 + len] != quote {
            return false;
        }
        if let Some(slot) = keys.iter().position(|k| *k == key) {
            if out[slot].is_none() {
                let Some(value) = span(i + 1, i + 1 + len) else {
                    return false;
                };
                out[slot] = Some(value);
            }
        }
        i += len + 2;
        if i < b.len() && !is_space(b[i]) {
            return false;
        }
    }
}

/// [`plain_attributes`] for a tag without control characters, `&` or `<`: pairs separated by
/// spaces. `None` when it is not that simple after all (the general loop decides then).
fn simple_attributes<const N: usize>(
    raw: &str,
    keys: &[&str; N],
    out: &mut [Span; N],
) -> Option<bool> {
    let b = raw.as_bytes();
    let mut i = 0;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i == b.len() {
            return Some(true);
        }
        let eq = i + memchr::memchr(b'=', &b[i..])?;
        let key = &raw[i..eq];
        if key.is_empty() || memchr::memchr(b' ', key.as_bytes()).is_some() {
            return None;
        }
        let quote = *b.get(eq + 1).filter(|q| matches!(q, b'"' | b'\''))?;
        let start = eq + 2;
        let end = start + memchr::memchr(quote, &b[start..])?;
        if let Some(slot) = keys.iter().position(|k| *k == key) {
            if out[slot].is_none() {
                out[slot] = Some(span(start, end)?);
            }
        }
        i = end + 1;
        if i < b.len() && b[i] != b' ' {
            return None;
        }
    }
}

/// `value` as the shared string `last` when it repeats it (the cases of one class name the same
/// class and file), else a new one that becomes `last`.
fn share(last: &mut Option<Arc<str>>, value: &str) -> Arc<str> {
    match last {
        Some(prev) if **prev == *value => prev.clone(),
        _ => {
            let new: Arc<str> = Arc::from(value);
            *last = Some(new.clone());
            new
        }
    }
}

/// Durations as tools write them: `1.5`, `1,234.5` (thousands), `1,5` (decimal comma), `1.5s`,
/// `1e-05`, `01:02:03.5`. Negative, NaN and infinite values are rejected.
pub fn parse_time(raw: &str) -> Option<f64> {
    if let Some(value) = plain_decimal(raw) {
        return Some(value);
    }
    let s = raw.trim();
    let s = s.strip_suffix('s').unwrap_or(s).trim();
    if s.is_empty() {
        return None;
    }
    let value = if s.contains(':') {
        let mut total = 0.0;
        for part in s.split(':') {
            total = total * 60.0 + part.trim().parse::<f64>().ok()?;
        }
        total
    } else if s.contains(',') {
        let normalized = if s.contains('.') {
            s.replace(',', "")
        } else if s.matches(',').count() == 1 && s.split(',').nth(1).is_some_and(|f| f.len() != 3) {
            s.replace(',', ".")
        } else {
            s.replace(',', "")
        };
        normalized.parse::<f64>().ok()?
    } else {
        s.parse::<f64>().ok()?
    };
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// `DIGITS[.DIGITS]` with at most 15 digits (how nearly every tool writes `time`), computed as
/// integer ÷ power of ten. Both are exact in an `f64` and the division rounds correctly, so
/// this equals `str::parse::<f64>`, at a fraction of its cost. `None` for anything else.
fn plain_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut frac: Option<usize> = None;
    for &c in b {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                digits += 1;
                if let Some(f) = &mut frac {
                    *f += 1;
                }
            }
            b'.' if frac.is_none() => frac = Some(0),
            _ => return None,
        }
    }
    // "1." and "." are left to the general parser, as are more digits than an f64 holds.
    if digits == 0 || digits > 15 || frac == Some(0) || b[0] == b'.' {
        return None;
    }
    Some(mantissa as f64 / POW10[frac.unwrap_or(0)])
}

/// Cuts `s` to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> String {
    prefix(s, max).to_owned()
}

/// Appends `text` to `buf`, stopping at `cap` bytes (at a character boundary). No temporary
/// copy: half the cases of a Surefire report have output, and this runs for each of them.
fn push_capped(buf: &mut String, text: &str, cap: usize) {
    if buf.len() >= cap {
        return;
    }
    buf.push_str(prefix(text, cap - buf.len()));
}

/// The longest prefix of `s` of at most `max` bytes that ends at a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| cut(l, MESSAGE_KEEP))
}

/// Where to point for a failure: the first frame of the body that looks like project code (where
/// it broke, which may be below the test); else the test's `file`/`line` attributes.
fn pick_location(frames: &[Frame], file: Option<&str>, line: Option<u64>) -> Option<Frame> {
    if let Some(f) = frames.iter().find(|f| !is_third_party(&f.file)) {
        return Some(f.clone());
    }
    match (file, line) {
        (Some(file), Some(line)) => Some(Frame {
            file: file.to_owned(),
            line,
        }),
        _ => None,
    }
}

/// Frames from libraries, runtimes and test frameworks, which never are the place to fix.
fn is_third_party(file: &str) -> bool {
    const MARKERS: &[&str] = &[
        "site-packages/",
        "dist-packages/",
        "node_modules/",
        "/usr/lib/",
        "/usr/local/lib/",
        "<frozen",
        "node:",
        "/rustc/",
        ".cargo/registry/",
        "/libexec/",
        "/go/src/runtime/",
        "/go/src/testing/",
        "/usr/local/go/",
        "/lib/python",
        "<anonymous>",
        "<string>",
    ];
    let file = file.replace('\\', "/");
    MARKERS.iter().any(|m| file.contains(m))
}

/// Java packages of the JDK and common test frameworks; their frames are skipped.
fn is_library_class(class: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "com.sun.",
        "org.junit.",
        "junit.",
        "org.testng.",
        "org.apache.maven.",
        "org.gradle.",
        "org.opentest4j.",
        "org.assertj.",
        "org.hamcrest.",
        "org.mockito.",
        "kotlin.",
        "scala.",
        "worker.org.gradle.",
        "org.jetbrains.",
        "org.spockframework.",
    ];
    PREFIXES.iter().any(|p| class.starts_with(p))
}

const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "java", "kt", "kts", "scala", "groovy", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts",
    "cts", "vue", "svelte", "go", "rs", "rb", "php", "phpt", "cs", "fs", "vb", "c", "cc", "cpp",
    "cxx", "h", "hh", "hpp", "m", "mm", "swift", "ex", "exs", "erl", "dart", "lua", "pl", "pm",
    "t", "r", "jl", "zig", "nim", "cr", "hs", "ml", "clj", "cljs", "sh",
];

/// Collects `file:line` frames from a stack trace or test output: Python (`File "x.py", line 3`,
/// pytest's `x.py:3: Error`), Java (`at a.b.C.m(C.java:3)` → `a/b/C.java`), JS (`at f (x.js:3:5)`),
/// Go (`x_test.go:3: msg`, `/abs/x.go:3 +0x1d`), Rust (`panicked at src/x.rs:3:5`) and similar.
fn scan_frames(text: &str, frames: &mut Vec<Frame>) {
    for raw in text.lines() {
        if frames.len() >= MAX_FRAMES {
            return;
        }
        let line = raw.trim();
        if let Some(f) = java_frame(line).or_else(|| python_frame(line)) {
            push_new(frames, f);
            continue;
        }
        if line.starts_with("at ") && line.contains('(') && line.contains(".java") {
            continue;
        }
        if !may_hold_generic_frame(line) {
            continue;
        }
        if let Some(f) = generic_frame(line) {
            push_new(frames, f);
        }
    }
}

/// Adds `f` unless it is there already (line numbers compared first: cheaper than paths).
fn push_new(frames: &mut Vec<Frame>, f: Frame) {
    if !frames.iter().any(|g| g.line == f.line && g.file == f.file) {
        frames.push(f);
    }
}

fn java_frame(line: &str) -> Option<Frame> {
    // Byte searches (memchr) rather than `str` patterns: this runs on every line of every
    // stack trace, and the lines are short.
    let rest = line.strip_prefix("at ")?;
    let open = memchr::memchr(b'(', rest.as_bytes())?;
    let close = memchr::memchr(b')', &rest.as_bytes()[open..])? + open;
    let method = &rest[..open];
    let inner = &rest[open + 1..close];
    let colon = memchr::memrchr(b':', inner.as_bytes())?;
    let (file, num) = (&inner[..colon], &inner[colon + 1..]);
    let line_no = num.trim().parse::<u64>().ok()?;
    let ext = &file[memchr::memrchr(b'.', file.as_bytes())? + 1..];
    if !matches!(ext, "java" | "kt" | "scala" | "groovy") {
        return None;
    }
    // `a.b.C$Inner.method` → package `a.b`; strip any `module@version/` prefix.
    let method = memchr::memrchr(b'/', method.as_bytes()).map_or(method, |i| &method[i + 1..]);
    if is_library_class(method) {
        return None;
    }
    // The package: all but the last two dotted parts (class and method).
    let last_dot = |s: &str| memchr::memrchr(b'.', s.as_bytes());
    let package = last_dot(method)
        .and_then(|i| last_dot(&method[..i]))
        .map_or("", |i| &method[..i]);
    let mut path = String::with_capacity(package.len() + 1 + file.len());
    let mut from = 0;
    for dot in memchr::memchr_iter(b'.', package.as_bytes()) {
        path.push_str(&package[from..dot]);
        path.push('/');
        from = dot + 1;
    }
    path.push_str(&package[from..]);
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(file);
    Some(Frame {
        file: path,
        line: line_no,
    })
}

fn python_frame(line: &str) -> Option<Frame> {
    let rest = line.strip_prefix("File \"")?;
    let (file, rest) = rest.split_once('"')?;
    let rest = rest.trim_start().strip_prefix(',')?.trim_start();
    let rest = rest.strip_prefix("line ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(Frame {
        file: file.to_owned(),
        line: digits.parse().ok()?,
    })
}

/// Whether `line` has `.EXT:DIGIT` somewhere (EXT letters and digits), which every frame
/// [`generic_frame`] finds has: a cheap test that skips log lines without tokenizing them.
fn may_hold_generic_frame(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|colon| {
        if !bytes.get(colon + 1).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let ext = bytes[..colon]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        ext > 0 && colon > ext && bytes[colon - ext - 1] == b'.'
    })
}

/// The first `path.ext:LINE` token of a line whose extension is a source file's.
fn generic_frame(line: &str) -> Option<Frame> {
    let tokens = line.split(|c: char| c.is_whitespace() || "()\"'<>,[]".contains(c));
    for token in tokens {
        let token = token.strip_prefix("file://").unwrap_or(token);
        let mut search = 0;
        while let Some(rel) = token[search..].find(':') {
            let colon = search + rel;
            search = colon + 1;
            let path = &token[..colon];
            let digits: String = token[colon + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.is_empty() {
                continue;
            }
            let Some((stem, ext)) = path.rsplit_once('.') else {
                continue;
            };
            if stem.is_empty() || !SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
                continue;
            }
            let Ok(line_no) = digits.parse::<u64>() else {
                continue;
            };
            if line_no == 0 {
                continue;
            }
            return Some(Frame {
                file: path.to_owned(),
                line: line_no,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<ParsedTests, FormatError> {
        parse(s.as_bytes())
    }

    /// A report of `cases` test cases with output, over the threaded-read threshold, and the
    /// line each case starts on. Case 1000 fails.
    fn big_report(cases: usize) -> (String, Vec<u64>) {
        let mut xml = String::from("<?xml version=\"1.0\"?>\n<testsuite name=\"s\">\n");
        let mut lines = Vec::new();
        let mut line = 3;
        for i in 0..cases {
            lines.push(line);
            xml.push_str(&format!(
                "<testcase name=\"t{i}\" classname=\"C\" time=\"0.5\">\n"
            ));
            if i == 1000 {
                xml.push_str("<failure message=\"boom\">at a.b.C.t(C.java:7)</failure>\n");
                line += 1;
            }
            xml.push_str("<system-out><![CDATA[");
            xml.push_str(&"log line with <, & and ]] in it\n".repeat(8));
            xml.push_str("]]></system-out>\n</testcase>\n");
            line += 11;
        }
        xml.push_str("</testsuite>\n");
        (xml, lines)
    }

    #[test]
    fn large_files_tokenized_on_a_second_thread_parse_the_same() {
        let (mut xml, lines) = big_report(20_000);
        assert!(xml.len() as u64 > THREADED_MIN + 8 * BATCH_TEXT as u64);
        // A warning far into the file: its line must survive the batches.
        let at = xml
            .find("name=\"t15000\" classname=\"C\" time=\"0.5\"")
            .unwrap();
        xml.replace_range(at..at + 38, "name=\"t15000\" classname=\"C\" time=\"x.5\"");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.xml");
        std::fs::write(&path, &xml).unwrap();
        let (loaded, warnings) = load(std::slice::from_ref(&path)).unwrap();
        let parsed = parse_str(&xml).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].location, parsed.warnings[0].location);
        assert_eq!(warnings[0].location.line, Some(lines[15_000]));
        assert_eq!(
            warnings[0].location.element.as_deref(),
            Some("testsuite[0]/testcase[15000]/@time")
        );
        assert_eq!(loaded.cases[15_000].time(), None);
        assert_eq!(loaded.cases.len(), 20_000);
        assert_eq!(loaded.cases, parsed.cases);
        assert_eq!(loaded.counts().failed, 1);
        assert_eq!(loaded.duration, 9_999.5);
    }

    #[test]
    fn errors_in_large_files_have_their_line() {
        let (mut xml, lines) = big_report(20_000);
        // Misspell the end tag of case 19,000, megabytes into the file (the last of its 11
        // lines: start tag, 8 lines of output, end of output, end tag).
        let at = xml.find("<testcase name=\"t19000\"").unwrap();
        let end = at + xml[at..].find("</testcase>").unwrap();
        xml.replace_range(end..end + 11, "</testcasf>");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xml");
        std::fs::write(&path, &xml).unwrap();
        let Err(ParseError::Malformed { location, .. }) = load(std::slice::from_ref(&path)) else {
            panic!("expected a malformed-report error");
        };
        assert_eq!(location.line, Some(lines[19_000] + 10));
        let direct = parse_str(&xml).unwrap_err();
        assert_eq!(direct.location, location);
    }

    #[test]
    fn bare_testcase_root() {
        let p = parse_str(
            r#"<testcase name="t" classname="c" time="0.5"><error message="boom"/></testcase>"#,
        )
        .unwrap();
        assert_eq!(p.cases.len(), 1);
        assert_eq!(p.cases[0].outcome(), TestOutcome::Errored);
        assert_eq!(p.cases[0].id.suite, None);
        assert_eq!(p.duration, 0.5);
    }

    #[test]
    fn times_in_the_formats_tools_write() {
        assert_eq!(parse_time("1.5"), Some(1.5));
        assert_eq!(parse_time(" 2 "), Some(2.0));
        assert_eq!(parse_time("1,234.5"), Some(1234.5));
        assert_eq!(parse_time("1,234"), Some(1234.0));
        assert_eq!(parse_time("0,25"), Some(0.25));
        assert_eq!(parse_time("3.5s"), Some(3.5));
        assert_eq!(parse_time("1.4e-05"), Some(1.4e-05));
        assert_eq!(parse_time("01:02:03.5"), Some(3723.5));
        assert_eq!(parse_time("<<computed>>"), None);
        assert_eq!(parse_time("-1"), None);
        assert_eq!(parse_time("NaN"), None);
        assert_eq!(parse_time(""), None);
    }

    #[test]
    fn plain_decimal_times_equal_the_general_parser() {
        for s in [
            "0.039",
            "10.000",
            "7",
            "007",
            "123456789.012345",
            "0.1",
            "2.675",
        ] {
            assert_eq!(plain_decimal(s), Some(s.parse::<f64>().unwrap()), "{s}");
        }
        // Left to the general parser.
        for s in [
            "",
            ".5",
            "1.",
            "1.2.3",
            "1e-05",
            " 1",
            "1,5",
            "-1",
            "1234567890123456",
        ] {
            assert_eq!(plain_decimal(s), None, "{s}");
        }
        assert_eq!(parse_time("1234567890123456"), Some(1234567890123456.0));
    }

    #[test]
    fn attributes_the_shortcut_leaves_to_quick_xml_read_the_same() {
        let p = parse_str(
            "<testsuite name='s'>\n\
             <testcase name=\"a &amp; b\" classname=\"C\" time=\"1.5\"/>\n\
             <testcase name=\"tab\there\" classname='C' time = \"2\"/>\n\
             <testcase\n  name=\"multi\"\n  classname=\"C\" name=\"second\"/>\n\
             <testcase name=\"x\" classname=\"C\" time=\"&bogus;\"/>\n\
             </testsuite>",
        )
        .unwrap();
        let names: Vec<_> = p.cases.iter().map(|c| c.id.name.as_deref()).collect();
        assert_eq!(
            names,
            [Some("a & b"), Some("tab here"), Some("multi"), Some("x")]
        );
        let times: Vec<_> = p.cases.iter().map(|c| c.attempts[0].time).collect();
        assert_eq!(times, [Some(1.5), Some(2.0), None, None]);
        assert_eq!(p.cases[0].id.suite.as_deref(), Some("s"));
        // The unknown entity is kept as written, with a warning, as before the shortcut.
        assert!(
            p.warnings
                .iter()
                .any(|w| w.message.contains("attribute time")),
            "{:?}",
            p.warnings
        );
    }

    #[test]
    fn attributes_read_ahead_only_when_written_plainly() {
        let spans_of = |content: &str, name_len: usize| {
            let mut spans = Vec::new();
            read_attributes(&BytesStart::from_content(content, name_len), &mut spans);
            spans
        };
        let tag = r#"testcase time="1.5" name="t"  classname='C' extra="&amp;""#;
        // `&` outside the wanted values still sends the tag to quick-xml's reader.
        assert!(spans_of(tag, 8).is_empty());
        let tag = r#"testcase time="1.5" name="t"  classname='C'"#;
        let spans = spans_of(tag, 8);
        let raw = &tag[8..];
        let values: Vec<_> = spans
            .iter()
            .map(|s| s.map(|(a, b)| &raw[a as usize..b as usize]))
            .collect();
        assert_eq!(values, [Some("t"), Some("C"), Some("1.5"), None, None]);
        // Elements whose attributes are not read get none.
        assert!(spans_of(r#"properties a="b""#, 10).is_empty());
        assert_eq!(spans_of(r#"failure message="m""#, 7).len(), 3);
    }

    #[test]
    fn cases_of_one_class_share_its_strings() {
        let p = parse_str(
            r#"<testsuite name="s"><testcase name="a" classname="C" file="c.py"/><testcase name="b" classname="C" file="c.py"/></testsuite>"#,
        )
        .unwrap();
        let (a, b) = (&p.cases[0], &p.cases[1]);
        assert!(Arc::ptr_eq(
            a.id.classname.as_ref().unwrap(),
            b.id.classname.as_ref().unwrap()
        ));
        assert!(Arc::ptr_eq(
            a.file.as_ref().unwrap(),
            b.file.as_ref().unwrap()
        ));
    }

    #[test]
    fn errors_carry_line_column_and_element() {
        let err = parse_str("<testsuites>\n  <testsuite name=\"s\">\n    <testcase name=\"a\">\n  </testsuite>\n</testsuites>")
            .unwrap_err();
        assert_eq!(err.location.line, Some(4));
        assert!(err.message.contains("not well-formed"), "{}", err.message);
        assert_eq!(
            err.location.element.as_deref(),
            Some("testsuites[0]/testsuite[0]/testcase[0]")
        );
    }

    #[test]
    fn truncated_file_names_the_open_element() {
        let err =
            parse_str("<testsuite name=\"s\">\n<testcase name=\"a\"/>\n<testcase name=\"b\">")
                .unwrap_err();
        assert!(
            err.message.contains("<testcase> is not closed"),
            "{}",
            err.message
        );
        assert_eq!(err.location.line, Some(3));
        assert_eq!(
            err.location.element.as_deref(),
            Some("testsuite[0]/testcase[1]")
        );
    }

    #[test]
    fn wrong_root_and_empty_input_are_errors() {
        let err = parse_str("<?xml version=\"1.0\"?>\n<suites><suite/></suites>").unwrap_err();
        assert!(
            err.message.contains("root element is <suites>"),
            "{}",
            err.message
        );
        assert_eq!(err.location.line, Some(2));
        let err = parse_str("").unwrap_err();
        assert!(err.message.contains("no XML element"), "{}", err.message);
    }

    #[test]
    fn surefire_flaky_and_rerun_elements_become_attempts() {
        let p = parse_str(
            r#"<testsuite name="s" tests="2">
<testcase name="flaky" classname="C" time="1">
  <flakyFailure message="first" type="AssertionError"><stackTrace>at a.b.C.t(C.java:12)</stackTrace><system-out>noise at x.y.Z.q(Z.java:1)</system-out></flakyFailure>
  <flakyError message="second"/>
</testcase>
<testcase name="broken" classname="C" time="1">
  <failure message="one"/><rerunFailure message="two"/><rerunError message="three"/>
</testcase>
</testsuite>"#,
        )
        .unwrap();
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let flaky = &p.cases[0];
        assert_eq!(flaky.outcome(), TestOutcome::Passed);
        assert_eq!((flaky.attempts.len(), flaky.passed_on()), (3, Some(3)));
        let (_, f) = flaky.last_failure().unwrap();
        assert_eq!(f.message.as_deref(), Some("second"));
        let (_, first) = flaky.attempts[0].failure.as_deref().unwrap();
        assert_eq!(first.details.as_deref(), Some("at a.b.C.t(C.java:12)"));
        assert_eq!(
            first.location,
            Some(Frame {
                file: "a/b/C.java".into(),
                line: 12
            })
        );
        let broken = &p.cases[1];
        assert_eq!(broken.outcome(), TestOutcome::Failed);
        let outcomes: Vec<_> = broken.attempts.iter().map(|a| a.outcome).collect();
        assert_eq!(
            outcomes,
            [
                TestOutcome::Failed,
                TestOutcome::Errored,
                TestOutcome::Failed
            ]
        );
        let (_, f) = broken.failure().unwrap();
        assert_eq!(f.message.as_deref(), Some("one"));
        assert!(!broken.is_flaky());
    }

    #[test]
    fn suite_counts_that_disagree_warn() {
        let p = parse_str(r#"<testsuite name="s" tests="3" failures="0"><testcase name="a"><failure/></testcase></testsuite>"#)
            .unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(
            p.warnings[0].message,
            "suite \"s\" says tests=3 but 1 found, failures=0 but 1 found; counting the <testcase> elements"
        );
    }

    #[test]
    fn entities_cdata_and_big_bodies() {
        let big = "x".repeat(3 * DETAILS_KEEP);
        let xml = format!(
            "<testsuite><testcase name=\"a &amp; b\" classname=\"c&#10;d\"><failure message=\"m &lt;1&gt;\">&#x41;&amp;<![CDATA[<raw>]]>{big}</failure></testcase></testsuite>"
        );
        let p = parse_str(&xml).unwrap();
        let c = &p.cases[0];
        assert_eq!(c.id.name.as_deref(), Some("a & b"));
        assert_eq!(c.id.classname.as_deref(), Some("c\nd"));
        let (_, f) = c.failure().unwrap();
        assert_eq!(f.message.as_deref(), Some("m <1>"));
        let details = f.details.as_deref().unwrap();
        assert!(details.starts_with("A&<raw>xxx"));
        assert_eq!(details.len(), DETAILS_KEEP);
        assert_eq!(f.details_len, 3 * DETAILS_KEEP + 7);
    }

    #[test]
    fn texts_longer_than_kept_count_whole_with_line_breaks_normalized() {
        // Bodies past `SCAN_LIMIT` are cut before they reach the builder; their size is still
        // the whole text's, after `\r\n` becomes `\n`, in a text node and in CDATA.
        let lines = SCAN_LIMIT / 4;
        let body = "ab\r\n".repeat(lines);
        let plain = "abc\n".repeat(lines);
        let xml = format!(
            "<testsuite><testcase name=\"t\"><failure>{body}&amp;<![CDATA[{body}]]></failure>\
             <system-out>at a.b.C.t(C.java:7)\r\n{body}</system-out></testcase>\
             <testcase name=\"u\"><error><![CDATA[{body}at a.b.C.u(C.java:9)]]></error></testcase>\
             <testcase name=\"v\"><error>{plain}at a.b.C.v(C.java:11)</error></testcase></testsuite>"
        );
        let p = parse_str(&xml).unwrap();
        let (_, f) = p.cases[0].failure().unwrap();
        assert_eq!(f.details_len, 2 * 3 * lines + 1);
        assert_eq!(f.details.as_deref().map(str::len), Some(DETAILS_KEEP));
        assert!(f.details.as_deref().unwrap().starts_with("ab\nab\n"));
        // No frame in the body: the case's output has one.
        assert_eq!(f.location.as_ref().map(|l| l.line), Some(7));
        // Over `SCAN_LIMIT` bytes as written, under it normalized: searched whole.
        let (_, f) = p.cases[1].failure().unwrap();
        assert_eq!(f.details_len, 3 * lines + 20);
        assert_eq!(f.location.as_ref().map(|l| l.line), Some(9));
        // A frame past the first `SCAN_LIMIT` bytes is not looked for.
        let (_, f) = p.cases[2].failure().unwrap();
        assert_eq!(f.details_len, 4 * lines + 21);
        assert_eq!(f.location, None);
    }

    #[test]
    fn frames_from_each_stack_format() {
        let cases = [
            ("tests/test_a.py:12: AssertionError", "tests/test_a.py", 12),
            (
                "  File \"/src/app/mod.py\", line 7, in f",
                "/src/app/mod.py",
                7,
            ),
            (
                "    at Object.<anonymous> (/home/u/p/src/sum.test.js:4:17)",
                "/home/u/p/src/sum.test.js",
                4,
            ),
            (
                "    at /home/u/p/src/sum.test.ts:9:3",
                "/home/u/p/src/sum.test.ts",
                9,
            ),
            ("    calc_test.go:15: got 3, want 4", "calc_test.go", 15),
            ("\t/home/u/p/calc.go:33 +0x1d", "/home/u/p/calc.go", 33),
            ("thread 't' panicked at src/lib.rs:10:5:", "src/lib.rs", 10),
            (
                "\tat com.acme.Calc$Inner.add(Calc.java:21)",
                "com/acme/Calc.java",
                21,
            ),
        ];
        for (line, file, num) in cases {
            let mut frames = Vec::new();
            scan_frames(line, &mut frames);
            assert_eq!(
                frames,
                [Frame {
                    file: file.into(),
                    line: num
                }],
                "{line}"
            );
        }
        let mut frames = Vec::new();
        scan_frames(
            "\tat org.junit.Assert.fail(Assert.java:89)\n\tat java.lang.Thread.run(Thread.java:750)\nhttp://x:80/",
            &mut frames,
        );
        assert!(frames.is_empty(), "{frames:?}");
    }

    #[test]
    fn location_is_the_first_project_frame() {
        let frames = vec![
            Frame {
                file: "/venv/lib/python3.12/site-packages/x.py".into(),
                line: 1,
            },
            Frame {
                file: "src/helper.py".into(),
                line: 2,
            },
            Frame {
                file: "tests/test_a.py".into(),
                line: 3,
            },
        ];
        assert_eq!(
            pick_location(&frames, Some("tests/test_a.py"), Some(1)).map(|f| f.line),
            Some(2)
        );
        assert_eq!(
            pick_location(&[], Some("t.py"), Some(5)),
            Some(Frame {
                file: "t.py".into(),
                line: 5
            })
        );
    }
}
