//! Loading the national referential: the FINESS extract and the DGOS list
//! of GHTs (admin).

use axum::Json;
use axum::extract::State;

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AdminOnly, Auth};
use crate::http::extract::{ApiMultipart, file_part};
use crate::service::directory::{self, FinessLoadReport};
use crate::service::ght_list::{self, GhtListReport};

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
    description = "Charge l'extraction publique du fichier FINESS des établissements (lignes structureet et geolocalisation ; colonnes ajoutées et autres types de lignes tolérés) dans le répertoire : sites créés, modifiés, inchangés, et fermés à la date de l'extraction quand elle ne les liste plus (jamais supprimés). Une seule transaction ; le même fichier chargé deux fois ne change rien et le dit ; un fichier dont une ligne est illisible ne change rien et chaque ligne fautive est nommée avec son numéro et son champ ; une extraction plus ancienne que la dernière chargée est refusée. Taille limitée par CONVERGENCE_MAX_REFERENCE_BYTES (64 Mio par défaut : l'extraction nationale complète y tient). Rôles : admin.",
    responses(
        (status = 200, description = "Chargement effectué (ou déjà fait)", body = FinessLoadReport),
        (status = 409, description = "Extraction plus ancienne que la dernière chargée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fichier illisible ou lignes illisibles", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn load_finess(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Json<FinessLoadReport>, AppError> {
    let _worker = state.workers.admit(auth.principal.caller)?;
    let (name, bytes) = file_part(multipart, state.settings.max_reference_bytes, "finess.csv").await?;
    Ok(Json(directory::load_finess(&state.db, auth.actor(), &name, bytes).await?))
}

/// `?effective=`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GhtListQuery {
    /// Date d'effet des adhésions (AAAA-MM-JJ ; par défaut aujourd'hui).
    pub effective: Option<chrono::NaiveDate>,
}

/// Loads the DGOS list of GHTs.
#[utoipa::path(post, path = "/api/v1/reference/ghts", tag = "référentiel",
    params(GhtListQuery),
    request_body(content = ReferentialForm, content_type = "multipart/form-data"),
    description = "Charge la liste des GHT de la DGOS (disposition 2017 : REGION, DENOMINATION GHT, CODE GHT, FINESS… ; 2024 : GHT_CODE, GHT_LIB, ARS_CODE, ES_FINESS, GHT_SUPPORT… ; en-tête cherché dans les 30 premières lignes). Crée les GHT et établissements manquants (un établissement à plusieurs sites prend le nom de la liste), fixe l'établissement support, et les adhésions à la date d'effet : un établissement qui change de GHT voit son adhésion close et une nouvelle ouverte, un établissement qui n'est plus listé dans son GHT le quitte ; l'histoire n'est jamais réécrite. Une seule transaction ; les indicateurs des campagnes ouvertes des GHT touchés sont recalculés une fois à la fin. La même liste chargée deux fois ne change rien et le dit ; une ligne illisible (code de GHT, FINESS) refuse le fichier en la nommant. Rôles : admin.",
    responses(
        (status = 200, description = "Chargement effectué (ou sans effet)", body = GhtListReport),
        (status = 409, description = "Date d'effet antérieure à une adhésion en cours", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Classeur illisible ou lignes illisibles", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn load_ght_list(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    crate::http::extract::ApiQuery(query): crate::http::extract::ApiQuery<GhtListQuery>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Json<GhtListReport>, AppError> {
    let _worker = state.workers.admit(auth.principal.caller)?;
    let (name, bytes) = file_part(multipart, state.settings.max_reference_bytes, "liste_ght.xlsx").await?;
    let report =
        ght_list::load_ght_list(&state.db, &state.worker, auth.actor(), &name, &bytes, query.effective).await?;
    Ok(Json(report))
}
