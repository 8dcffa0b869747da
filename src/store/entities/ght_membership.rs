//! An établissement's membership of a GHT, with effective dates.

use sea_orm::entity::prelude::*;

use crate::domain::{Finess, GhtCode};

/// An établissement's membership of a GHT, with effective dates.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ght_memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: GhtCode,
    pub finess_ej: Finess,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
