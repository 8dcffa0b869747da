//! The target product of a sub-domain in a target version.

use sea_orm::entity::prelude::*;

use crate::domain::SubdomainCode;

/// The target product of a sub-domain in a target version.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "target_products")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub version_id: i64,
    pub subdomain_code: SubdomainCode,
    pub product_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
