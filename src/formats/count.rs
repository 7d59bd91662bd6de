//! Execution counts as coverage tools write them: plain integers (sometimes beyond `u64`), and
//! floats (`1.0e+19`) from tools that accumulate counts in doubles.

/// Why a count could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CountError {
    /// A number below zero (`-3`, `-0`): no tool writes one for real data; lcov rejects them.
    Negative,
    /// Not a number at all, or NaN/infinity.
    NotANumber,
}

impl CountError {
    /// What was expected, for an error message.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            CountError::Negative => "a count of zero or more",
            CountError::NotANumber => "a number",
        }
    }
}

/// Reads a non-negative execution count.
///
/// Integers too large for `u64` saturate (the line ran; the exact figure does not matter for
/// coverage). Floats are accepted when finite and not negative; a fraction above zero counts as
/// one execution so that "ran" is never lost to rounding.
pub(crate) fn parse_count(text: &[u8]) -> Result<u64, CountError> {
    // The common case, a short run of digits, in one pass.
    if !text.is_empty() && text.len() <= 19 {
        let mut value: u64 = 0;
        let mut digits = true;
        for &d in text {
            if !d.is_ascii_digit() {
                digits = false;
                break;
            }
            value = value * 10 + u64::from(d - b'0');
        }
        if digits {
            return Ok(value);
        }
    }
    let text = text.trim_ascii();
    if text.is_empty() {
        return Err(CountError::NotANumber);
    }
    if text.iter().all(u8::is_ascii_digit) {
        let mut value: u64 = 0;
        for &d in text {
            value = match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(d - b'0')))
            {
                Some(v) => v,
                None => return Ok(u64::MAX),
            };
        }
        return Ok(value);
    }
    if text[0] == b'-' {
        // Only call it negative when the rest is a number; "-x" is just not a number.
        return match parse_float(&text[1..]) {
            Some(_) => Err(CountError::Negative),
            None => Err(CountError::NotANumber),
        };
    }
    match parse_float(text) {
        Some(f) if f > 0.0 && f < 1.0 => Ok(1),
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "f is finite and not negative; `as` saturates at u64::MAX, which is wanted"
        )]
        Some(f) => Ok(f as u64),
        None => Err(CountError::NotANumber),
    }
}

/// A finite, non-negative float written with digits (no `inf`/`nan` words, which Rust accepts).
fn parse_float(text: &[u8]) -> Option<f64> {
    if !text
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let f: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
    (f.is_finite() && f >= 0.0).then_some(f)
}

/// Reads a line number: a plain decimal integer that fits `u32`.
pub(crate) fn parse_line_number(text: &[u8]) -> Option<u32> {
    let text = text.trim_ascii();
    if text.is_empty() || text.len() > 10 {
        return None;
    }
    // Ten digits fit u64 without overflow; the range check below rejects what u32 cannot hold.
    let mut value: u64 = 0;
    for &d in text {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(d - b'0');
    }
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_floats_and_saturation() {
        assert_eq!(parse_count(b"0"), Ok(0));
        assert_eq!(parse_count(b" 42 "), Ok(42));
        assert_eq!(parse_count(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_count(b"99999999999999999999999"), Ok(u64::MAX));
        assert_eq!(parse_count(b"1.0e+19"), Ok(10_000_000_000_000_000_000));
        assert_eq!(parse_count(b"1.5e+20"), Ok(u64::MAX));
        assert_eq!(parse_count(b"2.0"), Ok(2));
        assert_eq!(parse_count(b"0.25"), Ok(1));
        assert_eq!(parse_count(b"0.0"), Ok(0));
    }

    #[test]
    fn rejects_negative_and_garbage() {
        assert_eq!(parse_count(b"-3"), Err(CountError::Negative));
        assert_eq!(parse_count(b"-0"), Err(CountError::Negative));
        assert_eq!(parse_count(b"-1.5e3"), Err(CountError::Negative));
        assert_eq!(parse_count(b"1.a0e+19"), Err(CountError::NotANumber));
        assert_eq!(parse_count(b"1.67+20"), Err(CountError::NotANumber));
        assert_eq!(parse_count(b"NaN"), Err(CountError::NotANumber));
        assert_eq!(parse_count(b"inf"), Err(CountError::NotANumber));
        assert_eq!(parse_count(b""), Err(CountError::NotANumber));
        assert_eq!(parse_count(b"-"), Err(CountError::NotANumber));
        assert_eq!(parse_count(b"abc"), Err(CountError::NotANumber));
    }

    #[test]
    fn line_numbers() {
        assert_eq!(parse_line_number(b"12"), Some(12));
        assert_eq!(parse_line_number(b"4294967295"), Some(u32::MAX));
        assert_eq!(parse_line_number(b"4294967296"), None);
        assert_eq!(parse_line_number(b"-1"), None);
        assert_eq!(parse_line_number(b"1.0"), None);
        assert_eq!(parse_line_number(b""), None);
    }
}
