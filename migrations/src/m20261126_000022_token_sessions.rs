//! Sessions opened with an API token pasted once in a browser (the web
//! pages' sign-in for those who have no identity provider account): only
//! the SHA-256 of the session's secret is stored, and the session lives no
//! longer than its token (revoked or expired, the session ends with it).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, string_len, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum TokenSessions {
    Table,
    Id,
    TokenId,
    Sha256,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TokenSessions::Table)
                    .col(big_pk_auto(TokenSessions::Id))
                    .col(big_integer(TokenSessions::TokenId))
                    .col(string_len(TokenSessions::Sha256, 64).unique_key())
                    .col(timestamp_with_time_zone(TokenSessions::CreatedAt))
                    .col(timestamp_with_time_zone(TokenSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(TokenSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(TokenSessions::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TokenSessions::Table, TokenSessions::TokenId)
                            .to(ApiTokens::Table, ApiTokens::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TokenSessions::Table).to_owned()).await
    }
}
