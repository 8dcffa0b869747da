//! An EJ that became (part of) another EJ: history is never rewritten.

use sea_orm::entity::prelude::*;

/// An EJ that became (part of) another EJ: history is never rewritten.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "etablissement_successions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub predecessor_ej: String,
    pub successor_ej: String,
    pub effective_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
