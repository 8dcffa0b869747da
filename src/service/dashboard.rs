//! The national and regional dashboard: every GHT of the caller's reach
//! with its convergence rate, its change since the previous campaign, its
//! completeness, its converged and late sub-domains and its governance
//! milestones, read from stored values (a handful of queries for the 136
//! GHTs, whatever their size).

use std::collections::BTreeMap;

use super::access;
use super::exports::campaign_or_latest;
use super::indicators::trajectories_over;
use crate::auth::{Principal, Scope};
use crate::compute::trajectories::{TrajectorySummary, summarise};
use crate::domain::{CampaignYear, RegionCode, Role};
use crate::error::AppError;
use crate::store::entities::{campaign, region};
use crate::store::indicators::{PeerValues, completeness};
use crate::store::{Db, campaigns, ghts, regions};

/// The convergence rate's indicator.
pub const RATE: &str = "APP.CONV_RATE";
/// The governance answers the table shows.
const SDSI: &str = "GOV.SDSI";
const COMMON_DSI: &str = "GOV.DSI";

/// One GHT of the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct GhtLine {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Region code.
    pub region: String,
    /// `APP.CONV_RATE` at the campaign (`None`: not computed, no target or
    /// no validated inventory).
    pub rate: Option<f64>,
    /// The same at the previous campaign.
    pub previous_rate: Option<f64>,
    /// Établissements expected (members at the reference date).
    pub expected: i32,
    /// Établissements with a validated inventory.
    pub reporting: i32,
    /// Sub-domains with a target (the GHT's trajectories).
    pub targeted: usize,
    /// Of those, the ones where every concerned établissement runs the
    /// target at the campaign.
    pub converged: usize,
    /// Of those, the ones below their planned rate or projected to finish
    /// after their last planned date (as on the GHT's page).
    pub late: usize,
    /// The SDSI's declared status (`None`: not declared).
    pub sdsi: Option<String>,
    /// The common IT direction's declared status.
    pub common_dsi: Option<String>,
}

impl GhtLine {
    /// The change of the rate since the previous campaign, when both are known.
    pub fn delta(&self) -> Option<f64> {
        self.rate.zip(self.previous_rate).map(|(now, before)| now - before)
    }
}

/// The dashboard of a campaign.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The campaign shown.
    pub campaign: campaign::Model,
    /// The campaign its changes are measured from.
    pub previous: Option<CampaignYear>,
    /// Every campaign, latest first, to choose another.
    pub campaigns: Vec<CampaignYear>,
    /// The region shown, or `None` for the nation.
    pub region: Option<RegionCode>,
    /// The regions the caller may choose among (one for an ARS).
    pub regions: Vec<region::Model>,
    /// One line per GHT, by code.
    pub lines: Vec<GhtLine>,
}

/// The dashboard of the GHTs the caller compares: the nation or one region
/// for the operator and DGOS, its own region for an ARS.
///
/// # Errors
/// `Forbidden` for a GHT's DSI or an établissement (they have their GHT's
/// page); `NotFound` for a region out of scope or an unknown campaign.
pub async fn dashboard(
    db: &Db,
    principal: &Principal,
    region: Option<RegionCode>,
    year: Option<CampaignYear>,
) -> Result<Dashboard, AppError> {
    let reader = db.reader();
    let region = match (&principal.scope, region) {
        (_, Some(region)) => Some(region),
        (Scope::Region(own), None) => Some(own.clone()),
        (_, None) => None,
    };
    if !matches!(principal.role, Role::Admin | Role::National | Role::Regional) {
        return Err(access::forbidden(principal));
    }
    match &region {
        Some(region) => access::readable_region(reader, principal, region, None).await?,
        None if principal.scope != Scope::All => return Err(access::forbidden(principal)),
        None => {}
    }
    let campaign = campaign_or_latest(db, year).await?;
    let listed = campaigns::list(reader).await?;
    let all_campaigns: Vec<CampaignYear> = listed.iter().map(|c| c.year).collect();
    let previous = all_campaigns.iter().copied().find(|y| *y < campaign.year);
    let region_code = region.as_ref().map(RegionCode::as_str);
    let values = db.peer_values(campaign.year, region_code).await?;
    let before = match previous {
        Some(previous) => Some(db.peer_values(previous, region_code).await?),
        None => None,
    };
    let codes: Vec<String> = values.ghts.keys().cloned().collect();
    let counts = completeness(reader, campaign.year, campaign.reference_date, &codes).await?;
    let names = ghts::names(reader).await?;
    let summaries = trajectory_summaries(db, &campaign, listed, region_code, &codes).await?;
    let lines = values
        .ghts
        .iter()
        .map(|(code, region)| {
            let (expected, reporting) = counts.get(code).copied().unwrap_or_default();
            let summary = summaries.get(code).cloned().unwrap_or_default();
            line(code, region, &names, &values, before.as_deref(), (expected, reporting), &summary)
        })
        .collect();
    let regions = regions::list(reader)
        .await?
        .into_iter()
        .filter(|r| match &principal.scope {
            Scope::Region(own) => &r.code == own,
            _ => true,
        })
        .collect();
    Ok(Dashboard { campaign, previous, campaigns: all_campaigns, region, regions, lines })
}

/// Each GHT's trajectories summarised at the campaign, computed as the
/// GHT's page computes them (its targets as they stood at the campaign's
/// close, every campaign it reported in up to this one) from the values
/// gathered for all GHTs: a few queries, not a few per GHT.
async fn trajectory_summaries(
    db: &Db,
    shown: &campaign::Model,
    mut campaigns: Vec<campaign::Model>,
    region: Option<&str>,
    codes: &[String],
) -> Result<BTreeMap<String, TrajectorySummary>, AppError> {
    campaigns.retain(|c| c.year <= shown.year);
    campaigns.sort_by_key(|c| c.year);
    let mut gathered = Vec::new();
    for campaign in &campaigns {
        gathered.push(db.peer_values(campaign.year, region).await?);
    }
    let planned_at =
        shown.closed_at.map(|at| at.date_naive()).and_then(|day| day.and_hms_opt(23, 59, 59)).map(|end| end.and_utc());
    let targets = crate::store::targets::in_force_of_all(db.reader(), codes, planned_at).await?;
    let mut summaries = BTreeMap::new();
    for (code, version) in &targets {
        // The campaigns the GHT reported in, as its page counts them.
        let reported: Vec<usize> = (0..campaigns.len()).filter(|i| gathered[*i].reporting.contains(code)).collect();
        let over: Vec<&campaign::Model> = reported.iter().filter_map(|i| campaigns.get(*i)).collect();
        let trajectories = trajectories_over(version, &over, |i, indicator| {
            let Some(values) = reported.get(i).and_then(|j| gathered.get(*j)) else { return (None, Vec::new()) };
            let rate = values.values.get(indicator).and_then(|by| by.get(code)).copied();
            let concerned = values.concerned.get(indicator).and_then(|by| by.get(code)).cloned().unwrap_or_default();
            (rate, concerned)
        });
        summaries.insert(code.clone(), summarise(&trajectories));
    }
    Ok(summaries)
}

fn line(
    code: &str,
    region: &str,
    names: &BTreeMap<String, String>,
    values: &PeerValues,
    before: Option<&PeerValues>,
    (expected, reporting): (i32, i32),
    trajectories: &TrajectorySummary,
) -> GhtLine {
    let value =
        |values: &PeerValues, indicator: &str| values.values.get(indicator).and_then(|by| by.get(code)).copied();
    let answer = |indicator: &str| {
        values
            .answers
            .iter()
            .find(|a| a.ght_code.as_str() == code && a.indicator_code == indicator)
            .map(|a| a.status.label().to_owned())
    };
    GhtLine {
        code: code.to_owned(),
        name: names.get(code).cloned().unwrap_or_default(),
        region: region.to_owned(),
        rate: value(values, RATE),
        previous_rate: before.and_then(|b| value(b, RATE)),
        expected,
        reporting,
        targeted: trajectories.subdomains,
        converged: trajectories.converged,
        late: trajectories.late,
        sdsi: answer(SDSI),
        common_dsi: answer(COMMON_DSI),
    }
}

/// How many GHTs fall in each tenth of the convergence rate (0–10 %, …,
/// 90–100 %), and how many have no rate.
pub fn distribution(lines: &[GhtLine]) -> ([usize; 10], usize) {
    let mut buckets = [0; 10];
    let mut unknown = 0;
    for line in lines {
        match line.rate {
            Some(rate) => {
                let tenth = ((rate.clamp(0.0, 1.0) * 10.0).floor() as usize).min(9);
                if let Some(bucket) = buckets.get_mut(tenth) {
                    *bucket += 1;
                }
            }
            None => unknown += 1,
        }
    }
    (buckets, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(rate: Option<f64>) -> GhtLine {
        GhtLine {
            code: "X".into(),
            name: String::new(),
            region: String::new(),
            rate,
            previous_rate: Some(0.25),
            expected: 0,
            reporting: 0,
            targeted: 0,
            converged: 0,
            late: 0,
            sdsi: None,
            common_dsi: None,
        }
    }

    #[test]
    fn rates_fall_in_their_tenth_and_a_full_rate_in_the_last() {
        let lines = [line(Some(0.0)), line(Some(0.09)), line(Some(0.5)), line(Some(1.0)), line(None)];
        let (buckets, unknown) = distribution(&lines);
        assert_eq!(buckets, [2, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(unknown, 1);
        assert_eq!(line(Some(0.75)).delta(), Some(0.5));
        assert_eq!(line(None).delta(), None);
    }
}
