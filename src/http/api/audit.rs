//! The audit trail.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AuditReaders, Auth};
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageParams, Paginated};
use crate::store::audit::AuditFilter;

/// One audited change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    /// Identifier (increasing).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who: the token's holder, the person's e-mail, or `cli:…` for a
    /// command.
    pub actor: String,
    /// `token`, `person` or `command`.
    pub actor_kind: &'static str,
    /// What, e.g. `ght.create`.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// Its identifier.
    pub object_id: String,
    /// The GHT concerned.
    pub ght_code: Option<String>,
    /// The object before.
    pub before: Option<serde_json::Value>,
    /// The object after.
    pub after: Option<serde_json::Value>,
    /// The request that made the change.
    pub request_id: Option<String>,
}

/// `?actor=&action=&object_type=&object_id=&from=&until=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only the changes of this person or token (its label, as shown in `actor`).
    pub actor: Option<String>,
    /// Only this action (`target.replace`), or a family of actions ending with a dot (`target.`).
    pub action: Option<String>,
    /// Only events on this kind of object (`ght`, `etablissement`, `membership`, `campaign`, `target`, `token`…).
    pub object_type: Option<String>,
    /// Only events on this object.
    pub object_id: Option<String>,
    /// Only events on or after this day (`AAAA-MM-JJ`, UTC).
    pub from: Option<NaiveDate>,
    /// Only events up to this day included (`AAAA-MM-JJ`, UTC).
    pub until: Option<NaiveDate>,
}

/// The longest text filter accepted: labels and ids are short.
const MAX_FILTER_LEN: usize = 200;

/// Lists audit events.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery, PageParams),
    description = "Le journal des modifications, du plus récent au plus ancien, filtrable par auteur, action, objet et période : qui a changé cette cible, quand, et ce qu'elle était avant (`before`). Le journal ne se modifie pas : aucune route n'en change ni n'en supprime un événement. Rôles : admin, national (tout), regional (les GHT de sa région), ght (son GHT).",
    responses((status = 200, description = "Événements", body = Paginated<AuditEventView>)))]
pub async fn list_audit_events(
    auth: Auth<AuditReaders>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<AuditEventView>>, AppError> {
    let page = page.page()?;
    for (name, value) in [
        ("actor", &query.actor),
        ("action", &query.action),
        ("object_type", &query.object_type),
        ("object_id", &query.object_id),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_FILTER_LEN) {
            return Err(AppError::BadRequest(format!("paramètre {name} : {MAX_FILTER_LEN} caractères au plus")));
        }
    }
    if let (Some(from), Some(until)) = (query.from, query.until)
        && from > until
    {
        return Err(AppError::BadRequest(format!("période vide : du {from} au {until}")));
    }
    let filter = AuditFilter {
        actor: query.actor,
        action: query.action,
        object_type: query.object_type,
        object_id: query.object_id,
        from: query.from.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
        until: query.until.and_then(|d| d.succ_opt()).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc()),
    };
    let events = crate::service::audit::events(&state.db, &auth.principal, filter, page).await?;
    Ok(Json(Paginated::of(events, |e| AuditEventView {
        id: e.id,
        occurred_at: e.occurred_at,
        actor_kind: match (e.actor_token_id, e.actor_user_id) {
            (Some(_), _) => "token",
            (None, Some(_)) => "person",
            (None, None) => "command",
        },
        actor: e.actor,
        action: e.action,
        object_type: e.object_type,
        object_id: e.object_id,
        ght_code: e.ght_code.map(|c| c.to_string()),
        before: e.before,
        after: e.after,
        request_id: e.request_id,
    })))
}
