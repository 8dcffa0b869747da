//! A deposit simulated from the web pages, waiting for its confirmation.

use sea_orm::entity::prelude::*;

/// A deposit simulated from the web pages, waiting for its confirmation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "staged_deposits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub owner: String,
    pub ght_code: String,
    pub finess_ej: Option<String>,
    pub campaign_year: i32,
    pub file_name: String,
    pub content: Vec<u8>,
    pub domain: Option<String>,
    /// Header → field mappings declared with the file, as JSON.
    pub mapping: Option<String>,
    pub partial: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
