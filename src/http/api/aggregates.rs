//! Regional and national indicators for DGOS and the ARS, and for a DSI to
//! place its GHT among its peers.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::{CampaignQuery, Completeness};
use crate::compute::aggregates::{Distribution, Rank};
use crate::domain::{CampaignYear, RegionCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::answers::{JsonBytes, accepts_gzip};
use crate::http::auth::{AnyRole, Auth};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::service::peers::{self, PeerReading, Viewpoint};

/// One indicator across GHTs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeerIndicator {
    /// Indicator code (with its sub-domain for per-sub-domain indicators).
    pub code: String,
    /// French label.
    pub label: String,
    /// Unit: `percent` (0 to 1), `count`, `euro`, `boolean` or `enum`.
    pub unit: String,
    /// `higher` or `lower` is better.
    pub better: String,
    /// Distribution over the GHTs with a value; absent for a DSI or an
    /// établissement when fewer than five GHTs have one (it would tell the
    /// others' values).
    pub distribution: Option<Distribution>,
    /// Ranks: every GHT's for DGOS and the ARS, the caller's own GHT's
    /// otherwise.
    pub ranking: Vec<Rank>,
}

/// GHTs meeting a milestone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MilestoneView {
    /// Indicator code.
    pub code: String,
    /// French label.
    pub label: String,
    /// The milestone date.
    pub milestone: NaiveDate,
    /// How many GHTs meet it; absent for a DSI or an établissement when
    /// fewer than five GHTs reported.
    pub count: Option<usize>,
    /// Which (for DGOS and the ARS; the caller's own GHT otherwise).
    pub ghts: Vec<String>,
}

/// Indicators of a region or of the nation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeersView {
    /// `region` or `nation`.
    pub scope: String,
    /// Region code, for a region.
    pub region: Option<String>,
    /// The campaign (its year).
    pub campaign: i32,
    /// GHTs expected and reporting (with at least one validated inventory).
    pub completeness: Completeness,
    /// The rules applied, in French.
    pub rules: String,
    /// Each GHT-level indicator.
    pub indicators: Vec<PeerIndicator>,
    /// Each milestone.
    pub milestones: Vec<MilestoneView>,
}

const RULES: &str = "Distribution sur les GHT ayant au moins un inventaire validé et une valeur (un DSI ou un établissement ne voit ni la distribution ni le nombre de GHT atteignant un jalon quand moins de cinq GHT en ont un : seulement sa valeur et son rang) ; quartiles par interpolation linéaire (QUARTILE.INC d'Excel) ; rang 1 = meilleur selon le sens de l'indicateur, ex aequo au meilleur rang ; percentile = 100 × (n − rang) / (n − 1). Jalon atteint : pour un indicateur déclaré, « réalisé » à une date au plus tard celle du jalon ; pour un indicateur calculé, la valeur maximale (100 %) atteinte.";

/// A region's indicators.
#[utoipa::path(get, path = "/api/v1/regions/{code}/indicators", tag = "indicateurs",
    params(("code" = String, Path, description = "Code de la région (NOR…)"), CampaignQuery),
    description = "Pour une région : distribution de chaque indicateur de GHT (effectif, min, quartiles, médiane, max, moyenne), rang et percentile de chaque GHT, GHT atteignant chaque jalon, complétude. Rôles : admin, national, regional (sa région) ; ght et etablissement pour la région de leur GHT, avec leur seul rang.",
    responses((status = 200, description = "Indicateurs régionaux", body = PeersView)))]
pub async fn region_indicators(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
    headers: HeaderMap,
) -> Result<JsonBytes, AppError> {
    let region = RegionCode::parse(&code).map_err(|_| AppError::not_found(format!("région « {code} » introuvable")))?;
    let year = super::campaigns::year_in_query(query.campaign)?;
    let viewpoint = peers::region_viewpoint(&state.db, &auth.principal, &region).await?;
    answer(&state, Some(&region), year, viewpoint, accepts_gzip(&headers)).await
}

/// The nation's indicators.
#[utoipa::path(get, path = "/api/v1/national/indicators", tag = "indicateurs",
    params(CampaignQuery),
    description = "Au niveau national : distribution de chaque indicateur de GHT, rang et percentile de chaque GHT, GHT atteignant chaque jalon, complétude. Rôles : tous ; admin et national voient chaque GHT, les autres leur seul rang.",
    responses((status = 200, description = "Indicateurs nationaux", body = PeersView)))]
pub async fn national_indicators(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
    headers: HeaderMap,
) -> Result<JsonBytes, AppError> {
    let year = super::campaigns::year_in_query(query.campaign)?;
    let viewpoint = peers::nation_viewpoint(&state.db, &auth.principal).await?;
    answer(&state, None, year, viewpoint, accepts_gzip(&headers)).await
}

/// The view of a region (or the nation) for a viewpoint, from memory when
/// the same viewpoint asked less than two seconds ago and nothing was
/// written since (see `http::answers`). Access was decided when the
/// viewpoint was made; the values are read only when the answer is built.
async fn answer(
    state: &AppState,
    region: Option<&RegionCode>,
    year: CampaignYear,
    viewpoint: Viewpoint,
    gzip: bool,
) -> Result<JsonBytes, AppError> {
    let commits = state.db.commits();
    let seen = match (&viewpoint.full, &viewpoint.own) {
        (true, _) => "all".to_owned(),
        (false, Some(own)) => format!("ght:{own}"),
        (false, None) => "none".to_owned(),
    };
    let key = format!("{}|{year}|{seen}", region.map_or("nation", RegionCode::as_str));
    if let Some(kept) = state.answers.kept(&key, commits, gzip) {
        return Ok(kept);
    }
    let reading = peers::reading(&state.db, viewpoint, region, year).await?;
    // Summarising 136 GHTs, serialising and compressing them takes tens of
    // milliseconds: off the async workers, so that the requests sharing a
    // worker with this one are not held behind it.
    let answers = Arc::clone(&state.answers);
    let region = region.map(ToString::to_string);
    let built = tokio::task::spawn_blocking(move || {
        let view = match region {
            Some(region) => view("region", Some(region), year, reading),
            None => view("nation", None, year, reading),
        };
        answers.keep(key, commits, &view, gzip)
    });
    built.await.map_err(|e| AppError::Internal(e.into()))?.map_err(|e| AppError::Internal(e.into()))
}

fn view(scope: &str, region: Option<String>, year: CampaignYear, reading: PeerReading) -> PeersView {
    let summary = peers::summarise(reading);
    PeersView {
        scope: scope.to_owned(),
        region,
        campaign: year.get(),
        completeness: Completeness::new(summary.expected as i32, summary.reporting as i32),
        rules: RULES.to_owned(),
        indicators: summary
            .indicators
            .into_iter()
            .map(|i| PeerIndicator {
                code: i.code,
                label: i.definition.label,
                unit: i.definition.unit,
                better: i.definition.better,
                distribution: i.distribution,
                ranking: i.ranking,
            })
            .collect(),
        milestones: summary
            .milestones
            .into_iter()
            .map(|m| MilestoneView {
                code: m.definition.code,
                label: m.definition.label,
                milestone: m.milestone,
                count: m.count,
                ghts: m.ghts,
            })
            .collect(),
    }
}
