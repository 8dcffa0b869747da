//! The product catalogue.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth};
use crate::http::extract::ApiQuery;
use crate::store::catalogue;
use crate::store::pagination::{Page, PageParams, Paginated};

/// A catalogue product.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    /// Identifier.
    pub id: i64,
    /// Canonical name.
    pub name: String,
    /// Current vendor.
    pub vendor: String,
    /// Former vendors of this product, oldest first.
    pub former_vendors: Vec<String>,
    /// Sub-domain the product serves by default.
    pub default_subdomain: Option<String>,
    /// `approved`, or `pending` for a GHT's proposal awaiting approval.
    pub status: String,
    /// Other spellings (national, and the caller's GHT's own).
    pub aliases: Vec<String>,
}

/// `?q=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// Text searched in names and aliases, ignoring case, accents and
    /// punctuation (`dx care` finds DxCare).
    pub q: Option<String>,
}

/// Searches the catalogue.
#[utoipa::path(get, path = "/api/v1/catalogue/products", tag = "référentiel",
    params(ProductQuery, PageParams),
    description = "Produits du catalogue, par nom ; `q` cherche dans les noms et les alias. Rôles : tous (un GHT voit aussi ses propositions en attente).",
    responses((status = 200, description = "Produits", body = Paginated<ProductView>)))]
pub async fn search_products(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ProductQuery>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<ProductView>>, AppError> {
    let page = Page::from_params(page)?;
    let found = catalogue::search(state.db.reader(), &auth.principal, query.q.as_deref(), page).await?;
    Ok(Json(found.map(|d| ProductView {
        id: d.product.id,
        name: d.product.name,
        vendor: d.vendor,
        former_vendors: d.former_vendors,
        default_subdomain: d.product.default_subdomain,
        status: d.product.status,
        aliases: d.aliases,
    })))
}
