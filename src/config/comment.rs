//! The PR comment's behaviour (`[comment]`).

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
