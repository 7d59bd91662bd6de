//! Cobertura XML writer, in the shape coverage.py and gcovr write (DTD coverage-04).
//!
//! One `<package>` per directory (name: the directory with `.` for `/`, `.` for the top level),
//! one `<class>` per file (`filename` = the report's path, `name` = its file name). Root and
//! package/class attributes are Cobertura's own figures: `lines-valid` = lines,
//! `lines-covered` = lines with hits > 0 (partial lines included, as every Cobertura producer
//! counts them), `line-rate` their ratio; `branches-valid`/`branches-covered` and
//! `branch-rate` sum the lines' branches. A line with branches gets `branch="true"` and
//! `condition-coverage="P% (covered/total)"` (P rounded down, as coverage.py does), which is
//! what prcov's and Codecov's Cobertura readers turn back into a partial line.
//! `<sources>` lists the report's source roots when it has any (paths stay as the report
//! wrote them).

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};

use crate::model::{CoverageReport, FileCoverage};

#[derive(Default, Clone, Copy)]
struct Counts {
    lines: u64,
    lines_covered: u64,
    branches: u64,
    branches_covered: u64,
}

impl Counts {
    fn of(file: &FileCoverage) -> Self {
        let mut c = Counts::default();
        for r in file.lines.values() {
            c.lines += 1;
            c.lines_covered += u64::from(r.hits > 0);
            if let Some(b) = &r.branches {
                c.branches += u64::from(b.total());
                c.branches_covered += u64::from(b.covered());
            }
        }
        c
    }

    fn add(&mut self, o: Counts) {
        self.lines += o.lines;
        self.lines_covered += o.lines_covered;
        self.branches += o.branches;
        self.branches_covered += o.branches_covered;
    }

    fn rates(&self) -> String {
        format!(
            "line-rate=\"{}\" branch-rate=\"{}\"",
            rate(self.lines_covered, self.lines),
            rate(self.branches_covered, self.branches)
        )
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
fn rate(covered: u64, total: u64) -> String {
    if total == 0 {
        // coverage.py writes 1 for a package without lines and 0 for no branch data; a rate of
        // nothing is undefined, and 1 keeps tools from showing an empty package as uncovered.
        return "1".into();
    }
    let r = covered as f64 / total as f64;
    let s = format!("{r:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Writes `report` as Cobertura XML.
pub fn write_cobertura(report: &CoverageReport, w: impl Write) -> std::io::Result<()> {
    let mut w = BufWriter::new(w);
    // Directory → its files, in path order.
    let mut packages: BTreeMap<String, Vec<(&str, &FileCoverage)>> = BTreeMap::new();
    for (path, file) in &report.files {
        let normal = path.replace('\\', "/");
        let dir = match normal.rfind('/') {
            Some(i) => normal[..i].trim_start_matches('/').replace('/', "."),
            None => String::new(),
        };
        let dir = if dir.is_empty() { ".".to_owned() } else { dir };
        packages.entry(dir).or_default().push((path.as_str(), file));
    }
    let mut total = Counts::default();
    for file in report.files.values() {
        total.add(Counts::of(file));
    }
    let timestamp = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|s| s * 1000)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        });
    writeln!(w, "<?xml version=\"1.0\" ?>")?;
    writeln!(
        w,
        "<!DOCTYPE coverage SYSTEM \"http://cobertura.sourceforge.net/xml/coverage-04.dtd\">"
    )?;
    writeln!(
        w,
        "<coverage {} lines-covered=\"{}\" lines-valid=\"{}\" branches-covered=\"{}\" branches-valid=\"{}\" complexity=\"0\" version=\"prcov {}\" timestamp=\"{timestamp}\">",
        total.rates(),
        total.lines_covered,
        total.lines,
        total.branches_covered,
        total.branches,
        env!("CARGO_PKG_VERSION"),
    )?;
    if !report.source_roots.is_empty() {
        writeln!(w, "\t<sources>")?;
        for root in &report.source_roots {
            writeln!(w, "\t\t<source>{}</source>", escape(root))?;
        }
        writeln!(w, "\t</sources>")?;
    }
    writeln!(w, "\t<packages>")?;
    for (name, files) in &packages {
        let mut counts = Counts::default();
        for (_, f) in files {
            counts.add(Counts::of(f));
        }
        writeln!(
            w,
            "\t\t<package name=\"{}\" {} complexity=\"0\">",
            escape(name),
            counts.rates()
        )?;
        writeln!(w, "\t\t\t<classes>")?;
        for (path, file) in files {
            let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
            writeln!(
                w,
                "\t\t\t\t<class name=\"{}\" filename=\"{}\" {} complexity=\"0\">",
                escape(base),
                escape(path),
                Counts::of(file).rates()
            )?;
            writeln!(w, "\t\t\t\t\t<methods/>")?;
            writeln!(w, "\t\t\t\t\t<lines>")?;
            for (line, r) in &file.lines {
                match &r.branches {
                    Some(b) if b.total() > 0 => {
                        let (c, t) = (u64::from(b.covered()), u64::from(b.total()));
                        writeln!(
                            w,
                            "\t\t\t\t\t\t<line number=\"{line}\" hits=\"{}\" branch=\"true\" condition-coverage=\"{}% ({c}/{t})\"/>",
                            r.hits,
                            100 * c / t
                        )?;
                    }
                    _ => writeln!(
                        w,
                        "\t\t\t\t\t\t<line number=\"{line}\" hits=\"{}\"/>",
                        r.hits
                    )?,
                }
            }
            writeln!(w, "\t\t\t\t\t</lines>")?;
            writeln!(w, "\t\t\t\t</class>")?;
        }
        writeln!(w, "\t\t\t</classes>")?;
        writeln!(w, "\t\t</package>")?;
    }
    writeln!(w, "\t</packages>")?;
    writeln!(w, "</coverage>")?;
    w.flush()
}

/// XML attribute/text escaping. Control characters other than tab/newline cannot appear in
/// XML 1.0 at all; they become `?` so the document stays well-formed.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push_str(&format!("&#{};", u32::from(c))),
            c if (c as u32) < 0x20 => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Branches, LineRecord};

    #[test]
    fn packages_by_directory_and_condition_coverage() {
        let mut r = CoverageReport::default();
        let f = r.file_mut("src/util/a&b.py");
        f.add_line(1, LineRecord::new(1));
        f.add_line(
            2,
            LineRecord {
                hits: 3,
                branches: Some(Branches::Counted {
                    covered: 1,
                    total: 3,
                }),
            },
        );
        r.file_mut("top.py").add_line(5, LineRecord::new(0));
        let mut out = Vec::new();
        write_cobertura(&r, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains("<coverage line-rate=\"0.6667\" branch-rate=\"0.3333\" lines-covered=\"2\" lines-valid=\"3\" branches-covered=\"1\" branches-valid=\"3\""), "{xml}");
        assert!(
            xml.contains("<package name=\"src.util\" line-rate=\"1\" branch-rate=\"0.3333\""),
            "{xml}"
        );
        assert!(
            xml.contains("<package name=\".\" line-rate=\"0\" branch-rate=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("<class name=\"a&amp;b.py\" filename=\"src/util/a&amp;b.py\""),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<line number=\"2\" hits=\"3\" branch=\"true\" condition-coverage=\"33% (1/3)\"/>"
            ),
            "{xml}"
        );
        assert!(!xml.contains("<sources>"));
    }
}
