//! The product catalogue: products, vendors, their lineage and aliases.

use crate::store::StoreError;
use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::entities::{product, product_alias, product_vendor, vendor};
use super::pagination::{Page, PageOf, fetch_page};
use crate::domain::normalise_key;
use crate::domain::{AliasScope, GhtCode, ProductStatus};

/// A product with what a reader needs to recognise it.
#[derive(Debug, Clone)]
pub struct ProductDetails {
    /// The product row.
    pub product: product::Model,
    /// Its current vendor's name.
    pub vendor: String,
    /// Former vendors, oldest first.
    pub former_vendors: Vec<String>,
    /// Aliases visible to the caller (national, and its GHT's own).
    pub aliases: Vec<String>,
}

/// Whose catalogue a search reads: which pending proposals it shows, and
/// which GHT's own aliases.
#[derive(Debug, Clone, Default)]
pub struct CatalogueView {
    /// Every pending proposal (the operator).
    pub all_pending: bool,
    /// The caller's GHT: its proposals and its own aliases.
    pub ght: Option<GhtCode>,
}

/// Products in view whose name or an alias contains the query (compared
/// on normalised keys), by name.
///
/// # Errors
/// When a query fails.
pub async fn search(
    conn: &impl ConnectionTrait,
    view: &CatalogueView,
    query: Option<&str>,
    page: Page,
) -> Result<PageOf<ProductDetails>, StoreError> {
    let own_ght = view.ght.as_ref().map(|code| code.as_str().to_owned());
    let mut visible = Condition::any().add(product::Column::Status.eq(ProductStatus::Approved));
    if view.all_pending {
        visible = visible.add(product::Column::Status.eq(ProductStatus::Pending));
    } else if let Some(ght) = &own_ght {
        visible = visible.add(product::Column::ProposedByGht.eq(ght.clone()));
    }
    let mut select = product::Entity::find()
        .filter(visible)
        .filter(product::Column::MergedInto.is_null())
        .order_by_asc(product::Column::Name)
        .order_by_asc(product::Column::Id);
    // Keys hold only letters, digits and `+`: nothing to escape in LIKE.
    if let Some(key) = query.map(normalise_key).filter(|k| !k.is_empty()) {
        let mut scopes = vec![AliasScope::National.stored().to_owned()];
        scopes.extend(own_ght.clone());
        let matching = Query::select()
            .column(product_alias::Column::ProductId)
            .from(product_alias::Entity)
            .and_where(Expr::col(product_alias::Column::NormalisedKey).like(format!("%{key}%")))
            .and_where(Expr::col(product_alias::Column::Scope).is_in(scopes))
            .to_owned();
        select = select.filter(product::Column::Id.in_subquery(matching));
    }
    let page = fetch_page(conn, select, page).await?;
    let ids: Vec<i64> = page.items.iter().map(|p| p.id).collect();
    let mut details = details_for(conn, &ids, own_ght.as_deref()).await?;
    Ok(page.map(|product| {
        let (vendor, former_vendors, aliases) = details.remove(&product.id).unwrap_or_default();
        ProductDetails { vendor, former_vendors, aliases, product }
    }))
}

type Details = (String, Vec<String>, Vec<String>);

async fn details_for(
    conn: &impl ConnectionTrait,
    ids: &[i64],
    own_ght: Option<&str>,
) -> Result<HashMap<i64, Details>, StoreError> {
    let products = product::Entity::find().filter(product::Column::Id.is_in(ids.to_vec())).all(conn).await?;
    let lineage = product_vendor::Entity::find()
        .filter(product_vendor::Column::ProductId.is_in(ids.to_vec()))
        .order_by_asc(product_vendor::Column::Id)
        .all(conn)
        .await?;
    let vendor_ids: Vec<i64> =
        products.iter().map(|p| p.vendor_id).chain(lineage.iter().map(|l| l.vendor_id)).collect();
    let vendors: HashMap<i64, String> = vendor::Entity::find()
        .filter(vendor::Column::Id.is_in(vendor_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let mut scopes = vec![AliasScope::National.stored().to_owned()];
    scopes.extend(own_ght.map(str::to_owned));
    let aliases = product_alias::Entity::find()
        .filter(product_alias::Column::ProductId.is_in(ids.to_vec()))
        .filter(product_alias::Column::Scope.is_in(scopes))
        .order_by_asc(product_alias::Column::Id)
        .all(conn)
        .await?;
    let mut details: HashMap<i64, Details> = HashMap::new();
    for p in &products {
        let entry = details.entry(p.id).or_default();
        entry.0 = vendors.get(&p.vendor_id).cloned().unwrap_or_default();
    }
    for l in lineage {
        if let Some(name) = vendors.get(&l.vendor_id) {
            details.entry(l.product_id).or_default().1.push(name.clone());
        }
    }
    let names: HashMap<i64, &str> = products.iter().map(|p| (p.id, p.name.as_str())).collect();
    for a in aliases {
        // The canonical name is stored as an alias for matching; do not repeat it.
        if names.get(&a.product_id) != Some(&a.alias.as_str()) {
            details.entry(a.product_id).or_default().2.push(a.alias);
        }
    }
    Ok(details)
}

/// The id of a product by its exact canonical name.
///
/// # Errors
/// When the query fails.
pub async fn product_id_by_name(conn: &impl ConnectionTrait, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(product::Entity::find().filter(product::Column::Name.eq(name)).one(conn).await?.map(|p| p.id))
}

/// One product by id, merged or not.
///
/// # Errors
/// When the query fails.
pub async fn find_product(conn: &impl ConnectionTrait, id: i64) -> Result<Option<product::Model>, StoreError> {
    Ok(product::Entity::find_by_id(id).one(conn).await?)
}

/// The names of products, by id.
///
/// # Errors
/// When the query fails.
pub async fn product_names(conn: &impl ConnectionTrait, ids: Vec<i64>) -> Result<HashMap<i64, String>, StoreError> {
    Ok(product::Entity::find()
        .filter(product::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect())
}

/// One product by id, unless it was merged into another (a merged product
/// names nothing any more: its rows, aliases and targets moved).
///
/// # Errors
/// When the query fails.
pub async fn find_live_product(conn: &impl ConnectionTrait, id: i64) -> Result<Option<product::Model>, StoreError> {
    Ok(find_product(conn, id).await?.filter(|p| p.merged_into.is_none()))
}

/// The live approved product of exactly that name, if any.
///
/// # Errors
/// When the query fails.
pub async fn approved_named(conn: &impl ConnectionTrait, name: &str) -> Result<Option<product::Model>, StoreError> {
    Ok(product::Entity::find()
        .filter(product::Column::Name.eq(name))
        .filter(product::Column::Status.eq(ProductStatus::Approved))
        .filter(product::Column::MergedInto.is_null())
        .one(conn)
        .await?)
}

/// Vendor names by id.
///
/// # Errors
/// When the query fails.
pub async fn vendor_names(conn: &impl ConnectionTrait, ids: Vec<i64>) -> Result<HashMap<i64, String>, StoreError> {
    Ok(vendor::Entity::find()
        .filter(vendor::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect())
}
