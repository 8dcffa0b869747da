//! API tokens and the audit trail of every write.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_reference_model::{Etablissements, Ghts, Regions, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiTokens::Table)
                    .col(big_pk_auto(ApiTokens::Id))
                    .col(string(ApiTokens::Label))
                    .col(string_len(ApiTokens::Role, 16))
                    .col(string_len_null(ApiTokens::GhtCode, 12))
                    .col(string_len_null(ApiTokens::RegionCode, 8))
                    .col(string_len_null(ApiTokens::FinessEj, 9))
                    // Public, non-secret part of the token, used to find the row.
                    .col(string_len_uniq(ApiTokens::Prefix, 16))
                    // SHA-256 of the whole token, hex-encoded; the token itself is never stored.
                    .col(string_len(ApiTokens::Sha256, 64))
                    .col(timestamp_with_time_zone(ApiTokens::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create().from(ApiTokens::Table, ApiTokens::GhtCode).to(Ghts::Table, Ghts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::RegionCode)
                            .to(Regions::Table, Regions::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokens::Table, ApiTokens::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_pk_auto(AuditEvents::Id))
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(big_integer_null(AuditEvents::ActorTokenId))
                    .col(string(AuditEvents::Actor))
                    .col(string_len(AuditEvents::Action, 64))
                    .col(string_len(AuditEvents::ObjectType, 32))
                    .col(string(AuditEvents::ObjectId))
                    .col(string_len_null(AuditEvents::GhtCode, 12))
                    .col(json_null(AuditEvents::Before))
                    .col(json_null(AuditEvents::After))
                    .col(string_len_null(AuditEvents::RequestId, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_audit_object")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::ObjectType)
                    .col(AuditEvents::ObjectId)
                    .to_owned(),
            )
            .await?;
        index(manager, AuditEvents::Table, AuditEvents::GhtCode, "ix_audit_ght").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditEvents::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(ApiTokens::Table).to_owned()).await?;
        Ok(())
    }
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    Label,
    Role,
    GhtCode,
    RegionCode,
    FinessEj,
    Prefix,
    Sha256,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    OccurredAt,
    ActorTokenId,
    Actor,
    Action,
    ObjectType,
    ObjectId,
    GhtCode,
    Before,
    After,
    RequestId,
}
