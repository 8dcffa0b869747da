//! Convergence trajectories per sub-domain with a target (DOMAIN.md §7):
//! actual target rate per campaign, planned rate, projected completion and
//! status at each campaign's reference date.
//!
//! Choices, also served with the trajectories:
//! - the plan is the GHT's current target version, or the one in force at
//!   a date the reader chooses (the plan as it was then);
//! - the planned rate at a date is the share of the campaign's concerned
//!   établissements whose planned migration date is on or before it (a
//!   concerned établissement without a date never counts as planned);
//! - the projection extrapolates the target rate linearly over the two
//!   latest campaigns up to the one read (none with a single campaign, or
//!   when the pace is ≤ 0);
//! - `converged` when the rate is 100 %; `on_track` when the actual rate is
//!   at least the planned one and the projection (or, for a first campaign
//!   with no pace yet, the reference date) is on or before the last planned
//!   date — a nil or negative pace never is; `late` otherwise; `no_plan`
//!   when no établissement has a planned date;
//! - days late run from the last planned date (and from the 2021-01-01
//!   milestone) to the projected completion — or, without a projection, to
//!   the reference date, as a lower bound.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

/// The regulatory convergence milestone.
pub fn milestone() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 1).unwrap_or_default()
}

/// A sub-domain's state in one campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignPoint {
    /// Campaign year.
    pub year: i32,
    /// Its reference date.
    pub reference_date: NaiveDate,
    /// `APP.TARGET_RATE` of the sub-domain (`None`: nobody concerned).
    pub rate: Option<f64>,
    /// The établissements concerned by the sub-domain.
    pub concerned: Vec<String>,
}

/// A trajectory's status at a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every concerned établissement runs the target.
    Converged,
    /// At or above plan, and projected to finish by the last planned date.
    OnTrack,
    /// Below plan, or projected past the last planned date.
    Late,
    /// A target but no planned date.
    NoPlan,
}

/// One campaign of a trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CampaignStatus {
    /// Campaign year.
    pub year: i32,
    /// Reference date.
    pub reference_date: NaiveDate,
    /// Actual target rate.
    pub actual: Option<f64>,
    /// Planned rate at the reference date.
    pub planned: Option<f64>,
    /// Projected completion date.
    pub projected_completion: Option<NaiveDate>,
    /// Status at the reference date.
    pub status: Status,
    /// Days late against the last planned date.
    pub days_late_vs_plan: Option<i64>,
    /// Days late against the 2021-01-01 milestone.
    pub days_late_vs_milestone: Option<i64>,
}

/// A point of the planned curve.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PlannedPoint {
    /// The day this point of the plan describes.
    pub date: NaiveDate,
    /// Planned rate from that date on.
    pub rate: f64,
}

/// A sub-domain's trajectory.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Trajectory {
    /// Sub-domain.
    pub subdomain: String,
    /// Planned curve over the latest campaign's concerned établissements.
    pub planned_curve: Vec<PlannedPoint>,
    /// Each campaign, oldest first.
    pub campaigns: Vec<CampaignStatus>,
}

impl Trajectory {
    /// The status at the latest campaign.
    pub fn status(&self) -> Option<Status> {
        self.campaigns.last().map(|c| c.status)
    }
}

/// How many sub-domains stand where, at the latest campaign.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TrajectorySummary {
    /// Sub-domains with a target.
    pub subdomains: usize,
    /// Sub-domains where every concerned établissement runs the target.
    pub converged: usize,
    /// On track.
    pub on_track: usize,
    /// Sub-domains below plan, or projected to finish after their last planned date.
    pub late: usize,
    /// Without planned dates (or without a campaign to measure).
    pub no_plan: usize,
}

/// Counts the trajectories by their status at the latest campaign.
pub fn summarise(trajectories: &[Trajectory]) -> TrajectorySummary {
    let mut summary = TrajectorySummary { subdomains: trajectories.len(), ..TrajectorySummary::default() };
    for trajectory in trajectories {
        match trajectory.status() {
            Some(Status::Converged) => summary.converged += 1,
            Some(Status::OnTrack) => summary.on_track += 1,
            Some(Status::Late) => summary.late += 1,
            Some(Status::NoPlan) | None => summary.no_plan += 1,
        }
    }
    summary
}

fn planned_rate(concerned: &[String], plan: &BTreeMap<String, NaiveDate>, at: NaiveDate) -> Option<f64> {
    if concerned.is_empty() {
        return None;
    }
    let done = concerned.iter().filter(|f| plan.get(*f).is_some_and(|d| *d <= at)).count();
    Some(done as f64 / concerned.len() as f64)
}

/// When the current pace ends.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Projection {
    /// No earlier campaign to measure a pace against.
    NoPace,
    /// The pace is nil or negative: never, at this pace.
    Never,
    /// On this date.
    On(NaiveDate),
}

fn projection(previous: Option<&CampaignPoint>, current: &CampaignPoint) -> Projection {
    let Some(r2) = current.rate else { return Projection::NoPace };
    if r2 >= 1.0 {
        return Projection::On(current.reference_date);
    }
    let Some(r1) = previous.and_then(|p| p.rate) else { return Projection::NoPace };
    let days = previous.map_or(0, |p| (current.reference_date - p.reference_date).num_days());
    if days <= 0 {
        return Projection::NoPace;
    }
    let pace = (r2 - r1) / days as f64;
    if pace <= 0.0 {
        return Projection::Never;
    }
    // The tolerance keeps an exact division (730.000…01 days) from rounding up.
    let remaining = ((1.0 - r2) / pace - 1e-9).ceil() as i64;
    current
        .reference_date
        .checked_add_signed(chrono::Duration::days(remaining))
        .map_or(Projection::Never, Projection::On)
}

/// The trajectory of one sub-domain, from its campaigns (oldest first) and
/// the planned migration date of each établissement.
pub fn trajectory(subdomain: &str, points: &[CampaignPoint], plan: &BTreeMap<String, NaiveDate>) -> Trajectory {
    let last_planned = points
        .last()
        .and_then(|p| p.concerned.iter().filter_map(|f| plan.get(f)).max().copied())
        .or_else(|| plan.values().max().copied());
    let mut campaigns = Vec::new();
    for (i, point) in points.iter().enumerate() {
        let planned = planned_rate(&point.concerned, plan, point.reference_date);
        let projected = projection(i.checked_sub(1).and_then(|j| points.get(j)), point);
        let has_plan = point.concerned.iter().any(|f| plan.contains_key(f));
        let finish = match projected {
            Projection::On(date) => date,
            Projection::NoPace | Projection::Never => point.reference_date,
        };
        let in_time = projected != Projection::Never && last_planned.is_some_and(|l| finish <= l);
        let status = if point.rate.is_some_and(|r| r >= 1.0) {
            Status::Converged
        } else if !has_plan {
            Status::NoPlan
        } else if point.rate.zip(planned).is_some_and(|(a, p)| a >= p) && in_time {
            Status::OnTrack
        } else {
            Status::Late
        };
        let late = |from: NaiveDate| (status == Status::Late).then(|| (finish - from).num_days().max(0));
        campaigns.push(CampaignStatus {
            year: point.year,
            reference_date: point.reference_date,
            actual: point.rate,
            planned,
            projected_completion: match projected {
                Projection::On(date) => Some(date),
                Projection::NoPace | Projection::Never => None,
            },
            status,
            days_late_vs_plan: last_planned.and_then(late),
            days_late_vs_milestone: late(milestone()),
        });
    }
    let concerned = points.last().map(|p| p.concerned.as_slice()).unwrap_or_default();
    let mut dates: Vec<NaiveDate> = concerned.iter().filter_map(|f| plan.get(f)).copied().collect();
    dates.sort();
    dates.dedup();
    let planned_curve = dates
        .into_iter()
        .filter_map(|date| planned_rate(concerned, plan, date).map(|rate| PlannedPoint { date, rate }))
        .collect();
    Trajectory { subdomain: subdomain.to_owned(), planned_curve, campaigns }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn point(year: i32, rate: f64) -> CampaignPoint {
        CampaignPoint {
            year,
            reference_date: d(&format!("{year}-01-01")),
            rate: Some(rate),
            concerned: vec!["A".into(), "B".into(), "C".into(), "D".into()],
        }
    }

    fn plan(dates: &[(&str, &str)]) -> BTreeMap<String, NaiveDate> {
        dates.iter().map(|(f, date)| ((*f).to_owned(), d(date))).collect()
    }

    #[test]
    fn a_pace_that_finishes_after_the_plan_is_late_by_the_difference() {
        // Plan: A 2024-06-30, B 2025-06-30, C and D 2026-06-30.
        let plan = plan(&[("A", "2024-06-30"), ("B", "2025-06-30"), ("C", "2026-06-30"), ("D", "2026-06-30")]);
        // 25 % on 2025-01-01, 50 % on 2026-01-01: 0.25 in 365 days, the
        // remaining 0.5 takes 730 more days → 2028-01-01.
        let t = trajectory("DPI.CORE", &[point(2025, 0.25), point(2026, 0.5)], &plan);
        let last = &t.campaigns[1];
        assert_eq!(last.planned, Some(0.5), "A and B planned before 2026-01-01");
        assert_eq!(last.projected_completion, Some(d("2028-01-01")));
        assert_eq!(last.status, Status::Late);
        // 2026-06-30 → 2028-01-01: 550 days; 2021-01-01 → 2028-01-01: 2556 days.
        assert_eq!((last.days_late_vs_plan, last.days_late_vs_milestone), (Some(550), Some(2556)));
        // The first campaign has no projection: 25 % ≥ 25 % planned and its
        // reference date is before the last planned date.
        assert_eq!(t.campaigns[0].status, Status::OnTrack);
        assert_eq!(
            t.planned_curve,
            vec![
                PlannedPoint { date: d("2024-06-30"), rate: 0.25 },
                PlannedPoint { date: d("2025-06-30"), rate: 0.5 },
                PlannedPoint { date: d("2026-06-30"), rate: 1.0 },
            ]
        );
    }

    #[test]
    fn a_fast_pace_is_on_track_and_full_rate_is_converged() {
        let plan = plan(&[("A", "2025-06-30"), ("B", "2027-12-31"), ("C", "2027-12-31"), ("D", "2027-12-31")]);
        // 0 → 75 % in a year: the last quarter takes 122 days → 2026-05-03.
        let t = trajectory("LAB.SIL", &[point(2025, 0.0), point(2026, 0.75)], &plan);
        assert_eq!(t.campaigns[1].projected_completion, Some(d("2026-05-03")));
        assert_eq!(t.status(), Some(Status::OnTrack));
        assert_eq!(t.campaigns[1].days_late_vs_plan, None);
        let t = trajectory("LAB.SIL", &[point(2025, 0.5), point(2026, 1.0)], &plan);
        assert_eq!(t.status(), Some(Status::Converged));
    }

    #[test]
    fn no_dates_means_no_plan_and_a_stalled_pace_has_no_projection() {
        let t = trajectory("GAP.ADM", &[point(2025, 0.5), point(2026, 0.5)], &BTreeMap::new());
        assert_eq!(t.status(), Some(Status::NoPlan));
        let plan = plan(&[("A", "2024-01-01"), ("B", "2024-01-01"), ("C", "2024-01-01"), ("D", "2024-01-01")]);
        let t = trajectory("GAP.ADM", &[point(2025, 0.5), point(2026, 0.5)], &plan);
        let last = &t.campaigns[1];
        assert_eq!((last.projected_completion, last.status), (None, Status::Late));
        // At least from 2024-01-01 to the reference date 2026-01-01.
        assert_eq!(last.days_late_vs_plan, Some(731));
        // At plan today, but stalled: never finishes at this pace, so late.
        let plan = super::tests::plan(&[("A", "2024-01-01"), ("B", "2024-01-01"), ("C", "2027-01-01")]);
        let t = trajectory("GAP.ADM", &[point(2025, 0.5), point(2026, 0.5)], &plan);
        assert_eq!((t.campaigns[1].planned, t.status()), (Some(0.5), Some(Status::Late)));
    }
}
