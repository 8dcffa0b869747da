//! Regions (ARS).

use crate::store::StoreError;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use super::entities::region;
use crate::domain::RegionCode;

/// Every region, metropolitan first then overseas, by code.
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<region::Model>, StoreError> {
    Ok(region::Entity::find()
        .order_by_asc(region::Column::Overseas)
        .order_by_asc(region::Column::Code)
        .all(conn)
        .await?)
}

/// One region.
///
/// # Errors
/// When the query fails.
pub async fn get(conn: &impl ConnectionTrait, code: &RegionCode) -> Result<Option<region::Model>, StoreError> {
    Ok(region::Entity::find_by_id(code.clone()).one(conn).await?)
}
