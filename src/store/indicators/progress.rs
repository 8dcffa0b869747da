//! Where each expected établissement of a GHT stands in a campaign.

use super::*;
use crate::store::StoreError;

/// Where one expected établissement stands in a campaign.
#[derive(Debug, Clone)]
pub struct EtablissementProgress {
    /// FINESS juridique.
    pub finess_ej: String,
    /// Name, as registered.
    pub name: String,
    /// The status of its current upload (`validated`: counts in the
    /// indicators; `submitted`: waiting for the DSI's validation), or
    /// `None` when it deposited nothing.
    pub status: Option<crate::domain::UploadStatus>,
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
) -> Result<Vec<EtablissementProgress>, StoreError> {
    use sea_orm::{PaginatorTrait, QuerySelect};

    use crate::store::entities::{inventory_upload, upload_etablissement};
    let members = ghts::members_at(conn, ght, reference_date).await?;
    let finess: Vec<String> = members.iter().map(|(_, e)| e.finess_ej.to_string()).collect();
    let current = inventory::current_uploads(conn, year, &finess).await?;
    let mut progress = Vec::new();
    for (_, etablissement) in members {
        let Some(&upload_id) = current.get(etablissement.finess_ej.as_str()) else {
            progress.push(EtablissementProgress {
                finess_ej: etablissement.finess_ej.to_string(),
                name: etablissement.name,
                status: None,
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
        let report = upload.as_ref().map(inventory::report_summary).transpose()?;
        progress.push(EtablissementProgress {
            finess_ej: etablissement.finess_ej.to_string(),
            name: etablissement.name,
            status: upload.as_ref().map(|u| u.status),
            upload_id: Some(upload_id),
            uploaded_at: upload.map(|u| u.uploaded_at),
            rows,
            warnings: report.map(|r| r.warnings),
            unmatched: Some(unmatched),
        });
    }
    Ok(progress)
}

/// How many établissements each GHT expected and how many reported, for a
/// campaign: the members at its reference date, and the reporting count
/// of the GHT's stored run (none yet: nobody reported). Two queries for
/// any number of GHTs, for the national table.
///
/// # Errors
/// When a query fails.
pub async fn completeness(
    conn: &impl ConnectionTrait,
    year: CampaignYear,
    reference_date: chrono::NaiveDate,
    codes: &[String],
) -> Result<BTreeMap<String, (i32, i32)>, StoreError> {
    use sea_orm::QuerySelect;

    use crate::store::entities::ght_membership;
    let members: Vec<String> = ght_membership::Entity::find()
        .select_only()
        .column(ght_membership::Column::GhtCode)
        .filter(ghts::active_on(reference_date))
        .filter(ght_membership::Column::GhtCode.is_in(codes.iter().cloned()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut counts: BTreeMap<String, (i32, i32)> = codes.iter().map(|c| (c.clone(), (0, 0))).collect();
    for code in members {
        if let Some(count) = counts.get_mut(&code) {
            count.0 += 1;
        }
    }
    let runs: Vec<(String, i32)> = indicator_run::Entity::find()
        .select_only()
        .columns([indicator_run::Column::GhtCode, indicator_run::Column::Reporting])
        .filter(indicator_run::Column::CampaignYear.eq(year.get()))
        .into_tuple()
        .all(conn)
        .await?;
    for (code, reporting) in runs {
        if let Some(count) = counts.get_mut(&code) {
            count.1 = reporting;
        }
    }
    Ok(counts)
}
