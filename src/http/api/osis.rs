//! The OSIS submission of a GHT's campaign: its contract, its push, and
//! the record of each submission.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::ghts::parse_code;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth, GhtWriters};
use crate::http::extract::ApiPath;
use crate::service::indicators as indicator_service;
use crate::service::osis::{self, OsisSubmission, SubmissionView};

/// The submission as DGOS pulls it.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/campaigns/{year}/osis.json", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i64, Path, description = "Campagne")),
    description = "La soumission OSIS du GHT pour une campagne, au contrat convergence.osis/1 : le GHT, la campagne, la version du schéma d'indicateurs, chaque valeur calculée et déclarée avec sa part connue, la complétude, et l'empreinte du contenu (les mêmes valeurs donnent la même empreinte). En lecture seule, pour que la DGOS la tire. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Soumission", body = OsisSubmission)))]
pub async fn osis_json(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i64)>,
) -> Result<Json<OsisSubmission>, AppError> {
    let code = parse_code(&code)?;
    let year = super::campaigns::year_in_path(year)?;
    let readable = indicator_service::readable(&state.db, &auth.principal, &code).await?;
    Ok(Json(osis::submission(&state.db, &readable, year).await?))
}

/// Pushes the submission to OSIS.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/campaigns/{year}/submit", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i64, Path, description = "Campagne")),
    description = "Envoie la soumission OSIS du GHT pour la campagne au point de collecte configuré (POST {base}/submissions, jeton porteur, en-tête Idempotency-Key). Idempotent : la clé (GHT, campagne, version du schéma, empreinte du contenu) fait qu'un envoi répété ou rejoué n'est jamais compté deux fois — un contenu déjà accepté est répondu tel quel (200, already_sent), un envoi échoué est retenté. Chaque tentative, l'état final et la réponse sont enregistrés (GET …/submissions). Sans configuration, répond 409. Rôles : admin, ght (son GHT).",
    responses(
        (status = 201, description = "Envoyée et acceptée", body = SubmissionView),
        (status = 200, description = "Déjà envoyée : rien n'a été renvoyé", body = SubmissionView),
        (status = 409, description = "Envoi non configuré, ou en cours ailleurs", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Le point de collecte a échoué (tentatives enregistrées)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i64)>,
) -> Result<(StatusCode, Json<SubmissionView>), AppError> {
    let code = parse_code(&code)?;
    let year = super::campaigns::year_in_path(year)?;
    let done = osis::submit(&state.db, auth.actor(), state.osis.as_deref(), &code, year).await?;
    let status = if done.already_sent { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(done)))
}

/// The GHT's submissions.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/submissions", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Les soumissions OSIS du GHT, la plus récente d'abord, chacune avec son état, la réponse du point de collecte et chaque tentative. Rôles : tous (dans leur périmètre) : le GHT et la DGOS les voient.",
    responses((status = 200, description = "Soumissions", body = Vec<SubmissionView>)))]
pub async fn list_submissions(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<SubmissionView>>, AppError> {
    let code = parse_code(&code)?;
    Ok(Json(osis::of_ght(&state.db, &auth.principal, &code).await?))
}
