//! One indicator of a schema version.

use sea_orm::entity::prelude::*;

/// One indicator of a schema version (see `reference::IndicatorDefinition`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "indicator_definitions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub schema_version: i32,
    pub code: String,
    pub per_subdomain: bool,
    pub label: String,
    #[sea_orm(column_type = "Text")]
    pub definition: String,
    pub unit: String,
    /// `|`-separated scopes.
    pub scopes: String,
    pub kind: String,
    pub better: String,
    pub milestone: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
