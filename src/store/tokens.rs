//! API tokens: issue, list, revoke, authenticate.

use crate::store::StoreError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::api_token;
use crate::auth::issue_token;
use crate::domain::{Finess, GhtCode, RegionCode, Role};

#[derive(Debug, Serialize)]
struct TokenSnapshot<'a> {
    prefix: &'a str,
    label: &'a str,
    role: &'a str,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ght_code: Option<&'a str>,
    region_code: Option<&'a str>,
    finess_ej: Option<&'a str>,
    revoked: bool,
}

fn snapshot(t: &api_token::Model) -> Option<serde_json::Value> {
    audit::snapshot(&TokenSnapshot {
        prefix: &t.prefix,
        label: &t.label,
        role: &t.role,
        expires_at: t.expires_at,
        ght_code: t.ght_code.as_ref().map(GhtCode::as_str),
        region_code: t.region_code.as_ref().map(RegionCode::as_str),
        finess_ej: t.finess_ej.as_ref().map(Finess::as_str),
        revoked: t.revoked_at.is_some(),
    })
}

/// A token's row to insert: its role, holder and anchor, checked by the
/// caller.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Its role.
    pub role: Role,
    /// Its holder.
    pub label: String,
    /// The GHT of a `ght` token (and, for the record, the GHT of an
    /// établissement when its token was made: its scope is decided at
    /// request time from current memberships, never from this column).
    pub ght: Option<GhtCode>,
    /// The region of a `regional` token.
    pub region: Option<RegionCode>,
    /// The établissement (EJ) of an `etablissement` token.
    pub finess: Option<Finess>,
    /// When it stops opening anything (`None`: until revoked).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Issues a token; returns its row and the secret text, to show once.
///
/// # Errors
/// When the write fails.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    row: TokenRow,
) -> Result<(api_token::Model, String), StoreError> {
    let issued = issue_token();
    let model = api_token::ActiveModel {
        label: Set(row.label),
        role: Set(row.role.to_string()),
        ght_code: Set(row.ght),
        region_code: Set(row.region),
        finess_ej: Set(row.finess),
        prefix: Set(issued.prefix),
        sha256: Set(issued.sha256),
        created_at: Set(super::now()),
        revoked_at: Set(None),
        expires_at: Set(row.expires_at),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "token.create",
            object_type: "token",
            object_id: model.prefix.clone(),
            ght_code: model.ght_code.clone(),
            before: None,
            after: snapshot(&model),
        },
    )
    .await?;
    Ok((model, issued.token))
}

/// Every token, oldest first (never their secret: it is not stored).
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<api_token::Model>, StoreError> {
    Ok(api_token::Entity::find().order_by_asc(api_token::Column::Id).all(conn).await?)
}

/// The token with this public prefix, revoked or not.
///
/// # Errors
/// When the query fails.
pub async fn by_prefix(conn: &impl ConnectionTrait, prefix: &str) -> Result<Option<api_token::Model>, StoreError> {
    Ok(api_token::Entity::find().filter(api_token::Column::Prefix.eq(prefix)).one(conn).await?)
}

/// A token by its id.
///
/// # Errors
/// When the query fails.
pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<api_token::Model>, StoreError> {
    Ok(api_token::Entity::find_by_id(id).one(conn).await?)
}

/// Records that a token was just used.
///
/// # Errors
/// When the write fails.
pub async fn touch(conn: &impl ConnectionTrait, id: i64, at: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(at))
        .filter(api_token::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Marks a token revoked, and records it.
///
/// # Errors
/// When the write fails.
pub async fn set_revoked(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    current: api_token::Model,
) -> Result<api_token::Model, StoreError> {
    let before = snapshot(&current);
    let mut model = current.into_active_model();
    model.revoked_at = Set(Some(super::now()));
    let updated = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "token.revoke",
            object_type: "token",
            object_id: updated.prefix.clone(),
            ght_code: updated.ght_code.clone(),
            before,
            after: snapshot(&updated),
        },
    )
    .await?;
    Ok(updated)
}
