//! The review queue: unmatched or doubtful names, and their confirmation.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AuditReaders, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath};
use crate::normalise::matcher::Matcher;
use crate::normalise::row::Routing;
use crate::store::{ghts, inventory, review};

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

async fn members(state: &AppState, code: &crate::domain::GhtCode) -> Result<Vec<String>, AppError> {
    Ok(ghts::members_at(state.db.reader(), code, Utc::now().date_naive())
        .await?
        .into_iter()
        .map(|(m, _)| m.finess_ej)
        .collect())
}

/// Lists the names to review.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/review", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Les noms d'applications que le catalogue n'a pas reconnus, ou reconnus avec doute, dans les inventaires courants des campagnes ouvertes, du plus fréquent au plus rare, avec des suggestions. Rôles : admin, national, ght (son GHT).",
    responses((status = 200, description = "Liste de revue", body = Vec<ReviewItemView>)))]
pub async fn get_review(
    auth: Auth<AuditReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<Vec<ReviewItemView>>, AppError> {
    let code = parse_code(&code)?;
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    let reference =
        inventory::load_reference(state.db.reader(), &code, Routing::Ght(Vec::new()), &Default::default()).await?;
    let matcher = Matcher::new(reference.products, reference.aliases);
    let items = review::queue(state.db.reader(), &members(&state, &code).await?, &matcher).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|item| ReviewItemView {
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
            })
            .collect(),
    ))
}

/// A confirmed mapping.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ConfirmMapping {
    /// The name as written (any spelling of the normalised name).
    pub name: String,
    /// The catalogue product it designates.
    pub product_id: i64,
}

/// What a confirmation did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConfirmationView {
    /// The GHT's alias.
    pub alias_id: i64,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
}

/// Confirms a mapping.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/review", tag = "inventaires", request_body = ConfirmMapping,
    params(("code" = String, Path, description = "Code du GHT")),
    description = "Confirme qu'un nom désigne un produit du catalogue : le nom devient un alias propre au GHT, utilisé par tous les dépôts suivants, et les lignes concernées des campagnes ouvertes sont renormalisées (les campagnes closes restent figées). Rôles : admin, ght (son GHT).",
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
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    if !auth.principal.writes_ght(&code) {
        return Err(AppError::Forbidden { role: auth.principal.role.to_string() });
    }
    let members = members(&state, &code).await?;
    let txn = state.db.begin_write().await?;
    crate::store::lock::serialise(&txn, crate::store::lock::LockKey::Ght(code.as_str())).await?;
    let done = review::confirm(&txn, auth.actor(), &code, &members, &body.name, body.product_id).await?;
    txn.commit().await?;
    Ok(Json(ConfirmationView { alias_id: done.alias_id, rows_updated: done.rows_updated }))
}
