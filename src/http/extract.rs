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
            JsonRejection::JsonDataError(e) => {
                AppError::Invalid(format!("contenu JSON refusé : {}", french(&e.body_text())))
            }
            JsonRejection::JsonSyntaxError(e) => {
                AppError::BadRequest(format!("JSON illisible : {}", french(&e.body_text())))
            }
            JsonRejection::MissingJsonContentType(_) => {
                AppError::BadRequest("l'en-tête Content-Type doit être application/json".to_owned())
            }
            JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge(
                    "la requête dépasse la taille maximale autorisée (variable CONVERGENCE_MAX_UPLOAD_BYTES)"
                        .to_owned(),
                )
            }
            _ => AppError::BadRequest("corps de requête illisible".to_owned()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(format!("paramètre de requête invalide : {}", french(&rejection.body_text())))
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        // A path that does not parse names nothing that exists.
        AppError::NotFound("ressource introuvable : l'identifiant dans l'adresse n'est pas valide".to_owned())
    }
}

/// Rewrites what axum and serde say in English: their prefixes go, their
/// usual phrases are translated. Messages of the domain types (already
/// French) pass through.
fn french(text: &str) -> String {
    let mut text = text.to_owned();
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to parse the request body as JSON: ",
        "Failed to deserialize query string: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest.to_owned();
        }
    }
    for (english, french) in [
        ("missing field", "champ obligatoire manquant :"),
        ("unknown field", "champ inconnu :"),
        ("invalid type:", "type de valeur invalide :"),
        ("invalid value:", "valeur invalide :"),
        ("expected one of", "valeurs attendues :"),
        ("expected", "attendu"),
        ("a string", "une chaîne"),
        ("an integer", "un entier"),
        ("a boolean", "un booléen"),
        ("input contains invalid characters", "la date ou le nombre contient des caractères invalides"),
        ("premature end of input", "valeur incomplète"),
        ("EOF while parsing", "fin de texte inattendue en lisant"),
        ("an object", "un objet"),
        ("a value", "une valeur"),
        ("at line", "à la ligne"),
        ("column", "colonne"),
    ] {
        text = text.replace(english, french);
    }
    text
}
