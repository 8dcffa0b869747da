//! Another spelling of a product, national or local to a GHT (`AliasScope`).

use sea_orm::entity::prelude::*;

use crate::domain::AliasScope;

/// Another spelling of a product, national or local to a GHT (`AliasScope`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "product_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub product_id: i64,
    pub alias: String,
    pub normalised_key: String,
    pub scope: AliasScope,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
