//! Deposits simulated from the web pages and waiting for their
//! confirmation: a browser without JavaScript cannot send the file again
//! without asking the user to choose it again, so the simulated file is
//! kept here, under an unguessable key, for its depositor only, until it is
//! confirmed or a day has passed. Any replica confirms it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    blob, boolean, integer, string, string_len, string_len_null, string_null, timestamp_with_time_zone,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum StagedDeposits {
    Table,
    Key,
    Owner,
    GhtCode,
    FinessEj,
    CampaignYear,
    FileName,
    Content,
    Domain,
    Partial,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StagedDeposits::Table)
                    .col(string_len(StagedDeposits::Key, 64).primary_key())
                    .col(string_len(StagedDeposits::Owner, 64))
                    .col(string_len(StagedDeposits::GhtCode, 16))
                    .col(string_len_null(StagedDeposits::FinessEj, 9))
                    .col(integer(StagedDeposits::CampaignYear))
                    .col(string(StagedDeposits::FileName))
                    .col(blob(StagedDeposits::Content))
                    .col(string_null(StagedDeposits::Domain))
                    .col(boolean(StagedDeposits::Partial))
                    .col(timestamp_with_time_zone(StagedDeposits::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("staged_deposits_created_at")
                    .table(StagedDeposits::Table)
                    .col(StagedDeposits::CreatedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(StagedDeposits::Table).to_owned()).await
    }
}
