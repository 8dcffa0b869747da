//! GHT codes as in the DGOS list: region abbreviation, `-`, two digits.

use super::string_newtype;

/// A GHT code such as `NA-04` or `PACA-04`. `_` is read as `-` and letters
/// are upper-cased, so `na_04` and `NA-04` are the same GHT.
///
/// Stored as text and parsed as it is read back (`DeriveValueType`): a code
/// that does not parse is a database error, never a silent default.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct GhtCode(String);

string_newtype!(GhtCode, GhtCodeError, "NOR-02", "Code GHT : région (ARS), tiret, deux chiffres (ex. NA-04)");

/// Why a text is not a GHT code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un code GHT : attendu un code région, un tiret et deux chiffres (ex. NA-04)")]
pub struct GhtCodeError(pub String);

/// A GHT code is a primary key the database never generates.
impl sea_orm::TryFromU64 for GhtCode {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("GhtCode"))
    }
}

impl GhtCode {
    /// Parses a GHT code, normalising case and `_`.
    ///
    /// # Errors
    /// When the text is not letters, a separator and two digits.
    pub fn parse(raw: &str) -> Result<Self, GhtCodeError> {
        let normalised = raw.trim().to_ascii_uppercase().replace('_', "-");
        let valid = match normalised.split_once('-') {
            Some((region, number)) => {
                (2..=4).contains(&region.len())
                    && region.bytes().all(|b| b.is_ascii_uppercase())
                    && number.len() == 2
                    && number.bytes().all(|b| b.is_ascii_digit())
            }
            None => false,
        };
        if valid { Ok(GhtCode(normalised)) } else { Err(GhtCodeError(raw.trim().to_owned())) }
    }

    /// The region part of the code (`NA` for `NA-04`).
    pub fn region_prefix(&self) -> &str {
        self.0.split('-').next().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_normalised() {
        assert_eq!(GhtCode::parse("na_04").map(|c| c.to_string()), Ok("NA-04".into()));
        assert_eq!(GhtCode::parse(" PACA-04 ").map(|c| c.to_string()), Ok("PACA-04".into()));
        assert_eq!(GhtCode::parse("ARA-05").map(|c| c.region_prefix().to_owned()), Ok("ARA".into()));
    }

    #[test]
    fn malformed_codes_are_refused() {
        for bad in ["", "NA04", "NA-4", "NA-004", "N-04", "PACAX-04", "12-04", "NA-0A"] {
            assert!(GhtCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
