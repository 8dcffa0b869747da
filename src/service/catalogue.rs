//! The catalogue's administration: products, their aliases and vendors,
//! proposals by GHTs, and merges (which move what indicators read).

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use super::Write;
use crate::auth::{Principal, Scope};
use crate::domain::{AliasScope, GhtCode, ProductStatus, SubdomainCode, normalise_key};
use crate::error::AppError;
use crate::normalise::sentinel::EntryState;
use crate::store::audit::Actor;
use crate::store::catalogue::ProductDetails;
use crate::store::catalogue_admin::NewProduct;
use crate::store::entities::{product, product_alias, state_alias};
use crate::store::lock::{self, LockKey};
use crate::store::pagination::{Page, PageOf};
use crate::store::targets::{self, TargetSet};
use crate::store::{Db, catalogue, catalogue_admin, state_aliases, taxonomy};

/// What a merge did.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged product (now pointing at the one that remains).
    pub product: product::Model,
    /// Rows of open campaigns moved to the remaining product.
    pub rows_moved: u64,
    /// GHTs whose targets named the merged product and now name the
    /// remaining one (a new version of their targets each).
    pub targets_moved: Vec<String>,
}

/// Merges a duplicate product into another. Its aliases, the rows of open
/// campaigns and the targets in force follow (a GHT that targeted the
/// duplicate keeps its target rate); closed campaigns keep what they
/// published, and earlier versions of targets stay as they were.
///
/// # Errors
/// `Invalid` when both are the same product; `NotFound` for an unknown or
/// already merged product.
pub async fn merge(db: &Db, actor: Actor<'_>, from: i64, into: i64) -> Result<Merged, AppError> {
    if from == into {
        return Err(AppError::Invalid("un produit ne peut pas être fusionné avec lui-même".to_owned()));
    }
    let mut write = Write::begin(db, actor).await?;
    let source = live_product(write.txn(), from).await?;
    let target = live_product(write.txn(), into).await?;
    let mut targets_moved = Vec::new();
    for code in targets::ghts_naming(write.txn(), from).await? {
        let ght = code;
        lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
        let Some(current) = targets::in_force(write.txn(), &ght, None).await? else { continue };
        if !current.products.iter().any(|p| p.product_id == from) {
            continue;
        }
        let mut set = TargetSet {
            products: Vec::new(),
            migrations: Vec::new(),
            comment: Some(format!(
                "fusion du produit « {} » ({from}) dans « {} » ({into}) au catalogue",
                source.name, target.name
            )),
        };
        for p in &current.products {
            let subdomain = p.subdomain_code.clone();
            set.products.push((subdomain, if p.product_id == from { into } else { p.product_id }));
        }
        for m in &current.migrations {
            set.migrations.push((m.finess_ej.clone(), m.subdomain_code.clone(), m.planned_on));
        }
        targets::replace(write.txn(), actor, &ght, set).await?;
        write.touched().ght(&ght);
        targets_moved.push(ght.to_string());
    }
    let (product, rows_moved) = catalogue_admin::merge_products(write.txn(), actor, source, &target).await?;
    if rows_moved > 0 {
        write.touched().every_ght();
    }
    write.commit().await?;
    Ok(Merged { product, rows_moved, targets_moved })
}

/// A product that exists and was not merged into another; any other is
/// « produit introuvable ».
///
/// # Errors
/// `NotFound` for an unknown or merged product.
pub(crate) async fn live_product(conn: &impl ConnectionTrait, id: i64) -> Result<product::Model, AppError> {
    catalogue::find_live_product(conn, id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("produit {id} introuvable")))
}

/// Products the caller sees (approved ones, its GHT's proposals, every
/// proposal for the operator) whose name or an alias contains the query.
///
/// # Errors
/// When the query fails.
pub async fn search(
    db: &Db,
    principal: &Principal,
    query: Option<&str>,
    page: Page,
) -> Result<PageOf<ProductDetails>, AppError> {
    Ok(catalogue::search(db.reader(), &super::access::catalogue_view(principal), query, page).await?)
}

/// Aliases, national first then by GHT, optionally only the GHTs' own.
///
/// # Errors
/// When the query fails.
pub async fn aliases(db: &Db, local_only: bool) -> Result<Vec<product_alias::Model>, AppError> {
    Ok(catalogue_admin::aliases(db.reader(), local_only).await?)
}

/// A spelling's normalised key, refused when nothing is left of it.
fn key_of(spelling: &str, empty: &str) -> Result<String, AppError> {
    let key = normalise_key(spelling);
    if key.is_empty() {
        return Err(AppError::Invalid(empty.to_owned()));
    }
    Ok(key)
}

/// A sub-domain of the taxonomy.
async fn known_subdomain(conn: &impl ConnectionTrait, code: &SubdomainCode) -> Result<(), AppError> {
    if !taxonomy::subdomain_exists(conn, code).await? {
        return Err(AppError::Invalid(format!("le sous-domaine « {code} » n'existe pas dans la nomenclature")));
    }
    Ok(())
}

/// A product as a GHT may see it: an approved product, or one of its own
/// proposals. Another GHT's proposal is `None`, exactly as an absent id:
/// ids are sequential, and a proposal is that GHT's business until the
/// operator approves it.
///
/// # Errors
/// When the query fails.
pub(crate) async fn seen_by(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    id: i64,
) -> Result<Option<product::Model>, AppError> {
    Ok(catalogue::find_product(conn, id).await?.filter(|p| match p.status {
        ProductStatus::Approved => true,
        ProductStatus::Pending => p.proposed_by_ght.as_ref() == Some(ght),
    }))
}

/// A product a GHT may name (in its targets, its review, the correction of
/// one of its rows): seen by it ([`seen_by`]) and not merged into another.
///
/// # Errors
/// `NotFound` (« produit introuvable ») otherwise.
pub(crate) async fn usable_in(conn: &impl ConnectionTrait, ght: &GhtCode, id: i64) -> Result<product::Model, AppError> {
    seen_by(conn, ght, id)
        .await?
        .filter(|p| p.merged_into.is_none())
        .ok_or_else(|| AppError::not_found(format!("produit {id} introuvable")))
}

/// Adds a national alias (a spelling every GHT's imports recognise).
///
/// # Errors
/// `NotFound` for an unknown product; `Invalid` for an empty spelling;
/// `Conflict` when the spelling already names a product nationally.
pub async fn add_national_alias(
    db: &Db,
    actor: Actor<'_>,
    spelling: &str,
    product_id: i64,
) -> Result<product_alias::Model, AppError> {
    let key = key_of(spelling, "l'alias est vide")?;
    let write = Write::begin(db, actor).await?;
    let product = live_product(write.txn(), product_id).await?;
    if let Some(existing) = catalogue_admin::national_alias(write.txn(), &key).await? {
        return Err(AppError::Conflict(format!(
            "« {spelling} » désigne déjà nationalement le produit {} (alias « {} »)",
            existing.product_id, existing.alias
        )));
    }
    let alias = catalogue_admin::insert_alias(write.txn(), actor, product.id, spelling, AliasScope::National).await?;
    write.commit().await?;
    Ok(alias)
}

/// Makes a GHT's confirmed alias national.
///
/// # Errors
/// `NotFound` for an unknown alias; `Conflict` when already national or
/// when the spelling names another product nationally.
pub async fn promote_alias(db: &Db, actor: Actor<'_>, id: i64) -> Result<product_alias::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    let alias = catalogue_admin::alias(write.txn(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("alias {id} introuvable")))?;
    if alias.scope == AliasScope::National {
        return Err(AppError::Conflict(format!("l'alias « {} » est déjà national", alias.alias)));
    }
    if let Some(existing) = catalogue_admin::national_alias(write.txn(), &alias.normalised_key).await? {
        return Err(AppError::Conflict(format!(
            "« {} » désigne déjà nationalement le produit {}",
            alias.alias, existing.product_id
        )));
    }
    let promoted = catalogue_admin::make_national(write.txn(), actor, alias).await?;
    write.commit().await?;
    Ok(promoted)
}

/// Adds a product: by the operator, approved; by a GHT's DSI, a proposal
/// usable at once in that GHT and approved later by the operator.
///
/// # Errors
/// `Invalid` for an empty name or vendor, or an unknown sub-domain;
/// `Conflict` when the name already designates a product nationally.
pub async fn add_product(db: &Db, actor: Actor<'_>, mut new: NewProduct) -> Result<product::Model, AppError> {
    new.proposed_by = match &actor.principal.scope {
        Scope::Ght(code) => Some(code.clone()),
        _ => None,
    };
    let key = key_of(&new.name, "le nom du produit est vide")?;
    key_of(&new.vendor, "le nom de l'éditeur est vide")?;
    let write = Write::begin(db, actor).await?;
    if let Some(existing) = catalogue_admin::national_alias(write.txn(), &key).await? {
        return Err(AppError::Conflict(format!(
            "« {} » existe déjà dans le catalogue (produit {}) : confirmez plutôt ce rapprochement",
            new.name.trim(),
            existing.product_id
        )));
    }
    if let Some(code) = &new.default_subdomain {
        known_subdomain(write.txn(), code).await?;
    }
    let vendor_id = catalogue_admin::vendor_id(write.txn(), &new.vendor).await?;
    let product = catalogue_admin::insert_product(write.txn(), actor, new, vendor_id).await?;
    write.commit().await?;
    Ok(product)
}

/// Approves a GHT's proposal: the product becomes national.
///
/// # Errors
/// `NotFound` for an unknown product; `Conflict` when it awaits no approval.
pub async fn approve_product(db: &Db, actor: Actor<'_>, id: i64) -> Result<product::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    let product = live_product(write.txn(), id).await?;
    if product.status != ProductStatus::Pending {
        return Err(AppError::Conflict(format!("le produit « {} » n'attend pas d'approbation", product.name)));
    }
    if let Some(same) = catalogue::approved_named(write.txn(), &product.name).await?
        && same.id != product.id
    {
        return Err(AppError::Conflict(format!(
            "le catalogue a déjà un produit « {} » ({}) : fusionnez cette proposition dans ce produit plutôt que de l'approuver",
            product.name, same.id
        )));
    }
    let approved = catalogue_admin::approve(write.txn(), actor, product).await?;
    write.commit().await?;
    Ok(approved)
}

/// Records that a product changed vendor (the current one becomes a former
/// vendor of this product; the lineage is per product, never per company).
///
/// # Errors
/// `NotFound` for an unknown product; `Invalid` for an empty name or the
/// current vendor.
pub async fn record_acquisition(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    vendor: &str,
    on: Option<NaiveDate>,
) -> Result<product::Model, AppError> {
    key_of(vendor, "le nom de l'éditeur est vide")?;
    let write = Write::begin(db, actor).await?;
    let product = live_product(write.txn(), id).await?;
    let vendor_id = catalogue_admin::vendor_id(write.txn(), vendor).await?;
    if vendor_id == product.vendor_id {
        return Err(AppError::Invalid(format!("« {} » est déjà l'éditeur de « {} »", vendor.trim(), product.name)));
    }
    let product = catalogue_admin::change_vendor(write.txn(), actor, product, vendor_id, on).await?;
    write.commit().await?;
    Ok(product)
}

/// Renames a product (its former name stays a national alias) or changes
/// its default sub-domain.
///
/// # Errors
/// `NotFound` for an unknown product; `Invalid` for an empty name or an
/// unknown sub-domain; `Conflict` when the name designates another product.
pub async fn rename_product(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    name: Option<&str>,
    default_subdomain: Option<SubdomainCode>,
) -> Result<product::Model, AppError> {
    let key = name.map(|n| key_of(n, "le nom du produit est vide")).transpose()?;
    let write = Write::begin(db, actor).await?;
    let product = live_product(write.txn(), id).await?;
    if let Some(key) = key
        && let Some(other) = catalogue_admin::national_alias(write.txn(), &key).await?
        && other.product_id != id
    {
        let name = name.unwrap_or_default().trim();
        return Err(AppError::Conflict(format!("« {name} » désigne déjà le produit {}", other.product_id)));
    }
    if let Some(code) = &default_subdomain {
        known_subdomain(write.txn(), code).await?;
    }
    let product = catalogue_admin::update_product(write.txn(), actor, product, name, default_subdomain).await?;
    write.commit().await?;
    Ok(product)
}

/// Spellings that state a situation, national then the GHTs'
/// (`local_only`: those of the GHTs, candidates for promotion).
///
/// # Errors
/// When the query fails.
pub async fn state_aliases(db: &Db, local_only: bool) -> Result<Vec<state_alias::Model>, AppError> {
    Ok(state_aliases::list(db.reader(), local_only).await?)
}

/// Adds a national spelling of a state (« en attente du référent » →
/// `unspecified`), used by every GHT's later deposits.
///
/// # Errors
/// `Invalid` for an empty spelling or a state that is not one
/// (`product`, `unmatched`); `Conflict` when the spelling is national
/// already.
pub async fn add_national_state(
    db: &Db,
    actor: Actor<'_>,
    spelling: &str,
    state: EntryState,
) -> Result<state_alias::Model, AppError> {
    let key = key_of(spelling, "l'orthographe est vide")?;
    if matches!(state, EntryState::Product | EntryState::Unmatched) {
        return Err(AppError::Invalid("un état est in_house, not_computerised ou unspecified".to_owned()));
    }
    let write = Write::begin(db, actor).await?;
    if let Some(existing) = state_aliases::national(write.txn(), &key).await? {
        return Err(AppError::Conflict(format!(
            "« {} » dit déjà nationalement l'état {}",
            spelling.trim(),
            existing.state
        )));
    }
    let alias = state_aliases::insert_national(write.txn(), actor, spelling, state).await?;
    write.commit().await?;
    Ok(alias)
}

/// Makes a GHT's state spelling national.
///
/// # Errors
/// `NotFound` for an unknown id; `Conflict` when it is national already or
/// the spelling says another state nationally.
pub async fn promote_state(db: &Db, actor: Actor<'_>, id: i64) -> Result<state_alias::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    let alias = state_aliases::find(write.txn(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("orthographe d'état {id} introuvable")))?;
    if alias.scope == AliasScope::National {
        return Err(AppError::Conflict(format!("« {} » est déjà national", alias.alias)));
    }
    if let Some(existing) = state_aliases::national(write.txn(), &alias.normalised_key).await? {
        return Err(AppError::Conflict(format!(
            "« {} » dit déjà nationalement l'état {}",
            alias.alias, existing.state
        )));
    }
    let promoted = state_aliases::make_national(write.txn(), actor, alias).await?;
    write.commit().await?;
    Ok(promoted)
}

/// Removes a state spelling, national or a GHT's (later deposits no longer
/// read it as a state; rows already imported keep theirs).
///
/// # Errors
/// `NotFound` for an unknown id.
pub async fn remove_state(db: &Db, actor: Actor<'_>, id: i64) -> Result<(), AppError> {
    let write = Write::begin(db, actor).await?;
    let alias = state_aliases::find(write.txn(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("orthographe d'état {id} introuvable")))?;
    state_aliases::remove(write.txn(), actor, alias).await?;
    write.commit().await?;
    Ok(())
}

/// The names of these products (merged ones included), by id: the names a
/// listing shows beside the ids it holds.
///
/// # Errors
/// When the query fails.
pub async fn product_names(db: &Db, ids: Vec<i64>) -> Result<std::collections::HashMap<i64, String>, AppError> {
    Ok(catalogue::product_names(db.reader(), ids).await?)
}

/// Proposals the operator's page lists at most.
pub const PENDING_LISTED: u64 = 200;

/// The products proposed by GHTs that await approval, oldest first.
///
/// # Errors
/// When the query fails.
pub async fn pending(db: &Db) -> Result<Vec<product::Model>, AppError> {
    Ok(catalogue_admin::pending(db.reader(), PENDING_LISTED).await?)
}
