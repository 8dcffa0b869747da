//! The review queue of a GHT: names the catalogue did not recognise, or
//! recognised with low confidence, in the current inventories of open
//! campaigns; and the confirmation of a mapping, which becomes an alias
//! of the GHT and re-normalises the affected rows of open campaigns
//! (closed campaigns are frozen).

use crate::store::StoreError;
use std::collections::{BTreeMap, BTreeSet};

use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, Set,
};

use super::audit::{self, Actor, Change};
use super::entities::{campaign, inventory_entry, product, product_alias};
use super::inventory::current_uploads;
use crate::domain::CampaignStatus;
use crate::domain::normalise_key;
use crate::domain::{AliasScope, CampaignYear, GhtCode};
use crate::normalise::matcher::{MatchMethod, Matcher, REVIEW_THRESHOLD};
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

/// Current rows of open campaigns for these établissements that need review.
async fn rows_to_review(
    conn: &impl ConnectionTrait,
    members: &[String],
) -> Result<Vec<inventory_entry::Model>, StoreError> {
    let mut rows = Vec::new();
    for campaign in open_campaigns(conn).await? {
        let current = current_uploads(conn, campaign, members).await?;
        let uploads: Vec<i64> = current.values().copied().collect();
        if uploads.is_empty() {
            continue;
        }
        let found = inventory_entry::Entity::find()
            .filter(inventory_entry::Column::UploadId.is_in(uploads))
            .filter(
                inventory_entry::Column::State
                    .eq("unmatched")
                    .or(inventory_entry::Column::MatchConfidence.lt(REVIEW_THRESHOLD)),
            )
            .all(conn)
            .await?;
        rows.extend(found.into_iter().filter(|e| current.get(e.finess_ej.as_str()) == Some(&e.upload_id)));
    }
    Ok(rows)
}

/// The review queue, most frequent names first.
///
/// # Errors
/// When a query fails.
pub async fn queue(
    conn: &impl ConnectionTrait,
    members: &[String],
    matcher: &Matcher,
) -> Result<Vec<ReviewItem>, StoreError> {
    let rows = rows_to_review(conn, members).await?;
    let mut groups: BTreeMap<String, Vec<inventory_entry::Model>> = BTreeMap::new();
    for row in rows {
        groups.entry(row.normalised_name.clone()).or_default().push(row);
    }
    let mut items: Vec<ReviewItem> = groups
        .into_iter()
        .map(|(key, rows)| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                *counts.entry(r.application_raw.as_str()).or_default() += 1;
            }
            let mut spellings: Vec<(&str, usize)> = counts.into_iter().collect();
            spellings.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let etablissements: BTreeSet<String> = rows.iter().map(|r| r.finess_ej.to_string()).collect();
            ReviewItem {
                suggestions: matcher.suggestions(&key, 3).into_iter().map(|(s, id)| (id, s)).collect(),
                normalised_name: key,
                spellings: spellings.into_iter().map(|(s, _)| s.to_owned()).collect(),
                occurrences: rows.len(),
                etablissements: etablissements.into_iter().collect(),
                current_product: rows.iter().find_map(|r| r.product_id),
                confidence: rows.iter().filter_map(|r| r.match_confidence).reduce(f64::min),
            }
        })
        .collect();
    items.sort_by(|a, b| b.occurrences.cmp(&a.occurrences).then(a.normalised_name.cmp(&b.normalised_name)));
    Ok(items)
}

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmation {
    /// The GHT's alias (created or re-pointed).
    pub alias_id: i64,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
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
    for row in rows_to_review(txn, members).await?.into_iter().filter(|r| r.normalised_name == key) {
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
