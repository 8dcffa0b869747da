//! Declared (governance) indicator answers of a GHT per campaign.

use crate::store::StoreError;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter, Set, TryIntoModel,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::indicator_answer;
use crate::domain::{AnswerStatus, CampaignYear, GhtCode};

/// The answer to a `GOV.*` item.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// Indicator code (`GOV.SDSI`).
    pub indicator_code: String,
    /// Not started, in progress, or done.
    pub status: AnswerStatus,
    /// Date of the status (e.g. when the SDSI was validated).
    pub status_date: Option<NaiveDate>,
    /// Free comment.
    pub comment: Option<String>,
}

/// Records (or replaces) a GHT's answer for a campaign, audited. The caller
/// checks the indicator and the status.
///
/// # Errors
/// When a write fails.
pub async fn declare(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    ght: &GhtCode,
    year: CampaignYear,
    answer: Answer,
) -> Result<indicator_answer::Model, StoreError> {
    let existing = indicator_answer::Entity::find()
        .filter(indicator_answer::Column::GhtCode.eq(ght.as_str()))
        .filter(indicator_answer::Column::CampaignYear.eq(year.get()))
        .filter(indicator_answer::Column::IndicatorCode.eq(answer.indicator_code.as_str()))
        .one(txn)
        .await?;
    let before = existing.as_ref().and_then(|e| {
        audit::snapshot(&Answer {
            indicator_code: e.indicator_code.clone(),
            status: e.status,
            status_date: e.status_date,
            comment: e.comment.clone(),
        })
    });
    let mut model = match existing {
        Some(e) => e.into_active_model(),
        None => indicator_answer::ActiveModel {
            ght_code: Set(ght.clone()),
            campaign_year: Set(year),
            indicator_code: Set(answer.indicator_code.clone()),
            ..Default::default()
        },
    };
    model.status = Set(answer.status);
    model.status_date = Set(answer.status_date);
    model.comment = Set(answer.comment.clone());
    model.updated_at = Set(super::now());
    let saved = model.save(txn).await?;
    let saved = saved.try_into_model()?;
    audit::record(
        txn,
        actor,
        Change {
            action: "answer.declare",
            object_type: "indicator_answer",
            object_id: format!("{ght}/{year}/{}", answer.indicator_code),
            ght_code: Some(ght.clone()),
            before,
            after: audit::snapshot(&answer),
        },
    )
    .await?;
    Ok(saved)
}

/// A GHT's answers for a campaign, by indicator code.
///
/// # Errors
/// When the query fails.
pub async fn of_campaign(
    conn: &impl sea_orm::ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
) -> Result<Vec<indicator_answer::Model>, sea_orm::DbErr> {
    use sea_orm::QueryOrder;
    indicator_answer::Entity::find()
        .filter(indicator_answer::Column::GhtCode.eq(ght.as_str()))
        .filter(indicator_answer::Column::CampaignYear.eq(year.get()))
        .order_by_asc(indicator_answer::Column::IndicatorCode)
        .all(conn)
        .await
}
