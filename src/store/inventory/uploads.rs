//! Uploads: their bytes, their life (begun, finished, rejected, validated,
//! withdrawn) and which one of each établissement is current.

use super::*;
use crate::store::StoreError;

/// Where an upload goes and what it is.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// The campaign (its year).
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
    /// Submitted (awaiting validation), validated, or rejected.
    pub status: UploadStatus,
}

/// An earlier upload of the same bytes for the same scope and campaign,
/// still in force: uploading it again changes nothing.
///
/// # Errors
/// When the query fails.
pub async fn same_bytes(
    conn: &impl ConnectionTrait,
    new: &NewUpload,
) -> Result<Option<inventory_upload::Model>, StoreError> {
    let mut select = inventory_upload::Entity::find()
        .filter(inventory_upload::Column::Sha256.eq(new.sha256.as_str()))
        .filter(inventory_upload::Column::CampaignYear.eq(new.campaign.get()))
        .filter(inventory_upload::Column::GhtCode.eq(new.ght.as_str()))
        .filter(inventory_upload::Column::Status.is_in([UploadStatus::Submitted, UploadStatus::Validated]));
    select = match &new.finess_ej {
        Some(f) => select.filter(inventory_upload::Column::FinessEj.eq(f.as_str())),
        None => select.filter(inventory_upload::Column::FinessEj.is_null()),
    };
    Ok(select.order_by_asc(inventory_upload::Column::Id).one(conn).await?)
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
) -> Result<inventory_upload::Model, StoreError> {
    let now = crate::store::now();
    let validated = new.status == UploadStatus::Validated;
    Ok(inventory_upload::ActiveModel {
        campaign_year: Set(new.campaign),
        ght_code: Set(new.ght.clone()),
        finess_ej: Set(new.finess_ej.clone()),
        file_name: Set(new.file_name.clone()),
        format: Set(new.format.clone()),
        size_bytes: Set(new.bytes.len() as i64),
        sha256: Set(new.sha256.clone()),
        uploaded_by_token: Set(actor.principal.token_id()),
        uploaded_by: Set(actor.principal.label.clone()),
        uploaded_at: Set(now),
        status: Set(new.status),
        validated_at: Set(validated.then_some(now)),
        validated_by: Set(validated.then(|| actor.principal.label.clone())),
        report: Set("{}".to_owned()),
        ..Default::default()
    }
    .insert(txn)
    .await?)
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
) -> Result<inventory_upload::Model, StoreError> {
    upload_file::ActiveModel { upload_id: Set(upload.id), content: Set(bytes) }.insert(txn).await?;
    let coverage: Vec<upload_etablissement::ActiveModel> = covered
        .iter()
        .map(|(finess, rows)| upload_etablissement::ActiveModel {
            upload_id: Set(upload.id),
            finess_ej: Set(finess.clone()),
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
) -> Result<inventory_upload::Model, StoreError> {
    inventory_entry::Entity::delete_many().filter(inventory_entry::Column::UploadId.eq(upload.id)).exec(txn).await?;
    let mut model = upload.into_active_model();
    model.status = Set(UploadStatus::Rejected);
    model.validated_at = Set(None);
    model.validated_by = Set(None);
    let upload = model.update(txn).await?;
    finish_upload(txn, actor, upload, bytes, &std::collections::BTreeMap::new(), report).await
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
pub async fn find_upload(conn: &impl ConnectionTrait, id: i64) -> Result<Option<inventory_upload::Model>, StoreError> {
    Ok(inventory_upload::Entity::find_by_id(id).one(conn).await?)
}

/// The file of an upload.
///
/// # Errors
/// When the query fails.
pub async fn upload_bytes(conn: &impl ConnectionTrait, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
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
) -> Result<HashMap<String, i64>, StoreError> {
    latest_uploads(conn, campaign, etablissements, &[UploadStatus::Submitted, UploadStatus::Validated]).await
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
) -> Result<HashMap<String, i64>, StoreError> {
    latest_uploads(conn, campaign, etablissements, &[UploadStatus::Validated]).await
}

async fn latest_uploads(
    conn: &impl ConnectionTrait,
    campaign: CampaignYear,
    etablissements: &[String],
    statuses: &[UploadStatus],
) -> Result<HashMap<String, i64>, StoreError> {
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
        .filter(inventory_upload::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut current: HashMap<String, i64> = HashMap::new();
    for c in coverage.into_iter().filter(|c| live.contains(&c.upload_id)) {
        let entry = current.entry(c.finess_ej.to_string()).or_insert(c.upload_id);
        if c.upload_id > *entry {
            *entry = c.upload_id;
        }
    }
    Ok(current)
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
    status: UploadStatus,
    action: &str,
) -> Result<inventory_upload::Model, StoreError> {
    let (id, ght, before) = (upload.id, upload.ght_code.clone(), upload.status);
    let mut model = upload.into_active_model();
    model.status = Set(status);
    if status == UploadStatus::Validated {
        model.validated_at = Set(Some(crate::store::now()));
        model.validated_by = Set(Some(actor.principal.label.clone()));
    }
    let updated = model.update(txn).await?;
    record_status(txn, actor, id, &ght, before, status, action).await?;
    Ok(updated)
}

async fn record_status(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    id: i64,
    ght: &GhtCode,
    before: UploadStatus,
    after: UploadStatus,
    action: &str,
) -> Result<(), StoreError> {
    audit::record(
        txn,
        actor,
        Change {
            action,
            object_type: "upload",
            object_id: id.to_string(),
            ght_code: Some(ght.clone()),
            before: Some(serde_json::json!({ "status": before.as_str() })),
            after: Some(serde_json::json!({ "status": after.as_str() })),
        },
    )
    .await
}

/// Every upload of a GHT for a campaign, latest first (at most `limit`).
///
/// # Errors
/// When the query fails.
pub async fn of_ght(
    conn: &impl ConnectionTrait,
    ght: &GhtCode,
    campaign: CampaignYear,
    limit: u64,
) -> Result<Vec<inventory_upload::Model>, StoreError> {
    use sea_orm::{QueryOrder, QuerySelect};
    Ok(inventory_upload::Entity::find()
        .filter(inventory_upload::Column::GhtCode.eq(ght.as_str()))
        .filter(inventory_upload::Column::CampaignYear.eq(campaign.get()))
        .order_by_desc(inventory_upload::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}
