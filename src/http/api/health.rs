//! Liveness and readiness probes (no authentication: load balancers call them).

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::AppError;
use crate::http::AppState;

/// Probe answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when healthy.
    pub status: &'static str,
}

/// The process is alive.
#[utoipa::path(get, path = "/healthz", tag = "exploitation",
    description = "Le processus répond. Sans authentification.",
    responses((status = 200, description = "Vivant", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers: the replica can take traffic.
#[utoipa::path(get, path = "/readyz", tag = "exploitation",
    description = "La base de données répond : l'instance peut recevoir du trafic. Sans authentification.",
    responses(
        (status = 200, description = "Prêt", body = Health),
        (status = 503, description = "Base de données injoignable", body = crate::http::problem::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.db.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        AppError::Unavailable
    })?;
    Ok(Json(Health { status: "ok" }))
}
