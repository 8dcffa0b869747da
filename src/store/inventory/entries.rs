//! An upload's rows: written in batches as the worker sends them, listed,
//! corrected one by one.

use super::*;
use crate::domain::{ConvergenceStatus, Criticality, Hosting, SubdomainCode};
use crate::store::StoreError;

/// Rows per INSERT: at 35 values a row, far below the parameter limits
/// of SQLite (32,766) and PostgreSQL (65,535).
const BATCH: usize = 250;

/// The columns an imported row fills, in the order of [`entry_values`].
const ENTRY_COLUMNS: [&str; 35] = [
    "upload_id",
    "campaign_year",
    "finess_ej",
    "finess_et",
    "sheet",
    "row_number",
    "raw",
    "application_raw",
    "normalised_name",
    "state",
    "product_id",
    "match_confidence",
    "match_method",
    "vendor_id",
    "subdomain_code",
    "subdomain_inferred",
    "module",
    "version",
    "go_live",
    "users",
    "beds",
    "hosting",
    "contract",
    "contract_end",
    "acquisition_cost_cents",
    "annual_cost_cents",
    "interfaces",
    "identity_connected",
    "sso",
    "ins",
    "criticality",
    "convergence_status",
    "comment",
    "flags",
    "extra",
];

/// One imported row's values, typed as the entity's columns are.
fn entry_values(upload_id: i64, campaign: i32, r: NormalisedRow, out: &mut Vec<Value>) {
    out.extend([
        Value::from(upload_id),
        Value::from(campaign),
        Value::from(r.finess_ej.to_string()),
        Value::from(r.finess_et.as_ref().map(ToString::to_string)),
        Value::from(r.sheet),
        Value::from(r.row as i32),
        Value::from(r.raw.into_json()),
        Value::from(r.application_raw),
        Value::from(r.normalised_name),
        Value::from(r.state.as_str()),
        Value::from(r.product_id),
        Value::from(r.match_confidence),
        Value::from(r.match_method.map(MatchMethod::as_str)),
        Value::from(r.vendor_id),
        Value::from(r.subdomain),
        Value::from(r.subdomain_inferred),
        Value::from(r.module),
        Value::from(r.version),
        Value::from(r.go_live),
        Value::from(r.users),
        Value::from(r.beds),
        Value::from(r.hosting.map(Hosting::as_str)),
        Value::from(r.contract),
        Value::from(r.contract_end),
        Value::from(r.acquisition_cost.map(|m| m.cents())),
        Value::from(r.annual_cost.map(|m| m.cents())),
        Value::from(r.interfaces),
        Value::from(r.identity_connected),
        Value::from(r.sso),
        Value::from(r.ins),
        Value::from(r.criticality.map(Criticality::as_str)),
        Value::from(r.convergence_status.map(ConvergenceStatus::as_str)),
        Value::from(r.comment),
        Value::from(serde_json::to_string(&r.flags).unwrap_or_default()),
        Value::from(r.extra.into_json()),
    ]);
}

/// Deletes the rows and messages stored so far for an upload being
/// written, when the worker reads its file again from the start.
///
/// # Errors
/// When a delete fails.
pub async fn discard_rows(txn: &DatabaseTransaction, upload_id: i64) -> Result<(), StoreError> {
    inventory_entry::Entity::delete_many().filter(inventory_entry::Column::UploadId.eq(upload_id)).exec(txn).await?;
    upload_message_page::Entity::delete_many()
        .filter(upload_message_page::Column::UploadId.eq(upload_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Writes a batch of an upload's rows.
///
/// # Errors
/// When the insert fails.
pub async fn insert_entries(
    txn: &DatabaseTransaction,
    upload_id: i64,
    campaign: CampaignYear,
    rows: Vec<NormalisedRow>,
) -> Result<(), StoreError> {
    // A plain multi-row INSERT: building it through the entity's active
    // models cost as much CPU as SQLite spent storing the rows. The rows'
    // strings move into the statement.
    let backend = txn.get_database_backend();
    let mut rows = rows.into_iter();
    let mut statement = || {
        let chunk = rows.by_ref().take(BATCH);
        let mut values = Vec::with_capacity(BATCH * ENTRY_COLUMNS.len());
        let mut count = 0;
        for row in chunk {
            entry_values(upload_id, campaign.get(), row, &mut values);
            count += 1;
        }
        let sql = crate::store::multi_row_insert("inventory_entries", &ENTRY_COLUMNS, count, backend);
        (count, Statement::from_sql_and_values(backend, sql, values))
    };
    // Each statement is built while the database runs the previous one.
    let (mut count, mut pending) = statement();
    while count > 0 {
        let (done, next) = tokio::join!(txn.execute_raw(pending), async { statement() });
        done?;
        (count, pending) = next;
    }
    Ok(())
}

/// Filters on the current rows.
#[derive(Debug, Default, Clone)]
pub struct EntryFilter {
    /// Only this établissement (FINESS EJ).
    pub finess: Option<String>,
    /// Only this sub-domain.
    pub subdomain: Option<SubdomainCode>,
    /// Only this state (`product`, `unmatched`…).
    pub state: Option<EntryState>,
}

/// One page of the current rows of these établissements for a campaign,
/// by établissement, upload, sheet and row.
///
/// # Errors
/// When the query fails.
pub async fn current_entries(
    conn: &impl ConnectionTrait,
    campaign: CampaignYear,
    etablissements: &[String],
    filter: &EntryFilter,
    page: Page,
) -> Result<PageOf<inventory_entry::Model>, StoreError> {
    let etablissements: Vec<String> = match &filter.finess {
        Some(only) => etablissements.iter().filter(|f| *f == only).cloned().collect(),
        None => etablissements.to_vec(),
    };
    let current = current_uploads(conn, campaign, &etablissements).await?;
    entries_of_uploads(conn, &current, filter, page, None).await
}

/// One page of the rows of these current uploads (by établissement), by
/// établissement, upload, sheet and row; `filter.finess` keeps one
/// établissement. `total`, when the caller already counted the rows, saves
/// the count.
///
/// # Errors
/// When the query fails.
pub async fn entries_of_uploads(
    conn: &impl ConnectionTrait,
    current: &HashMap<String, i64>,
    filter: &EntryFilter,
    page: Page,
    total: Option<u64>,
) -> Result<PageOf<inventory_entry::Model>, StoreError> {
    let current: HashMap<&String, i64> = current
        .iter()
        .filter(|(finess, _)| filter.finess.as_ref().is_none_or(|only| only == *finess))
        .map(|(finess, upload)| (finess, *upload))
        .collect();
    if current.is_empty() {
        return Ok(PageOf::empty(page));
    }
    // The uploads first, as an indexed list: with the campaign instead, the
    // database walks the whole campaign (300,000 rows nationally) for one
    // GHT's few thousand.
    let uploads: Vec<i64> = current.values().copied().collect();
    let mut select = inventory_entry::Entity::find().filter(inventory_entry::Column::UploadId.is_in(uploads));
    let mut any = sea_orm::Condition::any();
    for (finess, upload) in &current {
        any = any.add(
            inventory_entry::Column::UploadId.eq(*upload).and(inventory_entry::Column::FinessEj.eq(finess.as_str())),
        );
    }
    select = select.filter(any);
    if let Some(subdomain) = &filter.subdomain {
        select = select.filter(inventory_entry::Column::SubdomainCode.eq(subdomain.as_str()));
    }
    if let Some(state) = &filter.state {
        select = select.filter(inventory_entry::Column::State.eq(state.as_str()));
    }
    // The count, then the page's ids read from the listing index alone
    // (upload, établissement, sheet, row), then those rows: sorting a GHT's
    // thousands of whole rows, JSON cells included, to send fifty is what
    // made the listing slow.
    let total_items = match total {
        Some(total) => total,
        None => sea_orm::PaginatorTrait::count(select.clone(), conn).await?,
    };
    let ids = in_listing_order(select.select_only().column(inventory_entry::Column::Id))
        .limit(page.size)
        .offset(page.offset());
    let ids = sea_orm::QueryTrait::into_query(ids);
    let items = in_listing_order(inventory_entry::Entity::find().filter(inventory_entry::Column::Id.in_subquery(ids)))
        .all(conn)
        .await?;
    Ok(PageOf { items, page, total_items, total_pages: total_items.div_ceil(std::cmp::Ord::max(page.size, 1)) })
}

/// What a GHT's workbooks and page show of a row: not the cells as read,
/// the flags nor the free text (a third of the columns, and the largest
/// ones left in the database).
#[derive(Debug, Clone, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "inventory_entry::Entity")]
pub struct ShownEntry {
    /// FINESS EJ.
    pub finess_ej: Finess,
    /// FINESS ET, when given.
    pub finess_et: Option<Finess>,
    /// The application as written.
    pub application_raw: String,
    /// Product, state…
    pub state: EntryState,
    /// The catalogue product.
    pub product_id: Option<i64>,
    /// How it was matched.
    pub match_method: Option<MatchMethod>,
    /// The vendor.
    pub vendor_id: Option<i64>,
    /// The sub-domain.
    pub subdomain_code: Option<SubdomainCode>,
    /// Version.
    pub version: Option<String>,
    /// Go-live date.
    pub go_live: Option<NaiveDate>,
    /// Declared users.
    pub users: Option<i32>,
    /// Hosting.
    pub hosting: Option<Hosting>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
    /// Annual cost in cents.
    pub annual_cost_cents: Option<i64>,
    /// Interfaces, as written.
    pub interfaces: Option<String>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// Declared convergence status.
    pub convergence_status: Option<ConvergenceStatus>,
}

/// The shown columns of every row of these current uploads (by
/// établissement), in the listing's order: for a GHT's workbooks and page
/// (a few thousand rows).
///
/// # Errors
/// When the query fails.
pub async fn shown_entries_of_uploads(
    conn: &impl ConnectionTrait,
    current: &HashMap<String, i64>,
) -> Result<Vec<ShownEntry>, StoreError> {
    if current.is_empty() {
        return Ok(Vec::new());
    }
    Ok(of_uploads(current).into_partial_model::<ShownEntry>().all(conn).await?)
}

/// Every row of these current uploads (by établissement), in the
/// listing's order: for a GHT's workbooks (a few thousand rows).
///
/// # Errors
/// When the query fails.
pub async fn all_entries_of_uploads(
    conn: &impl ConnectionTrait,
    current: &HashMap<String, i64>,
) -> Result<Vec<inventory_entry::Model>, StoreError> {
    if current.is_empty() {
        return Ok(Vec::new());
    }
    Ok(of_uploads(current).all(conn).await?)
}

/// The rows of these current uploads (each for its établissement), in the
/// listing's order.
fn of_uploads(current: &HashMap<String, i64>) -> sea_orm::Select<inventory_entry::Entity> {
    let uploads: Vec<i64> = current.values().copied().collect();
    let mut any = sea_orm::Condition::any();
    for (finess, upload) in current {
        any = any.add(
            inventory_entry::Column::UploadId.eq(*upload).and(inventory_entry::Column::FinessEj.eq(finess.as_str())),
        );
    }
    in_listing_order(
        inventory_entry::Entity::find().filter(inventory_entry::Column::UploadId.is_in(uploads)).filter(any),
    )
}

/// The listing's stable order: by établissement, upload, sheet and row.
fn in_listing_order(select: sea_orm::Select<inventory_entry::Entity>) -> sea_orm::Select<inventory_entry::Entity> {
    select
        .order_by_asc(inventory_entry::Column::FinessEj)
        .order_by_asc(inventory_entry::Column::UploadId)
        .order_by_asc(inventory_entry::Column::Sheet)
        .order_by_asc(inventory_entry::Column::RowNumber)
        .order_by_asc(inventory_entry::Column::Id)
}

/// One stored row.
///
/// # Errors
/// When the query fails.
pub async fn find_entry(conn: &impl ConnectionTrait, id: i64) -> Result<Option<inventory_entry::Model>, StoreError> {
    Ok(inventory_entry::Entity::find_by_id(id).one(conn).await?)
}

/// What changes in one row; `None` leaves a field as it is. The product
/// comes with its vendor.
#[derive(Debug, Default, Clone)]
pub struct EntryChanges {
    /// Matched product and its vendor (the state becomes `product`).
    pub product: Option<(i64, i64)>,
    /// Sub-domain (no longer inferred).
    pub subdomain: Option<SubdomainCode>,
    /// The fields taken as given.
    pub fields: EntryFields,
}

/// The fields of a row a correction sets as given; `None` leaves one as it
/// is.
#[derive(Debug, Default, Clone)]
pub struct EntryFields {
    /// Version, as written.
    pub version: Option<String>,
    /// Declared number of users.
    pub users: Option<i32>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
    /// Annual cost in cents.
    pub annual_cost_cents: Option<i64>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// Free comment, as written.
    pub comment: Option<String>,
}

/// Changes one row, audited with its before and after values.
///
/// # Errors
/// When a write fails.
pub async fn update_entry(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    ght: &GhtCode,
    entry: inventory_entry::Model,
    changes: EntryChanges,
) -> Result<inventory_entry::Model, StoreError> {
    let before = entry_snapshot(&entry);
    let mut model = entry.into_active_model();
    if let Some((product_id, vendor_id)) = changes.product {
        model.product_id = Set(Some(product_id));
        model.vendor_id = Set(Some(vendor_id));
        model.state = Set(EntryState::Product);
        model.match_confidence = Set(Some(1.0));
        model.match_method = Set(Some(MatchMethod::Confirmed));
    }
    if let Some(code) = changes.subdomain {
        model.subdomain_code = Set(Some(code));
        model.subdomain_inferred = Set(false);
    }
    let fields = changes.fields;
    if let Some(version) = fields.version {
        model.version = Set(Some(version));
    }
    if let Some(users) = fields.users {
        model.users = Set(Some(users));
    }
    if let Some(date) = fields.contract_end {
        model.contract_end = Set(Some(date));
    }
    if let Some(cents) = fields.annual_cost_cents {
        model.annual_cost_cents = Set(Some(cents));
    }
    if let Some(connected) = fields.identity_connected {
        model.identity_connected = Set(Some(connected));
    }
    if let Some(comment) = fields.comment {
        model.comment = Set(Some(comment));
    }
    let updated = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "entry.update",
            object_type: "inventory_entry",
            object_id: updated.id.to_string(),
            ght_code: Some(ght.clone()),
            before,
            after: entry_snapshot(&updated),
        },
    )
    .await?;
    Ok(updated)
}

fn entry_snapshot(e: &inventory_entry::Model) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "product_id": e.product_id, "state": e.state, "subdomain": e.subdomain_code, "version": e.version,
        "users": e.users, "contract_end": e.contract_end, "annual_cost_cents": e.annual_cost_cents,
        "identity_connected": e.identity_connected, "comment": e.comment,
    }))
}

/// Whether the entry belongs to the current inventory of its établissement.
///
/// # Errors
/// When the query fails.
pub async fn is_current(conn: &impl ConnectionTrait, entry: &inventory_entry::Model) -> Result<bool, StoreError> {
    let current = current_uploads(conn, entry.campaign_year, &[entry.finess_ej.to_string()]).await?;
    Ok(current.get(entry.finess_ej.as_str()) == Some(&entry.upload_id))
}

#[cfg(test)]
mod tests {
    use sea_orm::{IdenStatic, Iterable};

    use super::*;

    #[test]
    fn the_insert_fills_every_column_of_an_entry_but_its_id() {
        let columns: Vec<&str> =
            inventory_entry::Column::iter().map(|c| c.as_str()).filter(|name| *name != "id").collect();
        assert_eq!(columns, ENTRY_COLUMNS);
    }

    #[test]
    fn multi_row_inserts_number_postgres_placeholders_across_rows() {
        let sql = crate::store::multi_row_insert("t", &["a", "b"], 2, sea_orm::DatabaseBackend::Postgres);
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        let sql = crate::store::multi_row_insert("t", &["a", "b"], 2, sea_orm::DatabaseBackend::Sqlite);
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
    }
}

/// The JSON documents a stored row carries, decoded.
#[derive(Debug, Clone)]
pub struct EntryDocuments {
    /// Flags raised on the row.
    pub flags: Vec<String>,
    /// Every cell by header, verbatim (a JSON object, checked as one and
    /// passed on as stored: a listing that re-parsed every cell of every
    /// row spent more on it than on sending it).
    pub raw: Box<serde_json::value::RawValue>,
    /// Unknown columns, by header (a JSON object, as stored).
    pub extra: Box<serde_json::value::RawValue>,
}

/// A stored JSON object, checked and kept as text.
fn json_object(text: &str) -> Result<Box<serde_json::value::RawValue>, String> {
    let raw: Box<serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if raw.get().trim_start().starts_with('{') { Ok(raw) } else { Err("not a JSON object".to_owned()) }
}

/// A row's documents.
///
/// # Errors
/// When one does not decode (named by the row's id and the column).
pub fn documents(entry: &inventory_entry::Model) -> Result<EntryDocuments, StoreError> {
    let corrupt = |column, e: serde_json::Error| StoreError::corrupt("inventory_entries", entry.id, column, e);
    Ok(EntryDocuments {
        flags: serde_json::from_str(&entry.flags).map_err(|e| corrupt("flags", e))?,
        raw: json_object(&entry.raw).map_err(|e| StoreError::corrupt("inventory_entries", entry.id, "raw", e))?,
        extra: json_object(&entry.extra).map_err(|e| StoreError::corrupt("inventory_entries", entry.id, "extra", e))?,
    })
}
