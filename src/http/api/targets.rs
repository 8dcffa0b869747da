//! A GHT's targets (dated versions) and its declared governance answers.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::domain::AnswerStatus;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::service::targets::{self as target_service, NamedTargets, ProposedTargets};
use crate::store::answers::Answer;

/// The target product of a sub-domain.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetProduct {
    /// Sub-domain (`DPI.CORE`).
    pub subdomain: String,
    /// Catalogue id of the target product.
    pub product_id: i64,
    /// Its name (in answers only).
    #[serde(default, skip_deserializing)]
    pub product: Option<String>,
}

/// A planned migration of one établissement onto a sub-domain's target.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedMigration {
    /// The établissement (FINESS juridique).
    pub finess_ej: String,
    /// Sub-domain.
    pub subdomain: String,
    /// Planned date.
    pub planned_on: NaiveDate,
}

/// A whole set of targets, as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TargetsInput {
    /// Target product per sub-domain.
    pub products: Vec<TargetProduct>,
    /// Planned migrations.
    #[serde(default)]
    pub migrations: Vec<PlannedMigration>,
    /// Why this version.
    pub comment: Option<String>,
}

/// A version of a GHT's targets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetsView {
    /// Version id (increasing).
    pub version: i64,
    /// When it was set.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
    /// Why this change was made (shown in the trail).
    pub comment: Option<String>,
    /// Target product per sub-domain.
    pub products: Vec<TargetProduct>,
    /// Planned migrations.
    pub migrations: Vec<PlannedMigration>,
}

/// `?at=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The version in force at the end of that day (default: the current one).
    pub at: Option<NaiveDate>,
}

/// Reads a GHT's targets.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/targets", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), AtQuery),
    description = "Les cibles du GHT : la version en vigueur, ou avec `at` celle en vigueur ce jour-là (pour relire une trajectoire « telle que prévue alors »). 404 si le GHT n'a pas encore de cibles. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Cibles", body = TargetsView)))]
pub async fn get_targets(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
) -> Result<Json<TargetsView>, AppError> {
    let code = parse_code(&code)?;
    let found = target_service::in_force(&state.db, &auth.principal, &code, query.at).await?;
    Ok(Json(view(found)))
}

/// Replaces a GHT's targets.
#[utoipa::path(put, path = "/api/v1/ghts/{code}/targets", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT")), request_body = TargetsInput,
    description = "Remplace l'ensemble des cibles du GHT par une nouvelle version datée (les précédentes sont gardées) : produit cible par sous-domaine, date de migration prévue par établissement × sous-domaine. Un produit fusionné dans un autre est refusé comme cible. Les indicateurs des campagnes ouvertes sont recalculés dans la même transaction ; le changement est journalisé. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Nouvelle version", body = TargetsView),
        (status = 422, description = "Sous-domaine, produit ou établissement refusé", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_targets(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<TargetsInput>,
) -> Result<Json<TargetsView>, AppError> {
    let code = parse_code(&code)?;
    let proposed = ProposedTargets {
        products: body.products.into_iter().map(|p| (p.subdomain, p.product_id)).collect(),
        migrations: body.migrations.into_iter().map(|m| (m.finess_ej, m.subdomain, m.planned_on)).collect(),
        comment: body.comment,
    };
    let current = target_service::replace(&state.db, auth.actor(), &code, proposed).await?;
    Ok(Json(view(current)))
}

fn view(found: NamedTargets) -> TargetsView {
    let NamedTargets { version: found, names } = found;
    let products = found
        .products
        .into_iter()
        .map(|p| TargetProduct {
            product: names.get(&p.product_id).cloned(),
            subdomain: p.subdomain_code.to_string(),
            product_id: p.product_id,
        })
        .collect();
    TargetsView {
        version: found.version.id,
        created_at: found.version.created_at,
        created_by: found.version.created_by,
        comment: found.version.comment,
        products,
        migrations: found
            .migrations
            .into_iter()
            .map(|m| PlannedMigration {
                finess_ej: m.finess_ej.to_string(),
                subdomain: m.subdomain_code.to_string(),
                planned_on: m.planned_on,
            })
            .collect(),
    }
}

/// A governance answer.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// `non_demarre`, `en_cours` or `realise`.
    pub status: String,
    /// Date of the status (when the SDSI was validated…).
    pub status_date: Option<NaiveDate>,
    /// Free comment, as written.
    pub comment: Option<String>,
}

/// Declares a governance item for a campaign.
#[utoipa::path(put, path = "/api/v1/ghts/{code}/campaigns/{year}/answers/{indicator}", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i64, Path, description = "Campagne"), ("indicator" = String, Path, description = "Indicateur déclaratif (GOV.SDSI…)")),
    request_body = AnswerInput,
    description = "Déclare (ou remplace) la réponse du GHT à un indicateur de gouvernance pour une campagne ouverte : statut non_demarre / en_cours / realise, date, commentaire. Journalisé. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Réponse enregistrée", body = AnswerInput),
        (status = 409, description = "Campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Indicateur ou statut refusé", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_answer(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath((code, year, indicator)): ApiPath<(String, i64, String)>,
    ApiJson(body): ApiJson<AnswerInput>,
) -> Result<Json<AnswerInput>, AppError> {
    let code = parse_code(&code)?;
    let year = super::campaigns::year_in_path(year)?;
    let status = AnswerStatus::parse(&body.status).ok_or_else(|| {
        AppError::Invalid(format!("« {} » n'est pas un statut : non_demarre, en_cours ou realise", body.status))
    })?;
    let answer = Answer { indicator_code: indicator, status, status_date: body.status_date, comment: body.comment };
    let saved = target_service::declare_answer(&state.db, auth.actor(), &code, year, answer).await?;
    Ok(Json(AnswerInput { status: saved.status.to_string(), status_date: saved.status_date, comment: saved.comment }))
}
