//! Stand-in for `prcov convert` until the CLI has it: `convert IN OUT lcov|cobertura`.
//! Reads IN (format detected from content), writes OUT, prints the model's totals as JSON
//! (`lines`, `hits`, `misses`, `partials`, `branches`, `branches_covered`) for
//! scripts/check-writers.sh.

use std::process::ExitCode;

use prcov::formats::write::{write, WriteFormat};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output, to] = args.as_slice() else {
        eprintln!("usage: convert IN OUT lcov|cobertura");
        return ExitCode::from(2);
    };
    let to = match to.as_str() {
        "lcov" => WriteFormat::Lcov,
        "cobertura" => WriteFormat::Cobertura,
        other => {
            eprintln!("unknown output format {other}");
            return ExitCode::from(2);
        }
    };
    let parsed = match prcov::input::parse_coverage_path(std::path::Path::new(input), None) {
        Ok((_, p)) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let file = match std::fs::File::create(output) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("failed to create {output}: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = write(&parsed.report, to, file) {
        eprintln!("failed to write {output}: {e}");
        return ExitCode::from(2);
    }
    let t = parsed.report.totals();
    let (mut bt, mut bc) = (0u64, 0u64);
    for f in parsed.report.files.values() {
        for r in f.lines.values() {
            if let Some(b) = &r.branches {
                bt += u64::from(b.total());
                bc += u64::from(b.covered());
            }
        }
    }
    println!(
        "{{\"lines\": {}, \"hits\": {}, \"misses\": {}, \"partials\": {}, \"branches\": {bt}, \"branches_covered\": {bc}}}",
        t.lines, t.hits, t.misses, t.partials
    );
    ExitCode::SUCCESS
}
