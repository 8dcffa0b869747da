//! Regional and national indicators for DGOS and the ARS, and for a DSI to
//! place its GHT among its peers.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Serialize;

use super::indicators::{CampaignQuery, Completeness};
use crate::compute::aggregates::{Distribution, Rank, distribution, ranks};
use crate::domain::{AnswerStatus, CampaignYear, RegionCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::service::peers::{self, PeerReading};

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
    /// Distribution over the GHTs with a value.
    pub distribution: Distribution,
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
    /// How many GHTs meet it.
    pub count: usize,
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

const RULES: &str = "Distribution sur les GHT ayant au moins un inventaire validé et une valeur ; quartiles par interpolation linéaire (QUARTILE.INC d'Excel) ; rang 1 = meilleur selon le sens de l'indicateur, ex aequo au meilleur rang ; percentile = 100 × (n − rang) / (n − 1). Jalon atteint : pour un indicateur déclaré, « réalisé » à une date au plus tard celle du jalon ; pour un indicateur calculé, la valeur maximale (100 %) atteinte.";

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
) -> Result<Json<PeersView>, AppError> {
    let region = RegionCode::parse(&code).map_err(|_| AppError::not_found(format!("région « {code} » introuvable")))?;
    let year = super::campaigns::year_in_query(query.campaign)?;
    let reading = peers::of_region(&state.db, &auth.principal, &region, year).await?;
    Ok(Json(view("region", Some(region.to_string()), year, reading)))
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
) -> Result<Json<PeersView>, AppError> {
    let year = super::campaigns::year_in_query(query.campaign)?;
    let reading = peers::of_nation(&state.db, &auth.principal, year).await?;
    Ok(Json(view("nation", None, year, reading)))
}

fn view(scope: &str, region: Option<String>, year: CampaignYear, reading: PeerReading) -> PeersView {
    let PeerReading { peers, schema, full, own } = reading;
    let own = own.map(|g| g.to_string());
    let shown = |ght: &String| full || own.as_ref() == Some(ght);
    let mut indicators = Vec::new();
    for (code, by_ght) in &peers.values {
        let definition = schema.iter().find(|d| d.covers(code));
        let Some(definition) = definition else { continue };
        let values: Vec<f64> = by_ght.values().copied().collect();
        let Some(distribution) = distribution(&values) else { continue };
        indicators.push(PeerIndicator {
            code: code.clone(),
            label: definition.label.clone(),
            unit: definition.unit.clone(),
            better: definition.better.clone(),
            distribution,
            ranking: ranks(by_ght, definition.better != "lower").into_iter().filter(|r| shown(&r.ght_code)).collect(),
        });
    }
    let mut milestones = Vec::new();
    for definition in schema.iter().filter(|d| !d.per_subdomain) {
        let Some(milestone) = definition.milestone else { continue };
        let met: Vec<String> = if definition.kind == "declared" {
            peers
                .answers
                .iter()
                .filter(|a| a.indicator_code == definition.code && a.status == AnswerStatus::Done)
                .filter(|a| a.status_date.is_some_and(|d| d <= milestone))
                .map(|a| a.ght_code.to_string())
                .collect()
        } else {
            let empty = BTreeMap::new();
            let values = peers.values.get(&definition.code).unwrap_or(&empty);
            values.iter().filter(|(_, v)| **v >= 1.0).map(|(g, _)| g.clone()).collect()
        };
        milestones.push(MilestoneView {
            code: definition.code.clone(),
            label: definition.label.clone(),
            milestone,
            count: met.len(),
            ghts: met.into_iter().filter(|g| shown(g)).collect(),
        });
    }
    let (expected, reporting) = (peers.ghts.len() as i32, peers.reporting.len() as i32);
    PeersView {
        scope: scope.to_owned(),
        region,
        campaign: year.get(),
        completeness: Completeness::new(expected, reporting),
        rules: RULES.to_owned(),
        indicators,
        milestones,
    }
}
