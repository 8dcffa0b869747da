//! The indicator schema as versioned data, and the computed values.
//!
//! A schema version is immutable once created: an admin adds or retires an
//! indicator by creating the next version, so values computed with an
//! earlier one keep their meaning. Each GHT × campaign computation is one
//! `indicator_runs` row (its primary key serialises recomputations across
//! replicas) with its values beside it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IndicatorSchemaVersions::Table)
                    .col(integer(IndicatorSchemaVersions::Version).primary_key())
                    .col(timestamp_with_time_zone(IndicatorSchemaVersions::CreatedAt))
                    .col(string(IndicatorSchemaVersions::CreatedBy))
                    .col(text_null(IndicatorSchemaVersions::Comment))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorDefinitions::Table)
                    .col(big_pk_auto(IndicatorDefinitions::Id))
                    .col(integer(IndicatorDefinitions::SchemaVersion))
                    .col(string_len(IndicatorDefinitions::Code, 60))
                    .col(boolean(IndicatorDefinitions::PerSubdomain))
                    .col(string(IndicatorDefinitions::Label))
                    .col(text(IndicatorDefinitions::Definition))
                    .col(string_len(IndicatorDefinitions::Unit, 10))
                    .col(string_len(IndicatorDefinitions::Scopes, 60))
                    .col(string_len(IndicatorDefinitions::Kind, 10))
                    .col(string_len(IndicatorDefinitions::Better, 10))
                    .col(date_null(IndicatorDefinitions::Milestone))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorDefinitions::Table, IndicatorDefinitions::SchemaVersion)
                            .to(IndicatorSchemaVersions::Table, IndicatorSchemaVersions::Version),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_indicator_definitions_version_code")
                    .table(IndicatorDefinitions::Table)
                    .col(IndicatorDefinitions::SchemaVersion)
                    .col(IndicatorDefinitions::Code)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorRuns::Table)
                    .col(integer(IndicatorRuns::CampaignYear))
                    .col(string_len(IndicatorRuns::GhtCode, 12))
                    .col(integer(IndicatorRuns::SchemaVersion))
                    .col(integer(IndicatorRuns::Expected))
                    .col(integer(IndicatorRuns::Reporting))
                    .col(timestamp_with_time_zone(IndicatorRuns::ComputedAt))
                    .primary_key(Index::create().col(IndicatorRuns::CampaignYear).col(IndicatorRuns::GhtCode))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorRuns::Table, IndicatorRuns::CampaignYear)
                            .to(Campaigns::Table, Campaigns::Year),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorRuns::Table, IndicatorRuns::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorRuns::Table, IndicatorRuns::SchemaVersion)
                            .to(IndicatorSchemaVersions::Table, IndicatorSchemaVersions::Version),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IndicatorValues::Table)
                    .col(big_pk_auto(IndicatorValues::Id))
                    .col(integer(IndicatorValues::CampaignYear))
                    .col(string_len(IndicatorValues::GhtCode, 12))
                    .col(string_len_null(IndicatorValues::FinessEj, 9))
                    .col(string_len(IndicatorValues::Code, 80))
                    .col(double_null(IndicatorValues::Value))
                    .col(double_null(IndicatorValues::KnownShare))
                    .col(text(IndicatorValues::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IndicatorValues::Table, (IndicatorValues::CampaignYear, IndicatorValues::GhtCode))
                            .to(IndicatorRuns::Table, (IndicatorRuns::CampaignYear, IndicatorRuns::GhtCode))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_indicator_values_run")
                    .table(IndicatorValues::Table)
                    .col(IndicatorValues::CampaignYear)
                    .col(IndicatorValues::GhtCode)
                    .col(IndicatorValues::FinessEj)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            IndicatorValues::Table.into_iden(),
            IndicatorRuns::Table.into_iden(),
            IndicatorDefinitions::Table.into_iden(),
            IndicatorSchemaVersions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum IndicatorSchemaVersions {
    Table,
    Version,
    CreatedAt,
    CreatedBy,
    Comment,
}

#[derive(DeriveIden)]
enum IndicatorDefinitions {
    Table,
    Id,
    SchemaVersion,
    Code,
    PerSubdomain,
    Label,
    Definition,
    Unit,
    Scopes,
    Kind,
    Better,
    Milestone,
}

#[derive(DeriveIden)]
enum IndicatorRuns {
    Table,
    CampaignYear,
    GhtCode,
    SchemaVersion,
    Expected,
    Reporting,
    ComputedAt,
}

#[derive(DeriveIden)]
enum IndicatorValues {
    Table,
    Id,
    CampaignYear,
    GhtCode,
    FinessEj,
    Code,
    Value,
    KnownShare,
    Detail,
}

#[derive(DeriveIden)]
enum Campaigns {
    Table,
    Year,
}

#[derive(DeriveIden)]
enum Ghts {
    Table,
    Code,
}
