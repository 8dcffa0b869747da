//! The indicator schema and the computed values.
//!
//! Values are recomputed inside the transaction of every change that moves
//! them (an import, a validation, a withdrawal, a corrected row, a target
//! change, a confirmed name), for open campaigns only: a closed campaign
//! keeps the values it was published with. Reads are then a plain lookup,
//! always consistent with the inventories.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};

use super::entities::{
    campaign, indicator_definition, indicator_run, indicator_schema_version, inventory_entry, target_product,
    target_version,
};
use super::{campaigns, ghts, inventory, now};
use crate::compute::indicators::{self, CampaignInputs, Row};
use crate::domain::{CampaignYear, GhtCode};
use crate::normalise::sentinel::EntryState;
use crate::reference::{IndicatorDefinition, indicator_schema};

/// Seeds schema version 1 when there is none.
///
/// # Errors
/// When a write fails or the embedded schema is malformed.
pub async fn seed_schema(txn: &DatabaseTransaction) -> Result<usize, DbErr> {
    if indicator_schema_version::Entity::find().one(txn).await?.is_some() {
        return Ok(0);
    }
    let definitions = indicator_schema().map_err(|e| DbErr::Custom(format!("embedded indicator schema: {e}")))?;
    indicator_schema_version::ActiveModel {
        version: Set(1),
        created_at: Set(now()),
        created_by: Set("référence DOMAIN §7".to_owned()),
        comment: Set(Some("schéma initial".to_owned())),
    }
    .insert(txn)
    .await?;
    let count = definitions.len();
    insert_definitions(txn, 1, &definitions).await?;
    Ok(count)
}

async fn insert_definitions(
    txn: &DatabaseTransaction,
    version: i32,
    definitions: &[IndicatorDefinition],
) -> Result<(), DbErr> {
    let models: Vec<indicator_definition::ActiveModel> = definitions
        .iter()
        .map(|d| indicator_definition::ActiveModel {
            schema_version: Set(version),
            code: Set(d.code.clone()),
            per_subdomain: Set(d.per_subdomain),
            label: Set(d.label.clone()),
            definition: Set(d.definition.clone()),
            unit: Set(d.unit.clone()),
            scopes: Set(d.scopes.join("|")),
            kind: Set(d.kind.clone()),
            better: Set(d.better.clone()),
            milestone: Set(d.milestone),
            ..Default::default()
        })
        .collect();
    if !models.is_empty() {
        indicator_definition::Entity::insert_many(models).exec(txn).await?;
    }
    Ok(())
}

/// The schema in force: its version and definitions, by code.
///
/// # Errors
/// When the query fails.
pub async fn current_schema(conn: &impl ConnectionTrait) -> Result<(i32, Vec<IndicatorDefinition>), DbErr> {
    let version = indicator_schema_version::Entity::find()
        .order_by_desc(indicator_schema_version::Column::Version)
        .one(conn)
        .await?
        .map_or(0, |v| v.version);
    let definitions = indicator_definition::Entity::find()
        .filter(indicator_definition::Column::SchemaVersion.eq(version))
        .order_by_asc(indicator_definition::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| IndicatorDefinition {
            code: d.code,
            per_subdomain: d.per_subdomain,
            label: d.label,
            definition: d.definition,
            unit: d.unit,
            scopes: d.scopes.split('|').map(str::to_owned).collect(),
            kind: d.kind,
            better: d.better,
            milestone: d.milestone,
        })
        .collect();
    Ok((version, definitions))
}

/// The open campaigns, whose indicators still move.
///
/// # Errors
/// When the query fails.
pub async fn open_campaigns(conn: &impl ConnectionTrait) -> Result<Vec<campaign::Model>, DbErr> {
    campaign::Entity::find().filter(campaign::Column::Status.eq(campaigns::OPEN)).all(conn).await
}

/// A stored campaign's year.
///
/// # Errors
/// When the stored year is out of range (logged with the row).
pub fn campaign_year(campaign: &campaign::Model) -> Result<CampaignYear, DbErr> {
    Ok(campaign.year)
}

/// Deletes the runs of a campaign, for one GHT or every GHT, before they
/// are written again.
///
/// # Errors
/// When the delete fails.
pub async fn delete_runs(txn: &DatabaseTransaction, year: CampaignYear, ght: Option<&GhtCode>) -> Result<(), DbErr> {
    let mut runs = indicator_run::Entity::delete_many().filter(indicator_run::Column::CampaignYear.eq(year));
    if let Some(ght) = ght {
        runs = runs.filter(indicator_run::Column::GhtCode.eq(ght.as_str()));
    }
    runs.exec(txn).await.map(|_| ())
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
) -> Result<(), DbErr> {
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

/// What the indicators of one GHT (or of every GHT) for a campaign are
/// computed from, by GHT code: one query per table whatever the number of
/// GHTs.
///
/// # Errors
/// When a query fails.
pub async fn campaign_inputs(
    conn: &impl ConnectionTrait,
    campaign: &campaign::Model,
    only: Option<&GhtCode>,
) -> Result<BTreeMap<GhtCode, CampaignInputs>, DbErr> {
    use super::entities::{ght, ght_membership};
    let year = campaign.year;
    let mut memberships = ght_membership::Entity::find().filter(ghts::active_on(campaign.reference_date));
    let mut all_ghts = ght::Entity::find();
    let mut versions = target_version::Entity::find();
    if let Some(code) = only {
        memberships = memberships.filter(ght_membership::Column::GhtCode.eq(code.as_str()));
        all_ghts = all_ghts.filter(ght::Column::Code.eq(code.as_str()));
        versions = versions.filter(target_version::Column::GhtCode.eq(code.as_str()));
    }
    let ght_of: std::collections::HashMap<String, GhtCode> =
        memberships.all(conn).await?.into_iter().map(|m| (m.finess_ej, m.ght_code)).collect();
    let all: BTreeSet<String> = ght_of.keys().cloned().collect();
    let (counted, rows) = indicator_rows(conn, &all, year).await?;
    let mut inputs: BTreeMap<GhtCode, CampaignInputs> = all_ghts
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.code, CampaignInputs { reference_date: campaign.reference_date, ..CampaignInputs::default() }))
        .collect();
    for (finess, ght) in &ght_of {
        if let Some(input) = inputs.get_mut(ght) {
            input.expected.insert(finess.clone());
            if counted.contains_key(finess) {
                input.reporting.insert(finess.clone());
            }
        }
    }
    for row in rows {
        if let Some(input) = ght_of.get(&row.finess_ej).and_then(|g| inputs.get_mut(g)) {
            input.rows.push(row);
        }
    }
    // Each GHT's latest target version.
    let mut latest: BTreeMap<GhtCode, i64> = BTreeMap::new();
    for version in versions.all(conn).await? {
        let entry = latest.entry(version.ght_code).or_insert(version.id);
        *entry = (*entry).max(version.id);
    }
    let ght_of_version: std::collections::HashMap<i64, GhtCode> =
        latest.iter().map(|(ght, id)| (*id, ght.clone())).collect();
    let products = target_product::Entity::find()
        .filter(target_product::Column::VersionId.is_in(latest.values().copied().collect::<Vec<_>>()))
        .all(conn)
        .await?;
    for product in products {
        if let Some(input) = ght_of_version.get(&product.version_id).and_then(|g| inputs.get_mut(g)) {
            input.targets.insert(product.subdomain_code, product.product_id);
        }
    }
    Ok(inputs)
}

/// The counted upload of each établissement, and the distinct uploads.
async fn counted_uploads(
    conn: &impl ConnectionTrait,
    etablissements: &BTreeSet<String>,
    year: CampaignYear,
) -> Result<(std::collections::HashMap<String, i64>, Vec<i64>), DbErr> {
    let members: Vec<String> = etablissements.iter().cloned().collect();
    let counted = inventory::counted_uploads(conn, year, &members).await?;
    let upload_ids = counted.values().copied().collect::<BTreeSet<_>>().into_iter().collect();
    Ok((counted, upload_ids))
}

/// The counted upload of each établissement and their rows.
async fn counted_entries(
    conn: &impl ConnectionTrait,
    etablissements: &BTreeSet<String>,
    year: CampaignYear,
) -> Result<(std::collections::HashMap<String, i64>, Vec<inventory_entry::Model>), DbErr> {
    let (counted, upload_ids) = counted_uploads(conn, etablissements, year).await?;
    let entries = inventory_entry::Entity::find()
        .filter(inventory_entry::Column::UploadId.is_in(upload_ids))
        .all(conn)
        .await?
        .into_iter()
        .filter(|e| counted.get(&e.finess_ej) == Some(&e.upload_id))
        .collect();
    Ok((counted, entries))
}

/// One row as the indicators read it, in the order the aggregation query
/// lists the columns (`ROW_COLUMNS`).
/// The state is read as stored (`EntryState::as_str`), without an
/// intermediate string.
type RowColumns =
    (Option<String>, EntryState, Option<i64>, String, Option<i32>, Option<i64>, LooseBool, Option<chrono::NaiveDate>);

/// The columns the indicators read, without the wide ones (raw cells,
/// extras).
const ROW_COLUMNS: &str =
    "subdomain_code, state, product_id, normalised_name, users, annual_cost_cents, identity_connected, contract_end";

/// A boolean as either backend writes it into JSON: `true`/`false`
/// (PostgreSQL) or `1`/`0` (SQLite stores booleans as integers).
#[derive(Debug, Clone, Copy, Default)]
struct LooseBool(Option<bool>);

impl<'de> serde::Deserialize<'de> for LooseBool {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = LooseBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, 0, 1 or null")
            }
            fn visit_bool<E>(self, b: bool) -> Result<LooseBool, E> {
                Ok(LooseBool(Some(b)))
            }
            fn visit_i64<E>(self, i: i64) -> Result<LooseBool, E> {
                Ok(LooseBool(Some(i != 0)))
            }
            fn visit_u64<E>(self, i: u64) -> Result<LooseBool, E> {
                Ok(LooseBool(Some(i != 0)))
            }
            fn visit_unit<E>(self) -> Result<LooseBool, E> {
                Ok(LooseBool(None))
            }
        }
        // JSON `null` arrives as a unit; no per-value trial and error.
        deserializer.deserialize_any(Visitor)
    }
}

/// The same rows as one array per column (PostgreSQL builds these twice
/// as fast as an array per row).
#[derive(Debug, Default, serde::Deserialize)]
struct ColumnArrays(
    Vec<Option<String>>,
    Vec<EntryState>,
    Vec<Option<i64>>,
    Vec<String>,
    Vec<Option<i32>>,
    Vec<Option<i64>>,
    Vec<LooseBool>,
    Vec<Option<chrono::NaiveDate>>,
);

impl ColumnArrays {
    fn into_rows(self) -> Vec<RowColumns> {
        let Self(subdomains, states, products, names, users, costs, connected, ends) = self;
        let mut rows = Vec::with_capacity(states.len());
        let mut subdomains = subdomains.into_iter();
        let mut products = products.into_iter();
        let mut names = names.into_iter();
        let mut users = users.into_iter();
        let mut costs = costs.into_iter();
        let mut connected = connected.into_iter();
        let mut ends = ends.into_iter();
        for state in states {
            rows.push((
                subdomains.next().flatten(),
                state,
                products.next().flatten(),
                names.next().unwrap_or_default(),
                users.next().flatten(),
                costs.next().flatten(),
                connected.next().unwrap_or_default(),
                ends.next().flatten(),
            ));
        }
        rows
    }
}

/// The rows of the counted uploads, aggregated by the database into one
/// JSON document per upload and établissement: a national recomputation
/// reads 300,000 rows, and decoding them one by one through the driver
/// costs several times what the database takes to produce them
/// (`benches/indicators.rs`). SQLite is fastest building an array per row,
/// PostgreSQL an array per column.
async fn indicator_rows(
    conn: &impl ConnectionTrait,
    etablissements: &BTreeSet<String>,
    year: CampaignYear,
) -> Result<(std::collections::HashMap<String, i64>, Vec<Row>), DbErr> {
    let (counted, upload_ids) = counted_uploads(conn, etablissements, year).await?;
    let backend = conn.get_database_backend();
    let postgres = backend == sea_orm::DatabaseBackend::Postgres;
    let aggregate = if postgres {
        // The aggregates of one group are fed the group's rows in the same
        // order, so the column arrays line up (an `ORDER BY` inside each
        // would double the query's time).
        let columns = ROW_COLUMNS.split(", ").map(|c| format!("json_agg({c})")).collect::<Vec<_>>();
        format!("json_build_array({})::text", columns.join(", "))
    } else {
        format!("json_group_array(json_array({ROW_COLUMNS}))")
    };
    let mut rows = Vec::new();
    for chunk in upload_ids.chunks(5_000) {
        let sql = format!(
            "SELECT upload_id, finess_ej, {aggregate} FROM inventory_entries WHERE upload_id IN ({}) \
             GROUP BY upload_id, finess_ej",
            super::placeholders(chunk.len(), backend)
        );
        let statement =
            sea_orm::Statement::from_sql_and_values(backend, sql, chunk.iter().map(|id| sea_orm::Value::from(*id)));
        for group in conn.query_all_raw(statement).await? {
            let upload_id: i64 = group.try_get_by_index(0)?;
            let finess_ej: String = group.try_get_by_index(1)?;
            if counted.get(&finess_ej) != Some(&upload_id) {
                continue;
            }
            let json: String = group.try_get_by_index(2)?;
            let malformed = |e: serde_json::Error| DbErr::Custom(format!("inventory rows of upload {upload_id}: {e}"));
            let columns: Vec<RowColumns> = if postgres {
                serde_json::from_str::<ColumnArrays>(&json).map_err(malformed)?.into_rows()
            } else {
                serde_json::from_str(&json).map_err(malformed)?
            };
            rows.extend(columns.into_iter().map(
                |(subdomain, state, product_id, normalised_name, users, cost, LooseBool(connected), end)| Row {
                    state,
                    finess_ej: finess_ej.clone(),
                    subdomain,
                    product_id,
                    normalised_name,
                    users,
                    annual_cost_cents: cost,
                    identity_connected: connected,
                    contract_end: end,
                },
            ));
        }
    }
    Ok((counted, rows))
}

/// The applications of a GHT's validated inventories for a campaign, as
/// the inventory diff compares them.
///
/// # Errors
/// When a query fails.
pub async fn applications(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
) -> Result<Vec<crate::compute::changes::Application>, DbErr> {
    let Some(campaign) = campaign::Entity::find_by_id(year).one(conn).await? else { return Ok(Vec::new()) };
    let expected: BTreeSet<String> =
        ghts::members_at(conn, ght, campaign.reference_date).await?.into_iter().map(|(_, e)| e.finess_ej).collect();
    let (_, entries) = counted_entries(conn, &expected, year).await?;
    let products: std::collections::HashMap<i64, String> =
        super::entities::product::Entity::find().all(conn).await?.into_iter().map(|p| (p.id, p.name)).collect();
    Ok(entries
        .into_iter()
        .map(|e| {
            let state = e.state;
            let (key, name) = match (state, e.product_id.and_then(|id| products.get(&id).map(|n| (id, n)))) {
                (EntryState::Product, Some((id, name))) => (format!("product:{id}"), name.clone()),
                (EntryState::NotComputerised, _) => ("not_computerised".to_owned(), "(non informatisé)".to_owned()),
                _ => (format!("{}:{}", state.as_str(), e.normalised_name), e.application_raw),
            };
            crate::compute::changes::Application {
                finess_ej: e.finess_ej,
                subdomain: e.subdomain_code,
                key,
                name,
                version: e.version,
            }
        })
        .collect())
}

/// The values of one of a run's documents.
fn parse_values(
    document: &str,
    ght: &impl std::fmt::Display,
    year: CampaignYear,
) -> Result<Vec<indicators::Value>, DbErr> {
    serde_json::from_str(document)
        .map_err(|e| DbErr::Custom(format!("indicator values of {ght} for {year} unreadable: {e}")))
}

/// A GHT's stored run for a campaign and its values (the GHT's own, or one
/// établissement's), or `None` when never computed.
///
/// # Errors
/// When the query fails or the stored values are unreadable.
pub async fn stored(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
    finess: Option<&str>,
) -> Result<Option<(indicator_run::Model, Vec<indicators::Value>)>, DbErr> {
    let Some(run) = indicator_run::Entity::find_by_id((year, ght.clone())).one(conn).await? else {
        return Ok(None);
    };
    let document = if finess.is_some() { &run.etablissement_values } else { &run.ght_values };
    let mut values = parse_values(document, &run.ght_code, year)?;
    if let Some(finess) = finess {
        values.retain(|v| v.finess_ej.as_deref() == Some(finess));
    }
    Ok(Some((run, values)))
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
pub async fn ght_of(conn: &impl ConnectionTrait, finess: &str, year: CampaignYear) -> Result<Option<GhtCode>, DbErr> {
    use super::entities::ght_membership;
    let Some(campaign) = campaign::Entity::find_by_id(year).one(conn).await? else { return Ok(None) };
    let found = ght_membership::Entity::find()
        .filter(ghts::active_on(campaign.reference_date))
        .filter(ght_membership::Column::FinessEj.eq(finess))
        .one(conn)
        .await?;
    Ok(found.map(|m| m.ght_code))
}

/// The status of an expected établissement that deposited nothing.
pub const MISSING: &str = "missing";

/// Where one expected établissement stands in a campaign.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EtablissementProgress {
    /// FINESS juridique.
    pub finess_ej: String,
    /// Name.
    pub name: String,
    /// `validated` (counts in the indicators), `submitted` (waiting for the
    /// DSI's validation) or `missing` (nothing deposited).
    pub status: String,
    /// Its current upload.
    pub upload_id: Option<i64>,
    /// When it was deposited.
    pub uploaded_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows it holds for this établissement.
    pub rows: Option<i32>,
    /// Warnings in its report.
    pub warnings: Option<u32>,
    /// Its rows whose application name is not in the catalogue (review list).
    pub unmatched: Option<u64>,
}

/// Every expected établissement of a GHT for a campaign and where it
/// stands, so the DSI knows whom to chase.
///
/// # Errors
/// When a query fails.
pub async fn progress(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    year: CampaignYear,
    reference_date: chrono::NaiveDate,
) -> Result<Vec<EtablissementProgress>, DbErr> {
    use sea_orm::{PaginatorTrait, QuerySelect};

    use super::entities::{inventory_upload, upload_etablissement};
    let members = ghts::members_at(conn, ght, reference_date).await?;
    let finess: Vec<String> = members.iter().map(|(_, e)| e.finess_ej.clone()).collect();
    let current = inventory::current_uploads(conn, year, &finess).await?;
    let mut progress = Vec::new();
    for (_, etablissement) in members {
        let Some(&upload_id) = current.get(&etablissement.finess_ej) else {
            progress.push(EtablissementProgress {
                finess_ej: etablissement.finess_ej,
                name: etablissement.name,
                status: MISSING.to_owned(),
                upload_id: None,
                uploaded_at: None,
                rows: None,
                warnings: None,
                unmatched: None,
            });
            continue;
        };
        let upload = inventory_upload::Entity::find_by_id(upload_id).one(conn).await?;
        let rows = upload_etablissement::Entity::find()
            .filter(upload_etablissement::Column::UploadId.eq(upload_id))
            .filter(upload_etablissement::Column::FinessEj.eq(etablissement.finess_ej.as_str()))
            .select_only()
            .column(upload_etablissement::Column::Rows)
            .into_tuple::<i32>()
            .one(conn)
            .await?;
        let unmatched = inventory_entry::Entity::find()
            .filter(inventory_entry::Column::UploadId.eq(upload_id))
            .filter(inventory_entry::Column::FinessEj.eq(etablissement.finess_ej.as_str()))
            .filter(inventory_entry::Column::State.eq(EntryState::Unmatched.as_str()))
            .count(conn)
            .await?;
        let report: Option<crate::normalise::report::Report> =
            upload.as_ref().and_then(|u| serde_json::from_str(&u.report).ok());
        progress.push(EtablissementProgress {
            finess_ej: etablissement.finess_ej,
            name: etablissement.name,
            status: upload.as_ref().map_or_else(|| MISSING.to_owned(), |u| u.status.clone()),
            upload_id: Some(upload_id),
            uploaded_at: upload.map(|u| u.uploaded_at),
            rows,
            warnings: report.map(|r| r.warnings),
            unmatched: Some(unmatched),
        });
    }
    Ok(progress)
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
    pub answers: Vec<super::entities::indicator_answer::Model>,
}

/// Gathers [`PeerValues`] for a region, or the nation.
///
/// # Errors
/// When a query fails.
pub async fn peer_values(
    conn: &impl ConnectionTrait,
    year: CampaignYear,
    region: Option<&str>,
) -> Result<PeerValues, DbErr> {
    use sea_orm::QuerySelect;

    use super::entities::{ght, indicator_answer};
    let mut select = ght::Entity::find();
    if let Some(region) = region {
        select = select.filter(ght::Column::RegionCode.eq(region));
    }
    let ghts: BTreeMap<String, String> =
        select.all(conn).await?.into_iter().map(|g| (g.code.to_string(), g.region_code)).collect();
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
    let mut values: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for (ght, document) in runs.iter().filter(|(g, _)| reporting.contains(g)) {
        for value in parse_values(document, ght, year)? {
            if let Some(v) = value.value {
                values.entry(value.code).or_default().insert(ght.clone(), v);
            }
        }
    }
    let answers = indicator_answer::Entity::find()
        .filter(indicator_answer::Column::CampaignYear.eq(year.get()))
        .filter(indicator_answer::Column::GhtCode.is_in(codes))
        .all(conn)
        .await?;
    Ok(PeerValues { ghts, reporting, values, answers })
}

/// Changes to the indicator schema, as a new version.
#[derive(Debug, Clone, Default)]
pub struct SchemaChange {
    /// Why.
    pub comment: Option<String>,
    /// Indicators added.
    pub add: Vec<IndicatorDefinition>,
    /// Codes retired.
    pub retire: Vec<String>,
}

/// Records the next schema version with its definitions, audited. The
/// caller builds and checks the definitions, under the schema's lock.
///
/// # Errors
/// When a write fails.
pub async fn insert_schema_version(
    txn: &DatabaseTransaction,
    actor: super::audit::Actor<'_>,
    version: i32,
    definitions: &[IndicatorDefinition],
    change: &SchemaChange,
) -> Result<(), DbErr> {
    indicator_schema_version::ActiveModel {
        version: Set(version),
        created_at: Set(now()),
        created_by: Set(actor.principal.label.clone()),
        comment: Set(change.comment.clone()),
    }
    .insert(txn)
    .await?;
    insert_definitions(txn, version, definitions).await?;
    super::audit::record(
        txn,
        actor,
        super::audit::Change {
            action: "indicator_schema.create",
            object_type: "indicator_schema",
            object_id: version.to_string(),
            ght_code: None,
            before: Some(serde_json::json!({ "version": version - 1 })),
            after: Some(serde_json::json!({
                "version": version, "added": change.add.iter().map(|d| &d.code).collect::<Vec<_>>(),
                "retired": change.retire, "comment": change.comment,
            })),
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_read_as_either_backend_writes_them() {
        let read: Vec<LooseBool> = serde_json::from_str("[true, false, 1, 0, null]").unwrap_or_default();
        let values: Vec<Option<bool>> = read.into_iter().map(|b| b.0).collect();
        assert_eq!(values, [Some(true), Some(false), Some(true), Some(false), None]);
        assert!(serde_json::from_str::<LooseBool>("\"oui\"").is_err(), "text is not a boolean");
    }

    #[test]
    fn column_arrays_line_up_into_rows() {
        // As PostgreSQL builds them: one array per column, in ROW_COLUMNS order.
        let json = r#"[["DPI.CORE", null], ["product", "unmatched"], [12, null], ["dxcare", "outil"],
                       [300, null], [10000000, null], [true, null], ["2027-12-31", null]]"#;
        let columns: ColumnArrays = serde_json::from_str(json).unwrap_or_default();
        let rows = columns.into_rows();
        assert_eq!(rows.len(), 2);
        let (subdomain, state, product, name, users, cost, LooseBool(connected), end) = &rows[0];
        assert_eq!(
            (subdomain.as_deref(), *state, *product, name.as_str(), *users, *cost, *connected),
            (Some("DPI.CORE"), EntryState::Product, Some(12), "dxcare", Some(300), Some(10_000_000), Some(true))
        );
        assert_eq!(*end, chrono::NaiveDate::from_ymd_opt(2027, 12, 31));
        let (subdomain, state, product, name, users, cost, LooseBool(connected), end) = &rows[1];
        assert_eq!(
            (subdomain.as_deref(), *state, *product, name.as_str(), *users, *cost, *connected, *end),
            (None, EntryState::Unmatched, None, "outil", None, None, None, None)
        );
    }
}
