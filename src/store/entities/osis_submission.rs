//! A submission of a GHT's indicators to OSIS.

use sea_orm::entity::prelude::*;

/// A submission, one per idempotency key.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "osis_submissions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: String,
    pub campaign: i32,
    pub schema_version: i32,
    pub content_hash: String,
    pub idempotency_key: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i32,
    pub last_http_status: Option<i32>,
    /// The endpoint's last answer, or the error, in French (truncated).
    pub response: Option<String>,
    /// The JSON sent.
    pub body: String,
    pub submitted_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
