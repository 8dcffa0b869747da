//! Reference model: regions, GHTs, établissements and their memberships,
//! the functional taxonomy, the product catalogue and campaigns.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(string_len(Regions::Code, 8).primary_key())
                    .col(string(Regions::Name))
                    .col(boolean(Regions::Overseas))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Etablissements::Table)
                    .col(string_len(Etablissements::FinessEj, 9).primary_key())
                    .col(string(Etablissements::Name))
                    .col(string_null(Etablissements::Category))
                    .col(string_len_null(Etablissements::Departement, 3))
                    .col(string_null(Etablissements::Commune))
                    .col(timestamp_with_time_zone(Etablissements::CreatedAt))
                    .col(timestamp_with_time_zone(Etablissements::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(EtablissementSites::Table)
                    .col(string_len(EtablissementSites::FinessEt, 9).primary_key())
                    .col(string_len(EtablissementSites::FinessEj, 9))
                    .col(string(EtablissementSites::Name))
                    .col(string_null(EtablissementSites::Commune))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EtablissementSites::Table, EtablissementSites::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, EtablissementSites::Table, EtablissementSites::FinessEj, "ix_sites_ej").await?;

        manager
            .create_table(
                Table::create()
                    .table(EtablissementSuccessions::Table)
                    .col(big_pk_auto(EtablissementSuccessions::Id))
                    .col(string_len(EtablissementSuccessions::PredecessorEj, 9))
                    .col(string_len(EtablissementSuccessions::SuccessorEj, 9))
                    .col(date(EtablissementSuccessions::EffectiveOn))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EtablissementSuccessions::Table, EtablissementSuccessions::PredecessorEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EtablissementSuccessions::Table, EtablissementSuccessions::SuccessorEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Ghts::Table)
                    .col(string_len(Ghts::Code, 12).primary_key())
                    .col(string(Ghts::Name))
                    .col(string_len(Ghts::RegionCode, 8))
                    .col(string_len_null(Ghts::SupportFinessEj, 9))
                    .col(boolean(Ghts::AutoValidate).default(false))
                    .col(timestamp_with_time_zone(Ghts::CreatedAt))
                    .col(timestamp_with_time_zone(Ghts::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Ghts::Table, Ghts::RegionCode).to(Regions::Table, Regions::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Ghts::Table, Ghts::SupportFinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, Ghts::Table, Ghts::RegionCode, "ix_ghts_region").await?;

        manager
            .create_table(
                Table::create()
                    .table(GhtMemberships::Table)
                    .col(big_pk_auto(GhtMemberships::Id))
                    .col(string_len(GhtMemberships::GhtCode, 12))
                    .col(string_len(GhtMemberships::FinessEj, 9))
                    .col(date(GhtMemberships::ValidFrom))
                    .col(date_null(GhtMemberships::ValidTo))
                    .foreign_key(
                        ForeignKey::create()
                            .from(GhtMemberships::Table, GhtMemberships::GhtCode)
                            .to(Ghts::Table, Ghts::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(GhtMemberships::Table, GhtMemberships::FinessEj)
                            .to(Etablissements::Table, Etablissements::FinessEj),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, GhtMemberships::Table, GhtMemberships::GhtCode, "ix_memberships_ght").await?;
        index(manager, GhtMemberships::Table, GhtMemberships::FinessEj, "ix_memberships_ej").await?;

        manager
            .create_table(
                Table::create()
                    .table(TaxonomyDomains::Table)
                    .col(string_len(TaxonomyDomains::Code, 16).primary_key())
                    .col(string(TaxonomyDomains::Label))
                    .col(integer(TaxonomyDomains::Position))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaxonomySubdomains::Table)
                    .col(string_len(TaxonomySubdomains::Code, 32).primary_key())
                    .col(string_len(TaxonomySubdomains::DomainCode, 16))
                    .col(string(TaxonomySubdomains::Label))
                    .col(integer(TaxonomySubdomains::Position))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaxonomySubdomains::Table, TaxonomySubdomains::DomainCode)
                            .to(TaxonomyDomains::Table, TaxonomyDomains::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaxonomySynonyms::Table)
                    .col(big_pk_auto(TaxonomySynonyms::Id))
                    .col(string(TaxonomySynonyms::Synonym))
                    .col(string(TaxonomySynonyms::NormalisedKey))
                    .col(string_len(TaxonomySynonyms::DomainCode, 16))
                    .col(string_len_null(TaxonomySynonyms::SubdomainCode, 32))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaxonomySynonyms::Table, TaxonomySynonyms::DomainCode)
                            .to(TaxonomyDomains::Table, TaxonomyDomains::Code),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaxonomySynonyms::Table, TaxonomySynonyms::SubdomainCode)
                            .to(TaxonomySubdomains::Table, TaxonomySubdomains::Code),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, TaxonomySynonyms::Table, TaxonomySynonyms::NormalisedKey, "ix_synonyms_key").await?;

        manager
            .create_table(
                Table::create()
                    .table(Vendors::Table)
                    .col(big_pk_auto(Vendors::Id))
                    .col(string_uniq(Vendors::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(big_pk_auto(Products::Id))
                    .col(string_uniq(Products::Name))
                    .col(big_integer(Products::VendorId))
                    .col(string_len_null(Products::DefaultSubdomain, 32))
                    .col(string_len(Products::Status, 16))
                    .col(string_len_null(Products::ProposedByGht, 12))
                    .col(big_integer_null(Products::MergedInto))
                    .col(timestamp_with_time_zone(Products::CreatedAt))
                    .foreign_key(
                        ForeignKey::create().from(Products::Table, Products::VendorId).to(Vendors::Table, Vendors::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Products::Table, Products::DefaultSubdomain)
                            .to(TaxonomySubdomains::Table, TaxonomySubdomains::Code),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Products::Table, Products::ProposedByGht).to(Ghts::Table, Ghts::Code),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductVendors::Table)
                    .col(big_pk_auto(ProductVendors::Id))
                    .col(big_integer(ProductVendors::ProductId))
                    .col(big_integer(ProductVendors::VendorId))
                    .col(date_null(ProductVendors::Until))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProductVendors::Table, ProductVendors::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProductVendors::Table, ProductVendors::VendorId)
                            .to(Vendors::Table, Vendors::Id),
                    )
                    .to_owned(),
            )
            .await?;
        index(manager, ProductVendors::Table, ProductVendors::ProductId, "ix_product_vendors_product").await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductAliases::Table)
                    .col(big_pk_auto(ProductAliases::Id))
                    .col(big_integer(ProductAliases::ProductId))
                    .col(string(ProductAliases::Alias))
                    .col(string(ProductAliases::NormalisedKey))
                    // Empty string means national scope: a NULL would escape the
                    // unique index on both databases.
                    .col(string_len(ProductAliases::Scope, 12))
                    .col(timestamp_with_time_zone(ProductAliases::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ProductAliases::Table, ProductAliases::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_aliases_key_scope")
                    .table(ProductAliases::Table)
                    .col(ProductAliases::NormalisedKey)
                    .col(ProductAliases::Scope)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Campaigns::Table)
                    .col(integer(Campaigns::Year).primary_key())
                    .col(date(Campaigns::ReferenceDate))
                    .col(date_null(Campaigns::Deadline))
                    .col(string_len(Campaigns::Status, 16))
                    .col(timestamp_with_time_zone(Campaigns::OpenedAt))
                    .col(timestamp_with_time_zone_null(Campaigns::ClosedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Campaigns::Table.into_iden(),
            ProductAliases::Table.into_iden(),
            ProductVendors::Table.into_iden(),
            Products::Table.into_iden(),
            Vendors::Table.into_iden(),
            TaxonomySynonyms::Table.into_iden(),
            TaxonomySubdomains::Table.into_iden(),
            TaxonomyDomains::Table.into_iden(),
            GhtMemberships::Table.into_iden(),
            Ghts::Table.into_iden(),
            EtablissementSuccessions::Table.into_iden(),
            EtablissementSites::Table.into_iden(),
            Etablissements::Table.into_iden(),
            Regions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

/// Creates a plain (non-unique) index on one column.
pub(crate) async fn index<T, C>(manager: &SchemaManager<'_>, table: T, column: C, name: &str) -> Result<(), DbErr>
where
    T: IntoIden + 'static,
    C: IntoIden + 'static,
{
    manager.create_index(Index::create().name(name).table(table).col(column).to_owned()).await
}

#[derive(DeriveIden)]
pub(crate) enum Regions {
    Table,
    Code,
    Name,
    Overseas,
}

#[derive(DeriveIden)]
pub(crate) enum Etablissements {
    Table,
    FinessEj,
    Name,
    Category,
    Departement,
    Commune,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EtablissementSites {
    Table,
    FinessEt,
    FinessEj,
    Name,
    Commune,
}

#[derive(DeriveIden)]
enum EtablissementSuccessions {
    Table,
    Id,
    PredecessorEj,
    SuccessorEj,
    EffectiveOn,
}

#[derive(DeriveIden)]
pub(crate) enum Ghts {
    Table,
    Code,
    Name,
    RegionCode,
    SupportFinessEj,
    AutoValidate,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum GhtMemberships {
    Table,
    Id,
    GhtCode,
    FinessEj,
    ValidFrom,
    ValidTo,
}

#[derive(DeriveIden)]
enum TaxonomyDomains {
    Table,
    Code,
    Label,
    Position,
}

#[derive(DeriveIden)]
pub(crate) enum TaxonomySubdomains {
    Table,
    Code,
    DomainCode,
    Label,
    Position,
}

#[derive(DeriveIden)]
enum TaxonomySynonyms {
    Table,
    Id,
    Synonym,
    NormalisedKey,
    DomainCode,
    SubdomainCode,
}

#[derive(DeriveIden)]
pub(crate) enum Vendors {
    Table,
    Id,
    Name,
}

#[derive(DeriveIden)]
pub(crate) enum Products {
    Table,
    Id,
    Name,
    VendorId,
    DefaultSubdomain,
    Status,
    ProposedByGht,
    MergedInto,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ProductVendors {
    Table,
    Id,
    ProductId,
    VendorId,
    Until,
}

#[derive(DeriveIden)]
enum ProductAliases {
    Table,
    Id,
    ProductId,
    Alias,
    NormalisedKey,
    Scope,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum Campaigns {
    Table,
    Year,
    ReferenceDate,
    Deadline,
    Status,
    OpenedAt,
    ClosedAt,
}
