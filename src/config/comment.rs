//! `[comment]` of `prcov.toml`: how the sticky comment is written and when.

/// `[comment] behavior`, as Codecov defines it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentBehavior {
    #[default]
    Default,
    Once,
    New,
    Spammy,
}

#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentConfig {
    #[serde(default)]
    pub behavior: CommentBehavior,
    #[serde(default)]
    pub require_changes: bool,
    #[serde(default)]
    pub hide: Vec<String>,
}

/// The parts of the comment `hide` may leave out. `components` and `flags` name the tables of
/// flags and components, which this comment shows once prcov computes them.
pub const HIDEABLE: [&str; 5] = ["project", "files", "tests", "components", "flags"];

/// Why `hide` is not valid, if it is not: names each unknown entry and the known ones.
pub fn hide_problem(hide: &[String]) -> Option<String> {
    let unknown: Vec<&str> = hide
        .iter()
        .map(String::as_str)
        .filter(|h| !HIDEABLE.contains(h))
        .collect();
    (!unknown.is_empty()).then(|| {
        format!(
            "unknown comment part(s) to hide: {}; known: {}",
            unknown.join(", "),
            HIDEABLE.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_behavior_and_rejects_others() {
        for (text, want) in [
            ("default", CommentBehavior::Default),
            ("once", CommentBehavior::Once),
            ("new", CommentBehavior::New),
            ("spammy", CommentBehavior::Spammy),
        ] {
            let c: CommentConfig = toml::from_str(&format!("behavior = \"{text}\"")).unwrap();
            assert_eq!(c.behavior, want);
        }
        let err = toml::from_str::<CommentConfig>("behavior = \"sometimes\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `sometimes`"),
            "{err}"
        );
        assert!(toml::from_str::<CommentConfig>("colour = 1").is_err());
    }

    #[test]
    fn hide_names_unknown_parts() {
        assert_eq!(hide_problem(&["project".into(), "tests".into()]), None);
        assert_eq!(
            hide_problem(&["project".into(), "gates".into()]).unwrap(),
            "unknown comment part(s) to hide: gates; known: project, files, tests, components, flags"
        );
    }
}
