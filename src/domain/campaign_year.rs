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

/// Stored as an integer and checked as it is read back: a year out of
/// range is a database error, never a silent default.
impl From<CampaignYear> for sea_orm::Value {
    fn from(year: CampaignYear) -> Self {
        sea_orm::Value::Int(Some(year.0))
    }
}

impl sea_orm::TryGetable for CampaignYear {
    fn try_get_by<I: sea_orm::ColIdx>(res: &sea_orm::QueryResult, index: I) -> Result<Self, sea_orm::TryGetError> {
        let raw = i32::try_get_by(res, index)?;
        CampaignYear::new(i64::from(raw)).map_err(|error| {
            sea_orm::TryGetError::DbErr(sea_orm::DbErr::TryIntoErr {
                from: "i32",
                into: "CampaignYear",
                source: std::sync::Arc::new(error),
            })
        })
    }
}

impl sea_orm::sea_query::ValueType for CampaignYear {
    fn try_from(value: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
        let raw = <i32 as sea_orm::sea_query::ValueType>::try_from(value)?;
        CampaignYear::new(i64::from(raw)).map_err(|_| sea_orm::sea_query::ValueTypeErr)
    }

    fn type_name() -> String {
        "CampaignYear".to_owned()
    }

    fn array_type() -> sea_orm::sea_query::ArrayType {
        sea_orm::sea_query::ArrayType::Int
    }

    fn column_type() -> sea_orm::sea_query::ColumnType {
        sea_orm::sea_query::ColumnType::Integer
    }
}

impl sea_orm::sea_query::Nullable for CampaignYear {
    fn null() -> sea_orm::Value {
        sea_orm::Value::Int(None)
    }
}

impl sea_orm::IntoActiveValue<CampaignYear> for CampaignYear {
    fn into_active_value(self) -> sea_orm::ActiveValue<CampaignYear> {
        sea_orm::ActiveValue::Set(self)
    }
}

/// A campaign year is a primary key the database never generates.
impl sea_orm::TryFromU64 for CampaignYear {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("CampaignYear"))
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
