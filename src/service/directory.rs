//! Loading the FINESS directory from the public extract: one transaction,
//! sites created, updated or closed (never deleted), the same file twice a
//! no-op that says so, a malformed file refused whole.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sea_orm::Set;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Write;
use crate::error::AppError;
use crate::reference::finess_extract::{self, Extract, ExtractSite};
use crate::store::audit::{self, Actor, Change};
use crate::store::entities::{finess_load, finess_site};
use crate::store::lock::{self, LockKey};
use crate::store::{Db, directory};

/// Malformed lines named in the refusal's message.
const MALFORMED_TOLD: usize = 200;

/// What a load of the FINESS extract did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FinessLoadReport {
    /// The file as deposited.
    pub file_name: String,
    /// The extract's date (its metadata line).
    pub extract_date: NaiveDate,
    /// Lines read.
    pub lines: usize,
    /// Sites in the extract.
    pub sites: usize,
    /// Sites new to the directory.
    pub created: usize,
    /// Sites whose record changed (a closed site listed again included).
    pub updated: usize,
    /// Sites as they were.
    pub unchanged: usize,
    /// Open sites the extract no longer lists: closed on its date.
    pub closed: usize,
    /// The same file was loaded before: nothing was changed.
    pub already_loaded: bool,
    /// Record types the loader does not use, with their counts.
    pub other_records: BTreeMap<String, usize>,
    /// The load in one French sentence.
    pub summary: String,
}

/// Loads a FINESS extract into the directory.
///
/// # Errors
/// `Invalid` when the file is not an extract or has malformed lines (each
/// named with its line and field; nothing is changed), `Conflict` when the
/// extract is older than the last one loaded.
pub async fn load_finess(
    db: &Db,
    actor: Actor<'_>,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<FinessLoadReport, AppError> {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    if let Some(load) = directory::load_of(db.reader(), &sha256).await? {
        return Ok(again(file_name, &load));
    }
    let extract = tokio::task::spawn_blocking(move || finess_extract::read(&bytes))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("FINESS extract reader stopped: {e}")))?
        .map_err(|e| AppError::Invalid(format!("{file_name} : {e}")))?;
    if extract.malformed_total > 0 {
        return Err(AppError::Invalid(malformed_message(file_name, &extract)));
    }
    let Some(extract_date) = extract.date else {
        return Err(AppError::Invalid(format!("{file_name} : {}", finess_extract::ExtractError::NoDate)));
    };

    let write = Write::begin(db, actor).await?;
    let txn = write.txn();
    lock::serialise(txn, LockKey::Referential).await?;
    if let Some(load) = directory::load_of(txn, &sha256).await? {
        write.rollback().await?;
        return Ok(again(file_name, &load));
    }
    if let Some(latest) = directory::latest_load(txn).await?
        && latest.extract_date > extract_date
    {
        return Err(AppError::Conflict(format!(
            "{file_name} : cette extraction date du {extract_date}, avant la dernière chargée ({}, {}) : elle rendrait le répertoire plus ancien ; chargez une extraction plus récente",
            latest.extract_date, latest.file_name
        )));
    }
    let existing = directory::all_sites(txn).await?;
    let now = crate::store::now();
    let mut listed = HashSet::with_capacity(extract.sites.len());
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    let mut writes = Vec::new();
    for site in &extract.sites {
        if !listed.insert(site.finess_et.as_str().to_owned()) {
            continue;
        }
        let fresh = record(site, extract_date, now);
        match existing.get(site.finess_et.as_str()) {
            None => created += 1,
            Some(old) if same(old, &fresh) => {
                unchanged += 1;
                continue;
            }
            Some(old) => {
                updated += 1;
                writes.push(finess_site::ActiveModel { created_at: Set(old.created_at), ..active(fresh) });
                continue;
            }
        }
        writes.push(active(fresh));
    }
    let closing: Vec<String> = existing
        .values()
        .filter(|old| old.closed_on.is_none() && !listed.contains(&old.finess_et))
        .map(|old| old.finess_et.clone())
        .collect();
    directory::upsert_sites(txn, writes).await?;
    directory::close_sites(txn, &closing, extract_date).await?;
    let report = FinessLoadReport {
        file_name: file_name.to_owned(),
        extract_date,
        lines: extract.lines,
        sites: listed.len(),
        created,
        updated,
        unchanged,
        closed: closing.len(),
        already_loaded: false,
        other_records: extract.other_records.clone(),
        summary: String::new(),
    };
    let report = FinessLoadReport { summary: summary(&report), ..report };
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let load = directory::record_load(
        txn,
        finess_load::ActiveModel {
            sha256: Set(sha256),
            file_name: Set(file_name.to_owned()),
            extract_date: Set(extract_date),
            lines: Set(count(report.lines)),
            created: Set(count(created)),
            updated: Set(count(updated)),
            unchanged: Set(count(unchanged)),
            closed: Set(count(report.closed)),
            actor: Set(actor.principal.label.clone()),
            loaded_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "finess.load",
            object_type: "finess_load",
            object_id: load.id.to_string(),
            ght_code: None,
            before: None,
            after: audit::snapshot(&report),
        },
    )
    .await?;
    write.commit().await?;
    tracing::info!(created, updated, unchanged, closed = report.closed, "FINESS extract loaded");
    Ok(report)
}

/// The report of a file loaded before.
fn again(file_name: &str, load: &finess_load::Model) -> FinessLoadReport {
    let count = |n: i32| usize::try_from(n).unwrap_or_default();
    let sites = count(load.created) + count(load.updated) + count(load.unchanged);
    FinessLoadReport {
        file_name: file_name.to_owned(),
        extract_date: load.extract_date,
        lines: count(load.lines),
        sites,
        created: 0,
        updated: 0,
        unchanged: sites,
        closed: 0,
        already_loaded: true,
        other_records: BTreeMap::new(),
        summary: format!(
            "Ce fichier a déjà été chargé le {} (extraction du {}) : rien n'a changé.",
            load.loaded_at.format("%d/%m/%Y à %H:%M"),
            load.extract_date.format("%d/%m/%Y")
        ),
    }
}

fn summary(report: &FinessLoadReport) -> String {
    format!(
        "Extraction FINESS du {} : {} sites, dont {} nouveaux, {} modifiés, {} inchangés ; {} sites absents de l'extraction fermés à sa date.",
        report.extract_date.format("%d/%m/%Y"),
        report.sites,
        report.created,
        report.updated,
        report.unchanged,
        report.closed
    )
}

fn malformed_message(file_name: &str, extract: &Extract) -> String {
    let mut text = format!(
        "{file_name} : {} ligne(s) illisible(s), rien n'a été chargé. Corrigez-les ou chargez une extraction complète :",
        extract.malformed_total
    );
    for line in extract.malformed.iter().take(MALFORMED_TOLD) {
        text.push_str(&format!("\nligne {}, champ {} : {}", line.line, line.field, line.reason));
    }
    if extract.malformed_total > MALFORMED_TOLD {
        text.push_str(&format!("\n… et {} autre(s).", extract.malformed_total - MALFORMED_TOLD));
    }
    text
}

/// A site of the extract as the directory stores it.
fn record(site: &ExtractSite, extract_date: NaiveDate, now: chrono::DateTime<chrono::Utc>) -> finess_site::Model {
    let (category_code, category_label) = site.category.clone().unzip();
    finess_site::Model {
        finess_et: site.finess_et.as_str().to_owned(),
        finess_ej: site.finess_ej.as_str().to_owned(),
        short_name: site.short_name.clone(),
        long_name: site.long_name.clone(),
        category_code,
        category_label,
        departement: site.departement.clone(),
        commune: site.commune.clone(),
        coord_x: site.coordinates.as_ref().map(|c| c.x),
        coord_y: site.coordinates.as_ref().map(|c| c.y),
        coord_source: site.coordinates.as_ref().map(|c| c.source.clone()),
        opened_on: site.opened_on,
        updated_on: site.updated_on,
        closed_on: None,
        extract_date,
        created_at: now,
        updated_at: now,
    }
}

/// Whether a stored site says what the extract says (dates of the load
/// aside).
fn same(old: &finess_site::Model, fresh: &finess_site::Model) -> bool {
    finess_site::Model {
        extract_date: fresh.extract_date,
        created_at: fresh.created_at,
        updated_at: fresh.updated_at,
        ..old.clone()
    } == *fresh
}

fn active(site: finess_site::Model) -> finess_site::ActiveModel {
    finess_site::ActiveModel {
        finess_et: Set(site.finess_et),
        finess_ej: Set(site.finess_ej),
        short_name: Set(site.short_name),
        long_name: Set(site.long_name),
        category_code: Set(site.category_code),
        category_label: Set(site.category_label),
        departement: Set(site.departement),
        commune: Set(site.commune),
        coord_x: Set(site.coord_x),
        coord_y: Set(site.coord_y),
        coord_source: Set(site.coord_source),
        opened_on: Set(site.opened_on),
        updated_on: Set(site.updated_on),
        closed_on: Set(site.closed_on),
        extract_date: Set(site.extract_date),
        created_at: Set(site.created_at),
        updated_at: Set(site.updated_at),
    }
}

/// What a refresh from the Annuaire Santé found.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct AnnuaireRefresh {
    /// Établissements asked about.
    pub asked: usize,
    /// Those the Annuaire knows.
    pub found: usize,
    /// Those whose missing commune or category it filled.
    pub filled: Vec<String>,
    /// Those whose registered name differs from the Annuaire's:
    /// (FINESS, registered, Annuaire). Names are never changed silently.
    pub names_differ: Vec<(String, String, String)>,
    /// Those the Annuaire does not know.
    pub unknown: Vec<String>,
}

/// Checks every registered établissement against the Annuaire Santé:
/// fills a missing commune or category, and lists the names that differ
/// (the operator decides). The calls are made before the write opens.
///
/// # Errors
/// When the Annuaire fails for good (nothing is changed) or a write fails.
pub async fn refresh_from_annuaire(
    db: &Db,
    actor: Actor<'_>,
    annuaire: &crate::integrations::annuaire::Annuaire,
) -> Result<AnnuaireRefresh, AppError> {
    use crate::store::etablissements::{self, EtablissementPatch};
    let registered = etablissements::all(db.reader()).await?;
    let finess: Vec<crate::domain::Finess> = registered.iter().map(|e| e.finess_ej.clone()).collect();
    let organizations = annuaire.organizations(&finess).await?;
    let mut refresh = AnnuaireRefresh { asked: finess.len(), found: organizations.len(), ..AnnuaireRefresh::default() };
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Referential).await?;
    for e in &registered {
        let Some(organization) = organizations.iter().find(|o| o.finess == e.finess_ej) else {
            refresh.unknown.push(e.finess_ej.to_string());
            continue;
        };
        if !organization.name.is_empty() && organization.name.to_uppercase() != e.name.to_uppercase() {
            refresh.names_differ.push((e.finess_ej.to_string(), e.name.clone(), organization.name.clone()));
        }
        let patch = EtablissementPatch {
            name: None,
            category: e.category.is_none().then(|| organization.category.clone()).flatten(),
            commune: e.commune.is_none().then(|| organization.commune.clone()).flatten(),
        };
        if patch.category.is_none() && patch.commune.is_none() {
            continue;
        }
        if let Some(details) = etablissements::find(write.txn(), &e.finess_ej).await? {
            etablissements::update(write.txn(), actor, details, patch).await?;
            refresh.filled.push(e.finess_ej.to_string());
        }
    }
    write.commit().await?;
    Ok(refresh)
}
