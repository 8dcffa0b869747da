//! RFC 9457 problem documents: how every error leaves the service.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::request_id::current_request_id;
use crate::error::AppError;

/// Media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457). `type` is stable and can be matched by
/// clients; `title` and `detail` are French, for people.
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g.
    /// `urn:convergence:problem:not-found`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short French summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// French explanation of this occurrence, saying what to do.
    pub detail: String,
    /// Identifier of the request, to quote when reporting an incident.
    pub request_id: Option<String>,
    /// For a refused inventory: the upload kept with its report.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub upload_id: Option<i64>,
    /// For a refused inventory: the full report.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub report: Option<serde_json::Value>,
}

impl AppError {
    /// HTTP status, stable problem slug and French title of each variant.
    pub(crate) fn classify(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            AppError::Ingest(error) if error.is_size() => {
                (StatusCode::PAYLOAD_TOO_LARGE, error.slug(), "Fichier trop volumineux")
            }
            AppError::Ingest(error) => (StatusCode::UNPROCESSABLE_ENTITY, error.slug(), "Fichier illisible"),
            AppError::InvalidInventory { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid-inventory", "Inventaire refusé")
            }
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentification requise"),
            AppError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden", "Opération non autorisée"),
            AppError::CsrfRejected => (StatusCode::FORBIDDEN, "csrf", "Requête refusée"),
            AppError::SignInRefused(_) => (StatusCode::FORBIDDEN, "sign-in-refused", "Connexion refusée"),
            AppError::Upstream(_) => (StatusCode::BAD_GATEWAY, "upstream", "Service extérieur indisponible"),
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Ressource introuvable"),
            AppError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad-request", "Requête mal formée"),
            AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", "Valeur refusée"),
            AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflit avec l'état actuel"),
            AppError::PayloadTooLarge(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Requête trop volumineuse")
            }
            AppError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout", "Délai dépassé"),
            AppError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Trop de requêtes"),
            AppError::Busy { .. } => (StatusCode::SERVICE_UNAVAILABLE, "busy", "Service occupé"),
            AppError::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service indisponible"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Erreur interne"),
        }
    }
}

/// Builds a problem response for a status that has no `AppError` (routing).
pub fn problem_response(status: StatusCode, slug: &str, title: &str, detail: String) -> Response {
    let problem = Problem {
        problem_type: format!("urn:convergence:problem:{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        request_id: current_request_id(),
        upload_id: None,
        report: None,
    };
    let mut response = (status, axum::Json(problem)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, slug, title) = self.classify();
        match &self {
            AppError::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            // What the spreadsheet library said stays in the log, in its
            // own words; the user reads the French detail.
            AppError::Ingest(error) => {
                tracing::info!(problem = error.slug(), cause = error.cause().unwrap_or_default(), "file refused");
            }
            _ => {}
        }
        let mut response = match &self {
            AppError::InvalidInventory { upload_id, report } => {
                let problem = Problem {
                    problem_type: format!("urn:convergence:problem:{slug}"),
                    title: title.to_owned(),
                    status: status.as_u16(),
                    detail: self.to_string(),
                    request_id: current_request_id(),
                    upload_id: Some(*upload_id),
                    report: serde_json::to_value(report).ok(),
                };
                let mut response = (status, axum::Json(problem)).into_response();
                response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
                response
            }
            _ => problem_response(status, slug, title, self.to_string()),
        };
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let AppError::RateLimited { retry_after } | AppError::Busy { retry_after, .. } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        response
    }
}
