//! Loading the national referential: the FINESS extract (admin).

use axum::Json;
use axum::extract::State;

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AdminOnly, Auth};
use crate::http::extract::ApiMultipart;
use crate::service::directory::{self, FinessLoadReport};

/// The multipart form of a referential file (documentation only: the
/// handler reads the parts as they stream).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ReferentialForm {
    /// The file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Loads the FINESS extract into the directory.
#[utoipa::path(post, path = "/api/v1/reference/finess", tag = "référentiel",
    request_body(content = ReferentialForm, content_type = "multipart/form-data"),
    description = "Charge l'extraction publique du fichier FINESS des établissements (lignes structureet et geolocalisation ; colonnes ajoutées et autres types de lignes tolérés) dans le répertoire : sites créés, modifiés, inchangés, et fermés à la date de l'extraction quand elle ne les liste plus (jamais supprimés). Une seule transaction ; le même fichier chargé deux fois ne change rien et le dit ; un fichier dont une ligne est illisible ne change rien et chaque ligne fautive est nommée avec son numéro et son champ ; une extraction plus ancienne que la dernière chargée est refusée. Taille limitée comme les dépôts (CONVERGENCE_MAX_UPLOAD_BYTES) : l’extraction nationale complète se charge par `convergence reference load-finess`. Rôle : admin.",
    responses(
        (status = 200, description = "Chargement effectué (ou déjà fait)", body = FinessLoadReport),
        (status = 409, description = "Extraction plus ancienne que la dernière chargée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fichier illisible ou lignes illisibles", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn load_finess(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiMultipart(mut multipart): ApiMultipart,
) -> Result<Json<FinessLoadReport>, AppError> {
    let _worker = state.workers.admit(auth.principal.caller)?;
    let limit = state.settings.max_upload_bytes as u64;
    let mut file = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::multipart(&e, limit))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("finess.csv").to_owned();
            let bytes = field.bytes().await.map_err(|e| AppError::multipart(&e, limit))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        AppError::BadRequest("le formulaire doit contenir l'extraction dans le champ « file »".to_owned())
    })?;
    Ok(Json(directory::load_finess(&state.db, auth.actor(), &name, bytes).await?))
}
