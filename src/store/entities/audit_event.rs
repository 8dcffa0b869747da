//! Who did what, when, to which object, with a summary of before/after.

use sea_orm::entity::prelude::*;

use crate::domain::GhtCode;

/// Who did what, when, to which object, with a summary of before/after.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_token_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub ght_code: Option<GhtCode>,
    #[sea_orm(column_type = "Json", nullable)]
    pub before: Option<Json>,
    #[sea_orm(column_type = "Json", nullable)]
    pub after: Option<Json>,
    pub request_id: Option<String>,
    /// The person who acted, when they signed in (rather than a token).
    pub actor_user_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
