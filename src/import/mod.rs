//! Bytes → raw sheets and rows: format detection, archive checks, CSV and
//! spreadsheet reading, header detection and cell reading.
//!
//! The reading rules are pure (bytes in, data out) and run inside the
//! isolated parse worker ([`crate::intake::worker`]): the spreadsheet
//! libraries are not safe on hostile input, and a crash or a memory blow-up
//! must cost one upload, never the service.

mod archive;
pub mod cells;
mod delimited;
mod detect;
mod error;
pub mod headers;
mod html;
mod spreadsheet;

pub use spreadsheet::INVENTORY_SHEET_NAME;
pub mod table;

use serde::{Deserialize, Serialize};

pub use detect::{Format, detect_format};
pub use error::IngestError;

/// One cell as the file holds it, before any interpretation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text, as written (not trimmed).
    Text(String),
    /// A number (integers included).
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A cell the workbook typed as a date (1900 and 1904 systems resolved).
    Date(chrono::NaiveDate),
    /// An error value (`#N/A`, `#REF!`).
    Error(String),
}

impl Cell {
    /// Whether the cell holds nothing (blank text included).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a user would read it on screen.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Bool(true) => "VRAI".to_owned(),
            Cell::Bool(false) => "FAUX".to_owned(),
            Cell::Date(date) => date.format("%d/%m/%Y").to_string(),
            Cell::Error(error) => error.clone(),
        }
    }
}

/// A sheet: its name and its rows; `rows[i]` is Excel row `first_row + i`
/// and `rows[i][j]` is column `first_col + j` (both 1-based).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RawSheet {
    /// Sheet name as the workbook shows it (the file name for a CSV).
    pub name: String,
    /// Excel number of the first row held.
    pub first_row: u32,
    /// Excel number (1 = A) of the first column held.
    pub first_col: u32,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A whole file once read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawWorkbook {
    /// The detected format.
    pub format: Format,
    /// Sheets in workbook order.
    pub sheets: Vec<RawSheet>,
}

/// What a file may cost to read. Checked before anything is fully inflated.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Limits {
    /// Largest accepted file.
    pub max_file_bytes: u64,
    /// Largest total of the archive's members once decompressed.
    pub max_decompressed_bytes: u64,
    /// Most cells (non-empty or not) over all sheets.
    pub max_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_file_bytes: 20 * 1024 * 1024, max_decompressed_bytes: 400 * 1024 * 1024, max_cells: 10_000_000 }
    }
}

/// Reads a file in this process. Use [`worker::parse_isolated`] for files
/// from users: this function trusts the spreadsheet libraries.
///
/// # Errors
/// As [`read_rows`].
pub fn read_workbook(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<RawWorkbook, IngestError> {
    let mut sheets = Sheets::default();
    let format = read_rows(bytes, file_name, limits, &mut sheets)?;
    Ok(RawWorkbook { format, sheets: sheets.0 })
}

/// Collects the rows handed on into whole sheets, the rows between them
/// left blank.
#[derive(Default)]
struct Sheets(Vec<RawSheet>);

impl RowSink for Sheets {
    fn sheet(&mut self, name: String, first_col: u32) {
        self.0.push(RawSheet { name, first_row: 1, first_col, rows: Vec::new() });
    }

    fn row(&mut self, excel_row: u32, cells: Vec<Cell>) {
        let Some(sheet) = self.0.last_mut() else { return };
        if sheet.rows.is_empty() {
            sheet.first_row = excel_row;
        }
        let offset = excel_row.saturating_sub(sheet.first_row) as usize;
        sheet.rows.resize(offset, Vec::new());
        sheet.rows.push(cells);
    }

    fn end_sheet(&mut self) {}

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// Receives a workbook's rows as they are read, sheet by sheet in workbook
/// order, so that rows can be normalised and stored while the rest of the
/// file is still being read.
pub trait RowSink {
    /// A sheet starts; its rows' cells are numbered from column `first_col`
    /// (1 = A).
    fn sheet(&mut self, name: String, first_col: u32);
    /// A row of the current sheet, in ascending order; rows without any
    /// cell are not given.
    fn row(&mut self, excel_row: u32, cells: Vec<Cell>);
    /// The current sheet ends.
    fn end_sheet(&mut self);
    /// Everything given so far is void: the file is read again from its
    /// start (a worksheet whose rows are not in ascending order cannot be
    /// streamed, and is read whole instead).
    fn restart(&mut self);
}

/// Reads a file and hands its rows to `sink` as they are read. Use it only
/// in the isolated worker (see [`worker`]): it trusts the spreadsheet
/// libraries.
///
/// `.xlsx` and `.xlsm` worksheets are streamed cell by cell; the other
/// formats are read a sheet at a time and then handed on.
///
/// # Errors
/// Every way a file can be unreadable, each with its own French message.
/// Rows may have been given before an error.
pub fn read_rows(
    bytes: &[u8],
    file_name: &str,
    limits: &Limits,
    sink: &mut impl RowSink,
) -> Result<Format, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(IngestError::TooLarge { limit: limits.max_file_bytes });
    }
    let format = detect_format(bytes, file_name)?;
    let mut sink = FilledCells { sink, any: false };
    match format {
        Format::Csv => feed(vec![delimited::read_csv(bytes, file_name, limits)?], &mut sink),
        Format::Html => feed(html::read_html(bytes, limits)?, &mut sink),
        Format::Ods => {
            archive::check(bytes, limits)?;
            let repaired = archive::repair_ods(bytes)?;
            feed(spreadsheet::read(repaired.as_deref().unwrap_or(bytes), format, limits)?, &mut sink);
        }
        Format::Xlsx | Format::Xlsm => {
            archive::check(bytes, limits)?;
            if spreadsheet::stream_xlsx(bytes, limits, &mut sink)? == spreadsheet::Streamed::OutOfOrder {
                sink.restart();
                feed(spreadsheet::read(bytes, format, limits)?, &mut sink);
            }
        }
        Format::Xlsb => {
            archive::check(bytes, limits)?;
            feed(spreadsheet::read(bytes, format, limits)?, &mut sink);
        }
        Format::Xls => feed(spreadsheet::read(bytes, format, limits)?, &mut sink),
    }
    if !sink.any {
        return Err(IngestError::Empty);
    }
    Ok(format)
}

/// Hands sheets read whole to a sink, row by row.
fn feed(sheets: Vec<RawSheet>, sink: &mut impl RowSink) {
    for sheet in sheets {
        sink.sheet(sheet.name, sheet.first_col);
        for (offset, cells) in sheet.rows.into_iter().enumerate() {
            if cells.iter().any(|c| *c != Cell::Empty) {
                sink.row(sheet.first_row + offset as u32, cells);
            }
        }
        sink.end_sheet();
    }
}

/// Passes rows on and notes whether any cell holds something, for the
/// « fichier vide » error.
struct FilledCells<'a, S> {
    sink: &'a mut S,
    any: bool,
}

impl<S: RowSink> RowSink for FilledCells<'_, S> {
    fn sheet(&mut self, name: String, first_col: u32) {
        self.sink.sheet(name, first_col);
    }

    fn row(&mut self, excel_row: u32, cells: Vec<Cell>) {
        self.any = self.any || cells.iter().any(|c| !c.is_blank());
        self.sink.row(excel_row, cells);
    }

    fn end_sheet(&mut self) {
        self.sink.end_sheet();
    }

    fn restart(&mut self) {
        self.any = false;
        self.sink.restart();
    }
}

/// Column letters as Excel shows them: 1 → A, 27 → AA.
pub fn column_letter(mut column: u32) -> String {
    let mut letters = Vec::new();
    while column > 0 {
        let rem = (column - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        column = (column - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(1), "A");
        assert_eq!(column_letter(26), "Z");
        assert_eq!(column_letter(27), "AA");
        assert_eq!(column_letter(703), "AAA");
    }

    #[test]
    fn empty_files_are_refused() {
        assert_eq!(read_workbook(b"", "x.csv", &Limits::default()), Err(IngestError::Empty));
        assert_eq!(read_workbook(b";;\n;;\n", "x.csv", &Limits::default()), Err(IngestError::Empty));
    }
}
