//! Inventory files made by the tests: workbooks written with
//! rust_xlsxwriter, CSV in the encodings hospitals produce.

use rust_xlsxwriter::Workbook;

/// A cell of a fixture.
#[derive(Debug, Clone)]
pub enum V {
    T(&'static str),
    N(f64),
    B,
}

/// A workbook with these sheets, each a list of rows from A1.
pub fn xlsx(sheets: &[(&str, Vec<Vec<V>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).expect("sheet name");
        for (r, row) in rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                match value {
                    V::T(text) => {
                        sheet.write_string(r as u32, c as u16, *text).expect("write");
                    }
                    V::N(number) => {
                        sheet.write_number(r as u32, c as u16, *number).expect("write");
                    }
                    V::B => {}
                }
            }
        }
    }
    book.save_to_buffer().expect("workbook")
}

/// Text cells from string slices ("" is blank).
pub fn row(cells: &[&'static str]) -> Vec<V> {
    cells.iter().map(|c| if c.is_empty() { V::B } else { V::T(c) }).collect()
}

/// CSV text encoded in Windows-1252, as Excel for Windows saves it.
pub fn csv_1252(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1252.encode(text).0.into_owned()
}
