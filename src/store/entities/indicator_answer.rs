//! A declared (governance) indicator answer of a GHT for a campaign.

use sea_orm::entity::prelude::*;

use crate::domain::{AnswerStatus, CampaignYear, GhtCode};

/// A declared (governance) indicator answer of a GHT for a campaign.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_answers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ght_code: GhtCode,
    pub campaign_year: CampaignYear,
    pub indicator_code: String,
    pub status: AnswerStatus,
    pub status_date: Option<Date>,
    pub comment: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
