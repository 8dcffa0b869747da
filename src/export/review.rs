//! The review queue as a workbook the DSI fills in (column « Produit
//! retenu ») and deposits back.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::cells;

/// The sheet's name.
pub const SHEET: &str = "Revue";
/// Header of the key column.
pub const KEY_HEADER: &str = "Nom normalisé";
/// Header of the column of spellings seen.
pub const SPELLINGS_HEADER: &str = "Orthographes";
/// Header of the column the DSI fills in.
pub const CHOICE_HEADER: &str = "Produit retenu";

/// One line of the review workbook.
#[derive(Debug, Clone)]
pub struct ReviewLine {
    /// Normalised name.
    pub normalised_name: String,
    /// Spellings seen.
    pub spellings: Vec<String>,
    /// Rows carrying the name.
    pub occurrences: usize,
    /// Établissements (FINESS EJ).
    pub etablissements: Vec<String>,
    /// `non reconnu` or `rapprochement douteux`.
    pub reason: &'static str,
    /// Best suggestion: name and score.
    pub suggestion: Option<(String, f64)>,
}

/// Builds the workbook.
///
/// # Errors
/// When the workbook cannot be written.
pub fn review_workbook(lines: &[ReviewLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(SHEET)?;
    let bold = Format::new().set_bold();
    let headers =
        [KEY_HEADER, SPELLINGS_HEADER, "Occurrences", "Établissements", "Motif", "Suggestion", "Score", CHOICE_HEADER];
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *header, &bold)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        cells::text(sheet, r, 0, &line.normalised_name, None)?;
        cells::text(sheet, r, 1, &line.spellings.join(" | "), None)?;
        sheet.write_number(r, 2, line.occurrences as f64)?;
        cells::text(sheet, r, 3, &line.etablissements.join(", "), None)?;
        sheet.write_string(r, 4, line.reason)?;
        if let Some((name, score)) = &line.suggestion {
            cells::text(sheet, r, 5, name, None)?;
            sheet.write_number(r, 6, (score * 100.0).round() / 100.0)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, lines.len() as u32, headers.len() as u16 - 1)?;
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(5, 28)?;
    sheet.set_column_width(7, 28)?;
    book.save_to_buffer()
}

/// A line of a filled review workbook whose choice column holds something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilledLine {
    /// The sheet.
    pub sheet: String,
    /// The Excel row.
    pub row: u32,
    /// The spelling the choice is for: the first one listed, or the
    /// normalised name.
    pub spelling: String,
    /// What the DSI wrote: a product's exact name or its id.
    pub choice: String,
}

/// Reads back the lines of a filled review workbook: in each sheet, the
/// header row (in the first 30) that has the key and choice columns, then
/// every row with a key and a choice. Sheets without them are left alone.
pub fn filled_lines(sheets: &[crate::import::RawSheet]) -> Vec<FilledLine> {
    let mut lines = Vec::new();
    for sheet in sheets {
        let Some((header_index, key_col, spellings_col, choice_col)) = review_columns(sheet) else { continue };
        for (offset, row) in sheet.rows.iter().enumerate().skip(header_index + 1) {
            let text = |col: usize| row.get(col).and_then(crate::import::cells::text);
            let (Some(key), Some(choice)) = (text(key_col), text(choice_col)) else { continue };
            let spelling =
                spellings_col.and_then(text).and_then(|s| s.split(" | ").next().map(str::to_owned)).unwrap_or(key);
            lines.push(FilledLine {
                sheet: sheet.name.clone(),
                row: sheet.first_row + offset as u32,
                spelling,
                choice,
            });
        }
    }
    lines
}

/// The header row and the key, spellings and choice columns of a review sheet.
fn review_columns(sheet: &crate::import::RawSheet) -> Option<(usize, usize, Option<usize>, usize)> {
    use crate::domain::normalise_key;
    sheet.rows.iter().take(30).enumerate().find_map(|(index, row)| {
        let position = |header: &str| row.iter().position(|c| normalise_key(&c.display()) == normalise_key(header));
        Some((index, position(KEY_HEADER)?, position(SPELLINGS_HEADER), position(CHOICE_HEADER)?))
    })
}
