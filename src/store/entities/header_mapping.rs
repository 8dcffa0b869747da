//! A header a GHT mapped to an inventory field, reused by later uploads.

use sea_orm::entity::prelude::*;

use crate::domain::GhtCode;

/// A confirmed header mapping.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "header_mappings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: GhtCode,
    pub header_key: String,
    pub header: String,
    pub field: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
