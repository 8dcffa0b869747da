//! Spellings that state a situation rather than name a product (« en
//! attente DSI » → `unspecified`, « base Access du service » → `in_house`),
//! taught by a GHT in its review queue (scope: its code) or national
//! (scope: empty), on top of the national list built into the service.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_pk_auto, string, string_len, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StateAliases {
    Table,
    Id,
    Alias,
    NormalisedKey,
    State,
    Scope,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StateAliases::Table)
                    .col(big_pk_auto(StateAliases::Id))
                    .col(string(StateAliases::Alias))
                    .col(string(StateAliases::NormalisedKey))
                    .col(string_len(StateAliases::State, 24))
                    // Empty for national, else the GHT's code: not null, so
                    // that the unique index holds on both databases.
                    .col(string_len(StateAliases::Scope, 12))
                    .col(timestamp_with_time_zone(StateAliases::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_state_aliases_key_scope")
                    .table(StateAliases::Table)
                    .col(StateAliases::NormalisedKey)
                    .col(StateAliases::Scope)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StateAliases::Table).to_owned()).await
    }
}
