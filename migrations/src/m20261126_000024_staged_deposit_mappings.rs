//! A simulated deposit keeps the header mappings declared with its file
//! (one column the report did not recognise, read as a field), so that its
//! confirmation imports the file exactly as it was simulated.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::text_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StagedDeposits {
    Table,
    Mapping,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(StagedDeposits::Table).add_column(text_null(StagedDeposits::Mapping)).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(StagedDeposits::Table).drop_column(StagedDeposits::Mapping).to_owned())
            .await
    }
}
