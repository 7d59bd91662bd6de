//! Resource tests: small inputs whose shape (deep nesting, many distinct element names) once made
//! time or memory grow faster than the input. Each runs the binary under a memory limit
//! (`ulimit -v`, so no cgroup is needed) and a time bound, and checks what it printed.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::expect_exit;
use prcov::exit;

/// Address space the binary may reserve: far above what these inputs need (tens of MB), far
/// below what the quadratic paths took (gigabytes).
const MEMORY_LIMIT_KB: u64 = 1024 * 1024;
/// Wall time per run, generous for a debug build on a busy machine; the quadratic paths took
/// about a minute on these inputs.
const TIME_LIMIT: Duration = Duration::from_secs(20);

/// Runs `prcov ARGS` under [`MEMORY_LIMIT_KB`], killed after [`TIME_LIMIT`].
fn run_limited(args: &[&str]) -> (Output, Duration) {
    let prcov = assert_cmd::cargo::cargo_bin("prcov");
    let script = format!("ulimit -v {MEMORY_LIMIT_KB}; exec \"$0\" \"$@\"");
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(prcov)
        .args(args)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sh");
    while child.try_wait().expect("wait for prcov").is_none() {
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let out = child.wait_with_output().expect("collect output");
            panic!(
                "prcov {args:?} took more than {TIME_LIMIT:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    (child.wait_with_output().expect("collect output"), elapsed)
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).expect("create input");
    f.write_all(text.as_bytes()).expect("write input");
    path.to_str().expect("UTF-8 temp path").to_owned()
}

/// `<testsuite>` with `n` empty children, each named differently or all alike, then one case.
fn siblings(n: usize, distinct: bool) -> String {
    let mut xml = String::from("<testsuites><testsuite name=\"s\">\n");
    for i in 0..n {
        if distinct {
            xml.push_str(&format!("<e{i}/>\n"));
        } else {
            xml.push_str("<e/>\n");
        }
    }
    xml.push_str("<testcase name=\"t\" classname=\"c\"/>\n</testsuite></testsuites>\n");
    xml
}

/// Issue 11: 100,000 differently named siblings took about a minute (each name was looked for
/// among every earlier one); now about as long as 100,000 of one name.
#[test]
fn junit_with_100k_distinct_sibling_names_reads_like_repeated_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let distinct = write(dir.path(), "distinct.xml", &siblings(100_000, true));
    let repeated = write(dir.path(), "repeated.xml", &siblings(100_000, false));
    let (d, d_time) = run_limited(&["tests", &distinct, "--format", "json"]);
    let (r, r_time) = run_limited(&["tests", &repeated, "--format", "json"]);
    for out in [&d, &r] {
        let (stdout, _) = expect_exit(out, exit::SUCCESS);
        assert!(stdout.contains("\"tests\": 1"));
    }
    assert_eq!(d.stdout, r.stdout);
    // Linear: the distinct names cost a few times the repeated one at most, not 200 times.
    assert!(
        d_time < r_time * 10 + Duration::from_secs(2),
        "distinct names {d_time:?}, repeated {r_time:?}"
    );
}

/// The same in the coverage formats' XML reader (element paths of Cobertura, JaCoCo, Clover):
/// 100,000 differently named siblings took 105 s on the debug binary, now under a second.
#[test]
fn cobertura_with_100k_distinct_sibling_names_reads_like_repeated_ones() {
    let report = |distinct: bool| {
        let mut xml = String::from(
            "<?xml version=\"1.0\"?>\n<coverage version=\"1\"><packages><package name=\"p\"><classes>\
             <class name=\"c\" filename=\"a.py\"><extra>\n",
        );
        for i in 0..100_000 {
            if distinct {
                xml.push_str(&format!("<e{i}/>\n"));
            } else {
                xml.push_str("<e/>\n");
            }
        }
        xml.push_str("</extra><lines><line number=\"1\" hits=\"1\"/></lines></class></classes></package></packages></coverage>\n");
        xml
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let distinct = write(dir.path(), "distinct.xml", &report(true));
    let repeated = write(dir.path(), "repeated.xml", &report(false));
    let args = |file: &str| ["report", "--no-repo", "--format", "json", file].map(str::to_owned);
    let (d, d_time) = run_limited(&args(&distinct).each_ref().map(String::as_str));
    let (r, r_time) = run_limited(&args(&repeated).each_ref().map(String::as_str));
    let (d_out, _) = expect_exit(&d, exit::SUCCESS);
    let (r_out, _) = expect_exit(&r, exit::SUCCESS);
    assert!(d_out.contains("\"lines\": 1"), "{d_out}");
    // The same figures; only the report's file name differs.
    assert_eq!(d_out.replace("distinct.xml", "repeated.xml"), r_out);
    assert!(
        d_time < r_time * 10 + Duration::from_secs(2),
        "distinct names {d_time:?}, repeated {r_time:?}"
    );
}

/// Issue 11: each nested suite kept its full element path, so 10,000 levels took ~1 GB and
/// 100,000 levels (a 3 MB file) exhausted memory. Now the depth is limited, with a clear error.
#[test]
fn junit_nested_100k_levels_deep_is_refused_with_the_limit_and_its_place() {
    let dir = tempfile::tempdir().expect("temp dir");
    let levels = 100_000;
    let xml = format!(
        "<testsuites>\n{}<testcase name=\"t\"/>{}</testsuites>\n",
        "<testsuite name=\"s\">".repeat(levels),
        "</testsuite>".repeat(levels)
    );
    let deep = write(dir.path(), "deep.xml", &xml);
    let (out, _) = run_limited(&["tests", &deep]);
    let (_, stderr) = expect_exit(&out, exit::BAD_INPUT);
    let column = 1 + 999 * "<testsuite name=\"s\">".len();
    assert!(
        stderr.contains(&format!(
            "deep.xml: line 2, column {column}, element testsuites[0]/"
        )),
        "file, line and column expected: {stderr}"
    );
    assert!(
        stderr.contains("elements nested more than 1000 levels deep"),
        "{stderr}"
    );
    assert!(stderr.len() < 2_000, "a short message: {stderr}");
}

/// At the limit the report is read, and memory stays small: the suites do not keep copies of
/// their paths.
#[test]
fn junit_nested_to_the_limit_is_read_within_the_memory_limit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let suites = prcov::formats::junit::MAX_DEPTH - 2;
    let xml = format!(
        "<testsuites>\n{}<testcase name=\"t\"/>{}</testsuites>\n",
        "<testsuite name=\"s\" tests=\"7\">".repeat(suites),
        "</testsuite>".repeat(suites)
    );
    let deep = write(dir.path(), "deep.xml", &xml);
    let (out, _) = run_limited(&["tests", &deep, "--format", "json"]);
    let (stdout, _) = expect_exit(&out, exit::SUCCESS);
    assert!(stdout.contains("\"tests\": 1"));
}
