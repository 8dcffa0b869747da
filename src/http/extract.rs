//! Extractors whose rejections are problem documents in French, instead of
//! axum's plain-text defaults.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::AppError;

/// A JSON body.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// Path parameters.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => AppError::Invalid(format!("contenu JSON refusé : {}", e.body_text())),
            JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!("JSON illisible : {}", e.body_text())),
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("l'en-tête Content-Type doit être application/json".to_owned())
            }
            JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge(
                    "la requête dépasse la taille maximale autorisée (variable CONVERGENCE_MAX_UPLOAD_BYTES)"
                        .to_owned(),
                )
            }
            other => AppError::BadRequest(format!("corps de requête illisible : {}", other.body_text())),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(format!("paramètre de requête invalide : {}", rejection.body_text()))
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::NotFound(format!("ressource introuvable : {}", rejection.body_text()))
    }
}
