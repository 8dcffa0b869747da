//! The functional taxonomy as stored (seeded, then editable).

use crate::store::StoreError;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use super::entities::{taxonomy_domain, taxonomy_subdomain, taxonomy_synonym};
use crate::domain::SubdomainCode;

/// The stored taxonomy, in display order.
#[derive(Debug)]
pub struct StoredTaxonomy {
    /// Level-1 domains by position.
    pub domains: Vec<taxonomy_domain::Model>,
    /// Level-2 sub-domains by position.
    pub subdomains: Vec<taxonomy_subdomain::Model>,
    /// Synonyms by id.
    pub synonyms: Vec<taxonomy_synonym::Model>,
}

/// Loads the whole taxonomy (a few hundred rows).
///
/// # Errors
/// When a query fails.
pub async fn load(conn: &impl ConnectionTrait) -> Result<StoredTaxonomy, StoreError> {
    Ok(StoredTaxonomy {
        domains: taxonomy_domain::Entity::find().order_by_asc(taxonomy_domain::Column::Position).all(conn).await?,
        subdomains: taxonomy_subdomain::Entity::find()
            .order_by_asc(taxonomy_subdomain::Column::Position)
            .all(conn)
            .await?,
        synonyms: taxonomy_synonym::Entity::find().order_by_asc(taxonomy_synonym::Column::Id).all(conn).await?,
    })
}

/// Whether a sub-domain code exists.
///
/// # Errors
/// When the query fails.
pub async fn subdomain_exists(conn: &impl ConnectionTrait, code: &SubdomainCode) -> Result<bool, StoreError> {
    Ok(taxonomy_subdomain::Entity::find_by_id(code.clone()).one(conn).await?.is_some())
}
