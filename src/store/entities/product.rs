//! A catalogue product.

use sea_orm::entity::prelude::*;

use crate::domain::{GhtCode, ProductStatus, SubdomainCode};

/// A catalogue product.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub vendor_id: i64,
    pub default_subdomain: Option<SubdomainCode>,
    pub status: ProductStatus,
    pub proposed_by_ght: Option<GhtCode>,
    pub merged_into: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
