//! A region (ARS).

use sea_orm::entity::prelude::*;

use crate::domain::RegionCode;

/// A region (ARS).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "regions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: RegionCode,
    pub name: String,
    pub overseas: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
