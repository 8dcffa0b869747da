//! The domain a GHT declared for a file layout (`domain=URG` with a deposit
//! of the emergency department's export), applied to later deposits of the
//! same layout that declare none. Owner: empty for the whole GHT (its DSI
//! or the operator declared it), else the FINESS of the établissement that
//! declared it for its own deposits.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_pk_auto, string, string_len, string_len_null, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LayoutDomains {
    Table,
    Id,
    GhtCode,
    Owner,
    Layout,
    DomainCode,
    SubdomainCode,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LayoutDomains::Table)
                    .col(big_pk_auto(LayoutDomains::Id))
                    .col(string_len(LayoutDomains::GhtCode, 12))
                    // Not null, so that the unique index holds on both
                    // databases.
                    .col(string_len(LayoutDomains::Owner, 12))
                    .col(string_len(LayoutDomains::Layout, 32))
                    .col(string(LayoutDomains::DomainCode))
                    .col(string_len_null(LayoutDomains::SubdomainCode, 32))
                    .col(timestamp_with_time_zone(LayoutDomains::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_layout_domains_ght_owner_layout")
                    .table(LayoutDomains::Table)
                    .col(LayoutDomains::GhtCode)
                    .col(LayoutDomains::Owner)
                    .col(LayoutDomains::Layout)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(LayoutDomains::Table).to_owned()).await
    }
}
