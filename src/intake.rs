//! The import pipeline, from uploaded bytes to stored rows: parse in the
//! isolated worker, find the inventory, normalise it, and store it in one
//! transaction — or refuse it whole with a report that says what to fix.

use std::collections::{BTreeSet, HashMap};

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::domain::{CampaignYear, Finess, GhtCode, Role};
use crate::error::AppError;
use crate::import::headers::{Field, HeaderMatcher};
use crate::import::table::locate;
use crate::import::worker::{WorkerConfig, parse_isolated};
use crate::normalise::inventory::normalise_table;
use crate::normalise::report::Report;
use crate::normalise::row::{Context, NormalisedRow, Routing};
use crate::store::audit::Actor;
use crate::store::entities::{ght_membership, inventory_upload};
use crate::store::inventory::{self, NewUpload, REJECTED, SUBMITTED, VALIDATED};
use crate::store::lock::{self, LockKey};
use crate::store::{Db, campaigns, ghts};

/// What is imported.
#[derive(Debug, Clone)]
pub enum ImportScope {
    /// One établissement's inventory.
    Etablissement(Finess),
    /// A GHT-level workbook: each row goes to its établissement.
    Ght(GhtCode),
}

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
    /// Header → field mappings given with this upload (saved for the GHT).
    pub mapping: HashMap<String, Field>,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome {
    /// The stored upload (none for a dry run).
    pub upload: Option<inventory_upload::Model>,
    /// The report.
    pub report: Report,
    /// The normalised rows (dry run only).
    pub rows: Vec<NormalisedRow>,
    /// The same bytes were already uploaded: the first upload is returned
    /// and nothing was written.
    pub duplicate: bool,
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
                if let Ok(finess) = Finess::parse(&member.finess_ej) {
                    targets.extend(inventory::route_target(reader, &finess).await?);
                }
            }
            (code.clone(), None, Routing::Ght(targets))
        }
    };
    ensure_open(reader, request.campaign).await?;

    let sha256 = hex::encode(Sha256::digest(&request.bytes));
    let mut new = NewUpload {
        campaign: request.campaign,
        ght: ght.clone(),
        finess_ej: finess,
        file_name: request.file_name.clone(),
        format: String::new(),
        bytes: Vec::new(),
        sha256,
        status: String::new(),
        covered: Vec::new(),
    };
    let earlier = if request.dry_run { None } else { inventory::same_bytes(reader, &new).await? };
    if let Some(first) = earlier {
        let report = serde_json::from_value(first.report.clone()).unwrap_or_default();
        return Ok(ImportOutcome { upload: Some(first), report, rows: Vec::new(), duplicate: true });
    }

    progress(Step::Reading);
    let workbook = parse_isolated(&request.bytes, &request.file_name, worker).await.map_err(AppError::Ingest)?;
    let mut mappings = inventory::load_mappings(reader, &ght).await?;
    mappings.extend(request.mapping.clone());
    let table = locate(&workbook, &HeaderMatcher::new(&mappings)).map_err(AppError::Ingest)?;
    progress(Step::Normalising);
    let matcher = inventory::load_matcher(reader, &ght).await?;
    let taxonomy = inventory::load_taxonomy(reader).await?;
    let format = workbook.format.as_str();
    let (rows, report) = {
        // Not held across an await: the cache is for this synchronous pass.
        let matches = std::cell::RefCell::new(HashMap::new());
        let context = Context {
            file: &request.file_name,
            matcher: &matcher,
            taxonomy: &taxonomy,
            routing: &routing,
            matches: &matches,
        };
        normalise_table(&context, format, &table)
    };
    if request.dry_run {
        return Ok(ImportOutcome { upload: None, report, rows, duplicate: false });
    }

    let refused = rows.is_empty() || (report.errors > 0 && !request.partial);
    new.format = format.to_owned();
    new.bytes = request.bytes;
    new.status = if refused {
        REJECTED.to_owned()
    } else if actor.principal.role == Role::Etablissement && !auto_validated(db, &ght).await? {
        SUBMITTED.to_owned()
    } else {
        VALIDATED.to_owned()
    };
    new.covered = match &new.finess_ej {
        Some(f) => vec![f.clone()],
        None => rows.iter().map(|r| r.finess_ej.clone()).collect::<BTreeSet<_>>().into_iter().collect(),
    };
    let stored_rows: &[NormalisedRow] = if refused { &[] } else { &rows };

    progress(Step::Storing);
    let txn = db.begin_write().await?;
    lock::serialise(&txn, LockKey::Ght(ght.as_str())).await?;
    ensure_open(&txn, request.campaign).await?;
    if let Some(first) = inventory::same_bytes(&txn, &new).await? {
        txn.rollback().await?;
        let report = serde_json::from_value(first.report.clone()).unwrap_or_default();
        return Ok(ImportOutcome { upload: Some(first), report, rows: Vec::new(), duplicate: true });
    }
    if !request.mapping.is_empty() && !refused {
        inventory::save_mappings(&txn, &ght, &request.mapping).await?;
    }
    let upload = inventory::store(&txn, actor, new, stored_rows, &report).await?;
    txn.commit().await?;
    if refused {
        return Err(AppError::InvalidInventory { upload_id: upload.id, report: Box::new(report) });
    }
    Ok(ImportOutcome { upload: Some(upload), report, rows: Vec::new(), duplicate: false })
}

async fn ensure_open(conn: &impl sea_orm::ConnectionTrait, year: CampaignYear) -> Result<(), AppError> {
    match campaigns::find(conn, year).await? {
        None => {
            Err(AppError::not_found(format!("campagne {year} introuvable : elle doit être ouverte avant tout dépôt")))
        }
        Some(c) if c.status != campaigns::OPEN => Err(AppError::Conflict(format!(
            "la campagne {year} est close : ses inventaires sont figés et n'acceptent plus de dépôt"
        ))),
        Some(_) => Ok(()),
    }
}

async fn current_ght(db: &Db, finess: &Finess) -> Result<GhtCode, AppError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let membership = ght_membership::Entity::find()
        .filter(ght_membership::Column::FinessEj.eq(finess.as_str()))
        .filter(ghts::active_on(Utc::now().date_naive()))
        .one(db.reader())
        .await?
        .ok_or_else(|| AppError::Invalid(format!("l'établissement {finess} n'est membre d'aucun GHT à ce jour")))?;
    GhtCode::parse(&membership.ght_code).map_err(|e| AppError::Internal(e.into()))
}

async fn auto_validated(db: &Db, ght: &GhtCode) -> Result<bool, AppError> {
    Ok(ghts::find(db.reader(), ght).await?.is_some_and(|g| g.auto_validate))
}
