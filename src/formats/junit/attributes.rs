//! Attribute values: which ones each element needs, a shortcut past quick-xml's attribute
//! reader for values written plainly, and durations as tools write them.

use quick_xml::events::BytesStart;

use super::builder::ElemKind;

/// The attributes read of each kind of element.
pub(super) const SUITE_KEYS: [&str; 6] = ["tests", "failures", "errors", "skipped", "time", "name"];
pub(super) const CASE_KEYS: [&str; 5] = ["name", "classname", "time", "file", "line"];
pub(super) const RESULT_KEYS: [&str; 3] = ["message", "type", "time"];

/// On the tokenizing thread, where the values of the attributes the builder will read of
/// this element are, when they are written plainly ([`plain_attributes`]): that scan is a
/// tenth of the builder's work, and this way the two threads do as much. Nothing is added
/// otherwise, and the builder reads the attributes itself (with quick-xml, and warnings).
pub(super) fn read_attributes(e: &BytesStart<'_>, spans: &mut Vec<Span>) {
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
pub(super) type Span = Option<(u32, u32)>;

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
pub(super) fn plain_decimal(s: &str) -> Option<f64> {
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
