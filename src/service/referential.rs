//! The referential a campaign is read against: GHTs, établissements, the
//! memberships of the one in the other, and campaigns.

use chrono::NaiveDate;

use crate::auth::Principal;
use crate::domain::{RegionCode, region_of_finess};

use super::{Write, access};
use crate::domain::{CampaignStatus, CampaignYear, Finess, GhtCode, Role};
use crate::error::AppError;
use crate::integrations::annuaire::Annuaire;
use crate::reference::{DirectorySite, finess_directory};
use crate::store::audit::Actor;
use crate::store::entities::etablissement;
use crate::store::entities::{campaign, ght, ght_membership};
use crate::store::etablissements::{EtablissementDetails, EtablissementPatch, NewEtablissement, NewSite, Registration};
use crate::store::ghts::{GhtPatch, NewGht};
use crate::store::lock::{self, LockKey};
use crate::store::pagination::{Page, PageOf};
use crate::store::{Db, campaigns, etablissements, ghts};

/// Adds an établissement to a GHT from a date. An établissement belongs to
/// one GHT at a time: an open membership elsewhere must be ended first.
/// Who is expected to report changes the GHT's open campaigns.
///
/// A GHT's members lie in its region: an établissement of another region
/// (by its FINESS département) is admitted only when the operator says so
/// explicitly (`other_region`), and the audit trail records it.
///
/// # Errors
/// `NotFound` for an unknown GHT or établissement, `Conflict` when the
/// établissement is already a member of a GHT on or after that date,
/// `Invalid` for an établissement of another region not admitted as such.
pub async fn add_member(
    db: &Db,
    actor: Actor<'_>,
    code: &GhtCode,
    finess: &Finess,
    valid_from: NaiveDate,
    other_region: bool,
) -> Result<ght_membership::Model, AppError> {
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Etablissement(finess.as_str())).await?;
    let ght = ghts::find(write.txn(), code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("GHT « {code} » introuvable")))?;
    if etablissements::find(write.txn(), finess).await?.is_none() {
        return Err(AppError::not_found(format!("établissement {finess} introuvable : enregistrez-le d'abord")));
    }
    let elsewhere = region_of_finess(finess).filter(|region| *region != ght.region_code);
    if let Some(region) = &elsewhere
        && !other_region
    {
        return Err(AppError::Invalid(format!(
            "l'établissement {finess} relève de la région {region}, le GHT « {code} » de la région {} : \
             pour l'admettre quand même, renvoyez la demande avec \"other_region\": true (ce sera journalisé)",
            ght.region_code
        )));
    }
    if let Some(existing) = ghts::membership_overlapping(write.txn(), finess, valid_from).await? {
        return Err(AppError::Conflict(format!(
            "l'établissement {finess} est déjà membre du GHT « {} » depuis le {} : terminez cette adhésion avant d'en ouvrir une autre",
            existing.ght_code, existing.valid_from
        )));
    }
    let created = ghts::insert_membership(write.txn(), actor, code, finess, valid_from, elsewhere.is_some()).await?;
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
    lock::serialise(write.txn(), LockKey::Etablissement(current.finess_ej.as_str())).await?;
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

/// Registers a GHT (without members: they are added one by one, dated).
///
/// # Errors
/// `Invalid` when the code does not start with its region's; `Conflict`
/// when the code exists.
pub async fn create_ght(db: &Db, actor: Actor<'_>, new: NewGht) -> Result<ght::Model, AppError> {
    if new.code.region_prefix() != new.region.as_str() {
        return Err(AppError::Invalid(format!(
            "le code GHT « {} » ne commence pas par le code de sa région « {} »",
            new.code, new.region
        )));
    }
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(new.code.as_str())).await?;
    if ghts::find(write.txn(), &new.code).await?.is_some() {
        return Err(AppError::Conflict(format!("le GHT « {} » existe déjà", new.code)));
    }
    let created = ghts::create(write.txn(), actor, new).await?;
    write.commit().await?;
    Ok(created)
}

/// Changes a GHT: the operator changes anything, the GHT's DSI only
/// whether its établissements' deposits count without validation.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_ght`]; `Forbidden` for a
/// DSI changing the name or the support établissement; `Invalid` for a
/// support établissement that is not a current member.
pub async fn update_ght(db: &Db, actor: Actor<'_>, code: &GhtCode, patch: GhtPatch) -> Result<ght::Model, AppError> {
    access::writable_ght(db.reader(), actor.principal, code).await?;
    if actor.principal.role != Role::Admin && (patch.name.is_some() || patch.support_finess_ej.is_some()) {
        return Err(access::forbidden(actor.principal));
    }
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(code.as_str())).await?;
    let current = ghts::find(write.txn(), code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("GHT « {code} » introuvable")))?;
    if let Some(support) = &patch.support_finess_ej {
        let members = ghts::members_at(write.txn(), code, chrono::Utc::now().date_naive()).await?;
        if !members.iter().any(|(_, e)| e.finess_ej == *support) {
            return Err(AppError::Invalid(format!(
                "l'établissement {support} n'est pas membre du GHT « {code} » : il ne peut pas en être l'établissement support"
            )));
        }
    }
    let updated = ghts::update(write.txn(), actor, current, patch).await?;
    write.commit().await?;
    Ok(updated)
}

/// Registers an établissement (EJ) and its sites, completed from the FINESS
/// directory: its name when the directory lists a single site for it (the
/// directory lists sites, not legal entities), its category, commune and
/// sites.
///
/// When the directory does not know it and the Annuaire Santé is
/// configured, the Annuaire fills its name, commune and category (asked
/// before the transaction opens: no network call holds a lock).
///
/// # Errors
/// `Conflict` when it is already registered or a site belongs to another
/// établissement; `Invalid` when it has no name and neither the directory
/// nor the Annuaire Santé can give one.
pub async fn create_etablissement(
    db: &Db,
    actor: Actor<'_>,
    mut new: NewEtablissement,
    annuaire: Option<&Annuaire>,
) -> Result<EtablissementDetails, AppError> {
    let known = known_sites(db.reader(), &new.finess_ej).await?;
    if known.is_empty()
        && let Some(annuaire) = annuaire
    {
        match annuaire.organizations(std::slice::from_ref(&new.finess_ej)).await {
            Ok(found) => {
                if let Some(organization) = found.into_iter().find(|o| o.finess == new.finess_ej) {
                    new.name = new.name.or(Some(organization.name).filter(|n| !n.is_empty()));
                    new.commune = new.commune.or(organization.commune);
                    new.category = new.category.or(organization.category);
                }
            }
            Err(error) if new.name.is_none() => {
                return Err(AppError::Invalid(format!(
                    "le FINESS {} n'est pas dans le répertoire, et {error} : indiquez le nom de l'établissement",
                    new.finess_ej
                )));
            }
            Err(error) => tracing::warn!(%error, "registration without the Annuaire Santé"),
        }
    }
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Etablissement(new.finess_ej.as_str())).await?;
    if etablissements::find(write.txn(), &new.finess_ej).await?.is_some() {
        return Err(AppError::Conflict(format!("l'établissement {} est déjà enregistré", new.finess_ej)));
    }
    let registration = registration(new, &known)?;
    for site in &registration.sites {
        if let Some(other) = etablissements::site_owner(write.txn(), &site.finess_et).await? {
            return Err(AppError::Conflict(format!(
                "le site {} est déjà rattaché à l'établissement {other}",
                site.finess_et
            )));
        }
    }
    let created = etablissements::insert(write.txn(), actor, registration).await?;
    write.commit().await?;
    Ok(created)
}

/// The open sites the FINESS directory lists for a legal entity: the
/// directory loaded from the latest extract when it knows the entity, else
/// the hospital directory shipped with the service.
///
/// # Errors
/// When a query fails or a stored number does not read back.
pub(crate) async fn known_sites(
    conn: &impl sea_orm::ConnectionTrait,
    finess_ej: &Finess,
) -> Result<Vec<DirectorySite>, AppError> {
    let loaded = crate::store::directory::open_sites_of(conn, finess_ej).await?;
    if loaded.is_empty() {
        let shipped = finess_directory().map_err(|e| AppError::Internal(anyhow::anyhow!(e.to_string())))?;
        return Ok(shipped.sites_of(finess_ej).cloned().collect());
    }
    loaded
        .into_iter()
        .map(|site| {
            let number = |raw: &str| {
                Finess::from_stored(raw)
                    .map_err(|e| AppError::Internal(anyhow::anyhow!("finess_sites {}: {e}", site.finess_et)))
            };
            Ok(DirectorySite {
                finess_et: number(&site.finess_et)?,
                finess_ej: number(&site.finess_ej)?,
                short_name: site.short_name.clone(),
                long_name: site.long_name.clone(),
                departement: site.departement.clone().unwrap_or_default(),
                commune: site.commune.clone().unwrap_or_default(),
                category: site.category_label.clone().unwrap_or_default(),
            })
        })
        .collect()
}

/// An établissement as it will be registered: what the request gives,
/// completed from the FINESS directory's sites for it (`known`, see
/// [`known_sites`]) — its name when the directory lists a single site for
/// it (the directory lists sites, not legal entities), its category,
/// commune and sites.
///
/// # Errors
/// `Invalid` when it has no name and the directory cannot give one.
pub(crate) fn registration(new: NewEtablissement, known: &[DirectorySite]) -> Result<Registration, AppError> {
    let first = known.first();
    let name = match (new.name, known) {
        (Some(name), _) => name,
        (None, [only]) if only.long_name.is_empty() => only.short_name.clone(),
        (None, [only]) => only.long_name.clone(),
        (None, []) => {
            return Err(AppError::Invalid(format!(
                "le FINESS {} n'est pas dans le répertoire des hôpitaux : indiquez le nom de l'établissement",
                new.finess_ej
            )));
        }
        (None, many) => {
            return Err(AppError::Invalid(format!(
                "le FINESS {} regroupe {} sites dans le répertoire des hôpitaux : indiquez le nom de l'établissement (raison sociale de l'entité juridique)",
                new.finess_ej,
                many.len()
            )));
        }
    };
    let single_site = known.len() == 1;
    let sites = new.sites.unwrap_or_else(|| {
        known
            .iter()
            .map(|s| NewSite {
                finess_et: s.finess_et.clone(),
                name: s.short_name.clone(),
                commune: Some(s.commune.clone()),
            })
            .collect()
    });
    Ok(Registration {
        category: new.category.or_else(|| first.map(|s| s.category.clone())),
        commune: new.commune.or_else(|| first.filter(|_| single_site).map(|s| s.commune.clone())),
        finess_ej: new.finess_ej,
        name,
        sites,
    })
}

/// Changes an établissement's name, category or commune.
///
/// # Errors
/// `NotFound` for an unknown établissement.
pub async fn update_etablissement(
    db: &Db,
    actor: Actor<'_>,
    finess: &Finess,
    patch: EtablissementPatch,
) -> Result<EtablissementDetails, AppError> {
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Etablissement(finess.as_str())).await?;
    let details = etablissements::find(write.txn(), finess)
        .await?
        .ok_or_else(|| AppError::not_found(format!("établissement {finess} introuvable")))?;
    let updated = etablissements::update(write.txn(), actor, details, patch).await?;
    write.commit().await?;
    Ok(updated)
}

/// Opens the campaign of a year. The reference date defaults to 1 January
/// ("campagne 2025" describes the state at that date).
///
/// # Errors
/// `Conflict` when the campaign exists; `Invalid` when the deadline is
/// before the reference date.
pub async fn open_campaign(
    db: &Db,
    actor: Actor<'_>,
    year: CampaignYear,
    reference_date: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
) -> Result<campaign::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Campaign(year.get())).await?;
    if let Some(existing) = campaigns::find(write.txn(), year).await? {
        let state = if existing.status == CampaignStatus::Open { "ouverte" } else { "close" };
        return Err(AppError::Conflict(format!("la campagne {year} existe déjà ({state})")));
    }
    let reference_date = reference_date.unwrap_or_else(|| year.default_reference_date());
    if let Some(deadline) = deadline.filter(|d| *d < reference_date) {
        return Err(AppError::Invalid(format!(
            "la date limite ({deadline}) précède la date de référence ({reference_date})"
        )));
    }
    let opened = campaigns::insert_open(write.txn(), actor, year, reference_date, deadline).await?;
    write.commit().await?;
    Ok(opened)
}

/// Closes (freezes) the campaign of a year: its inventories, normalisations
/// and indicator values no longer change, so published deltas stay true.
///
/// # Errors
/// `NotFound` for an unknown campaign; `Conflict` when already closed.
pub async fn close_campaign(db: &Db, actor: Actor<'_>, year: CampaignYear) -> Result<campaign::Model, AppError> {
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Campaign(year.get())).await?;
    let current = campaigns::find(write.txn(), year)
        .await?
        .ok_or_else(|| AppError::not_found(format!("campagne {year} introuvable")))?;
    if current.status == CampaignStatus::Closed {
        return Err(AppError::Conflict(format!("la campagne {year} est déjà close")));
    }
    let closed = campaigns::set_closed(write.txn(), actor, current).await?;
    write.commit().await?;
    Ok(closed)
}

/// A campaign that exists and accepts changes (deposits, corrections,
/// answers).
///
/// # Errors
/// `NotFound` when it does not exist; `Conflict` when it is closed.
pub async fn ensure_open(
    conn: &impl sea_orm::ConnectionTrait,
    year: CampaignYear,
) -> Result<campaign::Model, AppError> {
    match campaigns::find(conn, year).await? {
        None => {
            Err(AppError::not_found(format!("campagne {year} introuvable : elle doit être ouverte avant tout dépôt")))
        }
        Some(c) if c.status != CampaignStatus::Open => Err(AppError::Conflict(format!(
            "la campagne {year} est close : ses inventaires sont figés et n'acceptent plus de changement"
        ))),
        Some(c) => Ok(c),
    }
}

/// The GHTs the caller sees, optionally of one region, by code.
///
/// # Errors
/// When the query fails.
pub async fn ghts(
    db: &Db,
    principal: &Principal,
    region: Option<&RegionCode>,
    page: Page,
) -> Result<PageOf<ght::Model>, AppError> {
    Ok(ghts::list(db.reader(), &access::ght_reach(principal), region, page).await?)
}

/// A GHT the caller sees and its members on a date.
///
/// # Errors
/// `NotFound` when the GHT is absent or out of scope.
pub async fn members(
    db: &Db,
    principal: &Principal,
    code: &GhtCode,
    on: NaiveDate,
) -> Result<(ght::Model, Vec<(ght_membership::Model, etablissement::Model)>), AppError> {
    let ght = access::readable_ght(db.reader(), principal, code).await?;
    let members = ghts::members_at(db.reader(), code, on).await?;
    Ok((ght, members))
}

/// A legal entity becomes (part of) another on a date (CH d'Ancenis and CH
/// de Candé becoming CH Erdre et Loire): the old one's membership ends that
/// day and the new one's begins in the same GHT, so campaigns after the
/// date expect the new one only and past campaigns keep the old. The new
/// one is registered from the directory when it is not yet (`name` for a
/// multi-site legal entity). History is never rewritten.
///
/// # Errors
/// `NotFound` for an unregistered predecessor; `Invalid` when it is a
/// member of no GHT on that date, or the successor cannot be registered;
/// `Conflict` when the succession is already recorded, the predecessor's
/// membership begins on or after the date, or the successor belongs to
/// another GHT.
pub async fn record_succession(
    db: &Db,
    actor: Actor<'_>,
    predecessor: &Finess,
    successor: &Finess,
    effective_on: NaiveDate,
    name: Option<String>,
) -> Result<EtablissementDetails, AppError> {
    if predecessor == successor {
        return Err(AppError::Invalid(format!("l'établissement {predecessor} ne peut se succéder à lui-même")));
    }
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Referential).await?;
    let txn = write.txn();
    if etablissements::find(txn, predecessor).await?.is_none() {
        return Err(AppError::not_found(format!("établissement {predecessor} introuvable")));
    }
    if etablissements::succession_exists(txn, predecessor, successor).await? {
        return Err(AppError::Conflict(format!("la succession de {predecessor} par {successor} est déjà enregistrée")));
    }
    let Some(current) = ghts::membership_overlapping(txn, predecessor, effective_on).await? else {
        return Err(AppError::Invalid(format!(
            "l'établissement {predecessor} n'est membre d'aucun GHT le {effective_on} : rien à transmettre"
        )));
    };
    if current.valid_from >= effective_on {
        return Err(AppError::Conflict(format!(
            "l'adhésion de {predecessor} au GHT {} commence le {}, pas avant la date de succession {effective_on}",
            current.ght_code, current.valid_from
        )));
    }
    let code = current.ght_code.clone();
    if etablissements::find(txn, successor).await?.is_none() {
        let known = known_sites(txn, successor).await?;
        let new = NewEtablissement { finess_ej: successor.clone(), name, category: None, commune: None, sites: None };
        etablissements::insert(txn, actor, registration(new, &known)?).await?;
    }
    let joins = match ghts::membership_overlapping(txn, successor, effective_on).await? {
        // Absorbed by a member of the same GHT: its membership goes on.
        Some(existing) if existing.ght_code == code => false,
        Some(existing) => {
            return Err(AppError::Conflict(format!(
                "le successeur {successor} est membre du GHT {} le {effective_on}, pas du GHT {code} de {predecessor}",
                existing.ght_code
            )));
        }
        None => true,
    };
    ghts::set_membership_end(txn, actor, current, effective_on).await?;
    if joins {
        let ght = ghts::find(txn, &code)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("GHT {code} of a membership is missing")))?;
        open_membership(txn, actor, &ght, successor, effective_on).await?;
    }
    etablissements::insert_succession(txn, actor, predecessor, successor, effective_on, Some(code.clone())).await?;
    let details = etablissements::find(txn, successor)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("successor {successor} vanished in its transaction")))?;
    write.touched().ght(&code);
    write.commit().await?;
    Ok(details)
}

/// Opens a membership from a date on behalf of a national list or a
/// succession: an établissement of another region is admitted (the lists
/// are the authority) and the audit trail says so.
///
/// # Errors
/// When a query or write fails.
pub(crate) async fn open_membership(
    txn: &sea_orm::DatabaseTransaction,
    actor: Actor<'_>,
    ght: &ght::Model,
    finess: &Finess,
    from: NaiveDate,
) -> Result<ght_membership::Model, AppError> {
    let code = &ght.code;
    let elsewhere = region_of_finess(finess).is_some_and(|r| r != ght.region_code);
    Ok(ghts::insert_membership(txn, actor, code, finess, from, elsewhere).await?)
}
