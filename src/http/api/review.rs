//! The review queue: unmatched or doubtful names, and their confirmation.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::error::AppError;
use crate::export::review::{ReviewLine, review_workbook};
use crate::http::AppState;
use crate::http::auth::{Auth, GhtWriters, ReviewReaders};
use crate::http::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery};
use crate::http::pagination::{PageParams, Paginated};
use crate::service::recompute::Recomputed;
use crate::service::review::{self as review_service, Resolution};
use crate::store::pagination::Page;

/// A suggested product.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Suggestion {
    /// Catalogue id.
    pub product_id: i64,
    /// Canonical name.
    pub name: String,
    /// Current vendor.
    pub vendor: String,
    /// Similarity of the names, 0 to 1.
    pub score: f64,
}

/// A name to review.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewItemView {
    /// Normalised name: a confirmation applies to every spelling of it.
    pub normalised_name: String,
    /// Spellings seen, most frequent first.
    pub spellings: Vec<String>,
    /// Rows carrying it in current inventories of open campaigns.
    pub occurrences: usize,
    /// Établissements (FINESS EJ) where it appears.
    pub etablissements: Vec<String>,
    /// `unmatched`, or `low_confidence` when matched to `current_product` with doubt.
    pub reason: String,
    /// Product matched with low confidence.
    pub current_product: Option<i64>,
    /// Confidence of that match.
    pub confidence: Option<f64>,
    /// Closest catalogue products.
    pub suggestions: Vec<Suggestion>,
}

/// Lists the names to review.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/review", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT"), PageParams),
    description = "Les noms d'applications que le catalogue n'a pas reconnus, ou reconnus avec doute, dans les inventaires courants des campagnes ouvertes, du plus fréquent au plus rare, avec des suggestions, page par page. Rôles : admin, national, ght (son GHT).",
    responses((status = 200, description = "Liste de revue", body = Paginated<ReviewItemView>)))]
pub async fn get_review(
    auth: Auth<ReviewReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<ReviewItemView>>, AppError> {
    let code = parse_code(&code)?;
    let page = page.page()?;
    let (items, matcher) = review_service::queue(&state.db, &auth.principal, &code, page).await?;
    Ok(Json(Paginated::of(items, |item| ReviewItemView {
        reason: if item.current_product.is_some() { "low_confidence" } else { "unmatched" }.to_owned(),
        suggestions: item
            .suggestions
            .iter()
            .filter_map(|(id, score)| {
                matcher.product(*id).map(|p| Suggestion {
                    product_id: p.id,
                    name: p.name.clone(),
                    vendor: p.vendor.1.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                })
            })
            .collect(),
        normalised_name: item.normalised_name,
        spellings: item.spellings,
        occurrences: item.occurrences,
        etablissements: item.etablissements,
        current_product: item.current_product,
        confidence: item.confidence,
    })))
}

/// A confirmed mapping.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmMapping {
    /// The name as written (any spelling of the normalised name).
    pub name: String,
    /// The catalogue product it designates (or give `state`).
    pub product_id: Option<i64>,
    /// The state it says instead of a product: `in_house`,
    /// `not_computerised` or `unspecified`.
    pub state: Option<String>,
}

/// What a confirmation did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConfirmationView {
    /// The GHT's alias.
    pub alias_id: i64,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
    /// Indicators recomputed: one entry per GHT and open campaign.
    pub indicators_recomputed: Vec<Recomputed>,
}

/// Confirms a mapping.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/review", tag = "inventaires", request_body = ConfirmMapping,
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Confirme qu'un nom désigne un produit du catalogue (product_id), ou un état (state : in_house, not_computerised, unspecified — une réponse d'attente, un outil maison) : le nom devient un alias propre au GHT, utilisé par tous les dépôts suivants, et les lignes concernées des campagnes ouvertes sont renormalisées (les campagnes closes restent figées). Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Rapprochement enregistré", body = ConfirmationView),
        (status = 422, description = "Nom vide", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_review(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<ConfirmMapping>,
) -> Result<Json<ConfirmationView>, AppError> {
    let code = parse_code(&code)?;
    let resolution = match (body.product_id, body.state.as_deref()) {
        (Some(id), None) => Resolution::Product(id),
        (None, Some(raw)) => Resolution::state(raw).ok_or_else(|| {
            AppError::Invalid(format!("« {raw} » n'est pas un état : in_house, not_computerised ou unspecified"))
        })?,
        _ => return Err(AppError::Invalid("indiquez soit un produit (product_id), soit un état (state)".to_owned())),
    };
    let done = review_service::confirm(&state.db, auth.actor(), &code, &body.name, resolution).await?;
    let alias_id = done.alias_id.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a confirmation without alias")))?;
    Ok(Json(ConfirmationView { alias_id, rows_updated: done.rows_updated, indicators_recomputed: done.recomputed }))
}

/// Downloads the review queue as a workbook to fill in.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/review.xlsx", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT")),
    description = "La liste de revue en classeur (les 5 000 noms les plus fréquents) : remplissez la colonne « Produit retenu » (nom exact ou identifiant du produit, ou un état : « développement interne », « non informatisé », « non renseigné ») puis déposez le classeur sur la même adresse. Rôles : admin, national, ght (son GHT).",
    responses((status = 200, description = "Classeur de revue", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn export_review(
    auth: Auth<ReviewReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let code = parse_code(&code)?;
    let first = Page { number: 1, size: review_service::WORKBOOK_NAMES };
    let (items, matcher) = review_service::queue(&state.db, &auth.principal, &code, first).await?;
    let lines: Vec<ReviewLine> = items
        .items
        .into_iter()
        .map(|item| ReviewLine {
            reason: if item.current_product.is_some() { "rapprochement douteux" } else { "non reconnu" },
            suggestion: item
                .suggestions
                .first()
                .and_then(|(id, score)| matcher.product(*id).map(|p| (p.name.clone(), *score))),
            normalised_name: item.normalised_name,
            spellings: item.spellings,
            occurrences: item.occurrences,
            etablissements: item.etablissements,
        })
        .collect();
    let content = tokio::task::spawn_blocking(move || review_workbook(&lines))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    let disposition = format!("attachment; filename=\"revue-{code}.xlsx\"");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response())
}

/// What a filled review workbook confirmed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkConfirmationView {
    /// Names confirmed.
    pub confirmed: usize,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
    /// Indicators recomputed: one entry per GHT and open campaign, once
    /// for the whole workbook.
    pub indicators_recomputed: Vec<Recomputed>,
}

/// Deposits a filled review workbook.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/review.xlsx", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT")),
    request_body(content = crate::http::api::inventory::DepositForm, content_type = "multipart/form-data"),
    description = "Confirme en une fois les rapprochements d'un classeur de revue rempli (colonne « Produit retenu ») : tout ou rien, chaque valeur illisible est signalée avec sa ligne. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Rapprochements enregistrés", body = BulkConfirmationView),
        (status = 422, description = "Classeur illisible ou produit inconnu", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_review(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Json<BulkConfirmationView>, AppError> {
    let code = parse_code(&code)?;
    let _worker = state.workers.admit(auth.principal.caller)?;
    let (name, bytes) =
        crate::http::extract::file_part(multipart, state.settings.max_upload_bytes, "revue.xlsx").await?;
    let done = review_service::confirm_workbook(&state.db, &state.worker, auth.actor(), &code, &name, &bytes).await?;
    Ok(Json(BulkConfirmationView {
        confirmed: done.names,
        rows_updated: done.rows_updated,
        indicators_recomputed: done.recomputed,
    }))
}
