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
        // `run: |`, possibly with a comment (an accepted zizmor finding) after it.
        if line.trim().split(" #").next() == Some("run: |") {
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
            "version",
            "install",
            "reports",
            "junit",
            "fail-under-patch",
            "fail-under-project",
            "max-project-drop",
            "threshold",
            "comment-key",
            "section",
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
            "--section",
            "--threshold"
        ]
    );
    for flag in [
        "fail-under-patch",
        "fail-under-project",
        "max-project-drop",
        "threshold",
        "comment-key",
        "section",
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
}

/// The install step runs scripts/install.sh from the action's own checkout with the `version`
/// and `install` inputs, in the tool cache, and puts the directory it prints on the PATH.
#[test]
fn the_install_step_runs_the_install_script_with_its_inputs() {
    let text = action();
    let install = &scripts(&text)[0];
    assert!(
        install.contains("dir=\"$(sh \"$PRCOV_ACTION_PATH/scripts/install.sh\")\""),
        "{install}"
    );
    assert!(install.contains("echo \"$dir\" >> \"$GITHUB_PATH\""));
    for env in [
        "PRCOV_VERSION: ${{ inputs.version }}",
        "PRCOV_INSTALL: ${{ inputs.install }}",
        "PRCOV_CACHE_ROOT: ${{ runner.tool_cache }}/prcov",
        "PRCOV_ACTION_PATH: ${{ github.action_path }}",
    ] {
        assert!(text.contains(env), "the install step lacks `{env}`");
    }
    // The variables the step sets are the ones the script reads.
    let script = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install.sh"),
    )
    .unwrap();
    for var in ["PRCOV_VERSION", "PRCOV_INSTALL", "PRCOV_CACHE_ROOT"] {
        assert!(
            script.contains(&format!("${{{var}:-")),
            "install.sh ignores {var}"
        );
    }
    // `install`'s values in its description are the ones the script accepts.
    assert!(script.contains("auto | binary | source)"));
}

/// The long options `prcov publish --help` lists (the option column only, not the prose).
fn publish_help_flags() -> BTreeSet<String> {
    let out = assert_cmd::Command::cargo_bin("prcov")
        .unwrap()
        .args(["publish", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let mut flags = BTreeSet::new();
    for line in help.lines() {
        let t = line.trim_start();
        if !t.starts_with('-') {
            continue;
        }
        for tok in t.split_whitespace() {
            let tok = tok.trim_end_matches(',');
            if tok.starts_with("--") {
                flags.insert(tok.to_owned());
            } else if !tok.starts_with('-') {
                break;
            }
        }
    }
    flags
}

/// `--flag` words in `text`, trailing punctuation removed.
fn flags_in(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with("--") && w.as_bytes().get(2).is_some_and(u8::is_ascii_alphabetic))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_flag_the_action_passes_or_suggests_exists_in_publish_help() {
    let help = publish_help_flags();
    // Sanity: the parser found the option column.
    for f in [
        "--junit",
        "--dry-run",
        "--save",
        "--from",
        "--help",
        "--output",
    ] {
        assert!(help.contains(f), "{f} missing from {help:?}");
    }
    let text = action();
    let scripts = scripts(&text);
    let script_flags = flags_in(&scripts[1]);
    assert_eq!(script_flags.len(), 7, "{script_flags:?}");
    // The inputs' descriptions name flags too (`--save`, `--from` in extra-args).
    let described = flags_in(&text[..text.find("runs:").unwrap()]);
    assert!(described.contains("--save") && described.contains("--from"));
    for flag in script_flags.iter().chain(&described) {
        assert!(
            help.contains(flag),
            "action.yml uses {flag}, which `prcov publish --help` does not list"
        );
    }
}

#[test]
fn every_input_env_var_is_set_from_its_input_and_used() {
    let text = action();
    let publish = &scripts(&text)[1];
    for input in keys_of(&text, "inputs") {
        if input == "version" || input == "install" {
            // Read by the install step, checked above.
            continue;
        }
        if input == "token" {
            assert!(text.contains("GITHUB_TOKEN: ${{ inputs.token }}"));
            continue;
        }
        let var = format!("INPUT_{}", input.to_ascii_uppercase().replace('-', "_"));
        assert!(
            text.contains(&format!("{var}: ${{{{ inputs.{input} }}}}")),
            "{var} is not set from inputs.{input}"
        );
        assert!(
            publish.contains(&format!("${var}")),
            "{var} is never used by the script"
        );
    }
}

/// Flags of other tools that docs/publishing.md shows in its workflow examples.
const OTHER_TOOLS_FLAGS: [&str; 9] = [
    "--locked",
    "--git",
    "--rev",
    "--lcov",
    "--cobertura",
    "--output-path",
    "--cov",
    "--cov-report",
    "--junitxml",
];

#[test]
fn publishing_docs_name_only_real_flags_and_action_inputs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/publishing.md");
    let docs = std::fs::read_to_string(&path).unwrap();
    let help = publish_help_flags();
    for flag in flags_in(&docs) {
        if OTHER_TOOLS_FLAGS.contains(&flag.as_str()) {
            continue;
        }
        assert!(
            help.contains(&flag),
            "docs/publishing.md mentions {flag}, which `prcov publish --help` does not list"
        );
    }
    // The `with:` keys of every step that uses the action are its inputs.
    let inputs = keys_of(&action(), "inputs");
    let blocks = action_with_blocks(&docs);
    assert_eq!(blocks.len(), 4, "the docs show four steps using the action");
    for block in &blocks {
        for (key, _) in block {
            assert!(
                inputs.contains(key),
                "docs/publishing.md passes `{key}` to the action, which has no such input"
            );
        }
        // `--max-project-drop` without `--base-report` is a usage error (exit 2).
        let has = |k: &str| {
            block
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        if has("max-project-drop").is_some() {
            assert!(
                has("extra-args").is_some_and(|v| v.contains("--base-report")),
                "docs/publishing.md sets max-project-drop without a base report: {block:?}"
            );
        }
    }
}

/// `(key, value)` pairs of the `with:` block of each step that uses the prcov action.
fn action_with_blocks(markdown: &str) -> Vec<Vec<(String, String)>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<(String, String)>> = None;
    let mut after_uses = false;
    let mut with_indent = 0;
    for line in markdown.lines() {
        let indent = line.len() - line.trim_start().len();
        let t = line.trim();
        if let Some(block) = current.as_mut() {
            if indent > with_indent && !t.is_empty() {
                let (k, v) = t.split_once(':').unwrap_or((t, ""));
                let v = v.split(" #").next().unwrap_or_default();
                block.push((k.trim().to_owned(), v.trim().to_owned()));
                continue;
            }
            blocks.extend(current.take());
        }
        if t.starts_with("- uses: ") || t.starts_with("uses: ") {
            after_uses = t.contains("/prcov@");
        } else if after_uses && t == "with:" {
            current = Some(Vec::new());
            with_indent = indent;
            after_uses = false;
        } else if t.starts_with("- ") {
            after_uses = false;
        }
    }
    blocks.extend(current);
    blocks
}
