//! The uploaded file's bytes, kept to rebuild its annotated copy.

use sea_orm::entity::prelude::*;

/// The uploaded file's bytes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "upload_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub upload_id: i64,
    pub content: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
