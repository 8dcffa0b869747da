//! The review queue as a workbook the DSI fills in (column « Produit
//! retenu ») and deposits back.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// The sheet's name.
pub const SHEET: &str = "Revue";
/// Header of the key column.
pub const KEY_HEADER: &str = "Nom normalisé";
/// Header of the column the DSI fills in.
pub const CHOICE_HEADER: &str = "Produit retenu";

/// One line of the review workbook.
#[derive(Debug, Clone)]
pub struct ReviewLine {
    /// Normalised name.
    pub normalised_name: String,
    /// Spellings seen.
    pub spellings: Vec<String>,
    /// Occurrences.
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
        [KEY_HEADER, "Orthographes", "Occurrences", "Établissements", "Motif", "Suggestion", "Score", CHOICE_HEADER];
    for (c, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *header, &bold)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &line.normalised_name)?;
        sheet.write_string(r, 1, line.spellings.join(" | "))?;
        sheet.write_number(r, 2, line.occurrences as f64)?;
        sheet.write_string(r, 3, line.etablissements.join(", "))?;
        sheet.write_string(r, 4, line.reason)?;
        if let Some((name, score)) = &line.suggestion {
            sheet.write_string(r, 5, name)?;
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
