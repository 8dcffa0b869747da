//! FINESS identifiers (DOMAIN.md §3).

use super::string_newtype;

/// A FINESS number whose form and check key are valid: 9 characters, a
/// département prefix (`01`–`95`, `2A`/`2B`, overseas `97`/`98`) and a Luhn
/// mod-10 key. Corsican numbers are checked with `2A` read as `21` and `2B`
/// as `22`; no official text states that rule, so a Corsican number whose
/// key does not match is still accepted, with a warning, by
/// [`Finess::recover`].
///
/// Stored as text and checked as it is read back ([`Finess::from_stored`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String", from_str = "Finess::from_stored")]
pub struct Finess(String);

string_newtype!(
    Finess,
    FinessError,
    "760780239",
    "Numéro FINESS (9 caractères, clé de Luhn), juridique (EJ) ou géographique (ET)"
);

/// Why a text is not a FINESS number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinessError {
    /// Empty cell or field.
    #[error("le numéro FINESS est vide")]
    Empty,
    /// Not 9 characters once spaces are removed.
    #[error("« {0} » n'a pas 9 caractères : un numéro FINESS en compte 9 (ex. 760780239)")]
    Length(String),
    /// Characters other than digits (and `A`/`B` in Corsica).
    #[error("« {0} » contient des caractères qui ne sont pas des chiffres")]
    Characters(String),
    /// The first two characters are not a département.
    #[error("« {0} » ne commence pas par un code de département valide (01 à 95, 2A, 2B, 97 ou 98)")]
    Departement(String),
    /// The key (9th character) does not match.
    #[error("« {0} » a une clé de contrôle incorrecte : vérifiez le numéro")]
    Key(String),
    /// A number Excel turned into scientific notation: its digits are lost.
    #[error(
        "« {0} » est écrit en notation scientifique : Excel a perdu des chiffres ; saisissez le numéro comme du texte"
    )]
    Scientific(String),
}

/// What was repaired to read a FINESS number damaged by a spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinessWarning {
    /// An 8-digit number that became valid once left-padded with `0`.
    LeadingZeroRestored,
    /// An 8-digit number read as a number written without its key; the key
    /// was computed.
    KeyComputed,
    /// A Corsican number whose key does not follow the `2A`=21, `2B`=22 rule.
    CorsicanKeyUnverified,
}

/// A FINESS number read from a damaged cell, with what had to be repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredFiness {
    /// The number once repaired.
    pub finess: Finess,
    /// What was repaired; empty when the cell was already correct.
    pub warnings: Vec<FinessWarning>,
}

/// A FINESS number is a primary key the database never generates.
impl sea_orm::TryFromU64 for Finess {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("Finess"))
    }
}

impl Finess {
    /// Parses a FINESS number exactly as it should be written (spaces are
    /// ignored, `2a` is read as `2A`).
    ///
    /// # Errors
    /// When the text is not 9 valid characters with a matching key.
    pub fn parse(raw: &str) -> Result<Self, FinessError> {
        let compact = compact(raw);
        check_form(&compact)?;
        if luhn_valid(&compact) { Ok(Finess(compact)) } else { Err(FinessError::Key(compact)) }
    }

    /// Reads back a number as the service stores it: its canonical form,
    /// with a valid key — or a Corsican number kept as written, whose key
    /// could not be verified (see [`Finess::recover`]).
    ///
    /// # Errors
    /// When the text is not a canonical number the service could have
    /// stored.
    pub fn from_stored(raw: &str) -> Result<Self, FinessError> {
        check_form(raw)?;
        if luhn_valid(raw) || raw.starts_with("2A") || raw.starts_with("2B") {
            Ok(Finess(raw.to_owned()))
        } else {
            Err(FinessError::Key(raw.to_owned()))
        }
    }

    /// Reads a FINESS number as spreadsheets damage it: leading zero eaten
    /// (8 digits), number written without its key, Corsican key exception.
    /// Every repair is reported so that the user can be told.
    ///
    /// # Errors
    /// When nothing sensible can be recovered.
    pub fn recover(raw: &str) -> Result<RecoveredFiness, FinessError> {
        let compact = compact(raw);
        if compact.is_empty() {
            return Err(FinessError::Empty);
        }
        if compact.contains('E') && (compact.contains(',') || compact.contains('.') || compact.contains('+')) {
            return Err(FinessError::Scientific(raw.trim().to_owned()));
        }
        // A numeric cell read as a float: "760780239.0".
        let compact = compact.strip_suffix(".0").map(str::to_owned).unwrap_or(compact);
        match compact.len() {
            9 => {
                check_form(&compact)?;
                if luhn_valid(&compact) {
                    Ok(RecoveredFiness { finess: Finess(compact), warnings: vec![] })
                } else if compact.starts_with("2A") || compact.starts_with("2B") {
                    Ok(RecoveredFiness {
                        finess: Finess(compact),
                        warnings: vec![FinessWarning::CorsicanKeyUnverified],
                    })
                } else {
                    Err(FinessError::Key(compact))
                }
            }
            8 if compact.bytes().all(|b| b.is_ascii_digit()) => {
                let padded = format!("0{compact}");
                if check_form(&padded).is_ok() && luhn_valid(&padded) {
                    return Ok(RecoveredFiness {
                        finess: Finess(padded),
                        warnings: vec![FinessWarning::LeadingZeroRestored],
                    });
                }
                check_form(&format!("{compact}0"))?;
                let key = luhn_key(&compact);
                Ok(RecoveredFiness {
                    finess: Finess(format!("{compact}{key}")),
                    warnings: vec![FinessWarning::KeyComputed],
                })
            }
            _ => Finess::parse(&compact).map(|finess| RecoveredFiness { finess, warnings: vec![] }),
        }
    }

    /// The département prefix as written (`76`, `2A`, `97`).
    pub fn departement(&self) -> &str {
        &self.0[..2]
    }
}

fn compact(raw: &str) -> String {
    // Most numbers arrive already compact (and every one the parse worker
    // sends back): copy them as they are.
    if raw.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
        return raw.to_owned();
    }
    raw.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

fn check_form(compact: &str) -> Result<(), FinessError> {
    if compact.is_empty() {
        return Err(FinessError::Empty);
    }
    if compact.chars().count() != 9 {
        return Err(FinessError::Length(compact.to_owned()));
    }
    let (head, tail) = compact.split_at(2);
    if !tail.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FinessError::Characters(compact.to_owned()));
    }
    let valid_head = match head {
        "2A" | "2B" => true,
        _ if head.bytes().all(|b| b.is_ascii_digit()) => {
            matches!(head.parse::<u8>(), Ok(1..=19 | 21..=95 | 97 | 98))
        }
        _ => return Err(FinessError::Characters(compact.to_owned())),
    };
    if valid_head { Ok(()) } else { Err(FinessError::Departement(compact.to_owned())) }
}

/// Digit values for the key: `2A` → 21, `2B` → 22.
fn digits(compact: &str) -> impl DoubleEndedIterator<Item = u32> + '_ {
    compact.chars().map(|c| match c {
        'A' => 1,
        'B' => 2,
        other => other.to_digit(10).unwrap_or(0),
    })
}

fn luhn_sum(values: impl DoubleEndedIterator<Item = u32>, double_first: bool) -> u32 {
    values
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if (i % 2 == 0) == double_first {
                let twice = d * 2;
                if twice > 9 { twice - 9 } else { twice }
            } else {
                d
            }
        })
        .sum()
}

fn luhn_valid(compact: &str) -> bool {
    luhn_sum(digits(compact), false).is_multiple_of(10)
}

/// The key that completes an 8-character body into a valid number.
fn luhn_key(body: &str) -> u32 {
    (10 - luhn_sum(digits(body), true) % 10) % 10
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: [&str; 6] = ["750712184", "330781196", "870000015", "690781810", "310781406", "130786049"];

    #[test]
    fn real_numbers_from_the_domain_reference_are_valid() {
        for number in REAL {
            assert_eq!(Finess::parse(number).map(|f| f.to_string()), Ok(number.to_owned()));
        }
    }

    #[test]
    fn changing_any_single_digit_breaks_the_key() {
        for number in REAL {
            for position in 2..9 {
                for digit in '0'..='9' {
                    let mut altered: Vec<char> = number.chars().collect();
                    if altered[position] == digit {
                        continue;
                    }
                    altered[position] = digit;
                    let altered: String = altered.into_iter().collect();
                    assert!(Finess::parse(&altered).is_err(), "{altered} should be refused");
                }
            }
        }
    }

    #[test]
    fn corsican_numbers_use_21_and_22_for_the_key() {
        // 2A0000212 and 2B0000020 are real Corsican hospital sites (FINESS 2025).
        assert!(Finess::parse("2A0000212").is_ok());
        assert!(Finess::parse("2b0000020").is_ok());
        assert!(Finess::parse("2A0000213").is_err());
        let recovered = Finess::recover("2A0000213").map(|r| r.warnings);
        assert_eq!(recovered, Ok(vec![FinessWarning::CorsicanKeyUnverified]));
    }

    #[test]
    fn bad_forms_are_refused_with_their_reason() {
        assert_eq!(Finess::parse(""), Err(FinessError::Empty));
        assert_eq!(Finess::parse("76078023"), Err(FinessError::Length("76078023".into())));
        assert_eq!(Finess::parse("76O780239"), Err(FinessError::Characters("76O780239".into())));
        assert_eq!(Finess::parse("990780239"), Err(FinessError::Departement("990780239".into())));
        assert_eq!(Finess::parse("000780239"), Err(FinessError::Departement("000780239".into())));
    }

    #[test]
    fn an_eaten_leading_zero_is_restored_with_a_warning() {
        let recovered = Finess::recover("10000024");
        assert_eq!(
            recovered,
            Ok(RecoveredFiness {
                finess: Finess("010000024".into()),
                warnings: vec![FinessWarning::LeadingZeroRestored]
            })
        );
    }

    #[test]
    fn a_number_without_its_key_gets_it_computed_with_a_warning() {
        let recovered = Finess::recover("76078023");
        assert_eq!(
            recovered,
            Ok(RecoveredFiness { finess: Finess("760780239".into()), warnings: vec![FinessWarning::KeyComputed] })
        );
    }

    #[test]
    fn scientific_notation_is_refused() {
        assert!(matches!(Finess::recover("2,601E+13"), Err(FinessError::Scientific(_))));
    }

    #[test]
    fn a_stored_number_reads_back_as_the_service_wrote_it_and_nothing_else() {
        assert_eq!(Finess::from_stored("760780726").map(|f| f.to_string()), Ok("760780726".into()));
        // A Corsican number recovered with an unverified key is kept as written.
        let corsican = Finess::recover("2A0000000").map(|r| r.finess.to_string());
        assert_eq!(corsican.as_deref().map(Finess::from_stored).map(|f| f.is_ok()), Ok(true));
        for not_stored in ["760780727", "76 078 0726", "2a0000000", "76078072", ""] {
            assert!(Finess::from_stored(not_stored).is_err(), "{not_stored} was not written by the service");
        }
    }

    #[test]
    fn a_float_rendering_of_a_numeric_cell_is_read() {
        assert_eq!(Finess::recover("760780239.0").map(|r| r.finess.to_string()), Ok("760780239".into()));
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        /// An 8-character body of a valid form: a département (or 2A/2B)
        /// and six digits.
        fn body() -> impl Strategy<Value = String> {
            let head = prop_oneof![
                (1u8..=19).prop_map(|d| format!("{d:02}")),
                (21u8..=95).prop_map(|d| format!("{d:02}")),
                Just("97".to_owned()),
                Just("2A".to_owned()),
                Just("2B".to_owned()),
            ];
            (head, 0u32..1_000_000).prop_map(|(head, tail)| format!("{head}{tail:06}"))
        }

        proptest! {
            #[test]
            fn a_body_with_its_luhn_key_parses_and_round_trips(body in body()) {
                let number = format!("{body}{}", luhn_key(&body));
                let parsed = Finess::parse(&number);
                prop_assert_eq!(parsed.as_ref().map(ToString::to_string), Ok(number.clone()));
                prop_assert_eq!(Finess::parse(&parsed.map(|f| f.to_string()).unwrap_or_default()).map(|f| f.to_string()), Ok(number));
            }

            #[test]
            fn any_other_key_is_refused(body in body(), wrong in 0u32..10) {
                prop_assume!(wrong != luhn_key(&body));
                let written = format!("{body}{wrong}");
                prop_assert!(Finess::parse(&written).is_err(), "{} parsed", written);
            }

            #[test]
            fn recovery_never_invents_a_valid_number_from_an_invalid_one(body in body(), wrong in 0u32..10) {
                // Nine characters with a wrong key: refused, except a
                // Corsican number, kept as written with a warning.
                prop_assume!(wrong != luhn_key(&body));
                let written = format!("{body}{wrong}");
                if let Ok(recovered) = Finess::recover(&written) {
                    prop_assert!(written.starts_with("2A") || written.starts_with("2B"), "{} recovered", written);
                    prop_assert_eq!(recovered.finess.to_string(), written);
                    prop_assert_eq!(recovered.warnings, vec![FinessWarning::CorsicanKeyUnverified]);
                }
            }

            #[test]
            fn recovery_keeps_every_written_digit_and_says_what_it_repaired(raw in "[0-9]{1,10}") {
                if let Ok(recovered) = Finess::recover(&raw) {
                    let repaired = recovered.finess.to_string();
                    if recovered.warnings.is_empty() {
                        prop_assert_eq!(Finess::parse(&raw).map(|f| f.to_string()), Ok(repaired));
                    } else {
                        // A zero put back in front, or a key added at the end.
                        prop_assert!(repaired == format!("0{raw}") || repaired.starts_with(&raw), "{} → {}", raw, repaired);
                    }
                }
            }
        }
    }
}
