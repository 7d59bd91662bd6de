//! Flags and components (`[flags.NAME]`, `[[components]]`).

#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagConfig {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub carryforward: bool,
}

#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentConfig {
    pub id: String,
    pub name: Option<String>,
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    pub patch: Option<f64>,
    pub project: Option<f64>,
    pub threshold: Option<f64>,
    #[serde(default)]
    pub informational: bool,
}
