//! The import pipeline, from uploaded bytes to stored rows: parse in the
//! isolated worker, find the inventory, normalise it, and store it in one
//! transaction — or refuse it whole with a report that says what to fix.
//!
//! [`worker`] is the isolated process (its protocol, its limits); this
//! module is the service's side of an import, written as a service: it
//! owns the write, the GHT's lock and the one recomputation before commit.

pub mod worker;

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::domain::UploadStatus;
use crate::domain::{CampaignYear, Finess, GhtCode, Role, normalise_key};
use crate::error::AppError;
use crate::import::headers::Field;
use crate::normalise::message_page;
use crate::normalise::report::{MESSAGES_INLINE, Report};
use crate::normalise::row::{NormalisedRow, Routing};
use crate::normalise::taxonomy::{DomainRef, TaxonomyIndex};
use crate::service::Write;
use crate::service::referential::ensure_open;
use crate::store::audit::Actor;
use crate::store::entities::inventory_upload;
use crate::store::inventory::{self, DeclaredDomain, MappingOwner, NewUpload};
use crate::store::lock::{self, LockKey};
use crate::store::{Db, ghts};
use worker::{Finished, Normalised, WorkerConfig, normalise_isolated};

/// What is imported.
#[derive(Debug, Clone)]
pub enum ImportScope {
    /// One établissement's inventory.
    Etablissement(Finess),
    /// A GHT-level workbook: each row goes to its établissement.
    Ght(GhtCode),
}

/// Normalised rows a dry run returns: the first ones, enough to check
/// the reading of the file; `report.rows_imported` counts them all. The
/// answer stays a few hundred kilobytes whatever the file.
pub const ROWS_INLINE: usize = 1000;

/// An import request.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// What is imported.
    pub scope: ImportScope,
    /// Into which campaign.
    pub campaign: CampaignYear,
    /// File name as uploaded.
    pub file_name: String,
    /// The file.
    pub bytes: Vec<u8>,
    /// Import the valid rows even when others have errors.
    pub partial: bool,
    /// Report only: write nothing.
    pub dry_run: bool,
    /// Header → field mappings given with this upload (saved for the GHT
    /// when its DSI or the operator deposits, for the établissement when it
    /// deposits itself).
    pub mapping: HashMap<String, Field>,
    /// The domain or sub-domain the whole file is about (`URG`, `Urgences`,
    /// `LAB.SIL`), as written: rows without a domain cell take it.
    pub domain: Option<String>,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The stored upload (none for a dry run).
    pub upload: Option<inventory_upload::Model>,
    /// The report.
    pub report: Report,
    /// The first [`ROWS_INLINE`] normalised rows (dry run only).
    pub rows: Vec<NormalisedRow>,
    /// The same bytes were already uploaded: the first upload is returned
    /// and nothing was written.
    pub duplicate: bool,
    /// Peak resident memory of the parse worker, in KiB, when known.
    pub worker_peak_kib: Option<u64>,
}

/// Runs the pipeline.
///
/// # Errors
/// `Ingest` for unreadable files, `InvalidInventory` for inventories with
/// errors in strict mode, `Conflict` for a closed campaign, `NotFound` for
/// an unknown établissement or GHT.
pub async fn import(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    request: ImportRequest,
) -> Result<ImportOutcome, AppError> {
    import_with_progress(db, worker, actor, request, &|_| {}).await
}

/// The steps of an import, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Reading the file in the isolated worker.
    Reading,
    /// Normalising the rows.
    Normalising,
    /// Writing to the database.
    Storing,
}

/// [`import`], reporting each step as it starts.
///
/// # Errors
/// As [`import`].
pub async fn import_with_progress(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    request: ImportRequest,
    progress: &(dyn Fn(Step) + Sync),
) -> Result<ImportOutcome, AppError> {
    let reader = db.reader();
    let (ght, finess, routing) = match &request.scope {
        ImportScope::Etablissement(finess) => {
            let ght = current_ght(db, finess).await?;
            let target = inventory::route_target(reader, finess)
                .await?
                .ok_or_else(|| AppError::not_found(format!("établissement {finess} introuvable")))?;
            (ght, Some(finess.clone()), Routing::Etablissement(target))
        }
        ImportScope::Ght(code) => {
            ghts::find(reader, code)
                .await?
                .ok_or_else(|| AppError::not_found(format!("GHT « {code} » introuvable")))?;
            let mut targets = Vec::new();
            for (_, member) in ghts::members_at(reader, code, Utc::now().date_naive()).await? {
                targets.extend(inventory::route_target(reader, &member.finess_ej).await?);
            }
            (code.clone(), None, Routing::Ght(targets))
        }
    };
    ensure_open(reader, request.campaign).await?;

    let mut new = NewUpload {
        campaign: request.campaign,
        ght: ght.clone(),
        finess_ej: finess,
        file_name: request.file_name.clone(),
        format: String::new(),
        bytes: Vec::new(),
        sha256: hex::encode(Sha256::digest(&request.bytes)),
        status: UploadStatus::Validated,
    };
    let mut reference =
        inventory::load_reference(reader, &ght, routing, new.finess_ej.as_ref(), &request.mapping).await?;
    reference.campaign = Some(request.campaign.get());
    let declaration = match request.domain.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => {
            reference.layout_domains = inventory::layout_domains(reader, &ght, new.finess_ej.as_ref()).await?;
            Declaration::None
        }
        Some(raw) if FORGET_DOMAIN.contains(&normalise_key(raw).as_str()) => Declaration::Forget,
        Some(raw) => {
            let taxonomy = TaxonomyIndex::new(reference.synonyms.clone(), reference.subdomains.clone());
            let found = taxonomy.lookup(raw).cloned().ok_or_else(|| {
                AppError::Invalid(format!(
                    "paramètre domain : « {raw} » n'est ni un domaine ni un sous-domaine de la nomenclature (voir GET /api/v1/taxonomy), ni « aucun »"
                ))
            })?;
            let (domain, subdomain) = match &found {
                DomainRef::Domain(code) => (code.clone(), None),
                DomainRef::Subdomain(code) => {
                    (taxonomy.domain_of(code).unwrap_or_default().to_owned(), Some(code.clone()))
                }
            };
            reference.file_domain = Some(found);
            Declaration::Domain { domain, subdomain }
        }
    };
    // After the parameters are checked: a refused parameter is refused even
    // with a file deposited before.
    let earlier = if request.dry_run { None } else { inventory::same_bytes(reader, &new).await? };
    if let Some(first) = earlier {
        return duplicate(reader, first).await;
    }

    progress(Step::Reading);
    let mut run = normalise_isolated(&request.bytes, &request.file_name, reference, worker).await?;
    if request.dry_run {
        let mut rows = Vec::new();
        let mut messages = Vec::new();
        loop {
            match run.next().await? {
                Normalised::Rows(batch, _) => {
                    let room = ROWS_INLINE.saturating_sub(rows.len());
                    rows.extend(batch.into_iter().take(room));
                }
                Normalised::Messages(page, _) => {
                    let room = MESSAGES_INLINE.saturating_sub(messages.len());
                    if room > 0 {
                        let page = message_page::decode(&page.content, &request.file_name).map_err(|detail| {
                            AppError::Internal(anyhow::anyhow!("undecodable message page: {detail}"))
                        })?;
                        messages.extend(page.into_iter().take(room));
                    }
                }
                Normalised::Restart => {
                    rows.clear();
                    messages.clear();
                }
                Normalised::Done(Finished { report, peak_kib: worker_peak_kib, .. }) => {
                    return Ok(ImportOutcome {
                        upload: None,
                        report: Report { messages, ..*report },
                        rows,
                        duplicate: false,
                        worker_peak_kib,
                    });
                }
            }
        }
    }

    // The rows stream into the transaction as the worker produces them: the
    // worker normalises the next batch while this one is written.
    new.status = if actor.principal.role == Role::Etablissement && !auto_validated(db, &ght).await? {
        UploadStatus::Submitted
    } else {
        UploadStatus::Validated
    };
    new.bytes = request.bytes;
    let mut write = Write::begin(db, actor).await?;
    let txn = write.txn();
    lock::serialise(txn, LockKey::Ght(ght.as_str())).await?;
    ensure_open(txn, request.campaign).await?;
    if let Some(first) = inventory::same_bytes(txn, &new).await? {
        let outcome = duplicate(txn, first).await;
        write.rollback().await?;
        return outcome;
    }
    let upload = inventory::begin_upload(txn, actor, &new).await?;
    let mut covered: BTreeMap<Finess, i32> = BTreeMap::new();
    if let Some(finess) = &new.finess_ej {
        covered.insert(finess.clone(), 0);
    }
    let mut first_batch = true;
    // The first messages stay in memory for the response; all are stored.
    let (mut inline, mut stored) = (Vec::new(), 0usize);
    let report = loop {
        let event = run.next().await?;
        if first_batch {
            progress(Step::Normalising);
            first_batch = false;
        }
        match event {
            Normalised::Rows(rows, errors_so_far) => {
                // In strict mode the first error dooms the upload: stop writing, keep reading for the report.
                if errors_so_far > 0 && !request.partial {
                    continue;
                }
                for row in &rows {
                    match covered.get_mut(&row.finess_ej) {
                        Some(count) => *count += 1,
                        None => {
                            covered.insert(row.finess_ej.clone(), 1);
                        }
                    }
                }
                inventory::insert_entries(txn, upload.id, request.campaign, rows).await?;
            }
            Normalised::Messages(page, first_messages) => {
                let len = page.len as usize;
                inventory::insert_messages(txn, upload.id, stored, page).await?;
                stored += len;
                inline.extend(first_messages);
            }
            Normalised::Restart => {
                inventory::discard_rows(txn, upload.id).await?;
                covered.retain(|finess, count| {
                    *count = 0;
                    new.finess_ej.as_ref() == Some(finess)
                });
                inline.clear();
                stored = 0;
            }
            Normalised::Done(Finished { report, peak_kib, layouts }) => {
                tracing::info!(
                    rows = report.rows_read,
                    worker_peak_mib = peak_kib.map(|k| k / 1024),
                    "inventory parsed"
                );
                break (*report, peak_kib, layouts);
            }
        }
    };
    let (report, worker_peak_kib, layouts) = report;
    let report = Report { messages: inline, ..report };
    progress(Step::Storing);
    let refused = report.rows_imported == 0 || (report.errors > 0 && !request.partial);
    if refused {
        let rejected = inventory::reject(txn, actor, upload, std::mem::take(&mut new.bytes), &report).await?;
        write.commit().await?;
        return Err(AppError::InvalidInventory { upload_id: rejected.id, report: Box::new(report) });
    }
    // The GHT's DSI and the operator teach the whole GHT; an établissement
    // only its own deposits (one member must not change how the others'
    // files are read).
    if !request.mapping.is_empty() {
        let owner = match &new.finess_ej {
            Some(finess) if !actor.principal.writes_ght(&ght) => MappingOwner::Etablissement(finess),
            _ => MappingOwner::Ght(&ght),
        };
        inventory::save_mappings(txn, owner, &request.mapping).await?;
    }
    // The domain declared is remembered for the file's layouts, with the
    // same owners as the mappings.
    let declared = match &declaration {
        Declaration::None => None,
        Declaration::Forget => Some(None),
        Declaration::Domain { domain, subdomain } => {
            Some(Some(DeclaredDomain { domain, subdomain: subdomain.as_deref() }))
        }
    };
    if let Some(declared) = declared {
        let owner = match &new.finess_ej {
            Some(finess) if !actor.principal.writes_ght(&ght) => MappingOwner::Etablissement(finess),
            _ => MappingOwner::Ght(&ght),
        };
        inventory::remember_layout_domain(txn, &ght, owner, &layouts, declared).await?;
    }
    let bytes = std::mem::take(&mut new.bytes);
    let upload = inventory::finish_upload(txn, actor, upload, bytes, &covered, &report).await?;
    write.touched().campaign(&ght, request.campaign);
    write.commit().await?;
    Ok(ImportOutcome { upload: Some(upload), report, rows: Vec::new(), duplicate: false, worker_peak_kib })
}

/// What a deposit says of the domain its file is about.
enum Declaration {
    /// Nothing: a domain declared for the file's layout before applies.
    None,
    /// « aucun »: the domain declared before for the file's layout is
    /// forgotten.
    Forget,
    /// This domain (and sub-domain, when one was named).
    Domain { domain: String, subdomain: Option<String> },
}

/// The values of `domain` that forget a declared domain.
const FORGET_DOMAIN: [&str; 2] = ["aucun", "none"];

async fn duplicate(
    conn: &impl sea_orm::ConnectionTrait,
    first: inventory_upload::Model,
) -> Result<ImportOutcome, AppError> {
    let report = inventory::report(conn, &first).await?;
    Ok(ImportOutcome { upload: Some(first), report, rows: Vec::new(), duplicate: true, worker_peak_kib: None })
}

async fn current_ght(db: &Db, finess: &Finess) -> Result<GhtCode, AppError> {
    let membership = ghts::current_membership(db.reader(), finess)
        .await?
        .ok_or_else(|| AppError::Invalid(format!("l'établissement {finess} n'est membre d'aucun GHT à ce jour")))?;
    Ok(membership.ght_code)
}

async fn auto_validated(db: &Db, ght: &GhtCode) -> Result<bool, AppError> {
    Ok(ghts::find(db.reader(), ght).await?.is_some_and(|g| g.auto_validate))
}
