//! A groupement hospitalier de territoire.

use sea_orm::entity::prelude::*;

use crate::domain::{Finess, GhtCode, RegionCode};

/// A groupement hospitalier de territoire.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ghts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: GhtCode,
    pub name: String,
    pub region_code: RegionCode,
    pub support_finess_ej: Option<Finess>,
    pub auto_validate: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
