//! The inventory annex of the RESAH tender (national framework contract for
//! schéma directeur consulting): the GHT as a consultant needs it to answer.
//!
//! Four sheets, named as DOMAIN.md §8 says: `Présentation GHT`,
//! `Établissements`, `Inventaire applicatif` (one row per établissement ×
//! sub-domain × product) and `Synthèse par domaine` (sub-domains ×
//! établissements, product names). Each carries the campaign year and the
//! extraction date above a frozen, filtered header row.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use super::cells;
use super::ght::{ExportRow, GhtExport};
use super::style::Styles;

/// The sheets, in order.
pub const SHEETS: [&str; 4] = ["Présentation GHT", "Établissements", "Inventaire applicatif", "Synthèse par domaine"];
/// The first row of each sheet's table (below the title lines).
const TOP: u32 = 3;

/// The title lines every sheet carries: the GHT, the campaign year and the
/// extraction date.
fn heading(sheet: &mut Worksheet, f: &Styles, data: &GhtExport, title: &str) -> Result<(), XlsxError> {
    cells::text(
        sheet,
        0,
        0,
        &format!("Annexe RESAH — {title} — {} ({})", data.ght_name, data.ght_code),
        Some(&f.title),
    )?;
    sheet.write_string(1, 0, format!("Campagne {}", data.campaign))?;
    sheet.write_string(1, 2, format!("Extraction du {}", data.extracted_on.format("%d/%m/%Y")))?;
    Ok(())
}

fn header_row(sheet: &mut Worksheet, f: &Styles, headers: &[&str], rows: usize) -> Result<(), XlsxError> {
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(TOP, c as u16, *h, &f.header)?;
    }
    sheet.set_freeze_panes(TOP + 1, 0)?;
    sheet.autofilter(TOP, 0, TOP + rows.max(1) as u32, headers.len() as u16 - 1)?;
    Ok(())
}

fn presentation(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[0])?;
    super::cells::print_wide(sheet);
    heading(sheet, f, data, SHEETS[0])?;
    let support = data
        .support
        .as_deref()
        .map_or_else(|| "non désigné".to_owned(), |finess| format!("{} ({finess})", data.name_of(finess)));
    let rows = [
        ("Nom du GHT", data.ght_name.clone()),
        ("Code", data.ght_code.clone()),
        ("Région (ARS)", format!("{} ({})", data.region.1, data.region.0)),
        ("Établissement support", support),
        ("Nombre d'établissements parties", data.etablissements.len().to_string()),
        (
            "Parties",
            data.etablissements.iter().map(|m| format!("{} ({})", m.name, m.finess)).collect::<Vec<_>>().join("\n"),
        ),
        ("Applications inventoriées", data.rows.len().to_string()),
        (
            "Complétude de la campagne",
            format!("{} établissement(s) sur {} ont un inventaire validé", data.completeness.1, data.completeness.0),
        ),
    ];
    header_row(sheet, f, &["Rubrique", "Valeur"], rows.len())?;
    for (i, (label, value)) in rows.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        sheet.write_string(r, 0, *label)?;
        cells::text(sheet, r, 1, value, Some(&f.wrap))?;
    }
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 70)?;
    Ok(())
}

fn etablissements(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[1])?;
    super::cells::print_wide(sheet);
    heading(sheet, f, data, SHEETS[1])?;
    header_row(sheet, f, &["FINESS juridique", "Raison sociale", "Catégorie", "Commune"], data.etablissements.len())?;
    for (i, member) in data.etablissements.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        cells::text(sheet, r, 0, &member.finess, None)?;
        cells::text(sheet, r, 1, &member.name, None)?;
        if let Some(category) = &member.category {
            cells::text(sheet, r, 2, category, None)?;
        }
        if let Some(commune) = &member.commune {
            cells::text(sheet, r, 3, commune, None)?;
        }
    }
    for (c, w) in [(0, 16.0), (1, 44.0), (2, 30.0), (3, 26.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

/// The inventory's headers.
pub const INVENTORY_HEADERS: [&str; 15] = [
    "FINESS juridique",
    "Établissement",
    "Domaine",
    "Sous-domaine",
    "Produit",
    "Éditeur",
    "Version",
    "Mise en service",
    "Hébergement",
    "Utilisateurs",
    "Fin de contrat",
    "Interfaces",
    "Statut de convergence",
    "Cible du GHT",
    "Nom déclaré",
];

fn inventory(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(SHEETS[2])?;
    super::cells::print_wide(sheet);
    heading(sheet, f, data, SHEETS[2])?;
    for (c, w) in
        [16.0, 32.0, 24.0, 30.0, 24.0, 20.0, 10.0, 14.0, 18.0, 12.0, 14.0, 20.0, 18.0, 20.0, 24.0].iter().enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    // One row per établissement × sub-domain × product, in the taxonomy's
    // order.
    let position = |code: Option<&str>| {
        code.and_then(|c| data.subdomains.iter().position(|(s, _, _)| s == c)).unwrap_or(usize::MAX)
    };
    let mut rows: Vec<&ExportRow> = data.rows.iter().collect();
    rows.sort_by_key(|r| (r.finess_ej.clone(), position(r.subdomain.as_deref())));
    header_row(sheet, f, &INVENTORY_HEADERS, rows.len())?;
    for (i, row) in rows.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        let subdomain = row.subdomain.as_deref();
        cells::text(sheet, r, 0, &row.finess_ej, None)?;
        cells::text(sheet, r, 1, &row.etablissement, None)?;
        if let Some(code) = subdomain {
            cells::text(sheet, r, 2, data.domain_label(code), None)?;
            cells::text(sheet, r, 3, &format!("{code} — {}", data.subdomain_label(code)), None)?;
        }
        let product = row.product.as_ref().map_or_else(|| super::vision::state_label(&row.state), |(_, n)| n.as_str());
        cells::text(sheet, r, 4, product, None)?;
        if let Some(vendor) = &row.vendor {
            cells::text(sheet, r, 5, vendor, None)?;
        }
        if let Some(version) = &row.version {
            cells::text(sheet, r, 6, version, None)?;
        }
        if let Some(day) = row.go_live {
            sheet.write_date_with_format(r, 7, cells::excel_date(day)?, &f.date)?;
        }
        if let Some(hosting) = row.hosting {
            sheet.write_string(r, 8, hosting)?;
        }
        if let Some(users) = row.users {
            sheet.write_number_with_format(r, 9, f64::from(users), &f.number)?;
        }
        if let Some(end) = row.contract_end {
            sheet.write_date_with_format(r, 10, cells::excel_date(end)?, &f.date)?;
        }
        if let Some(interfaces) = &row.interfaces {
            cells::text(sheet, r, 11, interfaces, None)?;
        }
        if let Some(status) = row.convergence_status {
            sheet.write_string(r, 12, status)?;
        }
        if let Some((_, target)) = data.target_of(subdomain) {
            cells::text(sheet, r, 13, target, None)?;
        }
        cells::text(sheet, r, 14, &row.application_raw, None)?;
    }
    Ok(())
}

fn synthesis(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SHEETS[3])?;
    super::cells::print_wide(sheet);
    heading(sheet, f, data, SHEETS[3])?;
    let mut by_cell: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for row in &data.rows {
        if let Some(subdomain) = row.subdomain.as_deref() {
            let name = row.product.as_ref().map_or(row.application_raw.as_str(), |(_, n)| n.as_str());
            let names = by_cell.entry((subdomain, row.finess_ej.as_str())).or_default();
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    let lines: Vec<&(String, String, String)> =
        data.subdomains.iter().filter(|(code, _, _)| by_cell.keys().any(|(s, _)| s == code)).collect();
    let mut headers = vec!["Domaine", "Sous-domaine", "Cible du GHT"];
    let names: Vec<String> = data.etablissements.iter().map(|m| format!("{} ({})", m.name, m.finess)).collect();
    headers.extend(names.iter().map(String::as_str));
    header_row(sheet, f, &headers, lines.len())?;
    for (i, (code, _, label)) in lines.iter().enumerate() {
        let r = TOP + 1 + i as u32;
        cells::text(sheet, r, 0, data.domain_label(code), None)?;
        cells::text(sheet, r, 1, &format!("{code} — {label}"), None)?;
        if let Some((_, target)) = data.target_of(Some(code)) {
            cells::text(sheet, r, 2, target, None)?;
        }
        for (j, member) in data.etablissements.iter().enumerate() {
            if let Some(names) = by_cell.get(&(code.as_str(), member.finess.as_str())) {
                cells::text(sheet, r, 3 + j as u16, &names.join("\n"), Some(&f.wrap))?;
            }
        }
    }
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 36)?;
    sheet.set_column_width(2, 20)?;
    for j in 0..data.etablissements.len() {
        sheet.set_column_width(3 + j as u16, 24)?;
    }
    Ok(())
}

/// Writes the RESAH annex.
///
/// # Errors
/// When the workbook cannot be written.
pub fn workbook(data: &GhtExport) -> Result<Vec<u8>, XlsxError> {
    let f = Styles::default();
    let mut book = Workbook::new();
    presentation(&mut book, &f, data)?;
    etablissements(&mut book, &f, data)?;
    inventory(&mut book, &f, data)?;
    synthesis(&mut book, &f, data)?;
    book.save_to_buffer()
}
