//! An établissement covered by an upload (which inventories it replaces).

use sea_orm::entity::prelude::*;

use crate::domain::{CampaignYear, Finess};

/// An établissement covered by an upload.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "upload_etablissements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub upload_id: i64,
    pub finess_ej: Finess,
    pub campaign_year: CampaignYear,
    pub rows: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
