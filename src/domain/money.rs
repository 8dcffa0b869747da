//! Amounts of money in integer cents.

use std::fmt;

/// A non-negative amount in euro cents. Costs are summed over thousands of
/// rows: integers keep those sums exact, where floats would drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, utoipa::ToSchema)]
#[schema(value_type = i64, example = 1250050)]
pub struct Money(i64);

/// Why a text or number is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// A negative amount: costs are never negative.
    #[error("« {0} » est négatif : un coût est positif ou nul")]
    Negative(String),
    /// Not a number in any accepted form.
    #[error("« {0} » n'est pas un montant lisible (ex. 12 500,50 €)")]
    Unreadable(String),
    /// More than two decimals.
    #[error("« {0} » a plus de deux décimales")]
    TooPrecise(String),
    /// Larger than any real cost.
    #[error("« {0} » est trop grand pour être un coût")]
    TooLarge(String),
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Money::from_cents(i64::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Money {
    /// An amount in cents.
    ///
    /// # Errors
    /// When `cents` is negative.
    pub fn from_cents(cents: i64) -> Result<Self, MoneyError> {
        if cents < 0 { Err(MoneyError::Negative(cents.to_string())) } else { Ok(Money(cents)) }
    }

    /// The amount in cents.
    pub fn cents(self) -> i64 {
        self.0
    }

    /// Reads an amount as French users write it: `1 200`, `1 200` with a
    /// no-break or narrow no-break space, `12 500,50`, `12 500,50 €`,
    /// `1.200,50`, `1200.50`, `EUR 300`.
    ///
    /// # Errors
    /// When the text is not a non-negative amount with at most two decimals.
    pub fn parse_fr(raw: &str) -> Result<Self, MoneyError> {
        let unreadable = || MoneyError::Unreadable(raw.trim().to_owned());
        let compact: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{202F}' && *c != '€' && *c != '\'').collect();
        let mut text = compact.as_str();
        for suffix in ["EUR", "eur", "HT", "TTC"] {
            text = text.trim_end_matches(suffix).trim_start_matches(suffix);
        }
        if text.is_empty() {
            return Err(unreadable());
        }
        if text.strip_prefix('-').is_some_and(|rest| rest.chars().any(|c| c.is_ascii_digit())) {
            return Err(MoneyError::Negative(raw.trim().to_owned()));
        }
        // The decimal separator is the last ',' or '.', when followed by 1 or 2
        // digits; any other separator groups thousands.
        let last_sep = text.rfind([',', '.']);
        let (int_part, frac_part) = match last_sep {
            Some(i) if text.len() - i - 1 <= 2 && text.len() - i - 1 > 0 => (&text[..i], &text[i + 1..]),
            Some(i) if text.len() - i - 1 > 3 => return Err(MoneyError::TooPrecise(raw.trim().to_owned())),
            _ => (text, ""),
        };
        let int_digits: String = int_part.chars().filter(|c| *c != '.' && *c != ',').collect();
        if int_digits.is_empty() || !int_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unreadable());
        }
        if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unreadable());
        }
        let euros: i64 = int_digits.parse().map_err(|_| MoneyError::TooLarge(raw.trim().to_owned()))?;
        let cents_part: i64 = match frac_part.len() {
            0 => 0,
            1 => frac_part.parse::<i64>().map_err(|_| unreadable())? * 10,
            _ => frac_part.parse::<i64>().map_err(|_| unreadable())?,
        };
        euros
            .checked_mul(100)
            .and_then(|c| c.checked_add(cents_part))
            .map(Money)
            .ok_or_else(|| MoneyError::TooLarge(raw.trim().to_owned()))
    }

    /// Sums amounts without overflow (saturates at the largest amount).
    pub fn saturating_add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for Money {
    /// French rendering: `12 500,50 €` (narrow no-break space between thousands).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let euros = (self.0 / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in euros.chars().enumerate() {
            if i > 0 && (euros.len() - i).is_multiple_of(3) {
                grouped.push('\u{202F}');
            }
            grouped.push(c);
        }
        write!(f, "{grouped},{:02}\u{a0}€", self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(raw: &str) -> Result<i64, MoneyError> {
        Money::parse_fr(raw).map(Money::cents)
    }

    #[test]
    fn french_amounts_are_read() {
        assert_eq!(cents("1 200"), Ok(120_000));
        assert_eq!(cents("1\u{a0}200"), Ok(120_000));
        assert_eq!(cents("1\u{202F}200"), Ok(120_000));
        assert_eq!(cents("12 500,50"), Ok(1_250_050));
        assert_eq!(cents("12 500,50 €"), Ok(1_250_050));
        assert_eq!(cents("12500.5"), Ok(1_250_050));
        assert_eq!(cents("1.200,50"), Ok(120_050));
        assert_eq!(cents("1,200"), Ok(120_000));
        assert_eq!(cents("0"), Ok(0));
    }

    #[test]
    fn bad_amounts_are_refused_with_their_reason() {
        assert!(matches!(Money::parse_fr("-300"), Err(MoneyError::Negative(_))));
        assert!(matches!(Money::parse_fr("environ 300"), Err(MoneyError::Unreadable(_))));
        assert!(matches!(Money::parse_fr(""), Err(MoneyError::Unreadable(_))));
        assert!(matches!(Money::parse_fr("12,3456"), Err(MoneyError::TooPrecise(_))));
        assert!(matches!(Money::parse_fr("99999999999999999999"), Err(MoneyError::TooLarge(_))));
        assert!(Money::from_cents(-1).is_err());
    }

    #[test]
    fn amounts_render_in_french() {
        assert_eq!(Money(1_250_050).to_string(), "12\u{202F}500,50\u{a0}€");
        assert_eq!(Money(5).to_string(), "0,05\u{a0}€");
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        proptest! {
            #[test]
            fn an_amount_written_as_the_service_writes_it_reads_back(cents in 0i64..1_000_000_000_000) {
                let written = Money(cents).to_string();
                prop_assert_eq!(Money::parse_fr(&written), Ok(Money(cents)));
            }

            #[test]
            fn amounts_written_by_hand_read_as_their_cents(euros in 0i64..10_000_000, decimals in 0i64..100) {
                let cents = euros * 100 + decimals;
                for written in [
                    format!("{euros},{decimals:02}"),
                    format!("{euros}.{decimals:02}"),
                    format!("{euros},{decimals:02} €"),
                    format!("EUR {euros},{decimals:02}"),
                ] {
                    prop_assert_eq!(Money::parse_fr(&written), Ok(Money(cents)), "{}", written);
                }
            }

            #[test]
            fn no_text_reads_as_a_negative_amount_or_panics(raw in "\\PC{0,20}") {
                if let Ok(money) = Money::parse_fr(&raw) {
                    prop_assert!(money.cents() >= 0);
                }
            }
        }
    }
}
