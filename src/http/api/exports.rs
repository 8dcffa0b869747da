//! Workbooks to download.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::domain::RegionCode;
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AggregateReaders, AnyRole, Auth, NationalReaders};
use crate::http::extract::{ApiPath, ApiQuery};
use crate::service::exports::{self, Download, GhtWorkbook, KitOf, TableFormat, Template};

/// The content type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `Content-Disposition: attachment` with the file name in RFC 6266 form
/// (`filename*` in UTF-8, and an ASCII fallback).
pub fn attachment(file_name: &str) -> String {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A workbook as a response.
pub fn workbook_response(download: Download, content_type: &'static str) -> Result<Response, AppError> {
    let disposition =
        HeaderValue::from_str(&attachment(&download.file_name)).map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(CONTENT_TYPE, HeaderValue::from_static(content_type)), (CONTENT_DISPOSITION, disposition)], download.bytes)
        .into_response())
}

/// `?campaign=` (default: the latest).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// La campagne (année) ; par défaut la dernière.
    pub campaign: Option<i64>,
}

/// The consolidated SI vision of a GHT.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/exports/vision.xlsx", tag = "exports",
    params(("code" = String, Path, description = "Code du GHT"), ExportQuery),
    description = "La vision SI consolidée du GHT pour une campagne (par défaut la dernière ; une campagne close donne ses valeurs figées) : Synthèse (indicateurs, part connue, campagne précédente et évolution colorée selon le sens de l'indicateur, complétude), Matrice (établissements × sous-domaines, produits de chaque case, couleurs et légende en toutes lettres), Inventaire consolidé (lignes comptées, en-têtes de l'import : il se redépose), Trajectoires (prévu et réel par campagne, fin projetée, un graphique par sous-domaine), Échéances (lignes hors cible par fin de contrat, coût en jeu). Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn ght_vision(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    ght_workbook(auth, state, code, query, GhtWorkbook::Vision).await
}

/// The RESAH annex of a GHT.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/exports/resah.xlsx", tag = "exports",
    params(("code" = String, Path, description = "Code du GHT"), ExportQuery),
    description = "L'annexe d'inventaire du marché RESAH (accompagnement au schéma directeur) : feuilles « Présentation GHT », « Établissements », « Inventaire applicatif » (une ligne par établissement × sous-domaine × produit) et « Synthèse par domaine » (sous-domaines × établissements), chacune avec l'année de campagne et la date d'extraction, en-tête figé et filtres. Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn ght_resah(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    ght_workbook(auth, state, code, query, GhtWorkbook::Resah).await
}

/// The schéma directeur inputs of a GHT.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/exports/schema-directeur.xlsx", tag = "exports",
    params(("code" = String, Path, description = "Code du GHT"), ExportQuery),
    description = "Les entrées du schéma directeur : État actuel (par sous-domaine : produits, établissements concernés, cible, taux d'adoption, établissements hors cible), Projets de migration (établissement × sous-domaine hors cible : de → vers, date prévue, fin de contrat, coût annuel), Coûts par domaine (total connu, hors cible, part des lignes au coût connu). Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn ght_schema_directeur(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    ght_workbook(auth, state, code, query, GhtWorkbook::SchemaDirecteur).await
}

/// CSV as French Excel opens it.
pub const CSV: &str = "text/csv; charset=utf-8";

/// The national table of indicators, as a workbook.
#[utoipa::path(get, path = "/api/v1/national/exports/indicators.xlsx", tag = "exports", params(ExportQuery),
    description = "Le tableau national : une ligne par GHT avec chaque indicateur, son évolution depuis la campagne précédente et son rang, groupées par région avec la médiane de chaque région, puis la distribution nationale (effectif, min, quartiles, médiane, max, moyenne) ; une feuille définit les indicateurs. Rôles : admin, national.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn national_xlsx(
    auth: Auth<NationalReaders>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    table(&auth.principal, &state, None, query, TableFormat::Xlsx).await
}

/// The national table of indicators, as CSV.
#[utoipa::path(get, path = "/api/v1/national/exports/indicators.csv", tag = "exports", params(ExportQuery),
    description = "Le tableau national en CSV tel qu'Excel en français l'ouvre : UTF-8 avec BOM, séparateur « ; », virgule décimale ; une ligne par GHT (valeur, évolution, rang de chaque indicateur). Rôles : admin, national.",
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
pub async fn national_csv(
    auth: Auth<NationalReaders>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    table(&auth.principal, &state, None, query, TableFormat::Csv).await
}

/// A region's table of indicators, as a workbook.
#[utoipa::path(get, path = "/api/v1/regions/{code}/exports/indicators.xlsx", tag = "exports",
    params(("code" = String, Path, description = "Code de la région"), ExportQuery),
    description = "Le tableau des GHT d'une région, comme le tableau national. Rôles : admin, national, regional (sa région).",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn region_xlsx(
    auth: Auth<AggregateReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let region = region_code(&code)?;
    table(&auth.principal, &state, Some(&region), query, TableFormat::Xlsx).await
}

/// A region's table of indicators, as CSV.
#[utoipa::path(get, path = "/api/v1/regions/{code}/exports/indicators.csv", tag = "exports",
    params(("code" = String, Path, description = "Code de la région"), ExportQuery),
    description = "Le tableau des GHT d'une région en CSV (UTF-8 avec BOM, « ; », virgule décimale). Rôles : admin, national, regional (sa région).",
    responses((status = 200, description = "CSV", content_type = "text/csv")))]
pub async fn region_csv(
    auth: Auth<AggregateReaders>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let region = region_code(&code)?;
    table(&auth.principal, &state, Some(&region), query, TableFormat::Csv).await
}

fn region_code(raw: &str) -> Result<RegionCode, AppError> {
    RegionCode::parse(raw).map_err(|_| AppError::not_found(format!("région « {raw} » introuvable")))
}

async fn table(
    principal: &crate::auth::Principal,
    state: &AppState,
    region: Option<&RegionCode>,
    query: ExportQuery,
    format: TableFormat,
) -> Result<Response, AppError> {
    let year = query.campaign.map(super::campaigns::year_in_query).transpose()?;
    let _builder = state.workers.admit(principal.caller)?;
    let download = exports::indicators_table(&state.db, principal, region, year, format).await?;
    workbook_response(download, if format == TableFormat::Csv { CSV } else { XLSX })
}

async fn ght_workbook(
    auth: Auth<AnyRole>,
    state: AppState,
    code: String,
    query: ExportQuery,
    which: GhtWorkbook,
) -> Result<Response, AppError> {
    let code = super::ghts::parse_code(&code)?;
    let year = query.campaign.map(super::campaigns::year_in_query).transpose()?;
    let _builder = state.workers.admit(auth.principal.caller)?;
    workbook_response(exports::ght_workbook(&state.db, &auth.principal, &code, year, which).await?, XLSX)
}

/// An établissement's campaign kit.
#[utoipa::path(get, path = "/api/v1/etablissements/{finess}/exports/kit.xlsx", tag = "exports",
    params(("finess" = String, Path, description = "FINESS juridique"), ExportQuery),
    description = "Le kit de campagne d'un établissement : le modèle d'inventaire prérempli avec ses lignes de la campagne précédant celle demandée (par défaut la dernière), normalisées (nom du catalogue, sous-domaine, dates, coûts), pour mettre à jour plutôt que ressaisir. Redéposé tel quel, il s'importe sans erreur et donne les mêmes lignes normalisées. Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn etablissement_kit(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(finess): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let finess = super::etablissements::parse_finess(&finess)?;
    kit(auth, state, KitOf::Etablissement(finess), query).await
}

/// A GHT's campaign kit.
#[utoipa::path(get, path = "/api/v1/ghts/{code}/exports/kit.xlsx", tag = "exports",
    params(("code" = String, Path, description = "Code du GHT"), ExportQuery),
    description = "Le kit de campagne du GHT : une feuille par établissement membre, préremplie de ses lignes de la campagne précédente ; chaque ligne porte son FINESS, si bien que le classeur redéposé sur la route du GHT est réparti par établissement. Rôles : tous, dans leur périmètre.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn ght_kit(
    auth: Auth<AnyRole>,
    State(state): State<AppState>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let code = super::ghts::parse_code(&code)?;
    kit(auth, state, KitOf::Ght(code), query).await
}

async fn kit(auth: Auth<AnyRole>, state: AppState, of: KitOf, query: ExportQuery) -> Result<Response, AppError> {
    let year = query.campaign.map(super::campaigns::year_in_query).transpose()?;
    let _builder = state.workers.admit(auth.principal.caller)?;
    workbook_response(exports::campaign_kit(&state.db, &auth.principal, &of, year).await?, XLSX)
}

/// The inventory template.
#[utoipa::path(get, path = "/api/v1/templates/inventaire.xlsx", tag = "exports",
    description = "Le modèle d'inventaire à remplir (style IDSI), écrit à partir de la nomenclature en vigueur : en-têtes reconnus par l'import, listes déroulantes (domaine, sous-domaine « code — libellé », hébergement, mode d'acquisition, criticité, statut, oui/non), dates et nombres contrôlés, une feuille Notice (chaque colonne expliquée avec un exemple), une ligne d'exemple à supprimer. Rôles : tous.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn inventory_template(_auth: Auth<AnyRole>, State(state): State<AppState>) -> Result<Response, AppError> {
    workbook_response(exports::template(&state.db, Template::Inventory).await?, XLSX)
}

/// The filled example of the inventory template.
#[utoipa::path(get, path = "/api/v1/templates/inventaire-exemple.xlsx", tag = "exports",
    description = "Le modèle rempli pour un établissement (quelques lignes de domaines différents) : déposé tel quel, il s'importe sans erreur ni avertissement. Rôles : tous.",
    responses((status = 200, description = "Classeur", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn example_template(_auth: Auth<AnyRole>, State(state): State<AppState>) -> Result<Response, AppError> {
    workbook_response(exports::template(&state.db, Template::Example).await?, XLSX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_file_names_are_offered_in_utf8_with_an_ascii_fallback() {
        assert_eq!(
            attachment("vision-SI-NOR-02-2026.xlsx"),
            "attachment; filename=\"vision-SI-NOR-02-2026.xlsx\"; filename*=UTF-8''vision-SI-NOR-02-2026.xlsx"
        );
        assert_eq!(
            attachment("entrées schéma.xlsx"),
            "attachment; filename=\"entr_es_sch_ma.xlsx\"; filename*=UTF-8''entr%C3%A9es%20sch%C3%A9ma.xlsx"
        );
    }
}
