//! One computation of a GHT's indicators for a campaign.

use sea_orm::entity::prelude::*;

use crate::domain::{CampaignYear, GhtCode};

/// The latest computation of a GHT's indicators for a campaign: with which
/// schema version, over how many établissements expected and reporting, and
/// its values as two JSON arrays of `compute::indicators::Value` (the
/// GHT's, its établissements'), in computation order.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_year: CampaignYear,
    #[sea_orm(primary_key, auto_increment = false)]
    pub ght_code: GhtCode,
    pub schema_version: i32,
    pub expected: i32,
    pub reporting: i32,
    pub computed_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub ght_values: String,
    #[sea_orm(column_type = "Text")]
    pub etablissement_values: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
