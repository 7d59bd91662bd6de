//! Codecov's JSON upload format: `{"coverage": {path: {line: value}}}`
//! (`cargo llvm-cov --codecov`, custom converters). A file's lines may also be a list whose
//! index is the line number (`[null, 1, 0]`: index 0 is unused).
//!
//! Values, as Codecov reads them:
//! - a number: the line's hits;
//! - `"covered/total"`: a line with branches. Codecov calls `0/total` a miss and a line with
//!   `covered < total` partial; the format has no separate hit count, so `0/total` becomes a
//!   missed line (hits 0) and any other value an executed line (hits 1) with
//!   `covered`/`total` branches;
//! - `null`: not coverable.
//!
//! Other keys of the document (`messages`, …) are not read.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::istanbul::json_error;
use super::{FormatError, Parsed};
use crate::model::{Branches, LineRecord};

#[derive(Deserialize)]
struct Document {
    coverage: BTreeMap<String, FileLines>,
}

/// One line value.
#[derive(Clone, Copy)]
enum Value {
    Hits(u64),
    Fraction(u32, u32),
}

/// A file's lines, from either the object or the list form.
struct FileLines(Vec<(u32, Value)>);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hit count or \"covered/total\"")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(Value::Hits(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
                // Some converters write -1 for "not coverable"; treat negatives as no hits.
                Ok(Value::Hits(u64::try_from(v).unwrap_or(0)))
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "finite and clamped to ≥ 0; counts saturate"
            )]
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
                if v.is_finite() {
                    Ok(Value::Hits(v.max(0.0) as u64))
                } else {
                    Err(E::custom(format!("invalid hit count {v}")))
                }
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
                let bad = || {
                    E::custom(format!(
                        "{} is not \"covered/total\"",
                        super::text::quoted(v.as_bytes())
                    ))
                };
                let (c, t) = v.split_once('/').ok_or_else(bad)?;
                let c: u32 = c.trim().parse().map_err(|_| bad())?;
                let t: u32 = t.trim().parse().map_err(|_| bad())?;
                Ok(Value::Fraction(c.min(t), t))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for FileLines {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FileLines;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of line → value, or a list of values by line")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileLines, A::Error> {
                use serde::de::Error;
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Option<Value> = map.next_value()?;
                    let line: u32 = key.trim().parse().map_err(|_| {
                        A::Error::custom(format!(
                            "{} is not a line number",
                            super::text::quoted(key.as_bytes())
                        ))
                    })?;
                    if let (Some(v), true) = (value, line > 0) {
                        out.push((line, v));
                    }
                }
                Ok(FileLines(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FileLines, A::Error> {
                let mut out = Vec::new();
                let mut line = 0u32;
                while let Some(value) = seq.next_element::<Option<Value>>()? {
                    if let (Some(v), true) = (value, line > 0) {
                        out.push((line, v));
                    }
                    line = line.saturating_add(1);
                }
                Ok(FileLines(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses a Codecov JSON report.
pub fn parse(reader: impl BufRead) -> Result<Parsed, FormatError> {
    let mut reader = reader;
    super::text::skip_bom(&mut reader);
    let doc: Document = serde_json::from_reader(reader).map_err(|e| {
        json_error(
            &e,
            "a Codecov JSON report {\"coverage\": {path: {line: hits}}}",
        )
    })?;
    let mut parsed = Parsed::default();
    for (path, lines) in doc.coverage {
        let file = parsed.report.file_mut(&path);
        for (line, value) in lines.0 {
            let record = match value {
                Value::Hits(h) => LineRecord::new(h),
                Value::Fraction(covered, total) => LineRecord {
                    hits: u64::from(covered > 0 || total == 0),
                    branches: (total > 0).then_some(Branches::Counted { covered, total }),
                },
            };
            file.add_line(line, record);
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineState;

    #[test]
    fn numbers_fractions_and_nulls() {
        let text = r#"{"coverage": {"a.rs": {"1": 3, "2": "1/2", "3": "0/2", "4": null, "5": 0, "6": "2/2"},
                       "b.rs": [null, 1, null, 0]}, "messages": {}}"#;
        let parsed = parse(text.as_bytes()).unwrap();
        let a = &parsed.report.files["a.rs"];
        let states: Vec<_> = a.lines.iter().map(|(n, r)| (n, r.state())).collect();
        assert_eq!(
            states,
            vec![
                (1, LineState::Hit),
                (2, LineState::Partial),
                (3, LineState::Miss),
                (5, LineState::Miss),
                (6, LineState::Hit)
            ]
        );
        let b = &parsed.report.files["b.rs"];
        assert_eq!(b.lines.keys().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn bad_values_are_errors_with_position() {
        let e = parse(r#"{"coverage": {"a.rs": {"1": "half"}}}"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("\"half\""), "{}", e.message);
        assert_eq!(e.location.line, Some(1));
        let e = parse(r#"{"coverage": {"a.rs": {"x": 1}}}"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("line number"), "{}", e.message);
    }
}
