//! An API token: only its SHA-256 is stored.

use sea_orm::entity::prelude::*;

use crate::domain::{Finess, GhtCode, RegionCode};

/// An API token: only its SHA-256 is stored.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_tokens")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub label: String,
    pub role: String,
    pub ght_code: Option<GhtCode>,
    pub region_code: Option<RegionCode>,
    pub finess_ej: Option<Finess>,
    pub prefix: String,
    pub sha256: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub expires_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
