//! `prcov config explain`: prints the explanation `cli` computed from the settings files.

use crate::config::ExplainOptions;
use crate::error::Error;
use crate::render::OutputFormat;

pub fn explain(o: &ExplainOptions) -> Result<u8, Error> {
    let text = match o.output.format {
        OutputFormat::Json => o.explanation.json(),
        OutputFormat::Text | OutputFormat::Markdown => o.explanation.text(),
    };
    super::emit(&o.output, &text)?;
    Ok(crate::exit::SUCCESS)
}
