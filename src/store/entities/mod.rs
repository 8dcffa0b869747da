//! sea-orm entities, one per table (see `migrations/`).
//!
//! Relations are not declared: queries join explicitly in `store`, which
//! keeps each query readable on its own.

pub mod api_token;
pub mod audit_event;
pub mod campaign;
pub mod etablissement;
pub mod etablissement_header_mapping;
pub mod etablissement_site;
pub mod etablissement_succession;
pub mod finess_load;
pub mod finess_site;
pub mod ght;
pub mod ght_membership;
pub mod header_mapping;
pub mod indicator_answer;
pub mod indicator_definition;
pub mod indicator_run;
pub mod indicator_schema_version;
pub mod inventory_entry;
pub mod inventory_upload;
pub mod layout_domain;
pub mod oidc_login;
pub mod osis_attempt;
pub mod osis_submission;
pub mod product;
pub mod product_alias;
pub mod product_vendor;
pub mod region;
pub mod session;
pub mod staged_deposit;
pub mod state_alias;
pub mod target_migration;
pub mod target_product;
pub mod target_version;
pub mod taxonomy_domain;
pub mod taxonomy_subdomain;
pub mod taxonomy_synonym;
pub mod token_session;
pub mod upload_etablissement;
pub mod upload_file;
pub mod upload_message_page;
pub mod user_account;
pub mod vendor;
