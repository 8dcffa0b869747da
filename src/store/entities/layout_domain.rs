//! The domain a GHT (or one of its établissements, for its own deposits)
//! declared for a file layout, applied to later deposits of that layout.

use sea_orm::entity::prelude::*;

use crate::domain::GhtCode;

/// A declared domain, by layout.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "layout_domains")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: GhtCode,
    /// Empty for the whole GHT, else the établissement's FINESS.
    pub owner: String,
    /// [`crate::import::table::InventorySheet::layout`].
    pub layout: String,
    pub domain_code: String,
    /// Set when a sub-domain was declared.
    pub subdomain_code: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
