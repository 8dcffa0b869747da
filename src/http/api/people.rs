//! People granted a role (admin).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AdminOnly, Auth};
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::anchors::Anchor;
use crate::service::people::{self, NewGrant, Who};
use crate::store::entities::user_account;

/// A person and their grant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PersonView {
    /// Identifier.
    pub id: i64,
    /// E-mail (lower-cased).
    pub email: String,
    /// Name, as the identity provider gave it at the last sign-in.
    pub display_name: Option<String>,
    /// Role.
    pub role: String,
    /// GHT (role `ght`).
    pub ght_code: Option<String>,
    /// Region (role `regional`).
    pub region_code: Option<String>,
    /// Établissement (role `etablissement`).
    pub finess_ej: Option<String>,
    /// Whether the person has signed in once (their identity is then bound).
    pub bound: bool,
    /// Last sign-in.
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// When the grant was withdrawn.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<user_account::Model> for PersonView {
    fn from(p: user_account::Model) -> Self {
        PersonView {
            id: p.id,
            email: p.email,
            display_name: p.display_name,
            role: p.role,
            ght_code: p.ght_code.map(|c| c.to_string()),
            region_code: p.region_code.map(|c| c.to_string()),
            finess_ej: p.finess_ej.map(|f| f.to_string()),
            bound: p.subject.is_some(),
            last_sign_in_at: p.last_sign_in_at,
            revoked_at: p.revoked_at,
        }
    }
}

/// A grant.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The person's e-mail, as the identity provider sends it.
    pub email: String,
    /// `admin`, `national`, `regional`, `ght` or `etablissement`.
    pub role: Role,
    /// GHT code, for role `ght`.
    pub ght_code: Option<String>,
    /// Region code, for role `regional`.
    pub region_code: Option<String>,
    /// FINESS EJ, for role `etablissement`.
    pub finess_ej: Option<String>,
}

fn parsed<T, E: std::fmt::Display>(
    raw: Option<&str>,
    field: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, AppError> {
    raw.map(|v| parse(v).map_err(|e| AppError::Invalid(format!("{field} : {e}")))).transpose()
}

/// Lists the people granted a role.
#[utoipa::path(get, path = "/api/v1/users", tag = "connexion",
    description = "Les personnes à qui un rôle est accordé (connexion OpenID Connect), par adresse. Rôles : admin.",
    responses((status = 200, description = "Personnes", body = Vec<PersonView>)))]
pub async fn list_people(
    _auth: Auth<AdminOnly>,
    State(state): State<AppState>,
) -> Result<Json<Vec<PersonView>>, AppError> {
    Ok(Json(people::list(&state.db).await?.into_iter().map(PersonView::from).collect()))
}

/// Grants a role to a person.
#[utoipa::path(post, path = "/api/v1/users", tag = "connexion", request_body = GrantBody,
    description = "Accorde un rôle et un périmètre à une adresse électronique (nouvelle personne, ou nouveau rôle d'une personne connue, y compris retirée). Journalisé. Rôles : admin.",
    responses(
        (status = 201, description = "Accordé", body = PersonView),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn grant_person(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<GrantBody>,
) -> Result<(StatusCode, Json<PersonView>), AppError> {
    let anchor = Anchor {
        ght: parsed(body.ght_code.as_deref(), "ght_code", GhtCode::parse)?,
        region: parsed(body.region_code.as_deref(), "region_code", RegionCode::parse)?,
        finess: parsed(body.finess_ej.as_deref(), "finess_ej", Finess::parse)?,
    };
    let saved = people::grant(&state.db, auth.actor(), NewGrant { email: body.email, role: body.role, anchor }).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// Withdraws a person's grant.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "connexion",
    params(("id" = i64, Path, description = "Identifiant de la personne")),
    description = "Retire les droits d'une personne et ferme ses sessions à l'instant. Journalisé. Rôles : admin.",
    responses((status = 200, description = "Retiré", body = PersonView)))]
pub async fn revoke_person(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PersonView>, AppError> {
    Ok(Json(people::revoke(&state.db, auth.actor(), Who::Id(id)).await?.into()))
}
