//! Whose spelling an alias is: every GHT's, or one GHT's own.

use std::fmt;

use super::{GhtCode, GhtCodeError};

/// The scope of a product alias. Stored as text: empty for a national
/// alias, the GHT's code for a local one (a GHT's alias wins over a
/// national one in that GHT's imports).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AliasScope {
    /// Every GHT's imports recognise it.
    National,
    /// Confirmed by one GHT, for its own imports.
    Ght(GhtCode),
}

impl AliasScope {
    /// As stored: empty for national, else the GHT's code.
    pub fn stored(&self) -> &str {
        match self {
            AliasScope::National => "",
            AliasScope::Ght(code) => code.as_str(),
        }
    }

    /// Reads a stored scope.
    ///
    /// # Errors
    /// When a non-empty scope is not a GHT code.
    pub fn parse(raw: &str) -> Result<Self, GhtCodeError> {
        if raw.is_empty() { Ok(AliasScope::National) } else { GhtCode::parse(raw).map(AliasScope::Ght) }
    }
}

/// `national`, or the GHT's code: as the API shows it.
impl fmt::Display for AliasScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AliasScope::National => f.write_str("national"),
            AliasScope::Ght(code) => write!(f, "{code}"),
        }
    }
}

impl From<AliasScope> for sea_orm::Value {
    fn from(scope: AliasScope) -> Self {
        sea_orm::Value::String(Some(scope.stored().to_owned()))
    }
}

impl sea_orm::TryGetable for AliasScope {
    fn try_get_by<I: sea_orm::ColIdx>(res: &sea_orm::QueryResult, index: I) -> Result<Self, sea_orm::TryGetError> {
        let raw = String::try_get_by(res, index)?;
        AliasScope::parse(&raw).map_err(|error| {
            sea_orm::TryGetError::DbErr(sea_orm::DbErr::TryIntoErr {
                from: "String",
                into: "AliasScope",
                source: std::sync::Arc::new(error),
            })
        })
    }
}

impl sea_orm::sea_query::ValueType for AliasScope {
    fn try_from(value: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
        let raw = <String as sea_orm::sea_query::ValueType>::try_from(value)?;
        AliasScope::parse(&raw).map_err(|_| sea_orm::sea_query::ValueTypeErr)
    }

    fn type_name() -> String {
        "AliasScope".to_owned()
    }

    fn array_type() -> sea_orm::sea_query::ArrayType {
        sea_orm::sea_query::ArrayType::String
    }

    fn column_type() -> sea_orm::sea_query::ColumnType {
        sea_orm::sea_query::ColumnType::String(sea_orm::sea_query::StringLen::None)
    }
}

impl sea_orm::sea_query::Nullable for AliasScope {
    fn null() -> sea_orm::Value {
        sea_orm::Value::String(None)
    }
}

impl sea_orm::IntoActiveValue<AliasScope> for AliasScope {
    fn into_active_value(self) -> sea_orm::ActiveValue<AliasScope> {
        sea_orm::ActiveValue::Set(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_round_trips_through_its_stored_form() {
        let local = AliasScope::Ght(GhtCode::parse("NOR-02").unwrap_or_else(|e| panic!("{e}")));
        for scope in [AliasScope::National, local] {
            assert_eq!(AliasScope::parse(scope.stored()), Ok(scope));
        }
        assert!(AliasScope::parse("pas un code").is_err());
    }
}
