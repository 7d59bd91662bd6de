//! Warnings as values: what a stage skipped or repaired, with where it was found.
//!
//! Every stage returns its warnings with its result (parsers in `Parsed`, test results beside
//! them); the summaries carry them and the renderers print them, collapsed by [`group`]. This
//! module sits below every stage so that no stage depends on another for its diagnostics.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file something was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: Option<u64>,
    /// 1-based column, where known.
    pub column: Option<u64>,
    /// Element path for XML, e.g. `coverage/packages/package[2]/classes/class[0]/lines/line[4]/@hits`.
    pub element: Option<String>,
}

impl Location {
    pub fn line(line: u64) -> Self {
        Location {
            line: Some(line),
            ..Location::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}")?;
            if let Some(col) = self.column {
                write!(f, ", column {col}")?;
            }
        }
        if let Some(el) = &self.element {
            if self.line.is_some() {
                f.write_str(", ")?;
            }
            write!(f, "element {el}")?;
        }
        Ok(())
    }
}

/// What kind of oddity a warning reports. Warnings of one kind in one file are repeats of one
/// another and collapse into one line ([`group`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum WarningKind {
    /// Branch records of a line that has no line record (LCOV `BRDA:` without `DA:`): dropped.
    BranchWithoutLine,
    /// A record for line 0 or below (line numbers start at 1): dropped.
    InvalidLineNumber,
    /// An element outside the element that must hold it (a `<line>` outside any `<class>`).
    Misplaced,
    /// Something that is not a record of the format (an unknown LCOV record type, `EOF`).
    UnknownRecord,
    /// A record without its end (LCOV `end_of_record`): kept as read.
    IncompleteRecord,
    /// A record without a file name (LCOV `SF:` alone): kept under the empty path.
    MissingPath,
    /// A file with summary counts or functions but no line records: it adds no lines.
    NoLineRecords,
    /// Malformed XML read as if it were well-formed (stray or early end tags, unknown entities).
    RepairedXml,
    /// A value that was not understood: ignored or clamped.
    InvalidValue,
    /// Counts a report states about itself that disagree with its records.
    InconsistentCounts,
    /// Parts of one report that do not quite fit together (Go profiles of two modes).
    Mixed,
    /// The history baseline could not be looked up or compared in full.
    History,
    /// A setting of a settings file (`codecov.yml`) that prcov does not apply as written.
    Settings,
}

/// Something odd but readable that a stage skipped or repaired. Shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The file it was found in; set by the stage that opened the file (parsers do not know it).
    pub file: Option<PathBuf>,
    pub location: Location,
    /// What was odd and what was done about it, as a lowercase sentence fragment.
    pub message: String,
}

impl Warning {
    pub fn new(kind: WarningKind, location: Location, message: impl Into<String>) -> Self {
        Warning {
            kind,
            file: None,
            location,
            message: message.into(),
        }
    }

    /// The same warning, found in `file`.
    #[must_use]
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_owned());
        self
    }
}

/// `FILE: LOCATION: MESSAGE`, leaving out what is unknown.
impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if self.location != Location::default() {
            write!(f, "{}: ", self.location)?;
        }
        f.write_str(&self.message)
    }
}

/// Warnings of one kind from one file: the first one and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarningGroup<'a> {
    pub first: &'a Warning,
    pub count: usize,
}

/// `FIRST` alone, or `FIRST (and N more like it)` for repeats.
impl fmt::Display for WarningGroup<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        match self.count {
            0 | 1 => Ok(()),
            2 => f.write_str(" (and 1 more like it)"),
            n => write!(f, " (and {} more like it)", n - 1),
        }
    }
}

/// Collapses repeats: one group per file and kind, in the order of each group's first warning.
/// An nyc LCOV report with 37 branch records on lines without a line record gives one group of
/// 37, shown as one line with the first location.
pub fn group(warnings: &[Warning]) -> Vec<WarningGroup<'_>> {
    let mut groups: Vec<WarningGroup<'_>> = Vec::new();
    // (file, kind) → index in `groups`; few groups, so a map keyed by references is enough.
    let mut index: std::collections::HashMap<(Option<&Path>, WarningKind), usize> =
        std::collections::HashMap::new();
    for w in warnings {
        let key = (w.file.as_deref(), w.kind);
        match index.get(&key) {
            Some(&i) => groups[i].count += 1,
            None => {
                index.insert(key, groups.len());
                groups.push(WarningGroup { first: w, count: 1 });
            }
        }
    }
    groups
}

/// How much of the warnings to show (`-q` none, `-v` each, otherwise one line per group).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WarningDetail {
    None,
    #[default]
    Grouped,
    Each,
}

/// The lines to show for `warnings` at `detail`, without a prefix.
pub fn lines(warnings: &[Warning], detail: WarningDetail) -> Vec<String> {
    match detail {
        WarningDetail::None => Vec::new(),
        WarningDetail::Grouped => group(warnings).iter().map(ToString::to_string).collect(),
        WarningDetail::Each => warnings.iter().map(ToString::to_string).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(file: &str, kind: WarningKind, line: u64, message: &str) -> Warning {
        Warning::new(kind, Location::line(line), message).in_file(Path::new(file))
    }

    #[test]
    fn display_leaves_out_what_is_unknown() {
        let full = w("lcov.info", WarningKind::UnknownRecord, 3, "ignored");
        assert_eq!(full.to_string(), "lcov.info: line 3: ignored");
        let bare = Warning::new(WarningKind::Mixed, Location::default(), "odd");
        assert_eq!(bare.to_string(), "odd");
    }

    #[test]
    fn repeats_of_one_kind_in_one_file_collapse() {
        let mut all = Vec::new();
        for line in 10..47 {
            all.push(w(
                "a.info",
                WarningKind::BranchWithoutLine,
                line,
                "dropped BRDA",
            ));
        }
        all.insert(
            5,
            w("a.info", WarningKind::UnknownRecord, 4, "ignored record"),
        );
        all.push(w(
            "b.info",
            WarningKind::BranchWithoutLine,
            2,
            "dropped BRDA",
        ));
        let groups = group(&all);
        let shown: Vec<(String, usize)> = groups
            .iter()
            .map(|g| (g.first.to_string(), g.count))
            .collect();
        assert_eq!(
            shown,
            [
                ("a.info: line 10: dropped BRDA".to_owned(), 37),
                ("a.info: line 4: ignored record".to_owned(), 1),
                ("b.info: line 2: dropped BRDA".to_owned(), 1),
            ]
        );
        assert_eq!(
            groups[0].to_string(),
            "a.info: line 10: dropped BRDA (and 36 more like it)"
        );
        assert_eq!(lines(&all, WarningDetail::Grouped).len(), 3);
        assert_eq!(lines(&all, WarningDetail::Each).len(), 39);
        assert!(lines(&all, WarningDetail::None).is_empty());
    }
}
