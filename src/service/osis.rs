//! The OSIS submission of a GHT's campaign: its contract (what DGOS pulls
//! as `osis.json`), and its push to the configured endpoint, idempotent by
//! (GHT, campaign, schema version, content hash), every attempt recorded.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::Set;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::access;
use super::indicators::{self as indicator_service, GhtReading, ReadableGht};
use crate::auth::Principal;
use crate::domain::{CampaignYear, GhtCode};
use crate::error::AppError;
use crate::integrations::osis::Osis;
use crate::store::audit::{self, Actor, Change};
use crate::store::entities::osis_submission;
use crate::store::submissions::{self, NewAttempt, Sending};
use crate::store::{Db, campaigns};

/// The contract's name and version.
pub const CONTRACT: &str = "convergence.osis/1";

/// A `sending` submission older than this was left by a replica that
/// stopped: it may be sent again.
const STALE_SENDING_MINUTES: i64 = 5;

/// What is submitted to OSIS for a GHT and a campaign: every computed and
/// declared value, with its known share and the completeness it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OsisSubmission {
    /// `convergence.osis/1`.
    pub contract: String,
    /// The GHT.
    pub ght: OsisGht,
    /// The campaign (its year).
    pub campaign: i32,
    /// The date the campaign describes.
    pub reference_date: NaiveDate,
    /// The indicator schema version the values follow.
    pub schema_version: i32,
    /// When the values were computed (left out of the content hash).
    pub computed_at: Option<DateTime<Utc>>,
    /// Établissements expected and reporting.
    pub completeness: OsisCompleteness,
    /// Computed values.
    pub computed: Vec<OsisValue>,
    /// Declared governance answers.
    pub declared: Vec<OsisDeclared>,
    /// SHA-256 of the rest (without `computed_at`): the same values give the
    /// same hash.
    pub content_hash: String,
}

/// The GHT submitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OsisGht {
    /// Its code (`NOR-02`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its region (ARS short code).
    pub region: String,
}

/// Who reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OsisCompleteness {
    /// Établissements expected (members at the reference date).
    pub expected: i32,
    /// Établissements with a validated inventory.
    pub reporting: i32,
    /// `reporting / expected`.
    pub rate: Option<f64>,
}

/// A computed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OsisValue {
    /// Code (`APP.TARGET_RATE.DPI.CORE`).
    pub code: String,
    /// The schema's indicator.
    pub indicator: String,
    /// French label.
    pub label: String,
    /// Unit.
    pub unit: String,
    /// The value; absent when it cannot be computed.
    pub value: Option<f64>,
    /// Share of the underlying rows whose input was known.
    pub known_share: Option<f64>,
}

/// A declared answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OsisDeclared {
    /// Code (`GOV.SDSI`).
    pub code: String,
    /// French label.
    pub label: String,
    /// Its status.
    pub status: String,
    /// The date it refers to.
    pub status_date: Option<NaiveDate>,
}

/// A submission as the GHT and DGOS read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubmissionView {
    /// Identifier.
    pub id: i64,
    /// The GHT.
    pub ght_code: String,
    /// The campaign.
    pub campaign: i32,
    /// The schema version.
    pub schema_version: i32,
    /// The content hash.
    pub content_hash: String,
    /// The idempotency key sent.
    pub idempotency_key: String,
    /// `pending`, `sending`, `sent` or `failed`.
    pub status: String,
    /// The endpoint's last answer, or the error, in French.
    pub response: Option<String>,
    /// When it was accepted.
    pub sent_at: Option<DateTime<Utc>>,
    /// This exact content was sent before: nothing was sent again.
    pub already_sent: bool,
    /// Each attempt, in order.
    pub attempts: Vec<AttemptView>,
}

/// One attempt.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    /// 1 for the first.
    pub number: i32,
    /// The HTTP status, when there was an answer.
    pub http_status: Option<i32>,
    /// What happened, in French.
    pub outcome: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The submission of a GHT's campaign as it stands.
///
/// # Errors
/// `NotFound` for an unknown campaign.
pub async fn submission(db: &Db, readable: &ReadableGht, year: CampaignYear) -> Result<OsisSubmission, AppError> {
    let GhtReading { indicators, schema, answers } = indicator_service::of_readable_ght(db, readable, year).await?;
    let code = readable.code();
    let ght = crate::store::ghts::find(db.reader(), code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("GHT « {code} » introuvable")))?;
    let campaign = campaigns::find(db.reader(), year)
        .await?
        .ok_or_else(|| AppError::not_found(format!("campagne {year} introuvable")))?;
    let label = |code: &str| {
        schema
            .iter()
            .filter(|d| code == d.code || code.starts_with(&format!("{}.", d.code)))
            .max_by_key(|d| d.code.len())
            .map(|d| (d.code.clone(), d.label.clone(), d.unit.clone()))
    };
    let computed = indicators
        .values
        .into_iter()
        .map(|v| {
            let (indicator, label, unit) =
                label(&v.code).unwrap_or_else(|| (v.code.clone(), String::new(), String::new()));
            OsisValue { code: v.code, indicator, label, unit, value: v.value, known_share: v.known_share }
        })
        .collect();
    let declared = answers
        .into_iter()
        .map(|a| OsisDeclared {
            label: label(&a.indicator_code).map(|(_, l, _)| l).unwrap_or_default(),
            code: a.indicator_code,
            status: a.status.to_string(),
            status_date: a.status_date,
        })
        .collect();
    let expected = indicators.expected;
    let reporting = indicators.reporting;
    let mut submission = OsisSubmission {
        contract: CONTRACT.to_owned(),
        ght: OsisGht { code: ght.code.to_string(), name: ght.name, region: ght.region_code.to_string() },
        campaign: year.get(),
        reference_date: campaign.reference_date,
        schema_version: indicators.schema_version,
        computed_at: None,
        completeness: OsisCompleteness {
            expected,
            reporting,
            rate: (expected > 0).then(|| f64::from(reporting) / f64::from(expected)),
        },
        computed,
        declared,
        content_hash: String::new(),
    };
    let canonical = serde_json::to_vec(&submission).map_err(|e| AppError::Internal(e.into()))?;
    submission.content_hash = hex::encode(Sha256::digest(&canonical));
    submission.computed_at = indicators.computed_at;
    Ok(submission)
}

/// The key that makes a submission count once.
pub fn idempotency_key(submission: &OsisSubmission) -> String {
    let key = format!(
        "{}|{}|{}|{}",
        submission.ght.code, submission.campaign, submission.schema_version, submission.content_hash
    );
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Submits a GHT's campaign to OSIS, once per content: a submission
/// already accepted is answered as it was, one in progress elsewhere is
/// left to finish, a failed one is tried again.
///
/// # Errors
/// `NotFound` out of scope, `Forbidden` for a reader, `Conflict` when the
/// endpoint is not configured or a sending is in progress, `Upstream`
/// when the endpoint fails (the attempts are recorded all the same).
pub async fn submit(
    db: &Db,
    actor: Actor<'_>,
    osis: Option<&Osis>,
    code: &GhtCode,
    year: CampaignYear,
) -> Result<SubmissionView, AppError> {
    access::writable_ght(db.reader(), actor.principal, code).await?;
    let Some(osis) = osis else {
        return Err(AppError::Conflict(
            "l'envoi à OSIS n'est pas configuré sur ce déploiement (CONVERGENCE_OSIS_URL, CONVERGENCE_OSIS_TOKEN) ; la DGOS peut lire osis.json".to_owned(),
        ));
    };
    let readable = indicator_service::readable(db, actor.principal, code).await?;
    let content = submission(db, &readable, year).await?;
    let key = idempotency_key(&content);
    let body = serde_json::to_value(&content).map_err(|e| AppError::Internal(e.into()))?;
    let now = crate::store::now();
    let stored = submissions::insert_or_get(
        db.writer(),
        osis_submission::ActiveModel {
            ght_code: Set(code.to_string()),
            campaign: Set(content.campaign),
            schema_version: Set(content.schema_version),
            content_hash: Set(content.content_hash.clone()),
            idempotency_key: Set(key.clone()),
            status: Set("pending".to_owned()),
            attempts: Set(0),
            body: Set(body.to_string()),
            submitted_by: Set(Some(actor.principal.label.clone())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        },
        &key,
    )
    .await?;
    if stored.status == "sent" {
        let attempts = submissions::attempts_of(db.reader(), stored.id).await?;
        return Ok(view(stored, attempts, true));
    }
    let stale_before = now - chrono::Duration::minutes(STALE_SENDING_MINUTES);
    if !submissions::claim(db.writer(), stored.id, stale_before).await? {
        return Err(AppError::Conflict(
            "cette soumission est en cours d'envoi par ailleurs : consultez GET …/submissions dans un instant"
                .to_owned(),
        ));
    }
    // The call is made outside any transaction: no lock waits on OSIS.
    let (result, attempts) = osis.submit(&body, &key).await;
    let attempts: Vec<NewAttempt> =
        attempts.into_iter().map(|a| NewAttempt { http_status: a.http_status, outcome: a.outcome }).collect();
    let (status, response, failure) = match result {
        Ok(answer) => ("sent", String::from_utf8_lossy(&answer.body).into_owned(), None),
        Err(error) => ("failed", error.to_string(), Some(error)),
    };
    let finished = submissions::finish(db.writer(), stored, Sending { status, response, attempts }).await?;
    audit::record(
        db.writer(),
        actor,
        Change {
            action: "osis.submit",
            object_type: "osis_submission",
            object_id: finished.id.to_string(),
            ght_code: Some(code.clone()),
            before: None,
            after: Some(serde_json::json!({"status": finished.status, "campaign": finished.campaign, "content_hash": finished.content_hash})),
        },
    )
    .await?;
    db.committed();
    if let Some(error) = failure {
        return Err(error.into());
    }
    let attempts = submissions::attempts_of(db.reader(), finished.id).await?;
    Ok(view(finished, attempts, false))
}

/// A GHT's submissions with their attempts, for its DSI and for DGOS.
///
/// # Errors
/// `NotFound` out of scope.
pub async fn of_ght(db: &Db, principal: &Principal, code: &GhtCode) -> Result<Vec<SubmissionView>, AppError> {
    access::readable_ght(db.reader(), principal, code).await?;
    Ok(submissions::of_ght(db.reader(), code).await?.into_iter().map(|(s, a)| view(s, a, false)).collect())
}

fn view(
    s: osis_submission::Model,
    attempts: Vec<crate::store::entities::osis_attempt::Model>,
    already_sent: bool,
) -> SubmissionView {
    SubmissionView {
        id: s.id,
        ght_code: s.ght_code,
        campaign: s.campaign,
        schema_version: s.schema_version,
        content_hash: s.content_hash,
        idempotency_key: s.idempotency_key,
        status: s.status,
        response: s.response,
        sent_at: s.sent_at,
        already_sent,
        attempts: attempts
            .into_iter()
            .map(|a| AttemptView { number: a.number, http_status: a.http_status, outcome: a.outcome, at: a.at })
            .collect(),
    }
}
