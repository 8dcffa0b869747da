//! Format detection from the bytes (the extension is only a hint).

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use super::IngestError;

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Office Open XML workbook with macros.
    Xlsm,
    /// Excel binary workbook.
    Xlsb,
    /// Excel 97–2003 (BIFF).
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Delimited text.
    Csv,
    /// An HTML table saved as `.xls` (an « export Excel »).
    Html,
}

impl Format {
    /// Short name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Html => "html",
        }
    }
}

const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Detects the format from the bytes.
///
/// # Errors
/// `PasswordProtected` for an encrypted OOXML package, `NotASpreadsheet`
/// for anything else that is not a spreadsheet, `Corrupted` for a damaged
/// archive.
pub fn detect_format(bytes: &[u8], file_name: &str) -> Result<Format, IngestError> {
    let extension = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return detect_zip(bytes, &extension);
    }
    if bytes.starts_with(&CFB_MAGIC) {
        // An encrypted .xlsx is an OLE container with an EncryptedPackage stream.
        if contains_utf16(bytes, "EncryptedPackage") {
            return Err(IngestError::PasswordProtected);
        }
        return Ok(Format::Xls);
    }
    // BIFF2–BIFF4 (Excel 2.x to 4.0) files are bare streams starting with a
    // BOF record; no reader here supports them.
    if matches!(bytes.get(..2), Some([0x09, 0x00 | 0x02 | 0x04])) && matches!(bytes.get(3), Some(0x00)) {
        return Err(IngestError::NotASpreadsheet {
            detected: "ancien format Excel 2.x à 4.0, non pris en charge : enregistrez-le au format .xlsx".to_owned(),
        });
    }
    if let Some(kind) = known_binary(bytes) {
        return Err(IngestError::NotASpreadsheet { detected: kind.to_owned() });
    }
    if super::html::looks_like_html(bytes) {
        return if super::html::has_table(bytes) { Ok(Format::Html) } else { Err(IngestError::WebPage) };
    }
    if looks_like_text(bytes) {
        return Ok(Format::Csv);
    }
    Err(IngestError::NotASpreadsheet { detected: "contenu binaire inconnu".to_owned() })
}

fn detect_zip(bytes: &[u8], extension: &str) -> Result<Format, IngestError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| IngestError::corrupted(super::archive::zip_problem(&e), e))?;
    // Some writers use backslashes in member names.
    let names: Vec<String> =
        archive.file_names().filter_map(Result::ok).map(|n| n.to_ascii_lowercase().replace('\\', "/")).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    if has("xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    if has("xl/workbook.xml") || names.iter().any(|n| n.starts_with("xl/")) {
        let macros = has("xl/vbaproject.bin") || extension == "xlsm";
        return Ok(if macros { Format::Xlsm } else { Format::Xlsx });
    }
    if has("content.xml") {
        return Ok(Format::Ods);
    }
    // A package whose workbook part has another name: the content types say.
    if has("[content_types].xml") && !names.iter().any(|n| n.starts_with("word/") || n.starts_with("ppt/")) {
        return Ok(if extension == "xlsm" { Format::Xlsm } else { Format::Xlsx });
    }
    if names.is_empty() {
        return Err(IngestError::corrupted("archive vide", "no member"));
    }
    let detected = if names.iter().any(|n| n.starts_with("word/")) {
        "document Word"
    } else if names.iter().any(|n| n.starts_with("ppt/")) {
        "présentation PowerPoint"
    } else {
        "archive zip"
    };
    Err(IngestError::NotASpreadsheet { detected: detected.to_owned() })
}

fn contains_utf16(bytes: &[u8], needle: &str) -> bool {
    let pattern: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(pattern.len()).any(|w| w == pattern.as_slice())
}

fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    let signatures: [(&[u8], &str); 7] = [
        (b"%PDF", "document PDF"),
        (b"\x89PNG", "image PNG"),
        (b"\xFF\xD8\xFF", "image JPEG"),
        (b"GIF8", "image GIF"),
        (b"\x1F\x8B", "archive gzip"),
        (b"Rar!", "archive RAR"),
        (b"7z\xBC\xAF", "archive 7z"),
    ];
    signatures.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, kind)| *kind)
}

/// Text in UTF-8, UTF-16 (with BOM) or a single-byte code page: no NUL byte
/// outside UTF-16, and few control characters.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return false;
    }
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    controls * 100 <= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_csv_and_known_binaries_are_named() {
        assert_eq!(detect_format(b"Application;Editeur\nDxCare;Dedalus\n", "inv.xlsx"), Ok(Format::Csv));
        assert_eq!(
            detect_format(b"%PDF-1.7 ...", "inventaire.xlsx"),
            Err(IngestError::NotASpreadsheet { detected: "document PDF".into() })
        );
        assert!(matches!(detect_format(&[0u8, 1, 2, 3, 0, 0, 7], "x.csv"), Err(IngestError::NotASpreadsheet { .. })));
    }

    #[test]
    fn a_truncated_zip_is_corrupted() {
        assert!(matches!(detect_format(b"PK\x03\x04\x14\x00\x00", "x.xlsx"), Err(IngestError::Corrupted { .. })));
    }
}
