//! Shared helpers for the streaming XML parsers (Cobertura, JaCoCo) over quick-xml.
//!
//! [`XmlStream`] wraps a quick-xml `Reader` and adds what the coverage parsers need and quick-xml
//! does not give: line and column numbers (counted incrementally as bytes are consumed), element
//! paths such as `coverage/packages/package[0]/classes/class[3]/lines/line[7]/@hits` for errors,
//! one root element, and repair of stray or mismatched end tags (scoverage writes `</methods>`
//! where no `<methods>` is open) with a warning instead of a failure.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

use super::{FormatError, Location};
use crate::model::{Warning, WarningKind};

/// A `BufRead` that records the newlines of the bytes its reader consumes in a [`Lines`].
///
/// quick-xml consumes exactly the bytes of each event, so after an event the count is the line
/// of its end. Newlines before [`Counting::mark`] (the start of the event being read) are
/// folded into a count; those since are kept, which places an error offset inside that event
/// exactly.
struct Counting<R> {
    inner: R,
    /// Bytes consumed so far.
    position: u64,
    lines: Lines,
}

impl<R> Counting<R> {
    fn new(inner: R) -> Self {
        Counting {
            inner,
            position: 0,
            lines: Lines::default(),
        }
    }

    fn count(&mut self, bytes: &[u8]) {
        for i in memchr::memchr_iter(b'\n', bytes) {
            self.lines.push(self.position + i as u64);
        }
        self.position += bytes.len() as u64;
    }

    /// Folds the newlines before the current position (the start of the next event).
    fn mark(&mut self) {
        self.lines.fold_before(self.position);
    }

    /// 1-based line and column of a byte offset at or after the mark.
    fn line_column(&self, offset: u64) -> (u64, u64) {
        self.lines.line_col(offset)
    }

    /// 1-based line of everything consumed so far.
    fn line(&self) -> u64 {
        self.lines.line_col(self.position).0
    }
}

/// Line and column of byte offsets, from the offsets of the newlines read, without keeping the
/// document: the one line/column tracker of the XML parsers. Offsets are only asked for at or
/// after the start of the event being handled, so newlines before it are folded into a count.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    folded_lines: u64,
    last_folded_newline: Option<u64>,
    /// Offsets of recorded newlines; those before `cursor` are folded.
    newlines: Vec<u64>,
    cursor: usize,
}

impl Lines {
    /// Adds the offset of one more newline, past those already known.
    pub(crate) fn push(&mut self, newline: u64) {
        self.newlines.push(newline);
    }

    /// Adds newline offsets, past those already known.
    pub(crate) fn extend(&mut self, more: &[u64]) {
        if self.cursor == self.newlines.len() {
            self.newlines.clear();
            self.cursor = 0;
        } else if self.cursor >= self.newlines.len() / 2 {
            // Newlines after the last event of a batch stay unfolded, so the list is not
            // always emptied: drop the folded ones, or it grows with the file (9 MB of
            // offsets on a 97 MB JUnit file with logs).
            self.newlines.drain(..self.cursor);
            self.cursor = 0;
        }
        self.newlines.extend_from_slice(more);
    }

    /// Forgets newline offsets before `pos`, keeping their count.
    pub(crate) fn fold_before(&mut self, pos: u64) {
        // Usually none or a few newlines lie before `pos` (one event of JUnit's token stream):
        // a plain count from the cursor beats a binary search over the whole batch.
        let folded = self.newlines[self.cursor..]
            .iter()
            .take_while(|&&nl| nl < pos)
            .count();
        if folded > 0 {
            self.cursor += folded;
            self.folded_lines += folded as u64;
            self.last_folded_newline = Some(self.newlines[self.cursor - 1]);
        }
        if self.cursor == self.newlines.len() {
            self.newlines.clear();
            self.cursor = 0;
        }
    }

    /// 1-based line and column of byte offset `pos` (at most the bytes tokenized so far).
    pub(crate) fn line_col(&self, pos: u64) -> (u64, u64) {
        let unfolded = &self.newlines[self.cursor..];
        let before = unfolded.partition_point(|&nl| nl < pos);
        let line = self.folded_lines + before as u64 + 1;
        let last_nl = match before {
            0 => self.last_folded_newline,
            n => Some(unfolded[n - 1]),
        };
        // An error may point before the newlines already folded away (quick-xml reports the
        // start of a truncated construct); the column then cannot be known exactly.
        let col = match last_nl {
            Some(nl) => pos.saturating_sub(nl).max(1),
            None => pos + 1,
        };
        (line, col)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The bytes being consumed are still in the inner buffer: fill_buf returns them again
        // without reading.
        if let Ok(available) = self.inner.fill_buf() {
            let amount = amount.min(available.len());
            for i in memchr::memchr_iter(b'\n', &available[..amount]) {
                self.lines.push(self.position + i as u64);
            }
            self.position += amount as u64;
        }
        self.inner.consume(amount);
    }
}

/// How many children of each name an element has had, for the index of the next one among its
/// same-named siblings (`class[3]` in element paths).
///
/// A list while there are few names (an element has a handful: a scan beats hashing), a hash
/// map past [`SiblingCounts::LIST_MAX`]: 100,000 differently named siblings must cost about as
/// much as 100,000 of one name, not a scan of every earlier name each. The map keeps std's
/// seeded hasher: names come from the input, and colliding names must not be craftable.
#[derive(Debug, Clone)]
pub(crate) struct SiblingCounts<K> {
    list: Vec<(K, usize)>,
    map: std::collections::HashMap<K, usize>,
}

impl<K> Default for SiblingCounts<K> {
    fn default() -> Self {
        SiblingCounts {
            list: Vec::new(),
            map: std::collections::HashMap::new(),
        }
    }
}

impl<K: Eq + std::hash::Hash> SiblingCounts<K> {
    const LIST_MAX: usize = 16;

    /// Counts one more child named `name`; returns its index among the children so named.
    pub(crate) fn next_index<Q>(&mut self, name: &Q) -> usize
    where
        K: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ToOwned<Owned = K> + ?Sized,
    {
        if self.map.is_empty() {
            if let Some((_, count)) = self.list.iter_mut().find(|(k, _)| k.borrow() == name) {
                *count += 1;
                return *count - 1;
            }
            if self.list.len() < Self::LIST_MAX {
                self.list.push((name.to_owned(), 1));
                return 0;
            }
            self.map.extend(self.list.drain(..));
        }
        if let Some(count) = self.map.get_mut(name) {
            *count += 1;
            return *count - 1;
        }
        self.map.insert(name.to_owned(), 1);
        0
    }

    /// Forgets every count (the element was reused for another one), keeping the room.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.map.clear();
    }
}

/// One open element of the path: its name, its index among same-named siblings, and how many
/// children of each name it has had so far.
#[derive(Default)]
struct Frame {
    name: String,
    index: usize,
    /// Line of the start tag, for "not closed" errors.
    line: u64,
    children: SiblingCounts<String>,
}

/// Names of container elements shown without an index in paths (they appear once per parent).
const CONTAINERS: &[&str] = &[
    "packages",
    "classes",
    "methods",
    "lines",
    "sources",
    "conditions",
];

/// The elements open at the reader's position, for error paths and for the parsers to look at.
#[derive(Default)]
pub(crate) struct ElementPath {
    /// Frames, reused across elements to avoid an allocation per element.
    frames: Vec<Frame>,
    depth: usize,
    /// Children counted at the top level (roots).
    roots: usize,
}

impl ElementPath {
    fn count_child(&mut self, name: &str) -> usize {
        let children = match self.depth {
            0 => {
                self.roots += 1;
                return self.roots - 1;
            }
            d => &mut self.frames[d - 1].children,
        };
        children.next_index(name)
    }

    fn open(&mut self, name: &str, line: u64) {
        let index = self.count_child(name);
        if self.frames.len() == self.depth {
            self.frames.push(Frame::default());
        }
        let frame = &mut self.frames[self.depth];
        frame.name.clear();
        frame.name.push_str(name);
        frame.index = index;
        frame.line = line;
        frame.children.clear();
        self.depth += 1;
    }

    /// Number of open elements.
    pub(crate) fn depth(&self) -> usize {
        self.depth
    }

    /// Name of the open element at `level` (0 = root).
    pub(crate) fn name(&self, level: usize) -> &str {
        &self.frames[level].name
    }

    /// Name of the innermost open element, or "" at the top level.
    pub(crate) fn current(&self) -> &str {
        match self.depth {
            0 => "",
            d => &self.frames[d - 1].name,
        }
    }

    /// True if an element of this name is open.
    pub(crate) fn is_open(&self, name: &str) -> bool {
        self.frames[..self.depth].iter().any(|f| f.name == name)
    }

    /// Renders the path, optionally with a leaf element (an empty element just read) and an
    /// attribute.
    pub(crate) fn render(&self, leaf: Option<(&str, usize)>, attribute: Option<&str>) -> String {
        let mut out = String::new();
        let step = |out: &mut String, level: usize, name: &str, index: usize| {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(name);
            if level > 0 && !CONTAINERS.contains(&name) {
                out.push_str(&format!("[{index}]"));
            }
        };
        for (level, frame) in self.frames[..self.depth].iter().enumerate() {
            step(&mut out, level, &frame.name, frame.index);
        }
        if let Some((name, index)) = leaf {
            step(&mut out, self.depth, name, index);
        }
        if let Some(attribute) = attribute {
            out.push_str("/@");
            out.push_str(attribute);
        }
        out
    }
}

/// What the coverage parsers see of an XML document.
pub(crate) enum XmlEvent<'b> {
    /// An element opened; it is now the innermost element of [`XmlStream::path`].
    Start(BytesStart<'b>),
    /// An element without content (`<line …/>`); not pushed on the path.
    Empty(BytesStart<'b>, usize),
    /// The innermost element closed (its name is passed; the path no longer has it).
    End(String),
    /// Character data (text, CDATA or a resolved entity reference) of the innermost element;
    /// also returned, empty, for skipped markup (comments, declarations, stray end tags).
    Text(Cow<'b, str>),
    Eof,
}

/// A streaming XML reader with line numbers, element paths and one-root checking.
pub(crate) struct XmlStream<R: BufRead> {
    reader: Reader<Counting<R>>,
    pub(crate) path: ElementPath,
    pub(crate) warnings: Vec<Warning>,
    /// End tags repaired: closes queued after a mismatched end tag implicitly closed elements.
    pending_ends: Vec<String>,
    root_closed: bool,
    /// The element the parser reads attributes of itself (`line`); every other element's
    /// attributes are checked here so that malformed markup anywhere is an error.
    hot: &'static str,
    /// True when quick-xml is between events in text (its last event was markup), the only
    /// state in which [`XmlStream::next_simple_empty`] may consume bytes behind its back.
    at_text: bool,
    /// Bytes consumed by `next_simple_empty`, which quick-xml's error offsets do not count.
    skipped: u64,
}

impl<R: BufRead> XmlStream<R> {
    pub(crate) fn new(reader: R, hot: &'static str) -> Self {
        let mut reader = Reader::from_reader(Counting::new(reader));
        let config = reader.config_mut();
        // Own end-tag handling (see the module docs); text is kept as written.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.trim_text(false);
        XmlStream {
            reader,
            path: ElementPath::default(),
            warnings: Vec::new(),
            pending_ends: Vec::new(),
            root_closed: false,
            hot,
            at_text: false,
            skipped: 0,
        }
    }

    /// Line of the reader's position (the end of the last event).
    pub(crate) fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// An error at the current position and element (with `leaf` and `attribute` if given).
    pub(crate) fn error(
        &self,
        leaf: Option<(&str, usize)>,
        attribute: Option<&str>,
        message: impl Into<String>,
    ) -> FormatError {
        FormatError {
            location: Location {
                line: Some(self.line()),
                column: None,
                element: Some(self.path.render(leaf, attribute)).filter(|p| !p.is_empty()),
            },
            message: message.into(),
        }
    }

    pub(crate) fn warn(
        &mut self,
        kind: WarningKind,
        leaf: Option<(&str, usize)>,
        attribute: Option<&str>,
        message: impl Into<String>,
    ) {
        let element = Some(self.path.render(leaf, attribute)).filter(|p| !p.is_empty());
        let location = Location {
            line: Some(self.line()),
            column: None,
            element,
        };
        self.warnings.push(Warning::new(kind, location, message));
    }

    fn syntax_error(&self, err: &quick_xml::Error) -> FormatError {
        let (line, column) = self
            .reader
            .get_ref()
            .line_column(self.reader.error_position() + self.skipped);
        let element = Some(self.path.render(None, None)).filter(|p| !p.is_empty());
        FormatError {
            location: Location {
                line: Some(line),
                column: Some(column),
                element,
            },
            message: format!("the XML is not well-formed: {err}"),
        }
    }

    /// The next event that matters, with comments, declarations, processing instructions and
    /// whitespace between elements outside the root skipped.
    pub(crate) fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> Result<XmlEvent<'b>, FormatError> {
        if let Some(name) = self.pending_ends.pop() {
            self.path.depth -= 1;
            if self.path.depth == 0 {
                self.root_closed = true;
            }
            return Ok(XmlEvent::End(name));
        }
        buf.clear();
        self.reader.get_mut().mark();
        // Re-borrow dance: quick-xml ties the event to `buf`; read first, then inspect.
        let event = match self.reader.read_event_into(buf) {
            Ok(event) => event,
            Err(err) => return Err(self.syntax_error(&err)),
        };
        self.at_text = matches!(
            event,
            Event::Start(_)
                | Event::Empty(_)
                | Event::End(_)
                | Event::CData(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_)
        );
        match event {
            Event::Start(start) => {
                self.check_root(&start)?;
                let line = self.line();
                self.path.open(start.name().as_ref(), line);
                self.check_attributes(&start, None)?;
                Ok(XmlEvent::Start(start))
            }
            Event::Empty(start) => {
                self.check_root(&start)?;
                let name: &str = start.name().0;
                let index = self.path.count_child(name);
                self.check_attributes(&start, Some((name, index)))?;
                if self.path.depth == 0 {
                    self.root_closed = true;
                }
                Ok(XmlEvent::Empty(start, index))
            }
            Event::End(end) => {
                let name: &str = end.name().0;
                self.close(name)
            }
            Event::Text(text) => {
                let content = text.xml10_content();
                if self.path.depth == 0 {
                    if content.trim().is_empty() {
                        return Ok(XmlEvent::Text(Cow::Borrowed("")));
                    }
                    return Err(self.error(
                        None,
                        None,
                        format!(
                            "expected only markup outside the root element but found text \"{}\"",
                            content.trim().chars().take(40).collect::<String>()
                        ),
                    ));
                }
                Ok(XmlEvent::Text(content))
            }
            Event::CData(data) => Ok(XmlEvent::Text(data.xml10_content())),
            Event::GeneralRef(reference) => {
                Ok(XmlEvent::Text(Cow::Owned(self.resolve(&reference)?)))
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                Ok(XmlEvent::Text(Cow::Borrowed("")))
            }
            Event::Eof => {
                if self.path.depth > 0 {
                    let frame = &self.path.frames[self.path.depth - 1];
                    return Err(self.error(
                        None,
                        None,
                        format!(
                            "unexpected end of file: expected the end tag </{}> of the element opened on line {}",
                            frame.name, frame.line
                        ),
                    ));
                }
                if !self.root_closed {
                    return Err(self.error(
                        None,
                        None,
                        "unexpected end of file: expected a root element",
                    ));
                }
                Ok(XmlEvent::Eof)
            }
        }
    }

    /// Fast path for the hot element: if the next markup, after whitespace only, is `<name …/>`
    /// or `<name …>` followed by nothing but whitespace, an optional `<wrapper>` of empty
    /// `<child …/>` elements and `</name>`, all plain (ASCII, no references, `"` quotes only,
    /// single-spaced `key="value"` attributes on the children), consumes the start tag (and the
    /// whitespace before it) without quick-xml, copies its content (`name attr="…" …`, as
    /// quick-xml's `BytesStart` holds it) into `buf` and returns its sibling index and the
    /// length of the rest, which [`XmlStream::skip_simple`] consumes after the caller has read
    /// the attributes (so errors and warnings carry the start tag's line). Anything else
    /// returns `None` and consumes nothing, so the general path reads it and reports errors
    /// exactly as before. The whitespace skipped would have been whitespace-only text events:
    /// callers that need text must not use this.
    pub(crate) fn next_simple(
        &mut self,
        name: &str,
        wrapper: &str,
        child: &str,
        buf: &mut Vec<u8>,
    ) -> Option<(usize, usize)> {
        if !self.at_text || !self.pending_ends.is_empty() || self.path.depth == 0 {
            return None;
        }
        let available = self.reader.get_mut().fill_buf().ok()?;
        let start = skip_space(available, 0);
        let rest = &available[start..];
        let (content, empty, after) = plain_tag(rest, name)?;
        let mut tail = after;
        if !empty {
            tail = skip_space(rest, tail);
            if rest[tail..].starts_with(b"<")
                && rest[tail + 1..].starts_with(wrapper.as_bytes())
                && rest.get(tail + 1 + wrapper.len()) == Some(&b'>')
            {
                tail += wrapper.len() + 2;
                loop {
                    tail = skip_space(rest, tail);
                    if end_tag(&rest[tail..], wrapper) {
                        tail += wrapper.len() + 3;
                        break;
                    }
                    let (child_content, child_empty, child_after) =
                        plain_tag(&rest[tail..], child)?;
                    if !child_empty || !quick_child_attributes(&child_content[child.len()..]) {
                        return None;
                    }
                    tail += child_after;
                }
                tail = skip_space(rest, tail);
            }
            if !end_tag(&rest[tail..], name) {
                return None;
            }
            tail += name.len() + 3;
        }
        buf.clear();
        buf.extend_from_slice(content);
        let head = start + after;
        let counting = self.reader.get_mut();
        counting.mark();
        counting.consume(head);
        self.skipped += head as u64;
        Some((self.path.count_child(name), tail - after))
    }

    /// Consumes the rest of an element read by [`XmlStream::next_simple`].
    pub(crate) fn skip_simple(&mut self, tail: usize) {
        self.reader.get_mut().consume(tail);
        self.skipped += tail as u64;
    }

    fn check_attributes(
        &self,
        start: &BytesStart<'_>,
        leaf: Option<(&str, usize)>,
    ) -> Result<(), FormatError> {
        if start.name().0 == self.hot {
            return Ok(());
        }
        for attr in start.attributes() {
            attr.map_err(|e| {
                self.error(
                    leaf,
                    None,
                    format!("the XML is not well-formed: malformed attribute: {e}"),
                )
            })?;
        }
        Ok(())
    }

    fn check_root(&self, start: &BytesStart<'_>) -> Result<(), FormatError> {
        if self.path.depth == 0 && self.root_closed {
            return Err(self.error(
                None,
                None,
                format!(
                    "expected one root element, but <{}> follows the end of the first",
                    start.name().as_ref() as &str
                ),
            ));
        }
        Ok(())
    }

    fn close<'b>(&mut self, name: &str) -> Result<XmlEvent<'b>, FormatError> {
        if self.path.depth == 0 {
            return Err(self.error(
                None,
                None,
                format!("unexpected end tag </{name}> outside the root element"),
            ));
        }
        if self.path.current() == name {
            self.path.depth -= 1;
            if self.path.depth == 0 {
                self.root_closed = true;
            }
            return Ok(XmlEvent::End(name.to_owned()));
        }
        if self.path.is_open(name) {
            // Close the elements left open inside `name` first, then `name` itself.
            let open = self.path.current().to_owned();
            self.warn(
                WarningKind::RepairedXml,
                None,
                None,
                format!("end tag </{name}> closes <{open}> too; read as if </{open}> came first"),
            );
            let mut level = self.path.depth;
            while level > 0 && self.path.name(level - 1) != name {
                level -= 1;
            }
            // Queue the closes innermost first; `pending_ends` is popped from the back.
            let mut ends: Vec<String> = (level - 1..self.path.depth)
                .map(|l| self.path.name(l).to_owned())
                .collect();
            let first = ends.pop().unwrap_or_default();
            self.pending_ends = ends;
            self.path.depth -= 1;
            if self.path.depth == 0 {
                self.root_closed = true;
            }
            return Ok(XmlEvent::End(first));
        }
        let open = self.path.current().to_owned();
        self.warn(
            WarningKind::RepairedXml,
            None,
            None,
            format!("ignored end tag </{name}>, which closes no open element (inside <{open}>)"),
        );
        Ok(XmlEvent::Text(Cow::Borrowed("")))
    }

    fn resolve(&self, reference: &BytesRef<'_>) -> Result<String, FormatError> {
        match reference.resolve_char_ref() {
            Ok(Some(c)) => return Ok(c.to_string()),
            Ok(None) => {}
            Err(err) => return Err(self.syntax_error(&err)),
        }
        let name: &str = &reference.xml10_content();
        let text = match name {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            other => {
                return Err(self.error(
                    None,
                    None,
                    format!("unknown entity &{other}; (only the five XML entities are defined)"),
                ))
            }
        };
        Ok(text.to_owned())
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

fn end_tag(bytes: &[u8], name: &str) -> bool {
    bytes.len() >= name.len() + 3
        && bytes.starts_with(b"</")
        && &bytes[2..2 + name.len()] == name.as_bytes()
        && bytes[2 + name.len()] == b'>'
}

/// Byte classes for [`plain_tag`]: 0 ordinary, 1 `"`, 2 `>`, 3 anything that sends the tag to
/// the general path (`'`, `<`, `&`, non-ASCII).
const TAG_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0x80;
    while b < 256 {
        table[b] = 3;
        b += 1;
    }
    table[b'"' as usize] = 1;
    table[b'>' as usize] = 2;
    table[b'\'' as usize] = 3;
    table[b'<' as usize] = 3;
    table[b'&' as usize] = 3;
    table
};

/// `<name …>` or `<name …/>` at the start of `bytes` in plain ASCII (no references, no `'`,
/// `"` in pairs): its content without `<` and `/>`/`>`, whether it is empty, and its length.
fn plain_tag<'a>(bytes: &'a [u8], name: &str) -> Option<(&'a [u8], bool, usize)> {
    let name_end = 1 + name.len();
    if bytes.len() <= name_end
        || bytes[0] != b'<'
        || &bytes[1..name_end] != name.as_bytes()
        || !matches!(bytes[name_end], b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'>')
    {
        return None;
    }
    // One pass to the first `>` that also counts quotes and rejects unusual bytes.
    let mut quotes = 0usize;
    let mut close = None;
    for (i, &b) in bytes.iter().enumerate().skip(name_end) {
        match TAG_CLASS[b as usize] {
            0 => {}
            1 => quotes += 1,
            2 => {
                close = Some(i);
                break;
            }
            _ => return None,
        }
    }
    let close = close?;
    if quotes % 2 != 0 {
        return None;
    }
    let empty = bytes[close - 1] == b'/';
    let end = if empty { close - 1 } else { close };
    if end < name_end {
        return None;
    }
    Some((&bytes[1..end], empty, close + 1))
}

/// What a caller of [`plain_attributes`] does with each attribute.
pub(crate) trait PlainAttributes<'r> {
    /// One attribute: its key and its value's range in the raw attributes. False stops the
    /// reading: the attributes are then not plain for this caller.
    fn value(&mut self, key: &'r str, start: usize, end: usize) -> bool;
    /// Forgets what [`PlainAttributes::value`] was told: the reading starts over.
    fn reset(&mut self);
}

/// Reads attributes written the common way, `key="value"` (or `'value'`) separated by
/// whitespace, with values that need no unescaping or normalization (no `&`, `<`, tab or line
/// break), handing each to `sink`. Returns false on anything else, for quick-xml's attribute
/// reader to handle with its checks and messages: this is only a shortcut past it. One reader
/// for every XML format (JUnit's attribute values, the coverage formats' fast path).
pub(crate) fn plain_attributes<'r>(raw: &'r str, sink: &mut impl PlainAttributes<'r>) -> bool {
    let b = raw.as_bytes();
    // Nearly every start tag is one line of `key="value"` pairs with nothing to unescape: one
    // branch-free pass over it (vectorized) says so, and the values are then found with
    // `memchr`, not byte by byte.
    let special = b.iter().fold(false, |acc, &c| {
        acc | (c < 0x20) | (c == b'&') | (c == b'<')
    });
    if !special {
        if let Some(done) = simple_attributes(raw, sink) {
            return done;
        }
        sink.reset();
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
        if !sink.value(key, i + 1, i + 1 + len) {
            return false;
        }
        i += len + 2;
        if i < b.len() && !is_space(b[i]) {
            return false;
        }
    }
}

/// [`plain_attributes`] for a tag without control characters, `&` or `<`: pairs separated by
/// spaces. `None` when it is not that simple after all (the general loop decides then).
fn simple_attributes<'r>(raw: &'r str, sink: &mut impl PlainAttributes<'r>) -> Option<bool> {
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
        if !sink.value(key, start, end) {
            return Some(false);
        }
        i = end + 1;
        if i < b.len() && b[i] != b' ' {
            return None;
        }
    }
}

/// True for ` key="value"` repeated with distinct plain keys (at most 8), and at most one space
/// after the last (coverlet's `" />"`), the form quick-xml
/// accepts without question: the check on each child of the Cobertura fast path. It stays
/// apart from [`plain_attributes`] (which hands values to a sink and handles any whitespace and
/// quoting) because it runs once per `<condition>`-like child of millions of lines: the
/// shared reader with its UTF-8 check made `prcov report` on a 745 MB Cobertura 14 % slower.
fn quick_child_attributes(mut rest: &[u8]) -> bool {
    let mut keys: [&[u8]; 8] = [b""; 8];
    let mut count = 0;
    while !rest.is_empty() {
        let Some(after_space) = rest.strip_prefix(b" ") else {
            return false;
        };
        // Coverlet writes `<condition … coverage="50%" />`: a space before the `/>`.
        if after_space.is_empty() {
            return true;
        }
        let Some(eq) = memchr::memchr(b'=', after_space) else {
            return false;
        };
        let key = &after_space[..eq];
        if key.is_empty()
            || !key
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
            || after_space.get(eq + 1) != Some(&b'"')
            || count == keys.len()
            || keys[..count].contains(&key)
        {
            return false;
        }
        keys[count] = key;
        count += 1;
        let value = &after_space[eq + 2..];
        let Some(end) = memchr::memchr(b'"', value) else {
            return false;
        };
        rest = &value[end + 1..];
    }
    true
}

/// Replaces the five predefined entities and character references in an attribute value.
pub(crate) fn unescape(raw: &str) -> Option<String> {
    quick_xml::escape::unescape(raw).ok().map(Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(xml: &str) -> Result<(Vec<String>, Vec<Warning>), FormatError> {
        let mut stream = XmlStream::new(xml.as_bytes(), "line");
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match stream.next(&mut buf)? {
                XmlEvent::Start(s) => out.push(format!(
                    "<{}[{}]",
                    s.name().as_ref() as &str,
                    stream.path.frames[stream.path.depth - 1].index
                )),
                XmlEvent::Empty(s, i) => out.push(format!("<{}[{i}]/", s.name().as_ref() as &str)),
                XmlEvent::End(n) => out.push(format!("/{n}")),
                XmlEvent::Text(t) if t.trim().is_empty() => {}
                XmlEvent::Text(t) => out.push(format!("'{t}'")),
                XmlEvent::Eof => return Ok((out, stream.warnings)),
            }
        }
    }

    #[test]
    fn repairs_stray_and_mismatched_end_tags() {
        let (ev, warnings) = events("<a><b><c></b><d></x></d></a>").unwrap();
        assert_eq!(
            ev,
            ["<a[0]", "<b[0]", "<c[0]", "/c", "/b", "<d[0]", "/d", "/a"]
        );
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].message.contains("</b> closes <c>"));
        assert!(warnings[1].message.contains("ignored end tag </x>"));
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = events("<a>\n  <b>\n  <c x=\"1/>\n</b></a>").unwrap_err();
        assert_eq!(err.location.line, Some(3), "{err:?}");
        assert!(err.location.column.is_some());
        let err = events("<a>\n<b>\n").unwrap_err();
        assert_eq!(err.location.line, Some(3));
        assert!(
            err.message
                .contains("expected the end tag </b> of the element opened on line 2"),
            "{err:?}"
        );
        let err = events("<a/>\n<b/>").unwrap_err();
        assert!(err.message.contains("one root element"), "{err:?}");
        assert_eq!(err.location.line, Some(2));
        let err = events("\n").unwrap_err();
        assert!(err.message.contains("expected a root element"), "{err:?}");
    }

    #[test]
    fn text_with_entities() {
        let (ev, _) = events("<a>x &amp; &#65;<![CDATA[<y>]]></a>").unwrap();
        assert_eq!(ev, ["<a[0]", "'x '", "'&'", "'A'", "'<y>'", "/a"]);
    }

    #[test]
    fn paths_name_sibling_indexes() {
        let mut stream = XmlStream::new(
            &b"<coverage><packages><package/><package><classes><class/><class>"[..],
            "line",
        );
        let mut buf = Vec::new();
        for _ in 0..7 {
            stream.next(&mut buf).unwrap();
        }
        assert_eq!(
            stream.path.render(Some(("lines", 0)), None),
            "coverage/packages/package[1]/classes/class[1]/lines"
        );
        assert_eq!(
            stream.path.render(Some(("line", 7)), Some("hits")),
            "coverage/packages/package[1]/classes/class[1]/line[7]/@hits"
        );
    }

    #[test]
    fn sibling_counts_stay_right_past_the_switch_to_a_map() {
        let mut counts = SiblingCounts::<String>::default();
        for round in 0..3 {
            for i in 0..40 {
                assert_eq!(counts.next_index(format!("n{i}").as_str()), round);
            }
        }
        counts.clear();
        assert_eq!(counts.next_index("n0"), 0);
        assert_eq!(counts.next_index("n0"), 1);
    }

    #[test]
    fn lines_forget_folded_newlines_when_one_stays_unfolded_per_batch() {
        let mut lines = Lines::default();
        // Each batch: 10 newlines, 100 bytes apart; events start up to the 9th only, so the
        // last newline of every batch stays unfolded when the next batch arrives.
        for batch in 0..1000u64 {
            let base = batch * 1000;
            let more: Vec<u64> = (0..10).map(|k| base + k * 100 + 50).collect();
            lines.extend(&more);
            lines.fold_before(base + 860);
            assert_eq!(lines.line_col(base + 870), (batch * 10 + 10, 20));
        }
        assert!(lines.newlines.len() <= 20, "{}", lines.newlines.len());
    }

    #[test]
    fn condition_children_may_end_with_a_space() {
        // coverlet: `<condition number="17" type="jump" coverage="50%" />`
        assert!(quick_child_attributes(b" number=\"17\" coverage=\"50%\" "));
        assert!(quick_child_attributes(b" number=\"17\" coverage=\"50%\""));
        assert!(quick_child_attributes(b""));
        assert!(!quick_child_attributes(b" number=\"17\"  "));
        assert!(!quick_child_attributes(b" number=\"17\" number=\"18\" "));
    }
}
