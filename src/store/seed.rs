//! First-start seeding of the reference data (regions, taxonomy, catalogue).
//!
//! Each part is written only when its table is empty, so operators' later
//! edits are never overwritten; replicas starting together take turns on an
//! advisory lock.

use crate::store::StoreError;
use std::collections::{BTreeMap, HashSet};

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, Set};

use super::Db;
use super::entities::{
    product, product_alias, product_vendor, region, taxonomy_domain, taxonomy_subdomain, taxonomy_synonym, vendor,
};
use super::lock::{self, LockKey};
use crate::domain::ProductStatus;
use crate::domain::normalise_key;
use crate::domain::{REGIONS, RegionCode, SubdomainCode};
use crate::reference::{catalogue, taxonomy};

/// What the seeding wrote (zero everywhere on later starts).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Regions inserted.
    pub regions: usize,
    /// Sub-domains inserted.
    pub subdomains: usize,
    /// Products inserted.
    pub products: usize,
    /// Indicator definitions inserted (schema version 1).
    pub indicators: usize,
}

/// Seeds whatever reference table is still empty.
///
/// # Errors
/// When a write fails or the embedded data is malformed.
pub async fn seed_reference(db: &Db) -> Result<SeedReport, StoreError> {
    let txn = db.begin_write().await?;
    lock::serialise(&txn, LockKey::ReferenceSeed).await?;
    let report = SeedReport {
        regions: seed_regions(&txn).await?,
        subdomains: seed_taxonomy(&txn).await?,
        products: seed_catalogue(&txn).await?,
        indicators: super::indicators::seed_schema(&txn).await?,
    };
    txn.commit().await?;
    Ok(report)
}

async fn seed_regions(txn: &DatabaseTransaction) -> Result<usize, StoreError> {
    if region::Entity::find().count(txn).await? > 0 {
        return Ok(0);
    }
    let mut rows = Vec::with_capacity(REGIONS.len());
    for (code, name, overseas) in REGIONS {
        let code = RegionCode::parse(code).map_err(|e| DbErr::Custom(format!("embedded region {code}: {e}")))?;
        rows.push(region::ActiveModel { code: Set(code), name: Set(name.to_owned()), overseas: Set(overseas) });
    }
    let count = rows.len();
    region::Entity::insert_many(rows).exec(txn).await?;
    Ok(count)
}

async fn seed_taxonomy(txn: &DatabaseTransaction) -> Result<usize, StoreError> {
    if taxonomy_domain::Entity::find().count(txn).await? > 0 {
        return Ok(0);
    }
    let domains = taxonomy().map_err(embedded)?;
    let mut domain_rows = Vec::new();
    let mut subdomain_rows = Vec::new();
    let mut synonym_rows = Vec::new();
    let mut position = 0;
    for (i, domain) in domains.iter().enumerate() {
        domain_rows.push(taxonomy_domain::ActiveModel {
            code: Set(domain.code.clone()),
            label: Set(domain.label.clone()),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
        });
        for word in std::iter::once(&domain.label).chain(&domain.synonyms) {
            synonym_rows.push(synonym(word, &domain.code, None));
        }
        for sub in &domain.subdomains {
            position += 1;
            subdomain_rows.push(taxonomy_subdomain::ActiveModel {
                code: Set(sub.code.clone()),
                domain_code: Set(domain.code.clone()),
                label: Set(sub.label.clone()),
                position: Set(position),
            });
            for word in std::iter::once(&sub.label).chain(&sub.synonyms) {
                synonym_rows.push(synonym(word, &domain.code, Some(sub.code.clone())));
            }
        }
    }
    let count = subdomain_rows.len();
    taxonomy_domain::Entity::insert_many(domain_rows).exec(txn).await?;
    taxonomy_subdomain::Entity::insert_many(subdomain_rows).exec(txn).await?;
    taxonomy_synonym::Entity::insert_many(synonym_rows).exec(txn).await?;
    Ok(count)
}

fn synonym(word: &str, domain: &str, subdomain: Option<SubdomainCode>) -> taxonomy_synonym::ActiveModel {
    taxonomy_synonym::ActiveModel {
        synonym: Set(word.to_owned()),
        normalised_key: Set(normalise_key(word)),
        domain_code: Set(domain.to_owned()),
        subdomain_code: Set(subdomain),
        ..Default::default()
    }
}

async fn seed_catalogue(txn: &DatabaseTransaction) -> Result<usize, StoreError> {
    if product::Entity::find().count(txn).await? > 0 {
        return Ok(0);
    }
    let entries = catalogue().map_err(embedded)?;
    let mut vendor_ids: BTreeMap<String, i64> = BTreeMap::new();
    for name in entries.iter().flat_map(|e| std::iter::once(&e.vendor).chain(&e.former_vendors)) {
        if !vendor_ids.contains_key(name) {
            let id = insert_returning_id(
                txn,
                vendor::Entity::insert(vendor::ActiveModel { name: Set(name.clone()), ..Default::default() }),
            )
            .await?;
            vendor_ids.insert(name.clone(), id);
        }
    }
    let now = super::now();
    let mut alias_rows = Vec::new();
    let mut lineage_rows = Vec::new();
    for entry in &entries {
        let vendor_id = vendor_ids.get(&entry.vendor).copied().unwrap_or_default();
        let product_id = insert_returning_id(
            txn,
            product::Entity::insert(product::ActiveModel {
                name: Set(entry.product.clone()),
                vendor_id: Set(vendor_id),
                default_subdomain: Set(Some(entry.subdomain.clone())),
                status: Set(ProductStatus::Approved),
                proposed_by_ght: Set(None),
                merged_into: Set(None),
                created_at: Set(now),
                ..Default::default()
            }),
        )
        .await?;
        let mut seen = HashSet::new();
        for alias in std::iter::once(&entry.product).chain(&entry.aliases) {
            let key = normalise_key(alias);
            if seen.insert(key.clone()) {
                alias_rows.push(product_alias::ActiveModel {
                    product_id: Set(product_id),
                    alias: Set(alias.clone()),
                    normalised_key: Set(key),
                    scope: Set(crate::domain::AliasScope::National),
                    created_at: Set(now),
                    ..Default::default()
                });
            }
        }
        for former in &entry.former_vendors {
            lineage_rows.push(product_vendor::ActiveModel {
                product_id: Set(product_id),
                vendor_id: Set(vendor_ids.get(former).copied().unwrap_or_default()),
                until: Set(None),
                ..Default::default()
            });
        }
    }
    product_alias::Entity::insert_many(alias_rows).exec(txn).await?;
    if !lineage_rows.is_empty() {
        product_vendor::Entity::insert_many(lineage_rows).exec(txn).await?;
    }
    Ok(entries.len())
}

async fn insert_returning_id<A>(txn: &impl ConnectionTrait, insert: sea_orm::Insert<A>) -> Result<i64, sea_orm::DbErr>
where
    A: sea_orm::ActiveModelTrait,
    <<A::Entity as EntityTrait>::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: Into<i64>,
{
    Ok(insert.exec(txn).await?.last_insert_id.into())
}

/// The reference data embedded in the binary is malformed: a release bug
/// (the embedded files are tested), reported as what stops the seeding.
fn embedded(error: crate::reference::ReferenceError) -> DbErr {
    DbErr::Custom(format!("embedded reference data: {error}"))
}
