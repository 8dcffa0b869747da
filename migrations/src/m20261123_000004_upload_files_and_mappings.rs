//! What an upload covers, its report's messages (one row each, so a report
//! of 100k messages is written in batches and read page by page), the file
//! itself (to rebuild the annotated copy), and the header mappings a GHT has
//! confirmed.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_reference_model::{Etablissements, Ghts, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(UploadEtablissements::Table)
                    .col(big_pk_auto(UploadEtablissements::Id))
                    .col(big_integer(UploadEtablissements::UploadId))
                    .col(string_len(UploadEtablissements::FinessEj, 9))
                    .col(integer(UploadEtablissements::CampaignYear))
                    .col(integer(UploadEtablissements::Rows))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadEtablissements::Table, UploadEtablissements::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadEtablissements::Table, UploadEtablissements::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, UploadEtablissements::Table, UploadEtablissements::UploadId, "ix_upload_etabs_upload").await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_upload_etabs_campaign_ej")
                    .table(UploadEtablissements::Table)
                    .col(UploadEtablissements::CampaignYear)
                    .col(UploadEtablissements::FinessEj)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UploadMessages::Table)
                    .col(big_pk_auto(UploadMessages::Id))
                    .col(big_integer(UploadMessages::UploadId))
                    .col(integer(UploadMessages::Position))
                    .col(string_len(UploadMessages::Severity, 8))
                    .col(string_len(UploadMessages::Code, 40))
                    .col(string(UploadMessages::Sheet))
                    .col(integer_null(UploadMessages::RowNumber))
                    .col(string_len_null(UploadMessages::ColumnLetter, 4))
                    .col(text_null(UploadMessages::Header))
                    .col(text_null(UploadMessages::Value))
                    .col(text(UploadMessages::Text))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadMessages::Table, UploadMessages::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_upload_messages_position")
                    .table(UploadMessages::Table)
                    .col(UploadMessages::UploadId)
                    .col(UploadMessages::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UploadFiles::Table)
                    .col(big_integer(UploadFiles::UploadId).primary_key())
                    .col(blob(UploadFiles::Content))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UploadFiles::Table, UploadFiles::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(HeaderMappings::Table)
                    .col(big_pk_auto(HeaderMappings::Id))
                    .col(string_len(HeaderMappings::GhtCode, 12))
                    .col(string(HeaderMappings::HeaderKey))
                    .col(string(HeaderMappings::Header))
                    .col(string_len(HeaderMappings::Field, 32))
                    .col(timestamp_with_time_zone(HeaderMappings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(HeaderMappings::Table, HeaderMappings::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_header_mappings")
                    .table(HeaderMappings::Table)
                    .col(HeaderMappings::GhtCode)
                    .col(HeaderMappings::HeaderKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(HeaderMappings::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UploadFiles::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UploadMessages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(UploadEtablissements::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum InventoryUploads {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UploadEtablissements {
    Table,
    Id,
    UploadId,
    FinessEj,
    CampaignYear,
    Rows,
}

#[derive(DeriveIden)]
enum UploadMessages {
    Table,
    Id,
    UploadId,
    Position,
    Severity,
    Code,
    Sheet,
    RowNumber,
    ColumnLetter,
    Header,
    Value,
    Text,
}

#[derive(DeriveIden)]
enum UploadFiles {
    Table,
    UploadId,
    Content,
}

#[derive(DeriveIden)]
enum HeaderMappings {
    Table,
    Id,
    GhtCode,
    HeaderKey,
    Header,
    Field,
    CreatedAt,
}
