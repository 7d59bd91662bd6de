#![no_main]
//! The IstanbulJson parser never panics and never runs away on any input.
use libfuzzer_sys::fuzz_target;
use prcov::formats::{parse_coverage, Format};

fuzz_target!(|data: &[u8]| {
    let _ = parse_coverage(Format::IstanbulJson, data);
});
