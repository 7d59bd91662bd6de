//! "Never panics": every parser, on every corpus file cut short at many points and with bytes
//! flipped, returns a report or an error — never a panic.

use clap::ValueEnum;
use prcov::formats::{junit, parse_coverage, Format};

fn parse_any(format: Format, bytes: &[u8]) {
    if format == Format::Junit {
        let _ = junit::parse(bytes);
    } else {
        let _ = parse_coverage(format, bytes);
    }
}

#[test]
fn truncated_and_corrupted_corpus_files_never_panic() {
    let mut runs = 0usize;
    for row in crate::common::manifest(&[]) {
        let bytes = std::fs::read(row.path()).unwrap();
        // Every parser sees every file (wrong formats included), whole and cut at 16 points.
        let len = bytes.len();
        let cuts: Vec<usize> = (0..=16).map(|i| len * i / 16).collect();
        for &format in Format::value_variants() {
            for &cut in &cuts {
                let result = std::panic::catch_unwind(|| parse_any(format, &bytes[..cut]));
                assert!(
                    result.is_ok(),
                    "{} as {format} cut at {cut} of {len} panicked",
                    row.get("path")
                );
                runs += 1;
            }
            // Flip one byte in the middle (a deterministic corruption).
            if len > 2 {
                let mut corrupt = bytes.clone();
                corrupt[len / 2] ^= 0x5a;
                let result = std::panic::catch_unwind(|| parse_any(format, &corrupt));
                assert!(
                    result.is_ok(),
                    "{} as {format} with a flipped byte panicked",
                    row.get("path")
                );
            }
        }
    }
    assert!(runs > 10_000, "{runs} runs");
}

/// Random bytes, and random sequences of format-looking tokens (a deterministic generator), never
/// panic any parser.
#[test]
fn random_input_never_panics() {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let tokens: &[&[u8]] = &[
        b"<",
        b">",
        b"/>",
        b"</",
        b"<coverage",
        b"<line number=\"",
        b"\" hits=\"",
        b"<class filename=\"",
        b"<report",
        b"<sourcefile name=\"",
        b"<line nr=\"",
        b" mi=\"",
        b" ci=\"",
        b" mb=\"",
        b" cb=\"",
        b"<testsuite",
        b"<testcase name=\"",
        b"<failure",
        b"<![CDATA[",
        b"]]>",
        b"&amp;",
        b"&#x",
        b"\"",
        b"SF:",
        b"DA:",
        b"BRDA:",
        b",",
        b"-",
        b"end_of_record",
        b"\n",
        b"\r\n",
        b"0",
        b"1",
        b"99999999999999999999",
        b"{",
        b"}",
        b"[",
        b"]",
        b":",
        b"\"statementMap\"",
        b"\"s\"",
        b"mode: set",
        b".go:1.2,3.4 5 6",
        b"condition-coverage=\"50% (1/2)\"",
        b"branch=\"true\"",
        b"\xff",
        b"\x00",
        b"e0",
        b"FN:",
        b"FNDA:",
    ];
    for _ in 0..2_000 {
        let len = (next() % 200) as usize;
        let mut input = Vec::new();
        if next() % 2 == 0 {
            input.extend((0..len).map(|_| next() as u8));
        } else {
            for _ in 0..len {
                input.extend_from_slice(tokens[(next() % tokens.len() as u64) as usize]);
            }
        }
        for &format in Format::value_variants() {
            let result = std::panic::catch_unwind(|| parse_any(format, &input));
            assert!(
                result.is_ok(),
                "{format} panicked on {:?}",
                String::from_utf8_lossy(&input)
            );
        }
    }
}

/// The codecov.yml reader on every real fixture cut short at 32 points and with bytes flipped:
/// settings or an error naming the line, never a panic.
#[test]
fn truncated_and_corrupted_codecov_yml_never_panic() {
    let dir = crate::common::crate_dir().join("fixtures/codecov-yml");
    let mut runs = 0usize;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yml") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        let mut inputs: Vec<Vec<u8>> = (0..=32).map(|i| bytes[..len * i / 32].to_vec()).collect();
        for at in [len / 3, len / 2, len * 2 / 3] {
            for flip in [0x5a, b':' ^ b' ', b'-' ^ b'\n'] {
                let mut corrupt = bytes.clone();
                corrupt[at] ^= flip;
                inputs.push(corrupt);
            }
        }
        for input in inputs {
            let text = String::from_utf8_lossy(&input).into_owned();
            let result = std::panic::catch_unwind(|| {
                prcov::config::codecov::read(&text, std::path::Path::new("codecov.yml"))
            });
            assert!(result.is_ok(), "{} panicked on:\n{text}", path.display());
            if let Ok(Err(e)) = result {
                assert!(e.starts_with("codecov.yml:"), "{e}");
            }
            runs += 1;
        }
    }
    assert!(runs > 400, "{runs}");
}
