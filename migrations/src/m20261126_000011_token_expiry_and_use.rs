//! API tokens get an optional expiry and the time of their last use.
//!
//! An expired token opens nothing, as a revoked one. The last use is
//! written at most once a minute per token (the read that authenticates a
//! request tells whether it is stale), so that `token list` shows which
//! tokens are dormant without a write on every request.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    ExpiresAt,
    LastUsedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for column in [ApiTokens::ExpiresAt, ApiTokens::LastUsedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiTokens::Table)
                        .add_column(ColumnDef::new(column).timestamp_with_time_zone().null())
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [ApiTokens::LastUsedAt, ApiTokens::ExpiresAt] {
            manager.alter_table(Table::alter().table(ApiTokens::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
