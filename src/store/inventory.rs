//! Inventory uploads and their rows: reference data for normalisation,
//! storage in one transaction, the upload workflow (validate, withdraw) and
//! the current inventory of an établissement.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement, Value,
};

use super::audit::{self, Actor, Change};
use super::catalogue::{NATIONAL_SCOPE, STATUS_APPROVED};
use super::entities::{
    etablissement, etablissement_site, header_mapping, inventory_entry, inventory_upload, product, product_alias,
    product_vendor, taxonomy_subdomain, taxonomy_synonym, upload_etablissement, upload_file, upload_message_page,
    vendor,
};
use super::pagination::{Page, PageOf};
use crate::domain::normalise_key;
use crate::domain::{CampaignYear, Finess, GhtCode};
use crate::import::headers::Field;
use crate::normalise::ReferenceData;
use crate::normalise::matcher::{CatalogueAlias, CatalogueProduct, MatchMethod};
use crate::normalise::message_page::{self, EncodedPage};
use crate::normalise::report::{MESSAGES_INLINE, Message, Report, Severity};
use crate::normalise::row::{NormalisedRow, RouteTarget, Routing};
use crate::normalise::sentinel::EntryState;

/// Upload waiting for the DSI's validation.
pub const SUBMITTED: &str = "submitted";
/// Upload that counts.
pub const VALIDATED: &str = "validated";
/// Upload withdrawn: the previous one is current again.
pub const WITHDRAWN: &str = "withdrawn";
/// Upload refused (errors in strict mode): kept with its report, no rows.
pub const REJECTED: &str = "rejected";

/// Rows per INSERT: at 35 values a row, far below the parameter limits
/// of SQLite (32,766) and PostgreSQL (65,535).
const BATCH: usize = 250;

/// The reference data a GHT's rows are normalised against: the catalogue
/// as the GHT sees it (approved products and its own proposals, national
/// aliases and its own), the taxonomy, and its confirmed header mappings.
///
/// # Errors
/// When a query fails.
pub async fn load_reference(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    routing: Routing,
    extra_mappings: &HashMap<String, Field>,
) -> Result<ReferenceData, DbErr> {
    let products = product::Entity::find()
        .filter(product::Column::MergedInto.is_null())
        .filter(product::Column::Status.eq(STATUS_APPROVED).or(product::Column::ProposedByGht.eq(ght.as_str())))
        .all(conn)
        .await?;
    let vendors: HashMap<i64, String> =
        vendor::Entity::find().all(conn).await?.into_iter().map(|v| (v.id, v.name)).collect();
    let mut lineage: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for l in product_vendor::Entity::find().order_by_asc(product_vendor::Column::Id).all(conn).await? {
        if let Some(name) = vendors.get(&l.vendor_id) {
            lineage.entry(l.product_id).or_default().push((l.vendor_id, name.clone()));
        }
    }
    let aliases = product_alias::Entity::find()
        .filter(product_alias::Column::Scope.is_in([NATIONAL_SCOPE.to_owned(), ght.to_string()]))
        .order_by_asc(product_alias::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| CatalogueAlias { product_id: a.product_id, local: a.scope != NATIONAL_SCOPE, alias: a.alias })
        .collect();
    let products = products
        .into_iter()
        .map(|p| CatalogueProduct {
            vendor: (p.vendor_id, vendors.get(&p.vendor_id).cloned().unwrap_or_default()),
            former_vendors: lineage.remove(&p.id).unwrap_or_default(),
            default_subdomain: p.default_subdomain,
            id: p.id,
            name: p.name,
        })
        .collect();
    let synonyms = taxonomy_synonym::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.synonym, s.domain_code, s.subdomain_code))
        .collect();
    let subdomains =
        taxonomy_subdomain::Entity::find().all(conn).await?.into_iter().map(|s| (s.code, s.domain_code)).collect();
    let mut mappings = load_mappings(conn, ght).await?;
    mappings.extend(extra_mappings.clone());
    Ok(ReferenceData { products, aliases, synonyms, subdomains, mappings, routing })
}

/// The header mappings a GHT confirmed.
///
/// # Errors
/// When a query fails.
pub async fn load_mappings(conn: &impl ConnectionTrait, ght: &GhtCode) -> Result<HashMap<String, Field>, DbErr> {
    let rows =
        header_mapping::Entity::find().filter(header_mapping::Column::GhtCode.eq(ght.as_str())).all(conn).await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| serde_json::from_value::<Field>(serde_json::Value::String(m.field)).ok().map(|f| (m.header, f)))
        .collect())
}

/// Saves header mappings for a GHT (replacing earlier ones for the same header).
///
/// # Errors
/// When a write fails.
pub async fn save_mappings(
    txn: &DatabaseTransaction,
    ght: &GhtCode,
    mappings: &HashMap<String, Field>,
) -> Result<(), DbErr> {
    for (header, field) in mappings {
        let key = normalise_key(header);
        header_mapping::Entity::delete_many()
            .filter(header_mapping::Column::GhtCode.eq(ght.as_str()))
            .filter(header_mapping::Column::HeaderKey.eq(key.clone()))
            .exec(txn)
            .await?;
        let field = serde_json::to_value(field).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        header_mapping::ActiveModel {
            ght_code: Set(ght.clone()),
            header_key: Set(key),
            header: Set(header.clone()),
            field: Set(field),
            created_at: Set(super::now()),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// An établissement as a routing target (its EJ and its sites).
///
/// # Errors
/// When a query fails.
pub async fn route_target(conn: &impl ConnectionTrait, finess: &Finess) -> Result<Option<RouteTarget>, DbErr> {
    let Some(e) = etablissement::Entity::find_by_id(finess.to_string()).one(conn).await? else {
        return Ok(None);
    };
    let sites = etablissement_site::Entity::find()
        .filter(etablissement_site::Column::FinessEj.eq(finess.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|s| Finess::parse(&s.finess_et).ok())
        .collect();
    Ok(Some(RouteTarget { finess_ej: finess.clone(), name: e.name, sites }))
}

/// Where an upload goes and what it is.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// Campaign.
    pub campaign: CampaignYear,
    /// GHT of the établissement(s).
    pub ght: GhtCode,
    /// The établissement, for an établissement-level upload.
    pub finess_ej: Option<Finess>,
    /// File name as uploaded.
    pub file_name: String,
    /// Detected format (filled in from the report).
    pub format: String,
    /// The file.
    pub bytes: Vec<u8>,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// `submitted`, `validated` or `rejected`.
    pub status: String,
}

/// An earlier upload of the same bytes for the same scope and campaign,
/// still in force: uploading it again changes nothing.
///
/// # Errors
/// When the query fails.
pub async fn same_bytes(
    conn: &impl ConnectionTrait,
    new: &NewUpload,
) -> Result<Option<inventory_upload::Model>, DbErr> {
    let mut select = inventory_upload::Entity::find()
        .filter(inventory_upload::Column::Sha256.eq(new.sha256.as_str()))
        .filter(inventory_upload::Column::CampaignYear.eq(new.campaign.get()))
        .filter(inventory_upload::Column::GhtCode.eq(new.ght.as_str()))
        .filter(inventory_upload::Column::Status.is_in([SUBMITTED, VALIDATED]));
    select = match &new.finess_ej {
        Some(f) => select.filter(inventory_upload::Column::FinessEj.eq(f.as_str())),
        None => select.filter(inventory_upload::Column::FinessEj.is_null()),
    };
    select.order_by_asc(inventory_upload::Column::Id).one(conn).await
}

/// Writes a batch of an upload's report messages, numbered from `first`, as
/// one page (see [`upload_message_page`]): one insert instead of one per
/// message.
///
/// # Errors
/// When the insert fails.
pub async fn insert_messages(
    txn: &DatabaseTransaction,
    upload_id: i64,
    first: usize,
    page: EncodedPage,
) -> Result<(), DbErr> {
    if page.len == 0 {
        return Ok(());
    }
    let count = |n: u32| i32::try_from(n).map_err(|e| DbErr::Custom(e.to_string()));
    upload_message_page::ActiveModel {
        upload_id: Set(upload_id),
        first_position: Set(i32::try_from(first).map_err(|e| DbErr::Custom(e.to_string()))?),
        errors: Set(count(page.errors)?),
        warnings: Set(count(page.warnings)?),
        infos: Set(count(page.infos)?),
        content: Set(page.content),
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// An upload's report messages in report order, optionally of one
/// severity, one page at a time. The pages' counts say which stored pages
/// hold the requested one; only those are read.
///
/// # Errors
/// When the query fails or a stored page is unreadable.
pub async fn messages(
    conn: &impl ConnectionTrait,
    upload: &inventory_upload::Model,
    severity: Option<Severity>,
    page: Page,
) -> Result<PageOf<Message>, DbErr> {
    use upload_message_page::Column;
    let stored: Vec<(i32, i32, i32, i32)> = upload_message_page::Entity::find()
        .select_only()
        .columns([Column::FirstPosition, Column::Errors, Column::Warnings, Column::Infos])
        .filter(Column::UploadId.eq(upload.id))
        .order_by_asc(Column::FirstPosition)
        .into_tuple()
        .all(conn)
        .await?;
    let count = |&(_, errors, warnings, infos): &(i32, i32, i32, i32)| -> u64 {
        let n = match severity {
            None => errors + warnings + infos,
            Some(Severity::Error) => errors,
            Some(Severity::Warning) => warnings,
            Some(Severity::Info) => infos,
        };
        u64::try_from(n).unwrap_or(0)
    };
    let total: u64 = stored.iter().map(count).sum();
    let size = Ord::max(page.size, 1);
    let start = (Ord::max(page.number, 1) - 1).saturating_mul(size);
    let end = start.saturating_add(size);
    let (mut wanted, mut skip, mut seen) = (Vec::new(), 0, 0u64);
    for entry in &stored {
        let n = count(entry);
        if n > 0 && seen + n > start && seen < end {
            if wanted.is_empty() {
                skip = start - seen;
            }
            wanted.push(entry.0);
        }
        seen += n;
    }
    let mut items = Vec::new();
    if !wanted.is_empty() {
        let pages = upload_message_page::Entity::find()
            .filter(Column::UploadId.eq(upload.id))
            .filter(Column::FirstPosition.is_in(wanted))
            .order_by_asc(Column::FirstPosition)
            .all(conn)
            .await?;
        for stored_page in pages {
            let messages = message_page::decode(&stored_page.content, &upload.file_name).map_err(DbErr::Json)?;
            items.extend(messages.into_iter().filter(|m| severity.is_none_or(|s| s == m.severity)));
        }
    }
    let items: Vec<Message> =
        items.into_iter().skip(usize::try_from(skip).unwrap_or(usize::MAX)).take(size as usize).collect();
    Ok(PageOf { items, page, total_items: total, total_pages: total.div_ceil(size) })
}

/// An upload's report: its counts, and its first messages inline.
///
/// # Errors
/// When the query fails.
pub async fn report(conn: &impl ConnectionTrait, upload: &inventory_upload::Model) -> Result<Report, DbErr> {
    let mut report: Report = serde_json::from_str(&upload.report).unwrap_or_default();
    let first = Page { number: 1, size: MESSAGES_INLINE as u64 };
    report.messages = messages(conn, upload, None, first).await?.items;
    Ok(report)
}

/// Every message of an upload (for its annotated copy).
///
/// # Errors
/// When the query fails.
pub async fn all_messages(
    conn: &impl ConnectionTrait,
    upload: &inventory_upload::Model,
) -> Result<Vec<Message>, DbErr> {
    let mut all = Vec::new();
    let mut number = 1;
    loop {
        let page = messages(conn, upload, None, Page { number, size: 5000 }).await?;
        let done = page.items.len() < 5000;
        all.extend(page.items);
        if done {
            return Ok(all);
        }
        number += 1;
    }
}

/// Turns an upload whose rows were being written into a refused one: its
/// rows are deleted in the same transaction (so none was ever visible), its
/// report and file are kept for the user.
///
/// # Errors
/// When a write fails.
pub async fn reject(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    upload: inventory_upload::Model,
    bytes: Vec<u8>,
    report: &Report,
) -> Result<inventory_upload::Model, DbErr> {
    inventory_entry::Entity::delete_many().filter(inventory_entry::Column::UploadId.eq(upload.id)).exec(txn).await?;
    let mut model = upload.into_active_model();
    model.status = Set(REJECTED.to_owned());
    model.validated_at = Set(None);
    model.validated_by = Set(None);
    let upload = model.update(txn).await?;
    finish_upload(txn, actor, upload, bytes, &std::collections::BTreeMap::new(), report).await
}

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
        Value::from(r.hosting),
        Value::from(r.contract),
        Value::from(r.contract_end),
        Value::from(r.acquisition_cost.map(|m| m.cents())),
        Value::from(r.annual_cost.map(|m| m.cents())),
        Value::from(r.interfaces),
        Value::from(r.identity_connected),
        Value::from(r.sso),
        Value::from(r.ins),
        Value::from(r.criticality),
        Value::from(r.convergence_status),
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
pub async fn discard_rows(txn: &DatabaseTransaction, upload_id: i64) -> Result<(), DbErr> {
    inventory_entry::Entity::delete_many().filter(inventory_entry::Column::UploadId.eq(upload_id)).exec(txn).await?;
    upload_message_page::Entity::delete_many()
        .filter(upload_message_page::Column::UploadId.eq(upload_id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Opens an accepted upload whose rows are about to stream in; its report
/// and coverage are written by [`finish_upload`].
///
/// # Errors
/// When the insert fails.
pub async fn begin_upload(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    new: &NewUpload,
) -> Result<inventory_upload::Model, DbErr> {
    let now = super::now();
    let validated = new.status == VALIDATED;
    inventory_upload::ActiveModel {
        campaign_year: Set(new.campaign),
        ght_code: Set(new.ght.clone()),
        finess_ej: Set(new.finess_ej.as_ref().map(ToString::to_string)),
        file_name: Set(new.file_name.clone()),
        format: Set(new.format.clone()),
        size_bytes: Set(new.bytes.len() as i64),
        sha256: Set(new.sha256.clone()),
        uploaded_by_token: Set(actor.principal.token_id),
        uploaded_by: Set(actor.principal.label.clone()),
        uploaded_at: Set(now),
        status: Set(new.status.clone()),
        validated_at: Set(validated.then_some(now)),
        validated_by: Set(validated.then(|| actor.principal.label.clone())),
        report: Set("{}".to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await
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
) -> Result<(), DbErr> {
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
        let sql = super::multi_row_insert("inventory_entries", &ENTRY_COLUMNS, count, backend);
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

/// Completes an accepted upload: the file, which établissements it covers
/// (with their row counts), the report, and the audit event.
///
/// # Errors
/// When a write fails.
pub async fn finish_upload(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    upload: inventory_upload::Model,
    bytes: Vec<u8>,
    covered: &std::collections::BTreeMap<Finess, i32>,
    report: &Report,
) -> Result<inventory_upload::Model, DbErr> {
    upload_file::ActiveModel { upload_id: Set(upload.id), content: Set(bytes) }.insert(txn).await?;
    let coverage: Vec<upload_etablissement::ActiveModel> = covered
        .iter()
        .map(|(finess, rows)| upload_etablissement::ActiveModel {
            upload_id: Set(upload.id),
            finess_ej: Set(finess.to_string()),
            campaign_year: Set(upload.campaign_year),
            rows: Set(*rows),
            ..Default::default()
        })
        .collect();
    if !coverage.is_empty() {
        upload_etablissement::Entity::insert_many(coverage).exec(txn).await?;
    }
    let mut model = upload.into_active_model();
    // The format is known once the isolated worker has read the file.
    model.format = Set(report.format.clone());
    // The messages live in `upload_message_pages`; the row keeps the counts.
    let summary = Report { messages: Vec::new(), ..report.clone() };
    model.report = Set(serde_json::to_string(&summary).map_err(|e| DbErr::Custom(format!("upload report: {e}")))?);
    let upload = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "upload.create",
            object_type: "upload",
            object_id: upload.id.to_string(),
            ght_code: Some(upload.ght_code.clone()),
            before: None,
            after: Some(upload_summary(&upload, report)),
        },
    )
    .await?;
    Ok(upload)
}

fn upload_summary(upload: &inventory_upload::Model, report: &Report) -> serde_json::Value {
    serde_json::json!({
        "file": upload.file_name, "campaign": upload.campaign_year, "finess_ej": upload.finess_ej,
        "status": upload.status, "rows_imported": report.rows_imported, "rows_rejected": report.rows_rejected,
        "errors": report.errors, "warnings": report.warnings,
    })
}

/// One upload.
///
/// # Errors
/// When the query fails.
pub async fn find_upload(conn: &impl ConnectionTrait, id: i64) -> Result<Option<inventory_upload::Model>, DbErr> {
    inventory_upload::Entity::find_by_id(id).one(conn).await
}

/// The file of an upload.
///
/// # Errors
/// When the query fails.
pub async fn upload_bytes(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Vec<u8>>, DbErr> {
    Ok(upload_file::Entity::find_by_id(id).one(conn).await?.map(|f| f.content))
}

/// The current upload of each établissement for a campaign: the latest one
/// covering it that was not withdrawn (validated or waiting for
/// validation).
///
/// # Errors
/// When the query fails.
pub async fn current_uploads(
    conn: &impl ConnectionTrait,
    campaign: CampaignYear,
    etablissements: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    latest_uploads(conn, campaign, etablissements, &[SUBMITTED, VALIDATED]).await
}

/// The upload whose rows count in each établissement's indicators: its
/// latest validated one that was not withdrawn (an upload waiting for
/// validation does not replace it yet).
///
/// # Errors
/// When the query fails.
pub async fn counted_uploads(
    conn: &impl ConnectionTrait,
    campaign: CampaignYear,
    etablissements: &[String],
) -> Result<HashMap<String, i64>, DbErr> {
    latest_uploads(conn, campaign, etablissements, &[VALIDATED]).await
}

async fn latest_uploads(
    conn: &impl ConnectionTrait,
    campaign: CampaignYear,
    etablissements: &[String],
    statuses: &[&str],
) -> Result<HashMap<String, i64>, DbErr> {
    // What covers these établissements first (few rows), then which of
    // those uploads are live.
    let coverage = upload_etablissement::Entity::find()
        .filter(upload_etablissement::Column::CampaignYear.eq(campaign.get()))
        .filter(upload_etablissement::Column::FinessEj.is_in(etablissements.to_vec()))
        .all(conn)
        .await?;
    let ids: Vec<i64> =
        coverage.iter().map(|c| c.upload_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let live: std::collections::HashSet<i64> = inventory_upload::Entity::find()
        .select_only()
        .column(inventory_upload::Column::Id)
        .filter(inventory_upload::Column::Id.is_in(ids))
        .filter(inventory_upload::Column::Status.is_in(statuses.iter().copied()))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut current: HashMap<String, i64> = HashMap::new();
    for c in coverage.into_iter().filter(|c| live.contains(&c.upload_id)) {
        let entry = current.entry(c.finess_ej).or_insert(c.upload_id);
        if c.upload_id > *entry {
            *entry = c.upload_id;
        }
    }
    Ok(current)
}

/// Filters on the current rows.
#[derive(Debug, Default, Clone)]
pub struct EntryFilter {
    /// Only this établissement (FINESS EJ).
    pub finess: Option<String>,
    /// Only this sub-domain.
    pub subdomain: Option<String>,
    /// Only this state (`product`, `unmatched`…).
    pub state: Option<String>,
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
) -> Result<PageOf<inventory_entry::Model>, DbErr> {
    let etablissements: Vec<String> = match &filter.finess {
        Some(only) => etablissements.iter().filter(|f| *f == only).cloned().collect(),
        None => etablissements.to_vec(),
    };
    let current = current_uploads(conn, campaign, &etablissements).await?;
    if current.is_empty() {
        return Ok(PageOf::empty(page));
    }
    let mut select = inventory_entry::Entity::find().filter(inventory_entry::Column::CampaignYear.eq(campaign.get()));
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
    let select = select
        .order_by_asc(inventory_entry::Column::FinessEj)
        .order_by_asc(inventory_entry::Column::UploadId)
        .order_by_asc(inventory_entry::Column::Sheet)
        .order_by_asc(inventory_entry::Column::RowNumber)
        .order_by_asc(inventory_entry::Column::Id);
    super::pagination::fetch_page(conn, select, page).await
}

/// Sets an upload's status, audited (`upload.validate`, `upload.withdraw`);
/// a validation records when and by whom. The caller checks the workflow.
///
/// # Errors
/// When a write fails.
pub async fn set_status(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    upload: inventory_upload::Model,
    status: &str,
    action: &str,
) -> Result<inventory_upload::Model, DbErr> {
    let (id, ght, before) = (upload.id, upload.ght_code.clone(), upload.status.clone());
    let mut model = upload.into_active_model();
    model.status = Set(status.to_owned());
    if status == VALIDATED {
        model.validated_at = Set(Some(super::now()));
        model.validated_by = Set(Some(actor.principal.label.clone()));
    }
    let updated = model.update(txn).await?;
    record_status(txn, actor, id, &ght, &before, status, action).await?;
    Ok(updated)
}

async fn record_status(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    id: i64,
    ght: &GhtCode,
    before: &str,
    after: &str,
    action: &str,
) -> Result<(), DbErr> {
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "upload",
            object_id: id.to_string(),
            ght_code: Some(ght.clone()),
            before: Some(serde_json::json!({ "status": before })),
            after: Some(serde_json::json!({ "status": after })),
        },
    )
    .await
}

/// One stored row.
///
/// # Errors
/// When the query fails.
pub async fn find_entry(conn: &impl ConnectionTrait, id: i64) -> Result<Option<inventory_entry::Model>, DbErr> {
    inventory_entry::Entity::find_by_id(id).one(conn).await
}

/// What changes in one row; `None` leaves a field as it is. The product
/// comes with its vendor.
#[derive(Debug, Default, Clone)]
pub struct EntryChanges {
    /// Matched product and its vendor (the state becomes `product`).
    pub product: Option<(i64, i64)>,
    /// Sub-domain code (no longer inferred).
    pub subdomain: Option<String>,
    /// The fields taken as given.
    pub fields: EntryFields,
}

/// The fields of a row a correction sets as given; `None` leaves one as it
/// is.
#[derive(Debug, Default, Clone)]
pub struct EntryFields {
    /// Version.
    pub version: Option<String>,
    /// Users.
    pub users: Option<i32>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
    /// Annual cost in cents.
    pub annual_cost_cents: Option<i64>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// Comment.
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
) -> Result<inventory_entry::Model, DbErr> {
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
pub async fn is_current(conn: &impl ConnectionTrait, entry: &inventory_entry::Model) -> Result<bool, DbErr> {
    let current = current_uploads(conn, entry.campaign_year, std::slice::from_ref(&entry.finess_ej)).await?;
    Ok(current.get(&entry.finess_ej) == Some(&entry.upload_id))
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
