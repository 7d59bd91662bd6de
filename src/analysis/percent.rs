//! Percentages as docs/coverage.md#percent displays them: rounded down to two decimals, computed exactly.

use crate::model::Totals;

/// Formatting helpers for percentages and deltas.
pub struct Percent;

impl Percent {
    /// `hits / lines` as `66.66`, rounded down exactly (integer arithmetic, so `12.35` never shows
    /// as `12.34` through floating-point error). `None` when there are no lines.
    pub fn of(totals: &Totals) -> Option<String> {
        if totals.lines == 0 {
            return None;
        }
        let hundredths = u128::from(totals.hits) * 10_000 / u128::from(totals.lines);
        Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
    }

    /// An unrounded value (a target, a delta) rounded toward zero to two decimals.
    pub fn value(v: f64) -> String {
        let t = (v * 100.0).trunc() / 100.0;
        let s = format!("{t:.2}");
        if s == "-0.00" {
            "0.00".to_owned()
        } else {
            s
        }
    }

    /// A delta with its sign: `+0.35`, `-1.20`, `0.00`.
    pub fn delta(v: f64) -> String {
        let s = Self::value(v);
        if s.starts_with('-') || s == "0.00" {
            s
        } else {
            format!("+{s}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(hits: u64, lines: u64) -> Totals {
        Totals {
            lines,
            hits,
            misses: lines - hits,
            partials: 0,
        }
    }

    #[test]
    fn rounds_down_exactly() {
        assert_eq!(Percent::of(&t(2, 3)).as_deref(), Some("66.66"));
        assert_eq!(Percent::of(&t(247, 2000)).as_deref(), Some("12.35"));
        assert_eq!(Percent::of(&t(1, 1)).as_deref(), Some("100.00"));
        assert_eq!(Percent::of(&t(0, 7)).as_deref(), Some("0.00"));
        assert_eq!(Percent::of(&t(9999, 10000)).as_deref(), Some("99.99"));
        assert_eq!(Percent::of(&t(99_999, 100_000)).as_deref(), Some("99.99"));
        assert_eq!(Percent::of(&t(0, 0)), None);
    }

    #[test]
    fn deltas_carry_a_sign() {
        assert_eq!(Percent::delta(0.351), "+0.35");
        assert_eq!(Percent::delta(-1.209), "-1.20");
        assert_eq!(Percent::delta(-0.001), "0.00");
        assert_eq!(Percent::delta(0.0), "0.00");
    }
}
