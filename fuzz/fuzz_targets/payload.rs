#![no_main]
//! The `--from` payload reader: untrusted JSON from a fork's job. It never panics, and what it
//! accepts saves and loads back unchanged (what is checked is what is sent).
use libfuzzer_sys::fuzz_target;
use prcov::host::payload;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("payload.json");
    if let Ok(plan) = payload::from_json(text, path) {
        let again = payload::to_json(&plan).and_then(|t| payload::from_json(&t, path));
        assert_eq!(again.ok(), Some(plan));
    }
});
