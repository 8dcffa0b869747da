//! A deposit in two steps, as the web pages make it: a simulation (the
//! report and the rows read, nothing written) that keeps the file under an
//! unguessable key for its depositor, then the confirmation that imports
//! that very file. The API's `dry_run` is the same simulation; the file is
//! kept in the database so that any replica confirms it.

use rand::RngCore;

use super::access;
use crate::auth::Caller;
use crate::domain::CampaignYear;
use crate::error::AppError;
use crate::intake::worker::WorkerConfig;
use crate::intake::{self, ImportOutcome, ImportRequest, ImportScope};
use crate::store::audit::Actor;
use crate::store::entities::staged_deposit;
use crate::store::{Db, staged};

/// A simulation and, when the file can be imported as asked, the key that
/// confirms it.
#[derive(Debug)]
pub struct Simulated {
    /// The report and the first rows read.
    pub outcome: ImportOutcome,
    /// The key of the kept file (`None`: it cannot be imported as asked —
    /// errors in strict mode, or nothing valid at all).
    pub key: Option<String>,
}

/// Who may confirm a kept file: the caller who simulated it.
fn owner_of(caller: Caller) -> String {
    match caller {
        Caller::Token(id) => format!("token:{id}"),
        Caller::Person(id) => format!("person:{id}"),
        Caller::CommandLine => "cli".to_owned(),
    }
}

/// Whether the caller may deposit for this scope.
async fn check_writable(db: &Db, actor: Actor<'_>, scope: &ImportScope) -> Result<(), AppError> {
    match scope {
        ImportScope::Etablissement(finess) => {
            access::writable_inventory(db.reader(), actor.principal, finess).await?;
        }
        ImportScope::Ght(code) => {
            access::writable_ght(db.reader(), actor.principal, code).await?;
        }
    }
    Ok(())
}

/// Simulates a deposit and keeps the file for its confirmation.
///
/// # Errors
/// `NotFound` / `Forbidden` for a scope the caller may not deposit for;
/// as [`intake::import`].
pub async fn simulate(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    mut request: ImportRequest,
) -> Result<Simulated, AppError> {
    check_writable(db, actor, &request.scope).await?;
    request.dry_run = true;
    let kept = staged_deposit::Model {
        key: String::new(),
        owner: owner_of(actor.principal.caller),
        ght_code: String::new(),
        finess_ej: None,
        campaign_year: request.campaign.get(),
        file_name: request.file_name.clone(),
        content: Vec::new(),
        domain: request.domain.clone(),
        mapping: if request.mapping.is_empty() {
            None
        } else {
            Some(serde_json::to_string(&request.mapping).map_err(|e| AppError::Internal(e.into()))?)
        },
        partial: request.partial,
        created_at: chrono::Utc::now(),
    };
    let (ght_code, finess_ej) = match &request.scope {
        ImportScope::Etablissement(finess) => (String::new(), Some(finess.to_string())),
        ImportScope::Ght(code) => (code.to_string(), None),
    };
    let bytes = request.bytes.clone();
    let outcome = intake::import(db, worker, actor, request).await?;
    let report = &outcome.report;
    let importable = report.rows_imported > 0 && (report.errors == 0 || kept.partial);
    if !importable {
        return Ok(Simulated { outcome, key: None });
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let key = hex::encode(secret);
    staged::keep(db.writer(), staged_deposit::Model { key: key.clone(), ght_code, finess_ej, content: bytes, ..kept })
        .await?;
    Ok(Simulated { outcome, key: Some(key) })
}

/// Imports a simulated file, as it was simulated.
///
/// # Errors
/// `NotFound` for a key that is not the caller's, or kept more than a day
/// ago; as [`simulate`] and [`intake::import`].
pub async fn confirm(db: &Db, worker: &WorkerConfig, actor: Actor<'_>, key: &str) -> Result<ImportOutcome, AppError> {
    let kept = staged::find(db.reader(), key, &owner_of(actor.principal.caller)).await?.ok_or_else(|| {
        AppError::not_found(
            "simulation introuvable ou expirée (elle est gardée 24 heures) : déposez le fichier à nouveau",
        )
    })?;
    let scope = match &kept.finess_ej {
        Some(finess) => ImportScope::Etablissement(
            crate::domain::Finess::parse(finess)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("staged FINESS: {e}")))?,
        ),
        None => ImportScope::Ght(
            crate::domain::GhtCode::parse(&kept.ght_code)
                .map_err(|e| AppError::Internal(anyhow::anyhow!("staged GHT code: {e}")))?,
        ),
    };
    check_writable(db, actor, &scope).await?;
    let campaign = CampaignYear::new(i64::from(kept.campaign_year)).map_err(|e| AppError::Internal(e.into()))?;
    let mapping = match &kept.mapping {
        Some(json) => {
            serde_json::from_str(json).map_err(|e| AppError::Internal(anyhow::anyhow!("staged mapping: {e}")))?
        }
        None => Default::default(),
    };
    let request = ImportRequest {
        scope,
        campaign,
        file_name: kept.file_name,
        bytes: kept.content,
        partial: kept.partial,
        dry_run: false,
        mapping,
        domain: kept.domain,
    };
    let outcome = intake::import(db, worker, actor, request).await;
    if matches!(&outcome, Ok(_) | Err(AppError::InvalidInventory { .. })) {
        staged::forget(db.writer(), key).await?;
    }
    outcome
}
