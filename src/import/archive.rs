//! Zip-based formats (xlsx, xlsm, xlsb, ods): size checks before anything
//! is inflated, and the repair of OpenDocument files exported without their
//! `mimetype` member (Google Drive does this; LibreOffice opens them).

use std::io::{Cursor, Write};

use super::{IngestError, Limits};

const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
/// Members an office archive may hold before it is suspicious.
const MAX_MEMBERS: usize = 10_000;
/// Compression ratio beyond which a member is a bomb, not a workbook
/// (XML compresses ~10–30×; bombs reach 1000×).
const MAX_RATIO: u64 = 200;

/// Checks the archive's directory: declared sizes, member count and
/// compression ratios, without decompressing anything.
///
/// # Errors
/// `TooLargeDecompressed` past the limits, `Corrupted` when the directory
/// cannot be read.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), IngestError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestError::corrupted(zip_problem(&e), e))?;
    if archive.len() > MAX_MEMBERS {
        return Err(IngestError::TooLargeDecompressed { limit: limits.max_decompressed_bytes });
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let member = archive
            .by_index_raw(i)
            .map_err(|e| IngestError::corrupted("un élément de l'archive est illisible", format!("member {i}: {e}")))?;
        let size = member.size();
        total = total.saturating_add(size);
        let ratio_exceeded = size > 1024 * 1024 && size / member.compressed_size().max(1) > MAX_RATIO;
        if total > limits.max_decompressed_bytes || ratio_exceeded {
            return Err(IngestError::TooLargeDecompressed { limit: limits.max_decompressed_bytes });
        }
    }
    Ok(())
}

/// Repairs what office suites write and the reader refuses, as LibreOffice
/// opens it: an archive without its `mimetype` member (Google Drive) gets
/// it first and stored, as the standard requires; string cells that also
/// carry an `office:value` attribute (written by online office suites) lose
/// that attribute, their text being their value. `None` when the archive
/// needs no repair.
///
/// # Errors
/// `Corrupted` when the archive cannot be copied.
pub fn repair_ods(bytes: &[u8]) -> Result<Option<Vec<u8>>, IngestError> {
    let corrupted = |e: zip::result::ZipError| IngestError::corrupted(zip_problem(&e), format!("ODS repair: {e}"));
    let unwritable = |e: std::io::Error| IngestError::corrupted("l'archive OpenDocument ne peut pas être réparée", e);
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupted)?;
    let has_mimetype = archive.file_names().any(|n| n.is_ok_and(|n| n == "mimetype"));
    let content = match archive.by_name("content.xml") {
        Ok(mut member) => {
            let mut xml = Vec::new();
            std::io::Read::read_to_end(&mut member, &mut xml)
                .map_err(|e| IngestError::corrupted("le contenu OpenDocument est illisible", e))?;
            strip_string_cell_values(&xml)
        }
        Err(_) => None,
    };
    if has_mimetype && content.is_none() {
        return Ok(None);
    }
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 128)));
    if !has_mimetype {
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        writer.start_file("mimetype", stored).map_err(corrupted)?;
        writer.write_all(ODS_MIMETYPE).map_err(unwritable)?;
    }
    for i in 0..archive.len() {
        let member = archive.by_index_raw(i).map_err(corrupted)?;
        match &content {
            Some(xml) if member.name().is_ok_and(|n| n == "content.xml") => {
                drop(member);
                writer.start_file("content.xml", zip::write::SimpleFileOptions::default()).map_err(corrupted)?;
                writer.write_all(xml).map_err(unwritable)?;
            }
            _ => writer.raw_copy_file(member).map_err(corrupted)?,
        }
    }
    Ok(Some(writer.finish().map_err(corrupted)?.into_inner()))
}

/// `content.xml` without the `office:value` attribute of the cells typed
/// as strings; `None` when none has one.
fn strip_string_cell_values(xml: &[u8]) -> Option<Vec<u8>> {
    const CELL: &[u8] = b"<table:table-cell";
    const VALUE: &[u8] = b" office:value=";
    if !xml.windows(VALUE.len()).any(|w| w == VALUE) {
        return None;
    }
    let mut out = Vec::with_capacity(xml.len());
    let mut changed = false;
    let mut at = 0;
    while let Some(found) = find(&xml[at..], CELL) {
        let start = at + found;
        let Some(length) = xml[start..].iter().position(|&b| b == b'>') else { break };
        let end = start + length;
        out.extend_from_slice(&xml[at..start]);
        let tag = &xml[start..end];
        let is_string =
            find(tag, b"office:value-type=\"string\"").is_some() || find(tag, b"office:value-type='string'").is_some();
        match (is_string, find(tag, VALUE)) {
            (true, Some(attribute)) => {
                let quote_at = attribute + VALUE.len();
                let quote = tag.get(quote_at).copied().unwrap_or(b'"');
                let closing = tag[quote_at + 1..].iter().position(|&b| b == quote).map(|p| quote_at + 1 + p);
                match closing {
                    Some(closing) => {
                        out.extend_from_slice(&tag[..attribute]);
                        out.extend_from_slice(&tag[closing + 1..]);
                        changed = true;
                    }
                    None => out.extend_from_slice(tag),
                }
            }
            _ => out.extend_from_slice(tag),
        }
        at = end;
    }
    out.extend_from_slice(&xml[at..]);
    changed.then_some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What a zip error means for the user, in French.
pub fn zip_problem(error: &zip::result::ZipError) -> &'static str {
    use zip::result::ZipError;
    match error {
        ZipError::Io(_) => "archive zip tronquée",
        ZipError::InvalidArchive(_) => "archive zip invalide",
        ZipError::UnsupportedArchive(_) => "archive zip d'un type non pris en charge",
        ZipError::FileNotFound => "élément manquant dans l'archive",
        _ => "archive zip illisible",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in members {
            writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap_or_else(|e| panic!("{e}"));
            writer.write_all(content).unwrap_or_else(|e| panic!("{e}"));
        }
        writer.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_inflation() {
        let zeros = vec![0u8; 50 * 1024 * 1024];
        let bomb = zip_with(&[("xl/worksheets/sheet1.xml", &zeros)]);
        assert!(bomb.len() < 1024 * 1024, "the bomb is small: {}", bomb.len());
        assert_eq!(
            check(&bomb, &Limits::default()),
            Err(IngestError::TooLargeDecompressed { limit: 400 * 1024 * 1024 })
        );
    }

    #[test]
    fn an_ods_without_mimetype_gets_it_first() {
        let ods = zip_with(&[("content.xml", b"<office:document-content/>"), ("META-INF/manifest.xml", b"<m/>")]);
        let repaired = repair_ods(&ods).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("repaired"));
        let archive = zip::ZipArchive::new(Cursor::new(repaired)).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
        assert!(names.iter().any(|n| n == "mimetype") && names.iter().any(|n| n == "content.xml"), "{names:?}");
        let complete = zip_with(&[("mimetype", ODS_MIMETYPE), ("content.xml", b"<x/>")]);
        assert_eq!(repair_ods(&complete), Ok(None));
    }

    #[test]
    fn a_string_cell_loses_the_value_attribute_an_online_suite_wrote() {
        let xml = br#"<table:table-row><table:table-cell office:value-type="string" office:value="DxCare" calcext:value-type="string"><text:p>DxCare</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell></table:table-row>"#;
        let stripped = strip_string_cell_values(xml).unwrap_or_else(|| panic!("changed"));
        let text = String::from_utf8(stripped).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            r#"<table:table-row><table:table-cell office:value-type="string" calcext:value-type="string"><text:p>DxCare</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell></table:table-row>"#
        );
        assert_eq!(
            strip_string_cell_values(b"<table:table-cell office:value-type=\"float\" office:value=\"1\"/>"),
            None
        );
    }
}
