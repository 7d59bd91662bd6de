#![no_main]
//! The `--from` payload reader: untrusted JSON from a fork's job. Whatever it accepts must pass
//! its own validation again (what is loaded is what is checked).
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(plan) = prcov::host::payload::from_json(text, Path::new("payload.json")) {
        assert!(prcov::host::payload::validate(&plan, true).is_ok());
    }
});
