//! The review page of a GHT: the names the catalogue did not recognise
//! (or recognised with doubt), most frequent first, with their
//! suggestions; one click confirms a product or a state, and the review
//! workbook goes out and comes back filled.

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::ght::ght_in_path;
use super::page::{PageError, PageQuery, Submitted, Uploaded, Visitor, encode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::ReviewReaders;
use crate::http::cookies::see_other;
use crate::service::review::{self, Resolution};
use crate::store::pagination::Page;

/// Names per page.
const NAMES_PER_PAGE: u64 = 30;

/// `?page=&confirme=&confirmes=`.
#[derive(Debug, Default, Deserialize)]
pub struct ReviewQuery {
    page: Option<String>,
    confirme: Option<String>,
    confirmes: Option<String>,
}

#[derive(Debug, Serialize)]
struct ItemView {
    name: String,
    spellings: String,
    occurrences: usize,
    etablissements: usize,
    current: Option<String>,
    suggestions: Vec<(i64, String, String)>,
}

/// The review page.
pub async fn page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageQuery(query): PageQuery<ReviewQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<ReviewReaders>()?;
    let code = ght_in_path(&code).map_err(fail)?;
    // A page number out of range is the nearest page: it is only a link.
    let number = query.page.as_deref().and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(1).clamp(1, 10_000);
    let (items, _) = review::queue(&state.db, &visitor.principal, &code, Page { number, size: NAMES_PER_PAGE })
        .await
        .map_err(fail)?;
    let mut ids: Vec<i64> = items.items.iter().flat_map(|i| i.suggestions.iter().map(|(id, _)| *id)).collect();
    ids.extend(items.items.iter().filter_map(|i| i.current_product));
    let names = crate::service::catalogue::product_names(&state.db, ids).await.map_err(fail)?;
    let views: Vec<ItemView> = items
        .items
        .iter()
        .map(|item| ItemView {
            name: item.spellings.first().cloned().unwrap_or_else(|| item.normalised_name.clone()),
            spellings: item.spellings.join(" · "),
            occurrences: item.occurrences,
            etablissements: item.etablissements.len(),
            current: item.current_product.and_then(|id| names.get(&id).cloned()),
            suggestions: item
                .suggestions
                .iter()
                .map(|(id, score)| (*id, names.get(id).cloned().unwrap_or_default(), format!("{:.0} %", score * 100.0)))
                .collect(),
        })
        .collect();
    visitor.page(
        "revue.html",
        context! {
            code => code.to_string(), items => views,
            page => number, pages => items.total_pages, total => items.total_items,
            writes => visitor.principal.writes_ght(&code),
            confirmed => query.confirme,
            confirmed_many => query.confirmes.as_deref().and_then(|n| n.parse::<usize>().ok()),
        },
    )
}

/// A one-click confirmation: the name and the choice (`product:ID`,
/// `state:in_house`…), or a product number typed.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    nom: String,
    #[serde(default)]
    choix: String,
    #[serde(default)]
    produit: String,
}

/// Confirms one name.
pub async fn confirm(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Submitted { visitor, form: sent }: Submitted<ConfirmForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let typed = sent.produit.trim();
    let resolution = if !typed.is_empty() {
        let id = typed
            .parse::<i64>()
            .map_err(|_| fail(AppError::Invalid(format!("produit : « {typed} » n'est pas un numéro du catalogue"))))?;
        Resolution::Product(id)
    } else if let Some(id) = sent.choix.strip_prefix("product:") {
        Resolution::Product(id.parse().map_err(|_| fail(AppError::BadRequest("choix illisible".to_owned())))?)
    } else if let Some(state) = sent.choix.strip_prefix("state:") {
        Resolution::state(state).ok_or_else(|| fail(AppError::Invalid(format!("« {state} » n'est pas un état"))))?
    } else {
        return Err(fail(AppError::Invalid(
            "choisissez un produit proposé, un état, ou tapez un numéro de produit".to_owned(),
        )));
    };
    review::confirm(&state.db, visitor.actor(), &code, &sent.nom, resolution).await.map_err(fail)?;
    see_other(&format!("/ght/{code}/revue?confirme={}", encode(&sent.nom)), Vec::new()).map_err(fail)
}

/// Confirms a filled review workbook.
pub async fn workbook(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Uploaded { visitor, file, .. }: Uploaded,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let (name, bytes) =
        file.ok_or_else(|| fail(AppError::BadRequest("choisissez le classeur de revue rempli".to_owned())))?;
    let _worker = state.workers.admit(visitor.principal.caller).map_err(fail)?;
    let done = review::confirm_workbook(&state.db, &state.worker, visitor.actor(), &code, &name, &bytes)
        .await
        .map_err(fail)?;
    see_other(&format!("/ght/{code}/revue?confirmes={}", done.names), Vec::new()).map_err(fail)
}
