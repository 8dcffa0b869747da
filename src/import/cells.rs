//! Reading cells as people write them: French numbers and amounts, dates as
//! serials or text, oui/non. Each reader says what it expected when the
//! cell cannot be read, for the report.

use chrono::{Datelike, NaiveDate};

use super::Cell;
use crate::domain::Money;

/// Why a typed cell cannot be read; the text completes « … n'est pas … ».
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub String);

/// Trimmed text, `None` when blank. Internal runs of spaces are kept.
pub fn text(cell: &Cell) -> Option<String> {
    let shown = cell.display();
    let trimmed = shown.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// When only a month is given (`12/2026`), which day it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthDay {
    /// The first day (a go-live).
    First,
    /// The last day (a contract end).
    Last,
}

/// Excel's day 0 in the 1900 system (serials count from 1899-12-30 because
/// Excel believes 1900 was a leap year).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// A date: typed date cells, serial numbers (1900 system; 1904 workbooks
/// are resolved by the reader for typed cells), ISO `2026-12-31`,
/// `31/12/2026`, `31/12/26`, `31.12.2026`, `12/2026`.
///
/// # Errors
/// When the cell is no date or an impossible one (`31/02/2025`).
pub fn date(cell: &Cell, month_day: MonthDay) -> Result<NaiveDate, Unreadable> {
    let expected = || Unreadable("une date valide : indiquez-la au format JJ/MM/AAAA".to_owned());
    match cell {
        Cell::Date(date) => Ok(*date),
        Cell::Number(serial) if (1.0..=2_958_465.0).contains(serial) => {
            excel_epoch().checked_add_days(chrono::Days::new(serial.trunc() as u64)).ok_or_else(expected)
        }
        Cell::Text(raw) => parse_date_text(raw.trim(), month_day).ok_or_else(expected),
        _ => Err(expected()),
    }
}

fn parse_date_text(raw: &str, month_day: MonthDay) -> Option<NaiveDate> {
    let raw = raw.split([' ', 'T']).next().unwrap_or(raw);
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Some(date);
    }
    let parts: Vec<&str> = raw.split(['/', '.', '-']).collect();
    let number = |s: &str| s.parse::<u32>().ok().filter(|_| !s.is_empty() && s.len() <= 4);
    match parts.as_slice() {
        [d, m, y] => {
            let year = match (y.len(), number(y)?) {
                (2, yy) => 2000 + yy as i32,
                (4, yyyy) => yyyy as i32,
                _ => return None,
            };
            NaiveDate::from_ymd_opt(year, number(m)?, number(d)?)
        }
        [m, y] if y.len() == 4 => {
            let (year, month) = (number(y)? as i32, number(m)?);
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            match month_day {
                MonthDay::First => Some(first),
                MonthDay::Last => {
                    let next =
                        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { first.with_month(month + 1) };
                    next.and_then(|n| n.pred_opt())
                }
            }
        }
        _ => None,
    }
}

/// A whole number ≥ 0: `1200`, `1 200` (any kind of space), `1200,0`.
///
/// # Errors
/// When the cell is no whole non-negative number.
pub fn count(cell: &Cell) -> Result<i32, Unreadable> {
    let expected = || Unreadable("un nombre entier positif ou nul (ex. 1 200)".to_owned());
    let value = match cell {
        Cell::Number(n) => *n,
        Cell::Text(raw) => {
            let compact: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '\u{202F}').collect();
            compact.replace(',', ".").parse::<f64>().map_err(|_| expected())?
        }
        _ => return Err(expected()),
    };
    if value < 0.0 || value.fract() != 0.0 || value > f64::from(i32::MAX) {
        return Err(expected());
    }
    Ok(value as i32)
}

/// An amount ≥ 0 in cents: numbers, and text as French users write it.
///
/// # Errors
/// When the cell is no non-negative amount.
pub fn money(cell: &Cell) -> Result<Money, Unreadable> {
    let expected = || Unreadable("un montant en euros positif ou nul (ex. 12 500,50)".to_owned());
    match cell {
        Cell::Number(n) if *n >= 0.0 && *n < 1e13 => {
            Money::from_cents((n * 100.0).round() as i64).map_err(|_| expected())
        }
        Cell::Text(raw) => Money::parse_fr(raw).map_err(|_| expected()),
        _ => Err(expected()),
    }
}

/// Oui/non in every form seen: oui, non, o, n, x (checked), vrai, faux,
/// yes, no, 1, 0, boolean cells.
///
/// # Errors
/// When the cell is none of these.
pub fn yes_no(cell: &Cell) -> Result<bool, Unreadable> {
    let expected = || Unreadable("« oui » ou « non »".to_owned());
    match cell {
        Cell::Bool(b) => Ok(*b),
        Cell::Number(n) if *n == 1.0 => Ok(true),
        Cell::Number(n) if *n == 0.0 => Ok(false),
        Cell::Text(raw) => match crate::domain::normalise_key(raw).as_str() {
            "oui" | "o" | "x" | "vrai" | "yes" | "y" | "true" | "1" => Ok(true),
            "non" | "n" | "faux" | "no" | "false" | "0" => Ok(false),
            _ => Err(expected()),
        },
        _ => Err(expected()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn dates_are_read_in_every_common_form() {
        assert_eq!(date(&Cell::Number(46387.0), MonthDay::First), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t("2026-12-31"), MonthDay::First), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t("31/12/2026"), MonthDay::First), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t(" 31/12/26 "), MonthDay::First), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t("31.12.2026"), MonthDay::First), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t("12/2026"), MonthDay::Last), Ok(d(2026, 12, 31)));
        assert_eq!(date(&t("02/2028"), MonthDay::Last), Ok(d(2028, 2, 29)));
        assert_eq!(date(&t("12/2026"), MonthDay::First), Ok(d(2026, 12, 1)));
        assert_eq!(date(&t("2026-12-31T00:00:00"), MonthDay::First), Ok(d(2026, 12, 31)));
        assert!(date(&t("31/02/2025"), MonthDay::First).is_err());
        assert!(date(&t("bientôt"), MonthDay::First).is_err());
    }

    #[test]
    fn counts_accept_french_spacing_only_for_whole_numbers() {
        assert_eq!(count(&t("1 200")), Ok(1200));
        assert_eq!(count(&t("1\u{a0}200")), Ok(1200));
        assert_eq!(count(&t("1\u{202F}200")), Ok(1200));
        assert_eq!(count(&Cell::Number(35.0)), Ok(35));
        assert!(count(&t("12,5")).is_err());
        assert!(count(&t("-3")).is_err());
        assert!(count(&t("beaucoup")).is_err());
    }

    #[test]
    fn amounts_are_read_from_numbers_and_french_text() {
        assert_eq!(money(&t("12 500,50 €")).map(Money::cents), Ok(1_250_050));
        assert_eq!(money(&Cell::Number(12500.5)).map(Money::cents), Ok(1_250_050));
        assert_eq!(money(&Cell::Number(0.1 + 0.2)).map(Money::cents), Ok(30));
        assert!(money(&Cell::Number(-1.0)).is_err());
    }

    #[test]
    fn yes_no_in_its_many_forms() {
        for yes in ["oui", "OUI ", "O", "x", "Vrai", "yes"] {
            assert_eq!(yes_no(&t(yes)), Ok(true), "{yes}");
        }
        for no in ["non", "Non", "N", "faux", "0"] {
            assert_eq!(yes_no(&t(no)), Ok(false), "{no}");
        }
        assert!(yes_no(&t("peut-être")).is_err());
    }
}
