//! Campaigns: yearly collections of inventories (DOMAIN.md §7).

use crate::store::StoreError;
use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryOrder, Set};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::campaign;
use crate::domain::{CampaignStatus, CampaignYear};

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
        status: c.status.to_string(),
    })
}

/// Every campaign, newest first.
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<campaign::Model>, StoreError> {
    Ok(campaign::Entity::find().order_by_desc(campaign::Column::Year).all(conn).await?)
}

/// One campaign.
///
/// # Errors
/// When the query fails.
pub async fn find(conn: &impl ConnectionTrait, year: CampaignYear) -> Result<Option<campaign::Model>, StoreError> {
    Ok(campaign::Entity::find_by_id(year).one(conn).await?)
}

/// Records an open campaign, audited. The caller checks it is new and its
/// dates in order.
///
/// # Errors
/// When a write fails.
pub async fn insert_open(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    year: CampaignYear,
    reference_date: NaiveDate,
    deadline: Option<NaiveDate>,
) -> Result<campaign::Model, StoreError> {
    let model = campaign::ActiveModel {
        year: Set(year),
        reference_date: Set(reference_date),
        deadline: Set(deadline),
        status: Set(CampaignStatus::Open),
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

/// Marks a campaign closed, audited. The caller checks it is open.
///
/// # Errors
/// When a write fails.
pub async fn set_closed(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    current: campaign::Model,
) -> Result<campaign::Model, StoreError> {
    let year = current.year;
    let before = snapshot(&current);
    let mut model = current.into_active_model();
    model.status = Set(CampaignStatus::Closed);
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
