//! The review queue: unmatched or doubtful names, and their confirmation.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::error::AppError;
use crate::export::review::{CHOICE_HEADER, KEY_HEADER, ReviewLine, review_workbook};
use crate::http::AppState;
use crate::http::auth::{AuditReaders, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath};
use crate::import::worker::parse_isolated;
use crate::normalise::matcher::{MatchMethod, Matcher};
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

async fn review_items(
    state: &AppState,
    code: &crate::domain::GhtCode,
) -> Result<(Vec<review::ReviewItem>, Matcher), AppError> {
    let reference =
        inventory::load_reference(state.db.reader(), code, Routing::Ght(Vec::new()), &Default::default()).await?;
    let matcher = Matcher::new(reference.products, reference.aliases);
    let items = review::queue(state.db.reader(), &members(state, code).await?, &matcher).await?;
    Ok((items, matcher))
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
    let (items, matcher) = review_items(&state, &code).await?;
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

/// Downloads the review queue as a workbook to fill in.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/review.xlsx", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT")),
    description = "La liste de revue en classeur : remplissez la colonne « Produit retenu » (nom exact ou identifiant du produit) puis déposez le classeur sur la même adresse. Rôles : admin, national, ght (son GHT).",
    responses((status = 200, description = "Classeur de revue", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn export_review(
    auth: Auth<AuditReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let code = parse_code(&code)?;
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    let (items, matcher) = review_items(&state, &code).await?;
    let lines: Vec<ReviewLine> = items
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
    mut multipart: axum::extract::Multipart,
) -> Result<Json<BulkConfirmationView>, AppError> {
    let code = parse_code(&code)?;
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    if !auth.principal.writes_ght(&code) {
        return Err(AppError::Forbidden { role: auth.principal.role.to_string() });
    }
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(format!("formulaire illisible : {}", e.body_text())))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("revue.xlsx").to_owned();
            let bytes = field.bytes().await.map_err(|e| AppError::BadRequest(e.body_text()))?;
            file = Some((name, bytes.to_vec()));
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        AppError::BadRequest("le formulaire doit contenir le classeur dans le champ « file »".to_owned())
    })?;
    let workbook = parse_isolated(&bytes, &name, &state.worker).await.map_err(AppError::Ingest)?;
    let (_, matcher) = review_items(&state, &code).await?;
    let mut choices = Vec::new();
    let mut problems = Vec::new();
    for sheet in &workbook.sheets {
        let Some((header_index, key_col, spellings_col, choice_col)) = review_columns(sheet) else { continue };
        for (offset, row) in sheet.rows.iter().enumerate().skip(header_index + 1) {
            let text = |col: usize| row.get(col).and_then(crate::import::cells::text);
            let (Some(key), Some(choice)) = (text(key_col), text(choice_col)) else { continue };
            let line = sheet.first_row + offset as u32;
            let product = match choice.parse::<i64>() {
                Ok(id) => matcher.product(id).map(|p| p.id),
                Err(_) => matcher
                    .match_product(&choice)
                    .filter(|m| matches!(m.method, MatchMethod::Alias | MatchMethod::LocalAlias))
                    .map(|m| m.product_id),
            };
            match product {
                Some(product_id) => {
                    let spelling = spellings_col
                        .and_then(text)
                        .and_then(|s| s.split(" | ").next().map(str::to_owned))
                        .unwrap_or(key);
                    choices.push((spelling, product_id));
                }
                None => problems.push(format!(
                    "feuille « {} », ligne {line}, colonne « {CHOICE_HEADER} » : « {choice} » n'est ni le nom exact ni l'identifiant d'un produit du catalogue",
                    sheet.name
                )),
            }
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(format!("rien n'a été confirmé : {}", problems.join(" ; "))));
    }
    let members = members(&state, &code).await?;
    let txn = state.db.begin_write().await?;
    crate::store::lock::serialise(&txn, crate::store::lock::LockKey::Ght(code.as_str())).await?;
    let mut rows_updated = 0;
    for (spelling, product_id) in &choices {
        rows_updated += review::confirm(&txn, auth.actor(), &code, &members, spelling, *product_id).await?.rows_updated;
    }
    txn.commit().await?;
    Ok(Json(BulkConfirmationView { confirmed: choices.len(), rows_updated }))
}

/// The header row and the key, spellings and choice columns of a review sheet.
fn review_columns(sheet: &crate::import::RawSheet) -> Option<(usize, usize, Option<usize>, usize)> {
    use crate::normalise::normalise_key;
    sheet.rows.iter().take(30).enumerate().find_map(|(index, row)| {
        let position = |header: &str| row.iter().position(|c| normalise_key(&c.display()) == normalise_key(header));
        Some((index, position(KEY_HEADER)?, position("Orthographes"), position(CHOICE_HEADER)?))
    })
}
