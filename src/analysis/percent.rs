//! Percentages as docs/coverage.md#percent displays them: a number of decimals (`precision`,
//! 0–5, default 2) and a rounding (`round`: down by default, up, nearest), as Codecov's
//! `coverage.precision`/`coverage.round`. Only what is shown is rounded: JSON and the gates use
//! the exact values.

use serde::{Deserialize, Serialize};

use crate::model::Totals;

/// How a percentage is rounded to its shown decimals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Round {
    /// Toward zero: `66.666…` shows as `66.66`, a drop of `-1.209` as `-1.20`.
    #[default]
    Down,
    /// Away from zero: `66.661` shows as `66.67`.
    Up,
    /// To the nearest, a tie to the even digit (Codecov's `ROUND_HALF_EVEN`): `12.125` → `12.12`.
    Nearest,
}

impl Round {
    pub fn name(self) -> &'static str {
        match self {
            Round::Down => "down",
            Round::Up => "up",
            Round::Nearest => "nearest",
        }
    }
}

/// How every percentage is shown: its decimals and its rounding. The default (2, down) is what
/// prcov always showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct Percent {
    digits: u8,
    round: Round,
}

/// A [`Percent`] as read (a `--from` payload carries one): checked before use, as a format with
/// more than 5 decimals cannot be built.
#[derive(Deserialize)]
struct Unchecked {
    digits: u8,
    round: Round,
}

impl TryFrom<Unchecked> for Percent {
    type Error = String;
    fn try_from(u: Unchecked) -> Result<Self, String> {
        Percent::new(u.digits, u.round).ok_or_else(|| {
            format!(
                "a percent format has 0 to {} decimals, not {}",
                Percent::MAX_DIGITS,
                u.digits
            )
        })
    }
}

impl Default for Percent {
    fn default() -> Self {
        Percent {
            digits: 2,
            round: Round::Down,
        }
    }
}

impl Percent {
    /// The most decimals shown, as Codecov allows.
    pub const MAX_DIGITS: u8 = 5;

    /// `None` when `digits` is above [`Self::MAX_DIGITS`].
    pub fn new(digits: u8, round: Round) -> Option<Self> {
        (digits <= Self::MAX_DIGITS).then_some(Percent { digits, round })
    }

    pub fn digits(self) -> u8 {
        self.digits
    }

    pub fn round(self) -> Round {
        self.round
    }

    pub fn is_default(&self) -> bool {
        *self == Percent::default()
    }

    /// `hits / lines` as `66.66`, rounded exactly (integer arithmetic, so `12.35` never shows
    /// as `12.34` through floating-point error). `None` when there are no lines.
    pub fn of(self, totals: &Totals) -> Option<String> {
        if totals.lines == 0 {
            return None;
        }
        let lines = u128::from(totals.lines);
        let scaled = u128::from(totals.hits) * 100 * self.unit();
        let (q, r) = (scaled / lines, scaled % lines);
        let up = match self.round {
            Round::Down => false,
            Round::Up => r > 0,
            Round::Nearest => match (2 * r).cmp(&lines) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Equal => q % 2 == 1,
                std::cmp::Ordering::Less => false,
            },
        };
        Some(self.format(false, q + u128::from(up)))
    }

    /// An unrounded value (a target, a delta), its magnitude rounded to the shown decimals.
    pub fn value(self, v: f64) -> String {
        if !v.is_finite() {
            return v.to_string();
        }
        #[expect(clippy::cast_precision_loss, reason = "10^5 at most, exact in f64")]
        let scaled = v.abs() * self.unit() as f64;
        // A value meant as a decimal (a target of 0.29) lands a hair beside its scaled integer
        // (28.999999999999996): that integer is what it means, whatever the rounding.
        let nearest = scaled.round();
        let units = if (scaled - nearest).abs() < 1e-9 * nearest.max(1.0) {
            nearest
        } else {
            match self.round {
                Round::Down => scaled.trunc(),
                Round::Up => scaled.ceil(),
                Round::Nearest => scaled.round_ties_even(),
            }
        };
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a non-negative whole number far below 2^64 (percentages and their deltas)"
        )]
        let units = units as u128;
        self.format(v < 0.0, units)
    }

    /// A delta with its sign: `+0.35`, `-1.20`, `0.00`.
    pub fn delta(self, v: f64) -> String {
        let s = self.value(v);
        if s.starts_with('-') || s.bytes().all(|b| matches!(b, b'0' | b'.')) {
            s
        } else {
            format!("+{s}")
        }
    }

    /// 10^digits.
    fn unit(self) -> u128 {
        10u128.pow(u32::from(self.digits))
    }

    /// `units` of 10^-digits as a decimal, `-` only when it is not zero.
    fn format(self, negative: bool, units: u128) -> String {
        let sign = if negative && units > 0 { "-" } else { "" };
        let unit = self.unit();
        let (int, frac) = (units / unit, units % unit);
        if self.digits == 0 {
            format!("{sign}{int}")
        } else {
            format!("{sign}{int}.{frac:0w$}", w = usize::from(self.digits))
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

    fn p(digits: u8, round: Round) -> Percent {
        Percent::new(digits, round).unwrap()
    }

    #[test]
    fn rounds_down_exactly() {
        let d = Percent::default();
        assert_eq!(d.of(&t(2, 3)).as_deref(), Some("66.66"));
        assert_eq!(d.of(&t(247, 2000)).as_deref(), Some("12.35"));
        assert_eq!(d.of(&t(1, 1)).as_deref(), Some("100.00"));
        assert_eq!(d.of(&t(0, 7)).as_deref(), Some("0.00"));
        assert_eq!(d.of(&t(9999, 10000)).as_deref(), Some("99.99"));
        assert_eq!(d.of(&t(99_999, 100_000)).as_deref(), Some("99.99"));
        assert_eq!(d.of(&t(0, 0)), None);
    }

    #[test]
    fn every_rounding_of_two_thirds() {
        assert_eq!(p(2, Round::Down).of(&t(2, 3)).as_deref(), Some("66.66"));
        assert_eq!(p(2, Round::Up).of(&t(2, 3)).as_deref(), Some("66.67"));
        assert_eq!(p(2, Round::Nearest).of(&t(2, 3)).as_deref(), Some("66.67"));
        assert_eq!(p(0, Round::Down).of(&t(2, 3)).as_deref(), Some("66"));
        assert_eq!(p(0, Round::Up).of(&t(2, 3)).as_deref(), Some("67"));
        assert_eq!(p(0, Round::Nearest).of(&t(1, 3)).as_deref(), Some("33"));
        assert_eq!(p(5, Round::Down).of(&t(2, 3)).as_deref(), Some("66.66666"));
        assert_eq!(p(5, Round::Up).of(&t(2, 3)).as_deref(), Some("66.66667"));
        assert_eq!(
            p(5, Round::Nearest).of(&t(1, 3)).as_deref(),
            Some("33.33333")
        );
        assert_eq!(p(1, Round::Up).of(&t(1, 3)).as_deref(), Some("33.4"));
    }

    #[test]
    fn exact_values_are_not_moved_by_any_rounding() {
        for round in [Round::Down, Round::Up, Round::Nearest] {
            assert_eq!(p(2, round).of(&t(1, 8)).as_deref(), Some("12.50"));
            assert_eq!(p(0, round).of(&t(1, 1)).as_deref(), Some("100"));
            assert_eq!(p(5, round).of(&t(1, 1)).as_deref(), Some("100.00000"));
            assert_eq!(p(0, round).of(&t(0, 9)).as_deref(), Some("0"));
            assert_eq!(p(5, round).of(&t(0, 9)).as_deref(), Some("0.00000"));
            assert_eq!(p(3, round).of(&t(247, 2000)).as_deref(), Some("12.350"));
            assert_eq!(p(2, round).of(&t(0, 0)), None);
        }
    }

    #[test]
    fn nearest_ties_go_to_the_even_digit_as_codecov() {
        // 1/8 = 12.5 % exactly: at 0 decimals the tie goes to 12, 3/8 = 37.5 % to 38.
        assert_eq!(p(0, Round::Nearest).of(&t(1, 8)).as_deref(), Some("12"));
        assert_eq!(p(0, Round::Nearest).of(&t(3, 8)).as_deref(), Some("38"));
        // 12.345 % exactly (2469 of 20000), a tie at 2 decimals: 12.34; 12.355 % → 12.36.
        assert_eq!(
            p(2, Round::Nearest).of(&t(2469, 20000)).as_deref(),
            Some("12.34")
        );
        assert_eq!(
            p(2, Round::Nearest).of(&t(2471, 20000)).as_deref(),
            Some("12.36")
        );
        assert_eq!(
            p(2, Round::Up).of(&t(2469, 20000)).as_deref(),
            Some("12.35")
        );
        assert_eq!(
            p(2, Round::Down).of(&t(2469, 20000)).as_deref(),
            Some("12.34")
        );
        // Above a tie, nearest goes up: 12.3451 %.
        assert_eq!(
            p(2, Round::Nearest).of(&t(123_451, 1_000_000)).as_deref(),
            Some("12.35")
        );
    }

    #[test]
    fn up_and_nearest_may_show_100_as_codecov_does() {
        assert_eq!(
            p(2, Round::Up).of(&t(99_999, 100_000)).as_deref(),
            Some("100.00")
        );
        // Up is Codecov's ceiling: 99.999 % shows as 100.00 at 2 decimals, 99.999 at 3.
        assert_eq!(
            p(3, Round::Up).of(&t(99_999, 100_000)).as_deref(),
            Some("99.999")
        );
        assert_eq!(
            p(2, Round::Nearest).of(&t(99_999, 100_000)).as_deref(),
            Some("100.00")
        );
    }

    #[test]
    fn values_round_their_magnitude() {
        let d = Percent::default();
        assert_eq!(d.value(80.0), "80.00");
        assert_eq!(d.value(66.666), "66.66");
        assert_eq!(p(2, Round::Up).value(66.661), "66.67");
        assert_eq!(p(2, Round::Nearest).value(66.666), "66.67");
        assert_eq!(p(0, Round::Nearest).value(79.5), "80");
        assert_eq!(p(0, Round::Nearest).value(80.5), "80");
        assert_eq!(p(5, Round::Down).value(12.345_678_9), "12.34567");
        assert_eq!(p(1, Round::Up).value(-1.21), "-1.3");
        assert_eq!(p(1, Round::Down).value(-1.29), "-1.2");
        // 12.345 as an f64 is 12.3449999…: nearest gives 12.34 (Codecov: a tie to the even 4).
        assert_eq!(p(2, Round::Nearest).value(12.345), "12.34");
        assert_eq!(p(2, Round::Nearest).value(12.355), "12.36");
        // A decimal the f64 holds a hair below itself shows as written, whatever the rounding.
        assert_eq!(d.value(0.29), "0.29");
        assert_eq!(p(2, Round::Up).value(12.35), "12.35");
        assert_eq!(p(2, Round::Down).value(100.0), "100.00");
    }

    #[test]
    fn deltas_carry_a_sign() {
        let d = Percent::default();
        assert_eq!(d.delta(0.351), "+0.35");
        assert_eq!(d.delta(-1.209), "-1.20");
        assert_eq!(d.delta(-0.001), "0.00");
        assert_eq!(d.delta(0.0), "0.00");
        assert_eq!(p(2, Round::Up).delta(0.001), "+0.01");
        assert_eq!(p(2, Round::Up).delta(-0.001), "-0.01");
        assert_eq!(p(0, Round::Down).delta(0.4), "0");
        assert_eq!(p(0, Round::Nearest).delta(-0.6), "-1");
        assert_eq!(p(0, Round::Nearest).delta(2.4), "+2");
    }

    #[test]
    fn more_than_five_decimals_is_refused() {
        assert!(Percent::new(5, Round::Down).is_some());
        assert!(Percent::new(6, Round::Down).is_none());
        let read = |s: &str| serde_json::from_str::<Percent>(s).map_err(|e| e.to_string());
        assert_eq!(read(r#"{"digits":1,"round":"up"}"#), Ok(p(1, Round::Up)));
        assert!(read(r#"{"digits":6,"round":"up"}"#)
            .unwrap_err()
            .contains("a percent format has 0 to 5 decimals, not 6"));
    }
}
