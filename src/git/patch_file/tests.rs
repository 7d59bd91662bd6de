use super::*;

fn parse_ok(text: &str) -> Vec<ChangedFile> {
    match ChangeSet::from_unified_diff(text) {
        Ok(cs) => {
            assert_eq!(cs.base, "unknown");
            assert_eq!(cs.head, "unknown");
            cs.files
        }
        Err(e) => panic!("parse failed: {e}"),
    }
}

fn parse_err(text: &str) -> (usize, String) {
    match ChangeSet::from_unified_diff(text) {
        Err(GitError::DiffParse { line, message, .. }) => (line, message),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn file(path: &str, status: FileStatus, lines: &[u32]) -> ChangedFile {
    ChangedFile {
        path: path.to_owned(),
        old_path: None,
        status,
        binary: false,
        added_lines: lines.to_vec(),
    }
}

#[test]
fn modified_file_with_context_and_no_newline_marker() {
    let text = "\
diff --git a/src/a.rs b/src/a.rs
index 1111111..2222222 100644
--- a/src/a.rs
+++ b/src/a.rs
@@ -1,3 +1,4 @@
+new first
 one
-two
+TWO
 three
@@ -10 +11,2 @@ fn tail()
-ten
\\ No newline at end of file
+ten
+eleven
\\ No newline at end of file
";
    assert_eq!(
        parse_ok(text),
        vec![file("src/a.rs", FileStatus::Modified, &[1, 3, 11, 12])]
    );
}

#[test]
fn content_lines_that_look_like_headers_stay_content() {
    // A removed "-- x" prints as "--- x", an added "++ y" as "+++ y", an added "diff --git"
    // line as "+diff --git": only the hunk counts tell them apart from headers.
    let text = "\
diff --git a/t.txt b/t.txt
--- a/t.txt
+++ b/t.txt
@@ -1,2 +1,2 @@
--- x
+++ y
 keep
@@ -5,0 +6 @@
+diff --git a/z b/z
";
    assert_eq!(
        parse_ok(text),
        vec![file("t.txt", FileStatus::Modified, &[1, 6])]
    );
}

#[test]
fn new_deleted_renamed_copied_and_binary() {
    let text = "\
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.py
@@ -0,0 +1,2 @@
+a
+b
diff --git a/old.py b/old.py
deleted file mode 100644
index 4444444..0000000
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-gone
diff --git a/from.rs b/to.rs
similarity index 90%
rename from from.rs
rename to to.rs
index 5555555..6666666 100644
--- a/from.rs
+++ b/to.rs
@@ -4 +4 @@
-x
+y
diff --git a/moved.txt b/dir/moved.txt
similarity index 100%
rename from moved.txt
rename to dir/moved.txt
diff --git a/src.c b/copy.c
similarity index 80%
copy from src.c
copy to copy.c
--- a/src.c
+++ b/copy.c
@@ -2,0 +3 @@
+added
diff --git a/img.png b/img.png
index 7777777..8888888 100644
Binary files a/img.png and b/img.png differ
diff --git a/empty b/empty
new file mode 100644
index 0000000..e69de29
";
    let renamed = |path: &str, old: &str, status, lines: &[u32]| ChangedFile {
        old_path: Some(old.to_owned()),
        ..file(path, status, lines)
    };
    assert_eq!(
        parse_ok(text),
        vec![
            renamed("copy.c", "src.c", FileStatus::Copied, &[3]),
            renamed("dir/moved.txt", "moved.txt", FileStatus::Renamed, &[]),
            file("empty", FileStatus::Added, &[]),
            ChangedFile {
                binary: true,
                ..file("img.png", FileStatus::Modified, &[])
            },
            file("new.py", FileStatus::Added, &[1, 2]),
            file("old.py", FileStatus::Deleted, &[]),
            renamed("to.rs", "from.rs", FileStatus::Renamed, &[4]),
        ]
    );
}

#[test]
fn quoted_paths_with_escapes_and_names_with_spaces() {
    let text = "\
diff --git \"a/caf\\303\\251 \\\"q\\\"\\t.txt\" \"b/caf\\303\\251 \\\"q\\\"\\t.txt\"
new file mode 100644
--- /dev/null
+++ \"b/caf\\303\\251 \\\"q\\\"\\t.txt\"
@@ -0,0 +1 @@
+x
diff --git a/with space.md b/with space.md
--- a/with space.md\t
+++ b/with space.md\t
@@ -1 +1 @@
-a
+b
diff --git a/a b/dir/x y b/a b/dir/x y
old mode 100644
new mode 100755
";
    assert_eq!(
        parse_ok(text),
        vec![
            file("a b/dir/x y", FileStatus::Modified, &[]),
            file("café \"q\"\t.txt", FileStatus::Added, &[1]),
            file("with space.md", FileStatus::Modified, &[1]),
        ]
    );
}

#[test]
fn no_prefix_and_mnemonic_prefix_diffs() {
    let no_prefix = "\
diff --git src/a.rs src/a.rs
--- src/a.rs
+++ src/a.rs
@@ -1 +1 @@
-a
+b
";
    assert_eq!(
        parse_ok(no_prefix),
        vec![file("src/a.rs", FileStatus::Modified, &[1])]
    );
    let mnemonic = no_prefix
        .replace(
            "diff --git src/a.rs src/a.rs",
            "diff --git i/src/a.rs w/src/a.rs",
        )
        .replace("--- src", "--- i/src")
        .replace("+++ src", "+++ w/src");
    assert_eq!(
        parse_ok(&mnemonic),
        vec![file("src/a.rs", FileStatus::Modified, &[1])]
    );
}

#[test]
fn plain_diff_u_output_with_timestamps() {
    let text = "\
diff -ru old/lib/m.c new/lib/m.c
--- old/lib/m.c\t2024-01-01 10:00:00.000000000 +0000
+++ new/lib/m.c\t2024-01-02 10:00:00.000000000 +0000
@@ -3,2 +3,3 @@
 a
+b
 c
";
    assert_eq!(
        parse_ok(text),
        vec![file("lib/m.c", FileStatus::Modified, &[4])]
    );
}

#[test]
fn format_patch_preamble_and_signature_are_skipped() {
    let text = "\
From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001
From: A <a@example.com>
Subject: [PATCH] change

---
 x.txt | 1 +
 1 file changed, 1 insertion(+)

diff --git a/x.txt b/x.txt
--- a/x.txt
+++ b/x.txt
@@ -1 +1,2 @@
 a
+b
-- 
2.47.3

";
    assert_eq!(
        parse_ok(text),
        vec![file("x.txt", FileStatus::Modified, &[2])]
    );
}

#[test]
fn symlinks_type_changes_and_submodules() {
    let text = "\
diff --git a/link b/link
new file mode 120000
--- /dev/null
+++ b/link
@@ -0,0 +1 @@
+target
\\ No newline at end of file
diff --git a/t b/t
deleted file mode 100644
--- a/t
+++ /dev/null
@@ -1 +0,0 @@
-text
diff --git a/t b/t
new file mode 120000
--- /dev/null
+++ b/t
@@ -0,0 +1 @@
+link
\\ No newline at end of file
diff --git a/vendor/lib b/vendor/lib
index 1111111..2222222 160000
--- a/vendor/lib
+++ b/vendor/lib
@@ -1 +1 @@
-Subproject commit 1111111111111111111111111111111111111111
+Subproject commit 2222222222222222222222222222222222222222
";
    assert_eq!(
        parse_ok(text),
        vec![
            file("link", FileStatus::Added, &[]),
            file("t", FileStatus::Modified, &[])
        ]
    );
}

#[test]
fn empty_input_is_an_empty_change() {
    assert_eq!(parse_ok(""), vec![]);
    assert_eq!(parse_ok("\n"), vec![]);
}

#[test]
fn crlf_line_endings() {
    let text =
        "diff --git a/w.txt b/w.txt\r\n--- a/w.txt\r\n+++ b/w.txt\r\n@@ -1 +1,2 @@\r\n a\r\n+b\r\n";
    assert_eq!(
        parse_ok(text),
        vec![file("w.txt", FileStatus::Modified, &[2])]
    );
}

#[test]
fn errors_name_the_line_and_what_was_expected() {
    let truncated = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n a\n+b\n";
    let (line, msg) = parse_err(truncated);
    assert_eq!(line, 7);
    assert!(msg.contains("ends inside the hunk of line 4"), "{msg}");
    assert!(msg.contains("1 old and 1 new lines missing"), "{msg}");

    let (line, msg) = parse_err("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @\n");
    assert_eq!(line, 4);
    assert!(msg.contains("expected a hunk header"), "{msg}");

    let (line, msg) = parse_err("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n*b\n");
    assert_eq!(line, 6);
    assert!(msg.contains("expected a hunk line"), "{msg}");

    let (line, msg) = parse_err("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n");
    assert_eq!(line, 7);
    assert!(msg.contains("after the hunk of line 4"), "{msg}");

    let (line, msg) = parse_err("@@ -1 +1 @@\n-a\n+b\n");
    assert_eq!(line, 1);
    assert!(msg.contains("before any file header"), "{msg}");

    let (line, msg) = parse_err("SF:src/a.rs\nDA:1,1\nend_of_record\n");
    assert_eq!(line, 1);
    assert!(msg.contains("no file header found"), "{msg}");

    let (line, msg) = parse_err("diff --cc m.c\n");
    assert_eq!(line, 1);
    assert!(msg.contains("combined diff"), "{msg}");

    let err = ChangeSet::from_unified_diff("@@ -1 +1 @@\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "malformed diff input at line 1: a hunk (`@@`) before any file header"
    );
}

#[test]
fn quoted_path_decoding() {
    assert_eq!(
        take_quoted("\"a\\\\b\\\"c\" rest"),
        Some((b"a\\b\"c".to_vec(), " rest"))
    );
    assert_eq!(take_quoted("\"\\303\\251\""), Some((vec![0xc3, 0xa9], "")));
    assert_eq!(take_quoted("\"unterminated"), None);
    assert_eq!(take_quoted("\"bad \\39\""), None);
}
