//! Server-rendered pages, in French, on the same services as the API:
//! sign-in (a token pasted once, or the identity provider) and sign-out,
//! the national and regional dashboard, a GHT's page, its campaign and
//! deposits, its review and its targets, and the operator's pages.
//! Templates and the stylesheet are in the binary: nothing is fetched from
//! elsewhere, and every flow works without JavaScript.
//!
//! A page decides nothing itself: who the caller is comes from the session
//! ([`page::Visitor`]), what they see and change from the same service
//! functions the API calls (which decide access in `service::access`), so
//! no page can show what the API would refuse.

mod admin;
mod charts;
mod dashboard;
mod deposits;
mod format;
mod ght;
mod page;
mod review;
mod targets;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::session_secret;
use super::cookies::{cookie, same_origin, see_other, session_cookie};
use crate::auth::Scope;
use crate::auth::session::{SESSION_COOKIE, csrf_matches};
use crate::error::AppError;
use crate::service::{referential, sign_in};
use crate::store::pagination::Page;
use page::{PageError, Visitor, form, render};

/// GHTs listed on the home page at most (there are 136).
const GHTS_LISTED: u64 = 200;

/// The pages' paths: pages for people, not part of the API's document.
pub const PATHS: [&str; 28] = [
    "/",
    "/connexion",
    "/deconnexion",
    "/static/style.css",
    "/static/recherche.js",
    "/tableau-de-bord",
    "/ght/{code}",
    "/ght/{code}/campagne",
    "/ght/{code}/depot",
    "/ght/{code}/depot/confirmer",
    "/ght/{code}/revue",
    "/ght/{code}/revue/classeur",
    "/ght/{code}/cibles",
    "/ght/{code}/cibles/calendrier",
    "/depots/{id}",
    "/depots/{id}/valider",
    "/depots/{id}/retirer",
    "/lignes/{id}",
    "/admin",
    "/admin/campagnes",
    "/admin/campagnes/{year}/cloture",
    "/admin/jetons",
    "/admin/jetons/{prefix}/revocation",
    "/admin/adhesions",
    "/admin/adhesions/{code}/{id}/fin",
    "/admin/referentiel/finess",
    "/admin/referentiel/ght",
    "/admin/catalogue/fusion",
];

/// Paths of the catalogue and referential actions (kept apart: the array
/// above is long enough).
pub const CATALOGUE_PATHS: [&str; 4] = [
    "/admin/catalogue/produits/{id}/approbation",
    "/admin/catalogue/alias/{id}/promotion",
    "/admin/ght",
    "/admin/etablissements",
];

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATHS[0], get(home))
        .route(PATHS[1], get(sign_in_page).post(sign_in_form))
        .route(PATHS[2], post(sign_out_form))
        .route(PATHS[3], get(style))
        .route(PATHS[4], get(search_script))
        .route(PATHS[5], get(dashboard::page))
        .route(PATHS[6], get(ght::page))
        .route(PATHS[7], get(deposits::campaign_page))
        .route(PATHS[8], post(deposits::simulate))
        .route(PATHS[9], post(deposits::confirm))
        .route(PATHS[10], get(review::page).post(review::confirm))
        .route(PATHS[11], post(review::workbook))
        .route(PATHS[12], get(targets::page).post(targets::set_target))
        .route(PATHS[13], post(targets::plan))
        .route(PATHS[14], get(deposits::upload_page))
        .route(PATHS[15], post(deposits::validate))
        .route(PATHS[16], post(deposits::withdraw))
        .route(PATHS[17], get(deposits::entry_page).post(deposits::correct_entry))
        .route(PATHS[18], get(admin::page))
        .route(PATHS[19], post(admin::open_campaign))
        .route(PATHS[20], post(admin::close_campaign))
        .route(PATHS[21], post(admin::create_token))
        .route(PATHS[22], post(admin::revoke_token))
        .route(PATHS[23], post(admin::add_member))
        .route(PATHS[24], post(admin::end_member))
        .route(PATHS[25], post(admin::load_finess))
        .route(PATHS[26], post(admin::load_ght_list))
        .route(PATHS[27], post(admin::merge))
        .route(CATALOGUE_PATHS[0], post(admin::approve_product))
        .route(CATALOGUE_PATHS[1], post(admin::promote_alias))
        .route(CATALOGUE_PATHS[2], post(admin::create_ght))
        .route(CATALOGUE_PATHS[3], post(admin::register_etablissement))
        .layer(axum::middleware::map_response(page_headers))
}

/// What every page answers with: no caching of pages that hold a person's
/// data (the stylesheet and script set their own), nothing loaded from
/// elsewhere, no framing, no address sent to other sites.
async fn page_headers(mut response: Response) -> Response {
    use axum::http::HeaderValue;
    use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The not-found page, for an address no page has.
pub fn not_found_page() -> Response {
    PageError::from(AppError::not_found("page introuvable")).into_response()
}

/// A GHT on the home page.
#[derive(Debug, Serialize)]
struct GhtRow {
    code: String,
    name: String,
    region: String,
}

async fn home(visitor: Visitor, State(state): State<AppState>) -> Result<Response, PageError> {
    let principal = &visitor.principal;
    let page = Page { number: 1, size: GHTS_LISTED };
    let ghts: Vec<GhtRow> = referential::ghts(&state.db, principal, None, page)
        .await
        .map_err(|e| visitor.error(e))?
        .items
        .into_iter()
        .map(|g| GhtRow { code: g.code.to_string(), name: g.name, region: g.region_code.to_string() })
        .collect();
    let scope = match &principal.scope {
        Scope::All => "Vous voyez tous les GHT.".to_owned(),
        Scope::Region(region) => format!("Vous voyez les GHT de la région {region}."),
        Scope::Ght(code) => format!("Vous êtes la DSI du GHT {code}."),
        Scope::Etablissement { finess, .. } => format!("Vous représentez l'établissement {finess}."),
    };
    visitor.page("accueil.html", context! { ghts, scope })
}

/// `?return_to=`.
#[derive(Debug, Deserialize)]
struct ReturnTo {
    return_to: Option<String>,
}

async fn sign_in_page(State(state): State<AppState>, Query(query): Query<ReturnTo>) -> Result<Html<String>, AppError> {
    let return_to = sign_in::local_return(query.return_to.as_deref());
    render("connexion.html", context! { return_to, oidc => state.oidc.is_some() })
}

/// The sign-in form.
#[derive(Debug, Deserialize)]
struct SignInForm {
    token: String,
    return_to: Option<String>,
}

async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    sent: Result<Form<SignInForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = form(sent, "token (et return_to)")?;
    let return_to = sign_in::local_return(form.return_to.as_deref());
    if !same_origin(&state.settings, &headers) {
        return Err(AppError::CsrfRejected);
    }
    match sign_in::with_token(&state.db, state.settings.sessions, &form.token, Some(&return_to)).await {
        Ok(signed_in) => {
            let session = session_cookie(&state.settings, &signed_in)?;
            see_other(&signed_in.return_to, vec![session])
        }
        Err(AppError::SignInRefused(why)) => {
            let error = format!("Connexion refusée : {why}.");
            let page = render("connexion.html", context! { return_to, error, oidc => state.oidc.is_some() })?;
            Ok((StatusCode::FORBIDDEN, page).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The sign-out form: the session's CSRF token in a field, since a form
/// sends no header.
#[derive(Debug, Deserialize)]
struct SignOutForm {
    csrf: String,
}

async fn sign_out_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    sent: Result<Form<SignOutForm>, FormRejection>,
) -> Result<Response, AppError> {
    let form = form(sent, "csrf")?;
    if let Some(secret) = session_secret(&headers) {
        if !same_origin(&state.settings, &headers) || !csrf_matches(secret, &form.csrf) {
            return Err(AppError::CsrfRejected);
        }
        sign_in::sign_out(&state.db, secret).await?;
    }
    see_other("/connexion", vec![cookie(&state.settings, SESSION_COOKIE, "", "/", 0)?])
}

async fn search_script() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        include_str!("static/recherche.js"),
    )
}

async fn style() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        include_str!("static/style.css"),
    )
}
