//! A GHT among its peers: regional and national indicator values, for DGOS
//! and the ARS, and for a DSI to place its GHT.

use super::access;
use crate::auth::{Principal, Scope};
use crate::domain::{CampaignYear, GhtCode, RegionCode};
use crate::error::AppError;
use crate::reference::IndicatorDefinition;
use crate::store::indicators::{self as stored, PeerValues};
use crate::store::{Db, ghts};

/// The values of a set of GHTs as one caller may see them.
#[derive(Debug, Clone)]
pub struct PeerReading {
    /// Every GHT's values.
    pub peers: PeerValues,
    /// The schema in force.
    pub schema: Vec<IndicatorDefinition>,
    /// Whether the caller sees every GHT by name (else only the
    /// distributions and its own GHT's rank).
    pub full: bool,
    /// The caller's own GHT, for a GHT or établissement token.
    pub own: Option<GhtCode>,
}

/// A region's GHTs: its ARS, DGOS and the operator see each of them; a DSI
/// or an établissement of the region sees the distributions and its own
/// rank; anyone else is told the region does not exist.
///
/// # Errors
/// `NotFound` for an unknown region or one outside the caller's scope.
pub async fn of_region(
    db: &Db,
    principal: &Principal,
    region: &RegionCode,
    year: CampaignYear,
) -> Result<PeerReading, AppError> {
    let reader = db.reader();
    let own = own_ght(db, principal).await?;
    access::readable_region(reader, principal, region, own.as_ref().map(|(_, r)| r.as_str())).await?;
    let peers = stored::peer_values(reader, year, Some(region.as_str())).await?;
    let (_, schema) = stored::current_schema(reader).await?;
    let full = matches!(principal.scope, Scope::All | Scope::Region(_));
    Ok(PeerReading { peers, schema, full, own: own.map(|(g, _)| g) })
}

/// Every GHT of the country: DGOS and the operator see each of them, the
/// others the distributions and their own rank.
///
/// # Errors
/// When a query fails.
pub async fn of_nation(db: &Db, principal: &Principal, year: CampaignYear) -> Result<PeerReading, AppError> {
    let reader = db.reader();
    let peers = stored::peer_values(reader, year, None).await?;
    let (_, schema) = stored::current_schema(reader).await?;
    let own = own_ght(db, principal).await?.map(|(g, _)| g);
    Ok(PeerReading { peers, schema, full: matches!(principal.scope, Scope::All), own })
}

/// The caller's own GHT and its region, for GHT and établissement tokens.
async fn own_ght(db: &Db, principal: &Principal) -> Result<Option<(GhtCode, String)>, AppError> {
    let Some(code) = principal.own_ght() else { return Ok(None) };
    Ok(ghts::find(db.reader(), code).await?.map(|g| (g.code, g.region_code.to_string())))
}
