//! A yearly collection of inventories.

use sea_orm::entity::prelude::*;

use crate::domain::{CampaignStatus, CampaignYear};

/// A yearly collection of inventories.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: CampaignYear,
    pub reference_date: Date,
    pub deadline: Option<Date>,
    pub status: CampaignStatus,
    pub opened_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
