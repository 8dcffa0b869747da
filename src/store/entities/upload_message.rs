//! One message of an upload's report.

use sea_orm::entity::prelude::*;

/// One message of an upload's report, in report order (`position`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "upload_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub upload_id: i64,
    pub position: i32,
    pub severity: String,
    pub code: String,
    pub sheet: String,
    pub row_number: Option<i32>,
    pub column_letter: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub header: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub value: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
