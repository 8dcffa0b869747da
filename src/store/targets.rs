//! GHT targets as dated versions: a new set never edits the previous ones,
//! so a trajectory can be read "as planned at the time".

use crate::store::StoreError;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::{target_migration, target_product, target_version};
use crate::domain::{Finess, GhtCode, SubdomainCode};

/// A whole set of targets for a GHT.
#[derive(Debug, Clone, Serialize)]
pub struct TargetSet {
    /// Target product (catalogue id) per sub-domain.
    pub products: Vec<(SubdomainCode, i64)>,
    /// Planned migration date per établissement × sub-domain.
    pub migrations: Vec<(Finess, SubdomainCode, NaiveDate)>,
    /// Why this version (optional).
    pub comment: Option<String>,
}

/// Records a new version of a GHT's targets, replacing the current one,
/// audited.
///
/// # Errors
/// When a write fails (unknown sub-domain or product: foreign keys).
pub async fn replace(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    ght: &GhtCode,
    set: TargetSet,
) -> Result<target_version::Model, StoreError> {
    let before =
        in_force(txn, ght, None).await?.map(|previous| snapshot(&TargetSet::from(&previous), previous.version.id));
    let version = target_version::ActiveModel {
        ght_code: Set(ght.clone()),
        created_at: Set(super::now()),
        created_by: Set(actor.principal.label.clone()),
        comment: Set(set.comment.clone()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let products: Vec<target_product::ActiveModel> = set
        .products
        .iter()
        .map(|(subdomain, product_id)| target_product::ActiveModel {
            version_id: Set(version.id),
            subdomain_code: Set(subdomain.clone()),
            product_id: Set(*product_id),
            ..Default::default()
        })
        .collect();
    if !products.is_empty() {
        target_product::Entity::insert_many(products).exec(txn).await?;
    }
    let migrations: Vec<target_migration::ActiveModel> = set
        .migrations
        .iter()
        .map(|(finess, subdomain, planned_on)| target_migration::ActiveModel {
            version_id: Set(version.id),
            finess_ej: Set(finess.clone()),
            subdomain_code: Set(subdomain.clone()),
            planned_on: Set(*planned_on),
            ..Default::default()
        })
        .collect();
    if !migrations.is_empty() {
        target_migration::Entity::insert_many(migrations).exec(txn).await?;
    }
    audit::record(
        txn,
        actor,
        Change {
            action: "targets.replace",
            object_type: "targets",
            object_id: ght.to_string(),
            ght_code: Some(ght.clone()),
            before: before.flatten(),
            after: snapshot(&set, version.id),
        },
    )
    .await?;
    Ok(version)
}

/// A set of targets as the audit trail shows it: the version, each target
/// by sub-domain, each planned migration.
fn snapshot(set: &TargetSet, version: i64) -> Option<serde_json::Value> {
    let products: Vec<_> =
        set.products.iter().map(|(s, p)| serde_json::json!({"subdomain": s.as_str(), "product_id": p})).collect();
    let migrations: Vec<_> = set
        .migrations
        .iter()
        .map(|(f, s, d)| serde_json::json!({"finess_ej": f.as_str(), "subdomain": s.as_str(), "planned_on": d}))
        .collect();
    Some(serde_json::json!({
        "version": version, "products": products, "migrations": migrations, "comment": set.comment,
    }))
}

impl From<&TargetVersion> for TargetSet {
    fn from(v: &TargetVersion) -> Self {
        TargetSet {
            products: v.products.iter().map(|p| (p.subdomain_code.clone(), p.product_id)).collect(),
            migrations: v
                .migrations
                .iter()
                .map(|m| (m.finess_ej.clone(), m.subdomain_code.clone(), m.planned_on))
                .collect(),
            comment: v.version.comment.clone(),
        }
    }
}

/// A version of a GHT's targets, as read back.
#[derive(Debug, Clone)]
pub struct TargetVersion {
    /// The version.
    pub version: target_version::Model,
    /// Target product per sub-domain.
    pub products: Vec<target_product::Model>,
    /// Planned migrations.
    pub migrations: Vec<target_migration::Model>,
}

/// The GHT's targets in force on a day (the latest version created by the
/// end of it), or the current ones.
///
/// # Errors
/// When the query fails.
pub async fn in_force(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    on: Option<NaiveDate>,
) -> Result<Option<TargetVersion>, StoreError> {
    in_force_at(conn, ght, on.and_then(|day| day.and_hms_opt(23, 59, 59)).map(|end| end.and_utc())).await
}

/// The GHT's targets in force at an instant (the latest version created by
/// then: a campaign's close, say), or the current ones.
///
/// # Errors
/// When the query fails.
pub async fn in_force_at(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Option<TargetVersion>, StoreError> {
    let mut select = target_version::Entity::find().filter(target_version::Column::GhtCode.eq(ght.as_str()));
    if let Some(at) = at {
        select = select.filter(target_version::Column::CreatedAt.lte(at));
    }
    let Some(version) = select.order_by_desc(target_version::Column::Id).one(conn).await? else {
        return Ok(None);
    };
    Ok(Some(with_contents(conn, version).await?))
}

/// Every version of a GHT's targets, latest first.
///
/// # Errors
/// When the query fails.
pub async fn versions(conn: &impl ConnectionTrait, ght: &GhtCode) -> Result<Vec<target_version::Model>, StoreError> {
    Ok(target_version::Entity::find()
        .filter(target_version::Column::GhtCode.eq(ght.as_str()))
        .order_by_desc(target_version::Column::Id)
        .all(conn)
        .await?)
}

/// One version of a GHT's targets, by id (`None`: absent, or another GHT's).
///
/// # Errors
/// When the query fails.
pub async fn version(conn: &impl ConnectionTrait, ght: &GhtCode, id: i64) -> Result<Option<TargetVersion>, StoreError> {
    let found = target_version::Entity::find_by_id(id)
        .filter(target_version::Column::GhtCode.eq(ght.as_str()))
        .one(conn)
        .await?;
    match found {
        Some(version) => Ok(Some(with_contents(conn, version).await?)),
        None => Ok(None),
    }
}

/// A version with its products and migrations.
async fn with_contents(
    conn: &impl ConnectionTrait,
    version: target_version::Model,
) -> Result<TargetVersion, StoreError> {
    let products = target_product::Entity::find()
        .filter(target_product::Column::VersionId.eq(version.id))
        .order_by_asc(target_product::Column::SubdomainCode)
        .all(conn)
        .await?;
    let migrations = target_migration::Entity::find()
        .filter(target_migration::Column::VersionId.eq(version.id))
        .order_by_asc(target_migration::Column::FinessEj)
        .order_by_asc(target_migration::Column::SubdomainCode)
        .all(conn)
        .await?;
    Ok(TargetVersion { version, products, migrations })
}

/// The GHTs with a version of targets that names a product (current or
/// not: the caller reads each one's version in force).
///
/// # Errors
/// When the query fails.
pub async fn ghts_naming(conn: &impl ConnectionTrait, product_id: i64) -> Result<Vec<GhtCode>, StoreError> {
    let versions: Vec<i64> = target_product::Entity::find()
        .filter(target_product::Column::ProductId.eq(product_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.version_id)
        .collect();
    let mut codes: Vec<GhtCode> = target_version::Entity::find()
        .filter(target_version::Column::Id.is_in(versions))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| v.ght_code)
        .collect();
    codes.sort();
    codes.dedup();
    Ok(codes)
}

/// The targets in force of many GHTs at once (the latest version of each
/// created by `at`, or the current ones), by GHT code: three queries
/// whatever the number of GHTs, for the national dashboard.
///
/// # Errors
/// When a query fails.
pub async fn in_force_of_all(
    conn: &impl ConnectionTrait,
    codes: &[String],
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<std::collections::BTreeMap<String, TargetVersion>, StoreError> {
    let mut select =
        target_version::Entity::find().filter(target_version::Column::GhtCode.is_in(codes.iter().cloned()));
    if let Some(at) = at {
        select = select.filter(target_version::Column::CreatedAt.lte(at));
    }
    let mut latest: std::collections::BTreeMap<String, target_version::Model> = std::collections::BTreeMap::new();
    for version in select.order_by_asc(target_version::Column::Id).all(conn).await? {
        latest.insert(version.ght_code.to_string(), version);
    }
    let ids: Vec<i64> = latest.values().map(|v| v.id).collect();
    let mut products: std::collections::HashMap<i64, Vec<target_product::Model>> = std::collections::HashMap::new();
    for product in target_product::Entity::find()
        .filter(target_product::Column::VersionId.is_in(ids.clone()))
        .order_by_asc(target_product::Column::SubdomainCode)
        .all(conn)
        .await?
    {
        products.entry(product.version_id).or_default().push(product);
    }
    let mut migrations: std::collections::HashMap<i64, Vec<target_migration::Model>> = std::collections::HashMap::new();
    for migration in target_migration::Entity::find()
        .filter(target_migration::Column::VersionId.is_in(ids))
        .order_by_asc(target_migration::Column::FinessEj)
        .order_by_asc(target_migration::Column::SubdomainCode)
        .all(conn)
        .await?
    {
        migrations.entry(migration.version_id).or_default().push(migration);
    }
    Ok(latest
        .into_iter()
        .map(|(code, version)| {
            let products = products.remove(&version.id).unwrap_or_default();
            let migrations = migrations.remove(&version.id).unwrap_or_default();
            (code, TargetVersion { version, products, migrations })
        })
        .collect())
}
