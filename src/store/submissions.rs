//! OSIS submissions and their attempts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::StoreError;
use super::entities::{osis_attempt, osis_submission};
use crate::domain::GhtCode;

/// The submission of this key, created as `pending` when there is none
/// (two replicas creating it at once end with one row).
///
/// # Errors
/// When a query fails.
pub async fn insert_or_get(
    conn: &impl ConnectionTrait,
    new: osis_submission::ActiveModel,
    key: &str,
) -> Result<osis_submission::Model, StoreError> {
    osis_submission::Entity::insert(new)
        .on_conflict(OnConflict::column(osis_submission::Column::IdempotencyKey).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    osis_submission::Entity::find()
        .filter(osis_submission::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::from(sea_orm::DbErr::RecordNotFound(format!("osis submission {key}"))))
}

/// Takes a submission to send it: only one caller at a time gets it (a
/// `sending` one left for longer than `stale_before` by a replica that
/// stopped may be taken again). Whether the caller got it.
///
/// # Errors
/// When the update fails.
pub async fn claim(conn: &impl ConnectionTrait, id: i64, stale_before: DateTime<Utc>) -> Result<bool, StoreError> {
    use osis_submission::Column as C;
    let taken = osis_submission::Entity::update_many()
        .col_expr(C::Status, Expr::value("sending"))
        .col_expr(C::UpdatedAt, Expr::value(super::now()))
        .filter(C::Id.eq(id))
        .filter(
            Condition::any()
                .add(C::Status.is_in(["pending", "failed"]))
                .add(Condition::all().add(C::Status.eq("sending")).add(C::UpdatedAt.lt(stale_before))),
        )
        .exec(conn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// One attempt to record.
#[derive(Debug, Clone)]
pub struct NewAttempt {
    /// The HTTP status, when there was an answer.
    pub http_status: Option<u16>,
    /// What happened, in French.
    pub outcome: String,
}

/// How a sending ended.
#[derive(Debug, Clone)]
pub struct Sending {
    /// `sent` or `failed`.
    pub status: &'static str,
    /// The endpoint's answer or the error, in French.
    pub response: String,
    /// Each attempt, in order.
    pub attempts: Vec<NewAttempt>,
}

/// Records how a sending ended: its attempts (numbered after the earlier
/// ones) and the final status.
///
/// # Errors
/// When a write fails.
pub async fn finish(
    conn: &impl ConnectionTrait,
    submission: osis_submission::Model,
    sending: Sending,
) -> Result<osis_submission::Model, StoreError> {
    let now = super::now();
    let mut number = submission.attempts;
    for attempt in &sending.attempts {
        number += 1;
        osis_attempt::ActiveModel {
            submission_id: Set(submission.id),
            number: Set(number),
            http_status: Set(attempt.http_status.map(i32::from)),
            outcome: Set(attempt.outcome.clone()),
            at: Set(now),
            ..Default::default()
        }
        .insert(conn)
        .await?;
    }
    let last_http_status = sending.attempts.iter().rev().find_map(|a| a.http_status).map(i32::from);
    let sent = sending.status == "sent";
    let mut model: osis_submission::ActiveModel = submission.into();
    model.status = Set(sending.status.to_owned());
    model.attempts = Set(number);
    model.last_http_status = Set(last_http_status);
    model.response = Set(Some(sending.response.chars().take(2000).collect()));
    model.updated_at = Set(now);
    if sent {
        model.sent_at = Set(Some(now));
    }
    Ok(model.update(conn).await?)
}

/// A GHT's submissions, newest first, each with its attempts in order.
///
/// # Errors
/// When a query fails.
pub async fn of_ght(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
) -> Result<Vec<(osis_submission::Model, Vec<osis_attempt::Model>)>, StoreError> {
    let submissions = osis_submission::Entity::find()
        .filter(osis_submission::Column::GhtCode.eq(ght.as_str()))
        .order_by_desc(osis_submission::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = submissions.iter().map(|s| s.id).collect();
    let attempts = osis_attempt::Entity::find()
        .filter(osis_attempt::Column::SubmissionId.is_in(ids))
        .order_by_asc(osis_attempt::Column::Number)
        .all(conn)
        .await?;
    Ok(submissions
        .into_iter()
        .map(|s| {
            let own = attempts.iter().filter(|a| a.submission_id == s.id).cloned().collect();
            (s, own)
        })
        .collect())
}

/// A submission's attempts, in order.
///
/// # Errors
/// When the query fails.
pub async fn attempts_of(conn: &impl ConnectionTrait, id: i64) -> Result<Vec<osis_attempt::Model>, StoreError> {
    Ok(osis_attempt::Entity::find()
        .filter(osis_attempt::Column::SubmissionId.eq(id))
        .order_by_asc(osis_attempt::Column::Number)
        .all(conn)
        .await?)
}
