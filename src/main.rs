//! The `prcov` binary: parse arguments, run, map the outcome to an exit code. Nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = prcov::cli::Cli::parse();
    let result = prcov::cli::prepare(&cli.command).and_then(|p| {
        prcov::commands::stderr::warnings(p.detail, &p.warnings);
        prcov::run(&p.config)
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            prcov::commands::stderr::error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}
