//! The one place that decides, at request time, whether a caller may see
//! or change an object.
//!
//! The rule is the same for every route: no valid token → 401 (the
//! extractor); a route the role can never use → 403 (the route's policy,
//! in the extractor, or [`writable_ght`] for a role that writes some GHTs
//! but not this one); an object outside the caller's scope → 404, exactly
//! as if it did not exist (ids are sequential: an answer that differed
//! would tell that the object exists).

use sea_orm::ConnectionTrait;

use crate::auth::{Principal, Scope};
use crate::domain::{Finess, GhtCode, Role, UploadStatus};
use crate::error::AppError;
use crate::store::catalogue::CatalogueView;
use crate::store::entities::{ght, inventory_entry, inventory_upload};
use crate::store::etablissements::{self, EtablissementDetails};
use crate::store::ghts::GhtReach;
use crate::store::{ghts, inventory};

/// The GHTs a caller's listings cover: every GHT for the operator and
/// DGOS, its region's for an ARS, its own for a DSI, the one an
/// établissement belongs to today.
pub fn ght_reach(principal: &Principal) -> GhtReach {
    match &principal.scope {
        Scope::All => GhtReach::All,
        Scope::Region(region) => GhtReach::Region(region.clone()),
        Scope::Ght(code) | Scope::Etablissement { ght: Some(code), .. } => GhtReach::One(code.clone()),
        Scope::Etablissement { ght: None, .. } => GhtReach::Nothing,
    }
}

/// The catalogue as a caller sees it: the approved products, every
/// pending proposal for the operator, and a GHT's own proposals and
/// aliases for its DSI and its établissements.
pub fn catalogue_view(principal: &Principal) -> CatalogueView {
    CatalogueView { all_pending: principal.role == Role::Admin, ght: principal.own_ght().cloned() }
}

/// The 404 of a GHT, absent or out of scope alike.
fn ght_not_found(code: &GhtCode) -> AppError {
    AppError::not_found(format!("GHT « {code} » introuvable"))
}

/// A GHT the caller sees; any other is "not found".
///
/// # Errors
/// `NotFound` when absent or outside the caller's scope.
pub async fn readable_ght(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    code: &GhtCode,
) -> Result<ght::Model, AppError> {
    let found = ghts::find(conn, code).await?;
    readable_ght_row(principal, code, found.as_ref()).cloned()
}

/// The rule of [`readable_ght`], for a GHT already read (`None`: absent).
///
/// # Errors
/// `NotFound` when absent or out of scope.
pub fn readable_ght_row<'a>(
    principal: &Principal,
    code: &GhtCode,
    found: Option<&'a ght::Model>,
) -> Result<&'a ght::Model, AppError> {
    found.filter(|g| principal.sees_ght(code, g.region_code.as_str())).ok_or_else(|| ght_not_found(code))
}

/// A GHT whose own data (settings, targets, answers, review, inventories)
/// the caller may change: the admin and the GHT's DSI.
///
/// # Errors
/// `NotFound` when the caller does not see it; `Forbidden` when it sees it
/// but may not change it (a regional or national reader, an
/// établissement of the GHT).
pub async fn writable_ght(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    code: &GhtCode,
) -> Result<ght::Model, AppError> {
    let found = readable_ght(conn, principal, code).await?;
    if principal.writes_ght(code) { Ok(found) } else { Err(forbidden(principal)) }
}

/// An établissement the caller sees (its own, or one that belongs or
/// belonged to a GHT the caller sees); any other is "not found".
///
/// # Errors
/// `NotFound` when absent or outside the caller's scope.
pub async fn readable_etablissement(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    finess: &Finess,
) -> Result<EtablissementDetails, AppError> {
    let not_found = || AppError::not_found(format!("établissement {finess} introuvable"));
    let details = etablissements::find(conn, finess).await?.ok_or_else(not_found)?;
    let ghts: Vec<(GhtCode, &str)> =
        details.memberships.iter().map(|(m, region)| (m.ght_code.clone(), region.as_str())).collect();
    if principal.sees_etablissement(finess, ghts.iter().map(|(c, r)| (c, *r))) { Ok(details) } else { Err(not_found()) }
}

/// Whether the caller may read an établissement's data of one campaign,
/// held by `ght`, the GHT it belonged to at that campaign's reference
/// date: the établissement itself, and whoever sees that GHT — not a GHT
/// it belonged to before or after (nor that GHT's ARS).
///
/// # Errors
/// `NotFound`, as for an absent établissement, otherwise.
pub async fn readable_campaign_data(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    finess: &Finess,
    ght: &GhtCode,
) -> Result<(), AppError> {
    let visible = match &principal.scope {
        Scope::Etablissement { finess: own, .. } => own == finess,
        _ => ghts::find(conn, ght).await?.is_some_and(|g| principal.sees_ght(ght, g.region_code.as_str())),
    };
    if visible { Ok(()) } else { Err(AppError::not_found(format!("établissement {finess} introuvable"))) }
}

/// The 403 of a caller whose role does not allow the action here.
pub fn forbidden(principal: &Principal) -> AppError {
    AppError::Forbidden { role: principal.role.to_string() }
}

/// An upload the caller sees: an établissement sees its own deposits, the
/// others see the deposits of the GHTs they see; any other is "not found".
///
/// # Errors
/// `NotFound` when absent or outside the caller's scope.
pub async fn readable_upload(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    id: i64,
) -> Result<inventory_upload::Model, AppError> {
    let not_found = || AppError::not_found(format!("dépôt {id} introuvable"));
    let upload = inventory::find_upload(conn, id).await?.ok_or_else(not_found)?;
    let code = upload.ght_code.clone();
    let ght = ghts::find(conn, &code).await?.ok_or_else(not_found)?;
    let visible = match &principal.scope {
        Scope::Etablissement { finess, .. } => upload.finess_ej.as_ref() == Some(finess),
        _ => principal.sees_ght(&code, ght.region_code.as_str()),
    };
    if visible { Ok(upload) } else { Err(not_found()) }
}

/// An upload the caller may validate or withdraw: the admin and the GHT's
/// DSI any of the GHT's; an établissement only a deposit of its own that
/// awaits validation (once its DSI validated it, or made it, it is the
/// DSI's to withdraw).
///
/// # Errors
/// `NotFound` as [`readable_upload`]; `Forbidden` for a reader, or an
/// établissement and an upload it may not withdraw.
pub async fn writable_upload(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    id: i64,
) -> Result<(inventory_upload::Model, GhtCode), AppError> {
    let upload = readable_upload(conn, principal, id).await?;
    let code = upload.ght_code.clone();
    let own_pending = principal.role == Role::Etablissement && upload.status == UploadStatus::Submitted;
    if own_pending || principal.writes_ght(&code) { Ok((upload, code)) } else { Err(forbidden(principal)) }
}

/// A row of inventory the caller may correct: one of a GHT it writes.
///
/// # Errors
/// `NotFound` when absent or outside the caller's scope; `Forbidden` for a
/// reader of the GHT.
pub async fn writable_entry(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    id: i64,
) -> Result<(inventory_entry::Model, GhtCode), AppError> {
    let not_found = || AppError::not_found(format!("ligne {id} introuvable"));
    let entry = inventory::find_entry(conn, id).await?.ok_or_else(not_found)?;
    let upload = readable_upload(conn, principal, entry.upload_id).await.map_err(|_| not_found())?;
    let code = upload.ght_code.clone();
    if principal.writes_ght(&code) { Ok((entry, code)) } else { Err(forbidden(principal)) }
}

/// A region whose GHTs the caller may compare: every region for the
/// operator and DGOS, its own for an ARS, its GHT's for a DSI or an
/// établissement (`own_region`); any other is "not found".
///
/// # Errors
/// `NotFound` for an unknown region or one outside the caller's scope.
pub async fn readable_region(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    region: &crate::domain::RegionCode,
    own_region: Option<&str>,
) -> Result<(), AppError> {
    let not_found = || AppError::not_found(format!("région « {region} » introuvable"));
    crate::store::regions::get(conn, region).await?.ok_or_else(not_found)?;
    let visible = match &principal.scope {
        Scope::All => true,
        Scope::Region(own) => own == region,
        Scope::Ght(_) | Scope::Etablissement { .. } => own_region == Some(region.as_str()),
    };
    if visible { Ok(()) } else { Err(not_found()) }
}

/// An établissement whose inventory the caller may deposit: an
/// établissement its own, the admin and the DSI of its current GHT.
///
/// # Errors
/// `NotFound` as [`readable_etablissement`]; `Forbidden` for a reader.
pub async fn writable_inventory(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    finess: &Finess,
) -> Result<EtablissementDetails, AppError> {
    let details = readable_etablissement(conn, principal, finess).await?;
    let writes = principal.role == Role::Etablissement
        || details
            .memberships
            .iter()
            .filter(|(m, _)| m.valid_to.is_none())
            .any(|(m, _)| principal.writes_ght(&m.ght_code));
    if writes { Ok(details) } else { Err(forbidden(principal)) }
}
