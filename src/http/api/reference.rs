//! Regions and taxonomy: reference data every role reads.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth};
use crate::service::reference;

/// A region (ARS).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// Short code used in GHT codes.
    pub code: String,
    /// French name.
    pub name: String,
    /// Whether it is overseas.
    pub overseas: bool,
}

/// Lists the regions.
#[utoipa::path(get, path = "/api/v1/regions", tag = "référentiel",
    description = "Les régions (codes courts des ARS), métropole puis outre-mer. Rôles : tous.",
    responses((status = 200, description = "Régions", body = Vec<RegionView>)))]
pub async fn list_regions(
    _auth: Auth<AnyRole>,
    State(state): State<AppState>,
) -> Result<Json<Vec<RegionView>>, AppError> {
    let rows = reference::regions(&state.db).await?;
    Ok(Json(
        rows.into_iter().map(|r| RegionView { code: r.code.to_string(), name: r.name, overseas: r.overseas }).collect(),
    ))
}

/// A level-1 domain and its sub-domains.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainView {
    /// Code (`DPI`).
    pub code: String,
    /// French label.
    pub label: String,
    /// Words hospitals write for it.
    pub synonyms: Vec<String>,
    /// Its sub-domains, where convergence is measured.
    pub subdomains: Vec<SubdomainView>,
}

/// A level-2 sub-domain.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubdomainView {
    /// Code (`DPI.CORE`).
    pub code: String,
    /// French label.
    pub label: String,
    /// Words hospitals write for it.
    pub synonyms: Vec<String>,
}

/// Serves the functional taxonomy.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "référentiel",
    description = "La nomenclature fonctionnelle à deux niveaux (domaines, sous-domaines) avec libellés et synonymes. Rôles : tous.",
    responses((status = 200, description = "Nomenclature", body = Vec<DomainView>)))]
pub async fn get_taxonomy(
    _auth: Auth<AnyRole>,
    State(state): State<AppState>,
) -> Result<Json<Vec<DomainView>>, AppError> {
    let stored = reference::taxonomy(&state.db).await?;
    let words = |domain: &str, sub: Option<&str>, label: &str| -> Vec<String> {
        stored
            .synonyms
            .iter()
            .filter(|s| {
                s.domain_code == domain && s.subdomain_code.as_ref().map(|c| c.as_str()) == sub && s.synonym != label
            })
            .map(|s| s.synonym.clone())
            .collect()
    };
    let domains = stored
        .domains
        .iter()
        .map(|d| DomainView {
            code: d.code.clone(),
            label: d.label.clone(),
            synonyms: words(&d.code, None, &d.label),
            subdomains: stored
                .subdomains
                .iter()
                .filter(|s| s.domain_code == d.code)
                .map(|s| SubdomainView {
                    code: s.code.to_string(),
                    label: s.label.clone(),
                    synonyms: words(&d.code, Some(s.code.as_str()), &s.label),
                })
                .collect(),
        })
        .collect();
    Ok(Json(domains))
}
