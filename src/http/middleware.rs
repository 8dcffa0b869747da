//! Request-scoped context: request id, timeout, documented-route guard,
//! and the problem documents for routing failures and panics.

use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::problem::problem_response;
use super::request_id::{REQUEST_ID, REQUEST_ID_HEADER};
use crate::error::AppError;

/// The path templates that the OpenAPI document describes. Methods are not
/// compared: a method a path does not route reaches the 405 fallback, which
/// carries the path's `MatchedPath` too.
#[derive(Debug, Clone, Default)]
pub struct DocumentedRoutes(pub Arc<HashSet<String>>);

/// What the context middleware needs.
#[derive(Debug, Clone)]
pub struct ContextConfig {
    /// Routes the OpenAPI document describes.
    pub documented: DocumentedRoutes,
    /// Longest time a request may take.
    pub timeout: Duration,
}

/// Makes the request id available to the handler, refuses to serve a route
/// the OpenAPI document does not describe (a programming error the test
/// suite then catches), and answers 503 past the timeout.
pub async fn request_context(State(config): State<ContextConfig>, request: Request, next: Next) -> Response {
    let request_id =
        request.headers().get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned).unwrap_or_default();
    let undocumented = request
        .extensions()
        .get::<MatchedPath>()
        .filter(|matched| !config.documented.0.contains(matched.as_str()))
        .map(|matched| matched.as_str().to_owned());
    REQUEST_ID
        .scope(request_id, async move {
            if let Some(route) = undocumented {
                return AppError::Internal(anyhow::anyhow!("route {route} is not described by the OpenAPI document"))
                    .into_response();
            }
            match tokio::time::timeout(config.timeout, next.run(request)).await {
                Ok(response) => response,
                Err(_) => AppError::Timeout.into_response(),
            }
        })
        .await
}

/// Answer for a path no route matches: the not-found page for a browser
/// outside the API, a problem document otherwise.
pub async fn route_not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    let browser = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if browser && !uri.path().starts_with("/api/") {
        return crate::http::web::not_found_page();
    }
    problem_response(
        StatusCode::NOT_FOUND,
        "not-found",
        "Ressource introuvable",
        "aucune ressource à cette adresse ; la liste des routes est dans /api/openapi.json".to_owned(),
    )
}

/// Answer for a known path with a method it does not accept.
pub async fn method_not_allowed() -> Response {
    problem_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Méthode non autorisée",
        "cette ressource n'accepte pas cette méthode HTTP ; voir /api/openapi.json".to_owned(),
    )
}

/// Turns a panic in a handler into a problem document; the service goes on.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {message}")).into_response()
}
