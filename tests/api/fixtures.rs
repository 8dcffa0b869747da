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

/// An OpenDocument spreadsheet as Google Drive exports it: no `mimetype`
/// member. `rows` are text cells.
pub fn ods_without_mimetype(rows: &[&[&str]]) -> Vec<u8> {
    ods(rows, false, false)
}

/// An `.ods` as online office suites write it: each string cell also
/// carries an `office:value` attribute holding its text.
pub fn ods_from_an_online_suite(rows: &[&[&str]]) -> Vec<u8> {
    ods(rows, true, true)
}

fn ods(rows: &[&[&str]], with_mimetype: bool, string_values: bool) -> Vec<u8> {
    use std::io::Write;
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in *row {
            let value = if string_values { format!(" office:value=\"{cell}\"") } else { String::new() };
            table.push_str(&format!(
                "<table:table-cell{value} office:value-type=\"string\"><text:p>{cell}</text:p></table:table-cell>"
            ));
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"Inventaire\">{table}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let manifest = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
        <manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">\
        <manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/>\
        <manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>\
        </manifest:manifest>";
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    if with_mimetype {
        let stored = options.compression_method(zip::CompressionMethod::Stored);
        writer.start_file("mimetype", stored).expect("member");
        writer.write_all(b"application/vnd.oasis.opendocument.spreadsheet").expect("write");
    }
    writer.start_file("content.xml", options).expect("member");
    writer.write_all(content.as_bytes()).expect("write");
    writer.start_file("META-INF/manifest.xml", options).expect("member");
    writer.write_all(manifest.as_bytes()).expect("write");
    writer.finish().expect("zip").into_inner()
}

/// An `.xlsx` inventory of `rows` rows (« Application », « Nb utilisateurs »)
/// whose third sheet row is written last in the worksheet XML, as some
/// tools do: readable, but not in the ascending order Excel writes.
pub fn xlsx_with_a_row_out_of_order(rows: usize) -> Vec<u8> {
    use std::io::{Read, Write};

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Inventaire").expect("sheet name");
    sheet.write_string(0, 0, "Application").expect("write");
    sheet.write_string(0, 1, "Nb utilisateurs").expect("write");
    for r in 1..=rows as u32 {
        sheet.write_string(r, 0, format!("Logiciel {r}")).expect("write");
        sheet.write_number(r, 1, f64::from(r)).expect("write");
    }
    let bytes = book.save_to_buffer().expect("workbook");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("archive");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).expect("member");
        let name = member.name().expect("member name").into_owned();
        let mut content = String::new();
        member.read_to_string(&mut content).expect("utf-8 member");
        if name == "xl/worksheets/sheet1.xml" {
            let start = content.find("<row r=\"3\"").expect("row 3");
            let end = start + content[start..].find("</row>").expect("end of row 3") + "</row>".len();
            let moved = content[start..end].to_owned();
            content.replace_range(start..end, "");
            let close = content.find("</sheetData>").expect("sheet data");
            content.insert_str(close, &moved);
        }
        writer.start_file(name, zip::write::SimpleFileOptions::default()).expect("member");
        writer.write_all(content.as_bytes()).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}
