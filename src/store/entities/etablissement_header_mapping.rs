//! A header one établissement mapped to an inventory field, reused by its
//! own later deposits (over its GHT's mappings).

use sea_orm::entity::prelude::*;

use crate::domain::Finess;

/// An établissement's confirmed header mapping.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "etablissement_header_mappings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub finess_ej: Finess,
    pub header_key: String,
    pub header: String,
    pub field: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
