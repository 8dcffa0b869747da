//! Indicator reads that compute: a campaign never computed yet (nothing
//! deposited) is computed for the read without writing anything, and
//! trajectories are computed from the stored values of every campaign.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DbErr};

use super::Write;
use crate::compute::trajectories::{CampaignPoint, Trajectory, trajectory};
use crate::domain::{CampaignYear, GhtCode};
use crate::error::AppError;
use crate::reference::IndicatorDefinition;
use crate::store::audit::Actor;
pub use crate::store::indicators::GhtIndicators;
use crate::store::indicators::{self as stored, SchemaChange};
use crate::store::{Db, campaigns, targets};

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
    stored::new_schema_version(write.txn(), actor, change).await?;
    let current = stored::current_schema(write.txn()).await?;
    write.touched().every_ght();
    write.commit().await?;
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
) -> Result<Option<GhtIndicators>, DbErr> {
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
/// every campaign it reported in (see `compute::trajectories`).
///
/// # Errors
/// When a query fails.
pub async fn trajectories(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    planned_at: Option<chrono::NaiveDate>,
) -> Result<Vec<Trajectory>, DbErr> {
    let Some(targets) = targets::in_force(conn, ght, planned_at).await? else { return Ok(Vec::new()) };
    let mut campaigns = campaigns::list(conn).await?;
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
    let mut trajectories = Vec::new();
    for target in &targets.products {
        let code = format!("APP.TARGET_RATE.{}", target.subdomain_code);
        let points: Vec<CampaignPoint> = by_campaign
            .iter()
            .map(|(campaign, values)| {
                let value = values.iter().find(|v| v.code == code);
                CampaignPoint {
                    year: campaign.year.get(),
                    reference_date: campaign.reference_date,
                    rate: value.and_then(|v| v.value),
                    concerned: value
                        .and_then(|v| v.detail["concerned_etablissements"].as_array())
                        .map(|list| list.iter().filter_map(|f| f.as_str().map(str::to_owned)).collect())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let plan: BTreeMap<String, chrono::NaiveDate> = targets
            .migrations
            .iter()
            .filter(|m| m.subdomain_code == target.subdomain_code)
            .map(|m| (m.finess_ej.clone(), m.planned_on))
            .collect();
        trajectories.push(trajectory(&target.subdomain_code, &points, &plan));
    }
    Ok(trajectories)
}
