//! The one "recompute what this change touched" step of a write.
//!
//! A service records in a [`Touched`] every GHT and campaign its change
//! moves; [`super::Write::commit`] recomputes each of them once, inside the
//! transaction, just before it commits. A deposit of a review workbook that
//! confirms forty names therefore recomputes its GHT once, not forty times,
//! and a store function never recomputes behind its caller's back.
//!
//! Only open campaigns are recomputed: a closed campaign keeps the values
//! it was published with.

use crate::store::StoreError;
use std::collections::BTreeSet;

use sea_orm::DatabaseTransaction;
use serde::Serialize;

use crate::compute::indicators::{self, CampaignInputs};
use crate::domain::{CampaignYear, GhtCode};
use crate::reference::IndicatorDefinition;
use crate::store::entities::campaign;
use crate::store::{indicators as stored, lock};

/// What a write moved, to be recomputed once before it commits.
#[derive(Debug, Default, Clone)]
pub struct Touched {
    every_ght: bool,
    ghts: BTreeSet<GhtCode>,
    campaigns: BTreeSet<(GhtCode, CampaignYear)>,
}

impl Touched {
    /// One GHT's rows of one campaign moved (a deposit, a validation, a
    /// corrected row).
    pub fn campaign(&mut self, ght: &GhtCode, year: CampaignYear) {
        self.campaigns.insert((ght.clone(), year));
    }

    /// Something every open campaign of a GHT reads moved (its members, its
    /// targets, a confirmed name).
    pub fn ght(&mut self, ght: &GhtCode) {
        self.ghts.insert(ght.clone());
    }

    /// Something every GHT reads moved (a catalogue merge, a schema
    /// version).
    pub fn every_ght(&mut self) {
        self.every_ght = true;
    }

    /// Whether nothing needs recomputing.
    pub fn is_empty(&self) -> bool {
        !self.every_ght && self.ghts.is_empty() && self.campaigns.is_empty()
    }

    /// The GHTs named one by one, in a stable order (to lock them).
    fn named_ghts(&self) -> BTreeSet<&GhtCode> {
        self.ghts.iter().chain(self.campaigns.iter().map(|(ght, _)| ght)).collect()
    }

    /// Recomputes, once each, the open campaigns of what was touched.
    ///
    /// # Errors
    /// When a query or a write fails.
    pub async fn recompute(self, txn: &DatabaseTransaction) -> Result<Vec<Recomputed>, StoreError> {
        if self.is_empty() {
            return Ok(Vec::new());
        }
        // Two writes recomputing one GHT must not interleave (each replaces
        // the GHT's runs): the GHT's lock, taken in a stable order. A
        // service that already holds it takes it again at no cost.
        for ght in self.named_ghts() {
            lock::serialise(txn, lock::LockKey::Ght(ght.as_str())).await?;
        }
        let schema = stored::current_schema(txn).await?;
        let mut done = Vec::new();
        for campaign in stored::open_campaigns(txn).await? {
            let year = stored::campaign_year(&campaign)?;
            if self.every_ght {
                recompute_scope(txn, &campaign, None, &schema).await?;
                done.push(Recomputed { ght_code: None, campaign: year });
                continue;
            }
            let ghts: BTreeSet<&GhtCode> =
                self.ghts.iter().chain(self.campaigns.iter().filter(|(_, y)| *y == year).map(|(ght, _)| ght)).collect();
            for ght in ghts {
                recompute_scope(txn, &campaign, Some(ght), &schema).await?;
                done.push(Recomputed { ght_code: Some(ght.clone()), campaign: year });
            }
        }
        Ok(done)
    }
}

/// One GHT's (or every GHT's) indicators recomputed for one campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    /// The GHT, or `null` for every GHT.
    #[schema(value_type = Option<String>)]
    pub ght_code: Option<GhtCode>,
    /// The campaign.
    #[schema(value_type = i32)]
    pub campaign: CampaignYear,
}

/// Recomputes one GHT's, or every GHT's, indicators for an open campaign
/// with the schema in force (its version and definitions): the previous
/// runs are replaced.
async fn recompute_scope(
    txn: &DatabaseTransaction,
    campaign: &campaign::Model,
    ght: Option<&GhtCode>,
    (version, schema): &(i32, Vec<IndicatorDefinition>),
) -> Result<(), StoreError> {
    let inputs = stored::campaign_inputs(txn, campaign, ght).await?;
    stored::delete_runs(txn, campaign.year, ght).await?;
    let computed = inputs.iter().map(|(code, input)| (code.clone(), input, computed_values(input, schema))).collect();
    stored::write_runs(txn, campaign.year, *version, computed).await
}

/// The values of the indicators the schema holds: a retired indicator is
/// no longer computed (closed campaigns keep the values they had).
pub(crate) fn computed_values(inputs: &CampaignInputs, schema: &[IndicatorDefinition]) -> Vec<indicators::Value> {
    indicators::compute(inputs).into_iter().filter(|v| schema.iter().any(|d| d.covers(&v.code))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> GhtCode {
        GhtCode::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    fn year(raw: i64) -> CampaignYear {
        CampaignYear::new(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_ght_touched_many_times_is_named_once() {
        let mut touched = Touched::default();
        assert!(touched.is_empty());
        for _ in 0..40 {
            touched.ght(&code("NOR-02"));
        }
        touched.campaign(&code("NOR-02"), year(2026));
        touched.campaign(&code("HDF-01"), year(2026));
        assert!(!touched.is_empty());
        let named: Vec<&str> = touched.named_ghts().into_iter().map(GhtCode::as_str).collect();
        assert_eq!(named, ["HDF-01", "NOR-02"]);
    }
}
