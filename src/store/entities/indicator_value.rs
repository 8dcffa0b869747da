//! One computed indicator value.

use sea_orm::entity::prelude::*;

/// One computed value of a run: for the GHT (`finess_ej` empty) or one of
/// its établissements.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_values")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_year: i32,
    pub ght_code: String,
    pub finess_ej: Option<String>,
    pub code: String,
    pub value: Option<f64>,
    pub known_share: Option<f64>,
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
