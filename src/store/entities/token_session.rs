//! A session opened with an API token: only the SHA-256 of its secret is
//! stored.

use sea_orm::entity::prelude::*;

/// A token's browser session.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "token_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub token_id: i64,
    pub sha256: String,
    pub created_at: DateTimeUtc,
    /// Written at most once a minute; the idle expiry counts from it.
    pub last_seen_at: DateTimeUtc,
    /// The absolute expiry.
    pub expires_at: DateTimeUtc,
    /// When it was signed out.
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
