//! Stack frames in failure bodies (Java, Python, and `file:line` as most other tools write
//! them), and the location shown for a failure.

use crate::model::test_results::Frame;

/// Frames kept per failure.
const MAX_FRAMES: usize = 16;

/// Where to point for a failure: the first frame of the body that looks like project code (where
/// it broke, which may be below the test); else the test's `file`/`line` attributes.
pub(super) fn pick_location(
    frames: &[Frame],
    file: Option<&str>,
    line: Option<u64>,
) -> Option<Frame> {
    if let Some(f) = frames.iter().find(|f| !is_third_party(&f.file)) {
        return Some(f.clone());
    }
    match (file, line) {
        (Some(file), Some(line)) => Some(Frame {
            file: file.to_owned(),
            line,
        }),
        _ => None,
    }
}

/// Frames from libraries, runtimes and test frameworks, which never are the place to fix.
fn is_third_party(file: &str) -> bool {
    const MARKERS: &[&str] = &[
        "site-packages/",
        "dist-packages/",
        "node_modules/",
        "/usr/lib/",
        "/usr/local/lib/",
        "<frozen",
        "node:",
        "/rustc/",
        ".cargo/registry/",
        "/libexec/",
        "/go/src/runtime/",
        "/go/src/testing/",
        "/usr/local/go/",
        "/lib/python",
        "<anonymous>",
        "<string>",
    ];
    let file = file.replace('\\', "/");
    MARKERS.iter().any(|m| file.contains(m))
}

/// Java packages of the JDK and common test frameworks; their frames are skipped.
fn is_library_class(class: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "java.",
        "javax.",
        "jdk.",
        "sun.",
        "com.sun.",
        "org.junit.",
        "junit.",
        "org.testng.",
        "org.apache.maven.",
        "org.gradle.",
        "org.opentest4j.",
        "org.assertj.",
        "org.hamcrest.",
        "org.mockito.",
        "kotlin.",
        "scala.",
        "worker.org.gradle.",
        "org.jetbrains.",
        "org.spockframework.",
    ];
    PREFIXES.iter().any(|p| class.starts_with(p))
}

const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "java", "kt", "kts", "scala", "groovy", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts",
    "cts", "vue", "svelte", "go", "rs", "rb", "php", "phpt", "cs", "fs", "vb", "c", "cc", "cpp",
    "cxx", "h", "hh", "hpp", "m", "mm", "swift", "ex", "exs", "erl", "dart", "lua", "pl", "pm",
    "t", "r", "jl", "zig", "nim", "cr", "hs", "ml", "clj", "cljs", "sh",
];

/// Collects `file:line` frames from a stack trace or test output: Python (`File "x.py", line 3`,
/// pytest's `x.py:3: Error`), Java (`at a.b.C.m(C.java:3)` → `a/b/C.java`), JS (`at f (x.js:3:5)`),
/// Go (`x_test.go:3: msg`, `/abs/x.go:3 +0x1d`), Rust (`panicked at src/x.rs:3:5`) and similar.
pub(super) fn scan_frames(text: &str, frames: &mut Vec<Frame>) {
    for raw in text.lines() {
        if frames.len() >= MAX_FRAMES {
            return;
        }
        let line = raw.trim();
        if let Some(f) = java_frame(line).or_else(|| python_frame(line)) {
            push_new(frames, f);
            continue;
        }
        if line.starts_with("at ") && line.contains('(') && line.contains(".java") {
            continue;
        }
        if !may_hold_generic_frame(line) {
            continue;
        }
        if let Some(f) = generic_frame(line) {
            push_new(frames, f);
        }
    }
}

/// Adds `f` unless it is there already (line numbers compared first: cheaper than paths).
fn push_new(frames: &mut Vec<Frame>, f: Frame) {
    if !frames.iter().any(|g| g.line == f.line && g.file == f.file) {
        frames.push(f);
    }
}

fn java_frame(line: &str) -> Option<Frame> {
    // Byte searches (memchr) rather than `str` patterns: this runs on every line of every
    // stack trace, and the lines are short.
    let rest = line.strip_prefix("at ")?;
    let open = memchr::memchr(b'(', rest.as_bytes())?;
    let close = memchr::memchr(b')', &rest.as_bytes()[open..])? + open;
    let method = &rest[..open];
    let inner = &rest[open + 1..close];
    let colon = memchr::memrchr(b':', inner.as_bytes())?;
    let (file, num) = (&inner[..colon], &inner[colon + 1..]);
    let line_no = num.trim().parse::<u64>().ok()?;
    let ext = &file[memchr::memrchr(b'.', file.as_bytes())? + 1..];
    if !matches!(ext, "java" | "kt" | "scala" | "groovy") {
        return None;
    }
    // `a.b.C$Inner.method` → package `a.b`; strip any `module@version/` prefix.
    let method = memchr::memrchr(b'/', method.as_bytes()).map_or(method, |i| &method[i + 1..]);
    if is_library_class(method) {
        return None;
    }
    // The package: all but the last two dotted parts (class and method).
    let last_dot = |s: &str| memchr::memrchr(b'.', s.as_bytes());
    let package = last_dot(method)
        .and_then(|i| last_dot(&method[..i]))
        .map_or("", |i| &method[..i]);
    let mut path = String::with_capacity(package.len() + 1 + file.len());
    let mut from = 0;
    for dot in memchr::memchr_iter(b'.', package.as_bytes()) {
        path.push_str(&package[from..dot]);
        path.push('/');
        from = dot + 1;
    }
    path.push_str(&package[from..]);
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(file);
    Some(Frame {
        file: path,
        line: line_no,
    })
}

fn python_frame(line: &str) -> Option<Frame> {
    let rest = line.strip_prefix("File \"")?;
    let (file, rest) = rest.split_once('"')?;
    let rest = rest.trim_start().strip_prefix(',')?.trim_start();
    let rest = rest.strip_prefix("line ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(Frame {
        file: file.to_owned(),
        line: digits.parse().ok()?,
    })
}

/// Whether `line` has `.EXT:DIGIT` somewhere (EXT letters and digits), which every frame
/// [`generic_frame`] finds has: a cheap test that skips log lines without tokenizing them.
fn may_hold_generic_frame(line: &str) -> bool {
    let bytes = line.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|colon| {
        if !bytes.get(colon + 1).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let ext = bytes[..colon]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        ext > 0 && colon > ext && bytes[colon - ext - 1] == b'.'
    })
}

/// The first `path.ext:LINE` token of a line whose extension is a source file's.
fn generic_frame(line: &str) -> Option<Frame> {
    let tokens = line.split(|c: char| c.is_whitespace() || "()\"'<>,[]".contains(c));
    for token in tokens {
        let token = token.strip_prefix("file://").unwrap_or(token);
        let mut search = 0;
        while let Some(rel) = token[search..].find(':') {
            let colon = search + rel;
            search = colon + 1;
            let path = &token[..colon];
            let digits: String = token[colon + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.is_empty() {
                continue;
            }
            let Some((stem, ext)) = path.rsplit_once('.') else {
                continue;
            };
            if stem.is_empty() || !SOURCE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) {
                continue;
            }
            let Ok(line_no) = digits.parse::<u64>() else {
                continue;
            };
            if line_no == 0 {
                continue;
            }
            return Some(Frame {
                file: path.to_owned(),
                line: line_no,
            });
        }
    }
    None
}
