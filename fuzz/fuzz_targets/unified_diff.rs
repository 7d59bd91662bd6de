#![no_main]
//! The saved-diff parser (`--diff-file`) never panics on any input.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = prcov::git::ChangeSet::from_unified_diff(text);
    }
});
