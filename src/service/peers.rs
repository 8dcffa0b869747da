//! A GHT among its peers: regional and national indicator values, for DGOS
//! and the ARS, and for a DSI to place its GHT.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::access;
use crate::auth::{Principal, Scope};
use crate::compute::aggregates::{Distribution, Rank, distribution, ranks};
use crate::domain::{AnswerStatus, CampaignYear, GhtCode, RegionCode};
use crate::error::AppError;
use crate::reference::IndicatorDefinition;
use crate::store::indicators::PeerValues;
use crate::store::{Db, ghts};

/// The values of a set of GHTs as one caller may see them.
#[derive(Debug, Clone)]
pub struct PeerReading {
    /// Every GHT's values (shared with the replica's memory of them).
    pub peers: std::sync::Arc<PeerValues>,
    /// The schema in force.
    pub schema: Vec<IndicatorDefinition>,
    /// Whether the caller sees every GHT by name (else only the
    /// distributions and its own GHT's rank).
    pub full: bool,
    /// The caller's own GHT, for a GHT or établissement token.
    pub own: Option<GhtCode>,
}

/// What a caller may see of a set of GHTs: every GHT by name, or the
/// distributions and its own GHT's rank. Decided before anything is read,
/// so that an answer kept for a viewpoint is served only to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Viewpoint {
    /// Every GHT by name.
    pub full: bool,
    /// The caller's own GHT, for a GHT or établissement token.
    pub own: Option<GhtCode>,
}

/// A region's viewpoint: its ARS, DGOS and the operator see each of its
/// GHTs; a DSI or an établissement of the region sees the distributions
/// and its own rank; anyone else is told the region does not exist.
///
/// # Errors
/// `NotFound` for an unknown region or one outside the caller's scope.
pub async fn region_viewpoint(db: &Db, principal: &Principal, region: &RegionCode) -> Result<Viewpoint, AppError> {
    let own = own_ght(db, principal).await?;
    access::readable_region(db.reader(), principal, region, own.as_ref().map(|(_, r)| r.as_str())).await?;
    let full = matches!(principal.scope, Scope::All | Scope::Region(_));
    Ok(Viewpoint { full, own: own.map(|(g, _)| g) })
}

/// The nation's viewpoint: DGOS and the operator see each GHT, the others
/// the distributions and their own rank.
///
/// # Errors
/// When a query fails.
pub async fn nation_viewpoint(db: &Db, principal: &Principal) -> Result<Viewpoint, AppError> {
    let own = own_ght(db, principal).await?.map(|(g, _)| g);
    Ok(Viewpoint { full: matches!(principal.scope, Scope::All), own })
}

/// The values of a region's (or the nation's) GHTs as a viewpoint sees
/// them.
///
/// # Errors
/// When a query fails.
pub async fn reading(
    db: &Db,
    viewpoint: Viewpoint,
    region: Option<&RegionCode>,
    year: CampaignYear,
) -> Result<PeerReading, AppError> {
    let peers = db.peer_values(year, region.map(RegionCode::as_str)).await?;
    let (_, schema) = db.indicator_schema().await?;
    Ok(PeerReading { peers, schema, full: viewpoint.full, own: viewpoint.own })
}

/// The caller's own GHT and its region, for GHT and établissement tokens.
async fn own_ght(db: &Db, principal: &Principal) -> Result<Option<(GhtCode, String)>, AppError> {
    let Some(code) = principal.own_ght() else { return Ok(None) };
    Ok(ghts::find(db.reader(), code).await?.map(|g| (g.code, g.region_code.to_string())))
}

/// Fewer GHTs than this with a value, and a caller who does not see every
/// GHT by name reads no distribution nor milestone count: with two GHTs,
/// the minimum and the maximum are the other GHT's value.
pub const SMALL_CELL: usize = 5;

/// One GHT indicator across the GHTs read.
#[derive(Debug, Clone)]
pub struct PeerIndicator {
    /// Its definition.
    pub definition: IndicatorDefinition,
    /// The value's code (with its sub-domain for a per-sub-domain indicator).
    pub code: String,
    /// The distribution over the GHTs with a value; `None` below
    /// [`SMALL_CELL`] GHTs for a caller who sees only its own GHT.
    pub distribution: Option<Distribution>,
    /// Ranks: every GHT's when the caller sees them all, else its own.
    pub ranking: Vec<Rank>,
}

/// A milestone and the GHTs meeting it.
#[derive(Debug, Clone)]
pub struct MilestoneMet {
    /// Its indicator.
    pub definition: IndicatorDefinition,
    /// The milestone date.
    pub milestone: NaiveDate,
    /// How many GHTs meet it; `None` below [`SMALL_CELL`] GHTs for a caller
    /// who sees only its own GHT.
    pub count: Option<usize>,
    /// Which (every one when the caller sees them all, else its own, if).
    pub ghts: Vec<String>,
}

/// The GHTs read, summarised for one caller.
#[derive(Debug, Clone)]
pub struct PeerSummary {
    /// GHTs of the scope.
    pub expected: usize,
    /// Those with at least one validated inventory.
    pub reporting: usize,
    /// Each GHT-level indicator with a value somewhere.
    pub indicators: Vec<PeerIndicator>,
    /// Each milestone of a GHT-level indicator.
    pub milestones: Vec<MilestoneMet>,
}

/// Distributions, ranks and milestones of a reading, as its caller may see
/// them. A milestone is met, for a declared indicator, when it was « done »
/// at a date no later than the milestone; for a computed one, when the
/// value reached its maximum (100 %).
pub fn summarise(reading: PeerReading) -> PeerSummary {
    let PeerReading { peers, schema, full, own } = reading;
    let own = own.map(|g| g.to_string());
    let shown = |ght: &String| full || own.as_ref() == Some(ght);
    let mut indicators = Vec::new();
    for (code, by_ght) in &peers.values {
        let Some(definition) = schema.iter().find(|d| d.covers(code)) else { continue };
        let values: Vec<f64> = by_ght.values().copied().collect();
        let Some(spread) = distribution(&values) else { continue };
        let small = !full && values.len() < SMALL_CELL;
        indicators.push(PeerIndicator {
            definition: definition.clone(),
            code: code.clone(),
            distribution: (!small).then_some(spread),
            ranking: ranks(by_ght, definition.higher_is_better()).into_iter().filter(|r| shown(&r.ght_code)).collect(),
        });
    }
    let mut milestones = Vec::new();
    for definition in schema.iter().filter(|d| !d.per_subdomain) {
        let Some(milestone) = definition.milestone else { continue };
        let met: Vec<String> = if definition.is_declared() {
            peers
                .answers
                .iter()
                .filter(|a| a.indicator_code == definition.code && a.status == AnswerStatus::Done)
                .filter(|a| a.status_date.is_some_and(|d| d <= milestone))
                .map(|a| a.ght_code.to_string())
                .collect()
        } else {
            let empty = BTreeMap::new();
            let values = peers.values.get(&definition.code).unwrap_or(&empty);
            values.iter().filter(|(_, v)| **v >= 1.0).map(|(g, _)| g.clone()).collect()
        };
        let small = !full && peers.reporting.len() < SMALL_CELL;
        milestones.push(MilestoneMet {
            definition: definition.clone(),
            milestone,
            count: (!small).then_some(met.len()),
            ghts: met.into_iter().filter(|g| shown(g)).collect(),
        });
    }
    PeerSummary { expected: peers.ghts.len(), reporting: peers.reporting.len(), indicators, milestones }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::indicator_schema;

    fn reading(ghts: usize, full: bool) -> PeerReading {
        let codes: Vec<String> = (1..=ghts).map(|i| format!("NOR-{i:02}")).collect();
        let values = codes.iter().enumerate().map(|(i, c)| (c.clone(), i as f64)).collect();
        PeerReading {
            peers: std::sync::Arc::new(PeerValues {
                ghts: codes.iter().map(|c| (c.clone(), "NOR".to_owned())).collect(),
                reporting: codes.iter().cloned().collect(),
                values: [("APP.COUNT".to_owned(), values)].into_iter().collect(),
                answers: Vec::new(),
                concerned: Default::default(),
            }),
            schema: indicator_schema().unwrap_or_default(),
            full,
            own: GhtCode::parse("NOR-01").ok(),
        }
    }

    fn count(summary: &PeerSummary) -> &PeerIndicator {
        summary.indicators.iter().find(|i| i.code == "APP.COUNT").unwrap_or_else(|| panic!("APP.COUNT"))
    }

    #[test]
    fn below_five_ghts_a_dsi_reads_its_own_rank_and_no_distribution() {
        let few = summarise(reading(4, false));
        assert_eq!(count(&few).distribution, None);
        assert_eq!(count(&few).ranking.len(), 1, "its own rank");
        assert!(few.milestones.iter().all(|m| m.count.is_none()));

        let enough = summarise(reading(5, false));
        assert_eq!(count(&enough).distribution.as_ref().map(|d| d.count), Some(5));
        assert_eq!(count(&enough).ranking.len(), 1);
        assert!(enough.milestones.iter().all(|m| m.count.is_some()));

        let dgos = summarise(reading(2, true));
        assert_eq!(count(&dgos).distribution.as_ref().map(|d| d.count), Some(2));
        assert_eq!(count(&dgos).ranking.len(), 2, "every GHT by name");
    }
}
