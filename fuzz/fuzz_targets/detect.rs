#![no_main]
//! Format detection, then the detected parser: what `prcov report FILE` does with any file.
use libfuzzer_sys::fuzz_target;
use prcov::formats::{detect, parse_coverage, Format};

fuzz_target!(|data: &[u8]| {
    if let Ok(format) = detect(data) {
        if format != Format::Junit {
            let _ = parse_coverage(format, data);
        }
    }
});
