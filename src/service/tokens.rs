//! API tokens: who may hold one, and what a presented token may see.
//!
//! A token's scope is its role and its anchor (a GHT, a region or an
//! établissement's FINESS EJ). What the anchor covers is decided at each
//! request from the memberships of that day, never frozen when the token
//! was made: an établissement that moves to another GHT reads its new GHT
//! the next morning, and no longer its former one.

use chrono::{DateTime, NaiveDate, Utc};

use super::Write;
use super::anchors::{self, Anchor, Stored};
use crate::auth::{Caller, Principal, TokenParts, digests_match, hash_token};
use crate::domain::{Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;
use crate::store::audit::Actor;
use crate::store::entities::api_token;
use crate::store::tokens::{self, TokenRow};
use crate::store::{Db, StoreError};

/// What a new token is for.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Its role.
    pub role: Role,
    /// Its holder, as the audit trail will name them.
    pub label: String,
    /// The GHT, for role `ght`.
    pub ght: Option<GhtCode>,
    /// The region, for role `regional`.
    pub region: Option<RegionCode>,
    /// The établissement (EJ), for role `etablissement`.
    pub finess: Option<Finess>,
    /// The last day it opens anything (`None`: until revoked).
    pub valid_until: Option<NaiveDate>,
}

/// How often a token's last use is written: the read that authenticates a
/// request tells whether it is older than this.
const LAST_USE_EVERY: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// The first instant a token valid until `day` (included) opens nothing.
fn expiry(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.succ_opt().and_then(|next| next.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// Issues a token; returns its row and the secret text, to show once.
///
/// # Errors
/// `Invalid` when the anchor does not fit the role, the établissement
/// belongs to no GHT today or the last day is past; `NotFound` when the GHT
/// or region does not exist.
pub async fn create(db: &Db, actor: Actor<'_>, new: NewToken) -> Result<(api_token::Model, String), AppError> {
    if let Some(day) = new.valid_until
        && day < Utc::now().date_naive()
    {
        return Err(AppError::Invalid(format!("la date de fin de validité ({day}) est déjà passée")));
    }
    let write = Write::begin(db, actor).await?;
    let anchor = Anchor { ght: new.ght, region: new.region, finess: new.finess };
    let Anchor { ght, region, finess } = anchors::check(write.txn(), new.role, anchor).await?;
    let expires_at = new.valid_until.and_then(expiry);
    let row = TokenRow { role: new.role, label: new.label, ght, region, finess, expires_at };
    let issued = tokens::insert(write.txn(), actor, row).await?;
    write.commit().await?;
    Ok(issued)
}

/// Every token, oldest first.
///
/// # Errors
/// When the query fails.
pub async fn list(db: &Db) -> Result<Vec<api_token::Model>, AppError> {
    Ok(tokens::list(db.reader()).await?)
}

/// Revokes a token by its public prefix.
///
/// # Errors
/// `NotFound` for an unknown prefix; `Conflict` when already revoked.
pub async fn revoke(db: &Db, actor: Actor<'_>, prefix: &str) -> Result<api_token::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    let current = tokens::by_prefix(write.txn(), prefix)
        .await?
        .ok_or_else(|| AppError::not_found(format!("jeton {prefix} introuvable")))?;
    if current.revoked_at.is_some() {
        return Err(AppError::Conflict(format!("le jeton {prefix} est déjà révoqué")));
    }
    let revoked = tokens::set_revoked(write.txn(), actor, current).await?;
    write.commit().await?;
    Ok(revoked)
}

/// Replaces a token by a new one with the same role, anchor, holder and
/// expiry, and revokes the old one, in one transaction; returns the new
/// row and its secret, to show once.
///
/// # Errors
/// `NotFound` for an unknown prefix; `Conflict` when already revoked.
pub async fn rotate(db: &Db, actor: Actor<'_>, prefix: &str) -> Result<(api_token::Model, String), AppError> {
    let write = Write::begin(db, actor).await?;
    let current = tokens::by_prefix(write.txn(), prefix)
        .await?
        .ok_or_else(|| AppError::not_found(format!("jeton {prefix} introuvable")))?;
    if current.revoked_at.is_some() {
        return Err(AppError::Conflict(format!("le jeton {prefix} est révoqué : créez-en un nouveau")));
    }
    let role = Role::parse(&current.role).map_err(|e| StoreError::corrupt("api_token", current.id, "role", e))?;
    let row = TokenRow {
        role,
        label: current.label.clone(),
        ght: current.ght_code.clone(),
        region: current.region_code.clone(),
        finess: current.finess_ej.clone(),
        expires_at: current.expires_at,
    };
    let issued = tokens::insert(write.txn(), actor, row).await?;
    tokens::set_revoked(write.txn(), actor, current).await?;
    write.commit().await?;
    Ok(issued)
}

/// The principal of a presented token, or `None` when the token is
/// malformed, unknown, revoked or expired. One indexed lookup by public
/// prefix, a constant-time comparison of the SHA-256, then, for an
/// établissement, the GHT it belongs to today. The token's last use is
/// written in the background, at most once a minute.
///
/// # Errors
/// When a query fails, or the stored row does not decode.
pub async fn authenticate(db: &Db, presented: &str) -> Result<Option<Principal>, AppError> {
    let conn = db.reader();
    let Some(parts) = TokenParts::parse(presented) else {
        return Ok(None);
    };
    let Some(row) = tokens::by_prefix(conn, parts.prefix).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if !digests_match(&hash_token(presented), &row.sha256)
        || row.revoked_at.is_some()
        || row.expires_at.is_some_and(|end| end <= now)
    {
        return Ok(None);
    }
    if row.last_used_at.is_none_or(|last| now - last >= LAST_USE_EVERY) {
        let (db, id) = (db.clone(), row.id);
        tokio::spawn(async move {
            if let Err(error) = tokens::touch(db.writer(), id, now).await {
                tracing::warn!(%error, token = id, "cannot record a token's last use");
            }
        });
    }
    Ok(Some(principal_of(conn, row).await?))
}

/// The principal of a token row, its scope decided today.
async fn principal_of(conn: &impl sea_orm::ConnectionTrait, row: api_token::Model) -> Result<Principal, AppError> {
    let stored = Stored {
        table: "api_token",
        id: row.id,
        role: &row.role,
        ght: row.ght_code.as_ref(),
        region: row.region_code.as_ref(),
        finess: row.finess_ej.as_ref(),
    };
    let (role, scope) = anchors::scope(conn, stored).await?;
    Ok(Principal { caller: Caller::Token(row.id), label: row.label, role, scope })
}

/// The principal of a token by its id (a browser session opened with it),
/// or `None` when it is revoked or expired: the session ends with it.
///
/// # Errors
/// When a query fails, or the stored row does not decode.
pub async fn principal_of_id(db: &Db, id: i64) -> Result<Option<Principal>, AppError> {
    let conn = db.reader();
    let Some(row) = tokens::by_id(conn, id).await? else { return Ok(None) };
    if row.revoked_at.is_some() || row.expires_at.is_some_and(|end| end <= Utc::now()) {
        return Ok(None);
    }
    Ok(Some(principal_of(conn, row).await?))
}
