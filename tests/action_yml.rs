//! `action.yml` stays consistent: every input is passed to the script through the environment
//! (never `${{ }}` inside `run:`), every threshold input becomes the `prcov publish` flag of the
//! same name, and the outputs come from the publish step. Parsed line by line (no YAML crate):
//! the file is small and written in one fixed layout.

use std::collections::BTreeSet;

fn action() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("action.yml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Keys indented by two spaces under a top-level `section:`.
fn keys_of(text: &str, section: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.is_empty() {
            inside = line.trim_end() == format!("{section}:");
            continue;
        }
        if inside {
            if let Some(rest) = line.strip_prefix("  ") {
                if !rest.starts_with(' ') && rest.trim_end().ends_with(':') {
                    keys.push(rest.trim_end().trim_end_matches(':').to_owned());
                }
            }
        }
    }
    keys
}

/// The `run: |` blocks' text.
fn scripts(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(script) = current.as_mut() {
            if line.starts_with("        ") || line.is_empty() {
                script.push_str(line.trim_start());
                script.push('\n');
                continue;
            }
            out.push(current.take().unwrap_or_default());
        }
        if line.trim() == "run: |" {
            current = Some(String::new());
        }
    }
    out.extend(current);
    out
}

#[test]
fn inputs_map_to_publish_flags_through_the_environment() {
    let text = action();
    let inputs = keys_of(&text, "inputs");
    assert_eq!(
        inputs,
        [
            "reports",
            "junit",
            "fail-under-patch",
            "fail-under-project",
            "max-project-drop",
            "threshold",
            "comment-key",
            "token",
            "extra-args"
        ]
    );
    let scripts = scripts(&text);
    assert_eq!(scripts.len(), 2);
    for script in &scripts {
        assert!(
            !script.contains("${{"),
            "expression interpolated into a script:\n{script}"
        );
    }
    for input in &inputs {
        assert!(
            text.contains(&format!("${{{{ inputs.{input} }}}}")),
            "input {input} is never used"
        );
    }
    let publish = &scripts[1];
    assert!(publish.contains("prcov \"${args[@]}\""));
    assert!(publish.contains("args=(publish)"));
    let flags: BTreeSet<&str> = publish
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| w.starts_with("--"))
        .collect();
    assert_eq!(
        flags.into_iter().collect::<Vec<_>>(),
        [
            "--comment-key",
            "--fail-under-patch",
            "--fail-under-project",
            "--junit",
            "--max-project-drop",
            "--threshold"
        ]
    );
    for flag in [
        "fail-under-patch",
        "fail-under-project",
        "max-project-drop",
        "threshold",
        "comment-key",
    ] {
        let var = format!("INPUT_{}", flag.to_ascii_uppercase().replace('-', "_"));
        assert!(
            publish.contains(&format!("opt --{flag} \"${var}\"")),
            "{flag} not passed as --{flag}"
        );
    }
}

#[test]
fn outputs_come_from_the_publish_step() {
    let text = action();
    assert_eq!(
        keys_of(&text, "outputs"),
        ["patch-coverage", "project-coverage"]
    );
    assert!(text.contains("value: ${{ steps.publish.outputs.patch-coverage }}"));
    assert!(text.contains("value: ${{ steps.publish.outputs.project-coverage }}"));
    assert!(text.contains("id: publish"));
    assert!(text.contains("cargo install --locked --path \"$PRCOV_SRC\""));
    assert!(text.contains("PRCOV_SRC: ${{ github.action_path }}"));
}
