//! Établissements (FINESS EJ) and their sites.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::ghts::{MembershipView, required_text};
use crate::domain::Finess;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AdminOnly, AnyRole, Auth};
use crate::http::extract::{ApiJson, ApiPath};
use crate::store::etablissements::{EtablissementDetails, EtablissementPatch, NewEtablissement, NewSite};

/// An établissement with its sites and memberships.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EtablissementView {
    /// FINESS juridique.
    pub finess_ej: String,
    /// Name, as registered.
    pub name: String,
    /// FINESS category.
    pub category: Option<String>,
    /// Département code.
    pub departement: Option<String>,
    /// Commune, from the FINESS directory or as registered.
    pub commune: Option<String>,
    /// Sites (FINESS géographique).
    pub sites: Vec<SiteView>,
    /// GHT memberships, oldest first.
    pub memberships: Vec<MembershipView>,
}

/// A site of an établissement.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SiteView {
    /// FINESS géographique.
    pub finess_et: Finess,
    /// Name, as registered.
    pub name: String,
    /// Commune, from the FINESS directory or as registered.
    pub commune: Option<String>,
}

impl From<EtablissementDetails> for EtablissementView {
    fn from(d: EtablissementDetails) -> Self {
        let e = d.etablissement;
        EtablissementView {
            finess_ej: e.finess_ej.to_string(),
            name: e.name,
            category: e.category,
            departement: e.departement,
            commune: e.commune,
            sites: d
                .sites
                .into_iter()
                .map(|s| SiteView { finess_et: s.finess_et, name: s.name, commune: s.commune })
                .collect(),
            memberships: d.memberships.into_iter().map(|(m, _)| m.into()).collect(),
        }
    }
}

/// Reads one établissement.
#[utoipa::path(get, path = "/api/v1/etablissements/{finess}", tag = "établissements",
    params(("finess" = String, Path, description = "FINESS juridique")),
    description = "Un établissement, ses sites et ses adhésions ; hors du périmètre du jeton, répond 404. Rôles : tous.",
    responses((status = 200, description = "Établissement", body = EtablissementView)))]
pub async fn get_etablissement(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(finess): ApiPath<String>,
) -> Result<Json<EtablissementView>, AppError> {
    let finess = parse_finess(&finess)?;
    Ok(Json(crate::service::access::readable_etablissement(state.db.reader(), &auth.principal, &finess).await?.into()))
}

/// A new établissement. Fields left out are taken from the FINESS hospital
/// directory shipped with the service, when the EJ is in it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CreateEtablissement {
    /// FINESS juridique.
    pub finess_ej: Finess,
    /// Name (default: from the directory).
    pub name: Option<String>,
    /// Category (default: from the directory).
    pub category: Option<String>,
    /// Commune (default: from the directory).
    pub commune: Option<String>,
    /// Sites (default: the directory's sites of this EJ).
    pub sites: Option<Vec<SiteView>>,
}

/// Registers an établissement.
#[utoipa::path(post, path = "/api/v1/etablissements", tag = "établissements", request_body = CreateEtablissement,
    description = "Enregistre un établissement (EJ) et ses sites ; ce qui manque est complété depuis le répertoire FINESS des hôpitaux. Rôles : admin.",
    responses(
        (status = 201, description = "Établissement enregistré", body = EtablissementView),
        (status = 409, description = "Déjà enregistré", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_etablissement(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CreateEtablissement>,
) -> Result<(StatusCode, Json<EtablissementView>), AppError> {
    let name = body.name.as_deref().map(|n| required_text(n, "name")).transpose()?;
    let sites = body.sites.map(|sites| {
        sites.into_iter().map(|s| NewSite { finess_et: s.finess_et, name: s.name, commune: s.commune }).collect()
    });
    let new =
        NewEtablissement { finess_ej: body.finess_ej, name, category: body.category, commune: body.commune, sites };
    let created = crate::service::referential::create_etablissement(&state.db, auth.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// Changes to an établissement.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchEtablissement {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New commune.
    pub commune: Option<String>,
}

/// Changes an établissement.
#[utoipa::path(patch, path = "/api/v1/etablissements/{finess}", tag = "établissements", request_body = PatchEtablissement,
    params(("finess" = String, Path, description = "FINESS juridique")),
    description = "Modifie le nom, la catégorie ou la commune d'un établissement. Rôles : admin.",
    responses((status = 200, description = "Établissement modifié", body = EtablissementView)))]
pub async fn patch_etablissement(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(finess): ApiPath<String>,
    ApiJson(body): ApiJson<PatchEtablissement>,
) -> Result<Json<EtablissementView>, AppError> {
    let finess = parse_finess(&finess)?;
    let name = body.name.as_deref().map(|n| required_text(n, "name")).transpose()?;
    let patch = EtablissementPatch { name, category: body.category, commune: body.commune };
    let updated = crate::service::referential::update_etablissement(&state.db, auth.actor(), &finess, patch).await?;
    Ok(Json(updated.into()))
}

/// A FINESS from a path: a malformed number names no établissement, hence 404.
pub(super) fn parse_finess(raw: &str) -> Result<Finess, AppError> {
    Finess::parse(raw).map_err(|_| AppError::not_found(format!("établissement {raw} introuvable")))
}
