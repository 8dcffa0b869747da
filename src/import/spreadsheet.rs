//! Workbooks through calamine. Run only inside the parse worker: calamine
//! can panic or exhaust memory on hostile files.

use std::io::Cursor;

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx, open_workbook_from_rs};

use super::{Cell, Format, IngestError, Limits, RawSheet};

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
        Format::Csv => Err(IngestError::Corrupted { detail: "CSV lu comme un classeur".to_owned() }),
    }
}

fn sheets<R, RS>(mut workbook: R, limits: &Limits) -> Result<Vec<RawSheet>, IngestError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut cells: u64 = 0;
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
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

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(datetime) => match datetime.as_datetime() {
            Some(dt) if datetime.is_datetime() => Cell::Date(dt.date()),
            _ => Cell::Number(datetime.as_f64()),
        },
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
        IngestError::Corrupted { detail: text.chars().take(300).collect() }
    }
}
