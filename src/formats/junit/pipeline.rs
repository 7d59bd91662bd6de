//! Reading and tokenizing: quick-xml over the input (with the newline offsets recorded for line
//! numbers) turned into batches of owned events for the [`Parser`]. On large files the
//! tokenizer runs on a second thread, a few batches ahead of the builder.

use std::io::{BufRead, Read};

use quick_xml::events::Event;
use quick_xml::Reader;

use super::attributes::{read_attributes, Span};
use super::builder::Parser;
use super::{prefix, SCAN_LIMIT};
use crate::formats::FormatError;
use crate::model::test_results::ParsedTests;

/// Files at least this large are tokenized on a second thread while the first one builds the
/// test cases: the two halves of the work are of a size, and a thread costs nothing next to
/// either on a file this large.
pub(super) const THREADED_MIN: u64 = 4 * 1024 * 1024;
/// Events handed over at once, at most.
const BATCH_EVENTS: usize = 2048;
/// Bytes of event text past which a batch is handed over early (a single text node may exceed
/// it: quick-xml holds each node whole anyway).
pub(super) const BATCH_TEXT: usize = 128 * 1024;
/// Batches tokenized ahead of the builder, at most: memory stays a few batches whatever the
/// file size.
const BATCHES_AHEAD: usize = 4;

/// Tokenizes and builds on this thread, a batch at a time.
pub(super) fn parse_here(
    reader: impl BufRead,
    mut parser: Parser,
) -> Result<ParsedTests, FormatError> {
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
pub(super) fn parse_threaded<R: BufRead + Send>(
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
pub(super) enum TokKind {
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
pub(super) struct Tok {
    pub(super) kind: TokKind,
    /// Length of the element name at the start of the text (start tags).
    pub(super) name_len: usize,
    /// Byte offset where the event starts, for line and column.
    pub(super) start: u64,
    pub(super) from: usize,
    pub(super) to: usize,
    /// A start tag's attribute values the builder reads: `Batch::spans[spans.0..spans.1]`
    /// (empty when not read ahead).
    pub(super) spans: (usize, usize),
    /// For a text node longer than the builder keeps: its length (line breaks normalized);
    /// the text handed over is then its first [`SCAN_LIMIT`] bytes, normalized.
    pub(super) cut_len: Option<usize>,
}

/// How a document ended: where its end was met, or the first error quick-xml found.
#[derive(Debug)]
pub(super) enum DocEnd {
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
pub(super) struct Batch {
    pub(super) toks: Vec<Tok>,
    pub(super) text: String,
    pub(super) spans: Vec<Span>,
    /// Offsets of the newlines read since the previous batch.
    pub(super) newlines: Vec<u64>,
    /// Set on the last batch of a document.
    pub(super) end: Option<DocEnd>,
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
    /// quick-xml is between markup (after a tag, CDATA, comment or reference), where text or
    /// markup follows: [`Tokenizer::fast_text`] may read ahead of it there.
    at_text: bool,
    /// Bytes [`Tokenizer::fast_text`] consumed behind quick-xml's back: added to its offsets.
    skipped: u64,
    /// Whether [`Tokenizer::fast_text`] is used (tests compare with quick-xml alone).
    fast: bool,
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
            at_text: false,
            skipped: 0,
            fast: true,
        }
    }

    /// Reads plain text, predefined or character references and CDATA sections straight from
    /// the input's buffer, as the same tokens quick-xml would give, without its event machinery
    /// and copies: log output is most of some reports, and it was half the tokenizer's time.
    /// Stops (consuming nothing more) at markup, at the end of what is buffered, at invalid
    /// UTF-8 or at an unusual reference, where quick-xml takes over in the state it was left in
    /// (between markup) and reports any error as before. True when it read something.
    fn fast_text(&mut self, batch: &mut Batch) -> bool {
        let base = self.reader.buffer_position() + self.skipped;
        let Ok(avail) = self.reader.get_mut().fill_buf() else {
            return false;
        };
        let mut i = 0;
        while i < avail.len() && batch.toks.len() < BATCH_EVENTS && batch.text.len() < BATCH_TEXT {
            let rest = &avail[i..];
            let (kind, content, len) = match rest[0] {
                b'<' => {
                    let Some(body) = rest.strip_prefix(b"<![CDATA[") else {
                        break;
                    };
                    let Some(end) = memchr::memmem::find(body, b"]]>") else {
                        break;
                    };
                    if end > SCAN_LIMIT {
                        // quick-xml's path hands over only its head (a slice reader buffers
                        // the whole input).
                        break;
                    }
                    (TokKind::CData, &body[..end], 9 + end + 3)
                }
                b'&' => {
                    // `&name;` with a short plain name, as quick-xml reads it.
                    let name_len = rest[1..]
                        .iter()
                        .take(32)
                        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'#'));
                    match name_len {
                        Some(n) if n > 0 && rest[1 + n] == b';' => {
                            (TokKind::Ref, &rest[1..1 + n], n + 2)
                        }
                        _ => break,
                    }
                }
                _ => {
                    // The whole text up to the next markup or reference must be buffered:
                    // quick-xml would read it as one event.
                    let Some(end) = memchr::memchr2(b'<', b'&', rest) else {
                        break;
                    };
                    if end > SCAN_LIMIT {
                        break;
                    }
                    (TokKind::Text, &rest[..end], end)
                }
            };
            let Ok(content) = std::str::from_utf8(content) else {
                break;
            };
            let from = batch.text.len();
            batch.text.push_str(content);
            batch.toks.push(Tok {
                kind,
                name_len: 0,
                start: base + i as u64,
                from,
                to: batch.text.len(),
                spans: (batch.spans.len(), batch.spans.len()),
                cut_len: None,
            });
            i += len;
        }
        if i == 0 {
            return false;
        }
        self.reader.get_mut().consume(i);
        self.skipped += i as u64;
        true
    }

    /// Fills `batch` (emptied first) with the next events; the last one has `end` set.
    fn fill(&mut self, batch: &mut Batch) {
        batch.clear();
        while batch.toks.len() < BATCH_EVENTS && batch.text.len() < BATCH_TEXT {
            if self.fast && self.at_text && self.fast_text(batch) {
                continue;
            }
            self.buf.clear();
            let start = self.reader.buffer_position() + self.skipped;
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(ev) => ev,
                Err(err) => {
                    batch.end = Some(DocEnd::Error {
                        start,
                        // quick-xml leaves its error offset at 0 for some errors (bad
                        // UTF-8): kept as 0, as without the fast path. Any offset it did set
                        // lies past the first event, where the fast path may have started.
                        pos: match self.reader.error_position() {
                            0 => 0,
                            pos => pos + self.skipped,
                        },
                        message: format!("not well-formed XML: {err}"),
                    });
                    break;
                }
            };
            // After a text event quick-xml stands at markup or a reference; after anything
            // else, between markup.
            self.at_text = !matches!(event, Event::Text(_));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token (kind, offset, text, cut length), the newlines and how the document ended.
    fn tokens(
        xml: &[u8],
        capacity: usize,
        fast: bool,
    ) -> (Vec<(TokKind, u64, String)>, Vec<u64>, String) {
        let mut tokenizer = Tokenizer::new(std::io::BufReader::with_capacity(capacity, xml));
        tokenizer.fast = fast;
        let (mut toks, mut newlines) = (Vec::new(), Vec::new());
        let mut batch = Batch::default();
        loop {
            tokenizer.fill(&mut batch);
            for t in &batch.toks {
                let text = format!("{}|{:?}", &batch.text[t.from..t.to], t.cut_len);
                toks.push((t.kind, t.start, text));
            }
            newlines.extend(&batch.newlines);
            if let Some(end) = batch.end.take() {
                return (toks, newlines, format!("{end:?}"));
            }
        }
    }

    #[test]
    fn text_read_from_the_buffer_gives_quick_xmls_tokens() {
        let doc = "<?xml version=\"1.0\"?>\n<testsuite>\n  <testcase name=\"a\">\r\n\
                   <system-out>log &lt;request&gt; &amp; &#x41;&#10; ü 日本 &foo; &a-b; & dangling\r\n\
                   more</system-out><!-- c --><?pi x?>\
                   <system-err><![CDATA[raw <x> ]] > ]]]]><![CDATA[]]>tail &amp;</system-err>\
                   <failure>&#9999999999; x</failure></testcase>\n</testsuite>\n";
        let broken = [
            doc.to_owned(),
            doc.replace("</system-err>", "</system-out>"),
            doc.replace("tail", "tail\u{0}\u{7f}"),
            format!("{}<![CDATA[never closed", &doc[..doc.len() - 13]),
            format!("{}text at the end", &doc[..doc.len() - 13]),
        ];
        for xml in &broken {
            let mut bytes = xml.as_bytes().to_vec();
            for capacity in [1, 2, 3, 5, 8, 13, 64, 4096] {
                let quick = tokens(&bytes, capacity, false);
                assert_eq!(
                    tokens(&bytes, capacity, true),
                    quick,
                    "capacity {capacity}: {xml}"
                );
            }
            // Invalid UTF-8 in text: the same error where quick-xml finds it.
            let at = bytes.iter().position(|&b| b == b'\xc3').unwrap();
            bytes[at + 1] = b'(';
            for capacity in [3, 64, 4096] {
                assert_eq!(
                    tokens(&bytes, capacity, true),
                    tokens(&bytes, capacity, false)
                );
            }
        }
    }

    #[test]
    fn texts_longer_than_kept_are_cut_as_quick_xml_cuts_them_even_when_buffered_whole() {
        let long = "a".repeat(SCAN_LIMIT + 10);
        let xml = format!(
            "<testsuite><testcase><system-out>{long}</system-out>\
             <system-err><![CDATA[{long}]]></system-err></testcase></testsuite>"
        );
        // A buffer holding the whole document, as a slice reader gives.
        let capacity = xml.len() + 1;
        let (toks, _, end) = tokens(xml.as_bytes(), capacity, true);
        assert_eq!((toks.clone(), end.clone()), {
            let (t, _, e) = tokens(xml.as_bytes(), capacity, false);
            (t, e)
        });
        let cut = format!("|Some({})", SCAN_LIMIT + 10);
        assert_eq!(toks.iter().filter(|t| t.2.ends_with(&cut)).count(), 2);
    }
}
