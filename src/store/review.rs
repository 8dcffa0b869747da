//! The review queue of a GHT: names the catalogue did not recognise, or
//! recognised with low confidence, in the current inventories of open
//! campaigns; and the confirmation of a mapping, which becomes an alias
//! of the GHT and re-normalises the affected rows of open campaigns
//! (closed campaigns are frozen).

use crate::store::StoreError;
use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

use super::audit::{self, Actor, Change};
use super::entities::{campaign, inventory_entry, product, product_alias, state_alias};
use super::inventory::current_uploads;
use super::pagination::{Page, PageOf};
use crate::domain::CampaignStatus;
use crate::domain::normalise_key;
use crate::domain::{AliasScope, CampaignYear, GhtCode};
use crate::normalise::matcher::{MatchMethod, REVIEW_THRESHOLD};
use crate::normalise::sentinel::EntryState;

/// One name to review.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    /// The normalised name (what the alias will match).
    pub normalised_name: String,
    /// The spellings seen, most frequent first.
    pub spellings: Vec<String>,
    /// Rows carrying it.
    pub occurrences: usize,
    /// Établissements where it appears.
    pub etablissements: Vec<String>,
    /// The product it was matched to with low confidence, if any.
    pub current_product: Option<i64>,
    /// Lowest confidence of those matches.
    pub confidence: Option<f64>,
    /// Closest catalogue products: (product id, similarity).
    pub suggestions: Vec<(i64, f64)>,
}

/// Campaigns that are open (their rows can still change).
async fn open_campaigns(conn: &impl ConnectionTrait) -> Result<Vec<CampaignYear>, StoreError> {
    Ok(campaign::Entity::find()
        .filter(campaign::Column::Status.eq(CampaignStatus::Open))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.year)
        .collect())
}

/// The current uploads of open campaigns for these établissements, as
/// (établissement, upload) pairs: a row counts when its upload is its
/// établissement's current one (a GHT-level upload may be current for
/// some établissements and not others).
async fn current_pairs(conn: &impl ConnectionTrait, members: &[String]) -> Result<Vec<(String, i64)>, StoreError> {
    let mut pairs = Vec::new();
    for campaign in open_campaigns(conn).await? {
        pairs.extend(current_uploads(conn, campaign, members).await?);
    }
    Ok(pairs)
}

/// Rows to review among those pairs: unmatched, or matched with low
/// confidence.
fn to_review(pairs: &[(String, i64)]) -> Condition {
    let mut current = Condition::any();
    for (finess, upload) in pairs {
        current = current.add(
            Condition::all()
                .add(inventory_entry::Column::FinessEj.eq(finess.as_str()))
                .add(inventory_entry::Column::UploadId.eq(*upload)),
        );
    }
    let uploads: Vec<i64> = pairs.iter().map(|(_, upload)| *upload).collect();
    Condition::all().add(inventory_entry::Column::UploadId.is_in(uploads)).add(current).add(
        Condition::any()
            .add(inventory_entry::Column::State.eq(EntryState::Unmatched.as_str()))
            .add(inventory_entry::Column::MatchConfidence.lt(REVIEW_THRESHOLD)),
    )
}

/// One name of the queue as grouped: the name, its rows, their lowest
/// confidence, a product one of them was matched to, and the number of
/// names in the whole queue.
type Group = (String, i64, Option<f64>, Option<i64>, i64);

/// Of one name: its spellings with their counts, and its établissements.
type Seen<'a> = (Vec<(&'a str, i64)>, BTreeSet<&'a str>);

/// A page of the review queue, most frequent names first, grouped and
/// counted by the database (a member that deposits 100,000 junk names
/// costs one grouped scan, not 100,000 rows in memory); the spellings and
/// établissements are read for the page's names only. Suggestions are the
/// caller's to add.
///
/// # Errors
/// When a query fails.
pub async fn queue(
    conn: &impl ConnectionTrait,
    members: &[String],
    page: Page,
) -> Result<PageOf<ReviewItem>, StoreError> {
    let pairs = current_pairs(conn, members).await?;
    if pairs.is_empty() {
        return Ok(PageOf::empty(page));
    }
    let filter = to_review(&pairs);
    // The number of names comes with the page (a window over the groups):
    // one grouped scan instead of two.
    let occurrences = Expr::col(inventory_entry::Column::Id).count();
    let grouped: Vec<Group> = inventory_entry::Entity::find()
        .select_only()
        .column(inventory_entry::Column::NormalisedName)
        .expr(occurrences.clone())
        .expr(Expr::col(inventory_entry::Column::MatchConfidence).min())
        .expr(Expr::col(inventory_entry::Column::ProductId).max())
        .expr(Expr::cust("COUNT(*) OVER ()"))
        .filter(filter.clone())
        .group_by(inventory_entry::Column::NormalisedName)
        .order_by_desc(occurrences)
        .order_by_asc(inventory_entry::Column::NormalisedName)
        .offset(page.offset())
        .limit(page.size)
        .into_tuple()
        .all(conn)
        .await?;
    let total = match grouped.first() {
        Some(first) => u64::try_from(first.4).unwrap_or(0),
        // Past the last page, the window says nothing: count apart.
        None => {
            inventory_entry::Entity::find()
                .select_only()
                .column(inventory_entry::Column::NormalisedName)
                .filter(filter.clone())
                .group_by(inventory_entry::Column::NormalisedName)
                .count(conn)
                .await?
        }
    };
    let groups: Vec<(String, i64, Option<f64>, Option<i64>)> =
        grouped.into_iter().map(|(name, count, confidence, product, _)| (name, count, confidence, product)).collect();
    let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    let on_page = filter.add(inventory_entry::Column::NormalisedName.is_in(names));
    let spellings: Vec<(String, String, i64)> = inventory_entry::Entity::find()
        .select_only()
        .column(inventory_entry::Column::NormalisedName)
        .column(inventory_entry::Column::ApplicationRaw)
        .expr(Expr::col(inventory_entry::Column::Id).count())
        .filter(on_page.clone())
        .group_by(inventory_entry::Column::NormalisedName)
        .group_by(inventory_entry::Column::ApplicationRaw)
        .into_tuple()
        .all(conn)
        .await?;
    let places: Vec<(String, String)> = inventory_entry::Entity::find()
        .select_only()
        .column(inventory_entry::Column::NormalisedName)
        .column(inventory_entry::Column::FinessEj)
        .filter(on_page)
        .group_by(inventory_entry::Column::NormalisedName)
        .group_by(inventory_entry::Column::FinessEj)
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_name: BTreeMap<&str, Seen<'_>> = BTreeMap::new();
    for (name, spelling, count) in &spellings {
        by_name.entry(name).or_default().0.push((spelling, *count));
    }
    for (name, finess) in &places {
        by_name.entry(name).or_default().1.insert(finess);
    }
    let items = groups
        .iter()
        .map(|(name, count, confidence, product)| {
            let (mut seen, places) = by_name.remove(name.as_str()).unwrap_or_default();
            seen.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            ReviewItem {
                normalised_name: name.clone(),
                spellings: seen.into_iter().map(|(s, _)| s.to_owned()).collect(),
                occurrences: usize::try_from(*count).unwrap_or(0),
                etablissements: places.into_iter().map(str::to_owned).collect(),
                current_product: *product,
                confidence: *confidence,
                suggestions: Vec::new(),
            }
        })
        .collect();
    Ok(PageOf { items, page, total_items: total, total_pages: total.div_ceil(std::cmp::max(page.size, 1)) })
}

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The GHT's alias (created or re-pointed).
    pub alias_id: i64,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
}

/// The rows of the members' current uploads in open campaigns that carry a
/// name and wait for review: those a confirmation re-normalises.
async fn rows_carrying(
    txn: &DatabaseTransaction,
    members: &[String],
    key: &str,
) -> Result<Vec<inventory_entry::Model>, StoreError> {
    let pairs = current_pairs(txn, members).await?;
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    Ok(inventory_entry::Entity::find()
        .filter(to_review(&pairs))
        .filter(inventory_entry::Column::NormalisedName.eq(key))
        .all(txn)
        .await?)
}

/// Records that a spelling means a product in this GHT: a GHT alias used
/// by every later import (created, or re-pointed), and the current rows of
/// open campaigns that carry the name re-normalised to it, audited. The
/// caller checks the spelling and the product, and recomputes.
///
/// # Errors
/// When a query or a write fails.
pub async fn confirm(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    ght: &GhtCode,
    members: &[String],
    spelling: &str,
    product: &product::Model,
) -> Result<Confirmation, StoreError> {
    let key = normalise_key(spelling);
    let existing = product_alias::Entity::find()
        .filter(product_alias::Column::NormalisedKey.eq(key.as_str()))
        .filter(product_alias::Column::Scope.eq(ght.as_str()))
        .one(txn)
        .await?;
    let before = existing.as_ref().map(|a| serde_json::json!({"product_id": a.product_id, "alias": a.alias}));
    // The spelling now names a product here: a state it was taught to mean
    // is forgotten.
    state_alias::Entity::delete_many()
        .filter(state_alias::Column::NormalisedKey.eq(key.as_str()))
        .filter(state_alias::Column::Scope.eq(ght.as_str()))
        .exec(txn)
        .await?;
    let alias = match existing {
        Some(alias) => {
            let mut model = alias.into_active_model();
            model.product_id = Set(product.id);
            model.alias = Set(spelling.trim().to_owned());
            model.update(txn).await?
        }
        None => {
            product_alias::ActiveModel {
                product_id: Set(product.id),
                alias: Set(spelling.trim().to_owned()),
                normalised_key: Set(key.clone()),
                scope: Set(AliasScope::Ght(ght.clone())),
                created_at: Set(super::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    let mut rows_updated = 0;
    let rows = rows_carrying(txn, members, &key).await?;
    for row in rows {
        let mut model = row.clone().into_active_model();
        model.product_id = Set(Some(product.id));
        model.vendor_id = Set(Some(product.vendor_id));
        model.state = Set(EntryState::Product);
        model.match_confidence = Set(Some(1.0));
        model.match_method = Set(Some(MatchMethod::Confirmed));
        let flags: Vec<String> = serde_json::from_str::<Vec<String>>(&row.flags)
            .map_err(|e| DbErr::Custom(format!("inventory_entries {} flags unreadable: {e}", row.id)))?
            .into_iter()
            .filter(|f| f != "low_confidence")
            .collect();
        model.flags = Set(serde_json::to_string(&flags).map_err(|e| DbErr::Custom(e.to_string()))?);
        if row.subdomain_code.is_none() || row.subdomain_inferred {
            model.subdomain_code = Set(product.default_subdomain.clone());
            model.subdomain_inferred = Set(product.default_subdomain.is_some());
        }
        model.update(txn).await?;
        rows_updated += 1;
    }
    audit::record(
        txn,
        actor,
        Change {
            action: "alias.confirm",
            object_type: "alias",
            object_id: alias.id.to_string(),
            ght_code: Some(ght.clone()),
            before,
            after: Some(serde_json::json!({
                "alias": alias.alias, "normalised_key": alias.normalised_key, "product_id": product.id,
                "product": product.name, "rows_updated": rows_updated,
            })),
        },
    )
    .await?;
    Ok(Confirmation { alias_id: alias.id, rows_updated })
}

/// Records that a spelling states a situation in this GHT (« en attente
/// DSI » → `unspecified`): a GHT state alias used by every later import
/// (created, or changed; a product alias of the same spelling is
/// forgotten), and the current rows of open campaigns carrying it take the
/// state. Audited.
///
/// # Errors
/// When a statement fails.
pub async fn confirm_state(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    ght: &GhtCode,
    members: &[String],
    spelling: &str,
    state: EntryState,
) -> Result<Confirmation, StoreError> {
    let key = normalise_key(spelling);
    let existing = state_alias::Entity::find()
        .filter(state_alias::Column::NormalisedKey.eq(key.as_str()))
        .filter(state_alias::Column::Scope.eq(ght.as_str()))
        .one(txn)
        .await?;
    let before = existing.as_ref().map(|a| serde_json::json!({"state": a.state.as_str(), "alias": a.alias}));
    product_alias::Entity::delete_many()
        .filter(product_alias::Column::NormalisedKey.eq(key.as_str()))
        .filter(product_alias::Column::Scope.eq(ght.as_str()))
        .exec(txn)
        .await?;
    let alias = match existing {
        Some(alias) => {
            let mut model = alias.into_active_model();
            model.state = Set(state);
            model.alias = Set(spelling.trim().to_owned());
            model.update(txn).await?
        }
        None => {
            state_alias::ActiveModel {
                alias: Set(spelling.trim().to_owned()),
                normalised_key: Set(key.clone()),
                state: Set(state),
                scope: Set(AliasScope::Ght(ght.clone())),
                created_at: Set(super::now()),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    let rows = rows_carrying(txn, members, &key).await?;
    let mut rows_updated = 0;
    for row in rows {
        let mut model = row.clone().into_active_model();
        model.product_id = Set(None);
        model.state = Set(state);
        model.match_confidence = Set(None);
        model.match_method = Set(Some(MatchMethod::Confirmed));
        model.flags = Set("[]".to_owned());
        if row.subdomain_inferred {
            model.subdomain_code = Set(None);
            model.subdomain_inferred = Set(false);
        }
        model.update(txn).await?;
        rows_updated += 1;
    }
    audit::record(
        txn,
        actor,
        Change {
            action: "alias.confirm_state",
            object_type: "state_alias",
            object_id: alias.id.to_string(),
            ght_code: Some(ght.clone()),
            before,
            after: Some(serde_json::json!({
                "alias": alias.alias, "normalised_key": alias.normalised_key, "state": state.as_str(),
                "rows_updated": rows_updated,
            })),
        },
    )
    .await?;
    Ok(Confirmation { alias_id: alias.id, rows_updated })
}
