//! The cookies the service sets, and the redirection that carries them.
//!
//! A cookie is `HttpOnly`, `SameSite=Lax`, and `Secure` unless the
//! service's public address is plain HTTP on loopback (a developer's
//! machine).

use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::config::Settings;
use crate::error::AppError;

/// A `Set-Cookie` value.
///
/// # Errors
/// When the value is not a valid header (never for the service's own
/// values).
pub fn cookie(settings: &Settings, name: &str, value: &str, path: &str, max_age: u64) -> Result<HeaderValue, AppError> {
    let secure = if crate::config::is_loopback(&settings.public_url) && settings.public_url.scheme() == "http" {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"))
        .map_err(|e| AppError::Internal(e.into()))
}

/// `303 See Other` to `location`, setting `cookies`.
///
/// # Errors
/// When the location is not a valid header.
pub fn see_other(location: &str, cookies: Vec<HeaderValue>) -> Result<Response, AppError> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, HeaderValue::from_str(location).map_err(|e| AppError::Internal(e.into()))?);
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Whether a request that changes something comes from this service's own
/// pages (a browser names its origin on such requests; a request without
/// one is not a browser's cross-site form). On a developer's machine the
/// service on loopback is the same whichever loopback name the browser
/// used (`localhost`, `127.0.0.1`), on the same scheme and port.
pub fn same_origin(settings: &Settings, headers: &axum::http::HeaderMap) -> bool {
    let Some(origin) = headers.get(axum::http::header::ORIGIN) else { return true };
    let Some(origin) = origin.to_str().ok().map(|o| o.trim_end_matches('/')) else { return false };
    let public = &settings.public_url;
    if origin == public.origin().ascii_serialization() {
        return true;
    }
    let Ok(sent) = url::Url::parse(origin) else { return false };
    crate::config::is_loopback(public)
        && crate::config::is_loopback(&sent)
        && sent.scheme() == public.scheme()
        && sent.port_or_known_default() == public.port_or_known_default()
}

/// The session cookie of a sign-in, living as long as the session may.
///
/// # Errors
/// As [`cookie`].
pub fn session_cookie(
    settings: &Settings,
    signed_in: &crate::service::sign_in::SignedIn,
) -> Result<HeaderValue, AppError> {
    let lifetime = u64::try_from((signed_in.expires_at - chrono::Utc::now()).num_seconds()).unwrap_or(0);
    cookie(settings, crate::auth::session::SESSION_COOKIE, &signed_in.session_secret, "/", lifetime)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderMap;

    use super::*;

    fn settings(public: &str) -> Settings {
        let public = public.to_owned();
        Settings::from_lookup(move |name| (name == "CONVERGENCE_PUBLIC_URL").then(|| public.clone()))
            .unwrap_or_else(|e| panic!("settings: {e}"))
    }

    fn from(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = origin.parse() {
            headers.insert(axum::http::header::ORIGIN, value);
        }
        headers
    }

    #[test]
    fn the_services_own_pages_are_its_origin_whichever_loopback_name_the_browser_used() {
        let local = settings("http://127.0.0.1:8080");
        assert!(same_origin(&local, &HeaderMap::new()), "no Origin: not a cross-site form");
        assert!(same_origin(&local, &from("http://127.0.0.1:8080")));
        assert!(same_origin(&local, &from("http://localhost:8080")));
        assert!(!same_origin(&local, &from("http://localhost:9090")), "another port is another service");
        assert!(!same_origin(&local, &from("https://localhost:8080")));
        assert!(!same_origin(&local, &from("http://evil.example:8080")));
        assert!(!same_origin(&local, &from("null")));
        let deployed = settings("https://convergence.sante.gouv.fr");
        assert!(same_origin(&deployed, &from("https://convergence.sante.gouv.fr")));
        assert!(!same_origin(&deployed, &from("http://localhost")), "no leniency off loopback");
    }
}
