//! LCOV tracefile writer (`SF`, `FN`/`FNDA`/`FNF`/`FNH`, `BRDA`/`BRF`/`BRH`, `DA`/`LF`/`LH`,
//! `end_of_record`), in the order geninfo writes them. Function names have their commas
//! replaced by `;` (see [`function_name`]), an unnamed function is `<anonymous>@LINE`.
//!
//! Branches of a line become `BRDA:line,0,n,taken` with n = 0, 1, … in the model's order;
//! `taken` is 1 or 0 (the model keeps whether a branch ran, not how often), and `-` on a line
//! that never ran, as geninfo writes for a block that was not executed. `LF`/`LH` are lcov's
//! own figures: lines, and lines with hits > 0 (partial lines included).

use std::io::{BufWriter, Write};

use super::branch_flags;
use crate::model::CoverageReport;

/// Writes `report` as an LCOV tracefile.
pub fn write_lcov(report: &CoverageReport, w: impl Write) -> std::io::Result<()> {
    let mut w = BufWriter::new(w);
    writeln!(w, "TN:")?;
    for (path, file) in &report.files {
        writeln!(w, "SF:{}", one_line(path))?;
        let mut functions: Vec<_> = file.functions.iter().filter(|f| f.line > 0).collect();
        functions.sort_by(|a, b| (a.line, &a.name).cmp(&(b.line, &b.name)));
        let name = |f: &crate::model::Function| {
            if f.name.trim().is_empty() {
                format!("<anonymous>@{}", f.line)
            } else {
                function_name(&f.name)
            }
        };
        for f in &functions {
            writeln!(w, "FN:{},{}", f.line, name(f))?;
        }
        for f in &functions {
            writeln!(w, "FNDA:{},{}", f.hits, name(f))?;
        }
        if !functions.is_empty() {
            writeln!(w, "FNF:{}", functions.len())?;
            writeln!(w, "FNH:{}", functions.iter().filter(|f| f.hits > 0).count())?;
        }
        let (mut brf, mut brh) = (0usize, 0usize);
        for (line, record) in &file.lines {
            let Some(b) = &record.branches else { continue };
            let flags = branch_flags(b);
            let never_ran = record.hits == 0 && flags.iter().all(|t| !t);
            for (n, taken) in flags.into_iter().enumerate() {
                brf += 1;
                brh += usize::from(taken);
                let taken = if never_ran {
                    "-"
                } else if taken {
                    "1"
                } else {
                    "0"
                };
                writeln!(w, "BRDA:{line},0,{n},{taken}")?;
            }
        }
        if brf > 0 {
            writeln!(w, "BRF:{brf}")?;
            writeln!(w, "BRH:{brh}")?;
        }
        for (line, record) in &file.lines {
            writeln!(w, "DA:{line},{}", record.hits)?;
        }
        writeln!(w, "LF:{}", file.lines.len())?;
        writeln!(
            w,
            "LH:{}",
            file.lines.values().filter(|r| r.hits > 0).count()
        )?;
        writeln!(w, "end_of_record")?;
    }
    w.flush()
}

/// A function name as LCOV tools can split it: lcov reads `FNDA:count,name` up to the first
/// comma, but other readers (diff-cover) split at every comma and reject names such as
/// `Process(T1,T2)`, so commas become `;`.
pub(crate) fn function_name(name: &str) -> String {
    one_line(name).replace(',', ";")
}

/// LCOV is line-based: a newline inside a path or name would end the record early.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Branches, Function, LineRecord};

    #[test]
    fn writes_records_in_geninfo_order() {
        let mut r = CoverageReport::default();
        let f = r.file_mut("src/a.c");
        f.add_line(1, LineRecord::new(2));
        f.add_line(
            2,
            LineRecord {
                hits: 2,
                branches: Some(Branches::Counted {
                    covered: 1,
                    total: 2,
                }),
            },
        );
        f.add_line(
            3,
            LineRecord {
                hits: 0,
                branches: Some(Branches::identified(vec![(7, false), (9, false)])),
            },
        );
        f.functions.push(Function {
            name: "main".into(),
            line: 1,
            hits: 2,
        });
        let mut out = Vec::new();
        write_lcov(&r, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TN:\nSF:src/a.c\nFN:1,main\nFNDA:2,main\nFNF:1\nFNH:1\n\
             BRDA:2,0,0,1\nBRDA:2,0,1,0\nBRDA:3,0,0,-\nBRDA:3,0,1,-\nBRF:4\nBRH:1\n\
             DA:1,2\nDA:2,2\nDA:3,0\nLF:3\nLH:2\nend_of_record\n"
        );
    }
}
