//! Numbers and dates as French readers write them: « 42,5 % »,
//! « +5,0 pts », « 12 345 € », « 31/12/2026 ».

use chrono::NaiveDate;

/// A share (0–1) as a percentage; « — » when unknown.
pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{} %", decimal(v * 100.0, 1)))
}

/// A change of a share, in percentage points, signed; « — » when unknown.
pub fn points(value: Option<f64>) -> String {
    match value {
        Some(v) if v.abs() < 0.0005 => "= 0,0 pt".to_owned(),
        Some(v) => format!("{}{} pts", if v > 0.0 { "+" } else { "−" }, decimal(v.abs() * 100.0, 1)),
        None => "—".to_owned(),
    }
}

/// A value of an indicator in its unit (`percent`, `count`, `euro`,
/// `boolean`).
pub fn in_unit(value: Option<f64>, unit: &str) -> String {
    let Some(v) = value else { return "—".to_owned() };
    match unit {
        "percent" => percent(Some(v)),
        "euro" => format!("{} €", grouped(v.round() as i64)),
        "boolean" => if v >= 0.5 { "oui" } else { "non" }.to_owned(),
        _ if v.fract().abs() < 1e-9 => grouped(v as i64),
        _ => decimal(v, 1),
    }
}

/// A change of an indicator in its unit, signed.
pub fn change_in_unit(value: Option<f64>, unit: &str) -> String {
    match (value, unit) {
        (_, "percent") => points(value),
        (Some(v), _) if v.abs() < 1e-9 => "=".to_owned(),
        (Some(v), _) => format!("{}{}", if v > 0.0 { "+" } else { "−" }, in_unit(Some(v.abs()), unit)),
        (None, _) => "—".to_owned(),
    }
}

/// A date as `jj/mm/aaaa`.
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// A whole number with a narrow no-break space between thousands.
pub fn grouped(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if value < 0 { format!("−{out}") } else { out }
}

fn decimal(value: f64, places: usize) -> String {
    format!("{value:.places$}").replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_french_way() {
        assert_eq!(percent(Some(0.425)), "42,5 %");
        assert_eq!(percent(None), "—");
        assert_eq!(points(Some(0.05)), "+5,0 pts");
        assert_eq!(points(Some(-0.125)), "−12,5 pts");
        assert_eq!(in_unit(Some(1_234_567.4), "euro"), "1\u{202f}234\u{202f}567 €");
        assert_eq!(in_unit(Some(12.0), "count"), "12");
        assert_eq!(change_in_unit(Some(-3.0), "count"), "−3");
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default()), "05/01/2026");
    }
}
