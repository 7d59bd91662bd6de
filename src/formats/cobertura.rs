//! cobertura parser (to be written).

use std::io::BufRead;

use super::{FormatError, Parsed};

pub fn parse(_reader: impl BufRead) -> Result<Parsed, FormatError> {
    Err(FormatError::at_line(
        1,
        "the cobertura parser is not written yet",
    ))
}
