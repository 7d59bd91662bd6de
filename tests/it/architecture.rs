//! The architecture test: every `crate::…` path in `src/` must be allowed by the table of
//! ARCHITECTURE.md ("Allowed imports"), so that no stage imports a later one and the document
//! stays the truth about the code.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may import whom, as ARCHITECTURE.md writes it.
#[derive(Debug, Default)]
struct Rules {
    /// module → the modules it may import; `None` for `*` (every module).
    allowed: BTreeMap<String, Option<BTreeSet<String>>>,
    /// Imports accepted for now, `(from, to)`, until the change named beside them lands.
    pending: BTreeSet<(String, String)>,
}

/// One import the table does not allow.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

/// The names inside backticks of a table cell: "`model`, `git`" → model, git.
fn names(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Reads the two tables under "## Allowed imports".
fn parse_rules(doc: &str) -> Result<Rules, String> {
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with("Allowed imports"))
        .ok_or("ARCHITECTURE.md has no \"## Allowed imports\" section")?;
    let mut rules = Rules::default();
    for (n, line) in section.lines().enumerate() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').collect();
        if !line.trim_start().starts_with('|') || cells.len() != 2 {
            continue;
        }
        let (left, right) = (cells[0].trim(), cells[1].trim());
        if left.starts_with("---") || left == "module" || left == "import" {
            continue;
        }
        if let Some((from, to)) = left.split_once('→') {
            let (from, to) = (names(from), names(to));
            if from.len() != 1 || to.len() != 1 {
                return Err(format!(
                    "Allowed imports, line {}: expected \"`a` → `b`\", got {left:?}",
                    n + 1
                ));
            }
            rules.pending.insert((from[0].clone(), to[0].clone()));
            continue;
        }
        let module = names(left);
        if module.len() != 1 {
            return Err(format!(
                "Allowed imports, line {}: expected one `module` in the first cell, got {left:?}",
                n + 1
            ));
        }
        let may = match right {
            "*" => None,
            "—" => Some(BTreeSet::new()),
            _ => Some(names(right).into_iter().collect()),
        };
        rules.allowed.insert(module[0].clone(), may);
    }
    if rules.allowed.is_empty() {
        return Err("the \"Allowed imports\" table has no rows".to_owned());
    }
    Ok(rules)
}

/// The top-level module a file of `src/` belongs to: `render/html/mod.rs` → `render`,
/// `exit.rs` → `exit`.
fn module_of(relative: &Path) -> String {
    let first = relative
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.strip_suffix(".rs").unwrap_or(&first).to_owned()
}

/// The modules that product code of `text` names through `crate::`, with their line numbers.
/// Comments are skipped, and so are unit tests: a `#[cfg(test)]` module written inline (up to
/// its closing brace in column 0, as rustfmt writes it) and the item right after any other
/// `#[cfg(test)]`.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            let Some((_, item)) = lines.next() else { break };
            if item.starts_with("mod ") && item.trim_end().ends_with('{') {
                for (_, l) in lines.by_ref() {
                    if l.starts_with('}') {
                        break;
                    }
                }
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = trimmed.split(" //").next().unwrap_or(trimmed);
        out.extend(modules_named(code).into_iter().map(|m| (n + 1, m)));
    }
    out
}

/// `crate::a::b`, `crate::{a::x, b}` → a (and b).
fn modules_named(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` in a macro, or a longer name ending in "crate".
        if before.is_some_and(|c| c == '$' || c == '_' || c.is_alphanumeric()) {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => {
                        out.push(identifier(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(identifier(rest));
        }
    }
    out
}

fn identifier(s: &str) -> String {
    s.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every import of `files` (path relative to `src/`, text) that `rules` does not allow, and the
/// pending rows the code no longer needs.
fn check(rules: &Rules, files: &[(PathBuf, String)]) -> (Vec<Violation>, Vec<String>) {
    let mut violations = Vec::new();
    let mut pending_used = BTreeSet::new();
    let mut unknown = BTreeSet::new();
    for (path, text) in files {
        if path.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let from = module_of(path);
        let Some(allowed) = rules.allowed.get(&from) else {
            unknown.insert(from);
            continue;
        };
        for (line, to) in crate_paths(text) {
            let ok = to == from
                || to == "self"
                || to == "super"
                || allowed.as_ref().is_none_or(|may| may.contains(&to));
            if ok {
                continue;
            }
            let pair = (from.clone(), to.clone());
            if rules.pending.contains(&pair) {
                pending_used.insert(pair);
                continue;
            }
            violations.push(Violation {
                file: path.display().to_string(),
                line,
                from: from.clone(),
                to,
            });
        }
    }
    let mut problems: Vec<String> = unknown
        .into_iter()
        .map(|m| format!("module `{m}` has no row in ARCHITECTURE.md's \"Allowed imports\" table"))
        .collect();
    problems.extend(rules.pending.difference(&pending_used).map(|(a, b)| {
        format!("`{a}` → `{b}` is no longer imported: remove its row from ARCHITECTURE.md")
    }));
    violations.sort();
    (violations, problems)
}

fn source_files(dir: &Path, root: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            let relative = path.strip_prefix(root).expect("under src").to_path_buf();
            out.push((relative, text));
        }
    }
}

fn report(rules: &Rules, violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| {
            let may = match &rules.allowed[&v.from] {
                Some(set) if set.is_empty() => "nothing".to_owned(),
                Some(set) => set
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                None => "everything".to_owned(),
            };
            format!(
                "src/{}:{}: `{}` imports `{}`; ARCHITECTURE.md allows it {may}",
                v.file, v.line, v.from, v.to
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn no_module_imports_what_architecture_md_does_not_allow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("read ARCHITECTURE.md");
    let rules = parse_rules(&doc).unwrap_or_else(|e| panic!("{e}"));
    let mut files = Vec::new();
    source_files(&root.join("src"), &root.join("src"), &mut files);
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    let (violations, problems) = check(&rules, &files);
    assert!(
        violations.is_empty() && problems.is_empty(),
        "imports against the architecture:\n{}\n{}",
        report(&rules, &violations),
        problems.join("\n")
    );
}

/// The checker itself: a backward import in product code is caught with its file and line; the
/// same import in a unit test is not; a pending row is accepted only while it is needed.
#[test]
fn the_checker_catches_a_backward_import_and_ignores_unit_tests() {
    let doc = "# A\n\n## Allowed imports\n\n| module | may import |\n|---|---|\n\
               | `model` | — |\n| `render` | `model` |\n| `host` | `render`, `model` |\n\
               | `cli` | * |\n\n| import | removed by |\n|---|---|\n| `render` → `host` | later |\n\n## Next\n";
    let rules = parse_rules(doc).unwrap();
    let file = |p: &str, t: &str| (PathBuf::from(p), t.to_owned());
    let files = vec![
        file("model/mod.rs", "use std::fmt;\n// crate::host in a comment\n"),
        file(
            "model/coverage.rs",
            "use crate::model::X;\nuse crate::{render::Y, model::Z};\n\n#[cfg(test)]\nmod tests {\n    use crate::host::Q;\n}\n",
        ),
        file("render/mod.rs", "fn f() { crate::host::send(); }\n"),
        file("host/mod.rs", "use crate::render::plan::PublishPlan;\n"),
        file("host/tests.rs", "use crate::cli::Cli;\n"),
        file("cli/mod.rs", "use crate::{host, render, model};\n"),
    ];
    let (violations, problems) = check(&rules, &files);
    assert_eq!(
        violations,
        vec![Violation {
            file: "model/coverage.rs".into(),
            line: 2,
            from: "model".into(),
            to: "render".into(),
        }]
    );
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        report(&rules, &violations),
        "src/model/coverage.rs:2: `model` imports `render`; ARCHITECTURE.md allows it nothing"
    );

    // Without the pending row's import, the row is reported as stale; a module without a row
    // is reported too.
    let files = vec![file("history/mod.rs", "use crate::model::X;\n")];
    let (violations, problems) = check(&rules, &files);
    assert!(violations.is_empty());
    assert_eq!(
        problems,
        vec![
            "module `history` has no row in ARCHITECTURE.md's \"Allowed imports\" table".to_owned(),
            "`render` → `host` is no longer imported: remove its row from ARCHITECTURE.md"
                .to_owned(),
        ]
    );
}
