//! Computed values, as stored runs: written by a recomputation, read by every
//! indicator view, regional and national ones included.

use super::*;
use crate::store::StoreError;

/// The open campaigns, whose indicators still move.
///
/// # Errors
/// When the query fails.
pub async fn open_campaigns(conn: &impl ConnectionTrait) -> Result<Vec<campaign::Model>, StoreError> {
    Ok(campaign::Entity::find().filter(campaign::Column::Status.eq(CampaignStatus::Open)).all(conn).await?)
}

/// A stored campaign's year.
///
/// # Errors
/// When the stored year is out of range (logged with the row).
pub fn campaign_year(campaign: &campaign::Model) -> Result<CampaignYear, StoreError> {
    Ok(campaign.year)
}

/// Deletes the runs of a campaign, for one GHT or every GHT, before they
/// are written again.
///
/// # Errors
/// When the delete fails.
pub async fn delete_runs(
    txn: &DatabaseTransaction,
    year: CampaignYear,
    ght: Option<&GhtCode>,
) -> Result<(), StoreError> {
    let mut runs = indicator_run::Entity::delete_many().filter(indicator_run::Column::CampaignYear.eq(year));
    if let Some(ght) = ght {
        runs = runs.filter(indicator_run::Column::GhtCode.eq(ght.as_str()));
    }
    Ok(runs.exec(txn).await.map(|_| ())?)
}

/// Writes runs with their values (the previous runs already deleted).
///
/// # Errors
/// When a value cannot be serialised or a write fails.
pub async fn write_runs(
    txn: &DatabaseTransaction,
    year: CampaignYear,
    version: i32,
    runs: Vec<(GhtCode, &CampaignInputs, Vec<indicators::Value>)>,
) -> Result<(), StoreError> {
    let now = now();
    let mut models = Vec::with_capacity(runs.len());
    for (ght, inputs, values) in runs {
        let (ght_values, etablissement_values): (Vec<_>, Vec<_>) =
            values.into_iter().partition(|v| v.finess_ej.is_none());
        let document = |values: Vec<indicators::Value>| {
            serde_json::to_string(&values).map_err(|e| DbErr::Custom(format!("indicator values of {ght}: {e}")))
        };
        models.push(indicator_run::ActiveModel {
            campaign_year: Set(year),
            ght_values: Set(document(ght_values)?),
            etablissement_values: Set(document(etablissement_values)?),
            ght_code: Set(ght),
            schema_version: Set(version),
            expected: Set(inputs.expected.len() as i32),
            reporting: Set(inputs.reporting.len() as i32),
            computed_at: Set(now),
        });
    }
    // A run's documents weigh a few tens of kilobytes: a few runs per
    // statement.
    let mut models = models.into_iter().peekable();
    while models.peek().is_some() {
        let chunk: Vec<_> = models.by_ref().take(20).collect();
        indicator_run::Entity::insert_many(chunk).exec(txn).await?;
    }
    Ok(())
}

/// The values of one of a run's documents.
fn parse_values(
    document: &str,
    column: &'static str,
    ght: &impl std::fmt::Display,
    year: CampaignYear,
) -> Result<Vec<indicators::Value>, StoreError> {
    serde_json::from_str(document).map_err(|e| StoreError::corrupt("indicator_run", format!("{ght}/{year}"), column, e))
}

/// What a stored run says besides its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunHeader {
    /// Schema version the values were computed with.
    pub schema_version: i32,
    /// When.
    pub computed_at: chrono::DateTime<chrono::Utc>,
    /// Établissements expected.
    pub expected: i32,
    /// Établissements with a validated inventory.
    pub reporting: i32,
}

/// A GHT's stored run for a campaign and its values (the GHT's own, or one
/// établissement's), or `None` when never computed. Only the document
/// asked for is read: the établissements' is ten times the GHT's.
///
/// # Errors
/// When the query fails or the stored values are unreadable.
pub async fn stored(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
    finess: Option<&str>,
) -> Result<Option<(RunHeader, Vec<indicators::Value>)>, StoreError> {
    use sea_orm::QuerySelect;
    let column =
        if finess.is_some() { indicator_run::Column::EtablissementValues } else { indicator_run::Column::GhtValues };
    let found: Option<(i32, chrono::DateTime<chrono::Utc>, i32, i32, String)> =
        indicator_run::Entity::find_by_id((year, ght.clone()))
            .select_only()
            .columns([
                indicator_run::Column::SchemaVersion,
                indicator_run::Column::ComputedAt,
                indicator_run::Column::Expected,
                indicator_run::Column::Reporting,
            ])
            .column(column)
            .into_tuple()
            .one(conn)
            .await?;
    let Some((schema_version, computed_at, expected, reporting, document)) = found else { return Ok(None) };
    let name = if finess.is_some() { "etablissement_values" } else { "ght_values" };
    let mut values = parse_values(&document, name, ght, year)?;
    if let Some(finess) = finess {
        values.retain(|v| v.finess_ej.as_deref() == Some(finess));
    }
    Ok(Some((RunHeader { schema_version, computed_at, expected, reporting }, values)))
}

/// A GHT's indicators for a campaign, as read.
#[derive(Debug, Clone)]
pub struct GhtIndicators {
    /// Schema version they were computed with.
    pub schema_version: i32,
    /// When they were computed (`None`: computed for this read, the
    /// campaign has no stored values yet).
    pub computed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Établissements expected to report.
    pub expected: i32,
    /// Établissements with a validated inventory.
    pub reporting: i32,
    /// The values (GHT scope, or one établissement's).
    pub values: Vec<indicators::Value>,
}

/// The GHT whose run holds an établissement's values for a campaign: the
/// one it was a member of at the campaign's reference date (it may have
/// moved since), or `None` (no such campaign, or no GHT then).
///
/// # Errors
/// When the query fails.
pub async fn ght_of(
    conn: &impl ConnectionTrait,
    finess: &str,
    year: CampaignYear,
) -> Result<Option<GhtCode>, StoreError> {
    use crate::store::entities::ght_membership;
    let Some(campaign) = campaign::Entity::find_by_id(year).one(conn).await? else { return Ok(None) };
    let found = ght_membership::Entity::find()
        .filter(ghts::active_on(campaign.reference_date))
        .filter(ght_membership::Column::FinessEj.eq(finess))
        .one(conn)
        .await?;
    Ok(found.map(|m| m.ght_code))
}

/// The GHT-level values of a set of GHTs for a campaign, for regional and
/// national views: one query per table, served from stored results.
#[derive(Debug, Clone, Default)]
pub struct PeerValues {
    /// Every GHT of the scope, by code, with its region.
    pub ghts: BTreeMap<String, String>,
    /// Those with at least one validated inventory.
    pub reporting: BTreeSet<String>,
    /// Value per indicator code, per GHT.
    pub values: BTreeMap<String, BTreeMap<String, f64>>,
    /// Declared governance answers.
    pub answers: Vec<crate::store::entities::indicator_answer::Model>,
    /// The établissements concerned by each sub-domain's target rate
    /// (`APP.TARGET_RATE.*`), per GHT: what a trajectory's planned rate is
    /// measured over.
    pub concerned: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// Regional and national values as last gathered, by campaign and region
/// (`None`: the nation), with when.
pub type CachedPeers =
    std::collections::HashMap<(CampaignYear, Option<String>), (std::time::Instant, std::sync::Arc<PeerValues>)>;

/// How long a replica serves regional and national values from memory.
/// Gathering them reads every GHT's stored run (136 documents for the
/// nation); they change only when a write commits, which forgets them in
/// this replica at once, and in the others at most this late.
const PEERS_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(2);

impl crate::store::Db {
    /// [`peer_values`], from memory when gathered less than two seconds
    /// ago and no write of this replica committed since.
    ///
    /// # Errors
    /// When a query fails.
    pub async fn peer_values(
        &self,
        year: CampaignYear,
        region: Option<&str>,
    ) -> Result<std::sync::Arc<PeerValues>, StoreError> {
        let key = (year, region.map(str::to_owned));
        let cached = self.peers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        if let Some((_, values)) = cached.filter(|(at, _)| at.elapsed() < PEERS_FRESH_FOR) {
            return Ok(values);
        }
        let values = std::sync::Arc::new(peer_values(self.reader(), year, region).await?);
        self.peers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, (std::time::Instant::now(), std::sync::Arc::clone(&values)));
        Ok(values)
    }

    /// Forgets the regional and national values gathered, and counts the
    /// commit (a write of this replica committed): what was computed from
    /// the database before may have moved.
    pub fn committed(&self) {
        self.commits.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.peers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
        self.listings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// How many writes this replica has committed: an answer kept in
    /// memory is stale once this moved.
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The code prefix of the sub-domains' target rates.
pub const TARGET_RATE_PREFIX: &str = "APP.TARGET_RATE.";

/// Gathers [`PeerValues`] for a region, or the nation.
///
/// # Errors
/// When a query fails.
pub async fn peer_values(
    conn: &impl ConnectionTrait,
    year: CampaignYear,
    region: Option<&str>,
) -> Result<PeerValues, StoreError> {
    use sea_orm::QuerySelect;

    use crate::store::entities::{ght, indicator_answer};
    let mut select = ght::Entity::find();
    if let Some(region) = region {
        select = select.filter(ght::Column::RegionCode.eq(region));
    }
    let ghts: BTreeMap<String, String> =
        select.all(conn).await?.into_iter().map(|g| (g.code.to_string(), g.region_code.to_string())).collect();
    let codes: Vec<String> = ghts.keys().cloned().collect();
    // The GHT-level documents only: the établissements' are ten times larger.
    let runs: Vec<(String, String)> = indicator_run::Entity::find()
        .select_only()
        .columns([indicator_run::Column::GhtCode, indicator_run::Column::GhtValues])
        .filter(indicator_run::Column::CampaignYear.eq(year.get()))
        .filter(indicator_run::Column::Reporting.gt(0))
        .into_tuple()
        .all(conn)
        .await?;
    let reporting = runs.iter().map(|(g, _)| g.clone()).filter(|g| ghts.contains_key(g)).collect::<BTreeSet<_>>();
    // Decoding 136 documents takes milliseconds of CPU: off the async
    // workers, which serve the other requests meanwhile.
    let decoding = reporting.clone();
    let values = tokio::task::spawn_blocking(move || {
        let mut values: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        let mut concerned: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (ght, document) in runs.iter().filter(|(g, _)| decoding.contains(g)) {
            for value in parse_values(document, "ght_values", ght, year)? {
                if value.code.starts_with(TARGET_RATE_PREFIX) {
                    let who = value.detail.concerned_etablissements().to_vec();
                    concerned.entry(value.code.clone()).or_default().insert(ght.clone(), who);
                }
                if let Some(v) = value.value {
                    values.entry(value.code).or_default().insert(ght.clone(), v);
                }
            }
        }
        Ok::<_, StoreError>((values, concerned))
    })
    .await
    .map_err(|e| sea_orm::DbErr::Custom(format!("decoding the GHT values of {year} stopped: {e}")))??;
    let answers = indicator_answer::Entity::find()
        .filter(indicator_answer::Column::CampaignYear.eq(year.get()))
        .filter(indicator_answer::Column::GhtCode.is_in(codes))
        .all(conn)
        .await?;
    let (values, concerned) = values;
    Ok(PeerValues { ghts, reporting, values, answers, concerned })
}
