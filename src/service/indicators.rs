//! Indicator reads that compute: a campaign never computed yet (nothing
//! deposited) is computed for the read without writing anything, and
//! trajectories are computed from the stored values of every campaign.

use crate::store::StoreError;
use std::collections::BTreeMap;

use sea_orm::ConnectionTrait;

use super::{Write, access};
use crate::auth::Principal;
use crate::compute::changes::{Change, Delta};
use crate::compute::trajectories::{CampaignPoint, Trajectory, TrajectorySummary, summarise, trajectory};
use crate::domain::UploadStatus;
use crate::domain::{CampaignYear, Finess, GhtCode};
use crate::error::AppError;
use crate::reference::{IndicatorDefinition, indicator_schema};
use crate::store::audit::Actor;
use crate::store::entities::{campaign, indicator_answer};
use crate::store::indicators::{self as stored, SchemaChange};
pub use crate::store::indicators::{EtablissementProgress, GhtIndicators};
use crate::store::lock::{self, LockKey};
use crate::store::{Db, answers, campaigns, ghts, targets};

/// A GHT's indicators for a campaign as its readers see them.
#[derive(Debug, Clone)]
pub struct GhtReading {
    /// The computed values.
    pub indicators: GhtIndicators,
    /// The schema in force (labels, units).
    pub schema: Vec<IndicatorDefinition>,
    /// The GHT's declared answers.
    pub answers: Vec<indicator_answer::Model>,
}

/// A GHT the caller may read the indicators of: every caller who may
/// reads the same values.
#[derive(Debug, Clone)]
pub struct ReadableGht(GhtCode);

impl ReadableGht {
    /// The GHT.
    pub fn code(&self) -> &GhtCode {
        &self.0
    }
}

/// Decides whether the caller may read a GHT's indicators.
///
/// # Errors
/// `NotFound` for a GHT out of scope.
pub async fn readable(db: &Db, principal: &Principal, ght: &GhtCode) -> Result<ReadableGht, AppError> {
    access::readable_ght(db.reader(), principal, ght).await?;
    Ok(ReadableGht(ght.clone()))
}

/// A GHT's indicators for a campaign.
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign.
pub async fn of_ght(db: &Db, principal: &Principal, ght: &GhtCode, year: CampaignYear) -> Result<GhtReading, AppError> {
    let readable = readable(db, principal, ght).await?;
    of_readable_ght(db, &readable, year).await
}

/// The indicators of a GHT the caller may read, for a campaign.
///
/// # Errors
/// `NotFound` for an unknown campaign.
pub async fn of_readable_ght(db: &Db, readable: &ReadableGht, year: CampaignYear) -> Result<GhtReading, AppError> {
    let reader = db.reader();
    let ght = readable.code();
    let indicators = read(reader, ght, year, None).await?.ok_or_else(|| unknown_campaign(year))?;
    let (_, schema) = db.indicator_schema().await?;
    let answers = answers::of_campaign(reader, ght, year).await?;
    Ok(GhtReading { indicators, schema, answers })
}

/// An établissement's indicators for a campaign: those of the GHT it
/// belonged to at the campaign's reference date (or, for a campaign before
/// it joined any, its current GHT's), with that GHT.
///
/// # Errors
/// `NotFound` for an établissement out of scope, without a GHT, or an
/// unknown campaign.
pub async fn of_etablissement(
    db: &Db,
    principal: &Principal,
    finess: &Finess,
    year: CampaignYear,
) -> Result<(GhtCode, GhtIndicators, Vec<IndicatorDefinition>), AppError> {
    let reader = db.reader();
    access::readable_etablissement(reader, principal, finess).await?;
    let ght = match stored::ght_of(reader, finess.as_str(), year).await? {
        Some(ght) => ght,
        None => {
            ghts::current_membership(reader, finess)
                .await?
                .ok_or_else(|| AppError::not_found(format!("l'établissement {finess} n'est membre d'aucun GHT")))?
                .ght_code
        }
    };
    access::readable_campaign_data(reader, principal, finess, &ght).await?;
    let found = read(reader, &ght, year, Some(finess.as_str())).await?.ok_or_else(|| unknown_campaign(year))?;
    let (_, schema) = db.indicator_schema().await?;
    Ok((ght, found, schema))
}

/// Where a GHT's campaign stands: each expected établissement and the
/// counts the DSI chases.
#[derive(Debug, Clone)]
pub struct CampaignProgress {
    /// The campaign.
    pub campaign: campaign::Model,
    /// Each expected établissement (members at the reference date).
    pub etablissements: Vec<EtablissementProgress>,
    /// Établissements with a validated inventory.
    pub reporting: usize,
    /// Établissements whose deposit awaits the DSI's validation.
    pub submitted: usize,
}

/// Where a GHT's campaign stands.
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign.
pub async fn campaign_progress(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    year: CampaignYear,
) -> Result<CampaignProgress, AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let campaign = campaigns::find(reader, year).await?.ok_or_else(|| unknown_campaign(year))?;
    let etablissements = stored::progress(reader, ght, year, campaign.reference_date).await?;
    let reporting = etablissements.iter().filter(|e| e.status == Some(UploadStatus::Validated)).count();
    let submitted = etablissements.iter().filter(|e| e.status == Some(UploadStatus::Submitted)).count();
    Ok(CampaignProgress { campaign, etablissements, reporting, submitted })
}

/// The two campaigns a comparison reads: as given, or by default the
/// latest campaign and the one before it.
///
/// # Errors
/// `NotFound` when no campaign was ever opened; `Invalid` when there is
/// nothing before `to`, or `from` does not precede `to`.
pub async fn campaign_pair(
    db: &Db,
    from: Option<CampaignYear>,
    to: Option<CampaignYear>,
) -> Result<(CampaignYear, CampaignYear), AppError> {
    let years: Vec<CampaignYear> = campaigns::list(db.reader()).await?.into_iter().map(|c| c.year).collect();
    let to = match to {
        Some(to) => to,
        None => years
            .iter()
            .copied()
            .max()
            .ok_or_else(|| AppError::not_found("aucune campagne n'a encore été ouverte".to_owned()))?,
    };
    let from = match from {
        Some(from) => from,
        None => years
            .iter()
            .copied()
            .filter(|y| *y < to)
            .max()
            .ok_or_else(|| AppError::Invalid(format!("aucune campagne antérieure à {to} à comparer")))?,
    };
    if from >= to {
        return Err(AppError::Invalid(format!("la campagne « from » ({from}) doit précéder « to » ({to})")));
    }
    Ok((from, to))
}

/// A GHT's indicators at two campaigns and their changes.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The earlier campaign and its values.
    pub before: (CampaignYear, GhtIndicators),
    /// The later campaign and its values.
    pub after: (CampaignYear, GhtIndicators),
    /// Each indicator's change.
    pub deltas: Vec<Delta>,
    /// The schema in force (labels, units).
    pub schema: Vec<IndicatorDefinition>,
}

/// A GHT's indicator deltas between two campaigns (by default the latest
/// and the one before).
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign; as
/// [`campaign_pair`].
pub async fn deltas(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    from: Option<CampaignYear>,
    to: Option<CampaignYear>,
) -> Result<Comparison, AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let (from, to) = campaign_pair(db, from, to).await?;
    let before = read(reader, ght, from, None).await?.ok_or_else(|| unknown_campaign(from))?;
    let after = read(reader, ght, to, None).await?.ok_or_else(|| unknown_campaign(to))?;
    let (_, schema) = db.indicator_schema().await?;
    let deltas = crate::compute::changes::deltas(&before.values, &after.values);
    Ok(Comparison { before: (from, before), after: (to, after), deltas, schema })
}

/// What changed in a GHT's validated inventories between two campaigns.
///
/// # Errors
/// `NotFound` for a GHT out of scope; as [`campaign_pair`].
pub async fn diff(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    from: Option<CampaignYear>,
    to: Option<CampaignYear>,
) -> Result<(CampaignYear, CampaignYear, Vec<Change>), AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let (from, to) = campaign_pair(db, from, to).await?;
    let before = stored::applications(reader, ght, from).await?;
    let after = stored::applications(reader, ght, to).await?;
    Ok((from, to, crate::compute::changes::diff(&before, &after)))
}

/// A GHT's trajectories (the plan in force, or as it stood at a date) and
/// their summary at the latest campaign.
///
/// # Errors
/// `NotFound` for a GHT out of scope.
pub async fn trajectories_of(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    planned_at: Option<chrono::NaiveDate>,
) -> Result<(Vec<Trajectory>, TrajectorySummary), AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let trajectories = trajectories(reader, ght, planned_at, None).await?;
    let summary = summarise(&trajectories);
    Ok((trajectories, summary))
}

fn unknown_campaign(year: CampaignYear) -> AppError {
    AppError::not_found(format!("campagne {year} introuvable"))
}

/// Creates the next version of the indicator schema (the current one minus
/// the retired indicators plus the added ones) and recomputes every GHT's
/// open campaigns with it; closed campaigns keep the values of the version
/// they were published with. Returns the schema now in force.
///
/// # Errors
/// `Invalid` for a malformed, duplicate or unknown indicator, or a computed
/// indicator the engine cannot compute.
pub async fn new_schema_version(
    db: &Db,
    actor: Actor<'_>,
    change: SchemaChange,
) -> Result<(i32, Vec<IndicatorDefinition>), AppError> {
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::IndicatorSchema).await?;
    let (version, mut definitions) = stored::current_schema(write.txn()).await?;
    for code in &change.retire {
        if !definitions.iter().any(|d| &d.code == code) {
            return Err(AppError::Invalid(format!("l'indicateur {code} n'est pas dans le schéma en vigueur")));
        }
    }
    definitions.retain(|d| !change.retire.contains(&d.code));
    let computable = indicator_schema().map_err(|e| AppError::Internal(e.into()))?;
    for added in &change.add {
        added.check().map_err(AppError::Invalid)?;
        if definitions.iter().any(|d| d.code == added.code) {
            return Err(AppError::Invalid(format!("l'indicateur {} est déjà dans le schéma", added.code)));
        }
        if added.is_computed() && !computable.iter().any(|d| d.code == added.code && d.is_computed()) {
            return Err(AppError::Invalid(format!(
                "l'indicateur calculé {} n'a pas de calcul dans le service : seuls des indicateurs déclarés peuvent être créés ainsi",
                added.code
            )));
        }
        definitions.push(added.clone());
    }
    stored::insert_schema_version(write.txn(), actor, version + 1, &definitions, &change).await?;
    let current = (version + 1, definitions);
    write.touched().every_ght();
    write.commit().await?;
    db.forget_indicator_schema();
    Ok(current)
}

/// A GHT's indicators for a campaign: the stored ones, or — for a campaign
/// never computed (nothing deposited yet) — computed for this read without
/// writing anything.
///
/// # Errors
/// When the query fails.
pub async fn read(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
    finess: Option<&str>,
) -> Result<Option<GhtIndicators>, StoreError> {
    if let Some((run, values)) = stored::stored(conn, ght, year, finess).await? {
        return Ok(Some(GhtIndicators {
            schema_version: run.schema_version,
            computed_at: Some(run.computed_at),
            expected: run.expected,
            reporting: run.reporting,
            values,
        }));
    }
    let Some(campaign) = campaigns::find(conn, year).await? else { return Ok(None) };
    let inputs = stored::campaign_inputs(conn, &campaign, Some(ght)).await?.remove(ght).unwrap_or_default();
    let (schema_version, schema) = stored::current_schema(conn).await?;
    let values = super::recompute::computed_values(&inputs, &schema)
        .into_iter()
        .filter(|v| v.finess_ej.as_deref() == finess)
        .collect::<Vec<_>>();
    Ok(Some(GhtIndicators {
        schema_version,
        computed_at: None,
        expected: inputs.expected.len() as i32,
        reporting: inputs.reporting.len() as i32,
        values,
    }))
}

/// A GHT's trajectories: one per sub-domain of its targets — the current
/// ones, or those in force at `planned_at` (the plan as it was then) — over
/// every campaign it reported in, or those up to `up_to` (a past campaign
/// seen as it stood: the later ones had not happened) (see
/// `compute::trajectories`).
///
/// # Errors
/// When a query fails.
pub async fn trajectories(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    planned_at: Option<chrono::NaiveDate>,
    up_to: Option<CampaignYear>,
) -> Result<Vec<Trajectory>, StoreError> {
    let Some(targets) = targets::in_force(conn, ght, planned_at).await? else { return Ok(Vec::new()) };
    let mut campaigns = campaigns::list(conn).await?;
    campaigns.retain(|c| up_to.is_none_or(|last| c.year <= last));
    campaigns.sort_by_key(|c| c.year);
    let mut by_campaign = Vec::new();
    for campaign in campaigns {
        let year = stored::campaign_year(&campaign)?;
        if let Some(found) = read(conn, ght, year, None).await?
            && found.reporting > 0
        {
            by_campaign.push((campaign, found.values));
        }
    }
    let campaigns: Vec<&campaign::Model> = by_campaign.iter().map(|(c, _)| c).collect();
    Ok(trajectories_over(&targets, &campaigns, |i, code| {
        let value = by_campaign.get(i).and_then(|(_, values)| values.iter().find(|v| v.code == code));
        (value.and_then(|v| v.value), value.map(|v| v.detail.concerned_etablissements().to_vec()).unwrap_or_default())
    }))
}

/// The trajectory of each target sub-domain of a GHT over some campaigns
/// (oldest first), `measure(i, code)` giving the target rate of indicator
/// `code` at the `i`-th campaign and the établissements it concerns: the
/// GHT's page reads its stored runs, the national dashboard the values
/// gathered for every GHT.
pub fn trajectories_over(
    targets: &crate::store::targets::TargetVersion,
    campaigns: &[&campaign::Model],
    measure: impl Fn(usize, &str) -> (Option<f64>, Vec<String>),
) -> Vec<Trajectory> {
    let mut trajectories = Vec::new();
    for target in &targets.products {
        let code = format!("{}{}", stored::TARGET_RATE_PREFIX, target.subdomain_code);
        let points: Vec<CampaignPoint> = campaigns
            .iter()
            .enumerate()
            .map(|(i, campaign)| {
                let (rate, concerned) = measure(i, &code);
                CampaignPoint { year: campaign.year.get(), reference_date: campaign.reference_date, rate, concerned }
            })
            .collect();
        let plan: BTreeMap<String, chrono::NaiveDate> = targets
            .migrations
            .iter()
            .filter(|m| m.subdomain_code == target.subdomain_code)
            .map(|m| (m.finess_ej.to_string(), m.planned_on))
            .collect();
        trajectories.push(trajectory(target.subdomain_code.as_str(), &points, &plan));
    }
    trajectories
}
