//! The referential a campaign is read against: GHTs and the memberships of
//! their établissements.

use chrono::NaiveDate;

use super::Write;
use crate::domain::{Finess, GhtCode};
use crate::error::AppError;
use crate::store::audit::Actor;
use crate::store::entities::ght_membership;
use crate::store::lock::{self, LockKey};
use crate::store::{Db, etablissements, ghts};

/// Adds an établissement to a GHT from a date. An établissement belongs to
/// one GHT at a time: an open membership elsewhere must be ended first.
/// Who is expected to report changes the GHT's open campaigns.
///
/// # Errors
/// `NotFound` for an unknown GHT or établissement, `Conflict` when the
/// établissement is already a member of a GHT on or after that date.
pub async fn add_member(
    db: &Db,
    actor: Actor<'_>,
    code: &GhtCode,
    finess: &Finess,
    valid_from: NaiveDate,
) -> Result<ght_membership::Model, AppError> {
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Etablissement(finess.as_str())).await?;
    ghts::find(write.txn(), code).await?.ok_or_else(|| AppError::not_found(format!("GHT « {code} » introuvable")))?;
    if etablissements::find(write.txn(), finess).await?.is_none() {
        return Err(AppError::not_found(format!("établissement {finess} introuvable : enregistrez-le d'abord")));
    }
    if let Some(existing) = ghts::membership_overlapping(write.txn(), finess, valid_from).await? {
        return Err(AppError::Conflict(format!(
            "l'établissement {finess} est déjà membre du GHT « {} » depuis le {} : terminez cette adhésion avant d'en ouvrir une autre",
            existing.ght_code, existing.valid_from
        )));
    }
    let created = ghts::insert_membership(write.txn(), actor, code, finess, valid_from).await?;
    write.touched().ght(code);
    write.commit().await?;
    Ok(created)
}

/// Ends a membership: `valid_to` is the first day outside the GHT. History
/// is kept, never deleted.
///
/// # Errors
/// `NotFound` when the membership is not one of this GHT's, `Invalid` when
/// the end is not after the start, `Conflict` when it has already ended.
pub async fn end_membership(
    db: &Db,
    actor: Actor<'_>,
    code: &GhtCode,
    id: i64,
    valid_to: NaiveDate,
) -> Result<ght_membership::Model, AppError> {
    let not_found = || AppError::not_found(format!("adhésion {id} introuvable dans le GHT « {code} »"));
    let mut write = Write::begin(db, actor).await?;
    let current =
        ghts::find_membership(write.txn(), id).await?.filter(|m| m.ght_code == *code).ok_or_else(not_found)?;
    lock::serialise(write.txn(), LockKey::Etablissement(&current.finess_ej)).await?;
    if let Some(ended) = current.valid_to {
        return Err(AppError::Conflict(format!("cette adhésion est déjà terminée (le {ended})")));
    }
    if valid_to <= current.valid_from {
        return Err(AppError::Invalid(format!(
            "la date de fin ({valid_to}) doit être postérieure à la date de début ({})",
            current.valid_from
        )));
    }
    let ended = ghts::set_membership_end(write.txn(), actor, current, valid_to).await?;
    write.touched().ght(code);
    write.commit().await?;
    Ok(ended)
}
