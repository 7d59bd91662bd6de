//! The test-case builder: a state machine over the events of one document (suites, cases,
//! result elements, output), which checks the structure, counts, and builds `TestCase`s.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesCData, BytesRef, BytesStart, BytesText};

use super::attributes::{parse_time, Span, CASE_KEYS, RESULT_KEYS, SUITE_KEYS};
use super::frames::{pick_location, scan_frames};
use super::pipeline::{Batch, DocEnd, TokKind};
use super::{cut, first_line, push_capped, DETAILS_KEEP, MESSAGE_KEEP, SCAN_LIMIT};
use crate::formats::xml::{Lines, SiblingCounts};
use crate::formats::{FormatError, Location};
use crate::model::test_results::{
    Attempt, AttemptNote, Attempts, Failure, FailureKind, Frame, ParsedTests, TestCase, TestId,
    TestOutcome,
};
use crate::model::{Warning, WarningKind};

/// Suites whose own counts disagree with their test cases, warned about individually per file.
const MAX_SUITE_WARNINGS: usize = 5;
/// Elements open at once, at most. Real reports nest suites a few levels deep; the limit turns
/// a pathological file into a clear error instead of work that grows with the depth.
pub const MAX_DEPTH: usize = 1_000;
/// Elements named at each end of a long element path.
const PATH_ENDS: usize = 8;

/// Bytes of input per test case assumed when reserving room for the cases of a file of known
/// size: fewer than any real `<testcase>` element takes, so the list never has to grow (each
/// doubling copied it into fresh pages: a quarter of the page faults on 200,000 cases).
const MIN_CASE_BYTES: u64 = 64;
/// At most this many cases are reserved ahead.
const MAX_RESERVED_CASES: u64 = 1 << 20;

/// Which result element a child of `<testcase>` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ResultKind {
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
pub(super) enum ElemKind {
    Testsuites,
    Testsuite,
    Testcase,
    /// `<system-out>` or `<system-err>`.
    Output,
    Result(ResultKind),
    Other,
}

impl ElemKind {
    pub(super) fn of(name: &str) -> Self {
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
    children: SiblingCounts<u32>,
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
    /// The failure body's stack frames, until the case's location is picked from them.
    frames: Vec<Frame>,
    skip_message: Option<String>,
    time: Option<f64>,
}

/// A `<testcase>` being read.
struct OpenCase {
    id: TestId,
    file: Option<Arc<str>>,
    line: Option<u32>,
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
    /// Line and column of its start tag, for the warning about its counts. The element path
    /// is not kept: it is the path of the open elements when the suite ends, and a copy per
    /// suite would make memory grow with the square of the nesting depth.
    line_col: (u64, u64),
    /// Index in `out.cases` of the suite's first test case.
    first_case: usize,
}

/// Builds the test cases from the events of a [`Tokenizer`].
pub(super) struct Parser {
    lines: Lines,
    /// Distinct element names, and what each means; elements refer to them by index.
    names: Vec<(Box<str>, ElemKind)>,
    name_ids: HashMap<Box<str>, u32>,
    /// Open elements from the root: `open[..depth]` (slots past it are kept for reuse, so a
    /// deep document does not allocate per element).
    open: Vec<OpenElement>,
    depth: usize,
    /// How many children of each name the document root level has had.
    top_children: SiblingCounts<u32>,
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
    pub(super) fn new() -> Self {
        Parser {
            lines: Lines::default(),
            names: Vec::new(),
            name_ids: HashMap::new(),
            open: Vec::new(),
            depth: 0,
            top_children: SiblingCounts::default(),
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
    pub(super) fn reserve_for(&mut self, size: u64) {
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

    /// `testsuites[0]/testsuite[2]/testcase[7]`; past [`PATH_ENDS`] elements at each end, the
    /// middle is elided so that a message stays short however deep the document.
    fn element_path(&self) -> String {
        let open = &self.open[..self.depth];
        let step = |e: &OpenElement| format!("{}[{}]", self.name_of(e.name), e.index);
        if open.len() <= 2 * PATH_ENDS + 1 {
            return open.iter().map(step).collect::<Vec<_>>().join("/");
        }
        let (head, rest) = open.split_at(PATH_ENDS);
        let tail = &rest[rest.len() - PATH_ENDS..];
        let head: Vec<String> = head.iter().map(step).collect();
        let tail: Vec<String> = tail.iter().map(step).collect();
        format!(
            "{}/…({} more)…/{}",
            head.join("/"),
            open.len() - 2 * PATH_ENDS,
            tail.join("/")
        )
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

    /// Where a suite starts, asked while it is the innermost open element (as it ends).
    fn suite_location(&self, suite: &OpenSuite) -> Location {
        let (line, column) = suite.line_col;
        Location {
            line: Some(line),
            column: Some(column),
            element: Some(self.element_path()),
        }
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

    fn warn(&mut self, kind: WarningKind, location: Location, message: impl Into<String>) {
        self.out
            .warnings
            .push(Warning::new(kind, location, message));
    }

    /// Handles a batch of events; true once the document has ended.
    pub(super) fn feed(&mut self, batch: &Batch) -> Result<bool, FormatError> {
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
    pub(super) fn finish(mut self) -> Result<ParsedTests, FormatError> {
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
        if self.depth == MAX_DEPTH {
            return Err(self.error_here(format!(
                "elements nested more than {MAX_DEPTH} levels deep; a JUnit report nests a few"
            )));
        }
        // Index among same-named siblings, for element paths in messages.
        let index = match self.depth {
            0 => self.top_children.next_index(&name),
            d => self.open[d - 1].children.next_index(&name),
        };
        if self.open.len() == self.depth {
            self.open.push(OpenElement {
                name,
                index,
                children: SiblingCounts::default(),
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
                let line_col = self.lines.line_col(self.event_start);
                let first_case = self.out.cases.len();
                self.suites.push(OpenSuite {
                    first_case,
                    name: suite_name.map(|n| Arc::from(&*n)),
                    is_root_collection: kind == ElemKind::Testsuites,
                    declared,
                    counted: [0; 4],
                    declared_time,
                    child_time: 0.0,
                    line_col,
                });
            }
            ElemKind::Testcase => {
                let [case_name, classname, time, file, line] = self.attributes(e, CASE_KEYS, read);
                let line = line.and_then(|l| l.trim().parse::<u32>().ok());
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
                        // jest-junit writes the name as the class name too: one string for both.
                        name: case_name.map(|n| match &classname {
                            Some(c) if **c == *n => c.clone(),
                            _ => Arc::from(&*n),
                        }),
                        classname,
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
                frames: Vec::new(),
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
            location: None,
        };
        case.results.push(ReadResult {
            kind: r.kind,
            failure: Some(failure),
            frames,
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
                let frames = if r.frames.is_empty() {
                    &output_frames
                } else {
                    &r.frames
                };
                f.location = pick_location(frames, case.file.as_deref(), case.line.map(u64::from));
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
            note: None,
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
                    main.note = r.failure.map(|f| Box::new(AttemptNote::Failure(fk, f)));
                }
            }
            TestOutcome::Skipped => {
                if let Some(r) = take(&mut results, ResultKind::Skipped) {
                    main.note = r.skip_message.map(|m| Box::new(AttemptNote::Skipped(m)));
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
                note: failure.map(|f| Box::new(AttemptNote::Failure(fk, f))),
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
                let location = self.suite_location(&suite);
                self.warn(
                    WarningKind::InconsistentCounts,
                    location,
                    format!(
                        "suite {name:?} says {}; counting the <testcase> elements",
                        disagree.join(", ")
                    ),
                );
            } else if self.suite_warnings == MAX_SUITE_WARNINGS + 1 {
                let location = self.suite_location(&suite);
                self.warn(
                    WarningKind::InconsistentCounts,
                    location,
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
                    a.note = Some(Box::new(AttemptNote::Failure(
                        FailureKind::Failure,
                        Failure::default(),
                    )));
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
                        self.warn(
                            WarningKind::RepairedXml,
                            loc,
                            format!("unknown entity &{};, kept as written", &**r),
                        );
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
            self.warn(WarningKind::InvalidValue, loc, p);
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
            self.warn(
                WarningKind::InvalidValue,
                loc,
                format!("time {raw:?} is not a duration; ignored"),
            );
        }
        parsed
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
