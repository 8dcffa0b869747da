//! The targets page of a GHT: the target product of each sub-domain (found
//! by a catalogue search that works as a plain form), the planned
//! migration date of each établissement, the previous versions and what
//! changed between two of them. Every change is a new version.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::format::date;
use super::ght::ght_in_path;
use super::page::{PageError, PageQuery, Submitted, Visitor, encode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::cookies::see_other;
use crate::service::targets::{self, NamedTargets, TargetChange, TargetEdit};
use crate::service::{catalogue, reference, referential};
use crate::store::pagination::Page;

/// Products a search shows.
const FOUND_SHOWN: u64 = 20;

/// `?recherche=&sous_domaine=&avant=&apres=&enregistre=`.
#[derive(Debug, Default, Deserialize)]
pub struct TargetsQuery {
    recherche: Option<String>,
    sous_domaine: Option<String>,
    avant: Option<String>,
    apres: Option<String>,
    enregistre: Option<String>,
}

#[derive(Debug, Serialize)]
struct TargetView {
    subdomain: String,
    label: String,
    product: String,
    plans: Vec<(String, String)>,
}

/// The targets page.
pub async fn page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageQuery(query): PageQuery<TargetsQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let history = targets::history(&state.db, &visitor.principal, &code).await.map_err(fail)?;
    let taxonomy = reference::taxonomy(&state.db).await.map_err(fail)?;
    let label_of = |c: &str| {
        taxonomy.subdomains.iter().find(|s| s.code.as_str() == c).map(|s| s.label.clone()).unwrap_or_default()
    };
    let current = history.first();
    let (_, members) = referential::members(&state.db, &visitor.principal, &code, chrono::Utc::now().date_naive())
        .await
        .map_err(fail)?;
    let members: Vec<(String, String)> = members.into_iter().map(|(_, e)| (e.finess_ej.to_string(), e.name)).collect();
    let current_view: Vec<TargetView> = current
        .map(|t| {
            t.version
                .products
                .iter()
                .map(|p| TargetView {
                    subdomain: p.subdomain_code.to_string(),
                    label: label_of(p.subdomain_code.as_str()),
                    product: t.names.get(&p.product_id).cloned().unwrap_or_default(),
                    plans: t
                        .version
                        .migrations
                        .iter()
                        .filter(|m| m.subdomain_code == p.subdomain_code)
                        .map(|m| {
                            let finess = m.finess_ej.to_string();
                            let name = members.iter().find(|(f, _)| *f == finess).map(|(_, n)| n.clone());
                            (name.map_or_else(|| finess.clone(), |n| format!("{n} ({finess})")), date(m.planned_on))
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let search = query.recherche.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let found: Vec<(i64, String, String)> = match search {
        Some(text) => {
            catalogue::search(&state.db, &visitor.principal, Some(text), Page { number: 1, size: FOUND_SHOWN })
                .await
                .map_err(fail)?
                .items
                .into_iter()
                .map(|p| (p.product.id, p.product.name, p.vendor))
                .collect()
        }
        None => Vec::new(),
    };
    let versions: Vec<(i64, String, String, String)> = history
        .iter()
        .map(|t| {
            (
                t.version.version.id,
                t.version.version.created_at.format("%d/%m/%Y %H:%M").to_string(),
                t.version.version.created_by.clone(),
                t.version.version.comment.clone().unwrap_or_default(),
            )
        })
        .collect();
    let version = |raw: &Option<String>| raw.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let (before, after) = (version(&query.avant), version(&query.apres));
    let compared = compare(&history, before, after);
    visitor.page(
        "cibles.html",
        context! {
            code => code.to_string(), targets => current_view,
            subdomains => taxonomy.subdomains.iter().map(|s| (s.code.to_string(), s.label.clone())).collect::<Vec<_>>(),
            chosen_subdomain => query.sous_domaine.clone().or_else(|| query.enregistre.clone()),
            search, found, members, versions,
            compared, before, after,
            saved => query.enregistre,
            writes => visitor.principal.writes_ght(&code),
        },
    )
}

/// The changes between two versions, in words (both must be this GHT's).
fn compare(history: &[NamedTargets], before: Option<i64>, after: Option<i64>) -> Option<Vec<String>> {
    let find = |id: i64| history.iter().find(|t| t.version.version.id == id);
    let (a, b) = (find(before?)?, find(after?)?);
    let day = |d: Option<NaiveDate>| d.map_or_else(|| "aucune".to_owned(), date);
    Some(
        targets::changes(a, b)
            .into_iter()
            .map(|change| match change {
                TargetChange::Added { subdomain, product } => format!("{subdomain} : cible {product} fixée"),
                TargetChange::Removed { subdomain, product } => format!("{subdomain} : cible {product} retirée"),
                TargetChange::Replaced { subdomain, from, to } => {
                    format!("{subdomain} : cible {from} remplacée par {to}")
                }
                TargetChange::Planned { finess, subdomain, from, to } => {
                    format!("{subdomain}, établissement {finess} : date prévue {} → {}", day(from), day(to))
                }
            })
            .collect(),
    )
}

/// Sets (or removes) the target of one sub-domain.
#[derive(Debug, Deserialize)]
pub struct TargetForm {
    sous_domaine: String,
    #[serde(default)]
    produit: String,
    #[serde(default)]
    retirer: String,
    #[serde(default)]
    commentaire: String,
}

/// Saves a new version with one sub-domain's target changed.
pub async fn set_target(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Submitted { visitor, form: sent }: Submitted<TargetForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let subdomain = sent.sous_domaine.trim().to_owned();
    let edit = if sent.retirer.is_empty() {
        let raw = sent.produit.trim();
        let product_id = raw.parse::<i64>().map_err(|_| {
            fail(AppError::Invalid("choisissez le produit cible parmi les résultats de la recherche".to_owned()))
        })?;
        TargetEdit::Target { subdomain: subdomain.clone(), product_id }
    } else {
        TargetEdit::Untarget { subdomain: subdomain.clone() }
    };
    let comment = Some(sent.commentaire.trim().to_owned()).filter(|c| !c.is_empty());
    targets::change(&state.db, visitor.actor(), &code, edit, comment).await.map_err(fail)?;
    see_other(&format!("/ght/{code}/cibles?enregistre={}", encode(&subdomain)), Vec::new()).map_err(fail)
}

/// Plans (or unplans) one établissement's migration to a target.
#[derive(Debug, Deserialize)]
pub struct PlanForm {
    sous_domaine: String,
    finess: String,
    #[serde(default)]
    date: String,
}

/// Saves a new version with one planned date changed.
pub async fn plan(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Submitted { visitor, form: sent }: Submitted<PlanForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let (subdomain, finess) = (sent.sous_domaine.trim().to_owned(), sent.finess.trim().to_owned());
    let raw = sent.date.trim();
    let on = match raw {
        "" => None,
        _ => Some(NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
            fail(AppError::Invalid(format!("date prévue : « {raw} » n'est pas une date (aaaa-mm-jj)")))
        })?),
    };
    let edit = TargetEdit::Plan { finess, subdomain: subdomain.clone(), on };
    targets::change(&state.db, visitor.actor(), &code, edit, None).await.map_err(fail)?;
    see_other(&format!("/ght/{code}/cibles?enregistre={}", encode(&subdomain)), Vec::new()).map_err(fail)
}
