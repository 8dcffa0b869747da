//! Inventory model: uploads and their rows, GHT targets as dated versions,
//! and the governance answers a GHT declares per campaign.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_reference_model::{
    Campaigns, Etablissements, Ghts, Products, TaxonomySubdomains, Vendors, index,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InventoryUploads::Table)
                    .col(big_pk_auto(InventoryUploads::Id))
                    .col(integer(InventoryUploads::CampaignYear))
                    .col(string_len(InventoryUploads::GhtCode, 12))
                    .col(string_len_null(InventoryUploads::FinessEj, 9))
                    .col(string(InventoryUploads::FileName))
                    .col(string_len(InventoryUploads::Format, 8))
                    .col(big_integer(InventoryUploads::SizeBytes))
                    .col(string_len(InventoryUploads::Sha256, 64))
                    .col(big_integer_null(InventoryUploads::UploadedByToken))
                    .col(string(InventoryUploads::UploadedBy))
                    .col(timestamp_with_time_zone(InventoryUploads::UploadedAt))
                    .col(string_len(InventoryUploads::Status, 16))
                    .col(timestamp_with_time_zone_null(InventoryUploads::ValidatedAt))
                    .col(string_null(InventoryUploads::ValidatedBy))
                    // JSON text: written and read whole, never queried inside; text
                    // avoids building a JSON tree for reports of 100k messages.
                    .col(text(InventoryUploads::Report))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryUploads::Table, InventoryUploads::CampaignYear)
                            .to(Campaigns::Table, Campaigns::Year),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryUploads::Table, InventoryUploads::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryUploads::Table, InventoryUploads::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_uploads_ght_campaign")
                    .table(InventoryUploads::Table)
                    .col(InventoryUploads::GhtCode)
                    .col(InventoryUploads::CampaignYear)
                    .to_owned(),
            )
            .await?;
        index(manager, InventoryUploads::Table, InventoryUploads::Sha256, "ix_uploads_sha256").await?;

        manager
            .create_table(
                Table::create()
                    .table(InventoryEntries::Table)
                    .col(big_pk_auto(InventoryEntries::Id))
                    .col(big_integer(InventoryEntries::UploadId))
                    .col(integer(InventoryEntries::CampaignYear))
                    .col(string_len(InventoryEntries::FinessEj, 9))
                    .col(string_len_null(InventoryEntries::FinessEt, 9))
                    .col(string(InventoryEntries::Sheet))
                    .col(integer(InventoryEntries::RowNumber))
                    // Every cell of the row exactly as read, keyed by header (JSON
                    // text, like `flags` and `extra`: an archive, not a query target).
                    .col(text(InventoryEntries::Raw))
                    .col(string(InventoryEntries::ApplicationRaw))
                    .col(string(InventoryEntries::NormalisedName))
                    .col(string_len(InventoryEntries::State, 20))
                    .col(big_integer_null(InventoryEntries::ProductId))
                    .col(double_null(InventoryEntries::MatchConfidence))
                    .col(big_integer_null(InventoryEntries::VendorId))
                    .col(string_len_null(InventoryEntries::SubdomainCode, 32))
                    .col(boolean(InventoryEntries::SubdomainInferred))
                    .col(string_null(InventoryEntries::Module))
                    .col(string_null(InventoryEntries::Version))
                    .col(date_null(InventoryEntries::GoLive))
                    .col(integer_null(InventoryEntries::Users))
                    .col(integer_null(InventoryEntries::Beds))
                    .col(string_len_null(InventoryEntries::Hosting, 24))
                    .col(string_null(InventoryEntries::Contract))
                    .col(date_null(InventoryEntries::ContractEnd))
                    .col(big_integer_null(InventoryEntries::AcquisitionCostCents))
                    .col(big_integer_null(InventoryEntries::AnnualCostCents))
                    .col(string_null(InventoryEntries::Interfaces))
                    .col(boolean_null(InventoryEntries::IdentityConnected))
                    .col(boolean_null(InventoryEntries::Sso))
                    .col(boolean_null(InventoryEntries::Ins))
                    .col(string_len_null(InventoryEntries::Criticality, 16))
                    .col(string_len_null(InventoryEntries::ConvergenceStatus, 24))
                    .col(text_null(InventoryEntries::Comment))
                    .col(text(InventoryEntries::Flags))
                    .col(text(InventoryEntries::Extra))
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryEntries::Table, InventoryEntries::UploadId)
                            .to(InventoryUploads::Table, InventoryUploads::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryEntries::Table, InventoryEntries::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryEntries::Table, InventoryEntries::ProductId)
                            .to(Products::Table, Products::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryEntries::Table, InventoryEntries::VendorId)
                            .to(Vendors::Table, Vendors::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(InventoryEntries::Table, InventoryEntries::SubdomainCode)
                            .to(TaxonomySubdomains::Table, TaxonomySubdomains::Code),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, InventoryEntries::Table, InventoryEntries::UploadId, "ix_entries_upload").await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_entries_campaign_ej")
                    .table(InventoryEntries::Table)
                    .col(InventoryEntries::CampaignYear)
                    .col(InventoryEntries::FinessEj)
                    .to_owned(),
            )
            .await?;
        index(manager, InventoryEntries::Table, InventoryEntries::ProductId, "ix_entries_product").await?;

        manager
            .create_table(
                Table::create()
                    .table(TargetVersions::Table)
                    .col(big_pk_auto(TargetVersions::Id))
                    .col(string_len(TargetVersions::GhtCode, 12))
                    .col(timestamp_with_time_zone(TargetVersions::CreatedAt))
                    .col(string(TargetVersions::CreatedBy))
                    .col(text_null(TargetVersions::Comment))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetVersions::Table, TargetVersions::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, TargetVersions::Table, TargetVersions::GhtCode, "ix_target_versions_ght").await?;
        manager
            .create_table(
                Table::create()
                    .table(TargetProducts::Table)
                    .col(big_pk_auto(TargetProducts::Id))
                    .col(big_integer(TargetProducts::VersionId))
                    .col(string_len(TargetProducts::SubdomainCode, 32))
                    .col(big_integer(TargetProducts::ProductId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetProducts::Table, TargetProducts::VersionId)
                            .to(TargetVersions::Table, TargetVersions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetProducts::Table, TargetProducts::SubdomainCode)
                            .to(TaxonomySubdomains::Table, TaxonomySubdomains::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetProducts::Table, TargetProducts::ProductId)
                            .to(Products::Table, Products::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_target_products_version_subdomain")
                    .table(TargetProducts::Table)
                    .col(TargetProducts::VersionId)
                    .col(TargetProducts::SubdomainCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TargetMigrations::Table)
                    .col(big_pk_auto(TargetMigrations::Id))
                    .col(big_integer(TargetMigrations::VersionId))
                    .col(string_len(TargetMigrations::FinessEj, 9))
                    .col(string_len(TargetMigrations::SubdomainCode, 32))
                    .col(date(TargetMigrations::PlannedOn))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetMigrations::Table, TargetMigrations::VersionId)
                            .to(TargetVersions::Table, TargetVersions::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetMigrations::Table, TargetMigrations::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TargetMigrations::Table, TargetMigrations::SubdomainCode)
                            .to(TaxonomySubdomains::Table, TaxonomySubdomains::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_target_migrations_version_ej_subdomain")
                    .table(TargetMigrations::Table)
                    .col(TargetMigrations::VersionId)
                    .col(TargetMigrations::FinessEj)
                    .col(TargetMigrations::SubdomainCode)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IndicatorAnswers::Table)
                    .col(big_pk_auto(IndicatorAnswers::Id))
                    .col(string_len(IndicatorAnswers::GhtCode, 12))
                    .col(integer(IndicatorAnswers::CampaignYear))
                    .col(string_len(IndicatorAnswers::IndicatorCode, 64))
                    .col(string_len(IndicatorAnswers::Status, 16))
                    .col(date_null(IndicatorAnswers::StatusDate))
                    .col(text_null(IndicatorAnswers::Comment))
                    .col(timestamp_with_time_zone(IndicatorAnswers::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorAnswers::Table, IndicatorAnswers::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorAnswers::Table, IndicatorAnswers::CampaignYear)
                            .to(Campaigns::Table, Campaigns::Year),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_indicator_answers")
                    .table(IndicatorAnswers::Table)
                    .col(IndicatorAnswers::GhtCode)
                    .col(IndicatorAnswers::CampaignYear)
                    .col(IndicatorAnswers::IndicatorCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IndicatorAnswers::Table.into_iden(),
            TargetMigrations::Table.into_iden(),
            TargetProducts::Table.into_iden(),
            TargetVersions::Table.into_iden(),
            InventoryEntries::Table.into_iden(),
            InventoryUploads::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum InventoryUploads {
    Table,
    Id,
    CampaignYear,
    GhtCode,
    FinessEj,
    FileName,
    Format,
    SizeBytes,
    Sha256,
    UploadedByToken,
    UploadedBy,
    UploadedAt,
    Status,
    ValidatedAt,
    ValidatedBy,
    Report,
}

#[derive(DeriveIden)]
enum InventoryEntries {
    Table,
    Id,
    UploadId,
    CampaignYear,
    FinessEj,
    FinessEt,
    Sheet,
    RowNumber,
    Raw,
    ApplicationRaw,
    NormalisedName,
    State,
    ProductId,
    MatchConfidence,
    VendorId,
    SubdomainCode,
    SubdomainInferred,
    Module,
    Version,
    GoLive,
    Users,
    Beds,
    Hosting,
    Contract,
    ContractEnd,
    AcquisitionCostCents,
    AnnualCostCents,
    Interfaces,
    IdentityConnected,
    Sso,
    Ins,
    Criticality,
    ConvergenceStatus,
    Comment,
    Flags,
    Extra,
}

#[derive(DeriveIden)]
enum TargetVersions {
    Table,
    Id,
    GhtCode,
    CreatedAt,
    CreatedBy,
    Comment,
}

#[derive(DeriveIden)]
enum TargetProducts {
    Table,
    Id,
    VersionId,
    SubdomainCode,
    ProductId,
}

#[derive(DeriveIden)]
enum TargetMigrations {
    Table,
    Id,
    VersionId,
    FinessEj,
    SubdomainCode,
    PlannedOn,
}

#[derive(DeriveIden)]
enum IndicatorAnswers {
    Table,
    Id,
    GhtCode,
    CampaignYear,
    IndicatorCode,
    Status,
    StatusDate,
    Comment,
    UpdatedAt,
}
