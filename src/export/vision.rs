//! The *Vision SI consolidée* of a GHT for a campaign: the workbook a DSI
//! brings to the steering committee.
//!
//! Sheets: *Synthèse* (each indicator, its known share, the previous
//! campaign's value and the change, coloured by the indicator's better
//! direction; the campaign's completeness), *Matrice* (établissements ×
//! sub-domains, the product(s) in each cell, coloured by category with a
//! legend that also says it in words), *Inventaire consolidé* (every
//! counted row, with the importer's own headers so that it can be deposited
//! back), *Trajectoires* (planned and actual adoption of each target, with
//! a line chart per sub-domain) and *Échéances* (off-target rows by contract
//! end, soonest first, with the cost at stake).
//!
//! Pure: the service gathers [`GhtExport`]; nothing here reads the
//! database.

use std::collections::{BTreeMap, HashSet};

use rust_xlsxwriter::{
    Chart, ChartType, Color, ConditionalFormatCell, ConditionalFormatCellRule, Format, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

use super::cells;
pub use super::ght::{ExportRow, GhtExport, SynthesisLine};
use super::style::Styles;
use crate::compute::trajectories::Status;

/// Sheet names.
pub const SYNTHESIS: &str = "Synthèse";
/// The matrix sheet.
pub const MATRIX: &str = "Matrice";
/// The consolidated inventory sheet.
pub const INVENTORY: &str = "Inventaire consolidé";
/// The trajectories sheet.
pub const TRAJECTORIES: &str = "Trajectoires";
/// The deadlines sheet.
pub const DEADLINES: &str = "Échéances";

/// What a matrix cell shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellCategory {
    /// Runs the target.
    OnTarget,
    /// Runs something else where a target is set.
    OffTarget,
    /// A name the catalogue does not know.
    Unmatched,
    /// The need exists without software.
    NotComputerised,
    /// Products where no target is set.
    NoTarget,
    /// No row.
    NoRow,
}

impl CellCategory {
    /// The legend's words (the colour is never the only sign).
    pub fn label(self) -> &'static str {
        match self {
            CellCategory::OnTarget => "Sur la cible",
            CellCategory::OffTarget => "Hors cible",
            CellCategory::Unmatched => "Nom non reconnu",
            CellCategory::NotComputerised => "Non informatisé",
            CellCategory::NoTarget => "Pas de cible fixée",
            CellCategory::NoRow => "Aucune ligne",
        }
    }

    fn colour(self) -> Color {
        match self {
            CellCategory::OnTarget => Color::RGB(0xC6_EF_CE),
            CellCategory::OffTarget => Color::RGB(0xFF_C7_CE),
            CellCategory::Unmatched => Color::RGB(0xFF_EB_9C),
            CellCategory::NotComputerised => Color::RGB(0xD9_D9_D9),
            CellCategory::NoTarget => Color::RGB(0xDD_EB_F7),
            CellCategory::NoRow => Color::White,
        }
    }

    /// The mark written before the names, for readers without colour.
    pub fn mark(self) -> &'static str {
        match self {
            CellCategory::OnTarget => "✔ ",
            CellCategory::OffTarget => "✘ ",
            CellCategory::Unmatched => "? ",
            CellCategory::NotComputerised => "∅ ",
            CellCategory::NoTarget | CellCategory::NoRow => "",
        }
    }
}

/// The category of a cell from its rows and the sub-domain's target.
pub fn categorise(rows: &[&ExportRow], target: Option<i64>) -> CellCategory {
    if rows.is_empty() {
        return CellCategory::NoRow;
    }
    if let Some(target) = target
        && rows.iter().any(|r| r.product.as_ref().is_some_and(|(id, _)| *id == target))
    {
        return CellCategory::OnTarget;
    }
    if rows.iter().all(|r| r.state == "not_computerised") {
        return CellCategory::NotComputerised;
    }
    if rows.iter().any(|r| r.state == "unmatched") && rows.iter().all(|r| r.product.is_none()) {
        return CellCategory::Unmatched;
    }
    if target.is_some() { CellCategory::OffTarget } else { CellCategory::NoTarget }
}

/// The name a row shows: its product, else what was written.
fn shown_name(row: &ExportRow) -> &str {
    row.product.as_ref().map_or(row.application_raw.as_str(), |(_, name)| name.as_str())
}

fn title(sheet: &mut Worksheet, f: &Styles, data: &GhtExport, what: &str) -> Result<(), XlsxError> {
    let heading = format!("{what} — {} ({}) — campagne {}", data.ght_name, data.ght_code, data.campaign);
    cells::text(sheet, 0, 0, &heading, Some(&f.title))?;
    let extracted = format!("Extraction du {}", data.extracted_on.format("%d/%m/%Y"));
    sheet.write_string(1, 0, extracted)?;
    Ok(())
}

fn synthesis(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(SYNTHESIS)?;
    super::cells::print_wide(sheet);
    title(sheet, f, data, "Vision SI consolidée")?;
    let (expected, reporting) = data.completeness;
    sheet.write_string(2, 0, "Complétude de la campagne")?;
    let share = if expected > 0 { f64::from(reporting) / f64::from(expected) } else { 0.0 };
    sheet.write_number_with_format(2, 1, share, &f.percent)?;
    sheet.write_string(2, 2, format!("{reporting} établissement(s) sur {expected} ont un inventaire validé"))?;
    let previous = data.previous_campaign.map_or_else(|| "Campagne précédente".to_owned(), |y| format!("Campagne {y}"));
    let headers =
        ["Code", "Indicateur", "Valeur", "Part connue", previous.as_str(), "Évolution", "Sens", "Réponse déclarée"];
    let top = 4;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &f.header)?;
    }
    let better = Format::new().set_font_color(Color::RGB(0x00_61_00)).set_background_color(Color::RGB(0xC6_EF_CE));
    let worse = Format::new().set_font_color(Color::RGB(0x9C_00_06)).set_background_color(Color::RGB(0xFF_C7_CE));
    for (i, line) in data.indicators.iter().enumerate() {
        let r = top + 1 + i as u32;
        cells::text(sheet, r, 0, &line.code, None)?;
        cells::text(sheet, r, 1, &line.label, None)?;
        let format = f.of_unit(&line.unit);
        if let Some(value) = line.value {
            sheet.write_number_with_format(r, 2, value, format)?;
        }
        if let Some(known) = line.known_share {
            sheet.write_number_with_format(r, 3, known, &f.percent)?;
        }
        if let Some(previous) = line.previous {
            sheet.write_number_with_format(r, 4, previous, format)?;
        }
        if let (Some(value), Some(previous)) = (line.value, line.previous) {
            sheet.write_number_with_format(r, 5, value - previous, format)?;
            let (up, down) = if line.higher_is_better { (&better, &worse) } else { (&worse, &better) };
            sheet.add_conditional_format(
                r,
                5,
                r,
                5,
                &ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(0)).set_format(up),
            )?;
            sheet.add_conditional_format(
                r,
                5,
                r,
                5,
                &ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::LessThan(0)).set_format(down),
            )?;
        }
        sheet.write_string(r, 6, if line.higher_is_better { "plus haut = mieux" } else { "plus bas = mieux" })?;
        if let Some(declared) = &line.declared {
            cells::text(sheet, r, 7, declared, None)?;
        }
    }
    sheet.set_freeze_panes(top + 1, 2)?;
    if !data.indicators.is_empty() {
        sheet.autofilter(top, 0, top + data.indicators.len() as u32, headers.len() as u16 - 1)?;
    }
    for (c, w) in [(0, 28.0), (1, 52.0), (2, 14.0), (3, 12.0), (4, 16.0), (5, 12.0), (6, 18.0), (7, 30.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

/// One cell of the matrix: its category and the names it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixCell<'a> {
    /// What the cell means.
    pub category: CellCategory,
    /// The products (or names as written) of its rows, sorted, once each.
    pub names: Vec<&'a str>,
}

impl MatrixCell<'_> {
    /// The mark written before the names, for readers without colour.
    pub fn mark(&self) -> &'static str {
        self.category.mark()
    }
}

/// The matrix établissements × sub-domains of a GHT: the sub-domains
/// anyone reported in or targeted, in taxonomy order, and each member's
/// cells; the workbook and the GHT's page show the same one.
#[derive(Debug, Clone)]
pub struct Matrix<'a> {
    /// (code, label) of each column.
    pub columns: Vec<(&'a str, &'a str)>,
    /// Each member (FINESS, name) and its cells, one per column.
    pub rows: Vec<(&'a super::ght::Member, Vec<MatrixCell<'a>>)>,
}

/// The matrix of a GHT's data, for the members `keep` accepts.
pub fn matrix_of<'a>(data: &'a GhtExport, keep: impl Fn(&str) -> bool) -> Matrix<'a> {
    let used: HashSet<&str> = data
        .rows
        .iter()
        .filter(|r| keep(&r.finess_ej))
        .filter_map(|r| r.subdomain.as_deref())
        .chain(data.targets.keys().map(String::as_str))
        .collect();
    let columns: Vec<(&str, &str)> = data
        .subdomains
        .iter()
        .filter(|(c, _, _)| used.contains(c.as_str()))
        .map(|(c, _, l)| (c.as_str(), l.as_str()))
        .collect();
    let mut by_cell: BTreeMap<(&str, &str), Vec<&ExportRow>> = BTreeMap::new();
    for row in &data.rows {
        if let Some(subdomain) = row.subdomain.as_deref() {
            by_cell.entry((row.finess_ej.as_str(), subdomain)).or_default().push(row);
        }
    }
    let rows = data
        .etablissements
        .iter()
        .filter(|m| keep(&m.finess))
        .map(|member| {
            let cells = columns
                .iter()
                .map(|(code, _)| {
                    let rows = by_cell.get(&(member.finess.as_str(), *code)).map(Vec::as_slice).unwrap_or_default();
                    let category = categorise(rows, data.targets.get(*code).map(|(id, _)| *id));
                    let mut names: Vec<&str> = rows.iter().map(|r| shown_name(r)).collect();
                    names.sort_unstable();
                    names.dedup();
                    MatrixCell { category, names }
                })
                .collect();
            (member, cells)
        })
        .collect();
    Matrix { columns, rows }
}

/// The off-target rows of a GHT (a sub-domain with a target, another
/// product or an unknown name), by contract end, soonest first, rows
/// without a contract end last: the migration opportunities.
pub fn ending_contracts(data: &GhtExport) -> Vec<&ExportRow> {
    let mut off: Vec<&ExportRow> = data
        .rows
        .iter()
        .filter(|row| {
            let target = row.subdomain.as_ref().and_then(|s| data.targets.get(s)).map(|(id, _)| *id);
            target.is_some_and(|t| row.product.as_ref().is_none_or(|(id, _)| *id != t))
                && row.state != "not_computerised"
        })
        .collect();
    off.sort_by_key(|row| (row.contract_end.is_none(), row.contract_end));
    off
}

fn matrix(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(MATRIX)?;
    super::cells::print_wide(sheet);
    title(sheet, f, data, "Matrice établissements × sous-domaines")?;
    let matrix = matrix_of(data, |_| true);
    let top = 3;
    sheet.write_string_with_format(top, 0, "Établissement", &f.header)?;
    sheet.write_string_with_format(top + 1, 0, "Cible du GHT", &f.header)?;
    for (i, (code, label)) in matrix.columns.iter().enumerate() {
        let c = i as u16 + 1;
        cells::text(sheet, top, c, &format!("{code}\n{label}"), Some(&f.header))?;
        let target = data.targets.get(*code).map_or("—", |(_, name)| name.as_str());
        cells::text(sheet, top + 1, c, target, Some(&f.header))?;
        sheet.set_column_width(c, 22)?;
    }
    let formats: Vec<(CellCategory, Format)> = [
        CellCategory::OnTarget,
        CellCategory::OffTarget,
        CellCategory::Unmatched,
        CellCategory::NotComputerised,
        CellCategory::NoTarget,
        CellCategory::NoRow,
    ]
    .into_iter()
    .map(|c| (c, f.wrap.clone().set_background_color(c.colour()).set_border(FormatBorder::Thin)))
    .collect();
    let format_of = |category: CellCategory| formats.iter().find(|(c, _)| *c == category).map(|(_, f)| f);
    for (i, (member, row)) in matrix.rows.iter().enumerate() {
        let r = top + 2 + i as u32;
        cells::text(sheet, r, 0, &format!("{}\n{}", member.name, member.finess), Some(&f.wrap))?;
        let mut lines = 2;
        for (j, cell) in row.iter().enumerate() {
            let c = j as u16 + 1;
            lines = lines.max(cell.names.len());
            let shown = format!("{}{}", cell.mark(), cell.names.join("\n"));
            match format_of(cell.category) {
                Some(format) => cells::text(sheet, r, c, &shown, Some(format))?,
                None => cells::text(sheet, r, c, &shown, None)?,
            }
        }
        sheet.set_row_height(r, 15.0 * lines as f64)?;
    }
    sheet.set_row_height(top, 45)?;
    sheet.set_column_width(0, 34)?;
    sheet.set_freeze_panes(top + 2, 1)?;
    // The legend, in words as well as colours.
    let legend_row = top + 3 + data.etablissements.len() as u32;
    sheet.write_string_with_format(legend_row, 0, "Légende", &f.header)?;
    for (i, (category, format)) in formats.iter().enumerate() {
        let r = legend_row + 1 + i as u32;
        sheet.write_string_with_format(r, 0, format!("{}{}", category.mark(), category.label()), format)?;
    }
    Ok(())
}

/// The consolidated inventory's headers: the importer's own, so that the
/// sheet can be deposited back on the GHT-level route.
pub const INVENTORY_HEADERS: [&str; 15] = [
    "Établissement",
    "FINESS juridique",
    "FINESS géographique",
    "Application",
    "Nom normalisé",
    "Éditeur",
    "Version",
    "Sous-domaine",
    "Nombre d'utilisateurs",
    "Hébergement",
    "Fin de contrat",
    "Coût annuel TTC",
    "Connecté au référentiel d'identités",
    "Rapprochement",
    "État",
];

fn inventory(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(INVENTORY)?;
    super::cells::print_wide(sheet);
    for (c, h) in INVENTORY_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    for (c, w) in
        [32.0, 13.0, 13.0, 26.0, 24.0, 20.0, 10.0, 14.0, 12.0, 18.0, 13.0, 15.0, 14.0, 22.0, 16.0].iter().enumerate()
    {
        sheet.set_column_width(c as u16, *w)?;
    }
    for (i, row) in data.rows.iter().enumerate() {
        let r = i as u32 + 1;
        cells::text(sheet, r, 0, &row.etablissement, None)?;
        cells::text(sheet, r, 1, &row.finess_ej, None)?;
        if let Some(et) = &row.finess_et {
            cells::text(sheet, r, 2, et, None)?;
        }
        cells::text(sheet, r, 3, &row.application_raw, None)?;
        if let Some((_, name)) = &row.product {
            cells::text(sheet, r, 4, name, None)?;
        }
        if let Some(vendor) = &row.vendor {
            cells::text(sheet, r, 5, vendor, None)?;
        }
        if let Some(version) = &row.version {
            cells::text(sheet, r, 6, version, None)?;
        }
        if let Some(subdomain) = &row.subdomain {
            cells::text(sheet, r, 7, subdomain, None)?;
        }
        if let Some(users) = row.users {
            sheet.write_number_with_format(r, 8, f64::from(users), &f.number)?;
        }
        if let Some(hosting) = row.hosting {
            sheet.write_string(r, 9, hosting)?;
        }
        if let Some(end) = row.contract_end {
            sheet.write_date_with_format(r, 10, cells::excel_date(end)?, &f.date)?;
        }
        if let Some(cost) = row.annual_cost {
            sheet.write_number_with_format(r, 11, cost, &f.money)?;
        }
        if let Some(connected) = row.identity_connected {
            sheet.write_string(r, 12, if connected { "Oui" } else { "Non" })?;
        }
        if let Some(method) = &row.match_method {
            cells::text(sheet, r, 13, method, None)?;
        }
        sheet.write_string(r, 14, state_label(&row.state))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, data.rows.len() as u32, INVENTORY_HEADERS.len() as u16 - 1)?;
    Ok(())
}

/// A row's state in French.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "product" => "produit du catalogue",
        "unmatched" => "non reconnu",
        "in_house" => "développement interne",
        "not_computerised" => "non informatisé",
        _ => "non renseigné",
    }
}

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Converged => "convergé",
        Status::OnTrack => "dans les temps",
        Status::Late => "en retard",
        Status::NoPlan => "sans calendrier",
    }
}

fn trajectories(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(TRAJECTORIES)?;
    super::cells::print_wide(sheet);
    title(sheet, f, data, "Trajectoires de convergence")?;
    if data.trajectories.is_empty() {
        sheet.write_string(3, 0, "Aucune cible n'est fixée : fixez les cibles du GHT pour suivre les trajectoires.")?;
        return Ok(());
    }
    let headers = ["Campagne", "Date de référence", "Taux prévu", "Taux réel", "Fin projetée", "Statut"];
    let mut r = 3u32;
    for trajectory in &data.trajectories {
        let label = data.subdomain_label(&trajectory.subdomain);
        let target = data.targets.get(&trajectory.subdomain).map_or("", |(_, name)| name.as_str());
        cells::text(sheet, r, 0, &format!("{} — {label} (cible : {target})", trajectory.subdomain), Some(&f.title))?;
        let header_row = r + 1;
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string_with_format(header_row, c as u16, *h, &f.header)?;
        }
        let first = header_row + 1;
        for (i, point) in trajectory.campaigns.iter().enumerate() {
            let row = first + i as u32;
            sheet.write_number(row, 0, f64::from(point.year))?;
            sheet.write_date_with_format(row, 1, cells::excel_date(point.reference_date)?, &f.date)?;
            if let Some(planned) = point.planned {
                sheet.write_number_with_format(row, 2, planned, &f.percent)?;
            }
            if let Some(actual) = point.actual {
                sheet.write_number_with_format(row, 3, actual, &f.percent)?;
            }
            if let Some(end) = point.projected_completion {
                sheet.write_date_with_format(row, 4, cells::excel_date(end)?, &f.date)?;
            }
            sheet.write_string(row, 5, status_label(point.status))?;
        }
        let last = first + trajectory.campaigns.len().max(1) as u32 - 1;
        let mut chart = Chart::new(ChartType::Line);
        chart.title().set_name(&format!("{} : taux d'adoption de la cible", trajectory.subdomain));
        chart.add_series().set_name("Prévu").set_categories((TRAJECTORIES, first, 0, last, 0)).set_values((
            TRAJECTORIES,
            first,
            2,
            last,
            2,
        ));
        chart.add_series().set_name("Réel").set_categories((TRAJECTORIES, first, 0, last, 0)).set_values((
            TRAJECTORIES,
            first,
            3,
            last,
            3,
        ));
        chart.y_axis().set_min(0.0).set_max(1.0).set_num_format("0 %");
        chart.x_axis().set_name("Campagne");
        chart.set_width(520).set_height(240);
        sheet.insert_chart(r, 7, &chart)?;
        r = (last + 2).max(r + 13);
    }
    for (c, w) in [(0, 12.0), (1, 16.0), (2, 12.0), (3, 12.0), (4, 14.0), (5, 16.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

fn deadlines(book: &mut Workbook, f: &Styles, data: &GhtExport) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(DEADLINES)?;
    super::cells::print_wide(sheet);
    title(sheet, f, data, "Échéances des contrats hors cible")?;
    let off = ending_contracts(data);
    let headers = [
        "Fin de contrat",
        "Établissement",
        "FINESS juridique",
        "Sous-domaine",
        "Application",
        "Éditeur",
        "Cible",
        "Coût annuel TTC",
    ];
    let top = 3;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(top, c as u16, *h, &f.header)?;
    }
    for (i, row) in off.iter().enumerate() {
        let r = top + 1 + i as u32;
        match row.contract_end {
            Some(end) => sheet.write_date_with_format(r, 0, cells::excel_date(end)?, &f.date)?,
            None => sheet.write_string(r, 0, "inconnue")?,
        };
        cells::text(sheet, r, 1, &row.etablissement, None)?;
        cells::text(sheet, r, 2, &row.finess_ej, None)?;
        if let Some(subdomain) = &row.subdomain {
            cells::text(sheet, r, 3, subdomain, None)?;
            if let Some((_, target)) = data.targets.get(subdomain) {
                cells::text(sheet, r, 6, target, None)?;
            }
        }
        cells::text(sheet, r, 4, shown_name(row), None)?;
        if let Some(vendor) = &row.vendor {
            cells::text(sheet, r, 5, vendor, None)?;
        }
        if let Some(cost) = row.annual_cost {
            sheet.write_number_with_format(r, 7, cost, &f.money)?;
        }
    }
    let total_row = top + 1 + off.len() as u32;
    let at_stake: f64 = off.iter().filter_map(|r| r.annual_cost).sum();
    let known = off.iter().filter(|r| r.annual_cost.is_some()).count();
    sheet.write_string_with_format(total_row, 6, "Coût annuel en jeu", &f.header)?;
    sheet.write_number_with_format(total_row, 7, at_stake, &f.money)?;
    sheet.write_string(total_row + 1, 6, format!("coût connu pour {known} ligne(s) sur {}", off.len()))?;
    sheet.set_freeze_panes(top + 1, 0)?;
    sheet.autofilter(top, 0, top + off.len().max(1) as u32, headers.len() as u16 - 1)?;
    for (c, w) in [(0, 14.0), (1, 32.0), (2, 13.0), (3, 14.0), (4, 26.0), (5, 20.0), (6, 22.0), (7, 16.0)] {
        sheet.set_column_width(c, w)?;
    }
    Ok(())
}

/// A workbook of the consolidated inventory alone (a region's or the
/// nation's, hundreds of thousands of rows: written in constant memory).
///
/// # Errors
/// When the workbook cannot be written.
pub fn consolidated_inventory(data: &GhtExport) -> Result<Vec<u8>, XlsxError> {
    let f = Styles::default();
    let mut book = Workbook::new();
    inventory(&mut book, &f, data)?;
    book.define_name(crate::import::INVENTORY_SHEET_NAME, &format!("='{}'!$A:$O", INVENTORY.replace('\'', "''")))?;
    book.save_to_buffer()
}

/// Writes the vision workbook.
///
/// # Errors
/// When the workbook cannot be written.
pub fn workbook(data: &GhtExport) -> Result<Vec<u8>, XlsxError> {
    let f = Styles::default();
    let mut book = Workbook::new();
    synthesis(&mut book, &f, data)?;
    matrix(&mut book, &f, data)?;
    inventory(&mut book, &f, data)?;
    // Deposited back, only this sheet is read (see `import::spreadsheet`).
    book.define_name(crate::import::INVENTORY_SHEET_NAME, &format!("='{}'!$A:$O", INVENTORY.replace('\'', "''")))?;
    trajectories(&mut book, &f, data)?;
    deadlines(&mut book, &f, data)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(product: Option<i64>, state: &str) -> ExportRow {
        ExportRow {
            product: product.map(|id| (id, format!("P{id}"))),
            state: state.to_owned(),
            application_raw: "x".to_owned(),
            ..ExportRow::default()
        }
    }

    #[test]
    fn a_cell_is_categorised_by_its_rows_and_the_target() {
        let (target, other) = (row(Some(1), "product"), row(Some(2), "product"));
        let (unmatched, none) = (row(None, "unmatched"), row(None, "not_computerised"));
        assert_eq!(categorise(&[], Some(1)), CellCategory::NoRow);
        assert_eq!(categorise(&[&other, &target], Some(1)), CellCategory::OnTarget, "a legacy beside the target");
        assert_eq!(categorise(&[&other], Some(1)), CellCategory::OffTarget);
        assert_eq!(categorise(&[&other], None), CellCategory::NoTarget);
        assert_eq!(categorise(&[&unmatched], Some(1)), CellCategory::Unmatched);
        assert_eq!(categorise(&[&none], Some(1)), CellCategory::NotComputerised);
    }
}
