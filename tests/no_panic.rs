//! "Never panics": every parser, on every corpus file cut short at many points and with bytes
//! flipped, returns a report or an error — never a panic.

mod common;

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
    for row in common::manifest(&[]) {
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
