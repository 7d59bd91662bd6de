//! `prcov completions SHELL` and `prcov man`: texts generated from the clap definition itself,
//! so they cannot drift from the real options.

use std::path::Path;

use clap::CommandFactory;

use crate::config::Generated;
use crate::error::Error;

use super::{Cli, Shell};

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    clap_complete::generate(generator, &mut cmd, "prcov", &mut out);
    out
}

fn render(man: &clap_mangen::Man) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    man.render(&mut out)
        .map_err(|e| Error::Usage(format!("failed to render the man page: {e}")))?;
    Ok(out)
}

/// `prcov.1` on standard output, or `prcov.1` and `prcov-<command>.1` written into `dir`.
pub fn man(dir: Option<&Path>) -> Result<Generated, Error> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let main = render(&clap_mangen::Man::new(cmd.clone()))?;
    let Some(dir) = dir else {
        return Ok(Generated {
            stdout: main,
            files: Vec::new(),
        });
    };
    let mut files = vec![(dir.join("prcov.1"), main)];
    for sub in cmd.get_subcommands() {
        // After `build`, a subcommand's display name is `prcov-diff`: its page's name.
        let man = clap_mangen::Man::new(sub.clone());
        files.push((dir.join(man.get_filename()), render(&man)?));
    }
    Ok(Generated {
        stdout: Vec::new(),
        files,
    })
}
