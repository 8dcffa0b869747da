//! People who sign in through OpenID Connect, their sessions, and the
//! sign-ins in flight.
//!
//! A person is granted a role and an anchor by an admin, by e-mail; their
//! subject at the identity provider is bound at the first sign-in, so that
//! a later sign-in with the same e-mail but another subject is refused.
//! Sessions and sign-ins in flight live in the database, not in a replica's
//! memory: the callback of a sign-in started on one replica may reach
//! another, and a session opened on one is read by all. Only the SHA-256 of
//! a session's secret and of a sign-in's state is stored. The audit trail
//! gains the person who acted (the token's id was already there).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_reference_model::{Etablissements, Ghts, Regions, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    DisplayName,
    Role,
    GhtCode,
    RegionCode,
    FinessEj,
    Issuer,
    Subject,
    CreatedAt,
    LastSignInAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    UserId,
    Sha256,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum OidcLogins {
    Table,
    Id,
    StateSha256,
    Nonce,
    PkceVerifier,
    ReturnTo,
    CreatedAt,
    ConsumedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    ActorUserId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    // Lower-cased; one grant per address.
                    .col(string_len_uniq(Users::Email, 254))
                    .col(string_null(Users::DisplayName))
                    .col(string_len(Users::Role, 16))
                    .col(string_len_null(Users::GhtCode, 12))
                    .col(string_len_null(Users::RegionCode, 8))
                    .col(string_len_null(Users::FinessEj, 9))
                    .col(string_null(Users::Issuer))
                    .col(string_null(Users::Subject))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone_null(Users::LastSignInAt))
                    .col(timestamp_with_time_zone_null(Users::RevokedAt))
                    .foreign_key(ForeignKey::create().from(Users::Table, Users::GhtCode).to(Ghts::Table, Ghts::Code))
                    .foreign_key(
                        ForeignKey::create().from(Users::Table, Users::RegionCode).to(Regions::Table, Regions::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_users_subject")
                    .table(Users::Table)
                    .col(Users::Issuer)
                    .col(Users::Subject)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(big_pk_auto(Sessions::Id))
                    .col(big_integer(Sessions::UserId))
                    .col(string_len_uniq(Sessions::Sha256, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::EndedAt))
                    .foreign_key(
                        ForeignKey::create().from(Sessions::Table, Sessions::UserId).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, Sessions::Table, Sessions::UserId, "ix_sessions_user").await?;

        manager
            .create_table(
                Table::create()
                    .table(OidcLogins::Table)
                    .col(big_pk_auto(OidcLogins::Id))
                    .col(string_len_uniq(OidcLogins::StateSha256, 64))
                    .col(string_len(OidcLogins::Nonce, 64))
                    .col(string_len(OidcLogins::PkceVerifier, 128))
                    .col(string_len(OidcLogins::ReturnTo, 512))
                    .col(timestamp_with_time_zone(OidcLogins::CreatedAt))
                    .col(timestamp_with_time_zone_null(OidcLogins::ConsumedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(AuditEvents::Table)
                    .add_column(ColumnDef::new(AuditEvents::ActorUserId).big_integer().null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(AuditEvents::Table).drop_column(AuditEvents::ActorUserId).to_owned())
            .await?;
        manager.drop_table(Table::drop().table(OidcLogins::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await?;
        Ok(())
    }
}
