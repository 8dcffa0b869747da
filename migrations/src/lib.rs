//! Database schema of `convergence`, as sea-orm migrations.
//!
//! Migrations are written in the subset of SQL shared by SQLite and
//! PostgreSQL 15, so that the embedded default and production run the same
//! schema. A migration is never edited once it has landed: add a new one.
//! Reference *data* (regions, taxonomy, catalogue) is not seeded here but by
//! the application, because operators edit it afterwards.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_reference_model;
mod m20261123_000002_inventory_model;
mod m20261123_000003_access_and_audit;
mod m20261123_000004_upload_files_and_mappings;
mod m20261123_000005_message_pages;
mod m20261123_000006_indicators;
mod m20261123_000007_indicator_documents;
mod m20261123_000008_interned_message_pages;
mod m20261125_000009_match_method_column;
mod m20261126_000010_etablissement_header_mappings;
mod m20261126_000011_token_expiry_and_use;
mod m20261126_000012_product_names_per_proposer;
mod m20261126_000013_people_and_sessions;
mod m20261126_000014_inventory_listing_index;
mod m20261126_000015_level_one_record_synonyms;
mod m20261126_000016_state_aliases;
mod m20261126_000017_layout_domains;
mod m20261126_000018_shared_management_word;
mod m20261126_000019_finess_directory;
mod m20261126_000020_unique_successions;
mod m20261126_000021_osis_submissions;
mod m20261126_000022_token_sessions;
mod m20261126_000023_staged_deposits;
mod m20261126_000024_staged_deposit_mappings;

/// Applies every migration of the project, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_reference_model::Migration),
            Box::new(m20261123_000002_inventory_model::Migration),
            Box::new(m20261123_000003_access_and_audit::Migration),
            Box::new(m20261123_000004_upload_files_and_mappings::Migration),
            Box::new(m20261123_000005_message_pages::Migration),
            Box::new(m20261123_000006_indicators::Migration),
            Box::new(m20261123_000007_indicator_documents::Migration),
            Box::new(m20261123_000008_interned_message_pages::Migration),
            Box::new(m20261125_000009_match_method_column::Migration),
            Box::new(m20261126_000010_etablissement_header_mappings::Migration),
            Box::new(m20261126_000011_token_expiry_and_use::Migration),
            Box::new(m20261126_000012_product_names_per_proposer::Migration),
            Box::new(m20261126_000013_people_and_sessions::Migration),
            Box::new(m20261126_000014_inventory_listing_index::Migration),
            Box::new(m20261126_000015_level_one_record_synonyms::Migration),
            Box::new(m20261126_000016_state_aliases::Migration),
            Box::new(m20261126_000017_layout_domains::Migration),
            Box::new(m20261126_000018_shared_management_word::Migration),
            Box::new(m20261126_000019_finess_directory::Migration),
            Box::new(m20261126_000020_unique_successions::Migration),
            Box::new(m20261126_000021_osis_submissions::Migration),
            Box::new(m20261126_000022_token_sessions::Migration),
            Box::new(m20261126_000023_staged_deposits::Migration),
            Box::new(m20261126_000024_staged_deposit_mappings::Migration),
        ]
    }
}
