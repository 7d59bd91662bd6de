//! Attribute values: which ones each element needs, a shortcut past quick-xml's attribute
//! reader for values written plainly, and durations as tools write them.

use quick_xml::events::BytesStart;

use super::builder::ElemKind;
use crate::formats::xml::{plain_attributes, PlainAttributes};

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
        let mut slots = Slots {
            keys: &keys,
            out: [None; N],
        };
        if plain_attributes(raw, &mut slots) {
            spans.extend_from_slice(&slots.out);
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

/// Where the values of `keys` are (the first of each wins).
struct Slots<'k, const N: usize> {
    keys: &'k [&'k str; N],
    out: [Span; N],
}

impl<const N: usize> PlainAttributes<'_> for Slots<'_, N> {
    fn value(&mut self, key: &str, start: usize, end: usize) -> bool {
        if let Some(slot) = self.keys.iter().position(|k| *k == key) {
            if self.out[slot].is_none() {
                let Some(value) = span(start, end) else {
                    return false;
                };
                self.out[slot] = Some(value);
            }
        }
        true
    }

    fn reset(&mut self) {
        self.out = [None; N];
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
