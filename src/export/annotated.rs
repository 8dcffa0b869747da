//! The annotated copy of an upload: the user's sheets, rows and columns as
//! they were, a status column, the faulty cells highlighted with a comment
//! that says what to fix. The user corrects it and uploads it again.

use std::collections::HashMap;

use rust_xlsxwriter::{Color, Format, Note, Workbook, XlsxError};

use super::cells;
use crate::import::{Cell, RawWorkbook};
use crate::normalise::report::{Report, Severity};

/// Header of the added status column.
pub const STATUS_HEADER: &str = "Statut de l'import";

/// Header of the added column that says, in full, what was found on a row.
pub const DETAIL_HEADER: &str = "Détail de l'import";

/// Notes on faulty cells, at most: each costs the writer kilobytes of
/// memory, and past a few thousand nobody reads them one by one. Every
/// message stays in the detail column of its row, and every faulty cell
/// keeps its colour.
pub const MAX_NOTES: usize = 2000;

/// Builds the annotated workbook, each sheet written row by row in
/// constant memory (cells go to a temporary file as they are written).
///
/// # Errors
/// When the workbook cannot be written.
pub fn annotated_workbook(workbook: &RawWorkbook, report: &Report) -> Result<Vec<u8>, XlsxError> {
    // Messages by (sheet, row) and by (sheet, row, column letter).
    let mut by_row: HashMap<(&str, u32), Vec<&crate::normalise::report::Message>> = HashMap::new();
    for message in &report.messages {
        if let Some(row) = message.row {
            by_row.entry((message.sheet.as_str(), row)).or_default().push(message);
        }
    }
    let header_rows: HashMap<&str, u32> = report.sheets.iter().map(|s| (s.name.as_str(), s.header_row)).collect();
    let error_format = Format::new().set_background_color(Color::RGB(0xFFC7CE));
    let warning_format = Format::new().set_background_color(Color::RGB(0xFFEB9C));
    let header_format = Format::new().set_bold();
    let mut book = Workbook::new();
    let mut used_names = std::collections::HashSet::new();
    let mut notes = 0usize;
    for sheet in &workbook.sheets {
        // Row by row, in constant memory: a 100,000-row deposit must not
        // cost its size many times over in the service's memory.
        let worksheet = book.add_worksheet_with_constant_memory()?;
        worksheet.set_name(cells::sheet_name(&sheet.name, &mut used_names))?;
        let header_row = header_rows.get(sheet.name.as_str()).copied();
        let width = sheet.rows.iter().map(Vec::len).max().unwrap_or(0);
        let status_col = u16::try_from(sheet.first_col as usize - 1 + width).unwrap_or(u16::MAX - 1);
        for (offset, row) in sheet.rows.iter().enumerate() {
            let excel_row = sheet.first_row + offset as u32;
            let r = excel_row - 1;
            let messages = by_row.get(&(sheet.name.as_str(), excel_row)).cloned().unwrap_or_default();
            for (j, cell) in row.iter().enumerate() {
                let c = u16::try_from(sheet.first_col as usize - 1 + j).unwrap_or(u16::MAX - 1);
                let letter = crate::import::column_letter(u32::from(c) + 1);
                let here: Vec<_> = messages
                    .iter()
                    .filter(|m| m.column.as_deref() == Some(letter.as_str()) && m.severity != Severity::Info)
                    .collect();
                let format = if here.iter().any(|m| m.severity == Severity::Error) {
                    Some(&error_format)
                } else if !here.is_empty() {
                    Some(&warning_format)
                } else {
                    None
                };
                write_cell(worksheet, r, c, cell, format)?;
                if !here.is_empty() && notes < MAX_NOTES {
                    let text = here.iter().map(|m| m.sentence()).collect::<Vec<_>>().join("\n");
                    worksheet.insert_note(r, c, &Note::new(text).set_author("convergence"))?;
                    notes += 1;
                }
            }
            if Some(excel_row) == header_row {
                worksheet.write_string_with_format(r, status_col, STATUS_HEADER, &header_format)?;
                worksheet.write_string_with_format(r, status_col + 1, DETAIL_HEADER, &header_format)?;
            } else if header_row.is_some_and(|h| excel_row > h) && row.iter().any(|c| !c.is_blank()) {
                let (status, format) = if messages.iter().any(|m| m.severity == Severity::Error) {
                    ("Erreur : ligne non importée", Some(&error_format))
                } else if messages.iter().any(|m| m.code == "total_row_skipped") {
                    ("Ligne de total ignorée", None)
                } else if messages.iter().any(|m| m.severity == Severity::Warning) {
                    ("Importée avec avertissement", Some(&warning_format))
                } else {
                    ("Importée", None)
                };
                match format {
                    Some(format) => worksheet.write_string_with_format(r, status_col, status, format)?,
                    None => worksheet.write_string(r, status_col, status)?,
                };
                let detail: Vec<String> = messages.iter().map(|m| m.sentence()).collect();
                if !detail.is_empty() {
                    worksheet.write_string(r, status_col + 1, detail.join("\n"))?;
                }
            }
        }
        if let Some(h) = header_row {
            worksheet.set_freeze_panes(h, 0)?;
        }
    }
    book.save_to_buffer()
}

fn write_cell(
    worksheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    let plain = Format::new();
    let format = format.unwrap_or(&plain);
    match cell {
        Cell::Empty => {
            if format != &plain {
                worksheet.write_blank(row, col, format)?;
            }
        }
        Cell::Number(n) => {
            worksheet.write_number_with_format(row, col, *n, format)?;
        }
        Cell::Bool(b) => {
            worksheet.write_boolean_with_format(row, col, *b, format)?;
        }
        other => cells::text(worksheet, row, col, &other.display(), Some(format))?,
    }
    Ok(())
}
