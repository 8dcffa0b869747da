//! GHTs, their members and memberships.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Finess, GhtCode, RegionCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AdminOnly, AnyRole, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageParams, Paginated};
use crate::service::referential;
use crate::store::entities::{ght, ght_membership};
use crate::store::ghts::{GhtPatch, NewGht};

/// A GHT.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GhtView {
    /// Code (`NOR-02`).
    pub code: String,
    /// Name, as registered.
    pub name: String,
    /// Region short code.
    pub region_code: String,
    /// FINESS EJ of the établissement support, once designated.
    pub support_finess_ej: Option<String>,
    /// Whether uploads by établissements count without the DSI's validation.
    pub auto_validate: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<ght::Model> for GhtView {
    fn from(g: ght::Model) -> Self {
        GhtView {
            code: g.code.to_string(),
            name: g.name,
            region_code: g.region_code.to_string(),
            support_finess_ej: g.support_finess_ej.map(|f| f.to_string()),
            auto_validate: g.auto_validate,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// `?region=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GhtFilter {
    /// Only the GHTs of this region.
    pub region: Option<RegionCode>,
}

/// Lists the GHTs the caller sees.
#[utoipa::path(get, path = "/api/v1/ghts", tag = "GHT", params(GhtFilter, PageParams),
    description = "Les GHT visibles par le jeton, par code : tous (admin, national), ceux de la région (regional), le sien (ght, etablissement). Rôles : tous.",
    responses((status = 200, description = "GHT", body = Paginated<GhtView>)))]
pub async fn list_ghts(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<GhtFilter>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<GhtView>>, AppError> {
    let page = page.page()?;
    let found = referential::ghts(&state.db, &auth.principal, filter.region.as_ref(), page).await?;
    Ok(Json(Paginated::of(found, GhtView::from)))
}

/// A new GHT.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateGht {
    /// Code, region prefix first (`NOR-02`).
    pub code: GhtCode,
    /// Name, as registered.
    pub name: String,
    /// Region short code.
    pub region_code: RegionCode,
}

/// Creates a GHT.
#[utoipa::path(post, path = "/api/v1/ghts", tag = "GHT", request_body = CreateGht,
    description = "Crée un GHT (sans membre ; ajoutez-les par /memberships). Rôles : admin.",
    responses(
        (status = 201, description = "GHT créé", body = GhtView),
        (status = 409, description = "Le code existe déjà", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_ght(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateGht>,
) -> Result<(StatusCode, Json<GhtView>), AppError> {
    let name = required_text(&body.name, "name")?;
    let created =
        referential::create_ght(&state.db, auth.actor(), NewGht { code: body.code, name, region: body.region_code })
            .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Reads one GHT.
#[utoipa::path(get, path = "/api/v1/ghts/{code}", tag = "GHT",
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Un GHT ; hors du périmètre du jeton, répond 404 comme s'il n'existait pas. Rôles : tous.",
    responses((status = 200, description = "GHT", body = GhtView)))]
pub async fn get_ght(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<GhtView>, AppError> {
    let code = parse_code(&code)?;
    Ok(Json(crate::service::access::readable_ght(state.db.reader(), &auth.principal, &code).await?.into()))
}

/// Changes to a GHT.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchGht {
    /// New name (admin).
    pub name: Option<String>,
    /// New établissement support, a current member (admin).
    pub support_finess_ej: Option<Finess>,
    /// Count établissements' uploads without validation (admin, or the GHT's DSI).
    pub auto_validate: Option<bool>,
}

/// Changes a GHT.
#[utoipa::path(patch, path = "/api/v1/ghts/{code}", tag = "GHT", request_body = PatchGht,
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Modifie un GHT. Rôles : admin (tout), ght (son GHT, `auto_validate` seulement).",
    responses(
        (status = 200, description = "GHT modifié", body = GhtView),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_ght(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<PatchGht>,
) -> Result<Json<GhtView>, AppError> {
    let code = parse_code(&code)?;
    let name = body.name.as_deref().map(|n| required_text(n, "name")).transpose()?;
    let patch = GhtPatch { name, support_finess_ej: body.support_finess_ej, auto_validate: body.auto_validate };
    let updated = referential::update_ght(&state.db, auth.actor(), &code, patch).await?;
    Ok(Json(updated.into()))
}

/// A member of a GHT on a date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberView {
    /// FINESS EJ.
    pub finess_ej: String,
    /// Name, as registered.
    pub name: String,
    /// FINESS category.
    pub category: Option<String>,
    /// Commune, from the FINESS directory or as registered.
    pub commune: Option<String>,
    /// Whether it is the établissement support.
    pub is_support: bool,
    /// The membership row.
    pub membership: MembershipView,
}

/// A membership of an établissement in a GHT.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MembershipView {
    /// Identifier (to end it).
    pub id: i64,
    /// GHT code.
    pub ght_code: String,
    /// FINESS EJ.
    pub finess_ej: String,
    /// First day in the GHT.
    pub valid_from: NaiveDate,
    /// First day outside the GHT, once ended.
    pub valid_to: Option<NaiveDate>,
}

impl From<ght_membership::Model> for MembershipView {
    fn from(m: ght_membership::Model) -> Self {
        MembershipView {
            id: m.id,
            ght_code: m.ght_code.to_string(),
            finess_ej: m.finess_ej.to_string(),
            valid_from: m.valid_from,
            valid_to: m.valid_to,
        }
    }
}

/// `?at=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtDate {
    /// Date of the composition (default: today).
    pub at: Option<NaiveDate>,
}

/// Lists a GHT's établissements on a date.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/etablissements", tag = "GHT",
    params(("code" = String, Path, description = "Code du GHT"), AtDate),
    description = "Les établissements parties du GHT à une date (aujourd'hui par défaut), par FINESS. Rôles : tous.",
    responses((status = 200, description = "Établissements parties", body = Vec<MemberView>)))]
pub async fn list_ght_etablissements(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(at): ApiQuery<AtDate>,
) -> Result<Json<Vec<MemberView>>, AppError> {
    let code = parse_code(&code)?;
    let on = at.at.unwrap_or_else(|| Utc::now().date_naive());
    let (ght, members) = referential::members(&state.db, &auth.principal, &code, on).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|(m, e)| MemberView {
                is_support: ght.support_finess_ej.as_ref() == Some(&e.finess_ej),
                finess_ej: e.finess_ej.to_string(),
                name: e.name,
                category: e.category,
                commune: e.commune,
                membership: m.into(),
            })
            .collect(),
    ))
}

/// A new membership.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AddMembership {
    /// FINESS EJ of a registered établissement.
    pub finess_ej: Finess,
    /// First day in the GHT.
    pub valid_from: NaiveDate,
    /// Admit an établissement of another region than the GHT's, on purpose
    /// (recorded in the audit trail); refused otherwise.
    #[serde(default)]
    pub other_region: bool,
}

/// Adds an établissement to a GHT.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/memberships", tag = "GHT", request_body = AddMembership,
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Ajoute un établissement partie à partir d'une date. Un établissement n'appartient qu'à un GHT à la fois, et relève de la région du GHT : un établissement d'une autre région n'est admis qu'avec `other_region: true` (journalisé). Rôles : admin.",
    responses(
        (status = 201, description = "Adhésion créée", body = MembershipView),
        (status = 409, description = "Déjà membre d'un GHT", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_membership(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<AddMembership>,
) -> Result<(StatusCode, Json<MembershipView>), AppError> {
    let code = parse_code(&code)?;
    let created =
        referential::add_member(&state.db, auth.actor(), &code, &body.finess_ej, body.valid_from, body.other_region)
            .await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// The end of a membership.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EndMembership {
    /// First day outside the GHT.
    pub valid_to: NaiveDate,
}

/// Ends a membership (history is kept).
#[utoipa::path(post, path = "/api/v1/ghts/{code}/memberships/{id}/end", tag = "GHT", request_body = EndMembership,
    params(("code" = String, Path, description = "Code du GHT"), ("id" = i64, Path, description = "Identifiant de l'adhésion")),
    description = "Termine une adhésion à une date (fusion, départ) ; l'historique est conservé. Rôles : admin.",
    responses(
        (status = 200, description = "Adhésion terminée", body = MembershipView),
        (status = 409, description = "Déjà terminée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Date refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_membership(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath((code, id)): ApiPath<(String, i64)>,
    ApiJson(body): ApiJson<EndMembership>,
) -> Result<Json<MembershipView>, AppError> {
    let code = parse_code(&code)?;
    let ended = referential::end_membership(&state.db, auth.actor(), &code, id, body.valid_to).await?;
    Ok(Json(ended.into()))
}

pub(super) use crate::http::extract::ght_in_path as parse_code;

/// A trimmed, non-empty text field.
pub(super) fn required_text(value: &str, field: &str) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(AppError::Invalid(format!("le champ {field} ne peut pas être vide")))
    } else {
        Ok(trimmed.to_owned())
    }
}
