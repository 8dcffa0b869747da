//! Indicators: the schema, and a GHT's values for a campaign.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::ghts::parse_code;
use crate::compute::trajectories::TrajectorySummary;
use crate::domain::CampaignYear;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::answers::{JsonBytes, accepts_gzip};
use crate::http::auth::{AnyRole, Auth};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::reference::IndicatorDefinition;
use crate::service::indicators::{self as indicator_service, Comparison, EtablissementProgress, GhtReading};
use crate::store::indicators;

/// The indicator schema in force.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SchemaView {
    /// Its version (each change by an admin creates the next one).
    pub version: i32,
    /// The indicators.
    pub indicators: Vec<IndicatorDefinition>,
}

/// The indicator schema.
#[utoipa::path(get, path = "/api/v1/indicators/schema", tag = "indicateurs",
    description = "Le schéma d'indicateurs en vigueur : code, libellé, définition (avec les choix faits), unité, portées, calculé ou déclaré, sens souhaitable, jalon. Rôles : tous.",
    responses((status = 200, description = "Schéma", body = SchemaView)))]
pub async fn get_schema(_auth: Auth<AnyRole>, State(state): State<AppState>) -> Result<Json<SchemaView>, AppError> {
    let (version, indicators) = crate::service::reference::indicator_schema(&state.db).await?;
    Ok(Json(SchemaView { version, indicators }))
}

/// A new schema version, as sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SchemaChangeInput {
    /// Why this change was made (shown in the trail).
    pub comment: Option<String>,
    /// Indicators to add (declared ones, or computed ones the service knows).
    #[serde(default)]
    pub add: Vec<IndicatorDefinition>,
    /// Codes to retire.
    #[serde(default)]
    pub retire: Vec<String>,
}

/// Creates the next version of the indicator schema.
#[utoipa::path(post, path = "/api/v1/indicators/schema", tag = "indicateurs", request_body = SchemaChangeInput,
    description = "Crée la version suivante du schéma : la version en vigueur, moins les indicateurs retirés, plus les ajoutés. Les valeurs passées gardent la version avec laquelle elles ont été calculées ; les campagnes ouvertes sont recalculées. Journalisé. Rôles : admin.",
    responses(
        (status = 201, description = "Nouvelle version", body = SchemaView),
        (status = 422, description = "Indicateur refusé", body = crate::http::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_schema_version(
    auth: Auth<crate::http::auth::AdminOnly>,
    State(state): State<AppState>,
    crate::http::extract::ApiJson(body): crate::http::extract::ApiJson<SchemaChangeInput>,
) -> Result<(axum::http::StatusCode, Json<SchemaView>), AppError> {
    let change = indicators::SchemaChange { comment: body.comment, add: body.add, retire: body.retire };
    let (version, indicators) = crate::service::indicators::new_schema_version(&state.db, auth.actor(), change).await?;
    Ok((axum::http::StatusCode::CREATED, Json(SchemaView { version, indicators })))
}

/// `?campaign=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// The campaign (year).
    pub campaign: i64,
}

/// One indicator value, with its meaning.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ValueView {
    /// Code (`APP.TARGET_RATE.DPI.CORE`).
    pub code: String,
    /// The schema's code it is a value of (`APP.TARGET_RATE`).
    pub indicator: String,
    /// The sub-domain, for a per-sub-domain indicator.
    pub subdomain: Option<String>,
    /// French label.
    pub label: String,
    /// Unit (`count`, `percent` as a ratio from 0 to 1, `euro`…).
    pub unit: String,
    /// The value; absent when it cannot be computed (never a zero for « unknown »).
    pub value: Option<f64>,
    /// Share of the underlying rows whose input was known, when that matters.
    pub known_share: Option<f64>,
    /// Numerator, denominator or breakdown.
    #[schema(value_type = Object)]
    pub detail: crate::compute::detail::Detail,
}

/// Which établissements reported.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Completeness {
    /// Établissements expected (members at the campaign's reference date).
    pub expected: i32,
    /// Établissements with a validated inventory.
    pub reporting: i32,
    /// `reporting / expected`.
    pub rate: Option<f64>,
}

impl Completeness {
    /// The counts and their ratio (none when nobody is expected).
    pub fn new(expected: i32, reporting: i32) -> Self {
        Completeness { expected, reporting, rate: (expected > 0).then(|| f64::from(reporting) / f64::from(expected)) }
    }
}

/// A governance item declared by the GHT.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeclaredView {
    /// Code (`GOV.SDSI`).
    pub code: String,
    /// French label.
    pub label: String,
    /// `non_demarre`, `en_cours` or `realise`.
    pub status: String,
    /// Date of the status.
    pub status_date: Option<NaiveDate>,
    /// Free comment, as written.
    pub comment: Option<String>,
}

/// A GHT's indicators for a campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GhtIndicatorsView {
    /// GHT code.
    pub ght_code: String,
    /// The campaign (its year).
    pub campaign: i32,
    /// Schema version the values were computed with.
    pub schema_version: i32,
    /// When they were computed (absent: computed for this read).
    pub computed_at: Option<DateTime<Utc>>,
    /// Which établissements reported: every value rests on them only.
    pub completeness: Completeness,
    /// Computed values.
    pub computed: Vec<ValueView>,
    /// Declared governance items.
    pub declared: Vec<DeclaredView>,
}

/// A GHT's indicators for a campaign.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/indicators", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), CampaignQuery),
    description = "Les indicateurs calculés du GHT pour une campagne, avec libellés français et complétude (établissements attendus et ayant un inventaire validé), et ses réponses déclarées (GOV.*). Les valeurs sont recalculées à chaque dépôt, validation, retrait, correction ou changement de cibles tant que la campagne est ouverte ; une campagne close garde les siennes. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Indicateurs", body = GhtIndicatorsView)))]
pub async fn ght_indicators(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
    headers: HeaderMap,
) -> Result<JsonBytes, AppError> {
    let code = parse_code(&code)?;
    let year = super::campaigns::year_in_query(query.campaign)?;
    // Read before the values: an answer is kept with the commit count of
    // the data it was read from, never a later one.
    let commits = state.db.commits();
    let readable = indicator_service::readable(&state.db, &auth.principal, &code).await?;
    let key = format!("indicators|{code}|{year}");
    let gzip = accepts_gzip(&headers);
    if let Some(kept) = state.pages.kept(&key, commits, gzip) {
        return Ok(kept);
    }
    let GhtReading { indicators: found, schema, answers } =
        indicator_service::of_readable_ght(&state.db, &readable, year).await?;
    let declared = answers
        .into_iter()
        .map(|a| DeclaredView {
            label: definition_of(&schema, &a.indicator_code).map(|(d, _)| d.label.clone()).unwrap_or_default(),
            code: a.indicator_code,
            status: a.status.to_string(),
            status_date: a.status_date,
            comment: a.comment,
        })
        .collect();
    let view = GhtIndicatorsView {
        ght_code: code.to_string(),
        campaign: year.get(),
        schema_version: found.schema_version,
        computed_at: found.computed_at,
        completeness: Completeness::new(found.expected, found.reporting),
        computed: found.values.into_iter().map(|v| value_view(&schema, v)).collect(),
        declared,
    };
    state.pages.keep(key, commits, &view, gzip).map_err(|e| AppError::Internal(e.into()))
}

/// The schema entry a value belongs to, and its sub-domain suffix.
fn definition_of<'s>(
    schema: &'s [IndicatorDefinition],
    code: &str,
) -> Option<(&'s IndicatorDefinition, Option<String>)> {
    let definition = schema.iter().find(|d| d.covers(code))?;
    let subdomain = code.strip_prefix(definition.code.as_str()).and_then(|r| r.strip_prefix('.')).map(str::to_owned);
    Some((definition, subdomain))
}

fn value_view(schema: &[IndicatorDefinition], value: crate::compute::indicators::Value) -> ValueView {
    let (definition, subdomain) = definition_of(schema, &value.code).unzip();
    ValueView {
        indicator: definition.map_or_else(|| value.code.clone(), |d| d.code.clone()),
        subdomain: subdomain.flatten(),
        label: definition.map(|d| d.label.clone()).unwrap_or_default(),
        unit: definition.map(|d| d.unit.clone()).unwrap_or_default(),
        code: value.code,
        value: value.value,
        known_share: value.known_share,
        detail: value.detail,
    }
}

/// An établissement's indicators for a campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EtablissementIndicatorsView {
    /// FINESS juridique.
    pub finess_ej: String,
    /// The GHT it reported in.
    pub ght_code: String,
    /// The campaign (its year).
    pub campaign: i32,
    /// Schema version.
    pub schema_version: i32,
    /// Whether it has a validated inventory for the campaign: when not, it
    /// is missing (no value is a zero).
    pub reporting: bool,
    /// Computed values (the établissement-scope indicators of the schema).
    pub computed: Vec<ValueView>,
}

/// An établissement's indicators for a campaign.
#[utoipa::path(get, path = "/api/v1/etablissements/{finess}/indicators", tag = "indicateurs",
    params(("finess" = String, Path, description = "FINESS juridique"), CampaignQuery),
    description = "Les indicateurs calculés d'un établissement pour une campagne, selon les mêmes définitions que ceux du GHT appliquées à ses seules lignes validées. Un établissement sans inventaire validé est signalé manquant (`reporting` faux, aucune valeur). Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Indicateurs", body = EtablissementIndicatorsView)))]
pub async fn etablissement_indicators(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(finess): ApiPath<String>,
    ApiQuery(query): ApiQuery<CampaignQuery>,
) -> Result<Json<EtablissementIndicatorsView>, AppError> {
    let finess = super::etablissements::parse_finess(&finess)?;
    let year = super::campaigns::year_in_query(query.campaign)?;
    let (ght, found, schema) = indicator_service::of_etablissement(&state.db, &auth.principal, &finess, year).await?;
    Ok(Json(EtablissementIndicatorsView {
        finess_ej: finess.to_string(),
        ght_code: ght.to_string(),
        campaign: year.get(),
        schema_version: found.schema_version,
        reporting: !found.values.is_empty(),
        computed: found.values.into_iter().map(|v| value_view(&schema, v)).collect(),
    }))
}

/// A GHT's campaign: whom it expects and where each one stands.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GhtCampaignView {
    /// GHT code.
    pub ght_code: String,
    /// The campaign (its year).
    pub campaign: i32,
    /// `open` or `closed`.
    pub status: String,
    /// Reference date of the campaign.
    pub reference_date: NaiveDate,
    /// Deadline, if set.
    pub deadline: Option<NaiveDate>,
    /// Établissements expected and reporting.
    pub completeness: Completeness,
    /// Établissements waiting for the DSI's validation.
    pub submitted: usize,
    /// Each expected établissement (members at the reference date).
    pub etablissements: Vec<ProgressView>,
}

/// Where one expected établissement stands in a campaign.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProgressView {
    /// FINESS juridique.
    pub finess_ej: String,
    /// Name, as registered.
    pub name: String,
    /// `validated` (counts in the indicators), `submitted` (waiting for the
    /// DSI's validation) or `missing` (nothing deposited).
    pub status: String,
    /// Its current upload.
    pub upload_id: Option<i64>,
    /// When it was deposited.
    pub uploaded_at: Option<DateTime<Utc>>,
    /// Rows it holds for this établissement.
    pub rows: Option<i32>,
    /// Warnings in its report.
    pub warnings: Option<u32>,
    /// Its rows whose application name is not in the catalogue (review list).
    pub unmatched: Option<u64>,
}

impl From<EtablissementProgress> for ProgressView {
    fn from(p: EtablissementProgress) -> Self {
        ProgressView {
            finess_ej: p.finess_ej,
            name: p.name,
            status: p.status.map_or_else(|| "missing".to_owned(), |s| s.to_string()),
            upload_id: p.upload_id,
            uploaded_at: p.uploaded_at,
            rows: p.rows,
            warnings: p.warnings,
            unmatched: p.unmatched,
        }
    }
}

/// A GHT's campaign completeness.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/campaigns/{year}", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), ("year" = i64, Path, description = "Campagne")),
    description = "La complétude de la campagne pour le GHT : chaque établissement attendu (membre à la date de référence), son dépôt courant, sa date, ses lignes, avertissements et noms non reconnus, ou son absence — pour savoir qui relancer. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Campagne du GHT", body = GhtCampaignView)))]
pub async fn ght_campaign(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath((code, year)): ApiPath<(String, i64)>,
) -> Result<Json<GhtCampaignView>, AppError> {
    let code = parse_code(&code)?;
    let year = super::campaigns::year_in_path(year)?;
    let progress = indicator_service::campaign_progress(&state.db, &auth.principal, &code, year).await?;
    let expected = progress.etablissements.len() as i32;
    Ok(Json(GhtCampaignView {
        ght_code: code.to_string(),
        campaign: year.get(),
        status: progress.campaign.status.to_string(),
        reference_date: progress.campaign.reference_date,
        deadline: progress.campaign.deadline,
        completeness: Completeness::new(expected, progress.reporting as i32),
        submitted: progress.submitted,
        etablissements: progress.etablissements.into_iter().map(ProgressView::from).collect(),
    }))
}

/// `?from=&to=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignPairQuery {
    /// The earlier campaign (default: the one before `to`).
    pub from: Option<i64>,
    /// The later campaign (default: the latest).
    pub to: Option<i64>,
}

impl CampaignPairQuery {
    /// The years asked for, each checked.
    fn years(&self) -> Result<(Option<CampaignYear>, Option<CampaignYear>), AppError> {
        let year = super::campaigns::year_in_query;
        Ok((self.from.map(year).transpose()?, self.to.map(year).transpose()?))
    }
}

/// One indicator's change, with its label.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeltaView {
    /// Indicator code (with its sub-domain for per-sub-domain indicators).
    pub code: String,
    /// French label.
    pub label: String,
    /// Unit: `percent` (0 to 1), `count`, `euro`, `boolean` or `enum`.
    pub unit: String,
    /// Value in `from`.
    pub from: Option<f64>,
    /// Value in `to`.
    pub to: Option<f64>,
    /// `to − from`, when both are known.
    pub delta: Option<f64>,
}

/// A GHT's indicator deltas between two campaigns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeltasView {
    /// GHT code.
    pub ght_code: String,
    /// Earlier campaign.
    pub from: i32,
    /// Later campaign.
    pub to: i32,
    /// Completeness of the earlier campaign: a delta over different
    /// reporting établissements says so.
    pub completeness_from: Completeness,
    /// Completeness of the later campaign.
    pub completeness_to: Completeness,
    /// Each indicator's change.
    pub deltas: Vec<DeltaView>,
}

/// A GHT's indicator deltas.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/deltas", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), CampaignPairQuery),
    description = "La variation de chaque indicateur du GHT entre deux campagnes (par défaut la dernière et la précédente) : valeur en N − valeur en N−1, seulement quand les deux sont connues ; la complétude de chaque campagne est donnée. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Variations", body = DeltasView)))]
pub async fn ght_deltas(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<CampaignPairQuery>,
) -> Result<Json<DeltasView>, AppError> {
    let code = parse_code(&code)?;
    let (from, to) = query.years()?;
    let Comparison { before: (from, before), after: (to, after), deltas, schema } =
        indicator_service::deltas(&state.db, &auth.principal, &code, from, to).await?;
    let deltas = deltas
        .into_iter()
        .map(|d| {
            let (definition, _) = definition_of(&schema, &d.code).unzip();
            DeltaView {
                label: definition.map(|d| d.label.clone()).unwrap_or_default(),
                unit: definition.map(|d| d.unit.clone()).unwrap_or_default(),
                code: d.code,
                from: d.from,
                to: d.to,
                delta: d.delta,
            }
        })
        .collect();
    Ok(Json(DeltasView {
        ght_code: code.to_string(),
        from: from.get(),
        to: to.get(),
        completeness_from: Completeness::new(before.expected, before.reporting),
        completeness_to: Completeness::new(after.expected, after.reporting),
        deltas,
    }))
}

/// A GHT's inventory diff between two campaigns.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DiffView {
    /// GHT code.
    pub ght_code: String,
    /// Earlier campaign.
    pub from: i32,
    /// Later campaign.
    pub to: i32,
    /// Changes, by établissement then sub-domain.
    pub changes: Vec<crate::compute::changes::Change>,
}

/// A GHT's inventory diff.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/diff", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), CampaignPairQuery),
    description = "Ce qui a changé dans les inventaires validés entre deux campagnes, par établissement et sous-domaine : applications ajoutées, retirées, remplacées dans un sous-domaine (de → vers), changements de version. Seuls les établissements présents aux deux campagnes sont comparés. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Différences", body = DiffView)))]
pub async fn ght_diff(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<CampaignPairQuery>,
) -> Result<Json<DiffView>, AppError> {
    let code = parse_code(&code)?;
    let (from, to) = query.years()?;
    let (from, to, changes) = indicator_service::diff(&state.db, &auth.principal, &code, from, to).await?;
    Ok(Json(DiffView { ght_code: code.to_string(), from: from.get(), to: to.get(), changes }))
}

/// A GHT's convergence trajectories.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrajectoriesView {
    /// GHT code.
    pub ght_code: String,
    /// The rules applied, in French.
    pub rules: String,
    /// Counts at the latest campaign.
    pub summary: TrajectorySummary,
    /// One per sub-domain with a target.
    pub trajectories: Vec<crate::compute::trajectories::Trajectory>,
}

/// The rules of `compute::trajectories`, for the reader.
const TRAJECTORY_RULES: &str = "Plan : la version de cibles en vigueur (ou celle en vigueur à la date `planned_at`). Taux prévu à une date : part des établissements concernés dont la date de migration prévue est passée (sans date, jamais prévu). Projection : prolongement linéaire du taux sur les deux dernières campagnes (aucune avec une seule campagne ou un rythme nul ou négatif). Statut à la date de référence : converged (100 %), on_track (taux réel ≥ taux prévu et fin projetée — pour une première campagne, sans rythme mesurable, la date de référence — au plus tard à la dernière date prévue ; un rythme nul ou négatif ne l'est jamais), late (sinon), no_plan (cible sans date prévue). Retard en jours : de la dernière date prévue, et du jalon du 01/01/2021, à la fin projetée — à défaut à la date de référence, comme minimum.";

/// `?planned_at=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlannedAtQuery {
    /// Read the plan as it stood at the end of that day (default: the current targets).
    pub planned_at: Option<NaiveDate>,
}

/// A GHT's trajectories.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/trajectories", tag = "indicateurs",
    params(("code" = String, Path, description = "Code du GHT"), PlannedAtQuery),
    description = "Pour chaque sous-domaine ayant une cible (cibles en vigueur, ou avec `planned_at` le plan tel qu'il était ce jour-là) : courbe prévue, taux réel à chaque campagne, fin projetée, statut (converged, on_track, late, no_plan) et jours de retard sur le plan et sur le jalon du 01/01/2021 ; et le résumé du GHT. Rôles : tous (dans leur périmètre).",
    responses((status = 200, description = "Trajectoires", body = TrajectoriesView)))]
pub async fn ght_trajectories(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<PlannedAtQuery>,
) -> Result<Json<TrajectoriesView>, AppError> {
    let code = parse_code(&code)?;
    let (trajectories, summary) =
        indicator_service::trajectories_of(&state.db, &auth.principal, &code, query.planned_at).await?;
    Ok(Json(TrajectoriesView { ght_code: code.to_string(), rules: TRAJECTORY_RULES.to_owned(), summary, trajectories }))
}
