//! The campaign of a GHT and its deposits: who deposited, who is missing,
//! who awaits validation; a deposit simulated first (its report grouped by
//! severity, the rows read), then confirmed; an upload's page with its
//! report, its annotated copy, its validation or withdrawal; one row
//! corrected in place; the history of deposits.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::dashboard::campaign_param;
use super::format::date;
use super::ght::ght_in_path;
use super::page::{NoFields, PageError, PageQuery, Submitted, TextFields, Uploaded, Visitor};
use crate::auth::Scope;
use crate::domain::{CampaignStatus, Finess, Role, SubdomainCode, UploadStatus};
use crate::error::AppError;
use crate::export::vision::state_label;
use crate::http::AppState;
use crate::http::cookies::see_other;
use crate::import::headers::{FIELDS, Field};
use crate::intake::{ImportRequest, ImportScope};
use crate::normalise::report::{Message, Report, Severity};
use crate::service::inventory::{self as inventory_service, Correction, StatusChange};
use crate::service::{deposits, indicators, reference};
use crate::store::inventory::EntryFields;
use crate::store::pagination::Page;

/// Messages shown per severity on a page (the annotated copy has them all).
const MESSAGES_SHOWN: u64 = 200;
/// Rows of a simulation shown.
const ROWS_SHOWN: usize = 30;

/// `?campagne=`.
#[derive(Debug, Default, Deserialize)]
pub struct CampaignQuery {
    campagne: Option<String>,
}

#[derive(Debug, Serialize)]
struct ProgressView {
    finess: String,
    name: String,
    status: &'static str,
    class: &'static str,
    upload: Option<i64>,
    uploaded_at: String,
    rows: String,
    warnings: String,
    unmatched: String,
}

#[derive(Debug, Serialize)]
struct UploadLine {
    id: i64,
    at: String,
    by: String,
    file: String,
    finess: String,
    status: &'static str,
}

/// A report as the pages show it: its counts, then its messages grouped by
/// severity, each with its sheet, row, column and value.
#[derive(Debug, Serialize)]
struct ReportView {
    file: String,
    rows_read: u32,
    rows_imported: u32,
    rows_rejected: u32,
    errors: u32,
    warnings: u32,
    sheets: Vec<(String, u32, u32)>,
    ignored: Vec<String>,
    groups: Vec<(&'static str, &'static str, u32, Vec<MessageView>)>,
}

#[derive(Debug, Serialize)]
struct MessageView {
    sheet: String,
    row: String,
    column: String,
    value: String,
    text: String,
}

impl ReportView {
    fn of(report: &Report, messages: &[Message]) -> Self {
        let group = |severity: Severity| -> Vec<MessageView> {
            messages
                .iter()
                .filter(|m| m.severity == severity)
                .take(MESSAGES_SHOWN as usize)
                .map(|m| MessageView {
                    sheet: m.sheet.clone(),
                    row: m.row.map(|r| r.to_string()).unwrap_or_default(),
                    column: match (&m.column, &m.header) {
                        (Some(c), Some(h)) => format!("{c} ({h})"),
                        (Some(c), None) => c.clone(),
                        (None, Some(h)) => h.clone(),
                        (None, None) => String::new(),
                    },
                    value: m.value.clone().unwrap_or_default(),
                    text: m.text.clone(),
                })
                .collect()
        };
        let infos = messages.iter().filter(|m| m.severity == Severity::Info).count() as u32;
        ReportView {
            file: report.file.clone(),
            rows_read: report.rows_read,
            rows_imported: report.rows_imported,
            rows_rejected: report.rows_rejected,
            errors: report.errors,
            warnings: report.warnings,
            sheets: report.sheets.iter().map(|s| (s.name.clone(), s.header_row, s.rows)).collect(),
            ignored: report.ignored_sheets.clone(),
            groups: vec![
                ("Erreurs", "erreurs", report.errors, group(Severity::Error)),
                ("Avertissements", "avertissements", report.warnings, group(Severity::Warning)),
                ("Informations", "informations", infos, group(Severity::Info)),
            ],
        }
    }
}

fn status_class(status: Option<UploadStatus>) -> (&'static str, &'static str) {
    match status {
        Some(UploadStatus::Validated) => ("validé", "ok"),
        Some(UploadStatus::Submitted) => ("en attente de validation", "attente"),
        Some(UploadStatus::Withdrawn) => ("retiré", "manque"),
        Some(UploadStatus::Rejected) => ("refusé", "manque"),
        None => ("aucun dépôt", "manque"),
    }
}

/// The campaign page of a GHT.
pub async fn campaign_page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(code): Path<String>,
    PageQuery(query): PageQuery<CampaignQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let campaigns = reference::campaigns(&state.db).await.map_err(fail)?;
    let year = match campaign_param(query.campagne.as_deref()).map_err(fail)? {
        Some(year) => year,
        None => campaigns
            .first()
            .map(|c| c.year)
            .ok_or_else(|| fail(AppError::not_found("aucune campagne n'est ouverte")))?,
    };
    let progress = indicators::campaign_progress(&state.db, &visitor.principal, &code, year).await.map_err(fail)?;
    let history = inventory_service::history(&state.db, &visitor.principal, &code, year).await.map_err(fail)?;
    let own = match &visitor.principal.scope {
        Scope::Etablissement { finess, .. } => Some(finess.to_string()),
        _ => None,
    };
    // An établissement sees where it stands itself, not its neighbours.
    let rows: Vec<ProgressView> = progress
        .etablissements
        .iter()
        .filter(|e| own.as_deref().is_none_or(|o| o == e.finess_ej))
        .map(|e| {
            let (status, class) = status_class(e.status);
            ProgressView {
                finess: e.finess_ej.clone(),
                name: e.name.clone(),
                status,
                class,
                upload: e.upload_id,
                uploaded_at: e.uploaded_at.map(|at| date(at.date_naive())).unwrap_or_default(),
                rows: e.rows.map(|r| r.to_string()).unwrap_or_default(),
                warnings: e.warnings.map(|r| r.to_string()).unwrap_or_default(),
                unmatched: e.unmatched.map(|r| r.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let missing = progress.etablissements.iter().filter(|e| e.status.is_none()).count();
    let uploads: Vec<UploadLine> = history
        .iter()
        .map(|u| UploadLine {
            id: u.id,
            at: u.uploaded_at.format("%d/%m/%Y %H:%M").to_string(),
            by: u.uploaded_by.clone(),
            file: u.file_name.clone(),
            finess: u.finess_ej.as_ref().map_or_else(|| "classeur du GHT".to_owned(), ToString::to_string),
            status: u.status.label(),
        })
        .collect();
    let writes_ght = visitor.principal.writes_ght(&code);
    let open = progress.campaign.status == CampaignStatus::Open;
    // Whom the caller deposits for: the GHT's workbook or one member (its
    // DSI and the operator), or itself (an établissement).
    let targets: Vec<(String, String)> = if !open {
        Vec::new()
    } else if writes_ght {
        std::iter::once(("ght".to_owned(), "Classeur du GHT (chaque ligne à son établissement)".to_owned()))
            .chain(
                progress.etablissements.iter().map(|e| (e.finess_ej.clone(), format!("{} ({})", e.name, e.finess_ej))),
            )
            .collect()
    } else if visitor.principal.role == Role::Etablissement {
        progress
            .etablissements
            .iter()
            .filter(|e| own.as_deref() == Some(e.finess_ej.as_str()))
            .map(|e| (e.finess_ej.clone(), format!("{} ({})", e.name, e.finess_ej)))
            .collect()
    } else {
        Vec::new()
    };
    visitor.page(
        "campagne.html",
        context! {
            code => code.to_string(),
            campaign => year.get(),
            campaigns => campaigns.iter().map(|c| c.year.get()).collect::<Vec<_>>(),
            open,
            deadline => progress.campaign.deadline.map(date),
            reference_date => date(progress.campaign.reference_date),
            expected => progress.etablissements.len(), reporting => progress.reporting, submitted => progress.submitted, missing,
            rows, uploads, targets,
            fields => header_fields(),
            max_mib => state.settings.max_upload_bytes / (1024 * 1024),
        },
    )
}

/// The fields a header can be mapped to: (name in a mapping, French label).
fn header_fields() -> Vec<(String, &'static str)> {
    FIELDS
        .iter()
        .filter_map(|(field, label, _)| match serde_json::to_value(field) {
            Ok(serde_json::Value::String(name)) => Some((name, *label)),
            _ => None,
        })
        .collect()
}

/// The header mapping a deposit form declares: one header of the file read
/// as one field (what a report asks for when a column is not recognised).
fn mapping_of(fields: &TextFields) -> Result<HashMap<String, Field>, AppError> {
    let (Some(header), Some(name)) = (fields.field("entete"), fields.field("champ")) else {
        return Ok(HashMap::new());
    };
    let field: Field = serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| AppError::Invalid(format!("« {name} » n'est pas un champ de l'inventaire")))?;
    Ok(HashMap::from([(header.to_owned(), field)]))
}

/// Simulates a deposit from the campaign page's form and shows its report;
/// the file is kept for the confirmation.
pub async fn simulate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Uploaded { visitor, form: fields, file }: Uploaded,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let code = ght_in_path(&code).map_err(fail)?;
    let field = |name: &str| fields.field(name);
    let year = campaign_param(field("campagne"))
        .map_err(fail)?
        .ok_or_else(|| fail(AppError::BadRequest("la campagne manque au formulaire".to_owned())))?;
    let (file_name, bytes) =
        file.ok_or_else(|| fail(AppError::BadRequest("choisissez le fichier à déposer".to_owned())))?;
    let scope = match field("cible") {
        None | Some("ght") => ImportScope::Ght(code.clone()),
        Some(raw) => ImportScope::Etablissement(
            Finess::parse(raw).map_err(|_| fail(AppError::not_found(format!("établissement {raw} introuvable"))))?,
        ),
    };
    let for_whom = match &scope {
        ImportScope::Ght(code) => format!("classeur du GHT {code}"),
        ImportScope::Etablissement(finess) => format!("établissement {finess}"),
    };
    let _worker = state.workers.admit(visitor.principal.caller).map_err(fail)?;
    let request = ImportRequest {
        scope,
        campaign: year,
        file_name,
        bytes,
        partial: field("partiel").is_some(),
        dry_run: true,
        mapping: mapping_of(&fields).map_err(fail)?,
        domain: field("domaine").map(str::to_owned),
    };
    let simulated = deposits::simulate(&state.db, &state.worker, visitor.actor(), request).await.map_err(fail)?;
    let report = &simulated.outcome.report;
    let rows: Vec<(String, String, String, &'static str, String)> = simulated
        .outcome
        .rows
        .iter()
        .take(ROWS_SHOWN)
        .map(|r| {
            (
                format!("{} ligne {}", r.sheet, r.row),
                r.finess_ej.to_string(),
                r.application_raw.clone(),
                state_label(r.state.as_str()),
                r.subdomain.clone().unwrap_or_default(),
            )
        })
        .collect();
    visitor.page(
        "simulation.html",
        context! {
            code => code.to_string(), campaign => year.get(), for_whom,
            report => ReportView::of(report, &report.messages),
            rows, key => simulated.key, partial => field("partiel").is_some(),
        },
    )
}

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    cle: String,
}

/// Imports the simulated file and shows its upload.
pub async fn confirm(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Submitted { visitor, form: sent }: Submitted<ConfirmForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    ght_in_path(&code).map_err(fail)?;
    let _worker = state.workers.admit(visitor.principal.caller).map_err(fail)?;
    match deposits::confirm(&state.db, &state.worker, visitor.actor(), sent.cle.trim()).await {
        Ok(outcome) => match outcome.upload {
            Some(upload) => see_other(&format!("/depots/{}", upload.id), Vec::new()).map_err(fail),
            None => Err(fail(AppError::Internal(anyhow::anyhow!("a confirmed deposit wrote no upload")))),
        },
        Err(AppError::InvalidInventory { upload_id, .. }) => {
            see_other(&format!("/depots/{upload_id}"), Vec::new()).map_err(fail)
        }
        Err(other) => Err(fail(other)),
    }
}

/// An upload's id from a page's path; a malformed one is simply not found.
fn id_in_path(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| AppError::not_found(format!("{what} {raw} introuvable")))
}

/// An upload's page: its report, its annotated copy, its validation.
pub async fn upload_page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let id = id_in_path(&id, "dépôt").map_err(fail)?;
    let (upload, report) = inventory_service::upload(&state.db, &visitor.principal, id).await.map_err(fail)?;
    let mut messages = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let page = Page { number: 1, size: MESSAGES_SHOWN };
        let found =
            inventory_service::messages(&state.db, &visitor.principal, id, Some(severity), page).await.map_err(fail)?;
        messages.extend(found.items);
    }
    let writes = visitor.principal.writes_ght(&upload.ght_code);
    let own = matches!(&visitor.principal.scope, Scope::Etablissement { finess, .. } if upload.finess_ej.as_ref() == Some(finess));
    let can_validate = writes && upload.status == UploadStatus::Submitted;
    let can_withdraw = (writes || own) && matches!(upload.status, UploadStatus::Submitted | UploadStatus::Validated);
    visitor.page(
        "depot.html",
        context! {
            id, ght => upload.ght_code.to_string(), campaign => upload.campaign_year.get(),
            file => upload.file_name.clone(),
            finess => upload.finess_ej.as_ref().map(ToString::to_string),
            by => upload.uploaded_by.clone(),
            at => upload.uploaded_at.format("%d/%m/%Y %H:%M").to_string(),
            status => upload.status.label(),
            validated_by => upload.validated_by.clone(),
            report => ReportView::of(&report, &messages),
            can_validate, can_withdraw,
        },
    )
}

async fn change(visitor: Visitor, state: AppState, id: String, change: StatusChange) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let id = id_in_path(&id, "dépôt").map_err(fail)?;
    inventory_service::change_status(&state.db, visitor.actor(), id, change).await.map_err(fail)?;
    see_other(&format!("/depots/{id}"), Vec::new()).map_err(fail)
}

/// Validates an upload.
pub async fn validate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    change(visitor, state, id, StatusChange::Validate).await
}

/// Withdraws an upload.
pub async fn withdraw(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    change(visitor, state, id, StatusChange::Withdraw).await
}

/// `?corrigee=1` after a correction.
#[derive(Debug, Default, Deserialize)]
pub struct EntryQuery {
    corrigee: Option<String>,
}

/// The correction form of one row.
pub async fn entry_page(
    visitor: Visitor,
    State(state): State<AppState>,
    Path(id): Path<String>,
    PageQuery(query): PageQuery<EntryQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let id = id_in_path(&id, "ligne").map_err(fail)?;
    let (entry, ght) =
        crate::service::access::writable_entry(state.db.reader(), &visitor.principal, id).await.map_err(fail)?;
    let product = match entry.product_id {
        Some(pid) => crate::service::catalogue::product_names(&state.db, vec![pid]).await.map_err(fail)?.remove(&pid),
        None => None,
    };
    visitor.page(
        "ligne.html",
        context! {
            id, ght => ght.to_string(), campaign => entry.campaign_year.get(),
            place => format!("{} ligne {}", entry.sheet, entry.row_number),
            finess => entry.finess_ej.to_string(),
            application => entry.application_raw.clone(),
            product, product_id => entry.product_id,
            state => state_label(entry.state.as_str()),
            subdomain => entry.subdomain_code.as_ref().map(ToString::to_string),
            version => entry.version.clone(),
            users => entry.users,
            contract_end => entry.contract_end.map(|d| d.to_string()),
            annual_cost => entry.annual_cost_cents.map(|c| format!("{}", c / 100)),
            comment => entry.comment.clone(),
            corrected => query.corrigee.is_some(),
        },
    )
}

/// The correction form's fields; an empty field leaves the value as it is.
#[derive(Debug, Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    produit: String,
    #[serde(default)]
    sous_domaine: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    utilisateurs: String,
    #[serde(default)]
    fin_contrat: String,
    #[serde(default)]
    cout_annuel: String,
    #[serde(default)]
    commentaire: String,
}

/// Corrects one row.
pub async fn correct_entry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { visitor, form: sent }: Submitted<EntryForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let id = id_in_path(&id, "ligne").map_err(fail)?;
    let correction = correction_of(&sent).map_err(fail)?;
    inventory_service::correct_entry(&state.db, visitor.actor(), id, correction).await.map_err(fail)?;
    see_other(&format!("/lignes/{id}?corrigee=1"), Vec::new()).map_err(fail)
}

fn correction_of(sent: &EntryForm) -> Result<Correction, AppError> {
    fn some(raw: &str) -> Option<&str> {
        Some(raw.trim()).filter(|v| !v.is_empty())
    }
    fn number<T: std::str::FromStr>(raw: &str, what: &str) -> Result<Option<T>, AppError> {
        some(raw)
            .map(|v| v.replace([' ', '\u{202f}', '\u{a0}'], "").parse::<T>())
            .transpose()
            .map_err(|_| AppError::Invalid(format!("{what} : « {raw} » n'est pas un nombre entier")))
    }
    let contract_end = some(&sent.fin_contrat)
        .map(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d"))
        .transpose()
        .map_err(|_| AppError::Invalid(format!("fin de contrat : « {} » n'est pas une date", sent.fin_contrat)))?;
    let euros: Option<i64> = number(&sent.cout_annuel, "coût annuel")?;
    Ok(Correction {
        product_id: number(&sent.produit, "produit")?,
        subdomain: some(&sent.sous_domaine)
            .map(|raw| {
                SubdomainCode::parse(raw).map_err(|_| {
                    AppError::Invalid(format!("le sous-domaine « {raw} » n'existe pas dans la nomenclature"))
                })
            })
            .transpose()?,
        fields: EntryFields {
            version: some(&sent.version).map(str::to_owned),
            users: number(&sent.utilisateurs, "utilisateurs")?,
            contract_end,
            annual_cost_cents: euros.map(|e| e.saturating_mul(100)),
            identity_connected: None,
            comment: some(&sent.commentaire).map(str::to_owned),
        },
    })
}
