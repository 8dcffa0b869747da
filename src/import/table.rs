//! Finding the inventory in a workbook: the sheets that hold rows, their
//! header row (anywhere in the first 30 rows, below titles and blank
//! lines), the meaning of each column, and the data rows.

use serde::{Deserialize, Serialize};

use super::headers::{Field, HeaderMatcher, expected_headers};
use super::{Cell, IngestError, RawSheet, RawWorkbook, column_letter};
use crate::normalise::normalise_key;

/// How far down a header row is looked for.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// A column of an inventory sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Excel column number (1 = A).
    pub number: u32,
    /// Excel letter.
    pub letter: String,
    /// Header as written (empty when the column has none).
    pub header: String,
    /// The field it holds; `None` for a column kept as an extra attribute.
    pub field: Option<Field>,
    /// Whether another column already holds the same field.
    pub duplicate: bool,
}

/// A data row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Row number as Excel shows it.
    pub excel_row: u32,
    /// Cells aligned with the sheet's columns.
    pub cells: Vec<Cell>,
}

/// One sheet that holds inventory rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventorySheet {
    /// Sheet name.
    pub name: String,
    /// Excel row of the header.
    pub header_row: u32,
    /// Its columns, left to right.
    pub columns: Vec<Column>,
    /// Data rows (blank and total rows left out).
    pub rows: Vec<TableRow>,
    /// Rows left out as totals or sub-totals.
    pub total_rows: Vec<u32>,
}

impl InventorySheet {
    /// Index of the column holding a field.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| c.field == Some(field) && !c.duplicate)
    }
}

/// The inventory found in a workbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryTable {
    /// Sheets holding rows, in workbook order.
    pub sheets: Vec<InventorySheet>,
    /// Sheets without a recognisable header (notices, instructions, lists).
    pub ignored_sheets: Vec<String>,
}

/// Finds the inventory sheets of a workbook.
///
/// # Errors
/// `NoHeaderRow` when no sheet has a header row naming the application.
pub fn locate(workbook: RawWorkbook, matcher: &HeaderMatcher) -> Result<InventoryTable, IngestError> {
    let mut sheets = Vec::new();
    let mut ignored_sheets = Vec::new();
    // Sheets are consumed one by one: their cells move into the table.
    for sheet in workbook.sheets {
        match header_row(&sheet, matcher) {
            Some(index) => sheets.push(inventory_sheet(sheet, index, matcher)),
            None => ignored_sheets.push(sheet.name),
        }
    }
    if sheets.is_empty() {
        return Err(IngestError::NoHeaderRow { expected: expected_headers() });
    }
    Ok(InventoryTable { sheets, ignored_sheets })
}

/// The index (in `sheet.rows`) of the row that names the most fields,
/// among those naming the application.
fn header_row(sheet: &RawSheet, matcher: &HeaderMatcher) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (index, row) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let fields: Vec<Field> = row.iter().filter_map(|c| matcher.field(&c.display())).collect();
        if !fields.contains(&Field::Application) {
            continue;
        }
        let score = fields.len();
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((index, score));
        }
    }
    best.map(|(index, _)| index)
}

fn inventory_sheet(sheet: RawSheet, header_index: usize, matcher: &HeaderMatcher) -> InventorySheet {
    let header = &sheet.rows[header_index];
    let width = sheet.rows.iter().skip(header_index).map(|r| last_filled(r)).max().unwrap_or(0);
    let mut columns: Vec<Column> = Vec::with_capacity(width);
    for index in 0..width {
        let text = header.get(index).map(Cell::display).unwrap_or_default().trim().to_owned();
        let field = matcher.field(&text);
        let duplicate = field.is_some() && columns.iter().any(|c| c.field == field);
        let number = sheet.first_col + index as u32;
        columns.push(Column { number, letter: column_letter(number), header: text, field, duplicate });
    }
    let application = columns.iter().position(|c| c.field == Some(Field::Application) && !c.duplicate);
    let mut rows = Vec::new();
    let mut total_rows = Vec::new();
    let (first_row, name) = (sheet.first_row, sheet.name);
    for (offset, mut cells) in sheet.rows.into_iter().enumerate().skip(header_index + 1) {
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        let excel_row = first_row + offset as u32;
        if is_total(&cells, application) {
            total_rows.push(excel_row);
            continue;
        }
        cells.truncate(width);
        cells.resize(width, Cell::Empty);
        rows.push(TableRow { excel_row, cells });
    }
    InventorySheet { name, header_row: first_row + header_index as u32, columns, rows, total_rows }
}

fn last_filled(row: &[Cell]) -> usize {
    row.iter().rposition(|c| !c.is_blank()).map_or(0, |i| i + 1)
}

/// A total or sub-total row: its first filled cell (or its application
/// cell) starts with « total » or « sous-total ».
fn is_total(row: &[Cell], application: Option<usize>) -> bool {
    let first = row.iter().find(|c| !c.is_blank());
    let candidates = application.and_then(|i| row.get(i)).into_iter().chain(first);
    candidates.into_iter().any(|cell| {
        let key = normalise_key(&cell.display());
        key.starts_with("total") || key.starts_with("soustotal")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::import::Format;

    fn t(s: &str) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
    }

    fn sheet(name: &str, rows: &[&[&str]]) -> RawSheet {
        RawSheet {
            name: name.to_owned(),
            first_row: 1,
            first_col: 1,
            rows: rows.iter().map(|r| r.iter().map(|s| t(s)).collect()).collect(),
        }
    }

    #[test]
    fn the_header_is_found_below_titles_and_notices_are_ignored() {
        let workbook = RawWorkbook {
            format: Format::Xlsx,
            sheets: vec![
                sheet("Notice", &[&["Mode d'emploi"], &["Remplissez une ligne par application"]]),
                sheet(
                    "Inventaire",
                    &[
                        &["INVENTAIRE APPLICATIF 2026", "", ""],
                        &["", "", ""],
                        &["Logiciel", "Editeur", "Couleur"],
                        &["DxCare", "Dedalus", "bleu"],
                        &["", "", ""],
                        &["Pastel", "MiPih", ""],
                        &["TOTAL", "", ""],
                    ],
                ),
            ],
        };
        let table = locate(workbook, &HeaderMatcher::new(&HashMap::new())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(table.ignored_sheets, ["Notice"]);
        let inventory = &table.sheets[0];
        assert_eq!(inventory.header_row, 3);
        let fields: Vec<Option<Field>> = inventory.columns.iter().map(|c| c.field).collect();
        assert_eq!(fields, [Some(Field::Application), Some(Field::Vendor), None]);
        assert_eq!(inventory.columns[2].letter, "C");
        let rows: Vec<u32> = inventory.rows.iter().map(|r| r.excel_row).collect();
        assert_eq!(rows, [4, 6]);
        assert_eq!(inventory.total_rows, [7]);
    }

    #[test]
    fn without_an_application_column_the_file_is_refused_listing_the_columns() {
        let workbook = RawWorkbook {
            format: Format::Csv,
            sheets: vec![sheet("a.csv", &[&["Nom", "Prénom"], &["Dupont", "Jean"]])],
        };
        match locate(workbook, &HeaderMatcher::new(&HashMap::new())) {
            Err(IngestError::NoHeaderRow { expected }) => assert!(expected.contains(&"Application".to_owned())),
            other => panic!("{other:?}"),
        }
    }
}
