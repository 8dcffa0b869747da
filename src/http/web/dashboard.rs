//! The national and regional dashboard: every GHT of the caller's reach,
//! sortable and filterable by region, with the distribution of rates as a
//! chart and the national or regional exports.

use axum::extract::State;
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::charts;
use super::format::{percent, points};
use super::page::{PageError, PageQuery, Visitor};
use crate::domain::{CampaignYear, RegionCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::service::dashboard::{self, GhtLine, distribution};

/// `?region=&campagne=&tri=&ordre=`.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    region: Option<String>,
    campagne: Option<String>,
    tri: Option<String>,
    ordre: Option<String>,
}

/// The columns a reader sorts by.
const SORTS: [(&str, &str); 8] = [
    ("code", "GHT"),
    ("region", "Région"),
    ("taux", "Taux de convergence"),
    ("evolution", "Évolution"),
    ("completude", "Complétude"),
    ("convergés", "Sous-domaines convergés"),
    ("retard", "Sous-domaines en retard"),
    ("sdsi", "SDSI"),
];

/// A GHT's line as the table shows it.
#[derive(Debug, Serialize)]
struct LineView {
    code: String,
    name: String,
    region: String,
    rate: String,
    delta: String,
    completeness: String,
    complete: bool,
    converged: String,
    late: usize,
    sdsi: String,
    common_dsi: String,
}

/// A sortable column header.
#[derive(Debug, Serialize)]
struct Header {
    key: &'static str,
    label: &'static str,
    /// `ascending`, `descending` or `none` (`aria-sort`).
    sort: &'static str,
    /// The link that sorts by it (the other way when it is the current one).
    href: String,
}

/// Parses a campaign year from a page's query.
pub fn campaign_param(raw: Option<&str>) -> Result<Option<CampaignYear>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(raw) => {
            let year: i64 = raw
                .parse()
                .map_err(|_| AppError::BadRequest(format!("campagne « {raw} » : une année est attendue")))?;
            CampaignYear::new(year).map(Some).map_err(|e| AppError::BadRequest(format!("campagne : {e}")))
        }
    }
}

/// The dashboard page.
pub async fn page(
    visitor: Visitor,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<DashboardQuery>,
) -> Result<Response, PageError> {
    let region = match query.region.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            RegionCode::parse(raw)
                .map_err(|_| visitor.error(AppError::not_found(format!("région « {raw} » introuvable"))))?,
        ),
        None => None,
    };
    let year = campaign_param(query.campagne.as_deref()).map_err(|e| visitor.error(e))?;
    let board =
        dashboard::dashboard(&state.db, &visitor.principal, region, year).await.map_err(|e| visitor.error(e))?;
    let sort = SORTS.iter().map(|(k, _)| *k).find(|k| Some(*k) == query.tri.as_deref()).unwrap_or("code");
    let descending = query.ordre.as_deref() == Some("desc");
    let mut lines: Vec<&GhtLine> = board.lines.iter().collect();
    sort_lines(&mut lines, sort, descending);
    let (buckets, unknown) = distribution(&board.lines);
    let region_param = board.region.as_ref().map(|r| format!("&region={r}")).unwrap_or_default();
    let campaign = board.campaign.year.get();
    let headers: Vec<Header> = SORTS
        .iter()
        .map(|(key, label)| {
            let current = *key == sort;
            let next = if current && !descending { "desc" } else { "asc" };
            Header {
                key,
                label,
                sort: match (current, descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                href: format!("/tableau-de-bord?campagne={campaign}{region_param}&tri={key}&ordre={next}"),
            }
        })
        .collect();
    let views: Vec<LineView> = lines.iter().map(|l| view(l)).collect();
    let exports = match &board.region {
        Some(region) => vec![
            (
                "Indicateurs de la région (Excel)",
                format!("/api/v1/regions/{region}/exports/indicators.xlsx?campaign={campaign}"),
            ),
            (
                "Indicateurs de la région (CSV)",
                format!("/api/v1/regions/{region}/exports/indicators.csv?campaign={campaign}"),
            ),
        ],
        None => vec![
            ("Indicateurs nationaux (Excel)", format!("/api/v1/national/exports/indicators.xlsx?campaign={campaign}")),
            ("Indicateurs nationaux (CSV)", format!("/api/v1/national/exports/indicators.csv?campaign={campaign}")),
        ],
    };
    let bucket_rows: Vec<(String, usize)> =
        buckets.iter().enumerate().map(|(i, n)| (format!("{} à {} %", i * 10, i * 10 + 10), *n)).collect();
    let scope = match &board.region {
        Some(region) => {
            let name = board.regions.iter().find(|r| &r.code == region).map(|r| r.name.clone()).unwrap_or_default();
            format!("{name} ({region})")
        }
        None => "France entière".to_owned(),
    };
    visitor.page(
        "tableau.html",
        context! {
            scope,
            campaign,
            previous => board.previous.map(|y| y.get()),
            campaigns => board.campaigns.iter().map(|y| y.get()).collect::<Vec<_>>(),
            regions => board.regions.iter().map(|r| (r.code.to_string(), r.name.clone())).collect::<Vec<_>>(),
            region => board.region.as_ref().map(ToString::to_string),
            national => visitor.principal.scope == crate::auth::Scope::All,
            sort, descending => descending,
            headers, lines => views, exports,
            chart => charts::distribution(&buckets, unknown),
            buckets => bucket_rows, unknown,
        },
    )
}

fn view(line: &GhtLine) -> LineView {
    LineView {
        code: line.code.clone(),
        name: line.name.clone(),
        region: line.region.clone(),
        rate: percent(line.rate),
        delta: points(line.delta()),
        completeness: format!("{} / {}", line.reporting, line.expected),
        complete: line.expected > 0 && line.reporting >= line.expected,
        converged: format!("{} / {}", line.converged, line.targeted),
        late: line.late,
        sdsi: line.sdsi.clone().unwrap_or_else(|| "non déclaré".to_owned()),
        common_dsi: line.common_dsi.clone().unwrap_or_else(|| "non déclaré".to_owned()),
    }
}

/// Sorts the lines by a column; unknown values always last, ties by code.
fn sort_lines(lines: &mut [&GhtLine], sort: &str, descending: bool) {
    fn number(line: &GhtLine, sort: &str) -> Option<f64> {
        match sort {
            "taux" => line.rate,
            "evolution" => line.delta(),
            "completude" => (line.expected > 0).then(|| f64::from(line.reporting) / f64::from(line.expected)),
            "convergés" => Some(line.converged as f64),
            "retard" => Some(line.late as f64),
            _ => None,
        }
    }
    lines.sort_by(|a, b| {
        let order = match sort {
            "code" => a.code.cmp(&b.code),
            "region" => a.region.cmp(&b.region),
            "sdsi" => a.sdsi.cmp(&b.sdsi),
            _ => match (number(a, sort), number(b, sort)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                // Unknown last whichever the direction: flip it back below.
                (Some(_), None) => return std::cmp::Ordering::Less,
                (None, Some(_)) => return std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            },
        };
        let order = if descending { order.reverse() } else { order };
        order.then_with(|| a.code.cmp(&b.code))
    });
}
