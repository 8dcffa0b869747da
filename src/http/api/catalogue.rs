//! The product catalogue.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::http::AppState;
use crate::normalise::sentinel::EntryState;
use axum::http::StatusCode;

use crate::domain::SubdomainCode;
use crate::http::auth::{AdminOnly, AnyRole, Auth, GhtWriters};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageParams, Paginated};
use crate::service::catalogue as catalogue_service;
use crate::store::catalogue_admin::NewProduct;

/// A catalogue product.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    /// Identifier (to read it again or act on it).
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
    let page = page.page()?;
    let found = catalogue_service::search(&state.db, &auth.principal, query.q.as_deref(), page).await?;
    Ok(Json(Paginated::of(found, |d| ProductView {
        id: d.product.id,
        name: d.product.name,
        vendor: d.vendor,
        former_vendors: d.former_vendors,
        default_subdomain: d.product.default_subdomain.map(|s| s.to_string()),
        status: d.product.status.to_string(),
        aliases: d.aliases,
    })))
}

/// An alias of the catalogue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AliasView {
    /// Identifier (to promote it).
    pub id: i64,
    /// The spelling.
    pub alias: String,
    /// The product it designates.
    pub product_id: i64,
    /// `national`, or the code of the GHT it belongs to.
    pub scope: String,
}

impl From<crate::store::entities::product_alias::Model> for AliasView {
    fn from(a: crate::store::entities::product_alias::Model) -> Self {
        AliasView { id: a.id, scope: a.scope.to_string(), alias: a.alias, product_id: a.product_id }
    }
}

/// `?local=true`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AliasQuery {
    /// Only the aliases confirmed by GHTs (candidates for promotion).
    #[serde(default)]
    pub local: bool,
}

/// Lists aliases.
#[utoipa::path(get, path = "/api/v1/catalogue/aliases", tag = "référentiel", params(AliasQuery),
    description = "Les alias du catalogue, nationaux puis propres à chaque GHT ; `local=true` ne montre que ceux des GHT, à promouvoir. Rôles : admin.",
    responses((status = 200, description = "Alias", body = Vec<AliasView>)))]
pub async fn list_aliases(
    _auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AliasQuery>,
) -> Result<Json<Vec<AliasView>>, AppError> {
    let aliases = catalogue_service::aliases(&state.db, query.local).await?;
    Ok(Json(aliases.into_iter().map(Into::into).collect()))
}

/// A national alias to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewAlias {
    /// The spelling.
    pub alias: String,
    /// The product it designates.
    pub product_id: i64,
}

/// Adds a national alias.
#[utoipa::path(post, path = "/api/v1/catalogue/aliases", tag = "référentiel", request_body = NewAlias,
    description = "Ajoute un alias national, utilisé par tous les GHT. Rôles : admin.",
    responses(
        (status = 201, description = "Alias ajouté", body = AliasView),
        (status = 409, description = "Le nom désigne déjà un autre produit", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_alias(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewAlias>,
) -> Result<(StatusCode, Json<AliasView>), AppError> {
    let alias = catalogue_service::add_national_alias(&state.db, auth.actor(), &body.alias, body.product_id).await?;
    Ok((StatusCode::CREATED, Json(alias.into())))
}

/// Promotes a GHT's alias.
#[utoipa::path(post, path = "/api/v1/catalogue/aliases/{id}/promote", tag = "référentiel",
    params(("id" = i64, Path, description = "Identifiant de l'alias")),
    description = "Rend national un alias confirmé par un GHT. Rôles : admin.",
    responses(
        (status = 200, description = "Alias promu", body = AliasView),
        (status = 409, description = "Déjà national, ou le nom désigne un autre produit", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn promote_alias(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AliasView>, AppError> {
    let alias = catalogue_service::promote_alias(&state.db, auth.actor(), id).await?;
    Ok(Json(alias.into()))
}

/// A spelling that states a situation rather than name a product.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StateAliasView {
    /// Identifier (to promote or remove it).
    pub id: i64,
    /// The spelling.
    pub alias: String,
    /// The state it says: `in_house`, `not_computerised` or `unspecified`.
    pub state: EntryState,
    /// `national`, or the code of the GHT that taught it.
    pub scope: String,
}

impl From<crate::store::entities::state_alias::Model> for StateAliasView {
    fn from(a: crate::store::entities::state_alias::Model) -> Self {
        StateAliasView { id: a.id, scope: a.scope.to_string(), alias: a.alias, state: a.state }
    }
}

/// Lists the spellings of states.
#[utoipa::path(get, path = "/api/v1/catalogue/states", tag = "référentiel", params(AliasQuery),
    description = "Les orthographes qui disent un état plutôt qu'un produit (réponse d'attente, outil maison, non informatisé), nationales puis apprises par chaque GHT dans sa liste de revue ; `local=true` ne montre que celles des GHT, à promouvoir. La liste nationale livrée avec le service (`states.csv`) s'y ajoute. Rôles : admin.",
    responses((status = 200, description = "Orthographes d'états", body = Vec<StateAliasView>)))]
pub async fn list_state_aliases(
    _auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<AliasQuery>,
) -> Result<Json<Vec<StateAliasView>>, AppError> {
    let aliases = catalogue_service::state_aliases(&state.db, query.local).await?;
    Ok(Json(aliases.into_iter().map(Into::into).collect()))
}

/// A national spelling of a state to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewStateAlias {
    /// The spelling.
    pub alias: String,
    /// The state: `in_house`, `not_computerised` or `unspecified`.
    pub state: EntryState,
}

/// Adds a national spelling of a state.
#[utoipa::path(post, path = "/api/v1/catalogue/states", tag = "référentiel", request_body = NewStateAlias,
    description = "Ajoute une orthographe nationale d'un état, lue par les dépôts suivants de tous les GHT. Rôles : admin.",
    responses(
        (status = 201, description = "Orthographe ajoutée", body = StateAliasView),
        (status = 409, description = "L'orthographe est déjà nationale", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_state_alias(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewStateAlias>,
) -> Result<(StatusCode, Json<StateAliasView>), AppError> {
    let alias = catalogue_service::add_national_state(&state.db, auth.actor(), &body.alias, body.state).await?;
    Ok((StatusCode::CREATED, Json(alias.into())))
}

/// Promotes a GHT's spelling of a state.
#[utoipa::path(post, path = "/api/v1/catalogue/states/{id}/promote", tag = "référentiel",
    params(("id" = i64, Path, description = "Identifiant de l'orthographe")),
    description = "Rend nationale une orthographe d'état apprise par un GHT. Rôles : admin.",
    responses(
        (status = 200, description = "Orthographe promue", body = StateAliasView),
        (status = 409, description = "Déjà nationale", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn promote_state_alias(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StateAliasView>, AppError> {
    let alias = catalogue_service::promote_state(&state.db, auth.actor(), id).await?;
    Ok(Json(alias.into()))
}

/// Removes a spelling of a state.
#[utoipa::path(delete, path = "/api/v1/catalogue/states/{id}", tag = "référentiel",
    params(("id" = i64, Path, description = "Identifiant de l'orthographe")),
    description = "Retire une orthographe d'état, nationale ou d'un GHT : les dépôts suivants ne la lisent plus comme un état (les lignes déjà importées gardent le leur). Rôles : admin.",
    responses((status = 204, description = "Orthographe retirée")))]
pub async fn remove_state_alias(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, AppError> {
    catalogue_service::remove_state(&state.db, auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A product to add or propose.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewProductBody {
    /// Canonical name.
    pub name: String,
    /// Vendor (created when unknown).
    pub vendor: String,
    /// Default sub-domain.
    pub default_subdomain: Option<SubdomainCode>,
}

/// The product as stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductRow {
    /// Identifier (to read it again or act on it).
    pub id: i64,
    /// Canonical name.
    pub name: String,
    /// Current vendor id.
    pub vendor_id: i64,
    /// Default sub-domain.
    pub default_subdomain: Option<String>,
    /// `approved` or `pending`.
    pub status: String,
    /// The GHT that proposed it.
    pub proposed_by_ght: Option<String>,
    /// The product it was merged into.
    pub merged_into: Option<i64>,
}

impl From<crate::store::entities::product::Model> for ProductRow {
    fn from(p: crate::store::entities::product::Model) -> Self {
        ProductRow {
            id: p.id,
            name: p.name,
            vendor_id: p.vendor_id,
            default_subdomain: p.default_subdomain.map(|s| s.to_string()),
            status: p.status.to_string(),
            proposed_by_ght: p.proposed_by_ght.map(|g| g.to_string()),
            merged_into: p.merged_into,
        }
    }
}

/// Adds (admin) or proposes (a GHT's DSI) a product.
#[utoipa::path(post, path = "/api/v1/catalogue/products", tag = "référentiel", request_body = NewProductBody,
    description = "Ajoute un produit au catalogue. Proposé par la DSI d'un GHT, il est utilisable tout de suite dans ce GHT et attend l'approbation nationale. Rôles : admin, ght.",
    responses(
        (status = 201, description = "Produit ajouté ou proposé", body = ProductRow),
        (status = 409, description = "Le nom existe déjà", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_product(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewProductBody>,
) -> Result<(StatusCode, Json<ProductRow>), AppError> {
    let new = NewProduct {
        name: body.name,
        vendor: body.vendor,
        default_subdomain: body.default_subdomain,
        proposed_by: None,
    };
    let product = catalogue_service::add_product(&state.db, auth.actor(), new).await?;
    Ok((StatusCode::CREATED, Json(product.into())))
}

/// Approves a proposed product.
#[utoipa::path(post, path = "/api/v1/catalogue/products/{id}/approve", tag = "référentiel",
    params(("id" = i64, Path, description = "Identifiant du produit")),
    description = "Approuve un produit proposé par un GHT : il devient national. Rôles : admin.",
    responses(
        (status = 200, description = "Produit approuvé", body = ProductRow),
        (status = 409, description = "N'attend pas d'approbation", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve_product(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProductRow>, AppError> {
    let product = catalogue_service::approve_product(&state.db, auth.actor(), id).await?;
    Ok(Json(product.into()))
}

/// The product another one is merged into.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MergeBody {
    /// The product that remains.
    pub into: i64,
}

/// What a merge did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MergeView {
    /// The merged product.
    pub product: ProductRow,
    /// Rows of open campaigns moved to the remaining product.
    pub rows_moved: u64,
    /// GHTs whose targets named the merged product: each has a new version
    /// of its targets naming the remaining one.
    pub targets_moved: Vec<String>,
}

/// Merges a product into another.
#[utoipa::path(post, path = "/api/v1/catalogue/products/{id}/merge", tag = "référentiel", request_body = MergeBody,
    params(("id" = i64, Path, description = "Identifiant du produit fusionné")),
    description = "Fusionne un produit dans un autre (doublon) : ses alias, les lignes des campagnes ouvertes et les cibles en vigueur des GHT (une nouvelle version datée) suivent ; les campagnes closes et les versions antérieures des cibles restent figées. Rôles : admin.",
    responses((status = 200, description = "Produits fusionnés", body = MergeView)))]
pub async fn merge_product(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<MergeBody>,
) -> Result<Json<MergeView>, AppError> {
    let merged = crate::service::catalogue::merge(&state.db, auth.actor(), id, body.into).await?;
    Ok(Json(MergeView {
        product: merged.product.into(),
        rows_moved: merged.rows_moved,
        targets_moved: merged.targets_moved,
    }))
}

/// A change of vendor.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AcquisitionBody {
    /// The new vendor (created when unknown).
    pub vendor: String,
    /// Date of the acquisition.
    pub on: Option<chrono::NaiveDate>,
}

/// Records that a product changed vendor.
#[utoipa::path(post, path = "/api/v1/catalogue/products/{id}/vendor", tag = "référentiel", request_body = AcquisitionBody,
    params(("id" = i64, Path, description = "Identifiant du produit")),
    description = "Enregistre le rachat d'un produit par un autre éditeur : l'éditeur actuel devient un ancien éditeur de ce produit (la filiation est propre à chaque produit). Rôles : admin.",
    responses((status = 200, description = "Rachat enregistré", body = ProductRow)))]
pub async fn record_acquisition(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AcquisitionBody>,
) -> Result<Json<ProductRow>, AppError> {
    let product = catalogue_service::record_acquisition(&state.db, auth.actor(), id, &body.vendor, body.on).await?;
    Ok(Json(product.into()))
}

/// Changes to a product.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    /// New canonical name (the former one stays an alias).
    pub name: Option<String>,
    /// New default sub-domain.
    pub default_subdomain: Option<SubdomainCode>,
}

/// Renames a product or changes its default sub-domain.
#[utoipa::path(patch, path = "/api/v1/catalogue/products/{id}", tag = "référentiel", request_body = ProductPatch,
    params(("id" = i64, Path, description = "Identifiant du produit")),
    description = "Renomme un produit (l'ancien nom reste un alias national) ou change son sous-domaine par défaut. Rôles : admin.",
    responses(
        (status = 200, description = "Produit modifié", body = ProductRow),
        (status = 409, description = "Le nom désigne un autre produit", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_product(
    auth: Auth<AdminOnly>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProductPatch>,
) -> Result<Json<ProductRow>, AppError> {
    let product =
        catalogue_service::rename_product(&state.db, auth.actor(), id, body.name.as_deref(), body.default_subdomain)
            .await?;
    Ok(Json(product.into()))
}
