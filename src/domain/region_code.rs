//! ARS region short codes (DOMAIN.md §3).

use super::string_newtype;

/// The ARS short codes used in GHT codes. The list is closed: a region is
/// created by law, not by an operator.
pub const REGIONS: [(&str, &str, bool); 18] = [
    ("ARA", "Auvergne-Rhône-Alpes", false),
    ("BFC", "Bourgogne-Franche-Comté", false),
    ("BRE", "Bretagne", false),
    ("CVL", "Centre-Val de Loire", false),
    ("COR", "Corse", false),
    ("GE", "Grand Est", false),
    ("HDF", "Hauts-de-France", false),
    ("IDF", "Île-de-France", false),
    ("NOR", "Normandie", false),
    ("NA", "Nouvelle-Aquitaine", false),
    ("OCC", "Occitanie", false),
    ("PDL", "Pays de la Loire", false),
    ("PACA", "Provence-Alpes-Côte d'Azur", false),
    ("GUA", "Guadeloupe", true),
    ("MAR", "Martinique", true),
    ("GUY", "Guyane", true),
    ("REU", "La Réunion", true),
    ("MAY", "Mayotte", true),
];

/// One of the [`REGIONS`] codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct RegionCode(String);

string_newtype!(RegionCode, RegionCodeError, "NOR", "Code court de la région (ARS), ex. NOR, PACA, REU");

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "« {0} » n'est pas un code de région : codes connus ARA, BFC, BRE, CVL, COR, GE, HDF, IDF, NOR, NA, OCC, PDL, PACA, GUA, MAR, GUY, REU, MAY"
)]
pub struct RegionCodeError(pub String);

/// A region code is a primary key the database never generates.
impl sea_orm::TryFromU64 for RegionCode {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("RegionCode"))
    }
}

impl RegionCode {
    /// Parses a region short code (case-insensitive).
    ///
    /// # Errors
    /// When the code is not one of [`REGIONS`].
    pub fn parse(raw: &str) -> Result<Self, RegionCodeError> {
        let upper = raw.trim().to_ascii_uppercase();
        if REGIONS.iter().any(|(code, _, _)| *code == upper) {
            Ok(RegionCode(upper))
        } else {
            Err(RegionCodeError(raw.trim().to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_parse_case_insensitively() {
        assert_eq!(RegionCode::parse("paca").map(|r| r.to_string()), Ok("PACA".into()));
        assert!(RegionCode::parse("XYZ").is_err());
    }
}
