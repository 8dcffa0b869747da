//! API tokens: issue, list, revoke, authenticate.

use crate::store::StoreError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::api_token;
use super::{ghts, regions};
use crate::auth::{Principal, Scope, TokenParts, hash_token, issue_token};
use crate::domain::{Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;

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
}

#[derive(Debug, Serialize)]
struct TokenSnapshot<'a> {
    prefix: &'a str,
    label: &'a str,
    role: &'a str,
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
        ght_code: t.ght_code.as_ref().map(GhtCode::as_str),
        region_code: t.region_code.as_ref().map(RegionCode::as_str),
        finess_ej: t.finess_ej.as_ref().map(Finess::as_str),
        revoked: t.revoked_at.is_some(),
    })
}

/// Issues a token; returns its row and the secret text, to show once.
///
/// # Errors
/// `Invalid` when the scope does not fit the role, `NotFound` when the
/// GHT, region or établissement does not exist.
pub async fn create(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    new: NewToken,
) -> Result<(api_token::Model, String), AppError> {
    let needs = |what: &str| AppError::Invalid(format!("le rôle {} exige {what}", new.role));
    let extra = || AppError::Invalid(format!("le rôle {} ne prend ni GHT, ni région, ni FINESS", new.role));
    let (ght_code, region_code, finess_ej) = match new.role {
        Role::Admin | Role::National => {
            if new.ght.is_some() || new.region.is_some() || new.finess.is_some() {
                return Err(extra());
            }
            (None, None, None)
        }
        Role::Regional => {
            let region = new.region.clone().ok_or_else(|| needs("une région (--region)"))?;
            regions::get(txn, &region)
                .await?
                .ok_or_else(|| AppError::not_found(format!("région {region} introuvable")))?;
            (None, Some(region), None)
        }
        Role::Ght => {
            let ght = new.ght.clone().ok_or_else(|| needs("un GHT (--ght)"))?;
            ghts::find(txn, &ght).await?.ok_or_else(|| AppError::not_found(format!("GHT « {ght} » introuvable")))?;
            (Some(ght), None, None)
        }
        Role::Etablissement => {
            let finess = new.finess.clone().ok_or_else(|| needs("un FINESS juridique (--finess)"))?;
            let membership = ghts::current_membership(txn, &finess).await?.ok_or_else(|| {
                AppError::Invalid(format!("l'établissement {finess} n'est membre d'aucun GHT à ce jour"))
            })?;
            (Some(membership.ght_code), None, Some(finess))
        }
    };
    let issued = issue_token();
    let model = api_token::ActiveModel {
        label: Set(new.label),
        role: Set(new.role.to_string()),
        ght_code: Set(ght_code),
        region_code: Set(region_code),
        finess_ej: Set(finess_ej),
        prefix: Set(issued.prefix),
        sha256: Set(issued.sha256),
        created_at: Set(super::now()),
        revoked_at: Set(None),
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

/// Revokes a token by its prefix.
///
/// # Errors
/// `NotFound` for an unknown prefix, `Conflict` when already revoked.
pub async fn revoke(txn: &DatabaseTransaction, actor: Actor<'_>, prefix: &str) -> Result<api_token::Model, AppError> {
    let current = api_token::Entity::find()
        .filter(api_token::Column::Prefix.eq(prefix))
        .one(txn)
        .await?
        .ok_or_else(|| AppError::not_found(format!("jeton {prefix} introuvable")))?;
    if current.revoked_at.is_some() {
        return Err(AppError::Conflict(format!("le jeton {prefix} est déjà révoqué")));
    }
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

/// The principal of a presented token, or `None` when the token is
/// malformed, unknown or revoked. One indexed lookup by public prefix, then
/// a constant-time comparison of the SHA-256.
///
/// # Errors
/// When the query fails, or the stored row is inconsistent.
pub async fn authenticate(conn: &impl ConnectionTrait, presented: &str) -> Result<Option<Principal>, AppError> {
    let Some(parts) = TokenParts::parse(presented) else {
        return Ok(None);
    };
    let Some(row) = api_token::Entity::find().filter(api_token::Column::Prefix.eq(parts.prefix)).one(conn).await?
    else {
        return Ok(None);
    };
    if !crate::auth::digests_match(&hash_token(presented), &row.sha256) || row.revoked_at.is_some() {
        return Ok(None);
    }
    principal_of(row).map(Some)
}

fn principal_of(row: api_token::Model) -> Result<Principal, AppError> {
    let corrupt = |what: &str| AppError::Internal(anyhow::anyhow!("token {} has an invalid {what}", row.prefix));
    let role = Role::parse(&row.role).map_err(|_| corrupt("role"))?;
    let ght = || row.ght_code.clone().ok_or_else(|| corrupt("GHT"));
    let scope = match role {
        Role::Admin | Role::National => Scope::All,
        Role::Regional => Scope::Region(row.region_code.clone().ok_or_else(|| corrupt("region"))?),
        Role::Ght => Scope::Ght(ght()?),
        Role::Etablissement => {
            Scope::Etablissement { finess: row.finess_ej.clone().ok_or_else(|| corrupt("FINESS"))?, ght: ght()? }
        }
    };
    Ok(Principal { token_id: Some(row.id), label: row.label, role, scope })
}
