//! A GHT's page: the matrix établissements × sub-domains, the indicators
//! with their changes, one trajectory chart per sub-domain, the contracts
//! ending, the current inventory with filters and pages, and the exports.
//! An établissement sees its own line and rows only.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::charts;
use super::dashboard::campaign_param;
use super::format::{change_in_unit, date, in_unit, percent};
use super::page::{PageError, PageQuery, Visitor, encode};
use crate::auth::Scope;
use crate::domain::{Finess, SubdomainCode};
use crate::error::AppError;
use crate::export::ght::GhtExport;
use crate::export::vision::{CellCategory, ending_contracts, matrix_of, state_label, status_label};
use crate::http::AppState;
use crate::normalise::sentinel::EntryState;
use crate::service::{exports, inventory};
use crate::store::inventory::EntryFilter;
use crate::store::pagination::Page;

/// Inventory rows per page.
const ROWS_PER_PAGE: u64 = 50;
/// Contracts ending listed at most.
const CONTRACTS_LISTED: usize = 50;
/// Pages a reader may ask for at most (50 rows each: 5 million rows).
const MAX_PAGE: u64 = 100_000;

/// `?campagne=&finess=&sous_domaine=&etat=&page=`.
#[derive(Debug, Default, Deserialize)]
pub struct GhtQuery {
    campagne: Option<String>,
    finess: Option<String>,
    sous_domaine: Option<String>,
    etat: Option<String>,
    page: Option<String>,
}

pub use crate::http::extract::ght_in_path;

#[derive(Debug, Serialize)]
struct CellView {
    class: &'static str,
    mark: &'static str,
    label: &'static str,
    names: Vec<String>,
}

#[derive(Debug, Serialize)]
struct IndicatorView {
    code: String,
    label: String,
    value: String,
    previous: String,
    change: String,
    known: String,
    declared: Option<String>,
}

#[derive(Debug, Serialize)]
struct PointView {
    year: i32,
    actual: String,
    planned: String,
    projected: String,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct TrajectoryView {
    code: String,
    label: String,
    target: String,
    status: &'static str,
    chart: String,
    points: Vec<PointView>,
}

#[derive(Debug, Serialize)]
struct ContractView {
    end: String,
    etablissement: String,
    subdomain: String,
    application: String,
    target: String,
    cost: String,
}

#[derive(Debug, Serialize)]
struct EntryView {
    id: i64,
    finess: String,
    place: String,
    application: String,
    product: String,
    state: &'static str,
    subdomain: String,
    users: String,
    contract_end: String,
}

/// The CSS class of a matrix category (the mark and the words say it too).
fn class_of(category: CellCategory) -> &'static str {
    match category {
        CellCategory::OnTarget => "cible",
        CellCategory::OffTarget => "hors-cible",
        CellCategory::Unmatched => "inconnu",
        CellCategory::NotComputerised => "non-informatise",
        CellCategory::NoTarget => "sans-cible",
        CellCategory::NoRow => "vide",
    }
}

/// The states an inventory row is filtered by.
const STATES: [EntryState; 5] = [
    EntryState::Product,
    EntryState::Unmatched,
    EntryState::InHouse,
    EntryState::NotComputerised,
    EntryState::Unspecified,
];

const LEGEND: [CellCategory; 6] = [
    CellCategory::OnTarget,
    CellCategory::OffTarget,
    CellCategory::Unmatched,
    CellCategory::NotComputerised,
    CellCategory::NoTarget,
    CellCategory::NoRow,
];

/// The GHT page.
pub async fn page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageQuery(query): PageQuery<GhtQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let year = campaign_param(query.campagne.as_deref()).map_err(fail)?;
    let data = exports::ght_data(&state.db, &visitor.principal, &code, year).await.map_err(fail)?;
    let own = match &visitor.principal.scope {
        Scope::Etablissement { finess, .. } => Some(finess.to_string()),
        _ => None,
    };
    let keep = |finess: &str| own.as_deref().is_none_or(|o| o == finess);
    let matrix = matrix_of(&data, keep);
    let columns: Vec<(String, String, String)> = matrix
        .columns
        .iter()
        .map(|(c, l)| {
            ((*c).to_owned(), (*l).to_owned(), data.targets.get(*c).map_or("—".to_owned(), |(_, n)| n.clone()))
        })
        .collect();
    let rows: Vec<(String, String, Vec<CellView>)> = matrix
        .rows
        .iter()
        .map(|(member, cells)| {
            let cells = cells
                .iter()
                .map(|cell| CellView {
                    class: class_of(cell.category),
                    mark: cell.mark().trim(),
                    label: cell.category.label(),
                    names: cell.names.iter().map(|n| (*n).to_owned()).collect(),
                })
                .collect();
            (member.finess.clone(), member.name.clone(), cells)
        })
        .collect();
    let legend: Vec<(&str, &str, &str)> = LEGEND.iter().map(|c| (class_of(*c), c.mark().trim(), c.label())).collect();

    let indicators = indicator_views(&data);
    let trajectories = trajectory_views(&data);
    let contracts: Vec<ContractView> = ending_contracts(&data)
        .into_iter()
        .filter(|r| keep(&r.finess_ej))
        .take(CONTRACTS_LISTED)
        .map(|r| ContractView {
            end: r.contract_end.map_or_else(|| "inconnue".to_owned(), date),
            etablissement: r.etablissement.clone(),
            subdomain: r.subdomain.clone().unwrap_or_default(),
            application: r.product.as_ref().map_or_else(|| r.application_raw.clone(), |(_, n)| n.clone()),
            target: r
                .subdomain
                .as_deref()
                .and_then(|s| data.targets.get(s))
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            cost: in_unit(r.annual_cost, "euro"),
        })
        .collect();

    // The inventory, page by page, through the same listing as the API.
    let campaign =
        crate::domain::CampaignYear::new(i64::from(data.campaign)).map_err(|e| fail(AppError::Internal(e.into())))?;
    let filter = entry_filter(&query).map_err(fail)?;
    let number = match query.page.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => raw.parse::<u64>().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
            fail(AppError::BadRequest(format!("page « {raw} » : un nombre de 1 à {MAX_PAGE} est attendu")))
        })?,
        None => 1,
    };
    let readable = inventory::readable_listing(&state.db, &visitor.principal, &code, campaign).await.map_err(fail)?;
    let found = inventory::current_rows(&state.db, &readable, &filter, Page { number, size: ROWS_PER_PAGE })
        .await
        .map_err(fail)?;
    let ids = found.items.iter().filter_map(|e| e.product_id).collect();
    let names = crate::service::catalogue::product_names(&state.db, ids).await.map_err(fail)?;
    let entries: Vec<EntryView> = found
        .items
        .iter()
        .map(|e| EntryView {
            id: e.id,
            finess: e.finess_ej.to_string(),
            place: format!("{} ligne {}", e.sheet, e.row_number),
            application: e.application_raw.clone(),
            product: e.product_id.and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
            state: state_label(e.state.as_str()),
            subdomain: e.subdomain_code.as_ref().map(ToString::to_string).unwrap_or_default(),
            users: e.users.map(|u| u.to_string()).unwrap_or_default(),
            contract_end: e.contract_end.map(date).unwrap_or_default(),
        })
        .collect();
    let filters = format!(
        "campagne={}&finess={}&sous_domaine={}&etat={}",
        data.campaign,
        encode(query.finess.as_deref().unwrap_or_default()),
        encode(query.sous_domaine.as_deref().unwrap_or_default()),
        encode(query.etat.as_deref().unwrap_or_default()),
    );
    let campaigns: Vec<i32> = crate::service::reference::campaigns(&state.db)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| c.year.get())
        .collect();
    let writes = visitor.principal.writes_ght(&code);
    let (expected, reporting) = data.completeness;
    let key_figures = key_figures(&data);
    visitor.page(
        "ght.html",
        context! {
            code => data.ght_code.clone(), name => data.ght_name.clone(),
            region => format!("{} ({})", data.region.1, data.region.0),
            support => data.support.clone(),
            campaign => data.campaign, previous => data.previous_campaign, campaigns,
            expected, reporting, own,
            columns, rows, legend, indicators, trajectories, contracts, entries,
            members => data.etablissements.iter().filter(|m| keep(&m.finess)).map(|m| (m.finess.clone(), m.name.clone())).collect::<Vec<_>>(),
            states => STATES.map(|s| (s.as_str(), state_label(s.as_str()))),
            chosen => context! { finess => query.finess, subdomain => query.sous_domaine, state => query.etat },
            page => number, pages => found.total_pages, total => found.total_items, filters,
            writes, key_figures,
        },
    )
}

/// The figures a DSI looks at first: the convergence rate and its change,
/// the completeness, the converged sub-domains, the late ones.
fn key_figures(data: &GhtExport) -> Vec<(String, String, String)> {
    let line = |code: &str| data.indicators.iter().find(|l| l.code == code);
    let rate = line(crate::service::dashboard::RATE);
    let change = rate.and_then(|l| l.value.zip(l.previous)).map(|(a, b)| a - b);
    let late =
        data.trajectories.iter().filter(|t| t.status() == Some(crate::compute::trajectories::Status::Late)).count();
    let converged = data
        .trajectories
        .iter()
        .filter(|t| t.status() == Some(crate::compute::trajectories::Status::Converged))
        .count();
    let (expected, reporting) = data.completeness;
    vec![
        (
            percent(rate.and_then(|l| l.value)),
            "taux de convergence applicative".to_owned(),
            match data.previous_campaign {
                Some(year) => format!("{} depuis {year}", super::format::points(change)),
                None => String::new(),
            },
        ),
        (format!("{reporting} / {expected}"), "établissements avec un inventaire validé".to_owned(), String::new()),
        (
            format!("{converged} / {}", data.trajectories.len()),
            "sous-domaines convergés, sur ceux qui ont une cible".to_owned(),
            String::new(),
        ),
        (late.to_string(), "sous-domaines en retard sur leur calendrier".to_owned(), String::new()),
    ]
}

fn entry_filter(query: &GhtQuery) -> Result<EntryFilter, AppError> {
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let finess = match some(&query.finess) {
        Some(raw) => {
            Some(Finess::parse(&raw).map_err(|e| AppError::BadRequest(format!("établissement : {e}")))?.to_string())
        }
        None => None,
    };
    let subdomain = match some(&query.sous_domaine) {
        Some(raw) => Some(SubdomainCode::parse(&raw).map_err(|e| AppError::BadRequest(format!("sous-domaine : {e}")))?),
        None => None,
    };
    let state = match some(&query.etat) {
        Some(raw) => {
            Some(EntryState::parse(&raw).ok_or_else(|| AppError::BadRequest(format!("état « {raw} » inconnu")))?)
        }
        None => None,
    };
    Ok(EntryFilter { finess, subdomain, state })
}

/// The GHT-level indicators (not the per-sub-domain ones, which the
/// trajectories show), with their change since the previous campaign.
fn indicator_views(data: &GhtExport) -> Vec<IndicatorView> {
    data.indicators
        .iter()
        .filter(|line| line.code.matches('.').count() == 1)
        .map(|line| IndicatorView {
            code: line.code.clone(),
            label: line.label.clone(),
            value: line.declared.clone().unwrap_or_else(|| in_unit(line.value, &line.unit)),
            previous: if line.declared.is_some() { String::new() } else { in_unit(line.previous, &line.unit) },
            change: if line.declared.is_some() {
                String::new()
            } else {
                change_in_unit(line.value.zip(line.previous).map(|(a, b)| a - b), &line.unit)
            },
            known: line.known_share.map(|k| percent(Some(k))).unwrap_or_default(),
            declared: line.declared.clone(),
        })
        .collect()
}

fn trajectory_views(data: &GhtExport) -> Vec<TrajectoryView> {
    data.trajectories
        .iter()
        .map(|t| {
            let label = data.subdomain_label(&t.subdomain).to_owned();
            TrajectoryView {
                code: t.subdomain.clone(),
                target: data.targets.get(&t.subdomain).map(|(_, n)| n.clone()).unwrap_or_default(),
                status: t.status().map_or("sans mesure", status_label),
                chart: charts::trajectory(t, &format!("{} ({label})", t.subdomain)),
                points: t
                    .campaigns
                    .iter()
                    .map(|c| PointView {
                        year: c.year,
                        actual: percent(c.actual),
                        planned: percent(c.planned),
                        projected: c.projected_completion.map_or_else(|| "—".to_owned(), date),
                        status: status_label(c.status),
                    })
                    .collect(),
                label,
            }
        })
        .collect()
}
