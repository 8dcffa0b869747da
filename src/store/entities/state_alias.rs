//! A spelling that states a situation (`EntryState`), national or taught by
//! a GHT (`AliasScope`).

use sea_orm::entity::prelude::*;

use crate::domain::AliasScope;
use crate::normalise::sentinel::EntryState;

/// A spelling that states a situation, national or local to a GHT.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "state_aliases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub alias: String,
    pub normalised_key: String,
    pub state: EntryState,
    pub scope: AliasScope,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
