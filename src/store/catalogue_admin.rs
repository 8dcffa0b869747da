//! Catalogue administration: national aliases and the promotion of a GHT's
//! own, product proposals and their approval, merges (rows follow) and
//! vendor acquisitions, recorded per product.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};

use super::audit::{self, Actor, Change};
use super::entities::{campaign, inventory_entry, product, product_alias, product_vendor, vendor};
use crate::domain::normalise_key;
use crate::domain::{AliasScope, GhtCode, SubdomainCode};
use crate::domain::{CampaignStatus, ProductStatus};
use crate::error::AppError;

/// Aliases, national first then by GHT, optionally only those of one scope.
///
/// # Errors
/// When the query fails.
pub async fn aliases(conn: &impl ConnectionTrait, local_only: bool) -> Result<Vec<product_alias::Model>, DbErr> {
    let mut select = product_alias::Entity::find()
        .order_by_asc(product_alias::Column::Scope)
        .order_by_asc(product_alias::Column::NormalisedKey);
    if local_only {
        select = select.filter(product_alias::Column::Scope.ne(AliasScope::National.stored()));
    }
    select.all(conn).await
}

/// Adds a national alias to a product (the caller found it live).
///
/// # Errors
/// `Conflict` when the spelling already designates another product
/// nationally, `Invalid` for an empty spelling.
pub async fn add_national_alias(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    spelling: &str,
    product: &product::Model,
) -> Result<product_alias::Model, AppError> {
    let key = normalise_key(spelling);
    if key.is_empty() {
        return Err(AppError::Invalid("l'alias est vide".to_owned()));
    }
    if let Some(existing) = national_alias(txn, &key).await? {
        return Err(AppError::Conflict(format!(
            "« {spelling} » désigne déjà nationalement le produit {} (alias « {} »)",
            existing.product_id, existing.alias
        )));
    }
    let alias = product_alias::ActiveModel {
        product_id: Set(product.id),
        alias: Set(spelling.trim().to_owned()),
        normalised_key: Set(key),
        scope: Set(AliasScope::National),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record_alias(txn, actor, "alias.create", &alias, None).await?;
    Ok(alias)
}

async fn national_alias(conn: &impl ConnectionTrait, key: &str) -> Result<Option<product_alias::Model>, DbErr> {
    product_alias::Entity::find()
        .filter(product_alias::Column::NormalisedKey.eq(key))
        .filter(product_alias::Column::Scope.eq(AliasScope::National.stored()))
        .one(conn)
        .await
}

/// Promotes a GHT's alias to a national one (every GHT then uses it).
///
/// # Errors
/// `NotFound` for an unknown alias, `Conflict` when it is already national
/// or its spelling designates another product nationally.
pub async fn promote_alias(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    id: i64,
) -> Result<product_alias::Model, AppError> {
    let alias = product_alias::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found(format!("alias {id} introuvable")))?;
    if alias.scope == AliasScope::National {
        return Err(AppError::Conflict(format!("l'alias « {} » est déjà national", alias.alias)));
    }
    if let Some(existing) = national_alias(txn, &alias.normalised_key).await? {
        return Err(AppError::Conflict(format!(
            "« {} » désigne déjà nationalement le produit {}",
            alias.alias, existing.product_id
        )));
    }
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
) -> Result<(), DbErr> {
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

/// Adds a product (approved, or proposed by a GHT).
///
/// # Errors
/// `Conflict` when the name is taken, `Invalid` for an unknown sub-domain.
pub async fn add_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    new: NewProduct,
) -> Result<product::Model, AppError> {
    let name = new.name.trim().to_owned();
    let key = normalise_key(&name);
    if key.is_empty() {
        return Err(AppError::Invalid("le nom du produit est vide".to_owned()));
    }
    if let Some(existing) = national_alias(txn, &key).await? {
        return Err(AppError::Conflict(format!(
            "« {name} » existe déjà dans le catalogue (produit {}) : confirmez plutôt ce rapprochement",
            existing.product_id
        )));
    }
    if let Some(code) = &new.default_subdomain
        && !super::taxonomy::subdomain_exists(txn, code).await?
    {
        return Err(AppError::Invalid(format!("le sous-domaine « {code} » n'existe pas dans la nomenclature")));
    }
    let vendor_id = vendor_id(txn, &new.vendor).await?;
    let product =
        product::ActiveModel {
            name: Set(name.clone()),
            vendor_id: Set(vendor_id),
            default_subdomain: Set(new.default_subdomain.clone()),
            status: Set(
                if new.proposed_by.is_some() { ProductStatus::Pending } else { ProductStatus::Approved }.to_owned()
            ),
            proposed_by_ght: Set(new.proposed_by.clone()),
            merged_into: Set(None),
            created_at: Set(super::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    // The name matches in the proposing GHT only until the product is approved.
    let scope = new.proposed_by.clone().map_or(AliasScope::National, AliasScope::Ght);
    product_alias::ActiveModel {
        product_id: Set(product.id),
        alias: Set(name),
        normalised_key: Set(key),
        scope: Set(scope),
        created_at: Set(super::now()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    record_product(txn, actor, "product.create", &product, None, new.proposed_by.clone()).await?;
    Ok(product)
}

/// Approves a GHT's proposal (the caller found it live): the product
/// becomes national.
///
/// # Errors
/// `Conflict` when it is not pending.
pub async fn approve_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
) -> Result<product::Model, AppError> {
    if product.status != ProductStatus::Pending {
        return Err(AppError::Conflict(format!("le produit « {} » n'attend pas d'approbation", product.name)));
    }
    let ght = product.proposed_by_ght.clone();
    let key = normalise_key(&product.name);
    // Its name becomes a national alias unless another product holds it.
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
) -> Result<(product::Model, u64), DbErr> {
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
/// current vendor becomes a former vendor until that date. The lineage is
/// per product, never per company.
///
/// # Errors
/// `Invalid` when the vendor is already the current one.
pub async fn record_acquisition(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
    new_vendor: &str,
    on: Option<NaiveDate>,
) -> Result<product::Model, AppError> {
    let vendor = vendor_id(txn, new_vendor).await?;
    if vendor == product.vendor_id {
        return Err(AppError::Invalid(format!("« {new_vendor} » est déjà l'éditeur de « {} »", product.name)));
    }
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
    model.vendor_id = Set(vendor);
    let updated = model.update(txn).await?;
    record_product(txn, actor, "product.acquisition", &updated, before, None).await?;
    Ok(updated)
}

async fn vendor_id(txn: &DatabaseTransaction, name: &str) -> Result<i64, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::Invalid("le nom de l'éditeur est vide".to_owned()));
    }
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
) -> Result<(), DbErr> {
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

/// Renames a product (and sets its default sub-domain); the former name
/// stays a national alias, so files written with it still match.
///
/// # Errors
/// `Conflict` when the new name designates another product, `Invalid` for
/// an empty name or an unknown sub-domain.
pub async fn rename_product(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    product: product::Model,
    name: Option<&str>,
    default_subdomain: Option<SubdomainCode>,
) -> Result<product::Model, AppError> {
    let id = product.id;
    let before = Some(serde_json::json!({"name": product.name, "default_subdomain": product.default_subdomain}));
    let mut model = product.clone().into_active_model();
    if let Some(name) = name.map(str::trim) {
        let key = normalise_key(name);
        if key.is_empty() {
            return Err(AppError::Invalid("le nom du produit est vide".to_owned()));
        }
        match national_alias(txn, &key).await? {
            Some(other) if other.product_id != id => {
                return Err(AppError::Conflict(format!("« {name} » désigne déjà le produit {}", other.product_id)));
            }
            Some(_) => {}
            None => {
                product_alias::ActiveModel {
                    product_id: Set(id),
                    alias: Set(name.to_owned()),
                    normalised_key: Set(key),
                    scope: Set(AliasScope::National),
                    created_at: Set(super::now()),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
        model.name = Set(name.to_owned());
    }
    if let Some(code) = default_subdomain {
        if !super::taxonomy::subdomain_exists(txn, &code).await? {
            return Err(AppError::Invalid(format!("le sous-domaine « {code} » n'existe pas dans la nomenclature")));
        }
        model.default_subdomain = Set(Some(code));
    }
    let updated = model.update(txn).await?;
    record_product(txn, actor, "product.update", &updated, before, None).await?;
    Ok(updated)
}
