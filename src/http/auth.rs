//! The one extractor that decides access for every route.
//!
//! A caller is a token (`Authorization: Bearer`) or a person's session
//! (cookie). The rule is the same everywhere: no or bad credential → 401; a route the
//! role can never use → 403 (decided here, from the route's [`Policy`]); an
//! object outside the token's scope requested by its id → 404, exactly as
//! if it did not exist (decided by `service::access`).

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;

use super::AppState;
use super::request_id::current_request_id;
use crate::auth::Principal;
use crate::auth::session::{CSRF_HEADER, SESSION_COOKIE, cookie_value, csrf_matches};
use crate::domain::Role;
use crate::error::AppError;
use crate::store::audit::Actor;

/// Which roles may use a route at all.
pub trait Policy {
    /// The roles allowed.
    const ROLES: &'static [Role];
}

/// Every role (reads are then narrowed by scope).
#[derive(Debug)]
pub struct AnyRole;
impl Policy for AnyRole {
    const ROLES: &'static [Role] = &Role::ALL;
}

/// Operators only: reference data, catalogue, tokens.
#[derive(Debug)]
pub struct AdminOnly;
impl Policy for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Who opens and closes campaigns: admin and DGOS.
#[derive(Debug)]
pub struct CampaignManagers;
impl Policy for CampaignManagers {
    const ROLES: &'static [Role] = &[Role::Admin, Role::National];
}

/// Who reads a GHT's review queue: admin, DGOS, the GHT's DSI (scope
/// checked by `service::access`).
#[derive(Debug)]
pub struct ReviewReaders;
impl Policy for ReviewReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::National, Role::Ght];
}

/// Who reads the audit trail: admin, DGOS (everything), an ARS (its
/// region's GHTs), a GHT's DSI (its GHT).
#[derive(Debug)]
pub struct AuditReaders;
impl Policy for AuditReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::National, Role::Regional, Role::Ght];
}

/// Who reads every GHT's exact values in a table: admin and DGOS (an
/// ARS reads its region's, see [`AggregateReaders`]).
#[derive(Debug)]
pub struct NationalReaders;
impl Policy for NationalReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::National];
}

/// Who reads a region's table of GHTs: admin, DGOS, the region's ARS
/// (scope checked by `service::access`).
#[derive(Debug)]
pub struct AggregateReaders;
impl Policy for AggregateReaders {
    const ROLES: &'static [Role] = &[Role::Admin, Role::National, Role::Regional];
}

/// Who changes a GHT's own data: admin and the GHT's DSI (scope checked by
/// `Principal::writes_ght`).
#[derive(Debug)]
pub struct GhtWriters;
impl Policy for GhtWriters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Ght];
}

/// Who deposits or withdraws inventories: admin, the GHT's DSI, an
/// établissement (its own).
#[derive(Debug)]
pub struct UploadWriters;
impl Policy for UploadWriters {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Ght, Role::Etablissement];
}

/// The caller of a request: a bearer token, else a session cookie (whose
/// state-changing requests must carry the session's CSRF token and, when
/// the browser names it, come from this service's own origin).
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Principal, AppError> {
    if let Some(header) = parts.headers.get(AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or(AppError::Unauthenticated)?;
        return crate::service::tokens::authenticate(&state.db, token).await?.ok_or(AppError::Unauthenticated);
    }
    let secret = session_secret(&parts.headers).ok_or(AppError::Unauthenticated)?;
    let principal = crate::service::sign_in::authenticate(&state.db, state.settings.sessions, secret)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !parts.method.is_safe() {
        let csrf = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !super::cookies::same_origin(&state.settings, &parts.headers) || !csrf_matches(secret, csrf) {
            return Err(AppError::CsrfRejected);
        }
    }
    Ok(principal)
}

/// The session secret a request's cookie carries.
pub fn session_secret(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|header| cookie_value(header, SESSION_COOKIE))
}

/// An authenticated caller whose role the policy `P` allows.
#[derive(Debug)]
pub struct Auth<P> {
    /// The caller.
    pub principal: Principal,
    request_id: Option<String>,
    policy: PhantomData<P>,
}

impl<P> Auth<P> {
    /// The caller as the audit trail records it.
    pub fn actor(&self) -> Actor<'_> {
        Actor { principal: &self.principal, request_id: self.request_id.as_deref() }
    }
}

impl<P: Policy + Send + Sync> FromRequestParts<AppState> for Auth<P> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let principal = authenticate(parts, state).await?;
        state.rate.check(principal.caller, std::time::Instant::now())?;
        if !P::ROLES.contains(&principal.role) {
            return Err(AppError::Forbidden { role: principal.role.to_string() });
        }
        tracing::Span::current().record("principal", principal.label.as_str());
        Ok(Auth { principal, request_id: current_request_id(), policy: PhantomData })
    }
}
