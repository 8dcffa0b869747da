//! Reads of what every caller shares: regions, the taxonomy, the campaigns
//! and the indicator schema in force.

use crate::error::AppError;
use crate::reference::IndicatorDefinition;
use crate::store::entities::{campaign, region};
use crate::store::taxonomy::StoredTaxonomy;
use crate::store::{Db, campaigns, regions, taxonomy};

/// The regions, mainland then overseas.
///
/// # Errors
/// When the query fails.
pub async fn regions(db: &Db) -> Result<Vec<region::Model>, AppError> {
    Ok(regions::list(db.reader()).await?)
}

/// The two-level taxonomy with its synonyms.
///
/// # Errors
/// When the query fails.
pub async fn taxonomy(db: &Db) -> Result<StoredTaxonomy, AppError> {
    Ok(taxonomy::load(db.reader()).await?)
}

/// Every campaign, latest first.
///
/// # Errors
/// When the query fails.
pub async fn campaigns(db: &Db) -> Result<Vec<campaign::Model>, AppError> {
    Ok(campaigns::list(db.reader()).await?)
}

/// The indicator schema in force and its version.
///
/// # Errors
/// When the query fails.
pub async fn indicator_schema(db: &Db) -> Result<(i32, Vec<IndicatorDefinition>), AppError> {
    Ok(db.indicator_schema().await?)
}
