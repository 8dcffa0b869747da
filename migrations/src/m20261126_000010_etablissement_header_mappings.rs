//! Header mappings of one établissement.
//!
//! A mapping sent with a deposit used to be saved for the whole GHT, so one
//! member could change how every later deposit of the GHT is read. The
//! GHT's DSI (and the operator) still save GHT-wide mappings in
//! `header_mappings`; an établissement's own mappings are kept here and
//! apply to its own deposits only, over the GHT's.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000001_reference_model::Etablissements;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum EtablissementHeaderMappings {
    Table,
    Id,
    FinessEj,
    HeaderKey,
    Header,
    Field,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EtablissementHeaderMappings::Table)
                    .col(big_pk_auto(EtablissementHeaderMappings::Id))
                    .col(string_len(EtablissementHeaderMappings::FinessEj, 9))
                    .col(string(EtablissementHeaderMappings::HeaderKey))
                    .col(string(EtablissementHeaderMappings::Header))
                    .col(string_len(EtablissementHeaderMappings::Field, 32))
                    .col(timestamp_with_time_zone(EtablissementHeaderMappings::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EtablissementHeaderMappings::Table, EtablissementHeaderMappings::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_etablissement_mappings_header")
                    .table(EtablissementHeaderMappings::Table)
                    .col(EtablissementHeaderMappings::FinessEj)
                    .col(EtablissementHeaderMappings::HeaderKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(EtablissementHeaderMappings::Table).to_owned()).await
    }
}
