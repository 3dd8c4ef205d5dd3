//! Exact quantities. Mass balance must close to the unit, so quantities are integers of
//! micro-units, parsed from decimal text without passing through floating point.

use std::fmt;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Decimal places kept: 6, so grams of a kilogram and millilitres of a litre are exact.
const SCALE: i64 = 1_000_000;
const SCALE_DIGITS: usize = 6;
/// The largest magnitude accepted, in whole units (keeps sums far from i64 overflow).
pub const MAX_UNITS: i64 = 1_000_000_000_000;

/// A quantity in micro-units of some unit of measure (the unit is kept beside it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Qty(i64);

impl Qty {
    pub const ZERO: Qty = Qty(0);

    pub fn from_units(units: i64) -> Qty {
        Qty(units * SCALE)
    }

    pub fn micro_units(self) -> i64 {
        self.0
    }

    /// The quantity of `micro` micro-units (the inverse of `micro_units`).
    pub fn from_micro_units(micro: i64) -> Qty {
        Qty(micro)
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Parses a decimal such as `12`, `0.25`, `-3.5` or `1e3` exactly; more than six decimal
    /// places or a magnitude over `MAX_UNITS` is an error, not a rounding.
    pub fn parse(text: &str) -> Result<Qty, String> {
        let err = |why: &str| format!("{text:?} is not a quantity: {why}");
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (
                &text[..i],
                text[i + 1..]
                    .parse::<i32>()
                    .map_err(|_| err("bad exponent"))?,
            ),
            None => (text, 0),
        };
        let (negative, digits) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty() {
            return Err(err("no digits"));
        }
        if !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        {
            return Err(err("only digits, one '.' and an optional sign are allowed"));
        }
        // value = digits × 10^(exponent − fraction digits); in micro-units add SCALE_DIGITS.
        let all_digits = format!("{whole}{fraction}");
        let mut significant = all_digits.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(Qty::ZERO);
        }
        let mut power = i64::from(exponent) - fraction.len() as i64 + SCALE_DIGITS as i64;
        if power < 0 {
            let cut = power.unsigned_abs() as usize;
            if cut > significant.len()
                || significant[significant.len() - cut..]
                    .bytes()
                    .any(|b| b != b'0')
            {
                return Err(err("more than 6 decimal places"));
            }
            significant = &significant[..significant.len() - cut];
            power = 0;
        }
        if significant.len() as i64 + power > 18 {
            return Err(err("too large"));
        }
        let mut value: i64 = significant.parse().map_err(|_| err("too large"))?;
        for _ in 0..power {
            value = value.checked_mul(10).ok_or_else(|| err("too large"))?;
        }
        if value > MAX_UNITS * SCALE {
            return Err(err("too large"));
        }
        Ok(Qty(if negative { -value } else { value }))
    }

    /// The quantity as a JSON number: an integer when whole, else a decimal.
    pub fn to_json_number(self) -> serde_json::Number {
        if self.0 % SCALE == 0 {
            serde_json::Number::from(self.0 / SCALE)
        } else {
            // Exact decimal text, parsed by serde_json as the nearest f64.
            let text = self.to_string();
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .unwrap_or_else(|| serde_json::Number::from(0))
        }
    }

    pub fn from_json_number(n: &serde_json::Number) -> Result<Qty, String> {
        Qty::parse(&n.to_string())
    }
}

impl fmt::Display for Qty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / SCALE as u64;
        let fraction = abs % SCALE as u64;
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let text = format!("{fraction:06}");
            write!(f, "{sign}{whole}.{}", text.trim_end_matches('0'))
        }
    }
}

impl Add for Qty {
    type Output = Qty;
    fn add(self, rhs: Qty) -> Qty {
        Qty(self.0 + rhs.0)
    }
}

impl AddAssign for Qty {
    fn add_assign(&mut self, rhs: Qty) {
        self.0 += rhs.0;
    }
}

impl Sub for Qty {
    type Output = Qty;
    fn sub(self, rhs: Qty) -> Qty {
        Qty(self.0 - rhs.0)
    }
}

impl SubAssign for Qty {
    fn sub_assign(&mut self, rhs: Qty) {
        self.0 -= rhs.0;
    }
}

impl Neg for Qty {
    type Output = Qty;
    fn neg(self) -> Qty {
        Qty(-self.0)
    }
}

impl std::iter::Sum for Qty {
    fn sum<I: Iterator<Item = Qty>>(iter: I) -> Qty {
        iter.fold(Qty::ZERO, Add::add)
    }
}

/// Serialised as a JSON number, so API clients see `12.5`, not micro-units.
impl Serialize for Qty {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json_number().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Qty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        let text = match &value {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a number, found {other}"
                )));
            }
        };
        Qty::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_exactly() {
        assert_eq!(Qty::parse("12").unwrap(), Qty::from_units(12));
        assert_eq!(Qty::parse("0.1").unwrap().micro_units(), 100_000);
        assert_eq!(Qty::parse("-3.5").unwrap().micro_units(), -3_500_000);
        assert_eq!(Qty::parse("1e3").unwrap(), Qty::from_units(1000));
        assert_eq!(Qty::parse("2.5E-1").unwrap().micro_units(), 250_000);
        assert_eq!(Qty::parse("0.000001").unwrap().micro_units(), 1);
        assert_eq!(Qty::parse("1.500000000").unwrap().micro_units(), 1_500_000);
        assert_eq!(Qty::parse("0").unwrap(), Qty::ZERO);
        assert_eq!(Qty::parse(".5").unwrap().micro_units(), 500_000);
    }

    #[test]
    fn rejects_what_it_cannot_hold_exactly() {
        for bad in [
            "",
            "-",
            "abc",
            "1.2.3",
            "0.0000001",
            "1e40",
            "12kg",
            "1e",
            "--1",
        ] {
            assert!(Qty::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn sums_close_exactly() {
        let tenth = Qty::parse("0.1").unwrap();
        let total: Qty = std::iter::repeat_n(tenth, 3).sum();
        assert_eq!(total, Qty::parse("0.3").unwrap());
    }

    #[test]
    fn displays_and_serialises_as_decimals() {
        assert_eq!(Qty::parse("12.50").unwrap().to_string(), "12.5");
        assert_eq!(Qty::parse("-0.25").unwrap().to_string(), "-0.25");
        assert_eq!(serde_json::to_string(&Qty::from_units(7)).unwrap(), "7");
        assert_eq!(
            serde_json::to_string(&Qty::parse("7.25").unwrap()).unwrap(),
            "7.25"
        );
        let back: Qty = serde_json::from_str("7.25").unwrap();
        assert_eq!(back, Qty::parse("7.25").unwrap());
    }
}
