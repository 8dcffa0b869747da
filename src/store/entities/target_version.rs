//! A dated version of a GHT's targets; `PUT` adds one, never edits.

use sea_orm::entity::prelude::*;

use crate::domain::GhtCode;

/// A dated version of a GHT's targets; `PUT` adds one, never edits.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "target_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: GhtCode,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub comment: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
