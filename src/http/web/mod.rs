//! Server-rendered pages, in French, on the same services as the API: the
//! sign-in page (a token pasted once, or the identity provider), sign-out,
//! and the home page of what the caller sees. Templates and the stylesheet
//! are in the binary: nothing is fetched from elsewhere.
//!
//! A page decides nothing itself: who the caller is comes from the session
//! (`service::sign_in`), what they see from the same service functions the
//! API calls, so no page can show what the API would refuse.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use minijinja::{Environment, context};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::session_secret;
use super::cookies::{cookie, same_origin, see_other, session_cookie};
use crate::auth::session::{SESSION_COOKIE, csrf_matches, csrf_token};
use crate::auth::{Principal, Scope};
use crate::error::AppError;
use crate::service::{referential, sign_in};
use crate::store::pagination::Page;

/// GHTs listed on the home page at most (there are 136).
const GHTS_LISTED: u64 = 200;

/// The pages' paths: pages for people, not part of the API's document.
pub const PATHS: [&str; 4] = ["/", "/connexion", "/deconnexion", "/static/style.css"];

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(PATHS[0], get(home))
        .route(PATHS[1], get(sign_in_page).post(sign_in_form))
        .route(PATHS[2], axum::routing::post(sign_out_form))
        .route(PATHS[3], get(style))
}

fn templates() -> &'static Environment<'static> {
    static TEMPLATES: OnceLock<Environment<'static>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let mut env = Environment::new();
        // Templates ending in .html are escaped: user text is never markup.
        for (name, source) in [
            ("base.html", include_str!("templates/base.html")),
            ("connexion.html", include_str!("templates/connexion.html")),
            ("accueil.html", include_str!("templates/accueil.html")),
        ] {
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(%error, template = name, "a page template does not compile");
            }
        }
        env
    })
}

fn render(name: &str, values: minijinja::Value) -> Result<Html<String>, AppError> {
    let template = templates().get_template(name).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Html(template.render(values).map_err(|e| AppError::Internal(e.into()))?))
}

/// The signed-in caller as the layout shows them.
#[derive(Debug, Serialize)]
struct Caller {
    label: String,
    role: String,
    csrf: String,
}

/// The caller of a page: its session's principal and the layout's view of
/// it, or `None` when not signed in.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<(Principal, Caller)>, AppError> {
    let Some(secret) = session_secret(headers) else { return Ok(None) };
    let Some(principal) = sign_in::authenticate(&state.db, state.settings.sessions, secret).await? else {
        return Ok(None);
    };
    let view = Caller { label: principal.label.clone(), role: principal.role.to_string(), csrf: csrf_token(secret) };
    Ok(Some((principal, view)))
}

/// A GHT on the home page.
#[derive(Debug, Serialize)]
struct GhtRow {
    code: String,
    name: String,
    region: String,
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some((principal, view)) = caller(&state, &headers).await? else {
        return see_other("/connexion?return_to=/", Vec::new());
    };
    let page = Page { number: 1, size: GHTS_LISTED };
    let ghts: Vec<GhtRow> = referential::ghts(&state.db, &principal, None, page)
        .await?
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
    Ok(render("accueil.html", context! { caller => view, ghts, scope })?.into_response())
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

/// A page's form, or a French message when it is not one.
fn form<T>(form: Result<Form<T>, FormRejection>, fields: &str) -> Result<T, AppError> {
    form.map(|Form(form)| form).map_err(|_| AppError::BadRequest(format!("formulaire attendu : {fields}")))
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

async fn style() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        include_str!("static/style.css"),
    )
}
