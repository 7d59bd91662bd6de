use super::*;
use crate::model::{Branches, LineState, Totals};

fn parse_str(text: &str) -> Result<Parsed, FormatError> {
    parse(text.as_bytes())
}

fn states(parsed: &Parsed, path: &str) -> Vec<(u32, LineState)> {
    parsed.report.files[path]
        .lines
        .iter()
        .map(|(n, r)| (n, r.state()))
        .collect()
}

#[test]
fn reads_every_record_type() {
    let text = "TN:unit\r\nSF:src/a.c\r\nVER:#1\r\nFN:1,fn_a\r\nFN:5,9,fn_b\r\nFNDA:3,fn_a\r\n\
                    FNDA:0,fn_b\r\nFNL:0,12,14\r\nFNA:0,2,fn_c\r\nFNF:3\r\nFNH:2\r\n\
                    BRDA:2,0,0,1\r\nBRDA:2,0,1,-\r\nBRDA:3,e0,0,1\r\nBRDA:3,0,0,cond,1\r\nBRF:4\r\nBRH:3\r\n\
                    # a comment\r\n\r\nDA:1,3\r\nDA:2,1,abcdef==\r\nDA:3,2\r\nDA:4,0\r\nMCDC:3,2,t,1,0,x\r\n\
                    LF:4\r\nLH:3\r\nend_of_record\r\n";
    let parsed = parse_str(text).unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(
        states(&parsed, "src/a.c"),
        [
            (1, LineState::Hit),
            (2, LineState::Partial),
            (3, LineState::Hit),
            (4, LineState::Miss)
        ]
    );
    let file = &parsed.report.files["src/a.c"];
    // e0 and the plain block 0 are different branches, the expression name is a label.
    assert_eq!(
        file.lines
            .get(&3)
            .unwrap()
            .branches
            .as_ref()
            .map(Branches::total),
        Some(2)
    );
    let functions: Vec<_> = file
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.line, f.hits))
        .collect();
    assert_eq!(functions, [("fn_a", 1, 3), ("fn_b", 5, 0), ("fn_c", 12, 2)]);
}

#[test]
fn branch_ids_never_collide() {
    let text = "SF:a\nDA:1,1\nBRDA:1,0,1,1\nBRDA:1,1,0,0\nBRDA:1,e0,1,0\nBRDA:1,4294967295,1,0\n\
                    BRDA:1,0,x,0\nBRDA:1,0,y,0\nBRDA:1,0,x,1\nend_of_record\n";
    let parsed = parse_str(text).unwrap();
    let branches = parsed.report.files["a"]
        .lines
        .get(&1)
        .unwrap()
        .branches
        .clone()
        .unwrap();
    // (0,1) (1,0) (e0,1) (-1,1) and the two names x (taken once) and y.
    assert_eq!((branches.total(), branches.covered()), (6, 2));
}

#[test]
fn repeated_records_merge() {
    let text = "TN:t1\nSF:a.c\nDA:1,0\nDA:2,1\nBRDA:2,0,0,1\nBRDA:2,0,1,0\nend_of_record\n\
                    TN:t2\nSF:a.c\nDA:1,2\nDA:2,1\nDA:2,1\nBRDA:2,0,1,5\nend_of_record\n";
    let parsed = parse_str(text).unwrap();
    let file = &parsed.report.files["a.c"];
    assert_eq!(file.lines.get(&1).unwrap().hits, 2);
    assert_eq!(file.lines.get(&2).unwrap().hits, 3);
    assert_eq!(file.lines.get(&2).unwrap().state(), LineState::Hit);
    assert_eq!(
        parsed.report.totals(),
        Totals {
            lines: 2,
            hits: 2,
            misses: 0,
            partials: 0
        }
    );
}

#[test]
fn branches_decide_partial_only_when_the_line_ran() {
    let text = "SF:a\nBRDA:1,0,0,-\nBRDA:1,0,1,-\nBRDA:2,0,0,0\nBRDA:2,0,1,0\nBRDA:3,0,0,4\n\
                    DA:1,5\nDA:2,0\nDA:3,1\nend_of_record\n";
    let parsed = parse_str(text).unwrap();
    assert_eq!(
        states(&parsed, "a"),
        [
            (1, LineState::Partial),
            (2, LineState::Miss),
            (3, LineState::Hit)
        ]
    );
}

#[test]
fn branches_without_a_line_are_dropped_unless_another_record_has_it() {
    let text =
        "SF:a\nBRDA:7,0,0,1\nBRDA:8,0,0,0\nDA:1,1\nend_of_record\nSF:a\nDA:7,1\nend_of_record\n";
    let parsed = parse_str(text).unwrap();
    let file = &parsed.report.files["a"];
    assert_eq!(file.lines.len(), 2);
    assert_eq!(
        file.lines
            .get(&7)
            .unwrap()
            .branches
            .as_ref()
            .map(Branches::total),
        Some(1)
    );
    assert_eq!(parsed.warnings.len(), 1);
    assert!(parsed.warnings[0].message.contains("line 8"));
    assert_eq!(parsed.warnings[0].location.line, Some(3));
}

#[test]
fn huge_and_float_counts() {
    let text = "SF:a\nDA:1,18446744073709551616\nDA:2,1.0e+19\nDA:3,0.0\nBRDA:2,0,0,2874063630\nend_of_record\n";
    let parsed = parse_str(text).unwrap();
    let file = &parsed.report.files["a"];
    assert_eq!(file.lines.get(&1).unwrap().hits, u64::MAX);
    assert_eq!(file.lines.get(&2).unwrap().hits, 10_000_000_000_000_000_000);
    assert_eq!(file.lines.get(&3).unwrap().hits, 0);
}

#[test]
fn lenient_shapes_warn() {
    let parsed =
        parse_str("SF:a\nDA:0,1\nDA:1,1\nSF:b\nDA:1,0\nEOF\nXYZ:1\nXYZ:2\nSF:\nDA:3,1").unwrap();
    let messages: Vec<&str> = parsed.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 7, "{messages:?}");
    assert!(messages[0].contains("line 0"));
    assert!(messages[1].contains("no end_of_record"));
    assert!(messages[2].contains("\"EOF\""));
    assert!(messages[3].contains("\"XYZ:\""));
    assert!(messages[5].contains("empty file name"));
    assert!(messages[6].contains("file ends inside"));
    assert_eq!(parsed.report.files[""].lines.len(), 1);
    assert_eq!(parsed.report.totals().lines, 3);
}

#[test]
fn malformed_records_name_their_line() {
    let cases: &[(&str, u64, &str)] = &[
        (
            "SF:a\nDA:1,abc\n",
            2,
            r#"expected a number after "DA:<line>," but found "abc""#,
        ),
        ("SF:a\nDA:x,1\n", 2, "expected a line number after \"DA:\""),
        ("SF:a\n\nDA:4\n", 3, "expected \"DA:<line>,<count>\""),
        ("SF:a\nDA:4,-3\n", 2, "a count of zero or more"),
        (
            "TN:\nDA:1,1\n",
            2,
            "expected an SF: record before this DA: record",
        ),
        (
            "SF:a\nBRDA:1,0,1\n",
            2,
            "expected \"BRDA:<line>,<block>,<branch>,<taken>\"",
        ),
        ("SF:a\nBRDA:1,x,0,1\n", 2, "expected a block number"),
        (
            "SF:a\nBRDA:1,0,0,many\n",
            2,
            "expected a number after \"BRDA:<line>,<block>,<branch>,\"",
        ),
        ("SF:a\nBRDA:1,0,1073741824,1\n", 2, "below 2^30"),
        ("SF:a\nFN:x,f\n", 2, "expected a line number after \"FN:\""),
        ("SF:a\nFNA:0,1,f\n", 2, "expected an FNL:0"),
        (
            "SF:a\nDA:1,1\nthis is not lcov\n",
            3,
            "expected an lcov record",
        ),
        ("", 1, "the file is empty"),
        (
            "# only a comment\nTN:x\n",
            2,
            "expected at least one SF: record",
        ),
    ];
    for (text, line, message) in cases {
        let err = parse_str(text).unwrap_err();
        assert_eq!(err.location.line, Some(*line), "{text:?}: {err:?}");
        assert!(err.message.contains(message), "{text:?}: {err:?}");
    }
}

/// `FNDA` finds its function by name even when two names share a hash (forced here).
#[test]
fn function_names_that_share_a_hash_stay_apart() {
    let mut record = Record::new(String::new(), 1);
    function(&mut record, 1, b"3,alpha").unwrap();
    let beta = record.names.hash_one("beta");
    record.function_index.insert(beta, 0);
    function(&mut record, 2, b"9,beta").unwrap();
    function(&mut record, 3, b"12,beta").unwrap();
    function_data(&mut record, 4, b"5,beta").unwrap();
    function_data(&mut record, 5, b"2,alpha").unwrap();
    function_data(&mut record, 6, b"1,gamma").unwrap();
    let got: Vec<(&str, u32, u64)> = record
        .file
        .functions
        .iter()
        .map(|f| (f.name.as_str(), f.line, f.hits))
        .collect();
    assert_eq!(got, vec![("alpha", 3, 2), ("beta", 9, 5), ("beta", 12, 0)]);
}

/// Many records, files repeated far apart, branches whose line comes in a later record,
/// expression-named branches first seen in different orders, unknown record types and
/// warnings everywhere: cut into tiny chunks on several threads, the result (report,
/// warnings, their lines) is the one of a single pass.
#[test]
fn chunks_on_threads_equal_one_pass() {
    let mut text = String::from("\u{feff}TN:t\n");
    for i in 0..300 {
        let path = format!("src/f{}.c", i % 7);
        text.push_str(&format!(
            "SF:{path}\nFN:{},f{i}\nFNDA:{},f{i}\n",
            i % 5 + 1,
            i % 3
        ));
        text.push_str(&format!(
            "DA:{},{}\nDA:{},0,ck{i}\n",
            i % 11 + 1,
            i % 4,
            i % 13 + 1
        ));
        text.push_str(&format!("BRDA:{},0,{},{}\n", i % 11 + 1, i % 3, i % 2));
        text.push_str(&format!("BRDA:{},0,name{},1\n", i % 13 + 1, (i * 7) % 5));
        text.push_str(&format!("BRDA:{},0,0,1\n", i % 17 + 20));
        if i % 3 == 0 {
            text.push_str(&format!("DA:{},1\n", i % 17 + 20));
        }
        if i % 40 == 0 {
            text.push_str("XYZ:1\nDA:0,1\nLF:3\n");
        }
        text.push_str(if i % 9 == 0 {
            "  end_of_record \r\n"
        } else {
            "end_of_record\n"
        });
        if i % 50 == 0 {
            text.push_str("EOF\n");
        }
    }
    text.push_str("SF:last.c\nDA:1,1");
    let one = parse_chunked(text.as_bytes(), 1, text.len() + 1).unwrap();
    assert!(one.warnings.len() > 10, "{:?}", one.warnings);
    for (threads, chunk) in [(2, 1), (2, 64), (3, 200), (4, 4096)] {
        let many = parse_chunked(text.as_bytes(), threads, chunk).unwrap();
        assert_eq!(many.report, one.report, "threads {threads}, chunk {chunk}");
        assert_eq!(
            many.warnings, one.warnings,
            "threads {threads}, chunk {chunk}"
        );
    }
    // Errors name the same line, whichever chunk holds it.
    let bad = text.replacen("DA:5,0", "DA:5,zz", 1);
    let one = parse_chunked(bad.as_bytes(), 1, bad.len() + 1).unwrap_err();
    let many = parse_chunked(bad.as_bytes(), 2, 64).unwrap_err();
    assert_eq!(one, many);
    assert!(one.location.line > Some(20), "{one:?}");
}

/// xorshift: deterministic bytes without a dependency.
pub(crate) fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn garbage_is_rejected_without_panic() {
    for seed in 1..200 {
        let bytes = noise(seed, 1 + (seed as usize * 37) % 4000);
        assert!(parse(bytes.as_slice()).is_err(), "seed {seed}");
    }
}

#[test]
fn truncation_never_panics() {
    let text = "TN:t\nSF:a.c\nFN:1,3,f\nFNDA:1,f\nFNL:0,1\nFNA:0,1,f\nBRDA:2,e0,0,1\nBRDA:2,0,1,-\nDA:1,1\nDA:2,1,ck\nLF:2\nend_of_record\n";
    for cut in 0..text.len() {
        // Any prefix either parses (a record cut at a line boundary is lenient) or is an error.
        let _ = parse(&text.as_bytes()[..cut]);
    }
    // Cut inside a record's count: an error on that line.
    let err = parse(&text.as_bytes()[..text.find("DA:2,1").unwrap() + 5]).unwrap_err();
    assert_eq!(err.location.line, Some(10));
}
