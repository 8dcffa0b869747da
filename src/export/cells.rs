//! Writing what users typed into workbooks and CSV files, safely.
//!
//! Every workbook the service writes goes through these few functions for
//! the text it did not write itself (application names, comments, file and
//! établissement names):
//! - text is always a string cell, whatever it begins with: `=SOMME(A1)`,
//!   `+33…`, `-`, `@`, a tab or a carriage return never becomes a formula
//!   (a CSV field is prefixed with an apostrophe for the same reason, since
//!   Excel reads a CSV's cells as typed);
//! - a text longer than an Excel cell holds (32,767 characters) is cut,
//!   with a note saying how much was cut, rather than failing the export;
//! - sheet names are valid (31 characters, none of `[]:*?/\`, no leading or
//!   trailing apostrophe, not `History`) and unique, even for two
//!   établissements of the same long name.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Note, Worksheet, XlsxError};

/// The most characters an Excel cell holds.
pub const MAX_CELL_CHARS: usize = 32_767;
/// The most characters of a sheet name.
pub const MAX_SHEET_NAME_CHARS: usize = 31;

/// Writes a user's text as a string cell (never a formula), cut with a
/// note past what a cell holds.
///
/// # Errors
/// When the writer refuses the cell (row or column out of range).
pub fn text(sheet: &mut Worksheet, row: u32, col: u16, value: &str, format: Option<&Format>) -> Result<(), XlsxError> {
    let length = value.chars().count();
    let (shown, cut) = if length > MAX_CELL_CHARS {
        let end = value.char_indices().nth(MAX_CELL_CHARS).map_or(value.len(), |(i, _)| i);
        (&value[..end], length - MAX_CELL_CHARS)
    } else {
        (value, 0)
    };
    match format {
        Some(format) => sheet.write_string_with_format(row, col, shown, format)?,
        None => sheet.write_string(row, col, shown)?,
    };
    if cut > 0 {
        let note = format!(
            "Texte tronqué : {cut} caractère(s) au-delà des {MAX_CELL_CHARS} qu'une cellule Excel peut contenir ont été retirés."
        );
        sheet.insert_note(row, col, &Note::new(note).set_author("convergence"))?;
    }
    Ok(())
}

/// A day as Excel stores it.
///
/// # Errors
/// When the day is outside Excel's range.
pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// Prints a sheet landscape, as wide as one page: a steering committee
/// prints these tables.
pub fn print_wide(sheet: &mut Worksheet) {
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
}

/// A CSV field as Excel will read it as text: a value that Excel would take
/// for a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
/// prefixed with an apostrophe.
pub fn csv_text(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// A valid sheet name for `name`, not yet in `used` (compared as Excel
/// does, ignoring case); it is added to `used`.
pub fn sheet_name(name: &str, used: &mut HashSet<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) || c.is_control() { '_' } else { c })
        .collect::<String>()
        .trim()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(MAX_SHEET_NAME_CHARS)
        .collect();
    let clean = match clean.as_str() {
        "" => "Feuille".to_owned(),
        reserved if reserved.eq_ignore_ascii_case("history") => format!("{reserved} (1)"),
        _ => clean,
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while used.contains(&candidate.to_lowercase()) {
        let suffix = format!(" ({n})");
        let kept: String = clean.chars().take(MAX_SHEET_NAME_CHARS - suffix.chars().count()).collect();
        candidate = format!("{}{suffix}", kept.trim_end());
        n += 1;
    }
    used.insert(candidate.to_lowercase());
    candidate
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};
    use rust_xlsxwriter::Workbook;

    use super::*;

    const FORMULA_LIKE: [&str; 7] =
        ["=1+1", "+33 2 35 00 00 00", "-2", "@SOMME(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"];

    fn read_back(bytes: Vec<u8>) -> (Vec<Vec<Data>>, usize) {
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let range = book.worksheet_range("Test").unwrap_or_else(|e| panic!("{e}"));
        let formulas = book.worksheet_formula("Test").unwrap_or_else(|e| panic!("{e}"));
        let formula_count = formulas.used_cells().filter(|(_, _, f)| !f.is_empty()).count();
        (range.rows().map(<[Data]>::to_vec).collect(), formula_count)
    }

    #[test]
    fn text_that_looks_like_a_formula_stays_text() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Test").unwrap_or_else(|e| panic!("{e}"));
        for (row, value) in FORMULA_LIKE.iter().enumerate() {
            text(sheet, row as u32, 0, value, None).unwrap_or_else(|e| panic!("{e}"));
        }
        let (rows, formulas) = read_back(book.save_to_buffer().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(formulas, 0, "no formula was written");
        for (row, value) in FORMULA_LIKE.iter().enumerate() {
            assert_eq!(rows[row][0], Data::String((*value).to_owned()), "{value:?}");
        }
    }

    #[test]
    fn long_texts_are_cut_with_a_note_and_accents_survive() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Test").unwrap_or_else(|e| panic!("{e}"));
        let exact = "é".repeat(MAX_CELL_CHARS);
        let long = format!("{}{}", "à".repeat(MAX_CELL_CHARS), "ü".repeat(10));
        text(sheet, 0, 0, &exact, None).unwrap_or_else(|e| panic!("{e}"));
        text(sheet, 1, 0, &long, None).unwrap_or_else(|e| panic!("{e}"));
        text(sheet, 2, 0, "Établissement « Hôpital Jacques-Monod » — œuvre", None).unwrap_or_else(|e| panic!("{e}"));
        let bytes = book.save_to_buffer().unwrap_or_else(|e| panic!("{e}"));
        let (rows, _) = read_back(bytes.clone());
        assert_eq!(rows[0][0], Data::String(exact));
        assert_eq!(rows[1][0], Data::String("à".repeat(MAX_CELL_CHARS)));
        assert_eq!(rows[2][0], Data::String("Établissement « Hôpital Jacques-Monod » — œuvre".to_owned()));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap_or_else(|e| panic!("{e}"));
        let mut notes = String::new();
        let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
        for name in names.iter().filter(|n| n.contains("comments")) {
            use std::io::Read;
            let mut file = archive.by_name(name).unwrap_or_else(|e| panic!("{e}"));
            file.read_to_string(&mut notes).unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(notes.contains("Texte tronqué : 10 caractère(s)"), "{notes}");
    }

    #[test]
    fn csv_fields_that_excel_would_compute_are_prefixed() {
        for value in FORMULA_LIKE {
            assert_eq!(csv_text(value), format!("'{value}"));
        }
        assert_eq!(csv_text("DxCare"), "DxCare");
        assert_eq!(csv_text("12,5"), "12,5");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used = HashSet::new();
        let long = "Centre hospitalier intercommunal des Portes de l'Oise";
        let first = sheet_name(long, &mut used);
        let second = sheet_name(long, &mut used);
        assert_eq!(first.chars().count(), 31);
        assert_ne!(first, second);
        assert!(second.ends_with(" (2)") && second.chars().count() <= 31, "{second}");
        assert_eq!(sheet_name("CH [Dieppe]: A/B*?", &mut used), "CH _Dieppe__ A_B__");
        assert_eq!(sheet_name("'Inventaire'", &mut used), "Inventaire");
        assert_eq!(sheet_name("inventaire", &mut used), "inventaire (2)", "Excel ignores case");
        assert_eq!(sheet_name("History", &mut used), "History (1)");
        assert_eq!(sheet_name("", &mut used), "Feuille");
        let mut book = Workbook::new();
        for name in &used {
            let sheet = book.add_worksheet();
            assert!(sheet.set_name(name).is_ok(), "{name}");
        }
    }
}
