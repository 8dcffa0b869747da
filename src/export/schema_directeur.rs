//! The inputs of the *schéma directeur*: where each sub-domain stands, what
//! separates it from its target, the migrations to run, and what the SI
//! costs by domain.
//!
//! Sheets: *État actuel* (per sub-domain: products, établissements
//! concerned, target, adoption rate and gap), *Projets de migration*
//! (établissement × sub-domain off target: from → to, planned date,
//! contract end, annual cost) and *Coûts par domaine* (total, off-target,
//! and the share of rows whose cost is known: a missing cost is unknown,
//! never zero).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::cells;
use super::ght::{ExportRow, GhtExport};
use super::style::Styles;

/// The sheets, in order.
pub const SHEETS: [&str; 3] = ["État actuel", "Projets de migration", "Coûts par domaine"];
const TOP: u32 = 3;

fn start(
    sheet: &mut Worksheet,
    f: &Styles,
    data: &GhtExport,
    title: &str,
    headers: &[&str],
    rows: usize,
) -> Result<(), XlsxError> {
    let heading = format!("Schéma directeur — {title} — {} ({})", data.ght_name, data.ght_code);
    cells::text(sheet, 0, 0, &heading, Some(&f.title))?;
    sheet.write_string(
        1,
        0,
        format!("Campagne {} — extraction du {}", data.campaign, data.extracted_on.format("%d/%m/%Y")),
    )?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(TOP, c as u16, *h, &f.header)?;
    }
    sheet.set_freeze_panes(TOP + 1, 0)?;
    sheet.autofilter(TOP, 0, TOP + rows.max(1) as u32, headers.len() as u16 - 1)?;
    Ok(())
}

fn on_target(row: &ExportRow, target: Option<i64>) -> bool {
    target.is_some_and(|t| row.product.as_ref().is_some_and(|(id, _)| *id == t))
}

fn name(row: &ExportRow) -> &str {
    row.product.as_ref().map_or(row.application_raw.as_str(), |(_, n)| n.as_str())
}

/// A migration to run: an établissement concerned by a targeted sub-domain
/// that does not run its target.
#[derive(Debug, Clone, PartialEq)]
pub struct MigrationProject {
    /// FINESS EJ.
    pub finess: String,
    /// Sub-domain code.
    pub subdomain: String,
    /// What it runs there now.
    pub from: Vec<String>,
    /// The target.
    pub to: String,
    /// The planned date, if the plan has one.
    pub planned_on: Option<NaiveDate>,
    /// The soonest contract end of what it runs there.
    pub contract_end: Option<NaiveDate>,
    /// The annual cost of what it runs there (known costs only).
    pub annual_cost: Option<f64>,
}

/// The migrations to run, by établissement then sub-domain.
pub fn migration_projects(data: &GhtExport) -> Vec<MigrationProject> {
    let mut by_cell: BTreeMap<(&str, &str), Vec<&ExportRow>> = BTreeMap::new();
    for row in &data.rows {
        // « Non informatisé » included: deploying the target is then the
        // project.
        if let Some(subdomain) = row.subdomain.as_deref()
            && data.targets.contains_key(subdomain)
        {
            by_cell.entry((row.finess_ej.as_str(), subdomain)).or_default().push(row);
        }
    }
    by_cell
        .into_iter()
        .filter_map(|((finess, subdomain), rows)| {
            let (target, to) = data.targets.get(subdomain)?;
            if rows.iter().any(|r| on_target(r, Some(*target))) {
                return None;
            }
            let from: BTreeSet<String> = rows.iter().map(|r| name(r).to_owned()).collect();
            let costs: Vec<f64> = rows.iter().filter_map(|r| r.annual_cost).collect();
            Some(MigrationProject {
                finess: finess.to_owned(),
                subdomain: subdomain.to_owned(),
                from: from.into_iter().collect(),
                to: to.clone(),
                planned_on: data
                    .migrations
                    .iter()
                    .find(|m| m.finess == finess && m.subdomain == subdomain)
                    .map(|m| m.planned_on),
                contract_end: rows.iter().filter_map(|r| r.contract_end).min(),
                annual_cost: (!costs.is_empty()).then(|| costs.iter().sum()),
            })
        })
        .collect()
}

fn current_state(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[0])?;
    super::cells::print_wide(sheet);
    let mut by_subdomain: BTreeMap<&str, Vec<&ExportRow>> = BTreeMap::new();
    for row in &data.rows {
        if let Some(subdomain) = row.subdomain.as_deref() {
            by_subdomain.entry(subdomain).or_default().push(row);
        }
    }
    let lines: Vec<&(String, String, String)> = data
        .subdomains
        .iter()
        .filter(|(c, _, _)| by_subdomain.contains_key(c.as_str()) || data.targets.contains_key(c))
        .collect();
    let headers = [
        "Domaine",
        "Sous-domaine",
        "Produits (établissements)",
        "Établissements concernés",
        "Cible du GHT",
        "Taux d'adoption de la cible",
        "Établissements hors cible",
    ];
    start(sheet, f, data, SHEETS[0], &headers, lines.len())?;
    for (i, (code, _, label)) in lines.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        let rows = by_subdomain.get(code.as_str()).map(Vec::as_slice).unwrap_or_default();
        let mut products: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for row in rows.iter().filter(|r| r.state != "not_computerised") {
            products.entry(name(row)).or_default().insert(row.finess_ej.as_str());
        }
        let listed: Vec<String> = products.iter().map(|(n, e)| format!("{n} ({})", e.len())).collect();
        let concerned: BTreeSet<&str> = rows.iter().map(|r| r.finess_ej.as_str()).collect();
        cells::text(sheet, r, 0, data.domain_label(code), None)?;
        cells::text(sheet, r, 1, &format!("{code} — {label}"), None)?;
        cells::text(sheet, r, 2, &listed.join("\n"), Some(&f.wrap))?;
        sheet.write_number(r, 3, concerned.len() as f64)?;
        if let Some((target, target_name)) = data.targets.get(code.as_str()) {
            cells::text(sheet, r, 4, target_name, None)?;
            let rate_code = format!("APP.TARGET_RATE.{code}");
            if let Some(rate) = data.indicators.iter().find(|l| l.code == rate_code).and_then(|l| l.value) {
                sheet.write_number_with_format(r, 5, rate, &f.percent)?;
            }
            let on: BTreeSet<&str> =
                rows.iter().filter(|row| on_target(row, Some(*target))).map(|row| row.finess_ej.as_str()).collect();
            sheet.write_number(r, 6, concerned.difference(&on).count() as f64)?;
        } else {
            sheet.write_string(r, 4, "pas de cible")?;
        }
    }
    for (c, w) in [(0, 26.0), (1, 36.0), (2, 36.0), (3, 14.0), (4, 20.0), (5, 14.0), (6, 14.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

fn migrations(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[1])?;
    super::cells::print_wide(sheet);
    let projects = migration_projects(data);
    let headers = [
        "Établissement",
        "FINESS juridique",
        "Sous-domaine",
        "Application actuelle",
        "Cible",
        "Date prévue",
        "Fin de contrat",
        "Coût annuel actuel",
    ];
    start(sheet, f, data, SHEETS[1], &headers, projects.len())?;
    for (i, project) in projects.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        cells::text(sheet, r, 0, data.name_of(&project.finess), None)?;
        cells::text(sheet, r, 1, &project.finess, None)?;
        cells::text(
            sheet,
            r,
            2,
            &format!("{} — {}", project.subdomain, data.subdomain_label(&project.subdomain)),
            None,
        )?;
        cells::text(sheet, r, 3, &project.from.join(", "), None)?;
        cells::text(sheet, r, 4, &project.to, None)?;
        match project.planned_on {
            Some(day) => sheet.write_date_with_format(r, 5, cells::excel_date(day)?, &f.date)?,
            None => sheet.write_string(r, 5, "non planifiée")?,
        };
        if let Some(end) = project.contract_end {
            sheet.write_date_with_format(r, 6, cells::excel_date(end)?, &f.date)?;
        }
        if let Some(cost) = project.annual_cost {
            sheet.write_number_with_format(r, 7, cost, &f.money)?;
        }
    }
    for (c, w) in [(0, 32.0), (1, 14.0), (2, 34.0), (3, 26.0), (4, 20.0), (5, 14.0), (6, 14.0), (7, 16.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

/// Costs of one domain.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DomainCost {
    /// Annual cost of the rows with a known cost.
    pub total: f64,
    /// Of it, rows off the target of a sub-domain that has one.
    pub off_target: f64,
    /// Rows with a known cost.
    pub known: usize,
    /// Rows (solutions, not « non informatisé »).
    pub rows: usize,
}

/// Costs by domain code.
pub fn costs_by_domain(data: &GhtExport) -> BTreeMap<String, DomainCost> {
    let mut costs: BTreeMap<String, DomainCost> = BTreeMap::new();
    for row in data.rows.iter().filter(|r| r.state != "not_computerised") {
        let Some(subdomain) = row.subdomain.as_deref() else { continue };
        let Some((_, domain, _)) = data.subdomains.iter().find(|(c, _, _)| c == subdomain) else { continue };
        let cost = costs.entry(domain.clone()).or_default();
        cost.rows += 1;
        if let Some(amount) = row.annual_cost {
            cost.known += 1;
            cost.total += amount;
            if let Some((target, _)) = data.targets.get(subdomain)
                && !on_target(row, Some(*target))
            {
                cost.off_target += amount;
            }
        }
    }
    costs
}

fn costs(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[2])?;
    super::cells::print_wide(sheet);
    let by_domain = costs_by_domain(data);
    let headers = ["Domaine", "Coût annuel connu", "Dont hors cible", "Lignes au coût connu", "Lignes", "Part connue"];
    start(sheet, f, data, SHEETS[2], &headers, by_domain.len() + 1)?;
    let mut r = TOP + 1;
    let mut all = DomainCost::default();
    for (domain, (_, label)) in data.domains.iter().map(|d| (&d.0, d)) {
        let Some(cost) = by_domain.get(domain) else { continue };
        cells::text(sheet, r, 0, label, None)?;
        write_cost(sheet, f, r, cost)?;
        all.total += cost.total;
        all.off_target += cost.off_target;
        all.known += cost.known;
        all.rows += cost.rows;
        r += 1;
    }
    sheet.write_string_with_format(r, 0, "Total", &f.header)?;
    write_cost(sheet, f, r, &all)?;
    for (c, w) in [(0, 32.0), (1, 18.0), (2, 18.0), (3, 14.0), (4, 10.0), (5, 12.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

fn write_cost(sheet: &mut Worksheet, f: &Styles, r: u32, cost: &DomainCost) -> Result<(), XlsxError> {
    sheet.write_number_with_format(r, 1, cost.total, &f.money)?;
    sheet.write_number_with_format(r, 2, cost.off_target, &f.money)?;
    sheet.write_number(r, 3, cost.known as f64)?;
    sheet.write_number(r, 4, cost.rows as f64)?;
    if cost.rows > 0 {
        sheet.write_number_with_format(r, 5, cost.known as f64 / cost.rows as f64, &f.percent)?;
    }
    Ok(())
}

/// Writes the schéma directeur inputs.
///
/// # Errors
/// When the workbook cannot be written.
pub fn workbook(data: &GhtExport) -> Result<Vec<u8>, XlsxError> {
    let f = Styles::default();
    let mut book = Workbook::new();
    current_state(&mut book, &f, data)?;
    migrations(&mut book, &f, data)?;
    costs(&mut book, &f, data)?;
    book.save_to_buffer()
}
