//! Workbooks given back to users: what each needs from the database, then
//! the pure writer of `export`.

use super::{access, indicators};
use crate::auth::Principal;
use crate::domain::{CampaignYear, Finess, GhtCode, RegionCode};
use crate::error::AppError;
use crate::export::ght::{ExportRow, GhtExport, Member, PlannedMigration, SynthesisLine};
use crate::export::template::{self, KitRow, TemplateTaxonomy};
use crate::export::{national, resah, schema_directeur, vision};
use crate::store::entities::campaign;
use crate::store::{Db, campaigns, catalogue, etablissements, ghts, inventory, regions, targets, taxonomy};

/// A workbook to send: its bytes and the file name to offer.
#[derive(Debug)]
pub struct Download {
    /// The workbook.
    pub bytes: Vec<u8>,
    /// The file name to offer (French, no path).
    pub file_name: String,
}

/// Which template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// The blank inventory template.
    Inventory,
    /// The filled example.
    Example,
}

impl Template {
    /// The file name it is committed and served under.
    pub fn file_name(self) -> &'static str {
        match self {
            Template::Inventory => "inventaire.xlsx",
            Template::Example => "inventaire-exemple.xlsx",
        }
    }
}

async fn template_taxonomy(db: &Db) -> Result<TemplateTaxonomy, AppError> {
    let stored = taxonomy::load(db.reader()).await?;
    Ok(TemplateTaxonomy {
        domains: stored.domains.into_iter().map(|d| (d.code, d.label)).collect(),
        subdomains: stored.subdomains.into_iter().map(|s| (s.code.to_string(), s.domain_code, s.label)).collect(),
    })
}

/// An inventory template, written from the taxonomy in force.
///
/// # Errors
/// When the taxonomy cannot be read or the workbook written.
pub async fn template(db: &Db, which: Template) -> Result<Download, AppError> {
    let taxonomy = template_taxonomy(db).await?;
    let bytes = match which {
        Template::Inventory => template::inventory_template(&taxonomy),
        Template::Example => template::filled_example(&taxonomy),
    }
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Download { bytes, file_name: which.file_name().to_owned() })
}

/// The French words of a match method.
fn match_method_label(method: crate::normalise::matcher::MatchMethod) -> &'static str {
    use crate::normalise::matcher::MatchMethod;
    match method {
        MatchMethod::LocalAlias => "alias du GHT",
        MatchMethod::Alias => "nom ou alias du catalogue",
        MatchMethod::Stripped => "nom nettoyé (version, éditeur)",
        MatchMethod::Prefix => "produit suivi d'un module",
        MatchMethod::Fuzzy => "orthographe proche",
        MatchMethod::Confirmed => "confirmé par la DSI",
    }
}

/// The campaign asked for, or the latest one.
pub(crate) async fn campaign_or_latest(db: &Db, year: Option<CampaignYear>) -> Result<campaign::Model, AppError> {
    let reader = db.reader();
    let found = match year {
        Some(year) => campaigns::find(reader, year).await?,
        None => campaigns::list(reader).await?.into_iter().next(),
    };
    found.ok_or_else(|| match year {
        Some(year) => AppError::not_found(format!("campagne {year} introuvable")),
        None => AppError::not_found("aucune campagne n'est ouverte"),
    })
}

/// A workbook of one GHT and campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GhtWorkbook {
    /// The consolidated SI vision.
    Vision,
    /// The inventory annex of the RESAH tender.
    Resah,
    /// The inputs of the schéma directeur.
    SchemaDirecteur,
}

impl GhtWorkbook {
    fn file_name(self, ght: &str, year: i32) -> String {
        match self {
            GhtWorkbook::Vision => format!("vision-SI-{ght}-{year}.xlsx"),
            GhtWorkbook::Resah => format!("annexe-RESAH-{ght}-{year}.xlsx"),
            GhtWorkbook::SchemaDirecteur => format!("entrées-schéma-directeur-{ght}-{year}.xlsx"),
        }
    }

    fn write(self, data: &GhtExport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        match self {
            GhtWorkbook::Vision => vision::workbook(data),
            GhtWorkbook::Resah => resah::workbook(data),
            GhtWorkbook::SchemaDirecteur => schema_directeur::workbook(data),
        }
    }
}

/// A workbook of a GHT for a campaign (by default the latest); a closed
/// campaign gives its frozen values.
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign.
pub async fn ght_workbook(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    year: Option<CampaignYear>,
    which: GhtWorkbook,
) -> Result<Download, AppError> {
    let data = ght_data(db, principal, ght, year).await?;
    let file_name = which.file_name(&data.ght_code, data.campaign);
    // Written off the async workers: a workbook is seconds of CPU for a
    // large GHT.
    let bytes = tokio::task::spawn_blocking(move || which.write(&data))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Download { bytes, file_name })
}

/// What a GHT's workbooks and its page show, for a campaign (by default
/// the latest).
///
/// # Errors
/// `NotFound` for a GHT out of scope or an unknown campaign.
pub async fn ght_data(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    year: Option<CampaignYear>,
) -> Result<GhtExport, AppError> {
    let reader = db.reader();
    let found = access::readable_ght(reader, principal, ght).await?;
    let campaign = campaign_or_latest(db, year).await?;
    let year = CampaignYear::new(i64::from(campaign.year.get())).map_err(|e| AppError::Internal(e.into()))?;
    let reading = indicators::of_ght(db, principal, ght, year).await?;
    let previous_year = campaigns::list(reader).await?.into_iter().map(|c| c.year).find(|y| *y < campaign.year);
    let previous = match previous_year {
        Some(previous) => indicators::read(reader, ght, previous, None).await?.map(|p| p.values).unwrap_or_default(),
        None => Vec::new(),
    };
    let indicators = reading
        .schema
        .iter()
        .flat_map(|definition| {
            let values: Vec<&crate::compute::indicators::Value> = reading
                .indicators
                .values
                .iter()
                .filter(|v| v.finess_ej.is_none() && definition.covers(&v.code))
                .collect();
            let declared = definition.is_declared().then(|| {
                reading
                    .answers
                    .iter()
                    .find(|a| a.indicator_code == definition.code)
                    .map(|a| {
                        let date = a.status_date.map(|d| format!(" le {}", d.format("%d/%m/%Y"))).unwrap_or_default();
                        format!("{}{date}", a.status.label())
                    })
                    .unwrap_or_else(|| "non déclaré".to_owned())
            });
            if values.is_empty() {
                return vec![SynthesisLine {
                    code: definition.code.clone(),
                    label: definition.label.clone(),
                    unit: definition.unit.clone(),
                    higher_is_better: definition.higher_is_better(),
                    value: None,
                    known_share: None,
                    previous: None,
                    declared,
                }];
            }
            values
                .into_iter()
                .map(|v| SynthesisLine {
                    code: v.code.clone(),
                    label: definition.label.clone(),
                    unit: definition.unit.clone(),
                    higher_is_better: definition.higher_is_better(),
                    value: v.value,
                    known_share: v.known_share,
                    previous: previous.iter().find(|p| p.finess_ej.is_none() && p.code == v.code).and_then(|p| p.value),
                    declared: declared.clone(),
                })
                .collect()
        })
        .collect();

    let members = ghts::member_finess_at(reader, ght, campaign.reference_date).await?;
    let details = etablissements::of_finess(reader, &members).await?;
    let names: std::collections::HashMap<String, String> =
        details.iter().map(|e| (e.finess_ej.to_string(), e.name.clone())).collect();
    let counted = inventory::counted_uploads(reader, year, &members).await?;
    let entries = inventory::shown_entries_of_uploads(reader, &counted).await?;
    let product_ids: Vec<i64> = entries.iter().filter_map(|e| e.product_id).collect();
    let vendor_ids: Vec<i64> = entries.iter().filter_map(|e| e.vendor_id).collect();
    let products = catalogue::product_names(reader, product_ids).await?;
    let vendors = catalogue::vendor_names(reader, vendor_ids).await?;
    let taxonomy = taxonomy::load(reader).await?;
    // A closed campaign is shown against the targets of its time (those
    // its frozen indicators were computed with), an open one against
    // today's.
    let (targets, migrations) = match targets::in_force_at(reader, ght, campaign.closed_at).await? {
        Some(version) => {
            let ids = version.products.iter().map(|p| p.product_id).collect();
            let target_names = catalogue::product_names(reader, ids).await?;
            let targets = version
                .products
                .iter()
                .map(|p| {
                    let name = target_names.get(&p.product_id).cloned().unwrap_or_default();
                    (p.subdomain_code.to_string(), (p.product_id, name))
                })
                .collect();
            let migrations = version
                .migrations
                .iter()
                .map(|m| PlannedMigration {
                    finess: m.finess_ej.to_string(),
                    subdomain: m.subdomain_code.to_string(),
                    planned_on: m.planned_on,
                })
                .collect();
            (targets, migrations)
        }
        None => Default::default(),
    };
    let rows = entries
        .into_iter()
        .map(|e| ExportRow {
            etablissement: names.get(e.finess_ej.as_str()).cloned().unwrap_or_default(),
            finess_ej: e.finess_ej.to_string(),
            finess_et: e.finess_et.map(|f| f.to_string()),
            product: e.product_id.map(|id| (id, products.get(&id).cloned().unwrap_or_default())),
            state: e.state.as_str().to_owned(),
            vendor: e.vendor_id.and_then(|id| vendors.get(&id).cloned()),
            version: e.version,
            subdomain: e.subdomain_code.map(|s| s.to_string()),
            users: e.users,
            hosting: e.hosting.map(template::hosting_choice),
            contract_end: e.contract_end,
            annual_cost: e.annual_cost_cents.map(|c| c as f64 / 100.0),
            identity_connected: e.identity_connected,
            match_method: e.match_method.map(|m| match_method_label(m).to_owned()),
            go_live: e.go_live,
            interfaces: e.interfaces,
            convergence_status: e.convergence_status.map(template::status_choice),
            application_raw: e.application_raw,
        })
        .collect();
    let region = regions::get(reader, &found.region_code).await?.map(|r| r.name).unwrap_or_default();
    Ok(GhtExport {
        ght_code: found.code.to_string(),
        ght_name: found.name.clone(),
        region: (found.region_code.to_string(), region),
        support: found.support_finess_ej.as_ref().map(ToString::to_string),
        campaign: campaign.year.get(),
        previous_campaign: previous_year.map(|y| y.get()),
        extracted_on: chrono::Utc::now().date_naive(),
        completeness: (reading.indicators.expected, reading.indicators.reporting),
        indicators,
        etablissements: members
            .iter()
            .map(|finess| {
                let found = details.iter().find(|e| e.finess_ej.as_str() == finess);
                Member {
                    finess: finess.clone(),
                    name: found.map(|e| e.name.clone()).unwrap_or_default(),
                    category: found.and_then(|e| e.category.clone()),
                    commune: found.and_then(|e| e.commune.clone()),
                }
            })
            .collect(),
        domains: taxonomy.domains.iter().map(|d| (d.code.clone(), d.label.clone())).collect(),
        subdomains: taxonomy
            .subdomains
            .iter()
            .map(|s| (s.code.to_string(), s.domain_code.clone(), s.label.clone()))
            .collect(),
        targets,
        migrations,
        rows,
        trajectories: indicators::trajectories(reader, ght, campaign.closed_at.map(|at| at.date_naive()), Some(year))
            .await?,
    })
}

/// The national or regional table's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// An Excel workbook.
    Xlsx,
    /// CSV as French Excel opens it.
    Csv,
}

/// The table of every GHT of the nation (or of a region): each indicator,
/// its change and its rank, for a campaign (by default the latest).
///
/// # Errors
/// `NotFound` for a region out of the caller's scope, or an unknown
/// campaign.
pub async fn indicators_table(
    db: &Db,
    principal: &Principal,
    region: Option<&RegionCode>,
    year: Option<CampaignYear>,
    format: TableFormat,
) -> Result<Download, AppError> {
    let reader = db.reader();
    if let Some(region) = region {
        access::readable_region(reader, principal, region, None).await?;
    }
    let campaign = campaign_or_latest(db, year).await?;
    let year = campaign.year;
    let previous = campaigns::list(reader).await?.into_iter().map(|c| c.year).find(|y| *y < year);
    let values = db.peer_values(year, region.map(RegionCode::as_str)).await?;
    let before = match previous {
        Some(previous) => Some(db.peer_values(previous, region.map(RegionCode::as_str)).await?),
        None => None,
    };
    let (_, schema) = db.indicator_schema().await?;
    let columns = schema
        .iter()
        .flat_map(|definition| {
            values.values.keys().filter(|code| definition.covers(code)).map(move |code| national::Column {
                code: code.clone(),
                label: definition.label.clone(),
                unit: definition.unit.clone(),
                higher_is_better: definition.higher_is_better(),
            })
        })
        .collect();
    let regions_list = regions::list(reader).await?;
    let names = ghts::names(reader).await?;
    let ghts = values
        .ghts
        .iter()
        .map(|(code, region)| {
            let of = |values: &crate::store::indicators::PeerValues| -> std::collections::BTreeMap<String, f64> {
                values
                    .values
                    .iter()
                    .filter_map(|(indicator, by)| by.get(code).map(|v| (indicator.clone(), *v)))
                    .collect()
            };
            national::GhtLine {
                region: region.clone(),
                code: code.clone(),
                name: names.get(code).cloned().unwrap_or_default(),
                values: of(&values),
                previous: before.as_deref().map(of).unwrap_or_default(),
            }
        })
        .collect();
    let scope = match region {
        Some(region) => {
            let name = regions_list.iter().find(|r| &r.code == region).map(|r| r.name.clone()).unwrap_or_default();
            format!("{name} ({region})")
        }
        None => "France entière".to_owned(),
    };
    let table = national::NationalTable {
        scope,
        campaign: year.get(),
        previous_campaign: previous.map(|y| y.get()),
        extracted_on: chrono::Utc::now().date_naive(),
        regions: regions_list.into_iter().map(|r| (r.code.to_string(), r.name)).collect(),
        columns,
        ghts,
    };
    let stem = match region {
        Some(region) => format!("indicateurs-{region}-{}", year.get()),
        None => format!("indicateurs-national-{}", year.get()),
    };
    let (bytes, file_name) = match format {
        TableFormat::Csv => (national::csv(&table), format!("{stem}.csv")),
        TableFormat::Xlsx => {
            let bytes = tokio::task::spawn_blocking(move || national::workbook(&table))
                .await
                .map_err(|e| AppError::Internal(e.into()))?
                .map_err(|e| AppError::Internal(e.into()))?;
            (bytes, format!("{stem}.xlsx"))
        }
    };
    Ok(Download { bytes, file_name })
}

/// Whose campaign kit.
#[derive(Debug, Clone)]
pub enum KitOf {
    /// One établissement (EJ).
    Etablissement(Finess),
    /// Every member of a GHT, one sheet each.
    Ght(GhtCode),
}

/// A campaign kit: the template pre-filled with the rows each établissement
/// declared at the campaign before `year` (by default before the latest),
/// normalised, so that the campaign is an update rather than a re-typing.
///
/// # Errors
/// `NotFound` for an établissement or GHT out of scope, or an unknown
/// campaign.
pub async fn campaign_kit(
    db: &Db,
    principal: &Principal,
    of: &KitOf,
    year: Option<CampaignYear>,
) -> Result<Download, AppError> {
    let reader = db.reader();
    let campaign = campaign_or_latest(db, year).await?;
    let (members, stem) = match of {
        KitOf::Etablissement(finess) => {
            access::readable_etablissement(reader, principal, finess).await?;
            (vec![finess.to_string()], finess.to_string())
        }
        KitOf::Ght(code) => {
            access::readable_ght(reader, principal, code).await?;
            (ghts::member_finess_at(reader, code, campaign.reference_date).await?, code.to_string())
        }
    };
    let previous = campaigns::list(reader).await?.into_iter().map(|c| c.year).find(|y| *y < campaign.year);
    let details = etablissements::of_finess(reader, &members).await?;
    let name_of = |finess: &str| {
        details.iter().find(|e| e.finess_ej.as_str() == finess).map(|e| e.name.clone()).unwrap_or_default()
    };
    let entries = match previous {
        Some(previous) => {
            let counted = inventory::counted_uploads(reader, previous, &members).await?;
            inventory::all_entries_of_uploads(reader, &counted).await?
        }
        None => Vec::new(),
    };
    let products = catalogue::product_names(reader, entries.iter().filter_map(|e| e.product_id).collect()).await?;
    let vendors = catalogue::vendor_names(reader, entries.iter().filter_map(|e| e.vendor_id).collect()).await?;
    let sheets = members
        .iter()
        .map(|finess| {
            let name = name_of(finess);
            let rows = entries
                .iter()
                .filter(|e| e.finess_ej.as_str() == finess)
                .map(|e| KitRow {
                    etablissement: name.clone(),
                    finess: e.finess_et.as_ref().map_or_else(|| finess.clone(), ToString::to_string),
                    application: e
                        .product_id
                        .and_then(|id| products.get(&id).cloned())
                        .unwrap_or_else(|| e.application_raw.clone()),
                    module: e.module.clone(),
                    vendor: e.vendor_id.and_then(|id| vendors.get(&id).cloned()),
                    version: e.version.clone(),
                    subdomain: e.subdomain_code.as_ref().map(ToString::to_string),
                    go_live: e.go_live,
                    users: e.users,
                    beds: e.beds,
                    hosting: e.hosting.map(template::hosting_choice),
                    contract: e.contract.clone(),
                    contract_end: e.contract_end,
                    acquisition_cost: e.acquisition_cost_cents.map(|c| c as f64 / 100.0),
                    annual_cost: e.annual_cost_cents.map(|c| c as f64 / 100.0),
                    interfaces: e.interfaces.clone(),
                    identity_connected: e.identity_connected,
                    sso: e.sso,
                    ins: e.ins,
                    criticality: e.criticality.map(crate::domain::Criticality::as_str),
                    status: e.convergence_status.map(template::status_choice),
                    comment: e.comment.clone(),
                })
                .collect();
            let sheet = if matches!(of, KitOf::Etablissement(_)) { template::INVENTORY_SHEET.to_owned() } else { name };
            (sheet, rows)
        })
        .collect::<Vec<_>>();
    let taxonomy = template_taxonomy(db).await?;
    let year = campaign.year.get();
    let bytes = tokio::task::spawn_blocking(move || template::campaign_kit(&taxonomy, &sheets, year))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Download { bytes, file_name: format!("kit-campagne-{stem}-{year}.xlsx") })
}
