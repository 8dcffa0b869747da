//! Inventory uploads: deposit, report, annotated copy, validation,
//! withdrawal, current rows and row corrections.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::domain::{ConvergenceStatus, Criticality, Finess, Hosting, SubdomainCode};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::answers::{JsonBytes, accepts_gzip};
use crate::http::auth::{AnyRole, Auth, GhtWriters, UploadWriters};
use crate::http::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery};
use crate::http::pagination::{PageParams, Paginated};
use crate::import::headers::Field;
use crate::intake::{self, ImportRequest, ImportScope};
use crate::normalise::matcher::MatchMethod;
use crate::normalise::report::{Message, Report, Severity};
use crate::normalise::row::NormalisedRow;
use crate::normalise::sentinel::EntryState;
use crate::service::inventory::{self as inventory_service, Correction, StatusChange};
use crate::store::StoreError;
use crate::store::entities::{inventory_entry, inventory_upload};
use crate::store::inventory::{self, EntryFields, EntryFilter};

/// An upload and its report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadView {
    /// Identifier (to read it again or act on it).
    pub id: i64,
    /// The campaign (its year).
    pub campaign: i32,
    /// The GHT (its code).
    pub ght_code: String,
    /// Établissement, for an établissement-level upload.
    pub finess_ej: Option<String>,
    /// File name.
    pub file_name: String,
    /// Detected format.
    pub format: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When it was deposited.
    pub uploaded_at: DateTime<Utc>,
    /// `submitted`, `validated`, `withdrawn` or `rejected`.
    pub status: String,
    /// Who validated it.
    pub validated_by: Option<String>,
    /// The report.
    pub report: Report,
}

impl UploadView {
    /// The view of an upload just changed, with its report.
    async fn load(state: &AppState, upload: inventory_upload::Model) -> Result<Self, AppError> {
        let report = inventory_service::report_of(&state.db, &upload).await?;
        Ok(UploadView::with_report(upload, report))
    }

    fn with_report(u: inventory_upload::Model, report: Report) -> Self {
        UploadView {
            report,
            id: u.id,
            campaign: u.campaign_year.get(),
            ght_code: u.ght_code.to_string(),
            finess_ej: u.finess_ej.map(|f| f.to_string()),
            file_name: u.file_name,
            format: u.format,
            size_bytes: u.size_bytes,
            sha256: u.sha256,
            uploaded_by: u.uploaded_by,
            uploaded_at: u.uploaded_at,
            status: u.status.to_string(),
            validated_by: u.validated_by,
        }
    }
}

/// The answer to a deposit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepositView {
    /// The stored upload (absent for a dry run).
    pub upload: Option<UploadView>,
    /// The report.
    pub report: Report,
    /// The same file was already deposited: this is the first deposit, and
    /// nothing was written.
    pub duplicate: bool,
    /// The first 1,000 normalised rows (dry run only; `report.rows_imported`
    /// counts them all).
    pub rows: Vec<NormalisedRow>,
}

/// `?partial=&dry_run=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepositParams {
    /// Import the valid rows even if others have errors (default: refuse the whole file).
    #[serde(default)]
    pub partial: bool,
    /// Return the report and the normalised rows without writing anything.
    #[serde(default)]
    pub dry_run: bool,
    /// The domain or sub-domain the whole file is about (`URG`, `Urgences`,
    /// `LAB.SIL`): rows without a domain cell take it, and it is remembered
    /// for later deposits of the same layout (same headers); `aucun` forgets
    /// it.
    pub domain: Option<String>,
}

/// The multipart body of a deposit.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct DepositForm {
    /// The inventory file (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Optional JSON object: header as written → field (`{"Outil": "application"}`),
    /// saved for the GHT and reused by later deposits.
    mapping: Option<String>,
}

struct Deposit {
    file_name: String,
    bytes: Vec<u8>,
    mapping: HashMap<String, Field>,
}

async fn read_deposit(mut multipart: Multipart, max_bytes: usize) -> Result<Deposit, AppError> {
    let limit = max_bytes as u64;
    let too_large = || AppError::Ingest(crate::import::IngestError::TooLarge { limit });
    let mut file = None;
    let mut mapping = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(|e| AppError::multipart(&e, limit))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("inventaire").to_owned();
                let bytes = field.bytes().await.map_err(|e| AppError::multipart(&e, limit))?;
                if bytes.len() > max_bytes {
                    return Err(too_large());
                }
                file = Some((name, bytes.to_vec()));
            }
            Some("mapping") => {
                let text = field.text().await.map_err(|e| AppError::multipart(&e, limit))?;
                if !text.trim().is_empty() {
                    mapping = parse_mapping(&text)?;
                }
            }
            _ => {}
        }
    }
    let (file_name, bytes) = file.ok_or_else(|| {
        AppError::BadRequest("le formulaire doit contenir le fichier dans le champ « file »".to_owned())
    })?;
    Ok(Deposit { file_name, bytes, mapping })
}

fn parse_mapping(text: &str) -> Result<HashMap<String, Field>, AppError> {
    let raw: HashMap<String, String> = serde_json::from_str(text).map_err(|e| {
        AppError::Invalid(format!(
            "le paramètre mapping doit être un objet JSON en-tête → champ : {}",
            crate::http::extract::french(&e.to_string())
        ))
    })?;
    raw.into_iter()
        .map(|(header, field)| {
            serde_json::from_value::<Field>(serde_json::Value::String(field.clone())).map(|f| (header.clone(), f)).map_err(|_| {
                AppError::Invalid(format!(
                    "« {field} » (pour l'en-tête « {header} ») n'est pas un champ de l'inventaire : application, vendor, version, subdomain, domain, users, contract_end, annual_cost…"
                ))
            })
        })
        .collect()
}

async fn deposit(
    state: &AppState,
    actor: crate::store::audit::Actor<'_>,
    scope: ImportScope,
    year: i64,
    params: DepositParams,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let campaign = super::campaigns::year_in_path(year)?;
    let _worker = state.workers.admit(actor.principal.caller)?;
    let deposit = read_deposit(multipart, state.settings.max_upload_bytes).await?;
    let request = ImportRequest {
        scope,
        campaign,
        file_name: deposit.file_name,
        bytes: deposit.bytes,
        partial: params.partial,
        dry_run: params.dry_run,
        mapping: deposit.mapping,
        domain: params.domain,
    };
    let outcome = intake::import(&state.db, &state.worker, actor, request).await?;
    let status = if outcome.duplicate || outcome.upload.is_none() { StatusCode::OK } else { StatusCode::CREATED };
    let view = DepositView {
        upload: outcome.upload.map(|u| UploadView::with_report(u, outcome.report.clone())),
        report: outcome.report,
        duplicate: outcome.duplicate,
        rows: outcome.rows,
    };
    Ok((status, Json(view)).into_response())
}

/// Deposits an établissement's inventory.
#[utoipa::path(post, path = "/api/v1/etablissements/{finess}/campaigns/{year}/inventory", tag = "inventaires",
    params(("finess" = String, Path, description = "FINESS juridique"), ("year" = i32, Path, description = "Campagne"), DepositParams),
    request_body(content = DepositForm, content_type = "multipart/form-data"),
    description = "Dépose l'inventaire d'un établissement (remplace son inventaire courant pour la campagne). Strict par défaut : une seule erreur et rien n'est importé (422, rapport complet). Le même fichier déposé deux fois renvoie le premier dépôt (200). Rôles : admin, ght (son GHT), etablissement (lui-même ; dépôt à valider par la DSI).",
    responses(
        (status = 201, description = "Dépôt enregistré", body = DepositView),
        (status = 200, description = "Simulation (dry_run) ou fichier déjà déposé", body = DepositView),
        (status = 409, description = "Campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Fichier trop volumineux (éventuellement une fois décompressé)", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fichier illisible, ou inventaire refusé avec son rapport", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn deposit_etablissement_inventory(
    auth: Auth<UploadWriters>,
    State(state): State<AppState>,
    ApiPath((finess, year)): ApiPath<(String, i64)>,
    ApiQuery(params): ApiQuery<DepositParams>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Response, AppError> {
    let finess =
        Finess::parse(&finess).map_err(|_| AppError::not_found(format!("établissement {finess} introuvable")))?;
    crate::service::access::writable_inventory(state.db.reader(), &auth.principal, &finess).await?;
    deposit(&state, auth.actor(), ImportScope::Etablissement(finess), year, params, multipart).await
}

/// Deposits a GHT-level workbook.
#[utoipa::path(post, path = "/api/v1/ghts/{code}/campaigns/{year}/inventory", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i32, Path, description = "Campagne"), DepositParams),
    request_body(content = DepositForm, content_type = "multipart/form-data"),
    description = "Dépose un classeur couvrant plusieurs établissements du GHT : chaque ligne va à son établissement par son FINESS (EJ ou ET), sinon par le nom de sa feuille ; l'inventaire de chaque établissement présent est remplacé. Rôles : admin, ght (son GHT).",
    responses(
        (status = 201, description = "Dépôt enregistré", body = DepositView),
        (status = 200, description = "Simulation (dry_run) ou fichier déjà déposé", body = DepositView),
        (status = 409, description = "Campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Fichier trop volumineux", body = crate::http::problem::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Fichier illisible, ou inventaire refusé avec son rapport", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn deposit_ght_inventory(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i64)>,
    ApiQuery(params): ApiQuery<DepositParams>,
    ApiMultipart(multipart): ApiMultipart,
) -> Result<Response, AppError> {
    let code = parse_code(&code)?;
    crate::service::access::writable_ght(state.db.reader(), &auth.principal, &code).await?;
    deposit(&state, auth.actor(), ImportScope::Ght(code), year, params, multipart).await
}

/// An inventory row as stored.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryView {
    /// Identifier (to correct it).
    pub id: i64,
    /// Upload it came with.
    pub upload_id: i64,
    /// The établissement (FINESS juridique).
    pub finess_ej: String,
    /// The site (FINESS géographique), when the row names one.
    pub finess_et: Option<String>,
    /// Sheet and row of the file.
    pub sheet: String,
    /// Excel row.
    pub row: i32,
    /// Application as written.
    pub application_raw: String,
    /// What the row holds: a product, an unmatched name, an in-house tool,
    /// no software, or nothing that can be said.
    pub state: EntryState,
    /// Matched product.
    pub product_id: Option<i64>,
    /// Match confidence.
    pub match_confidence: Option<f64>,
    /// How the product was matched.
    pub match_method: Option<MatchMethod>,
    /// Flags raised on the row (`low_confidence`, `vendor_mismatch`).
    pub flags: Vec<String>,
    /// Vendor (catalogue id): the product's current vendor when matched.
    pub vendor_id: Option<i64>,
    /// Sub-domain.
    pub subdomain: Option<String>,
    /// Whether the sub-domain was inferred from the product.
    pub subdomain_inferred: bool,
    /// Version, as written.
    pub version: Option<String>,
    /// Declared number of users.
    pub users: Option<i32>,
    /// Hosting: `local`, `datacenter_ght`, `hds` or `saas`.
    pub hosting: Option<Hosting>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
    /// Annual cost in cents.
    pub annual_cost_cents: Option<i64>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// Criticality: `faible`, `moyenne`, `haute` or `critique`.
    pub criticality: Option<Criticality>,
    /// Convergence status.
    pub convergence_status: Option<ConvergenceStatus>,
    /// Every cell by header, verbatim.
    #[schema(value_type = Object)]
    pub raw: Box<serde_json::value::RawValue>,
    /// Unknown columns, by header.
    #[schema(value_type = Object)]
    pub extra: Box<serde_json::value::RawValue>,
}

impl TryFrom<inventory_entry::Model> for EntryView {
    type Error = StoreError;

    fn try_from(e: inventory_entry::Model) -> Result<Self, StoreError> {
        let documents = inventory::documents(&e)?;
        Ok(EntryView {
            id: e.id,
            upload_id: e.upload_id,
            finess_ej: e.finess_ej.to_string(),
            finess_et: e.finess_et.map(|f| f.to_string()),
            sheet: e.sheet,
            row: e.row_number,
            application_raw: e.application_raw,
            state: e.state,
            product_id: e.product_id,
            match_confidence: e.match_confidence,
            match_method: e.match_method,
            flags: documents.flags,
            vendor_id: e.vendor_id,
            subdomain: e.subdomain_code.map(|s| s.to_string()),
            subdomain_inferred: e.subdomain_inferred,
            version: e.version,
            users: e.users,
            hosting: e.hosting,
            contract_end: e.contract_end,
            annual_cost_cents: e.annual_cost_cents,
            identity_connected: e.identity_connected,
            criticality: e.criticality,
            convergence_status: e.convergence_status,
            raw: documents.raw,
            extra: documents.extra,
        })
    }
}

/// `?finess=&subdomain=&state=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Only this établissement (FINESS juridique).
    pub finess: Option<String>,
    /// Only this sub-domain (`DPI.CORE`).
    pub subdomain: Option<String>,
    /// Only this state (`product`, `unmatched`, `in_house`, `not_computerised`, `unspecified`).
    pub state: Option<String>,
}

/// Lists the current inventory rows of a GHT.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/campaigns/{year}/inventory", tag = "inventaires",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i32, Path, description = "Campagne"), EntryQuery, PageParams),
    description = "Les lignes courantes de l'inventaire du GHT pour une campagne (dernier dépôt non retiré de chaque établissement), page par page, par établissement puis ligne. Les établissements sont ceux membres du GHT à la date de référence de la campagne (comme pour les indicateurs) : un ancien membre garde ses lignes des campagnes passées. Filtres : établissement (FINESS EJ), sous-domaine, état. Un établissement n'y voit que les siennes. Rôles : tous.",
    responses((status = 200, description = "Lignes", body = Paginated<EntryView>)))]
pub async fn list_ght_inventory(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i64)>,
    ApiQuery(query): ApiQuery<EntryQuery>,
    ApiQuery(page): ApiQuery<PageParams>,
    headers: HeaderMap,
) -> Result<JsonBytes, AppError> {
    let code = parse_code(&code)?;
    let campaign = super::campaigns::year_in_path(year)?;
    let page = page.page()?;
    let finess = match query.finess {
        Some(raw) => {
            Some(Finess::parse(&raw).map_err(|e| AppError::BadRequest(format!("paramètre finess : {e}")))?.to_string())
        }
        None => None,
    };
    let subdomain = match query.subdomain {
        Some(raw) => {
            Some(SubdomainCode::parse(&raw).map_err(|e| AppError::BadRequest(format!("paramètre subdomain : {e}")))?)
        }
        None => None,
    };
    let entry_state = match query.state {
        Some(raw) => Some(EntryState::parse(&raw).ok_or_else(|| {
            AppError::BadRequest(format!(
                "paramètre state : « {raw} » n'est pas un état de ligne (product, unmatched, in_house, not_computerised, unspecified)"
            ))
        })?),
        None => None,
    };
    let filter = EntryFilter { finess, subdomain, state: entry_state };
    // Read before the listing: a page is kept with the commit count of the
    // data it was read from, never a later one.
    let commits = state.db.commits();
    let readable = inventory_service::readable_listing(&state.db, &auth.principal, &code, campaign).await?;
    let key = format!(
        "{code}|{campaign}|{}|{}|{}|{}|{}|{}",
        readable.viewpoint(),
        filter.finess.as_deref().unwrap_or_default(),
        filter.subdomain.as_ref().map(ToString::to_string).unwrap_or_default(),
        filter.state.map(EntryState::as_str).unwrap_or_default(),
        page.number,
        page.size,
    );
    let gzip = accepts_gzip(&headers);
    if let Some(kept) = state.pages.kept(&key, commits, gzip) {
        return Ok(kept);
    }
    let rows = inventory_service::current_rows(&state.db, &readable, &filter, page).await?;
    let view = Paginated::try_of(rows, EntryView::try_from)?;
    state.pages.keep(key, commits, &view, gzip).map_err(|e| AppError::Internal(e.into()))
}

/// Reads an upload and its report.
#[utoipa::path(get, path = "/api/v1/uploads/{id}", tag = "inventaires",
    params(("id" = i64, Path, description = "Identifiant du dépôt")),
    description = "Un dépôt et son rapport (compteurs, et pour chaque message : fichier, feuille, ligne, colonne, valeur, explication). Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Dépôt", body = UploadView)))]
pub async fn get_upload(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UploadView>, AppError> {
    let (upload, report) = inventory_service::upload(&state.db, &auth.principal, id).await?;
    Ok(Json(UploadView::with_report(upload, report)))
}

/// `?severity=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Only `error`, `warning` or `info` messages.
    pub severity: Option<Severity>,
}

/// Lists an upload's report messages, page by page.
#[utoipa::path(get, path = "/api/v1/uploads/{id}/messages", tag = "inventaires",
    params(("id" = i64, Path, description = "Identifiant du dépôt"), MessageQuery, PageParams),
    description = "Tous les messages du rapport d'un dépôt, dans l'ordre des feuilles et des lignes, page par page (le rapport n'en montre que les 1 000 premiers). Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Messages", body = Paginated<Message>)))]
pub async fn list_upload_messages(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<MessageQuery>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Paginated<Message>>, AppError> {
    let page = page.page()?;
    let messages = inventory_service::messages(&state.db, &auth.principal, id, query.severity, page).await?;
    Ok(Json(Paginated::of(messages, |m| m)))
}

/// Downloads the annotated copy of an upload.
#[utoipa::path(get, path = "/api/v1/uploads/{id}/annotated.xlsx", tag = "inventaires",
    params(("id" = i64, Path, description = "Identifiant du dépôt")),
    description = "La copie annotée du fichier déposé : ses feuilles, lignes et colonnes, une colonne « Statut de l'import », les cellules en erreur surlignées avec un commentaire. À corriger puis déposer à nouveau. Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur annoté", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>)))]
pub async fn get_annotated(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, AppError> {
    let _worker = state.workers.admit(auth.principal.caller)?;
    let (file_name, content) = inventory_service::annotated_copy(&state.db, &state.worker, &auth.principal, id).await?;
    let stem = file_name.rsplit_once('.').map_or(file_name.as_str(), |(s, _)| s);
    let disposition = format!("attachment; filename=\"{}-annote.xlsx\"", stem.replace(['"', '\\', '\r', '\n'], "_"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response())
}

/// Validates a submitted upload.
#[utoipa::path(post, path = "/api/v1/uploads/{id}/validate", tag = "inventaires",
    params(("id" = i64, Path, description = "Identifiant du dépôt")),
    description = "Valide un dépôt fait par un établissement : il compte alors dans les indicateurs. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Dépôt validé", body = UploadView),
        (status = 409, description = "Rien à valider", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn validate_upload(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UploadView>, AppError> {
    let updated = inventory_service::change_status(&state.db, auth.actor(), id, StatusChange::Validate).await?;
    Ok(Json(UploadView::load(&state, updated).await?))
}

/// Withdraws an upload.
#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "inventaires",
    params(("id" = i64, Path, description = "Identifiant du dépôt")),
    description = "Retire un dépôt : le dépôt précédent de chaque établissement concerné redevient courant. L'historique est conservé. Rôles : admin, ght (son GHT), etablissement (ses propres dépôts).",
    responses(
        (status = 200, description = "Dépôt retiré", body = UploadView),
        (status = 409, description = "Déjà retiré, ou campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw_upload(
    auth: Auth<UploadWriters>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<UploadView>, AppError> {
    let updated = inventory_service::change_status(&state.db, auth.actor(), id, StatusChange::Withdraw).await?;
    Ok(Json(UploadView::load(&state, updated).await?))
}

/// A correction of one row; an absent field is left as it is.
#[derive(Debug, Default, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryPatch {
    /// Matched product (the state becomes `product`).
    pub product_id: Option<i64>,
    /// Sub-domain code.
    pub subdomain: Option<String>,
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

/// Corrects one inventory row.
#[utoipa::path(patch, path = "/api/v1/entries/{id}", tag = "inventaires", request_body = EntryPatch,
    params(("id" = i64, Path, description = "Identifiant de la ligne")),
    description = "Corrige une ligne de l'inventaire courant (produit, sous-domaine, version, utilisateurs, fin de contrat, coût, connexion au référentiel d'identités, commentaire), avec trace dans le journal. Rôles : admin, ght (son GHT).",
    responses(
        (status = 200, description = "Ligne corrigée", body = EntryView),
        (status = 409, description = "Ligne d'un dépôt qui n'est plus courant, ou campagne close", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn patch_entry(
    auth: Auth<GhtWriters>,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<EntryPatch>,
) -> Result<Json<EntryView>, AppError> {
    let correction = Correction {
        product_id: patch.product_id,
        subdomain: patch
            .subdomain
            .map(|raw| {
                SubdomainCode::parse(&raw).map_err(|_| {
                    AppError::Invalid(format!("le sous-domaine « {raw} » n'existe pas dans la nomenclature"))
                })
            })
            .transpose()?,
        fields: EntryFields {
            version: patch.version,
            users: patch.users,
            contract_end: patch.contract_end,
            annual_cost_cents: patch.annual_cost_cents,
            identity_connected: patch.identity_connected,
            comment: patch.comment,
        },
    };
    let updated = inventory_service::correct_entry(&state.db, auth.actor(), id, correction).await?;
    Ok(Json(updated.try_into()?))
}
