//! Campaigns: yearly collections of inventories (DOMAIN.md §7).

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel, QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::campaign;
use super::lock::{self, LockKey};
use crate::domain::CampaignYear;
use crate::error::AppError;

/// Status of a campaign that accepts uploads.
pub const OPEN: &str = "open";
/// Status of a frozen campaign.
pub const CLOSED: &str = "closed";

#[derive(Debug, Serialize)]
struct CampaignSnapshot {
    year: i32,
    reference_date: NaiveDate,
    deadline: Option<NaiveDate>,
    status: String,
}

fn snapshot(c: &campaign::Model) -> Option<serde_json::Value> {
    audit::snapshot(&CampaignSnapshot {
        year: c.year.get(),
        reference_date: c.reference_date,
        deadline: c.deadline,
        status: c.status.clone(),
    })
}

/// Every campaign, newest first.
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<campaign::Model>, DbErr> {
    campaign::Entity::find().order_by_desc(campaign::Column::Year).all(conn).await
}

/// One campaign.
///
/// # Errors
/// When the query fails.
pub async fn find(conn: &impl ConnectionTrait, year: CampaignYear) -> Result<Option<campaign::Model>, DbErr> {
    campaign::Entity::find_by_id(year).one(conn).await
}

/// Checks that a campaign exists and accepts changes.
///
/// # Errors
/// `NotFound` when it does not exist, `Conflict` when it is closed.
pub async fn ensure_open(conn: &impl ConnectionTrait, year: CampaignYear) -> Result<campaign::Model, AppError> {
    match find(conn, year).await? {
        None => {
            Err(AppError::not_found(format!("campagne {year} introuvable : elle doit être ouverte avant tout dépôt")))
        }
        Some(c) if c.status != OPEN => Err(AppError::Conflict(format!(
            "la campagne {year} est close : ses inventaires sont figés et n'acceptent plus de changement"
        ))),
        Some(c) => Ok(c),
    }
}

/// Opens a campaign. The reference date defaults to 1 January of the year
/// ("campagne 2025" describes the state at that date).
///
/// # Errors
/// `Conflict` when the campaign exists, `Invalid` when the deadline is
/// before the reference date.
pub async fn open(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    year: CampaignYear,
    reference_date: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
) -> Result<campaign::Model, AppError> {
    lock::serialise(txn, LockKey::Campaign(year.get())).await?;
    if let Some(existing) = find(txn, year).await? {
        let state = if existing.status == OPEN { "ouverte" } else { "close" };
        return Err(AppError::Conflict(format!("la campagne {year} existe déjà ({state})")));
    }
    let reference_date = reference_date.unwrap_or_else(|| year.default_reference_date());
    if let Some(deadline) = deadline.filter(|d| *d < reference_date) {
        return Err(AppError::Invalid(format!(
            "la date limite ({deadline}) précède la date de référence ({reference_date})"
        )));
    }
    let model = campaign::ActiveModel {
        year: Set(year),
        reference_date: Set(reference_date),
        deadline: Set(deadline),
        status: Set(OPEN.to_owned()),
        opened_at: Set(super::now()),
        closed_at: Set(None),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "campaign.open",
            object_type: "campaign",
            object_id: year.to_string(),
            ght_code: None,
            before: None,
            after: snapshot(&model),
        },
    )
    .await?;
    Ok(model)
}

/// Closes a campaign: its inventories, normalisations and indicator values
/// no longer change, so published deltas stay true.
///
/// # Errors
/// `NotFound` when the campaign does not exist, `Conflict` when it is
/// already closed.
pub async fn close(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    year: CampaignYear,
) -> Result<campaign::Model, AppError> {
    lock::serialise(txn, LockKey::Campaign(year.get())).await?;
    let current = find(txn, year).await?.ok_or_else(|| AppError::not_found(format!("campagne {year} introuvable")))?;
    if current.status == CLOSED {
        return Err(AppError::Conflict(format!("la campagne {year} est déjà close")));
    }
    let before = snapshot(&current);
    let mut model = current.into_active_model();
    model.status = Set(CLOSED.to_owned());
    model.closed_at = Set(Some(super::now()));
    let updated = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "campaign.close",
            object_type: "campaign",
            object_id: year.to_string(),
            ght_code: None,
            before,
            after: snapshot(&updated),
        },
    )
    .await?;
    Ok(updated)
}
