//! Campaigns.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::CampaignYear;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth, CampaignManagers};
use crate::http::extract::{ApiJson, ApiPath};
use crate::service::referential;
use crate::store::entities::campaign;

/// A campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    /// Year that identifies it.
    pub year: i32,
    /// The date whose state it describes (default 1 January).
    pub reference_date: NaiveDate,
    /// Date by which inventories are expected.
    pub deadline: Option<NaiveDate>,
    /// `open` (uploads accepted) or `closed` (frozen).
    pub status: String,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<campaign::Model> for CampaignView {
    fn from(c: campaign::Model) -> Self {
        CampaignView {
            year: c.year.get(),
            reference_date: c.reference_date,
            deadline: c.deadline,
            status: c.status.to_string(),
            opened_at: c.opened_at,
            closed_at: c.closed_at,
        }
    }
}

/// Lists campaigns.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campagnes",
    description = "Les campagnes, de la plus récente à la plus ancienne. Rôles : tous.",
    responses((status = 200, description = "Campagnes", body = Vec<CampaignView>)))]
pub async fn list_campaigns(
    _auth: Auth<AnyRole>,
    State(state): State<AppState>,
) -> Result<Json<Vec<CampaignView>>, AppError> {
    Ok(Json(crate::service::reference::campaigns(&state.db).await?.into_iter().map(Into::into).collect()))
}

/// A campaign to open.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OpenCampaign {
    /// Year (2016 to 2100).
    pub year: CampaignYear,
    /// Reference date (default 1 January of the year).
    pub reference_date: Option<NaiveDate>,
    /// Deadline for inventories.
    pub deadline: Option<NaiveDate>,
}

/// Opens a campaign.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campagnes", request_body = OpenCampaign,
    description = "Ouvre une campagne annuelle. Rôles : admin, national.",
    responses(
        (status = 201, description = "Campagne ouverte", body = CampaignView),
        (status = 409, description = "La campagne existe déjà", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Valeur refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn open_campaign(
    auth: Auth<CampaignManagers>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<OpenCampaign>,
) -> Result<(StatusCode, Json<CampaignView>), AppError> {
    let opened =
        referential::open_campaign(&state.db, auth.actor(), body.year, body.reference_date, body.deadline).await?;
    Ok((StatusCode::CREATED, Json(opened.into())))
}

/// Closes a campaign.
#[utoipa::path(post, path = "/api/v1/campaigns/{year}/close", tag = "campagnes",
    params(("year" = i32, Path, description = "Année de la campagne")),
    description = "Clôt une campagne : ses inventaires et indicateurs sont figés. Rôles : admin, national.",
    responses(
        (status = 200, description = "Campagne close", body = CampaignView),
        (status = 409, description = "Déjà close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn close_campaign(
    auth: Auth<CampaignManagers>,
    State(state): State<AppState>,
    ApiPath(year): ApiPath<i64>,
) -> Result<Json<CampaignView>, AppError> {
    let year = year_in_path(year)?;
    let closed = referential::close_campaign(&state.db, auth.actor(), year).await?;
    Ok(Json(closed.into()))
}

/// A campaign year from a path: one that cannot exist is « not found ».
pub(super) fn year_in_path(year: i64) -> Result<CampaignYear, AppError> {
    CampaignYear::new(year).map_err(|_| AppError::not_found(format!("campagne {year} introuvable")))
}

/// A campaign year from a query parameter: out of range is refused (422).
pub(super) fn year_in_query(year: i64) -> Result<CampaignYear, AppError> {
    CampaignYear::new(year).map_err(|e| AppError::Invalid(e.to_string()))
}
