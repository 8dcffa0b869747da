//! Workbooks through calamine. Run only inside the parse worker: calamine
//! can panic or exhaust memory on hostile files.

use std::io::Cursor;

use calamine::{Data, DataRef, ExcelDateTime, Ods, Reader, Xls, Xlsb, Xlsx, XlsxError, open_workbook_from_rs};

use super::{Cell, Format, IngestError, Limits, RawSheet, RowSink};

/// Reads every sheet of a workbook.
///
/// # Errors
/// `PasswordProtected`, `Corrupted` or `TooManyCells`.
pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<Vec<RawSheet>, IngestError> {
    let cursor = Cursor::new(bytes);
    match format {
        Format::Xlsx | Format::Xlsm => sheets(open_workbook_from_rs::<Xlsx<_>, _>(cursor).map_err(classify)?, limits),
        Format::Xlsb => sheets(open_workbook_from_rs::<Xlsb<_>, _>(cursor).map_err(classify)?, limits),
        Format::Xls => sheets(open_workbook_from_rs::<Xls<_>, _>(cursor).map_err(classify)?, limits),
        Format::Ods => sheets(open_workbook_from_rs::<Ods<_>, _>(cursor).map_err(classify)?, limits),
        Format::Csv | Format::Html => Err(IngestError::corrupted(
            "un fichier texte ne peut pas être lu comme un classeur",
            "CSV read as a workbook",
        )),
    }
}

/// The defined name a workbook written by this service gives its one
/// sheet of inventory rows (the consolidated inventory of a vision export):
/// when present, only that sheet is read, and the others (synthesis,
/// matrix, trajectories) are reports, not rows to import.
pub const INVENTORY_SHEET_NAME: &str = "convergence_inventaire";

/// The sheet the workbook names as its inventory, if it does.
fn named_inventory_sheet(defined: &[(String, String)]) -> Option<String> {
    let (_, formula) = defined.iter().find(|(name, _)| name.eq_ignore_ascii_case(INVENTORY_SHEET_NAME))?;
    let (sheet, _) = formula.trim_start_matches('=').rsplit_once('!')?;
    let sheet = sheet.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')).unwrap_or(sheet);
    Some(sheet.replace("''", "'"))
}

fn sheets<R, RS>(mut workbook: R, limits: &Limits) -> Result<Vec<RawSheet>, IngestError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut cells: u64 = 0;
    let mut sheets = Vec::new();
    let only = named_inventory_sheet(workbook.defined_names());
    for name in workbook.sheet_names() {
        if only.as_ref().is_some_and(|only| *only != name) {
            sheets.push(RawSheet { name, first_row: 1, first_col: 1, rows: Vec::new() });
            continue;
        }
        let range = workbook.worksheet_range(&name).map_err(classify)?;
        let (height, width) = range.get_size();
        cells = cells.saturating_add((height as u64).saturating_mul(width as u64));
        if cells > limits.max_cells {
            return Err(IngestError::TooManyCells { limit: limits.max_cells });
        }
        let (first_row, first_col) = range.start().map_or((1, 1), |(r, c)| (r + 1, c + 1));
        let rows = range.rows().map(|row| row.iter().map(cell).collect()).collect();
        sheets.push(RawSheet { name, first_row, first_col, rows });
    }
    Ok(sheets)
}

/// How streaming a workbook ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streamed {
    /// Every sheet was handed on.
    Whole,
    /// A worksheet's rows are not in ascending order (Excel always writes
    /// them in order, other tools may not): what was handed on is void.
    OutOfOrder,
}

/// Streams an `.xlsx` or `.xlsm` workbook's rows to `sink` as its worksheet
/// XML is read, without building each sheet in memory first. Cells are
/// numbered from column A; empty cells (formatting only) are left out, as
/// calamine's own ranges do.
///
/// # Errors
/// `PasswordProtected`, `Corrupted` or `TooManyCells` (counting each row as
/// wide as its last cell, so a sparse sheet cannot exhaust memory).
pub fn stream_xlsx(bytes: &[u8], limits: &Limits, sink: &mut impl RowSink) -> Result<Streamed, IngestError> {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(classify)?;
    let mut budget = limits.max_cells;
    let only = named_inventory_sheet(workbook.defined_names());
    for name in workbook.sheet_names() {
        if only.as_ref().is_some_and(|only| *only != name) {
            sink.sheet(name, 1);
            sink.end_sheet();
            continue;
        }
        let mut reader = match workbook.worksheet_cells_reader(&name) {
            Ok(reader) => reader,
            // A chart sheet holds no cells.
            Err(XlsxError::NotAWorksheet(_)) => {
                sink.sheet(name, 1);
                sink.end_sheet();
                continue;
            }
            Err(error) => return Err(classify(error)),
        };
        sink.sheet(name, 1);
        let mut current: Option<(u32, Vec<Cell>)> = None;
        while let Some(cell) = reader.next_cell().map_err(classify)? {
            let value = cell.get_value();
            if matches!(value, DataRef::Empty) {
                continue;
            }
            let (row, column) = cell.get_position();
            let column = column as usize;
            match &mut current {
                Some((current_row, _)) if *current_row > row => return Ok(Streamed::OutOfOrder),
                Some((current_row, _)) if *current_row == row => {}
                _ => {
                    if let Some((done, cells)) = current.take() {
                        sink.row(done + 1, cells);
                    }
                    current = Some((row, Vec::new()));
                }
            }
            if let Some((_, cells)) = &mut current {
                if column >= cells.len() {
                    let added = (column + 1 - cells.len()) as u64;
                    budget = budget.checked_sub(added).ok_or(IngestError::TooManyCells { limit: limits.max_cells })?;
                    cells.resize(column + 1, Cell::Empty);
                }
                cells[column] = cell_ref(value);
            }
        }
        if let Some((done, cells)) = current.take() {
            sink.row(done + 1, cells);
        }
        sink.end_sheet();
    }
    Ok(Streamed::Whole)
}

fn cell_ref(data: &DataRef<'_>) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::SharedString(text) => Cell::Text((*text).to_owned()),
        DataRef::String(text) | DataRef::DateTimeIso(text) | DataRef::DurationIso(text) => Cell::Text(text.clone()),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(datetime) => date_cell(datetime),
        DataRef::Error(error) => Cell::Error(error.to_string()),
    }
}

fn date_cell(datetime: &ExcelDateTime) -> Cell {
    match datetime.as_datetime() {
        Some(dt) if datetime.is_datetime() => Cell::Date(dt.date()),
        _ => Cell::Number(datetime.as_f64()),
    }
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(datetime) => date_cell(datetime),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Error(error.to_string()),
    }
}

/// Sorts the readers' errors into the user's classes.
fn classify(error: impl std::fmt::Display) -> IngestError {
    let text = error.to_string();
    if text.contains("password protected") || text.contains("Password") {
        IngestError::PasswordProtected
    } else if text.contains("Cell limit exceeded") {
        IngestError::TooManyCells { limit: Limits::default().max_cells }
    } else {
        let cause: String = text.chars().take(300).collect();
        IngestError::corrupted(workbook_problem(&text), cause)
    }
}

/// What a reader's error means for the user, in French, from the kind of
/// error it reports (its text stays in the log).
fn workbook_problem(text: &str) -> &'static str {
    let lower = text.to_ascii_lowercase();
    if lower.contains("zip") {
        "archive du classeur illisible"
    } else if lower.contains("xml") {
        "contenu XML du classeur illisible"
    } else if lower.contains("cfb") || lower.contains("vba") || lower.contains("biff") || lower.contains("xls") {
        "structure du classeur Excel 97-2003 illisible"
    } else if lower.contains("eof") || lower.contains("end of") || lower.contains("truncat") {
        "classeur tronqué"
    } else if lower.contains("ods") || lower.contains("content.xml") {
        "contenu du classeur OpenDocument illisible"
    } else {
        "contenu du classeur illisible"
    }
}

#[cfg(test)]
mod named_sheet_tests {
    use super::*;

    #[test]
    fn the_named_inventory_sheet_is_found_whatever_its_quotes() {
        let named = |formula: &str| named_inventory_sheet(&[(INVENTORY_SHEET_NAME.to_owned(), formula.to_owned())]);
        assert_eq!(named("='Inventaire consolidé'!$A:$O").as_deref(), Some("Inventaire consolidé"));
        assert_eq!(named("'L''inventaire'!$A:$O").as_deref(), Some("L'inventaire"));
        assert_eq!(named("Inventaire!$A$1:$O$9").as_deref(), Some("Inventaire"));
        assert_eq!(named("pas une plage"), None);
        assert_eq!(named_inventory_sheet(&[("autre_nom".to_owned(), "'X'!$A:$B".to_owned())]), None);
    }
}
