//! A level-2 sub-domain, where convergence is measured.

use sea_orm::entity::prelude::*;

use crate::domain::SubdomainCode;

/// A level-2 sub-domain, where convergence is measured.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "taxonomy_subdomains")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: SubdomainCode,
    pub domain_code: String,
    pub label: String,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
