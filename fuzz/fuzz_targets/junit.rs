#![no_main]
//! The JUnit parser never panics on any input.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = prcov::formats::junit::parse(data);
});
