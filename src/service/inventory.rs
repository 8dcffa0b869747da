//! An inventory after its deposit: validation, withdrawal, and the
//! correction of one row.
//!
//! The deposit itself (reading the file in the isolated worker, streaming
//! its rows into one transaction) is [`crate::intake`].

use std::sync::Arc;

use super::Write;
use super::access;
use crate::auth::{Principal, Scope};
use crate::domain::{CampaignYear, Finess, GhtCode, SubdomainCode, UploadStatus};
use crate::error::AppError;
use crate::export::annotated::annotated_workbook;
use crate::intake::worker::{WorkerConfig, parse_isolated};
use crate::normalise::report::{Message, Report, Severity};
use crate::store::audit::Actor;
use crate::store::entities::{inventory_entry, inventory_upload};
use crate::store::inventory::{self, EntryChanges, EntryFields, EntryFilter, Listing};
use crate::store::lock::{self, LockKey};
use crate::store::pagination::{Page, PageOf};
use crate::store::{Db, taxonomy};

/// What a change of status does to an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    /// The DSI validates an établissement's deposit: it counts.
    Validate,
    /// A deposit is withdrawn: the previous one of each établissement it
    /// covered is current again.
    Withdraw,
}

/// Validates or withdraws an upload, under its GHT's lock, in an open
/// campaign.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_upload`]; `Conflict` for a
/// closed campaign or an upload whose status does not allow the change.
pub async fn change_status(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    change: StatusChange,
) -> Result<inventory_upload::Model, AppError> {
    let (_, ght) = access::writable_upload(db.reader(), actor.principal, id).await?;
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
    // Read again under the lock: another replica may have changed it.
    let upload = inventory::find_upload(write.txn(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("dépôt {id} introuvable")))?;
    let year = upload.campaign_year;
    super::referential::ensure_open(write.txn(), year).await?;
    let (status, action) = match change {
        StatusChange::Validate if upload.status != UploadStatus::Submitted => {
            return Err(AppError::Conflict(format!(
                "ce dépôt n'attend pas de validation (statut : {})",
                upload.status.label()
            )));
        }
        StatusChange::Withdraw
            if upload.status == UploadStatus::Withdrawn || upload.status == UploadStatus::Rejected =>
        {
            return Err(AppError::Conflict(format!(
                "ce dépôt ne peut pas être retiré (statut : {})",
                upload.status.label()
            )));
        }
        StatusChange::Validate => (UploadStatus::Validated, "upload.validate"),
        StatusChange::Withdraw => (UploadStatus::Withdrawn, "upload.withdraw"),
    };
    let updated = inventory::set_status(write.txn(), actor, upload, status, action).await?;
    write.touched().campaign(&ght, year);
    write.commit().await?;
    Ok(updated)
}

/// A correction of one row; `None` leaves a field as it is.
#[derive(Debug, Default, Clone)]
pub struct Correction {
    /// Matched product (the state becomes `product`).
    pub product_id: Option<i64>,
    /// Sub-domain.
    pub subdomain: Option<SubdomainCode>,
    /// The fields taken as given (checked: counts and costs are not
    /// negative).
    pub fields: EntryFields,
}

/// Corrects one row of a current inventory, audited, in an open campaign.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_entry`], `NotFound` for
/// an unknown product; `Invalid` for a negative count or an unknown
/// sub-domain; `Conflict` for a closed campaign or a row of an upload that
/// is no longer current.
pub async fn correct_entry(
    db: &Db,
    actor: Actor<'_>,
    id: i64,
    correction: Correction,
) -> Result<inventory_entry::Model, AppError> {
    let (entry, ght) = access::writable_entry(db.reader(), actor.principal, id).await?;
    let fields = &correction.fields;
    if fields.users.is_some_and(|u| u < 0) || fields.annual_cost_cents.is_some_and(|c| c < 0) {
        return Err(AppError::Invalid("les utilisateurs et les coûts sont positifs ou nuls".to_owned()));
    }
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
    let year = entry.campaign_year;
    super::referential::ensure_open(write.txn(), year).await?;
    if !inventory::is_current(write.txn(), &entry).await? {
        return Err(AppError::Conflict(
            "cette ligne appartient à un dépôt qui n'est plus l'inventaire courant".to_owned(),
        ));
    }
    let product = match correction.product_id {
        Some(product_id) => {
            let found = super::catalogue::usable_in(write.txn(), &ght, product_id).await?;
            Some((found.id, found.vendor_id))
        }
        None => None,
    };
    if let Some(code) = &correction.subdomain
        && !taxonomy::subdomain_exists(write.txn(), code).await?
    {
        return Err(AppError::Invalid(format!("le sous-domaine « {code} » n'existe pas dans la nomenclature")));
    }
    let changes = EntryChanges { product, subdomain: correction.subdomain, fields: correction.fields };
    let updated = inventory::update_entry(write.txn(), actor, &ght, entry, changes).await?;
    write.touched().campaign(&ght, year);
    write.commit().await?;
    Ok(updated)
}

/// A GHT's current inventory of a campaign, as the caller may read it: the
/// rows of the établissements that were members at the campaign's
/// reference date (a former member's rows of a past campaign stay visible
/// to the GHT it then belonged to), or an établissement's own. Access is
/// decided here, before any row is read.
#[derive(Debug)]
pub struct ReadableListing {
    listing: Arc<Listing>,
    own: Option<Finess>,
}

impl ReadableListing {
    /// What the caller reads of it: the whole GHT, or one établissement.
    /// Two callers with the same viewpoint read the same rows.
    pub fn viewpoint(&self) -> String {
        self.own.as_ref().map_or_else(|| "all".to_owned(), |own| format!("finess:{own}"))
    }
}

/// The listing of a GHT's campaign the caller may read.
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign.
pub async fn readable_listing(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    year: CampaignYear,
) -> Result<ReadableListing, AppError> {
    let own = match &principal.scope {
        Scope::Etablissement { finess, .. } => Some(finess.clone()),
        _ => None,
    };
    let listing = db.listing(ght, year, own.as_ref()).await?;
    access::readable_ght_row(principal, ght, listing.ght.as_ref())?;
    if listing.campaign.is_none() {
        return Err(AppError::not_found(format!("campagne {year} introuvable")));
    }
    Ok(ReadableListing { listing, own })
}

/// One page of a readable listing.
///
/// # Errors
/// When the query fails.
pub async fn current_rows(
    db: &Db,
    readable: &ReadableListing,
    filter: &EntryFilter,
    page: Page,
) -> Result<PageOf<inventory_entry::Model>, AppError> {
    let listing = &readable.listing;
    let unfiltered = filter.finess.is_none() && filter.subdomain.is_none() && filter.state.is_none();
    let known = if unfiltered { listing.unfiltered_total.get().copied() } else { None };
    let rows = inventory::entries_of_uploads(db.reader(), &listing.uploads, filter, page, known).await?;
    if unfiltered {
        let _ = listing.unfiltered_total.set(rows.total_items);
    }
    Ok(rows)
}

/// An upload the caller sees, with its report (counts and first messages).
///
/// # Errors
/// `NotFound` when absent or out of scope.
pub async fn upload(db: &Db, principal: &Principal, id: i64) -> Result<(inventory_upload::Model, Report), AppError> {
    let upload = access::readable_upload(db.reader(), principal, id).await?;
    let report = inventory::report(db.reader(), &upload).await?;
    Ok((upload, report))
}

/// The report of an upload just changed by the caller.
///
/// # Errors
/// When the query fails.
pub async fn report_of(db: &Db, upload: &inventory_upload::Model) -> Result<Report, AppError> {
    Ok(inventory::report(db.reader(), upload).await?)
}

/// A page of an upload's report messages.
///
/// # Errors
/// `NotFound` when absent or out of scope.
pub async fn messages(
    db: &Db,
    principal: &Principal,
    id: i64,
    severity: Option<Severity>,
    page: Page,
) -> Result<PageOf<Message>, AppError> {
    let upload = access::readable_upload(db.reader(), principal, id).await?;
    Ok(inventory::messages(db.reader(), &upload, severity, page).await?)
}

/// The annotated copy of an upload: the file as deposited, read again in
/// the isolated worker, with every message on its cell. Returns the
/// deposited file's name and the workbook.
///
/// # Errors
/// `NotFound` when absent or out of scope; the worker's errors.
pub async fn annotated_copy(
    db: &Db,
    worker: &WorkerConfig,
    principal: &Principal,
    id: i64,
) -> Result<(String, Vec<u8>), AppError> {
    let upload = access::readable_upload(db.reader(), principal, id).await?;
    let bytes = inventory::upload_bytes(db.reader(), id)
        .await?
        .ok_or_else(|| AppError::not_found(format!("fichier du dépôt {id} introuvable")))?;
    let workbook = parse_isolated(&bytes, &upload.file_name, worker).await?;
    let mut report = inventory::report_summary(&upload)?;
    report.messages = inventory::all_messages(db.reader(), &upload).await?;
    let content = tokio::task::spawn_blocking(move || annotated_workbook(&workbook, &report))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((upload.file_name, content))
}

/// Uploads the history shows at most.
pub const HISTORY: u64 = 200;

/// The deposits of a GHT for a campaign, latest first, as the caller may
/// see them: all of them, or an établissement's own.
///
/// # Errors
/// `NotFound` for a GHT out of scope.
pub async fn history(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    year: CampaignYear,
) -> Result<Vec<inventory_upload::Model>, AppError> {
    access::readable_ght(db.reader(), principal, ght).await?;
    let mut uploads = inventory::of_ght(db.reader(), ght, year, HISTORY).await?;
    if let Scope::Etablissement { finess, .. } = &principal.scope {
        uploads.retain(|u| u.finess_ej.as_ref() == Some(finess));
    }
    Ok(uploads)
}
