//! CSV as exported by Excel for Windows, LibreOffice or any script: UTF-8
//! (with or without BOM), UTF-16 with BOM, or Windows-1252; `;`, `,` or tab.

use std::borrow::Cow;

use super::{Cell, IngestError, Limits, RawSheet};

/// Reads a delimited text file into one sheet named after the file.
///
/// # Errors
/// `TooManyCells` past the limit, `Corrupted` for unreadable records.
pub fn read_csv(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<RawSheet, IngestError> {
    let text = decode(bytes);
    let delimiter = detect_delimiter(&text);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells: u64 = 0;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(String::new(), |p| format!(" (ligne {})", p.line()));
            IngestError::corrupted(&format!("ligne CSV illisible{line}"), e)
        })?;
        cells += record.len() as u64;
        if cells > limits.max_cells {
            return Err(IngestError::TooManyCells { limit: limits.max_cells });
        }
        rows.push(record.iter().map(|v| if v.is_empty() { Cell::Empty } else { Cell::Text(v.to_owned()) }).collect());
    }
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).to_owned();
    Ok(RawSheet { name, first_row: 1, first_col: 1, rows })
}

/// Decodes the bytes: BOMs first, then UTF-8 if valid, else Windows-1252
/// (what Excel for Windows writes when saving "CSV (séparateur : point-virgule)").
pub(super) fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return text;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    }
}

/// The delimiter that splits the first lines most consistently (outside
/// quotes); `;` wins ties, being what French Excel writes.
fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(30).collect();
    let mut best = (b';', 0usize);
    for delimiter in [b';', b'\t', b','] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, delimiter)).collect();
        let max = counts.iter().copied().max().unwrap_or(0);
        if max == 0 {
            continue;
        }
        // Lines that carry the most frequent non-zero count.
        let mut frequency = std::collections::HashMap::new();
        for &c in counts.iter().filter(|&&c| c > 0) {
            *frequency.entry(c).or_insert(0usize) += 1;
        }
        let (mode, lines_with_mode) = frequency.into_iter().max_by_key(|&(c, n)| (n, c)).unwrap_or((0, 0));
        let score = lines_with_mode * 1000 + mode;
        if score > best.1 {
            best = (delimiter, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut inside = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                inside = !inside;
            }
            !inside && b == delimiter
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sheet: &RawSheet) -> Vec<Vec<String>> {
        sheet.rows.iter().map(|r| r.iter().map(Cell::display).collect()).collect()
    }

    #[test]
    fn windows_1252_semicolon_csv_is_read() {
        let bytes = b"Application;\xc9diteur;Co\xfbt annuel\nDxCare;D\xe9dalus;\"12 500,50\"\n";
        let sheet = read_csv(bytes, "dir/inventaire.csv", &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(sheet.name, "inventaire.csv");
        assert_eq!(texts(&sheet), [["Application", "Éditeur", "Coût annuel"], ["DxCare", "Dédalus", "12 500,50"]]);
    }

    #[test]
    fn utf8_bom_comma_and_tab_files_are_read() {
        let comma = "\u{feff}Application,Version\n\"Sillage, DPI\",7.4\n";
        let sheet = read_csv(comma.as_bytes(), "a.csv", &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(texts(&sheet), [["Application", "Version"], ["Sillage, DPI", "7.4"]]);
        let tab = "Application\tVersion\nDxCare\t6\n";
        let sheet = read_csv(tab.as_bytes(), "a.csv", &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(texts(&sheet)[1], ["DxCare", "6"]);
    }

    #[test]
    fn utf16_with_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("Application;Version\nOrbis;8\n".encode_utf16().flat_map(u16::to_le_bytes));
        let sheet = read_csv(&bytes, "a.csv", &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(texts(&sheet)[1], ["Orbis", "8"]);
    }

    #[test]
    fn the_cell_limit_is_enforced() {
        let limits = Limits { max_cells: 3, ..Limits::default() };
        assert_eq!(read_csv(b"a;b\nc;d\n", "a.csv", &limits), Err(IngestError::TooManyCells { limit: 3 }));
    }
}
