//! The FINESS directory as loaded from the public extract: one row per site
//! (FINESS ET) with its legal entity (EJ), names, category, place and
//! coordinates. A site absent from a newer full extract is closed with the
//! extract's date, never deleted. Each load is recorded with the file's
//! digest, so that the same file loaded twice changes nothing.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_pk_auto, date, date_null, double_null, integer, string, string_len, string_len_null, string_null,
    timestamp_with_time_zone,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum FinessSites {
    Table,
    FinessEt,
    FinessEj,
    ShortName,
    LongName,
    CategoryCode,
    CategoryLabel,
    Departement,
    Commune,
    CoordX,
    CoordY,
    CoordSource,
    OpenedOn,
    UpdatedOn,
    ClosedOn,
    ExtractDate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum FinessLoads {
    Table,
    Id,
    Sha256,
    FileName,
    ExtractDate,
    Lines,
    Created,
    Updated,
    Unchanged,
    Closed,
    Actor,
    LoadedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FinessSites::Table)
                    .col(string_len(FinessSites::FinessEt, 9).primary_key())
                    .col(string_len(FinessSites::FinessEj, 9))
                    .col(string(FinessSites::ShortName))
                    .col(string(FinessSites::LongName))
                    .col(string_len_null(FinessSites::CategoryCode, 8))
                    .col(string_null(FinessSites::CategoryLabel))
                    .col(string_len_null(FinessSites::Departement, 3))
                    .col(string_null(FinessSites::Commune))
                    .col(double_null(FinessSites::CoordX))
                    .col(double_null(FinessSites::CoordY))
                    .col(string_null(FinessSites::CoordSource))
                    .col(date_null(FinessSites::OpenedOn))
                    .col(date_null(FinessSites::UpdatedOn))
                    .col(date_null(FinessSites::ClosedOn))
                    .col(date(FinessSites::ExtractDate))
                    .col(timestamp_with_time_zone(FinessSites::CreatedAt))
                    .col(timestamp_with_time_zone(FinessSites::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_finess_sites_ej")
                    .table(FinessSites::Table)
                    .col(FinessSites::FinessEj)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FinessLoads::Table)
                    .col(big_pk_auto(FinessLoads::Id))
                    .col(string_len(FinessLoads::Sha256, 64).unique_key())
                    .col(string(FinessLoads::FileName))
                    .col(date(FinessLoads::ExtractDate))
                    .col(integer(FinessLoads::Lines))
                    .col(integer(FinessLoads::Created))
                    .col(integer(FinessLoads::Updated))
                    .col(integer(FinessLoads::Unchanged))
                    .col(integer(FinessLoads::Closed))
                    .col(string(FinessLoads::Actor))
                    .col(timestamp_with_time_zone(FinessLoads::LoadedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(FinessLoads::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(FinessSites::Table).to_owned()).await
    }
}
