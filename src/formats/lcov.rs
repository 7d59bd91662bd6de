//! lcov parser (to be written).

use std::io::BufRead;

use super::{FormatError, Parsed};

pub fn parse(_reader: impl BufRead) -> Result<Parsed, FormatError> {
    Err(FormatError::at_line(
        1,
        "the lcov parser is not written yet",
    ))
}
