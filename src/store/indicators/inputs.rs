//! What a campaign's indicators are computed from, read in one query per
//! table whatever the number of GHTs.

use super::*;
use crate::store::StoreError;

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
) -> Result<BTreeMap<GhtCode, CampaignInputs>, StoreError> {
    use crate::store::entities::{ght, ght_membership};
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
        memberships.all(conn).await?.into_iter().map(|m| (m.finess_ej.to_string(), m.ght_code)).collect();
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
            input.targets.insert(product.subdomain_code.to_string(), product.product_id);
        }
    }
    Ok(inputs)
}

/// The counted upload of each établissement, and the distinct uploads.
async fn counted_uploads(
    conn: &impl ConnectionTrait,
    etablissements: &BTreeSet<String>,
    year: CampaignYear,
) -> Result<(std::collections::HashMap<String, i64>, Vec<i64>), StoreError> {
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
) -> Result<(std::collections::HashMap<String, i64>, Vec<inventory_entry::Model>), StoreError> {
    let (counted, upload_ids) = counted_uploads(conn, etablissements, year).await?;
    let entries = inventory_entry::Entity::find()
        .filter(inventory_entry::Column::UploadId.is_in(upload_ids))
        .all(conn)
        .await?
        .into_iter()
        .filter(|e| counted.get(e.finess_ej.as_str()) == Some(&e.upload_id))
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
) -> Result<(std::collections::HashMap<String, i64>, Vec<Row>), StoreError> {
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
            crate::store::placeholders(chunk.len(), backend)
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
) -> Result<Vec<crate::compute::changes::Application>, StoreError> {
    let Some(campaign) = campaign::Entity::find_by_id(year).one(conn).await? else { return Ok(Vec::new()) };
    let expected: BTreeSet<String> = ghts::members_at(conn, ght, campaign.reference_date)
        .await?
        .into_iter()
        .map(|(_, e)| e.finess_ej.to_string())
        .collect();
    let (_, entries) = counted_entries(conn, &expected, year).await?;
    let products: std::collections::HashMap<i64, String> =
        crate::store::entities::product::Entity::find().all(conn).await?.into_iter().map(|p| (p.id, p.name)).collect();
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
                finess_ej: e.finess_ej.to_string(),
                subdomain: e.subdomain_code.map(|s| s.to_string()),
                key,
                name,
                version: e.version,
            }
        })
        .collect())
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
