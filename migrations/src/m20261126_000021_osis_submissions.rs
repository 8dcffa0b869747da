//! Submissions of a GHT's indicators to OSIS, and each attempt. The
//! idempotency key (GHT, campaign, schema version, content hash) is unique:
//! a retried or repeated submission is one row, never counted twice, on
//! whichever replica it is made.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, big_pk_auto, integer, integer_null, string, string_len, string_null, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OsisSubmissions {
    Table,
    Id,
    GhtCode,
    Campaign,
    SchemaVersion,
    ContentHash,
    IdempotencyKey,
    Status,
    Attempts,
    LastHttpStatus,
    Response,
    Body,
    SubmittedBy,
    CreatedAt,
    UpdatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum OsisAttempts {
    Table,
    Id,
    SubmissionId,
    Number,
    HttpStatus,
    Outcome,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OsisSubmissions::Table)
                    .col(big_pk_auto(OsisSubmissions::Id))
                    .col(string_len(OsisSubmissions::GhtCode, 12))
                    .col(integer(OsisSubmissions::Campaign))
                    .col(integer(OsisSubmissions::SchemaVersion))
                    .col(string_len(OsisSubmissions::ContentHash, 64))
                    .col(string_len(OsisSubmissions::IdempotencyKey, 64).unique_key())
                    .col(string_len(OsisSubmissions::Status, 16))
                    .col(integer(OsisSubmissions::Attempts))
                    .col(integer_null(OsisSubmissions::LastHttpStatus))
                    .col(text_null(OsisSubmissions::Response))
                    .col(string(OsisSubmissions::Body))
                    .col(string_null(OsisSubmissions::SubmittedBy))
                    .col(timestamp_with_time_zone(OsisSubmissions::CreatedAt))
                    .col(timestamp_with_time_zone(OsisSubmissions::UpdatedAt))
                    .col(timestamp_with_time_zone_null(OsisSubmissions::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_osis_submissions_ght")
                    .table(OsisSubmissions::Table)
                    .col(OsisSubmissions::GhtCode)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OsisAttempts::Table)
                    .col(big_pk_auto(OsisAttempts::Id))
                    .col(big_integer(OsisAttempts::SubmissionId))
                    .col(integer(OsisAttempts::Number))
                    .col(integer_null(OsisAttempts::HttpStatus))
                    .col(string(OsisAttempts::Outcome))
                    .col(timestamp_with_time_zone(OsisAttempts::At))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OsisAttempts::Table, OsisAttempts::SubmissionId)
                            .to(OsisSubmissions::Table, OsisSubmissions::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(OsisAttempts::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(OsisSubmissions::Table).to_owned()).await
    }
}
