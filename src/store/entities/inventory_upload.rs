//! An uploaded inventory file and its report.

use sea_orm::entity::prelude::*;

use crate::domain::{CampaignYear, Finess, GhtCode, UploadStatus};

/// An uploaded inventory file and its report.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_uploads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_year: CampaignYear,
    pub ght_code: GhtCode,
    pub finess_ej: Option<Finess>,
    pub file_name: String,
    pub format: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by_token: Option<i64>,
    pub uploaded_by: String,
    pub uploaded_at: DateTimeUtc,
    pub status: UploadStatus,
    pub validated_at: Option<DateTimeUtc>,
    pub validated_by: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub report: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
