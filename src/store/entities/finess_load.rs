//! A FINESS extract loaded into the directory, with what it changed.

use sea_orm::entity::prelude::*;

/// A load of the FINESS extract.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "finess_loads")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The file's SHA-256: the same file loaded again changes nothing.
    pub sha256: String,
    pub file_name: String,
    pub extract_date: Date,
    pub lines: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub closed: i32,
    pub actor: String,
    pub loaded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
