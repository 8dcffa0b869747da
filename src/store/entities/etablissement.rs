//! A legal entity (FINESS EJ) that can belong to a GHT.

use sea_orm::entity::prelude::*;

use crate::domain::Finess;

/// A legal entity (FINESS EJ) that can belong to a GHT.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "etablissements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub finess_ej: Finess,
    pub name: String,
    pub category: Option<String>,
    pub departement: Option<String>,
    pub commune: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
