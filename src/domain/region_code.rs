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

/// Metropolitan départements by region (since 2016).
const DEPARTEMENTS: [(&str, &[&str]); 13] = [
    ("ARA", &["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"]),
    ("BFC", &["21", "25", "39", "58", "70", "71", "89", "90"]),
    ("BRE", &["22", "29", "35", "56"]),
    ("CVL", &["18", "28", "36", "37", "41", "45"]),
    ("COR", &["2A", "2B", "20"]),
    ("GE", &["08", "10", "51", "52", "54", "55", "57", "67", "68", "88"]),
    ("HDF", &["02", "59", "60", "62", "80"]),
    ("IDF", &["75", "77", "78", "91", "92", "93", "94", "95"]),
    ("NOR", &["14", "27", "50", "61", "76"]),
    ("NA", &["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"]),
    ("OCC", &["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]),
    ("PDL", &["44", "49", "53", "72", "85"]),
    ("PACA", &["04", "05", "06", "13", "83", "84"]),
];

/// The region of a FINESS number, from its département prefix (DOMAIN.md
/// §3: overseas numbers start with `97`, the fourth character telling the
/// DOM; Mayotte's with `98`). `None` for a prefix no region has.
pub fn region_of_finess(finess: &super::Finess) -> Option<RegionCode> {
    let number = finess.as_str();
    let code = match number.get(..2)? {
        "97" => match number.get(3..4)? {
            "1" => "GUA",
            "2" => "MAR",
            "3" => "GUY",
            "4" => "REU",
            "6" => "MAY",
            _ => return None,
        },
        "98" => "MAY",
        prefix => DEPARTEMENTS.iter().find(|(_, deps)| deps.contains(&prefix)).map(|(region, _)| *region)?,
    };
    Some(RegionCode(code.to_owned()))
}

#[cfg(test)]
mod region_tests {
    use super::*;
    use crate::domain::Finess;

    fn region(finess: &str) -> Option<String> {
        region_of_finess(&Finess::parse(finess).unwrap_or_else(|e| panic!("{e}"))).map(|r| r.as_str().to_owned())
    }

    #[test]
    fn a_finess_tells_its_region() {
        assert_eq!(region("760780726").as_deref(), Some("NOR"), "Le Havre");
        assert_eq!(region("620103440").as_deref(), Some("HDF"), "Boulogne-sur-Mer");
        assert_eq!(region("750712184").as_deref(), Some("IDF"), "AP-HP");
        assert_eq!(region("330781196").as_deref(), Some("NA"), "CHU de Bordeaux");
    }

    #[test]
    fn every_metropolitan_departement_has_one_region() {
        let mut all: Vec<&str> = DEPARTEMENTS.iter().flat_map(|(_, deps)| deps.iter().copied()).collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count, "no département in two regions");
        assert_eq!(count, 96 + 1, "96 départements, and Corsica's former 20");
    }
}
