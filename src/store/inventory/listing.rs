//! What a GHT's inventory listing reads before its rows — the GHT, the
//! campaign, and the current upload of each member établissement at the
//! campaign's reference date — kept for two seconds per replica.
//!
//! These five queries are the same for every page and every reader of a
//! GHT's listing; they change only when a write commits (which forgets
//! them in this replica at once, and in the others at most two seconds
//! later, as the peer values). Access is still decided at each request,
//! from the caller and the GHT read here.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use super::current_uploads;
use crate::domain::{CampaignYear, Finess, GhtCode};
use crate::store::entities::{campaign, ght};
use crate::store::{Db, StoreError, campaigns, ghts};

/// A GHT's listing of a campaign, before its rows.
#[derive(Debug)]
pub struct Listing {
    /// The GHT (`None`: it does not exist).
    pub ght: Option<ght::Model>,
    /// The campaign (`None`: it does not exist).
    pub campaign: Option<campaign::Model>,
    /// The current upload of each établissement listed.
    pub uploads: HashMap<String, i64>,
    /// Rows of the listing without filters, once counted.
    pub unfiltered_total: std::sync::OnceLock<u64>,
}

/// Listings as last read, by GHT, campaign and établissement (`None`: all
/// members), with when and at which commit count.
pub type CachedListings = HashMap<(GhtCode, CampaignYear, Option<Finess>), (Instant, u64, Arc<Listing>)>;

const FRESH_FOR: Duration = Duration::from_secs(2);
/// Past this many listings kept, the replica starts over.
const MAX_KEPT: usize = 4096;

impl Db {
    /// The listing of a GHT's campaign: the members at the campaign's
    /// reference date, or only `etablissement`.
    ///
    /// # Errors
    /// When a query fails.
    pub async fn listing(
        &self,
        code: &GhtCode,
        year: CampaignYear,
        etablissement: Option<&Finess>,
    ) -> Result<Arc<Listing>, StoreError> {
        let key = (code.clone(), year, etablissement.cloned());
        let commits = self.commits();
        let kept = self.listings.lock().unwrap_or_else(PoisonError::into_inner).get(&key).cloned();
        if let Some((_, _, listing)) =
            kept.filter(|(at, at_commits, _)| *at_commits == commits && at.elapsed() < FRESH_FOR)
        {
            return Ok(listing);
        }
        let conn = self.reader();
        let ght = ghts::find(conn, code).await?;
        let campaign = campaigns::find(conn, year).await?;
        let uploads = match (&ght, &campaign) {
            (Some(_), Some(campaign)) => {
                let members = match etablissement {
                    Some(only) => vec![only.to_string()],
                    None => ghts::member_finess_at(conn, code, campaign.reference_date).await?,
                };
                current_uploads(conn, year, &members).await?
            }
            _ => HashMap::new(),
        };
        let listing = Arc::new(Listing { ght, campaign, uploads, unfiltered_total: std::sync::OnceLock::new() });
        let mut listings = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        if listings.len() >= MAX_KEPT {
            listings.clear();
        }
        listings.insert(key, (Instant::now(), commits, Arc::clone(&listing)));
        Ok(listing)
    }
}
