//! Personal sign-in: the browser's round trip to the OpenID Connect
//! provider, sign-out, and who the caller is.
//!
//! These routes set cookies: the session cookie is `HttpOnly`,
//! `SameSite=Lax`, `Path=/`, and `Secure` unless the service's public
//! address is plain HTTP on loopback (a developer's machine); the sign-in
//! binding cookie lives ten minutes on the callback's path only.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::auth::Scope;
use crate::auth::session::{SESSION_COOKIE, SIGN_IN_COOKIE, cookie_value, csrf_token};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth, session_secret};
use crate::http::extract::ApiQuery;
use crate::integrations::oidc::Provider;
use crate::service::sign_in::{self, Callback};

fn provider(state: &AppState) -> Result<&Provider, AppError> {
    state.oidc.as_deref().ok_or_else(|| {
        AppError::not_found("la connexion personnelle (OpenID Connect) n'est pas configurée sur ce service")
    })
}

fn cookie(state: &AppState, name: &str, value: &str, path: &str, max_age: u64) -> Result<HeaderValue, AppError> {
    crate::http::cookies::cookie(&state.settings, name, value, path, max_age)
}

/// `?return_to=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginQuery {
    /// Le chemin de ce service où revenir une fois connecté (`/` par défaut).
    pub return_to: Option<String>,
}

/// Starts a sign-in at the identity provider.
#[utoipa::path(get, path = "/auth/oidc/login", tag = "connexion", params(LoginQuery),
    description = "Envoie le navigateur au fournisseur d'identité (ProConnect ou le Keycloak de l'exploitant) : code d'autorisation avec PKCE, `state` et `nonce`. Sans authentification. 404 quand la connexion personnelle n'est pas configurée.",
    responses((status = 303, description = "Vers le fournisseur d'identité")))]
pub async fn login(State(state): State<AppState>, ApiQuery(query): ApiQuery<LoginQuery>) -> Result<Response, AppError> {
    let provider = provider(&state)?;
    let started = sign_in::begin(&state.db, provider, &state.settings.public_url, query.return_to.as_deref()).await?;
    let binding = cookie(&state, SIGN_IN_COOKIE, &started.state, sign_in::CALLBACK_PATH, 600)?;
    crate::http::cookies::see_other(started.redirect.as_str(), vec![binding])
}

/// What the provider sends back.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// Le code d'autorisation.
    pub code: Option<String>,
    /// L'état envoyé au départ.
    pub state: Option<String>,
    /// L'erreur, quand le fournisseur refuse.
    pub error: Option<String>,
}

/// Finishes a sign-in and opens a session.
#[utoipa::path(get, path = "/auth/oidc/callback", tag = "connexion", params(CallbackQuery),
    description = "Retour du fournisseur d'identité : vérifie l'état (une seule fois, dans le navigateur qui a commencé), échange le code avec le vérificateur PKCE, vérifie le jeton d'identité (signature, émetteur, audience, expiration, nonce), trouve la personne à qui l'administrateur a accordé un rôle et ouvre une session (cookie). Sans authentification.",
    responses(
        (status = 303, description = "Connecté : vers le chemin demandé au départ"),
        (status = 403, description = "Connexion refusée", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Fournisseur d'identité indisponible", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<CallbackQuery>,
) -> Result<Response, AppError> {
    let provider = provider(&state)?;
    if let Some(error) = query.error {
        let error: String = error.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
        return Err(AppError::SignInRefused(format!("le fournisseur d'identité a refusé la connexion ({error})")));
    }
    let (Some(code), Some(returned_state)) = (query.code.as_deref(), query.state.as_deref()) else {
        return Err(AppError::BadRequest("paramètres code et state attendus".to_owned()));
    };
    let browser_state = headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie_value(h, SIGN_IN_COOKIE));
    let signed_in = sign_in::finish(
        &state.db,
        provider,
        &state.settings.public_url,
        state.settings.sessions,
        Callback { state: returned_state, code, browser_state },
    )
    .await?;
    let session = crate::http::cookies::session_cookie(&state.settings, &signed_in)?;
    let cleared = cookie(&state, SIGN_IN_COOKIE, "", sign_in::CALLBACK_PATH, 0)?;
    crate::http::cookies::see_other(&signed_in.return_to, vec![session, cleared])
}

/// A token pasted in a browser's sign-in form.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenSignIn {
    /// The API token (`cvg_…`).
    pub token: String,
    /// The path of this service to go back to (`/` by default).
    pub return_to: Option<String>,
}

/// Opens a browser session with an API token.
#[utoipa::path(post, path = "/auth/token", tag = "connexion",
    request_body(content = TokenSignIn, content_type = "application/x-www-form-urlencoded"),
    description = "Échange un jeton d'API, collé une fois dans un formulaire, contre une session (cookie HttpOnly, SameSite=Lax, Secure derrière TLS), conservée en base : toute réplique la sert. La session a le rôle et le périmètre du jeton, décidés à chaque requête, et finit avec lui (révoqué ou expiré), après une heure sans requête, douze heures après l'ouverture, ou à la déconnexion. Refusée depuis une autre origine que le service. Sans authentification.",
    responses(
        (status = 303, description = "Connecté : vers le chemin demandé"),
        (status = 403, description = "Jeton refusé, ou autre origine", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn token_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<axum::Form<TokenSignIn>, axum::extract::rejection::FormRejection>,
) -> Result<Response, AppError> {
    // Another site's page must not sign a browser in with its own token.
    let same_origin = headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|origin| origin.trim_end_matches('/') == state.settings.public_url.origin().ascii_serialization());
    if !same_origin {
        return Err(AppError::CsrfRejected);
    }
    let axum::Form(form) =
        form.map_err(|_| AppError::BadRequest("formulaire attendu : token (et return_to)".to_owned()))?;
    let signed_in =
        sign_in::with_token(&state.db, state.settings.sessions, &form.token, form.return_to.as_deref()).await?;
    let session = crate::http::cookies::session_cookie(&state.settings, &signed_in)?;
    crate::http::cookies::see_other(&signed_in.return_to, vec![session])
}

/// Ends the caller's session.
#[utoipa::path(post, path = "/auth/logout", tag = "connexion",
    description = "Ferme la session (d'une personne, ou d'un jeton ouverte dans un navigateur ; jeton anti-CSRF requis) et efface son cookie. Avec un jeton d'API dans l'en-tête, ne fait rien.",
    responses((status = 204, description = "Déconnecté")))]
pub async fn logout(
    _auth: Auth<AnyRole>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if let Some(secret) = session_secret(&headers) {
        sign_in::sign_out(&state.db, secret).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, cookie(&state, SESSION_COOKIE, "", "/", 0)?);
    Ok(response)
}

/// Who is calling.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionView {
    /// `token` or `person`.
    pub caller: &'static str,
    /// The token's holder or the person's e-mail, as the audit trail names them.
    pub label: String,
    /// The role.
    pub role: String,
    /// The GHT seen (role `ght`, or an établissement's GHT today).
    pub ght_code: Option<String>,
    /// The region seen (role `regional`).
    pub region_code: Option<String>,
    /// The établissement (role `etablissement`).
    pub finess_ej: Option<String>,
    /// For a session: the token to send in `X-CSRF-Token` with every
    /// request that changes something.
    pub csrf_token: Option<String>,
}

/// Tells the caller who they are.
#[utoipa::path(get, path = "/api/v1/session", tag = "connexion",
    description = "L'appelant : jeton ou personne connectée, rôle et périmètre du jour ; pour une session, le jeton anti-CSRF à renvoyer dans l'en-tête X-CSRF-Token de chaque requête qui modifie. Rôles : tous.",
    responses((status = 200, description = "L'appelant", body = SessionView)))]
pub async fn whoami(auth: Auth<AnyRole>, headers: HeaderMap) -> Json<SessionView> {
    let principal = auth.principal;
    let (ght, region, finess) = match &principal.scope {
        Scope::All => (None, None, None),
        Scope::Region(region) => (None, Some(region.to_string()), None),
        Scope::Ght(code) => (Some(code.to_string()), None, None),
        Scope::Etablissement { finess, ght } => (ght.as_ref().map(ToString::to_string), None, Some(finess.to_string())),
    };
    let person = principal.user_id().is_some();
    // A session (a person's, or a token's opened in a browser) answers its
    // CSRF token; a bearer token needs none.
    let from_session = !headers.contains_key(axum::http::header::AUTHORIZATION);
    Json(SessionView {
        caller: if person { "person" } else { "token" },
        label: principal.label,
        role: principal.role.to_string(),
        ght_code: ght,
        region_code: region,
        finess_ej: finess,
        csrf_token: if from_session { session_secret(&headers).map(csrf_token) } else { None },
    })
}
