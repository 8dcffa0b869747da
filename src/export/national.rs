//! The national (or regional) table for DGOS and the ARS: one row per GHT
//! with every indicator, its change since the previous campaign and its
//! rank, grouped by region with each region's medians, and the national
//! distribution below; also as CSV the way French Excel opens it (UTF-8
//! with BOM, `;`, decimal comma).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{Color, Format, Workbook, XlsxError};

use super::cells;
use crate::compute::aggregates::{Rank, distribution, ranks};

/// An indicator column.
#[derive(Debug, Clone)]
pub struct Column {
    /// Value code (with its sub-domain for a per-sub-domain indicator).
    pub code: String,
    /// French label.
    pub label: String,
    /// `percent`, `count`, `euro`…
    pub unit: String,
    /// Whether higher is better.
    pub higher_is_better: bool,
}

/// One GHT's line.
#[derive(Debug, Clone, Default)]
pub struct GhtLine {
    /// Region code.
    pub region: String,
    /// GHT code.
    pub code: String,
    /// GHT name.
    pub name: String,
    /// Values at the campaign, by code.
    pub values: BTreeMap<String, f64>,
    /// Values at the previous campaign, by code.
    pub previous: BTreeMap<String, f64>,
}

/// The table.
#[derive(Debug, Clone, Default)]
pub struct NationalTable {
    /// « France entière » or the region.
    pub scope: String,
    /// Campaign year.
    pub campaign: i32,
    /// Previous campaign year.
    pub previous_campaign: Option<i32>,
    /// Day of extraction.
    pub extracted_on: NaiveDate,
    /// Region names by code.
    pub regions: BTreeMap<String, String>,
    /// The indicator columns, in the schema's order.
    pub columns: Vec<Column>,
    /// The GHTs, by region then code.
    pub ghts: Vec<GhtLine>,
}

impl NationalTable {
    /// Each GHT's rank per indicator code, over the table's GHTs.
    pub fn ranks(&self) -> BTreeMap<&str, BTreeMap<String, Rank>> {
        self.columns
            .iter()
            .map(|column| {
                let values: BTreeMap<String, f64> =
                    self.ghts.iter().filter_map(|g| g.values.get(&column.code).map(|v| (g.code.clone(), *v))).collect();
                let by_ght =
                    ranks(&values, column.higher_is_better).into_iter().map(|r| (r.ght_code.clone(), r)).collect();
                (column.code.as_str(), by_ght)
            })
            .collect()
    }
}

/// The CSV file: UTF-8 with BOM, `;`, decimal comma, one line per GHT.
pub fn csv(table: &NationalTable) -> Vec<u8> {
    let ranks = table.ranks();
    let number = |value: f64| {
        let text = format!("{}", (value * 1e6).round() / 1e6);
        text.replace('.', ",")
    };
    let mut out = String::from("\u{feff}Région;Code GHT;GHT");
    for column in &table.columns {
        out.push_str(&format!(";{0} valeur;{0} évolution;{0} rang", column.code));
    }
    out.push_str("\r\n");
    for ght in &table.ghts {
        let field = |text: &str| cells::csv_text(text).replace(';', ",");
        out.push_str(&format!("{};{};{}", field(&ght.region), field(&ght.code), field(&ght.name)));
        for column in &table.columns {
            let value = ght.values.get(&column.code);
            let delta = value.zip(ght.previous.get(&column.code)).map(|(v, p)| v - p);
            let rank = ranks.get(column.code.as_str()).and_then(|r| r.get(&ght.code)).map(|r| r.rank);
            out.push_str(&format!(
                ";{};{};{}",
                value.map(|v| number(*v)).unwrap_or_default(),
                delta.map(number).unwrap_or_default(),
                rank.map(|r| r.to_string()).unwrap_or_default()
            ));
        }
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// One statistic of a distribution.
type Statistic = fn(&crate::compute::aggregates::Distribution) -> f64;

/// The sheet of the table.
pub const SHEET: &str = "Indicateurs par GHT";
/// The sheet defining the indicators.
pub const DEFINITIONS: &str = "Indicateurs";
const TOP: u32 = 3;
const FIRST: u16 = 3;

/// Writes the workbook.
///
/// # Errors
/// When the workbook cannot be written.
pub fn workbook(table: &NationalTable) -> Result<Vec<u8>, XlsxError> {
    let styles = super::style::Styles::default();
    let (title, header) = (styles.title.clone(), styles.header.clone());
    let median = Format::new().set_bold().set_background_color(Color::RGB(0xDD_EB_F7));
    let number = Format::new().set_num_format("# ##0.00");
    let percent = styles.percent.clone();
    let median_percent = percent.clone().set_bold().set_background_color(Color::RGB(0xDD_EB_F7));
    let median_number = number.clone().set_bold().set_background_color(Color::RGB(0xDD_EB_F7));
    let format_of = |unit: &str, strong: bool| match (unit == "percent", strong) {
        (true, false) => &percent,
        (true, true) => &median_percent,
        (false, false) => &number,
        (false, true) => &median_number,
    };
    let ranks = table.ranks();

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    super::cells::print_wide(sheet);
    let previous = table.previous_campaign.map_or_else(String::new, |y| format!(", évolution depuis {y}"));
    cells::text(
        sheet,
        0,
        0,
        &format!("Indicateurs de convergence — {} — campagne {}{previous}", table.scope, table.campaign),
        Some(&title),
    )?;
    sheet.write_string(1, 0, format!("Extraction du {}", table.extracted_on.format("%d/%m/%Y")))?;
    for (c, h) in ["Région", "Code GHT", "GHT"].iter().enumerate() {
        sheet.write_string_with_format(TOP, c as u16, *h, &header)?;
    }
    for (i, column) in table.columns.iter().enumerate() {
        let c = FIRST + 3 * i as u16;
        cells::text(sheet, TOP, c, &format!("{}\n{}", column.code, column.label), Some(&header))?;
        sheet.write_string_with_format(TOP, c + 1, "évolution", &header)?;
        sheet.write_string_with_format(TOP, c + 2, "rang", &header)?;
        sheet.set_column_width(c, 16)?;
    }
    sheet.set_row_height(TOP, 60)?;
    let mut r = TOP + 1;
    let mut by_region: BTreeMap<&str, Vec<&GhtLine>> = BTreeMap::new();
    for ght in &table.ghts {
        by_region.entry(ght.region.as_str()).or_default().push(ght);
    }
    for (region, ghts) in &by_region {
        for ght in ghts {
            cells::text(sheet, r, 0, region, None)?;
            cells::text(sheet, r, 1, &ght.code, None)?;
            cells::text(sheet, r, 2, &ght.name, None)?;
            for (i, column) in table.columns.iter().enumerate() {
                let c = FIRST + 3 * i as u16;
                if let Some(value) = ght.values.get(&column.code) {
                    sheet.write_number_with_format(r, c, *value, format_of(&column.unit, false))?;
                    if let Some(before) = ght.previous.get(&column.code) {
                        sheet.write_number_with_format(r, c + 1, value - before, format_of(&column.unit, false))?;
                    }
                }
                if let Some(rank) = ranks.get(column.code.as_str()).and_then(|by| by.get(&ght.code)) {
                    sheet.write_number(r, c + 2, rank.rank as f64)?;
                }
            }
            r += 1;
        }
        let name = table.regions.get(*region).map_or(*region, String::as_str);
        sheet.write_string_with_format(r, 0, *region, &median)?;
        cells::text(sheet, r, 2, &format!("Médiane — {name}"), Some(&median))?;
        for (i, column) in table.columns.iter().enumerate() {
            let values: Vec<f64> = ghts.iter().filter_map(|g| g.values.get(&column.code).copied()).collect();
            if let Some(spread) = distribution(&values) {
                sheet.write_number_with_format(
                    r,
                    FIRST + 3 * i as u16,
                    spread.median,
                    format_of(&column.unit, true),
                )?;
            }
        }
        r += 2;
    }
    sheet.write_string_with_format(r, 2, "Distribution", &header)?;
    let stats: [(&str, Statistic); 7] = [
        ("Effectif", |d| d.count as f64),
        ("Minimum", |d| d.min),
        ("1er quartile", |d| d.q1),
        ("Médiane", |d| d.median),
        ("3e quartile", |d| d.q3),
        ("Maximum", |d| d.max),
        ("Moyenne", |d| d.mean),
    ];
    for (k, (label, stat)) in stats.iter().enumerate() {
        let row = r + 1 + k as u32;
        sheet.write_string_with_format(row, 2, *label, &median)?;
        for (i, column) in table.columns.iter().enumerate() {
            let values: Vec<f64> = table.ghts.iter().filter_map(|g| g.values.get(&column.code).copied()).collect();
            if let Some(spread) = distribution(&values) {
                let format = if k == 0 { &median_number } else { format_of(&column.unit, true) };
                sheet.write_number_with_format(row, FIRST + 3 * i as u16, stat(&spread), format)?;
            }
        }
    }
    sheet.set_freeze_panes(TOP + 1, FIRST)?;
    sheet.autofilter(TOP, 0, TOP + table.ghts.len().max(1) as u32, 2)?;
    sheet.set_column_width(0, 9)?;
    sheet.set_column_width(1, 10)?;
    sheet.set_column_width(2, 40)?;

    let definitions = book.add_worksheet();
    definitions.set_name(DEFINITIONS)?;
    super::cells::print_wide(definitions);
    for (c, h) in ["Code", "Indicateur", "Unité", "Sens"].iter().enumerate() {
        definitions.write_string_with_format(0, c as u16, *h, &header)?;
    }
    for (i, column) in table.columns.iter().enumerate() {
        let r = i as u32 + 1;
        cells::text(definitions, r, 0, &column.code, None)?;
        cells::text(definitions, r, 1, &column.label, None)?;
        cells::text(definitions, r, 2, &column.unit, None)?;
        definitions.write_string(
            r,
            3,
            if column.higher_is_better { "plus haut = mieux" } else { "plus bas = mieux" },
        )?;
    }
    definitions.set_column_width(0, 30)?;
    definitions.set_column_width(1, 60)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> NationalTable {
        let line = |region: &str, code: &str, name: &str, value: f64, before: f64| GhtLine {
            region: region.to_owned(),
            code: code.to_owned(),
            name: name.to_owned(),
            values: [("APP.CONV_RATE".to_owned(), value)].into_iter().collect(),
            previous: [("APP.CONV_RATE".to_owned(), before)].into_iter().collect(),
        };
        NationalTable {
            scope: "France entière".to_owned(),
            campaign: 2026,
            previous_campaign: Some(2025),
            columns: vec![Column {
                code: "APP.CONV_RATE".to_owned(),
                label: "Taux".to_owned(),
                unit: "percent".to_owned(),
                higher_is_better: true,
            }],
            ghts: vec![line("NOR", "NOR-01", "=GHT; Caux", 0.5, 0.25), line("NOR", "NOR-02", "GHT B", 0.75, 0.75)],
            ..NationalTable::default()
        }
    }

    #[test]
    fn the_csv_opens_in_french_excel() {
        let text = String::from_utf8(csv(&table())).unwrap_or_default();
        assert!(text.starts_with('\u{feff}'), "a BOM");
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Région;Code GHT;GHT;APP.CONV_RATE valeur;APP.CONV_RATE évolution;APP.CONV_RATE rang");
        assert_eq!(lines[1], "NOR;NOR-01;'=GHT, Caux;0,5;0,25;2", "a formula-like name stays text");
        assert_eq!(lines[2], "NOR;NOR-02;GHT B;0,75;0;1");
    }
}
