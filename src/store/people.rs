//! People granted a role: grant, list, find, bind, revoke.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::StoreError;
use super::audit::{self, Actor, Change};
use super::entities::{session, user_account};
use crate::domain::{Finess, GhtCode, RegionCode, Role};

#[derive(Debug, Serialize)]
struct PersonSnapshot<'a> {
    email: &'a str,
    role: &'a str,
    ght_code: Option<&'a str>,
    region_code: Option<&'a str>,
    finess_ej: Option<&'a str>,
    bound: bool,
    revoked: bool,
}

fn snapshot(p: &user_account::Model) -> Option<serde_json::Value> {
    audit::snapshot(&PersonSnapshot {
        email: &p.email,
        role: &p.role,
        ght_code: p.ght_code.as_ref().map(GhtCode::as_str),
        region_code: p.region_code.as_ref().map(RegionCode::as_str),
        finess_ej: p.finess_ej.as_ref().map(Finess::as_str),
        bound: p.subject.is_some(),
        revoked: p.revoked_at.is_some(),
    })
}

/// A grant to write: a person's e-mail (lower-cased by the caller), role
/// and anchor, checked by the caller.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Lower-cased e-mail.
    pub email: String,
    /// The role.
    pub role: Role,
    /// The GHT of a `ght` person (and of an établissement's at grant time,
    /// for the record only).
    pub ght: Option<GhtCode>,
    /// The region of a `regional` person.
    pub region: Option<RegionCode>,
    /// The établissement (EJ) of an `etablissement` person.
    pub finess: Option<Finess>,
}

/// The person with this e-mail (lower-cased), revoked or not.
///
/// # Errors
/// When the query fails.
pub async fn by_email(conn: &impl ConnectionTrait, email: &str) -> Result<Option<user_account::Model>, StoreError> {
    Ok(user_account::Entity::find().filter(user_account::Column::Email.eq(email)).one(conn).await?)
}

/// The person with this id, revoked or not.
///
/// # Errors
/// When the query fails.
pub async fn by_id(conn: &impl ConnectionTrait, id: i64) -> Result<Option<user_account::Model>, StoreError> {
    Ok(user_account::Entity::find_by_id(id).one(conn).await?)
}

/// The person bound to this subject at this provider.
///
/// # Errors
/// When the query fails.
pub async fn by_subject(
    conn: &impl ConnectionTrait,
    issuer: &str,
    subject: &str,
) -> Result<Option<user_account::Model>, StoreError> {
    Ok(user_account::Entity::find()
        .filter(user_account::Column::Issuer.eq(issuer))
        .filter(user_account::Column::Subject.eq(subject))
        .one(conn)
        .await?)
}

/// Every person, by e-mail.
///
/// # Errors
/// When the query fails.
pub async fn list(conn: &impl ConnectionTrait) -> Result<Vec<user_account::Model>, StoreError> {
    Ok(user_account::Entity::find().order_by_asc(user_account::Column::Email).all(conn).await?)
}

/// Grants a role to an e-mail: a new person, or a new role and anchor for
/// a known one (revoked or not: a grant restores access), recorded.
///
/// # Errors
/// When the write fails.
pub async fn grant(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    grant: Grant,
) -> Result<user_account::Model, StoreError> {
    let current = by_email(txn, &grant.email).await?;
    let before = current.as_ref().and_then(snapshot);
    let saved = match current {
        Some(current) => {
            let mut model = current.into_active_model();
            model.role = Set(grant.role.to_string());
            model.ght_code = Set(grant.ght);
            model.region_code = Set(grant.region);
            model.finess_ej = Set(grant.finess);
            model.revoked_at = Set(None);
            model.update(txn).await?
        }
        None => {
            user_account::ActiveModel {
                email: Set(grant.email),
                display_name: Set(None),
                role: Set(grant.role.to_string()),
                ght_code: Set(grant.ght),
                region_code: Set(grant.region),
                finess_ej: Set(grant.finess),
                issuer: Set(None),
                subject: Set(None),
                created_at: Set(super::now()),
                last_sign_in_at: Set(None),
                revoked_at: Set(None),
                ..Default::default()
            }
            .insert(txn)
            .await?
        }
    };
    let action = if before.is_some() { "user.grant" } else { "user.create" };
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "user",
            object_id: saved.email.clone(),
            ght_code: saved.ght_code.clone(),
            before,
            after: snapshot(&saved),
        },
    )
    .await?;
    Ok(saved)
}

/// Revokes a person's grant and ends their sessions, recorded.
///
/// # Errors
/// When the write fails.
pub async fn revoke(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    current: user_account::Model,
) -> Result<user_account::Model, StoreError> {
    let before = snapshot(&current);
    let now = super::now();
    let mut model = current.into_active_model();
    model.revoked_at = Set(Some(now));
    let updated = model.update(txn).await?;
    session::Entity::update_many()
        .col_expr(session::Column::EndedAt, Expr::value(now))
        .filter(session::Column::UserId.eq(updated.id))
        .filter(session::Column::EndedAt.is_null())
        .exec(txn)
        .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "user.revoke",
            object_type: "user",
            object_id: updated.email.clone(),
            ght_code: updated.ght_code.clone(),
            before,
            after: snapshot(&updated),
        },
    )
    .await?;
    Ok(updated)
}

/// Records a sign-in: binds the provider's subject at the first one, and
/// keeps the name the provider gives.
///
/// # Errors
/// When the write fails (a subject already bound to another person is a
/// unique violation).
pub async fn signed_in(
    txn: &DatabaseTransaction,
    current: user_account::Model,
    issuer: &str,
    subject: &str,
    display_name: Option<String>,
) -> Result<user_account::Model, StoreError> {
    let mut model = current.into_active_model();
    model.issuer = Set(Some(issuer.to_owned()));
    model.subject = Set(Some(subject.to_owned()));
    if display_name.is_some() {
        model.display_name = Set(display_name);
    }
    model.last_sign_in_at = Set(Some(super::now()));
    Ok(model.update(txn).await?)
}
