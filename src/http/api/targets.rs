//! A GHT's targets (dated versions) and its declared governance answers.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::domain::{Finess, GhtCode, SubdomainCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::store::answers::{self, Answer};
use crate::store::entities::{product, taxonomy_subdomain};
use crate::store::targets::{self, TargetSet, TargetVersion};
use crate::store::{campaigns, ghts, indicators};

/// The target product of a sub-domain.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetProduct {
    /// Sub-domain (`DPI.CORE`).
    pub subdomain: String,
    /// Catalogue id of the target product.
    pub product_id: i64,
    /// Its name (in answers only).
    #[serde(default, skip_deserializing)]
    pub product: Option<String>,
}

/// A planned migration of one établissement onto a sub-domain's target.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlannedMigration {
    /// The établissement (FINESS juridique).
    pub finess_ej: String,
    /// Sub-domain.
    pub subdomain: String,
    /// Planned date.
    pub planned_on: NaiveDate,
}

/// A whole set of targets, as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TargetsInput {
    /// Target product per sub-domain.
    pub products: Vec<TargetProduct>,
    /// Planned migrations.
    #[serde(default)]
    pub migrations: Vec<PlannedMigration>,
    /// Why this version.
    pub comment: Option<String>,
}

/// A version of a GHT's targets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TargetsView {
    /// Version id (increasing).
    pub version: i64,
    /// When it was set.
    pub created_at: DateTime<Utc>,
    /// By whom.
    pub created_by: String,
    /// Why.
    pub comment: Option<String>,
    /// Target product per sub-domain.
    pub products: Vec<TargetProduct>,
    /// Planned migrations.
    pub migrations: Vec<PlannedMigration>,
}

/// `?at=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// The version in force at the end of that day (default: the current one).
    pub at: Option<NaiveDate>,
}

/// Reads a GHT's targets.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/targets", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), AtQuery),
    description = "Les cibles du GHT : la version en vigueur, ou avec `at` celle en vigueur ce jour-là (pour relire une trajectoire « telle que prévue alors »). 404 si le GHT n'a pas encore de cibles. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Cibles", body = TargetsView)))]
pub async fn get_targets(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<AtQuery>,
) -> Result<Json<TargetsView>, AppError> {
    let code = parse_code(&code)?;
    let reader = state.db.reader();
    ghts::find_visible(reader, &auth.principal, &code).await?;
    let found = targets::in_force(reader, &code, query.at).await?.ok_or_else(|| match query.at {
        Some(day) => AppError::not_found(format!("le GHT {code} n'avait pas de cibles au {}", day.format("%d/%m/%Y"))),
        None => AppError::not_found(format!("le GHT {code} n'a pas encore de cibles")),
    })?;
    Ok(Json(view(&state, found).await?))
}

/// Replaces a GHT's targets.
#[utoipa::path(put, path = "/api/v1/ghts/{code}/targets", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT")), request_body = TargetsInput,
    description = "Remplace l'ensemble des cibles du GHT par une nouvelle version datée (les précédentes sont gardées) : produit cible par sous-domaine, date de migration prévue par établissement × sous-domaine. Les indicateurs des campagnes ouvertes sont recalculés dans la même transaction ; le changement est journalisé. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Nouvelle version", body = TargetsView),
        (status = 422, description = "Sous-domaine, produit ou établissement refusé", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_targets(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<TargetsInput>,
) -> Result<Json<TargetsView>, AppError> {
    let code = parse_code(&code)?;
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    if !auth.principal.writes_ght(&code) {
        return Err(AppError::Forbidden { role: auth.principal.role.to_string() });
    }
    let set = checked_set(&state, &code, body).await?;
    let txn = state.db.begin_write().await?;
    targets::replace(&txn, auth.actor(), &code, set).await?;
    let current = targets::in_force(&txn, &code, None).await?;
    txn.commit().await?;
    let current = current.ok_or_else(|| AppError::Internal(anyhow::anyhow!("targets vanished after replace")))?;
    Ok(Json(view(&state, current).await?))
}

/// Parses and checks a set of targets against the reference and the GHT.
async fn checked_set(state: &AppState, ght: &GhtCode, body: TargetsInput) -> Result<TargetSet, AppError> {
    let reader = state.db.reader();
    let mut products = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, target) in body.products.iter().enumerate() {
        let place = format!("products[{i}]");
        let subdomain = SubdomainCode::parse(&target.subdomain)
            .map_err(|e| AppError::Invalid(format!("{place} : sous-domaine « {} » refusé ({e})", target.subdomain)))?;
        if taxonomy_subdomain::Entity::find_by_id(subdomain.to_string()).one(reader).await?.is_none() {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} n'existe pas dans la nomenclature"
            )));
        }
        if product::Entity::find_by_id(target.product_id).one(reader).await?.is_none() {
            return Err(AppError::Invalid(format!(
                "{place} : le produit {} n'existe pas au catalogue",
                target.product_id
            )));
        }
        if !seen.insert(subdomain.to_string()) {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} a déjà une cible dans cet envoi"
            )));
        }
        products.push((subdomain, target.product_id));
    }
    let members: BTreeSet<String> =
        ghts::members_at(reader, ght, Utc::now().date_naive()).await?.into_iter().map(|(_, e)| e.finess_ej).collect();
    let mut migrations = Vec::new();
    for (i, plan) in body.migrations.iter().enumerate() {
        let place = format!("migrations[{i}]");
        let finess = Finess::parse(&plan.finess_ej)
            .map_err(|e| AppError::Invalid(format!("{place} : FINESS « {} » refusé ({e})", plan.finess_ej)))?;
        if !members.contains(finess.as_str()) {
            return Err(AppError::Invalid(format!("{place} : l'établissement {finess} n'est pas membre du GHT {ght}")));
        }
        let subdomain = SubdomainCode::parse(&plan.subdomain)
            .map_err(|e| AppError::Invalid(format!("{place} : sous-domaine « {} » refusé ({e})", plan.subdomain)))?;
        if !seen.contains(&subdomain.to_string()) {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} n'a pas de produit cible dans cet envoi"
            )));
        }
        migrations.push((finess, subdomain, plan.planned_on));
    }
    Ok(TargetSet { products, migrations, comment: body.comment })
}

async fn view(state: &AppState, found: TargetVersion) -> Result<TargetsView, AppError> {
    let ids: Vec<i64> = found.products.iter().map(|p| p.product_id).collect();
    let names: std::collections::HashMap<i64, String> = product::Entity::find()
        .filter(product::Column::Id.is_in(ids))
        .all(state.db.reader())
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let products = found
        .products
        .into_iter()
        .map(|p| TargetProduct {
            product: names.get(&p.product_id).cloned(),
            subdomain: p.subdomain_code,
            product_id: p.product_id,
        })
        .collect();
    Ok(TargetsView {
        version: found.version.id,
        created_at: found.version.created_at,
        created_by: found.version.created_by,
        comment: found.version.comment,
        products,
        migrations: found
            .migrations
            .into_iter()
            .map(|m| PlannedMigration { finess_ej: m.finess_ej, subdomain: m.subdomain_code, planned_on: m.planned_on })
            .collect(),
    })
}

/// A governance answer.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// `non_demarre`, `en_cours` or `realise`.
    pub status: String,
    /// Date of the status (when the SDSI was validated…).
    pub status_date: Option<NaiveDate>,
    /// Comment.
    pub comment: Option<String>,
}

/// Declares a governance item for a campaign.
#[utoipa::path(put, path = "/api/v1/ghts/{code}/campaigns/{year}/answers/{indicator}", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i64, Path, description = "Campagne"), ("indicator" = String, Path, description = "Indicateur déclaratif (GOV.SDSI…)")),
    request_body = AnswerInput,
    description = "Déclare (ou remplace) la réponse du GHT à un indicateur de gouvernance pour une campagne ouverte : statut non_demarre / en_cours / realise, date, commentaire. Journalisé. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Réponse enregistrée", body = AnswerInput),
        (status = 409, description = "Campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Indicateur ou statut refusé", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_answer(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath((code, year, indicator)): ApiPath<(String, i64, String)>,
    ApiJson(body): ApiJson<AnswerInput>,
) -> Result<Json<AnswerInput>, AppError> {
    let code = parse_code(&code)?;
    ghts::find_visible(state.db.reader(), &auth.principal, &code).await?;
    if !auth.principal.writes_ght(&code) {
        return Err(AppError::Forbidden { role: auth.principal.role.to_string() });
    }
    let year = super::campaigns::year_in_path(year)?;
    let (_, schema) = indicators::current_schema(state.db.reader()).await?;
    if !schema.iter().any(|d| d.code == indicator && d.kind == "declared") {
        return Err(AppError::Invalid(format!(
            "« {indicator} » n'est pas un indicateur déclaratif du schéma en vigueur"
        )));
    }
    let txn = state.db.begin_write().await?;
    campaigns::ensure_open(&txn, year).await?;
    let answer =
        Answer { indicator_code: indicator, status: body.status, status_date: body.status_date, comment: body.comment };
    let saved = answers::declare(&txn, auth.actor(), &code, year, answer).await?;
    txn.commit().await?;
    Ok(Json(AnswerInput { status: saved.status, status_date: saved.status_date, comment: saved.comment }))
}
