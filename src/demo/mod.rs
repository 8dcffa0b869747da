//! The demo GHT loaded by `serve --demo`: real établissements of a real
//! GHT (Estuaire de la Seine, Normandie, 2016 composition), two campaigns,
//! targets, governance answers, and inventories deposited through the real
//! import pipeline — with misspelled names left in the review queue, an
//! établissement missing from the 2026 campaign and a late DPI migration —
//! so a newcomer sees every feature at work.

mod inventories;

use chrono::NaiveDate;

use crate::auth::Principal;
use crate::domain::{AnswerStatus, CampaignStatus, CampaignYear, Finess, GhtCode, RegionCode, SubdomainCode};
use crate::error::AppError;
use crate::intake::worker::WorkerConfig;
use crate::reference::ght_sample;
use crate::service::Write;
use crate::store::answers::{self, Answer};
use crate::store::audit::Actor;
use crate::store::etablissements::{self, NewEtablissement};
use crate::store::ghts::{self, GhtPatch, NewGht};
use crate::store::targets::{self, TargetSet};
use crate::store::{Db, campaigns, catalogue};

/// Code of the demo GHT. The DGOS codes of the sample GHTs are not in the
/// reference data, so this one is the demo's own.
pub const DEMO_GHT: &str = "NOR-02";
const SAMPLE_NAME: &str = "Estuaire de la Seine";

/// Target product per sub-domain in the demo's SDSI.
const TARGETS: [(&str, &str); 5] = [
    ("DPI.CORE", "DxCare"),
    ("URG.DPU", "ResUrgences"),
    ("GAP.ADM", "Pastel"),
    ("LAB.SIL", "Glims"),
    ("IMG.PACS", "Carestream Vue PACS"),
];

/// What `load` did.
#[derive(Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    /// The demo GHT was created.
    Loaded,
    /// It was already there; nothing was written.
    AlreadyPresent,
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::Internal(anyhow::anyhow!("invalid demo date")))
}

fn parsed<T, E: std::fmt::Display>(value: Result<T, E>) -> Result<T, AppError> {
    value.map_err(|e| AppError::Internal(anyhow::anyhow!("invalid demo constant: {e}")))
}

/// Loads the demo GHT if absent, in one transaction.
///
/// # Errors
/// When a write fails.
pub async fn load(db: &Db, worker: &WorkerConfig) -> Result<DemoOutcome, AppError> {
    let code = parsed(GhtCode::parse(DEMO_GHT))?;
    if ghts::find(db.reader(), &code).await?.is_some() {
        return Ok(DemoOutcome::AlreadyPresent);
    }
    let principal = Principal::command_line("demo");
    let actor = Actor { principal: &principal, request_id: None };
    let sample = ght_sample()?
        .into_iter()
        .find(|g| g.name == SAMPLE_NAME)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo GHT missing from the sample")))?;
    let members: Vec<_> = sample.members.iter().filter_map(|m| m.finess_ej.clone().map(|f| (f, m))).collect();

    let mut write = Write::begin(db, actor).await?;
    let txn = write.txn();
    let created = ghts::create(
        txn,
        actor,
        NewGht { code: code.clone(), name: format!("GHT {SAMPLE_NAME}"), region: parsed(RegionCode::parse("NOR"))? },
    )
    .await?;
    let constituted = date(2016, 7, 1)?;
    for (finess, member) in &members {
        if etablissements::find(txn, finess).await?.is_none() {
            let new = NewEtablissement {
                finess_ej: finess.clone(),
                name: Some(member.name.clone()),
                category: None,
                commune: None,
                sites: None,
            };
            let known = crate::service::referential::known_sites(txn, finess).await?;
            etablissements::insert(txn, actor, crate::service::referential::registration(new, &known)?).await?;
        }
        ghts::insert_membership(txn, actor, &code, finess, constituted, false).await?;
    }
    let support = members.iter().find(|(_, m)| m.is_support == Some(true)).map(|(f, _)| f.clone());
    ghts::update(txn, actor, created, GhtPatch { support_finess_ej: support, ..GhtPatch::default() }).await?;

    for (year, deadline) in [(2025, date(2025, 6, 30)?), (2026, date(2026, 6, 30)?)] {
        let year = parsed(CampaignYear::new(year))?;
        if campaigns::find(txn, year).await?.is_none() {
            campaigns::insert_open(txn, actor, year, year.default_reference_date(), Some(deadline)).await?;
        }
    }

    let mut products = Vec::new();
    for (subdomain, product) in TARGETS {
        let id = catalogue::product_id_by_name(txn, product)
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("demo target {product} missing from the catalogue")))?;
        products.push((parsed(SubdomainCode::parse(subdomain))?, id));
    }
    // Staggered plan: the DPI rolls out one établissement a semester from
    // 2024, so the 2026 campaign shows some établissements late.
    let mut migrations = Vec::new();
    for (i, (finess, _)) in members.iter().enumerate() {
        let months = 6 * i32::try_from(i).unwrap_or(0);
        let dpi = date(2024 + months / 12, 1 + u32::try_from(months % 12).unwrap_or(0), 1)?;
        migrations.push((finess.clone(), parsed(SubdomainCode::parse("DPI.CORE"))?, dpi));
        migrations.push((finess.clone(), parsed(SubdomainCode::parse("URG.DPU"))?, date(2025, 9, 1)?));
    }
    let set = TargetSet { products, migrations, comment: Some("SDSI 2023-2028 (démonstration)".to_owned()) };
    targets::replace(txn, actor, &code, set).await?;

    let governance = [
        ("GOV.DIAG", AnswerStatus::Done, Some(date(2017, 6, 30)?)),
        ("GOV.STRAT", AnswerStatus::Done, Some(date(2018, 3, 15)?)),
        ("GOV.SDSI", AnswerStatus::Done, Some(date(2018, 6, 1)?)),
        ("GOV.DSI", AnswerStatus::Done, Some(date(2019, 1, 1)?)),
        ("GOV.GPEC", AnswerStatus::InProgress, None),
        ("GOV.ID_REF", AnswerStatus::InProgress, None),
        ("GOV.ANNUAIRE", AnswerStatus::NotStarted, None),
    ];
    for year in [2025, 2026] {
        let year = parsed(CampaignYear::new(year))?;
        for (code_text, status, status_date) in governance {
            let answer = Answer { indicator_code: code_text.to_owned(), status, status_date, comment: None };
            answers::declare(txn, actor, &code, year, answer).await?;
        }
    }
    write.touched().ght(&code);
    write.commit().await?;

    // Inventories go through the real pipeline: 2025 for every member, then
    // the campaign is frozen; 2026 for all but the last member.
    let finess: Vec<Finess> = members.iter().map(|(f, _)| f.clone()).collect();
    let previous = parsed(CampaignYear::new(2025))?;
    for (i, f) in finess.iter().enumerate() {
        inventories::deposit(db, worker, actor, f, i, previous).await?;
    }
    if campaigns::find(db.reader(), previous).await?.is_some_and(|c| c.status == CampaignStatus::Open) {
        crate::service::referential::close_campaign(db, actor, previous).await?;
    }
    let current = parsed(CampaignYear::new(2026))?;
    for (i, f) in finess.iter().enumerate().take(finess.len().saturating_sub(1)) {
        inventories::deposit(db, worker, actor, f, i, current).await?;
    }
    Ok(DemoOutcome::Loaded)
}

/// The FINESS numbers of the demo GHT's members (for tests and docs).
///
/// # Errors
/// When the embedded sample is malformed.
pub fn demo_members() -> Result<Vec<Finess>, AppError> {
    Ok(ght_sample()?
        .into_iter()
        .filter(|g| g.name == SAMPLE_NAME)
        .flat_map(|g| g.members)
        .filter_map(|m| m.finess_ej)
        .collect())
}
