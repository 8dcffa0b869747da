//! Catalogue administration: national aliases and the promotion of a GHT's
//! own, product proposals and their approval, merges (rows follow) and
//! vendor acquisitions, recorded per product.

use crate::store::StoreError;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::audit::{self, Actor, Change};
use super::entities::{campaign, inventory_entry, product, product_alias, product_vendor, vendor};
use crate::domain::normalise_key;
use crate::domain::{AliasScope, GhtCode, SubdomainCode};
use crate::domain::{CampaignStatus, ProductStatus};

/// Aliases, national first then by GHT, optionally only those of one scope.
///
/// # Errors
/// When the query fails.
pub async fn aliases(conn: &impl ConnectionTrait, local_only: bool) -> Result<Vec<product_alias::Model>, StoreError> {
    let mut select = product_alias::Entity::find()
        .order_by_asc(product_alias::Column::Scope)
        .order_by_asc(product_alias::Column::NormalisedKey);
    if local_only {
        select = select.filter(product_alias::Column::Scope.ne(AliasScope::National.stored()));
    }
    Ok(select.all(conn).await?)
}

/// Adds an alias to a product, in the given scope, and records it.
///
/// # Errors
/// When a write fails (a unique violation when the key is taken in that
/// scope: the caller checks first, inside its transaction).
pub async fn insert_alias(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product_id: i64,
    spelling: &str,
    scope: AliasScope,
) -> Result<product_alias::Model, StoreError> {
    let alias = product_alias::ActiveModel {
        product_id: Set(product_id),
        alias: Set(spelling.trim().to_owned()),
        normalised_key: Set(normalise_key(spelling)),
        scope: Set(scope),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record_alias(txn, actor, "alias.create", &alias, None).await?;
    Ok(alias)
}

/// The national alias with this normalised key, if any.
///
/// # Errors
/// When the query fails.
pub async fn national_alias(
    conn: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<product_alias::Model>, StoreError> {
    Ok(product_alias::Entity::find()
        .filter(product_alias::Column::NormalisedKey.eq(key))
        .filter(product_alias::Column::Scope.eq(AliasScope::National.stored()))
        .one(conn)
        .await?)
}

/// An alias by id.
///
/// # Errors
/// When the query fails.
pub async fn alias(conn: &impl ConnectionTrait, id: i64) -> Result<Option<product_alias::Model>, StoreError> {
    Ok(product_alias::Entity::find_by_id(id).one(conn).await?)
}

/// Makes an alias national, and records it.
///
/// # Errors
/// When the write fails.
pub async fn make_national(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    alias: product_alias::Model,
) -> Result<product_alias::Model, StoreError> {
    let before = Some(serde_json::json!({"scope": alias.scope.to_string()}));
    let mut model = alias.into_active_model();
    model.scope = Set(AliasScope::National);
    let promoted = model.update(txn).await?;
    record_alias(txn, actor, "alias.promote", &promoted, before).await?;
    Ok(promoted)
}

async fn record_alias(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    action: &str,
    alias: &product_alias::Model,
    before: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "alias",
            object_id: alias.id.to_string(),
            ght_code: None,
            before,
            after: Some(serde_json::json!({
                "alias": alias.alias, "product_id": alias.product_id, "scope": alias.scope.to_string(),
            })),
        },
    )
    .await
}

/// A product to add.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// Canonical name.
    pub name: String,
    /// Vendor name (created when unknown).
    pub vendor: String,
    /// Default sub-domain.
    pub default_subdomain: Option<SubdomainCode>,
    /// The GHT proposing it: the product is then pending national approval
    /// but usable at once in that GHT. `None`: an admin's approved product.
    pub proposed_by: Option<GhtCode>,
}

/// Adds a product and its name as an alias: national for an approved
/// product, the proposing GHT's for a proposal (its name then matches in
/// that GHT only until it is approved). The caller checks the name.
///
/// # Errors
/// When a write fails.
pub async fn insert_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    new: NewProduct,
    vendor_id: i64,
) -> Result<product::Model, StoreError> {
    let name = new.name.trim().to_owned();
    let status = if new.proposed_by.is_some() { ProductStatus::Pending } else { ProductStatus::Approved };
    let product = product::ActiveModel {
        name: Set(name.clone()),
        vendor_id: Set(vendor_id),
        default_subdomain: Set(new.default_subdomain.clone()),
        status: Set(status),
        proposed_by_ght: Set(new.proposed_by.clone()),
        merged_into: Set(None),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let scope = new.proposed_by.clone().map_or(AliasScope::National, AliasScope::Ght);
    product_alias::ActiveModel {
        product_id: Set(product.id),
        alias: Set(name.clone()),
        normalised_key: Set(normalise_key(&name)),
        scope: Set(scope),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record_product(txn, actor, "product.create", &product, None, new.proposed_by.clone()).await?;
    Ok(product)
}

/// Marks a proposal approved; its own name becomes a national alias unless
/// another product holds that spelling nationally. The caller checks that
/// it is pending.
///
/// # Errors
/// When a query or a write fails.
pub async fn approve(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
) -> Result<product::Model, StoreError> {
    let ght = product.proposed_by_ght.clone();
    let key = normalise_key(&product.name);
    let own_alias = product_alias::Entity::find()
        .filter(product_alias::Column::ProductId.eq(product.id))
        .filter(product_alias::Column::NormalisedKey.eq(key.as_str()))
        .one(txn)
        .await?;
    if let Some(own) = own_alias
        && national_alias(txn, &key).await?.is_none()
    {
        let mut model = own.into_active_model();
        model.scope = Set(AliasScope::National);
        model.update(txn).await?;
    }
    let before = Some(serde_json::json!({"status": product.status}));
    let mut model = product.into_active_model();
    model.status = Set(ProductStatus::Approved);
    let approved = model.update(txn).await?;
    record_product(txn, actor, "product.approve", &approved, before, ght).await?;
    Ok(approved)
}

/// Merges a product into another: its aliases and the rows of open
/// campaigns follow; closed campaigns keep what they published. Returns
/// the merged product and the rows moved. The caller checks the products
/// and moves the targets.
///
/// # Errors
/// When a query or a write fails.
pub async fn merge_products(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    source: product::Model,
    target: &product::Model,
) -> Result<(product::Model, u64), StoreError> {
    let (from, into) = (source.id, target.id);
    for alias in product_alias::Entity::find().filter(product_alias::Column::ProductId.eq(from)).all(txn).await? {
        let taken = product_alias::Entity::find()
            .filter(product_alias::Column::NormalisedKey.eq(alias.normalised_key.as_str()))
            .filter(product_alias::Column::Scope.eq(alias.scope.stored()))
            .filter(product_alias::Column::ProductId.eq(into))
            .one(txn)
            .await?
            .is_some();
        if taken {
            product_alias::Entity::delete_by_id(alias.id).exec(txn).await?;
        } else {
            let mut model = alias.into_active_model();
            model.product_id = Set(into);
            model.update(txn).await?;
        }
    }
    let open: Vec<crate::domain::CampaignYear> = campaign::Entity::find()
        .filter(campaign::Column::Status.eq(CampaignStatus::Open))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.year)
        .collect();
    let moved = inventory_entry::Entity::update_many()
        .col_expr(inventory_entry::Column::ProductId, sea_orm::sea_query::Expr::value(into))
        .col_expr(inventory_entry::Column::VendorId, sea_orm::sea_query::Expr::value(target.vendor_id))
        .filter(inventory_entry::Column::ProductId.eq(from))
        .filter(inventory_entry::Column::CampaignYear.is_in(open))
        .exec(txn)
        .await?
        .rows_affected;
    let before = Some(serde_json::json!({"merged_into": null}));
    let mut model = source.into_active_model();
    model.merged_into = Set(Some(into));
    let merged = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "product.merge",
            object_type: "product",
            object_id: merged.id.to_string(),
            ght_code: None,
            before,
            after: Some(serde_json::json!({"merged_into": into, "into": target.name, "rows_moved": moved})),
        },
    )
    .await?;
    Ok((merged, moved))
}

/// Records that a product changed hands (Agfa sold ORBIS to Dedalus): the
/// current vendor becomes a former vendor of this product until that date.
///
/// # Errors
/// When a write fails.
pub async fn change_vendor(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
    vendor_id: i64,
    on: Option<NaiveDate>,
) -> Result<product::Model, StoreError> {
    product_vendor::ActiveModel {
        product_id: Set(product.id),
        vendor_id: Set(product.vendor_id),
        until: Set(on),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let before = Some(serde_json::json!({"vendor_id": product.vendor_id}));
    let mut model = product.into_active_model();
    model.vendor_id = Set(vendor_id);
    let updated = model.update(txn).await?;
    record_product(txn, actor, "product.acquisition", &updated, before, None).await?;
    Ok(updated)
}

/// The id of the vendor of that name (compared by normalised key), created
/// when unknown. The caller refuses an empty name.
///
/// # Errors
/// When a query or a write fails.
pub async fn vendor_id(txn: &DatabaseTransaction, name: &str) -> Result<i64, StoreError> {
    let name = name.trim();
    let key = normalise_key(name);
    let known = vendor::Entity::find().all(txn).await?.into_iter().find(|v| normalise_key(&v.name) == key);
    match known {
        Some(v) => Ok(v.id),
        None => Ok(vendor::ActiveModel { name: Set(name.to_owned()), ..Default::default() }.insert(txn).await?.id),
    }
}

async fn record_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    action: &str,
    product: &product::Model,
    before: Option<serde_json::Value>,
    ght: Option<GhtCode>,
) -> Result<(), StoreError> {
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "product",
            object_id: product.id.to_string(),
            ght_code: ght,
            before,
            after: Some(serde_json::json!({
                "name": product.name, "vendor_id": product.vendor_id, "status": product.status,
                "default_subdomain": product.default_subdomain,
            })),
        },
    )
    .await
}

/// Renames a product and keeps the new name as a national alias when no
/// alias holds it yet (the former name stays one, so files written with it
/// still match); sets its default sub-domain. The caller checks the name
/// and the sub-domain.
///
/// # Errors
/// When a write fails.
pub async fn update_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
    name: Option<&str>,
    default_subdomain: Option<SubdomainCode>,
) -> Result<product::Model, StoreError> {
    let id = product.id;
    let before = Some(serde_json::json!({"name": product.name, "default_subdomain": product.default_subdomain}));
    let mut model = product.into_active_model();
    if let Some(name) = name.map(str::trim) {
        if national_alias(txn, &normalise_key(name)).await?.is_none() {
            insert_alias(txn, actor, id, name, AliasScope::National).await?;
        }
        model.name = Set(name.to_owned());
    }
    if let Some(code) = default_subdomain {
        model.default_subdomain = Set(Some(code));
    }
    let updated = model.update(txn).await?;
    record_product(txn, actor, "product.update", &updated, before, None).await?;
    Ok(updated)
}

/// The products GHTs proposed that await the operator's approval, oldest
/// first (at most `limit`).
///
/// # Errors
/// When the query fails.
pub async fn pending(conn: &impl ConnectionTrait, limit: u64) -> Result<Vec<product::Model>, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(product::Entity::find()
        .filter(product::Column::Status.eq(crate::domain::ProductStatus::Pending))
        .filter(product::Column::MergedInto.is_null())
        .order_by_asc(product::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}
