//! A site (FINESS ET) of an établissement.

use sea_orm::entity::prelude::*;

use crate::domain::Finess;

/// A site (FINESS ET) of an établissement.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "etablissement_sites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub finess_et: Finess,
    pub finess_ej: Finess,
    pub name: String,
    pub commune: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
