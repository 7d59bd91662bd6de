//! A YAML document as a small tree whose every node and key knows its line, read with saphyr.
//! Codecov reads its file with PyYAML (YAML 1.1), so this tree follows 1.1 where files rely on
//! it: `yes`/`no`/`on`/`off` are booleans, and `<<: *anchor` merges a mapping.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

/// A node and the (1-based) line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u64,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A mapping's key (with its own line: a warning points at the key) and value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub line: u64,
    pub node: Node,
}

/// Malformed YAML: the line and what the parser expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u64,
    pub column: u64,
    pub message: String,
}

/// Parses the first document of `text` (an empty file is an empty mapping). More documents are
/// returned as their count, for the caller to warn about.
pub fn parse(text: &str) -> Result<(Node, usize), YamlError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| YamlError {
        line: e.marker().line() as u64,
        column: e.marker().col() as u64 + 1,
        message: e.info().to_owned(),
    })?;
    let extra = docs.len().saturating_sub(1);
    let root = docs.first().map_or(
        Node {
            line: 1,
            value: Value::Map(Vec::new()),
        },
        convert,
    );
    Ok((root, extra))
}

fn convert(y: &MarkedYaml<'_>) -> Node {
    let line = y.span.start.line() as u64;
    let value = match &y.data {
        YamlData::Value(s) => scalar(s),
        YamlData::Representation(s, _, _) => Value::Str(s.to_string()),
        YamlData::Sequence(items) => Value::Seq(items.iter().map(convert).collect()),
        YamlData::Mapping(map) => {
            let mut entries: Vec<Entry> = Vec::new();
            let mut merged: Vec<Entry> = Vec::new();
            for (k, v) in map {
                let key = convert(k);
                let node = convert(v);
                if key.value == Value::Str("<<".into()) {
                    // YAML 1.1 merge key: the aliased mapping(s) fill in what is not set here.
                    match node.value {
                        Value::Map(m) => merged.extend(m),
                        Value::Seq(items) => {
                            for item in items {
                                if let Value::Map(m) = item.value {
                                    merged.extend(m);
                                }
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                entries.push(Entry {
                    key: key.scalar_text().unwrap_or_default(),
                    line: key.line,
                    node,
                });
            }
            for m in merged {
                if !entries.iter().any(|e| e.key == m.key) {
                    entries.push(m);
                }
            }
            Value::Map(entries)
        }
        // A tag (`!appveyor`) does not change what prcov reads.
        YamlData::Tagged(_, inner) => return convert(inner),
        YamlData::Alias(_) | YamlData::BadValue => Value::Null,
    };
    Node { line, value }
}

fn scalar(s: &Scalar<'_>) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::Int(*i),
        Scalar::FloatingPoint(f) => Value::Float(f.into_inner()),
        Scalar::String(s) => Value::Str(s.to_string()),
    }
}

impl Node {
    /// A scalar as text (`80`, `true`, `auto`); `None` for null, sequences and mappings.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Str(s) => Some(s.clone()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// A boolean, YAML 1.1 words included (`yes`, `off`, …).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => match s.to_ascii_lowercase().as_str() {
                "yes" | "y" | "on" | "true" => Some(true),
                "no" | "n" | "off" | "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A percentage: `80`, `80.5`, `"80%"`, `'80'`.
    pub fn as_percent(&self) -> Option<f64> {
        let v = match &self.value {
            Value::Int(i) => *i as f64,
            Value::Float(f) => *f,
            Value::Str(s) => s.trim().trim_end_matches('%').trim().parse().ok()?,
            _ => return None,
        };
        v.is_finite().then_some(v)
    }

    /// A list of strings, or one string standing for a list of one.
    pub fn as_strings(&self) -> Option<Vec<String>> {
        match &self.value {
            Value::Seq(items) => items.iter().map(Node::scalar_text).collect(),
            Value::Str(s) => Some(vec![s.clone()]),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get<'a>(n: &'a Node, key: &str) -> &'a Node {
        match &n.value {
            Value::Map(entries) => &entries.iter().find(|e| e.key == key).unwrap().node,
            other => panic!("not a mapping: {other:?}"),
        }
    }

    #[test]
    fn lines_anchors_merge_keys_and_yaml_1_1_booleans() {
        let text = "base: &b\n  target: 80%\n  threshold: 1\nproject:\n  <<: *b\n  threshold: 2\nflag: off\nlist: [a, 'b']\n";
        let (root, extra) = parse(text).unwrap();
        assert_eq!(extra, 0);
        let project = get(&root, "project");
        // The explicit key wins over the merged one; the merged one keeps its own line.
        assert_eq!(get(project, "threshold").as_percent(), Some(2.0));
        assert_eq!(get(project, "threshold").line, 6);
        assert_eq!(get(project, "target").as_percent(), Some(80.0));
        assert_eq!(get(project, "target").line, 2);
        assert_eq!(get(&root, "flag").as_bool(), Some(false));
        assert_eq!(
            get(&root, "list").as_strings(),
            Some(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn malformed_yaml_names_the_line() {
        let e = parse("coverage:\n  status: [a\n  other: 1\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        assert!(!e.message.is_empty());
        assert_eq!(parse("").unwrap().0.value, Value::Map(Vec::new()));
    }
}
