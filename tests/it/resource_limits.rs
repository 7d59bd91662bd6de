//! Issue 11 item 4: memory and time are bounded by the input's size, not by numbers inside it.
//! Each case runs the binary under a memory limit (`ulimit -v`) and a timeout, so a regression
//! fails here instead of exhausting the machine. Before the fix, the 36-byte Go profile ran
//! past 120 s and 3 GB, the 200 MB LCOV line past 120 s.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Address space for one run (KiB): a debug prcov needs well under 100 MB for these inputs.
const MEMORY_LIMIT_KB: u64 = 1_000_000;
/// Generous for a loaded machine: the inputs take well under a second when bounded.
const TIMEOUT_SECS: u64 = 60;

struct Outcome {
    code: i32,
    stderr: String,
    elapsed: Duration,
}

/// `prcov report --no-repo FILE` under the memory limit and the timeout.
fn bounded_report(file: &Path) -> Outcome {
    let bin = assert_cmd::cargo::cargo_bin("prcov");
    let start = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {MEMORY_LIMIT_KB}; exec timeout {TIMEOUT_SECS} \"$0\" report --no-repo \"$1\""
        ))
        .arg(&bin)
        .arg(file)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let o = Outcome {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    };
    assert_ne!(o.code, 124, "timed out after {:?}", o.elapsed);
    assert!(
        !o.stderr.contains("memory allocation") && !o.stderr.contains("panicked"),
        "{}",
        o.stderr
    );
    // Error messages quote an excerpt, never the input.
    assert!(o.stderr.len() < 1_000, "{} bytes of stderr", o.stderr.len());
    o
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn a_go_block_spanning_billions_of_lines_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "cover.out",
        b"mode: set\na.go:1.1,4000000000.2 1 1\n",
    );
    let o = bounded_report(&file);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("line 2: the block \"1.1,4000000000.2\" ends on line 4000000000, past the 10000000 lines"),
        "{}",
        o.stderr
    );
}

#[test]
fn go_blocks_that_together_mark_too_many_lines_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // Each block is legal on its own; twenty files of ten million lines are not 600 bytes.
    let mut text = String::from("mode: set\n");
    for i in 0..20 {
        text.push_str(&format!("f{i}.go:1.1,9999999.2 1 1\n"));
    }
    let file = write(dir.path(), "cover.out", text.as_bytes());
    let o = bounded_report(&file);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("line 3: the blocks up to here mark 19999998 source lines, more than a"),
        "{}",
        o.stderr
    );
}

#[test]
fn an_llvm_segment_far_past_any_source_line_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "cov.json",
        br#"{"type":"llvm.coverage.json.export","version":"2.0.1","data":[{"files":[{"filename":"a.rs","segments":[[1,1,1,true,true,false],[4000000000,1,0,false,false,false]]}]}]}"#,
    );
    let o = bounded_report(&file);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("segment line 4000000000 is past the 10000000 lines"),
        "{}",
        o.stderr
    );

    // Many files each within the limit, together far more than the file can describe.
    let files: Vec<String> = (0..20)
        .map(|i| format!(r#"{{"filename":"f{i}.rs","segments":[[1,1,1,true,true,false],[9999999,1,0,false,false,false]]}}"#))
        .collect();
    let text = format!(
        r#"{{"type":"llvm.coverage.json.export","version":"2.0.1","data":[{{"files":[{}]}}]}}"#,
        files.join(",")
    );
    let file = write(dir.path(), "many.json", text.as_bytes());
    let o = bounded_report(&file);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("span"), "{}", o.stderr);
}

#[test]
fn one_huge_lcov_or_go_line_is_rejected_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let huge = 64 << 20;
    let mut lcov = b"SF:".to_vec();
    lcov.resize(huge, b'a');
    lcov.push(b'\n');
    let o = bounded_report(&write(dir.path(), "long.info", &lcov));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "line 1: the line is longer than the 1048576 bytes an LCOV line can be: \"SF:aaaa"
        ),
        "{}",
        o.stderr
    );

    // A line full of `end_of_record` (not alone on its line): scanned once, not per occurrence.
    let mut eor = b"SF:x".to_vec();
    while eor.len() < huge {
        eor.extend_from_slice(b"end_of_record");
    }
    eor.push(b'\n');
    let o = bounded_report(&write(dir.path(), "eor.info", &eor));
    assert_eq!(o.code, 2, "{}", o.stderr);

    let mut go = b"mode: set\n".to_vec();
    go.resize(huge, b'a');
    go.extend_from_slice(b":1.1,2.2 1 1\n");
    let o = bounded_report(&write(dir.path(), "long.out", &go));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("line 2: the line is 67108867 bytes long, more than the 1048576 a coverprofile line can be"),
        "{}",
        o.stderr
    );
}

#[test]
fn deeply_nested_clover_is_read_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    let text = format!(
        "<?xml version=\"1.0\"?>\n<coverage generated=\"1\"><project timestamp=\"1\">{}<file name=\"a.php\"><line num=\"1\" type=\"stmt\" count=\"1\"/></file>{}</project></coverage>\n",
        "<package name=\"p\">".repeat(depth),
        "</package>".repeat(depth)
    );
    let o = bounded_report(&write(dir.path(), "clover.xml", text.as_bytes()));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.elapsed < Duration::from_secs(30), "{:?}", o.elapsed);
}

/// Error messages quote a short excerpt of the offending value, never the value whole (before,
/// a 100 kB attribute or JSON string came back whole in the one-line error).
#[test]
fn errors_quote_only_an_excerpt_of_a_huge_value() {
    let dir = tempfile::tempdir().unwrap();
    let huge = "9".repeat(20).to_owned() + &"x".repeat(100_000);
    let cobertura = format!(
        "<?xml version=\"1.0\"?>\n<coverage line-rate=\"1\"><packages><package name=\"p\"><classes><class name=\"a\" filename=\"a.py\"><lines><line number=\"{huge}\" hits=\"1\"/></lines></class></classes></package></packages></coverage>\n"
    );
    let o = bounded_report(&write(dir.path(), "coverage.xml", cobertura.as_bytes()));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("expected a line number but found \"99999999999999999999xxx"),
        "{}",
        o.stderr
    );

    let gcovr = format!(
        r#"{{"gcovr/format_version": "0.15", "files": [{{"file": "a.c", "lines": [{{"line_number": "{huge}", "count": 1, "branches": []}}]}}]}}"#
    );
    let o = bounded_report(&write(dir.path(), "gcovr.json", gcovr.as_bytes()));
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("invalid type: string"), "{}", o.stderr);
}
