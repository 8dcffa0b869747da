//! Personal sign-in through OpenID Connect, and the sessions it opens.
//!
//! The flow is the authorisation code with PKCE: `begin` remembers the
//! sign-in (state, nonce, verifier) in the database and sends the browser
//! to the provider; `finish` takes it back once (a replayed state finds
//! nothing), exchanges the code, believes the ID token only after its
//! checks (`auth::oidc`), finds the person granted by e-mail, binds their
//! subject at the first sign-in, and opens a session. A session is read at
//! each request, so a revoked grant or an ended session stops at once on
//! every replica.

use chrono::{DateTime, TimeDelta, Utc};

use super::Write;
use super::anchors::{self, Stored};
use crate::auth::oidc::{AuthorizationRequest, SignInSecrets};
use crate::auth::session::{is_session_secret, issue_session_secret, session_hash};
use crate::auth::{Caller, Principal, digests_match, hash_token};
use crate::config::SessionSettings;
use crate::error::AppError;
use crate::integrations::oidc::{Provider, ProviderError};
use crate::store::audit::{self, Actor, Change};
use crate::store::entities::user_account;
use crate::store::sessions::{self, PendingSignIn};
use crate::store::{Db, people};

/// How long a person has to come back from the provider.
const SIGN_IN_WINDOW: TimeDelta = TimeDelta::minutes(10);
/// How often a session's last use is written.
const LAST_SEEN_EVERY: TimeDelta = TimeDelta::minutes(1);
/// The callback path, under the service's public address.
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

/// A sign-in started: where to send the browser, and the state its cookie
/// must carry back.
#[derive(Debug)]
pub struct Started {
    /// The provider's authorisation URL.
    pub redirect: url::Url,
    /// The state, for the binding cookie.
    pub state: String,
}

/// A sign-in finished: the session's secret (for the cookie) and where to
/// go.
#[derive(Debug)]
pub struct SignedIn {
    /// The session's secret, set in an `HttpOnly` cookie.
    pub session_secret: String,
    /// When the session ends whatever happens.
    pub expires_at: DateTime<Utc>,
    /// The local path to go back to.
    pub return_to: String,
}

/// A local path to come back to after sign-in; anything else (another
/// site, a scheme-relative `//host`) becomes `/`.
pub fn local_return(raw: Option<&str>) -> String {
    match raw {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 512
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn upstream(error: ProviderError) -> AppError {
    match error {
        ProviderError::Refused(refusal) => AppError::SignInRefused(refusal.to_string()),
        ProviderError::CodeRefused(_) => AppError::SignInRefused(error.to_string()),
        ProviderError::Unreachable(_) => {
            tracing::warn!(%error, "identity provider");
            AppError::Upstream(error.to_string())
        }
    }
}

/// The callback URL registered at the provider.
pub fn callback_uri(public_url: &url::Url) -> String {
    format!("{}{CALLBACK_PATH}", public_url.as_str().trim_end_matches('/'))
}

/// Starts a sign-in.
///
/// # Errors
/// `Upstream` when the provider's discovery document cannot be read.
pub async fn begin(
    db: &Db,
    provider: &Provider,
    public_url: &url::Url,
    return_to: Option<&str>,
) -> Result<Started, AppError> {
    let metadata = provider.metadata().await.map_err(upstream)?;
    let secrets = SignInSecrets::generate();
    let redirect_uri = callback_uri(public_url);
    let return_to = local_return(return_to);
    let conn = db.writer();
    sessions::forget_sign_ins_before(conn, Utc::now() - TimeDelta::days(1)).await?;
    sessions::remember_sign_in(
        conn,
        PendingSignIn {
            state_sha256: hash_token(&secrets.state),
            nonce: &secrets.nonce,
            pkce_verifier: &secrets.pkce_verifier,
            return_to: &return_to,
        },
    )
    .await?;
    let settings = provider.settings();
    let redirect = AuthorizationRequest {
        endpoint: &metadata.authorization_endpoint,
        client_id: &settings.client_id,
        redirect_uri: &redirect_uri,
        scopes: &settings.scopes,
    }
    .url(&secrets);
    Ok(Started { redirect, state: secrets.state })
}

/// What the provider sent back to the callback.
#[derive(Debug, Clone, Copy)]
pub struct Callback<'a> {
    /// The `state` parameter.
    pub state: &'a str,
    /// The `code` parameter.
    pub code: &'a str,
    /// The state the browser's binding cookie carries.
    pub browser_state: Option<&'a str>,
}

/// Finishes a sign-in and opens a session.
///
/// # Errors
/// `SignInRefused` when the sign-in was not started in this browser, is
/// unknown, expired or already used, when the provider refuses the code or
/// its ID token fails a check, or when no grant matches the person;
/// `Upstream` when the provider cannot be reached.
pub async fn finish(
    db: &Db,
    provider: &Provider,
    public_url: &url::Url,
    lifetimes: SessionSettings,
    callback: Callback<'_>,
) -> Result<SignedIn, AppError> {
    let same_browser = callback.browser_state.is_some_and(|cookie| {
        // Compared as digests, in constant time.
        digests_match(&hash_token(cookie), &hash_token(callback.state))
    });
    if !same_browser {
        return Err(AppError::SignInRefused(
            "cette connexion n'a pas été commencée dans ce navigateur ; recommencez".to_owned(),
        ));
    }
    let pending = sessions::take_sign_in(db.writer(), &hash_token(callback.state), Utc::now() - SIGN_IN_WINDOW)
        .await?
        .ok_or_else(|| {
            AppError::SignInRefused("connexion inconnue, expirée ou déjà utilisée ; recommencez".to_owned())
        })?;
    let claims = provider
        .exchange(callback.code, &pending.pkce_verifier, &callback_uri(public_url), &pending.nonce)
        .await
        .map_err(upstream)?;
    let email =
        claims.email.as_deref().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()).ok_or_else(|| {
            AppError::SignInRefused("le fournisseur d'identité n'a pas transmis d'adresse électronique".into())
        })?;
    if claims.email_verified == Some(false) {
        return Err(AppError::SignInRefused(format!("l'adresse {email} n'est pas vérifiée par le fournisseur")));
    }
    let issuer = provider.settings().issuer.as_str();
    let display_name = claims.display_name();

    let person = match people::by_subject(db.writer(), issuer, &claims.sub).await? {
        Some(person) => person,
        None => people::by_email(db.writer(), &email).await?.ok_or_else(|| {
            AppError::SignInRefused(format!("aucun droit n'est accordé à {email} ; demandez-le à l'administrateur"))
        })?,
    };
    if person.subject.as_deref().is_some_and(|bound| bound != claims.sub) {
        return Err(AppError::SignInRefused(format!("l'adresse {email} est déjà liée à une autre identité")));
    }
    if person.revoked_at.is_some() {
        return Err(AppError::SignInRefused(format!("les droits de {} ont été retirés", person.email)));
    }
    let principal = principal_of(db, &person).await?;
    let write = Write::begin(db, Actor { principal: &principal, request_id: None }).await?;
    let person = people::signed_in(write.txn(), person, issuer, &claims.sub, display_name).await?;
    let secret = issue_session_secret();
    let expires_at = Utc::now() + TimeDelta::from_std(lifetimes.absolute).unwrap_or(TimeDelta::hours(12));
    let session = sessions::open(write.txn(), person.id, session_hash(&secret), expires_at).await?;
    audit::record(
        write.txn(),
        write.actor(),
        Change {
            action: "session.open",
            object_type: "session",
            object_id: session.id.to_string(),
            ght_code: person.ght_code.clone(),
            before: None,
            after: audit::snapshot(&serde_json::json!({ "email": person.email, "expires_at": expires_at })),
        },
    )
    .await?;
    write.commit().await?;
    Ok(SignedIn { session_secret: secret, expires_at, return_to: pending.return_to })
}

async fn principal_of(db: &Db, person: &user_account::Model) -> Result<Principal, AppError> {
    let stored = Stored {
        table: "users",
        id: person.id,
        role: &person.role,
        ght: person.ght_code.as_ref(),
        region: person.region_code.as_ref(),
        finess: person.finess_ej.as_ref(),
    };
    let (role, scope) = anchors::scope(db.reader(), stored).await?;
    Ok(Principal { caller: Caller::Person(person.id), label: person.email.clone(), role, scope })
}

/// The principal of a session secret, or `None` when it is malformed,
/// unknown, ended, idle too long, past its absolute expiry, or its
/// person's grant was revoked. The last use is written in the background,
/// at most once a minute.
///
/// # Errors
/// When a query fails, or a stored row does not decode.
pub async fn authenticate(db: &Db, lifetimes: SessionSettings, secret: &str) -> Result<Option<Principal>, AppError> {
    if !is_session_secret(secret) {
        return Ok(None);
    }
    let Some((session, person)) = sessions::by_hash(db.reader(), &session_hash(secret)).await? else {
        return authenticate_token_session(db, lifetimes, secret).await;
    };
    let now = Utc::now();
    let idle = TimeDelta::from_std(lifetimes.idle).unwrap_or(TimeDelta::hours(1));
    if session.ended_at.is_some()
        || session.expires_at <= now
        || session.last_seen_at + idle <= now
        || person.revoked_at.is_some()
    {
        return Ok(None);
    }
    if now - session.last_seen_at >= LAST_SEEN_EVERY {
        let (db, id) = (db.clone(), session.id);
        tokio::spawn(async move {
            if let Err(error) = sessions::touch(db.writer(), id, now).await {
                tracing::warn!(%error, session = id, "cannot record a session's last use");
            }
        });
    }
    Ok(Some(principal_of(db, &person).await?))
}

/// Ends the session of a secret (sign-out); an unknown secret is already
/// signed out.
///
/// # Errors
/// When a query fails.
pub async fn sign_out(db: &Db, secret: &str) -> Result<(), AppError> {
    if !is_session_secret(secret) {
        return Ok(());
    }
    if let Some((session, _)) = sessions::by_hash(db.reader(), &session_hash(secret)).await? {
        sessions::end(db.writer(), session.id).await?;
    } else if let Some(session) = sessions::token_session_by_hash(db.reader(), &session_hash(secret)).await? {
        sessions::end_token_session(db.writer(), session.id).await?;
    }
    Ok(())
}

/// Opens a browser session with an API token pasted once (for those who
/// sign in without an identity provider): the token is checked as the API
/// checks it, and the session lives no longer than the token — revoked or
/// expired, the session ends with it — nor than the usual idle and
/// absolute limits. The same roles and scopes as the token, decided at
/// each request.
///
/// # Errors
/// `SignInRefused` for a token unknown, revoked or expired.
pub async fn with_token(
    db: &Db,
    lifetimes: SessionSettings,
    presented: &str,
    return_to: Option<&str>,
) -> Result<SignedIn, AppError> {
    let principal = super::tokens::authenticate(db, presented.trim())
        .await?
        .ok_or_else(|| AppError::SignInRefused("jeton inconnu, révoqué ou expiré".to_owned()))?;
    let Caller::Token(token_id) = principal.caller else {
        return Err(AppError::SignInRefused("jeton inconnu, révoqué ou expiré".to_owned()));
    };
    let write = Write::begin(db, Actor { principal: &principal, request_id: None }).await?;
    let secret = issue_session_secret();
    let expires_at = Utc::now() + TimeDelta::from_std(lifetimes.absolute).unwrap_or(TimeDelta::hours(12));
    let session = sessions::open_for_token(write.txn(), token_id, session_hash(&secret), expires_at).await?;
    audit::record(
        write.txn(),
        write.actor(),
        Change {
            action: "session.open",
            object_type: "session",
            object_id: format!("token:{}", session.id),
            ght_code: None,
            before: None,
            after: audit::snapshot(&serde_json::json!({ "token": principal.label, "expires_at": expires_at })),
        },
    )
    .await?;
    write.commit().await?;
    Ok(SignedIn { session_secret: secret, expires_at, return_to: local_return(return_to) })
}

/// The principal of a token's browser session, when it is open, not idle
/// too long, not past its expiry, and its token still valid.
async fn authenticate_token_session(
    db: &Db,
    lifetimes: SessionSettings,
    secret: &str,
) -> Result<Option<Principal>, AppError> {
    let Some(session) = sessions::token_session_by_hash(db.reader(), &session_hash(secret)).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    let idle = TimeDelta::from_std(lifetimes.idle).unwrap_or(TimeDelta::hours(1));
    if session.ended_at.is_some() || session.expires_at <= now || session.last_seen_at + idle <= now {
        return Ok(None);
    }
    let Some(principal) = super::tokens::principal_of_id(db, session.token_id).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at >= LAST_SEEN_EVERY {
        let (db, id) = (db.clone(), session.id);
        tokio::spawn(async move {
            if let Err(error) = sessions::touch_token_session(db.writer(), id, now).await {
                tracing::warn!(%error, session = id, "cannot record a token session's last use");
            }
        });
    }
    Ok(Some(principal))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_return(Some("/ghts/NOR-02?campagne=2026")), "/ghts/NOR-02?campagne=2026");
        for outside in [None, Some("https://evil.example/"), Some("//evil.example"), Some("/\\evil"), Some("ghts")] {
            assert_eq!(local_return(outside), "/", "{outside:?}");
        }
    }
}
