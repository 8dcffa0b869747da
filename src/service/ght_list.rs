//! Loading the DGOS list of GHTs: GHTs and établissements created where
//! missing, memberships set from an effective date — an établissement that
//! moved has its old membership ended and a new one opened, never
//! rewritten — in one transaction, the indicators of the GHTs whose
//! membership changed recomputed once at the end.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Write;
use super::referential::{known_sites, open_membership, registration};
use crate::domain::{Finess, GhtCode, RegionCode};
use crate::error::AppError;
use crate::intake::worker::{WorkerConfig, parse_isolated};
use crate::reference::ght_list::{self, ListProblem, ListedMember};
use crate::store::audit::Actor;
use crate::store::etablissements::NewEtablissement;
use crate::store::ghts::{GhtPatch, NewGht};
use crate::store::lock::{self, LockKey};
use crate::store::{Db, etablissements, ghts};

/// Unreadable rows named in a refusal.
const PROBLEMS_TOLD: usize = 200;

/// A membership that changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MembershipChange {
    /// The établissement (FINESS juridique).
    pub finess: String,
    /// The GHT it joined, or left.
    pub ght: String,
    /// For a move, the GHT it left.
    pub from_ght: Option<String>,
}

/// What a load of the GHT list did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GhtListReport {
    /// The file as deposited.
    pub file_name: String,
    /// The date memberships change on.
    pub effective: NaiveDate,
    /// Établissements listed.
    pub rows: usize,
    /// GHTs created.
    pub ghts_created: Vec<String>,
    /// Établissements registered.
    pub etablissements_created: Vec<String>,
    /// Établissements that joined a GHT.
    pub joined: Vec<MembershipChange>,
    /// Établissements that left a GHT of the list (no longer listed in it).
    pub left: Vec<MembershipChange>,
    /// Établissements that moved from one GHT to another.
    pub moved: Vec<MembershipChange>,
    /// Memberships as they were.
    pub unchanged: usize,
    /// GHTs whose support établissement was set from the list.
    pub supports_set: Vec<String>,
    /// FINESS repaired as the importer repairs them (leading zero, key).
    pub repaired: Vec<String>,
    /// Établissements absent from the FINESS directory, registered under
    /// the list's name.
    pub absent_from_directory: Vec<String>,
    /// Whether anything changed (the same list loaded twice changes
    /// nothing).
    pub changed: bool,
    /// The load in one French sentence.
    pub summary: String,
}

/// Loads a DGOS GHT list.
///
/// # Errors
/// `Ingest` for an unreadable workbook; `Invalid` when it is not a GHT
/// list, has unreadable rows (each named; nothing is changed) or names an
/// établissement that cannot be registered.
pub async fn load_ght_list(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    file_name: &str,
    bytes: &[u8],
    effective: Option<NaiveDate>,
) -> Result<GhtListReport, AppError> {
    let workbook = parse_isolated(bytes, file_name, worker).await?;
    let list = ght_list::read(&workbook).map_err(|e| AppError::Invalid(format!("{file_name} : {e}")))?;
    if !list.problems.is_empty() {
        return Err(AppError::Invalid(problems_message(file_name, &list.problems)));
    }
    let effective = effective.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Referential).await?;
    let mut report = GhtListReport {
        file_name: file_name.to_owned(),
        effective,
        rows: list.members.len(),
        ghts_created: Vec::new(),
        etablissements_created: Vec::new(),
        joined: Vec::new(),
        left: Vec::new(),
        moved: Vec::new(),
        unchanged: 0,
        supports_set: Vec::new(),
        repaired: list.members.iter().filter_map(|m| m.repaired.clone()).collect(),
        absent_from_directory: Vec::new(),
        changed: false,
        summary: String::new(),
    };
    let mut by_ght: BTreeMap<GhtCode, Vec<&ListedMember>> = BTreeMap::new();
    for member in &list.members {
        by_ght.entry(member.ght.clone()).or_default().push(member);
    }
    // An établissement listed in another GHT moves there (see `join`): it
    // does not merely leave.
    let listed_anywhere: BTreeSet<&Finess> = list.members.iter().map(|m| &m.finess).collect();
    let mut touched: BTreeSet<GhtCode> = BTreeSet::new();
    for (code, members) in &by_ght {
        let ght = ensure_ght(&mut write, code, members, &mut report).await?;
        for member in members {
            ensure_etablissement(&mut write, member, &mut report).await?;
            if join(&mut write, &ght, member, effective, &mut report).await? {
                touched.insert(code.clone());
            }
        }
        for (membership, _) in ghts::members_at(write.txn(), code, effective).await? {
            if listed_anywhere.contains(&membership.finess_ej) || membership.valid_from >= effective {
                continue;
            }
            report.left.push(MembershipChange {
                finess: membership.finess_ej.to_string(),
                ght: code.to_string(),
                from_ght: None,
            });
            ghts::set_membership_end(write.txn(), actor, membership, effective).await?;
            touched.insert(code.clone());
        }
        if let Some(support) = members.iter().find(|m| m.support)
            && ght.support_finess_ej.as_ref() != Some(&support.finess)
        {
            let patch = GhtPatch { support_finess_ej: Some(support.finess.clone()), ..GhtPatch::default() };
            ghts::update(write.txn(), actor, ght, patch).await?;
            report.supports_set.push(code.to_string());
        }
    }
    for code in &touched {
        write.touched().ght(code);
    }
    report.changed = !(report.ghts_created.is_empty()
        && report.etablissements_created.is_empty()
        && touched.is_empty()
        && report.supports_set.is_empty());
    report.summary = summary(&report);
    if report.changed {
        write.commit().await?;
    } else {
        write.rollback().await?;
    }
    Ok(report)
}

/// The GHT, created when missing.
async fn ensure_ght(
    write: &mut Write<'_>,
    code: &GhtCode,
    members: &[&ListedMember],
    report: &mut GhtListReport,
) -> Result<crate::store::entities::ght::Model, AppError> {
    if let Some(found) = ghts::find(write.txn(), code).await? {
        return Ok(found);
    }
    let region = RegionCode::parse(code.region_prefix()).map_err(|e| {
        AppError::Invalid(format!("GHT {code} : la région « {} » est inconnue ({e})", code.region_prefix()))
    })?;
    let name = members.iter().find_map(|m| m.ght_name.clone()).unwrap_or_else(|| format!("GHT {code}"));
    let created = ghts::create(write.txn(), write.actor(), NewGht { code: code.clone(), name, region }).await?;
    report.ghts_created.push(code.to_string());
    Ok(created)
}

async fn ensure_etablissement(
    write: &mut Write<'_>,
    member: &ListedMember,
    report: &mut GhtListReport,
) -> Result<(), AppError> {
    if etablissements::find(write.txn(), &member.finess).await?.is_some() {
        return Ok(());
    }
    let known = known_sites(write.txn(), &member.finess).await?;
    if known.is_empty() {
        report.absent_from_directory.push(member.finess.to_string());
    }
    // A multi-site legal entity (a CHU) takes the list's name, the
    // directory naming sites, not legal entities; a single-site one the
    // directory's, as any registration.
    let name = if known.len() == 1 { None } else { member.name.clone() };
    let new = NewEtablissement { finess_ej: member.finess.clone(), name, category: None, commune: None, sites: None };
    let registration = registration(new, &known).map_err(|e| match e {
        AppError::Invalid(why) => {
            AppError::Invalid(format!("feuille « {} », ligne {} : {why}", member.sheet, member.row))
        }
        other => other,
    })?;
    etablissements::insert(write.txn(), write.actor(), registration).await?;
    report.etablissements_created.push(member.finess.to_string());
    Ok(())
}

/// Makes the établissement a member of the GHT from the date; whether its
/// membership changed.
async fn join(
    write: &mut Write<'_>,
    ght: &crate::store::entities::ght::Model,
    member: &ListedMember,
    effective: NaiveDate,
    report: &mut GhtListReport,
) -> Result<bool, AppError> {
    let (actor, code) = (write.actor(), &ght.code);
    let txn = write.txn();
    let from_ght = match ghts::membership_overlapping(txn, &member.finess, effective).await? {
        Some(current) if current.ght_code == *code => {
            report.unchanged += 1;
            return Ok(false);
        }
        Some(current) if current.valid_from >= effective => {
            return Err(AppError::Conflict(format!(
                "feuille « {} », ligne {} : l'établissement {} est membre du GHT {} depuis le {}, après la date d'effet {effective} : choisissez une date d'effet postérieure",
                member.sheet, member.row, member.finess, current.ght_code, current.valid_from
            )));
        }
        Some(current) => {
            let from = current.ght_code.to_string();
            ghts::set_membership_end(txn, actor, current, effective).await?;
            write.touched().ght(&GhtCode::parse(&from).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?);
            Some(from)
        }
        None => None,
    };
    open_membership(write.txn(), actor, ght, &member.finess, effective).await?;
    let change =
        MembershipChange { finess: member.finess.to_string(), ght: code.to_string(), from_ght: from_ght.clone() };
    if from_ght.is_some() {
        report.moved.push(change)
    } else {
        report.joined.push(change)
    }
    Ok(true)
}

fn summary(report: &GhtListReport) -> String {
    if !report.changed {
        return format!(
            "Liste des GHT : {} établissements, tous déjà membres de leur GHT au {} : rien n'a changé.",
            report.rows,
            report.effective.format("%d/%m/%Y")
        );
    }
    format!(
        "Liste des GHT au {} : {} établissements ; {} GHT et {} établissements créés ; {} adhésions nouvelles, {} départs, {} changements de GHT, {} inchangées.",
        report.effective.format("%d/%m/%Y"),
        report.rows,
        report.ghts_created.len(),
        report.etablissements_created.len(),
        report.joined.len(),
        report.left.len(),
        report.moved.len(),
        report.unchanged
    )
}

fn problems_message(file_name: &str, problems: &[ListProblem]) -> String {
    let mut text = format!("{file_name} : {} ligne(s) illisible(s), rien n'a été chargé :", problems.len());
    for p in problems.iter().take(PROBLEMS_TOLD) {
        text.push_str(&format!(
            "\nfeuille « {} », ligne {}, colonne {} : « {} » : {}",
            p.sheet, p.row, p.column, p.value, p.reason
        ));
    }
    text
}
