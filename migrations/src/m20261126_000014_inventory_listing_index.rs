//! An index in the order of the inventory listing (upload, établissement,
//! sheet, row, id): a page's ids are then read from the index alone,
//! rather than by sorting a GHT's thousands of whole rows, JSON cells
//! included, to send fifty of them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum InventoryEntries {
    Table,
    Id,
    UploadId,
    FinessEj,
    Sheet,
    RowNumber,
}

const NAME: &str = "ix_entries_listing";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(InventoryEntries::Table)
                    .col(InventoryEntries::UploadId)
                    .col(InventoryEntries::FinessEj)
                    .col(InventoryEntries::Sheet)
                    .col(InventoryEntries::RowNumber)
                    .col(InventoryEntries::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(NAME).table(InventoryEntries::Table).to_owned()).await
    }
}
