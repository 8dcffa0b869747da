//! A page of an upload's report messages.

use sea_orm::entity::prelude::*;

/// Up to a thousand consecutive messages of an upload's report, as a JSON
/// array, with the page's count per severity (so that a page of the report,
/// filtered or not, is found without reading the others).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "upload_message_pages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub upload_id: i64,
    /// Position of the page's first message in the report, from 0.
    #[sea_orm(primary_key, auto_increment = false)]
    pub first_position: i32,
    pub errors: i32,
    pub warnings: i32,
    pub infos: i32,
    #[sea_orm(column_type = "Text")]
    pub content: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
