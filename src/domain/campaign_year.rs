//! Campaign years.

use std::fmt;

/// The year that identifies a campaign. GHTs exist since 2016, so no
/// campaign can describe an earlier state; the upper bound only catches
/// typos (`20255`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema)]
#[schema(value_type = i32, example = 2026)]
pub struct CampaignYear(i32);

/// Why a number is not a campaign year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} n'est pas une année de campagne valide (de 2016 à 2100)")]
pub struct CampaignYearError(pub i64);

impl CampaignYear {
    /// First year a campaign can describe: GHTs were constituted on 2016-07-01.
    pub const FIRST: i32 = 2016;
    /// Last accepted year.
    pub const LAST: i32 = 2100;

    /// Checks the year's range.
    ///
    /// # Errors
    /// When the year is outside 2016..=2100.
    pub fn new(year: i64) -> Result<Self, CampaignYearError> {
        match i32::try_from(year) {
            Ok(y) if (Self::FIRST..=Self::LAST).contains(&y) => Ok(CampaignYear(y)),
            _ => Err(CampaignYearError(year)),
        }
    }

    /// The year as stored in the database.
    pub fn get(self) -> i32 {
        self.0
    }

    /// 1 January of the year: the default reference date ("campagne 2025"
    /// describes the state at that date).
    pub fn default_reference_date(self) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(self.0, 1, 1).unwrap_or_default()
    }
}

impl fmt::Display for CampaignYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for CampaignYear {
    type Err = CampaignYearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let year = s.trim().parse::<i64>().map_err(|_| CampaignYearError(0))?;
        CampaignYear::new(year)
    }
}

impl<'de> serde::Deserialize<'de> for CampaignYear {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let year = i64::deserialize(deserializer)?;
        CampaignYear::new(year).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_outside_the_ght_era_are_refused() {
        assert!(CampaignYear::new(2015).is_err());
        assert!(CampaignYear::new(20255).is_err());
        assert_eq!(CampaignYear::new(2025).map(|y| y.get()), Ok(2025));
        assert_eq!(CampaignYear::new(2025).map(|y| y.default_reference_date().to_string()), Ok("2025-01-01".into()));
    }
}
