//! Deposits simulated from the web pages, kept until their confirmation.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::StoreError;
use super::entities::staged_deposit;

/// How long a simulated deposit waits for its confirmation.
pub const KEPT_FOR: chrono::Duration = chrono::Duration::hours(24);

/// Keeps a simulated deposit, and forgets those older than [`KEPT_FOR`].
///
/// # Errors
/// When a query fails.
pub async fn keep(conn: &impl ConnectionTrait, deposit: staged_deposit::Model) -> Result<(), StoreError> {
    staged_deposit::Entity::delete_many()
        .filter(staged_deposit::Column::CreatedAt.lt(chrono::Utc::now() - KEPT_FOR))
        .exec(conn)
        .await?;
    staged_deposit::ActiveModel {
        key: Set(deposit.key),
        owner: Set(deposit.owner),
        ght_code: Set(deposit.ght_code),
        finess_ej: Set(deposit.finess_ej),
        campaign_year: Set(deposit.campaign_year),
        file_name: Set(deposit.file_name),
        content: Set(deposit.content),
        domain: Set(deposit.domain),
        mapping: Set(deposit.mapping),
        partial: Set(deposit.partial),
        created_at: Set(deposit.created_at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// A simulated deposit of this owner, still kept.
///
/// # Errors
/// When the query fails.
pub async fn find(
    conn: &impl ConnectionTrait,
    key: &str,
    owner: &str,
) -> Result<Option<staged_deposit::Model>, StoreError> {
    Ok(staged_deposit::Entity::find_by_id(key.to_owned())
        .filter(staged_deposit::Column::Owner.eq(owner))
        .filter(staged_deposit::Column::CreatedAt.gte(chrono::Utc::now() - KEPT_FOR))
        .one(conn)
        .await?)
}

/// Forgets a simulated deposit (confirmed).
///
/// # Errors
/// When the query fails.
pub async fn forget(conn: &impl ConnectionTrait, key: &str) -> Result<(), StoreError> {
    staged_deposit::Entity::delete_by_id(key.to_owned()).exec(conn).await?;
    Ok(())
}
