//! The audit trail.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AuditReaders, Auth};
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageParams, Paginated};
use crate::store::audit::{self, AuditFilter};

/// One audited change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEventView {
    /// Identifier (increasing).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who (the token's label, or `cli:…` for a command).
    pub actor: String,
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

/// `?object_type=&object_id=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events on this kind of object (`ght`, `etablissement`, `membership`, `campaign`, `token`).
    pub object_type: Option<String>,
    /// Only events on this object.
    pub object_id: Option<String>,
}

/// Lists audit events.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery, PageParams),
    description = "Le journal des modifications, du plus récent au plus ancien. Rôles : admin, national (tout), ght (son GHT).",
    responses((status = 200, description = "Événements", body = Paginated<AuditEventView>)))]
pub async fn list_audit_events(
    auth: Auth<AuditReaders>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<AuditEventView>>, AppError> {
    let page = page.page()?;
    let filter = AuditFilter { object_type: query.object_type, object_id: query.object_id };
    let events = audit::list(state.db.reader(), &auth.principal, filter, page).await?;
    Ok(Json(Paginated::of(events, |e| AuditEventView {
        id: e.id,
        occurred_at: e.occurred_at,
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
