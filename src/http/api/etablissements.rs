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
    /// The legal entities merged into this one, oldest first.
    pub predecessors: Vec<SuccessionView>,
    /// The legal entities this one was merged into, oldest first.
    pub successors: Vec<SuccessionView>,
}

/// A succession of legal entities, seen from one of them.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuccessionView {
    /// The other legal entity (FINESS juridique).
    pub finess_ej: String,
    /// The first day of the successor.
    pub effective_on: chrono::NaiveDate,
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
            predecessors: d
                .predecessors
                .into_iter()
                .map(|s| SuccessionView { finess_ej: s.predecessor_ej, effective_on: s.effective_on })
                .collect(),
            successors: d
                .successors
                .into_iter()
                .map(|s| SuccessionView { finess_ej: s.successor_ej, effective_on: s.effective_on })
                .collect(),
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
    let annuaire = state.annuaire.as_deref();
    let created = crate::service::referential::create_etablissement(&state.db, auth.actor(), new, annuaire).await?;
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

/// A succession to record.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSuccession {
    /// The legal entity that succeeds (FINESS juridique).
    pub successor: Finess,
    /// Its first day (the predecessor's membership ends that day).
    pub date: chrono::NaiveDate,
    /// The successor's name, when it is not yet registered and the directory
    /// lists several sites for it.
    pub name: Option<String>,
}

/// Records that an établissement became (part of) another.
#[utoipa::path(post, path = "/api/v1/etablissements/{finess}/succession", tag = "établissements",
    params(("finess" = String, Path, description = "FINESS juridique du prédécesseur")),
    request_body = CreateSuccession,
    description = "Enregistre une succession d'entités juridiques (fusion : CH d'Ancenis et CH de Candé devenus CH Erdre et Loire) : l'adhésion du prédécesseur se termine à la date, celle du successeur commence le même jour dans le même GHT (s'il n'en est pas déjà membre) ; les campagnes postérieures attendent l'inventaire du successeur seul, les campagnes passées gardent le prédécesseur. Le successeur est enregistré depuis le répertoire s'il ne l'est pas. L'histoire n'est jamais réécrite ; la même succession deux fois est refusée. Répond le successeur. Rôles : admin.",
    responses(
        (status = 201, description = "Succession enregistrée", body = EtablissementView),
        (status = 404, description = "Prédécesseur inconnu", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Déjà enregistrée, ou adhésions incompatibles", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_succession(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(finess): ApiPath<String>,
    ApiJson(body): ApiJson<CreateSuccession>,
) -> Result<(StatusCode, Json<EtablissementView>), AppError> {
    let predecessor = parse_finess(&finess)?;
    let name = body.name.as_deref().map(|n| required_text(n, "name")).transpose()?;
    let successor = crate::service::referential::record_succession(
        &state.db,
        auth.actor(),
        &predecessor,
        &body.successor,
        body.date,
        name,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(successor.into())))
}
