//! The planned migration date of an établissement × sub-domain.

use sea_orm::entity::prelude::*;

use crate::domain::{Finess, SubdomainCode};

/// The planned migration date of an établissement × sub-domain.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "target_migrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub version_id: i64,
    pub finess_ej: Finess,
    pub subdomain_code: SubdomainCode,
    pub planned_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
