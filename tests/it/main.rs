//! All integration tests in one binary (as ripgrep does): one link instead of twenty, one module per theme.
//! Shared helpers: `common` (corpus, temporary git repositories, running the binary), `host_support` (a fake GitHub/GitLab).

mod action_yml;
mod agreement;
mod architecture;
mod cli;
mod comment_gfm;
mod common;
mod convert_roundtrip;
mod corpus_cli;
mod corpus_coverage;
mod corpus_junit;
mod corpus_more_formats;
mod diff_e2e;
mod example;
mod git_changeset;
mod gitlab_template;
mod history_agreement;
mod history_artifacts;
mod history_e2e;
mod history_notes;
mod host_github;
mod host_gitlab;
mod host_support;
mod install_script;
mod junit_fixtures;
mod junit_render;
mod no_panic;
mod publish_e2e;
mod real_runs;
mod release_metadata;
mod render_snapshots;
mod resources;
mod verdicts;
