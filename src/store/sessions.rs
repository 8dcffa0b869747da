//! Sessions of signed-in people, and sign-ins in flight.
//!
//! Both are found by the SHA-256 of a secret the browser holds; the secret
//! itself is never stored.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use super::StoreError;
use super::entities::{oidc_login, session, token_session, user_account};

/// A sign-in to remember until its callback.
#[derive(Debug)]
pub struct PendingSignIn<'a> {
    /// SHA-256 of the state, hex.
    pub state_sha256: String,
    /// The nonce expected in the ID token.
    pub nonce: &'a str,
    /// The PKCE verifier.
    pub pkce_verifier: &'a str,
    /// Where to go once signed in.
    pub return_to: &'a str,
}

/// Remembers a sign-in in flight.
///
/// # Errors
/// When the write fails.
pub async fn remember_sign_in(conn: &impl ConnectionTrait, pending: PendingSignIn<'_>) -> Result<(), StoreError> {
    oidc_login::ActiveModel {
        state_sha256: Set(pending.state_sha256),
        nonce: Set(pending.nonce.to_owned()),
        pkce_verifier: Set(pending.pkce_verifier.to_owned()),
        return_to: Set(pending.return_to.to_owned()),
        created_at: Set(super::now()),
        consumed_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Takes a sign-in in flight, once: the first callback with its state
/// marks it consumed in one conditional update, so that two callbacks
/// racing on two replicas cannot both use it. `None` when the state is
/// unknown, already used, or older than `started_after`.
///
/// # Errors
/// When a query fails.
pub async fn take_sign_in(
    conn: &impl ConnectionTrait,
    state_sha256: &str,
    started_after: DateTime<Utc>,
) -> Result<Option<oidc_login::Model>, StoreError> {
    let taken = oidc_login::Entity::update_many()
        .col_expr(oidc_login::Column::ConsumedAt, Expr::value(super::now()))
        .filter(oidc_login::Column::StateSha256.eq(state_sha256))
        .filter(oidc_login::Column::ConsumedAt.is_null())
        .filter(oidc_login::Column::CreatedAt.gt(started_after))
        .exec(conn)
        .await?;
    if taken.rows_affected != 1 {
        return Ok(None);
    }
    Ok(oidc_login::Entity::find().filter(oidc_login::Column::StateSha256.eq(state_sha256)).one(conn).await?)
}

/// Forgets sign-ins started before a moment (abandoned or used).
///
/// # Errors
/// When the write fails.
pub async fn forget_sign_ins_before(conn: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(oidc_login::Entity::delete_many()
        .filter(oidc_login::Column::CreatedAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Opens a session for a person.
///
/// # Errors
/// When the write fails.
pub async fn open(
    conn: &impl ConnectionTrait,
    user_id: i64,
    sha256: String,
    expires_at: DateTime<Utc>,
) -> Result<session::Model, StoreError> {
    let now = super::now();
    Ok(session::ActiveModel {
        user_id: Set(user_id),
        sha256: Set(sha256),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// A session and its person, by the SHA-256 of the session's secret.
///
/// # Errors
/// When the query fails.
pub async fn by_hash(
    conn: &impl ConnectionTrait,
    sha256: &str,
) -> Result<Option<(session::Model, user_account::Model)>, StoreError> {
    let Some(found) = session::Entity::find().filter(session::Column::Sha256.eq(sha256)).one(conn).await? else {
        return Ok(None);
    };
    let person = user_account::Entity::find_by_id(found.user_id).one(conn).await?;
    Ok(person.map(|person| (found, person)))
}

/// Records that a session was just used.
///
/// # Errors
/// When the write fails.
pub async fn touch(conn: &impl ConnectionTrait, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(at))
        .filter(session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends a session (sign-out).
///
/// # Errors
/// When the write fails.
pub async fn end(conn: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(super::now()))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Opens a session for an API token pasted in a browser.
///
/// # Errors
/// When the write fails.
pub async fn open_for_token(
    conn: &impl ConnectionTrait,
    token_id: i64,
    sha256: String,
    expires_at: DateTime<Utc>,
) -> Result<token_session::Model, StoreError> {
    let now = super::now();
    Ok(token_session::ActiveModel {
        token_id: Set(token_id),
        sha256: Set(sha256),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(expires_at),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?)
}

/// A token's session, by the SHA-256 of the session's secret.
///
/// # Errors
/// When the query fails.
pub async fn token_session_by_hash(
    conn: &impl ConnectionTrait,
    sha256: &str,
) -> Result<Option<token_session::Model>, StoreError> {
    Ok(token_session::Entity::find().filter(token_session::Column::Sha256.eq(sha256)).one(conn).await?)
}

/// Records that a token's session was just used.
///
/// # Errors
/// When the write fails.
pub async fn touch_token_session(conn: &impl ConnectionTrait, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
    token_session::Entity::update_many()
        .col_expr(token_session::Column::LastSeenAt, Expr::value(at))
        .filter(token_session::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends a token's session (sign-out).
///
/// # Errors
/// When the write fails.
pub async fn end_token_session(conn: &impl ConnectionTrait, id: i64) -> Result<(), StoreError> {
    token_session::Entity::update_many()
        .col_expr(token_session::Column::EndedAt, Expr::value(super::now()))
        .filter(token_session::Column::Id.eq(id))
        .filter(token_session::Column::EndedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
