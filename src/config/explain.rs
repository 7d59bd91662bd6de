//! `prcov config explain`: the effective settings and where each came from — a command-line
//! flag, `prcov.toml`, `codecov.yml` (with its line and key), or the default — as text or JSON
//! (docs/schema/explain.schema.json).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Serialize;
use serde_json::{json, Value};

use super::{FileConfig, Origin, SettingsFile};

/// The values given on the command line, each with its flag.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `(key, value, flag)`: the flag replaces the file's value.
    pub replace: Vec<(&'static str, Value, &'static str)>,
    /// `(key, values, flag)`: the flag's values come before the file's (list keys).
    pub add: Vec<(&'static str, Vec<String>, &'static str)>,
}

/// What `config explain` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub schema: u32,
    /// The settings files read, in order.
    pub files: Vec<FileRead>,
    pub settings: Vec<Setting>,
    /// `codecov.yml` settings not used because `prcov.toml` sets the same key.
    pub overridden: Vec<Setting>,
    /// What a file says that prcov does not apply as written.
    pub not_applied: Vec<NotApplied>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileRead {
    pub kind: &'static str,
    pub path: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct Setting {
    /// The `prcov.toml` name of the setting.
    pub key: String,
    pub value: Value,
    /// Where the value came from, most important first.
    pub from: Vec<Source>,
    /// How a `codecov.yml` key was mapped, when that is not one to one.
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    /// A command-line flag.
    Flag { flag: String },
    /// `prcov.toml`.
    PrcovToml { file: PathBuf, line: Option<u64> },
    /// `codecov.yml`, with the key it was mapped from.
    CodecovYml {
        file: PathBuf,
        line: Option<u64>,
        codecov_key: Option<String>,
    },
    /// Nothing set it.
    Default,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotApplied {
    pub file: Option<PathBuf>,
    pub line: Option<u64>,
    pub message: String,
}

impl Source {
    fn of(o: &Origin) -> Self {
        match o.kind {
            SettingsFile::PrcovToml => Source::PrcovToml {
                file: o.file.clone(),
                line: o.line,
            },
            SettingsFile::Codecov => Source::CodecovYml {
                file: o.file.clone(),
                line: o.line,
                codecov_key: o.key.clone(),
            },
        }
    }

    fn text(&self) -> String {
        let at = |file: &PathBuf, line: &Option<u64>| match line {
            Some(l) => format!("{}:{l}", file.display()),
            None => file.display().to_string(),
        };
        match self {
            Source::Flag { flag } => flag.clone(),
            Source::PrcovToml { file, line } => at(file, line),
            Source::CodecovYml {
                file,
                line,
                codecov_key,
            } => match codecov_key {
                Some(k) => format!("{} ({k})", at(file, line)),
                None => at(file, line),
            },
            Source::Default => "default".into(),
        }
    }
}

/// The effective settings of `file` under the command line's `flags`.
pub fn explain(file: &FileConfig, flags: &Flags) -> Explanation {
    let g = &file.gates;
    let opt = |v: Option<f64>| v.map_or(Value::Null, |v| json!(v));
    let mut rows: Vec<(String, Value)> = vec![
        ("reports".into(), json!(file.reports)),
        ("junit".into(), json!(file.junit)),
        ("path_map".into(), json!(file.path_map)),
        ("strip_prefix".into(), json!(file.strip_prefix)),
        ("partials_as_hits".into(), json!(file.partials_as_hits)),
        ("fail_on_unmatched".into(), json!(file.fail_on_unmatched)),
        (
            "allow_nothing_measured".into(),
            json!(file.allow_nothing_measured),
        ),
        ("ignore".into(), json!(file.ignore)),
        ("include".into(), json!(file.include)),
        ("not_instrumented".into(), json!(file.not_instrumented)),
        ("base".into(), json!(file.base)),
        (
            "comment_key".into(),
            json!(file.comment_key.as_deref().unwrap_or("default")),
        ),
        ("gates.patch".into(), opt(g.patch)),
        ("gates.project".into(), opt(g.project)),
        ("gates.max_project_drop".into(), opt(g.max_project_drop)),
        ("gates.threshold".into(), opt(g.threshold)),
        (
            "gates.fail_on_test_failure".into(),
            json!(g.fail_on_test_failure),
        ),
        ("gates.allow_no_tests".into(), json!(g.allow_no_tests)),
        (
            "gates.fail_on_empty_change".into(),
            json!(g.fail_on_empty_change),
        ),
    ];
    for (name, flag) in &file.flags {
        rows.push((
            format!("flags.{name}"),
            json!({"paths": flag.paths, "carryforward": flag.carryforward}),
        ));
    }
    for c in &file.components {
        rows.push((
            format!("components.{}", c.id),
            json!({
                "name": c.name, "paths": c.paths, "flags": c.flags, "patch": c.patch,
                "project": c.project, "threshold": c.threshold, "informational": c.informational,
            }),
        ));
    }
    let behavior = match file.comment.behavior {
        super::comment::CommentBehavior::Default => "default",
        super::comment::CommentBehavior::Once => "once",
        super::comment::CommentBehavior::New => "new",
        super::comment::CommentBehavior::Spammy => "spammy",
    };
    rows.push(("comment.behavior".into(), json!(behavior)));
    rows.push((
        "comment.require_changes".into(),
        json!(file.comment.require_changes),
    ));
    rows.push(("comment.hide".into(), json!(file.comment.hide)));
    rows.push(("badge.thresholds".into(), json!(file.badge.thresholds)));
    let percent = file.display.percent();
    rows.push(("display.precision".into(), json!(percent.digits())));
    rows.push(("display.round".into(), json!(percent.round().name())));

    let settings = rows
        .into_iter()
        .map(|(key, value)| setting(file, flags, key, value))
        .collect();
    Explanation {
        schema: 1,
        files: file
            .files
            .iter()
            .map(|(kind, path)| FileRead {
                kind: kind.name(),
                path: path.clone(),
            })
            .collect(),
        settings,
        overridden: file
            .overridden
            .iter()
            .map(|(key, o)| Setting {
                key: key.clone(),
                value: Value::Null,
                from: vec![Source::of(o)],
                note: o.note.clone(),
            })
            .collect(),
        not_applied: file
            .warnings
            .iter()
            .map(|w| NotApplied {
                file: w.file.clone(),
                line: w.location.line,
                message: w.message.clone(),
            })
            .collect(),
    }
}

fn setting(file: &FileConfig, flags: &Flags, key: String, value: Value) -> Setting {
    let origin = file.origins.get(&key);
    let mut from: Vec<Source> = origin.map(Source::of).into_iter().collect();
    let mut note = origin.and_then(|o| o.note.clone());
    let mut value = value;
    if let Some((_, v, flag)) = flags.replace.iter().find(|(k, _, _)| *k == key) {
        value = v.clone();
        from = vec![Source::Flag {
            flag: (*flag).to_owned(),
        }];
        note = None;
    }
    if let Some((_, values, flag)) = flags.add.iter().find(|(k, _, _)| *k == key) {
        let mut all: Vec<Value> = values.iter().map(|v| json!(v)).collect();
        if let Value::Array(file_values) = value {
            all.extend(file_values);
        }
        value = Value::Array(all);
        from.insert(
            0,
            Source::Flag {
                flag: (*flag).to_owned(),
            },
        );
    }
    if origin.is_some_and(|o| o.needs_base) && from.len() == 1 {
        note = note.map(|n| {
            format!("{n}; needs a base to compare with (--base-report or history), else the gate is left out")
        });
    }
    if from.is_empty() {
        from.push(Source::Default);
        if key == "not_instrumented" {
            note = Some("the built-in list (docs/configuration.md#not_instrumented)".into());
        }
    }
    Setting {
        key,
        value,
        from,
        note,
    }
}

impl Explanation {
    /// Aligned columns: key, value, where from; notes on their own line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.files.is_empty() {
            out.push_str(
                "Settings files: none (no prcov.toml, and no codecov.yml Codecov would find)\n",
            );
        } else {
            let names: Vec<String> = self
                .files
                .iter()
                .map(|f| format!("{} ({})", f.path.display(), f.kind))
                .collect();
            let _ = writeln!(out, "Settings files: {}", names.join(", "));
        }
        out.push('\n');
        let width = self.settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
        let value_text = |v: &Value| match v {
            Value::Null => "-".to_owned(),
            other => other.to_string(),
        };
        let vwidth = self
            .settings
            .iter()
            .map(|s| value_text(&s.value).chars().count())
            .filter(|w| *w <= 40)
            .max()
            .unwrap_or(0);
        for s in &self.settings {
            let from: Vec<String> = s.from.iter().map(Source::text).collect();
            let _ = writeln!(
                out,
                "{:width$}  {:vwidth$}  {}",
                s.key,
                value_text(&s.value),
                from.join(" + ")
            );
            if let Some(n) = &s.note {
                let _ = writeln!(out, "{:width$}  ↳ {n}", "");
            }
        }
        if !self.overridden.is_empty() {
            out.push_str("\nSet in codecov.yml, overridden by prcov.toml:\n");
            for s in &self.overridden {
                let from: Vec<String> = s.from.iter().map(Source::text).collect();
                let _ = writeln!(out, "  {}  {}", s.key, from.join(", "));
            }
        }
        if !self.not_applied.is_empty() {
            out.push_str("\nNot applied:\n");
            for n in &self.not_applied {
                let at = match (&n.file, n.line) {
                    (Some(f), Some(l)) => format!("{}:{l}: ", f.display()),
                    (Some(f), None) => format!("{}: ", f.display()),
                    _ => String::new(),
                };
                let _ = writeln!(out, "  {at}{}", n.message);
            }
        }
        out
    }

    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serializes");
        s.push('\n');
        s
    }
}
