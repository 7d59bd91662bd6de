//! One sticky comment shared by several jobs: each job owns a *section* (`--section NAME`) and
//! rewrites only that one; the other jobs' sections are kept byte for byte. The header above them
//! is regenerated on every write from the line data each section carries in a hidden HTML
//! comment, so its totals are those of one run that merged every section's reports (a line hit in
//! any section is hit).
//!
//! A section in the comment:
//!
//! ```text
//! <!-- prcov-section:unit sha=<head sha> time=<commit time> data=<base64(deflate(JSON))> -->
//! …the job's rendered Markdown…
//! <!-- /prcov-section:unit -->
//! ```
//!
//! The data holds, per changed file, the added coverable lines that ran and that did not, with the
//! branches of those that have them (patch), and for the project the same per file ("lines"),
//! else per-file totals ("files"), else the totals alone ("totals"): the most precise of these
//! that fits [`DATA_MAX`] characters. Records unite with the model's own merge.
//! The header never shows a number the data cannot support: it says what is missing instead.
//!
//! Pure text in, text out: the host reads the comment, [`assemble`] builds the new one.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::analysis::{CountingRules, PatchCoverage, Percent};
use crate::model::{Branches, CoverageReport, LineRecord, Totals};

use super::limits::{truncate_chars, COMMENT_MAX};
use super::short_sha;

/// Longest embedded data of one section, in characters (base64). Three sections at this size
/// still leave 16 KiB of the 65 536-character comment for the Markdown.
pub const DATA_MAX: usize = 16_384;
/// A section's data never inflates to more than this (the comment is read back as input).
const INFLATED_MAX: usize = 4 << 20;
/// Above this many coverable project lines the per-line project data is not even tried: it could
/// not fit, and encoding it would cost time on a monorepo's report.
const LINES_LEVEL_MAX: u64 = 200_000;
/// Likewise for per-file totals: past this many files they cannot fit.
const FILES_LEVEL_MAX: usize = 20_000;

const START: &str = "<!-- prcov-section:";
const END: &str = "<!-- /prcov-section:";

/// This job's section, as the publish plan carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionPlan {
    /// `--section`: letters, digits, `-`, `_`, `.`; at most 64.
    pub name: String,
    /// The head commit's committer time (Unix seconds), to tell which of two heads is newer.
    pub head_time: Option<i64>,
    /// base64(deflate(JSON)) of the line data, at most [`DATA_MAX`] characters; empty when not
    /// even the totals fit (never: they are a few dozen bytes) or for a pending placeholder.
    pub data: String,
    /// How the merged header shows percentages (`[display]`); left out of a payload when it is
    /// the default, so payloads read as before.
    #[serde(default, skip_serializing_if = "Percent::is_default")]
    pub percent: Percent,
}

/// Whether `name` can be a section name (it goes into a hidden HTML comment unescaped).
pub fn name_problem(name: &str) -> Option<String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    (!ok).then(|| {
        format!("{name:?} is not a section name: use 1 to 64 letters, digits, `-`, `_` or `.`")
    })
}

/// The records of one file: line → whether it ran (hits 0 or 1) and its branches. Merged with
/// [`LineRecord::merge`], the model's own merge, so sections add up as one run's reports do.
type Lines = BTreeMap<u32, LineRecord>;

/// What a section says about the project.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectData {
    Lines(BTreeMap<String, Lines>),
    Files(BTreeMap<String, Totals>),
    Totals(Totals),
}

/// A section's decoded data.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionData {
    /// Per changed file; `None` when it did not fit.
    pub patch: Option<BTreeMap<String, Lines>>,
    pub project: ProjectData,
    /// `partials_as_hits` of the run that wrote it.
    pub rules: CountingRules,
}

#[derive(Serialize, Deserialize, Default)]
struct WireLines {
    /// Lines that ran, as ranges (`1-4,7`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    h: String,
    /// Lines that did not run.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    m: String,
    /// Branches of the lines that have them: `3+,4-` (branch id, taken or not) or `c1/2`
    /// (covered of total, when the format only counts them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    b: BTreeMap<u32, String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum WireProject {
    Lines(BTreeMap<String, WireLines>),
    /// lines, hits, partials, misses.
    Files(BTreeMap<String, [u64; 4]>),
    Totals([u64; 4]),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    v: u32,
    /// `partials_as_hits`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pah: bool,
    patch: Option<BTreeMap<String, WireLines>>,
    project: WireProject,
}

fn wire_lines(lines: &Lines) -> WireLines {
    let ranges = |ran: bool| {
        let l: Vec<u32> = lines
            .iter()
            .filter(|(_, r)| (r.hits > 0) == ran)
            .map(|(l, _)| *l)
            .collect();
        super::ranges::join(&l, ",")
    };
    let b = lines
        .iter()
        .filter_map(|(l, r)| {
            let text = match r.branches.as_ref()? {
                Branches::Identified(b) => b
                    .iter()
                    .map(|(id, taken)| format!("{id}{}", if *taken { '+' } else { '-' }))
                    .collect::<Vec<_>>()
                    .join(","),
                Branches::Counted { covered, total } => format!("c{covered}/{total}"),
            };
            Some((*l, text))
        })
        .collect();
    WireLines {
        h: ranges(true),
        m: ranges(false),
        b,
    }
}

fn parse_ranges(text: &str, hits: u64, into: &mut Lines) -> Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    for part in text.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let bad = || format!("bad line range {part:?}");
        let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        if a == 0 || b < a || into.len() + (b - a) as usize > INFLATED_MAX {
            return Err(bad());
        }
        for l in a..=b {
            into.insert(l, LineRecord::new(hits));
        }
    }
    Ok(())
}

fn parse_branches(text: &str) -> Result<Branches, String> {
    let bad = || format!("bad branches {text:?}");
    if let Some(counts) = text.strip_prefix('c') {
        let (c, t) = counts.split_once('/').ok_or_else(bad)?;
        let (covered, total) = (c.parse().map_err(|_| bad())?, t.parse().map_err(|_| bad())?);
        return Ok(Branches::Counted { covered, total });
    }
    let pairs = text
        .split(',')
        .map(|b| {
            let (id, taken) = if let Some(id) = b.strip_suffix('+') {
                (id, true)
            } else {
                (b.strip_suffix('-').ok_or_else(bad)?, false)
            };
            Ok((id.parse::<u64>().map_err(|_| bad())?, taken))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Branches::identified(pairs))
}

fn from_wire_lines(w: &WireLines) -> Result<Lines, String> {
    let mut out = Lines::new();
    parse_ranges(&w.m, 0, &mut out)?;
    parse_ranges(&w.h, 1, &mut out)?;
    for (l, text) in &w.b {
        let rec = out
            .get_mut(l)
            .ok_or_else(|| format!("branches for line {l}, which has no record"))?;
        rec.branches = Some(parse_branches(text)?);
    }
    Ok(out)
}

fn totals_array(t: &Totals) -> [u64; 4] {
    [t.lines, t.hits, t.partials, t.misses]
}

fn totals_of_array(a: [u64; 4]) -> Totals {
    Totals {
        lines: a[0],
        hits: a[1],
        partials: a[2],
        misses: a[3],
    }
}

fn pack(wire: &Wire) -> String {
    let json = serde_json::to_vec(wire).unwrap_or_default();
    let deflated = miniz_oxide::deflate::compress_to_vec(&json, 9);
    base64::engine::general_purpose::STANDARD.encode(deflated)
}

/// What the merge needs of a record: whether it ran, and its branches.
fn compact_record(r: LineRecord) -> LineRecord {
    LineRecord {
        hits: u64::from(r.hits > 0),
        branches: r.branches,
    }
}

/// Encodes a section's data: the most precise level that fits [`DATA_MAX`].
pub fn encode(patch: &PatchCoverage, report: &CoverageReport, rules: CountingRules) -> String {
    let patch_wire = || -> BTreeMap<String, WireLines> {
        patch
            .files
            .iter()
            .map(|f| {
                let file = report.files.get(&f.path);
                let mut lines = Lines::new();
                for l in f
                    .hit_lines
                    .iter()
                    .chain(&f.partial_lines)
                    .chain(&f.missed_lines)
                {
                    let rec = file.and_then(|file| file.lines.get(l)).unwrap_or_default();
                    lines.insert(*l, compact_record(rec));
                }
                (f.path.clone(), wire_lines(&lines))
            })
            .collect()
    };
    let mut per_file: BTreeMap<String, Totals> = BTreeMap::new();
    let mut total = Totals::default();
    for (path, file) in &report.files {
        let mut t = Totals::default();
        for (_, state) in file.lines.states() {
            t.add(rules.count(state));
        }
        total += t;
        per_file.insert(path.clone(), t);
    }
    let mut candidates: Vec<WireProject> = Vec::new();
    if total.lines <= LINES_LEVEL_MAX {
        candidates.push(WireProject::Lines(
            report
                .files
                .iter()
                .map(|(path, file)| {
                    let lines: Lines = file
                        .lines
                        .iter()
                        .map(|(l, r)| (l, compact_record(r)))
                        .collect();
                    (path.clone(), wire_lines(&lines))
                })
                .collect(),
        ));
    }
    if per_file.len() <= FILES_LEVEL_MAX {
        candidates.push(WireProject::Files(
            per_file
                .iter()
                .map(|(p, t)| (p.clone(), totals_array(t)))
                .collect(),
        ));
    }
    for project in candidates {
        let packed = pack(&Wire {
            v: 1,
            pah: rules.partials_as_hits,
            patch: Some(patch_wire()),
            project,
        });
        if packed.len() <= DATA_MAX {
            return packed;
        }
    }
    let with_patch = pack(&Wire {
        v: 1,
        pah: rules.partials_as_hits,
        patch: Some(patch_wire()),
        project: WireProject::Totals(totals_array(&total)),
    });
    if with_patch.len() <= DATA_MAX {
        return with_patch;
    }
    pack(&Wire {
        v: 1,
        pah: rules.partials_as_hits,
        patch: None,
        project: WireProject::Totals(totals_array(&total)),
    })
}

/// Decodes a section's data; an error says what is wrong (the comment is input).
pub fn decode(data: &str) -> Result<SectionData, String> {
    if data.len() > DATA_MAX * 2 {
        return Err("data longer than a section's limit".to_owned());
    }
    let deflated = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|e| format!("data is not base64: {e}"))?;
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(&deflated, INFLATED_MAX)
        .map_err(|_| "data does not inflate (corrupt, or larger than 4 MiB)".to_owned())?;
    let wire: Wire = serde_json::from_slice(&json).map_err(|e| format!("data: {e}"))?;
    if wire.v != 1 {
        return Err(format!("data version {} (this prcov reads 1)", wire.v));
    }
    let patch = match wire.patch {
        Some(files) => Some(
            files
                .iter()
                .map(|(p, w)| Ok((p.clone(), from_wire_lines(w)?)))
                .collect::<Result<_, String>>()?,
        ),
        None => None,
    };
    let project = match wire.project {
        WireProject::Lines(files) => ProjectData::Lines(
            files
                .iter()
                .map(|(p, w)| Ok((p.clone(), from_wire_lines(w)?)))
                .collect::<Result<_, String>>()?,
        ),
        WireProject::Files(files) => ProjectData::Files(
            files
                .into_iter()
                .map(|(p, a)| (p, totals_of_array(a)))
                .collect(),
        ),
        WireProject::Totals(a) => ProjectData::Totals(totals_of_array(a)),
    };
    Ok(SectionData {
        patch,
        project,
        rules: CountingRules {
            partials_as_hits: wire.pah,
        },
    })
}

fn lines_totals(lines: &Lines, rules: CountingRules) -> Totals {
    let mut t = Totals::default();
    for r in lines.values() {
        t.add(rules.count(r.state()));
    }
    t
}

/// Unites line records as merging the reports would: hits add up, taken branches unite.
fn unite(into: &mut BTreeMap<String, Lines>, from: &BTreeMap<String, Lines>) {
    for (path, lines) in from {
        let dst = into.entry(path.clone()).or_default();
        for (l, r) in lines {
            dst.entry(*l)
                .and_modify(|d| d.merge(r))
                .or_insert_with(|| r.clone());
        }
    }
}

impl SectionData {
    pub fn patch_totals(&self) -> Option<Totals> {
        let files = self.patch.as_ref()?;
        let mut t = Totals::default();
        for l in files.values() {
            t += lines_totals(l, self.rules);
        }
        Some(t)
    }

    pub fn project_totals(&self) -> Totals {
        match &self.project {
            ProjectData::Lines(files) => {
                let mut t = Totals::default();
                for l in files.values() {
                    t += lines_totals(l, self.rules);
                }
                t
            }
            ProjectData::Files(files) => {
                let mut t = Totals::default();
                for f in files.values() {
                    t += *f;
                }
                t
            }
            ProjectData::Totals(t) => *t,
        }
    }
}

/// A figure across sections, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Merged {
    Exact(Totals),
    Unavailable(String),
}

/// The counting rules of a merged run: partials count as hits when a section's run said so.
fn merged_rules(sections: &[(&str, &SectionData)]) -> CountingRules {
    CountingRules {
        partials_as_hits: sections.iter().any(|(_, d)| d.rules.partials_as_hits),
    }
}

/// Patch totals across sections: the union of their per-line data.
pub fn merge_patch(sections: &[(&str, &SectionData)]) -> Merged {
    let rules = merged_rules(sections);
    let mut all: BTreeMap<String, Lines> = BTreeMap::new();
    for (name, d) in sections {
        match &d.patch {
            Some(files) => unite(&mut all, files),
            None => {
                return Merged::Unavailable(format!(
                    "the changed lines of section `{name}` were too many to embed in the comment"
                ))
            }
        }
    }
    let mut t = Totals::default();
    for l in all.values() {
        t += lines_totals(l, rules);
    }
    Merged::Exact(t)
}

/// Project totals across sections: per line where a file is in several sections, per file where
/// only one section has it; unavailable when a shared file lacks line data.
pub fn merge_project(sections: &[(&str, &SectionData)]) -> Merged {
    if let [(_, only)] = sections {
        return Merged::Exact(only.project_totals());
    }
    let rules = merged_rules(sections);
    let mut lines: BTreeMap<String, Lines> = BTreeMap::new();
    // File → (sections naming it, totals when one section gave only totals).
    let mut by_file: BTreeMap<&str, (usize, Option<Totals>)> = BTreeMap::new();
    for (name, d) in sections {
        match &d.project {
            ProjectData::Lines(files) => {
                unite(&mut lines, files);
                for p in files.keys() {
                    by_file.entry(p).or_default().0 += 1;
                }
            }
            ProjectData::Files(files) => {
                for (p, t) in files {
                    let e = by_file.entry(p).or_default();
                    e.0 += 1;
                    e.1 = Some(*t);
                }
            }
            ProjectData::Totals(_) => {
                return Merged::Unavailable(format!(
                    "section `{name}` measured too many files to embed them in the comment"
                ))
            }
        }
    }
    let mut t = Totals::default();
    let mut shared_without_lines = 0usize;
    for (path, (count, totals)) in &by_file {
        match (count, totals) {
            (1, Some(ft)) => t += *ft,
            (_, None) => {
                t += lines
                    .get(*path)
                    .map(|l| lines_totals(l, rules))
                    .unwrap_or_default();
            }
            _ => shared_without_lines += 1,
        }
    }
    if shared_without_lines > 0 {
        return Merged::Unavailable(format!(
            "{shared_without_lines} file(s) are measured by several sections, and a section's \
             per-line data was too large to embed in the comment"
        ));
    }
    Merged::Exact(t)
}

/// One section found in a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub name: String,
    pub sha: String,
    pub time: Option<i64>,
    pub data: String,
    /// `pending=<sha>`: a placeholder for a section whose result was for an older head.
    pub pending: Option<String>,
    /// From the start marker through the end marker, kept byte for byte.
    pub raw: String,
}

/// The sections of a comment body, in order. Text outside them (the header) is not kept.
pub fn parse(body: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = find_line_start(rest, START) {
        let from = &rest[start..];
        let first_line = from.split('\n').next().unwrap_or_default();
        let Some(attrs) = first_line
            .strip_prefix(START)
            .and_then(|l| l.strip_suffix(" -->"))
        else {
            rest = &from[first_line.len()..];
            continue;
        };
        let mut words = attrs.split(' ');
        let name = words.next().unwrap_or_default().to_owned();
        let end_marker = format!("{END}{name} -->");
        let Some(end) =
            find_line_start(from, &end_marker).filter(|_| name_problem(&name).is_none())
        else {
            rest = &from[first_line.len()..];
            continue;
        };
        let raw = &from[..end + end_marker.len()];
        let mut found = Found {
            name,
            sha: String::new(),
            time: None,
            data: String::new(),
            pending: None,
            raw: raw.to_owned(),
        };
        for w in words {
            match w.split_once('=') {
                Some(("sha", v)) => v.clone_into(&mut found.sha),
                Some(("time", v)) => found.time = v.parse().ok(),
                Some(("data", v)) => v.clone_into(&mut found.data),
                Some(("pending", v)) => found.pending = Some(v.to_owned()),
                _ => {}
            }
        }
        out.push(found);
        rest = &from[raw.len()..];
    }
    out
}

/// Byte offset of the first line of `text` that starts with `prefix`.
fn find_line_start(text: &str, prefix: &str) -> Option<usize> {
    if text.starts_with(prefix) {
        return Some(0);
    }
    text.match_indices(&format!("\n{prefix}"))
        .next()
        .map(|(i, _)| i + 1)
}

/// This job's part, ready to place: its plan, head and rendered Markdown.
#[derive(Debug, Clone, Copy)]
pub struct Mine<'a> {
    pub section: &'a SectionPlan,
    pub head_sha: &'a str,
    pub body: &'a str,
}

/// What [`assemble`] decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Assembled {
    Body(String),
    /// The comment holds a section for a newer head than this run's: this run does not write.
    Superseded {
        newer: String,
    },
}

fn start_line(name: &str, sha: &str, time: Option<i64>, extra: &str) -> String {
    let time = time.map(|t| format!(" time={t}")).unwrap_or_default();
    format!("{START}{name} sha={sha}{time}{extra} -->")
}

fn my_raw(mine: Mine<'_>, data: &str, body: &str) -> String {
    let data = if data.is_empty() {
        String::new()
    } else {
        format!(" data={data}")
    };
    format!(
        "{}\n{}\n{END}{} -->",
        start_line(
            &mine.section.name,
            mine.head_sha,
            mine.section.head_time,
            &data
        ),
        body.trim_end_matches('\n'),
        mine.section.name
    )
}

fn pending_raw(name: &str, mine: Mine<'_>, old_sha: &str) -> String {
    format!(
        "{}\n:hourglass_flowing_sand: pending for `{}` (its last result, for `{}`, is out of date)\n{END}{name} -->",
        start_line(
            name,
            mine.head_sha,
            mine.section.head_time,
            &format!(" pending={old_sha}")
        ),
        short_sha(mine.head_sha),
        short_sha(old_sha),
    )
}

/// Whether `other` is for a newer head than this run's.
fn newer_than_mine(other: &Found, mine: Mine<'_>) -> bool {
    other.sha != mine.head_sha
        && matches!((other.time, mine.section.head_time), (Some(o), Some(m)) if o > m)
}

/// The comment (marker line first) with this job's section placed into `existing` (the
/// bodies of prcov's comments for this key, oldest first: several only when two jobs raced and
/// each created one). Other sections for this head are kept byte for byte; sections for another
/// (older) head become "pending" placeholders; the header is regenerated.
pub fn assemble(marker: &str, existing: &[&str], mine: Mine<'_>) -> Assembled {
    // Name → the section found, the newest head winning over duplicates.
    let mut others: BTreeMap<String, Found> = BTreeMap::new();
    for body in existing {
        for f in parse(body) {
            if newer_than_mine(&f, mine) && f.pending.is_none() {
                return Assembled::Superseded { newer: f.sha };
            }
            if f.name == mine.section.name {
                continue;
            }
            let keep = match others.get(&f.name) {
                Some(prev) => {
                    (prev.sha != mine.head_sha && f.sha == mine.head_sha)
                        || (prev.pending.is_some() && f.pending.is_none() && f.sha == prev.sha)
                }
                None => true,
            };
            if keep {
                others.insert(f.name.clone(), f);
            }
        }
    }
    let others: Vec<Found> = others
        .into_values()
        .map(|f| {
            if f.sha == mine.head_sha {
                f
            } else {
                let old = f.pending.clone().unwrap_or_else(|| f.sha.clone());
                let raw = pending_raw(&f.name, mine, &old);
                Found {
                    pending: Some(old),
                    sha: mine.head_sha.to_owned(),
                    time: mine.section.head_time,
                    data: String::new(),
                    raw,
                    name: f.name,
                }
            }
        })
        .collect();

    // Try the full data first; if the comment is too long, shorten this job's Markdown, and
    // as a last resort drop its data (the header then says so).
    for data in [mine.section.data.as_str(), ""] {
        let text = compose(marker, &others, mine, data, mine.body);
        let len = text.chars().count();
        if len <= COMMENT_MAX {
            return Assembled::Body(text);
        }
        let over = len - COMMENT_MAX;
        let body_len = mine.body.chars().count();
        if over + 200 < body_len {
            let note = "\n\n… *(this section was shortened to fit the comment beside the others)*";
            let cut = truncate_chars(mine.body, body_len - over - 200, note);
            let text = compose(marker, &others, mine, data, &cut);
            if text.chars().count() <= COMMENT_MAX {
                return Assembled::Body(text);
            }
        }
    }
    // Not even a few lines of this job's Markdown fit: a stub says so, keeping the data if it can.
    for data in [mine.section.data.as_str(), ""] {
        let text = compose(marker, &others, mine, data, STUB);
        if text.chars().count() <= COMMENT_MAX {
            return Assembled::Body(text);
        }
    }
    // The other sections alone fill the comment: shorten the longest one's Markdown (its markers
    // and data stay), so that every section is still found on the next read.
    let mut others = others;
    loop {
        let text = compose(marker, &others, mine, "", STUB);
        let len = text.chars().count();
        if len <= COMMENT_MAX {
            return Assembled::Body(text);
        }
        let Some(longest) = others.iter_mut().max_by_key(|f| f.raw.len()) else {
            break;
        };
        if !shorten(longest, len - COMMENT_MAX + 200) {
            break;
        }
    }
    let full = compose(marker, &others, mine, "", STUB);
    let rest = full.strip_prefix(&format!("{marker}\n")).unwrap_or(&full);
    Assembled::Body(super::limits::comment_body(marker, rest))
}

const STUB: &str = "*(this job's report does not fit in the comment beside the other sections; its job summary has it in full)*";

/// Cuts `by` characters or more from a section's Markdown, keeping its first (start marker) and
/// last (end marker) lines; false when there is not enough Markdown left to cut.
fn shorten(f: &mut Found, by: usize) -> bool {
    const NOTE: &str = "\n\n… *(shortened to fit the comment beside the other sections)*";
    let Some((first, rest)) = f.raw.split_once('\n') else {
        return false;
    };
    let Some((middle, last)) = rest.rsplit_once('\n') else {
        return false;
    };
    let len = middle.chars().count();
    if len <= by + NOTE.chars().count() {
        return false;
    }
    let cut = truncate_chars(middle, len - by, NOTE);
    f.raw = format!("{first}\n{cut}\n{last}");
    true
}

fn compose(marker: &str, others: &[Found], mine: Mine<'_>, data: &str, body: &str) -> String {
    let mine_found = Found {
        name: mine.section.name.clone(),
        sha: mine.head_sha.to_owned(),
        time: mine.section.head_time,
        data: data.to_owned(),
        pending: None,
        raw: my_raw(mine, data, body),
    };
    let mut all: Vec<&Found> = others.iter().chain([&mine_found]).collect();
    all.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = format!("{marker}\n");
    if all.len() == 1 {
        out.push_str(&mine_found.raw);
        out.push('\n');
        return out;
    }
    out.push_str(&header(&all, mine.section.percent));
    for f in all {
        let _ = write!(out, "\n### Section `{}`\n\n{}\n", f.name, f.raw);
    }
    out
}

fn figure(t: Option<Totals>, percent: Percent) -> String {
    match t {
        Some(t) => match percent.of(&t) {
            Some(p) => format!("{p}% ({} of {} lines)", t.hits, t.lines),
            None => "n/a (no coverable line)".to_owned(),
        },
        None => "not embedded".to_owned(),
    }
}

/// The summary over all sections: merged totals (or why not), then one row per section.
fn header(all: &[&Found], percent: Percent) -> String {
    let mut decoded: Vec<(&str, SectionData)> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    for f in all {
        if f.pending.is_some() {
            pending.push(&f.name);
            continue;
        }
        if f.data.is_empty() {
            problems.push(format!("section `{}` carries no data", f.name));
            continue;
        }
        match decode(&f.data) {
            Ok(d) => decoded.push((&f.name, d)),
            Err(e) => problems.push(format!(
                "the data of section `{}` is unreadable ({e})",
                f.name
            )),
        }
    }
    let refs: Vec<(&str, &SectionData)> = decoded.iter().map(|(n, d)| (*n, d)).collect();
    let mut out = String::new();
    let names: Vec<String> = all.iter().map(|f| format!("`{}`", f.name)).collect();
    let _ = writeln!(
        out,
        "**Coverage across {} sections** ({}), as one run over all their reports counts it (lines and branches united):\n",
        all.len(),
        names.join(", ")
    );
    let (patch, project) = if !problems.is_empty() {
        let why = problems.join("; ");
        (Merged::Unavailable(why.clone()), Merged::Unavailable(why))
    } else if refs.is_empty() {
        let why = "no section has results for this head yet".to_owned();
        (Merged::Unavailable(why.clone()), Merged::Unavailable(why))
    } else {
        (merge_patch(&refs), merge_project(&refs))
    };
    let merged_cell = |m: &Merged| match m {
        Merged::Exact(t) => format!("**{}**", figure(Some(*t), percent)),
        Merged::Unavailable(_) => "not shown (see below)".to_owned(),
    };
    let _ = writeln!(
        out,
        "| Section | Head | Patch | Project |\n|---|---|---|---|"
    );
    let _ = writeln!(
        out,
        "| **All sections** | | {} | {} |",
        merged_cell(&patch),
        merged_cell(&project)
    );
    for f in all {
        if let Some(old) = &f.pending {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | pending (last result for `{}`) | |",
                f.name,
                short_sha(&f.sha),
                short_sha(old)
            );
            continue;
        }
        let d = refs.iter().find(|(n, _)| *n == f.name).map(|(_, d)| *d);
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} | {} |",
            f.name,
            short_sha(&f.sha),
            d.map_or_else(|| "—".to_owned(), |d| figure(d.patch_totals(), percent)),
            d.map_or_else(
                || "—".to_owned(),
                |d| figure(Some(d.project_totals()), percent)
            ),
        );
    }
    for (what, m) in [("patch", &patch), ("project", &project)] {
        if let Merged::Unavailable(why) = m {
            let _ = writeln!(
                out,
                "\n:warning: The {what} coverage across sections is not shown: {why}. Each section's own figure is in the table and below."
            );
        }
    }
    if !pending.is_empty() {
        let _ = writeln!(
            out,
            "\n:hourglass_flowing_sand: Pending: {} (not counted above until their jobs report for this head).",
            pending.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests;
