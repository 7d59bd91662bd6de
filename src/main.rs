//! The `prcov` binary: parse arguments, run, map the outcome to an exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = prcov::cli::Cli::parse();
    let result = prcov::cli::into_config(&cli.command).and_then(|config| prcov::run(&config));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            prcov::commands::stderr::error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
